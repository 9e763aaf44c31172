// The one live connection of the page: the multiplexed `/ws` socket, authenticated with the
// in-memory access token, subscribed to `events` (every event the user may see). It resumes
// with `?since=` after a disconnect, so nothing is missed, and drops what it already delivered,
// so nothing is doubled. Its first connection starts from the head (the newest seq, from
// GET /api/overview), so even a drop before the first event loses nothing. Pages listen
// through `subscribe`; server state is refreshed through the query cache (see invalidate.ts).
import { create } from "zustand";
import { getAccessToken, onTokenChange, refresh } from "@/lib/auth/session";
import { backoffDelay, SeqTracker } from "./feed";
import { fetchHead } from "./head";
import type { ConnectionState, LiveEvent, ServerFrame } from "./types";

export type Lag = { firstMissed: number | null; missed: number; at: number };

export const useConnection = create<{ state: ConnectionState; since: number | null; lags: number; lastLag: Lag | null }>(() => ({
  state: "idle",
  since: null,
  lags: 0,
  lastLag: null,
}));

type Listener = (event: LiveEvent) => void;

const online = () => typeof navigator === "undefined" || navigator.onLine !== false;

class LiveSocket {
  private socket: WebSocket | null = null;
  private tracker = new SeqTracker();
  private listeners = new Set<Listener>();
  private attempt = 0;
  private timer: ReturnType<typeof setTimeout> | null = null;
  private wanted = false;
  /** Held down on purpose (the browser is offline, or a test cut it): no reconnecting. */
  private held = false;
  /** A connection attempt is under way (reading the head, refreshing the token, connecting). */
  private starting = false;
  /** Bumped by stop(), so work begun for an older session does nothing. */
  private generation = 0;

  /** Starts (or keeps) the connection; `since` seeds the resume point, else the head does. */
  start(since: number | null = null): void {
    if (since !== null && this.tracker.since === null) this.tracker = new SeqTracker(since);
    this.wanted = true;
    if (!this.socket && !this.timer && !this.starting) void this.open();
  }

  stop(): void {
    this.wanted = false;
    this.generation++;
    this.starting = false;
    this.clearTimer();
    const socket = this.socket;
    this.socket = null;
    socket?.close(1000, "signed out");
    this.tracker = new SeqTracker();
    this.attempt = 0;
    useConnection.setState({ state: "idle", since: null, lags: 0, lastLag: null });
  }

  /** Drops the connection and comes back at once with `?since=` (the indicator's retry). */
  reconnectNow(): void {
    this.held = false;
    this.attempt = 0;
    this.clearTimer();
    if (this.socket) this.socket.close(4000, "reconnect");
    else if (this.wanted && !this.starting) void this.open();
  }

  /** Drops the connection and stays down until reconnectNow() (offline; tests cut it). */
  hold(): void {
    this.held = true;
    this.clearTimer();
    const socket = this.socket;
    this.socket = null;
    socket?.close(4000, "held");
    if (this.wanted) this.set("offline");
  }

  subscribe(listener: Listener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** A new access token: the open socket renews its credential with it (no reconnect). */
  renew(token: string): void {
    if (this.socket?.readyState === WebSocket.OPEN) this.socket.send(JSON.stringify({ action: "auth", token }));
  }

  private clearTimer(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }

  private set(state: ConnectionState): void {
    useConnection.setState({ state, since: this.tracker.since });
  }

  private retryLater(): void {
    if (!this.wanted || this.held) return;
    this.set("reconnecting");
    this.clearTimer();
    this.timer = setTimeout(() => {
      this.timer = null;
      void this.open();
    }, backoffDelay(this.attempt++));
  }

  /** Reads the head when there is no resume point yet, then connects. */
  private async open(): Promise<void> {
    if (!this.wanted || this.held || this.socket || this.starting) return;
    if (!online()) {
      this.set("offline");
      return;
    }
    const generation = this.generation;
    this.starting = true;
    this.set(this.attempt === 0 && this.tracker.since === null ? "connecting" : "reconnecting");
    try {
      if (this.tracker.since === null) {
        const head = await fetchHead();
        if (generation !== this.generation) return;
        // No head (the server is unreachable): try again later rather than start from "now".
        if (head === null) {
          this.starting = false;
          this.retryLater();
          return;
        }
        if (this.tracker.since === null) this.tracker = new SeqTracker(head);
      }
    } finally {
      if (generation === this.generation) this.starting = false;
    }
    if (generation !== this.generation) return;
    this.connect();
  }

  private connect(): void {
    const token = getAccessToken();
    if (!token || !this.wanted || this.held || this.socket) return;
    const scheme = location.protocol === "https:" ? "wss:" : "ws:";
    const since = this.tracker.since;
    const url = `${scheme}//${location.host}/ws${since !== null ? `?since=${since}` : ""}`;
    const socket = new WebSocket(url, ["bearer", token]);
    this.socket = socket;
    let ready = false;
    socket.onmessage = (message) => {
      if (this.socket !== socket) return; // a closed socket's last frames: the next one replays them
      let frame: ServerFrame;
      try {
        frame = JSON.parse(String(message.data)) as ServerFrame;
      } catch {
        return;
      }
      if (frame.type === "ready" && !ready) {
        ready = true;
        socket.send(JSON.stringify({ action: "subscribe", topics: ["events"] }));
      }
      this.handle(frame);
    };
    socket.onclose = (close) => {
      if (this.socket !== socket) return;
      this.socket = null;
      if (!this.wanted || this.held) return;
      this.set("reconnecting");
      // 4401: the token was refused or ended; a refused upgrade (an expired token) shows up
      // as 1006 before `ready`. Either way get a fresh token before the next try; a refresh
      // that finds the session gone signs out, which stops this socket.
      const stale = close.code === 4401 || (!ready && this.attempt > 0);
      const generation = this.generation;
      const wait = stale ? refresh().then(() => undefined) : Promise.resolve();
      void wait.then(() => {
        if (generation === this.generation) this.retryLater();
      });
    };
  }

  private handle(frame: ServerFrame): void {
    switch (frame.type) {
      case "subscribed":
        this.attempt = 0;
        this.set("open");
        break;
      case "event": {
        const seq = frame.seq ?? frame.event.seq;
        if (!this.tracker.accept(seq)) return;
        if (seq !== null && seq !== undefined) useConnection.setState({ since: this.tracker.since });
        for (const listener of this.listeners) listener(frame.event);
        break;
      }
      case "lagged":
        // This connection fell behind: the server sends the durable events it skipped next,
        // in order (so the resume point stays right and nothing is refetched here); only
        // ephemeral ones (agent.stream) are gone. Noted for the indicator and the events page.
        useConnection.setState((s) => ({ lags: s.lags + 1, lastLag: { firstMissed: frame.first_missed, missed: frame.missed, at: Date.now() } }));
        break;
      default:
        break;
    }
  }
}

export const live = new LiveSocket();

// A new token renews the open socket's credential (else its next check ends it with 4401);
// sign-out closes it.
onTokenChange((token) => {
  if (token === null) live.stop();
  else live.renew(token);
});

if (typeof window !== "undefined") {
  window.addEventListener("offline", () => live.hold());
  window.addEventListener("online", () => live.reconnectNow());
}

/**
 * For the browser tests only, under one clearly named global: cut the socket (`hold`), bring
 * it back (`reconnectNow`), read the resume point. Nothing here reads or carries a token.
 */
export type LiveTestHook = {
  reconnectNow: () => void;
  hold: () => void;
  since: () => number | null;
  state: () => ConnectionState;
  /** Set by the events page while it is open. */
  injectEvents?: (events: LiveEvent[]) => void;
};

declare global {
  interface Window {
    __gatheringLive?: LiveTestHook;
  }
}

if (typeof window !== "undefined") {
  window.__gatheringLive = {
    reconnectNow: () => live.reconnectNow(),
    hold: () => live.hold(),
    since: () => useConnection.getState().since,
    state: () => useConnection.getState().state,
  };
}
