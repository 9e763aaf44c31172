// Filters of the administration pages and the query parameters they become: pure functions,
// tested without a browser.
import type { Role } from "@/lib/auth/session";
import { isRole } from "./access";

// ---- Users: GET /api/users searches email and name (`?q=`) and filters by `?role=` and
// `?status=active|disabled` on the server; the page only sends them.

export type UserFilter = { q: string; role: Role | ""; status: "" | "enabled" | "disabled" };

export const emptyUserFilter: UserFilter = { q: "", role: "", status: "" };

export type UsersParams = { q?: string; role?: Role; status?: "active" | "disabled" };

/**
 * The server's query for a filter: `?q=` (trimmed; at most 200 characters, as the server
 * allows), `?role=` and `?status=` (the address says `enabled`, the server `active`).
 */
export function usersQuery(filter: UserFilter): UsersParams {
  const params: UsersParams = {};
  const q = filter.q.trim().slice(0, 200);
  if (q) params.q = q;
  if (filter.role) params.role = filter.role;
  if (filter.status) params.status = filter.status === "enabled" ? "active" : "disabled";
  return params;
}

/** Whether the filter narrows the list at all. */
export function userFilterActive(filter: UserFilter): boolean {
  return Object.keys(usersQuery(filter)).length > 0;
}

/** The user filter kept in the address (`?q=&role=&status=`), so a filtered list can be linked. */
export function userFilterFromSearch(search: URLSearchParams): UserFilter {
  const role = search.get("role");
  const status = search.get("status");
  return {
    q: search.get("q") ?? "",
    role: isRole(role) ? role : "",
    status: status === "enabled" || status === "disabled" ? status : "",
  };
}

export function userFilterToSearch(filter: UserFilter): URLSearchParams {
  const out = new URLSearchParams();
  if (filter.q.trim()) out.set("q", filter.q.trim());
  if (filter.role) out.set("role", filter.role);
  if (filter.status) out.set("status", filter.status);
  return out;
}

// ---- Audit: GET /api/audit?action=&actor_id=&outcome=&since=&until=&limit=&cursor=

export type AuditFilter = {
  /** An exact action, or a prefix ending in "." (`api_key.`). */
  action: string;
  /** A user's id, or "" for anyone. */
  actor: string;
  outcome: "" | "success" | "failure";
  /** `datetime-local` values (the browser's local time), or "". */
  since: string;
  until: string;
};

export const emptyAuditFilter: AuditFilter = { action: "", actor: "", outcome: "", since: "", until: "" };

export type AuditParams = {
  action?: string;
  actor_id?: string;
  outcome?: string;
  since?: string;
  until?: string;
  limit: number;
  cursor?: string;
};

const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** A `datetime-local` value (local time) as RFC 3339 in UTC, or undefined when empty or invalid. */
export function localToIso(value: string): string | undefined {
  if (!value.trim()) return undefined;
  const date = new Date(value);
  return Number.isNaN(date.getTime()) ? undefined : date.toISOString();
}

/** An RFC 3339 time as a `datetime-local` value in local time (minutes), for the inputs. */
export function isoToLocal(iso: string): string {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return "";
  const pad = (n: number) => String(n).padStart(2, "0");
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}T${pad(date.getHours())}:${pad(date.getMinutes())}`;
}

/**
 * The query of one audit page: only the filters that are set (and valid, so a half-typed value
 * never becomes a 400), the page size and the cursor.
 */
export function auditParams(filter: AuditFilter, limit: number, cursor?: string | null): AuditParams {
  const params: AuditParams = { limit };
  const action = filter.action.trim();
  if (action) params.action = action;
  if (uuid.test(filter.actor)) params.actor_id = filter.actor;
  if (filter.outcome) params.outcome = filter.outcome;
  const since = localToIso(filter.since);
  if (since) params.since = since;
  const until = localToIso(filter.until);
  if (until) params.until = until;
  if (cursor) params.cursor = cursor;
  return params;
}

/** Whether the filter's time range is backwards (nothing could match). */
export function auditRangeInvalid(filter: AuditFilter): boolean {
  const since = localToIso(filter.since);
  const until = localToIso(filter.until);
  return !!since && !!until && since >= until;
}

export function auditFilterFromSearch(search: URLSearchParams): AuditFilter {
  const outcome = search.get("outcome");
  return {
    action: search.get("action") ?? "",
    actor: search.get("actor") ?? "",
    outcome: outcome === "success" || outcome === "failure" ? outcome : "",
    since: search.get("since") ?? "",
    until: search.get("until") ?? "",
  };
}

export function auditFilterToSearch(filter: AuditFilter): URLSearchParams {
  const out = new URLSearchParams();
  for (const key of ["action", "actor", "outcome", "since", "until"] as const) {
    const value = filter[key].trim();
    if (value) out.set(key, value);
  }
  return out;
}

/** The actions the audit log records (docs/security.md), offered as suggestions. */
export const knownActions = [
  "auth.",
  "auth.login",
  "auth.logout",
  "auth.refresh_reuse",
  "user.",
  "user.created",
  "user.registered",
  "user.updated",
  "api_key.",
  "api_key.created",
  "api_key.revoked",
  "llm_provider.",
  "llm_model.",
  "persona.",
  "agent.",
  "mcp_server.",
  "tool.called",
  "tool.refused",
  "pipeline.",
  "pipeline.webhook_rotated",
];

// ---- MCP servers: the add form becomes POST /api/mcp-servers's body.

export type McpForm = {
  name: string;
  kind: "stdio" | "http";
  command: string;
  /** One argument per line. */
  args: string;
  /** `NAME=value`, one per line. */
  env: string;
  url: string;
  risk: "" | "read_only" | "side_effects" | "dangerous";
  /** Milliseconds, or "" for the server's default. */
  timeoutMs: string;
};

export const emptyMcpForm: McpForm = { name: "", kind: "stdio", command: "", args: "", env: "", url: "", risk: "", timeoutMs: "" };

export type McpBody = {
  name: string;
  risk?: string;
  timeout_ms?: number;
  transport: { kind: "stdio"; command: string; args?: string[]; env?: Record<string, string> } | { kind: "http"; url: string };
};

export type McpFormResult = { ok: true; body: McpBody } | { ok: false; field: keyof McpForm; message: string };

const mcpName = /^[a-z0-9][a-z0-9-]{0,30}$/;

/** Checks the form as the server would (the server checks again) and builds the body. */
export function mcpBody(form: McpForm): McpFormResult {
  const name = form.name.trim();
  if (!mcpName.test(name)) return { ok: false, field: "name", message: "1 to 31 lower-case letters, digits and -, not starting with -" };
  let transport: McpBody["transport"];
  if (form.kind === "stdio") {
    const command = form.command.trim();
    if (!command) return { ok: false, field: "command", message: "A command is required" };
    const args = form.args.split("\n").map((a) => a.trim()).filter((a) => a.length > 0);
    if (args.length > 20) return { ok: false, field: "args", message: "At most 20 arguments" };
    const env: Record<string, string> = {};
    for (const line of form.env.split("\n")) {
      if (!line.trim()) continue;
      const eq = line.indexOf("=");
      const key = eq > 0 ? line.slice(0, eq).trim() : "";
      if (!key) return { ok: false, field: "env", message: `Not NAME=value: ${line.trim()}` };
      env[key] = line.slice(eq + 1);
    }
    transport = { kind: "stdio", command };
    if (args.length) transport.args = args;
    if (Object.keys(env).length) transport.env = env;
  } else {
    const url = form.url.trim();
    const parsed = URL.canParse(url) ? new URL(url) : null;
    if (!parsed || (parsed.protocol !== "http:" && parsed.protocol !== "https:") || !parsed.hostname) {
      return { ok: false, field: "url", message: "An http or https URL with a host" };
    }
    transport = { kind: "http", url };
  }
  const body: McpBody = { name, transport };
  if (form.risk) body.risk = form.risk;
  if (form.timeoutMs.trim()) {
    const ms = Number(form.timeoutMs);
    if (!Number.isInteger(ms) || ms < 100 || ms > 600_000) return { ok: false, field: "timeoutMs", message: "100 to 600000 milliseconds" };
    body.timeout_ms = ms;
  }
  return { ok: true, body };
}

// ---- API keys: when a new key expires.

export type Expiry = "never" | "7" | "30" | "90" | "365" | "date";

/**
 * The `expires_at` of a new key: undefined for never, N days from `now`, or the end of the
 * chosen local day. `null` when a date is asked for but missing or not in the future.
 */
export function expiresAt(expiry: Expiry, date: string, now: Date): string | undefined | null {
  if (expiry === "never") return undefined;
  if (expiry === "date") {
    if (!date) return null;
    const end = new Date(`${date}T23:59:59`);
    if (Number.isNaN(end.getTime()) || end <= now) return null;
    return end.toISOString();
  }
  return new Date(now.getTime() + Number(expiry) * 86_400_000).toISOString();
}

/** Whether a key works now: not revoked and not past its expiry. */
export function keyState(key: { revoked_at?: string | null; expires_at?: string | null }, now: Date): "active" | "revoked" | "expired" {
  if (key.revoked_at) return "revoked";
  if (key.expires_at && new Date(key.expires_at) <= now) return "expired";
  return "active";
}

/** Event types that come with an audit row, so the first page of the log refreshes on them. */
export function auditedEvent(type: string): boolean {
  if (type.startsWith("pipeline_run.") || type.startsWith("pipeline_node.")) return false;
  return ["user.", "api_key.", "llm_provider.", "llm_model.", "persona.", "agent.", "mcp_server.", "tool.", "pipeline."].some((p) => type.startsWith(p));
}
