// The task board: a column per status, a card per task (priority, competencies, assignee);
// opening a card shows its detail.
import { Badge } from "@/components/ui";
import { columns, groupTasks, priorityTone } from "../board";
import type { CircleTask } from "../wire";

export function TaskBoard({ tasks, names, selected, onOpen }: { tasks: CircleTask[]; names: Map<string, string>; selected: string | null; onOpen: (id: string) => void }) {
  const groups = groupTasks(tasks);
  return (
    <div className="grid auto-cols-[minmax(11rem,1fr)] grid-flow-col gap-2 overflow-x-auto pb-2" role="list" aria-label="Task board">
      {columns.map((column) => {
        const list = groups[column.id] ?? [];
        return (
          <section key={column.id} role="listitem" aria-label={column.title} className="flex min-h-32 flex-col gap-2 rounded-md bg-slate-100 p-2 dark:bg-slate-800/60">
            <h3 className="flex items-center justify-between text-xs font-semibold text-slate-600 uppercase dark:text-slate-300">
              {column.title} <span className="font-normal">{list.length}</span>
            </h3>
            {list.map((task) => {
              const assignee = task.assignee_name ?? (task.assignee_id ? names.get(task.assignee_id) : undefined) ?? task.offered_to_name ?? (task.offered_to ? names.get(task.offered_to) : undefined);
              return (
                <button
                  key={task.id}
                  type="button"
                  data-testid="task-card"
                  aria-pressed={selected === task.id}
                  onClick={() => onOpen(task.id)}
                  className={`rounded-md border bg-white p-2 text-left text-sm shadow-sm hover:border-indigo-400 dark:bg-slate-900 ${selected === task.id ? "border-indigo-500" : "border-slate-200 dark:border-slate-700"}`}
                >
                  <span className="block font-medium">{task.title}</span>
                  <span className="mt-1 flex flex-wrap items-center gap-1 text-xs text-slate-500">
                    {task.priority && <Badge tone={priorityTone[task.priority]}>{task.priority}</Badge>}
                    {task.status === "claimed" && <Badge>claimed</Badge>}
                    {assignee && <span>@{assignee}</span>}
                    {task.competencies.map((c) => (
                      <span key={c} className="rounded bg-slate-100 px-1 dark:bg-slate-800">
                        {c}
                      </span>
                    ))}
                  </span>
                </button>
              );
            })}
          </section>
        );
      })}
    </div>
  );
}
