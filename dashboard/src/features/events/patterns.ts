// Event type patterns, with the server's semantics (TypePattern in gathering/events/mod.rs):
// `*` is every type, `family.*` every type that starts with `family.`, anything else one exact
// type. A pattern naming no known type is refused, as `GET /api/events?types=` refuses it
// with a 422; the page checks first so the user sees the mistake before the request.

/** Every event type the server has (EVENT_TYPES in gathering/events/mod.rs; a test compares). */
export const KNOWN_EVENT_TYPES = [
  "user.created",
  "user.registered",
  "user.updated",
  "api_key.created",
  "api_key.revoked",
  "llm_provider.created",
  "llm_provider.updated",
  "llm_provider.deleted",
  "llm_model.created",
  "llm_model.updated",
  "llm_model.deleted",
  "persona.created",
  "persona.updated",
  "persona.deleted",
  "agent.created",
  "agent.updated",
  "agent.deleted",
  "agent.stream",
  "conversation.created",
  "conversation.message",
  "conversation.turn_completed",
  "conversation.deleted",
  "tool.called",
  "tool.refused",
  "mcp_server.created",
  "mcp_server.updated",
  "mcp_server.deleted",
  "pipeline.created",
  "pipeline.updated",
  "pipeline.deleted",
  "pipeline_run.created",
  "pipeline_run.started",
  "pipeline_run.resumed",
  "pipeline_run.waiting",
  "pipeline_run.running",
  "pipeline_run.completed",
  "pipeline_run.failed",
  "pipeline_run.cancelled",
  "pipeline_run.timeout",
  "pipeline_run.cancel_requested",
  "pipeline_node.started",
  "pipeline_node.completed",
  "pipeline_node.failed",
  "pipeline_node.skipped",
  "pipeline_node.retrying",
  "pipeline_node.waiting",
  "pipeline_node.decided",
  "pipeline_node.cancelled",
  "pipeline_breaker.changed",
  "schedule.created",
  "schedule.updated",
  "schedule.deleted",
  "schedule.paused",
  "schedule.resumed",
  "schedule.triggered",
  "schedule.fired",
  "schedule.skipped",
  "schedule.missed",
  "schedule.started",
  "schedule.retrying",
  "schedule.completed",
  "schedule.failed",
  "notification.created",
  "memory.created",
  "memory.updated",
  "memory.deleted",
  "memory.purged",
  "memory.linked",
  "memory.embedding_changed",
  "memory.embedding_progress",
  "knowledge.collection_created",
  "knowledge.collection_updated",
  "knowledge.collection_deleted",
  "knowledge.document_ingested",
  "knowledge.document_deleted",
  "circle.created",
  "circle.updated",
  "circle.archived",
  "circle.member_added",
  "circle.member_updated",
  "circle.member_removed",
  "circle.discussion_created",
  "circle.discussion_started",
  "circle.discussion_changed",
  "circle.turn_started",
  "circle.message",
  "circle.stream",
  "circle.discussion_ended",
  "circle.summary",
  "circle.task_created",
  "circle.task_offered",
  "circle.task_accepted",
  "circle.task_refused",
  "circle.task_started",
  "circle.task_submitted",
  "circle.task_reviewed",
  "circle.task_changed",
  "circle.task_escalated",
  "circle.conflict_detected",
] as const;

/** The families (`user.*`, `pipeline_run.*`, ...), in the order of the list above. */
export const KNOWN_FAMILIES: string[] = [...new Set(KNOWN_EVENT_TYPES.map((t) => `${t.slice(0, t.indexOf("."))}.*`))];

export type TypePattern = { kind: "all" } | { kind: "family"; prefix: string } | { kind: "exact"; type: string };

/** One pattern, or the reason it is refused (the server's wording). */
export function parsePattern(raw: string, known: readonly string[] = KNOWN_EVENT_TYPES): TypePattern | { error: string } {
  const text = raw.trim();
  if (text === "*") return { kind: "all" };
  if (text.endsWith(".*")) {
    const prefix = `${text.slice(0, -2)}.`;
    if (known.some((t) => t.startsWith(prefix))) return { kind: "family", prefix };
    return { error: `no event types match \`${text}\`` };
  }
  if (known.includes(text)) return { kind: "exact", type: text };
  return { error: `unknown event type \`${text}\`` };
}

export type ParsedTypes = { patterns: TypePattern[]; canonical: string[]; errors: string[] };

/**
 * A comma-separated list as `?types=` takes it: split on commas, trimmed, empty parts
 * ignored. `canonical` is what to send back to the server (sorted, without duplicates).
 */
export function parseTypes(raw: string | readonly string[], known: readonly string[] = KNOWN_EVENT_TYPES): ParsedTypes {
  const parts = (typeof raw === "string" ? raw.split(",") : raw.flatMap((r) => r.split(","))).map((p) => p.trim()).filter((p) => p !== "");
  const patterns: TypePattern[] = [];
  const canonical = new Set<string>();
  const errors: string[] = [];
  for (const part of parts) {
    const parsed = parsePattern(part, known);
    if ("error" in parsed) errors.push(parsed.error);
    else {
      patterns.push(parsed);
      canonical.add(part);
    }
  }
  return { patterns, canonical: [...canonical].sort(), errors };
}

export function matchesPattern(pattern: TypePattern, type: string): boolean {
  switch (pattern.kind) {
    case "all":
      return true;
    case "family":
      return type.startsWith(pattern.prefix);
    case "exact":
      return type === pattern.type;
  }
}

/** Any of the patterns; every type when there are none (the server's Filter). */
export function matchesTypes(patterns: readonly TypePattern[], type: string): boolean {
  return patterns.length === 0 || patterns.some((p) => matchesPattern(p, type));
}
