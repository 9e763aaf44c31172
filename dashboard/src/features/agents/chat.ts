// One chat turn, streamed: POST /api/agents/{id}/chat with `stream: true`, read as Server-Sent
// Events through authedFetch (the access token, and one refresh on a 401).
import { authedFetch } from "@/lib/api/client";
import { ApiError, errorFromResponse } from "@/lib/api/errors";
import { readSse } from "./sse";
import { toTurnEvent, type ChatBody, type TurnEvent } from "./turn";

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
