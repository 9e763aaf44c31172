// The one live connection of the page: the multiplexed `/ws` socket, authenticated with the
// in-memory access token, subscribed to `events` (every event the user may see). It resumes
// with `?since=` after a disconnect, so nothing is missed, and drops what it already delivered,
// so nothing is doubled. Pages listen through `subscribe`; server state is refreshed through
// the query cache (see invalidate.ts).
import { create } from "zustand";
import { getAccessToken, onTokenChange, refresh } from "@/lib/auth/session";
import { backoffDelay, SeqTracker } from "./feed";
import type { ConnectionState, LiveEvent, ServerFrame } from "./types";

export const useConnection = create<{ state: ConnectionState; since: number | null }>(() => ({ state: "idle", since: null }));

type Listener = (event: LiveEvent) => void;

class LiveSocket {
  private socket: WebSocket | null = null;
  private tracker = new SeqTracker();
  private listeners = new Set<Listener>();
  private attempt = 0;
  private timer: ReturnType<typeof setTimeout> | null = null;
  private wanted = false;

  /** Starts (or keeps) the connection; `since` seeds the resume point on first start. */
  start(since: number | null): void {
    if (since !== null && this.tracker.since === null) this.tracker = new SeqTracker(since);
    this.wanted = true;
    if (!this.socket) this.connect();
  }

  stop(): void {
    this.wanted = false;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    const socket = this.socket;
    this.socket = null;
    socket?.close(1000, "signed out");
    this.tracker = new SeqTracker();
    this.set("idle");
  }

  /** Drops the connection as a network would (used by tests and the indicator's retry). */
  reconnectNow(): void {
    this.attempt = 0;
    this.socket?.close(4000, "reconnect");
  }

  subscribe(listener: Listener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private set(state: ConnectionState): void {
    useConnection.setState({ state, since: this.tracker.since });
  }

  private connect(): void {
    const token = getAccessToken();
    if (!token || !this.wanted) return;
    const scheme = location.protocol === "https:" ? "wss:" : "ws:";
    const since = this.tracker.since;
    const url = `${scheme}//${location.host}/ws${since !== null ? `?since=${since}` : ""}`;
    this.set(this.attempt === 0 ? "connecting" : "reconnecting");
    const socket = new WebSocket(url, ["bearer", token]);
    this.socket = socket;
    socket.onopen = () => {
      socket.send(JSON.stringify({ action: "subscribe", topics: ["events"] }));
    };
    socket.onmessage = (message) => {
      let frame: ServerFrame;
      try {
        frame = JSON.parse(String(message.data)) as ServerFrame;
      } catch {
        return;
      }
      this.handle(frame);
    };
    socket.onclose = (close) => {
      if (this.socket !== socket) return;
      this.socket = null;
      if (!this.wanted) return;
      this.set("reconnecting");
      const wait = close.code === 4401 ? refresh().then(() => undefined) : Promise.resolve();
      void wait.then(() => {
        this.timer = setTimeout(() => this.connect(), backoffDelay(this.attempt++));
      });
    };
  }

  private handle(frame: ServerFrame): void {
    switch (frame.type) {
      case "subscribed":
        this.attempt = 0;
        this.set("open");
        break;
      case "event":
        if (!this.tracker.accept(frame.seq ?? frame.event.seq)) return;
        useConnection.setState({ since: this.tracker.since });
        for (const listener of this.listeners) listener(frame.event);
        break;
      case "lagged":
        // Durable events follow from the outbox; nothing to do but note it.
        break;
      default:
        break;
    }
  }
}

export const live = new LiveSocket();

// A new token (a refresh) is used at the next reconnect; sign-out closes the socket.
onTokenChange((token) => {
  if (token === null) live.stop();
});
