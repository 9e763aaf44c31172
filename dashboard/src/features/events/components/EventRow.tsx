// One event in the feed: a line (seq, time, type, actor) that expands to the event's JSON.
import type { FeedRow } from "../feed";

const short = (id: string | null | undefined) => (id ? id.slice(-8) : "system");

function scopeSummary(scope: Record<string, unknown>): string {
  return Object.entries(scope)
    .map(([key, value]) => `${key.replace(/_id$/, "")} …${String(value).slice(-6)}`)
    .join(" · ");
}

export function EventRow({ row, open, onToggle }: { row: FeedRow; open: boolean; onToggle: () => void }) {
  const { event } = row;
  const detailsId = `event-${row.key}`;
  const family = event.type.slice(0, event.type.indexOf("."));
  return (
    <div
      className="border-b border-slate-100 dark:border-slate-800"
      data-testid="event-row"
      data-seq={event.seq ?? undefined}
      data-event-id={event.id}
      data-type={event.type}
    >
      <button
        type="button"
        onClick={onToggle}
        aria-expanded={open}
        aria-controls={open ? detailsId : undefined}
        className="flex w-full items-center gap-3 px-2 py-1.5 text-left text-sm hover:bg-slate-50 focus-visible:bg-slate-100 dark:hover:bg-slate-800/60 dark:focus-visible:bg-slate-800"
      >
        <span aria-hidden className="w-3 text-slate-400">
          {open ? "▾" : "▸"}
        </span>
        <span className="w-20 shrink-0 text-slate-500 tabular-nums">{event.seq === null || event.seq === undefined ? "live" : `#${event.seq}`}</span>
        <span className="w-24 shrink-0 text-slate-500 tabular-nums" title={event.ts}>
          {new Date(event.ts).toLocaleTimeString()}
        </span>
        <span className="min-w-0 flex-1 truncate font-mono">
          <span className="text-indigo-700 dark:text-indigo-300">{family}</span>
          {event.type.slice(family.length)}
        </span>
        <span className="hidden w-56 shrink-0 truncate text-xs text-slate-500 lg:inline">{scopeSummary(event.scope as Record<string, unknown>)}</span>
        <span className="w-20 shrink-0 truncate text-right text-xs text-slate-500" title={event.actor ?? "system"}>
          {event.actor ? `by …${short(event.actor)}` : "system"}
        </span>
      </button>
      {open && (
        <pre id={detailsId} className="mx-2 mb-2 max-h-96 overflow-auto rounded bg-slate-50 p-2 text-xs dark:bg-slate-950" aria-label={`Event ${event.seq ?? event.id} as JSON`}>
          {JSON.stringify({ seq: event.seq ?? null, id: event.id, type: event.type, ts: event.ts, scope: event.scope, actor: event.actor ?? null, data: event.data }, null, 2)}
        </pre>
      )}
    </div>
  );
}
