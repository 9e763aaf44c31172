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
const e = results.editor;
if (e) {
  lines.push(`| editor: a ${e.nodes}-node pipeline, navigation to laid out and drawn | ${ms(e.navigation_to_laid_out_ms)} | < 1,000 ms |`);
  lines.push(`| editor: nodes in the page (only those in view are drawn) | ${e.rendered_nodes} | — |`);
}
const r = results.run;
if (r) {
  lines.push(`| run page: a finished ${r.nodes}-node run (${r.edges} edges), navigation to laid out and drawn | ${ms(r.finished_run_navigation_to_laid_out_ms)} | < 1,000 ms |`);
  lines.push(`| run page: the same, after its data arrived (layout and first render) | ${ms(r.finished_run_laid_out_and_rendered_after_data_ms)} | — |`);
  lines.push(`| run page: a live ${r.nodes}-node run, navigation to laid out, while the server executes it on the same cores | ${ms(r.navigation_to_laid_out_ms)} | < 1,000 ms |`);
  lines.push(`| run page: the live run, after its data arrived | ${ms(r.laid_out_and_rendered_after_data_ms)} | — |`);
  lines.push(`| run page: all ${r.nodes} nodes shown completed, after the run finished on the server | ${ms(r.all_completed_shown_after_run_finished_ms)} | live |`);
}
const v = results.events;
if (v) {
  lines.push(`| events: ${v.events} events injected into the feed, rendered | ${ms(v.renderMs)} | smooth |`);
  lines.push(`| events: scroll to the bottom of ${v.rowsInFeed} rows | ${ms(v.scrollToBottomMs)} (${v.rowsInDom} rows in the page) | smooth |`);
}
lines.push("", "Raw results:", "", "```json", JSON.stringify(results, null, 2), "```", "");
process.stdout.write(lines.join("\n"));
