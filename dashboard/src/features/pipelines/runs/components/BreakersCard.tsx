// The circuit breakers of the pipeline's agent and action nodes (docs/pipelines.md#circuit-breakers).
import { Badge, Card } from "@/components/ui";
import { Empty, QueryView } from "@/components/states";
import { useBreakers } from "../api";
import { formatTime } from "../format";

const tone = { closed: "completed", open: "failed", half_open: "waiting" } as const;
const label = { closed: "closed", open: "open", half_open: "half-open" } as const;

export function BreakersCard({ pipelineId }: { pipelineId: string }) {
  const breakers = useBreakers(pipelineId);
  return (
    <Card title="Circuit breakers">
      <QueryView query={breakers} what="Loading breakers">
        {(items) =>
          items.length === 0 ? (
            <Empty>No breaker yet: they appear once an agent or action node has run.</Empty>
          ) : (
            <table className="w-full text-sm" aria-label="Circuit breakers">
              <thead className="text-left text-xs text-slate-500 uppercase">
                <tr>
                  <th className="py-1">Node</th>
                  <th>State</th>
                  <th>Failures</th>
                  <th>Opened</th>
                </tr>
              </thead>
              <tbody className="divide-y divide-slate-100 dark:divide-slate-800">
                {items.map((b) => (
                  <tr key={b.node_id} data-testid={`breaker-${b.node_id}`} data-state={b.state}>
                    <td className="py-1.5 font-mono">{b.node_id}</td>
                    <td>
                      <Badge tone={tone[b.state]}>{label[b.state]}</Badge>
                    </td>
                    <td className="tabular-nums">{b.failures}</td>
                    <td className="text-slate-500">{b.opened_at ? formatTime(b.opened_at) : "—"}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          )
        }
      </QueryView>
    </Card>
  );
}
