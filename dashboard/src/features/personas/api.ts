// Personas: query keys under ["personas"] (as src/lib/live/invalidate.ts expects) and hooks.
import { keepPreviousData, useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import type { components } from "@/lib/api/schema";
import { api, unwrap } from "@/lib/api/client";
import { allPages } from "@/lib/api/pages";

export type Persona = components["schemas"]["Persona"];
export type PersonaBody = components["schemas"]["PersonaBody"];

export const personaKeys = {
  all: ["personas"] as const,
  list: (q = "") => ["personas", "list", q] as const,
  one: (id: string) => ["personas", "one", id] as const,
};

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
