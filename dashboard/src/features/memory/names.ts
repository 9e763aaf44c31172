// Names for the ids a memory carries (its agent or conversation scope, its provenance), and the
// choices of the create form: the agents and conversations the signed-in user may pick. Read once
// per page under the keys their own events invalidate (["agents"], ["conversations"]).
import { useQuery } from "@tanstack/react-query";
import { api, unwrap } from "@/lib/api/client";
import { allPages } from "@/lib/api/pages";
import type { components } from "@/lib/api/schema";
import { useAgents, type Agent } from "@/features/agents/api";

export type Conversation = components["schemas"]["Conversation"];

/** Your conversations (admins: everyone's), newest first. */
export function useConversationList() {
  return useQuery({
    queryKey: ["conversations", "all"] as const,
    queryFn: () => allPages((cursor) => unwrap(api.GET("/api/conversations", { params: { query: { limit: 200, ...(cursor ? { cursor } : {}) } } }))),
    select: (items: Conversation[]) => [...items].sort((a, b) => b.updated_at.localeCompare(a.updated_at)),
  });
}

export type Directory = {
  agents: Map<string, Agent>;
  conversations: Map<string, Conversation>;
};

/** Agents and conversations by id (empty while loading or when refused: ids then show short). */
export function useDirectory(): Directory {
  const agents = useAgents();
  const conversations = useConversationList();
  return {
    agents: new Map((agents.data ?? []).map((a) => [a.id, a])),
    conversations: new Map((conversations.data ?? []).map((c) => [c.id, c])),
  };
}

export const conversationTitle = (c: Conversation): string => c.title.trim() || `Conversation of ${new Date(c.created_at).toLocaleString()}`;
