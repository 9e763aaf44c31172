// The first page: is the server healthy, what exists, what runs now, what just happened, and
// how much the models were used today. Everything refreshes as events arrive.
import { Link } from "react-router";
import { Badge, Card } from "@/components/ui";
import { ErrorState, Loading, PageHeader } from "@/components/states";
import { useLatestEvents, useOverview, useReadiness } from "./api";

function Stat({ label, value, to }: { label: string; value: number | null | undefined; to?: string }) {
  const body = (
    <div className="rounded-md border border-slate-200 p-3 dark:border-slate-800">
      <div className="text-xs text-slate-500 uppercase">{label}</div>
      <div className="text-2xl font-semibold" data-testid={`stat-${label.toLowerCase().replace(/\s+/g, "-")}`}>
        {value ?? "—"}
      </div>
    </div>
  );
  return to ? <Link to={to}>{body}</Link> : body;
}

export default function OverviewPage() {
  const overview = useOverview();
  const ready = useReadiness();
  const head = overview.data?.latest_event_seq;
  const events = useLatestEvents(head ?? undefined);

  return (
    <>
      <PageHeader title="Overview" description="The state of this gathering server, live." />
      <div className="grid grid-cols-1 gap-4 xl:grid-cols-3">
        <Card title="Health">
          {ready.isPending ? (
            <Loading what="Checking" />
          ) : (
            <p className="flex items-center gap-2 text-sm" data-testid="readiness">
              <Badge tone={ready.data?.ok ? "completed" : "failed"}>{ready.data?.ok ? "ready" : "not ready"}</Badge>
              <span className="text-slate-500">{ready.data?.status}</span>
            </p>
          )}
        </Card>
        <Card title="Runs" className="xl:col-span-2">
          {overview.isPending ? (
            <Loading />
          ) : overview.error ? (
            <ErrorState error={overview.error} retry={() => void overview.refetch()} />
          ) : (
            <div className="grid grid-cols-4 gap-3">
              <Stat label="Running" value={overview.data?.runs.running} />
              <Stat label="Waiting" value={overview.data?.runs.waiting} />
              <Stat label="Completed today" value={overview.data?.runs.completed_today} />
              <Stat label="Failed today" value={overview.data?.runs.failed_today} />
            </div>
          )}
        </Card>
        <Card title="What exists" className="xl:col-span-2">
          {overview.data && (
            <div className="grid grid-cols-3 gap-3">
              <Stat label="Agents" value={overview.data.counts.agents} to="/agents" />
              <Stat label="Personas" value={overview.data.counts.personas} to="/personas" />
              <Stat label="Pipelines" value={overview.data.counts.pipelines} to="/pipelines" />
              <Stat label="Schedules" value={overview.data.counts.schedules} to="/schedules" />
              <Stat label="MCP servers" value={overview.data.counts.mcp_servers} />
              {overview.data.counts.users !== null && overview.data.counts.users !== undefined && <Stat label="Users" value={overview.data.counts.users} />}
            </div>
          )}
        </Card>
        <Card title="Model usage today">
          {overview.data && (
            <dl className="grid grid-cols-2 gap-2 text-sm">
              <dt className="text-slate-500">Requests</dt>
              <dd data-testid="usage-requests">{overview.data.usage_today.requests}</dd>
              <dt className="text-slate-500">Prompt tokens</dt>
              <dd>{overview.data.usage_today.prompt_tokens}</dd>
              <dt className="text-slate-500">Completion tokens</dt>
              <dd>{overview.data.usage_today.completion_tokens}</dd>
              <dt className="text-slate-500">Cost</dt>
              <dd>{String(overview.data.usage_today.cost)}</dd>
            </dl>
          )}
        </Card>
        <Card title="Latest events" className="xl:col-span-3" actions={<Link to="/events" className="text-sm text-indigo-600 underline">All events</Link>}>
          {overview.error ? (
            <ErrorState error={overview.error} retry={() => void overview.refetch()} />
          ) : events.isPending ? (
            <Loading />
          ) : events.error ? (
            <ErrorState error={events.error} retry={() => void events.refetch()} />
          ) : (
            <ul className="divide-y divide-slate-100 text-sm dark:divide-slate-800" data-testid="latest-events">
              {(events.data?.items ?? []).slice(-15).reverse().map((e) => (
                <li key={e.id} className="flex gap-3 py-1.5" data-seq={e.seq ?? undefined}>
                  <span className="w-16 text-slate-400 tabular-nums">#{e.seq}</span>
                  <span className="font-mono">{e.type}</span>
                  <span className="ml-auto text-slate-500">{new Date(e.ts).toLocaleTimeString()}</span>
                </li>
              ))}
              {events.data?.items.length === 0 && <li className="py-2 text-slate-500">Nothing yet.</li>}
            </ul>
          )}
        </Card>
      </div>
    </>
  );
}
