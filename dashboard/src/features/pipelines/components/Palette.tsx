// Every node type the server knows (GET /api/pipelines/node-types): click one to add it, or
// drag it onto the canvas.
import { Button } from "@/components/ui";
import { ApiError, describeError } from "@/lib/api/errors";
import { useNodeTypes } from "../api";

export const DRAG_TYPE = "application/x-gathering-node-type";

export function Palette({ onAdd }: { onAdd: (kind: string) => void }) {
  const types = useNodeTypes();
  return (
    <div role="toolbar" aria-label="Node types" className="flex flex-wrap items-center gap-1.5 border-b border-slate-200 p-2 dark:border-slate-800">
      <span className="mr-1 text-xs font-medium text-slate-500 uppercase">Add</span>
      {types.isPending && <span className="text-xs text-slate-500">Loading node types…</span>}
      {types.error && (
        <span className="text-xs text-amber-700 dark:text-amber-300">
          {types.error instanceof ApiError && types.error.status === 404 ? "This server does not list its node types yet; edit the JSON to add nodes." : describeError(types.error)}
        </span>
      )}
      {types.data?.length === 0 && <span className="text-xs text-slate-500">No node types.</span>}
      {types.data?.map((t) => (
        <Button
          key={t.type}
          className="px-2 py-1 text-xs"
          title={t.description}
          aria-label={`Add ${t.type} node`}
          draggable
          onDragStart={(e) => {
            e.dataTransfer.setData(DRAG_TYPE, t.type);
            e.dataTransfer.effectAllowed = "copy";
          }}
          onClick={() => onAdd(t.type)}
        >
          {t.label ?? t.type}
        </Button>
      ))}
    </div>
  );
}
