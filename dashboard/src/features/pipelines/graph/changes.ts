// What differs between two JSON values, as readable lines (`config.expression: "a" → "b"`):
// the versions panel shows a diff's changed nodes and edges this way. Pure.

export type Change = { path: string; before: unknown; after: unknown };

function isObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === "object" && !Array.isArray(v);
}

/** Every leaf that differs; objects are walked key by key, lists compared whole. */
export function changedPaths(before: unknown, after: unknown, prefix = ""): Change[] {
  if (isObject(before) && isObject(after)) {
    const keys = [...new Set([...Object.keys(before), ...Object.keys(after)])].sort();
    return keys.flatMap((k) => changedPaths(before[k], after[k], prefix ? `${prefix}.${k}` : k));
  }
  if (JSON.stringify(before) === JSON.stringify(after)) return [];
  return [{ path: prefix || "(value)", before, after }];
}

/** A value in one short line: `—` for absent. */
export function show(value: unknown, max = 80): string {
  if (value === undefined) return "—";
  const text = JSON.stringify(value) ?? String(value);
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

export type DiffSide<T> = { added: T[]; removed: T[]; changed: { id: string; before: unknown; after: unknown }[] };
/** The body of `GET /api/pipelines/{id}/diff` (docs/pipelines.md). */
export type PipelineDiff = {
  nodes: DiffSide<Record<string, unknown>>;
  edges: DiffSide<Record<string, unknown>>;
  fields: Record<string, { before: unknown; after: unknown }>;
};

/** Whether a diff holds no change at all. */
export function isEmptyDiff(diff: PipelineDiff): boolean {
  const side = (s: DiffSide<unknown> | undefined) => !s || (s.added.length === 0 && s.removed.length === 0 && s.changed.length === 0);
  return side(diff.nodes) && side(diff.edges) && Object.keys(diff.fields ?? {}).length === 0;
}

/** A node or edge in a few words: `t1 (trigger)`, `e1: a → b`. */
export function describeItem(item: Record<string, unknown>): string {
  if ("from" in item || "to" in item || "from_node" in item) {
    const from = item["from"] ?? item["from_node"];
    const to = item["to"] ?? item["to_node"];
    const cond = typeof item["condition"] === "string" ? ` if ${item["condition"]}` : "";
    return `${item["id"] !== undefined ? `${String(item["id"])}: ` : ""}${String(from)} → ${String(to)}${cond}`;
  }
  return `${String(item["id"])}${item["type"] ? ` (${String(item["type"])})` : ""}`;
}
