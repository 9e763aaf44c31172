// A run's live state: the run as fetched once, then patched in place by its `pipeline_run.*`
// and `pipeline_node.*` events (docs/events.md). Pure, so the ordering rules are unit tested:
// every node (and the run itself) remembers the seq of the last event applied to it, and an
// event at or below that seq (a duplicate, or one overtaken by a newer one) changes nothing.
// A snapshot taken when the feed was at seq S reflects every event up to S, so it starts its
// nodes at S; a re-fetch after a reconnect keeps the nodes an event has moved past S. A node
// that completed or was skipped stays so (the engine never runs it again within the run).
import type { components } from "@/lib/api/schema";
import type { LiveEvent } from "@/lib/live/types";

export type Run = components["schemas"]["Run"];
export type RunNode = components["schemas"]["RunNode"];
export type RunStatus = components["schemas"]["RunStatus"];
export type NodeStatus = components["schemas"]["NodeStatus"];

export const NODE_STATUSES: NodeStatus[] = ["pending", "running", "waiting", "completed", "failed", "skipped", "cancelled"];
const FINAL_RUN: ReadonlySet<RunStatus> = new Set(["completed", "failed", "cancelled", "timeout"]);

export function isFinal(status: RunStatus): boolean {
  return FINAL_RUN.has(status);
}

/** What the page knows of one node. `input` is only in fetched records, never in events. */
export type NodeState = {
  status: NodeStatus;
  attempts: number;
  error: string | null;
  errorCode: string | null;
  output: unknown;
  decision: unknown;
  waitUntil: string | null;
  startedAt: string | null;
  finishedAt: string | null;
  /** The seq of the last event applied (or the snapshot's), -1 before any. */
  seq: number;
};

export type RunState = {
  runId: string;
  status: RunStatus;
  error: string | null;
  startedAt: string | null;
  finishedAt: string | null;
  cancelRequested: boolean;
  seq: number;
  nodes: Readonly<Record<string, NodeState>>;
};

const NONE = -1;

export function pendingNode(seq = NONE): NodeState {
  return { status: "pending", attempts: 0, error: null, errorCode: null, output: null, decision: null, waitUntil: null, startedAt: null, finishedAt: null, seq };
}

function nodeFromRecord(record: RunNode, seq: number): NodeState {
  return {
    status: record.status,
    attempts: record.attempts,
    error: record.error ?? null,
    errorCode: record.error_code ?? null,
    output: record.output ?? null,
    decision: record.decision ?? null,
    waitUntil: record.wait_until ?? null,
    startedAt: record.started_at ?? null,
    finishedAt: record.finished_at ?? null,
    seq,
  };
}

/**
 * The state a fetched run gives, taken when the feed had delivered up to `baseline` (null:
 * nothing yet). `nodeIds` are the document's nodes: those without a record yet are pending.
 * With `previous` (a re-fetch), whatever an event moved past the baseline is kept.
 */
export function fromRun(run: Run, baseline: number | null, nodeIds: readonly string[] = [], previous: RunState | null = null): RunState {
  const seq = baseline ?? NONE;
  const nodes: Record<string, NodeState> = {};
  for (const id of nodeIds) nodes[id] = pendingNode(seq);
  for (const record of run.nodes) nodes[record.node_id] = nodeFromRecord(record, seq);
  const fresh: RunState = {
    runId: run.id,
    status: run.status,
    error: run.error ?? null,
    startedAt: run.started_at ?? null,
    finishedAt: run.finished_at ?? null,
    cancelRequested: run.cancel_requested,
    seq,
    nodes,
  };
  if (!previous || previous.runId !== run.id) return fresh;
  for (const [id, node] of Object.entries(previous.nodes)) {
    if (node.seq <= seq) continue;
    const fetched = nodes[id];
    // A node the fetch found completed or skipped is so for good, whatever events said before.
    nodes[id] = fetched && (fetched.status === "completed" || fetched.status === "skipped") ? { ...fetched, seq: node.seq } : node;
  }
  if (previous.seq > seq && isFinal(fresh.status)) return { ...fresh, seq: previous.seq };
  if (previous.seq > seq) {
    return { ...fresh, status: previous.status, error: previous.error, startedAt: previous.startedAt, finishedAt: previous.finishedAt, cancelRequested: previous.cancelRequested, seq: previous.seq };
  }
  return fresh;
}

type Data = Record<string, unknown>;

function str(value: unknown): string | null {
  return typeof value === "string" ? value : null;
}

function num(value: unknown): number | null {
  return typeof value === "number" ? value : null;
}

/** Whether an event is about this run at all. */
export function concerns(event: LiveEvent, runId: string): boolean {
  if (!event.type.startsWith("pipeline_run.") && !event.type.startsWith("pipeline_node.")) return false;
  const data = (event.data ?? {}) as Data;
  return data["run_id"] === runId;
}

/** The node an event moves to, or null when it changes nothing. */
function nextNode(nodes: Readonly<Record<string, NodeState>>, event: LiveEvent, seq: number): [string, NodeState] | null {
  const data = (event.data ?? {}) as Data;
  const id = str(data["node_id"]);
  if (id === null) return null;
  const before = nodes[id] ?? pendingNode();
  if (seq <= before.seq) return null;
  // Completed and skipped are for good within a run (a resumed run keeps them): an older event
  // replayed over a newer snapshot must not take the node back.
  if ((before.status === "completed" || before.status === "skipped") && event.type !== "pipeline_node.decided") return null;
  const kind = event.type.slice("pipeline_node.".length);
  let node: NodeState;
  switch (kind) {
    case "started":
    case "retrying":
      node = {
        ...before,
        status: "running",
        attempts: Math.max(before.attempts, num(data["attempt"]) ?? 1),
        error: kind === "retrying" ? (str(data["error"]) ?? before.error) : null,
        errorCode: kind === "retrying" ? (str(data["error_code"]) ?? before.errorCode) : null,
        startedAt: before.startedAt ?? event.ts,
        finishedAt: null,
      };
      break;
    case "completed":
      node = { ...before, status: "completed", output: data["output"] ?? null, error: null, errorCode: null, finishedAt: event.ts, attempts: Math.max(before.attempts, 1) };
      break;
    case "failed":
      node = { ...before, status: "failed", error: str(data["error"]), errorCode: str(data["error_code"]), finishedAt: event.ts };
      break;
    case "skipped":
      node = { ...before, status: "skipped", finishedAt: event.ts };
      break;
    case "cancelled":
      node = { ...before, status: "cancelled", finishedAt: event.ts };
      break;
    case "waiting":
      node = { ...before, status: "waiting", waitUntil: str(data["wait_until"]), startedAt: before.startedAt ?? event.ts };
      break;
    case "decided":
      // The decision is known; the node completes with its own event.
      node = { ...before, decision: data["decision"] ?? null };
      break;
    default:
      // A type this page does not know: nothing to show, but it is the newest word on the node.
      node = before;
  }
  return [id, { ...node, seq }];
}

function applyRun(state: RunState, event: LiveEvent, seq: number): RunState {
  if (seq <= state.seq) return state;
  const data = (event.data ?? {}) as Data;
  const kind = event.type.slice("pipeline_run.".length);
  const final = isFinal(state.status);
  switch (kind) {
    case "started":
    case "resumed":
    case "running":
      if (final) return { ...state, seq };
      return { ...state, status: "running", startedAt: state.startedAt ?? event.ts, seq };
    case "waiting":
      if (final) return { ...state, seq };
      return { ...state, status: "waiting", seq };
    case "cancel_requested":
      return { ...state, cancelRequested: true, seq };
    case "completed":
    case "failed":
    case "cancelled":
    case "timeout": {
      const status = (str(data["status"]) as RunStatus | null) ?? (kind as RunStatus);
      return { ...state, status, error: str(data["error"]), finishedAt: state.finishedAt ?? event.ts, seq };
    }
    default:
      return { ...state, seq };
  }
}

// Ephemeral events have no seq; every pipeline event is durable, but order them last anyway.
const seqOf = (event: LiveEvent): number => event.seq ?? Number.MAX_SAFE_INTEGER;

/** One event applied; the same state when it is not this run's, a duplicate or stale. */
export function reduce(state: RunState, event: LiveEvent): RunState {
  return reduceAll(state, [event]);
}

/**
 * A batch of events (one animation frame's) applied in order. The node map is copied once
 * per batch, and only changed nodes are new objects, so a memoised view re-renders only them.
 */
export function reduceAll(state: RunState, events: readonly LiveEvent[]): RunState {
  let next = state;
  let nodes: Record<string, NodeState> | null = null;
  for (const event of events) {
    if (!concerns(event, state.runId)) continue;
    if (event.type.startsWith("pipeline_node.")) {
      const changed = nextNode(nodes ?? next.nodes, event, seqOf(event));
      if (!changed) continue;
      nodes ??= { ...next.nodes };
      nodes[changed[0]] = changed[1];
    } else {
      next = applyRun(next, event, seqOf(event));
    }
  }
  return nodes ? { ...next, nodes } : next;
}

/** How many nodes are in each status. */
export function countByStatus(state: RunState): Record<NodeStatus, number> {
  const counts = Object.fromEntries(NODE_STATUSES.map((s) => [s, 0])) as Record<NodeStatus, number>;
  for (const node of Object.values(state.nodes)) counts[node.status] += 1;
  return counts;
}

/** The nodes waiting for a decision. */
export function waitingNodes(state: RunState): string[] {
  return Object.entries(state.nodes)
    .filter(([, n]) => n.status === "waiting")
    .map(([id]) => id);
}
