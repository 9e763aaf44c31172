// A discussion watched live: two agents on the real local model (smollm2-135m-instruct) in a
// circle seeded through the API; the page starts a round-robin discussion of two turns, shows who
// speaks and their words as they stream, a person posts a message from the page, and the stored
// messages replace the live turn until the discussion completes (at its turn limit, or by a
// closing phrase of the model's). The small
// model's words are not asserted, only that they come.
import { expect, test, type APIRequestContext } from "@playwright/test";
import { apiAs, shot, signIn, unique } from "./support";

async function seedAgent(api: APIRequestContext, name: string): Promise<string> {
  const personas = await api.get("/api/personas?q=architect&limit=200");
  expect(personas.ok(), await personas.text()).toBeTruthy();
  const persona = ((await personas.json()) as { items: { id: string; name: string }[] }).items.find((p) => p.name === "architect");
  expect(persona, "the architect persona").toBeTruthy();
  const made = await api.post("/api/agents", { data: { name, persona_id: persona?.id, model: "smollm2-135m-instruct", max_tokens: 48 } });
  expect(made.status(), await made.text()).toBe(201);
  return ((await made.json()) as { id: string }).id;
}

test("a discussion streams live in the page, a person takes part, and it ends", async ({ page }) => {
  test.setTimeout(300_000);
  const admin = await apiAs();
  const first = unique("e2e-talk-a");
  const second = unique("e2e-talk-b");
  for (const name of [first, second]) await seedAgent(admin, name);
  const circle = unique("e2e-talk");
  const made = await admin.post("/api/circles", { data: { name: circle, purpose: "Talks about bridges." } });
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
  await form.getByLabel("Topic").fill("How should a small bridge be built?");
  await form.getByLabel("Mode").selectOption("round_robin");
  await form.getByLabel("Max turns").fill("2");
  await expect(form.getByRole("checkbox", { name: `@${first}` })).toBeChecked();
  await expect(form.getByRole("checkbox", { name: `@${second}` })).toBeChecked();
  await form.getByRole("button", { name: "Start" }).click();

  await expect(page).toHaveURL(new RegExp(`/circles/${circle}/discussions/[0-9a-f-]{36}$`));
  await expect(page.getByRole("heading", { name: "How should a small bridge be built?" })).toBeVisible();

  // A person speaks up while the agents talk.
  await page.getByLabel("Your message").fill(`@${second} keep it short, please.`);
  await page.getByRole("button", { name: "Post" }).click();
  const transcript = page.getByRole("list", { name: "Transcript" });
  await expect(transcript.getByTestId("discussion-message").and(page.locator('[data-kind="person"]'))).toContainText("keep it short", { timeout: 60_000 });

  // Someone speaks, and their words stream in.
  await expect(page.getByTestId("speaker")).toContainText(/@e2e-talk-[ab]-\S+ is speaking/, { timeout: 120_000 });
  await expect(page.getByTestId("streaming-text").first()).toHaveText(/\S/, { timeout: 120_000 });
  await shot(page, "circle-discussion");

  // Both turns are stored, in place of the live ones; the discussion ends at its limit.
  await expect(page.getByTestId("discussion-status")).toHaveText("completed", { timeout: 240_000 });
  // The small model sometimes says a closing phrase ("[DONE]", "that concludes"): the
  // discussion then ends by marker, before its limit; either is a proper end.
  await expect(page.getByTestId("end-reason")).toHaveText(/max turns|marker/);
  const spoken = transcript.locator('[data-kind="agent"]');
  await expect(spoken.first().getByTestId("message-speaker")).toHaveText(`@${first}`);
  if ((await page.getByTestId("end-reason").textContent())?.includes("max turns")) {
    await expect(spoken).toHaveCount(2);
    await expect(spoken.nth(1).getByTestId("message-speaker")).toHaveText(`@${second}`);
  }
  await expect(page.getByTestId("streaming")).toHaveCount(0);
  await expect(page.getByTestId("speaker")).toHaveCount(0);
  // Finished: it can be continued, no longer paused or posted to.
  await expect(page.getByRole("form", { name: "Continue the discussion" })).toBeVisible();
  await expect(page.getByRole("button", { name: "Pause" })).toHaveCount(0);

  // The circle lists it with its state.
  await page.getByRole("link", { name: "Circle", exact: true }).click();
  await expect(page.getByRole("list", { name: "Discussions" }).getByRole("listitem").filter({ hasText: "How should a small bridge be built?" })).toContainText("completed");
  await admin.dispose();
});
