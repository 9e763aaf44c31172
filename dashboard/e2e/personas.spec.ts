// Personas through the page: write one whose front matter is wrong, see each error at its line
// (the parser's while typing, the server's after Save), fix it, save it, find it by search,
// and delete it after a confirmation.
import { expect, test } from "@playwright/test";
import { shot, signIn, unique } from "./support";

function personaFile(name: string, role: string, temperature: string): string {
  return [
    "---",
    `name: ${name}`,
    `display_name: Tester ${name}`,
    `role: ${role}`,
    "traits:",
    "  - careful",
    "languages: [en]",
    `temperature: ${temperature}`,
    "allowed_skills: []",
    "---",
    "",
    "You are a test persona. Answer in one short sentence.",
    "",
  ].join("\n");
}

test("a persona with broken front matter shows the error at its line, then saves and is found", async ({ page }) => {
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

  // A YAML error: shown at its line as soon as it is written, and Save waits for a fix.
  await editor.fill(personaFile(name, "[unclosed", "0.4"));
  await expect(error).toContainText("Line 5:");
  await expect(page.getByRole("button", { name: "Save persona" })).toBeDisabled();
  await expect(page.locator(".cm-lint-marker-error")).toBeVisible();

  // Valid YAML that the server refuses: its error comes back at the line of the field.
  await editor.fill(personaFile(name, "Checks the persona editor", "5"));
  await expect(error).toBeHidden();
  await page.getByRole("button", { name: "Save persona" }).click();
  await expect(error).toContainText("Line 8:");
  await expect(error).toContainText("temperature");
  await expect(page.locator(".cm-lint-marker-error")).toBeVisible();

  // Fixed, it saves and opens.
  await editor.fill(personaFile(name, "Checks the persona editor", "0.4"));
  await expect(error).toBeHidden();
  await page.getByRole("button", { name: "Save persona" }).click();
  await expect(page.getByRole("heading", { name: `Tester ${name}` })).toBeVisible();
  await expect(page.getByText("Checks the persona editor")).toBeVisible();

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
