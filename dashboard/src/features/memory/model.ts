// What the memory pages compute without a server: the filters kept in the address and the
// requests they become, the create and edit forms' bodies, how a hit matched, provenance, and
// the word-level difference between two versions. Pure functions, tested without a browser.
import type { Role } from "@/lib/auth/session";
import {
  memoryTypes,
  scopes,
  searchModes,
  type Memory,
  type MemoryListParams,
  type MemoryPatch,
  type MemoryType,
  type MemoryVersion,
  type NewMemory,
  type Scope,
  type SearchHit,
  type SearchMode,
  type SearchRequest,
} from "./api";

const isScope = (v: string | null): v is Scope => v !== null && (scopes as readonly string[]).includes(v);
const isType = (v: string | null): v is MemoryType => v !== null && (memoryTypes as readonly string[]).includes(v);
const isMode = (v: string | null): v is SearchMode => v !== null && (searchModes as readonly string[]).includes(v);

// ---- The list's filters and the search, kept in the address (`?scope=&scope_id=&type=&tag=
// &deleted=1&q=&mode=`) so a view can be linked.

export type MemoryFilter = { scope: Scope | ""; scopeId: string; type: MemoryType | ""; tag: string; deleted: boolean; q: string; mode: SearchMode };

export const emptyFilter: MemoryFilter = { scope: "", scopeId: "", type: "", tag: "", deleted: false, q: "", mode: "hybrid" };

export function filterFromSearch(search: URLSearchParams): MemoryFilter {
  const scope = search.get("scope");
  const type = search.get("type");
  const mode = search.get("mode");
  return {
    scope: isScope(scope) ? scope : "",
    scopeId: search.get("scope_id") ?? "",
    type: isType(type) ? type : "",
    tag: search.get("tag") ?? "",
    deleted: search.get("deleted") === "1",
    q: search.get("q") ?? "",
    mode: isMode(mode) ? mode : "hybrid",
  };
}

export function filterToSearch(filter: MemoryFilter): URLSearchParams {
  const out = new URLSearchParams();
  if (filter.scope) out.set("scope", filter.scope);
  if (filter.scope && filter.scopeId.trim()) out.set("scope_id", filter.scopeId.trim());
  if (filter.type) out.set("type", filter.type);
  if (filter.tag.trim()) out.set("tag", filter.tag.trim());
  if (filter.deleted) out.set("deleted", "1");
  if (filter.q.trim()) out.set("q", filter.q.trim());
  if (filter.mode !== "hybrid") out.set("mode", filter.mode);
  return out;
}

/** `GET /api/memories` parameters for a filter (a scope id only with its scope). */
export function listParams(filter: MemoryFilter): MemoryListParams {
  const params: MemoryListParams = {};
  if (filter.scope) params.scope = filter.scope;
  if (filter.scope && filter.scopeId.trim()) params.scope_id = filter.scopeId.trim();
  if (filter.type) params.type = filter.type;
  if (filter.tag.trim()) params.tag = filter.tag.trim();
  if (filter.deleted) params.include_deleted = true;
  return params;
}

/** `POST /api/memories/search` for a filter: the query with the same scope, type and tag. */
export function searchRequest(filter: MemoryFilter, limit = 20): SearchRequest | null {
  const query = filter.q.trim();
  if (!query) return null;
  const request: SearchRequest = { query, mode: filter.mode, limit };
  if (filter.scope) request.scopes = [filter.scope];
  if (filter.scope && filter.scopeId.trim()) request.scope_id = filter.scopeId.trim();
  if (filter.type) request.types = [filter.type];
  if (filter.tag.trim()) request.tags = [filter.tag.trim()];
  return request;
}

// ---- Forms.

/** Tags typed as "a, b c" (commas or spaces), trimmed, without repeats, in order. */
export function parseTags(text: string): string[] {
  const out: string[] = [];
  for (const tag of text.split(/[\s,]+/)) {
    const t = tag.trim();
    if (t && !out.includes(t)) out.push(t);
  }
  return out;
}

/** The scopes a role may write: global is the admins'; circles arrive with the circles module. */
export function writableScopes(role: Role | null): Scope[] {
  const base: Scope[] = ["user", "agent", "conversation"];
  return role === "admin" ? [...base, "global"] : base;
}

export type MemoryForm = { scope: Scope; scopeId: string; type: MemoryType; content: string; importance: string; tags: string; expiresAt: string };

export const emptyForm: MemoryForm = { scope: "user", scopeId: "", type: "fact", content: "", importance: "0.5", tags: "", expiresAt: "" };

export type FormErrors = Partial<Record<"scopeId" | "content" | "importance" | "expiresAt", string>>;

function importanceOf(text: string): number | null {
  const value = text.trim() === "" ? NaN : Number(text);
  return Number.isFinite(value) && value >= 0 && value <= 1 ? value : null;
}

/** A `datetime-local` value as an RFC 3339 instant, or null when it is not one. */
export function instant(local: string): string | null {
  if (!local.trim()) return null;
  const date = new Date(local);
  return Number.isNaN(date.getTime()) ? null : date.toISOString();
}

/** An instant as a `datetime-local` value in the browser's time zone. */
export function localInput(iso: string | null | undefined): string {
  if (!iso) return "";
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return "";
  const pad = (n: number) => String(n).padStart(2, "0");
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

/** What the form lacks, by field; empty when it can be sent. */
export function formErrors(form: MemoryForm, selfId: string | null): FormErrors {
  const errors: FormErrors = {};
  if (!form.content.trim()) errors.content = "Write what to remember.";
  else if (form.content.length > 16384) errors.content = "At most 16,384 characters.";
  if (importanceOf(form.importance) === null) errors.importance = "A number from 0 to 1.";
  if (form.scope !== "global" && !(form.scope === "user" ? form.scopeId || selfId : form.scopeId)) errors.scopeId = `Pick the ${form.scope}.`;
  if (form.expiresAt.trim() && instant(form.expiresAt) === null) errors.expiresAt = "Not a date and time.";
  return errors;
}

/** The `POST /api/memories` body of a checked form (`user` scope defaults to the signed-in user). */
export function createBody(form: MemoryForm, selfId: string | null): NewMemory {
  const body: NewMemory = { scope: form.scope, type: form.type, content: form.content.trim(), importance: importanceOf(form.importance) ?? 0.5 };
  if (form.scope !== "global") {
    const id = form.scope === "user" ? form.scopeId || selfId : form.scopeId;
    if (id) body.scope_id = id;
  }
  const tags = parseTags(form.tags);
  if (tags.length) body.tags = tags;
  const expires = instant(form.expiresAt);
  if (expires) body.expires_at = expires;
  return body;
}

export function editForm(memory: Memory): MemoryForm {
  return {
    scope: memory.scope,
    scopeId: memory.scope_id ?? "",
    type: memory.type,
    content: memory.content,
    importance: String(memory.importance),
    tags: memory.tags.join(", "),
    expiresAt: localInput(memory.expires_at),
  };
}

/** Only what changed (each PATCH makes a new version); an emptied expiry is sent as null. */
export function patchBody(form: MemoryForm, before: Memory): MemoryPatch {
  const patch: MemoryPatch = {};
  if (form.content.trim() !== before.content) patch.content = form.content.trim();
  if (form.type !== before.type) patch.type = form.type;
  const importance = importanceOf(form.importance);
  if (importance !== null && Math.abs(importance - before.importance) > 1e-6) patch.importance = importance;
  const tags = parseTags(form.tags);
  if (tags.join("\n") !== before.tags.join("\n")) patch.tags = tags;
  // Compared as the form shows them (to the minute), so an untouched expiry is not resent.
  if (form.expiresAt.trim() !== localInput(before.expires_at)) patch.expires_at = instant(form.expiresAt);
  return patch;
}

// ---- How a memory is shown.

/** How a hit was found: its rank in each list that matched it (hybrid fuses both). */
export function matchedBy(hit: Pick<SearchHit, "semantic_rank" | "keyword_rank">): string[] {
  const out: string[] = [];
  if (hit.semantic_rank != null) out.push(`semantic #${hit.semantic_rank}`);
  if (hit.keyword_rank != null) out.push(`keyword #${hit.keyword_rank}`);
  return out;
}

export type ProvenanceEntry = { label: string; kind: "conversation" | "message" | "run" | "user" | "agent"; id: string };

/** The provenance a memory carries, in a fixed order, without the empty ones. */
export function provenance(memory: Pick<Memory, "source" | "created_by" | "created_by_agent">): ProvenanceEntry[] {
  const s = memory.source ?? {};
  const out: ProvenanceEntry[] = [];
  if (s.conversation_id) out.push({ label: "Conversation", kind: "conversation", id: s.conversation_id });
  if (s.message_id) out.push({ label: "Message", kind: "message", id: s.message_id });
  if (s.run_id) out.push({ label: "Pipeline run", kind: "run", id: s.run_id });
  const user = s.user_id ?? memory.created_by;
  if (user) out.push({ label: "User", kind: "user", id: user });
  const agent = s.agent_id ?? memory.created_by_agent;
  if (agent) out.push({ label: "Agent", kind: "agent", id: agent });
  return out;
}

export const shortId = (id: string): string => id.slice(0, 8);

export function percent(done: number, total: number): number {
  if (total <= 0) return 100;
  return Math.min(100, Math.floor((done / total) * 100));
}

// ---- Versions: what changed from one to the next.

export type Change = { field: "type" | "importance" | "tags" | "expires_at"; before: string; after: string };

/** The fields other than the content that differ between an older and a newer version. */
export function fieldChanges(older: MemoryVersion, newer: MemoryVersion): Change[] {
  const out: Change[] = [];
  if (older.type !== newer.type) out.push({ field: "type", before: older.type, after: newer.type });
  if (older.importance !== newer.importance) out.push({ field: "importance", before: String(older.importance), after: String(newer.importance) });
  if (older.tags.join(",") !== newer.tags.join(",")) out.push({ field: "tags", before: older.tags.join(", ") || "none", after: newer.tags.join(", ") || "none" });
  if ((older.expires_at ?? null) !== (newer.expires_at ?? null)) out.push({ field: "expires_at", before: older.expires_at ?? "never", after: newer.expires_at ?? "never" });
  return out;
}

export type DiffPart = { kind: "same" | "added" | "removed"; text: string };

/**
 * A word-level difference (longest common subsequence over words and the spaces between them),
 * neighbouring parts of one kind merged. Long texts fall back to "all removed, all added" to
 * stay cheap (the table is rows × columns).
 */
export function wordDiff(before: string, after: string, maxCells = 250_000): DiffPart[] {
  const a = before.split(/(\s+)/).filter((t) => t !== "");
  const b = after.split(/(\s+)/).filter((t) => t !== "");
  const parts: DiffPart[] = [];
  const push = (kind: DiffPart["kind"], text: string) => {
    const last = parts.at(-1);
    if (last && last.kind === kind) last.text += text;
    else parts.push({ kind, text });
  };
  if (a.length * b.length > maxCells) {
    if (before) push("removed", before);
    if (after) push("added", after);
    return parts;
  }
  const n = a.length;
  const m = b.length;
  // lcs[i][j]: the common length of a[i..] and b[j..], in one flat array.
  const lcs = new Uint32Array((n + 1) * (m + 1));
  const at = (i: number, j: number) => lcs[i * (m + 1) + j] ?? 0;
  for (let i = n - 1; i >= 0; i--)
    for (let j = m - 1; j >= 0; j--) lcs[i * (m + 1) + j] = a[i] === b[j] ? at(i + 1, j + 1) + 1 : Math.max(at(i + 1, j), at(i, j + 1));
  let i = 0;
  let j = 0;
  while (i < n && j < m) {
    if (a[i] === b[j]) {
      push("same", a[i] ?? "");
      i++;
      j++;
    } else if (at(i + 1, j) >= at(i, j + 1)) push("removed", a[i++] ?? "");
    else push("added", b[j++] ?? "");
  }
  while (i < n) push("removed", a[i++] ?? "");
  while (j < m) push("added", b[j++] ?? "");
  return parts;
}
