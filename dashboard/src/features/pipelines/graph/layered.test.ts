import { describe, expect, it } from "vitest";
import { layered } from "./layered";
import { layout, NODE_WIDTH } from "./layout";

const spacing = { width: 100, height: 40, nodesep: 10, ranksep: 20, marginx: 5, marginy: 5 };

describe("the layered layout of big documents", () => {
  it("puts each node one layer after its furthest predecessor", () => {
    const p = layered(["a", "b", "c", "d"], [{ from: "a", to: "b" }, { from: "b", to: "c" }, { from: "a", to: "c" }, { from: "a", to: "d" }], spacing);
    expect(p.get("a")!.x).toBe(5);
    expect(p.get("b")!.x).toBe(125);
    expect(p.get("d")!.x).toBe(125);
    expect(p.get("c")!.x).toBe(245);
  });

  it("never puts two nodes of a layer in the same place", () => {
    const ids = ["s", ...Array.from({ length: 30 }, (_, i) => `n${i}`)];
    const p = layered(ids, ids.slice(1).map((id) => ({ from: "s", to: id })), spacing);
    const ys = new Set(ids.slice(1).map((id) => p.get(id)!.y));
    expect(ys.size).toBe(30);
  });

  it("orders a layer by its predecessors, so parallel chains do not cross", () => {
    const p = layered(["a", "b", "a2", "b2"], [{ from: "a", to: "a2" }, { from: "b", to: "b2" }], spacing);
    expect(Math.sign(p.get("a2")!.y - p.get("b2")!.y)).toBe(Math.sign(p.get("a")!.y - p.get("b")!.y));
  });

  it("places every node of a cycle and ignores unknown ends and self-loops", () => {
    const p = layered(["a", "b", "c"], [{ from: "a", to: "b" }, { from: "b", to: "c" }, { from: "c", to: "b" }, { from: "a", to: "ghost" }, { from: "a", to: "a" }], spacing);
    expect(p.size).toBe(3);
  });

  it("lays out a dense 1,000-node document through layout() quickly", () => {
    const nodes = [{ id: "start", type: "trigger" }];
    const edges: { id: string; from: string; to: string }[] = [];
    let previous = ["start"];
    while (nodes.length < 1000) {
      const layer: string[] = [];
      for (let j = 0; j < 40 && nodes.length < 1000; j++) {
        const id = `n${nodes.length}`;
        nodes.push({ id, type: "transform" });
        layer.push(id);
        edges.push({ id: `e${edges.length}`, from: previous[j % previous.length]!, to: id });
        edges.push({ id: `e${edges.length}`, from: previous[(j + 1) % previous.length]!, to: id });
      }
      previous = layer;
    }
    const placed = layout({ nodes, edges });
    expect(placed.size).toBe(1000);
    expect(placed.get("n1")!.x).toBeGreaterThan(placed.get("start")!.x + NODE_WIDTH);
  });
});
