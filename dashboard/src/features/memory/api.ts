// Memories (`/api/memories`): their wire types, query keys under ["memories"] (memory.* events
// make them stale, see lib/live/invalidate.ts) and the hooks.
import { keepPreviousData, useInfiniteQuery, useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { authedFetch } from "@/lib/api/client";
import { errorFromResponse } from "@/lib/api/errors";

export const scopes = ["user", "agent", "conversation", "circle", "global"] as const;
export type Scope = (typeof scopes)[number];
export const memoryTypes = ["fact", "preference", "decision", "episode", "skill", "relationship", "context"] as const;
export type MemoryType = (typeof memoryTypes)[number];
export const searchModes = ["hybrid", "semantic", "keyword"] as const;
export type SearchMode = (typeof searchModes)[number];

/** Where a memory came from. */
export type Provenance = {
  conversation_id?: string | null;
  message_id?: string | null;
  run_id?: string | null;
  user_id?: string | null;
  agent_id?: string | null;
};

export type MemoryLink = { kind: "duplicate_of" | "supersedes"; memory_id: string; target_id: string; similarity?: number | null };

export type Memory = {
  id: string;
  scope: Scope;
  scope_id?: string | null;
  type: MemoryType;
  content: string;
  importance: number;
  tags: string[];
  expires_at?: string | null;
  version: number;
  source: Provenance;
  created_by?: string | null;
  created_by_agent?: string | null;
  created_at: string;
  updated_at: string;
  deleted_at?: string | null;
  embedded: boolean;
  links: MemoryLink[];
};

export type MemoryVersion = {
  version: number;
  type: MemoryType;
  content: string;
  importance: number;
  tags: string[];
  expires_at?: string | null;
  changed_by?: string | null;
  changed_by_agent?: string | null;
  changed_at: string;
};

export type MemoryDetail = Memory & { versions: MemoryVersion[] };

export type MemoryPage = { items: Memory[]; next_cursor?: string | null };

export type NewMemory = {
  scope: Scope;
  scope_id?: string;
  type?: MemoryType;
  content: string;
  importance?: number;
  tags?: string[];
  expires_at?: string;
  supersedes?: string;
};

export type MemoryPatch = { content?: string; type?: MemoryType; importance?: number; tags?: string[]; expires_at?: string | null };

export type MemoryListParams = { scope?: Scope; scope_id?: string; type?: MemoryType; tag?: string; include_deleted?: boolean };

export type SearchRequest = {
  query: string;
  mode?: SearchMode;
  limit?: number;
  threshold?: number;
  scopes?: Scope[];
  scope_id?: string;
  types?: MemoryType[];
  tags?: string[];
  min_importance?: number;
};

export type SearchHit = { memory: Memory; score: number; similarity?: number | null; semantic_rank?: number | null; keyword_rank?: number | null };
export type SearchResult = { mode: SearchMode; model?: string | null; items: SearchHit[] };

export type Progress = { total: number; embedded: number };
export type EmbeddingStatus = {
  serving_model?: string | null;
  serving_dimension?: number | null;
  target_model?: string | null;
  target_dimension?: number | null;
  /** Over every scope: admins only (null for anyone else). */
  memories?: Progress | null;
  chunks?: Progress | null;
  reembedding: boolean;
};

export const memoryKeys = {
  all: ["memories"] as const,
  lists: ["memories", "list"] as const,
  list: (params: MemoryListParams) => ["memories", "list", params] as const,
  one: (id: string) => ["memories", "one", id] as const,
  search: (request: SearchRequest) => ["memories", "search", request] as const,
  embedding: ["memories", "embedding"] as const,
};

/** One JSON call through the authenticated fetch; the server's error shape becomes an ApiError. */
async function call<T>(method: string, path: string, body?: unknown): Promise<T> {
  const init: RequestInit = { method };
  if (body !== undefined) {
    init.body = JSON.stringify(body);
    init.headers = { "content-type": "application/json" };
  }
  const response = await authedFetch(new Request(new URL(path, globalThis.location?.origin ?? "http://localhost"), init));
  if (!response.ok) throw await errorFromResponse(response);
  if (response.status === 204) return undefined as T;
  return (await response.json()) as T;
}

function query(params: Record<string, string | number | boolean | undefined>): string {
  const out = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) if (value !== undefined && value !== "" && value !== false) out.set(key, String(value));
  const text = out.toString();
  return text ? `?${text}` : "";
}

/** The memories a filter selects, newest first, 50 at a time. */
export function useMemoryList(params: MemoryListParams) {
  return useInfiniteQuery({
    queryKey: memoryKeys.list(params),
    initialPageParam: null as string | null,
    placeholderData: keepPreviousData,
    queryFn: ({ pageParam }) => call<MemoryPage>("GET", `/api/memories${query({ ...params, limit: 50, cursor: pageParam ?? undefined })}`),
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
    queryFn: () => call<MemoryDetail>("GET", `/api/memories/${encodeURIComponent(id)}`),
    refetchInterval: (q) => (q.state.data && waitsForVector([q.state.data]) ? 2000 : false),
  });
}

/** A search is a read: it is cached by its request and rerun when a memory changes. */
export function useMemorySearch(request: SearchRequest | null) {
  return useQuery({
    queryKey: memoryKeys.search(request ?? { query: "" }),
    enabled: request !== null && request.query.trim() !== "",
    placeholderData: keepPreviousData,
    queryFn: () => call<SearchResult>("POST", "/api/memories/search", request),
  });
}

/** The embedding model state; read again every 2 s while vectors are still being written. */
export function useEmbeddingStatus() {
  return useQuery({
    queryKey: memoryKeys.embedding,
    queryFn: () => call<EmbeddingStatus>("GET", "/api/memories/embedding"),
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
    mutationFn: (body: NewMemory) => call<Memory>("POST", "/api/memories", body),
    onSuccess: () => client.invalidateQueries({ queryKey: memoryKeys.all }),
  });
}

export function useUpdateMemory(id: string) {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (body: MemoryPatch) => call<Memory>("PATCH", `/api/memories/${encodeURIComponent(id)}`, body),
    onSuccess: () => client.invalidateQueries({ queryKey: memoryKeys.all }),
  });
}

export function useDeleteMemory() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (id: string) => call<void>("DELETE", `/api/memories/${encodeURIComponent(id)}`),
    onSuccess: () => client.invalidateQueries({ queryKey: memoryKeys.all }),
  });
}

export function usePurgeMemory() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (id: string) => call<void>("POST", `/api/memories/${encodeURIComponent(id)}/purge`),
    onSuccess: (_, id) => {
      client.removeQueries({ queryKey: memoryKeys.one(id) });
      return client.invalidateQueries({ queryKey: memoryKeys.all });
    },
  });
}

export function useSetEmbeddingModel() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (model: string) => call<EmbeddingStatus>("PUT", "/api/memories/embedding", { model }),
    onSuccess: (status) => {
      client.setQueryData(memoryKeys.embedding, status);
      return client.invalidateQueries({ queryKey: memoryKeys.all });
    },
  });
}
