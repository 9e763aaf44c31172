// A schedule's runs, newest occurrence first, with their outcome; new runs appear as the
// scheduler's events invalidate the list.
import { Empty, QueryView } from "@/components/states";
import { Button } from "@/components/ui";
import { useScheduleRuns, type ScheduleRun } from "../api";
import { formatInZone, localZone } from "../time";
import { RunStatus } from "./status";

function Outcome({ run }: { run: ScheduleRun }) {
  if (run.error) return <span className="break-words text-red-700 dark:text-red-300">{run.error}</span>;
  if (run.output === null || run.output === undefined) return <span className="text-slate-400">—</span>;
  const text = JSON.stringify(run.output);
  return (
    <details>
      <summary className="cursor-pointer font-mono text-xs">{text.length > 60 ? `${text.slice(0, 60)}…` : text}</summary>
      <pre className="mt-1 max-h-64 max-w-xl overflow-auto rounded bg-slate-50 p-2 text-xs dark:bg-slate-950">{JSON.stringify(run.output, null, 2)}</pre>
    </details>
  );
}

export function RunsTable({ id, limit, onMore }: { id: string; limit: number; onMore: () => void }) {
  const runs = useScheduleRuns(id, limit);
  const zone = localZone();
  return (
    <QueryView query={runs} what="Loading runs">
      {(page) =>
        page.items.length === 0 ? (
          <Empty>No runs yet. They appear here as the schedule fires.</Empty>
        ) : (
          <div className="overflow-x-auto">
            <table aria-label="Runs" className="w-full text-left text-sm tabular-nums">
              <thead className="text-xs text-slate-500 uppercase">
                <tr>
                  <th className="py-1 pr-3 font-medium">Scheduled for</th>
                  <th className="py-1 pr-3 font-medium">Trigger</th>
                  <th className="py-1 pr-3 font-medium">Status</th>
                  <th className="py-1 pr-3 font-medium">Attempts</th>
                  <th className="py-1 pr-3 font-medium">Duration</th>
                  <th className="py-1 pr-3 font-medium">Lag</th>
                  <th className="py-1 font-medium">Output or error</th>
                </tr>
              </thead>
              <tbody className="divide-y divide-slate-100 dark:divide-slate-800">
                {page.items.map((run) => (
                  <tr key={run.id} className="align-top" data-testid="schedule-run">
                    <td className="py-1.5 pr-3">
                      <time dateTime={run.scheduled_for}>{formatInZone(run.scheduled_for, zone)}</time>
                    </td>
                    <td className="py-1.5 pr-3">{run.trigger}</td>
                    <td className="py-1.5 pr-3">
                      <RunStatus status={run.status} />
                    </td>
                    <td className="py-1.5 pr-3">
                      {run.attempts}/{run.max_attempts}
                    </td>
                    <td className="py-1.5 pr-3">{run.duration_ms != null ? `${run.duration_ms} ms` : "—"}</td>
                    <td className="py-1.5 pr-3">{run.fire_lag_ms != null ? `${Math.round(run.fire_lag_ms)} ms` : "—"}</td>
                    <td className="py-1.5">
                      <Outcome run={run} />
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
            {page.next_cursor && (
              <Button variant="ghost" className="mt-2" onClick={onMore}>
                Show more runs
              </Button>
            )}
          </div>
        )
      }
    </QueryView>
  );
}
