// Circles, their members, discussions and tasks: one query-key factory under ["circles"] (so
// every `circle.*` event makes them stale, src/lib/live/invalidate.ts) and the hooks. Circles
// and members use the generated types; discussions and tasks use wire.ts until the server's
// OpenAPI document has them, through `call` (the same authenticated fetch as the typed client).
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import type { components } from "@/lib/api/schema";
import { api, authedFetch, unwrap } from "@/lib/api/client";
import { errorFromResponse } from "@/lib/api/errors";
import { allPages } from "@/lib/api/pages";
import {
  itemsOf,
  type CircleTask,
  type Conflict,
  type Discussion,
  type DiscussionMessage,
  type ListAnswer,
  type NewDiscussion,
  type NewTask,
} from "./wire";

export type Circle = components["schemas"]["Circle"];
export type CircleDetail = components["schemas"]["CircleDetail"];
export type CircleSettings = components["schemas"]["CircleSettings"];
export type AgentMember = components["schemas"]["AgentMember"];
export type PersonMember = components["schemas"]["PersonMember"];
export type AgentRole = components["schemas"]["AgentRole"];
export type PersonRole = components["schemas"]["PersonRole"];
export type AgentMembership = components["schemas"]["AgentMembership"];
export type PersonMembership = components["schemas"]["PersonMembership"];
export type Agent = components["schemas"]["Agent"];
export type User = components["schemas"]["UserView"];

export const agentRoles: AgentRole[] = ["lead", "member", "specialist", "reviewer", "observer"];
export const personRoles: PersonRole[] = ["owner", "participant", "observer"];

export const circleKeys = {
  all: ["circles"] as const,
  list: (archived: boolean) => ["circles", "list", archived] as const,
  one: (name: string) => ["circles", "one", name] as const,
  discussions: (name: string) => ["circles", "discussions", name] as const,
  discussion: (name: string, id: string) => ["circles", "discussion", name, id] as const,
  messages: (name: string, id: string) => ["circles", "messages", name, id] as const,
  tasks: (name: string) => ["circles", "tasks", name] as const,
  task: (name: string, id: string) => ["circles", "task", name, id] as const,
  conflicts: (name: string) => ["circles", "conflicts", name] as const,
};

const circlePath = (name: string) => `/api/circles/${encodeURIComponent(name)}`;

/** A call to a path the generated types do not have yet; errors in the server's shape. */
export async function call<T>(method: string, path: string, body?: unknown): Promise<T> {
  const init: RequestInit = { method };
  if (body !== undefined) {
    init.headers = { "content-type": "application/json" };
    init.body = JSON.stringify(body);
  }
  const response = await authedFetch(new Request(new URL(path, globalThis.location?.origin ?? "http://localhost"), init));
  if (!response.ok) throw await errorFromResponse(response);
  if (response.status === 204) return undefined as T;
  const text = await response.text();
  return (text ? JSON.parse(text) : undefined) as T;
}

// ---- circles -------------------------------------------------------------------------------

export function useCircles(archived: boolean) {
  return useQuery({
    queryKey: circleKeys.list(archived),
    queryFn: () => allPages((cursor) => unwrap(api.GET("/api/circles", { params: { query: { archived, limit: 200, ...(cursor ? { cursor } : {}) } } }))),
  });
}

export function useCircle(name: string) {
  return useQuery({
    queryKey: circleKeys.one(name),
    queryFn: () => unwrap(api.GET("/api/circles/{name}", { params: { path: { name } } })),
  });
}

export function useCreateCircle() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (body: { name: string; purpose?: string }) => unwrap(api.POST("/api/circles", { body })),
    onSuccess: () => client.invalidateQueries({ queryKey: circleKeys.all }),
  });
}

export function useUpdateCircle(name: string) {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (body: { purpose?: string; settings?: CircleSettings }) => unwrap(api.PATCH("/api/circles/{name}", { params: { path: { name } }, body })),
    onSuccess: () => client.invalidateQueries({ queryKey: circleKeys.all }),
  });
}

export function useArchiveCircle(name: string) {
  const client = useQueryClient();
  return useMutation({
    mutationFn: () => unwrap(api.DELETE("/api/circles/{name}", { params: { path: { name } } })),
    onSuccess: () => client.invalidateQueries({ queryKey: circleKeys.all }),
  });
}

export function usePutAgent(name: string) {
  const client = useQueryClient();
  return useMutation({
    mutationFn: ({ agent, body }: { agent: string; body: AgentMembership }) => unwrap(api.PUT("/api/circles/{name}/agents/{agent}", { params: { path: { name, agent } }, body })),
    onSuccess: () => client.invalidateQueries({ queryKey: circleKeys.one(name) }),
  });
}

export function useRemoveAgent(name: string) {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (agent: string) => unwrap(api.DELETE("/api/circles/{name}/agents/{agent}", { params: { path: { name, agent } } })),
    onSuccess: () => client.invalidateQueries({ queryKey: circleKeys.one(name) }),
  });
}

export function usePutPerson(name: string) {
  const client = useQueryClient();
  return useMutation({
    mutationFn: ({ userId, body }: { userId: string; body: PersonMembership }) => unwrap(api.PUT("/api/circles/{name}/people/{user_id}", { params: { path: { name, user_id: userId } }, body })),
    onSuccess: () => client.invalidateQueries({ queryKey: circleKeys.one(name) }),
  });
}

export function useRemovePerson(name: string) {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (userId: string) => unwrap(api.DELETE("/api/circles/{name}/people/{user_id}", { params: { path: { name, user_id: userId } } })),
    onSuccess: () => client.invalidateQueries({ queryKey: circleKeys.all }),
  });
}

/** The agents the caller may add: every agent for an admin, else their own. */
export function useAddableAgents(me: string | undefined, isAdmin: boolean, enabled: boolean) {
  return useQuery({
    queryKey: ["agents", "list", ""] as const,
    enabled,
    queryFn: () => allPages((cursor) => unwrap(api.GET("/api/agents", { params: { query: { limit: 200, ...(cursor ? { cursor } : {}) } } }))),
    select: (agents: Agent[]) => agents.filter((a) => isAdmin || a.owner_id === me),
  });
}

/** The users an admin may add (others paste an id). */
export function useUsers(enabled: boolean) {
  return useQuery({
    queryKey: ["users", "list", "circles"] as const,
    enabled,
    queryFn: () => allPages((cursor) => unwrap(api.GET("/api/users", { params: { query: { limit: 200, ...(cursor ? { cursor } : {}) } } }))),
  });
}

// ---- discussions (wire.ts) -----------------------------------------------------------------

export function useDiscussions(name: string) {
  return useQuery({
    queryKey: circleKeys.discussions(name),
    queryFn: async () => itemsOf(await call<ListAnswer<Discussion>>("GET", `${circlePath(name)}/discussions?limit=200`)),
    select: (items: Discussion[]) => [...items].sort((a, b) => (b.created_at ?? "").localeCompare(a.created_at ?? "")),
  });
}

export function useDiscussion(name: string, id: string) {
  return useQuery({
    queryKey: circleKeys.discussion(name, id),
    queryFn: () => call<Discussion>("GET", `${circlePath(name)}/discussions/${id}`),
  });
}

/** Every stored message, read after the last seq page by page. */
export async function fetchMessages(name: string, id: string, after = 0): Promise<DiscussionMessage[]> {
  const all: DiscussionMessage[] = [];
  let cursor = after;
  for (let i = 0; i < 50; i++) {
    const page = itemsOf(await call<ListAnswer<DiscussionMessage>>("GET", `${circlePath(name)}/discussions/${id}/messages?after=${cursor}&limit=200`));
    all.push(...page);
    if (page.length < 200) break;
    cursor = page[page.length - 1]?.seq ?? cursor;
  }
  return all;
}

export function useDiscussionMessages(name: string, id: string) {
  return useQuery({ queryKey: circleKeys.messages(name, id), queryFn: () => fetchMessages(name, id) });
}

export function useStartDiscussion(name: string) {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (body: NewDiscussion) => call<Discussion>("POST", `${circlePath(name)}/discussions`, body),
    onSuccess: () => client.invalidateQueries({ queryKey: circleKeys.discussions(name) }),
  });
}

export type DiscussionAction =
  | { action: "pause" | "resume" | "stop" }
  | { action: "speaker"; agent: string }
  | { action: "continue"; turns?: number; prompt?: string }
  | { action: "messages"; content: string };

export function useDiscussionAction(name: string, id: string) {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (a: DiscussionAction) => {
      const path = `${circlePath(name)}/discussions/${id}/${a.action}`;
      switch (a.action) {
        case "speaker":
          return call<unknown>("POST", path, { agent: a.agent });
        case "continue":
          return call<unknown>("POST", path, { ...(a.turns ? { turns: a.turns } : {}), ...(a.prompt ? { prompt: a.prompt } : {}) });
        case "messages":
          return call<unknown>("POST", path, { content: a.content });
        default:
          return call<unknown>("POST", path);
      }
    },
    onSuccess: () => client.invalidateQueries({ queryKey: circleKeys.discussion(name, id) }),
  });
}

// ---- tasks (wire.ts) -----------------------------------------------------------------------

export function useTasks(name: string) {
  return useQuery({
    queryKey: circleKeys.tasks(name),
    queryFn: async () => itemsOf(await call<ListAnswer<CircleTask>>("GET", `${circlePath(name)}/tasks?limit=200`)),
  });
}

export function useTask(name: string, id: string | null) {
  return useQuery({
    queryKey: circleKeys.task(name, id ?? "none"),
    enabled: id !== null,
    queryFn: () => call<CircleTask>("GET", `${circlePath(name)}/tasks/${id ?? ""}`),
  });
}

export function useConflicts(name: string) {
  return useQuery({
    queryKey: circleKeys.conflicts(name),
    queryFn: async () => itemsOf(await call<ListAnswer<Conflict>>("GET", `${circlePath(name)}/conflicts`)),
  });
}

export function useCreateTask(name: string) {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (body: NewTask) => call<CircleTask>("POST", `${circlePath(name)}/tasks`, body),
    onSuccess: () => client.invalidateQueries({ queryKey: circleKeys.tasks(name) }),
  });
}

export type TaskAction =
  | { action: "route" }
  | { action: "accept"; agent?: string }
  | { action: "refuse"; agent?: string; reason: string }
  | { action: "review"; verdict: "approve" | "changes" | "reject"; note: string };

export function useTaskAction(name: string, id: string) {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (a: TaskAction) => {
      const { action, ...body } = a;
      return call<unknown>("POST", `${circlePath(name)}/tasks/${id}/${action}`, body);
    },
    onSuccess: () => client.invalidateQueries({ queryKey: ["circles"] }),
  });
}
