// One node of the run: its status, attempts, times, input, output and error, from the run's
// record of it; a waiting approval is decided here.
import { useState, type FormEvent } from "react";
import { Badge, Button, Card, TextArea } from "@/components/ui";
import { ErrorState, Loading } from "@/components/states";
import { notify, notifyError } from "@/components/notices";
import type { DocNode } from "@/features/pipelines/graph/layout";
import { useDecide, useNodeRecord } from "../api";
import { elapsed, formatTime, pretty } from "../format";
import type { NodeState } from "../state";

function Json({ label, value }: { label: string; value: unknown }) {
  return (
    <div>
      <h4 className="mb-1 text-xs font-semibold text-slate-500 uppercase">{label}</h4>
      <pre className="max-h-56 overflow-auto rounded bg-slate-100 p-2 text-xs dark:bg-slate-800" data-testid={`node-${label.toLowerCase()}`} tabIndex={0}>
        {value === null || value === undefined ? "—" : pretty(value)}
      </pre>
    </div>
  );
}

function ApprovalForm({ runId, nodeId }: { runId: string; nodeId: string }) {
  const [comment, setComment] = useState("");
  const decide = useDecide(runId);
  const send = (decision: "approve" | "reject") => (event?: FormEvent) => {
    event?.preventDefault();
    decide.mutate(
      { nodeId, decision, comment },
      {
        onSuccess: () => notify(decision === "approve" ? "Approved" : "Rejected"),
        onError: notifyError,
      },
    );
  };
  return (
    <form onSubmit={send("approve")} className="flex flex-col gap-2 rounded-md border border-amber-300 bg-amber-50 p-3 dark:border-amber-800 dark:bg-amber-950" aria-label="Decide this approval">
      <TextArea label="Comment (optional)" rows={2} value={comment} maxLength={4096} onChange={(e) => setComment(e.target.value)} />
      <div className="flex gap-2">
        <Button type="submit" variant="primary" disabled={decide.isPending}>
          Approve
        </Button>
        <Button variant="danger" disabled={decide.isPending} onClick={() => send("reject")()}>
          Reject
        </Button>
      </div>
    </form>
  );
}

export function NodePanel({ runId, node, state, canDecide, onClose }: { runId: string; node: DocNode; state: NodeState | undefined; canDecide: boolean; onClose: () => void }) {
  const status = state?.status ?? "pending";
  const record = useNodeRecord(runId, node.id, status);
  const rec = record.data;
  const message = (node.config as { message?: unknown } | null)?.message;
  return (
    <Card
      title={
        <span className="flex items-center gap-2">
          {node.name || node.id} <Badge tone={status}>{status}</Badge>
        </span>
      }
      actions={
        <Button variant="ghost" aria-label="Close the node's details" onClick={onClose}>
          ✕
        </Button>
      }
      className="flex max-h-full flex-col overflow-auto"
    >
      <section aria-label={`Node ${node.id}`} data-testid="node-panel" data-node-id={node.id} data-status={status} className="flex flex-col gap-3 text-sm">
        <dl className="grid grid-cols-[7rem_1fr] gap-x-2 gap-y-1">
          <dt className="text-slate-500">Id</dt>
          <dd className="font-mono">{node.id}</dd>
          <dt className="text-slate-500">Type</dt>
          <dd>{node.type}</dd>
          <dt className="text-slate-500">Attempts</dt>
          <dd data-testid="node-attempts">{Math.max(state?.attempts ?? 0, rec?.attempts ?? 0)}</dd>
          <dt className="text-slate-500">Started</dt>
          <dd>{formatTime(state?.startedAt ?? rec?.started_at)}</dd>
          <dt className="text-slate-500">Took</dt>
          <dd>{state?.finishedAt ? elapsed(state.startedAt ?? rec?.started_at, state.finishedAt) : "—"}</dd>
        </dl>
        {status === "waiting" && (
          <div className="flex flex-col gap-2">
            <p className="text-amber-800 dark:text-amber-200">
              Waiting for a decision{typeof message === "string" && message ? `: ${message}` : "."}
              {state?.waitUntil && <span className="block text-xs">Decided by default at {formatTime(state.waitUntil)}.</span>}
            </p>
            {canDecide && <ApprovalForm runId={runId} nodeId={node.id} />}
          </div>
        )}
        {(state?.error ?? rec?.error) && (
          <div role="alert" className="rounded border border-red-300 bg-red-50 p-2 text-red-800 dark:border-red-800 dark:bg-red-950 dark:text-red-200">
            <span className="font-mono text-xs">{state?.errorCode ?? rec?.error_code}</span> {state?.error ?? rec?.error}
          </div>
        )}
        {record.isPending ? <Loading what="Loading the node's record" /> : record.error ? <ErrorState error={record.error} retry={() => void record.refetch()} /> : null}
        <Json label="Input" value={rec?.input} />
        <Json label="Output" value={state?.output ?? rec?.output} />
        {(state?.decision ?? rec?.decision) != null && <Json label="Decision" value={state?.decision ?? rec?.decision} />}
        <Json label="Config" value={node.config} />
      </section>
    </Card>
  );
}
