// The visual editor: a React Flow canvas of the document's nodes and edges, a palette, a side
// panel (the selected node's config, the JSON, versions, the webhook) and validation as the
// user edits. The canvas's nodes and edges are the state; the document is derived from them,
// and the JSON view writes back into them when what is typed parses.
import "@xyflow/react/dist/style.css";
import { useCallback, useDeferredValue, useEffect, useMemo, useState, type DragEvent } from "react";
import { Link, useNavigate } from "react-router";
import {
  Background,
  Controls,
  MiniMap,
  ReactFlow,
  useEdgesState,
  useNodesState,
  useReactFlow,
  type Connection,
  type ReactFlowInstance,
} from "@xyflow/react";
import { Badge, Button, TextArea, TextInput } from "@/components/ui";
import { notify, notifyError } from "@/components/notices";
import { ApiError } from "@/lib/api/errors";
import { useTheme } from "@/app/theme";
import { useDeletePipeline, useNodeTypes, useSavePipeline, type StoredPipeline } from "../api";
import {
  docToFlow,
  flowToDoc,
  linkEdge,
  nextEdgeId,
  nextNodeId,
  parseDocument,
  pinProblems,
  stepNode,
  type DocumentMeta,
  type LinkEdge,
  type PipelineDocument,
  type Problem,
  type StepNode,
} from "../graph/convert";
import { NODE_HEIGHT, NODE_WIDTH } from "../graph/layout";
import { CanvasCtx, edgeTypes, nodeTypes } from "./canvasParts";
import { EdgeInspector, NodeInspector, PipelineInspector, ProblemsOverview } from "./Inspector";
import { DRAG_TYPE, Palette } from "./Palette";
import { VersionsPanel } from "./VersionsPanel";
import { WebhookPanel } from "./WebhookPanel";
import { useValidation } from "./useValidation";

type Tab = "inspect" | "json" | "versions" | "webhook";
const DELETE_KEYS = ["Backspace", "Delete"];
/** Past this many nodes the first view fits the first few, not the whole graph. */
const FIT_ALL_MAX = 200;

type Props = {
  /** The stored pipeline being edited; undefined for a new one. */
  stored: StoredPipeline | undefined;
  initial: PipelineDocument;
  canEdit: boolean;
  /** May rotate the webhook secret and delete (the owner or an admin). */
  canManage: boolean;
  /** The newest version on the server, when it is newer than what was loaded. */
  newerVersion: number | null;
  onReload: () => void;
  onSaved: (saved: StoredPipeline) => void;
};

function settingsTextOf(meta: DocumentMeta): string {
  return meta.settings === undefined ? "" : JSON.stringify(meta.settings, null, 2);
}

export function Editor({ stored, initial, canEdit, canManage, newerVersion, onReload, onSaved }: Props) {
  const [start] = useState(() => docToFlow(initial));
  const [meta, setMeta] = useState<DocumentMeta>(start.meta);
  const [nodes, setNodes, onNodesChange] = useNodesState<StepNode>(start.nodes);
  const [edges, setEdges, onEdgesChange] = useEdgesState<LinkEdge>(start.edges);
  const [tab, setTab] = useState<Tab>("inspect");
  const [settingsText, setSettingsText] = useState(() => settingsTextOf(start.meta));
  const [settingsError, setSettingsError] = useState<string | undefined>();
  const [formKey, setFormKey] = useState(0);
  const [ready, setReady] = useState<number | null>(null);
  const [confirmDelete, setConfirmDelete] = useState(false);
  const flow = useReactFlow<StepNode, LinkEdge>();
  const navigate = useNavigate();
  const { theme } = useTheme();
  const nodeTypeList = useNodeTypes();
  const typesByName = useMemo(() => new Map((nodeTypeList.data ?? []).map((t) => [t.type, t])), [nodeTypeList.data]);
  const save = useSavePipeline(stored?.id);
  const remove = useDeletePipeline();
  const readOnly = !canEdit;

  const doc = useMemo(() => flowToDoc(meta, nodes, edges), [meta, nodes, edges]);
  const text = useMemo(() => JSON.stringify(doc), [doc]);
  const [savedText, setSavedText] = useState<string | null>(() => (stored ? JSON.stringify(flowToDoc(start.meta, start.nodes, start.edges)) : null));
  const dirty = text !== savedText;
  const [verdict, setVerdict] = useValidation(doc, text);

  const problems: Problem[] = useMemo(() => (verdict.state === "done" ? verdict.errors : []), [verdict]);
  const nodeIds = useMemo(() => new Set(nodes.map((n) => n.id)), [nodes]);
  const pins = useMemo(() => pinProblems(problems, edges, nodeIds), [problems, edges, nodeIds]);

  const selectedNode = nodes.find((n) => n.selected);
  const selectedEdge = selectedNode ? undefined : edges.find((e) => e.selected);

  const selectEdge = useCallback(
    (id: string) => {
      setNodes((ns) => ns.map((n) => (n.selected ? { ...n, selected: false } : n)));
      setEdges((es) => es.map((e) => (e.id === id ? { ...e, selected: true } : e.selected ? { ...e, selected: false } : e)));
      setTab("inspect");
    },
    [setNodes, setEdges],
  );
  const selectNode = useCallback(
    (id: string) => {
      setEdges((es) => es.map((e) => (e.selected ? { ...e, selected: false } : e)));
      setNodes((ns) => ns.map((n) => (n.id === id ? { ...n, selected: true } : n.selected ? { ...n, selected: false } : n)));
      setTab("inspect");
      const node = flow.getNode(id);
      if (node) void flow.setCenter(node.position.x + NODE_WIDTH / 2, node.position.y + NODE_HEIGHT / 2, { zoom: Math.max(flow.getZoom(), 0.8) });
    },
    [setNodes, setEdges, flow],
  );
  const canvasCtx = useMemo(() => ({ pins, selectEdge }), [pins, selectEdge]);

  // Fit the view after nodes are added from the palette (once React Flow has them).
  const [fitRequest, setFitRequest] = useState(0);
  useEffect(() => {
    if (fitRequest === 0) return;
    const frame = requestAnimationFrame(() => void flow.fitView({ padding: 0.2, maxZoom: 1 }));
    return () => cancelAnimationFrame(frame);
  }, [fitRequest, flow]);

  const addNode = useCallback(
    (kind: string, at?: { x: number; y: number }) => {
      const taken = new Set(nodes.map((n) => n.id));
      const id = nextNodeId(kind, taken);
      const occupied = (x: number, y: number) => nodes.some((n) => Math.abs(n.position.x - x) < NODE_WIDTH && Math.abs(n.position.y - y) < NODE_HEIGHT + 20);
      let position = at;
      if (!position) {
        const sel = nodes.find((n) => n.selected);
        let x: number;
        let y: number;
        if (sel) {
          x = sel.position.x + NODE_WIDTH + 60;
          y = sel.position.y;
        } else if (nodes.length > 0) {
          x = Math.max(...nodes.map((n) => n.position.x)) + NODE_WIDTH + 60;
          y = Math.min(...nodes.map((n) => n.position.y));
        } else {
          x = 0;
          y = 0;
        }
        while (occupied(x, y)) y += NODE_HEIGHT + 40;
        position = { x, y };
      }
      const example = typesByName.get(kind)?.example_config;
      const node: StepNode = { ...stepNode(id, kind, position, { config: example ? structuredClone(example) : {} }), selected: true };
      setEdges((es) => es.map((e) => (e.selected ? { ...e, selected: false } : e)));
      setNodes((ns) => [...ns.map((n) => (n.selected ? { ...n, selected: false } : n)), node]);
      setTab("inspect");
      if (!at) setFitRequest((n) => n + 1);
    },
    [nodes, setNodes, setEdges, typesByName],
  );

  const onConnect = useCallback(
    (c: Connection) => {
      if (!c.source || !c.target || c.source === c.target) return;
      // The new edge is selected, so its condition can be typed at once.
      setNodes((ns) => ns.map((n) => (n.selected ? { ...n, selected: false } : n)));
      setEdges((es) => {
        if (es.some((e) => e.source === c.source && e.target === c.target)) return es;
        const edge: LinkEdge = { ...linkEdge(nextEdgeId(new Set(es.map((e) => e.id))), c.source, c.target), selected: true };
        return [...es.map((e) => (e.selected ? { ...e, selected: false } : e)), edge];
      });
      setTab("inspect");
    },
    [setEdges, setNodes],
  );

  const onDrop = useCallback(
    (e: DragEvent) => {
      const kind = e.dataTransfer.getData(DRAG_TYPE);
      if (!kind || readOnly) return;
      e.preventDefault();
      const p = flow.screenToFlowPosition({ x: e.clientX, y: e.clientY });
      addNode(kind, { x: p.x - NODE_WIDTH / 2, y: p.y - NODE_HEIGHT / 2 });
    },
    [flow, addNode, readOnly],
  );

  const updateNode = (id: string, patch: Partial<StepNode["data"]>) => setNodes((ns) => ns.map((n) => (n.id === id ? { ...n, data: { ...n.data, ...patch } } : n)));
  const updateEdge = (id: string, patch: Partial<NonNullable<LinkEdge["data"]>>) =>
    setEdges((es) => es.map((e) => (e.id === id ? { ...e, data: { condition: "", label: "", extra: {}, ...e.data, ...patch } } : e)));
  const deleteNode = (id: string) => {
    setNodes((ns) => ns.filter((n) => n.id !== id));
    setEdges((es) => es.filter((e) => e.source !== id && e.target !== id));
  };
  const deleteEdge = (id: string) => setEdges((es) => es.filter((e) => e.id !== id));

  // The JSON view: while it has focus it shows what is typed; otherwise the document.
  const [jsonFocused, setJsonFocused] = useState(false);
  const [jsonDraft, setJsonDraft] = useState("");
  const [jsonError, setJsonError] = useState<string | null>(null);
  const deferredDoc = useDeferredValue(doc);
  const prettyDoc = useMemo(() => (tab === "json" ? JSON.stringify(deferredDoc, null, 2) : ""), [tab, deferredDoc]);
  const applyJson = (value: string) => {
    setJsonDraft(value);
    const parsed = parseDocument(value);
    if ("error" in parsed) {
      setJsonError(parsed.error);
      return;
    }
    setJsonError(null);
    const selected = new Set([...nodes.filter((n) => n.selected).map((n) => n.id), ...edges.filter((e) => e.selected).map((e) => e.id)]);
    const next = docToFlow(parsed.doc);
    setMeta(next.meta);
    setSettingsText(settingsTextOf(next.meta));
    setNodes(next.nodes.map((n) => (selected.has(n.id) ? { ...n, selected: true } : n)));
    setEdges(next.edges.map((e) => (selected.has(e.id) ? { ...e, selected: true } : e)));
    setFormKey((k) => k + 1);
  };

  const onSettingsText = (value: string) => {
    setSettingsText(value);
    if (value.trim() === "") {
      setSettingsError(undefined);
      setMeta(({ settings: _drop, ...m }) => m);
      return;
    }
    try {
      const parsed: unknown = JSON.parse(value);
      setSettingsError(undefined);
      setMeta((m) => ({ ...m, settings: parsed as Record<string, unknown> }));
    } catch {
      setSettingsError("not valid JSON yet");
    }
  };

  const onSave = () => {
    save.mutate(doc, {
      onSuccess: (saved) => {
        setSavedText(text);
        notify(stored ? `Saved version ${saved.version}` : "Pipeline created");
        onSaved(saved);
      },
      onError: (error) => {
        if (error instanceof ApiError && error.code === "validation_failed" && Array.isArray(error.details["errors"])) {
          const omitted = typeof error.details["omitted"] === "number" ? error.details["omitted"] : 0;
          setVerdict({ state: "done", valid: false, errors: error.details["errors"] as Problem[], omitted });
          notify("Not saved: the pipeline has problems (shown on the canvas)", "error");
        } else notifyError(error);
      },
    });
  };

  const onDelete = () => {
    if (!stored) return;
    remove.mutate(stored.id, {
      onSuccess: () => {
        notify(`Deleted ${stored.name}`);
        void navigate("/pipelines");
      },
      onError: notifyError,
    });
  };

  const onInit = useCallback(
    (instance: ReactFlowInstance<StepNode, LinkEdge>) => {
      const all = instance.getNodes();
      const first = all.length > FIT_ALL_MAX ? all.slice(0, 20) : undefined;
      // Ready (data-ready, for the browser tests' timing) once the view is fitted: laid out,
      // rendered and measured.
      const done = () => requestAnimationFrame(() => setReady(Math.round(performance.now())));
      instance.fitView({ padding: 0.2, maxZoom: 1, ...(first ? { nodes: first } : {}) }).then(done, done);
    },
    [],
  );

  const status = (() => {
    if (verdict.state === "checking") return <Badge tone="pending">Checking…</Badge>;
    if (verdict.state === "failed") return <Badge tone="failed">Validation failed: {verdict.message}</Badge>;
    if (verdict.valid) return <Badge tone="completed">Valid</Badge>;
    return <Badge tone="failed">{verdict.errors.length + verdict.omitted} problem(s)</Badge>;
  })();

  const tabs: [Tab, string][] = [["inspect", "Inspect"], ["json", "JSON"], ...(stored ? ([["versions", "Versions"]] as [Tab, string][]) : []), ...(stored && canManage ? ([["webhook", "Webhook"]] as [Tab, string][]) : [])];

  return (
    <div className="flex h-[calc(100vh-7.5rem)] min-h-[480px] flex-col gap-3">
      <header className="flex flex-wrap items-end gap-3">
        <div className="w-64">
          <TextInput label="Pipeline name" value={meta.name ?? ""} readOnly={readOnly} onChange={(e) => setMeta((m) => ({ ...m, name: e.target.value }))} placeholder="my-pipeline" />
        </div>
        <div className="flex items-center gap-2 pb-1.5" aria-live="polite" data-testid="validation-status" data-state={verdict.state === "done" ? (verdict.valid ? "valid" : "invalid") : verdict.state}>
          {status}
          {stored && <span className="text-xs text-slate-500">v{stored.version}</span>}
          {readOnly && <Badge tone="waiting">Read only</Badge>}
          {dirty && canEdit && <span className="text-xs text-amber-700 dark:text-amber-300">Unsaved changes</span>}
        </div>
        <div className="ml-auto flex items-center gap-2 pb-0.5">
          {stored && (
            <Link to={`/pipelines/${stored.id}/runs`} className="rounded-md px-3 py-1.5 text-sm font-medium text-indigo-700 hover:bg-indigo-50 dark:text-indigo-300 dark:hover:bg-indigo-950">
              Runs
            </Link>
          )}
          {canEdit && (
            <Button variant="primary" onClick={onSave} disabled={save.isPending || (!dirty && stored !== undefined)}>
              {save.isPending ? "Saving…" : "Save"}
            </Button>
          )}
          {stored && canManage && (
            <Button variant="danger" onClick={() => setConfirmDelete(true)}>
              Delete
            </Button>
          )}
        </div>
      </header>

      {confirmDelete && stored && (
        <div role="alertdialog" aria-label="Delete this pipeline" className="flex items-center gap-3 rounded-md border border-red-300 bg-red-50 p-3 text-sm dark:border-red-800 dark:bg-red-950">
          <span>
            Delete <strong>{stored.name}</strong> with its {stored.version} version(s), runs and breakers? This cannot be undone.
          </span>
          <Button variant="danger" onClick={onDelete} disabled={remove.isPending}>
            Delete pipeline
          </Button>
          <Button onClick={() => setConfirmDelete(false)}>Cancel</Button>
        </div>
      )}
      {newerVersion !== null && (
        <div role="status" className="flex items-center gap-3 rounded-md border border-amber-300 bg-amber-50 p-2 text-sm dark:border-amber-700 dark:bg-amber-950">
          Version {newerVersion} was saved elsewhere.
          <Button onClick={onReload}>Load it{dirty ? " (drops your changes)" : ""}</Button>
        </div>
      )}

      <div className="flex min-h-0 flex-1 gap-3">
        <div className="flex min-w-0 flex-1 flex-col overflow-hidden rounded-lg border border-slate-200 bg-white dark:border-slate-800 dark:bg-slate-900">
          {canEdit && <Palette onAdd={addNode} />}
          <div
            className="min-h-0 flex-1"
            data-testid="pipeline-canvas"
            data-ready={ready !== null ? "true" : undefined}
            data-ready-ms={ready ?? undefined}
            data-node-count={nodes.length}
            onDragOver={(e) => {
              if (e.dataTransfer.types.includes(DRAG_TYPE)) {
                e.preventDefault();
                e.dataTransfer.dropEffect = "copy";
              }
            }}
            onDrop={onDrop}
          >
            <CanvasCtx.Provider value={canvasCtx}>
              <ReactFlow<StepNode, LinkEdge>
                nodes={nodes}
                edges={edges}
                nodeTypes={nodeTypes}
                edgeTypes={edgeTypes}
                onNodesChange={onNodesChange}
                onEdgesChange={onEdgesChange}
                onConnect={onConnect}
                onInit={onInit}
                isValidConnection={(c) => c.source !== c.target}
                nodesDraggable={canEdit}
                nodesConnectable={canEdit}
                edgesReconnectable={false}
                deleteKeyCode={canEdit ? DELETE_KEYS : null}
                onlyRenderVisibleElements
                minZoom={0.05}
                maxZoom={2}
                colorMode={theme === "system" ? "system" : theme}
                defaultEdgeOptions={{ type: "link" }}
                proOptions={{ hideAttribution: true }}
              >
                <Background />
                <Controls showInteractive={false} />
                {nodes.length <= FIT_ALL_MAX && <MiniMap pannable zoomable ariaLabel="Mini map" />}
              </ReactFlow>
            </CanvasCtx.Provider>
          </div>
        </div>

        <aside aria-label="Editor panel" className="flex w-80 shrink-0 flex-col overflow-hidden rounded-lg border border-slate-200 bg-white dark:border-slate-800 dark:bg-slate-900">
          <div role="tablist" aria-label="Panels" className="flex border-b border-slate-200 dark:border-slate-800">
            {tabs.map(([key, label]) => (
              <button
                key={key}
                type="button"
                role="tab"
                aria-selected={tab === key}
                className={`flex-1 px-2 py-2 text-sm ${tab === key ? "border-b-2 border-indigo-600 font-medium text-indigo-700 dark:text-indigo-300" : "text-slate-600 dark:text-slate-400"}`}
                onClick={() => setTab(key)}
              >
                {label}
              </button>
            ))}
          </div>
          <div role="tabpanel" className="min-h-0 flex-1 overflow-auto p-3">
            {tab === "inspect" && (
              <div className="flex flex-col gap-4">
                {selectedNode ? (
                  <NodeInspector
                    key={`${selectedNode.id}:${formKey}`}
                    node={selectedNode}
                    type={typesByName.get(selectedNode.data.kind)}
                    problems={pins.nodes.get(selectedNode.id) ?? []}
                    readOnly={readOnly}
                    onChange={(patch) => updateNode(selectedNode.id, patch)}
                    onDelete={() => deleteNode(selectedNode.id)}
                  />
                ) : selectedEdge ? (
                  <EdgeInspector
                    key={`${selectedEdge.id}:${formKey}`}
                    edge={selectedEdge}
                    problems={pins.edges.get(selectedEdge.id) ?? []}
                    readOnly={readOnly}
                    onChange={(patch) => updateEdge(selectedEdge.id, patch)}
                    onDelete={() => deleteEdge(selectedEdge.id)}
                  />
                ) : (
                  <PipelineInspector meta={meta} readOnly={readOnly} onChange={setMeta} settingsText={settingsText} onSettingsText={onSettingsText} settingsError={settingsError} />
                )}
                <ProblemsOverview
                  problems={problems}
                  pins={pins}
                  omitted={verdict.state === "done" ? verdict.omitted : 0}
                  onSelect={(p) => {
                    const edgeId = [...pins.edges].find(([, list]) => list.includes(p))?.[0];
                    if (edgeId) selectEdge(edgeId);
                    else if (p.node_id && nodeIds.has(p.node_id)) selectNode(p.node_id);
                  }}
                />
              </div>
            )}
            {tab === "json" && (
              <TextArea
                label="Pipeline JSON"
                rows={30}
                spellCheck={false}
                readOnly={readOnly}
                error={jsonFocused && jsonError ? `Not applied: ${jsonError}` : undefined}
                hint="Edits apply to the canvas as soon as they parse."
                value={jsonFocused ? jsonDraft : prettyDoc}
                onFocus={() => {
                  setJsonDraft(JSON.stringify(doc, null, 2));
                  setJsonError(null);
                  setJsonFocused(true);
                }}
                onBlur={() => setJsonFocused(false)}
                onChange={(e) => applyJson(e.target.value)}
              />
            )}
            {tab === "versions" && stored && <VersionsPanel id={stored.id} />}
            {tab === "webhook" && stored && canManage && <WebhookPanel pipeline={stored} />}
          </div>
        </aside>
      </div>
    </div>
  );
}
