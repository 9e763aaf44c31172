import { describe, expect, it } from "vitest";
import type { LiveEvent } from "@/lib/live/types";
import { applyEvent, applyEvents, concerns, emptyTranscript, tokensOf, withMessages } from "./transcript";
import type { DiscussionMessage } from "./wire";

const D = "d-1";
let n = 0;
const ev = (type: string, data: Record<string, unknown>, seq: number | null = null): LiveEvent => ({
  id: `e-${++n}`,
  seq,
  type,
  ts: "2026-01-01T00:00:00Z",
  scope: { circle_id: "c-1" },
  actor: null,
  data: { circle: "design", circle_id: "c-1", discussion_id: D, ...data },
});
const started = (turn: number, speaker = "ada") => ev("circle.turn_started", { turn, speaker, agent_id: `a-${speaker}`, reason: "round_robin" }, 100 + turn);
const delta = (turn: number, text: string, speaker = "ada") => ev("circle.stream", { turn, speaker, agent_id: `a-${speaker}`, n: 0, step: { type: "delta", text } });
const stored = (seq: number, turn: number | null, content: string, speaker = "ada", extra: Partial<DiscussionMessage> = {}): DiscussionMessage => ({
  id: `m-${seq}`,
  seq,
  kind: turn === null ? "person" : "agent",
  speaker,
  content,
  turn,
  status: "ok",
  mentions: [],
  prompt_tokens: 0,
  completion_tokens: 0,
  cost: 0,
  created_at: "2026-01-01T00:00:00Z",
  ...extra,
});
const messageEvent = (m: DiscussionMessage) =>
  ev("circle.message", { message_id: m.id, seq: m.seq, kind: m.kind, speaker: m.speaker, agent_id: null, user_id: null, turn: m.turn, status: m.status, content: m.content }, 200 + m.seq);

describe("the live transcript", () => {
  it("shows the speaker and the streamed text of the turn in progress, then the stored message in its place", () => {
    let t = applyEvents(emptyTranscript, [started(1), delta(1, "Hel"), delta(1, "lo")]);
    expect(t.speaking).toMatchObject({ turn: 1, speaker: "ada", reason: "round_robin" });
    expect(t.streams[1]?.text).toBe("Hello");
    t = applyEvent(t, messageEvent(stored(2, 1, "Hello.")));
    expect(t.speaking).toBeNull();
    expect(t.streams).toEqual({});
    expect(t.messages.map((m) => m.content)).toEqual(["Hello."]);
  });

  it("keeps each message once and in seq order, whether fetched or received, in any order", () => {
    let t = applyEvent(emptyTranscript, messageEvent(stored(3, 2, "third")));
    t = withMessages(t, [stored(1, null, "prompt"), stored(2, 1, "second"), stored(3, 2, "third")]);
    t = applyEvent(t, messageEvent(stored(2, 1, "second")));
    expect(t.messages.map((m) => m.seq)).toEqual([1, 2, 3]);
  });

  it("a refetch after a reconnect settles a turn whose events were missed", () => {
    let t = applyEvents(emptyTranscript, [started(1), delta(1, "partial")]);
    t = withMessages(t, [stored(1, null, "prompt", "lee"), stored(2, 1, "the whole answer")]);
    expect(t.speaking).toBeNull();
    expect(t.streams).toEqual({});
    // The replayed start of a stored turn does not open it again.
    t = applyEvents(t, [started(1), delta(1, "x")]);
    expect(t.speaking).toBeNull();
    expect(t.streams).toEqual({});
  });

  it("folds tool calls and results into the turn in progress", () => {
    const t = applyEvents(emptyTranscript, [
      started(1),
      ev("circle.stream", { turn: 1, speaker: "ada", step: { type: "tool_call", id: "c1", name: "recall", arguments: "{}" } }),
      ev("circle.stream", { turn: 1, speaker: "ada", step: { type: "tool_result", id: "c1", name: "recall", ok: true, content: "found" } }),
    ]);
    expect(t.streams[1]?.tools).toEqual([{ id: "c1", name: "recall", arguments: "{}", ok: true, result: "found" }]);
  });

  it("a stream without its start (joined mid-turn) still shows who speaks", () => {
    const t = applyEvent(emptyTranscript, delta(4, "mid", "bo"));
    expect(t.speaking).toMatchObject({ turn: 4, speaker: "bo" });
    expect(t.streams[4]?.text).toBe("mid");
  });

  it("ends the turn in progress when the discussion ends or pauses", () => {
    const running = applyEvents(emptyTranscript, [started(1), delta(1, "a")]);
    expect(applyEvent(running, ev("circle.discussion_ended", { status: "stopped", end_reason: "stopped" }, 300))).toMatchObject({ speaking: null, streams: {} });
    expect(applyEvent(running, ev("circle.discussion_changed", { status: "paused" }, 301))).toMatchObject({ speaking: null, streams: {} });
    expect(applyEvent(running, ev("circle.discussion_changed", { status: "running" }, 302))).toBe(running);
  });

  it("ignores other circles and other discussions", () => {
    expect(concerns(delta(1, "x"), "design", D)).toBe(true);
    expect(concerns({ ...delta(1, "x"), data: { circle: "other", discussion_id: D } }, "design", D)).toBe(false);
    expect(concerns({ ...delta(1, "x"), data: { circle: "design", discussion_id: "d-2" } }, "design", D)).toBe(false);
    expect(concerns({ ...delta(1, "x"), type: "agent.stream" }, "design", D)).toBe(false);
  });

  it("counts a message's tokens when the server did", () => {
    expect(tokensOf(stored(1, 1, "x", "ada", { prompt_tokens: 10, completion_tokens: 5 }))).toBe(15);
    expect(tokensOf(stored(1, 1, "x"))).toBeNull();
    expect(tokensOf(stored(1, null, "x", "lee", { prompt_tokens: 0, completion_tokens: 0 }))).toBeNull();
  });
});
