import { useQuery } from "@tanstack/react-query";
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
  health: ["overview", "health"] as const,
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

/** The latest events: the page of history just before the head. */
export function useLatestEvents(head: number | undefined, count = 15) {
  const since = Math.max(0, (head ?? 0) - count);
  return useQuery({
    queryKey: overviewKeys.events(since),
    enabled: head !== undefined,
    queryFn: () => unwrap(api.GET("/api/events", { params: { query: { since, limit: 100 } } })),
  });
}
