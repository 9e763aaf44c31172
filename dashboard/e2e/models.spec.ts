// Models: the registry lists the local models; an admin adds a provider with an API key that
// the page never shows again; the usage chart draws a call made by another client.
import { expect, test } from "@playwright/test";
import { apiAs, shot, signIn, unique } from "./support";

test("the registry, a write-only provider key, and the usage chart", async ({ page }) => {
  // One cheap model call, so there is usage to chart.
  const client = await apiAs();
  const call = await client.post("/v1/embeddings", { data: { model: "all-minilm-l6-v2", input: "one sentence for the usage chart" } });
  expect(call.ok(), await call.text()).toBeTruthy();
  await client.dispose();

  await signIn(page);
  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Models" }).click();
  const models = page.getByRole("table", { name: "Models" });
  await expect(models.getByRole("row").filter({ hasText: "smollm2-135m-instruct" })).toContainText("chat");
  await expect(models.getByRole("row").filter({ hasText: "all-minilm-l6-v2" })).toContainText("embedding");

  const provider = unique("e2e-provider");
  const key = `env:E2E_KEY_${Date.now()}`;
  await page.getByRole("button", { name: "New provider" }).click();
  await page.getByLabel("Provider name").fill(provider);
  await page.getByLabel("Provider kind").selectOption("openai");
  await page.getByLabel("Base URL").fill("http://127.0.0.1:9/v1");
  await page.getByLabel("API key", { exact: true }).fill(key);
  await page.getByRole("button", { name: "Add provider" }).click();
  await expect(page.getByText(`Provider ${provider} added.`)).toBeVisible();
  await expect(page.getByTestId(`secret-${provider}`)).toHaveText("set");
  await expect(page.locator("body")).not.toContainText(key);
  expect(await page.content()).not.toContain(key);

  // Editing offers a replacement, never the key.
  await page.getByRole("button", { name: `Edit provider ${provider}` }).click();
  await expect(page.getByLabel("Replace API key (now set)")).toHaveValue("");
  expect(await page.content()).not.toContain(key);
  await page.getByRole("button", { name: "Cancel" }).click();

  // Usage: the embeddings call is there, by day and by model.
  const chart = page.getByTestId("usage-chart");
  await expect(chart.locator("svg.recharts-surface")).toBeVisible();
  await page.getByLabel("Group by").selectOption("model");
  await expect(page.getByRole("table", { name: "Usage" }).getByRole("row").filter({ hasText: "all-minilm-l6-v2" })).toBeVisible();
  await expect(chart.locator(".recharts-bar-rectangle").first()).toBeVisible();
  await page.getByRole("button", { name: "Today" }).click();
  await expect(page.getByRole("button", { name: "Today" })).toHaveAttribute("aria-pressed", "true");
  await expect(page.getByRole("table", { name: "Usage" })).toContainText("all-minilm-l6-v2");
  await chart.scrollIntoViewIfNeeded();
  await shot(page, "models");
});

test("a viewer reads the registry and is offered no changes", async ({ page }) => {
  const client = await apiAs();
  const viewer = { email: `${unique("viewer")}@example.org`, password: "a long viewer password" };
  const created = await client.post("/api/users", { data: { ...viewer, display_name: "Viewer", role: "viewer" } });
  expect(created.ok(), await created.text()).toBeTruthy();
  await client.dispose();

  await signIn(page, viewer);
  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Models" }).click();
  await expect(page.getByText(/read-only/)).toBeVisible();
  await expect(page.getByRole("table", { name: "Models" })).toContainText("smollm2-135m-instruct");
  await expect(page.getByRole("table", { name: "Providers" })).toContainText("local");
  await expect(page.getByRole("button", { name: "New provider" })).toHaveCount(0);
  await expect(page.getByRole("button", { name: "New model" })).toHaveCount(0);
  await expect(page.getByRole("button", { name: /^Edit/ })).toHaveCount(0);
  await expect(page.getByRole("heading", { name: "Your usage and cost" })).toBeVisible();
  await expect(page.getByLabel("Group by").locator("option", { hasText: "User" })).toHaveCount(0);
});
