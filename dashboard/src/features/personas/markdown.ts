// A persona as the file format of personas/*.md: YAML front matter between two `---` lines,
// then the prompt as Markdown. The editor works on this text; the API takes JSON fields, so the
// text is parsed here (with the server parser's rules and 1-based file lines in every error),
// and a field the server refuses (`details.field`) is found again at its line.
import { isMap, isScalar, isSeq, parseDocument, stringify, type Node as YamlNode } from "yaml";
import type { components } from "@/lib/api/schema";

export type PersonaFields = components["schemas"]["PersonaBody"];

export type ParseResult = { ok: true; body: PersonaFields } | { ok: false; line: number | null; message: string };

const LIST_KEYS = ["traits", "specializations", "languages", "allowed_skills"] as const;
const TEXT_KEYS = ["name", "display_name", "role", "communication_style", "default_model"] as const;
const REQUIRED = ["name", "display_name", "role"] as const;
const KEYS = new Set<string>([...TEXT_KEYS, ...LIST_KEYS, "temperature"]);

export const TEMPLATE = `---
name: my-persona
display_name: My Persona
role: What this persona does, in one line
traits:
  - careful
communication_style: Short, plain sentences.
specializations: []
languages: [en]
temperature: 0.5
allowed_skills: []
---

You are My Persona. Say who you are, what you do and how you answer.
`;

/** The file text of a persona: front matter in the order of the shipped files, then the prompt. */
export function personaToMarkdown(p: PersonaFields): string {
  const front: Record<string, unknown> = {
    name: p.name,
    display_name: p.display_name,
    role: p.role,
    traits: p.traits ?? [],
    communication_style: p.communication_style ?? "",
    specializations: p.specializations ?? [],
    languages: p.languages ?? [],
  };
  if (p.default_model != null) front["default_model"] = p.default_model;
  if (p.temperature != null) front["temperature"] = Math.round(p.temperature * 1000) / 1000;
  front["allowed_skills"] = p.allowed_skills ?? [];
  return `---\n${stringify(front, { lineWidth: 0 })}---\n\n${p.prompt.trim()}\n`;
}

type Split = { front: string; body: string; bodyLine: number };

/** Finds the front matter as the server does; line numbers are the file's (1-based). */
function split(input: string): Split | { line: number; message: string } {
  const text = input.replace(/^\ufeff/, "").replace(/\r\n/g, "\n");
  const lines = text.split("\n");
  if (lines[0]?.trimEnd() !== "---") return { line: 1, message: "missing front matter: the file must start with a `---` line" };
  const close = lines.findIndex((l, i) => i > 0 && l.trimEnd() === "---");
  if (close === -1) return { line: 1, message: "unterminated front matter: no closing `---` line after the opening one" };
  return { front: lines.slice(1, close).join("\n"), body: lines.slice(close + 1).join("\n"), bodyLine: close + 2 };
}

/** The file lines of the top-level key `key` written on a line of its own. */
function keyLines(front: string, key: string): number[] {
  const out: number[] = [];
  front.split("\n").forEach((line, i) => {
    if (/^\s/.test(line)) return;
    const colon = line.indexOf(":");
    if (colon === -1) return;
    const k = line
      .slice(0, colon)
      .trimEnd()
      .replace(/^"(.*)"$|^'(.*)'$/, "$1$2");
    if (k === key) out.push(i + 2); // line 1 is the opening `---`
  });
  return out;
}

/** "…at line 3, column 1:\n\n<context>" from the YAML parser, as one line without the place. */
function firstLine(message: string): string {
  return (message.split("\n")[0] ?? message).replace(/ at line \d+, column \d+:?$/, "");
}

function asText(node: unknown): string | null {
  if (isScalar(node)) return node.value === null || node.value === undefined ? null : String(node.value);
  return null;
}

/** Parses the editor's text into the API's fields, or the first error at its file line. */
export function markdownToPersona(text: string): ParseResult {
  const parts = split(text);
  if ("message" in parts) return { ok: false, line: parts.line, message: parts.message };
  const { front, body, bodyLine } = parts;
  if (!front.trim()) return { ok: false, line: 2, message: "empty front matter: name, display_name and role are required" };
  const promptLine = keyLines(front, "prompt")[0];
  if (promptLine) return { ok: false, line: promptLine, message: "`prompt` is not a front-matter key: the prompt is the Markdown body after the closing `---`" };

  const doc = parseDocument(front, { uniqueKeys: true, prettyErrors: true });
  const error = doc.errors[0];
  if (error) {
    const at = error.linePos?.[0]?.line;
    let line = at === undefined ? null : at + 1;
    if (error.code === "DUPLICATE_KEY" && line !== null) {
      // Point at the repeat, not at the mapping's start.
      const key = front.split("\n")[line - 2]?.split(":")[0]?.trim();
      line = (key && keyLines(front, key)[1]) || line;
    }
    return { ok: false, line, message: firstLine(error.message) };
  }
  if (!isMap(doc.contents)) return { ok: false, line: 2, message: "the front matter must be a mapping of keys (name, display_name, role, ...)" };

  const fields: Record<string, unknown> = {};
  for (const pair of doc.contents.items) {
    const key = asText(pair.key);
    const keyNode = pair.key as YamlNode | null;
    const line = keyNode?.range ? lineAt(front, keyNode.range[0]) : null;
    if (key === null || !KEYS.has(key)) {
      return { ok: false, line, message: `unknown front-matter key \`${key ?? "?"}\`: expected one of ${[...KEYS].join(", ")}` };
    }
    const value = pair.value;
    if ((LIST_KEYS as readonly string[]).includes(key)) {
      if (value === null || (isScalar(value) && value.value === null)) {
        fields[key] = [];
      } else if (isSeq(value)) {
        const items = value.items.map(asText);
        if (items.some((i) => i === null)) return { ok: false, line, message: `${key}: every item must be a single value` };
        fields[key] = items;
      } else {
        return { ok: false, line, message: `${key}: expected a list, such as [a, b] or lines starting with "- "` };
      }
    } else if (key === "temperature") {
      const t = isScalar(value) ? value.value : value;
      if (t === null || t === undefined) fields[key] = null;
      else if (typeof t === "number") fields[key] = t;
      else return { ok: false, line, message: "temperature: expected a number from 0 to 2" };
    } else {
      if (value !== null && !isScalar(value)) return { ok: false, line, message: `${key}: expected a single value` };
      fields[key] = asText(value);
    }
  }
  for (const key of REQUIRED) {
    if (typeof fields[key] !== "string") return { ok: false, line: 1, message: `missing field \`${key}\`` };
  }
  const prompt = body.trim();
  if (!prompt) return { ok: false, line: bodyLine, message: "empty body: the Markdown after the front matter is the persona's prompt" };
  return {
    ok: true,
    body: {
      name: fields["name"] as string,
      display_name: fields["display_name"] as string,
      role: fields["role"] as string,
      traits: (fields["traits"] as string[] | undefined) ?? [],
      communication_style: (fields["communication_style"] as string | null | undefined) ?? "",
      specializations: (fields["specializations"] as string[] | undefined) ?? [],
      languages: (fields["languages"] as string[] | undefined) ?? [],
      default_model: (fields["default_model"] as string | null | undefined) ?? null,
      temperature: (fields["temperature"] as number | null | undefined) ?? null,
      allowed_skills: (fields["allowed_skills"] as string[] | undefined) ?? [],
      prompt,
    },
  };
}

/** The file line of an offset in the front matter. */
function lineAt(front: string, offset: number): number {
  let line = 2;
  for (let i = 0; i < offset && i < front.length; i++) if (front[i] === "\n") line++;
  return line;
}

/**
 * Where a field the server named (`details.field`: `temperature`, `traits[2]`, `prompt`) is in
 * the text: the item's line for an item of a block list, else the key's line; the body's first
 * line for `prompt`. Null when the text does not show it (`persona`, or a key not written).
 */
export function fieldLine(text: string, field: string): number | null {
  const parts = split(text);
  if ("message" in parts) return null;
  if (field === "prompt") {
    const lines = parts.body.split("\n");
    const first = lines.findIndex((l) => l.trim() !== "");
    return parts.bodyLine + Math.max(0, first);
  }
  const m = /^([a-z_]+)(?:\[(\d+)\])?$/.exec(field);
  if (!m || !m[1]) return null;
  const keyLine = keyLines(parts.front, m[1])[0];
  if (keyLine === undefined) return null;
  if (m[2] !== undefined) {
    // Items of a block list follow the key on lines starting with "-" (after indentation).
    const frontLines = parts.front.split("\n");
    let seen = -1;
    for (let i = keyLine - 1; i < frontLines.length; i++) {
      const l = frontLines[i] ?? "";
      if (!/^[\s-]/.test(l) && l.trim() !== "") break;
      if (/^\s*-(\s|$)/.test(l)) {
        seen++;
        if (seen === Number(m[2])) return i + 2;
      }
    }
  }
  return keyLine;
}
