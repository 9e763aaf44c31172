// The audit log (admins): who did what, when, from where, newest first. Filters by action
// (exact or a prefix ending in "."), actor, outcome and time; pages by cursor; a row opens to
// show its details. The filters live in the address, so a view can be linked.
import { Fragment, useEffect, useMemo, useState, type FormEvent } from "react";
import { useSearchParams } from "react-router";
import { useQueryClient } from "@tanstack/react-query";
import { live } from "@/lib/live/socket";
import { Empty, PageHeader } from "@/components/states";
import { Badge, Button, Card, Select, TextInput } from "@/components/ui";
import { pageRole } from "../access";
import { useAllUsers, useAudit, type AuditRow, type UserView } from "../api";
import { auditedEvent, auditFilterFromSearch, auditFilterToSearch, auditParams, auditRangeInvalid, emptyAuditFilter, knownActions, type AuditFilter } from "../filters";
import { AdminQueryView, RequireRole } from "../components/Access";
import { when } from "../components/format";

const PAGE = 50;

export default function AuditPage() {
  return (
    <RequireRole title="Audit log" needed={pageRole.audit}>
      <Audit />
    </RequireRole>
  );
}

function Audit() {
  const [search, setSearch] = useSearchParams();
  const filter = auditFilterFromSearch(search);
  const filterKey = search.toString();
  // Cursors of the pages walked so far, newest first; the last is the page shown.
  const [pages, setPages] = useState<{ key: string; cursors: (string | null)[] }>({ key: filterKey, cursors: [null] });
  const cursors = pages.key === filterKey ? pages.cursors : [null];
  const cursor = cursors[cursors.length - 1] ?? null;
  const params = auditParams(filter, PAGE, cursor);
  const rows = useAudit(params, !auditRangeInvalid(filter));
  const users = useAllUsers();
  const byId = useMemo(() => new Map((users.data?.users ?? []).map((u) => [u.id, u])), [users.data]);
  const client = useQueryClient();

  // A change someone makes elsewhere adds a row at the top: refresh the log as it happens.
  useEffect(
    () =>
      live.subscribe((event) => {
        if (auditedEvent(event.type)) void client.invalidateQueries({ queryKey: ["audit"] });
      }),
    [client],
  );

  const apply = (next: AuditFilter) => {
    setSearch(auditFilterToSearch(next), { replace: true });
    setPages({ key: auditFilterToSearch(next).toString(), cursors: [null] });
  };

  return (
    <>
      <PageHeader
        title="Audit log"
        description="Every change to users, keys, models, personas, agents, MCP servers and pipelines, every sign-in and refused tool call. Append-only."
        actions={
          <Button onClick={() => void rows.refetch()} disabled={rows.isFetching}>
            {rows.isFetching ? "Refreshing…" : "Refresh"}
          </Button>
        }
      />
      <Card className="mb-4">
        <Filters key={filterKey} initial={filter} users={users.data?.users ?? []} onApply={apply} />
      </Card>
      <Card>
        {auditRangeInvalid(filter) ? (
          <p role="alert" className="text-sm text-red-600 dark:text-red-400">
            “From” must be before “Until”.
          </p>
        ) : (
          <AdminQueryView query={rows} needed={pageRole.audit} what="Loading the audit log">
            {(page) => (
              <>
                {page.items.length === 0 ? <Empty>{cursors.length > 1 ? "No older rows." : "No audit rows match these filters."}</Empty> : <AuditTable rows={page.items} users={byId} />}
                <nav aria-label="Audit pages" className="mt-3 flex items-center justify-between text-sm">
                  <Button onClick={() => setPages({ key: filterKey, cursors: cursors.slice(0, -1) })} disabled={cursors.length <= 1}>
                    Newer
                  </Button>
                  <span className="text-slate-500">Page {cursors.length}</span>
                  <Button onClick={() => page.next_cursor && setPages({ key: filterKey, cursors: [...cursors, page.next_cursor] })} disabled={!page.next_cursor}>
                    Older
                  </Button>
                </nav>
              </>
            )}
          </AdminQueryView>
        )}
      </Card>
    </>
  );
}

function Filters({ initial, users, onApply }: { initial: AuditFilter; users: UserView[]; onApply: (f: AuditFilter) => void }) {
  const [draft, setDraft] = useState(initial);
  const set = (field: keyof AuditFilter) => (e: { target: { value: string } }) => setDraft((d) => ({ ...d, [field]: e.target.value }));
  const submit = (e: FormEvent) => {
    e.preventDefault();
    onApply(draft);
  };
  return (
    <form onSubmit={submit} className="grid grid-cols-3 items-end gap-3 2xl:grid-cols-[1.4fr_1.4fr_0.8fr_1.2fr_1.2fr_auto]" aria-label="Audit filters">
      <TextInput label="Action" list="audit-actions" placeholder="auth.login or api_key." value={draft.action} onChange={set("action")} />
      <datalist id="audit-actions">
        {knownActions.map((a) => (
          <option key={a} value={a} />
        ))}
      </datalist>
      <Select label="Actor" value={draft.actor} onChange={set("actor")}>
        <option value="">Anyone</option>
        {users.map((u) => (
          <option key={u.id} value={u.id}>
            {u.email}
          </option>
        ))}
      </Select>
      <Select label="Outcome" value={draft.outcome} onChange={set("outcome")}>
        <option value="">Any</option>
        <option value="success">success</option>
        <option value="failure">failure</option>
      </Select>
      <TextInput label="From" type="datetime-local" value={draft.since} onChange={set("since")} />
      <TextInput label="Until" type="datetime-local" value={draft.until} onChange={set("until")} />
      <div className="flex gap-2">
        <Button type="submit" variant="primary">
          Apply
        </Button>
        <Button
          onClick={() => {
            setDraft(emptyAuditFilter);
            onApply(emptyAuditFilter);
          }}
        >
          Clear
        </Button>
      </div>
    </form>
  );
}

function AuditTable({ rows, users }: { rows: AuditRow[]; users: Map<string, UserView> }) {
  const [open, setOpen] = useState<Set<string>>(new Set());
  const toggle = (id: string) =>
    setOpen((s) => {
      const next = new Set(s);
      if (next.has(id)) next.delete(id);
      else next.add(id);
      return next;
    });
  return (
    <div className="overflow-x-auto">
      <table className="w-full text-left text-sm">
        <thead className="border-b border-slate-200 text-xs text-slate-500 uppercase dark:border-slate-700">
          <tr>
            <th className="w-8 py-2">
              <span className="sr-only">Details</span>
            </th>
            <th className="py-2 pr-3 font-medium">Time</th>
            <th className="py-2 pr-3 font-medium">Actor</th>
            <th className="py-2 pr-3 font-medium">Action</th>
            <th className="py-2 pr-3 font-medium">Outcome</th>
            <th className="py-2 pr-3 font-medium">Address</th>
          </tr>
        </thead>
        <tbody className="divide-y divide-slate-100 dark:divide-slate-800">
          {rows.map((row) => {
            const expanded = open.has(row.id);
            const actor = row.actor_id ? (users.get(row.actor_id)?.email ?? row.actor_id) : null;
            return (
              <Fragment key={row.id}>
                <tr data-testid="audit-row">
                  <td className="py-1.5">
                    <button
                      type="button"
                      aria-expanded={expanded}
                      aria-controls={`audit-${row.id}`}
                      aria-label={`${expanded ? "Hide" : "Show"} details of ${row.action} at ${when(row.ts)}`}
                      onClick={() => toggle(row.id)}
                      className="rounded px-1.5 text-slate-500 hover:bg-slate-100 dark:hover:bg-slate-800"
                    >
                      {expanded ? "▾" : "▸"}
                    </button>
                  </td>
                  <td className="py-1.5 pr-3 whitespace-nowrap tabular-nums">{when(row.ts, "—", true)}</td>
                  <td className="py-1.5 pr-3">{actor ?? <span className="text-slate-500">system or anonymous</span>}</td>
                  <td className="py-1.5 pr-3 font-mono text-xs">{row.action}</td>
                  <td className="py-1.5 pr-3">
                    <Badge tone={row.outcome === "success" ? "completed" : "failed"}>{row.outcome}</Badge>
                  </td>
                  <td className="py-1.5 pr-3 font-mono text-xs">{row.ip ?? "—"}</td>
                </tr>
                {expanded && (
                  <tr id={`audit-${row.id}`}>
                    <td />
                    <td colSpan={5} className="pb-3">
                      <dl className="mb-2 grid grid-cols-[8rem_1fr] gap-1 text-xs">
                        <dt className="text-slate-500">Row</dt>
                        <dd className="font-mono">{row.id}</dd>
                        <dt className="text-slate-500">Request</dt>
                        <dd className="font-mono">{row.request_id ?? "—"}</dd>
                        {row.actor_id && (
                          <>
                            <dt className="text-slate-500">Actor id</dt>
                            <dd className="font-mono">{row.actor_id}</dd>
                          </>
                        )}
                      </dl>
                      <pre className="max-h-80 overflow-auto rounded-md bg-slate-50 p-2 text-xs dark:bg-slate-950" aria-label="Details">
                        {JSON.stringify(row.details, null, 2)}
                      </pre>
                    </td>
                  </tr>
                )}
              </Fragment>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}
