// Personas through the page: write one whose file is wrong and see the SERVER's error at its
// line (`POST /api/personas/check`: the editor has no parser of its own), debounced while typing
// and again on Save; fix it, save it, edit it again unchanged (the file the page writes back is
// read the same by the server), find it by search, and delete it after a confirmation.
import { expect, test } from "@playwright/test";
import { shot, signIn, unique } from "./support";

function personaFile(name: string, role: string, temperature: string, extra = "allowed_skills: []"): string {
  return [
    "---",
    `name: ${name}`,
    `display_name: Tester ${name}`,
    `role: ${role}`,
    "traits:",
    "  - careful",
    "languages: [en]",
    `temperature: ${temperature}`,
    extra,
    "---",
    "",
    "You are a test persona. Answer in one short sentence.",
    "",
  ].join("\n");
}

test("a persona file shows the server's errors at their line, then saves, edits and is found", async ({ page }) => {
  await signIn(page);
  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Personas" }).click();
  await expect(page.getByRole("heading", { name: "Personas", exact: true })).toBeVisible();
  await expect(page.getByRole("link", { name: "Data Analyst" })).toBeVisible();
  await shot(page, "personas");

  await page.getByRole("link", { name: "New persona" }).click();
  await expect(page.getByRole("heading", { name: "New persona" })).toBeVisible();
  const editor = page.getByRole("textbox", { name: "Persona file" });
  const name = unique("e2e-persona");
  const error = page.getByTestId("persona-error");
  const status = page.getByTestId("persona-check");
  const save = page.getByRole("button", { name: "Save persona" });
  const role = '"Checks the persona editor: #1 rule"';

  // The template is checked by the server as it opens.
  await expect(status).toHaveText("The server accepts this file.");

  // A YAML error: the server's, at its line, while typing (no Save).
  await editor.fill(personaFile(name, "[unclosed", "0.4"));
  await expect(error).toContainText("Line 4: role:");
  await expect(page.locator(".cm-lint-marker-error")).toBeVisible();

  // An unknown front-matter key, in the words of the server's parser (serde's "unknown field"),
  // at its line.
  await editor.fill(personaFile(name, role, "0.4", "mood: cheerful"));
  await expect(error).toContainText("Line 9:");
  await expect(error).toContainText("unknown field `mood`");
  await expect(page.locator(".cm-lint-marker-error")).toBeVisible();

  // A temperature out of range: the server's limit, at the line of its key; Save refuses too.
  await editor.fill(personaFile(name, role, "5"));
  await expect(error).toContainText("Line 8: temperature: 5 is outside 0.0 to 2.0");
  await save.click();
  await expect(error).toContainText("Line 8: temperature");
  await expect(page.getByRole("heading", { name: "New persona" })).toBeVisible();
  await expect(page.locator(".cm-lint-marker-error")).toBeVisible();

  // Fixed, the server accepts it; it saves and opens.
  await editor.fill(personaFile(name, role, "0.4"));
  await expect(error).toBeHidden();
  await expect(status).toHaveText("The server accepts this file.");
  await save.click();
  await expect(page.getByRole("heading", { name: `Tester ${name}` })).toBeVisible();
  await expect(page.getByText("Checks the persona editor: #1 rule")).toBeVisible();

  // Edited again: the file the page writes back is accepted as it is, and saves unchanged.
  await page.getByRole("button", { name: "Edit" }).click();
  await expect(status).toHaveText("The server accepts this file.");
  await save.click();
  await expect(page.getByText(`Persona Tester ${name} saved.`)).toBeVisible();
  await expect(page.getByText("Checks the persona editor: #1 rule")).toBeVisible();

  // Found by the list's search.
  await page.getByRole("link", { name: "Personas", exact: true }).first().click();
  await page.getByLabel("Search personas").fill(name);
  await expect(page.getByRole("link", { name: `Tester ${name}` })).toBeVisible();
  await expect(page.getByRole("link", { name: "Data Analyst" })).toBeHidden();

  // Deleted after a confirmation.
  await page.getByRole("link", { name: `Tester ${name}` }).click();
  await page.getByRole("button", { name: "Delete" }).click();
  const dialog = page.getByRole("alertdialog", { name: `Delete persona Tester ${name}?` });
  await expect(dialog).toBeVisible();
  await dialog.getByRole("button", { name: "Delete" }).click();
  await expect(page.getByRole("heading", { name: "Personas", exact: true })).toBeVisible();
  await page.getByLabel("Search personas").fill(name);
  await expect(page.getByText(`No persona matches`)).toBeVisible();
});
