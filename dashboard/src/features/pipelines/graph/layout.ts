// A pipeline document as a positioned graph: dagre lays out nodes without a `position`
// (left to right, in topological layers); nodes that carry one keep it. Pure, so it is unit
// tested and timed in the browser tests (1,000 nodes).
import dagre from "@dagrejs/dagre";
import { layered } from "./layered";

export type DocNode = { id: string; type: string; name?: string | null; config?: unknown; position?: { x: number; y: number } | null };
export type DocEdge = { id: string; from: string; to: string; condition?: string | null };
export type PipelineDoc = { nodes: DocNode[]; edges: DocEdge[] };

export const NODE_WIDTH = 180;
export const NODE_HEIGHT = 56;

export type Placed = { id: string; x: number; y: number };

// Past either size dagre's layout is too slow for a page (see layered.ts).
const BIG_NODES = 250;
const BIG_EDGES = 500;

/** Positions for every node: its own when it has one and `keep` is set, else dagre's (layered.ts's for big documents). */
export function layout(doc: PipelineDoc, keep = true): Map<string, Placed> {
  const placed = new Map<string, Placed>();
  const missing = doc.nodes.filter((n) => !(keep && n.position));
  if (missing.length > 0 && (doc.nodes.length > BIG_NODES || doc.edges.length > BIG_EDGES)) {
    // dagre takes seconds on big, dense documents: a linear layered layout instead.
    const spacing = { width: NODE_WIDTH, height: NODE_HEIGHT, nodesep: 24, ranksep: 60, marginx: 20, marginy: 20 };
    for (const [id, p] of layered(doc.nodes.map((n) => n.id), doc.edges, spacing)) placed.set(id, { id, x: p.x, y: p.y });
  } else if (missing.length > 0) {
    const g = new dagre.graphlib.Graph();
    g.setGraph({ rankdir: "LR", nodesep: 24, ranksep: 60, marginx: 20, marginy: 20 });
    g.setDefaultEdgeLabel(() => ({}));
    for (const n of doc.nodes) g.setNode(n.id, { width: NODE_WIDTH, height: NODE_HEIGHT });
    const ids = new Set(doc.nodes.map((n) => n.id));
    for (const e of doc.edges) if (ids.has(e.from) && ids.has(e.to) && e.from !== e.to) g.setEdge(e.from, e.to);
    dagre.layout(g);
    for (const n of doc.nodes) {
      const p = g.node(n.id) as { x: number; y: number } | undefined;
      if (p) placed.set(n.id, { id: n.id, x: p.x - NODE_WIDTH / 2, y: p.y - NODE_HEIGHT / 2 });
    }
  }
  if (keep) for (const n of doc.nodes) if (n.position) placed.set(n.id, { id: n.id, x: n.position.x, y: n.position.y });
  return placed;
}
