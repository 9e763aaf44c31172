import { useQuery } from "@tanstack/react-query";
import { api, unwrap } from "@/lib/api/client";

export const overviewKeys = {
  all: ["overview"] as const,
  health: ["overview", "health"] as const,
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

/** The latest events: the page of history just before the head. */
export function useLatestEvents(head: number | undefined, count = 15) {
  const since = Math.max(0, (head ?? 0) - count);
  return useQuery({
    queryKey: overviewKeys.events(since),
    enabled: head !== undefined,
    queryFn: () => unwrap(api.GET("/api/events", { params: { query: { since, limit: 100 } } })),
  });
}
