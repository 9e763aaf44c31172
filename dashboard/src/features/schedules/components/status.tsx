// How a schedule's and a run's status look.
import { Badge } from "@/components/ui";

const scheduleTones: Record<string, string> = { active: "completed", paused: "waiting", finished: "skipped" };

export function ScheduleStatus({ status, reason }: { status: string; reason?: string | null | undefined }) {
  return (
    <span className="inline-flex items-center gap-1" title={reason ?? undefined}>
      <Badge tone={scheduleTones[status] ?? status}>{status}</Badge>
      {reason && <span className="text-xs text-amber-700 dark:text-amber-300">{reason}</span>}
    </span>
  );
}

export function RunStatus({ status }: { status: string }) {
  return <Badge tone={status}>{status}</Badge>;
}
