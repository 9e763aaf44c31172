import { readFileSync, readdirSync } from "node:fs";
import { resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { fieldLine, markdownToPersona, personaToMarkdown, TEMPLATE, type PersonaFields } from "./markdown";

const shipped = resolve(__dirname, "../../../../personas");

function parsed(text: string): PersonaFields {
  const result = markdownToPersona(text);
  if (!result.ok) throw new Error(`line ${result.line}: ${result.message}`);
  return result.body;
}

describe("markdownToPersona", () => {
  it("reads every shipped persona", () => {
    const files = readdirSync(shipped).filter((f) => f.endsWith(".md"));
    expect(files.length).toBe(10);
    for (const file of files) {
      const body = parsed(readFileSync(resolve(shipped, file), "utf8"));
      expect(body.name).toBe(file.replace(/\.md$/, ""));
      expect(body.prompt.length).toBeGreaterThan(20);
    }
  });

  it("reads the data analyst's fields", () => {
    const body = parsed(readFileSync(resolve(shipped, "data-analyst.md"), "utf8"));
    expect(body).toMatchObject({ name: "data-analyst", display_name: "Data Analyst", languages: ["en"], temperature: 0.3, allowed_skills: ["calculator"], default_model: null });
    expect(body.traits).toContain("honest about uncertainty");
  });

  it("round-trips through personaToMarkdown", () => {
    const body = parsed(TEMPLATE);
    const again = parsed(personaToMarkdown({ ...body, role: "Says: yes, #1 — always", traits: ["a: b", "- c"], default_model: "gpt-4o-mini" }));
    expect(again).toEqual({ ...body, role: "Says: yes, #1 — always", traits: ["a: b", "- c"], default_model: "gpt-4o-mini" });
  });

  const broken = (front: string, body = "\nPrompt.\n") => markdownToPersona(`---\n${front}\n---\n${body}`);

  it("names the file line of a YAML syntax error", () => {
    const result = broken("name: x\ndisplay_name: X\nrole: [unclosed\nfoo: 1");
    expect(result.ok).toBe(false);
    if (!result.ok) {
      expect(result.line).toBe(5);
      expect(result.message).not.toMatch(/\n/);
    }
  });

  it("names the line of an unknown key, a duplicate key, a wrong type, a prompt key", () => {
    expect(broken("name: x\ndisplay_name: X\nrole: r\ncolour: blue")).toMatchObject({ ok: false, line: 5, message: expect.stringContaining("colour") });
    expect(broken("name: x\ndisplay_name: X\nrole: r\nname: y")).toMatchObject({ ok: false, line: 5 });
    expect(broken("name: x\ndisplay_name: X\nrole: r\ntraits: careful")).toMatchObject({ ok: false, line: 5, message: expect.stringContaining("list") });
    expect(broken("name: x\ndisplay_name: X\nrole: r\ntemperature: hot")).toMatchObject({ ok: false, line: 5, message: expect.stringContaining("number") });
    expect(broken("name: x\ndisplay_name: X\nrole: r\nprompt: hi")).toMatchObject({ ok: false, line: 5 });
  });

  it("refuses a file without front matter, unterminated, without a required key, or without a body", () => {
    expect(markdownToPersona("Just text")).toMatchObject({ ok: false, line: 1 });
    expect(markdownToPersona("---\nname: x\n")).toMatchObject({ ok: false, line: 1, message: expect.stringContaining("unterminated") });
    expect(broken("name: x\ndisplay_name: X")).toMatchObject({ ok: false, message: "missing field `role`" });
    expect(broken("name: x\ndisplay_name: X\nrole: r", "\n  \n")).toMatchObject({ ok: false, line: 6, message: expect.stringContaining("empty body") });
  });

  it("accepts CRLF, a BOM and empty lists", () => {
    expect(parsed("\ufeff---\r\nname: x\r\ndisplay_name: X\r\nrole: r\r\ntraits:\r\n---\r\nHi\r\n")).toMatchObject({ name: "x", traits: [], prompt: "Hi" });
  });
});

describe("fieldLine", () => {
  const text = "---\nname: x\ndisplay_name: X\nrole: r\ntraits:\n  - a\n  - b\nlanguages: [en]\ntemperature: 5\n---\n\n\nThe prompt.\n";

  it("finds a key's line", () => {
    expect(fieldLine(text, "temperature")).toBe(9);
    expect(fieldLine(text, "name")).toBe(2);
  });

  it("finds an item of a block list, and the key for a flow list", () => {
    expect(fieldLine(text, "traits[1]")).toBe(7);
    expect(fieldLine(text, "languages[0]")).toBe(8);
    expect(fieldLine("---\ntraits:\n- a\n- b\n---\nx", "traits[1]")).toBe(4);
  });

  it("finds the prompt's first line, and nothing for what the text does not show", () => {
    expect(fieldLine(text, "prompt")).toBe(13);
    expect(fieldLine(text, "persona")).toBeNull();
    expect(fieldLine(text, "default_model")).toBeNull();
  });
});
