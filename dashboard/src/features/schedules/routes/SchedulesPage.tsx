// Schedules: every schedule the user may see with its kind, next fire time, status and last
// outcome (the list's `last_run`: no request per row), live; members create them (with a preview of the next fire times) and pause,
// resume, trigger or delete them. The caller's notifications sit beside the list.
import { useState } from "react";
import { Link } from "react-router";
import { useCan } from "@/lib/auth/session";
import { notify } from "@/components/notices";
import { Empty, PageHeader, QueryView } from "@/components/states";
import { Button, Card } from "@/components/ui";
import { useCreateSchedule, useSchedules, specOf, type Schedule } from "../api";
import { describeAction, describeTiming, emptyForm } from "../form";
import { localZone, relative, formatInZone } from "../time";
import { ScheduleEditor } from "../components/ScheduleEditor";
import { ScheduleActions } from "../components/ScheduleActions";
import { RunStatus, ScheduleStatus } from "../components/status";
import { NotificationsPanel } from "../components/NotificationsPanel";

/** The schedule's most recent run, as the list reports it (`null`: it never ran). */
function LastOutcome({ run }: { run: Schedule["last_run"] }) {
  if (!run) return <span className="text-slate-400">no runs yet</span>;
  return (
    <span className="inline-flex items-center gap-1" title={`${run.trigger} run`}>
      <RunStatus status={run.status} />
      <time dateTime={run.scheduled_for} className="text-xs text-slate-500">
        {relative(run.scheduled_for)}
      </time>
    </span>
  );
}

function Row({ schedule, canAct }: { schedule: Schedule; canAct: boolean }) {
  const spec = specOf(schedule);
  return (
    <tr className="align-top">
      <td className="py-2 pr-3">
        <Link to={`/schedules/${schedule.id}`} className="font-medium text-indigo-700 underline dark:text-indigo-300">
          {schedule.name}
        </Link>
        <div className="text-xs text-slate-500">{describeAction(spec)}</div>
      </td>
      <td className="py-2 pr-3">
        <div>{schedule.kind}</div>
        <div className="font-mono text-xs text-slate-500">{describeTiming(spec)}</div>
      </td>
      <td className="py-2 pr-3 tabular-nums">
        {schedule.next_fire_at && schedule.status === "active" ? (
          <>
            <time dateTime={schedule.next_fire_at}>{formatInZone(schedule.next_fire_at, localZone())}</time>
            <div className="text-xs text-slate-500">{relative(schedule.next_fire_at)}</div>
          </>
        ) : (
          <span className="text-slate-400">{schedule.kind === "event" ? "on events" : "—"}</span>
        )}
      </td>
      <td className="py-2 pr-3">
        <ScheduleStatus status={schedule.status} reason={schedule.paused_reason} />
      </td>
      <td className="py-2 pr-3">
        <LastOutcome run={schedule.last_run} />
      </td>
      {canAct && (
        <td className="py-2">
          <ScheduleActions schedule={schedule} />
        </td>
      )}
    </tr>
  );
}

export default function SchedulesPage() {
  const schedules = useSchedules();
  const canCreate = useCan("member");
  const [creating, setCreating] = useState(false);
  const create = useCreateSchedule();

  return (
    <>
      <PageHeader
        title="Schedules"
        description="Actions fired by cron, at intervals, once, or on events. Every occurrence runs exactly once."
        actions={
          canCreate && !creating ? (
            <Button variant="primary" onClick={() => setCreating(true)}>
              New schedule
            </Button>
          ) : undefined
        }
      />
      {creating && (
        <Card title="New schedule" className="mb-4">
          <ScheduleEditor
            initial={emptyForm(localZone())}
            submitLabel="Create schedule"
            onCancel={() => setCreating(false)}
            onSave={async (body) => {
              const schedule = await create.mutateAsync(body);
              notify(`Schedule ${schedule.name} created.`);
              setCreating(false);
            }}
          />
        </Card>
      )}
      <div className="grid grid-cols-1 gap-4 xl:grid-cols-[1fr_22rem]">
        <Card title="All schedules">
          <QueryView query={schedules} what="Loading schedules">
            {(page) =>
              page.items.length === 0 ? (
                <Empty>{canCreate ? "No schedules yet. Create one to fire an action on a timetable or an event." : "No schedules of yours."}</Empty>
              ) : (
                <div className="overflow-x-auto">
                  <table aria-label="Schedules" className="w-full text-left text-sm">
                    <thead className="text-xs text-slate-500 uppercase">
                      <tr>
                        <th className="py-1 pr-3 font-medium">Name</th>
                        <th className="py-1 pr-3 font-medium">Kind</th>
                        <th className="py-1 pr-3 font-medium">Next fire</th>
                        <th className="py-1 pr-3 font-medium">Status</th>
                        <th className="py-1 pr-3 font-medium">Last outcome</th>
                        {canCreate && <th className="py-1 font-medium">Actions</th>}
                      </tr>
                    </thead>
                    <tbody className="divide-y divide-slate-100 dark:divide-slate-800">
                      {page.items.map((s) => (
                        <Row key={s.id} schedule={s} canAct={canCreate} />
                      ))}
                    </tbody>
                  </table>
                </div>
              )
            }
          </QueryView>
        </Card>
        <NotificationsPanel />
      </div>
    </>
  );
}
