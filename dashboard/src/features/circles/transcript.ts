// A discussion as the live view shows it: the stored messages (by seq, each once), the turn in
// progress (speaker, text so far, tool steps) and who speaks now, folded from the stored
// messages and the circle's events by pure functions.
import type { LiveEvent } from "@/lib/live/types";
import type { DiscussionMessage, MessageKind } from "./wire";

const kinds: readonly MessageKind[] = ["prompt", "agent", "person", "system", "summary"];
const statuses: readonly DiscussionMessage["status"][] = ["ok", "timed_out", "failed"];

export type ToolStep = { id: string; name: string; arguments: string; ok?: boolean; result?: string };

export type Speaking = { turn: number; speaker: string; agentId: string | null; reason: string | null };

export type InProgress = { turn: number; speaker: string; agentId: string | null; text: string; tools: ToolStep[]; recalled: number };

export type LiveTranscript = {
  /** Stored messages, ascending by seq, each seq once. */
  messages: DiscussionMessage[];
  /** Who speaks now (from `circle.turn_started`), until their message is stored or the discussion stops. */
  speaking: Speaking | null;
  /** Turns streaming, by turn number (normally one). */
  streams: Record<number, InProgress>;
};

export const emptyTranscript: LiveTranscript = { messages: [], speaking: null, streams: {} };

const str = (v: unknown): string | null => (typeof v === "string" ? v : null);
const num = (v: unknown): number | null => (typeof v === "number" && Number.isFinite(v) ? v : null);

/** Whether an event belongs to this discussion of this circle. */
export function concerns(event: LiveEvent, circle: string, discussionId: string): boolean {
  if (!event.type.startsWith("circle.")) return false;
  const data = event.data;
  if (str(data["circle"]) !== null && data["circle"] !== circle) return false;
  return data["discussion_id"] === discussionId;
}

/** Adds stored messages, keeping seq order and one message per seq; settles their turns. */
export function withMessages(state: LiveTranscript, incoming: DiscussionMessage[]): LiveTranscript {
  if (incoming.length === 0) return state;
  const bySeq = new Map<number, DiscussionMessage>();
  for (const m of state.messages) bySeq.set(m.seq, m);
  for (const m of incoming) bySeq.set(m.seq, { ...bySeq.get(m.seq), ...m });
  const messages = [...bySeq.values()].sort((a, b) => a.seq - b.seq);
  let streams = state.streams;
  let speaking = state.speaking;
  for (const m of incoming) {
    if (m.turn === null || m.turn === undefined) continue;
    if (streams[m.turn]) {
      streams = { ...streams };
      delete streams[m.turn];
    }
    if (speaking && speaking.turn === m.turn) speaking = null;
  }
  return { messages, streams, speaking };
}

const oneOf = <T extends string>(allowed: readonly T[], v: unknown, fallback: T): T => (allowed.find((a) => a === v) ?? fallback);

/** A stored message as its `circle.message` event tells it (the fetch of the messages fills the rest). */
function messageFromEvent(data: Record<string, unknown>, ts: string): DiscussionMessage | null {
  const seq = num(data["seq"]);
  const content = str(data["content"]);
  if (seq === null || content === null) return null;
  return {
    id: str(data["message_id"]) ?? `seq-${seq}`,
    seq,
    kind: oneOf(kinds, data["kind"], "agent"),
    speaker: str(data["speaker"]) ?? "",
    agent_id: str(data["agent_id"]),
    user_id: str(data["user_id"]),
    turn: num(data["turn"]),
    status: oneOf(statuses, data["status"], "ok"),
    content,
    created_at: ts,
    mentions: Array.isArray(data["mentions"]) ? data["mentions"].filter((m): m is string => typeof m === "string") : [],
    prompt_tokens: num(data["prompt_tokens"]) ?? 0,
    completion_tokens: num(data["completion_tokens"]) ?? 0,
    cost: num(data["cost"]) ?? 0,
  };
}

function streamFor(state: LiveTranscript, turn: number, data: Record<string, unknown>): InProgress {
  return state.streams[turn] ?? { turn, speaker: str(data["speaker"]) ?? "", agentId: str(data["agent_id"]), text: "", tools: [], recalled: 0 };
}

/** The transcript after one event of its discussion. Pure. */
export function applyEvent(state: LiveTranscript, event: LiveEvent): LiveTranscript {
  const data = event.data;
  switch (event.type) {
    case "circle.turn_started": {
      const turn = num(data["turn"]);
      if (turn === null) return state;
      // A turn already stored (a replay after a reconnect) is not started again.
      if (state.messages.some((m) => m.turn === turn)) return state;
      const speaking = { turn, speaker: str(data["speaker"]) ?? "", agentId: str(data["agent_id"]), reason: str(data["reason"]) };
      return { ...state, speaking, streams: { ...state.streams, [turn]: streamFor(state, turn, data) } };
    }
    case "circle.stream": {
      const turn = num(data["turn"]);
      const step = data["step"] as { type?: unknown; [k: string]: unknown } | undefined;
      if (turn === null || !step || typeof step.type !== "string") return state;
      if (state.messages.some((m) => m.turn === turn)) return state;
      const current = streamFor(state, turn, data);
      let next: InProgress;
      switch (step.type) {
        case "delta":
          next = { ...current, text: current.text + (str(step["text"]) ?? "") };
          break;
        case "tool_call":
          next = { ...current, tools: [...current.tools, { id: str(step["id"]) ?? String(current.tools.length), name: str(step["name"]) ?? "tool", arguments: str(step["arguments"]) ?? "" }] };
          break;
        case "tool_result": {
          const id = str(step["id"]) ?? "";
          const ok = step["ok"] === true;
          const result = str(step["content"]) ?? "";
          const known = current.tools.some((t) => t.id === id);
          const tools = known
            ? current.tools.map((t) => (t.id === id ? { ...t, ok, result } : t))
            : [...current.tools, { id, name: str(step["name"]) ?? "tool", arguments: "", ok, result }];
          next = { ...current, tools };
          break;
        }
        case "recalled":
          next = { ...current, recalled: Array.isArray(step["memories"]) ? step["memories"].length : current.recalled };
          break;
        default:
          return state;
      }
      const speaking = state.speaking ?? { turn, speaker: next.speaker, agentId: next.agentId, reason: null };
      return { ...state, speaking, streams: { ...state.streams, [turn]: next } };
    }
    case "circle.message": {
      const message = messageFromEvent(data, event.ts);
      return message ? withMessages(state, [message]) : state;
    }
    case "circle.discussion_ended":
      return { ...state, speaking: null, streams: {} };
    case "circle.discussion_changed": {
      const status = str(data["status"]);
      return status === "paused" || status === "waiting" || status === "stopped" ? { ...state, speaking: null, streams: {} } : state;
    }
    default:
      return state;
  }
}

export function applyEvents(state: LiveTranscript, events: LiveEvent[]): LiveTranscript {
  return events.reduce(applyEvent, state);
}

/** Tokens of a stored message, when it used any (prompts and people's messages use none). */
export function tokensOf(m: DiscussionMessage): number | null {
  const total = m.prompt_tokens + m.completion_tokens;
  return total > 0 ? total : null;
}

/** A discussion is finished when it is completed, stopped or failed. */
export function isFinished(status: string | undefined): boolean {
  return status === "completed" || status === "stopped" || status === "failed";
}
