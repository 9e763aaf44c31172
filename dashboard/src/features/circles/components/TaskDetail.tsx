// One task: its description, competencies, resources, result and history; the actions its
// status allows (route it, accept or refuse the offer, review the submission).
import { useState } from "react";
import { Badge, Button, Card, Select, TextArea, TextInput } from "@/components/ui";
import { Empty, QueryView } from "@/components/states";
import { notify, notifyError } from "@/components/notices";
import { useTask, useTaskAction, type TaskAction } from "../api";
import { stepText, taskActions } from "../board";
import { statusTone } from "./format";
import type { CircleTask } from "../wire";

function Actions({ circle, task, canAct }: { circle: string; task: CircleTask; canAct: boolean }) {
  const action = useTaskAction(circle, task.id);
  const [verdict, setVerdict] = useState<"approve" | "changes" | "reject">("approve");
  const [note, setNote] = useState("");
  const [reason, setReason] = useState("");
  const allowed = taskActions(task.status);
  // Accept and refuse name the agent the task is offered to (the server requires it).
  const offered = task.offered_to ?? null;
  const offeredName = task.offered_to_name ?? offered ?? "the agent";
  if (!canAct || allowed.length === 0) return null;
  const run = (a: TaskAction, done: string) =>
    action.mutate(a, {
      onSuccess: () => {
        notify(done);
        setNote("");
      },
      onError: (e) => notifyError(e),
    });
  return (
    <div className="flex flex-col gap-2 border-t border-slate-100 pt-3 dark:border-slate-800">
      <div className="flex flex-wrap gap-2">
        {allowed.includes("route") && (
          <Button variant="primary" disabled={action.isPending} onClick={() => run({ action: "route" }, "Task routed.")}>
            Route to the best agent
          </Button>
        )}
        {allowed.includes("accept") && (
          <Button variant="primary" disabled={action.isPending || !offered} onClick={() => offered && run({ action: "accept", agent: offered }, `Accepted for @${offeredName}.`)}>
            Accept for @{offeredName}
          </Button>
        )}
      </div>
      {allowed.includes("refuse") && (
        <form
          aria-label="Refuse the offer"
          className="flex items-end gap-2"
          onSubmit={(e) => {
            e.preventDefault();
            if (!offered) return;
            run({ action: "refuse", agent: offered, ...(reason.trim() ? { reason: reason.trim() } : {}) }, `Refused for @${offeredName}.`);
            setReason("");
          }}
        >
          <div className="flex-1">
            <TextInput label="Reason" value={reason} onChange={(e) => setReason(e.target.value)} />
          </div>
          <Button type="submit" disabled={action.isPending || !offered}>
            Refuse for @{offeredName}
          </Button>
        </form>
      )}
      {allowed.includes("review") && (
        <form
          aria-label="Review"
          className="flex flex-col gap-2"
          onSubmit={(e) => {
            e.preventDefault();
            run({ action: "review", verdict, note: note.trim() }, "Review recorded.");
          }}
        >
          <Select label="Verdict" value={verdict} onChange={(e) => setVerdict(e.target.value as typeof verdict)}>
            <option value="approve">approve</option>
            <option value="changes">ask for changes</option>
            <option value="reject">reject</option>
          </Select>
          <TextArea label="Note" rows={2} value={note} onChange={(e) => setNote(e.target.value)} />
          <div>
            <Button type="submit" variant="primary" disabled={action.isPending}>
              Submit review
            </Button>
          </div>
        </form>
      )}
    </div>
  );
}

export function TaskDetail({ circle, id, names, canAct, onClose }: { circle: string; id: string; names: Map<string, string>; canAct: boolean; onClose: () => void }) {
  const task = useTask(circle, id);
  return (
    <Card
      title="Task"
      actions={
        <Button variant="ghost" aria-label="Close the task" onClick={onClose}>
          Close
        </Button>
      }
    >
      <QueryView query={task} what="Loading the task">
        {(t) => {
          const history = t.history;
          const assignee = t.assignee_name ?? (t.assignee_id ? names.get(t.assignee_id) : undefined);
          const offeredTo = t.offered_to_name ?? (t.offered_to ? names.get(t.offered_to) : undefined);
          const reviewer = t.reviewer_name ?? (t.reviewer_id ? names.get(t.reviewer_id) : undefined);
          return (
            <div className="flex flex-col gap-3 text-sm">
              <div>
                <h3 className="text-base font-semibold" data-testid="task-title">
                  {t.title}
                </h3>
                <p className="mt-1 flex flex-wrap items-center gap-2 text-xs text-slate-500">
                  <Badge tone={statusTone(t.status)}>{t.status.replace(/_/g, " ")}</Badge>
                  {t.priority && <span>{t.priority} priority</span>}
                  {assignee && <span>by @{assignee}</span>}
                  {offeredTo && <span>offered to @{offeredTo}</span>}
                  {reviewer && <span>reviewed by @{reviewer}</span>}
                  {t.iteration ? <span>iteration {t.iteration}</span> : null}
                </p>
              </div>
              {t.description && <p className="whitespace-pre-wrap">{t.description}</p>}
              <dl className="grid grid-cols-[max-content_1fr] gap-x-3 gap-y-1 text-xs">
                <dt className="text-slate-500">Competencies</dt>
                <dd>{t.competencies.join(", ") || "—"}</dd>
                <dt className="text-slate-500">Resources</dt>
                <dd className="font-mono">{t.resources.join(", ") || "—"}</dd>
              </dl>
              {t.result && (
                <div>
                  <h4 className="text-xs font-semibold text-slate-500 uppercase">Result</h4>
                  <p className="whitespace-pre-wrap">{t.result}</p>
                </div>
              )}
              {t.review_note && (
                <div>
                  <h4 className="text-xs font-semibold text-slate-500 uppercase">Review note</h4>
                  <p className="whitespace-pre-wrap">{t.review_note}</p>
                </div>
              )}
              <div>
                <h4 className="text-xs font-semibold text-slate-500 uppercase">History</h4>
                {history.length === 0 ? (
                  <Empty>No steps yet.</Empty>
                ) : (
                  <ol aria-label="Task history" className="mt-1 flex flex-col gap-1 text-xs">
                    {history.map((step) => (
                      <li key={step.id} className="flex gap-2">
                        <span className="shrink-0 text-slate-500">{new Date(step.created_at).toLocaleString()}</span>
                        <span>{stepText(step, names)}</span>
                      </li>
                    ))}
                  </ol>
                )}
              </div>
              <Actions circle={circle} task={t} canAct={canAct} />
            </div>
          );
        }}
      </QueryView>
    </Card>
  );
}
