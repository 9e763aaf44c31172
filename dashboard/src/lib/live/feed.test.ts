import { describe, expect, it, vi } from "vitest";
import type { QueryClient } from "@tanstack/react-query";
import { backoffDelay, SeqTracker } from "./feed";
import { createInvalidator, staleKeys } from "./invalidate";

describe("SeqTracker", () => {
  it("delivers each durable event once across a resume", () => {
    const tracker = new SeqTracker(10);
    const delivered = [11, 12, 12, 11, 13, 13, 14].filter((seq) => tracker.accept(seq));
    expect(delivered).toEqual([11, 12, 13, 14]);
    expect(tracker.since).toBe(14);
  });
  it("seeded from the head, drops what came before it", () => {
    const tracker = new SeqTracker(100);
    expect([99, 100, 101].filter((seq) => tracker.accept(seq))).toEqual([101]);
  });
  it("always delivers ephemeral events", () => {
    const tracker = new SeqTracker();
    expect(tracker.accept(null)).toBe(true);
    expect(tracker.accept(null)).toBe(true);
    expect(tracker.since).toBeNull();
  });
});

describe("backoffDelay", () => {
  it("grows and stays bounded", () => {
    const mid = () => 0.5;
    expect(backoffDelay(0, mid)).toBe(375);
    expect(backoffDelay(3, mid)).toBe(3000);
    expect(backoffDelay(30, mid)).toBe(7500);
  });
});

describe("staleKeys", () => {
  it("maps a run event to the runs, and every durable event to the overview and the events", () => {
    expect(staleKeys("pipeline_run.completed")).toEqual([["events"], ["overview"], ["runs"]]);
    expect(staleKeys("api_key.created")).toEqual([["events"], ["overview"], ["api-keys"]]);
    expect(staleKeys("pipeline.created")).toContainEqual(["pipelines"]);
    expect(staleKeys("pipeline.created")).not.toContainEqual(["runs"]);
  });
  it("uses the type names that exist (llm_model., not llm.)", () => {
    expect(staleKeys("llm_model.created")).toContainEqual(["models"]);
    expect(staleKeys("llm_provider.deleted")).toContainEqual(["models"]);
    expect(staleKeys("mcp_server.created")).toContainEqual(["mcp-servers"]);
  });
  it("refreshes nothing for an ephemeral event (agent.stream, many per turn)", () => {
    expect(staleKeys("agent.stream", false)).toEqual([]);
  });
});

describe("createInvalidator", () => {
  it("refetches each stale key once for a burst of events", async () => {
    vi.useFakeTimers();
    const invalidated: string[] = [];
    const client = { invalidateQueries: ({ queryKey }: { queryKey: string[] }) => invalidated.push(queryKey.join("/")) } as unknown as QueryClient;
    const invalidate = createInvalidator(client, 50);
    for (let seq = 1; seq <= 100; seq++) invalidate({ seq, id: `${seq}`, type: "persona.created", ts: "", scope: {}, actor: null, data: {} });
    invalidate({ seq: null, id: "x", type: "agent.stream", ts: "", scope: {}, actor: null, data: {} });
    expect(invalidated).toEqual([]);
    await vi.advanceTimersByTimeAsync(50);
    expect(invalidated.sort()).toEqual(["events", "overview", "personas"]);
    vi.useRealTimers();
  });
});
