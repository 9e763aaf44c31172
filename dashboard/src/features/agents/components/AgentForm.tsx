// The agent form, for creating (from a persona, a chat model of the registry and tools) and for
// editing (a PATCH of the same fields and the status). The server checks every rule; its 422
// names the field, shown under that field.
import { useState, type FormEvent } from "react";
import { ApiError } from "@/lib/api/errors";
import { Button, Select, TextArea, TextInput } from "@/components/ui";
import { ErrorState, Loading } from "@/components/states";
import { usePersonas, type Persona } from "@/features/personas/api";
import { useChatModels, useTools, type Agent, type AgentPatch, type NewAgent } from "../api";

const LOCAL_MODEL = "smollm2-135m-instruct";

type Values = {
  name: string;
  personaId: string;
  model: string;
  tools: string[];
  promptAddition: string;
  temperature: string;
  maxTokens: string;
  maxToolIterations: string;
  memoryBudget: string;
  memoryThreshold: string;
  extractMemories: boolean;
  status: "active" | "disabled";
};

function fromAgent(agent: Agent): Values {
  return {
    name: agent.name,
    personaId: agent.persona_id,
    model: agent.model,
    tools: agent.tools,
    promptAddition: agent.prompt_addition,
    temperature: agent.temperature == null ? "" : String(agent.temperature),
    maxTokens: agent.max_tokens == null ? "" : String(agent.max_tokens),
    maxToolIterations: String(agent.max_tool_iterations),
    memoryBudget: String(agent.memory_budget_tokens),
    memoryThreshold: String(agent.memory_threshold),
    extractMemories: agent.extract_memories,
    status: agent.status,
  };
}

const blank: Values = { name: "", personaId: "", model: "", tools: [], promptAddition: "", temperature: "", maxTokens: "", maxToolIterations: "5", memoryBudget: "512", memoryThreshold: "0", extractMemories: false, status: "active" };

const num = (s: string): number | null => (s.trim() === "" ? null : Number(s));

export function AgentForm({
  agent,
  initialPersonaId,
  busy,
  error,
  onSubmit,
  onCancel,
}: {
  agent?: Agent;
  initialPersonaId?: string;
  busy: boolean;
  error: unknown;
  onSubmit: (body: NewAgent | AgentPatch) => void;
  onCancel: () => void;
}) {
  const personas = usePersonas();
  const models = useChatModels();
  const tools = useTools();
  const [values, setValues] = useState<Values>(() => (agent ? fromAgent(agent) : { ...blank, personaId: initialPersonaId ?? "" }));
  const [touchedTools, setTouchedTools] = useState(agent !== undefined);

  if (personas.isPending || models.isPending || tools.isPending) return <Loading what="Loading personas, models and tools" />;
  const loadError = personas.error ?? models.error ?? tools.error;
  if (loadError) return <ErrorState error={loadError} />;

  const personaList = personas.data ?? [];
  const persona: Persona | undefined = personaList.find((p) => p.id === values.personaId);
  // Until the user picks tools, a new agent gets its persona's (as the server would).
  const chosenTools = touchedTools ? values.tools : (persona?.allowed_skills ?? []);
  const modelNames = (models.data ?? []).map((m) => m.name);
  const defaultModel = persona?.default_model ?? (modelNames.includes(LOCAL_MODEL) ? LOCAL_MODEL : (modelNames[0] ?? ""));
  const model = values.model || defaultModel;

  const field = (name: string): string | undefined => (error instanceof ApiError && error.field === name ? error.message : undefined);
  const set = <K extends keyof Values>(key: K, value: Values[K]) => setValues((v) => ({ ...v, [key]: value }));

  const submit = (e: FormEvent) => {
    e.preventDefault();
    const common = {
      name: values.name.trim(),
      persona_id: values.personaId,
      model,
      tools: chosenTools,
      prompt_addition: values.promptAddition,
      temperature: num(values.temperature),
      max_tokens: num(values.maxTokens),
      max_tool_iterations: num(values.maxToolIterations),
      memory_budget_tokens: num(values.memoryBudget),
      memory_threshold: num(values.memoryThreshold),
      extract_memories: values.extractMemories,
    };
    if (agent) {
      onSubmit({ ...common, status: values.status } satisfies AgentPatch);
    } else {
      const body: NewAgent = { name: common.name, persona_id: common.persona_id, model, tools: chosenTools };
      if (common.prompt_addition) body.prompt_addition = common.prompt_addition;
      if (common.temperature !== null) body.temperature = common.temperature;
      if (common.max_tokens !== null) body.max_tokens = common.max_tokens;
      if (common.max_tool_iterations !== null) body.max_tool_iterations = common.max_tool_iterations;
      if (common.memory_budget_tokens !== null) body.memory_budget_tokens = common.memory_budget_tokens;
      if (common.memory_threshold !== null) body.memory_threshold = common.memory_threshold;
      if (common.extract_memories) body.extract_memories = true;
      onSubmit(body);
    }
  };

  const generalError = error && !(error instanceof ApiError && error.field && ["name", "persona_id", "model", "tools", "temperature", "max_tokens", "max_tool_iterations", "prompt_addition", "memory_budget_tokens", "memory_threshold", "extract_memories"].includes(error.field));

  return (
    <form onSubmit={submit} className="flex flex-col gap-3" aria-label={agent ? "Edit agent" : "New agent"}>
      {generalError ? <ErrorState error={error} /> : null}
      <div className="grid grid-cols-2 gap-3">
        <TextInput label="Name" required value={values.name} onChange={(e) => set("name", e.target.value)} error={field("name")} hint="Lower-case letters, digits and -" autoComplete="off" />
        <Select label="Persona" required value={values.personaId} onChange={(e) => set("personaId", e.target.value)} error={field("persona_id")}>
          <option value="" disabled>
            Pick a persona
          </option>
          {personaList.map((p) => (
            <option key={p.id} value={p.id}>
              {p.display_name} ({p.name})
            </option>
          ))}
        </Select>
        <Select label="Model" value={model} onChange={(e) => set("model", e.target.value)} error={field("model")}>
          {(models.data ?? []).map((m) => (
            <option key={m.id} value={m.name} disabled={!m.enabled}>
              {m.name} ({m.provider}){m.enabled ? "" : " — disabled"}
            </option>
          ))}
        </Select>
        {agent && (
          <Select label="Status" value={values.status} onChange={(e) => set("status", e.target.value as Values["status"])}>
            <option value="active">active</option>
            <option value="disabled">disabled</option>
          </Select>
        )}
      </div>
      {persona && <p className="text-xs text-slate-500">{persona.role}</p>}
      <fieldset className="rounded-md border border-slate-200 p-3 dark:border-slate-700" aria-describedby={field("tools") ? "agent-tools-error" : undefined}>
        <legend className="px-1 text-sm font-medium text-slate-700 dark:text-slate-300">Tools</legend>
        {(tools.data ?? []).length === 0 && <p className="text-sm text-slate-500">No tools are registered.</p>}
        <div className="grid grid-cols-2 gap-x-4 gap-y-1 xl:grid-cols-3">
          {(tools.data ?? []).map((t) => (
            <label key={t.name} className="flex items-start gap-2 text-sm" title={t.description}>
              <input
                type="checkbox"
                className="mt-1"
                checked={chosenTools.includes(t.name)}
                onChange={(e) => {
                  setTouchedTools(true);
                  set("tools", e.target.checked ? [...chosenTools, t.name] : chosenTools.filter((n) => n !== t.name));
                }}
              />
              <span>
                <span className="font-mono">{t.name}</span> <span className="text-xs text-slate-500">{t.risk}</span>
              </span>
            </label>
          ))}
        </div>
        {field("tools") && (
          <p id="agent-tools-error" role="alert" className="mt-1 text-xs text-red-600 dark:text-red-400">
            {field("tools")}
          </p>
        )}
      </fieldset>
      <TextArea label="Prompt addition" rows={3} value={values.promptAddition} onChange={(e) => set("promptAddition", e.target.value)} error={field("prompt_addition")} hint="Added to the persona's prompt." />
      <div className="grid grid-cols-3 gap-3">
        <TextInput label="Temperature" type="number" min={0} max={2} step={0.1} value={values.temperature} onChange={(e) => set("temperature", e.target.value)} error={field("temperature")} hint="Empty: the persona's" />
        <TextInput label="Max tokens" type="number" min={1} max={32768} value={values.maxTokens} onChange={(e) => set("maxTokens", e.target.value)} error={field("max_tokens")} hint="Empty: the server's default" />
        <TextInput label="Max tool rounds" type="number" min={0} max={20} value={values.maxToolIterations} onChange={(e) => set("maxToolIterations", e.target.value)} error={field("max_tool_iterations")} />
      </div>
      <fieldset className="rounded-md border border-slate-200 p-3 dark:border-slate-700">
        <legend className="px-1 text-sm font-medium text-slate-700 dark:text-slate-300">Memory</legend>
        <p className="mb-2 text-xs text-slate-500">
          Before each turn the prompt gets the memories most relevant to the message, from those the agent may read (its own, the conversation&apos;s, global ones, and its
          owner&apos;s when the owner is talking).
        </p>
        <div className="grid grid-cols-2 gap-3">
          <TextInput
            label="Memory budget (tokens)"
            type="number"
            min={0}
            max={8192}
            step={1}
            required
            value={values.memoryBudget}
            onChange={(e) => set("memoryBudget", e.target.value)}
            error={field("memory_budget_tokens")}
            hint="0 to 8192 (default 512). 0: no memories in the prompt."
          />
          <TextInput
            label="Memory threshold"
            type="number"
            min={0}
            max={1}
            step={0.05}
            required
            value={values.memoryThreshold}
            onChange={(e) => set("memoryThreshold", e.target.value)}
            error={field("memory_threshold")}
            hint="The least similarity (0 to 1) a memory needs (default 0). Above 0, memories found by keywords only are left out."
          />
        </div>
        <div className="mt-3 text-sm">
          <label className="flex items-center gap-2">
            <input type="checkbox" checked={values.extractMemories} onChange={(e) => set("extractMemories", e.target.checked)} aria-describedby="agent-extract-hint" />
            Extract memories
          </label>
          <p id="agent-extract-hint" className="ml-6 text-xs text-slate-500">
            After each finished turn the agent&apos;s model writes down the durable facts it learned, as memories in the agent&apos;s scope.
          </p>
        </div>
        {field("extract_memories") && (
          <p role="alert" className="mt-1 text-xs text-red-600 dark:text-red-400">
            {field("extract_memories")}
          </p>
        )}
      </fieldset>
      <div className="flex gap-2">
        <Button type="submit" variant="primary" disabled={busy || !values.personaId || !values.name.trim()}>
          {agent ? "Save agent" : "Create agent"}
        </Button>
        <Button onClick={onCancel}>Cancel</Button>
      </div>
    </form>
  );
}
