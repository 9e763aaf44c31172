// A pipeline document as a positioned graph, left to right in topological layers; nodes that
// carry a `position` keep it. Small graphs use dagre (crossing reduction, straight edges); past
// DAGRE_MAX_NODES its crossing reduction grows too slow for the page (about 1 s for 1,000 nodes
// on a laptop core), so big graphs use a linear layered layout: longest-path layers, then two
// barycentre sweeps to order each layer. Pure, so it is unit tested and timed in the browser
// tests (1,000 nodes).
import dagre from "@dagrejs/dagre";

export type DocNode = { id: string; type: string; name?: string | null; config?: unknown; position?: { x: number; y: number } | null };
export type DocEdge = { id: string; from: string; to: string; condition?: string | null };
export type PipelineDoc = { nodes: DocNode[]; edges: DocEdge[] };

export const NODE_WIDTH = 180;
export const NODE_HEIGHT = 56;
const NODE_GAP = 24;
const RANK_GAP = 60;
const MARGIN = 20;
export const DAGRE_MAX_NODES = 150;

export type Placed = { id: string; x: number; y: number };

/** Positions for every node: its own when it has one and `keep` is set, else a computed one. */
export function layout(doc: PipelineDoc, keep = true): Map<string, Placed> {
  const placed = new Map<string, Placed>();
  const missing = doc.nodes.some((n) => !(keep && n.position));
  if (missing) {
    const computed = doc.nodes.length > DAGRE_MAX_NODES ? layered(doc) : withDagre(doc);
    for (const [id, p] of computed) placed.set(id, p);
  }
  if (keep) for (const n of doc.nodes) if (n.position) placed.set(n.id, { id: n.id, x: n.position.x, y: n.position.y });
  return placed;
}

function withDagre(doc: PipelineDoc): Map<string, Placed> {
  const placed = new Map<string, Placed>();
  const g = new dagre.graphlib.Graph();
  g.setGraph({ rankdir: "LR", nodesep: NODE_GAP, ranksep: RANK_GAP, marginx: MARGIN, marginy: MARGIN });
  g.setDefaultEdgeLabel(() => ({}));
  for (const n of doc.nodes) g.setNode(n.id, { width: NODE_WIDTH, height: NODE_HEIGHT });
  const ids = new Set(doc.nodes.map((n) => n.id));
  for (const e of doc.edges) if (ids.has(e.from) && ids.has(e.to) && e.from !== e.to) g.setEdge(e.from, e.to);
  dagre.layout(g);
  for (const n of doc.nodes) {
    const p = g.node(n.id) as { x: number; y: number } | undefined;
    if (p) placed.set(n.id, { id: n.id, x: p.x - NODE_WIDTH / 2, y: p.y - NODE_HEIGHT / 2 });
  }
  return placed;
}

/** Linear-time layered layout for big graphs; cycles (an invalid document) still get places. */
export function layered(doc: PipelineDoc): Map<string, Placed> {
  const index = new Map(doc.nodes.map((n, i) => [n.id, i]));
  const n = doc.nodes.length;
  const out: number[][] = Array.from({ length: n }, () => []);
  const inc: number[][] = Array.from({ length: n }, () => []);
  const indegree = new Array<number>(n).fill(0);
  for (const e of doc.edges) {
    const a = index.get(e.from);
    const b = index.get(e.to);
    if (a === undefined || b === undefined || a === b) continue;
    out[a]!.push(b);
    inc[b]!.push(a);
    indegree[b]!++;
  }
  // Longest path from the sources (Kahn's order); nodes on a cycle are placed after the rest.
  const layer = new Array<number>(n).fill(0);
  const queue: number[] = [];
  for (let i = 0; i < n; i++) if (indegree[i] === 0) queue.push(i);
  const seen = new Array<boolean>(n).fill(false);
  for (let head = 0; head < queue.length; head++) {
    const v = queue[head]!;
    seen[v] = true;
    for (const w of out[v]!) {
      layer[w] = Math.max(layer[w]!, layer[v]! + 1);
      if (--indegree[w]! === 0) queue.push(w);
    }
  }
  let deepest = layer.reduce((m, l) => Math.max(m, l), 0);
  for (let i = 0; i < n; i++) if (!seen[i]) layer[i] = ++deepest;

  const layers: number[][] = Array.from({ length: deepest + 1 }, () => []);
  for (let i = 0; i < n; i++) layers[layer[i]!]!.push(i);
  const position = new Array<number>(n).fill(0);
  const renumber = (row: number[]) => row.forEach((v, i) => (position[v] = i));
  layers.forEach(renumber);
  // Barycentre sweeps: down by predecessors, then up by successors.
  const sweep = (rows: number[][], neighbours: number[][]) => {
    for (const row of rows) {
      const key = new Map(row.map((v) => [v, neighbours[v]!.length ? neighbours[v]!.reduce((s, u) => s + position[u]!, 0) / neighbours[v]!.length : position[v]!]));
      row.sort((a, b) => key.get(a)! - key.get(b)!);
      renumber(row);
    }
  };
  sweep(layers.slice(1), inc);
  sweep(layers.slice(0, -1).reverse(), out);

  const tallest = layers.reduce((m, row) => Math.max(m, row.length), 0);
  const placed = new Map<string, Placed>();
  layers.forEach((row, l) => {
    const offset = ((tallest - row.length) * (NODE_HEIGHT + NODE_GAP)) / 2;
    row.forEach((v, i) => {
      const id = doc.nodes[v]!.id;
      placed.set(id, { id, x: MARGIN + l * (NODE_WIDTH + RANK_GAP), y: MARGIN + offset + i * (NODE_HEIGHT + NODE_GAP) });
    });
  });
  return placed;
}
