// Agents through the page: as the admin, create an agent from a shipped persona on the local
// model, chat with it and watch the answer stream in, then reload and reopen the conversation
// from the history to read the stored messages.
import { expect, test } from "@playwright/test";
import { shot, signIn, unique } from "./support";

test("an agent made from a shipped persona answers in a stream, and its conversation is kept", async ({ page }) => {
  await signIn(page);
  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Agents" }).click();
  await expect(page.getByRole("heading", { name: "Agents", exact: true })).toBeVisible();

  // Create: a persona of the ten shipped (the Architect grants no tools), the local chat model.
  await page.getByRole("button", { name: "New agent" }).click();
  const name = unique("e2e-agent");
  await page.getByLabel("Name").fill(name);
  await page.getByLabel("Persona").selectOption({ label: "Architect (architect)" });
  await page.getByLabel("Model").selectOption("smollm2-135m-instruct");
  await expect(page.getByRole("group", { name: "Tools" }).getByRole("checkbox", { checked: true })).toHaveCount(0);
  await shot(page, "agents");
  await page.getByRole("button", { name: "Create agent" }).click();

  // The agent's page: its settings, and the chat.
  await expect(page.getByRole("heading", { name, exact: true })).toBeVisible();
  await expect(page.getByText("smollm2-135m-instruct").first()).toBeVisible();

  // It is found by the search of the list.
  await page.getByRole("link", { name: "Agents", exact: true }).first().click();
  await page.getByLabel("Search agents").fill(name);
  await expect(page.getByRole("link", { name, exact: true })).toBeVisible();
  await page.getByRole("link", { name, exact: true }).click();
  await expect(page.getByRole("heading", { name, exact: true })).toBeVisible();

  // Chat: a short prompt and a small answer, for the small local model on CPU.
  const prompt = `Say hello to ${name}.`;
  await page.getByLabel("Message", { exact: true }).fill(prompt);
  await page.getByLabel("Max tokens (this turn)").fill("16");
  // Record every length the answer being streamed takes on screen: it grows in steps.
  await page.evaluate(() => {
    const seen = new Set<number>();
    (window as unknown as { __answerLengths: Set<number> }).__answerLengths = seen;
    new MutationObserver(() => {
      const text = document.querySelector('[data-testid="live-answer"]')?.textContent?.trim() ?? "";
      if (text.length > 0) seen.add(text.length);
    }).observe(document.body, { subtree: true, childList: true, characterData: true });
  });
  await page.getByRole("button", { name: "Send" }).click();
  const streaming = page.getByTestId("streaming");
  await expect(streaming).toBeVisible();
  await expect(streaming).toBeHidden({ timeout: 75_000 });
  const answer = page.getByTestId("assistant-message").last();
  await expect(answer).toHaveText(/\S/);
  await expect(page.getByRole("alert")).toHaveCount(0);
  await shot(page, "agent-chat");
  const said = ((await answer.textContent()) ?? "").replace(/^Agent: /, "").trim();
  expect(said.length).toBeGreaterThan(0);
  const lengths = await page.evaluate(() => [...(window as unknown as { __answerLengths: Set<number> }).__answerLengths]);
  expect(lengths.length, `the answer appeared in steps: ${lengths.join(", ")}`).toBeGreaterThan(1);

  // After a reload the conversation is in the history; reopening it shows what was stored.
  await page.reload();
  await expect(page.getByRole("heading", { name, exact: true })).toBeVisible();
  await expect(page.getByTestId("user-message")).toHaveCount(0);
  await page.getByTestId("conversation-history").getByRole("button", { name: new RegExp(`Say hello to ${name}`) }).click();
  await expect(page.getByTestId("user-message")).toContainText(prompt);
  await expect(page.getByTestId("assistant-message").last()).toContainText(said.slice(0, 40));
});
