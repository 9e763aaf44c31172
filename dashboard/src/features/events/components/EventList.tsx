// The feed, virtualised: only the rows in view are in the page, so 20,000 stay smooth. When
// events arrive above while the user reads further down, the rows they read stay in place.
import { useLayoutEffect, useRef, useState } from "react";
import { useVirtualizer } from "@tanstack/react-virtual";
import type { FeedRow } from "../feed";
import { EventRow } from "./EventRow";

export function EventList({ rows }: { rows: FeedRow[] }) {
  const scrollRef = useRef<HTMLDivElement>(null);
  const [open, setOpen] = useState<ReadonlySet<string>>(() => new Set());
  // The virtualizer is mutable by design; this component is not memoised by the compiler.
  // eslint-disable-next-line react-hooks/incompatible-library
  const virtualizer = useVirtualizer({
    count: rows.length,
    getScrollElement: () => scrollRef.current,
    estimateSize: () => 33,
    overscan: 15,
    getItemKey: (index) => rows[index]?.key ?? index,
  });

  // Keep the row at the top of the view where it was when new rows come in above it (unless
  // the user is at the very top, where new rows should show).
  const rowsRef = useRef(rows);
  const anchor = useRef<{ key: string; offset: number } | null>(null);
  const remember = () => {
    const element = scrollRef.current;
    if (!element) return;
    const top = element.scrollTop;
    const item = virtualizer.getVirtualItemForOffset(top);
    const row = item ? rowsRef.current[item.index] : undefined;
    anchor.current = item && row ? { key: row.key, offset: item.start - top } : null;
  };
  useLayoutEffect(() => {
    rowsRef.current = rows;
    const element = scrollRef.current;
    const previous = anchor.current;
    if (element && previous && element.scrollTop > 0) {
      const index = rows.findIndex((row) => row.key === previous.key);
      const start = index > 0 ? virtualizer.getOffsetForIndex(index, "start")?.[0] : undefined;
      if (start !== undefined) element.scrollTop = start - previous.offset;
    }
    remember();
    // eslint-disable-next-line react-hooks/exhaustive-deps -- runs when the rows change
  }, [rows]);
  const items = virtualizer.getVirtualItems();

  const toggle = (key: string) =>
    setOpen((current) => {
      const next = new Set(current);
      if (next.has(key)) next.delete(key);
      else next.add(key);
      return next;
    });

  return (
    <div ref={scrollRef} className="h-[calc(100vh-300px)] min-h-64 overflow-auto rounded-md border border-slate-200 dark:border-slate-800" data-testid="event-list" tabIndex={-1} onScroll={remember}>
      <div className="relative w-full" style={{ height: virtualizer.getTotalSize() }}>
        {items.map((item) => {
          const row = rows[item.index];
          if (!row) return null;
          return (
            <div key={item.key} data-index={item.index} ref={virtualizer.measureElement} className="absolute top-0 left-0 w-full" style={{ transform: `translateY(${item.start}px)` }}>
              <EventRow row={row} open={open.has(row.key)} onToggle={() => toggle(row.key)} />
            </div>
          );
        })}
      </div>
    </div>
  );
}
