// The create and edit form of a schedule: when (cron with a zone, interval, once, event), what
// (start a pipeline, an agent's task, a notification, an HTTP call) and how (overlap, retries,
// a maximum). The next five fire times are previewed as the form changes (debounced); a 422
// from the preview or the save is shown at the field it names.
import { useMemo, useState, type FormEvent } from "react";
import { ApiError } from "@/lib/api/errors";
import { notifyError } from "@/components/notices";
import { Button, Card, Select, TextArea, TextInput } from "@/components/ui";
import { actionLabels, actionTypes, buildPreviewBody, buildScheduleBody, kinds, type Kind, type ScheduleForm } from "../form";
import { timeZones } from "../time";
import { useAgentChoices, usePipelineChoices, usePreview } from "../api";
import { useDebounced } from "../useDebounced";
import { FirePreview } from "./FirePreview";

const kindLabels: Record<Kind, string> = { cron: "Cron", interval: "Interval", once: "Once", event: "On an event" };

/** Fields the form shows; a server error naming another one is shown above the buttons. */
const shownFields = new Set([
  "name", "description", "cron", "timezone", "interval_seconds", "at", "event", "event.type", "event.filter",
  "action", "action.type", "action.pipeline", "action.input", "action.wait", "action.agent", "action.task", "action.max_tokens",
  "action.title", "action.message", "action.level", "action.webhook", "action.url", "action.method", "action.headers", "action.body",
  "overlap", "retry_count", "max_executions",
]);

const timingFields: Record<string, keyof ScheduleForm> = { cron: "cron", interval_seconds: "intervalSeconds", at: "at", "event.type": "eventType", "event.filter": "eventFilter", retry_count: "retryCount", max_executions: "maxExecutions" };

/** The server's message without the field's name in front (it is shown at the field). */
const withoutField = (field: string | undefined, message: string) => (field && message.startsWith(`${field}: `) ? message.slice(field.length + 2) : message);

const eventTypes = ["pipeline_run.failed", "pipeline_run.completed", "pipeline_run.*", "agent.created", "memory.created", "conversation.turn_completed"];

export function ScheduleEditor({ initial, submitLabel, onSave, onCancel }: { initial: ScheduleForm; submitLabel: string; onSave: (body: Record<string, unknown>) => Promise<unknown>; onCancel: () => void }) {
  const [form, setForm] = useState(initial);
  const [attempted, setAttempted] = useState(false);
  const [saveErrors, setSaveErrors] = useState<Record<string, string>>({});
  const [saving, setSaving] = useState(false);
  const zones = useMemo(() => timeZones(), []);
  const pipelines = usePipelineChoices();
  const agents = useAgentChoices();

  const settled = useDebounced(form, 400);
  const preview = useMemo(() => buildPreviewBody(settled), [settled]);
  const previewBlocked = Object.keys(preview.errors).length > 0;
  const previewQuery = usePreview(previewBlocked ? null : preview.body);

  const built = buildScheduleBody(form);
  const previewError = previewQuery.error instanceof ApiError && previewQuery.error.status === 422 && previewQuery.error.field ? { [previewQuery.error.field]: withoutField(previewQuery.error.field, previewQuery.error.message) } : {};
  // The timing's own problems show as soon as something is typed in the field; a field left
  // empty is only called out once saving is tried.
  const typed = Object.fromEntries(Object.entries(preview.errors).filter(([field]) => (form[timingFields[field] ?? "name"] as string) !== ""));
  const errors: Record<string, string> = { ...typed, ...(attempted ? built.errors : {}), ...previewError, ...saveErrors };
  const err = (...fields: string[]) => fields.map((f) => errors[f]).find(Boolean);
  const other = Object.entries(saveErrors).filter(([field]) => !shownFields.has(field));

  const set = <K extends keyof ScheduleForm>(key: K, value: ScheduleForm[K]) => {
    setForm((f) => ({ ...f, [key]: value }));
    setSaveErrors({});
  };

  async function submit(e: FormEvent) {
    e.preventDefault();
    setAttempted(true);
    if (Object.keys(built.errors).length > 0) return;
    setSaving(true);
    try {
      await onSave(built.body);
    } catch (error) {
      if (error instanceof ApiError && error.status === 422) setSaveErrors({ [error.field ?? "form"]: withoutField(error.field, error.message) });
      else if (error instanceof ApiError && error.status === 409) setSaveErrors({ name: error.message });
      else notifyError(error);
    } finally {
      setSaving(false);
    }
  }

  return (
    <form onSubmit={(e) => void submit(e)} className="grid grid-cols-1 gap-4 lg:grid-cols-2" aria-label="Schedule">
      <div className="flex flex-col gap-3">
        <TextInput label="Name" value={form.name} onChange={(e) => set("name", e.target.value)} error={err("name")} required maxLength={200} />
        <TextInput label="Description" value={form.description} onChange={(e) => set("description", e.target.value)} error={err("description")} />
        <Select label="Kind" value={form.kind} onChange={(e) => set("kind", e.target.value as Kind)}>
          {kinds.map((k) => (
            <option key={k} value={k}>
              {kindLabels[k]}
            </option>
          ))}
        </Select>

        {form.kind === "cron" && (
          <>
            <TextInput
              label="Cron pattern"
              value={form.cron}
              onChange={(e) => set("cron", e.target.value)}
              error={err("cron")}
              hint="5 fields (minute hour day month weekday), or 6 with seconds first (*/10 * * * * *), or @hourly, @daily…"
              className="w-full rounded-md border border-slate-300 bg-white px-2 py-1.5 font-mono text-sm dark:border-slate-600 dark:bg-slate-900"
            />
            <Select label="Time zone" value={form.timezone} onChange={(e) => set("timezone", e.target.value)} error={err("timezone")}>
              {zones.map((z) => (
                <option key={z} value={z}>
                  {z}
                </option>
              ))}
            </Select>
          </>
        )}
        {form.kind === "interval" && (
          <TextInput label="Every (seconds)" type="number" min={1} value={form.intervalSeconds} onChange={(e) => set("intervalSeconds", e.target.value)} error={err("interval_seconds")} />
        )}
        {form.kind === "once" && <TextInput label="At (your time)" type="datetime-local" step={1} value={form.at} onChange={(e) => set("at", e.target.value)} error={err("at")} />}
        {form.kind === "event" && (
          <>
            <TextInput label="Event type" list="schedule-event-types" value={form.eventType} onChange={(e) => set("eventType", e.target.value)} error={err("event.type", "event")} hint="A type or a family: pipeline_run.*" />
            <datalist id="schedule-event-types">
              {eventTypes.map((t) => (
                <option key={t} value={t} />
              ))}
            </datalist>
            <TextArea label="Event filter (JSON)" rows={3} value={form.eventFilter} onChange={(e) => set("eventFilter", e.target.value)} error={err("event.filter")} hint='Every key must match the event: {"data": {"status": "failed"}}' />
          </>
        )}

        <Select label="Action" value={form.action} onChange={(e) => set("action", e.target.value as ScheduleForm["action"])} error={err("action", "action.type")}>
          {actionTypes.map((a) => (
            <option key={a} value={a}>
              {actionLabels[a]}
            </option>
          ))}
        </Select>
        {form.action === "execute_pipeline" && (
          <>
            <Select label="Pipeline" value={form.pipeline} onChange={(e) => set("pipeline", e.target.value)} error={err("action.pipeline")}>
              <option value="">{pipelines.isPending ? "Loading pipelines…" : "Choose a pipeline"}</option>
              {pipelines.data?.items.map((p) => (
                <option key={p.id} value={p.name}>
                  {p.name}
                </option>
              ))}
              {form.pipeline && !pipelines.data?.items.some((p) => p.name === form.pipeline) && <option value={form.pipeline}>{form.pipeline}</option>}
            </Select>
            <TextArea label="Pipeline input (JSON)" rows={2} value={form.pipelineInput} onChange={(e) => set("pipelineInput", e.target.value)} error={err("action.input")} />
            <label className="flex items-center gap-2 text-sm">
              <input type="checkbox" checked={form.pipelineWait} onChange={(e) => set("pipelineWait", e.target.checked)} />
              Wait for the pipeline run to end
            </label>
          </>
        )}
        {form.action === "run_task" && (
          <>
            <Select label="Agent" value={form.agent} onChange={(e) => set("agent", e.target.value)} error={err("action.agent")}>
              <option value="">{agents.isPending ? "Loading agents…" : "Choose an agent"}</option>
              {agents.data?.items.map((a) => (
                <option key={a.id} value={a.name}>
                  {a.name}
                </option>
              ))}
              {form.agent && !agents.data?.items.some((a) => a.name === form.agent) && <option value={form.agent}>{form.agent}</option>}
            </Select>
            <TextArea label="Task" rows={3} value={form.task} onChange={(e) => set("task", e.target.value)} error={err("action.task")} />
            <TextInput label="Max tokens" type="number" min={1} max={8192} value={form.maxTokens} onChange={(e) => set("maxTokens", e.target.value)} error={err("action.max_tokens")} />
          </>
        )}
        {form.action === "send_notification" && (
          <>
            <TextInput label="Title" value={form.title} onChange={(e) => set("title", e.target.value)} error={err("action.title")} hint="The schedule's name when empty" />
            <TextArea label="Message" rows={2} value={form.message} onChange={(e) => set("message", e.target.value)} error={err("action.message")} />
            <Select label="Level" value={form.level} onChange={(e) => set("level", e.target.value as ScheduleForm["level"])} error={err("action.level")}>
              <option value="info">info</option>
              <option value="warning">warning</option>
              <option value="error">error</option>
            </Select>
            <TextInput label="Webhook URL (optional)" type="url" value={form.webhook} onChange={(e) => set("webhook", e.target.value)} error={err("action.webhook")} />
          </>
        )}
        {form.action === "call_api" && (
          <>
            <TextInput label="URL" type="url" value={form.url} onChange={(e) => set("url", e.target.value)} error={err("action.url")} />
            <Select label="Method" value={form.method} onChange={(e) => set("method", e.target.value)} error={err("action.method")}>
              <option value="">Default (POST with a body, else GET)</option>
              {["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD"].map((m) => (
                <option key={m} value={m}>
                  {m}
                </option>
              ))}
            </Select>
            <TextArea label="Headers (JSON)" rows={2} value={form.headers} onChange={(e) => set("headers", e.target.value)} error={err("action.headers")} />
            <TextArea label="Body (JSON)" rows={3} value={form.body} onChange={(e) => set("body", e.target.value)} error={err("action.body")} />
          </>
        )}

        <details className="rounded-md border border-slate-200 p-2 dark:border-slate-800">
          <summary className="cursor-pointer text-sm font-medium">Options</summary>
          <div className="mt-2 grid grid-cols-3 gap-3">
            <Select label="When still running" value={form.overlap} onChange={(e) => set("overlap", e.target.value as ScheduleForm["overlap"])} error={err("overlap")}>
              <option value="skip">skip</option>
              <option value="queue">queue</option>
              <option value="allow">allow</option>
            </Select>
            <TextInput label="Retries" type="number" min={0} max={10} value={form.retryCount} onChange={(e) => set("retryCount", e.target.value)} error={err("retry_count")} />
            <TextInput label="Max executions" type="number" min={1} value={form.maxExecutions} onChange={(e) => set("maxExecutions", e.target.value)} error={err("max_executions")} />
          </div>
        </details>
      </div>

      <div className="flex flex-col gap-3 self-start lg:sticky lg:top-0">
        <Card title="Next fire times">
          <FirePreview query={previewQuery} blocked={previewBlocked} />
        </Card>
        {other.map(([field, message]) => (
          <p key={field} role="alert" className="text-sm text-red-600 dark:text-red-400">
            {field === "form" ? message : `${field}: ${message}`}
          </p>
        ))}
        <div className="flex gap-2">
          <Button type="submit" variant="primary" disabled={saving}>
            {saving ? "Saving…" : submitLabel}
          </Button>
          <Button onClick={onCancel}>Cancel</Button>
        </div>
      </div>
    </form>
  );
}
