// The canvas's node and edge: a node shows its name, id and type, with a red border and its
// problems on hover when validation pinned any on it; an edge shows its condition, and in red
// the problems pinned on it (a cycle, a bad condition).
import { createContext, memo, useContext } from "react";
import { BaseEdge, EdgeLabelRenderer, Handle, Position, getBezierPath, type EdgeProps, type NodeProps } from "@xyflow/react";
import type { LinkEdge, Pins, StepNode } from "../graph/convert";

export type CanvasContext = { pins: Pins; selectEdge: (id: string) => void };
export const CanvasCtx = createContext<CanvasContext>({ pins: { nodes: new Map(), edges: new Map(), general: [] }, selectEdge: () => {} });

const typeColors: Record<string, string> = {
  trigger: "bg-emerald-500",
  agent: "bg-violet-500",
  condition: "bg-amber-500",
  action: "bg-sky-500",
  transform: "bg-indigo-500",
  filter: "bg-teal-500",
  merge: "bg-fuchsia-500",
  parallel: "bg-cyan-500",
  delay: "bg-slate-500",
  approval: "bg-rose-500",
};

export const StepNodeView = memo(function StepNodeView({ id, data, selected }: NodeProps<StepNode>) {
  const problems = useContext(CanvasCtx).pins.nodes.get(id);
  const bad = problems && problems.length > 0;
  const title = bad ? problems.map((p) => p.message).join("\n") : undefined;
  return (
    <div
      title={title}
      data-testid={`node-${id}`}
      data-invalid={bad ? "true" : undefined}
      className={`flex h-[56px] w-[180px] items-center gap-2 rounded-md border-2 bg-white px-2 text-left text-xs shadow-sm dark:bg-slate-800 ${
        bad ? "border-red-500" : selected ? "border-indigo-500" : "border-slate-300 dark:border-slate-600"
      }`}
    >
      {data.kind !== "trigger" && <Handle type="target" position={Position.Left} aria-label={`Into ${id}`} />}
      <span className={`h-8 w-1.5 shrink-0 rounded ${typeColors[data.kind] ?? "bg-slate-400"}`} aria-hidden />
      <span className="min-w-0 flex-1">
        <span className="block truncate font-medium text-slate-900 dark:text-slate-100">{data.name || id}</span>
        <span className="block truncate text-slate-500 dark:text-slate-400">
          {data.kind}
          {data.name ? ` · ${id}` : ""}
        </span>
      </span>
      {bad && (
        <span className="shrink-0 rounded bg-red-600 px-1 text-[10px] font-bold text-white" aria-label={`${problems.length} problem(s)`}>
          !
        </span>
      )}
      <Handle type="source" position={Position.Right} aria-label={`Out of ${id}`} />
    </div>
  );
});

export const LinkEdgeView = memo(function LinkEdgeView(props: EdgeProps<LinkEdge>) {
  const { id, source, target, sourceX, sourceY, targetX, targetY, sourcePosition, targetPosition, data, selected, markerEnd } = props;
  const { pins, selectEdge } = useContext(CanvasCtx);
  const problems = pins.edges.get(id);
  const bad = problems && problems.length > 0;
  const [path, labelX, labelY] = getBezierPath({ sourceX, sourceY, targetX, targetY, sourcePosition, targetPosition });
  const text = data?.label || data?.condition;
  const stroke = bad ? "#dc2626" : selected ? "#6366f1" : undefined;
  return (
    <>
      <BaseEdge id={id} path={path} {...(markerEnd ? { markerEnd } : {})} style={{ stroke, strokeWidth: bad || selected ? 2.5 : 1.5 }} />
      {(text || bad) && (
        <EdgeLabelRenderer>
          <button
            type="button"
            className={`nodrag nopan absolute rounded px-1.5 py-0.5 text-[10px] shadow ${
              bad ? "bg-red-600 font-semibold text-white" : "border border-slate-300 bg-white text-slate-700 dark:border-slate-600 dark:bg-slate-800 dark:text-slate-200"
            }`}
            style={{ transform: `translate(-50%, -50%) translate(${labelX}px, ${labelY}px)`, pointerEvents: "all" }}
            title={bad ? problems.map((p) => p.message).join("\n") : undefined}
            data-testid={bad ? `edge-problem-${source}-${target}` : `edge-label-${source}-${target}`}
            onClick={() => selectEdge(id)}
          >
            {bad ? `${problems.map((p) => p.code).join(", ")}${text ? ` · ${text}` : ""}` : text}
          </button>
        </EdgeLabelRenderer>
      )}
    </>
  );
});

export const nodeTypes = { step: StepNodeView };
export const edgeTypes = { link: LinkEdgeView };
