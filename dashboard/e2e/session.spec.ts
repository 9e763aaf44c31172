// Sign in, reload and stay signed in, sign out and be refused afterwards; a revoked session
// returns to sign-in with a message.
import { expect, test } from "@playwright/test";
import { admin, signIn } from "./support";

test("a session survives a reload and ends on sign-out", async ({ page, context }) => {
  await signIn(page);
  await expect(page.getByRole("heading", { name: "Overview" })).toBeVisible();

  // The access token is never stored by the page.
  const stored = await page.evaluate(() => JSON.stringify({ ...localStorage }) + JSON.stringify({ ...sessionStorage }));
  expect(stored).not.toContain("eyJ");
  const cookies = await context.cookies();
  const refresh = cookies.find((c) => c.name === "gathering_refresh");
  expect(refresh?.httpOnly).toBe(true);
  expect(refresh?.sameSite).toBe("Strict");
  expect(refresh?.path).toBe("/api/auth/session");

  await page.reload();
  await expect(page.getByTestId("whoami")).toContainText(admin().email);

  // Keep the refresh cookie to replay it after sign-out.
  const before = (await context.cookies()).filter((c) => c.name.startsWith("gathering_"));
  await page.getByRole("button", { name: "Sign out" }).click();
  await expect(page.getByRole("heading", { name: "Sign in to gathering" })).toBeVisible();
  await expect(page.getByText("You signed out.")).toBeVisible();

  // The old refresh cookie no longer works: the session ended on the server.
  await context.addCookies(before);
  await page.goto("/");
  await expect(page.getByRole("heading", { name: "Sign in to gathering" })).toBeVisible();
  await expect(page.getByText(/expired or was revoked/)).toBeVisible();
});

test("a wrong password is refused with a message", async ({ page }) => {
  await page.goto("/signin");
  await page.getByLabel("Email").fill(admin().email);
  await page.getByLabel("Password").fill("not the password at all");
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page.getByRole("alert")).toBeVisible();
  await expect(page).toHaveURL(/\/signin$/);
});
