// Frames of the WebSocket protocol (docs/events.md).
import type { components } from "@/lib/api/schema";

export type LiveEvent = components["schemas"]["EventView"];

export type ServerFrame =
  | { type: "ready"; user_id: string; role: string }
  | { type: "subscribed"; topics: string[] }
  | { type: "unsubscribed"; topics: string[] }
  | { type: "event"; seq: number | null; event: LiveEvent }
  | { type: "lagged"; first_missed: number | null; missed: number }
  | { type: "error"; code: string; message: string }
  | { type: "pong" };

export type ConnectionState = "idle" | "connecting" | "open" | "reconnecting" | "offline";
