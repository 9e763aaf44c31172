// The run's status, times, trigger and error, its actions (cancel, re-run from failure), and
// how many nodes are in each status.
import { Link, useNavigate } from "react-router";
import { Badge, Button, Card } from "@/components/ui";
import { notify, notifyError } from "@/components/notices";
import { useCancelRun, useRerun } from "../api";
import { elapsed, formatTime } from "../format";
import { countByStatus, isFinal, NODE_STATUSES, type Run, type RunState } from "../state";
import { useNow } from "../useNow";
import { shortId } from "./RunsTable";
import { minimapColour } from "./RunGraph";

export function RunActions({ run, state, canCancel, canRerun }: { run: Run; state: RunState; canCancel: boolean; canRerun: boolean }) {
  const cancel = useCancelRun(run.id);
  const rerun = useRerun(run.id);
  const navigate = useNavigate();
  const final = isFinal(state.status);
  const rerunnable = state.status === "failed" || state.status === "cancelled" || state.status === "timeout";
  return (
    <>
      {canCancel && !final && (
        <Button
          variant="danger"
          disabled={cancel.isPending || state.cancelRequested}
          onClick={() =>
            cancel.mutate(undefined, {
              onSuccess: (r) => notify(r.status === "cancelled" ? "Run cancelled" : "Cancelling the run…"),
              onError: notifyError,
            })
          }
        >
          {state.cancelRequested ? "Cancelling…" : "Cancel run"}
        </Button>
      )}
      {canRerun && rerunnable && (
        <Button
          variant="primary"
          disabled={rerun.isPending}
          onClick={() =>
            rerun.mutate(undefined, {
              onSuccess: (r) => {
                notify("Re-run started");
                void navigate(`/pipelines/${run.pipeline_id}/runs/${r.id}`);
              },
              onError: notifyError,
            })
          }
        >
          Re-run from failure
        </Button>
      )}
    </>
  );
}

export function RunSummary({ run, state }: { run: Run; state: RunState }) {
  const final = isFinal(state.status);
  const now = useNow(!final && state.startedAt !== null);
  const counts = countByStatus(state);
  const total = Object.keys(state.nodes).length;
  return (
    <Card className="mb-4">
      <div className="flex flex-wrap items-start gap-x-8 gap-y-2 text-sm">
        <div>
          <div className="text-xs text-slate-500 uppercase">Status</div>
          <span data-testid="run-status" data-status={state.status}>
            <Badge tone={state.status === "timeout" ? "failed" : state.status}>{state.status}</Badge>
          </span>
          {state.cancelRequested && !final && <span className="ml-1 text-xs text-slate-500">(cancel requested)</span>}
        </div>
        <div>
          <div className="text-xs text-slate-500 uppercase">Started</div>
          {formatTime(state.startedAt ?? run.created_at)}
        </div>
        <div>
          <div className="text-xs text-slate-500 uppercase">Finished</div>
          {formatTime(state.finishedAt)}
        </div>
        <div>
          <div className="text-xs text-slate-500 uppercase">Duration</div>
          <span className="tabular-nums">{elapsed(state.startedAt, state.finishedAt, now)}</span>
        </div>
        <div>
          <div className="text-xs text-slate-500 uppercase">Trigger</div>
          {run.trigger}
          {run.rerun_of && (
            <Link to={`/pipelines/${run.pipeline_id}/runs/${run.rerun_of}`} className="ml-1 text-indigo-600 underline dark:text-indigo-400">
              re-run of {shortId(run.rerun_of)}
            </Link>
          )}
        </div>
        <div>
          <div className="text-xs text-slate-500 uppercase">Version</div>
          {run.version}
        </div>
      </div>
      {state.error && (
        <p role="alert" className="mt-3 rounded border border-red-300 bg-red-50 p-2 text-sm text-red-800 dark:border-red-800 dark:bg-red-950 dark:text-red-200" data-testid="run-error">
          {state.error}
        </p>
      )}
      <ul
        aria-label="Nodes by status"
        data-testid="node-counts"
        data-total={total}
        {...Object.fromEntries(NODE_STATUSES.map((s) => [`data-${s}`, counts[s]]))}
        className="mt-3 flex flex-wrap gap-3 text-xs"
      >
        {NODE_STATUSES.map((s) => (
          <li key={s} className="flex items-center gap-1">
            <span aria-hidden className="inline-block h-2.5 w-2.5 rounded-sm" style={{ background: minimapColour[s] }} />
            {s} <span className="font-medium tabular-nums">{counts[s]}</span>
          </li>
        ))}
        <li className="text-slate-500">of {total} nodes</li>
      </ul>
    </Card>
  );
}
