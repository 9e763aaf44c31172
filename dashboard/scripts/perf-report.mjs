// Collects the browser tests' measurements (test-results/perf-*.json) into the Markdown of
// docs/benchmarks/dashboard.md, with the budget beside each figure.
import { readdirSync, readFileSync } from "node:fs";
import { cpus } from "node:os";

const results = {};
for (const file of readdirSync("test-results").filter((f) => /^perf-.*\.json$/.test(f)).sort()) {
  results[file.replace(/^perf-|\.json$/g, "")] = JSON.parse(readFileSync(`test-results/${file}`, "utf8"));
}

const kb = (n) => (n / 1024).toFixed(1) + " kB";
const ms = (n) => (typeof n === "number" ? `${Math.round(n)} ms` : "—");
const lines = [
  "# Dashboard performance",
  "",
  "Measured by `scripts/bench dashboard`: the browser tests tagged `@perf` (Playwright driving Debian's",
  "Chromium, headless) against a real `gathering serve` (the debug binary the tests use, with its",
  "embedded PostgreSQL) on loopback. Figures are measurements, never assertions in the tests, except the",
  "size budget, which is a size. " + `Machine: ${cpus().length} × ${cpus()[0]?.model ?? "cpu"}; ${new Date().toISOString().slice(0, 10)}.`,
  "",
  "| what | measured | budget |",
  "| --- | --- | --- |",
];
const i = results.initial;
if (i) {
  lines.push(`| initial JavaScript, gzipped (entry + static imports) | ${kb(i.initial_js_gzip_bytes)} | ≤ 250 kB |`);
  lines.push(`| initial CSS, gzipped | ${kb(i.initial_css_gzip_bytes)} | — |`);
  lines.push(`| overview: first contentful paint (median of 5 loads) | ${ms(i.overview_fcp_ms_median)} | < 1,000 ms |`);
  lines.push(`| overview: counts visible, upper bound incl. test round trips (median) | ${ms(i.overview_content_ms_median)} | — |`);
}
for (const [name, r] of Object.entries(results)) {
  if (name === "initial") continue;
  for (const [key, value] of Object.entries(r)) {
    if (typeof value === "number") lines.push(`| ${name}: ${key.replace(/_/g, " ")} | ${key.endsWith("ms") ? ms(value) : value} | ${key.includes("layout") || key.includes("render") ? "< 1,000 ms" : "—"} |`);
  }
}
lines.push("", "Raw results:", "", "```json", JSON.stringify(results, null, 2), "```", "");
process.stdout.write(lines.join("\n"));
