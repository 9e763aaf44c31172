// Personas: query keys under ["personas"] (as src/lib/live/invalidate.ts expects) and hooks.
import { keepPreviousData, useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import type { components } from "@/lib/api/schema";
import { api, ApiError, unwrap } from "@/lib/api/client";
import { allPages } from "@/lib/api/pages";

export type Persona = components["schemas"]["Persona"];
export type PersonaBody = components["schemas"]["PersonaBody"];

export const personaKeys = {
  all: ["personas"] as const,
  list: (q = "") => ["personas", "list", q] as const,
  one: (id: string) => ["personas", "one", id] as const,
  // Not under ["personas"]: a check depends on the text alone, so persona events need not redo it.
  check: (file: string) => ["persona-check", file] as const,
};

/** What the server says of a persona file: its fields, or its error at the file's line. */
export type FileCheck = { ok: true; body: PersonaBody } | { ok: false; line: number | null; message: string };

/** `POST /api/personas/check`: a 422 is an answer (the file's error), anything else throws. */
async function checkFile(file: string, signal?: AbortSignal): Promise<FileCheck> {
  try {
    return { ok: true, body: await unwrap(api.POST("/api/personas/check", { body: { file }, signal })) };
  } catch (error) {
    if (error instanceof ApiError && error.status === 422) return { ok: false, line: error.line ?? null, message: error.message };
    throw error;
  }
}

const checkOptions = (file: string) => ({
  queryKey: personaKeys.check(file),
  queryFn: ({ signal }: { signal?: AbortSignal }) => checkFile(file, signal),
  retry: false,
  staleTime: Infinity,
});

/** The server's check of `file` (pass it debounced); `null` checks nothing. */
export function usePersonaCheck(file: string | null) {
  return useQuery({ ...checkOptions(file ?? ""), enabled: file !== null, placeholderData: keepPreviousData });
}

/** Checks a file now (reusing the answer for the same text): for Save. */
export function useCheckPersonaNow() {
  const client = useQueryClient();
  return (file: string) => client.fetchQuery(checkOptions(file));
}

/** Every persona, or those the server's `?q=` search keeps (name, display name or role). */
export function usePersonas(q = "") {
  const query = q.trim();
  return useQuery({
    queryKey: personaKeys.list(query),
    placeholderData: keepPreviousData,
    queryFn: () => allPages((cursor) => unwrap(api.GET("/api/personas", { params: { query: { limit: 200, ...(query ? { q: query } : {}), ...(cursor ? { cursor } : {}) } } }))),
  });
}

export function usePersona(id: string, enabled = true) {
  return useQuery({
    queryKey: personaKeys.one(id),
    enabled,
    queryFn: () => unwrap(api.GET("/api/personas/{id}", { params: { path: { id } } })),
  });
}

export function useSavePersona(id: string | null) {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (body: PersonaBody) =>
      id ? unwrap(api.PUT("/api/personas/{id}", { params: { path: { id } }, body })) : unwrap(api.POST("/api/personas", { body })),
    onSuccess: (persona) => {
      client.setQueryData(personaKeys.one(persona.id), persona);
      return client.invalidateQueries({ queryKey: ["personas", "list"] });
    },
  });
}

export function useDeletePersona() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (id: string) => unwrap(api.DELETE("/api/personas/{id}", { params: { path: { id } } })),
    onSuccess: () => client.invalidateQueries({ queryKey: personaKeys.all }),
  });
}
