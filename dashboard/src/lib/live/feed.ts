// Pure bookkeeping of a resumable feed: the highest seq seen, and whether a frame is new.
// Kept apart from the socket so the no-gap, no-duplicate rule is unit tested.

export class SeqTracker {
  private last: number | null;

  constructor(start: number | null = null) {
    this.last = start;
  }

  /** The seq to resume after (`?since=`), or null when nothing was seen yet. */
  get since(): number | null {
    return this.last;
  }

  /** Whether an event with this seq is new; durable events at or below the last are duplicates. */
  accept(seq: number | null | undefined): boolean {
    if (seq === null || seq === undefined) return true; // ephemeral: never replayed, never doubled
    if (this.last !== null && seq <= this.last) return false;
    this.last = seq;
    return true;
  }
}

/** Reconnect delays: 0.5 s doubling to 10 s, with jitter so many tabs do not return at once. */
export function backoffDelay(attempt: number, random: () => number = Math.random): number {
  const base = Math.min(10_000, 500 * 2 ** Math.max(0, attempt));
  return Math.round(base / 2 + (random() * base) / 2);
}
