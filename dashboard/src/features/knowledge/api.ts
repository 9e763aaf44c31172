// The knowledge base (`/api/knowledge`): collections, their documents, uploads and search, in the
// generated wire types (src/lib/api/schema.d.ts). Query keys under ["knowledge"] (knowledge.*
// events make them stale, see lib/live/invalidate.ts).
import { keepPreviousData, useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import type { components } from "@/lib/api/schema";
import { api, unwrap } from "@/lib/api/client";
import { allPages } from "@/lib/api/pages";

type Schemas = components["schemas"];

export type CollectionScope = Schemas["KnowledgeCollectionScope"];
export type SearchMode = Schemas["SearchMode"];
export type Collection = Schemas["KnowledgeCollection"];
export type NewCollection = Schemas["CollectionBody"];
export type CollectionPatch = Schemas["CollectionPatchBody"];
export type KnowledgeDocument = Schemas["KnowledgeDocument"];
export type Chunk = Schemas["KnowledgeChunk"];
export type DocumentDetail = Schemas["KnowledgeDocumentDetail"];
export type UploadOutcome = Schemas["UploadOutcome"];
export type UploadResult = Schemas["UploadReport"];
export type UploadedDocument = Schemas["UploadedDocument"];
export type KnowledgeSearchRequest = Schemas["KnowledgeSearchBody"];
export type KnowledgeHit = Schemas["KnowledgeHit"];
export type KnowledgeSearchResult = Schemas["KnowledgeResult"];

export const knowledgeKeys = {
  all: ["knowledge"] as const,
  collections: ["knowledge", "collections"] as const,
  collection: (idOrName: string) => ["knowledge", "collection", idOrName] as const,
  documents: (idOrName: string) => ["knowledge", "documents", idOrName] as const,
  document: (id: string) => ["knowledge", "document", id] as const,
  search: (request: KnowledgeSearchRequest) => ["knowledge", "search", request] as const,
};

export function useCollections() {
  return useQuery({
    queryKey: knowledgeKeys.collections,
    queryFn: () => allPages((cursor) => unwrap(api.GET("/api/knowledge/collections", { params: { query: { limit: 200, ...(cursor ? { cursor } : {}) } } }))),
  });
}

export function useCollection(idOrName: string) {
  return useQuery({
    queryKey: knowledgeKeys.collection(idOrName),
    queryFn: () => unwrap(api.GET("/api/knowledge/collections/{collection}", { params: { path: { collection: idOrName } } })),
  });
}

/** A collection's documents; read every 2 s while some chunks still wait for their vectors. */
export function useDocuments(idOrName: string) {
  return useQuery({
    queryKey: knowledgeKeys.documents(idOrName),
    queryFn: async () => (await unwrap(api.GET("/api/knowledge/collections/{collection}/documents", { params: { path: { collection: idOrName } } }))).items,
    refetchInterval: (q) => ((q.state.data ?? []).some((d) => d.embedded_chunks < d.chunk_count) ? 2000 : false),
  });
}

export function useDocument(id: string | null) {
  return useQuery({
    queryKey: knowledgeKeys.document(id ?? "none"),
    enabled: id !== null,
    queryFn: () => unwrap(api.GET("/api/knowledge/documents/{id}", { params: { path: { id: id ?? "" } } })),
  });
}

export function useKnowledgeSearch(request: KnowledgeSearchRequest | null) {
  return useQuery({
    queryKey: knowledgeKeys.search(request ?? { query: "" }),
    enabled: request !== null && request.query.trim() !== "",
    placeholderData: keepPreviousData,
    queryFn: () => unwrap(api.POST("/api/knowledge/search", { body: request ?? { query: "" } })),
  });
}

function useKnowledgeMutation<A, R>(fn: (arg: A) => Promise<R>) {
  const client = useQueryClient();
  return useMutation({ mutationFn: fn, onSuccess: () => client.invalidateQueries({ queryKey: knowledgeKeys.all }) });
}

export const useCreateCollection = () => useKnowledgeMutation((body: NewCollection) => unwrap(api.POST("/api/knowledge/collections", { body })));
export const useUpdateCollection = () =>
  useKnowledgeMutation(({ idOrName, body }: { idOrName: string; body: CollectionPatch }) =>
    unwrap(api.PATCH("/api/knowledge/collections/{collection}", { params: { path: { collection: idOrName } }, body })),
  );
export const useDeleteCollection = () =>
  useKnowledgeMutation((idOrName: string) => unwrap(api.DELETE("/api/knowledge/collections/{collection}", { params: { path: { collection: idOrName } } })));
export const useDeleteDocument = () => useKnowledgeMutation((id: string) => unwrap(api.DELETE("/api/knowledge/documents/{id}", { params: { path: { id } } })));

/**
 * Uploads one file as its own multipart request, so each file gets its own outcome or error.
 * The schema types the `file` parts as strings (binary); openapi-fetch sends a FormData body as
 * it is (the browser sets the multipart boundary), so the form stands in for the typed body.
 */
export function uploadFile(collection: string, file: File): Promise<UploadResult> {
  const form = new FormData();
  form.append("file", file, file.name);
  return unwrap(api.POST("/api/knowledge/collections/{collection}/documents", { params: { path: { collection } }, body: form as unknown as Schemas["UploadForm"] }));
}
