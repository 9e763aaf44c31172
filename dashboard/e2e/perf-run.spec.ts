// A 1,000-node pipeline run on the run page, measured (never asserted on time): how long from
// navigation until the graph is laid out and on screen (`data-ready-ms`), and how long after
// the run finished on the server the page showed every node settled (`data-settled-at`), the
// nodes' states arriving only as events. Results go to test-results/perf-run.json.
import { mkdirSync, writeFileSync } from "node:fs";
import { resolve } from "node:path";
import { expect, test, type Page } from "@playwright/test";
import { repo } from "./paths";
import { apiAs, signIn, unique } from "./support";

const NODES = 1000; // pipelines hold up to 5,000 nodes (docs/pipelines.md); no limit refuses this
const WIDTH = 40; // nodes per layer: 25 layers of cheap transforms after the trigger

/** A trigger, then layers of transforms, each fed by one or two nodes of the layer before. */
function wideAndDeep(name: string) {
  const nodes: unknown[] = [{ id: "start", type: "trigger", name: "Start", config: { trigger_type: "manual" } }];
  const edges: unknown[] = [];
  let previous = ["start"];
  let n = 0;
  while (nodes.length < NODES) {
    const layer: string[] = [];
    for (let j = 0; j < WIDTH && nodes.length < NODES; j++) {
      n += 1;
      const id = `n${n}`;
      nodes.push({ id, type: "transform", name: `Step ${n}`, config: { expression: "1" } });
      layer.push(id);
      edges.push({ id: `e${edges.length}`, from: previous[j % previous.length], to: id });
      if (previous.length > 1) edges.push({ id: `e${edges.length}`, from: previous[(j + 1) % previous.length], to: id });
    }
    previous = layer;
  }
  return { name, nodes, edges, settings: { max_parallel: 50 } };
}

/** When the page had the run and its document, and when the graph was on screen (ms since navigation). */
async function readiness(page: Page): Promise<{ dataAt: number; readyAt: number }> {
  const readyAt = Number(await page.getByTestId("run-graph").getAttribute("data-ready-ms"));
  // The first answer for the run and for its version's document (the run is fetched again
  // when the socket opens, after the graph may already be up).
  const dataAt = await page.evaluate(() => {
    const first = (pattern: RegExp) =>
      Math.min(
        ...performance
          .getEntriesByType("resource")
          .filter((r) => pattern.test(new URL(r.name).pathname))
          .map((r) => (r as PerformanceResourceTiming).responseEnd),
      );
    return Math.round(Math.max(first(/\/api\/pipeline-runs\/[^/]+$/), first(/\/api\/pipelines\/[^/]+\/versions\/\d+$/)));
  });
  return { dataAt, readyAt };
}

test("a 1,000-node run lays out and follows its nodes live @perf", async ({ page }) => {
  const api = await apiAs();
  const doc = wideAndDeep(unique("thousand"));
  const check = await api.post("/api/pipelines/validate", { data: doc });
  expect(await check.json()).toMatchObject({ valid: true });
  const created = await api.post("/api/pipelines", { data: doc });
  expect(created.status(), await created.text()).toBe(201);
  const { id } = (await created.json()) as { id: string };

  await signIn(page);
  const started = await api.post(`/api/pipelines/${id}/runs`, { data: { trigger_data: {} } });
  expect(started.status()).toBe(201);
  const run = (await started.json()) as { id: string };
  await page.goto(`/pipelines/${id}/runs/${run.id}`);

  // Waiting with a slow, cheap poll: the page stamps the time itself, and a locator's checks
  // on every frame would take the main thread from it.
  await page.waitForFunction(() => document.querySelector("[data-testid=run-graph][data-ready]"), null, { polling: 500, timeout: 60_000 });
  const first = await readiness(page);
  const counts = page.getByTestId("node-counts");
  const settledAtReady = await counts.evaluate((el) => {
    const d = (el as HTMLElement).dataset;
    return Number(d.completed) + Number(d.skipped) + Number(d.failed) + Number(d.cancelled);
  });
  const domNodes = await page.locator("[data-testid^='run-node-']").count();

  await expect(counts).toHaveAttribute("data-total", String(NODES));
  await expect(page.getByTestId("run-status")).toHaveAttribute("data-status", "completed", { timeout: 120_000 });
  await expect(counts).toHaveAttribute("data-completed", String(NODES));
  const view = page.getByTestId("run-view");
  await expect(view).toHaveAttribute("data-settled-at", /\d+/);
  const settledAt = Number(await view.getAttribute("data-settled-at"));

  // The same page opened again on the finished run: the layout and first render without the
  // server executing 1,000 nodes on the same cores.
  await page.reload();
  await page.waitForFunction(() => document.querySelector("[data-testid=run-graph][data-ready]"), null, { polling: 500, timeout: 60_000 });
  const again = await readiness(page);
  await expect(counts).toHaveAttribute("data-completed", String(NODES));

  const finished = (await (await api.get(`/api/pipeline-runs/${run.id}`)).json()) as { started_at: string; finished_at: string };
  const result = {
    nodes: NODES,
    edges: doc.edges.length,
    layers: Math.ceil((NODES - 1) / WIDTH) + 1,
    navigation_to_laid_out_ms: first.readyAt,
    run_and_document_fetched_at_ms: first.dataAt,
    laid_out_and_rendered_after_data_ms: first.readyAt - first.dataAt,
    nodes_in_dom_when_ready: domNodes,
    nodes_settled_when_ready: settledAtReady,
    run_duration_ms: Date.parse(finished.finished_at) - Date.parse(finished.started_at),
    all_completed_shown_after_run_finished_ms: settledAt - Date.parse(finished.finished_at),
    finished_run_navigation_to_laid_out_ms: again.readyAt,
    finished_run_laid_out_and_rendered_after_data_ms: again.readyAt - again.dataAt,
  };
  mkdirSync(resolve(repo, "dashboard/test-results"), { recursive: true });
  writeFileSync(resolve(repo, "dashboard/test-results/perf-run.json"), JSON.stringify(result, null, 2));
  console.log(JSON.stringify(result));
  await api.dispose();
});
