// Usage and cost over a range (today, 7 days, 30 days), by day, model or user (admins see
// everyone's): a bar chart and the same numbers as a table. recharts is imported here only, so
// it loads with this page.
import { useMemo, useState } from "react";
import { Bar, BarChart, CartesianGrid, ResponsiveContainer, Tooltip, XAxis, YAxis } from "recharts";
import { Empty, QueryView } from "@/components/states";
import { Button, Card, Select } from "@/components/ui";
import { useUsage, useUserNames } from "../api";
import { daySeries, formatCost, groupSeries, rangeSince, ranges, totals, type Point, type Range } from "../usage";

type Group = "day" | "model" | "user";
type Metric = "cost_usd" | "calls" | "tokens";
const metricLabels: Record<Metric, string> = { cost_usd: "Cost (USD)", calls: "Calls", tokens: "Tokens" };

function Chart({ points, metric }: { points: Point[]; metric: Metric }) {
  return (
    <div className="h-64 w-full text-slate-600 dark:text-slate-300" data-testid="usage-chart" role="img" aria-label={`${metricLabels[metric]} chart`}>
      <ResponsiveContainer width="100%" height="100%">
        <BarChart data={points} margin={{ top: 8, right: 8, bottom: 8, left: 8 }}>
          <CartesianGrid strokeDasharray="3 3" stroke="currentColor" strokeOpacity={0.15} />
          <XAxis dataKey="label" tick={{ fill: "currentColor", fontSize: 11 }} stroke="currentColor" />
          <YAxis tick={{ fill: "currentColor", fontSize: 11 }} stroke="currentColor" allowDecimals={metric === "cost_usd"} tickFormatter={(v: number) => (metric === "cost_usd" ? formatCost(v) : String(v))} />
          <Tooltip
            formatter={(value) => (metric === "cost_usd" ? formatCost(Number(value)) : String(value))}
            contentStyle={{ background: "rgb(30 41 59)", border: "none", borderRadius: 6, color: "white" }}
            labelStyle={{ color: "white" }}
            itemStyle={{ color: "white" }}
            cursor={{ fillOpacity: 0.1 }}
          />
          <Bar dataKey={metric} name={metricLabels[metric]} fill="#6366f1" radius={[3, 3, 0, 0]} isAnimationActive={false} />
        </BarChart>
      </ResponsiveContainer>
    </div>
  );
}

function UsageTable({ points, first }: { points: Point[]; first: string }) {
  const sum = totals(points);
  return (
    <table aria-label="Usage" className="mt-3 w-full text-left text-sm tabular-nums">
      <thead className="text-xs text-slate-500 uppercase">
        <tr>
          <th className="py-1 pr-3 font-medium">{first}</th>
          <th className="py-1 pr-3 font-medium">Calls</th>
          <th className="py-1 pr-3 font-medium">Errors</th>
          <th className="py-1 pr-3 font-medium">Prompt tokens</th>
          <th className="py-1 pr-3 font-medium">Completion tokens</th>
          <th className="py-1 font-medium">Cost</th>
        </tr>
      </thead>
      <tbody className="divide-y divide-slate-100 dark:divide-slate-800">
        {points.map((p) => (
          <tr key={p.label}>
            <td className="py-1 pr-3">{p.label}</td>
            <td className="py-1 pr-3">{p.calls}</td>
            <td className="py-1 pr-3">{p.errors}</td>
            <td className="py-1 pr-3">{p.prompt_tokens}</td>
            <td className="py-1 pr-3">{p.completion_tokens}</td>
            <td className="py-1">{formatCost(p.cost_usd)}</td>
          </tr>
        ))}
        <tr className="font-medium">
          <td className="py-1 pr-3">Total</td>
          <td className="py-1 pr-3">{sum.calls}</td>
          <td className="py-1 pr-3">{sum.errors}</td>
          <td className="py-1 pr-3">{sum.prompt_tokens}</td>
          <td className="py-1 pr-3">{sum.completion_tokens}</td>
          <td className="py-1">{formatCost(sum.cost_usd)}</td>
        </tr>
      </tbody>
    </table>
  );
}

export function UsageCard({ admin }: { admin: boolean }) {
  const [range, setRange] = useState<Range>("7d");
  const [group, setGroup] = useState<Group>("day");
  const [metric, setMetric] = useState<Metric>("calls");
  // The range starts at a UTC midnight, so the key only changes when the day does.
  const since = useMemo(() => rangeSince(range, new Date()), [range]);
  const usage = useUsage(group, since);
  const names = useUserNames(admin && group === "user");

  return (
    <Card
      title={admin ? "Usage and cost (everyone)" : "Your usage and cost"}
      actions={
        <div role="group" aria-label="Range" className="flex gap-1">
          {ranges.map((r) => (
            <Button key={r.value} variant={range === r.value ? "primary" : "secondary"} aria-pressed={range === r.value} onClick={() => setRange(r.value)}>
              {r.label}
            </Button>
          ))}
        </div>
      }
    >
      <div className="mb-3 grid max-w-md grid-cols-2 gap-3">
        <Select label="Group by" value={group} onChange={(e) => setGroup(e.target.value as Group)}>
          <option value="day">Day (UTC)</option>
          <option value="model">Model</option>
          {admin && <option value="user">User</option>}
        </Select>
        <Select label="Show" value={metric} onChange={(e) => setMetric(e.target.value as Metric)}>
          {(Object.keys(metricLabels) as Metric[]).map((m) => (
            <option key={m} value={m}>
              {metricLabels[m]}
            </option>
          ))}
        </Select>
      </div>
      <QueryView query={usage} what="Loading usage">
        {(rows) => {
          const points =
            group === "day" ? daySeries(rows, range, new Date()) : groupSeries(rows, group === "user" ? (k) => (k ? (names.data?.get(k) ?? k) : "(no user)") : (k) => k ?? "(none)");
          if (group !== "day" && points.length === 0) return <Empty>No model calls in this range.</Empty>;
          return (
            <>
              <Chart points={points} metric={metric} />
              <UsageTable points={points} first={group === "day" ? "Day" : group === "model" ? "Model" : "User"} />
            </>
          );
        }}
      </QueryView>
    </Card>
  );
}
