import { describe, expect, it } from "vitest";
import {
  auditFilterFromSearch,
  auditFilterToSearch,
  auditParams,
  auditRangeInvalid,
  auditedEvent,
  emptyAuditFilter,
  emptyMcpForm,
  emptyUserFilter,
  expiresAt,
  keyState,
  isoToLocal,
  localToIso,
  mcpBody,
  userFilterFromSearch,
  userFilterToSearch,
  userFilterActive,
  usersQuery,
} from "./filters";


describe("user filter", () => {
  it("sends the search, role and status to the server, trimmed", () => {
    expect(usersQuery({ ...emptyUserFilter, q: "  ada ", role: "member" })).toEqual({ q: "ada", role: "member" });
    expect(usersQuery({ ...emptyUserFilter, q: "   ", status: "disabled" })).toEqual({ status: "disabled" });
    expect(usersQuery({ ...emptyUserFilter, status: "enabled" })).toEqual({ status: "active" });
    expect(usersQuery(emptyUserFilter)).toEqual({});
    expect(usersQuery({ ...emptyUserFilter, q: "x".repeat(300) }).q).toHaveLength(200);
  });
  it("knows when it narrows the list", () => {
    expect(userFilterActive(emptyUserFilter)).toBe(false);
    expect(userFilterActive({ ...emptyUserFilter, q: "  " })).toBe(false);
    expect(userFilterActive({ ...emptyUserFilter, role: "admin" })).toBe(true);
    expect(userFilterActive({ ...emptyUserFilter, status: "disabled" })).toBe(true);
  });
  it("round-trips through the address and drops unknown values", () => {
    const filter = { q: "ada", role: "member" as const, status: "enabled" as const };
    expect(userFilterFromSearch(userFilterToSearch(filter))).toEqual(filter);
    expect(userFilterFromSearch(new URLSearchParams("role=root&status=maybe"))).toEqual(emptyUserFilter);
    expect(userFilterToSearch(emptyUserFilter).toString()).toBe("");
  });
});

describe("audit filter to query parameters", () => {
  it("sends only the page size when nothing is set", () => {
    expect(auditParams(emptyAuditFilter, 50)).toEqual({ limit: 50 });
  });
  it("sends the set filters and the cursor", () => {
    const actor = "0193a8f2-7c4e-7b1a-9d3e-2f6b8c0a1d45";
    const params = auditParams({ action: " api_key. ", actor, outcome: "failure", since: "2026-11-23T10:00", until: "" }, 25, "c1");
    expect(params).toEqual({ limit: 25, action: "api_key.", actor_id: actor, outcome: "failure", since: new Date("2026-11-23T10:00").toISOString(), cursor: "c1" });
  });
  it("never sends a value the server would refuse", () => {
    expect(auditParams({ ...emptyAuditFilter, actor: "not-a-uuid", since: "garbage" }, 50, null)).toEqual({ limit: 50 });
  });
  it("converts local times to UTC and back", () => {
    const iso = localToIso("2026-11-23T10:30");
    expect(iso).toMatch(/Z$/);
    expect(isoToLocal(iso!)).toBe("2026-11-23T10:30");
    expect(localToIso("")).toBeUndefined();
  });
  it("flags a backwards range", () => {
    expect(auditRangeInvalid({ ...emptyAuditFilter, since: "2026-11-23T10:00", until: "2026-11-22T10:00" })).toBe(true);
    expect(auditRangeInvalid({ ...emptyAuditFilter, since: "2026-11-22T10:00", until: "2026-11-23T10:00" })).toBe(false);
    expect(auditRangeInvalid({ ...emptyAuditFilter, since: "2026-11-22T10:00" })).toBe(false);
  });
  it("round-trips through the address", () => {
    const filter = { action: "auth.login", actor: "", outcome: "success" as const, since: "2026-11-23T10:00", until: "" };
    expect(auditFilterFromSearch(auditFilterToSearch(filter))).toEqual(filter);
    expect(auditFilterFromSearch(new URLSearchParams("outcome=maybe")).outcome).toBe("");
  });
});

describe("MCP server form to body", () => {
  it("builds a stdio body with arguments and environment", () => {
    const result = mcpBody({ ...emptyMcpForm, name: "files", command: " /bin/mcp ", args: "--root\n/srv\n\n", env: "TOKEN=a=b\n", risk: "read_only", timeoutMs: "10000" });
    expect(result).toEqual({
      ok: true,
      body: { name: "files", risk: "read_only", timeout_ms: 10000, transport: { kind: "stdio", command: "/bin/mcp", args: ["--root", "/srv"], env: { TOKEN: "a=b" } } },
    });
  });
  it("builds an http body and leaves defaults to the server", () => {
    expect(mcpBody({ ...emptyMcpForm, name: "web", kind: "http", url: "https://mcp.example.org/x" })).toEqual({ ok: true, body: { name: "web", transport: { kind: "http", url: "https://mcp.example.org/x" } } });
  });
  it("names the field that is wrong", () => {
    expect(mcpBody({ ...emptyMcpForm, name: "-bad", command: "x" })).toMatchObject({ ok: false, field: "name" });
    expect(mcpBody({ ...emptyMcpForm, name: "ok" })).toMatchObject({ ok: false, field: "command" });
    expect(mcpBody({ ...emptyMcpForm, name: "ok", command: "x", env: "NOEQUALS" })).toMatchObject({ ok: false, field: "env" });
    expect(mcpBody({ ...emptyMcpForm, name: "ok", kind: "http", url: "ftp://x" })).toMatchObject({ ok: false, field: "url" });
    expect(mcpBody({ ...emptyMcpForm, name: "ok", command: "x", timeoutMs: "50" })).toMatchObject({ ok: false, field: "timeoutMs" });
    expect(mcpBody({ ...emptyMcpForm, name: "ok", command: "x", args: Array.from({ length: 21 }, (_, i) => `a${i}`).join("\n") })).toMatchObject({ ok: false, field: "args" });
  });
});

describe("API key expiry", () => {
  const now = new Date("2026-11-23T12:00:00Z");
  it("is absent for never and N days ahead otherwise", () => {
    expect(expiresAt("never", "", now)).toBeUndefined();
    expect(expiresAt("30", "", now)).toBe("2026-12-23T12:00:00.000Z");
  });
  it("ends a chosen day, which must be in the future", () => {
    expect(expiresAt("date", "2027-01-31", now)).toBe(new Date("2027-01-31T23:59:59").toISOString());
    expect(expiresAt("date", "", now)).toBeNull();
    expect(expiresAt("date", "2020-01-01", now)).toBeNull();
  });
  it("tells active, revoked and expired keys apart", () => {
    expect(keyState({}, now)).toBe("active");
    expect(keyState({ expires_at: "2027-01-01T00:00:00Z" }, now)).toBe("active");
    expect(keyState({ expires_at: "2026-01-01T00:00:00Z" }, now)).toBe("expired");
    expect(keyState({ revoked_at: "2026-01-01T00:00:00Z", expires_at: "2026-01-01T00:00:00Z" }, now)).toBe("revoked");
  });
});

describe("which events refresh the audit log", () => {
  it("takes the audited families and leaves runs out", () => {
    expect(auditedEvent("user.updated")).toBe(true);
    expect(auditedEvent("api_key.created")).toBe(true);
    expect(auditedEvent("pipeline.created")).toBe(true);
    expect(auditedEvent("pipeline_run.started")).toBe(false);
    expect(auditedEvent("pipeline_node.completed")).toBe(false);
    expect(auditedEvent("conversation.message")).toBe(false);
  });
});
