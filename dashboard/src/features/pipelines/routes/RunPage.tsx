// One run, live: the pipeline's graph with every node coloured by its status as the run's
// events arrive over the page's socket (patched in place, one render per frame), a node's
// details on click, approvals decided here, cancel and re-run from failure. Viewers read.
import { useCallback, useEffect, useMemo, useState } from "react";
import { Link, useParams } from "react-router";
import { Button } from "@/components/ui";
import { ErrorState, Loading, PageHeader } from "@/components/states";
import { allows, useSession } from "@/lib/auth/session";
import { usePipeline } from "../api";
import { useRunSnapshot, useVersionDocument } from "../runs/api";
import { NodePanel } from "../runs/components/NodePanel";
import { RunGraph } from "../runs/components/RunGraph";
import { RunActions, RunSummary } from "../runs/components/RunSummary";
import { shortId } from "../runs/components/RunsTable";
import { countByStatus, isFinal, waitingNodes, type RunState } from "../runs/state";
import { useLiveRun } from "../runs/useLiveRun";

/** When the page first showed every node settled, as epoch ms (read by the browser tests). */
function useSettledAt(state: RunState | null): number | null {
  const [at, setAt] = useState<number | null>(null);
  const settled = state !== null && isFinal(state.status) && (() => {
    const c = countByStatus(state);
    return c.pending + c.running + c.waiting === 0;
  })();
  useEffect(() => {
    if (settled && at === null) setAt(Math.round(performance.timeOrigin + performance.now()));
  }, [settled, at]);
  return at;
}

export default function RunPage() {
  const { id = "", runId = "" } = useParams();
  const user = useSession((s) => s.user);
  const pipeline = usePipeline(id);
  const isAdmin = allows(user, "admin");
  const isMember = allows(user, "member");
  const owns = pipeline.data !== undefined && user !== null && pipeline.data.owner_id === user.id;

  // Only the pipeline's owner and admins get its events; anyone else follows a live run by polling.
  const seesEvents = isAdmin || owns;
  const polled = useRunSnapshot(runId).data?.run.status;
  const first = useRunSnapshot(runId, !seesEvents && !pipeline.isPending && polled !== undefined && !isFinal(polled));
  const run = first.data?.run;
  const doc = useVersionDocument(id, run?.version);
  const nodeIds = useMemo(() => doc.data?.nodes.map((n) => n.id), [doc.data]);
  const { state } = useLiveRun(runId, nodeIds);

  const [selected, setSelected] = useState<string | null>(null);
  const open = useCallback((nodeId: string) => setSelected(nodeId), []);
  const settledAt = useSettledAt(state);

  if (first.isPending || (run && doc.isPending)) return <Loading what="Loading the run" />;
  if (first.error || !run) return <ErrorState error={first.error} retry={() => void first.refetch()} />;
  if (doc.error || !doc.data) return <ErrorState error={doc.error} retry={() => void doc.refetch()} />;
  if (!state) return <Loading what="Loading the run" />;

  const canCancel = isMember && (isAdmin || owns || (user !== null && run.created_by === user.id));
  const waiting = waitingNodes(state);
  const selectedNode = selected ? doc.data.nodes.find((n) => n.id === selected) : undefined;
  const title = pipeline.data ? `${pipeline.data.name}: run ${shortId(runId)}` : `Run ${shortId(runId)}`;

  return (
    <div className="flex h-full flex-col" data-testid="run-view" data-run-id={runId} data-settled-at={settledAt ?? undefined}>
      <PageHeader
        title={title}
        description={
          <Link to={`/pipelines/${id}/runs`} className="text-indigo-600 underline dark:text-indigo-400">
            All runs of this pipeline
          </Link>
        }
        actions={<RunActions run={run} state={state} canCancel={canCancel} canRerun={isMember} />}
      />
      <RunSummary run={run} state={state} />
      {waiting.length > 0 && (
        <div role="status" className="mb-4 flex flex-wrap items-center gap-2 rounded-md border border-amber-300 bg-amber-50 p-3 text-sm text-amber-900 dark:border-amber-800 dark:bg-amber-950 dark:text-amber-100">
          <span>Waiting for a decision:</span>
          {waiting.map((nodeId) => (
            <Button key={nodeId} onClick={() => setSelected(nodeId)}>
              Review {doc.data?.nodes.find((n) => n.id === nodeId)?.name || nodeId}
            </Button>
          ))}
        </div>
      )}
      <div className="flex min-h-[480px] flex-1 gap-4">
        <div className="min-w-0 flex-1 rounded-lg border border-slate-200 bg-white dark:border-slate-800 dark:bg-slate-900">
          <RunGraph doc={doc.data} state={state} selected={selected} onOpen={open} />
        </div>
        {selectedNode && (
          <aside className="w-96 shrink-0" aria-label="Node details">
            <NodePanel key={selectedNode.id} runId={runId} node={selectedNode} state={state.nodes[selectedNode.id]} canDecide={isMember} onClose={() => setSelected(null)} />
          </aside>
        )}
      </div>
    </div>
  );
}
