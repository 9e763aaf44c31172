// A run kept live: fetched once, then patched by its own events from the page's one socket,
// at most once per animation frame however many arrive (a 1,000-node run sends thousands).
// A (re)connect fetches it once more to fill whatever the gap held, and so does the run's end.
import { useEffect, useRef, useState } from "react";
import { live, useConnection } from "@/lib/live/socket";
import type { LiveEvent } from "@/lib/live/types";
import { useRunSnapshot } from "./api";
import { concerns, fromRun, isFinal, reduceAll, type RunState } from "./state";

export function useLiveRun(runId: string, nodeIds: readonly string[] | undefined) {
  const snapshot = useRunSnapshot(runId);
  const [state, setState] = useState<RunState | null>(null);
  const queue = useRef<LiveEvent[]>([]);
  const frame = useRef<number | null>(null);
  const ready = useRef(false);

  // Events of this run, queued and applied once per frame.
  useEffect(() => {
    const flush = () => {
      frame.current = null;
      if (!ready.current || queue.current.length === 0) return;
      const batch = queue.current;
      queue.current = [];
      setState((s) => (s ? reduceAll(s, batch) : s));
    };
    const unsubscribe = live.subscribe((event) => {
      if (!concerns(event, runId)) return;
      queue.current.push(event);
      if (ready.current && frame.current === null) frame.current = requestAnimationFrame(flush);
    });
    return () => {
      unsubscribe();
      if (frame.current !== null) cancelAnimationFrame(frame.current);
      frame.current = null;
      queue.current = [];
      ready.current = false;
    };
  }, [runId]);

  // Each snapshot (the first, and one per reconnect) becomes the state, keeping what events
  // moved past it; the events queued meanwhile follow.
  const data = snapshot.data;
  useEffect(() => {
    if (!data || !nodeIds) return;
    const batch = queue.current;
    queue.current = [];
    setState((previous) => reduceAll(fromRun(data.run, data.baseline, nodeIds, previous), batch));
    ready.current = true;
  }, [data, nodeIds]);

  // Connected again (or for the first time, after the fetch began): what happened while the
  // socket was closed never arrives as events, so one fetch fills the gap.
  const refetch = snapshot.refetch;
  useEffect(
    () =>
      useConnection.subscribe((now, before) => {
        if (now.state === "open" && before.state !== "open") void refetch();
      }),
    [refetch],
  );

  // The run has just ended with nodes still unsettled: those that never started are settled
  // (cancelled) without events of their own, so one fetch brings their final records.
  const status = state?.status;
  const unsettled = state ? Object.values(state.nodes).some((n) => n.status === "pending" || n.status === "running" || n.status === "waiting") : false;
  const lastStatus = useRef<RunState["status"] | undefined>(undefined);
  useEffect(() => {
    const before = lastStatus.current;
    lastStatus.current = status;
    if (status !== undefined && before !== undefined && isFinal(status) && !isFinal(before) && unsettled) void refetch();
  }, [status, unsettled, refetch]);

  return { snapshot, state };
}
