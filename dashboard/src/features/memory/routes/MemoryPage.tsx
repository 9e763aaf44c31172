// Memories (`/memory`): the ones you may read, filtered by scope, type, tag and deletion, or
// searched (hybrid, semantic or keyword) with each hit's score and the ranks that matched it;
// members write a new one; the embedding state beside. Filters and the search are kept in the
// address; memory.* events refresh everything shown.
import { useSearchParams } from "react-router";
import { useCan, useSession } from "@/lib/auth/session";
import { useDebounced } from "@/lib/useDebounced";
import { Button, Card, Select, TextInput } from "@/components/ui";
import { Empty, ErrorState, Loading, PageHeader, QueryView } from "@/components/states";
import { notify, notifyError } from "@/components/notices";
import { memoryTypes, scopes, searchModes, useCreateMemory, useMemoryList, useMemorySearch, type MemoryType, type Scope, type SearchMode, type SearchRequest } from "../api";
import { createBody, emptyForm, filterFromSearch, filterToSearch, listParams, searchRequest, shortId, type MemoryFilter, type MemoryForm } from "../model";
import { useDirectory, type Directory } from "../names";
import { MemoryItem } from "../components/MemoryItem";
import { MemoryFormFields } from "../components/MemoryFormFields";
import { EmbeddingPanel } from "../components/EmbeddingPanel";

export default function MemoryPage() {
  const canWrite = useCan("member");
  const [params, setParams] = useSearchParams();
  const filter = filterFromSearch(params);
  const creating = params.get("new") !== null && canWrite;
  const setFilter = (next: MemoryFilter) =>
    setParams(
      () => {
        const out = filterToSearch(next);
        if (creating) out.set("new", "");
        return out;
      },
      { replace: true },
    );
  const setCreating = (on: boolean) =>
    setParams((p) => {
      if (on) p.set("new", "");
      else p.delete("new");
      return p;
    });
  const directory = useDirectory();

  return (
    <>
      <PageHeader
        title="Memory"
        description="What agents and people remember, by scope: each memory keeps its versions and where it came from."
        actions={
          canWrite &&
          !creating && (
            <Button variant="primary" onClick={() => setCreating(true)}>
              New memory
            </Button>
          )
        }
      />
      {creating && (
        // Opened from an agent's or a conversation's memories, a new one starts in that scope.
        <CreateCard initial={(filter.scope === "agent" || filter.scope === "conversation") && filter.scopeId ? { ...emptyForm, scope: filter.scope, scopeId: filter.scopeId } : emptyForm} onDone={() => setCreating(false)} />
      )}
      <div className="grid grid-cols-1 gap-4 lg:grid-cols-[1fr_18rem]">
        <Card>
          <Filters filter={filter} setFilter={setFilter} directory={directory} />
          {filter.q.trim() ? <SearchResults filter={filter} directory={directory} /> : <MemoryList filter={filter} directory={directory} />}
        </Card>
        <div>
          <EmbeddingPanel />
        </div>
      </div>
    </>
  );
}

function CreateCard({ initial, onDone }: { initial: MemoryForm; onDone: () => void }) {
  const create = useCreateMemory();
  const me = useSession((s) => s.user?.id ?? null);
  return (
    <Card title="New memory" className="mb-4">
      <MemoryFormFields
        initial={initial}
        busy={create.isPending}
        error={create.error}
        submitLabel="Remember"
        onCancel={() => {
          create.reset();
          onDone();
        }}
        onSubmit={(form) =>
          create.mutate(createBody(form, me), {
            onSuccess: (m) => {
              notify(m.links.some((l) => l.kind === "duplicate_of") ? "Remembered, linked to a near-identical memory." : "Remembered.");
              onDone();
            },
            onError: notifyError,
          })
        }
      />
    </Card>
  );
}

function Filters({ filter, setFilter, directory }: { filter: MemoryFilter; setFilter: (f: MemoryFilter) => void; directory: Directory }) {
  const target = filter.scopeId ? (directory.agents.get(filter.scopeId)?.name ?? directory.conversations.get(filter.scopeId)?.title ?? shortId(filter.scopeId)) : "";
  return (
    <div className="mb-3 flex flex-col gap-3">
      <div className="grid grid-cols-[1fr_9rem] gap-3">
        <TextInput label="Search memories" type="search" placeholder="What are you looking for?" value={filter.q} onChange={(e) => setFilter({ ...filter, q: e.target.value })} />
        <Select label="Search mode" value={filter.mode} onChange={(e) => setFilter({ ...filter, mode: e.target.value as SearchMode })}>
          {searchModes.map((m) => (
            <option key={m} value={m}>
              {m}
            </option>
          ))}
        </Select>
      </div>
      <div className="grid grid-cols-2 items-end gap-3 xl:grid-cols-[1fr_1fr_1fr_auto]">
        <Select label="Scope" value={filter.scope} onChange={(e) => setFilter({ ...filter, scope: e.target.value as Scope | "", scopeId: "" })}>
          <option value="">Any scope</option>
          {scopes.map((s) => (
            <option key={s} value={s}>
              {s}
            </option>
          ))}
        </Select>
        <Select label="Type" value={filter.type} onChange={(e) => setFilter({ ...filter, type: e.target.value as MemoryType | "" })}>
          <option value="">Any type</option>
          {memoryTypes.map((t) => (
            <option key={t} value={t}>
              {t}
            </option>
          ))}
        </Select>
        <TextInput label="Tag" value={filter.tag} onChange={(e) => setFilter({ ...filter, tag: e.target.value })} />
        <label className="flex items-center gap-2 pb-2 text-sm">
          <input type="checkbox" checked={filter.deleted} disabled={filter.q.trim() !== ""} onChange={(e) => setFilter({ ...filter, deleted: e.target.checked })} />
          Include deleted
        </label>
      </div>
      {filter.scope && filter.scopeId && (
        <p className="flex items-center gap-2 text-xs">
          Only the {filter.scope} {target}
          <Button variant="ghost" aria-label="Any of this scope" onClick={() => setFilter({ ...filter, scopeId: "" })}>
            ✕
          </Button>
        </p>
      )}
    </div>
  );
}

function MemoryList({ filter, directory }: { filter: MemoryFilter; directory: Directory }) {
  const debounced = useDebounced(filter.tag);
  const list = useMemoryList(listParams({ ...filter, tag: debounced }));
  const narrowed = Boolean(filter.scope || filter.type || filter.tag.trim());
  return (
    <QueryView query={list} what="Loading memories">
      {({ memories, hasMore }) =>
        memories.length === 0 ? (
          <Empty>{narrowed ? "No memory matches these filters." : "No memories yet. Agents remember as they talk; you can write one with New memory."}</Empty>
        ) : (
          <>
            <p className="text-xs text-slate-500" aria-live="polite">
              {hasMore ? `The newest ${memories.length} memories` : `${memories.length} ${memories.length === 1 ? "memory" : "memories"}`}
            </p>
            <ul className="divide-y divide-slate-100 dark:divide-slate-800" aria-label="Memories">
              {memories.map((m) => (
                <MemoryItem key={m.id} memory={m} directory={directory} />
              ))}
            </ul>
            {hasMore && (
              <Button onClick={() => void list.fetchNextPage()} disabled={list.isFetchingNextPage}>
                {list.isFetchingNextPage ? "Loading…" : "Load more"}
              </Button>
            )}
          </>
        )
      }
    </QueryView>
  );
}

function SearchResults({ filter, directory }: { filter: MemoryFilter; directory: Directory }) {
  // Debounced as text: the request is a new object on every render.
  const settled = useDebounced(JSON.stringify(searchRequest(filter)), 300);
  const request = JSON.parse(settled) as SearchRequest | null;
  const search = useMemorySearch(request);
  if (!request || search.isPending) return <Loading what="Searching" />;
  if (search.error || !search.data) return <ErrorState error={search.error} retry={() => void search.refetch()} />;
  const result = search.data;
  return (
    <>
      <p className="text-xs text-slate-500" aria-live="polite" data-testid="search-summary">
        {result.items.length} {result.items.length === 1 ? "hit" : "hits"} for “{request.query}” · {result.mode}
        {result.model ? ` with ${result.model}` : result.mode !== "keyword" ? " (no embedding model: keywords only)" : ""}
      </p>
      {result.items.length === 0 ? (
        <Empty>Nothing found. Try another wording, or the keyword mode for exact words.</Empty>
      ) : (
        <ul className="divide-y divide-slate-100 dark:divide-slate-800" aria-label="Search results">
          {result.items.map((hit) => (
            <MemoryItem key={hit.memory.id} memory={hit.memory} hit={hit} directory={directory} />
          ))}
        </ul>
      )}
    </>
  );
}
