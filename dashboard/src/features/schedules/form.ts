// A schedule's form state and the request body it becomes (POST/PUT /api/schedules, and the
// preview, which takes the same body plus `count`). Pure: the pages hold the state, this file
// says what the server receives and which fields the form itself finds wrong before sending.

export const kinds = ["cron", "interval", "once", "event"] as const;
export type Kind = (typeof kinds)[number];

export const actionTypes = ["execute_pipeline", "run_task", "send_notification", "call_api"] as const;
export type ActionType = (typeof actionTypes)[number];

export const actionLabels: Record<ActionType, string> = {
  execute_pipeline: "Start a pipeline",
  run_task: "Give an agent a task",
  send_notification: "Send a notification",
  call_api: "Call an HTTP API",
};

export type ScheduleForm = {
  name: string;
  description: string;
  kind: Kind;
  cron: string;
  timezone: string;
  intervalSeconds: string;
  /** A `datetime-local` value, in the browser's time zone. */
  at: string;
  eventType: string;
  /** JSON text of an object; empty for none. */
  eventFilter: string;
  action: ActionType;
  pipeline: string;
  pipelineInput: string;
  pipelineWait: boolean;
  agent: string;
  task: string;
  maxTokens: string;
  title: string;
  message: string;
  level: "info" | "warning" | "error";
  webhook: string;
  url: string;
  method: string;
  headers: string;
  body: string;
  overlap: "skip" | "queue" | "allow";
  retryCount: string;
  maxExecutions: string;
};

export function emptyForm(timezone = "UTC"): ScheduleForm {
  return {
    name: "",
    description: "",
    kind: "cron",
    cron: "0 9 * * 1-5",
    timezone,
    intervalSeconds: "60",
    at: "",
    eventType: "pipeline_run.failed",
    eventFilter: "",
    action: "execute_pipeline",
    pipeline: "",
    pipelineInput: "",
    pipelineWait: true,
    agent: "",
    task: "",
    maxTokens: "",
    title: "",
    message: "",
    level: "info",
    webhook: "",
    url: "",
    method: "",
    headers: "",
    body: "",
    overlap: "skip",
    retryCount: "0",
    maxExecutions: "",
  };
}

/** The body the server takes, or the fields the form finds wrong (keyed as the server names them). */
export type Built = { body: Record<string, unknown>; errors: Record<string, string> };

function jsonObject(text: string, field: string, errors: Record<string, string>): Record<string, unknown> | undefined {
  if (!text.trim()) return undefined;
  try {
    const value: unknown = JSON.parse(text);
    if (value && typeof value === "object" && !Array.isArray(value)) return value as Record<string, unknown>;
    errors[field] = "must be a JSON object";
  } catch {
    errors[field] = "is not valid JSON";
  }
  return undefined;
}

function jsonValue(text: string, field: string, errors: Record<string, string>): unknown {
  if (!text.trim()) return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    errors[field] = "is not valid JSON";
    return undefined;
  }
}

function integer(text: string, field: string, errors: Record<string, string>): number | undefined {
  if (!text.trim()) return undefined;
  const n = Number(text);
  if (!Number.isInteger(n)) {
    errors[field] = "must be a whole number";
    return undefined;
  }
  return n;
}

/** A `datetime-local` value (browser zone) as RFC 3339 UTC, or undefined when empty or invalid. */
export function localToIso(value: string): string | undefined {
  if (!value) return undefined;
  const date = new Date(value);
  return Number.isNaN(date.getTime()) ? undefined : date.toISOString();
}

/** An RFC 3339 time as a `datetime-local` value in the browser's zone. */
export function isoToLocal(iso: string): string {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return "";
  const pad = (n: number) => String(n).padStart(2, "0");
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

function buildAction(form: ScheduleForm, errors: Record<string, string>): Record<string, unknown> {
  switch (form.action) {
    case "execute_pipeline": {
      const action: Record<string, unknown> = { type: "execute_pipeline", pipeline: form.pipeline, wait: form.pipelineWait };
      if (!form.pipeline) errors["action.pipeline"] = "choose a pipeline";
      const input = jsonObject(form.pipelineInput, "action.input", errors);
      if (input) action["input"] = input;
      return action;
    }
    case "run_task": {
      const action: Record<string, unknown> = { type: "run_task", agent: form.agent, task: form.task };
      if (!form.agent) errors["action.agent"] = "choose an agent";
      if (!form.task.trim()) errors["action.task"] = "is required";
      const max = integer(form.maxTokens, "action.max_tokens", errors);
      if (max !== undefined) action["max_tokens"] = max;
      return action;
    }
    case "send_notification": {
      const action: Record<string, unknown> = { type: "send_notification", message: form.message, level: form.level };
      if (!form.message.trim()) errors["action.message"] = "is required";
      if (form.title.trim()) action["title"] = form.title.trim();
      if (form.webhook.trim()) action["webhook"] = form.webhook.trim();
      return action;
    }
    case "call_api": {
      const action: Record<string, unknown> = { type: "call_api", url: form.url.trim() };
      if (!form.url.trim()) errors["action.url"] = "is required";
      if (form.method) action["method"] = form.method;
      const headers = jsonObject(form.headers, "action.headers", errors);
      if (headers) action["headers"] = headers;
      const body = jsonValue(form.body, "action.body", errors);
      if (body !== undefined) action["body"] = body;
      return action;
    }
  }
}

/** The create (and replace) body for the form's kind and action; only the kind's own fields are sent. */
export function buildScheduleBody(form: ScheduleForm): Built {
  const errors: Record<string, string> = {};
  const body: Record<string, unknown> = { name: form.name.trim(), kind: form.kind };
  if (form.description.trim()) body["description"] = form.description.trim();
  switch (form.kind) {
    case "cron":
      body["cron"] = form.cron.trim();
      if (!form.cron.trim()) errors["cron"] = "a cron schedule needs a pattern";
      if (form.timezone) body["timezone"] = form.timezone;
      break;
    case "interval": {
      const seconds = integer(form.intervalSeconds, "interval_seconds", errors);
      if (seconds === undefined && !errors["interval_seconds"]) errors["interval_seconds"] = "an interval schedule needs it";
      if (seconds !== undefined) body["interval_seconds"] = seconds;
      break;
    }
    case "once": {
      const at = localToIso(form.at);
      if (!at) errors["at"] = "choose a date and time";
      else body["at"] = at;
      break;
    }
    case "event": {
      const event: Record<string, unknown> = { type: form.eventType.trim() };
      if (!form.eventType.trim()) errors["event.type"] = "an event type is needed";
      const filter = jsonObject(form.eventFilter, "event.filter", errors);
      if (filter) event["filter"] = filter;
      body["event"] = event;
      break;
    }
  }
  body["action"] = buildAction(form, errors);
  body["overlap"] = form.overlap;
  const retries = integer(form.retryCount, "retry_count", errors);
  if (retries !== undefined) body["retry_count"] = retries;
  const max = integer(form.maxExecutions, "max_executions", errors);
  if (max !== undefined) body["max_executions"] = max;
  return { body, errors };
}

/** What the preview checks the timing with while the form's own action is not complete. */
export const standInAction = { type: "send_notification", message: "preview" } as const;

/**
 * The preview's body: the create body with `count`. A name is not needed to see fire times, so
 * an empty one is stood in for; an action not filled in yet is stood in for too (a
 * notification), so the timing is previewed from the first keystroke. A complete action is sent
 * as it is, and the server checks it (an unknown pipeline is named at its field).
 */
export function buildPreviewBody(form: ScheduleForm, count = 5): Built {
  const built = buildScheduleBody({ ...form, name: form.name.trim() || "preview" });
  const entries = Object.entries(built.errors);
  const errors = Object.fromEntries(entries.filter(([field]) => !field.startsWith("action")));
  const actionIncomplete = entries.some(([field]) => field.startsWith("action"));
  return { body: { ...built.body, ...(actionIncomplete ? { action: standInAction } : {}), count }, errors };
}

const text = (v: unknown): string => (typeof v === "string" ? v : typeof v === "number" ? String(v) : "");
const pretty = (v: unknown): string => (v === undefined || v === null ? "" : JSON.stringify(v, null, 2));

/** The form for a stored definition (a schedule's `spec`, what PUT takes), to edit it. */
export function formFromSpec(spec: Record<string, unknown>, fallbackZone = "UTC"): ScheduleForm {
  const form = emptyForm(fallbackZone);
  const kind = kinds.includes(spec["kind"] as Kind) ? (spec["kind"] as Kind) : "cron";
  const action = (spec["action"] ?? {}) as Record<string, unknown>;
  const event = (spec["event"] ?? {}) as Record<string, unknown>;
  const type = actionTypes.includes(action["type"] as ActionType) ? (action["type"] as ActionType) : "execute_pipeline";
  return {
    ...form,
    name: text(spec["name"]),
    description: text(spec["description"]),
    kind,
    cron: kind === "cron" ? text(spec["cron"]) : form.cron,
    timezone: text(spec["timezone"]) || (kind === "cron" ? "UTC" : fallbackZone),
    intervalSeconds: kind === "interval" ? text(spec["interval_seconds"]) : form.intervalSeconds,
    at: typeof spec["at"] === "string" ? isoToLocal(spec["at"]) : "",
    eventType: kind === "event" ? text(event["type"]) : form.eventType,
    eventFilter: kind === "event" && event["filter"] && Object.keys(event["filter"] as object).length > 0 ? pretty(event["filter"]) : "",
    action: type,
    pipeline: text(action["pipeline"]),
    pipelineInput: action["input"] && Object.keys(action["input"] as object).length > 0 ? pretty(action["input"]) : "",
    pipelineWait: action["wait"] !== false,
    agent: text(action["agent"]),
    task: text(action["task"]),
    maxTokens: text(action["max_tokens"]),
    title: text(action["title"]),
    message: text(action["message"]),
    level: action["level"] === "warning" || action["level"] === "error" ? action["level"] : "info",
    webhook: text(action["webhook"]),
    url: text(action["url"]),
    method: text(action["method"]),
    headers: action["headers"] && Object.keys(action["headers"] as object).length > 0 ? pretty(action["headers"]) : "",
    body: pretty(action["body"]),
    overlap: spec["overlap"] === "queue" || spec["overlap"] === "allow" ? spec["overlap"] : "skip",
    retryCount: text(spec["retry_count"]) || "0",
    maxExecutions: text(spec["max_executions"]),
  };
}

/** A line saying what a schedule does, from its stored definition. */
export function describeAction(spec: Record<string, unknown>): string {
  const action = (spec["action"] ?? {}) as Record<string, unknown>;
  switch (action["type"]) {
    case "execute_pipeline":
      return `Start pipeline ${text(action["pipeline"])}`;
    case "run_task":
      return `Task for agent ${text(action["agent"])}`;
    case "send_notification":
      return `Notify: ${text(action["message"])}`;
    case "call_api":
      return `${text(action["method"]) || (action["body"] !== undefined ? "POST" : "GET")} ${text(action["url"])}`;
    default:
      return text(action["type"]);
  }
}

/** A line saying when a schedule fires, from its stored definition. */
export function describeTiming(spec: Record<string, unknown>): string {
  switch (spec["kind"]) {
    case "cron":
      return `cron ${text(spec["cron"])} (${text(spec["timezone"]) || "UTC"})`;
    case "interval":
      return `every ${text(spec["interval_seconds"])} s`;
    case "once":
      return `once at ${text(spec["at"])}`;
    case "event":
      return `on ${text((spec["event"] as Record<string, unknown> | undefined)?.["type"])}`;
    default:
      return text(spec["kind"]);
  }
}
