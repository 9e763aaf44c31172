// Memory through the page: write a memory with the form, find it by search (keyword, then
// hybrid) with its score and the rank that matched, edit it and read both versions with the
// words that changed.
import { expect, test } from "@playwright/test";
import { shot, signIn } from "./support";

/** A word no other memory has (letters and digits only, so full-text search keeps it whole). */
function uniqueWord(): string {
  return `quokka${Date.now().toString(36)}${Math.floor(Math.random() * 1e4)}`;
}

test("a memory written in the page is found by search, and an edit keeps its versions", async ({ page }) => {
  await signIn(page);
  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Memory" }).click();
  await expect(page.getByRole("heading", { name: "Memory", exact: true })).toBeVisible();
  await expect(page.getByTestId("embedding-status")).toBeVisible();

  // Write one in your own scope.
  const word = uniqueWord();
  await page.getByRole("button", { name: "New memory" }).click();
  const form = page.getByRole("form", { name: "New memory" });
  await expect(form.getByLabel("Scope")).toHaveValue("user");
  await form.getByLabel("Content").fill(`The ${word} deploy runs on Fridays`);
  await form.getByLabel("Type").selectOption("decision");
  await form.getByLabel("Tags").fill("e2e, deploys");
  await form.getByRole("button", { name: "Remember" }).click();
  await expect(page.getByText("Remembered", { exact: false })).toBeVisible();

  // The list has it, newest first, with its scope, type and version.
  const listed = page.getByRole("list", { name: "Memories" }).getByTestId("memory").filter({ hasText: word });
  await expect(listed).toBeVisible();
  await expect(listed).toContainText("decision");
  await expect(listed).toContainText("v1");
  await expect(listed).toContainText("#deploys");
  // The worker writes its vector off the request path; the page notices without a reload.
  await expect(listed.getByText("embedded", { exact: true })).toBeVisible();

  // Search by keyword: one hit, ranked by the keyword list.
  await page.getByLabel("Search memories").fill(word);
  await page.getByLabel("Search mode").selectOption("keyword");
  const results = page.getByRole("list", { name: "Search results" });
  const hit = results.getByTestId("memory").filter({ hasText: word });
  await expect(hit).toBeVisible();
  await expect(hit.getByTestId("hit-score")).toContainText("keyword #1");
  await expect(page.getByTestId("search-summary")).toContainText("keyword");
  await expect(page).toHaveURL(/mode=keyword/);

  // Hybrid finds it too (the keyword list at least; the vector list once it is embedded).
  await page.getByLabel("Search mode").selectOption("hybrid");
  await expect(page.getByTestId("search-summary")).toContainText("hybrid");
  await expect(results.getByTestId("memory").filter({ hasText: word }).getByTestId("hit-score")).toContainText("keyword #1");
  await shot(page, "memory");

  // Its page: edit makes version 2; both stay readable, the change marked.
  await results.getByTestId("memory").filter({ hasText: word }).getByRole("link", { name: /Open memory/ }).click();
  await expect(page.getByTestId("memory-content")).toHaveText(`The ${word} deploy runs on Fridays`);
  await page.getByRole("button", { name: "Edit" }).click();
  await page.getByRole("form", { name: "Edit memory" }).getByLabel("Content").fill(`The ${word} deploy runs on Mondays`);
  await page.getByRole("button", { name: "Save as a new version" }).click();
  await expect(page.getByText("Saved as version 2.")).toBeVisible();
  await expect(page.getByTestId("memory-content")).toHaveText(`The ${word} deploy runs on Mondays`);
  const versions = page.getByRole("list", { name: "Versions" });
  await expect(versions.getByTestId("version-2")).toBeVisible();
  await expect(versions.getByTestId("version-1")).toContainText("Fridays");
  const change = versions.getByTestId("version-2").getByLabel("Changes from version 1");
  await expect(change.locator("del")).toHaveText("Fridays");
  await expect(change.locator("ins")).toHaveText("Mondays");
  await shot(page, "memory-versions");

  // Deleted (after a confirmation): search no longer returns it; the list shows it only on request.
  await page.getByRole("button", { name: "Delete this memory" }).click();
  await page.getByRole("alertdialog").getByRole("button", { name: "Delete" }).click();
  await expect(page.getByText("deleted", { exact: true }).first()).toBeVisible();
  await page.getByRole("link", { name: "All memories" }).click();
  await page.getByLabel("Search memories").fill(word);
  // By keyword: a hybrid search also returns the other memories nearest by meaning, when any.
  await page.getByLabel("Search mode").selectOption("keyword");
  await expect(page.getByTestId("search-summary")).toContainText(`0 hits for “${word}” · keyword`);
});
