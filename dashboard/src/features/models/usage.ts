// Usage rows (GET /api/llm/usage) shaped into chart series: a range's start, every day of it
// (days with no calls as zeros, the server's days are UTC), or one bar per model or user.
import type { components } from "@/lib/api/schema";

export type UsageRow = components["schemas"]["UsageTotal"];
export type Range = "today" | "7d" | "30d";
export const ranges: { value: Range; label: string; days: number }[] = [
  { value: "today", label: "Today", days: 1 },
  { value: "7d", label: "7 days", days: 7 },
  { value: "30d", label: "30 days", days: 30 },
];

export type Point = { label: string; calls: number; errors: number; prompt_tokens: number; completion_tokens: number; tokens: number; cost_usd: number };

const DAY = 86_400_000;

/** The first instant of a range: UTC midnight, `days - 1` days before today's. */
export function rangeSince(range: Range, now: Date): string {
  const days = ranges.find((r) => r.value === range)?.days ?? 1;
  const midnight = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate());
  return new Date(midnight - (days - 1) * DAY).toISOString();
}

function point(label: string, row?: UsageRow): Point {
  const prompt = row?.prompt_tokens ?? 0;
  const completion = row?.completion_tokens ?? 0;
  return { label, calls: row?.calls ?? 0, errors: row?.errors ?? 0, prompt_tokens: prompt, completion_tokens: completion, tokens: prompt + completion, cost_usd: row?.cost_usd ?? 0 };
}

/** One point per UTC day of the range, oldest first, zeros where nothing was called. */
export function daySeries(rows: UsageRow[], range: Range, now: Date): Point[] {
  const byDay = new Map(rows.map((r) => [r.key ?? "", r]));
  const start = Date.parse(rangeSince(range, now));
  const days = ranges.find((r) => r.value === range)?.days ?? 1;
  return Array.from({ length: days }, (_, i) => {
    const day = new Date(start + i * DAY).toISOString().slice(0, 10);
    return point(day, byDay.get(day));
  });
}

/** One point per group (model, user), the costliest first, then the busiest; `name` labels a key. */
export function groupSeries(rows: UsageRow[], name: (key: string | null | undefined) => string = (k) => k ?? "(none)"): Point[] {
  return rows
    .map((r) => point(name(r.key), r))
    .sort((a, b) => b.cost_usd - a.cost_usd || b.calls - a.calls || a.label.localeCompare(b.label));
}

/** The totals of a series. */
export function totals(points: Point[]): Point {
  return points.reduce(
    (sum, p) => ({
      label: "total",
      calls: sum.calls + p.calls,
      errors: sum.errors + p.errors,
      prompt_tokens: sum.prompt_tokens + p.prompt_tokens,
      completion_tokens: sum.completion_tokens + p.completion_tokens,
      tokens: sum.tokens + p.tokens,
      cost_usd: sum.cost_usd + p.cost_usd,
    }),
    point("total"),
  );
}

/** US dollars: small amounts keep their significant digits. */
export function formatCost(usd: number): string {
  if (usd === 0) return "$0";
  if (usd < 0.01) return `$${usd.toPrecision(2)}`;
  return `$${usd.toFixed(2)}`;
}
