// Which cached server state an event makes stale: one table, so every page is live without
// each one listening for itself. Invalidations are gathered for a moment and sent together, so
// a burst of events (a replay after a reconnect, a busy run) refetches each query once.
import type { QueryClient } from "@tanstack/react-query";
import type { LiveEvent } from "./types";

// Type names are in docs/events.md; a prefix ends with its dot, so `pipeline.` is not
// `pipeline_run.`.
const byPrefix: [string, string[][]][] = [
  ["agent.", [["agents"]]],
  ["persona.", [["personas"]]],
  ["conversation.", [["conversations"]]],
  ["tool.", [["conversations"]]],
  ["pipeline_run.", [["runs"]]],
  ["pipeline_node.", [["runs"]]],
  ["pipeline_breaker.", [["runs"], ["pipelines"]]],
  ["pipeline.", [["pipelines"]]],
  ["schedule.", [["schedules"]]],
  ["notification.", [["notifications"]]],
  ["user.", [["users"]]],
  ["api_key.", [["api-keys"]]],
  ["llm_provider.", [["models"]]],
  ["llm_model.", [["models"]]],
  ["mcp_server.", [["mcp-servers"]]],
  ["memory.", [["memories"]]],
  ["knowledge.", [["knowledge"]]],
  // Circles, their members, discussions, messages and tasks (circle.stream is ephemeral: the
  // discussion page folds it in itself).
  ["circle.", [["circles"]]],
];

/**
 * The query keys an event makes stale. Every durable event moves the head, so the overview
 * (its counts, runs and `latest_event_seq`) and the event lists are stale; an ephemeral one
 * (`agent.stream`, many per chat turn) changes no stored state: pages that show it listen
 * with `live.subscribe` instead.
 */
export function staleKeys(type: string, durable = true): string[][] {
  if (!durable) return [];
  const keys: string[][] = [["events"], ["overview"]];
  for (const [prefix, list] of byPrefix) if (type.startsWith(prefix)) keys.push(...list);
  return keys;
}

/** An invalidator for one query client: keys from many events, refetched once per burst. */
export function createInvalidator(client: QueryClient, delayMs = 50): (event: LiveEvent) => void {
  const pending = new Map<string, string[]>();
  let timer: ReturnType<typeof setTimeout> | null = null;
  const flush = () => {
    timer = null;
    const keys = [...pending.values()];
    pending.clear();
    for (const key of keys) void client.invalidateQueries({ queryKey: key });
  };
  return (event) => {
    for (const key of staleKeys(event.type, event.seq !== null && event.seq !== undefined)) pending.set(JSON.stringify(key), key);
    if (pending.size > 0 && timer === null) timer = setTimeout(flush, delayMs);
  };
}

/** Invalidates at once (kept for callers that handle one event). */
export function invalidateFor(client: QueryClient, event: LiveEvent): void {
  for (const key of staleKeys(event.type, event.seq !== null && event.seq !== undefined)) void client.invalidateQueries({ queryKey: key });
}
