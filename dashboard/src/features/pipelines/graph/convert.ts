// A pipeline document <-> the editor's graph (React Flow nodes and edges), and validation
// problems pinned on the nodes and edges they are about. Pure: unit tested, no React here.
// The document keeps everything the canvas does not show (unknown keys included, so the
// validator still reports them): what goes in comes back out.
import type { Edge, Node } from "@xyflow/react";
import { NODE_HEIGHT, NODE_WIDTH, layout, type PipelineDoc } from "./layout";

/** A pipeline document as the editor handles it: the format of docs/pipelines.md. */
export type PipelineDocument = {
  name?: string;
  description?: string;
  status?: string;
  nodes: DocumentNode[];
  edges: DocumentEdge[];
  settings?: Record<string, unknown>;
  [key: string]: unknown;
};
export type DocumentNode = { id: string; type: string; name?: string | null; config?: unknown; position?: { x: number; y: number } | null; [key: string]: unknown };
export type DocumentEdge = { id: string; from: string; to: string; condition?: string | null; label?: string | null; [key: string]: unknown };

/** One problem the validator reported (`POST /api/pipelines/validate`, or a refused save). */
export type Problem = { code: string; message: string; node_id?: string | null; edge_id?: string | null; path?: string | null; cycle?: string[] | null };

export type StepData = {
  /** The node's type (trigger, agent, ...). */
  kind: string;
  name: string;
  config: unknown;
  /** Keys of the node the editor does not show, kept as they were. */
  extra: Record<string, unknown>;
};
export type LinkData = { condition: string; label: string; extra: Record<string, unknown> };
export type StepNode = Node<StepData, "step">;
export type LinkEdge = Edge<LinkData, "link">;

/** Everything in a document but its nodes and edges. */
export type DocumentMeta = { name?: string; description?: string; status?: string; settings?: Record<string, unknown>; [key: string]: unknown };

const NODE_KEYS = new Set(["id", "type", "name", "config", "position"]);
const EDGE_KEYS = new Set(["id", "from", "to", "from_node", "to_node", "condition", "label"]);

function rest(obj: Record<string, unknown>, known: Set<string>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(obj)) if (!known.has(k)) out[k] = v;
  return out;
}

function idText(value: unknown): string {
  return typeof value === "number" ? String(value) : typeof value === "string" ? value : "";
}

export function stepNode(id: string, kind: string, position: { x: number; y: number }, data: Partial<StepData> = {}): StepNode {
  return {
    id,
    type: "step",
    position,
    width: NODE_WIDTH,
    height: NODE_HEIGHT,
    data: { kind, name: data.name ?? "", config: data.config, extra: data.extra ?? {} },
  };
}

export function linkEdge(id: string, source: string, target: string, data: Partial<LinkData> = {}): LinkEdge {
  return { id, source, target, type: "link", data: { condition: data.condition ?? "", label: data.label ?? "", extra: data.extra ?? {} } };
}

/** The graph of a document: nodes keep their `position`; the others are laid out by dagre. */
export function docToFlow(doc: PipelineDocument): { meta: DocumentMeta; nodes: StepNode[]; edges: LinkEdge[] } {
  const { nodes: rawNodes, edges: rawEdges, ...meta } = doc;
  const nodes = (rawNodes ?? []).map((n) => ({ ...n, id: idText(n.id) }));
  const edges = (rawEdges ?? []).map((e, i) => {
    const raw = e as Record<string, unknown>;
    return {
      ...e,
      id: raw["id"] === undefined ? `edge-${i}` : idText(raw["id"]),
      from: idText(raw["from"] ?? raw["from_node"]),
      to: idText(raw["to"] ?? raw["to_node"]),
    };
  });
  const placed = layout({ nodes, edges } as PipelineDoc);
  return {
    meta,
    nodes: nodes.map((n) => {
      const p = placed.get(n.id) ?? { x: 0, y: 0 };
      return stepNode(n.id, n.type, { x: p.x, y: p.y }, {
        name: typeof n.name === "string" ? n.name : "",
        config: n.config,
        extra: rest(n, NODE_KEYS),
      });
    }),
    edges: edges.map((e) =>
      linkEdge(e.id, e.from, e.to, {
        condition: typeof e.condition === "string" ? e.condition : typeof e.condition === "boolean" ? String(e.condition) : "",
        label: typeof e.label === "string" ? e.label : "",
        extra: rest(e, EDGE_KEYS),
      }),
    ),
  };
}

/** The document of a graph: `meta` first (name, description, status), then nodes and edges. */
export function flowToDoc(meta: DocumentMeta, nodes: StepNode[], edges: LinkEdge[]): PipelineDocument {
  const { name, description, status, ...others } = meta;
  const head: Record<string, unknown> = {};
  if (name !== undefined) head["name"] = name;
  if (description !== undefined) head["description"] = description;
  if (status !== undefined) head["status"] = status;
  return {
    ...head,
    nodes: nodes.map((n) => {
      const out: DocumentNode = { id: n.id, type: n.data.kind };
      if (n.data.name) out.name = n.data.name;
      if (n.data.config !== undefined) out.config = n.data.config;
      out.position = { x: Math.round(n.position.x), y: Math.round(n.position.y) };
      return { ...out, ...n.data.extra };
    }),
    edges: edges.map((e) => {
      const out: DocumentEdge = { id: e.id, from: e.source, to: e.target };
      if (e.data?.condition) out.condition = e.data.condition;
      if (e.data?.label) out.label = e.data.label;
      return { ...out, ...(e.data?.extra ?? {}) };
    }),
    ...others,
  } as PipelineDocument;
}

/** Reads the JSON view: a document the canvas can show, or why not. */
export function parseDocument(text: string): { doc: PipelineDocument } | { error: string } {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    return { error: e instanceof Error ? e.message : "not JSON" };
  }
  if (!value || typeof value !== "object" || Array.isArray(value)) return { error: "a pipeline is a JSON object" };
  const doc = value as Record<string, unknown>;
  const nodes = doc["nodes"] ?? [];
  const edges = doc["edges"] ?? [];
  if (!Array.isArray(nodes)) return { error: "nodes is a list" };
  if (!Array.isArray(edges)) return { error: "edges is a list" };
  for (const [i, n] of nodes.entries()) {
    const node = n as Record<string, unknown> | null;
    if (!node || typeof node !== "object" || Array.isArray(node)) return { error: `nodes[${i}] is not an object` };
    if (idText(node["id"]) === "") return { error: `nodes[${i}] needs an id` };
    if (typeof node["type"] !== "string") return { error: `nodes[${i}] needs a type` };
    const p = node["position"] as Record<string, unknown> | null | undefined;
    if (p !== undefined && p !== null && (typeof p !== "object" || typeof p["x"] !== "number" || typeof p["y"] !== "number")) return { error: `nodes[${i}].position is {x, y}` };
  }
  for (const [i, e] of edges.entries()) {
    const edge = e as Record<string, unknown> | null;
    if (!edge || typeof edge !== "object" || Array.isArray(edge)) return { error: `edges[${i}] is not an object` };
    if (idText(edge["from"] ?? edge["from_node"]) === "" || idText(edge["to"] ?? edge["to_node"]) === "") return { error: `edges[${i}] needs from and to` };
  }
  return { doc: { ...doc, nodes, edges } as PipelineDocument };
}

export type Pins = { nodes: Map<string, Problem[]>; edges: Map<string, Problem[]>; general: Problem[] };

function push(map: Map<string, Problem[]>, id: string, problem: Problem): void {
  const list = map.get(id);
  if (list) list.push(problem);
  else map.set(id, [problem]);
}

/**
 * Where each problem shows: a cycle (reported as the node ids around it) on every edge that
 * joins two consecutive ids of it; a problem with an edge id on that edge; one with a node id
 * on that node; the rest in the general list.
 */
export function pinProblems(problems: Problem[], edges: { id: string; source: string; target: string }[], nodeIds: Set<string>): Pins {
  const pins: Pins = { nodes: new Map(), edges: new Map(), general: [] };
  const edgeIds = new Set(edges.map((e) => e.id));
  const byPair = new Map<string, string[]>();
  for (const e of edges) {
    const key = `${e.source}\u0000${e.target}`;
    byPair.set(key, [...(byPair.get(key) ?? []), e.id]);
  }
  for (const problem of problems) {
    if (problem.code === "cycle" && problem.cycle && problem.cycle.length >= 2) {
      let pinned = false;
      for (let i = 0; i + 1 < problem.cycle.length; i++) {
        for (const id of byPair.get(`${problem.cycle[i]}\u0000${problem.cycle[i + 1]}`) ?? []) {
          push(pins.edges, id, problem);
          pinned = true;
        }
      }
      if (pinned) continue;
    }
    if (problem.edge_id && edgeIds.has(problem.edge_id)) push(pins.edges, problem.edge_id, problem);
    else if (problem.node_id && nodeIds.has(problem.node_id)) push(pins.nodes, problem.node_id, problem);
    else pins.general.push(problem);
  }
  return pins;
}

/** A fresh node id for a type: `transform-1`, `transform-2`, ... */
export function nextNodeId(kind: string, taken: Set<string>): string {
  const base = kind.replace(/[^A-Za-z0-9_.:-]/g, "_") || "node";
  for (let n = 1; ; n++) if (!taken.has(`${base}-${n}`)) return `${base}-${n}`;
}

/** A fresh edge id: `e1`, `e2`, ... */
export function nextEdgeId(taken: Set<string>): string {
  for (let n = 1; ; n++) if (!taken.has(`e${n}`)) return `e${n}`;
}
