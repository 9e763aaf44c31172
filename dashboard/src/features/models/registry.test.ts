import { describe, expect, it } from "vitest";
import { emptyModel, emptyProvider, modelCreateBody, modelForm, modelPatchBody, providerCreateBody, providerPatchBody, secretState, type Model, type Provider } from "./registry";

const provider: Provider = { id: "p", name: "openai", kind: "openai", base_url: "https://api.openai.com/v1", secret_ref: "env:OPENAI_API_KEY", created_at: "", updated_at: "" };

describe("providers", () => {
  it("shows a secret only as set or not set", () => {
    expect(secretState(provider)).toBe("set");
    expect(secretState({ secret_ref: null })).toBe("not set");
  });
  it("creates with the key only when one is given", () => {
    expect(providerCreateBody({ ...emptyProvider, name: " ollama ", baseUrl: "http://127.0.0.1:11434/v1" })).toEqual({ name: "ollama", kind: "openai", base_url: "http://127.0.0.1:11434/v1" });
    expect(providerCreateBody({ ...emptyProvider, name: "x", baseUrl: "https://x", secret: "env:X_KEY" }).secret_ref).toBe("env:X_KEY");
  });
  it("patches only what changed; an empty key field keeps the secret", () => {
    const form = { ...emptyProvider, baseUrl: provider.base_url! };
    expect(providerPatchBody(form, provider)).toEqual({});
    expect(providerPatchBody({ ...form, baseUrl: "https://gw/v1" }, provider)).toEqual({ base_url: "https://gw/v1" });
    expect(providerPatchBody({ ...form, secret: "env:NEW" }, provider)).toEqual({ secret_ref: "env:NEW" });
    expect(providerPatchBody({ ...form, removeSecret: true }, provider)).toEqual({ secret_ref: null });
  });
});

describe("models", () => {
  it("sends a dimension for embedding models only, and a fallback when chosen", () => {
    const chat = modelCreateBody({ ...emptyModel, name: "gpt", provider: "openai", providerModel: "gpt-4o-mini", inputPrice: "0.15", fallback: "smollm2-135m-instruct" });
    expect(chat).toEqual({
      name: "gpt",
      provider: "openai",
      provider_model: "gpt-4o-mini",
      kind: "chat",
      context_window: 8192,
      capabilities: [],
      input_price_per_mtok: 0.15,
      output_price_per_mtok: 0,
      enabled: true,
      fallback: "smollm2-135m-instruct",
    });
    expect(modelCreateBody({ ...emptyModel, kind: "embedding", dimension: "384" }).dimension).toBe(384);
  });
  it("round-trips a model through the edit form into a patch", () => {
    const model: Model = {
      id: "m",
      name: "all-minilm-l6-v2",
      provider: "local",
      provider_kind: "local",
      provider_model: "all-minilm-l6-v2",
      kind: "embedding",
      context_window: 256,
      dimension: 384,
      capabilities: ["embeddings"],
      input_price_per_mtok: 0,
      output_price_per_mtok: 0,
      fallback: null,
      enabled: true,
      created_at: "",
      updated_at: "",
    };
    expect(modelPatchBody(modelForm(model))).toEqual({ provider_model: "all-minilm-l6-v2", context_window: 256, capabilities: ["embeddings"], input_price_per_mtok: 0, output_price_per_mtok: 0, fallback: null, enabled: true });
  });
});
