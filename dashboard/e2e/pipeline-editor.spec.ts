// The visual pipeline editor: an admin builds trigger -> transform -> condition -> two branches
// -> merge with clicks, drags and typing, draws a cycle and sees it on the edge, removes it,
// saves, reloads and finds the same graph, then runs it from the page and watches it settle. A viewer sees a pipeline read only. A 1,000-node
// pipeline opens, and how long it took to lay out is recorded (test-results/perf-editor.json).
import { mkdirSync, writeFileSync } from "node:fs";
import { resolve } from "node:path";
import { expect, test, type Page } from "@playwright/test";
import { repo } from "./paths";
import { apiAs, shot, signIn, unique } from "./support";

const node = (page: Page, id: string) => page.locator(`.react-flow__node[data-id="${id}"]`);

/** Drags from `from`'s output handle to `to`'s input handle, as a user connects two nodes. */
async function connect(page: Page, from: string, to: string): Promise<void> {
  const source = await node(page, from).locator(".react-flow__handle-right").boundingBox();
  const target = await node(page, to).locator(".react-flow__handle-left").boundingBox();
  if (!source || !target) throw new Error(`handles of ${from} -> ${to} are not on screen`);
  await page.mouse.move(source.x + source.width / 2, source.y + source.height / 2);
  await page.mouse.down();
  await page.mouse.move(target.x + target.width / 2, target.y + target.height / 2, { steps: 12 });
  await page.mouse.up();
  await expect(page.getByTestId("edge-inspector")).toContainText(`${from} → ${to}`);
}

async function add(page: Page, kind: string, id: string): Promise<void> {
  await page.getByRole("button", { name: `Add ${kind} node` }).click();
  await expect(node(page, id)).toBeVisible();
  await expect(page.getByTestId("node-inspector")).toContainText(id);
}

const status = (page: Page) => page.getByTestId("validation-status");

test("an admin builds a branching pipeline on the canvas, a cycle is shown on its edge, and the saved graph reloads the same", async ({ page }) => {
  const name = unique("visual");
  await signIn(page);
  await page.getByRole("link", { name: "Pipelines", exact: true }).click();
  await page.getByRole("link", { name: "New pipeline" }).click();
  await expect(page.getByRole("heading", { name: "New pipeline" })).toBeVisible();
  await page.getByLabel("Pipeline name").fill(name);

  await add(page, "trigger", "trigger-1");
  await add(page, "transform", "transform-1");
  await page.getByLabel("expression", { exact: true }).fill("{'n': size(trigger)}");
  await add(page, "condition", "condition-1");
  await page.getByLabel("condition", { exact: true }).fill("input.n > 0");
  await add(page, "transform", "transform-2");
  await page.getByLabel("expression", { exact: true }).fill("'some'");
  await node(page, "condition-1").click();
  await add(page, "transform", "transform-3");
  await page.getByLabel("expression", { exact: true }).fill("'none'");
  await node(page, "transform-2").click();
  await add(page, "merge", "merge-1");
  await page.getByLabel("strategy", { exact: true }).selectOption("object");

  await connect(page, "trigger-1", "transform-1");
  await connect(page, "transform-1", "condition-1");
  await connect(page, "condition-1", "transform-2");
  await page.getByLabel("Condition", { exact: true }).fill("input.result");
  await connect(page, "condition-1", "transform-3");
  await page.getByLabel("Condition", { exact: true }).fill("!input.result");
  await connect(page, "transform-2", "merge-1");
  await connect(page, "transform-3", "merge-1");
  await expect(status(page)).toHaveAttribute("data-state", "valid");
  await expect(page.getByTestId("edge-label-condition-1-transform-2")).toHaveText("input.result");

  // A cycle: merge -> transform-1 closes transform-1 -> condition -> branch -> merge.
  await connect(page, "merge-1", "transform-1");
  const cycle = page.getByTestId("edge-problem-merge-1-transform-1");
  await expect(cycle).toBeVisible();
  await expect(cycle).toContainText("cycle");
  await expect(status(page)).toHaveAttribute("data-state", "invalid");
  await expect(page.getByTestId("problems")).toContainText("cycle");
  // Select the edge by its label and delete it with the keyboard.
  await cycle.click();
  await expect(page.getByTestId("edge-inspector")).toContainText("merge-1 → transform-1");
  await page.keyboard.press("Delete");
  await expect(cycle).toHaveCount(0);
  await expect(status(page)).toHaveAttribute("data-state", "valid");

  // The JSON view shows the document and edits flow back to the canvas.
  await page.getByRole("tab", { name: "JSON" }).click();
  const json = page.getByLabel("Pipeline JSON");
  await expect(json).toHaveValue(/"condition": "!input.result"/);
  const text = await json.inputValue();
  await json.fill(text.replace('"expression": "\'none\'"', '"expression": "\'nothing\'"'));
  await page.getByRole("tab", { name: "Inspect" }).click();
  await node(page, "transform-3").click();
  await expect(page.getByLabel("expression", { exact: true })).toHaveValue("'nothing'");

  await page.getByRole("button", { name: "Save" }).click();
  await expect(page).toHaveURL(/\/pipelines\/[0-9a-f-]{36}$/);
  await expect(page.getByRole("heading", { name })).toBeVisible();

  await page.reload();
  await expect(page.getByTestId("pipeline-canvas")).toHaveAttribute("data-ready", "true");
  await expect(page.locator(".react-flow__node")).toHaveCount(6);
  await expect(page.locator(".react-flow__edge")).toHaveCount(6);
  for (const id of ["trigger-1", "transform-1", "condition-1", "transform-2", "transform-3", "merge-1"]) await expect(node(page, id)).toBeVisible();
  await expect(page.getByTestId("edge-label-condition-1-transform-2")).toHaveText("input.result");
  await expect(page.getByTestId("edge-label-condition-1-transform-3")).toHaveText("!input.result");
  await expect(status(page)).toHaveAttribute("data-state", "valid");
  await expect(page.getByRole("link", { name: "Runs" })).toHaveAttribute("href", /\/runs$/);
  await node(page, "transform-3").click();
  await expect(page.getByLabel("expression", { exact: true })).toHaveValue("'nothing'");
  await shot(page, "pipeline-editor");

  // A second version, and what changed since the first.
  await page.getByLabel("expression", { exact: true }).fill("'no items'");
  await page.getByRole("button", { name: "Save" }).click();
  await expect(page.getByText("Saved version 2")).toBeVisible();
  await page.getByRole("tab", { name: "Versions" }).click();
  await expect(page.getByTestId("diff")).toContainText(`config.expression: "'nothing'" → "'no items'"`);

  // The webhook's secret is shown once, with a copy button.
  await page.getByRole("tab", { name: "Webhook" }).click();
  await expect(page.getByTestId("webhook-url")).toContainText("/webhook");
  await page.getByRole("button", { name: "Make a secret" }).click();
  await expect(page.getByTestId("webhook-secret")).not.toBeEmpty();
  await expect(page.getByRole("button", { name: "Copy webhook secret" })).toBeVisible();

  // Listed, and found by a search.
  await page.getByRole("link", { name: "Pipelines", exact: true }).click();
  await expect(page.getByRole("link", { name })).toBeVisible();
  await shot(page, "pipelines");
  await page.getByLabel("Search pipelines").fill(name);
  await expect(page.getByTestId("pipelines").getByRole("row")).toHaveCount(1);
  await expect(page.getByRole("link", { name })).toBeVisible();

  // Run what was built, from the page, and watch every node settle live: the condition holds,
  // so one branch completes and the other is skipped, and the merge completes.
  await page.getByRole("link", { name }).click();
  await page.getByRole("link", { name: "Runs" }).click();
  await page.getByLabel("Trigger data (JSON)").fill('{"release": "1.2"}');
  await page.getByRole("button", { name: "Start run" }).click();
  await expect(page).toHaveURL(/\/runs\/[0-9a-f-]{36}$/);
  await expect(page.getByTestId("run-graph")).toHaveAttribute("data-ready", "true");
  const settled: Record<string, string> = {
    "trigger-1": "completed",
    "transform-1": "completed",
    "condition-1": "completed",
    "transform-2": "completed",
    "transform-3": "skipped",
    "merge-1": "completed",
  };
  for (const [id, state] of Object.entries(settled)) await expect(page.getByTestId(`run-node-${id}`)).toHaveAttribute("data-status", state);
  await expect(page.getByTestId("run-status")).toHaveAttribute("data-status", "completed");
});

test("a viewer sees a pipeline read only", async ({ page }) => {
  const admin = await apiAs();
  const name = unique("readonly");
  const created = await admin.post("/api/pipelines", {
    data: { name, nodes: [{ id: "start", type: "trigger" }, { id: "wait", type: "delay", config: { seconds: 1 } }], edges: [{ id: "e1", from: "start", to: "wait" }] },
  });
  expect(created.status(), await created.text()).toBe(201);
  const { id } = (await created.json()) as { id: string };
  const viewer = { email: `${unique("viewer")}@example.org`, password: "a long viewer password" };
  const user = await admin.post("/api/users", { data: { ...viewer, display_name: "Viewer", role: "viewer" } });
  expect(user.status(), await user.text()).toBe(201);
  await admin.dispose();

  await signIn(page, viewer);
  await page.goto(`/pipelines/${id}`);
  await expect(node(page, "wait")).toBeVisible();
  await expect(page.getByText("Read only", { exact: true })).toBeVisible();
  await expect(page.getByRole("button", { name: "Save" })).toHaveCount(0);
  await expect(page.getByRole("button", { name: "Delete" })).toHaveCount(0);
  await expect(page.getByRole("toolbar", { name: "Node types" })).toHaveCount(0);
  await page.goto("/pipelines");
  await expect(page.getByRole("link", { name: "New pipeline" })).toHaveCount(0);
});

test("deleting a pipeline asks first", async ({ page }) => {
  const admin = await apiAs();
  const name = unique("doomed");
  const created = await admin.post("/api/pipelines", { data: { name, nodes: [{ id: "start", type: "trigger" }], edges: [] } });
  expect(created.status(), await created.text()).toBe(201);
  const { id } = (await created.json()) as { id: string };
  await admin.dispose();

  await signIn(page);
  await page.goto(`/pipelines/${id}`);
  await page.getByRole("button", { name: "Delete", exact: true }).click();
  const confirm = page.getByRole("alertdialog", { name: "Delete this pipeline" });
  await confirm.getByRole("button", { name: "Cancel" }).click();
  await expect(confirm).toHaveCount(0);
  await page.getByRole("button", { name: "Delete", exact: true }).click();
  await confirm.getByRole("button", { name: "Delete pipeline" }).click();
  await expect(page).toHaveURL(/\/pipelines$/);
  await expect(page.getByText(`Deleted ${name}`)).toBeVisible();
  await page.goto(`/pipelines/${id}`);
  await expect(page.getByRole("heading", { name: "No such pipeline" })).toBeVisible();
});

test("a 1,000-node pipeline opens in the editor @perf", async ({ page }) => {
  const count = 1000;
  const nodes = [{ id: "n0", type: "trigger" }, ...Array.from({ length: count - 1 }, (_, i) => ({ id: `n${i + 1}`, type: "transform", config: { expression: "input" } }))];
  // A tree: every node hangs off an earlier one, four children each.
  const edges = nodes.slice(1).map((n, i) => ({ id: `e${i + 1}`, from: `n${Math.floor(i / 4)}`, to: n.id }));
  const admin = await apiAs();
  const created = await admin.post("/api/pipelines", { data: { name: unique("big"), nodes, edges } });
  expect(created.status(), await created.text()).toBe(201);
  const { id } = (await created.json()) as { id: string };
  await admin.dispose();

  await signIn(page);
  await page.goto(`/pipelines/${id}`);
  const canvas = page.getByTestId("pipeline-canvas");
  await expect(canvas).toHaveAttribute("data-ready", "true", { timeout: 60_000 });
  await expect(canvas).toHaveAttribute("data-node-count", String(count));
  const readyMs = Number(await canvas.getAttribute("data-ready-ms"));
  const rendered = await page.locator(".react-flow__node").count();
  mkdirSync(resolve(repo, "dashboard/test-results"), { recursive: true });
  writeFileSync(
    resolve(repo, "dashboard/test-results/perf-editor.json"),
    JSON.stringify({ nodes: count, edges: edges.length, navigation_to_laid_out_ms: readyMs, rendered_nodes: rendered, only_render_visible: true }, null, 2),
  );
});
