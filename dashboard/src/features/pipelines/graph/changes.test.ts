import { describe, expect, it } from "vitest";
import { changedPaths, describeItem, isEmptyDiff, show } from "./changes";

describe("changedPaths", () => {
  it("lists the leaves that differ", () => {
    const before = { id: "x", type: "transform", config: { expression: "1", timeout_seconds: 5 } };
    const after = { id: "x", type: "transform", config: { expression: "2" }, name: "X" };
    expect(changedPaths(before, after)).toEqual([
      { path: "config.expression", before: "1", after: "2" },
      { path: "config.timeout_seconds", before: 5, after: undefined },
      { path: "name", before: undefined, after: "X" },
    ]);
  });
  it("compares lists whole", () => {
    expect(changedPaths({ a: [1, 2] }, { a: [1, 3] })).toEqual([{ path: "a", before: [1, 2], after: [1, 3] }]);
    expect(changedPaths({ a: [1] }, { a: [1] })).toEqual([]);
  });
});

describe("readable diff pieces", () => {
  it("shows values and items briefly", () => {
    expect(show(undefined)).toBe("—");
    expect(show("a".repeat(100), 10)).toHaveLength(10);
    expect(describeItem({ id: "e1", from: "a", to: "b", condition: "input.ok" })).toBe("e1: a → b if input.ok");
    expect(describeItem({ id: "t", type: "trigger" })).toBe("t (trigger)");
    const none = { added: [], removed: [], changed: [] };
    expect(isEmptyDiff({ nodes: none, edges: none, fields: {} })).toBe(true);
    expect(isEmptyDiff({ nodes: none, edges: none, fields: { name: { before: "a", after: "b" } } })).toBe(false);
  });
});
