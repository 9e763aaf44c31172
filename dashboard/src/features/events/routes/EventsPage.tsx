// Every event the user may see, newest first: the recent history (GET /api/events, a window
// before the head), then live events from the page's one socket as they happen. Filter by
// type patterns (the server's rules), pause the feed, open an event to read its JSON.
import { useEffect, useMemo, useState } from "react";
import { Badge, Button, Card } from "@/components/ui";
import { Empty, ErrorState, Loading, PageHeader } from "@/components/states";
import { notifyError } from "@/components/notices";
import { live, useConnection } from "@/lib/live/socket";
import type { LiveEvent } from "@/lib/live/types";
import { FEED_CAP } from "../feed";
import { parseTypes } from "../patterns";
import { eventFeed, useEventFeed } from "../store";
import { useEventHistory, useLoadOlder } from "../api";
import { EventList } from "../components/EventList";
import { TypeFilter } from "../components/TypeFilter";

export default function EventsPage() {
  const [applied, setApplied] = useState<string[]>([]);
  const typesKey = applied.join(",");
  const patterns = useMemo(() => parseTypes(typesKey).patterns, [typesKey]);
  const [listening, setListening] = useState<number | null>(null);

  // Listen first, then read the history: whatever happens in between is in one or the other
  // (or both, and the feed keeps it once).
  useEffect(() => {
    const generation = eventFeed.reset(patterns);
    const off = live.subscribe((event) => eventFeed.receive(event));
    setListening(generation);
    return () => {
      off();
    };
  }, [patterns]);

  useEffect(() => {
    const hook = window.__gatheringLive;
    if (!hook) return;
    hook.injectEvents = (events: LiveEvent[]) => eventFeed.inject(events);
    return () => {
      delete hook.injectEvents;
    };
  }, []);

  const generation = useEventFeed((s) => s.generation);
  const history = useEventHistory(generation, applied, listening === generation);
  const older = useLoadOlder(applied);
  const feed = useEventFeed((s) => s.feed);
  const from = useEventFeed((s) => s.from);
  const paused = useEventFeed((s) => s.paused);
  const held = useEventFeed((s) => s.held.length);
  const connection = useConnection((s) => s.state);
  const lastLag = useConnection((s) => s.lastLag);

  const pauseButton = paused ? (
    <Button variant="primary" onClick={() => eventFeed.resume()}>
      Resume live feed{held > 0 ? ` (${held} new)` : ""}
    </Button>
  ) : (
    <Button onClick={() => eventFeed.pause()}>Pause live feed</Button>
  );

  return (
    <>
      <PageHeader title="Events" description="Everything that happens on this server that you may see, newest first, live." actions={pauseButton} />
      <Card className="mb-4">
        <TypeFilter applied={applied} onApply={setApplied} />
      </Card>
      <div className="mb-2 flex flex-wrap items-center gap-3 text-sm text-slate-600 dark:text-slate-400" aria-live="polite">
        <span data-testid="event-count">
          {feed.rows.length.toLocaleString()} event{feed.rows.length === 1 ? "" : "s"}
          {feed.rows.length >= FEED_CAP ? ` (the newest ${FEED_CAP.toLocaleString()} are kept)` : ""}
        </span>
        {paused ? <Badge tone="waiting">paused</Badge> : connection === "open" ? <Badge tone="completed">live</Badge> : <Badge tone="pending">{connection}</Badge>}
        {lastLag && (
          <span title="The connection fell behind; the events it missed were sent again in order.">
            Caught up after falling behind ({lastLag.missed} events late{lastLag.firstMissed !== null ? `, from #${lastLag.firstMissed}` : ""})
          </span>
        )}
      </div>
      {history.isPending && feed.rows.length === 0 ? (
        <Loading what="Loading recent events" />
      ) : history.error ? (
        <ErrorState error={history.error} retry={() => void history.refetch()} />
      ) : feed.rows.length === 0 ? (
        <Empty>{applied.length > 0 ? "No recent events of these types. New ones appear here as they happen." : "No events yet. They appear here as they happen."}</Empty>
      ) : (
        <EventList rows={feed.rows} />
      )}
      {from !== null && from > 0 && feed.rows.length < FEED_CAP && (
        <div className="mt-2 flex items-center gap-2 text-sm text-slate-500">
          <span>Showing events after #{from}.</span>
          <Button onClick={() => older.mutate(undefined, { onError: notifyError })} disabled={older.isPending}>
            {older.isPending ? "Loading…" : "Load older events"}
          </Button>
        </div>
      )}
    </>
  );
}
