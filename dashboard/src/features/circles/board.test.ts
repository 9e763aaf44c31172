import { describe, expect, it } from "vitest";
import { groupTasks, stepText, taskActions } from "./board";
import type { CircleTask, TaskPriority, TaskStatus, TaskStep } from "./wire";

const task = (id: string, status: TaskStatus, priority: TaskPriority = "medium", created_at = "2026-01-01T00:00:00Z"): CircleTask => ({
  id,
  title: id,
  status,
  priority,
  created_at,
  updated_at: created_at,
  circle_id: "c-1",
  created_by: "u-1",
  description: "",
  competencies: [],
  resources: [],
  refused_by: [],
  iteration: 1,
});
const step = (s: Pick<TaskStep, "step" | "detail"> & Partial<TaskStep>): TaskStep => ({ id: "s-1", created_at: "2026-01-01T00:00:00Z", ...s });

describe("the task board", () => {
  it("groups tasks into the columns, claimed and in progress together", () => {
    const g = groupTasks([task("a", "open"), task("b", "claimed"), task("c", "in_progress"), task("d", "done"), task("e", "changes_requested"), task("f", "blocked"), task("g", "review"), task("h", "offered")]);
    expect(g["open"]?.map((t) => t.id)).toEqual(["a"]);
    expect(g["working"]?.map((t) => t.id)).toEqual(["b", "c"]);
    expect(g["changes"]?.map((t) => t.id)).toEqual(["e"]);
    expect(g["blocked"]?.map((t) => t.id)).toEqual(["f"]);
    expect(g["review"]?.map((t) => t.id)).toEqual(["g"]);
    expect(g["offered"]?.map((t) => t.id)).toEqual(["h"]);
    expect(g["done"]?.map((t) => t.id)).toEqual(["d"]);
  });

  it("puts the most urgent first, then the oldest", () => {
    const g = groupTasks([task("late-low", "open", "low"), task("new-crit", "open", "critical", "2026-02-01T00:00:00Z"), task("old-high", "open", "high"), task("new-high", "open", "high", "2026-03-01T00:00:00Z")]);
    expect(g["open"]?.map((t) => t.id)).toEqual(["new-crit", "old-high", "new-high", "late-low"]);
  });

  it("keeps a task of an unknown status on the board", () => {
    expect(groupTasks([task("x", "someday" as TaskStatus)])["open"]?.map((t) => t.id)).toEqual(["x"]);
  });

  it("offers the actions a status allows", () => {
    expect(taskActions("open")).toEqual(["route"]);
    expect(taskActions("offered")).toEqual(["accept", "refuse"]);
    expect(taskActions("review")).toEqual(["review"]);
    expect(taskActions("done")).toEqual([]);
  });
});

describe("a task's history", () => {
  it("says what happened, by which agent, with its details", () => {
    const names = new Map([["a-1", "ada"]]);
    expect(stepText(step({ step: "offered", agent_id: "a-1", detail: { score: 2.5 } }), names)).toBe("offered · @ada · score: 2.5");
    expect(stepText(step({ step: "changes_requested", detail: {} }), names)).toBe("changes requested");
    expect(stepText(step({ step: "refused", agent_id: "zz", detail: { reason: "busy" } }), names)).toBe("refused · reason: busy");
  });
});
