// The events page's rows: history (paged from GET /api/events) and live events (from the one
// socket) merged newest first, each event once, at most `cap` rows. Pure, so the merge rules
// are unit tested: a durable event is known by its seq, an ephemeral one (no seq) by its id.
import type { LiveEvent } from "@/lib/live/types";

export type FeedRow = {
  /** `s<seq>` for a durable event, `e<id>` for an ephemeral one. */
  key: string;
  /** The row's place: the seq, or for an ephemeral event the seq it arrived after plus a half. */
  sort: number;
  /** Arrival order, to order ephemeral events that arrived after the same seq. */
  order: number;
  event: LiveEvent;
};

export type Feed = {
  /** Newest first. */
  rows: FeedRow[];
  /** The keys of `rows` (shared between successive feeds; only the newest feed is used). */
  keys: Set<string>;
  /** The highest seq in the feed, or null. */
  top: number | null;
  /** The lowest seq in the feed, or null. */
  bottom: number | null;
  arrivals: number;
};

export const FEED_CAP = 20_000;

export function emptyFeed(): Feed {
  return { rows: [], keys: new Set(), top: null, bottom: null, arrivals: 0 };
}

export function rowKey(event: LiveEvent): string {
  return event.seq === null || event.seq === undefined ? `e${event.id}` : `s${event.seq}`;
}

const newestFirst = (a: FeedRow, b: FeedRow) => b.sort - a.sort || b.order - a.order;

/**
 * The feed with `incoming` (any order, any mix of history and live) added: events already in
 * it are skipped, the rows stay newest first, and beyond `cap` the oldest rows are dropped.
 * Returns the same feed when nothing was new.
 */
export function mergeEvents(feed: Feed, incoming: readonly LiveEvent[], cap: number = FEED_CAP): Feed {
  const keys = feed.keys;
  let top = feed.top;
  let arrivals = feed.arrivals;
  const fresh: FeedRow[] = [];
  // An ephemeral event's place is just above the newest seq known when it arrived.
  for (const event of incoming) {
    const key = rowKey(event);
    if (keys.has(key)) continue;
    keys.add(key);
    const seq = event.seq ?? null;
    const row: FeedRow = { key, sort: seq ?? (top ?? 0) + 0.5, order: arrivals++, event };
    if (seq !== null && (top === null || seq > top)) top = seq;
    fresh.push(row);
  }
  if (fresh.length === 0) return feed;
  fresh.sort(newestFirst);
  const first = feed.rows[0];
  const last = fresh[fresh.length - 1];
  // Live events (all newer than the feed) go on top without re-sorting the rest.
  let rows = !first || (last && newestFirst(last, first) < 0) ? [...fresh, ...feed.rows] : [...fresh, ...feed.rows].sort(newestFirst);
  if (rows.length > cap) {
    for (const dropped of rows.slice(cap)) keys.delete(dropped.key);
    rows = rows.slice(0, cap);
  }
  let bottom: number | null = null;
  for (let i = rows.length - 1; i >= 0; i--) {
    const seq = rows[i]?.event.seq;
    if (seq !== null && seq !== undefined) {
      bottom = seq;
      break;
    }
  }
  return { rows, keys, top, bottom, arrivals };
}
