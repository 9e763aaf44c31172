// The agents list's search, on the client: the API has no `q` for agents (yet).
import type { Agent } from "./api";

/** Whether every word of `query` is in the agent's name, persona, model, tools or status. */
export function matchesAgent(agent: Agent, query: string): boolean {
  const words = query.toLowerCase().split(/\s+/).filter(Boolean);
  if (words.length === 0) return true;
  const hay = [agent.name, agent.persona_name, agent.model, agent.status, ...agent.tools].join(" ").toLowerCase();
  return words.every((w) => hay.includes(w));
}
