// Agents, their conversations, and what an agent is made of (models, tools): query keys named
// as src/lib/live/invalidate.ts expects (["agents"], ["conversations"], ["models"]), and hooks.
import { keepPreviousData, useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import type { components } from "@/lib/api/schema";
import { api, unwrap } from "@/lib/api/client";
import { allPages } from "@/lib/api/pages";

export type Agent = components["schemas"]["Agent"];
export type NewAgent = components["schemas"]["NewAgent"];
export type AgentPatch = components["schemas"]["AgentPatch"];
export type Model = components["schemas"]["Model"];
export type Tool = components["schemas"]["ToolView"];
export type Conversation = components["schemas"]["Conversation"];
export type StoredMessage = components["schemas"]["StoredMessage"];

export const agentKeys = {
  all: ["agents"] as const,
  list: (q = "") => ["agents", "list", q] as const,
  one: (id: string) => ["agents", "one", id] as const,
};

export const conversationKeys = {
  all: ["conversations"] as const,
  forAgent: (agentId: string) => ["conversations", "agent", agentId] as const,
  messages: (id: string) => ["conversations", "messages", id] as const,
};

export const catalogKeys = {
  models: ["models", "list"] as const,
  tools: ["tools"] as const,
};

/** Every agent, or those the server's `?q=` search keeps (name, persona name or display name). */
export function useAgents(q = "") {
  const query = q.trim();
  return useQuery({
    queryKey: agentKeys.list(query),
    placeholderData: keepPreviousData,
    queryFn: () => allPages((cursor) => unwrap(api.GET("/api/agents", { params: { query: { limit: 200, ...(query ? { q: query } : {}), ...(cursor ? { cursor } : {}) } } }))),
  });
}

export function useAgent(id: string) {
  return useQuery({
    queryKey: agentKeys.one(id),
    queryFn: () => unwrap(api.GET("/api/agents/{id}", { params: { path: { id } } })),
  });
}

export function useChatModels() {
  return useQuery({
    queryKey: catalogKeys.models,
    queryFn: () => unwrap(api.GET("/api/llm/models")),
    select: (models: Model[]) => models.filter((m) => m.kind === "chat"),
  });
}

export function useTools() {
  return useQuery({ queryKey: catalogKeys.tools, queryFn: () => unwrap(api.GET("/api/tools")) });
}

export function useCreateAgent() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (body: NewAgent) => unwrap(api.POST("/api/agents", { body })),
    onSuccess: () => client.invalidateQueries({ queryKey: agentKeys.all }),
  });
}

export function useUpdateAgent(id: string) {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (body: AgentPatch) => unwrap(api.PATCH("/api/agents/{id}", { params: { path: { id } }, body })),
    onSuccess: (agent) => {
      client.setQueryData(agentKeys.one(id), agent);
      return client.invalidateQueries({ queryKey: agentKeys.all });
    },
  });
}

export function useDeleteAgent() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (id: string) => unwrap(api.DELETE("/api/agents/{id}", { params: { path: { id } } })),
    onSuccess: () => client.invalidateQueries({ queryKey: agentKeys.all }),
  });
}

export function useConversations(agentId: string) {
  return useQuery({
    queryKey: conversationKeys.forAgent(agentId),
    queryFn: () => allPages((cursor) => unwrap(api.GET("/api/conversations", { params: { query: { agent_id: agentId, limit: 200, ...(cursor ? { cursor } : {}) } } }))),
    // Newest first.
    select: (items: Conversation[]) => [...items].sort((a, b) => b.updated_at.localeCompare(a.updated_at)),
  });
}

export function useMessages(conversationId: string | null) {
  return useQuery({
    queryKey: conversationKeys.messages(conversationId ?? "none"),
    enabled: conversationId !== null,
    queryFn: () =>
      allPages((cursor) =>
        unwrap(api.GET("/api/conversations/{id}/messages", { params: { path: { id: conversationId ?? "" }, query: { limit: 200, ...(cursor ? { cursor } : {}) } } })),
      ),
  });
}
