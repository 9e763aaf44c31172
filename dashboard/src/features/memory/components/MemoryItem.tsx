// One memory in a list or a search result: its content, scope, badges, provenance and links, and
// for a hit the score and which ranks matched it.
import { Link } from "react-router";
import type { Memory, SearchHit } from "../api";
import { matchedBy } from "../model";
import type { Directory } from "../names";
import { linkClass, MemoryBadges, MemoryLinks, ProvenanceList, ScopeLabel } from "./parts";

export function MemoryItem({ memory, hit, directory }: { memory: Memory; hit?: SearchHit; directory: Directory }) {
  return (
    <li className="flex flex-col gap-1.5 py-3" data-testid="memory" data-memory-id={memory.id}>
      <div className="flex flex-wrap items-center gap-2">
        <ScopeLabel memory={memory} directory={directory} />
        <MemoryBadges memory={memory} />
        {hit && <HitScore hit={hit} />}
        <Link to={`/memory/${memory.id}`} className={`ml-auto text-xs ${linkClass}`} aria-label={`Open memory ${memory.content.slice(0, 40)}`}>
          Versions and details
        </Link>
      </div>
      <p className={`text-sm whitespace-pre-wrap ${memory.deleted_at ? "text-slate-400 line-through" : ""}`}>{memory.content}</p>
      <div className="flex flex-wrap items-center gap-x-4 gap-y-1">
        <ProvenanceList memory={memory} directory={directory} />
        <MemoryLinks memory={memory} />
        <span className="ml-auto text-xs text-slate-500">{new Date(memory.updated_at).toLocaleString()}</span>
      </div>
    </li>
  );
}

function HitScore({ hit }: { hit: SearchHit }) {
  const ranks = matchedBy(hit);
  return (
    <span className="inline-flex items-center gap-1 text-xs" data-testid="hit-score">
      <span className="rounded bg-indigo-100 px-1.5 py-0.5 font-medium text-indigo-800 dark:bg-indigo-900 dark:text-indigo-200">score {hit.score.toFixed(3)}</span>
      {hit.similarity != null && <span className="text-slate-500">similarity {hit.similarity.toFixed(3)}</span>}
      {ranks.map((r) => (
        <span key={r} className="rounded border border-indigo-300 px-1 text-indigo-700 dark:border-indigo-700 dark:text-indigo-300">
          {r}
        </span>
      ))}
    </span>
  );
}
