// Pipelines: the query keys (under ["pipelines"], which pipeline.* events invalidate) and the
// hooks over /api/pipelines (docs/api.md).
import { keepPreviousData, useInfiniteQuery, useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import type { components } from "@/lib/api/schema";
import { api, unwrap } from "@/lib/api/client";
import type { PipelineDocument, Problem } from "./graph/convert";
import type { PipelineDiff } from "./graph/changes";
import type { JsonSchema } from "./components/schemaFields";

export type StoredPipeline = Omit<components["schemas"]["StoredPipeline"], "document"> & { document: PipelineDocument };
export type PipelineVersion = Omit<components["schemas"]["Version"], "document"> & { document: PipelineDocument };
export type ValidationReport = { valid: boolean; errors: Problem[]; omitted: number };
/** One entry of `GET /api/pipelines/node-types`. */
export type NodeType = Omit<components["schemas"]["NodeTypeView"], "config_schema" | "example_config"> & { config_schema: JsonSchema; example_config: Record<string, unknown> };
export type WebhookSecret = components["schemas"]["WebhookSecret"];

export const pipelineKeys = {
  all: ["pipelines"] as const,
  list: ["pipelines", "list"] as const,
  search: (q: string) => ["pipelines", "list", q] as const,
  one: (id: string) => ["pipelines", "one", id] as const,
  versions: (id: string) => ["pipelines", "one", id, "versions"] as const,
  diff: (id: string, from: number, to: number) => ["pipelines", "one", id, "diff", from, to] as const,
  nodeTypes: ["pipelines", "node-types"] as const,
  users: ["users", "all"] as const,
};

// The API types a document as an opaque object.
type Opaque = Record<string, never>;
const opaque = (doc: PipelineDocument) => doc as unknown as Opaque;

/** The pipelines whose name or description contains `q` (all when blank), 100 at a time. */
export function usePipelines(q: string) {
  return useInfiniteQuery({
    queryKey: pipelineKeys.search(q),
    initialPageParam: null as string | null,
    placeholderData: keepPreviousData,
    queryFn: ({ pageParam }) => unwrap(api.GET("/api/pipelines", { params: { query: { limit: 100, ...(q ? { q } : {}), ...(pageParam ? { cursor: pageParam } : {}) } } })),
    getNextPageParam: (last) => last.next_cursor ?? null,
    select: (data) => ({
      items: data.pages.flatMap((p) => p.items) as unknown as StoredPipeline[],
      hasMore: data.pages.at(-1)?.next_cursor != null,
    }),
  });
}

export function usePipeline(id: string | undefined) {
  return useQuery({
    queryKey: pipelineKeys.one(id ?? ""),
    enabled: id !== undefined,
    queryFn: async () => (await unwrap(api.GET("/api/pipelines/{id}", { params: { path: { id: id! } } }))) as unknown as StoredPipeline,
  });
}

export function useVersions(id: string | undefined) {
  return useQuery({
    queryKey: pipelineKeys.versions(id ?? ""),
    enabled: id !== undefined,
    queryFn: async () => (await unwrap(api.GET("/api/pipelines/{id}/versions", { params: { path: { id: id! } } }))) as unknown as PipelineVersion[],
  });
}

export function useDiff(id: string, from: number | null, to: number | null) {
  return useQuery({
    queryKey: pipelineKeys.diff(id, from ?? 0, to ?? 0),
    enabled: from !== null && to !== null && from !== to,
    staleTime: Infinity,
    queryFn: async () => (await unwrap(api.GET("/api/pipelines/{id}/diff", { params: { path: { id }, query: { from: from!, to: to! } } }))) as unknown as PipelineDiff,
  });
}

/** The palette: every node type with its config's JSON Schema. */
export function useNodeTypes() {
  return useQuery({
    queryKey: pipelineKeys.nodeTypes,
    staleTime: Infinity,
    queryFn: async () => (await unwrap(api.GET("/api/pipelines/node-types"))) as unknown as NodeType[],
  });
}

/** Admins see owners by email; others see "you" or the owner's id. */
export function useUserEmails(enabled: boolean) {
  return useQuery({
    queryKey: pipelineKeys.users,
    enabled,
    queryFn: async () => {
      const page = await unwrap(api.GET("/api/users", { params: { query: { limit: 200 } } }));
      return new Map(page.items.map((u) => [u.id, u.email]));
    },
  });
}

export async function validateDocument(doc: PipelineDocument, signal?: AbortSignal): Promise<ValidationReport> {
  return (await unwrap(api.POST("/api/pipelines/validate", { body: opaque(doc), ...(signal ? { signal } : {}) }))) as unknown as ValidationReport;
}

export function useSavePipeline(id: string | undefined) {
  const client = useQueryClient();
  return useMutation({
    mutationFn: async (doc: PipelineDocument) => {
      const saved = id
        ? await unwrap(api.PUT("/api/pipelines/{id}", { params: { path: { id } }, body: opaque(doc) }))
        : await unwrap(api.POST("/api/pipelines", { body: opaque(doc) }));
      return saved as unknown as StoredPipeline;
    },
    onSuccess: (saved) => {
      client.setQueryData(pipelineKeys.one(saved.id), saved);
      void client.invalidateQueries({ queryKey: pipelineKeys.list });
      void client.invalidateQueries({ queryKey: pipelineKeys.versions(saved.id) });
    },
  });
}

export function useDeletePipeline() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (id: string) => unwrap(api.DELETE("/api/pipelines/{id}", { params: { path: { id } } })),
    onSuccess: (_data, id) => {
      client.removeQueries({ queryKey: pipelineKeys.one(id) });
      void client.invalidateQueries({ queryKey: pipelineKeys.list });
    },
  });
}

export function useRotateWebhook(id: string) {
  const client = useQueryClient();
  return useMutation({
    mutationFn: () => unwrap(api.POST("/api/pipelines/{id}/webhook-secret", { params: { path: { id } } })),
    onSuccess: () => void client.invalidateQueries({ queryKey: pipelineKeys.one(id) }),
  });
}
