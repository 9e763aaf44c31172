// An agent remembers: create an agent with its memory settings (the memory tools are offered in
// the picker), write a memory in the agent's scope through the memory page, chat with the agent
// on the local model, and see under the question that the turn used that memory, linked to its
// page with its text. The small local model's words are not asserted, only what it was given.
import { expect, test } from "@playwright/test";
import { shot, signIn, unique } from "./support";

test("a memory written in an agent's scope is recalled by its next turn and shown with the answer", async ({ page }) => {
  await signIn(page);
  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Agents" }).click();
  await page.getByRole("button", { name: "New agent" }).click();
  const name = unique("e2e-memory-agent");
  await page.getByLabel("Name").fill(name);
  await page.getByLabel("Persona").selectOption({ label: "Architect (architect)" });
  await page.getByLabel("Model").selectOption("smollm2-135m-instruct");
  // The memory tools are in the picker like any tool (not granted here: recall is automatic).
  const tools = page.getByRole("group", { name: "Tools" });
  for (const tool of ["remember", "recall", "forget", "search_knowledge"]) await expect(tools.getByRole("checkbox", { name: new RegExp(`^${tool}\\b`) })).toBeVisible();
  // Memory settings: the defaults shown, the budget changed.
  const memory = page.getByRole("group", { name: "Memory" });
  await expect(memory.getByLabel("Memory budget (tokens)")).toHaveValue("512");
  await expect(memory.getByLabel("Memory threshold")).toHaveValue("0");
  await expect(memory.getByLabel("Extract memories")).not.toBeChecked();
  await memory.getByLabel("Memory budget (tokens)").fill("1024");
  await page.getByRole("button", { name: "Create agent" }).click();

  await expect(page.getByRole("heading", { name, exact: true })).toBeVisible();
  await expect(page.getByText("1024 tokens")).toBeVisible();

  // The agent's memories, from its page; a new one starts in the agent's scope.
  await page.getByRole("link", { name: "The agent's memories" }).click();
  await expect(page.getByRole("heading", { name: "Memory", exact: true })).toBeVisible();
  await page.getByRole("button", { name: "New memory" }).click();
  const form = page.getByRole("form", { name: "New memory" });
  await form.getByLabel("Scope").selectOption("agent");
  await form.getByLabel("Agent").selectOption({ label: name });
  const word = `PELICAN${Date.now().toString(36).toUpperCase()}`;
  const content = `The launch code word is ${word}.`;
  await form.getByLabel("Content").fill(content);
  await form.getByRole("button", { name: "Remember" }).click();
  await expect(page.getByText("Remembered", { exact: false })).toBeVisible();
  const listed = page.getByRole("list", { name: "Memories" }).getByTestId("memory").filter({ hasText: word });
  await expect(listed).toBeVisible();
  const href = await listed.getByRole("link", { name: /Open memory/ }).getAttribute("href");
  expect(href).toMatch(/^\/memory\/[0-9a-f-]{36}$/);

  // Back to the agent (its name links it from the memory's scope); ask about it.
  await listed.getByRole("link", { name, exact: true }).click();
  await expect(page.getByRole("heading", { name, exact: true })).toBeVisible();
  await page.getByLabel("Message", { exact: true }).fill("What is the launch code word?");
  await page.getByLabel("Max tokens (this turn)").fill("16");
  await page.getByRole("button", { name: "Send" }).click();
  const recalled = page.getByTestId("recalled");
  await expect(recalled.getByRole("button", { name: /used \d+ memor(y|ies)/ })).toBeVisible({ timeout: 75_000 });
  await expect(page.getByTestId("streaming")).toBeHidden({ timeout: 75_000 });
  await expect(page.getByTestId("assistant-message").last()).toHaveText(/\S/);
  await expect(page.getByRole("alert")).toHaveCount(0);

  // Still shown once the stored transcript replaced the live turn; opened, it links the memory
  // with its text.
  const toggle = recalled.getByRole("button", { name: /used \d+ memor(y|ies)/ });
  await toggle.click();
  await expect(toggle).toHaveAttribute("aria-expanded", "true");
  const used = recalled.getByRole("list", { name: "Memories used" });
  const link = used.locator(`a[href="${href}"]`);
  await expect(link).toBeVisible();
  await expect(used.getByTestId("recalled-content").filter({ hasText: word })).toHaveText(content);
  await shot(page, "agent-memory");

  await link.click();
  await expect(page.getByTestId("memory-content")).toHaveText(content);
  // Deleted, so that other tests' searches do not meet it.
  await page.getByRole("button", { name: "Delete this memory" }).click();
  await page.getByRole("alertdialog").getByRole("button", { name: "Delete" }).click();
  await expect(page.getByText("deleted", { exact: true }).first()).toBeVisible();
});
