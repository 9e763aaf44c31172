// The knowledge base (`/api/knowledge`): collections, their documents, uploads and search. Query
// keys under ["knowledge"] (knowledge.* events make them stale, see lib/live/invalidate.ts).
import { keepPreviousData, useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { authedFetch } from "@/lib/api/client";
import { errorFromResponse } from "@/lib/api/errors";

export type CollectionScope = "user" | "circle" | "global";
export type SearchMode = "hybrid" | "semantic" | "keyword";

export type Collection = {
  id: string;
  name: string;
  description: string;
  scope: CollectionScope;
  scope_id?: string | null;
  owner_id: string;
  shared_with: string[];
  document_count: number;
  created_at: string;
  updated_at: string;
};

export type NewCollection = { name: string; description?: string; scope?: CollectionScope; scope_id?: string; shared_with?: string[] };
export type CollectionPatch = { description?: string; shared_with?: string[] };

export type KnowledgeDocument = {
  id: string;
  collection_id: string;
  name: string;
  content_type: string;
  bytes: number;
  sha256: string;
  chunk_count: number;
  embedded_chunks: number;
  uploaded_by?: string | null;
  created_at: string;
  updated_at: string;
};

export type Chunk = { id: string; position: number; heading_path: string[]; content: string; tokens: number };
export type DocumentDetail = KnowledgeDocument & { chunks: Chunk[] };

export type UploadOutcome = "ingested" | "replaced" | "unchanged";
export type UploadResult = { documents: { document: KnowledgeDocument; outcome: UploadOutcome }[] };

export type KnowledgeSearchRequest = { query: string; collections?: string[]; mode?: SearchMode; limit?: number; threshold?: number };
export type KnowledgeHit = {
  chunk_id: string;
  document_id: string;
  document_name: string;
  collection_id: string;
  collection_name: string;
  position: number;
  heading_path: string[];
  content: string;
  score: number;
  similarity?: number | null;
  semantic_rank?: number | null;
  keyword_rank?: number | null;
};
export type KnowledgeSearchResult = { mode: SearchMode; model?: string | null; items: KnowledgeHit[] };

export const knowledgeKeys = {
  all: ["knowledge"] as const,
  collections: ["knowledge", "collections"] as const,
  collection: (idOrName: string) => ["knowledge", "collection", idOrName] as const,
  documents: (idOrName: string) => ["knowledge", "documents", idOrName] as const,
  document: (id: string) => ["knowledge", "document", id] as const,
  search: (request: KnowledgeSearchRequest) => ["knowledge", "search", request] as const,
};

function url(path: string): URL {
  return new URL(path, globalThis.location?.origin ?? "http://localhost");
}

async function call<T>(method: string, path: string, body?: unknown): Promise<T> {
  const init: RequestInit = { method };
  if (body !== undefined) {
    init.body = JSON.stringify(body);
    init.headers = { "content-type": "application/json" };
  }
  const response = await authedFetch(new Request(url(path), init));
  if (!response.ok) throw await errorFromResponse(response);
  if (response.status === 204) return undefined as T;
  return (await response.json()) as T;
}

const seg = encodeURIComponent;

export function useCollections() {
  return useQuery({
    queryKey: knowledgeKeys.collections,
    queryFn: async () => {
      const items: Collection[] = [];
      let cursor: string | null | undefined;
      for (let i = 0; i < 20; i++) {
        const page = await call<{ items: Collection[]; next_cursor?: string | null }>("GET", `/api/knowledge/collections?limit=200${cursor ? `&cursor=${seg(cursor)}` : ""}`);
        items.push(...page.items);
        cursor = page.next_cursor;
        if (!cursor) break;
      }
      return items;
    },
  });
}

export function useCollection(idOrName: string) {
  return useQuery({ queryKey: knowledgeKeys.collection(idOrName), queryFn: () => call<Collection>("GET", `/api/knowledge/collections/${seg(idOrName)}`) });
}

/** A collection's documents; read every 2 s while some chunks still wait for their vectors. */
export function useDocuments(idOrName: string) {
  return useQuery({
    queryKey: knowledgeKeys.documents(idOrName),
    queryFn: async () => (await call<{ items: KnowledgeDocument[] }>("GET", `/api/knowledge/collections/${seg(idOrName)}/documents`)).items,
    refetchInterval: (q) => ((q.state.data ?? []).some((d) => d.embedded_chunks < d.chunk_count) ? 2000 : false),
  });
}

export function useDocument(id: string | null) {
  return useQuery({
    queryKey: knowledgeKeys.document(id ?? "none"),
    enabled: id !== null,
    queryFn: () => call<DocumentDetail>("GET", `/api/knowledge/documents/${seg(id ?? "")}`),
  });
}

export function useKnowledgeSearch(request: KnowledgeSearchRequest | null) {
  return useQuery({
    queryKey: knowledgeKeys.search(request ?? { query: "" }),
    enabled: request !== null && request.query.trim() !== "",
    placeholderData: keepPreviousData,
    queryFn: () => call<KnowledgeSearchResult>("POST", "/api/knowledge/search", request),
  });
}

function useKnowledgeMutation<A, R>(fn: (arg: A) => Promise<R>) {
  const client = useQueryClient();
  return useMutation({ mutationFn: fn, onSuccess: () => client.invalidateQueries({ queryKey: knowledgeKeys.all }) });
}

export const useCreateCollection = () => useKnowledgeMutation((body: NewCollection) => call<Collection>("POST", "/api/knowledge/collections", body));
export const useUpdateCollection = () =>
  useKnowledgeMutation(({ idOrName, body }: { idOrName: string; body: CollectionPatch }) => call<Collection>("PATCH", `/api/knowledge/collections/${seg(idOrName)}`, body));
export const useDeleteCollection = () => useKnowledgeMutation((idOrName: string) => call<void>("DELETE", `/api/knowledge/collections/${seg(idOrName)}`));
export const useDeleteDocument = () => useKnowledgeMutation((id: string) => call<void>("DELETE", `/api/knowledge/documents/${seg(id)}`));

/** Uploads one file as its own multipart request, so each file gets its own outcome or error. */
export async function uploadFile(collection: string, file: File): Promise<UploadResult> {
  const form = new FormData();
  form.append("file", file, file.name);
  const response = await authedFetch(new Request(url(`/api/knowledge/collections/${seg(collection)}/documents`), { method: "POST", body: form }));
  if (!response.ok) throw await errorFromResponse(response);
  return (await response.json()) as UploadResult;
}

