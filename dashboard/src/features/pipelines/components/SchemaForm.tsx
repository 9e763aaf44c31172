// A form generated from a JSON Schema: strings (an enum is a select), numbers, booleans,
// objects of those and lists of strings have their own control; anything else is a JSON text
// area for that field. Unknown keys already in the value are kept and shown as JSON.
import { useState } from "react";
import { Select, TextArea, TextInput } from "@/components/ui";
import { fieldKind, orderedProperties, parseNumber, withKey, type JsonSchema } from "./schemaFields";

type Props = { schema: JsonSchema; value: unknown; onChange: (value: Record<string, unknown>) => void; readOnly?: boolean; prefix?: string };

export function SchemaForm({ schema, value, onChange, readOnly = false, prefix = "" }: Props) {
  const obj = value && typeof value === "object" && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
  const required = new Set(schema.required ?? []);
  const known = new Set(Object.keys(schema.properties ?? {}));
  const extra = Object.keys(obj).filter((k) => !known.has(k));
  return (
    <div className="flex flex-col gap-3">
      {orderedProperties(schema).map(([key, prop]) => (
        <SchemaField
          key={key}
          name={prefix + key}
          schema={prop}
          required={required.has(key)}
          value={obj[key]}
          readOnly={readOnly}
          onChange={(v) => onChange(withKey(obj, key, v))}
        />
      ))}
      {extra.map((key) => (
        <JsonField key={key} label={`${prefix}${key} (not in the schema)`} value={obj[key]} readOnly={readOnly} onChange={(v) => onChange(withKey(obj, key, v))} />
      ))}
    </div>
  );
}

type FieldProps = { name: string; schema: JsonSchema; required: boolean; value: unknown; readOnly: boolean; onChange: (value: unknown) => void };

function hintOf(schema: JsonSchema, required: boolean): string | undefined {
  const parts = [required ? "required" : "", schema.description ?? ""].filter(Boolean);
  return parts.length ? parts.join(" · ") : undefined;
}

function SchemaField({ name, schema, required, value, readOnly, onChange }: FieldProps) {
  const hint = hintOf(schema, required);
  const hintProp = hint ? { hint } : {};
  const kind = fieldKind(schema);
  switch (kind) {
    case "enum":
      return (
        <Select label={name} value={typeof value === "string" ? value : ""} disabled={readOnly} onChange={(e) => onChange(e.target.value === "" ? undefined : e.target.value)}>
          <option value="">(not set)</option>
          {(schema.enum as string[]).map((v) => (
            <option key={v} value={v}>
              {v}
            </option>
          ))}
        </Select>
      );
    case "string":
    case "text": {
      const props = { label: name, value: typeof value === "string" ? value : "", readOnly, ...hintProp, onChange: (e: { target: { value: string } }) => onChange(e.target.value === "" ? undefined : e.target.value) };
      return kind === "text" ? <TextArea rows={3} {...props} /> : <TextInput {...props} />;
    }
    case "number":
    case "integer":
      return <NumberField name={name} integer={kind === "integer"} value={value} readOnly={readOnly} hint={hint} onChange={onChange} />;
    case "boolean":
      return (
        <Select label={name} value={value === true ? "true" : value === false ? "false" : ""} disabled={readOnly} onChange={(e) => onChange(e.target.value === "" ? undefined : e.target.value === "true")}>
          <option value="">(not set)</option>
          <option value="true">true</option>
          <option value="false">false</option>
        </Select>
      );
    case "object":
      return (
        <fieldset className="rounded-md border border-slate-200 p-2 dark:border-slate-700">
          <legend className="px-1 text-sm font-medium">{name}</legend>
          <SchemaForm schema={schema} value={value} readOnly={readOnly} prefix={`${name}.`} onChange={(v) => onChange(Object.keys(v).length ? v : undefined)} />
        </fieldset>
      );
    case "string-list":
      return (
        <TextArea
          label={name}
          rows={3}
          readOnly={readOnly}
          hint={`one a line${hint ? ` · ${hint}` : ""}`}
          value={Array.isArray(value) ? value.join("\n") : ""}
          onChange={(e) => {
            const lines = e.target.value.split("\n");
            onChange(e.target.value === "" ? undefined : lines);
          }}
        />
      );
    default:
      return <JsonField label={name} value={value} readOnly={readOnly} hint={hint} onChange={onChange} />;
  }
}

function NumberField({ name, integer, value, readOnly, hint, onChange }: { name: string; integer: boolean; value: unknown; readOnly: boolean; hint: string | undefined; onChange: (v: unknown) => void }) {
  // The text as typed, so "1." or "-" can be on the way to a number.
  const [text, setText] = useState(typeof value === "number" ? String(value) : "");
  const [error, setError] = useState<string | undefined>();
  const shown = typeof value === "number" && parseNumber(text, integer) !== value ? String(value) : text;
  return (
    <TextInput
      label={name}
      inputMode={integer ? "numeric" : "decimal"}
      value={shown}
      readOnly={readOnly}
      error={error}
      {...(hint ? { hint } : {})}
      onChange={(e) => {
        setText(e.target.value);
        const n = parseNumber(e.target.value, integer);
        if (n === null) setError(integer ? "a whole number" : "a number");
        else {
          setError(undefined);
          onChange(n);
        }
      }}
    />
  );
}

function JsonField({ label, value, readOnly, hint, onChange }: { label: string; value: unknown; readOnly: boolean; hint?: string | undefined; onChange: (v: unknown) => void }) {
  const [text, setText] = useState(value === undefined ? "" : JSON.stringify(value, null, 2));
  const [error, setError] = useState<string | undefined>();
  return (
    <TextArea
      label={label}
      rows={3}
      readOnly={readOnly}
      error={error}
      hint={`JSON${hint ? ` · ${hint}` : ""}`}
      value={text}
      onChange={(e) => {
        setText(e.target.value);
        if (e.target.value.trim() === "") {
          setError(undefined);
          onChange(undefined);
          return;
        }
        try {
          onChange(JSON.parse(e.target.value));
          setError(undefined);
        } catch {
          setError("not valid JSON yet");
        }
      }}
    />
  );
}
