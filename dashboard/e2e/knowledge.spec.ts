// Knowledge through the page: create a collection, upload a Markdown file (and a file of a type
// the server refuses), see the document with its chunks, search it and read the citation: the
// document, its heading path and the query's words marked. Uploading it again is "unchanged".
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { expect, test } from "@playwright/test";
import { shot, signIn, unique } from "./support";

test("a Markdown file uploaded in the page is searched with a cited, highlighted hit", async ({ page }) => {
  const word = `wombat${Date.now().toString(36)}${Math.floor(Math.random() * 1e4)}`;
  const dir = mkdtempSync(join(tmpdir(), "gathering-e2e-"));
  const markdown = join(dir, "handbook.md");
  writeFileSync(
    markdown,
    [
      "# Team handbook",
      "",
      "How we work, written down.",
      "",
      "## Deployments",
      "",
      "We deploy on weekdays only.",
      "",
      "### Rollback",
      "",
      `To roll back a release, run the ${word} script within ten minutes, then tell the channel.`,
      "",
    ].join("\n"),
  );
  const image = join(dir, "logo.png");
  writeFileSync(image, Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 0]));

  await signIn(page);
  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Knowledge" }).click();
  await expect(page.getByRole("heading", { name: "Knowledge", exact: true })).toBeVisible();

  // A new collection: its page opens.
  const name = unique("e2e-kb");
  await page.getByRole("button", { name: "New collection" }).click();
  const form = page.getByRole("form", { name: "New collection" });
  await form.getByLabel("Name").fill(name);
  await form.getByLabel("Description").fill("The browser test's handbook");
  await form.getByRole("button", { name: "Create" }).click();
  await expect(page.getByRole("heading", { name, exact: true })).toBeVisible();
  await expect(page.getByText("No documents yet.")).toBeVisible();

  // Upload two files: the Markdown is ingested, the image refused with the reason.
  await page.getByLabel("Documents to upload").setInputFiles([markdown, image]);
  await page.getByRole("button", { name: "Upload 2 files" }).click();
  const uploads = page.getByRole("list", { name: "Uploads" });
  await expect(uploads.getByTestId("upload-row").filter({ hasText: "handbook.md" })).toContainText("ingested");
  await expect(uploads.getByTestId("upload-row").filter({ hasText: "logo.png" }).getByRole("alert")).toContainText("Unsupported file type");
  const row = page.getByTestId("document-handbook.md");
  await expect(row).toBeVisible();
  await expect(page.getByTestId("document-logo.png")).toHaveCount(0);

  // Its chunks, with their headings.
  await row.getByRole("button", { name: "handbook.md" }).click();
  await expect(page.getByRole("list", { name: "Chunks" })).toContainText("Rollback");

  // Search this collection: the citation names the document and the headings, and marks the word.
  await page.getByLabel("Search documents").fill(`${word} rollback`);
  await page.getByLabel("Search mode").selectOption("keyword");
  const citation = page.getByRole("list", { name: "Citations" }).getByTestId("citation").first();
  await expect(citation.getByTestId("citation-document")).toHaveText("handbook.md");
  await expect(citation.getByRole("navigation", { name: "Heading path" })).toContainText("Deployments");
  await expect(citation.getByRole("navigation", { name: "Heading path" })).toContainText("Rollback");
  await expect(citation.locator("mark", { hasText: word })).toBeVisible();
  await shot(page, "knowledge");

  // The same file again changes nothing.
  await page.getByLabel("Documents to upload").setInputFiles(markdown);
  await page.getByRole("button", { name: "Upload", exact: true }).click();
  await expect(uploads.getByTestId("upload-row").filter({ hasText: "handbook.md" })).toContainText("unchanged");

  // And search across every collection finds it from the knowledge page.
  await page.getByRole("link", { name: "All collections" }).click();
  await expect(page.getByRole("table", { name: "Collections" }).getByRole("link", { name, exact: true })).toBeVisible();
  await page.getByLabel("Search documents").fill(word);
  const anywhere = page.getByRole("list", { name: "Citations" }).getByTestId("citation").filter({ hasText: name });
  await expect(anywhere.getByTestId("citation-document")).toHaveText("handbook.md");
  await expect(anywhere.locator("mark", { hasText: word })).toBeVisible();
});
