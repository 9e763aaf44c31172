// A discussion kept live: its stored messages, fetched, then the circle's events from the page's
// one socket folded in (at most once per animation frame: a turn streams many deltas). A
// (re)connect fetches the messages and the discussion again, so nothing said while the socket
// was closed is missed.
import { useEffect, useRef, useState } from "react";
import { useQueryClient } from "@tanstack/react-query";
import { live, useConnection } from "@/lib/live/socket";
import type { LiveEvent } from "@/lib/live/types";
import { circleKeys, useDiscussionMessages } from "./api";
import { applyEvents, concerns, emptyTranscript, withMessages, type LiveTranscript } from "./transcript";

export function useLiveDiscussion(circle: string, id: string) {
  const messages = useDiscussionMessages(circle, id);
  const client = useQueryClient();
  const [state, setState] = useState<LiveTranscript>(emptyTranscript);
  const queue = useRef<LiveEvent[]>([]);
  const frame = useRef<number | null>(null);

  useEffect(() => {
    setState(emptyTranscript);
    const flush = () => {
      frame.current = null;
      const batch = queue.current;
      queue.current = [];
      if (batch.length) setState((s) => applyEvents(s, batch));
    };
    const unsubscribe = live.subscribe((event) => {
      if (!concerns(event, circle, id)) return;
      queue.current.push(event);
      if (frame.current === null) frame.current = requestAnimationFrame(flush);
    });
    return () => {
      unsubscribe();
      if (frame.current !== null) cancelAnimationFrame(frame.current);
      frame.current = null;
      queue.current = [];
    };
  }, [circle, id]);

  // Each fetch of the stored messages is merged in (each seq once).
  const data = messages.data;
  useEffect(() => {
    if (data) setState((s) => withMessages(s, data));
  }, [data]);

  // Connected again: what was said meanwhile is fetched.
  useEffect(
    () =>
      useConnection.subscribe((now, before) => {
        if (now.state === "open" && before.state !== "open") {
          void client.invalidateQueries({ queryKey: circleKeys.messages(circle, id) });
          void client.invalidateQueries({ queryKey: circleKeys.discussion(circle, id) });
        }
      }),
    [client, circle, id],
  );

  return { messages, state };
}
