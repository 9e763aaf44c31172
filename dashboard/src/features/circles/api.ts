// Circles, their members, discussions and tasks: one query-key factory under ["circles"] (so
// every `circle.*` event makes them stale, src/lib/live/invalidate.ts) and the hooks, all over the
// typed client (the shapes are the generated ones, aliased in wire.ts).
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import type { components } from "@/lib/api/schema";
import { api, unwrap } from "@/lib/api/client";
import { allPages } from "@/lib/api/pages";
import type { CircleTask, Discussion, DiscussionMessage, NewDiscussion, NewTask, TaskReview } from "./wire";

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

// ---- discussions ---------------------------------------------------------------------------

export function useDiscussions(name: string) {
  return useQuery({
    queryKey: circleKeys.discussions(name),
    queryFn: () =>
      allPages((cursor) =>
        unwrap(api.GET("/api/circles/{name}/discussions", { params: { path: { name }, query: { limit: 200, ...(cursor ? { cursor } : {}) } } })),
      ),
    select: (items: Discussion[]) => [...items].sort((a, b) => b.created_at.localeCompare(a.created_at)),
  });
}

export function useDiscussion(name: string, id: string) {
  return useQuery({
    queryKey: circleKeys.discussion(name, id),
    queryFn: () => unwrap(api.GET("/api/circles/{name}/discussions/{id}", { params: { path: { name, id } } })),
  });
}

/** Every stored message after a seq, page by page (`next_after` is the seq to ask after next). */
export async function fetchMessages(name: string, id: string, after = 0): Promise<DiscussionMessage[]> {
  const all: DiscussionMessage[] = [];
  let cursor = after;
  for (let i = 0; i < 50; i++) {
    const page = await unwrap(
      api.GET("/api/circles/{name}/discussions/{id}/messages", { params: { path: { name, id }, query: { after: cursor, limit: 200 } } }),
    );
    all.push(...page.items);
    if (page.items.length < 200 || page.next_after <= cursor) break;
    cursor = page.next_after;
  }
  return all;
}

export function useDiscussionMessages(name: string, id: string) {
  return useQuery({ queryKey: circleKeys.messages(name, id), queryFn: () => fetchMessages(name, id) });
}

export function useStartDiscussion(name: string) {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (body: NewDiscussion) => unwrap(api.POST("/api/circles/{name}/discussions", { params: { path: { name } }, body })),
    onSuccess: () => client.invalidateQueries({ queryKey: circleKeys.discussions(name) }),
  });
}

export type DiscussionAction =
  | { action: "pause" | "resume" | "stop" }
  | { action: "speaker"; agent: string }
  | { action: "continue"; turns?: number; prompt?: string }
  | { action: "messages"; content: string };

/** What an action answers: the discussion as it now is, or the message posted. */
export type DiscussionActionResult = { discussion: Discussion } | { message: DiscussionMessage };

export function useDiscussionAction(name: string, id: string) {
  const client = useQueryClient();
  return useMutation({
    mutationFn: async (a: DiscussionAction): Promise<DiscussionActionResult> => {
      const params = { path: { name, id } };
      switch (a.action) {
        case "speaker":
          return { discussion: await unwrap(api.POST("/api/circles/{name}/discussions/{id}/speaker", { params, body: { agent: a.agent } })) };
        case "continue":
          return {
            discussion: await unwrap(
              api.POST("/api/circles/{name}/discussions/{id}/continue", {
                params,
                body: { ...(a.turns ? { turns: a.turns } : {}), ...(a.prompt ? { prompt: a.prompt } : {}) },
              }),
            ),
          };
        case "messages":
          return { message: await unwrap(api.POST("/api/circles/{name}/discussions/{id}/messages", { params, body: { content: a.content } })) };
        case "pause":
          return { discussion: await unwrap(api.POST("/api/circles/{name}/discussions/{id}/pause", { params })) };
        case "resume":
          return { discussion: await unwrap(api.POST("/api/circles/{name}/discussions/{id}/resume", { params })) };
        case "stop":
          return { discussion: await unwrap(api.POST("/api/circles/{name}/discussions/{id}/stop", { params })) };
      }
    },
    // The answer is the discussion as the server now has it: shown at once; the refetch (and the
    // circle's events) bring what the runner does next.
    onSuccess: (result) => {
      if ("discussion" in result) client.setQueryData(circleKeys.discussion(name, id), result.discussion);
      return client.invalidateQueries({ queryKey: circleKeys.discussion(name, id) });
    },
  });
}

// ---- tasks ---------------------------------------------------------------------------------

export function useTasks(name: string) {
  return useQuery({
    queryKey: circleKeys.tasks(name),
    queryFn: () =>
      allPages((cursor) => unwrap(api.GET("/api/circles/{name}/tasks", { params: { path: { name }, query: { limit: 200, ...(cursor ? { cursor } : {}) } } }))),
  });
}

export function useTask(name: string, id: string | null) {
  return useQuery({
    queryKey: circleKeys.task(name, id ?? "none"),
    enabled: id !== null,
    queryFn: () => unwrap(api.GET("/api/circles/{name}/tasks/{id}", { params: { path: { name, id: id ?? "" } } })),
  });
}

export function useConflicts(name: string) {
  return useQuery({
    queryKey: circleKeys.conflicts(name),
    queryFn: () =>
      allPages((cursor) => unwrap(api.GET("/api/circles/{name}/conflicts", { params: { path: { name }, query: { limit: 200, ...(cursor ? { cursor } : {}) } } }))),
  });
}

export function useCreateTask(name: string) {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (body: NewTask) => unwrap(api.POST("/api/circles/{name}/tasks", { params: { path: { name } }, body })),
    onSuccess: () => client.invalidateQueries({ queryKey: circleKeys.tasks(name) }),
  });
}

export type TaskAction =
  | { action: "route" }
  | { action: "accept"; agent: string }
  | { action: "refuse"; agent: string; reason?: string }
  | ({ action: "review" } & TaskReview);

export function useTaskAction(name: string, id: string) {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (a: TaskAction): Promise<CircleTask> => {
      const params = { path: { name, id } };
      switch (a.action) {
        case "route":
          return unwrap(api.POST("/api/circles/{name}/tasks/{id}/route", { params }));
        case "accept":
          return unwrap(api.POST("/api/circles/{name}/tasks/{id}/accept", { params, body: { agent: a.agent } }));
        case "refuse":
          return unwrap(api.POST("/api/circles/{name}/tasks/{id}/refuse", { params, body: { agent: a.agent, ...(a.reason ? { reason: a.reason } : {}) } }));
        case "review":
          return unwrap(api.POST("/api/circles/{name}/tasks/{id}/review", { params, body: { verdict: a.verdict, ...(a.note ? { note: a.note } : {}) } }));
      }
    },
    onSuccess: () => client.invalidateQueries({ queryKey: ["circles"] }),
  });
}
