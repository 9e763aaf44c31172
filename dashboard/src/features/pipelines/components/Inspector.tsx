// The side panel's first tab: the selected node's config (a form from its type's JSON Schema),
// the selected edge's condition, or the pipeline's own fields; and every problem validation
// found, each a button that selects what it is about.
import { Button, Select, TextArea, TextInput } from "@/components/ui";
import type { NodeType } from "../api";
import type { DocumentMeta, LinkEdge, Pins, Problem, StepNode } from "../graph/convert";
import { SchemaForm } from "./SchemaForm";

function ProblemList({ problems, label }: { problems: Problem[]; label: string }) {
  if (problems.length === 0) return null;
  return (
    <div role="group" aria-label={label} className="rounded-md border border-red-300 bg-red-50 p-2 text-xs text-red-800 dark:border-red-800 dark:bg-red-950 dark:text-red-200">
      <ul className="flex flex-col gap-1">
        {problems.map((p, i) => (
          <li key={i}>
            <span className="font-mono font-semibold">{p.code}</span> {p.message}
          </li>
        ))}
      </ul>
    </div>
  );
}

type NodeProps = {
  node: StepNode;
  type: NodeType | undefined;
  problems: Problem[];
  readOnly: boolean;
  onChange: (patch: Partial<StepNode["data"]>) => void;
  onDelete: () => void;
};

export function NodeInspector({ node, type, problems, readOnly, onChange, onDelete }: NodeProps) {
  return (
    <div className="flex flex-col gap-3" data-testid="node-inspector">
      <div>
        <h3 className="text-sm font-semibold">
          Node <span className="font-mono">{node.id}</span>
        </h3>
        <p className="text-xs text-slate-500">
          {type?.label ?? node.data.kind}
          {type?.description ? ` — ${type.description}` : ""}
        </p>
      </div>
      <ProblemList problems={problems} label="Problems of this node" />
      <TextInput label="Node name" value={node.data.name} readOnly={readOnly} onChange={(e) => onChange({ name: e.target.value })} />
      {type ? (
        <SchemaForm schema={type.config_schema} value={node.data.config} readOnly={readOnly} onChange={(config) => onChange({ config })} />
      ) : (
        <TextArea
          label="config"
          rows={6}
          readOnly
          hint="This node type's schema is not known here; edit its config in the JSON tab."
          value={node.data.config === undefined ? "" : JSON.stringify(node.data.config, null, 2)}
        />
      )}
      {!readOnly && (
        <Button variant="danger" onClick={onDelete}>
          Delete node
        </Button>
      )}
    </div>
  );
}

type EdgeProps = { edge: LinkEdge; problems: Problem[]; readOnly: boolean; onChange: (patch: Partial<NonNullable<LinkEdge["data"]>>) => void; onDelete: () => void };

export function EdgeInspector({ edge, problems, readOnly, onChange, onDelete }: EdgeProps) {
  return (
    <div className="flex flex-col gap-3" data-testid="edge-inspector">
      <h3 className="text-sm font-semibold">
        Edge <span className="font-mono">{edge.id}</span>: <span className="font-mono">{edge.source}</span> → <span className="font-mono">{edge.target}</span>
      </h3>
      <ProblemList problems={problems} label="Problems of this edge" />
      <TextInput
        label="Condition"
        value={edge.data?.condition ?? ""}
        readOnly={readOnly}
        hint="CEL over the source's output as input, e.g. input.result or !input.result; empty: always"
        onChange={(e) => onChange({ condition: e.target.value })}
      />
      <TextInput label="Label" value={edge.data?.label ?? ""} readOnly={readOnly} onChange={(e) => onChange({ label: e.target.value })} />
      {!readOnly && (
        <Button variant="danger" onClick={onDelete}>
          Delete edge
        </Button>
      )}
    </div>
  );
}

type MetaProps = { meta: DocumentMeta; readOnly: boolean; onChange: (meta: DocumentMeta) => void; settingsText: string; onSettingsText: (text: string) => void; settingsError: string | undefined };

export function PipelineInspector({ meta, readOnly, onChange, settingsText, onSettingsText, settingsError }: MetaProps) {
  return (
    <div className="flex flex-col gap-3">
      <p className="text-xs text-slate-500">Select a node or an edge to edit it. Drag from a node’s right handle to another’s left handle to connect them.</p>
      <TextArea label="Description" rows={2} readOnly={readOnly} value={meta.description ?? ""} onChange={(e) => onChange({ ...meta, description: e.target.value })} />
      <Select label="Status" disabled={readOnly} value={meta.status ?? "active"} onChange={(e) => onChange({ ...meta, status: e.target.value })}>
        {[...new Set(["active", "draft", "paused", "archived", meta.status ?? "active"])].map((s) => (
          <option key={s} value={s}>
            {s}
          </option>
        ))}
      </Select>
      <TextArea
        label="Settings"
        rows={5}
        readOnly={readOnly}
        error={settingsError}
        hint="JSON: timeout_seconds, max_retries_per_node, retry_backoff_base, retry_backoff_max, max_parallel, failure_threshold, recovery_seconds"
        value={settingsText}
        onChange={(e) => onSettingsText(e.target.value)}
      />
    </div>
  );
}

export function ProblemsOverview({ problems, pins, omitted, onSelect }: { problems: Problem[]; pins: Pins; omitted: number; onSelect: (p: Problem) => void }) {
  if (problems.length === 0) return null;
  return (
    <section aria-label="Problems" className="flex flex-col gap-1 text-xs">
      <h3 className="text-sm font-semibold text-red-700 dark:text-red-300">Problems</h3>
      <ul className="flex flex-col gap-1" data-testid="problems">
        {problems.map((p, i) => {
          const where = p.code === "cycle" && p.cycle ? p.cycle.join(" → ") : (p.edge_id ?? p.node_id);
          const general = pins.general.includes(p);
          return (
            <li key={i}>
              <button type="button" className="w-full rounded px-1 py-0.5 text-left hover:bg-red-50 disabled:cursor-default dark:hover:bg-red-950" disabled={general} onClick={() => onSelect(p)}>
                <span className="font-mono font-semibold text-red-700 dark:text-red-300">{p.code}</span>
                {where && <span className="font-mono text-slate-500"> [{where}]</span>} {p.message}
              </button>
            </li>
          );
        })}
      </ul>
      {omitted > 0 && <p className="text-slate-500">…and {omitted} more.</p>}
    </section>
  );
}
