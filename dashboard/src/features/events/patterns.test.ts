import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { KNOWN_EVENT_TYPES, KNOWN_FAMILIES, matchesTypes, parsePattern, parseTypes } from "./patterns";

describe("the known event types", () => {
  it("are the server's EVENT_TYPES, in order", () => {
    const source = readFileSync(resolve(process.cwd(), "../gathering/events/mod.rs"), "utf8");
    const table = source.slice(source.indexOf("const EVENT_TYPES"), source.indexOf("];", source.indexOf("const EVENT_TYPES")));
    const names = [...table.matchAll(/"([a-z_]+\.[a-z_]+)"/g)].map((m) => m[1]);
    expect(names.length).toBeGreaterThan(40);
    expect([...KNOWN_EVENT_TYPES]).toEqual(names);
  });
  it("give one family per prefix", () => {
    expect(KNOWN_FAMILIES).toContain("pipeline_run.*");
    expect(KNOWN_FAMILIES).toContain("pipeline.*");
    expect(new Set(KNOWN_FAMILIES).size).toBe(KNOWN_FAMILIES.length);
  });
});

describe("type patterns, as the server reads them", () => {
  const matches = (raw: string, type: string) => {
    const parsed = parseTypes(raw);
    expect(parsed.errors).toEqual([]);
    return matchesTypes(parsed.patterns, type);
  };

  it("`*` is every type", () => {
    expect(parsePattern("*")).toEqual({ kind: "all" });
    expect(matches("*", "schedule.fired")).toBe(true);
  });

  it("a family is every type starting with its name and a dot", () => {
    expect(matches("user.*", "user.created")).toBe(true);
    expect(matches("pipeline.*", "pipeline.updated")).toBe(true);
    expect(matches("pipeline.*", "pipeline_run.completed")).toBe(false);
    expect(matches("pipeline_run.*", "pipeline_node.started")).toBe(false);
  });

  it("anything else is one exact type", () => {
    expect(matches("api_key.created", "api_key.created")).toBe(true);
    expect(matches("api_key.created", "api_key.revoked")).toBe(false);
  });

  it("refuses what names no type, with the server's messages", () => {
    expect(parsePattern("user.deleted")).toEqual({ error: "unknown event type `user.deleted`" });
    expect(parsePattern("nope.*")).toEqual({ error: "no event types match `nope.*`" });
    expect(parsePattern(".*")).toHaveProperty("error");
    expect(parsePattern("user*")).toHaveProperty("error");
    expect(parsePattern("User.created")).toHaveProperty("error");
    expect(parsePattern("pipeline_run.*.*")).toHaveProperty("error");
  });

  it("splits on commas, trims, ignores empty parts, and is any-of", () => {
    const parsed = parseTypes(" user.* ,, api_key.revoked ,user.*");
    expect(parsed.errors).toEqual([]);
    expect(parsed.canonical).toEqual(["api_key.revoked", "user.*"]);
    expect(matchesTypes(parsed.patterns, "api_key.revoked")).toBe(true);
    expect(matchesTypes(parsed.patterns, "user.updated")).toBe(true);
    expect(matchesTypes(parsed.patterns, "api_key.created")).toBe(false);
  });

  it("with no pattern matches every type (no `types` parameter)", () => {
    const parsed = parseTypes(" , ");
    expect(parsed.patterns).toEqual([]);
    expect(matchesTypes(parsed.patterns, "agent.stream")).toBe(true);
  });

  it("takes toggles and free text together", () => {
    const parsed = parseTypes(["schedule.*", "user.created, bogus"]);
    expect(parsed.canonical).toEqual(["schedule.*", "user.created"]);
    expect(parsed.errors).toEqual(["unknown event type `bogus`"]);
  });
});
