// Search across collections (all you may read, or the ones ticked; or one, on its page): each hit
// is a citation. The query is sent once typing pauses; knowledge.* events rerun it.
import { useState } from "react";
import { useDebounced } from "@/lib/useDebounced";
import { Card, Select, TextInput } from "@/components/ui";
import { Empty, ErrorState, Loading } from "@/components/states";
import { useKnowledgeSearch, type Collection, type KnowledgeSearchRequest, type SearchMode } from "../api";
import { Citation } from "./Citation";

const modes: SearchMode[] = ["hybrid", "semantic", "keyword"];

/** `only`: search this collection alone (its page); otherwise pick among `collections`. */
export function SearchPanel({ collections, only }: { collections?: Collection[]; only?: string }) {
  const [query, setQuery] = useState("");
  const [mode, setMode] = useState<SearchMode>("hybrid");
  const [picked, setPicked] = useState<string[]>([]);
  const scope = only ? [only] : picked;
  const request: KnowledgeSearchRequest | null = query.trim() ? { query: query.trim(), mode, limit: 10, ...(scope.length ? { collections: scope } : {}) } : null;
  const settled = useDebounced(JSON.stringify(request), 300);
  const sent = JSON.parse(settled) as KnowledgeSearchRequest | null;
  const search = useKnowledgeSearch(sent);

  return (
    <Card title={only ? "Search this collection" : "Search the knowledge base"}>
      <div className="mb-3 grid grid-cols-[1fr_9rem] gap-3">
        <TextInput label="Search documents" type="search" placeholder="Ask in your own words or with exact terms" value={query} onChange={(e) => setQuery(e.target.value)} />
        <Select label="Search mode" value={mode} onChange={(e) => setMode(e.target.value as SearchMode)}>
          {modes.map((m) => (
            <option key={m} value={m}>
              {m}
            </option>
          ))}
        </Select>
      </div>
      {!only && collections && collections.length > 1 && (
        <fieldset className="mb-3 flex flex-wrap gap-x-4 gap-y-1 text-sm">
          <legend className="mb-1 text-sm font-medium text-slate-700 dark:text-slate-300">In collections (none ticked: all)</legend>
          {collections.map((c) => (
            <label key={c.id} className="flex items-center gap-1">
              <input type="checkbox" checked={picked.includes(c.name)} onChange={(e) => setPicked((p) => (e.target.checked ? [...p, c.name] : p.filter((n) => n !== c.name)))} />
              {c.name}
            </label>
          ))}
        </fieldset>
      )}
      {!sent ? (
        <p className="text-sm text-slate-500">Type to search; each hit cites its document and headings.</p>
      ) : search.isPending ? (
        <Loading what="Searching" />
      ) : search.error || !search.data ? (
        <ErrorState error={search.error} retry={() => void search.refetch()} />
      ) : (
        <>
          <p className="text-xs text-slate-500" aria-live="polite" data-testid="knowledge-search-summary">
            {search.data.items.length} {search.data.items.length === 1 ? "citation" : "citations"} for “{sent.query}” · {search.data.mode}
            {search.data.model ? ` with ${search.data.model}` : ""}
          </p>
          {search.data.items.length === 0 ? (
            <Empty>Nothing found.</Empty>
          ) : (
            <ol className="divide-y divide-slate-100 dark:divide-slate-800" aria-label="Citations">
              {search.data.items.map((hit) => (
                <Citation key={hit.chunk_id} hit={hit} query={sent.query} />
              ))}
            </ol>
          )}
        </>
      )}
    </Card>
  );
}
