// The model registry and the usage ledger: query keys under "models" and "usage" (invalidated
// by llm_provider.*, llm_model.* and llm.* events, see lib/live/invalidate.ts) and the hooks.
import { keepPreviousData, useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { api, unwrap } from "@/lib/api/client";
import type { components } from "@/lib/api/schema";

type Group = components["schemas"]["UsageGroup"];

export const modelKeys = {
  providers: () => ["models", "providers"] as const,
  models: () => ["models", "list"] as const,
  usage: (group: Group, since: string) => ["usage", group, since] as const,
  users: () => ["users", "names"] as const,
};

export function useProviders() {
  return useQuery({ queryKey: modelKeys.providers(), queryFn: () => unwrap(api.GET("/api/llm/providers")) });
}

export function useModels() {
  return useQuery({ queryKey: modelKeys.models(), queryFn: () => unwrap(api.GET("/api/llm/models")) });
}

export function useUsage(group: Group, since: string) {
  return useQuery({
    queryKey: modelKeys.usage(group, since),
    queryFn: () => unwrap(api.GET("/api/llm/usage", { params: { query: { group_by: group, since } } })),
    placeholderData: keepPreviousData,
    // Calls are not events: the ledger is read again now and then while the page is open.
    refetchInterval: 30_000,
  });
}

/** Users' e-mails by id, to name the by-user chart (admins only). */
export function useUserNames(enabled: boolean) {
  return useQuery({
    queryKey: modelKeys.users(),
    enabled,
    queryFn: async () => {
      const page = await unwrap(api.GET("/api/users", { params: { query: { limit: 200 } } }));
      return new Map(page.items.map((u) => [u.id, u.email]));
    },
  });
}

function useRegistryMutation<T>(fn: (arg: T) => Promise<unknown>) {
  const client = useQueryClient();
  return useMutation({ mutationFn: fn, onSuccess: () => void client.invalidateQueries({ queryKey: ["models"] }) });
}

export const useCreateProvider = () => useRegistryMutation((body: components["schemas"]["NewProvider"]) => unwrap(api.POST("/api/llm/providers", { body })));
export const useUpdateProvider = () =>
  useRegistryMutation(({ id, body }: { id: string; body: components["schemas"]["ProviderPatch"] }) => unwrap(api.PATCH("/api/llm/providers/{id}", { params: { path: { id } }, body })));
export const useDeleteProvider = () => useRegistryMutation((id: string) => unwrap(api.DELETE("/api/llm/providers/{id}", { params: { path: { id } } })));
export const useCreateModel = () => useRegistryMutation((body: components["schemas"]["NewModel"]) => unwrap(api.POST("/api/llm/models", { body })));
export const useUpdateModel = () =>
  useRegistryMutation(({ id, body }: { id: string; body: components["schemas"]["ModelPatch"] }) => unwrap(api.PATCH("/api/llm/models/{id}", { params: { path: { id } }, body })));
export const useDeleteModel = () => useRegistryMutation((id: string) => unwrap(api.DELETE("/api/llm/models/{id}", { params: { path: { id } } })));
