// Pipeline runs: the query keys and the hooks over /api/pipelines/{id}/runs and
// /api/pipeline-runs/{id} (docs/api.md, docs/pipelines.md).
//
// Keys: lists and breakers live under ["runs", ...], which run, node and breaker events
// invalidate (lib/live/invalidate.ts), so they refresh as runs start and end. One run's record
// is under ["pipeline-run", ...] on purpose: the run page patches it from the events themselves
// (runs/state.ts) and fetches it again only on a (re)connect, not once per event.
import { useInfiniteQuery, useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { api, unwrap } from "@/lib/api/client";
import type { components } from "@/lib/api/schema";
import { useConnection } from "@/lib/live/socket";
import type { PipelineDoc } from "@/features/pipelines/graph/layout";
import type { Run, RunStatus } from "./state";

export type Breaker = components["schemas"]["Breaker"];

export const runKeys = {
  all: ["runs"] as const,
  list: (pipelineId: string, status: RunStatus | "") => ["runs", "list", pipelineId, status] as const,
  breakers: (pipelineId: string) => ["runs", "breakers", pipelineId] as const,
  run: (runId: string) => ["pipeline-run", runId] as const,
  record: (runId: string, nodeId: string, status: string) => ["pipeline-run", runId, "record", nodeId, status] as const,
  // A version's document never changes once stored. (The pipeline itself: ../api.ts.)
  version: (pipelineId: string, version: number) => ["pipeline-version", pipelineId, version] as const,
};

const PAGE = 25;
const POLL_MS = 3000;

/** `poll`: for someone who gets no events of this pipeline (not its owner, not an admin). */
export function useRuns(pipelineId: string, status: RunStatus | "", poll = false) {
  return useInfiniteQuery({
    queryKey: runKeys.list(pipelineId, status),
    refetchInterval: poll ? POLL_MS : false,
    initialPageParam: null as string | null,
    queryFn: ({ pageParam }) =>
      unwrap(
        api.GET("/api/pipelines/{id}/runs", {
          params: { path: { id: pipelineId }, query: { limit: PAGE, ...(pageParam ? { cursor: pageParam } : {}), ...(status ? { status } : {}) } },
        }),
      ),
    getNextPageParam: (page) => page.next_cursor ?? null,
  });
}

export function useBreakers(pipelineId: string) {
  return useQuery({
    queryKey: runKeys.breakers(pipelineId),
    queryFn: () => unwrap(api.GET("/api/pipelines/{id}/breakers", { params: { path: { id: pipelineId } } })),
  });
}

export function useVersionDocument(pipelineId: string, version: number | undefined) {
  return useQuery({
    queryKey: runKeys.version(pipelineId, version ?? 0),
    enabled: version !== undefined,
    staleTime: Infinity,
    queryFn: async () => {
      const v = await unwrap(api.GET("/api/pipelines/{id}/versions/{version}", { params: { path: { id: pipelineId, version: version ?? 0 } } }));
      return v.document as unknown as PipelineDoc;
    },
  });
}

/** A fetched run with the feed's seq when the fetch began: the snapshot holds every event up to it. */
export type Snapshot = { run: Run; baseline: number | null };

/**
 * Only the pipeline's owner and admins get its events (docs/events.md, "Who sees what"): anyone
 * else follows a live run by fetching it every few seconds (`poll`).
 */
export function useRunSnapshot(runId: string, poll = false) {
  return useQuery({
    queryKey: runKeys.run(runId),
    staleTime: Infinity,
    refetchInterval: poll ? POLL_MS : false,
    refetchOnWindowFocus: false,
    queryFn: async (): Promise<Snapshot> => {
      const baseline = useConnection.getState().since;
      const run = await unwrap(api.GET("/api/pipeline-runs/{id}", { params: { path: { id: runId } } }));
      return { run, baseline };
    },
  });
}

/** One node's record (with its input), fetched when its panel opens and when its status changes. */
export function useNodeRecord(runId: string, nodeId: string, status: string) {
  return useQuery({
    queryKey: runKeys.record(runId, nodeId, status),
    queryFn: async () => {
      const run = await unwrap(api.GET("/api/pipeline-runs/{id}", { params: { path: { id: runId } } }));
      return run.nodes.find((n) => n.node_id === nodeId) ?? null;
    },
  });
}

export function useStartRun(pipelineId: string) {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (triggerData: Record<string, unknown>) =>
      unwrap(api.POST("/api/pipelines/{id}/runs", { params: { path: { id: pipelineId } }, body: { trigger_data: triggerData } })),
    onSuccess: () => void client.invalidateQueries({ queryKey: runKeys.all }),
  });
}

export function useCancelRun(runId: string) {
  const client = useQueryClient();
  return useMutation({
    mutationFn: () => unwrap(api.POST("/api/pipeline-runs/{id}/cancel", { params: { path: { id: runId } } })),
    onSuccess: () => void client.invalidateQueries({ queryKey: runKeys.all }),
  });
}

export function useRerun(runId: string) {
  const client = useQueryClient();
  return useMutation({
    mutationFn: () => unwrap(api.POST("/api/pipeline-runs/{id}/rerun", { params: { path: { id: runId } } })),
    onSuccess: () => void client.invalidateQueries({ queryKey: runKeys.all }),
  });
}

export function useDecide(runId: string) {
  return useMutation({
    mutationFn: ({ nodeId, decision, comment }: { nodeId: string; decision: "approve" | "reject"; comment: string }) =>
      unwrap(
        api.POST("/api/pipeline-runs/{id}/approvals/{node_id}", {
          params: { path: { id: runId, node_id: nodeId } },
          body: { decision, ...(comment.trim() ? { comment: comment.trim() } : {}) },
        }),
      ),
  });
}
