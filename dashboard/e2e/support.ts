// What the browser tests share: the server's address, the admin the first-run test created,
// signing in through the page, and an API client for a *second* client's actions (another
// tab, a script) — never to do what the test claims the page does.
import { readFileSync, writeFileSync } from "node:fs";
import { expect, request, type APIRequestContext, type Page } from "@playwright/test";
import { statePath } from "./paths";

export type Credentials = { email: string; password: string };

export function server(): { base: string; setupPath: string } {
  return JSON.parse(readFileSync(statePath("server.json"), "utf8")) as { base: string; setupPath: string };
}

export function saveAdmin(credentials: Credentials): void {
  writeFileSync(statePath("admin.json"), JSON.stringify(credentials));
}

export function admin(): Credentials {
  return JSON.parse(readFileSync(statePath("admin.json"), "utf8")) as Credentials;
}

/** Signs in through the sign-in page, as a user would. */
export async function signIn(page: Page, who: Credentials = admin()): Promise<void> {
  await page.goto("/signin");
  await page.getByLabel("Email").fill(who.email);
  await page.getByLabel("Password").fill(who.password);
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page.getByTestId("whoami")).toContainText(who.email);
}

/** An API client signed in as `who` with the JSON login flow (another client, not the page). */
export async function apiAs(who: Credentials = admin()): Promise<APIRequestContext> {
  const base = server().base;
  const anon = await request.newContext({ baseURL: base });
  const login = await anon.post("/api/auth/login", { data: who });
  expect(login.ok(), await login.text()).toBeTruthy();
  const { access_token } = (await login.json()) as { access_token: string };
  await anon.dispose();
  return request.newContext({ baseURL: base, extraHTTPHeaders: { authorization: `Bearer ${access_token}` } });
}

/** A unique suffix, so tests never collide on names in the shared database. */
export function unique(prefix: string): string {
  return `${prefix}-${Date.now().toString(36)}${Math.floor(Math.random() * 1e4)}`;
}

/**
 * A screenshot for docs/dashboard.md, written only when GATHERING_SCREENSHOTS=1 (so a test run
 * leaves the tree clean): `GATHERING_SCREENSHOTS=1 npx playwright test` refreshes them all.
 */
export async function shot(page: Page, name: string): Promise<void> {
  if (process.env.GATHERING_SCREENSHOTS !== "1") return;
  await page.screenshot({ path: `${repoDocs}/${name}.png`, fullPage: false });
}

const repoDocs = new URL("../../docs/dashboard", import.meta.url).pathname;
