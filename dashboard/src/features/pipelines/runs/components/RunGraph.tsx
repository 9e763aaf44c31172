// The run's pipeline as a read-only graph, laid out once by graph/layout.ts, each node
// coloured (and labelled) by its live status. Built for 1,000 nodes: only the visible nodes and
// edges are in the DOM, a node re-renders only when its own state object changes (the reducer
// keeps the others' identity), and a big graph opens on its start instead of fitting it all.
import "@xyflow/react/dist/style.css";
import { createContext, memo, useCallback, useContext, useEffect, useMemo, useRef, useState } from "react";
import { Background, Controls, Handle, MiniMap, Position, ReactFlow, type Edge, type Node, type NodeProps, type ReactFlowInstance } from "@xyflow/react";
import { layout, NODE_HEIGHT, NODE_WIDTH, type PipelineDoc } from "@/features/pipelines/graph/layout";
import { useTheme } from "@/app/theme";
import type { NodeState, NodeStatus, RunState } from "../state";

type RunNodeData = { name: string; nodeType: string; state: NodeState | undefined };
type RunFlowNode = Node<RunNodeData, "run">;

export const statusStyle: Record<NodeStatus, string> = {
  pending: "border-slate-300 bg-white text-slate-700 dark:border-slate-600 dark:bg-slate-900 dark:text-slate-300",
  running: "border-blue-500 bg-blue-50 text-blue-900 ring-2 ring-blue-300 dark:bg-blue-950 dark:text-blue-100 dark:ring-blue-800",
  waiting: "border-amber-500 bg-amber-50 text-amber-900 ring-2 ring-amber-300 dark:bg-amber-950 dark:text-amber-100 dark:ring-amber-800",
  completed: "border-green-600 bg-green-50 text-green-900 dark:bg-green-950 dark:text-green-100",
  failed: "border-red-600 bg-red-50 text-red-900 dark:bg-red-950 dark:text-red-100",
  skipped: "border-dashed border-slate-400 bg-slate-100 text-slate-500 dark:bg-slate-800 dark:text-slate-400",
  cancelled: "border-zinc-500 bg-zinc-100 text-zinc-700 dark:bg-zinc-800 dark:text-zinc-300",
};

export const minimapColour: Record<NodeStatus, string> = {
  pending: "#cbd5e1",
  running: "#3b82f6",
  waiting: "#f59e0b",
  completed: "#16a34a",
  failed: "#dc2626",
  skipped: "#94a3b8",
  cancelled: "#71717a",
};

const OpenNode = createContext<(id: string) => void>(() => undefined);

const RunNodeView = memo(function RunNodeView({ id, data, selected }: NodeProps<RunFlowNode>) {
  const open = useContext(OpenNode);
  const status = data.state?.status ?? "pending";
  const attempts = data.state?.attempts ?? 0;
  return (
    <>
      <Handle type="target" position={Position.Left} isConnectable={false} className="!h-1.5 !w-1.5 !min-w-0 !border-0 !bg-slate-400" />
      <button
        type="button"
        onClick={() => open(id)}
        data-testid={`run-node-${id}`}
        data-status={status}
        aria-label={`${data.name} (${data.nodeType}): ${status}`}
        aria-pressed={selected}
        style={{ width: NODE_WIDTH, height: NODE_HEIGHT }}
        className={`flex flex-col justify-center rounded-md border px-2 text-left text-xs shadow-sm ${statusStyle[status]} ${selected ? "outline-2 outline-indigo-500" : ""}`}
      >
        <span className="truncate font-medium">{data.name}</span>
        <span className="flex justify-between gap-1 opacity-80">
          <span className="truncate">{data.nodeType}</span>
          <span>
            {status}
            {attempts > 1 ? ` ×${attempts}` : ""}
          </span>
        </span>
      </button>
      <Handle type="source" position={Position.Right} isConnectable={false} className="!h-1.5 !w-1.5 !min-w-0 !border-0 !bg-slate-400" />
    </>
  );
});

const nodeTypes = { run: RunNodeView };

// A node object changes only when its state or selection does, so memo() skips the others: the
// last object made for each laid-out node, kept as long as that node (a new layout, new keys).
const made = new WeakMap<RunFlowNode, { state: NodeState | undefined; selected: boolean; node: RunFlowNode }>();

function withState(base: RunFlowNode, state: NodeState | undefined, selected: boolean): RunFlowNode {
  const hit = made.get(base);
  if (hit && hit.state === state && hit.selected === selected) return hit.node;
  const node: RunFlowNode = { ...base, selected, data: { ...base.data, state } };
  made.set(base, { state, selected, node });
  return node;
}

/** Graphs up to this size open fitted whole (with a mini-map); bigger ones open on their start. */
const SMALL = 80;
const FIT_SMALL = { padding: 0.15, maxZoom: 1.2 };

export function RunGraph({ doc, state, selected, onOpen }: { doc: PipelineDoc; state: RunState; selected: string | null; onOpen: (id: string) => void }) {
  const theme = useTheme((t) => t.theme);

  // Laid out once per document: statuses never move a node.
  const { base, edges, firstNodes } = useMemo(() => {
    const placed = layout(doc);
    const small = doc.nodes.length <= SMALL;
    const base: RunFlowNode[] = doc.nodes.map((n) => ({
      id: n.id,
      type: "run",
      position: placed.get(n.id) ?? { x: 0, y: 0 },
      width: NODE_WIDTH,
      height: NODE_HEIGHT,
      draggable: false,
      connectable: false,
      data: { name: n.name || n.id, nodeType: n.type, state: undefined },
    }));
    const edges: Edge[] = doc.edges.map((e, i) => ({
      id: e.id || `${e.from}->${e.to}#${i}`,
      source: e.from,
      target: e.to,
      focusable: false,
      ...(small && e.condition ? { label: e.condition } : {}),
    }));
    const firstNodes = small ? undefined : [...base].sort((a, b) => a.position.x - b.position.x || a.position.y - b.position.y).slice(0, 12).map((n) => ({ id: n.id }));
    return { base, edges, firstNodes };
  }, [doc]);

  const nodes = useMemo(() => base.map((b) => withState(b, state.nodes[b.id], b.id === selected)), [base, state.nodes, selected]);

  // Ready on the first frame after React Flow placed the viewport: the nodes are on screen.
  // `data-ready-ms` is when, in ms since the page's navigation began (the browser tests read it).
  const [readyAt, setReadyAt] = useState<number | null>(null);
  const [flow, setFlow] = useState<ReactFlowInstance<RunFlowNode> | null>(null);
  const handleInit = useCallback((instance: ReactFlowInstance<RunFlowNode>) => {
    setFlow(instance);
    requestAnimationFrame(() => setReadyAt(Math.round(performance.now())));
  }, []);
  const handleNodeClick = useCallback((_: unknown, node: RunFlowNode) => onOpen(node.id), [onOpen]);

  // A small graph stays fitted when its box changes size (the details panel opens or closes).
  const box = useRef<HTMLDivElement>(null);
  const small = doc.nodes.length <= SMALL;
  useEffect(() => {
    const el = box.current;
    if (!el || !flow || !small) return;
    const observer = new ResizeObserver(() => void flow.fitView(FIT_SMALL));
    observer.observe(el);
    return () => observer.disconnect();
  }, [flow, small]);

  return (
    <OpenNode.Provider value={onOpen}>
      <div ref={box} className="h-full w-full" data-testid="run-graph" data-ready={readyAt !== null ? "true" : undefined} data-ready-ms={readyAt ?? undefined} data-nodes={doc.nodes.length}>
        <ReactFlow<RunFlowNode>
          nodes={nodes}
          edges={edges}
          nodeTypes={nodeTypes}
          onInit={handleInit}
          onNodeClick={handleNodeClick}
          onlyRenderVisibleElements
          nodesDraggable={false}
          nodesConnectable={false}
          nodesFocusable={false}
          edgesFocusable={false}
          elementsSelectable={false}
          fitView
          fitViewOptions={small ? FIT_SMALL : { padding: 0.1, nodes: firstNodes ?? [], minZoom: 0.8, maxZoom: 1 }}
          minZoom={0.05}
          colorMode={theme}
        >
          <Background />
          <Controls showInteractive={false} />
          {small && <MiniMap pannable zoomable nodeColor={(n) => minimapColour[(n.data as RunNodeData).state?.status ?? "pending"]} ariaLabel="Mini-map of the run" />}
        </ReactFlow>
      </div>
    </OpenNode.Provider>
  );
}
