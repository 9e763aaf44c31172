// Administration: an admin creates a member on the Users page and an API key on the API keys
// page (its secret shown once), reads the audit log; the member, signed in through the page in
// a browser of their own, is offered no administration and cannot edit the admin's pipeline; a
// viewer is offered no creation.
import { expect, test, type Browser, type Page } from "@playwright/test";
import { apiAs, shot, signIn, unique, type Credentials } from "./support";

/** A fresh browser (its own cookies) signed in as `who` through the sign-in page. */
async function signedInAs(browser: Browser, who: Credentials): Promise<Page> {
  const context = await browser.newContext();
  const page = await context.newPage();
  await signIn(page, who);
  return page;
}

const mainNav = (page: Page) => page.getByRole("navigation", { name: "Main" });

test("an admin creates a member and an API key; the member sees no administration", async ({ page, browser }) => {
  // Seeded by another client: a pipeline the admin owns, for the member to look at.
  const adminApi = await apiAs();
  const created = await adminApi.post("/api/pipelines", {
    data: { name: unique("admin-owned"), nodes: [{ id: "t1", type: "trigger", name: "Start", config: { trigger_type: "manual" } }], edges: [] },
  });
  expect(created.status(), await created.text()).toBe(201);
  const pipelineId = ((await created.json()) as { id: string }).id;
  await adminApi.dispose();

  const member: Credentials = { email: `${unique("member")}@example.org`, password: "a long member password" };

  // The admin creates the member through the Users page.
  await signIn(page);
  await mainNav(page).getByRole("link", { name: "Users", exact: true }).click();
  await expect(page.getByRole("heading", { name: "Users", level: 1 })).toBeVisible();
  await page.getByRole("button", { name: "New user" }).click();
  const dialog = page.getByRole("dialog", { name: "New user" });
  await dialog.getByLabel("Email").fill(member.email);
  await dialog.getByLabel("Display name").fill("Mem Ber");
  await dialog.getByLabel("Role").selectOption("member");
  await dialog.getByLabel("Initial password").fill(member.password);
  await dialog.getByRole("button", { name: "Create user" }).click();
  await expect(dialog).toBeHidden();
  await expect(page.getByRole("status").filter({ hasText: `Created ${member.email} (member).` })).toBeVisible();
  const row = page.getByTestId(`user-${member.email}`);
  await expect(row).toBeVisible();
  await expect(row.getByLabel(`Role of ${member.email}`)).toHaveValue("member");

  // The search, role and status filters all go to the server and stay in the address.
  await page.getByLabel("Search").fill(member.email.slice(0, 12));
  await page.getByLabel("Role", { exact: true }).selectOption("member");
  await expect(row).toBeVisible();
  await expect(page.getByTestId("user-admin@example.org")).toHaveCount(0);
  await expect(page).toHaveURL(/role=member/);
  await page.getByLabel("Status", { exact: true }).selectOption("disabled");
  await expect(page.getByText("No user matches these filters.")).toBeVisible();
  await page.getByLabel("Status", { exact: true }).selectOption("enabled");
  await expect(row).toBeVisible();
  await expect(page).toHaveURL(/status=enabled/);
  await shot(page, "admin-users");
  await page.getByLabel("Search").fill("");
  await page.getByLabel("Role", { exact: true }).selectOption("");
  await page.getByLabel("Status", { exact: true }).selectOption("");

  // An API key, its secret shown once.
  await mainNav(page).getByRole("link", { name: "API keys" }).click();
  await expect(page.getByRole("heading", { name: "API keys", level: 1 })).toBeVisible();
  const keyName = unique("ci");
  await page.getByRole("button", { name: "New API key" }).click();
  const keyDialog = page.getByRole("dialog", { name: "New API key" });
  await keyDialog.getByLabel("Name").fill(keyName);
  await keyDialog.getByLabel("Role").selectOption("viewer");
  await keyDialog.getByRole("button", { name: "Create key" }).click();
  const secretDialog = page.getByRole("dialog", { name: /created/ });
  await expect(secretDialog.getByText("you will not see it again")).toBeVisible();
  const secretBox = secretDialog.getByLabel("Your new key");
  await expect(secretBox).toHaveValue(/^gk_[0-9a-f]{64}$/);
  const secret = await secretBox.inputValue();
  await expect(secretDialog.getByRole("button", { name: "Copy key" })).toBeVisible();
  await secretDialog.getByRole("button", { name: "Done" }).click();
  await expect(secretDialog).toBeHidden();
  const keyRow = page.getByTestId(`api-key-${keyName}`);
  await expect(keyRow).toContainText(secret.slice(0, 11));
  await expect(keyRow).toContainText("active");
  // Nowhere on the page any more: not in the text, not in any field, not in the markup.
  await expect(page.locator("body")).not.toContainText(secret);
  expect(await page.content()).not.toContain(secret);
  const values = await page.locator("input, textarea").evaluateAll((els) => els.map((e) => (e as HTMLInputElement).value));
  expect(values.join(" ")).not.toContain(secret);

  // The audit log shows both changes; a row opens to its details.
  await mainNav(page).getByRole("link", { name: "Audit log" }).click();
  await expect(page.getByRole("heading", { name: "Audit log", level: 1 })).toBeVisible();
  await page.getByLabel("Action").fill("api_key.");
  await page.getByRole("button", { name: "Apply" }).click();
  await expect(page).toHaveURL(/action=api_key\./);
  const keyRowAudit = page.getByTestId("audit-row").filter({ hasText: "api_key.created" }).first();
  await expect(keyRowAudit).toBeVisible();
  await expect(page.getByTestId("audit-row").filter({ hasText: "user.created" })).toHaveCount(0);
  await keyRowAudit.getByRole("button", { name: /Show details of api_key.created/ }).click();
  await expect(page.getByLabel("Details", { exact: true })).toContainText(secret.slice(0, 11));
  await shot(page, "admin-audit");

  // The member, in a browser of their own.
  const memberPage = await signedInAs(browser, member);
  const nav = mainNav(memberPage);
  await expect(nav.getByRole("link", { name: "Overview" })).toBeVisible();
  await expect(nav.getByRole("link", { name: "API keys" })).toBeVisible();
  for (const label of ["Users", "Audit log", "MCP servers"]) await expect(nav.getByRole("link", { name: label, exact: true })).toHaveCount(0);

  await memberPage.goto("/admin/users");
  await expect(memberPage.getByText("You do not have access to this page")).toBeVisible();
  await expect(memberPage).toHaveURL(/\/admin\/users$/);
  await expect(memberPage.getByRole("button", { name: "New user" })).toHaveCount(0);

  // Another member's (here: the admin's) pipeline opens read-only.
  await memberPage.goto(`/pipelines/${pipelineId}`);
  await expect(memberPage.getByText("Read only")).toBeVisible();
  await expect(memberPage.getByRole("button", { name: "Save" })).toHaveCount(0);
  await memberPage.context().close();
});

test("a viewer is offered no creation on the users and API keys pages", async ({ browser }) => {
  const viewer: Credentials = { email: `${unique("viewer")}@example.org`, password: "a long viewer password" };
  const adminApi = await apiAs();
  const made = await adminApi.post("/api/users", { data: { ...viewer, display_name: "Vi Ewer", role: "viewer" } });
  expect(made.status(), await made.text()).toBe(201);
  await adminApi.dispose();

  const page = await signedInAs(browser, viewer);
  for (const label of ["Users", "API keys", "Audit log", "MCP servers"]) await expect(mainNav(page).getByRole("link", { name: label, exact: true })).toHaveCount(0);

  await page.goto("/admin/users");
  await expect(page.getByText("You do not have access to this page")).toBeVisible();
  await expect(page.getByRole("button", { name: "New user" })).toHaveCount(0);

  await page.goto("/admin/api-keys");
  await expect(page.getByText("You do not have access to this page")).toBeVisible();
  await expect(page.getByRole("button", { name: "New API key" })).toHaveCount(0);

  for (const path of ["/admin/audit", "/admin/mcp"]) {
    await page.goto(path);
    await expect(page.getByText("You do not have access to this page")).toBeVisible();
  }
  await page.context().close();
});

test("an MCP server that cannot be started is refused with the reason", async ({ page }) => {
  await signIn(page);
  await mainNav(page).getByRole("link", { name: "MCP servers" }).click();
  await expect(page.getByRole("heading", { name: "MCP servers", level: 1 })).toBeVisible();
  await page.getByRole("button", { name: "Add server" }).click();
  const dialog = page.getByRole("dialog", { name: "Add an MCP server" });
  await dialog.getByLabel("Name").fill("Not Valid");
  await dialog.getByRole("button", { name: "Add server" }).click();
  await expect(dialog.getByRole("alert")).toContainText("lower-case letters");

  await dialog.getByLabel("Name").fill(unique("nothere").toLowerCase().slice(0, 31));
  await dialog.getByLabel("Command").fill("/nonexistent/mcp-server");
  await dialog.getByRole("button", { name: "Add server" }).click();
  await expect(dialog.getByRole("alert")).toBeVisible();
  await dialog.getByRole("button", { name: "Cancel" }).click();
  await expect(dialog).toBeHidden();
});
