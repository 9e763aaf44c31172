// A chat turn as the chat panel shows it (the answer so far, the tool steps, how it ended),
// folded from the turn's steps by a pure function.
import type { components } from "@/lib/api/schema";

export type TurnEvent = components["schemas"]["TurnEvent"];
export type ChatBody = components["schemas"]["ChatBody"];
/** A memory a turn's prompt was given, with its search score. */
export type RecalledMemory = components["schemas"]["RecalledMemory"];

export type ToolStep = { id: string; name: string; arguments: string; ok?: boolean; result?: string };

export type LiveTurn = {
  message: string;
  status: "sending" | "queued" | "streaming" | "completed" | "error";
  ahead: number;
  conversationId: string | null;
  text: string;
  steps: ToolStep[];
  /** The memories the prompt was given (the `recalled` step), most relevant first. */
  recalled: RecalledMemory[];
  /** The stored id of the user's message (from `started`): the turn's recalls are recorded on it. */
  questionId: string | null;
  finish: string | null;
  error: string | null;
};

export function startTurn(message: string, conversationId: string | null): LiveTurn {
  return { message, status: "sending", ahead: 0, conversationId, text: "", steps: [], recalled: [], questionId: null, finish: null, error: null };
}

/** The turn after one more step. Pure. */
export function applyTurnEvent(turn: LiveTurn, event: TurnEvent): LiveTurn {
  switch (event.type) {
    case "queued":
      return { ...turn, status: "queued", ahead: event.ahead };
    case "started":
      return { ...turn, status: "streaming", conversationId: event.conversation_id, questionId: event.message_id };
    case "recalled":
      return { ...turn, recalled: event.memories };
    case "delta":
      return { ...turn, status: "streaming", text: turn.text + event.text };
    case "tool_call":
      return { ...turn, steps: [...turn.steps, { id: event.id, name: event.name, arguments: event.arguments }] };
    case "tool_result": {
      const known = turn.steps.some((s) => s.id === event.id);
      const steps = known
        ? turn.steps.map((s) => (s.id === event.id ? { ...s, ok: event.ok, result: event.content } : s))
        : [...turn.steps, { id: event.id, name: event.name, arguments: "", ok: event.ok, result: event.content }];
      return { ...turn, steps };
    }
    case "completed":
      // The stored answer is the whole text (deltas may have been cut by a reconnect or a filter).
      return { ...turn, status: "completed", conversationId: event.conversation_id, text: event.content, finish: event.finish };
    case "error":
      return { ...turn, status: "error", error: `${event.message} (${event.code})` };
    default:
      return turn;
  }
}

/** Parses one SSE message's data as a step; null when it is not one. */
export function toTurnEvent(data: string): TurnEvent | null {
  try {
    const value = JSON.parse(data) as { type?: unknown };
    return value && typeof value === "object" && typeof value.type === "string" ? (value as TurnEvent) : null;
  } catch {
    return null;
  }
}

