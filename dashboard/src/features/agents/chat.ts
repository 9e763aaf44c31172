// One chat turn, streamed: POST /api/agents/{id}/chat with `stream: true`, read as Server-Sent
// Events through authedFetch (the access token, and one refresh on a 401), and folded into the
// state the chat panel shows (the answer so far, the tool steps, how the turn ended).
import type { components } from "@/lib/api/schema";
import { authedFetch } from "@/lib/api/client";
import { ApiError, errorFromResponse } from "@/lib/api/errors";
import { readSse } from "./sse";

export type TurnEvent = components["schemas"]["TurnEvent"];
export type ChatBody = components["schemas"]["ChatBody"];

export type ToolStep = { id: string; name: string; arguments: string; ok?: boolean; result?: string };

export type LiveTurn = {
  message: string;
  status: "sending" | "queued" | "streaming" | "completed" | "error";
  ahead: number;
  conversationId: string | null;
  text: string;
  steps: ToolStep[];
  finish: string | null;
  error: string | null;
};

export function startTurn(message: string, conversationId: string | null): LiveTurn {
  return { message, status: "sending", ahead: 0, conversationId, text: "", steps: [], finish: null, error: null };
}

/** The turn after one more step. Pure. */
export function applyTurnEvent(turn: LiveTurn, event: TurnEvent): LiveTurn {
  switch (event.type) {
    case "queued":
      return { ...turn, status: "queued", ahead: event.ahead };
    case "started":
      return { ...turn, status: "streaming", conversationId: event.conversation_id };
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

/**
 * Sends a message and yields each step as it arrives. A refusal before the turn starts (404,
 * 409, 422, 429) throws an ApiError; closing `signal` cancels the turn on the server.
 */
export async function* chatStream(agentId: string, body: Omit<ChatBody, "stream">, signal?: AbortSignal): AsyncGenerator<TurnEvent> {
  const request = new Request(new URL(`/api/agents/${encodeURIComponent(agentId)}/chat`, location.origin), {
    method: "POST",
    headers: { "content-type": "application/json", accept: "text/event-stream" },
    body: JSON.stringify({ ...body, stream: true }),
    ...(signal ? { signal } : {}),
  });
  const response = await authedFetch(request);
  if (!response.ok) throw await errorFromResponse(response);
  if (!response.body) throw new ApiError(response.status, "bad_response", "the server sent no stream");
  for await (const message of readSse(response.body)) {
    const event = toTurnEvent(message.data);
    if (event) yield event;
  }
}
