// Which control a JSON Schema property gets in the node config form: the common cases have
// their own control; anything else is edited as JSON. Pure, so it is unit tested.

export type JsonSchema = {
  type?: string | string[];
  enum?: unknown[];
  properties?: Record<string, JsonSchema>;
  required?: string[];
  items?: JsonSchema;
  description?: string;
  maxLength?: number;
  minimum?: number;
  maximum?: number;
  additionalProperties?: unknown;
  [key: string]: unknown;
};

export type FieldKind = "enum" | "string" | "text" | "number" | "integer" | "boolean" | "object" | "string-list" | "json";

export function fieldKind(schema: JsonSchema | undefined): FieldKind {
  if (!schema || typeof schema !== "object") return "json";
  if (Array.isArray(schema.enum) && schema.enum.length > 0 && schema.enum.every((v) => typeof v === "string")) return "enum";
  switch (schema.type) {
    case "string":
      return (schema.maxLength ?? 0) > 500 ? "text" : "string";
    case "number":
      return "number";
    case "integer":
      return "integer";
    case "boolean":
      return "boolean";
    case "array":
      return schema.items?.type === "string" && !schema.items.enum ? "string-list" : "json";
    case "object":
      return schema.properties && Object.keys(schema.properties).length > 0 && !schema.additionalProperties ? "object" : "json";
    default:
      return "json";
  }
}

/** The properties to show: required ones first, then the others in the schema's order. */
export function orderedProperties(schema: JsonSchema): [string, JsonSchema][] {
  const entries = Object.entries(schema.properties ?? {});
  const required = new Set(schema.required ?? []);
  return [...entries.filter(([k]) => required.has(k)), ...entries.filter(([k]) => !required.has(k))];
}

/** A number field's text as a value: undefined for empty (the key is removed), NaN kept out. */
export function parseNumber(text: string, integer: boolean): number | undefined | null {
  if (text.trim() === "") return undefined;
  const n = Number(text);
  if (!Number.isFinite(n) || (integer && !Number.isInteger(n))) return null;
  return n;
}

/** An object with `key` set to `value`, or without it when `value` is undefined. */
export function withKey(obj: unknown, key: string, value: unknown): Record<string, unknown> {
  const base = obj && typeof obj === "object" && !Array.isArray(obj) ? { ...(obj as Record<string, unknown>) } : {};
  if (value === undefined) delete base[key];
  else base[key] = value;
  return base;
}
