import { describe, expect, it } from "vitest";
import { staleKeys } from "./invalidate";

describe("stale keys", () => {
  it("a circle's durable events make the circles' queries stale; its stream does not", () => {
    expect(staleKeys("circle.member_added")).toContainEqual(["circles"]);
    expect(staleKeys("circle.task_offered")).toContainEqual(["circles"]);
    expect(staleKeys("circle.stream", false)).toEqual([]);
  });
});
