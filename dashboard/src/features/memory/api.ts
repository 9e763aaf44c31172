// Memories (`/api/memories`): the generated wire types (src/lib/api/schema.d.ts), query keys
// under ["memories"] (memory.* events make them stale, see lib/live/invalidate.ts) and the hooks.
import { keepPreviousData, useInfiniteQuery, useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import type { components, operations } from "@/lib/api/schema";
import { api, unwrap } from "@/lib/api/client";

type Schemas = components["schemas"];

export type Scope = Schemas["ScopeKind"];
export type MemoryType = Schemas["MemoryType"];
export type SearchMode = Schemas["SearchMode"];
export const scopes = ["user", "agent", "conversation", "circle", "global"] as const satisfies readonly Scope[];
export const memoryTypes = ["fact", "preference", "decision", "episode", "skill", "relationship", "context"] as const satisfies readonly MemoryType[];
export const searchModes = ["hybrid", "semantic", "keyword"] as const satisfies readonly SearchMode[];

/** Where a memory came from. */
export type Provenance = Schemas["Provenance"];
export type MemoryLink = Schemas["MemoryLink"];
export type Memory = Schemas["Memory"];
export type MemoryVersion = Schemas["MemoryVersion"];
export type MemoryDetail = Schemas["MemoryDetail"];
export type NewMemory = Schemas["NewMemory"];
export type MemoryPatch = Schemas["MemoryPatch"];
/** The list's filters (the page's `limit` and `cursor` are the hook's). */
export type MemoryListParams = Omit<NonNullable<operations["memories_list"]["parameters"]["query"]>, "limit" | "cursor">;
export type SearchRequest = Schemas["SearchBody"];
export type SearchHit = Schemas["Hit"];
export type SearchResult = Schemas["SearchResult"];
export type Progress = Schemas["Coverage"];
/** Coverage (`memories`, `chunks`) is over every scope: admins only (null for anyone else). */
export type EmbeddingStatus = Schemas["EmbeddingStatus"];

export const memoryKeys = {
  all: ["memories"] as const,
  lists: ["memories", "list"] as const,
  list: (params: MemoryListParams) => ["memories", "list", params] as const,
  one: (id: string) => ["memories", "one", id] as const,
  search: (request: SearchRequest) => ["memories", "search", request] as const,
  embedding: ["memories", "embedding"] as const,
};

/** The filters without their blank values (the server reads `include_deleted=false` fine, but the address stays short). */
function present(params: MemoryListParams): MemoryListParams {
  return Object.fromEntries(Object.entries(params).filter(([, v]) => v !== undefined && v !== "" && v !== false)) as MemoryListParams;
}

/** The memories a filter selects, newest first, 50 at a time. */
export function useMemoryList(params: MemoryListParams) {
  return useInfiniteQuery({
    queryKey: memoryKeys.list(params),
    initialPageParam: null as string | null,
    placeholderData: keepPreviousData,
    queryFn: ({ pageParam }) => unwrap(api.GET("/api/memories", { params: { query: { ...present(params), limit: 50, ...(pageParam ? { cursor: pageParam } : {}) } } })),
    getNextPageParam: (last) => last.next_cursor ?? null,
    select: (data) => ({ memories: data.pages.flatMap((p) => p.items), hasMore: data.pages.at(-1)?.next_cursor != null }),
    // Read again every 3 s while a memory shown still waits for its vector.
    refetchInterval: (q) => (waitsForVector((q.state.data?.pages ?? []).flatMap((p) => p.items)) ? 3000 : false),
  });
}

/** One memory with its versions; read every 2 s until its vector is written (that has no event). */
export function useMemory(id: string) {
  return useQuery({
    queryKey: memoryKeys.one(id),
    queryFn: () => unwrap(api.GET("/api/memories/{id}", { params: { path: { id } } })),
    refetchInterval: (q) => (q.state.data && waitsForVector([q.state.data]) ? 2000 : false),
  });
}

/** A search is a read: it is cached by its request and rerun when a memory changes. */
export function useMemorySearch(request: SearchRequest | null) {
  return useQuery({
    queryKey: memoryKeys.search(request ?? { query: "" }),
    enabled: request !== null && request.query.trim() !== "",
    placeholderData: keepPreviousData,
    queryFn: () => unwrap(api.POST("/api/memories/search", { body: request ?? { query: "" } })),
  });
}

/** The embedding model state; read again every 2 s while vectors are still being written. */
export function useEmbeddingStatus() {
  return useQuery({
    queryKey: memoryKeys.embedding,
    queryFn: () => unwrap(api.GET("/api/memories/embedding")),
    refetchInterval: (q) => (q.state.data && embeddingBusy(q.state.data) ? 2000 : false),
  });
}

/** Whether the worker still has vectors to write (a model change, or new memories or chunks, as far as the caller may count them). */
export function embeddingBusy(status: EmbeddingStatus): boolean {
  const behind = (p: Progress | null | undefined) => p != null && p.embedded < p.total;
  return status.reembedding || behind(status.memories) || behind(status.chunks);
}

/** Whether a list or a memory shows one whose vector is not written yet (that has no event). */
export const waitsForVector = (memories: Memory[]): boolean => memories.some((m) => !m.embedded && !m.deleted_at);

export function useCreateMemory() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (body: NewMemory) => unwrap(api.POST("/api/memories", { body })),
    onSuccess: () => client.invalidateQueries({ queryKey: memoryKeys.all }),
  });
}

export function useUpdateMemory(id: string) {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (body: MemoryPatch) => unwrap(api.PATCH("/api/memories/{id}", { params: { path: { id } }, body })),
    onSuccess: () => client.invalidateQueries({ queryKey: memoryKeys.all }),
  });
}

export function useDeleteMemory() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (id: string) => unwrap(api.DELETE("/api/memories/{id}", { params: { path: { id } } })),
    onSuccess: () => client.invalidateQueries({ queryKey: memoryKeys.all }),
  });
}

export function usePurgeMemory() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (id: string) => unwrap(api.POST("/api/memories/{id}/purge", { params: { path: { id } } })),
    onSuccess: (_, id) => {
      client.removeQueries({ queryKey: memoryKeys.one(id) });
      return client.invalidateQueries({ queryKey: memoryKeys.all });
    },
  });
}

export function useSetEmbeddingModel() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (model: string) => unwrap(api.PUT("/api/memories/embedding", { body: { model } })),
    onSuccess: (status) => {
      client.setQueryData(memoryKeys.embedding, status);
      return client.invalidateQueries({ queryKey: memoryKeys.all });
    },
  });
}
