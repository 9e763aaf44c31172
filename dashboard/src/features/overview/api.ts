import { keepPreviousData, useQuery } from "@tanstack/react-query";
import { api, authedFetch, unwrap } from "@/lib/api/client";
import { errorFromResponse } from "@/lib/api/errors";

// TODO(lead): replace with the generated type once GET /api/overview is in the document.
export type Overview = {
  counts: { agents: number; personas: number; pipelines: number; schedules: number; users: number | null; mcp_servers: number };
  runs: { running: number; waiting: number; failed_today: number; completed_today: number };
  usage_today: { requests: number; prompt_tokens: number; completion_tokens: number; cost: number | string };
  latest_event_seq: number;
  ready: boolean;
};

export const overviewKeys = {
  all: ["overview"] as const,
  // Not under ["overview"]: every event makes the overview stale, not the server's health.
  health: ["health"] as const,
  events: (since: number) => ["events", "latest", since] as const,
};

export function useOverview() {
  return useQuery({
    queryKey: overviewKeys.all,
    queryFn: async (): Promise<Overview> => {
      const response = await authedFetch(new Request(new URL("/api/overview", location.origin)));
      if (!response.ok) throw await errorFromResponse(response);
      return (await response.json()) as Overview;
    },
  });
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
