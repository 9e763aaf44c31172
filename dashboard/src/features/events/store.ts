// The events page's state: the merged feed, the type filter it holds, and pause. Live events
// are batched to one merge per frame, so a burst (a replay after a reconnect) renders once.
import { create } from "zustand";
import type { LiveEvent } from "@/lib/live/types";
import { emptyFeed, FEED_CAP, mergeEvents, type Feed } from "./feed";
import { matchesTypes, type TypePattern } from "./patterns";

type EventFeedState = {
  feed: Feed;
  /** The filter the feed holds; live events outside it are not kept. */
  patterns: TypePattern[];
  paused: boolean;
  /** Live events that arrived while paused, shown on resume. */
  held: LiveEvent[];
  /** Bumped by each reset: history read for an older filter is not merged. */
  generation: number;
  /** The seq the loaded history starts after (0: from the oldest kept), null before it loads. */
  from: number | null;
};

export const useEventFeed = create<EventFeedState>(() => ({ feed: emptyFeed(), patterns: [], paused: false, held: [], generation: 0, from: null }));

let queue: LiveEvent[] = [];
let scheduled = false;

function flush(): void {
  scheduled = false;
  const batch = queue;
  queue = [];
  if (batch.length > 0) useEventFeed.setState((s) => ({ feed: mergeEvents(s.feed, batch) }));
}

function schedule(): void {
  if (scheduled) return;
  scheduled = true;
  if (typeof requestAnimationFrame === "function" && document.visibilityState === "visible") requestAnimationFrame(flush);
  else setTimeout(flush, 0);
}

export const eventFeed = {
  /** Empties the feed for a new filter (history is then loaded again for it). */
  reset(patterns: TypePattern[]): number {
    queue = [];
    const generation = useEventFeed.getState().generation + 1;
    useEventFeed.setState({ feed: emptyFeed(), patterns, held: [], paused: false, generation, from: null });
    return generation;
  },

  /** History read after `from` for the filter of `generation` (overlaps with live are dropped). */
  addHistory(generation: number, from: number, items: readonly LiveEvent[]): boolean {
    if (useEventFeed.getState().generation !== generation) return false;
    useEventFeed.setState((s) => ({ feed: mergeEvents(s.feed, items), from: s.from === null ? from : Math.min(s.from, from) }));
    return true;
  },

  /** A live event from the socket: kept if it matches the filter; held while paused. */
  receive(event: LiveEvent): void {
    const state = useEventFeed.getState();
    if (!matchesTypes(state.patterns, event.type)) return;
    if (state.paused) {
      const held = state.held.length >= FEED_CAP ? state.held.slice(1) : state.held.slice();
      held.push(event);
      useEventFeed.setState({ held });
      return;
    }
    queue.push(event);
    schedule();
  },

  pause(): void {
    useEventFeed.setState({ paused: true });
  },

  resume(): void {
    useEventFeed.setState((s) => ({ paused: false, held: [], feed: mergeEvents(s.feed, s.held) }));
  },

  /** Test hook: many events at once, straight into the feed (not through the server). */
  inject(events: readonly LiveEvent[]): void {
    useEventFeed.setState((s) => ({ feed: mergeEvents(s.feed, events) }));
  },
};
