// The task board's columns: tasks grouped by status, most urgent first, then oldest first.
import type { CircleTask, TaskStep } from "./wire";

export type Column = { id: string; title: string; statuses: string[] };

export const columns: Column[] = [
  { id: "open", title: "Open", statuses: ["open"] },
  { id: "offered", title: "Offered", statuses: ["offered"] },
  { id: "working", title: "In progress", statuses: ["claimed", "in_progress"] },
  { id: "review", title: "Review", statuses: ["review"] },
  { id: "changes", title: "Changes requested", statuses: ["changes_requested"] },
  { id: "done", title: "Done", statuses: ["done"] },
  { id: "blocked", title: "Blocked", statuses: ["blocked"] },
];

const urgency: Record<string, number> = { critical: 0, high: 1, medium: 2, low: 3 };

export function byUrgency(a: CircleTask, b: CircleTask): number {
  const pa = urgency[a.priority] ?? 2;
  const pb = urgency[b.priority] ?? 2;
  if (pa !== pb) return pa - pb;
  return a.created_at.localeCompare(b.created_at);
}

/** Every column with its tasks; a status no column names goes to "Open" rather than vanish. */
export function groupTasks(tasks: CircleTask[]): Record<string, CircleTask[]> {
  const groups: Record<string, CircleTask[]> = Object.fromEntries(columns.map((c) => [c.id, [] as CircleTask[]]));
  for (const task of tasks) {
    const column = columns.find((c) => c.statuses.includes(task.status)) ?? columns[0];
    if (column) groups[column.id]?.push(task);
  }
  for (const list of Object.values(groups)) list.sort(byUrgency);
  return groups;
}

/** What a person may do with a task in a status (the server decides; this only offers). */
export function taskActions(status: string): ("route" | "accept" | "refuse" | "review")[] {
  switch (status) {
    case "open":
    case "changes_requested":
    case "blocked":
      return ["route"];
    case "offered":
      return ["accept", "refuse"];
    case "review":
      return ["review"];
    default:
      return [];
  }
}

export const priorityTone: Record<string, string> = { critical: "failed", high: "waiting", medium: "running", low: "pending" };

function detailText(detail: Record<string, unknown>): string | null {
  const parts = Object.entries(detail)
    .filter(([, v]) => v !== null && v !== undefined && v !== "" && typeof v !== "object")
    .map(([k, v]) => `${k.replace(/_/g, " ")}: ${String(v)}`);
  return parts.length ? parts.join(", ") : null;
}

/** One line for a history step: what, by which agent, and its details (verdict, note, score, …). */
export function stepText(step: TaskStep, names: Map<string, string>): string {
  const who = step.agent_id ? (names.get(step.agent_id) ?? null) : null;
  return [step.step.replace(/_/g, " "), who ? `@${who}` : null, detailText(step.detail)].filter(Boolean).join(" · ");
}
