// Pipeline runs in the browser: a run started from the runs page with typed trigger data, its
// nodes watched settling live on the run page (no reload); an approval that waits until it is
// approved in the page. The pipelines are made through apiAs(), as their author would.
import { expect, test, type Page } from "@playwright/test";
import { apiAs, shot, signIn, unique } from "./support";

type Doc = { name: string; nodes: unknown[]; edges: unknown[] };

/** trigger -> transform -> condition -> two branches (one slow, to be seen running) -> merge. */
function branching(name: string): Doc {
  return {
    name,
    nodes: [
      { id: "start", type: "trigger", name: "Start", config: { trigger_type: "manual" } },
      { id: "double", type: "transform", name: "Double it", config: { expression: "{'n': trigger.n * 2}" } },
      { id: "big", type: "condition", name: "Is it big", config: { condition: "input.n > 10" } },
      { id: "yes", type: "delay", name: "Big branch", config: { seconds: 3 } },
      { id: "no", type: "transform", name: "Small branch", config: { expression: "{'size': 'small'}" } },
      { id: "join", type: "merge", name: "Join", config: { strategy: "object" } },
    ],
    edges: [
      { id: "e1", from: "start", to: "double" },
      { id: "e2", from: "double", to: "big" },
      { id: "e3", from: "big", to: "yes", condition: "input.n > 10" },
      { id: "e4", from: "big", to: "no", condition: "input.n <= 10" },
      { id: "e5", from: "yes", to: "join" },
      { id: "e6", from: "no", to: "join" },
    ],
  };
}

function approval(name: string): Doc {
  return {
    name,
    nodes: [
      { id: "start", type: "trigger", name: "Start", config: { trigger_type: "manual" } },
      { id: "signoff", type: "approval", name: "Sign-off", config: { message: "Ship it?" } },
      { id: "ship", type: "transform", name: "Ship", config: { expression: "{'shipped': input.approved}" } },
    ],
    edges: [
      { id: "e1", from: "start", to: "signoff" },
      { id: "e2", from: "signoff", to: "ship" },
    ],
  };
}

/** trigger -> a transform that fails when `n` is missing -> a transform; and a slow one beside. */
function failing(name: string): Doc {
  return {
    name,
    nodes: [
      { id: "start", type: "trigger", name: "Start", config: { trigger_type: "manual" } },
      { id: "read", type: "transform", name: "Read n", config: { expression: "{'n': trigger.n + 1}" } },
      { id: "after", type: "transform", name: "After", config: { expression: "input" } },
      { id: "wait", type: "delay", name: "Wait", config: { seconds: 600 } },
    ],
    edges: [
      { id: "e1", from: "start", to: "read" },
      { id: "e2", from: "read", to: "after" },
      { id: "e3", from: "start", to: "wait" },
    ],
  };
}

async function createPipeline(doc: Doc): Promise<string> {
  const api = await apiAs();
  const check = await api.post("/api/pipelines/validate", { data: doc });
  expect(await check.json()).toMatchObject({ valid: true });
  const created = await api.post("/api/pipelines", { data: doc });
  expect(created.status(), await created.text()).toBe(201);
  const { id } = (await created.json()) as { id: string };
  await api.dispose();
  return id;
}

const node = (page: Page, id: string) => page.getByTestId(`run-node-${id}`);

test("a run started from the runs page settles live, node by node, on the run page", async ({ page }) => {
  const doc = branching(unique("branches"));
  const id = await createPipeline(doc);
  await signIn(page);
  await page.goto(`/pipelines/${id}/runs`);
  await expect(page.getByRole("heading", { name: `Runs of ${doc.name}` })).toBeVisible();
  await expect(page.getByText("No run yet")).toBeVisible();
  await expect(page.getByText("No breaker yet")).toBeVisible();

  // Trigger data is checked before it is sent.
  const data = page.getByLabel("Trigger data (JSON)");
  await data.fill("[7]");
  await page.getByRole("button", { name: "Start run" }).click();
  await expect(page.getByText("Trigger data must be a JSON object")).toBeVisible();
  await data.fill('{"n": 7');
  await page.getByRole("button", { name: "Start run" }).click();
  await expect(page.getByText(/^Not JSON/)).toBeVisible();
  await expect(page).toHaveURL(new RegExp(`/pipelines/${id}/runs$`));

  // Count the fetches of the run: the page follows it by its events, not by fetching it again.
  const runFetches: string[] = [];
  page.on("request", (r) => {
    if (r.method() === "GET" && /\/api\/pipeline-runs\/[0-9a-f-]+$/.test(new URL(r.url()).pathname)) runFetches.push(r.url());
  });

  await data.fill('{"n": 7}');
  await page.getByRole("button", { name: "Start run" }).click();
  await expect(page).toHaveURL(new RegExp(`/pipelines/${id}/runs/[0-9a-f-]{36}$`));
  await expect(page.getByTestId("run-graph")).toHaveAttribute("data-ready", "true");
  await expect(page.getByRole("button", { name: "Start (trigger): completed" })).toBeVisible();

  // The slow branch is seen running, then completing, while the page stays as it is.
  await expect(node(page, "yes")).toHaveAttribute("data-status", "running");
  await expect(node(page, "join")).toHaveAttribute("data-status", "pending");
  await expect(page.getByTestId("run-status")).toHaveAttribute("data-status", "running");
  await expect(page.getByRole("button", { name: "Cancel run" })).toBeVisible();

  const final = { start: "completed", double: "completed", big: "completed", yes: "completed", no: "skipped", join: "completed" };
  for (const [nodeId, status] of Object.entries(final)) await expect(node(page, nodeId)).toHaveAttribute("data-status", status);
  await expect(page.getByTestId("run-status")).toHaveAttribute("data-status", "completed");
  await expect(page.getByRole("button", { name: "Join (merge): completed" })).toBeVisible();
  await expect(page.getByTestId("node-counts")).toHaveAttribute("data-completed", "5");
  await expect(page.getByTestId("node-counts")).toHaveAttribute("data-skipped", "1");
  await expect(page.getByRole("button", { name: "Cancel run" })).toHaveCount(0);
  // One fetch when the page opened (a second only if the socket had to reconnect).
  expect(runFetches.length).toBeLessThanOrEqual(2);

  // A node's details: its input and output from the run's record.
  await node(page, "double").click();
  const panel = page.getByTestId("node-panel");
  await expect(panel).toHaveAttribute("data-node-id", "double");
  await expect(panel.getByTestId("node-input")).toContainText('"n": 7');
  await expect(panel.getByTestId("node-output")).toContainText('"n": 14');
  await expect(panel.getByTestId("node-attempts")).toHaveText("1");
  await page.getByRole("button", { name: "Close the node's details" }).click();
  await expect(panel).toHaveCount(0);

  // Back on the runs page the run is listed, completed.
  await page.getByRole("link", { name: "All runs of this pipeline" }).click();
  await expect(page.getByTestId("run-row").first()).toHaveAttribute("data-status", "completed");
  await expect(page.getByTestId("run-row")).toHaveCount(1);
});

test("a run waits on its approval until it is approved in the page, then completes", async ({ page }) => {
  const doc = approval(unique("approval"));
  const id = await createPipeline(doc);
  await signIn(page);
  await page.goto(`/pipelines/${id}/runs`);
  await expect(page.getByRole("heading", { name: `Runs of ${doc.name}` })).toBeVisible();
  await page.getByLabel("Trigger data (JSON)").fill('{"release": "1.2"}');
  await page.getByRole("button", { name: "Start run" }).click();

  await expect(node(page, "signoff")).toHaveAttribute("data-status", "waiting");
  await expect(page.getByTestId("run-status")).toHaveAttribute("data-status", "waiting");
  await expect(node(page, "ship")).toHaveAttribute("data-status", "pending");

  await page.getByRole("button", { name: "Review Sign-off" }).click();
  const panel = page.getByTestId("node-panel");
  await expect(panel).toContainText("Ship it?");
  await panel.getByLabel("Comment (optional)").fill("Looks right.");
  await shot(page, "pipeline-run");
  await panel.getByRole("button", { name: "Approve" }).click();

  await expect(node(page, "signoff")).toHaveAttribute("data-status", "completed");
  await expect(node(page, "ship")).toHaveAttribute("data-status", "completed");
  await expect(page.getByTestId("run-status")).toHaveAttribute("data-status", "completed");
  await expect(panel.getByTestId("node-decision")).toContainText("Looks right.");
  await expect(panel.getByRole("button", { name: "Approve" })).toHaveCount(0);

  // Another client starts a run: it appears on the runs page without a reload.
  await page.getByRole("link", { name: "All runs of this pipeline" }).click();
  await expect(page.getByTestId("run-row")).toHaveCount(1);
  const api = await apiAs();
  const started = await api.post(`/api/pipelines/${id}/runs`, { data: { trigger_data: {} } });
  expect(started.status()).toBe(201);
  const other = (await started.json()) as { id: string };
  await expect(page.locator(`[data-testid="run-row"][data-run-id="${other.id}"]`)).toHaveAttribute("data-status", "waiting");
  // Leave nothing waiting behind.
  expect((await api.post(`/api/pipeline-runs/${other.id}/cancel`)).status()).toBe(200);
  await expect(page.locator(`[data-testid="run-row"][data-run-id="${other.id}"]`)).toHaveAttribute("data-status", "cancelled");
  await api.dispose();
});

test("a viewer reads runs but is offered no action, and follows a run it gets no events of", async ({ page }) => {
  const doc = approval(unique("viewed"));
  const id = await createPipeline(doc);
  const api = await apiAs();
  const viewer = { email: `${unique("viewer")}@example.org`, password: "a long viewer password" };
  const made = await api.post("/api/users", { data: { ...viewer, display_name: "Viewer", role: "viewer" } });
  expect(made.status(), await made.text()).toBe(201);
  const started = await api.post(`/api/pipelines/${id}/runs`, { data: { trigger_data: {} } });
  const run = (await started.json()) as { id: string };

  await signIn(page, viewer);
  await page.goto(`/pipelines/${id}/runs`);
  await expect(page.getByRole("heading", { name: `Runs of ${doc.name}` })).toBeVisible();
  await expect(page.getByTestId("run-row")).toHaveCount(1);
  await expect(page.getByLabel("Trigger data (JSON)")).toHaveCount(0);
  await expect(page.getByRole("button", { name: "Start run" })).toHaveCount(0);

  await page.getByRole("link", { name: `Open run ${run.id.slice(-8)}` }).click();
  await expect(node(page, "signoff")).toHaveAttribute("data-status", "waiting");
  await page.getByRole("button", { name: "Review Sign-off" }).click();
  await expect(page.getByTestId("node-panel")).toContainText("Ship it?");
  await expect(page.getByRole("button", { name: "Approve" })).toHaveCount(0);
  await expect(page.getByRole("button", { name: "Cancel run" })).toHaveCount(0);

  // The admin approves elsewhere; the viewer's page catches up without a reload.
  expect((await api.post(`/api/pipeline-runs/${run.id}/approvals/signoff`, { data: { decision: "approve" } })).status()).toBe(200);
  await expect(page.getByTestId("run-status")).toHaveAttribute("data-status", "completed");
  await expect(node(page, "ship")).toHaveAttribute("data-status", "completed");
  await api.dispose();
});

test("a failed run shows its error and is re-run from the page; a live one is cancelled", async ({ page }) => {
  const doc = failing(unique("failing"));
  const id = await createPipeline(doc);
  await signIn(page);
  await page.goto(`/pipelines/${id}/runs`);
  await page.getByLabel("Trigger data (JSON)").fill("{}");
  await page.getByRole("button", { name: "Start run" }).click();

  // No `n`: the transform fails, the run fails, the delay beside it is cancelled.
  await expect(page.getByTestId("run-status")).toHaveAttribute("data-status", "failed");
  await expect(node(page, "read")).toHaveAttribute("data-status", "failed");
  await expect(node(page, "after")).toHaveAttribute("data-status", "cancelled");
  await expect(page.getByTestId("run-error")).toContainText("read");
  await node(page, "read").click();
  await expect(page.getByTestId("node-panel").getByRole("alert")).toContainText("expression");
  const firstRun = page.url();

  await page.getByRole("button", { name: "Re-run from failure" }).click();
  await expect(page).not.toHaveURL(firstRun);
  await expect(page.getByRole("link", { name: /^re-run of / })).toBeVisible();
  await expect(node(page, "start")).toHaveAttribute("data-status", "completed");
  await expect(page.getByTestId("run-status")).toHaveAttribute("data-status", "failed");

  // A run still going is cancelled from its page.
  await page.getByRole("link", { name: "All runs of this pipeline" }).click();
  await page.getByLabel("Trigger data (JSON)").fill('{"n": 1}');
  await page.getByRole("button", { name: "Start run" }).click();
  await expect(node(page, "after")).toHaveAttribute("data-status", "completed");
  await expect(node(page, "wait")).toHaveAttribute("data-status", "running");
  await page.getByRole("button", { name: "Cancel run" }).click();
  await expect(page.getByTestId("run-status")).toHaveAttribute("data-status", "cancelled");
  await expect(node(page, "wait")).toHaveAttribute("data-status", "cancelled");
  await expect(page.getByRole("button", { name: "Cancel run" })).toHaveCount(0);
  await expect(page.getByRole("button", { name: "Re-run from failure" })).toBeVisible();
});

test("a run page whose socket was cut catches up with one fetch when it comes back", async ({ page }) => {
  const doc = approval(unique("cut"));
  const id = await createPipeline(doc);
  const api = await apiAs();
  const run = (await (await api.post(`/api/pipelines/${id}/runs`, { data: { trigger_data: {} } })).json()) as { id: string };
  await signIn(page);
  await page.goto(`/pipelines/${id}/runs/${run.id}`);
  await expect(node(page, "signoff")).toHaveAttribute("data-status", "waiting");

  // Cut only once the socket is up and the fetch its opening makes is done (a cut while it
  // starts is not what this is about); from then on, count the fetches of the run.
  await expect.poll(() => page.evaluate(() => window.__gatheringLive?.state())).toBe("open");
  await page.waitForLoadState("networkidle");
  const runFetches: string[] = [];
  page.on("request", (r) => {
    if (r.method() === "GET" && new URL(r.url()).pathname === `/api/pipeline-runs/${run.id}`) runFetches.push(r.url());
  });
  await page.evaluate(() => window.__gatheringLive?.hold());
  await expect.poll(() => page.evaluate(() => window.__gatheringLive?.state())).not.toBe("open");
  // Decided elsewhere while this page hears nothing.
  expect((await api.post(`/api/pipeline-runs/${run.id}/approvals/signoff`, { data: { decision: "approve" } })).status()).toBe(200);
  await expect.poll(async () => ((await (await api.get(`/api/pipeline-runs/${run.id}`)).json()) as { status: string }).status).toBe("completed");
  await expect(node(page, "signoff")).toHaveAttribute("data-status", "waiting");

  await page.evaluate(() => window.__gatheringLive?.reconnectNow());
  await expect(node(page, "ship")).toHaveAttribute("data-status", "completed");
  await expect(page.getByTestId("run-status")).toHaveAttribute("data-status", "completed");
  expect(runFetches).toHaveLength(1);
  await api.dispose();
});
