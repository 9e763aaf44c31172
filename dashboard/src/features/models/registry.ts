// The registry forms and the bodies they become. A provider's secret reference is write-only in
// the dashboard: it is shown as "set" or "not set", replaced by typing a new one, or removed.
import type { components } from "@/lib/api/schema";

export type Provider = components["schemas"]["Provider"];
export type Model = components["schemas"]["Model"];

export function secretState(provider: Pick<Provider, "secret_ref">): "set" | "not set" {
  return provider.secret_ref ? "set" : "not set";
}

export type ProviderForm = { name: string; kind: "openai" | "anthropic"; baseUrl: string; secret: string; removeSecret: boolean };

export const emptyProvider: ProviderForm = { name: "", kind: "openai", baseUrl: "", secret: "", removeSecret: false };

export function providerCreateBody(form: ProviderForm): components["schemas"]["NewProvider"] {
  const body: components["schemas"]["NewProvider"] = { name: form.name.trim(), kind: form.kind, base_url: form.baseUrl.trim() };
  if (form.secret.trim()) body.secret_ref = form.secret.trim();
  return body;
}

/** Only what changed: the URL, and the secret when a new one was typed or removal asked. */
export function providerPatchBody(form: ProviderForm, before: Provider): components["schemas"]["ProviderPatch"] {
  const body: components["schemas"]["ProviderPatch"] = {};
  if (form.baseUrl.trim() !== (before.base_url ?? "")) body.base_url = form.baseUrl.trim();
  if (form.secret.trim()) body.secret_ref = form.secret.trim();
  else if (form.removeSecret) body.secret_ref = null;
  return body;
}

export const capabilities = ["streaming", "tools", "embeddings", "vision", "json"] as const;

export type ModelForm = {
  name: string;
  provider: string;
  providerModel: string;
  kind: "chat" | "embedding";
  contextWindow: string;
  dimension: string;
  capabilities: string[];
  inputPrice: string;
  outputPrice: string;
  fallback: string;
  enabled: boolean;
};

export const emptyModel: ModelForm = { name: "", provider: "", providerModel: "", kind: "chat", contextWindow: "8192", dimension: "", capabilities: [], inputPrice: "0", outputPrice: "0", fallback: "", enabled: true };

export function modelForm(m: Model): ModelForm {
  return {
    name: m.name,
    provider: m.provider,
    providerModel: m.provider_model,
    kind: m.kind,
    contextWindow: String(m.context_window),
    dimension: m.dimension != null ? String(m.dimension) : "",
    capabilities: [...m.capabilities],
    inputPrice: String(m.input_price_per_mtok),
    outputPrice: String(m.output_price_per_mtok),
    fallback: m.fallback ?? "",
    enabled: m.enabled,
  };
}

const num = (text: string): number => (text.trim() === "" ? NaN : Number(text));

export function modelCreateBody(form: ModelForm): components["schemas"]["NewModel"] {
  const body: components["schemas"]["NewModel"] = {
    name: form.name.trim(),
    provider: form.provider,
    provider_model: form.providerModel.trim(),
    kind: form.kind,
    context_window: num(form.contextWindow),
    capabilities: form.capabilities,
    input_price_per_mtok: num(form.inputPrice) || 0,
    output_price_per_mtok: num(form.outputPrice) || 0,
    enabled: form.enabled,
  };
  if (form.kind === "embedding") body.dimension = num(form.dimension);
  if (form.fallback) body.fallback = form.fallback;
  return body;
}

/** The fields a model may change (its name, provider, kind and dimension stay). */
export function modelPatchBody(form: ModelForm): components["schemas"]["ModelPatch"] {
  return {
    provider_model: form.providerModel.trim(),
    context_window: num(form.contextWindow),
    capabilities: form.capabilities,
    input_price_per_mtok: num(form.inputPrice) || 0,
    output_price_per_mtok: num(form.outputPrice) || 0,
    fallback: form.fallback || null,
    enabled: form.enabled,
  };
}
