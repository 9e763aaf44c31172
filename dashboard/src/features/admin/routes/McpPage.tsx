// MCP servers (admins): the outside tool servers agents may be granted tools of. Add one (it is
// reached and its tools listed first), refresh its tool list, delete it. Live: mcp_server.*
// events refresh the list.
import { useState } from "react";
import { Empty, PageHeader } from "@/components/states";
import { Badge, Button, Card } from "@/components/ui";
import { notify, notifyError } from "@/components/notices";
import { pageRole } from "../access";
import { useDeleteMcpServer, useMcpServers, useRefreshMcpServer, type McpServer } from "../api";
import { AdminQueryView, RequireRole } from "../components/Access";
import { AddMcpDialog } from "../components/AddMcpDialog";
import { ConfirmDialog } from "@/components/confirm";
import { when } from "../components/format";

export default function McpPage() {
  return (
    <RequireRole title="MCP servers" needed={pageRole.mcp}>
      <Mcp />
    </RequireRole>
  );
}

function Mcp() {
  const servers = useMcpServers();
  const [adding, setAdding] = useState(false);
  return (
    <>
      <PageHeader
        title="MCP servers"
        description="Model Context Protocol servers whose tools agents may be granted, as name__tool."
        actions={
          <Button variant="primary" onClick={() => setAdding(true)}>
            Add server
          </Button>
        }
      />
      <AdminQueryView query={servers} needed={pageRole.mcp} what="Loading MCP servers">
        {(list) =>
          list.length === 0 ? (
            <Empty>No MCP servers yet. Add one to offer its tools to agents.</Empty>
          ) : (
            <div className="flex flex-col gap-4">
              {list.map((server) => (
                <ServerCard key={server.id} server={server} />
              ))}
            </div>
          )
        }
      </AdminQueryView>
      {adding && <AddMcpDialog onClose={() => setAdding(false)} />}
    </>
  );
}

function transportText(server: McpServer): string {
  const t = server.transport;
  if (t.kind === "http") return t.url;
  const env = Object.keys(t.env ?? {});
  return [t.command, ...(t.args ?? [])].join(" ") + (env.length ? `  (env: ${env.join(", ")})` : "");
}

function ServerCard({ server }: { server: McpServer }) {
  const refresh = useRefreshMcpServer();
  const remove = useDeleteMcpServer();
  const [deleting, setDeleting] = useState(false);
  return (
    <Card
      title={
        <span className="flex items-center gap-2">
          {server.name}
          <Badge tone={server.risk === "dangerous" ? "failed" : server.risk === "read_only" ? "completed" : "waiting"}>{server.risk}</Badge>
          {!server.enabled && <Badge tone="cancelled">disabled</Badge>}
        </span>
      }
      actions={
        <div className="flex gap-2">
          <Button
            onClick={() => refresh.mutate(server.id, { onSuccess: (s) => notify(`${s.name}: ${s.tools.length} tool(s) listed.`), onError: notifyError })}
            disabled={refresh.isPending}
            aria-label={`Refresh the tools of ${server.name}`}
          >
            {refresh.isPending ? "Refreshing…" : "Refresh tools"}
          </Button>
          <Button variant="ghost" onClick={() => setDeleting(true)} aria-label={`Delete ${server.name}`}>
            Delete
          </Button>
        </div>
      }
    >
      <dl className="mb-3 grid grid-cols-[7rem_1fr] gap-1 text-sm">
        <dt className="text-slate-500">{server.transport.kind}</dt>
        <dd className="font-mono text-xs break-all">{transportText(server)}</dd>
        <dt className="text-slate-500">Timeout</dt>
        <dd>{server.timeout_ms} ms</dd>
        <dt className="text-slate-500">Updated</dt>
        <dd>{when(server.updated_at)}</dd>
      </dl>
      {server.tools.length === 0 ? (
        <Empty>It offered no tools when last listed.</Empty>
      ) : (
        <table className="w-full text-left text-sm">
          <caption className="mb-1 text-left text-xs text-slate-500">{server.tools.length} tool(s)</caption>
          <thead className="border-b border-slate-200 text-xs text-slate-500 uppercase dark:border-slate-700">
            <tr>
              <th className="py-1 pr-3 font-medium">Tool</th>
              <th className="py-1 font-medium">Description</th>
            </tr>
          </thead>
          <tbody className="divide-y divide-slate-100 dark:divide-slate-800">
            {server.tools.map((tool) => (
              <tr key={tool.name}>
                <td className="py-1 pr-3 font-mono text-xs">{tool.name}</td>
                <td className="py-1 text-slate-600 dark:text-slate-400">{tool.description ?? ""}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {deleting && (
        <ConfirmDialog
          title={`Delete ${server.name}?`}
          confirmLabel="Delete server"
          busy={remove.isPending}
          onCancel={() => setDeleting(false)}
          onConfirm={() => {
            setDeleting(false);
            remove.mutate(server.id, { onSuccess: () => notify(`Deleted ${server.name}.`), onError: notifyError });
          }}
        >
          Its connection is closed. Agents keep their grants of its tools, but the tools are no longer offered to them.
        </ConfirmDialog>
      )}
    </Card>
  );
}
