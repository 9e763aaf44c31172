// Live behaviour: an event made by another client shows on the events page and the overview
// without a reload; a cut socket comes back with nothing missing and nothing doubled; the
// feed holds 10,000 events (the time to render and to scroll is recorded, not asserted).
import { mkdirSync, writeFileSync } from "node:fs";
import { expect, test, type APIRequestContext, type Page } from "@playwright/test";
import { apiAs, shot, signIn, unique } from "./support";

type EventView = { seq: number | null; id: string; type: string; data: Record<string, unknown> };

/** The newest seq now (read by the other client). */
async function head(api: APIRequestContext): Promise<number> {
  const response = await api.get("/api/overview");
  expect(response.ok(), await response.text()).toBeTruthy();
  return ((await response.json()) as { latest_event_seq: number }).latest_event_seq;
}

/** The seq of the one event after `since` of `type` that `pick` selects (read by the other client). */
async function seqOf(api: APIRequestContext, since: number, type: string, pick: (e: EventView) => boolean): Promise<number> {
  let from = since;
  for (;;) {
    const response = await api.get(`/api/events?since=${from}&types=${type}&limit=500`);
    expect(response.ok(), await response.text()).toBeTruthy();
    const page = (await response.json()) as { items: EventView[]; next_since: number; more: boolean };
    const found = page.items.find(pick);
    if (found?.seq) return found.seq;
    expect(page.more, `no ${type} event after ${since} matched`).toBeTruthy();
    from = page.next_since;
  }
}

async function createKey(api: APIRequestContext, name: string): Promise<string> {
  const response = await api.post("/api/api-keys", { data: { name, role: "viewer" } });
  expect(response.status(), await response.text()).toBe(201);
  return ((await response.json()) as { id: string }).id;
}

async function openEvents(page: Page): Promise<void> {
  await signIn(page);
  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Events" }).click();
  await expect(page.getByRole("heading", { name: "Events", level: 1 })).toBeVisible();
  await expect(page.getByTestId("connection")).toHaveAttribute("data-state", "open");
}

const row = (page: Page, seq: number) => page.locator(`[data-testid="event-row"][data-seq="${seq}"]`);

test("an event made by another client appears on the events page and the overview without reload", async ({ page, context }) => {
  const other = await apiAs();
  await openEvents(page);

  // The overview in a second tab of the same browser.
  const overview = await context.newPage();
  await overview.goto("/");
  await expect(overview.getByRole("heading", { name: "Overview" })).toBeVisible();
  await expect(overview.getByTestId("connection")).toHaveAttribute("data-state", "open");
  await expect(overview.getByTestId("stat-personas")).toHaveText(/^\d+$/);
  const personasBefore = Number(await overview.getByTestId("stat-personas").textContent());

  const since = await head(other);
  const name = unique("live-persona");
  const created = await other.post("/api/personas", { data: { name, display_name: "Live Persona", role: "Shows up live", prompt: "You are a test persona." } });
  expect(created.status(), await created.text()).toBe(201);
  const seq = await seqOf(other, since, "persona.created", (e) => (e.data.persona as { name?: string } | undefined)?.name === name);

  // The events page shows it, once, and opens it to its JSON.
  await expect(row(page, seq)).toHaveCount(1);
  await row(page, seq).getByRole("button").click();
  await expect(page.getByLabel(`Event ${seq} as JSON`)).toContainText(name);
  await shot(page, "events");

  // The overview shows it in its latest events, and the count moved, without a reload.
  await expect(overview.getByTestId("latest-events").locator(`[data-seq="${seq}"]`)).toBeVisible();
  await expect(overview.getByTestId("stat-personas")).toHaveText(String(personasBefore + 1));
  await shot(overview, "overview");

  // A filter keeps what matches: api keys only hides the persona; a bad pattern is refused.
  await page.getByLabel("Type patterns").fill("persona.nope");
  await page.getByRole("button", { name: "Apply" }).click();
  await expect(page.getByText("unknown event type `persona.nope`")).toBeVisible();
  await page.getByLabel("Type patterns").fill("");
  await page.getByRole("button", { name: "api_key.*" }).click();
  await expect(row(page, seq)).toHaveCount(0);
  const keyName = unique("live-filter");
  const keySince = await head(other);
  await createKey(other, keyName);
  const keySeq = await seqOf(other, keySince, "api_key.created", (e) => e.data.name === keyName);
  await expect(row(page, keySeq)).toHaveCount(1);
  await page.getByRole("button", { name: "Clear" }).click();
  await expect(row(page, seq)).toHaveCount(1);
  await other.dispose();
});

test("after the socket is cut and comes back, nothing is missing or doubled", async ({ page }) => {
  const other = await apiAs();
  await openEvents(page);
  const connection = page.getByTestId("connection");

  // Cut before any event came on this socket: it must come back from the head, not from now.
  await page.evaluate(() => window.__gatheringLive?.hold());
  await expect(connection).toHaveAttribute("data-state", "offline");
  const since = await head(other);
  const names = Array.from({ length: 5 }, () => unique("live-gap"));
  for (const name of names) await createKey(other, name);
  await page.evaluate(() => window.__gatheringLive?.reconnectNow());
  await expect(connection).toHaveAttribute("data-state", "open");

  // Cut again while events are being made: some land before, some after the reconnect.
  const racing = Array.from({ length: 3 }, () => unique("live-race"));
  await Promise.all([page.evaluate(() => window.__gatheringLive?.reconnectNow()), ...racing.map((name) => createKey(other, name))]);
  await expect(connection).toHaveAttribute("data-state", "open");

  // A last event: frames arrive in order, so once it is shown any duplicate would be too.
  const marker = unique("live-marker");
  await createKey(other, marker);
  const markerSeq = await seqOf(other, since, "api_key.created", (e) => e.data.name === marker);
  await expect(row(page, markerSeq)).toHaveCount(1);

  for (const name of [...names, ...racing]) {
    const seq = await seqOf(other, since, "api_key.created", (e) => e.data.name === name);
    await expect(row(page, seq), `${name} (#${seq}) exactly once`).toHaveCount(1);
  }
  // And no event shows twice anywhere in the rendered rows.
  const seqs = await page.locator('[data-testid="event-row"][data-seq]').evaluateAll((rows) => rows.map((r) => r.getAttribute("data-seq")));
  expect(new Set(seqs).size).toBe(seqs.length);
  await other.dispose();
});

test("the feed stays usable with 10,000 events @perf", async ({ page }) => {
  await openEvents(page);
  await expect(page.getByTestId("event-count")).toBeVisible();
  const result = await page.evaluate(async () => {
    const frame = () => new Promise<void>((resolve) => requestAnimationFrame(() => resolve()));
    const base = 1_000_000_000;
    const ts = new Date().toISOString();
    const events = Array.from({ length: 10_000 }, (_, i) => ({ seq: base + i, id: `perf-${i}`, type: "persona.updated", ts, scope: {}, actor: null, data: {} }));
    const started = performance.now();
    window.__gatheringLive?.injectEvents?.(events);
    while (!document.querySelector(`[data-seq="${base + 9_999}"]`)) await frame();
    await frame();
    const renderMs = performance.now() - started;
    const list = document.querySelector<HTMLElement>('[data-testid="event-list"]');
    if (!list) throw new Error("no list");
    const total = Number(document.querySelector('[data-testid="event-count"]')?.textContent?.replace(/\D/g, "") ?? 0);
    const scrollStarted = performance.now();
    let frames = 0;
    // Measured rows change the total height, so scroll again until the last row is in view.
    while (!document.querySelector(`[data-index="${total - 1}"]`)) {
      list.scrollTop = list.scrollHeight;
      await frame();
      frames++;
    }
    const scrollMs = performance.now() - scrollStarted;
    return { events: 10_000, rowsInFeed: total, renderMs, scrollToBottomMs: scrollMs, scrollFrames: frames, rowsInDom: document.querySelectorAll('[data-testid="event-row"]').length };
  });
  mkdirSync("test-results", { recursive: true });
  writeFileSync("test-results/perf-events.json", JSON.stringify({ ...result, at: new Date().toISOString() }, null, 2));
  expect(result.rowsInFeed).toBeGreaterThanOrEqual(10_000);
  // Virtualised: only the rows in view (and a few around) are in the page.
  expect(result.rowsInDom).toBeLessThan(200);
  await expect(page.locator(`[data-index="${result.rowsInFeed - 1}"]`)).toBeVisible();
});
