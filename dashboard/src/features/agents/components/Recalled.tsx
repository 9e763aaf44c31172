// The memories a turn's prompt was given ("used 2 memories"), under its answer: a toggle opens
// the list, each memory linked to its page with its score, and its text read when the list opens
// (a memory the viewer may not read, such as another owner's agent memory, says so).
import { useId, useState } from "react";
import { Link } from "react-router";
import { ApiError } from "@/lib/api/errors";
import { useMemory } from "@/features/memory/api";
import type { RecalledMemory } from "../turn";

export const usedMemories = (n: number): string => `used ${n} ${n === 1 ? "memory" : "memories"}`;

function RecalledItem({ memory }: { memory: RecalledMemory }) {
  const detail = useMemory(memory.id);
  const hidden = detail.error instanceof ApiError && detail.error.status === 404;
  return (
    <li className="flex flex-col gap-0.5">
      <span className="flex items-center gap-2">
        <Link to={`/memory/${memory.id}`} className="font-mono text-indigo-700 underline dark:text-indigo-300" aria-label={`Memory ${memory.id.slice(0, 8)}`}>
          {memory.id.slice(0, 8)}
        </Link>
        <span className="text-slate-500">score {memory.score.toFixed(3)}</span>
        {detail.data && <span className="text-slate-500">{detail.data.type}</span>}
      </span>
      <span className="text-slate-700 dark:text-slate-300" data-testid="recalled-content">
        {detail.isPending ? "Reading…" : hidden ? "Not visible to you (or deleted since)." : detail.error ? "Could not read it." : (detail.data?.content ?? "")}
      </span>
    </li>
  );
}

export function Recalled({ memories }: { memories: RecalledMemory[] }) {
  const [open, setOpen] = useState(false);
  const listId = useId();
  if (memories.length === 0) return null;
  return (
    <div data-testid="recalled" className="self-start rounded-md border border-dashed border-slate-300 px-2 py-1 text-xs dark:border-slate-700">
      <button type="button" aria-expanded={open} aria-controls={listId} onClick={() => setOpen((o) => !o)} className="text-slate-600 hover:underline dark:text-slate-400">
        {open ? "▾" : "▸"} {usedMemories(memories.length)}
      </button>
      {open && (
        <ul id={listId} aria-label="Memories used" className="mt-1 flex flex-col gap-1.5">
          {memories.map((m) => (
            <RecalledItem key={m.id} memory={m} />
          ))}
        </ul>
      )}
    </div>
  );
}
