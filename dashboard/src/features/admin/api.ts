// Server state of the administration pages: query keys (named as src/lib/live/invalidate.ts
// expects, so events refresh them) and the hooks over the typed client.
import { keepPreviousData, useInfiniteQuery, useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { api, unwrap } from "@/lib/api/client";
import type { components } from "@/lib/api/schema";
import { useSession, type Role } from "@/lib/auth/session";
import type { AuditParams, McpBody, UsersParams } from "./filters";

export type UserView = components["schemas"]["UserView"];
export type ApiKeyView = components["schemas"]["ApiKeyView"];
export type CreatedApiKey = components["schemas"]["CreatedApiKeyView"];
export type AuditRow = components["schemas"]["AuditEventView"];

export type McpTool = { name: string; remote_name?: string; description?: string; parameters?: unknown };
export type McpTransport = { kind: "stdio"; command: string; args?: string[]; env?: Record<string, string> } | { kind: "http"; url: string };
/** The generated type leaves `transport` and `tools` untyped; this is their documented shape. */
export type McpServer = Omit<components["schemas"]["McpServer"], "transport" | "tools"> & { transport: McpTransport; tools: McpTool[] };

export const adminKeys = {
  users: ["users"] as const,
  usersAll: ["users", "all"] as const,
  usersList: (params: UsersParams) => ["users", "list", params] as const,
  apiKeys: (userId: string | null) => ["api-keys", userId ?? "mine"] as const,
  audit: (params: AuditParams) => ["audit", params] as const,
  mcp: ["mcp-servers"] as const,
};

/** The users a filter selects (the server applies `q`, `role` and `status`), 50 at a time. */
export function useUserList(params: UsersParams) {
  return useInfiniteQuery({
    queryKey: adminKeys.usersList(params),
    initialPageParam: null as string | null,
    placeholderData: keepPreviousData,
    queryFn: ({ pageParam }) => unwrap(api.GET("/api/users", { params: { query: { limit: 50, ...params, ...(pageParam ? { cursor: pageParam } : {}) } } })),
    getNextPageParam: (last) => last.next_cursor ?? null,
    select: (data) => ({
      users: data.pages.flatMap((p) => p.items),
      hasMore: data.pages.at(-1)?.next_cursor != null,
    }),
  });
}

/** For pickers (a key's owner, an audit actor): every page is read (200 at a time, up to 5,000 users). */
const USERS_PAGE = 200;
const USERS_MAX_PAGES = 25;

/** Every user. */
export function useAllUsers(enabled = true) {
  return useQuery({
    queryKey: adminKeys.usersAll,
    enabled,
    queryFn: async (): Promise<{ users: UserView[]; truncated: boolean }> => {
      const users: UserView[] = [];
      let cursor: string | null | undefined = undefined;
      for (let page = 0; page < USERS_MAX_PAGES; page++) {
        const query: { limit: number; cursor?: string } = { limit: USERS_PAGE };
        if (cursor) query.cursor = cursor;
        const data = await unwrap(api.GET("/api/users", { params: { query } }));
        users.push(...data.items);
        cursor = data.next_cursor;
        if (!cursor) return { users, truncated: false };
      }
      return { users, truncated: true };
    },
  });
}

export function useCreateUser() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (body: { email: string; display_name: string; password: string; role: Role }) => unwrap(api.POST("/api/users", { body })),
    onSuccess: () => void client.invalidateQueries({ queryKey: adminKeys.users }),
  });
}

export function useUpdateUser() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: ({ id, ...body }: { id: string; role?: Role; disabled?: boolean; display_name?: string }) =>
      unwrap(api.PATCH("/api/users/{id}", { params: { path: { id } }, body })),
    // Your own new role applies to your next request: the frame (navigation, role checks) follows at once.
    onSuccess: (user) => {
      if (useSession.getState().user?.id === user.id) useSession.setState({ user });
    },
    onSettled: () => void client.invalidateQueries({ queryKey: adminKeys.users }),
  });
}

/** Your keys, or (admins) another user's; every page, since a user has few keys. */
export function useApiKeys(userId: string | null) {
  return useQuery({
    queryKey: adminKeys.apiKeys(userId),
    queryFn: async (): Promise<ApiKeyView[]> => {
      const keys: ApiKeyView[] = [];
      let cursor: string | null | undefined = undefined;
      for (let page = 0; page < 25; page++) {
        const query: { limit: number; cursor?: string; user_id?: string } = { limit: 200 };
        if (cursor) query.cursor = cursor;
        if (userId) query.user_id = userId;
        const data = await unwrap(api.GET("/api/api-keys", { params: { query } }));
        keys.push(...data.items);
        cursor = data.next_cursor;
        if (!cursor) break;
      }
      return keys;
    },
  });
}

export function useCreateApiKey() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (body: { name: string; role?: Role; expires_at?: string }) => unwrap(api.POST("/api/api-keys", { body })),
    onSuccess: () => void client.invalidateQueries({ queryKey: ["api-keys"] }),
  });
}

export function useRevokeApiKey() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (id: string) => unwrap(api.DELETE("/api/api-keys/{id}", { params: { path: { id } } })),
    onSettled: () => void client.invalidateQueries({ queryKey: ["api-keys"] }),
  });
}

export function useAudit(params: AuditParams, enabled = true) {
  return useQuery({
    queryKey: adminKeys.audit(params),
    enabled,
    placeholderData: keepPreviousData,
    queryFn: () => unwrap(api.GET("/api/audit", { params: { query: params } })),
  });
}

export function useMcpServers() {
  return useQuery({
    queryKey: adminKeys.mcp,
    queryFn: async () => (await unwrap(api.GET("/api/mcp-servers"))) as unknown as McpServer[],
  });
}

export function useCreateMcpServer() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: async (body: McpBody) =>
      (await unwrap(api.POST("/api/mcp-servers", { body: body as unknown as components["schemas"]["NewMcpServer"] }))) as unknown as McpServer,
    onSuccess: () => void client.invalidateQueries({ queryKey: adminKeys.mcp }),
  });
}

export function useRefreshMcpServer() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: async (id: string) => (await unwrap(api.POST("/api/mcp-servers/{id}/refresh", { params: { path: { id } } }))) as unknown as McpServer,
    onSettled: () => void client.invalidateQueries({ queryKey: adminKeys.mcp }),
  });
}

export function useDeleteMcpServer() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (id: string) => unwrap(api.DELETE("/api/mcp-servers/{id}", { params: { path: { id } } })),
    onSettled: () => void client.invalidateQueries({ queryKey: adminKeys.mcp }),
  });
}
