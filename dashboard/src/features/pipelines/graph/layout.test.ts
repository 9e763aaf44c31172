import { describe, expect, it } from "vitest";
import { layout, type PipelineDoc } from "./layout";

function chain(n: number): PipelineDoc {
  const nodes = Array.from({ length: n }, (_, i) => ({ id: `n${i}`, type: i === 0 ? "trigger" : "transform" }));
  const edges = nodes.slice(1).map((node, i) => ({ id: `e${i}`, from: `n${i}`, to: node.id }));
  return { nodes, edges };
}

describe("layout", () => {
  it("places every node, each after the one before it", () => {
    const placed = layout(chain(5));
    expect(placed.size).toBe(5);
    for (let i = 1; i < 5; i++) expect(placed.get(`n${i}`)!.x).toBeGreaterThan(placed.get(`n${i - 1}`)!.x);
  });
  it("keeps a node's own position", () => {
    const doc = chain(3);
    doc.nodes[1]!.position = { x: 999, y: 7 };
    expect(layout(doc).get("n1")).toEqual({ id: "n1", x: 999, y: 7 });
  });
  it("survives edges to unknown nodes and self-loops", () => {
    const doc = chain(2);
    doc.edges.push({ id: "x", from: "n1", to: "ghost" }, { id: "y", from: "n1", to: "n1" });
    expect(layout(doc).size).toBe(2);
  });
});

describe("layered (big graphs)", () => {
  function tree(count: number): PipelineDoc {
    const nodes = Array.from({ length: count }, (_, i) => ({ id: `n${i}`, type: i === 0 ? "trigger" : "transform" }));
    const edges = nodes.slice(1).map((node, i) => ({ id: `e${i}`, from: `n${Math.floor(i / 4)}`, to: node.id }));
    return { nodes, edges };
  }
  it("puts every edge's target in a later layer and no two nodes in one place", () => {
    const doc = tree(1000);
    const placed = layout(doc);
    expect(placed.size).toBe(1000);
    for (const e of doc.edges) expect(placed.get(e.to)!.x).toBeGreaterThan(placed.get(e.from)!.x);
    const spots = new Set([...placed.values()].map((p) => `${p.x},${p.y}`));
    expect(spots.size).toBe(1000);
  });
  it("places the nodes of a cycle too", () => {
    const doc = tree(200);
    doc.edges.push({ id: "back", from: "n150", to: "n1" });
    expect(layout(doc).size).toBe(200);
  });
});
