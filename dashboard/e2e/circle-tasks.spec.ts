// The task board: a task created in the page lands in Open with its history; routed in a circle
// that has no agent to take it, it is blocked (escalated to the owners), live on the board.
import { expect, test } from "@playwright/test";
import { apiAs, shot, signIn, unique } from "./support";

test("a task is created on the board, opened with its history, and routed", async ({ page }) => {
  const admin = await apiAs();
  const circle = unique("e2e-tasks");
  const made = await admin.post("/api/circles", { data: { name: circle, purpose: "Tracks work." } });
  expect(made.status(), await made.text()).toBe(201);

  await signIn(page);
  await page.goto(`/circles/${circle}`);
  await page.getByRole("navigation", { name: "Circle sections" }).getByRole("link", { name: "Task board" }).click();
  await expect(page.getByRole("button", { name: "New task" })).toBeVisible();
  await expect(page.getByText("No conflicts detected.")).toBeVisible();

  await page.getByRole("button", { name: "New task" }).click();
  const form = page.getByRole("form", { name: "New task" });
  const title = unique("Write the bridge spec");
  await form.getByLabel("Title").fill(title);
  await form.getByLabel("Description").fill("Two pages, with loads.");
  await form.getByLabel("Competencies").fill("writing, physics");
  await form.getByLabel("Priority").selectOption("high");
  await form.getByLabel("Resources").fill("docs/bridge.md");
  await form.getByRole("button", { name: "Create task" }).click();
  await expect(page.getByText(`Task “${title}” created.`)).toBeVisible();

  const board = page.getByRole("list", { name: "Task board" });
  const card = board.getByRole("listitem", { name: "Open" }).getByTestId("task-card").filter({ hasText: title });
  await expect(card).toContainText("high");
  await card.click();
  await expect(page.getByTestId("task-title")).toHaveText(title);
  const history = page.getByRole("list", { name: "Task history" });
  await expect(history).toContainText("created");
  await shot(page, "circle-tasks");

  // No agent can take it: routing blocks it, and the board follows.
  await page.getByRole("button", { name: "Route to the best agent" }).click();
  await expect(board.getByRole("listitem", { name: "Blocked" }).getByTestId("task-card").filter({ hasText: title })).toBeVisible();
  await expect(history).toContainText("escalated");
  await admin.dispose();
});
