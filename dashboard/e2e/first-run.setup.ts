// First run: the link `gathering serve` printed creates the first admin in the page, and the
// admin lands signed in. Every other test signs in as this admin.
import { expect, test } from "@playwright/test";
import { saveAdmin, server } from "./support";

test("the setup link creates the first admin and signs them in @setup", async ({ page }) => {
  const credentials = { email: "admin@example.org", password: "a long admin password" };
  // Without the token the page is not offered.
  await page.goto("/setup");
  await expect(page.getByRole("heading", { name: "Setup is not available" })).toBeVisible();

  await page.goto("about:blank"); // a fresh load, as from the terminal, not a same-page hash change
  await page.goto(server().setupPath);
  await expect(page.getByRole("heading", { name: "Create the first administrator" })).toBeVisible();
  await expect(page).toHaveURL(/\/setup$/); // the token left the address bar
  await page.getByLabel("Email").fill(credentials.email);
  await page.getByLabel("Display name").fill("First Admin");
  await page.getByLabel("Password", { exact: true }).fill(credentials.password);
  await page.getByLabel("Confirm password").fill(credentials.password);
  await page.getByRole("button", { name: "Create administrator and sign in" }).click();
  await expect(page.getByTestId("whoami")).toContainText(credentials.email);
  await expect(page.getByRole("heading", { name: "Overview" })).toBeVisible();
  saveAdmin(credentials);

  // The link is spent.
  await page.goto("about:blank");
  await page.goto(server().setupPath);
  await expect(page.getByRole("heading", { name: "Setup is not available" })).toBeVisible();
});
