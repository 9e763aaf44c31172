// Every stored version of a pipeline, and what changed between two of them
// (GET /api/pipelines/{id}/diff), shown as added / removed / changed lines.
import { useState } from "react";
import { Select } from "@/components/ui";
import { Empty, ErrorState, Loading, QueryView } from "@/components/states";
import { useDiff, useVersions } from "../api";
import { changedPaths, describeItem, isEmptyDiff, show, type DiffSide, type PipelineDiff } from "../graph/changes";

function Side({ title, side }: { title: string; side: DiffSide<Record<string, unknown>> | undefined }) {
  if (!side || (side.added.length === 0 && side.removed.length === 0 && side.changed.length === 0)) return null;
  return (
    <div>
      <h4 className="text-xs font-semibold text-slate-500 uppercase">{title}</h4>
      <ul className="flex flex-col gap-1 font-mono text-xs">
        {side.added.map((item, i) => (
          <li key={`a${i}`} className="text-green-700 dark:text-green-400">
            + {describeItem(item)}
          </li>
        ))}
        {side.removed.map((item, i) => (
          <li key={`r${i}`} className="text-red-700 dark:text-red-400">
            − {describeItem(item)}
          </li>
        ))}
        {side.changed.map((c) => (
          <li key={`c${c.id}`} className="text-amber-800 dark:text-amber-300">
            ~ {c.id}
            <ul className="ml-4">
              {changedPaths(c.before, c.after).map((ch) => (
                <li key={ch.path} className="text-slate-700 dark:text-slate-300">
                  {ch.path}: {show(ch.before)} → {show(ch.after)}
                </li>
              ))}
            </ul>
          </li>
        ))}
      </ul>
    </div>
  );
}

export function DiffView({ diff }: { diff: PipelineDiff }) {
  if (isEmptyDiff(diff)) return <Empty>No differences.</Empty>;
  const fields = Object.entries(diff.fields ?? {});
  return (
    <div className="flex flex-col gap-3" data-testid="diff">
      {fields.length > 0 && (
        <div>
          <h4 className="text-xs font-semibold text-slate-500 uppercase">Fields</h4>
          <ul className="font-mono text-xs">
            {fields.flatMap(([name, f]) =>
              changedPaths(f.before, f.after, name).map((ch) => (
                <li key={ch.path}>
                  {ch.path}: {show(ch.before)} → {show(ch.after)}
                </li>
              )),
            )}
          </ul>
        </div>
      )}
      <Side title="Nodes" side={diff.nodes} />
      <Side title="Edges" side={diff.edges} />
    </div>
  );
}

export function VersionsPanel({ id }: { id: string }) {
  const versions = useVersions(id);
  const [pick, setPick] = useState<{ from: number | null; to: number | null }>({ from: null, to: null });
  const list = versions.data ?? [];
  const newest = list[0]?.version ?? null;
  const from = pick.from ?? (list[1]?.version ?? null);
  const to = pick.to ?? newest;
  const diff = useDiff(id, from, to);
  return (
    <QueryView query={versions} what="Loading versions">
      {(items) => (
        <div className="flex flex-col gap-3">
          <ul className="max-h-40 overflow-auto text-xs" data-testid="versions">
            {items.map((v) => (
              <li key={v.version} className="flex justify-between gap-2 py-0.5">
                <span className="font-mono">v{v.version}</span>
                <span className="text-slate-500">{new Date(v.created_at).toLocaleString()}</span>
              </li>
            ))}
          </ul>
          {items.length < 2 ? (
            <Empty>Only one version so far: save a change to compare.</Empty>
          ) : (
            <>
              <div className="grid grid-cols-2 gap-2">
                <Select label="From version" value={from ?? ""} onChange={(e) => setPick({ from: Number(e.target.value), to })}>
                  {items.map((v) => (
                    <option key={v.version} value={v.version}>
                      v{v.version}
                    </option>
                  ))}
                </Select>
                <Select label="To version" value={to ?? ""} onChange={(e) => setPick({ from, to: Number(e.target.value) })}>
                  {items.map((v) => (
                    <option key={v.version} value={v.version}>
                      v{v.version}
                    </option>
                  ))}
                </Select>
              </div>
              {from === to ? <Empty>Pick two different versions.</Empty> : diff.isPending ? <Loading what="Comparing" /> : diff.error ? <ErrorState error={diff.error} retry={() => void diff.refetch()} /> : diff.data && <DiffView diff={diff.data} />}
            </>
          )}
        </div>
      )}
    </QueryView>
  );
}
