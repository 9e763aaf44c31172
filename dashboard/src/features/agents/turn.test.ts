import { describe, expect, it } from "vitest";
import { applyTurnEvent, startTurn, toTurnEvent, type TurnEvent } from "./turn";

describe("applyTurnEvent", () => {
  it("grows the answer with each delta and ends with the stored content", () => {
    const events: TurnEvent[] = [
      { type: "queued", ahead: 1 },
      { type: "started", conversation_id: "c1", message_id: "m1" },
      { type: "delta", text: "Hel" },
      { type: "delta", text: "lo" },
    ];
    const seen: string[] = [];
    let turn = startTurn("hi", null);
    for (const e of events) {
      turn = applyTurnEvent(turn, e);
      seen.push(turn.status + ":" + turn.text);
    }
    expect(seen).toEqual(["queued:", "streaming:", "streaming:Hel", "streaming:Hello"]);
    expect(turn.conversationId).toBe("c1");
    turn = applyTurnEvent(turn, { type: "completed", conversation_id: "c1", message_id: "m2", content: "Hello!", finish: "stop", model: "m", usage: {}, tool_rounds: 0, latency_ms: 5 });
    expect(turn).toMatchObject({ status: "completed", text: "Hello!", finish: "stop" });
  });

  it("keeps the memories the prompt was given and the id of the message they were recalled for", () => {
    let turn = startTurn("what is the code word?", null);
    turn = applyTurnEvent(turn, { type: "started", conversation_id: "c1", message_id: "u1" });
    turn = applyTurnEvent(turn, { type: "recalled", memories: [{ id: "m1", score: 0.032 }, { id: "m2", score: 0.016 }] });
    turn = applyTurnEvent(turn, { type: "delta", text: "PELICAN" });
    expect(turn.recalled.map((m) => m.id)).toEqual(["m1", "m2"]);
    turn = applyTurnEvent(turn, { type: "completed", conversation_id: "c1", message_id: "a1", content: "PELICAN", finish: "stop", model: "m", usage: {}, tool_rounds: 0, latency_ms: 5 });
    expect(turn).toMatchObject({ status: "completed", questionId: "u1", recalled: [{ id: "m1", score: 0.032 }, { id: "m2", score: 0.016 }] });
  });

  it("records each tool call with its result as a step", () => {
    let turn = startTurn("6*7?", "c1");
    turn = applyTurnEvent(turn, { type: "tool_call", id: "t1", name: "calculator", arguments: '{"expression":"6*7"}' });
    turn = applyTurnEvent(turn, { type: "tool_result", id: "t1", name: "calculator", ok: true, content: "42" });
    turn = applyTurnEvent(turn, { type: "tool_result", id: "t2", name: "http", ok: false, content: "refused" });
    expect(turn.steps).toEqual([
      { id: "t1", name: "calculator", arguments: '{"expression":"6*7"}', ok: true, result: "42" },
      { id: "t2", name: "http", arguments: "", ok: false, result: "refused" },
    ]);
  });

  it("ends in error with the server's message and code", () => {
    const turn = applyTurnEvent(startTurn("x", null), { type: "error", code: "model_unavailable", message: "no model" });
    expect(turn).toMatchObject({ status: "error", error: "no model (model_unavailable)" });
  });
});

describe("toTurnEvent", () => {
  it("reads a step and refuses what is not one", () => {
    expect(toTurnEvent('{"type":"delta","text":"a"}')).toEqual({ type: "delta", text: "a" });
    expect(toTurnEvent("not json")).toBeNull();
    expect(toTurnEvent("[1]")).toBeNull();
    expect(toTurnEvent("null")).toBeNull();
  });
});
