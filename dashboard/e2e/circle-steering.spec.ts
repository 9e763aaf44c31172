// A discussion steered from the page: two agents on the real local model (smollm2-135m-instruct,
// short answers) in a circle seeded through the API; the page starts a `manual` discussion, which
// waits for a person to choose who speaks; the page chooses, that agent's turn comes, then the page
// pauses, resumes and stops it. In manual mode a resumed discussion goes back to waiting for a
// choice at once, so "running" may show only for a moment: the statuses the page showed are
// recorded as they change, and their order is asserted. The model's words are not asserted.
import { expect, test, type APIRequestContext, type Page } from "@playwright/test";
import { apiAs, shot, signIn, unique } from "./support";

async function seedAgent(api: APIRequestContext, name: string): Promise<string> {
  const personas = await api.get("/api/personas?q=architect&limit=200");
  expect(personas.ok(), await personas.text()).toBeTruthy();
  const persona = ((await personas.json()) as { items: { id: string; name: string }[] }).items.find((p) => p.name === "architect");
  expect(persona, "the architect persona").toBeTruthy();
  const made = await api.post("/api/agents", { data: { name, persona_id: persona?.id, model: "smollm2-135m-instruct", max_tokens: 24 } });
  expect(made.status(), await made.text()).toBe(201);
  return ((await made.json()) as { id: string }).id;
}

declare global {
  interface Window {
    __statuses?: string[];
  }
}

/** Records every status the page shows, in order (each change once). */
async function recordStatuses(page: Page): Promise<void> {
  await page.evaluate(() => {
    const seen: string[] = [];
    window.__statuses = seen;
    const note = () => {
      const text = document.querySelector('[data-testid="discussion-status"]')?.textContent ?? "";
      if (text && seen[seen.length - 1] !== text) seen.push(text);
    };
    note();
    new MutationObserver(note).observe(document.body, { subtree: true, childList: true, characterData: true });
  });
}

const waitingLine = /^Waiting for (a person to choose the next speaker|@\S+ to answer)\.$/;

const statuses = (page: Page) => page.evaluate(() => window.__statuses ?? []);

test("a manual discussion: the page chooses a speaker, pauses, resumes and stops it", async ({ page }) => {
  test.setTimeout(240_000);
  const admin = await apiAs();
  const first = unique("e2e-steer-a");
  const second = unique("e2e-steer-b");
  for (const name of [first, second]) await seedAgent(admin, name);
  const circle = unique("e2e-steer");
  const made = await admin.post("/api/circles", { data: { name: circle, purpose: "Talks about roofs." } });
  expect(made.status(), await made.text()).toBe(201);
  for (const agent of [first, second]) {
    const put = await admin.put(`/api/circles/${circle}/agents/${agent}`, { data: { role: "member" } });
    expect(put.ok(), await put.text()).toBeTruthy();
  }

  await signIn(page);
  await page.goto(`/circles/${circle}`);
  await expect(page.getByRole("heading", { name: circle, exact: true })).toBeVisible();
  await page.getByRole("button", { name: "Start a discussion" }).click();
  const form = page.getByRole("form", { name: "New discussion" });
  await form.getByLabel("Topic").fill("Which roof suits a small hut?");
  await form.getByLabel("Mode").selectOption("manual");
  await form.getByLabel("Max turns").fill("3");
  await form.getByRole("button", { name: "Start" }).click();
  await expect(page).toHaveURL(new RegExp(`/circles/${circle}/discussions/[0-9a-f-]{36}$`));
  await expect(page.getByRole("heading", { name: "Which roof suits a small hut?" })).toBeVisible();

  // Nobody speaks until a person chooses.
  await expect(page.getByTestId("discussion-status")).toHaveText("waiting", { timeout: 60_000 });
  await expect(page.getByText("Waiting for a person to choose the next speaker.")).toBeVisible();
  const choice = page.getByRole("form", { name: "Next speaker" });
  await expect(choice.getByLabel("Choose who speaks next")).toBeVisible();
  await shot(page, "circle-steering");

  // The page chooses the second agent; its turn comes, and then it waits for a choice again.
  await choice.getByLabel("Choose who speaks next").selectOption({ label: `@${second}` });
  await choice.getByRole("button", { name: "Let them speak" }).click();
  await expect(page.getByText("Next speaker chosen.")).toBeVisible();
  const spoken = page.getByRole("list", { name: "Transcript" }).locator('[data-kind="agent"]');
  await expect(spoken).toHaveCount(1, { timeout: 120_000 });
  await expect(spoken.first().getByTestId("message-speaker")).toHaveText(`@${second}`);
  // Waiting again: for the next choice, or for the person the agent addressed (the small model
  // sometimes says "@first-admin").
  await expect(page.getByTestId("discussion-status")).toHaveText("waiting", { timeout: 60_000 });
  await expect(page.getByText(waitingLine)).toBeVisible();

  // Pause, resume, stop: from the page's controls.
  await recordStatuses(page);
  const controls = page.getByRole("group", { name: "Discussion controls" });
  await controls.getByRole("button", { name: "Pause" }).click();
  await expect(page.getByText("Discussion paused.")).toBeVisible();
  await expect(page.getByTestId("discussion-status")).toHaveText("paused");
  await expect(page.getByText("Paused.", { exact: true })).toBeVisible();
  await controls.getByRole("button", { name: "Resume" }).click();
  await expect(page.getByText("Discussion resumed.")).toBeVisible();
  await expect(controls.getByRole("button", { name: "Pause" })).toBeVisible();
  // Manual mode: it goes on, to wait again.
  await expect(page.getByTestId("discussion-status")).toHaveText("waiting");
  await expect(page.getByText(waitingLine)).toBeVisible();
  await controls.getByRole("button", { name: "Stop" }).click();
  await expect(page.getByText("Discussion stopped.")).toBeVisible();
  await expect(page.getByTestId("discussion-status")).toHaveText("stopped");
  await expect(page.getByTestId("end-reason")).toHaveText("ended: stopped");
  await expect(page.getByRole("group", { name: "Discussion controls" })).toHaveCount(0);
  await expect(page.getByRole("form", { name: "Next speaker" })).toHaveCount(0);
  await expect(page.getByRole("form", { name: "Continue the discussion" })).toBeVisible();
  expect(await statuses(page)).toEqual(expect.arrayContaining(["paused", "running", "stopped"]));
  const seen = await statuses(page);
  expect(seen.indexOf("paused")).toBeLessThan(seen.indexOf("running"));
  expect(seen.indexOf("running")).toBeLessThan(seen.lastIndexOf("stopped"));
  // Only the chosen agent spoke.
  await expect(spoken).toHaveCount(1);
  await admin.dispose();
});
