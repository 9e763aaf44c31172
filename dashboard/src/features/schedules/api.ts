// Schedules, their runs and the caller's notifications: the query keys (under "schedules" and
// "notifications", which schedule.* and notification.* events invalidate, see
// lib/live/invalidate.ts) and the hooks over the API.
import { keepPreviousData, useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { api, unwrap } from "@/lib/api/client";
import type { components } from "@/lib/api/schema";

export type Schedule = components["schemas"]["Schedule"];
export type ScheduleRun = components["schemas"]["ScheduleRun"];
export type Notification = components["schemas"]["Notification"];
export type ScheduleBody = components["schemas"]["ScheduleRequest"];

/** A schedule's stored definition as a plain object (the generated type does not describe it). */
export const specOf = (s: Schedule): Record<string, unknown> => s.spec as unknown as Record<string, unknown>;

export const scheduleKeys = {
  all: ["schedules"] as const,
  list: () => ["schedules", "list"] as const,
  one: (id: string) => ["schedules", "one", id] as const,
  runs: (id: string, limit: number) => ["schedules", "runs", id, limit] as const,
  notifications: () => ["notifications", "list"] as const,
  preview: (body: string) => ["schedule-preview", body] as const,
  pipelines: () => ["pipelines", "picker"] as const,
  agents: () => ["agents", "picker"] as const,
};

export function useSchedules() {
  return useQuery({
    queryKey: scheduleKeys.list(),
    queryFn: () => unwrap(api.GET("/api/schedules", { params: { query: { limit: 200 } } })),
  });
}

export function useSchedule(id: string) {
  return useQuery({
    queryKey: scheduleKeys.one(id),
    queryFn: () => unwrap(api.GET("/api/schedules/{id}", { params: { path: { id } } })),
  });
}

export function useScheduleRuns(id: string, limit = 50) {
  return useQuery({
    queryKey: scheduleKeys.runs(id, limit),
    queryFn: () => unwrap(api.GET("/api/schedules/{id}/runs", { params: { path: { id }, query: { limit } } })),
    placeholderData: keepPreviousData,
  });
}

export function useNotifications() {
  return useQuery({
    queryKey: scheduleKeys.notifications(),
    queryFn: () => unwrap(api.GET("/api/notifications", { params: { query: { limit: 50 } } })),
  });
}

export function usePipelineChoices() {
  return useQuery({
    queryKey: scheduleKeys.pipelines(),
    queryFn: () => unwrap(api.GET("/api/pipelines", { params: { query: { limit: 200 } } })),
  });
}

export function useAgentChoices() {
  return useQuery({
    queryKey: scheduleKeys.agents(),
    queryFn: () => unwrap(api.GET("/api/agents", { params: { query: { limit: 200 } } })),
  });
}

export type Preview = components["schemas"]["Preview"];

/** The next fire times of a definition not saved yet: `POST /api/schedules/preview` (the create body plus `count`). */
export function usePreview(body: Record<string, unknown> | null) {
  const text = body ? JSON.stringify(body) : "";
  return useQuery({
    queryKey: scheduleKeys.preview(text),
    enabled: body !== null,
    retry: false,
    staleTime: 30_000,
    placeholderData: keepPreviousData,
    queryFn: ({ signal }) => unwrap(api.POST("/api/schedules/preview", { body: body as unknown as components["schemas"]["PreviewRequest"], signal })),
  });
}

function useInvalidate() {
  const client = useQueryClient();
  return () => void client.invalidateQueries({ queryKey: scheduleKeys.all });
}

export function useCreateSchedule() {
  const invalidate = useInvalidate();
  return useMutation({
    mutationFn: (body: Record<string, unknown>) => unwrap(api.POST("/api/schedules", { body: body as unknown as ScheduleBody })),
    onSuccess: invalidate,
  });
}

export function useUpdateSchedule(id: string) {
  const invalidate = useInvalidate();
  return useMutation({
    mutationFn: (body: Record<string, unknown>) => unwrap(api.PUT("/api/schedules/{id}", { params: { path: { id } }, body: body as unknown as ScheduleBody })),
    onSuccess: invalidate,
  });
}

export type ScheduleCommand = "pause" | "resume" | "trigger" | "delete";

export function useScheduleCommand() {
  const invalidate = useInvalidate();
  return useMutation({
    mutationFn: async ({ id, command }: { id: string; command: ScheduleCommand }): Promise<unknown> => {
      const path = { params: { path: { id } } };
      switch (command) {
        case "pause":
          return unwrap(api.POST("/api/schedules/{id}/pause", path));
        case "resume":
          return unwrap(api.POST("/api/schedules/{id}/resume", path));
        case "trigger":
          return unwrap(api.POST("/api/schedules/{id}/trigger", path));
        case "delete":
          return unwrap(api.DELETE("/api/schedules/{id}", path));
      }
    },
    onSuccess: invalidate,
  });
}

export function useMarkRead() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (id: string) => unwrap(api.POST("/api/notifications/{id}/read", { params: { path: { id } } })),
    onSuccess: () => void client.invalidateQueries({ queryKey: ["notifications"] }),
  });
}
