// Providers: where models run. Everyone reads them; admins add, change and delete them. A
// provider's API key reference is write-only here: "set" or "not set", replaced by typing a new
// one, never shown.
import { useState, type FormEvent } from "react";
import { ApiError } from "@/lib/api/errors";
import { ConfirmButton } from "@/components/confirm";
import { notify, notifyError } from "@/components/notices";
import { Empty, QueryView } from "@/components/states";
import { Badge, Button, Card, Select, TextInput } from "@/components/ui";
import { useCreateProvider, useDeleteProvider, useProviders, useUpdateProvider } from "../api";
import { emptyProvider, providerCreateBody, providerPatchBody, secretState, type Provider, type ProviderForm } from "../registry";

const secretHint = "The server environment variable that holds the key, as env:NAME. It is never shown again after saving.";

function ProviderEditor({ before, onDone }: { before: Provider | null; onDone: () => void }) {
  const [form, setForm] = useState<ProviderForm>(before ? { ...emptyProvider, kind: before.kind === "anthropic" ? "anthropic" : "openai", name: before.name, baseUrl: before.base_url ?? "" } : emptyProvider);
  const [errors, setErrors] = useState<Record<string, string>>({});
  const create = useCreateProvider();
  const update = useUpdateProvider();
  const set = <K extends keyof ProviderForm>(key: K, value: ProviderForm[K]) => {
    setForm((f) => ({ ...f, [key]: value }));
    setErrors({});
  };

  async function submit(e: FormEvent) {
    e.preventDefault();
    try {
      if (before) await update.mutateAsync({ id: before.id, body: providerPatchBody(form, before) });
      else await create.mutateAsync(providerCreateBody(form));
      notify(before ? `Provider ${before.name} saved.` : `Provider ${form.name.trim()} added.`);
      onDone();
    } catch (error) {
      if (error instanceof ApiError && error.status === 422) setErrors({ [error.field ?? "name"]: error.message });
      else if (error instanceof ApiError && error.status === 409) setErrors({ name: error.message });
      else notifyError(error);
    }
  }

  const pending = create.isPending || update.isPending;
  return (
    <form onSubmit={(e) => void submit(e)} aria-label={before ? `Edit provider ${before.name}` : "New provider"} className="mt-3 grid grid-cols-2 gap-3 rounded-md border border-slate-200 p-3 dark:border-slate-800">
      {before ? (
        <p className="col-span-2 text-sm font-medium">Edit provider {before.name}</p>
      ) : (
        <>
          <TextInput label="Provider name" value={form.name} onChange={(e) => set("name", e.target.value)} error={errors["name"]} required />
          <Select label="Provider kind" value={form.kind} onChange={(e) => set("kind", e.target.value as ProviderForm["kind"])} error={errors["kind"]}>
            <option value="openai">OpenAI-compatible (OpenAI, Ollama, vLLM, llama.cpp)</option>
            <option value="anthropic">Anthropic</option>
          </Select>
        </>
      )}
      <TextInput label="Base URL" type="url" value={form.baseUrl} onChange={(e) => set("baseUrl", e.target.value)} error={errors["base_url"]} required placeholder="https://api.openai.com/v1" />
      <div className="flex flex-col gap-1">
        <TextInput
          label={before ? `Replace API key (now ${secretState(before)})` : "API key"}
          type="password"
          autoComplete="off"
          value={form.secret}
          onChange={(e) => set("secret", e.target.value)}
          error={errors["secret_ref"]}
          hint={secretHint}
          placeholder={before?.secret_ref ? "leave empty to keep it" : "env:OPENAI_API_KEY"}
        />
        {before?.secret_ref && (
          <label className="flex items-center gap-2 text-sm">
            <input type="checkbox" checked={form.removeSecret} disabled={form.secret !== ""} onChange={(e) => set("removeSecret", e.target.checked)} />
            Remove the API key
          </label>
        )}
      </div>
      <div className="col-span-2 flex gap-2">
        <Button type="submit" variant="primary" disabled={pending}>
          {before ? "Save provider" : "Add provider"}
        </Button>
        <Button onClick={onDone}>Cancel</Button>
      </div>
    </form>
  );
}

export function ProvidersCard({ admin, modelCount }: { admin: boolean; modelCount: (provider: string) => number }) {
  const providers = useProviders();
  const remove = useDeleteProvider();
  const [editing, setEditing] = useState<Provider | "new" | null>(null);
  return (
    <Card
      title="Providers"
      actions={
        admin && editing === null ? (
          <Button variant="primary" onClick={() => setEditing("new")}>
            New provider
          </Button>
        ) : undefined
      }
    >
      <QueryView query={providers} what="Loading providers">
        {(list) =>
          list.length === 0 ? (
            <Empty>No providers.</Empty>
          ) : (
            <table aria-label="Providers" className="w-full text-left text-sm">
              <thead className="text-xs text-slate-500 uppercase">
                <tr>
                  <th className="py-1 pr-3 font-medium">Name</th>
                  <th className="py-1 pr-3 font-medium">Kind</th>
                  <th className="py-1 pr-3 font-medium">Base URL</th>
                  <th className="py-1 pr-3 font-medium">API key</th>
                  <th className="py-1 pr-3 font-medium">Models</th>
                  {admin && <th className="py-1 font-medium">Actions</th>}
                </tr>
              </thead>
              <tbody className="divide-y divide-slate-100 dark:divide-slate-800">
                {list.map((p) => (
                  <tr key={p.id}>
                    <td className="py-1.5 pr-3 font-medium">{p.name}</td>
                    <td className="py-1.5 pr-3">{p.kind}</td>
                    <td className="max-w-64 truncate py-1.5 pr-3 font-mono text-xs" title={p.base_url ?? undefined}>
                      {p.base_url ?? "built in"}
                    </td>
                    <td className="py-1.5 pr-3" data-testid={`secret-${p.name}`}>
                      {p.kind === "local" ? <span className="text-slate-400">none needed</span> : <Badge tone={p.secret_ref ? "completed" : "pending"}>{secretState(p)}</Badge>}
                    </td>
                    <td className="py-1.5 pr-3 tabular-nums">{modelCount(p.name)}</td>
                    {admin && (
                      <td className="py-1.5">
                        {p.kind !== "local" && (
                          <span className="flex gap-1">
                            <Button variant="ghost" onClick={() => setEditing(p)} aria-label={`Edit provider ${p.name}`}>
                              Edit
                            </Button>
                            <ConfirmButton
                              label="Delete"
                              question={`Delete provider ${p.name}?`}
                              confirmLabel="Delete"
                              disabled={remove.isPending}
                              onConfirm={() => remove.mutate(p.id, { onSuccess: () => notify(`Provider ${p.name} deleted.`), onError: notifyError })}
                            />
                          </span>
                        )}
                      </td>
                    )}
                  </tr>
                ))}
              </tbody>
            </table>
          )
        }
      </QueryView>
      {admin && editing !== null && <ProviderEditor key={editing === "new" ? "new" : editing.id} before={editing === "new" ? null : editing} onDone={() => setEditing(null)} />}
    </Card>
  );
}
