// Reading the event history for the events page: a window of the newest rows before the head,
// and older windows on demand. Not a cached query over ["events", ...]: every event invalidates
// those keys, and this page gets new events from the socket instead (see store.ts).
import { useMutation, useQuery } from "@tanstack/react-query";
import { api, unwrap } from "@/lib/api/client";
import { fetchHead } from "@/lib/live/head";
import type { LiveEvent } from "@/lib/live/types";
import { eventFeed, useEventFeed } from "./store";

/** Outbox rows read per window (before the type filter, as `limit` counts). */
export const HISTORY_WINDOW = 2_000;
const PAGE = 500;
const MAX_PAGES = 40;

export const eventKeys = {
  /** One history load per filter generation (never shared, never kept). */
  history: (generation: number, types: string) => ["event-history", generation, types] as const,
};

/** Events after `from` (up to `upTo` when given), paged until the end or `upTo`. */
export async function readRange(from: number, upTo: number | null, types: readonly string[]): Promise<LiveEvent[]> {
  const items: LiveEvent[] = [];
  let since = from;
  for (let page = 0; page < MAX_PAGES; page++) {
    const query = { since, limit: PAGE, ...(types.length > 0 ? { types: types.join(",") } : {}) };
    const body = await unwrap(api.GET("/api/events", { params: { query } }));
    for (const event of body.items) if (upTo === null || (event.seq ?? 0) <= upTo) items.push(event);
    since = body.next_since;
    if (!body.more || (upTo !== null && since >= upTo)) break;
  }
  return items;
}

/** The newest window of history for the filter of `generation`, merged into the feed. */
export function useEventHistory(generation: number, types: readonly string[], enabled: boolean) {
  return useQuery({
    queryKey: eventKeys.history(generation, types.join(",")),
    enabled,
    gcTime: 0,
    staleTime: Infinity,
    refetchOnWindowFocus: false,
    refetchOnReconnect: false,
    retry: 1,
    queryFn: async () => {
      const head = await fetchHead();
      if (head === null) throw new Error("The server could not be reached.");
      const from = Math.max(0, head - HISTORY_WINDOW);
      const items = await readRange(from, null, types);
      eventFeed.addHistory(generation, from, items);
      return { head, from, count: items.length };
    },
  });
}

/** The window before what is loaded. */
export function useLoadOlder(types: readonly string[]) {
  return useMutation({
    mutationFn: async () => {
      const { generation, from } = useEventFeed.getState();
      if (from === null || from === 0) return 0;
      const start = Math.max(0, from - HISTORY_WINDOW);
      const items = await readRange(start, from, types);
      eventFeed.addHistory(generation, start, items);
      return items.length;
    },
  });
}
