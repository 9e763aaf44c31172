import { describe, expect, it } from "vitest";
import { elapsed, formatDuration, parseTriggerData, pretty } from "./format";

describe("run formatting", () => {
  it("formats durations", () => {
    expect(formatDuration(250)).toBe("250 ms");
    expect(formatDuration(1500)).toBe("1.5 s");
    expect(formatDuration(184_000)).toBe("3 min 4 s");
    expect(formatDuration(7_500_000)).toBe("2 h 5 min");
    expect(formatDuration(-1)).toBe("—");
  });

  it("measures a live duration until now", () => {
    expect(elapsed("2026-01-01T00:00:00Z", null, Date.parse("2026-01-01T00:00:02Z"))).toBe("2.0 s");
    expect(elapsed(null, null)).toBe("—");
  });

  it("accepts a JSON object as trigger data, and blank as {}", () => {
    expect(parseTriggerData('{"n": 7}')).toEqual({ ok: true, value: { n: 7 } });
    expect(parseTriggerData("  ")).toEqual({ ok: true, value: {} });
  });

  it("refuses what is not JSON, and JSON that is not an object", () => {
    expect(parseTriggerData("{n: 7}").ok).toBe(false);
    for (const text of ["[1]", "null", "7", '"x"']) {
      const parsed = parseTriggerData(text);
      expect(parsed.ok).toBe(false);
      if (!parsed.ok) expect(parsed.error).toMatch(/object/);
    }
  });

  it("cuts long values", () => {
    expect(pretty("x".repeat(50), 10)).toMatch(/more characters/);
    expect(pretty(undefined)).toBe("—");
  });
});
