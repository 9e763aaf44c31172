// Models: what clients name as `model`. Everyone reads them; admins add, change, disable and
// delete them (the local provider's models can only be changed or disabled).
import { useState, type FormEvent } from "react";
import { ApiError } from "@/lib/api/errors";
import { ConfirmButton } from "@/components/confirm";
import { notify, notifyError } from "@/components/notices";
import { Empty, QueryView } from "@/components/states";
import { Badge, Button, Card, Select, TextInput } from "@/components/ui";
import { useCreateModel, useDeleteModel, useModels, useUpdateModel } from "../api";
import { capabilities, emptyModel, modelCreateBody, modelForm, modelPatchBody, type Model, type ModelForm, type Provider } from "../registry";
import { formatCost } from "../usage";

function ModelEditor({ before, models, providers, onDone }: { before: Model | null; models: Model[]; providers: Provider[]; onDone: () => void }) {
  const [form, setForm] = useState<ModelForm>(before ? modelForm(before) : { ...emptyModel, provider: providers.find((p) => p.kind !== "local")?.name ?? providers[0]?.name ?? "" });
  const [errors, setErrors] = useState<Record<string, string>>({});
  const create = useCreateModel();
  const update = useUpdateModel();
  const set = <K extends keyof ModelForm>(key: K, value: ModelForm[K]) => {
    setForm((f) => ({ ...f, [key]: value }));
    setErrors({});
  };
  const fixed = before !== null;

  async function submit(e: FormEvent) {
    e.preventDefault();
    try {
      if (before) await update.mutateAsync({ id: before.id, body: modelPatchBody(form) });
      else await create.mutateAsync(modelCreateBody(form));
      notify(before ? `Model ${before.name} saved.` : `Model ${form.name.trim()} added.`);
      onDone();
    } catch (error) {
      if (error instanceof ApiError && error.status === 422) setErrors({ [error.field ?? "name"]: error.message });
      else if (error instanceof ApiError && error.status === 409) setErrors({ name: error.message });
      else notifyError(error);
    }
  }

  return (
    <form onSubmit={(e) => void submit(e)} aria-label={before ? `Edit model ${before.name}` : "New model"} className="mt-3 grid grid-cols-3 gap-3 rounded-md border border-slate-200 p-3 dark:border-slate-800">
      <TextInput label="Model name" value={form.name} onChange={(e) => set("name", e.target.value)} error={errors["name"]} disabled={fixed} required />
      <Select label="Provider" value={form.provider} onChange={(e) => set("provider", e.target.value)} error={errors["provider"]} disabled={fixed}>
        {providers.map((p) => (
          <option key={p.id} value={p.name}>
            {p.name}
          </option>
        ))}
      </Select>
      <TextInput label="Provider's model name" value={form.providerModel} onChange={(e) => set("providerModel", e.target.value)} error={errors["provider_model"]} required />
      <Select label="Model kind" value={form.kind} onChange={(e) => set("kind", e.target.value as ModelForm["kind"])} error={errors["kind"]} disabled={fixed}>
        <option value="chat">chat</option>
        <option value="embedding">embedding</option>
      </Select>
      <TextInput label="Context window" type="number" min={1} value={form.contextWindow} onChange={(e) => set("contextWindow", e.target.value)} error={errors["context_window"]} />
      {form.kind === "embedding" ? (
        <TextInput label="Dimension" type="number" min={1} value={form.dimension} onChange={(e) => set("dimension", e.target.value)} error={errors["dimension"]} disabled={fixed} />
      ) : (
        <div />
      )}
      <TextInput label="Input price ($ per million tokens)" type="number" min={0} step="any" value={form.inputPrice} onChange={(e) => set("inputPrice", e.target.value)} error={errors["input_price_per_mtok"]} />
      <TextInput label="Output price ($ per million tokens)" type="number" min={0} step="any" value={form.outputPrice} onChange={(e) => set("outputPrice", e.target.value)} error={errors["output_price_per_mtok"]} />
      <Select label="Fallback" value={form.fallback} onChange={(e) => set("fallback", e.target.value)} error={errors["fallback"]}>
        <option value="">none</option>
        {models
          .filter((m) => m.kind === form.kind && m.name !== form.name)
          .map((m) => (
            <option key={m.id} value={m.name}>
              {m.name}
            </option>
          ))}
      </Select>
      <fieldset className="col-span-2 flex flex-wrap items-center gap-3 text-sm">
        <legend className="mb-1 text-sm font-medium text-slate-700 dark:text-slate-300">Capabilities</legend>
        {capabilities.map((c) => (
          <label key={c} className="flex items-center gap-1">
            <input type="checkbox" checked={form.capabilities.includes(c)} onChange={(e) => set("capabilities", e.target.checked ? [...form.capabilities, c] : form.capabilities.filter((x) => x !== c))} />
            {c}
          </label>
        ))}
        {errors["capabilities"] && <span role="alert" className="text-xs text-red-600">{errors["capabilities"]}</span>}
      </fieldset>
      <label className="flex items-center gap-2 self-end text-sm">
        <input type="checkbox" checked={form.enabled} onChange={(e) => set("enabled", e.target.checked)} />
        Enabled
      </label>
      <div className="col-span-3 flex gap-2">
        <Button type="submit" variant="primary" disabled={create.isPending || update.isPending}>
          {before ? "Save model" : "Add model"}
        </Button>
        <Button onClick={onDone}>Cancel</Button>
      </div>
    </form>
  );
}

export function ModelsCard({ admin, providers }: { admin: boolean; providers: Provider[] }) {
  const models = useModels();
  const update = useUpdateModel();
  const remove = useDeleteModel();
  const [editing, setEditing] = useState<Model | "new" | null>(null);
  return (
    <Card
      title="Models"
      actions={
        admin && editing === null ? (
          <Button variant="primary" onClick={() => setEditing("new")}>
            New model
          </Button>
        ) : undefined
      }
    >
      <QueryView query={models} what="Loading models">
        {(list) =>
          list.length === 0 ? (
            <Empty>No models.</Empty>
          ) : (
            <div className="overflow-x-auto">
              <table aria-label="Models" className="w-full text-left text-sm">
                <thead className="text-xs text-slate-500 uppercase">
                  <tr>
                    <th className="py-1 pr-3 font-medium">Name</th>
                    <th className="py-1 pr-3 font-medium">Provider</th>
                    <th className="py-1 pr-3 font-medium">Kind</th>
                    <th className="py-1 pr-3 font-medium">Context</th>
                    <th className="py-1 pr-3 font-medium">Price in / out</th>
                    <th className="py-1 pr-3 font-medium">Fallback</th>
                    <th className="py-1 pr-3 font-medium">State</th>
                    {admin && <th className="py-1 font-medium">Actions</th>}
                  </tr>
                </thead>
                <tbody className="divide-y divide-slate-100 dark:divide-slate-800">
                  {list.map((m) => (
                    <tr key={m.id}>
                      <td className="py-1.5 pr-3">
                        <div className="font-medium">{m.name}</div>
                        {m.provider_model !== m.name && <div className="font-mono text-xs text-slate-500">{m.provider_model}</div>}
                      </td>
                      <td className="py-1.5 pr-3">{m.provider}</td>
                      <td className="py-1.5 pr-3">
                        {m.kind}
                        {m.dimension != null && <span className="text-xs text-slate-500"> ({m.dimension}-d)</span>}
                        <div className="text-xs text-slate-500">{m.capabilities.join(", ")}</div>
                      </td>
                      <td className="py-1.5 pr-3 tabular-nums">{m.context_window}</td>
                      <td className="py-1.5 pr-3 tabular-nums">
                        {formatCost(m.input_price_per_mtok)} / {formatCost(m.output_price_per_mtok)}
                      </td>
                      <td className="py-1.5 pr-3">{m.fallback ?? <span className="text-slate-400">—</span>}</td>
                      <td className="py-1.5 pr-3">
                        <Badge tone={m.enabled ? "completed" : "cancelled"}>{m.enabled ? "enabled" : "disabled"}</Badge>
                      </td>
                      {admin && (
                        <td className="py-1.5">
                          <span className="flex gap-1">
                            <Button variant="ghost" onClick={() => setEditing(m)} aria-label={`Edit model ${m.name}`}>
                              Edit
                            </Button>
                            <Button
                              variant="ghost"
                              disabled={update.isPending}
                              aria-label={`${m.enabled ? "Disable" : "Enable"} model ${m.name}`}
                              onClick={() =>
                                update.mutate({ id: m.id, body: { enabled: !m.enabled } }, { onSuccess: () => notify(`Model ${m.name} ${m.enabled ? "disabled" : "enabled"}.`), onError: notifyError })
                              }
                            >
                              {m.enabled ? "Disable" : "Enable"}
                            </Button>
                            {m.provider_kind !== "local" && (
                              <ConfirmButton
                                label="Delete"
                                question={`Delete model ${m.name}?`}
                                confirmLabel="Delete"
                                disabled={remove.isPending}
                                onConfirm={() => remove.mutate(m.id, { onSuccess: () => notify(`Model ${m.name} deleted.`), onError: notifyError })}
                              />
                            )}
                          </span>
                        </td>
                      )}
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )
        }
      </QueryView>
      {admin && editing !== null && models.data && (
        <ModelEditor key={editing === "new" ? "new" : editing.id} before={editing === "new" ? null : editing} models={models.data} providers={providers} onDone={() => setEditing(null)} />
      )}
    </Card>
  );
}
