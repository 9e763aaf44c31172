// Pause or resume, trigger now, and delete (asked twice): the same buttons on the list and the
// schedule's page, each reporting how it went.
import { notify, notifyError } from "@/components/notices";
import { Button } from "@/components/ui";
import { useScheduleCommand, type Schedule, type ScheduleCommand } from "../api";
import { ConfirmButton } from "@/components/confirm";

const done: Record<ScheduleCommand, string> = { pause: "paused", resume: "resumed", trigger: "triggered", delete: "deleted" };

export function ScheduleActions({ schedule, onDeleted }: { schedule: Schedule; onDeleted?: () => void }) {
  const command = useScheduleCommand();
  const run = (c: ScheduleCommand) =>
    command.mutate(
      { id: schedule.id, command: c },
      {
        onSuccess: () => {
          notify(`Schedule ${schedule.name} ${done[c]}.`);
          if (c === "delete") onDeleted?.();
        },
        onError: notifyError,
      },
    );
  const busy = command.isPending;
  return (
    <div className="flex flex-wrap items-center gap-1">
      {schedule.paused ? (
        <Button onClick={() => run("resume")} disabled={busy} aria-label={`Resume ${schedule.name}`}>
          Resume
        </Button>
      ) : (
        <Button onClick={() => run("pause")} disabled={busy || schedule.status === "finished"} aria-label={`Pause ${schedule.name}`}>
          Pause
        </Button>
      )}
      <Button onClick={() => run("trigger")} disabled={busy} aria-label={`Trigger ${schedule.name} now`}>
        Trigger now
      </Button>
      <ConfirmButton label="Delete" question={`Delete ${schedule.name} and its runs?`} confirmLabel="Delete" onConfirm={() => run("delete")} disabled={busy} />
    </div>
  );
}
