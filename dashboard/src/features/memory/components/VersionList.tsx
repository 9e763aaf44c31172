// Every version of a memory, newest first, each with what changed from the one before it: the
// fields that differ, and the content as a word diff (removed words struck through, added ones
// underlined), so an edit reads at a glance.
import type { MemoryVersion } from "../api";
import { fieldChanges, wordDiff } from "../model";
import type { Directory } from "../names";
import { ProvenanceList } from "./parts";

export function VersionList({ versions, directory }: { versions: MemoryVersion[]; directory: Directory }) {
  const sorted = [...versions].sort((a, b) => b.version - a.version);
  return (
    <ol className="flex flex-col divide-y divide-slate-100 dark:divide-slate-800" aria-label="Versions">
      {sorted.map((version, index) => {
        const older = sorted[index + 1];
        return (
          <li key={version.version} className="flex flex-col gap-1 py-3" data-testid={`version-${version.version}`}>
            <div className="flex flex-wrap items-center gap-3 text-xs">
              <span className="text-sm font-semibold">Version {version.version}</span>
              {index === 0 && <span className="rounded bg-green-100 px-1.5 py-0.5 text-green-800 dark:bg-green-900 dark:text-green-200">current</span>}
              <span className="text-slate-500">{new Date(version.changed_at).toLocaleString()}</span>
              <ProvenanceList memory={{ source: {}, created_by: version.changed_by ?? null, created_by_agent: version.changed_by_agent ?? null }} directory={directory} />
            </div>
            {older ? <Changes older={older} newer={version} /> : <p className="text-sm whitespace-pre-wrap">{version.content}</p>}
            <p className="text-xs text-slate-500">
              {version.type} · importance {version.importance.toFixed(2)}
              {version.tags.length ? ` · ${version.tags.map((t) => `#${t}`).join(" ")}` : ""}
              {version.expires_at ? ` · expires ${new Date(version.expires_at).toLocaleString()}` : ""}
            </p>
          </li>
        );
      })}
    </ol>
  );
}

function Changes({ older, newer }: { older: MemoryVersion; newer: MemoryVersion }) {
  const fields = fieldChanges(older, newer);
  const same = older.content === newer.content;
  return (
    <div className="flex flex-col gap-1">
      {same ? (
        <p className="text-sm whitespace-pre-wrap">{newer.content}</p>
      ) : (
        <p className="text-sm whitespace-pre-wrap" aria-label={`Changes from version ${older.version}`}>
          {wordDiff(older.content, newer.content).map((part, i) =>
            part.kind === "same" ? (
              <span key={i}>{part.text}</span>
            ) : part.kind === "removed" ? (
              <del key={i} className="bg-red-100 text-red-800 dark:bg-red-950 dark:text-red-300">
                {part.text}
              </del>
            ) : (
              <ins key={i} className="bg-green-100 text-green-900 no-underline dark:bg-green-950 dark:text-green-300">
                {part.text}
              </ins>
            ),
          )}
        </p>
      )}
      {fields.length > 0 && (
        <ul className="text-xs">
          {fields.map((c) => (
            <li key={c.field}>
              <span className="text-slate-500">{c.field.replace("_", " ")}:</span> <del className="text-red-700 dark:text-red-300">{c.before}</del> → <ins className="text-green-700 no-underline dark:text-green-300">{c.after}</ins>
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
