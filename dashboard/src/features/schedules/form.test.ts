import { describe, expect, it } from "vitest";
import { buildPreviewBody, buildScheduleBody, standInAction, describeAction, describeTiming, emptyForm, formFromSpec, isoToLocal, localToIso, type ScheduleForm } from "./form";

const base = (over: Partial<ScheduleForm>): ScheduleForm => ({ ...emptyForm("Europe/Paris"), name: " nightly ", pipeline: "digest", ...over });

describe("buildScheduleBody", () => {
  it("sends a cron schedule's pattern and zone, and no other kind's fields", () => {
    const { body, errors } = buildScheduleBody(base({ kind: "cron", cron: "*/3 * * * * *", intervalSeconds: "60", at: "2030-01-01T09:00" }));
    expect(errors).toEqual({});
    expect(body).toEqual({
      name: "nightly",
      kind: "cron",
      cron: "*/3 * * * * *",
      timezone: "Europe/Paris",
      action: { type: "execute_pipeline", pipeline: "digest", wait: true },
      overlap: "skip",
      retry_count: 0,
    });
  });

  it("sends an interval as a whole number of seconds and refuses anything else", () => {
    expect(buildScheduleBody(base({ kind: "interval", intervalSeconds: "90" })).body["interval_seconds"]).toBe(90);
    expect(buildScheduleBody(base({ kind: "interval", intervalSeconds: "1.5" })).errors["interval_seconds"]).toBe("must be a whole number");
    expect(buildScheduleBody(base({ kind: "interval", intervalSeconds: "" })).errors["interval_seconds"]).toBeDefined();
  });

  it("sends a once schedule's local date-time as UTC", () => {
    const { body } = buildScheduleBody(base({ kind: "once", at: "2030-06-01T09:30" }));
    expect(body["at"]).toBe(new Date("2030-06-01T09:30").toISOString());
    expect(body["cron"]).toBeUndefined();
    expect(buildScheduleBody(base({ kind: "once", at: "" })).errors["at"]).toBeDefined();
  });

  it("sends an event schedule's type and filter, naming a filter that is not an object", () => {
    const { body, errors } = buildScheduleBody(base({ kind: "event", eventType: "pipeline_run.*", eventFilter: '{"data": {"status": "failed"}}' }));
    expect(errors).toEqual({});
    expect(body["event"]).toEqual({ type: "pipeline_run.*", filter: { data: { status: "failed" } } });
    expect(buildScheduleBody(base({ kind: "event", eventFilter: "[1]" })).errors["event.filter"]).toBe("must be a JSON object");
    expect(buildScheduleBody(base({ kind: "event", eventFilter: "{" })).errors["event.filter"]).toBe("is not valid JSON");
  });

  it("builds each action with only its own fields", () => {
    expect(buildScheduleBody(base({ action: "execute_pipeline", pipelineInput: '{"since": "1d"}', pipelineWait: false })).body["action"]).toEqual({
      type: "execute_pipeline",
      pipeline: "digest",
      wait: false,
      input: { since: "1d" },
    });
    expect(buildScheduleBody(base({ action: "run_task", agent: "helper", task: "summarise", maxTokens: "64" })).body["action"]).toEqual({
      type: "run_task",
      agent: "helper",
      task: "summarise",
      max_tokens: 64,
    });
    expect(buildScheduleBody(base({ action: "send_notification", message: "hello", level: "warning", title: "" })).body["action"]).toEqual({
      type: "send_notification",
      message: "hello",
      level: "warning",
    });
    expect(buildScheduleBody(base({ action: "call_api", url: "https://example.org/hook", method: "PUT", body: '{"a": 1}', headers: '{"x-a": "b"}' })).body["action"]).toEqual({
      type: "call_api",
      url: "https://example.org/hook",
      method: "PUT",
      headers: { "x-a": "b" },
      body: { a: 1 },
    });
  });

  it("names the missing parts of an action", () => {
    expect(buildScheduleBody(base({ action: "execute_pipeline", pipeline: "" })).errors).toEqual({ "action.pipeline": "choose a pipeline" });
    expect(Object.keys(buildScheduleBody(base({ action: "run_task" })).errors).sort()).toEqual(["action.agent", "action.task"]);
    expect(buildScheduleBody(base({ action: "call_api", url: "" })).errors["action.url"]).toBe("is required");
  });

  it("sends the options when given", () => {
    const { body } = buildScheduleBody(base({ overlap: "queue", retryCount: "2", maxExecutions: "10", description: "d" }));
    expect(body).toMatchObject({ overlap: "queue", retry_count: 2, max_executions: 10, description: "d" });
  });
});

describe("buildPreviewBody", () => {
  it("is the create body with a count, and stand-ins for a missing name and an incomplete action", () => {
    const { body, errors } = buildPreviewBody(base({ name: "", pipeline: "", cron: "*/3 * * * * *" }));
    expect(body).toMatchObject({ name: "preview", kind: "cron", cron: "*/3 * * * * *", timezone: "Europe/Paris", count: 5 });
    expect(body["action"]).toEqual(standInAction);
    expect(errors).toEqual({});
  });
  it("sends a complete action as it is, for the server to check", () => {
    expect(buildPreviewBody(base({ pipeline: "digest" }), 3).body).toMatchObject({ name: "nightly", action: { type: "execute_pipeline", pipeline: "digest", wait: true }, count: 3 });
  });
  it("keeps the timing's problems", () => {
    expect(buildPreviewBody(base({ kind: "interval", intervalSeconds: "x" })).errors).toEqual({ interval_seconds: "must be a whole number" });
  });
});

describe("formFromSpec", () => {
  it("round-trips a stored definition through the form", () => {
    const spec = {
      name: "n",
      kind: "cron",
      cron: "0 9 * * *",
      timezone: "America/New_York",
      action: { type: "call_api", url: "https://example.org", method: "POST", body: { a: 1 } },
      overlap: "allow",
      retry_count: 1,
      max_executions: 3,
    };
    const form = formFromSpec(spec);
    expect(form).toMatchObject({ kind: "cron", cron: "0 9 * * *", timezone: "America/New_York", action: "call_api", url: "https://example.org", overlap: "allow" });
    expect(buildScheduleBody(form).body).toEqual({ ...spec });
  });
  it("reads an event schedule and a once time", () => {
    const at = "2030-06-01T07:30:00.000Z";
    expect(formFromSpec({ kind: "once", at, action: { type: "send_notification", message: "m" } }).at).toBe(isoToLocal(at));
    const form = formFromSpec({ kind: "event", event: { type: "pipeline_run.failed", filter: { data: { status: "failed" } } }, action: { type: "run_task", agent: "a", task: "t" } });
    expect(buildScheduleBody(form).body["event"]).toEqual({ type: "pipeline_run.failed", filter: { data: { status: "failed" } } });
  });
});

describe("times and descriptions", () => {
  it("converts between datetime-local and RFC 3339", () => {
    const iso = localToIso("2030-01-02T03:04")!;
    expect(isoToLocal(iso)).toBe("2030-01-02T03:04");
    expect(localToIso("")).toBeUndefined();
    expect(localToIso("nonsense")).toBeUndefined();
  });
  it("describes timing and action", () => {
    expect(describeTiming({ kind: "cron", cron: "*/3 * * * * *" })).toBe("cron */3 * * * * * (UTC)");
    expect(describeTiming({ kind: "interval", interval_seconds: 30 })).toBe("every 30 s");
    expect(describeAction({ action: { type: "execute_pipeline", pipeline: "p" } })).toBe("Start pipeline p");
    expect(describeAction({ action: { type: "call_api", url: "https://x" } })).toBe("GET https://x");
  });
});
