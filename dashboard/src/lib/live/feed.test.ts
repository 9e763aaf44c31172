import { describe, expect, it } from "vitest";
import { backoffDelay, SeqTracker } from "./feed";
import { staleKeys } from "./invalidate";

describe("SeqTracker", () => {
  it("delivers each durable event once across a resume", () => {
    const tracker = new SeqTracker(10);
    const delivered = [11, 12, 12, 11, 13, 13, 14].filter((seq) => tracker.accept(seq));
    expect(delivered).toEqual([11, 12, 13, 14]);
    expect(tracker.since).toBe(14);
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
  it("maps a run event to the runs and the overview", () => {
    expect(staleKeys("pipeline_run.completed")).toEqual([["events"], ["runs"], ["overview"]]);
    expect(staleKeys("pipeline.created")).toContainEqual(["pipelines"]);
  });
});
