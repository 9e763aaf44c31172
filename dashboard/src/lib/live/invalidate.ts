// Which cached server state an event makes stale: one table, so every page is live without
// each one listening for itself.
import type { QueryClient } from "@tanstack/react-query";
import type { LiveEvent } from "./types";

const byPrefix: [string, string[][]][] = [
  ["agent.", [["agents"], ["overview"]]],
  ["persona.", [["personas"], ["overview"]]],
  ["conversation.", [["conversations"]]],
  ["pipeline_run.", [["runs"], ["overview"]]],
  ["pipeline_node.", [["runs"]]],
  ["pipeline.", [["pipelines"], ["overview"]]],
  ["schedule.", [["schedules"], ["overview"]]],
  ["notification.", [["notifications"]]],
  ["user.", [["users"], ["overview"]]],
  ["api_key.", [["api-keys"]]],
  ["llm.", [["models"], ["usage"]]],
  ["model.", [["models"]]],
  ["provider.", [["models"]]],
  ["mcp_server.", [["mcp-servers"]]],
];

export function staleKeys(type: string): string[][] {
  // One per step of a chat turn (every token): ephemeral, it changes nothing stored.
  if (type === "agent.stream") return [];
  const keys: string[][] = [["events"]];
  for (const [prefix, list] of byPrefix) if (type.startsWith(prefix)) keys.push(...list);
  return keys;
}

export function invalidateFor(client: QueryClient, event: LiveEvent): void {
  for (const key of staleKeys(event.type)) void client.invalidateQueries({ queryKey: key });
}
