// Schedules: an admin creates a cron schedule that fires every three seconds through the page,
// sees its next five fire times before saving, opens it and watches its runs arrive without
// reloading, then pauses it.
import { expect, test } from "@playwright/test";
import { apiAs, shot, signIn, unique } from "./support";

test("a cron schedule is previewed, saved, runs live, and is paused", async ({ page }) => {
  // The pipeline it starts: seeded by another client (a trigger and a transform, quick to run).
  const client = await apiAs();
  const pipeline = unique("e2e-tick");
  const created = await client.post("/api/pipelines", {
    data: {
      name: pipeline,
      nodes: [
        { id: "t", type: "trigger", name: "start", config: {} },
        { id: "x", type: "transform", name: "tick", config: { expression: "{'tick': true}" } },
      ],
      edges: [{ id: "e", from: "t", to: "x" }],
    },
  });
  expect(created.ok(), await created.text()).toBeTruthy();
  await client.dispose();

  await signIn(page);
  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Schedules" }).click();
  await expect(page.getByRole("heading", { name: "Schedules", level: 1 })).toBeVisible();

  await page.getByRole("button", { name: "New schedule" }).click();
  const name = unique("e2e-every-3s");
  await page.getByLabel("Name", { exact: true }).fill(name);
  await page.getByLabel("Kind", { exact: true }).selectOption("cron");
  await page.getByLabel("Cron pattern").fill("*/3 * * * * *");
  await page.getByLabel("Time zone").selectOption("Asia/Tokyo");
  await page.getByLabel("Action", { exact: true }).selectOption("execute_pipeline");
  await page.getByLabel("Pipeline", { exact: true }).selectOption(pipeline);

  // Five fire times, in the reader's zone and in the schedule's (Tokyo: GMT+9).
  const preview = page.getByRole("table", { name: "Next fire times" });
  await expect(preview.getByRole("row")).toHaveCount(6);
  await expect(preview.getByRole("columnheader", { name: "Schedule's zone (Asia/Tokyo)" })).toBeVisible();
  await expect(preview.getByRole("row").nth(1)).toContainText("GMT+9");
  await shot(page, "schedules");

  await page.getByRole("button", { name: "Create schedule" }).click();
  await expect(page.getByText(`Schedule ${name} created.`)).toBeVisible();
  const row = page.getByRole("table", { name: "Schedules" }).getByRole("row").filter({ hasText: name });
  await expect(row).toContainText("active");

  await row.getByRole("link", { name }).click();
  await expect(page.getByRole("heading", { name, level: 1 })).toBeVisible();
  await expect(page.getByRole("table", { name: "Next fire times" }).getByRole("row")).toHaveCount(6);

  // The runs arrive as the scheduler's events come in: no reload.
  const runs = page.getByRole("table", { name: "Runs" }).getByTestId("schedule-run");
  await expect(runs.nth(1)).toBeVisible({ timeout: 30_000 });
  await expect(runs.first()).toContainText("schedule");
  await expect(runs.filter({ hasText: "completed" }).first()).toBeVisible();
  await shot(page, "schedule");

  // Edit: the definition is replaced, the page shows it.
  await page.getByRole("button", { name: "Edit" }).click();
  await expect(page.getByLabel("Cron pattern")).toHaveValue("*/3 * * * * *");
  await page.getByLabel("Description").fill("ticks every three seconds");
  await page.getByRole("button", { name: "Save changes" }).click();
  await expect(page.getByText(`Schedule ${name} saved.`)).toBeVisible();
  await expect(page.getByRole("definition").getByText("ticks every three seconds", { exact: true })).toBeVisible();

  await page.getByRole("button", { name: `Pause ${name}` }).click();
  await expect(page.getByText(`Schedule ${name} paused.`)).toBeVisible();
  await expect(page.getByRole("button", { name: `Resume ${name}` })).toBeVisible();
  await expect(page.getByText("Nothing fires while the schedule is paused.")).toBeVisible();
});

test("a schedule triggered from the list notifies its owner, who marks it read", async ({ page }) => {
  // A paused schedule that sends a notification, seeded by another client.
  const client = await apiAs();
  const name = unique("e2e-notify");
  const created = await client.post("/api/schedules", {
    data: { name, kind: "interval", interval_seconds: 3600, paused: true, action: { type: "send_notification", title: name, message: "hello from the schedule", level: "warning" } },
  });
  expect(created.ok(), await created.text()).toBeTruthy();
  await client.dispose();

  // The list's outcomes come with the list (each schedule's last_run): no runs request per row.
  const runsRequests: string[] = [];
  page.on("request", (request) => {
    if (/^\/api\/schedules\/[^/]+\/runs/.test(new URL(request.url()).pathname)) runsRequests.push(request.url());
  });

  await signIn(page);
  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Schedules" }).click();
  const row = page.getByRole("table", { name: "Schedules" }).getByRole("row").filter({ hasText: name });
  await expect(row).toContainText("paused");
  await expect(row).toContainText("no runs yet");
  await row.getByRole("button", { name: `Trigger ${name} now` }).click();

  // The run's outcome and the notification arrive without a reload.
  await expect(row.getByText("completed")).toBeVisible();
  const notice = page.getByRole("list", { name: "Notifications" }).getByRole("listitem").filter({ hasText: name });
  await expect(notice).toContainText("hello from the schedule");
  await notice.getByRole("button", { name: `Mark ${name} read` }).click();
  await expect(notice.getByRole("button", { name: `Mark ${name} read` })).toHaveCount(0);
  expect(runsRequests).toEqual([]);
});
