// A pipeline's runs, newest first, live: a run started anywhere appears, and statuses change,
// as events invalidate ["runs", ...].
import { useState } from "react";
import { Link } from "react-router";
import { Badge, Button, Card, Select } from "@/components/ui";
import { Empty, ErrorState, Loading } from "@/components/states";
import { useRuns } from "../api";
import { elapsed, formatTime } from "../format";
import { isFinal, type RunStatus } from "../state";
import { useNow } from "../useNow";

const STATUSES: RunStatus[] = ["pending", "running", "waiting", "completed", "failed", "cancelled", "timeout"];

export function shortId(id: string): string {
  return id.slice(-8);
}

export function RunsTable({ pipelineId, poll }: { pipelineId: string; poll: boolean }) {
  const [status, setStatus] = useState<RunStatus | "">("");
  const runs = useRuns(pipelineId, status, poll);
  const items = runs.data?.pages.flatMap((p) => p.items) ?? [];
  const anyLive = items.some((r) => !isFinal(r.status));
  const now = useNow(anyLive);

  return (
    <Card
      title="Runs"
      actions={
        <div className="w-40">
          <Select label="Status" value={status} onChange={(e) => setStatus(e.target.value as RunStatus | "")}>
            <option value="">Any status</option>
            {STATUSES.map((s) => (
              <option key={s} value={s}>
                {s}
              </option>
            ))}
          </Select>
        </div>
      }
    >
      {runs.isPending ? (
        <Loading what="Loading runs" />
      ) : runs.error ? (
        <ErrorState error={runs.error} retry={() => void runs.refetch()} />
      ) : items.length === 0 ? (
        <Empty>{status ? `No ${status} run.` : "No run yet. Start one to see it here."}</Empty>
      ) : (
        <>
          <table className="w-full text-sm" aria-label="Runs">
            <thead className="text-left text-xs text-slate-500 uppercase">
              <tr>
                <th className="py-1">Run</th>
                <th>Status</th>
                <th>Started</th>
                <th>Duration</th>
                <th>Trigger</th>
              </tr>
            </thead>
            <tbody className="divide-y divide-slate-100 dark:divide-slate-800">
              {items.map((r) => (
                <tr key={r.id} data-testid="run-row" data-run-id={r.id} data-status={r.status}>
                  <td className="py-1.5">
                    <Link to={`/pipelines/${pipelineId}/runs/${r.id}`} className="font-mono text-indigo-600 underline dark:text-indigo-400" aria-label={`Open run ${shortId(r.id)}`}>
                      {shortId(r.id)}
                    </Link>
                  </td>
                  <td>
                    <Badge tone={r.status === "timeout" ? "failed" : r.status}>{r.status}</Badge>
                  </td>
                  <td className="text-slate-600 dark:text-slate-400">{formatTime(r.started_at ?? r.created_at)}</td>
                  <td className="tabular-nums">{elapsed(r.started_at, r.finished_at, now)}</td>
                  <td>
                    {r.trigger}
                    {r.rerun_of && <span className="ml-1 text-xs text-slate-500">(of {shortId(r.rerun_of)})</span>}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
          {runs.hasNextPage && (
            <div className="mt-3">
              <Button onClick={() => void runs.fetchNextPage()} disabled={runs.isFetchingNextPage}>
                {runs.isFetchingNextPage ? "Loading…" : "Load older runs"}
              </Button>
            </div>
          )}
        </>
      )}
    </Card>
  );
}
