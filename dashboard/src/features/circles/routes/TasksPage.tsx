// A circle's task board: tasks by status, live; participants create tasks and act on them
// (route, accept, refuse, review); the conflicts found between tasks.
import { useState } from "react";
import { useParams, useSearchParams } from "react-router";
import { Button, Card, Select, TextArea, TextInput } from "@/components/ui";
import { Empty, QueryView } from "@/components/states";
import { notify, notifyError } from "@/components/notices";
import { useConflicts, useCreateTask, useTasks, type CircleDetail } from "../api";
import { parseList, type Abilities } from "../access";
import { CircleFrame } from "../components/CircleFrame";
import { TaskBoard } from "../components/TaskBoard";
import { TaskDetail } from "../components/TaskDetail";
import { taskPriorities, type TaskPriority } from "../wire";

function NewTaskForm({ circle, onDone }: { circle: string; onDone: () => void }) {
  const create = useCreateTask(circle);
  const [title, setTitle] = useState("");
  const [description, setDescription] = useState("");
  const [competencies, setCompetencies] = useState("");
  const [priority, setPriority] = useState<TaskPriority>("medium");
  const [resources, setResources] = useState("");
  return (
    <form
      aria-label="New task"
      className="mb-4 flex flex-col gap-3 rounded-md border border-slate-200 p-3 dark:border-slate-700"
      onSubmit={(e) => {
        e.preventDefault();
        if (!title.trim()) return;
        create.mutate(
          { title: title.trim(), description: description.trim(), competencies: parseList(competencies), priority, resources: parseList(resources) },
          {
            onSuccess: (t) => {
              notify(`Task “${t.title}” created.`);
              onDone();
            },
            onError: (e) => notifyError(e),
          },
        );
      }}
    >
      <TextInput label="Title" required value={title} onChange={(e) => setTitle(e.target.value)} />
      <TextArea label="Description" rows={3} value={description} onChange={(e) => setDescription(e.target.value)} />
      <div className="grid grid-cols-3 gap-3">
        <TextInput label="Competencies" placeholder="rust, sql" hint="Comma-separated." value={competencies} onChange={(e) => setCompetencies(e.target.value)} />
        <Select label="Priority" value={priority} onChange={(e) => setPriority(e.target.value as TaskPriority)}>
          {taskPriorities.map((p) => (
            <option key={p}>{p}</option>
          ))}
        </Select>
        <TextInput label="Resources" placeholder="src/main.rs" hint="Files or resources it touches, comma-separated." value={resources} onChange={(e) => setResources(e.target.value)} />
      </div>
      <div className="flex gap-2">
        <Button type="submit" variant="primary" disabled={!title.trim() || create.isPending}>
          Create task
        </Button>
        <Button onClick={onDone}>Cancel</Button>
      </div>
    </form>
  );
}

function Conflicts({ circle, names }: { circle: string; names: Map<string, string> }) {
  const conflicts = useConflicts(circle);
  return (
    <Card title="Conflicts">
      <QueryView query={conflicts} what="Loading conflicts">
        {(list) =>
          list.length === 0 ? (
            <Empty>No conflicts detected.</Empty>
          ) : (
            <ul aria-label="Conflicts" className="divide-y divide-slate-100 text-sm dark:divide-slate-800">
              {list.map((c) => {
                const agents = c.agent_ids.map((id) => names.get(id) ?? id);
                return (
                  <li key={c.id} className="py-1.5">
                    <span className="font-mono">{c.resource}</span>
                    {agents.length > 0 && <span> · {agents.map((a) => `@${a}`).join(", ")}</span>}
                    {c.resolved_at ? <span className="ml-2 text-xs text-green-700 dark:text-green-300">resolved</span> : <span className="ml-2 text-xs text-amber-700 dark:text-amber-300">open</span>}
                    <span className="ml-2 text-xs text-slate-500">{new Date(c.detected_at).toLocaleString()}</span>
                  </li>
                );
              })}
            </ul>
          )
        }
      </QueryView>
    </Card>
  );
}

function Board({ circle, can }: { circle: CircleDetail; can: Abilities }) {
  const tasks = useTasks(circle.name);
  const [params, setParams] = useSearchParams();
  const selected = params.get("task");
  const [creating, setCreating] = useState(false);
  const names = new Map(circle.agents.map((a) => [a.agent_id, a.name]));
  const open = (id: string | null) =>
    setParams((p) => {
      if (id) p.set("task", id);
      else p.delete("task");
      return p;
    });
  return (
    <div className="flex flex-col gap-4">
      <Card
        title="Tasks"
        actions={
          can.participate &&
          !creating && (
            <Button variant="primary" onClick={() => setCreating(true)}>
              New task
            </Button>
          )
        }
      >
        {creating && <NewTaskForm circle={circle.name} onDone={() => setCreating(false)} />}
        <QueryView query={tasks} what="Loading tasks">
          {(list) => (list.length === 0 && !creating ? <Empty>No tasks yet.{can.participate ? " Create one with New task." : ""}</Empty> : <TaskBoard tasks={list} names={names} selected={selected} onOpen={open} />)}
        </QueryView>
      </Card>
      {selected && <TaskDetail circle={circle.name} id={selected} names={names} canAct={can.participate} onClose={() => open(null)} />}
      <Conflicts circle={circle.name} names={names} />
    </div>
  );
}

export default function TasksPage() {
  const { name = "" } = useParams();
  return <CircleFrame name={name}>{(c, can) => <Board circle={c} can={can} />}</CircleFrame>;
}
