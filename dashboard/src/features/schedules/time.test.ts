import { describe, expect, it } from "vitest";
import { fireRows, formatInZone, relative, timeZones } from "./time";

describe("formatInZone", () => {
  it("shows one instant in each zone, with the zone's abbreviation", () => {
    const iso = "2026-07-01T12:00:03Z";
    expect(formatInZone(iso, "UTC")).toBe("2026-07-01 12:00:03 UTC");
    expect(formatInZone(iso, "Europe/Paris")).toBe("2026-07-01 14:00:03 CEST");
    expect(formatInZone(iso, "America/New_York")).toBe("2026-07-01 08:00:03 GMT-4");
  });
  it("follows daylight saving time", () => {
    expect(formatInZone("2026-01-15T08:00:00Z", "Europe/Paris")).toBe("2026-01-15 09:00:00 CET");
  });
  it("passes through what is not a time", () => {
    expect(formatInZone("never", "UTC")).toBe("never");
  });
});

describe("fireRows", () => {
  it("gives each fire time in the reader's zone and the schedule's", () => {
    const rows = fireRows(["2026-03-29T00:30:00Z", "2026-03-29T01:30:00Z"], "Europe/Paris", "Asia/Tokyo");
    expect(rows).toEqual([
      { iso: "2026-03-29T00:30:00Z", local: "2026-03-29 09:30:00 GMT+9", zoned: "2026-03-29 01:30:00 CET", sameZone: false },
      { iso: "2026-03-29T01:30:00Z", local: "2026-03-29 10:30:00 GMT+9", zoned: "2026-03-29 03:30:00 CEST", sameZone: false },
    ]);
    expect(fireRows(["2026-03-29T00:30:00Z"], "UTC", "UTC")[0]!.sameZone).toBe(true);
  });
});

describe("relative and zones", () => {
  it("says how far an instant is", () => {
    const now = Date.parse("2026-01-01T00:00:00Z");
    expect(relative("2026-01-01T00:00:03Z", now)).toBe("in 3 s");
    expect(relative("2025-12-31T23:55:00Z", now)).toBe("5 min ago");
  });
  it("lists UTC first and once", () => {
    const zones = timeZones();
    expect(zones[0]).toBe("UTC");
    expect(zones.filter((z) => z === "UTC")).toHaveLength(1);
  });
});
