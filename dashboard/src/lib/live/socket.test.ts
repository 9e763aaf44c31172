// The live socket against a scripted server: where it resumes, what it delivers, and when it
// gets a new token. No network: WebSocket, the session and the head are stand-ins.
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { LiveEvent } from "./types";

const session = vi.hoisted(() => ({ token: "t1" as string | null, refresh: vi.fn(async () => true) }));
const head = vi.hoisted(() => ({ value: 100 as number | null, calls: 0 }));

vi.mock("@/lib/auth/session", () => ({
  getAccessToken: () => session.token,
  onTokenChange: () => () => undefined,
  refresh: session.refresh,
}));
vi.mock("./head", () => ({
  fetchHead: async () => {
    head.calls++;
    return head.value;
  },
}));

class FakeSocket {
  static OPEN = 1;
  static all: FakeSocket[] = [];
  readyState = 0;
  sent: unknown[] = [];
  onmessage: ((m: { data: string }) => void) | null = null;
  onclose: ((c: { code: number }) => void) | null = null;
  onopen: (() => void) | null = null;
  constructor(
    public url: string,
    public protocols: string[],
  ) {
    FakeSocket.all.push(this);
  }
  send(text: string) {
    this.sent.push(JSON.parse(text));
  }
  close(code = 1000) {
    this.drop(code);
  }
  /** The server accepts the token and answers the subscribe. */
  accept() {
    this.readyState = 1;
    this.frame({ type: "ready", user_id: "u", role: "admin" });
    this.frame({ type: "subscribed", topics: ["events"] });
  }
  frame(frame: unknown) {
    this.onmessage?.({ data: JSON.stringify(frame) });
  }
  event(seq: number) {
    const event: LiveEvent = { seq, id: `id-${seq}`, type: "persona.created", ts: "", scope: {}, actor: null, data: {} };
    this.frame({ type: "event", seq, event });
  }
  drop(code = 1006) {
    if (this.readyState === 3) return;
    this.readyState = 3;
    this.onclose?.({ code });
  }
}

const since = (socket: FakeSocket | undefined) => new URL(socket?.url ?? "", "http://x").searchParams.get("since");
const last = () => FakeSocket.all[FakeSocket.all.length - 1];

async function fresh() {
  vi.resetModules();
  const module = await import("./socket");
  const seen: number[] = [];
  module.live.subscribe((event) => {
    if (event.seq !== null && event.seq !== undefined) seen.push(event.seq);
  });
  return { ...module, seen };
}

beforeEach(() => {
  vi.useFakeTimers();
  vi.stubGlobal("WebSocket", FakeSocket);
  FakeSocket.all = [];
  session.token = "t1";
  session.refresh.mockClear();
  head.value = 100;
  head.calls = 0;
});

afterEach(() => {
  vi.useRealTimers();
  vi.unstubAllGlobals();
});

describe("the live socket", () => {
  it("starts from the head, so a drop before the first event loses nothing", async () => {
    const { live, useConnection } = await fresh();
    live.start();
    await vi.advanceTimersByTimeAsync(0);
    expect(FakeSocket.all).toHaveLength(1);
    expect(since(last())).toBe("100");
    expect(last()?.protocols).toEqual(["bearer", "t1"]);
    last()?.accept();
    expect(last()?.sent).toEqual([{ action: "subscribe", topics: ["events"] }]);
    expect(useConnection.getState().state).toBe("open");

    last()?.drop();
    expect(useConnection.getState().state).toBe("reconnecting");
    await vi.advanceTimersByTimeAsync(10_000);
    expect(FakeSocket.all).toHaveLength(2);
    expect(since(last())).toBe("100");
    expect(head.calls).toBe(1);
  });

  it("resumes after the last event and delivers a replayed one once", async () => {
    const { live, seen } = await fresh();
    live.start();
    await vi.advanceTimersByTimeAsync(0);
    last()?.accept();
    last()?.event(101);
    last()?.event(102);
    last()?.drop();
    await vi.advanceTimersByTimeAsync(10_000);
    expect(since(last())).toBe("102");
    last()?.accept();
    last()?.event(102);
    last()?.event(103);
    expect(seen).toEqual([101, 102, 103]);
  });

  it("gets a new token after 4401 before it reconnects", async () => {
    const { live } = await fresh();
    live.start();
    await vi.advanceTimersByTimeAsync(0);
    last()?.accept();
    session.refresh.mockImplementationOnce(async () => {
      session.token = "t2";
      return true;
    });
    last()?.drop(4401);
    await vi.advanceTimersByTimeAsync(10_000);
    expect(session.refresh).toHaveBeenCalledTimes(1);
    expect(last()?.protocols).toEqual(["bearer", "t2"]);
  });

  it("renews the credential of the open socket with a new token", async () => {
    const { live } = await fresh();
    live.start();
    await vi.advanceTimersByTimeAsync(0);
    last()?.accept();
    live.renew("t3");
    expect(last()?.sent).toContainEqual({ action: "auth", token: "t3" });
    // The server's answer (a second ready) does not subscribe again.
    last()?.frame({ type: "ready", user_id: "u", role: "admin" });
    expect(last()?.sent.filter((m) => (m as { action: string }).action === "subscribe")).toHaveLength(1);
  });

  it("waits for the head rather than start from now when the server is unreachable", async () => {
    head.value = null;
    const { live, useConnection } = await fresh();
    live.start();
    await vi.advanceTimersByTimeAsync(0);
    expect(FakeSocket.all).toHaveLength(0);
    expect(useConnection.getState().state).toBe("reconnecting");
    head.value = 7;
    await vi.advanceTimersByTimeAsync(10_000);
    expect(since(last())).toBe("7");
  });

  it("stays down while held and comes back with since on reconnectNow", async () => {
    const { live, useConnection, seen } = await fresh();
    live.start();
    await vi.advanceTimersByTimeAsync(0);
    last()?.accept();
    last()?.event(101);
    live.hold();
    expect(useConnection.getState().state).toBe("offline");
    await vi.advanceTimersByTimeAsync(60_000);
    expect(FakeSocket.all).toHaveLength(1);
    live.reconnectNow();
    await vi.advanceTimersByTimeAsync(0);
    expect(FakeSocket.all).toHaveLength(2);
    expect(since(last())).toBe("101");
    last()?.accept();
    last()?.event(102);
    expect(seen).toEqual([101, 102]);
  });

  it("notes a lag and keeps its resume point", async () => {
    const { live, useConnection } = await fresh();
    live.start();
    await vi.advanceTimersByTimeAsync(0);
    last()?.accept();
    last()?.event(101);
    last()?.frame({ type: "lagged", first_missed: 102, missed: 5 });
    last()?.event(102);
    expect(useConnection.getState().lags).toBe(1);
    expect(useConnection.getState().since).toBe(102);
  });

  it("stops on sign-out and forgets where it was", async () => {
    const { live, useConnection } = await fresh();
    live.start();
    await vi.advanceTimersByTimeAsync(0);
    last()?.accept();
    last()?.event(101);
    live.stop();
    await vi.advanceTimersByTimeAsync(60_000);
    expect(FakeSocket.all).toHaveLength(1);
    expect(useConnection.getState()).toMatchObject({ state: "idle", since: null });
  });
});
