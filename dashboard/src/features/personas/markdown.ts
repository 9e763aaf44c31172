// A persona as the file format of personas/*.md: YAML front matter between two `---` lines,
// then the prompt as Markdown. The editor works on this text; the server reads it
// (`POST /api/personas/check`, the parser of `gathering personas import`), so the dashboard only
// writes it: a stored persona becomes its file here, to be edited.
import type { components } from "@/lib/api/schema";

export type PersonaFields = components["schemas"]["PersonaBody"];

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

/** Words YAML may read as something other than text (null, booleans in YAML 1.1 and 1.2). */
const KEYWORDS = /^(~|null|true|false|yes|no|on|off|y|n)$/i;

/**
 * A text value as YAML: plain when nothing in it means something to YAML (no `:`, `#`, quotes
 * or brackets, not a keyword, not starting like a number or a sign), otherwise double-quoted
 * with JSON's escapes (a JSON string is a valid YAML double-quoted scalar).
 */
export function yamlText(value: string): string {
  const plain = /^[A-Za-z_][A-Za-z0-9 _.,()/+&'-]*$/.test(value) && value === value.trimEnd() && !KEYWORDS.test(value);
  return plain ? value : JSON.stringify(value);
}

function yamlList(items: string[] | undefined): string {
  return items && items.length ? items.map((i) => `\n  - ${yamlText(i)}`).join("") : " []";
}

/** The file text of a persona: front matter in the order of the shipped files, then the prompt. */
export function personaToMarkdown(p: PersonaFields): string {
  const lines = [
    "---",
    `name: ${yamlText(p.name)}`,
    `display_name: ${yamlText(p.display_name)}`,
    `role: ${yamlText(p.role)}`,
    `traits:${yamlList(p.traits)}`,
    `communication_style: ${yamlText(p.communication_style ?? "")}`,
    `specializations:${yamlList(p.specializations)}`,
    `languages:${yamlList(p.languages)}`,
  ];
  if (p.default_model != null) lines.push(`default_model: ${yamlText(p.default_model)}`);
  if (p.temperature != null) lines.push(`temperature: ${Math.round(p.temperature * 1000) / 1000}`);
  lines.push(`allowed_skills:${yamlList(p.allowed_skills)}`, "---", "", p.prompt.trim(), "");
  return lines.join("\n");
}
