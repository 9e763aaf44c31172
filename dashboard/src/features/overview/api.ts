import { keepPreviousData, useQuery } from "@tanstack/react-query";
import { api, unwrap } from "@/lib/api/client";

export const overviewKeys = {
  all: ["overview"] as const,
  // Not under ["overview"]: every event makes the overview stale, not the server's health.
  health: ["health"] as const,
  events: (since: number) => ["events", "latest", since] as const,
};

export function useOverview() {
  return useQuery({ queryKey: overviewKeys.all, queryFn: () => unwrap(api.GET("/api/overview")) });
}

export type Readiness = { status: string; checks?: Record<string, unknown>; loops?: Record<string, unknown> };

export function useReadiness() {
  return useQuery({
    queryKey: overviewKeys.health,
    queryFn: async (): Promise<Readiness & { ok: boolean }> => {
      const response = await fetch("/health/ready");
      const body = (await response.json().catch(() => ({ status: "unknown" }))) as Readiness;
      return { ...body, ok: response.ok };
    },
    refetchInterval: 15_000,
  });
}

/**
 * The latest events: the history just before the head. Every event makes the overview stale
 * (invalidate.ts), so the head moves and this follows it; the previous list stays on screen
 * while the next one loads. The window is wider than what is shown because a non-admin does
 * not see every event.
 */
export function useLatestEvents(head: number | undefined, window = 200) {
  const since = Math.max(0, (head ?? 0) - window);
  return useQuery({
    queryKey: overviewKeys.events(since),
    enabled: head !== undefined,
    placeholderData: keepPreviousData,
    queryFn: () => unwrap(api.GET("/api/events", { params: { query: { since, limit: 500 } } })),
  });
}
