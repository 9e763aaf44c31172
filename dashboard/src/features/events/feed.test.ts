import { describe, expect, it } from "vitest";
import type { LiveEvent } from "@/lib/live/types";
import { emptyFeed, mergeEvents } from "./feed";

const durable = (seq: number, type = "user.created"): LiveEvent => ({ seq, id: `id-${seq}`, type, ts: "2026-01-01T00:00:00Z", scope: {}, actor: null, data: {} });
const ephemeral = (id: string): LiveEvent => ({ seq: null, id, type: "agent.stream", ts: "2026-01-01T00:00:00Z", scope: {}, actor: null, data: {} });
const seqs = (feed: ReturnType<typeof emptyFeed>) => feed.rows.map((r) => r.event.seq ?? r.event.id);
const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => durable(from + i));

describe("the event feed", () => {
  it("merges history with live events that overlap it, each once, newest first", () => {
    // Live events came while the history was read; the history includes some of them.
    let feed = mergeEvents(emptyFeed(), [durable(11), durable(12)]);
    feed = mergeEvents(feed, range(5, 12));
    feed = mergeEvents(feed, [durable(12), durable(13)]); // a replayed one and a new one
    expect(seqs(feed)).toEqual([13, 12, 11, 10, 9, 8, 7, 6, 5]);
    expect(feed.top).toBe(13);
    expect(feed.bottom).toBe(5);
  });

  it("adds an older window below what is there", () => {
    let feed = mergeEvents(emptyFeed(), range(20, 22));
    feed = mergeEvents(feed, range(18, 20).reverse());
    expect(seqs(feed)).toEqual([22, 21, 20, 19, 18]);
  });

  it("keeps an ephemeral event once, above the seq it came after", () => {
    let feed = mergeEvents(emptyFeed(), [durable(1), ephemeral("a"), ephemeral("a"), ephemeral("b"), durable(2)]);
    feed = mergeEvents(feed, [ephemeral("b"), durable(1)]);
    expect(seqs(feed)).toEqual([2, "b", "a", 1]);
  });

  it("returns the same feed when nothing is new", () => {
    const feed = mergeEvents(emptyFeed(), range(1, 3));
    expect(mergeEvents(feed, [durable(2), durable(3)])).toBe(feed);
  });

  it("keeps the newest rows up to the cap and forgets the dropped ones", () => {
    let feed = mergeEvents(emptyFeed(), range(1, 10), 5);
    expect(seqs(feed)).toEqual([10, 9, 8, 7, 6]);
    expect(feed.keys.size).toBe(5);
    feed = mergeEvents(feed, [durable(11)], 5);
    expect(seqs(feed)).toEqual([11, 10, 9, 8, 7]);
    // An old event read again (a window loaded later) is below the cap: it does not come back.
    feed = mergeEvents(feed, [durable(3)], 5);
    expect(seqs(feed)).toEqual([11, 10, 9, 8, 7]);
    expect(feed.keys.size).toBe(5);
  });

  it("holds 20,000 rows from 30,000 events in one go", () => {
    const feed = mergeEvents(emptyFeed(), range(1, 30_000));
    expect(feed.rows.length).toBe(20_000);
    expect(feed.top).toBe(30_000);
    expect(feed.bottom).toBe(10_001);
  });
});
