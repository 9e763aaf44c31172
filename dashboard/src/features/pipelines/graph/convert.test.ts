import { describe, expect, it } from "vitest";
import { docToFlow, flowToDoc, linkEdge, nextEdgeId, nextNodeId, parseDocument, pinProblems, type PipelineDocument } from "./convert";

const doc: PipelineDocument = {
  name: "branching",
  description: "a branch and a join",
  status: "active",
  nodes: [
    { id: "start", type: "trigger", name: "Start", config: { trigger_type: "manual" }, position: { x: 0, y: 100 } },
    { id: "shape", type: "transform", config: { expression: "{'n': 1}" }, position: { x: 220, y: 100 } },
    { id: "big", type: "condition", config: { condition: "input.n > 0" }, position: { x: 440, y: 100 } },
    { id: "yes", type: "transform", config: { expression: "'yes'" }, position: { x: 660, y: 0 } },
    { id: "no", type: "transform", config: { expression: "'no'" }, position: { x: 660, y: 200 }, description: "kept" },
    { id: "join", type: "merge", config: { strategy: "object" }, position: { x: 880, y: 100 } },
  ],
  edges: [
    { id: "e1", from: "start", to: "shape" },
    { id: "e2", from: "shape", to: "big" },
    { id: "e3", from: "big", to: "yes", condition: "input.result" },
    { id: "e4", from: "big", to: "no", condition: "!input.result", label: "otherwise" },
    { id: "e5", from: "yes", to: "join" },
    { id: "e6", from: "no", to: "join" },
  ],
  settings: { max_parallel: 4 },
};

describe("document <-> graph", () => {
  it("round trips ids, config, positions, edge conditions and other keys", () => {
    const { meta, nodes, edges } = docToFlow(doc);
    expect(nodes.map((n) => n.id)).toEqual(["start", "shape", "big", "yes", "no", "join"]);
    expect(edges.find((e) => e.id === "e3")?.data?.condition).toBe("input.result");
    expect(flowToDoc(meta, nodes, edges)).toEqual(doc);
  });

  it("lays out nodes without a position and writes the position back", () => {
    const bare: PipelineDocument = { name: "p", nodes: [{ id: "a", type: "trigger" }, { id: "b", type: "transform", config: { expression: "1" } }], edges: [{ id: "x", from: "a", to: "b" }] };
    const { meta, nodes, edges } = docToFlow(bare);
    const out = flowToDoc(meta, nodes, edges);
    expect(out.nodes[0]!.position).toBeDefined();
    expect(out.nodes[1]!.position!.x).toBeGreaterThan(out.nodes[0]!.position!.x);
    expect(out.nodes[1]!.config).toEqual({ expression: "1" });
  });

  it("reads the original's edge keys and numeric ids", () => {
    const original = { name: "o", nodes: [{ id: 1, type: "trigger" }, { id: 2, type: "delay", config: { seconds: 1 } }], edges: [{ from_node: 1, to_node: 2 }] } as unknown as PipelineDocument;
    const { nodes, edges } = docToFlow(original);
    expect(nodes.map((n) => n.id)).toEqual(["1", "2"]);
    expect(edges[0]).toMatchObject({ id: "edge-0", source: "1", target: "2" });
  });
});

describe("parseDocument", () => {
  it("accepts a document and explains what the canvas cannot show", () => {
    expect(parseDocument(JSON.stringify(doc))).toEqual({ doc });
    expect(parseDocument("{")).toHaveProperty("error");
    expect(parseDocument("[]")).toEqual({ error: "a pipeline is a JSON object" });
    expect(parseDocument('{"nodes": [{"type": "trigger"}]}')).toEqual({ error: "nodes[0] needs an id" });
    expect(parseDocument('{"nodes": [], "edges": [{"from": "a"}]}')).toEqual({ error: "edges[0] needs from and to" });
  });
});

describe("pinProblems", () => {
  const edges = [
    { id: "e1", source: "t", target: "a" },
    { id: "e2", source: "a", target: "b" },
    { id: "back", source: "b", target: "a" },
  ];
  const nodes = new Set(["t", "a", "b"]);

  it("pins a cycle on the edges around it, not on a node", () => {
    const cycle = { code: "cycle", message: "a cycle of 2 nodes: a -> b -> a", node_id: "a", cycle: ["a", "b", "a"] };
    const pins = pinProblems([cycle], edges, nodes);
    expect([...pins.edges.keys()].sort()).toEqual(["back", "e2"]);
    expect(pins.edges.get("back")).toEqual([cycle]);
    expect(pins.nodes.size).toBe(0);
    expect(pins.general).toEqual([]);
  });

  it("pins by edge id, then node id, else in the general list", () => {
    const onEdge = { code: "bad_expression", message: "x", edge_id: "e1", node_id: "t" };
    const onNode = { code: "invalid_config", message: "y", node_id: "a" };
    const gone = { code: "unknown_type", message: "z", node_id: "ghost" };
    const general = { code: "no_trigger", message: "w" };
    const pins = pinProblems([onEdge, onNode, gone, general], edges, nodes);
    expect(pins.edges.get("e1")).toEqual([onEdge]);
    expect(pins.nodes.get("a")).toEqual([onNode]);
    expect(pins.general).toEqual([gone, general]);
  });

  it("falls back to the node when no edge of the cycle is on the canvas", () => {
    const cycle = { code: "cycle", message: "c", node_id: "a", cycle: ["a", "z", "a"] };
    expect(pinProblems([cycle], edges, nodes).nodes.get("a")).toEqual([cycle]);
  });
});

describe("new ids", () => {
  it("takes the first free number", () => {
    expect(nextNodeId("transform", new Set(["transform-1", "transform-3"]))).toBe("transform-2");
    expect(nextEdgeId(new Set(["e1", "e2"]))).toBe("e3");
    expect(linkEdge("e9", "a", "b").data).toEqual({ condition: "", label: "", extra: {} });
  });
});
