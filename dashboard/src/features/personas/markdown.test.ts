import { describe, expect, it } from "vitest";
import { personaToMarkdown, yamlText } from "./markdown";

describe("yamlText", () => {
  it("writes plain text plain", () => {
    for (const v of ["Data Analyst", "data-analyst", "careful", "honest about uncertainty", "metrics and KPIs", "don't panic", "gpt-4o-mini"]) expect(yamlText(v)).toBe(v);
  });

  it("quotes what YAML would read otherwise", () => {
    expect(yamlText("Says: yes, #1 — always")).toBe('"Says: yes, #1 — always"');
    expect(yamlText("- c")).toBe('"- c"');
    expect(yamlText("a: b")).toBe('"a: b"');
    expect(yamlText("")).toBe('""');
    expect(yamlText("yes")).toBe('"yes"');
    expect(yamlText("NULL")).toBe('"NULL"');
    expect(yamlText("0.5")).toBe('"0.5"');
    expect(yamlText("3D modeller")).toBe('"3D modeller"');
    expect(yamlText("[x]")).toBe('"[x]"');
    expect(yamlText("trailing ")).toBe('"trailing "');
    expect(yamlText('two\nlines "q" \\')).toBe('"two\\nlines \\"q\\" \\\\"');
  });
});

describe("personaToMarkdown", () => {
  it("writes the front matter in the shipped files' order, then the prompt", () => {
    const text = personaToMarkdown({
      name: "data-analyst",
      display_name: "Data Analyst",
      role: "Analyses data: with care",
      traits: ["numerate", "a: b"],
      communication_style: "",
      specializations: [],
      languages: ["en"],
      default_model: "gpt-4o-mini",
      temperature: 0.30000001192092896,
      allowed_skills: [],
      prompt: "\nYou are the Data Analyst.\n\n---\n\nMore.\n",
    });
    expect(text).toBe(
      [
        "---",
        "name: data-analyst",
        "display_name: Data Analyst",
        'role: "Analyses data: with care"',
        "traits:",
        "  - numerate",
        '  - "a: b"',
        'communication_style: ""',
        "specializations: []",
        "languages:",
        "  - en",
        "default_model: gpt-4o-mini",
        "temperature: 0.3",
        "allowed_skills: []",
        "---",
        "",
        "You are the Data Analyst.\n\n---\n\nMore.",
        "",
      ].join("\n"),
    );
  });

  it("leaves out an unset model and temperature", () => {
    const text = personaToMarkdown({ name: "x", display_name: "X", role: "r", default_model: null, temperature: null, prompt: "P" });
    expect(text).not.toMatch(/default_model|temperature/);
    expect(text).toContain("traits: []");
  });
});
