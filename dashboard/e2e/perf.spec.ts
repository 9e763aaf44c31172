// The dashboard's performance budget, measured (never asserted on time): the JavaScript a first
// load needs, gzipped, and the overview's first contentful paint on loopback. Results go to
// test-results/perf-initial.json; `scripts/bench dashboard` collects every perf-*.json into
// docs/benchmarks/dashboard.md.
import { readFileSync, writeFileSync, mkdirSync } from "node:fs";
import { resolve } from "node:path";
import { gzipSync } from "node:zlib";
import { expect, test } from "@playwright/test";
import { repo } from "./paths";
import { signIn } from "./support";

const dist = resolve(repo, "dashboard/dist");

/** The entry script, its static imports (modulepreload) and the stylesheet, gzipped. */
function initialBytes(): { js: number; css: number; files: string[] } {
  const html = readFileSync(resolve(dist, "index.html"), "utf8");
  const scripts = [...html.matchAll(/<script[^>]+src="([^"]+)"/g), ...html.matchAll(/<link[^>]+rel="modulepreload"[^>]+href="([^"]+)"/g)].map((m) => m[1]!);
  const styles = [...html.matchAll(/<link[^>]+rel="stylesheet"[^>]+href="([^"]+)"/g)].map((m) => m[1]!);
  const gz = (file: string) => gzipSync(readFileSync(resolve(dist, "." + file)), { level: 9 }).length;
  return { js: scripts.reduce((n, f) => n + gz(f), 0), css: styles.reduce((n, f) => n + gz(f), 0), files: [...scripts, ...styles] };
}

test("initial JavaScript and first paint of the overview @perf", async ({ page }) => {
  const initial = initialBytes();
  // The budget is 250 kB; this is a size, not a time, so it is checked.
  expect(initial.js).toBeLessThan(250 * 1024);

  await signIn(page);
  const samples: { fcp: number; overview: number; js: number }[] = [];
  for (let i = 0; i < 5; i++) {
    await page.goto("/");
    await expect(page.getByRole("heading", { name: "Overview" })).toBeVisible();
    await expect(page.getByTestId("stat-agents")).toBeVisible();
    const timing = await page.evaluate(() => {
      const fcp = performance.getEntriesByName("first-contentful-paint")[0]?.startTime ?? -1;
      const js = performance
        .getEntriesByType("resource")
        .filter((r) => r.name.endsWith(".js"))
        .reduce((n, r) => n + (r as PerformanceResourceTiming).transferSize, 0);
      return { fcp, overview: performance.now(), js };
    });
    samples.push(timing);
  }
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
  mkdirSync(resolve(repo, "dashboard/test-results"), { recursive: true });
  writeFileSync(
    resolve(repo, "dashboard/test-results/perf-initial.json"),
    JSON.stringify(
      {
        initial_js_gzip_bytes: initial.js,
        initial_css_gzip_bytes: initial.css,
        initial_files: initial.files,
        overview_fcp_ms_median: Math.round(median(samples.map((s) => s.fcp))),
        overview_content_ms_median: Math.round(median(samples.map((s) => s.overview))),
        samples,
      },
      null,
      2,
    ),
  );
});
