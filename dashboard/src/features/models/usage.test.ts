import { describe, expect, it } from "vitest";
import { daySeries, formatCost, groupSeries, rangeSince, totals, type UsageRow } from "./usage";

const row = (key: string | null, calls: number, cost = 0, prompt = 10, completion = 5): UsageRow => ({ key, calls, errors: 0, prompt_tokens: prompt, completion_tokens: completion, cost_usd: cost });
const now = new Date("2026-11-23T15:04:05Z");

describe("rangeSince", () => {
  it("starts at UTC midnight, today or days back", () => {
    expect(rangeSince("today", now)).toBe("2026-11-23T00:00:00.000Z");
    expect(rangeSince("7d", now)).toBe("2026-11-17T00:00:00.000Z");
    expect(rangeSince("30d", now)).toBe("2026-10-25T00:00:00.000Z");
  });
});

describe("daySeries", () => {
  it("has every day of the range, oldest first, zeros where nothing was called", () => {
    const series = daySeries([row("2026-11-23", 4, 0.5), row("2026-11-20", 1)], "7d", now);
    expect(series.map((p) => p.label)).toEqual(["2026-11-17", "2026-11-18", "2026-11-19", "2026-11-20", "2026-11-21", "2026-11-22", "2026-11-23"]);
    expect(series[3]).toEqual({ label: "2026-11-20", calls: 1, errors: 0, prompt_tokens: 10, completion_tokens: 5, tokens: 15, cost_usd: 0 });
    expect(series[6]!.cost_usd).toBe(0.5);
    expect(series[0]!.calls).toBe(0);
  });
  it("is one day for today", () => {
    expect(daySeries([], "today", now)).toHaveLength(1);
  });
  it("crosses a month end", () => {
    expect(daySeries([], "30d", now)[6]!.label).toBe("2026-10-31");
  });
});

describe("groupSeries", () => {
  it("puts the costliest first, then the busiest, and names keys", () => {
    const series = groupSeries([row("a", 1, 0), row("b", 9, 0), row("c", 1, 2), row(null, 3)], (k) => (k ? k.toUpperCase() : "nobody"));
    expect(series.map((p) => p.label)).toEqual(["C", "B", "nobody", "A"]);
  });
  it("sums a series", () => {
    const t = totals(groupSeries([row("a", 1, 0.25), row("b", 2, 0.5)]));
    expect(t).toMatchObject({ calls: 3, tokens: 30, cost_usd: 0.75 });
  });
});

describe("formatCost", () => {
  it("keeps small amounts readable", () => {
    expect(formatCost(0)).toBe("$0");
    expect(formatCost(0.0017295)).toBe("$0.0017");
    expect(formatCost(12.345)).toBe("$12.35");
  });
});
