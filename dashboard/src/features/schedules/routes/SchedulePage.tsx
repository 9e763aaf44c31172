// One schedule: its definition and next fire times, its actions (pause or resume, trigger,
// edit, delete) and its runs with their outcome, live.
import { useState } from "react";
import { Link, useNavigate, useParams } from "react-router";
import { ApiError } from "@/lib/api/errors";
import { useCan, useSession } from "@/lib/auth/session";
import { notify } from "@/components/notices";
import { ErrorState, Loading, PageHeader } from "@/components/states";
import { Button, Card } from "@/components/ui";
import { specOf, useSchedule, useUpdateSchedule, type Schedule } from "../api";
import { describeAction, describeTiming, formFromSpec } from "../form";
import { localZone, formatInZone } from "../time";
import { ScheduleEditor } from "../components/ScheduleEditor";
import { ScheduleActions } from "../components/ScheduleActions";
import { ScheduleStatus } from "../components/status";
import { FireTimes } from "../components/FirePreview";
import { RunsTable } from "../components/RunsTable";

function Definition({ schedule }: { schedule: Schedule }) {
  const spec = specOf(schedule);
  const zone = localZone();
  const row = (label: string, value: React.ReactNode) => (
    <>
      <dt className="text-slate-500">{label}</dt>
      <dd className="break-words">{value}</dd>
    </>
  );
  return (
    <dl className="grid grid-cols-[9rem_1fr] gap-x-3 gap-y-1.5 text-sm">
      {row("Status", <ScheduleStatus status={schedule.status} reason={schedule.paused_reason} />)}
      {row("When", <span className="font-mono">{describeTiming(spec)}</span>)}
      {row("Does", describeAction(spec))}
      {schedule.description && row("Description", schedule.description)}
      {row("Executions", `${schedule.executions}${typeof spec["max_executions"] === "number" ? ` of ${spec["max_executions"]}` : ""}`)}
      {row("Last fired", schedule.last_fired_at ? formatInZone(schedule.last_fired_at, zone) : "never")}
      {row("When still running", String(spec["overlap"] ?? "skip"))}
      {row("Retries", String(spec["retry_count"] ?? 0))}
      {row(
        "Definition",
        <details>
          <summary className="cursor-pointer text-xs">JSON</summary>
          <pre className="mt-1 max-h-64 overflow-auto rounded bg-slate-50 p-2 text-xs dark:bg-slate-950">{JSON.stringify(spec, null, 2)}</pre>
        </details>,
      )}
    </dl>
  );
}

export default function SchedulePage() {
  const { id = "" } = useParams();
  const query = useSchedule(id);
  const update = useUpdateSchedule(id);
  const navigate = useNavigate();
  const me = useSession((s) => s.user);
  const isAdmin = useCan("admin");
  const isMember = useCan("member");
  const [editing, setEditing] = useState(false);
  const [limit, setLimit] = useState(20);

  if (query.isPending) return <Loading what="Loading the schedule" />;
  if (query.error || !query.data) {
    const missing = query.error instanceof ApiError && query.error.status === 404;
    return (
      <>
        <PageHeader title="Schedule" />
        {missing ? (
          <Card>
            <p className="text-sm">
              This schedule does not exist, or it is not yours. <Link to="/schedules" className="text-indigo-600 underline">All schedules</Link>
            </p>
          </Card>
        ) : (
          <ErrorState error={query.error} retry={() => void query.refetch()} />
        )}
      </>
    );
  }
  const schedule = query.data;
  const spec = specOf(schedule);
  const canAct = isMember && (isAdmin || me?.id === schedule.owner_id);
  const zone = schedule.kind === "cron" ? String(spec["timezone"] ?? "UTC") : "UTC";

  return (
    <>
      <PageHeader
        title={schedule.name}
        description={<Link to="/schedules" className="text-indigo-600 underline dark:text-indigo-400">← Schedules</Link>}
        actions={
          canAct && (
            <>
              {!editing && <Button onClick={() => setEditing(true)}>Edit</Button>}
              <ScheduleActions schedule={schedule} onDeleted={() => void navigate("/schedules")} />
            </>
          )
        }
      />
      {editing && (
        <Card title="Edit schedule" className="mb-4">
          <ScheduleEditor
            initial={formFromSpec(spec, localZone())}
            submitLabel="Save changes"
            onCancel={() => setEditing(false)}
            onSave={async (body) => {
              await update.mutateAsync(body);
              notify(`Schedule ${schedule.name} saved.`);
              setEditing(false);
            }}
          />
        </Card>
      )}
      <div className="grid grid-cols-1 gap-4 xl:grid-cols-2">
        <Card title="Definition">
          <Definition schedule={schedule} />
        </Card>
        <Card title="Next fire times">
          {schedule.kind === "event" ? (
            <p className="text-sm text-slate-500">Fires when a matching event is published.</p>
          ) : schedule.status !== "active" ? (
            <p className="text-sm text-slate-500">Nothing fires while the schedule is {schedule.status}.</p>
          ) : (
            <FireTimes times={schedule.next_fire_times} zone={zone} />
          )}
        </Card>
        <Card title="Runs" className="xl:col-span-2">
          <RunsTable id={schedule.id} limit={limit} onMore={() => setLimit((l) => Math.min(200, l + 50))} />
        </Card>
      </div>
    </>
  );
}
