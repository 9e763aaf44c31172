// Browser tests: Debian's Chromium (Playwright cannot download its own browsers here) against
// a real `gathering serve` started by e2e/global-setup.ts with its embedded PostgreSQL and local
// models. One worker: the machine has two cores and the tests share one server.
import { defineConfig } from "@playwright/test";

export const port = Number(process.env.GATHERING_E2E_PORT ?? 18787);

export default defineConfig({
  testDir: "e2e",
  outputDir: "test-results",
  fullyParallel: false,
  workers: 1,
  retries: 0,
  timeout: 90_000,
  expect: { timeout: 15_000 },
  reporter: [["list"]],
  globalSetup: "./e2e/global-setup.ts",
  globalTeardown: "./e2e/global-teardown.ts",
  use: {
    baseURL: `http://127.0.0.1:${port}`,
    viewport: { width: 1280, height: 800 },
    trace: "off",
    screenshot: "only-on-failure",
    launchOptions: {
      executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium",
      args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
    },
  },
  projects: [
    { name: "first-run", testMatch: /first-run\.setup\.ts/ },
    { name: "chromium", dependencies: ["first-run"], testMatch: /.*\.spec\.ts/ },
  ],
});
