import { describe, expect, it } from "vitest";
import type { LiveEvent } from "@/lib/live/types";
import { countByStatus, fromRun, reduce, reduceAll, waitingNodes, type Run } from "./state";

const RUN = "run-1";

function run(over: Partial<Run> = {}): Run {
  return {
    id: RUN,
    pipeline_id: "p-1",
    version: 1,
    status: "running",
    trigger: "manual",
    trigger_data: {},
    claims: 1,
    cancel_requested: false,
    item_index: 0,
    created_at: "2026-01-01T00:00:00Z",
    started_at: "2026-01-01T00:00:01Z",
    nodes: [],
    ...over,
  } as Run;
}

let nextId = 0;
function ev(seq: number | null, type: string, data: Record<string, unknown>): LiveEvent {
  nextId += 1;
  return { seq, id: `e${nextId}`, type, ts: `2026-01-01T00:00:${String(seq ?? 59).padStart(2, "0")}Z`, scope: {}, actor: null, data: { run_id: RUN, pipeline_id: "p-1", ...data } } as unknown as LiveEvent;
}

const node = (seq: number, kind: string, id: string, extra: Record<string, unknown> = {}) => ev(seq, `pipeline_node.${kind}`, { node_id: id, node_type: "transform", ...extra });

describe("a run's live state", () => {
  it("starts every node of the document pending and takes the fetched records", () => {
    const s = fromRun(run({ nodes: [{ node_id: "a", node_type: "trigger", status: "completed", attempts: 1, idempotency_key: "k", output: { x: 1 } as never }] }), 10, ["a", "b"]);
    expect(s.nodes["a"]?.status).toBe("completed");
    expect(s.nodes["b"]?.status).toBe("pending");
    expect(countByStatus(s)).toMatchObject({ completed: 1, pending: 1 });
  });

  it("moves a node through its events and keeps its output and error", () => {
    let s = fromRun(run(), 0, ["a", "b"]);
    s = reduceAll(s, [node(1, "started", "a", { attempt: 1 }), node(2, "completed", "a", { output: { n: 2 } })]);
    expect(s.nodes["a"]).toMatchObject({ status: "completed", attempts: 1, output: { n: 2 } });
    s = reduceAll(s, [node(3, "started", "b"), node(4, "retrying", "b", { attempt: 2, error: "503", error_code: "http_status" }), node(5, "failed", "b", { error: "gave up", error_code: "http_status" })]);
    expect(s.nodes["b"]).toMatchObject({ status: "failed", attempts: 2, error: "gave up", errorCode: "http_status" });
  });

  it("ignores duplicates and events older than what it already applied", () => {
    let s = fromRun(run(), 0, ["a"]);
    s = reduce(s, node(7, "completed", "a", { output: 1 }));
    const after = s;
    s = reduce(s, node(7, "completed", "a", { output: 1 })); // the same event again
    expect(s).toBe(after);
    s = reduce(s, node(5, "started", "a")); // overtaken: arrives after the completion
    expect(s).toBe(after);
    expect(s.nodes["a"]?.status).toBe("completed");
  });

  it("never takes a completed or skipped node back when older events replay over a newer snapshot", () => {
    const s = fromRun(run({ nodes: [{ node_id: "a", node_type: "transform", status: "completed", attempts: 1, idempotency_key: "k" }, { node_id: "b", node_type: "transform", status: "skipped", attempts: 0, idempotency_key: "k" }] }), 10, ["a", "b"]);
    expect(reduceAll(s, [node(11, "started", "a"), node(12, "started", "b")])).toBe(s);
  });

  it("lets a failed node run again when its run is resumed", () => {
    let s = fromRun(run(), 0, ["a"]);
    s = reduceAll(s, [node(1, "failed", "a", { error: "lost", error_code: "timeout" }), ev(2, "pipeline_run.resumed", { claims: 2 }), node(3, "started", "a", { attempt: 1 })]);
    expect(s.nodes["a"]).toMatchObject({ status: "running", error: null });
  });

  it("ignores events up to the snapshot's seq: the snapshot already holds them", () => {
    const s = fromRun(run({ nodes: [{ node_id: "a", node_type: "trigger", status: "completed", attempts: 1, idempotency_key: "k" }] }), 20, ["a"]);
    expect(reduce(s, node(19, "started", "a"))).toBe(s);
  });

  it("ignores events of another run, and other events", () => {
    const s = fromRun(run(), 0, ["a"]);
    const other = { ...node(3, "completed", "a"), data: { run_id: "run-2", node_id: "a", node_type: "transform" } } as unknown as LiveEvent;
    expect(reduce(s, other)).toBe(s);
    expect(reduce(s, ev(4, "agent.created", { node_id: "a" }))).toBe(s);
  });

  it("shows a waiting approval and its decision until it completes", () => {
    let s = fromRun(run(), 0, ["ok"]);
    s = reduceAll(s, [node(1, "started", "ok"), node(2, "waiting", "ok", { wait_until: "2026-01-02T00:00:00Z" }), ev(3, "pipeline_run.waiting", {})]);
    expect(s.status).toBe("waiting");
    expect(waitingNodes(s)).toEqual(["ok"]);
    s = reduceAll(s, [node(4, "decided", "ok", { decision: { approved: true } }), ev(5, "pipeline_run.running", {}), node(6, "completed", "ok", { output: {} })]);
    expect(s.nodes["ok"]).toMatchObject({ status: "completed", decision: { approved: true } });
    expect(s.status).toBe("running");
  });

  it("takes the run's final status and error, and no later non-final status", () => {
    let s = fromRun(run(), 0, ["a"]);
    s = reduce(s, ev(9, "pipeline_run.failed", { status: "failed", error: "node a failed" }));
    expect(s).toMatchObject({ status: "failed", error: "node a failed", finishedAt: "2026-01-01T00:00:09Z" });
    s = reduce(s, ev(10, "pipeline_run.running", {}));
    expect(s.status).toBe("failed");
    s = reduce(s, ev(8, "pipeline_run.completed", { status: "completed", error: null }));
    expect(s.status).toBe("failed");
  });

  it("takes a timeout and a cancellation as final", () => {
    const s = fromRun(run(), 0, []);
    expect(reduce(s, ev(2, "pipeline_run.timeout", { status: "timeout", error: "ran past 1 s" })).status).toBe("timeout");
    const asked = reduce(s, ev(2, "pipeline_run.cancel_requested", { status: "cancelled" }));
    expect(asked).toMatchObject({ status: "running", cancelRequested: true });
    expect(reduce(asked, ev(3, "pipeline_run.cancelled", { status: "cancelled", error: null })).status).toBe("cancelled");
  });

  it("keeps on a re-fetch what events moved past the new snapshot", () => {
    let s = fromRun(run(), 0, ["a", "b"]);
    s = reduceAll(s, [node(11, "completed", "a", { output: 1 })]);
    // The re-fetch started when the feed was at 10: it may not hold seq 11 yet.
    const again = fromRun(run({ nodes: [{ node_id: "a", node_type: "transform", status: "running", attempts: 1, idempotency_key: "k" }, { node_id: "b", node_type: "transform", status: "completed", attempts: 1, idempotency_key: "k" }] }), 10, ["a", "b"], s);
    expect(again.nodes["a"]?.status).toBe("completed"); // the event is newer
    expect(again.nodes["b"]?.status).toBe("completed"); // the gap the re-fetch filled
  });

  it("takes from a re-fetch what has ended for good, even past newer events", () => {
    let s = fromRun(run({ status: "waiting" }), 0, ["a"]);
    s = reduceAll(s, [node(11, "started", "a")]);
    const again = fromRun(run({ status: "completed", nodes: [{ node_id: "a", node_type: "transform", status: "completed", attempts: 1, idempotency_key: "k" }] }), 10, ["a"], s);
    expect(again.nodes["a"]).toMatchObject({ status: "completed", seq: 11 });
    expect(again.status).toBe("completed");
    expect(reduce(again, node(12, "completed", "a"))).toBe(again); // its own event, late: nothing to do
  });

  it("copies only the nodes that changed, so unchanged ones keep their identity", () => {
    const s = fromRun(run(), 0, ["a", "b"]);
    const next = reduceAll(s, [node(1, "started", "a")]);
    expect(next.nodes["b"]).toBe(s.nodes["b"]);
    expect(next.nodes["a"]).not.toBe(s.nodes["a"]);
  });
});
