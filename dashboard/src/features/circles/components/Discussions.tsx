// A circle's discussions with their state, and the form that starts one: topic, prompt, mode,
// participants (agent members, in speaking order), the facilitator (facilitator and selector
// modes), limits and the summary.
import { useState } from "react";
import { Link, useNavigate } from "react-router";
import { Badge, Button, Card, Select, TextArea, TextInput } from "@/components/ui";
import { Empty, QueryView } from "@/components/states";
import { notify, notifyError } from "@/components/notices";
import { useDiscussions, useStartDiscussion, type CircleDetail } from "../api";
import { discussionModes, type DiscussionMode, type Limits, type NewDiscussion } from "../wire";
import { statusTone } from "./format";

export function DiscussionsCard({ circle, canStart }: { circle: CircleDetail; canStart: boolean }) {
  const discussions = useDiscussions(circle.name);
  const [starting, setStarting] = useState(false);
  return (
    <Card
      title="Discussions"
      actions={
        canStart &&
        !starting && (
          <Button variant="primary" onClick={() => setStarting(true)}>
            Start a discussion
          </Button>
        )
      }
    >
      {starting && <NewDiscussionForm circle={circle} onDone={() => setStarting(false)} />}
      <QueryView query={discussions} what="Loading discussions">
        {(list) =>
          list.length === 0 ? (
            <Empty>No discussions yet.{canStart ? " Start one with Start a discussion." : ""}</Empty>
          ) : (
            <ul aria-label="Discussions" className="divide-y divide-slate-100 dark:divide-slate-800">
              {list.map((d) => (
                <li key={d.id} className="flex items-center justify-between gap-3 py-2">
                  <div className="min-w-0">
                    <Link to={`/circles/${circle.name}/discussions/${d.id}`} className="font-medium text-indigo-700 hover:underline dark:text-indigo-300">
                      {d.topic}
                    </Link>
                    <p className="text-xs text-slate-500">
                      {d.mode.replace("_", " ")} · {d.turns} turns{d.tokens ? ` · ${d.tokens} tokens` : ""}
                      {d.created_at ? ` · ${new Date(d.created_at).toLocaleString()}` : ""}
                    </p>
                  </div>
                  <div className="flex shrink-0 items-center gap-1">
                    <Badge tone={statusTone(d.status)}>{d.status}</Badge>
                    {d.end_reason && <span className="text-xs text-slate-500">{d.end_reason}</span>}
                  </div>
                </li>
              ))}
            </ul>
          )
        }
      </QueryView>
    </Card>
  );
}

function NewDiscussionForm({ circle, onDone }: { circle: CircleDetail; onDone: () => void }) {
  const start = useStartDiscussion(circle.name);
  const navigate = useNavigate();
  const speakers = circle.agents.filter((a) => a.role !== "observer");
  const [topic, setTopic] = useState("");
  const [prompt, setPrompt] = useState("");
  const [mode, setMode] = useState<DiscussionMode>((circle.settings.default_mode as DiscussionMode) || "round_robin");
  const [participants, setParticipants] = useState<string[]>(speakers.map((a) => a.agent_id));
  const [facilitator, setFacilitator] = useState("");
  const [maxTurns, setMaxTurns] = useState(String(circle.settings.max_turns));
  const [timeout, setTimeoutSecs] = useState(String(circle.settings.turn_timeout_secs));
  const [summaryAgent, setSummaryAgent] = useState("");
  const [saveSummary, setSaveSummary] = useState(false);
  const needsFacilitator = mode === "facilitator" || mode === "selector";
  const toggle = (id: string, on: boolean) => setParticipants((list) => (on ? [...list.filter((x) => x !== id), id] : list.filter((x) => x !== id)));
  const invalid = !topic.trim() || participants.length === 0 || (needsFacilitator && !facilitator);

  if (speakers.length === 0) return <Empty>Add agents (other than observers) to the circle before starting a discussion.</Empty>;
  return (
    <form
      aria-label="New discussion"
      className="mb-4 flex flex-col gap-3 rounded-md border border-slate-200 p-3 dark:border-slate-700"
      onSubmit={(e) => {
        e.preventDefault();
        if (invalid) return;
        const body: NewDiscussion = {
          topic: topic.trim(),
          mode,
          participants,
          // The generated NewDiscussion leaves `limits` an open object; the Limits shape checks it.
          limits: { max_turns: Number(maxTurns), turn_timeout_secs: Number(timeout) } satisfies Partial<Limits>,
          save_summary: saveSummary,
          ...(prompt.trim() ? { prompt: prompt.trim() } : {}),
          ...(needsFacilitator && facilitator ? { facilitator } : {}),
          ...(summaryAgent ? { summary_agent: summaryAgent } : {}),
        };
        start.mutate(body, {
          onSuccess: (d) => {
            notify("Discussion started.");
            void navigate(`/circles/${circle.name}/discussions/${d.id}`);
          },
          onError: (e) => notifyError(e),
        });
      }}
    >
      <TextInput label="Topic" required value={topic} onChange={(e) => setTopic(e.target.value)} />
      <TextArea label="Prompt" rows={3} hint="The first message every participant reads; the topic when empty." value={prompt} onChange={(e) => setPrompt(e.target.value)} />
      <div className="grid grid-cols-3 gap-3">
        <Select label="Mode" value={mode} onChange={(e) => setMode(e.target.value as DiscussionMode)}>
          {discussionModes.map((m) => (
            <option key={m} value={m}>
              {m.replace("_", " ")}
            </option>
          ))}
        </Select>
        <TextInput label="Max turns" type="number" min={1} max={500} value={maxTurns} onChange={(e) => setMaxTurns(e.target.value)} />
        <TextInput label="Turn timeout (seconds)" type="number" min={1} max={3600} value={timeout} onChange={(e) => setTimeoutSecs(e.target.value)} />
      </div>
      <fieldset className="flex flex-col gap-1">
        <legend className="text-sm font-medium text-slate-700 dark:text-slate-300">Participants</legend>
        <p className="text-xs text-slate-500">In the order they are ticked: the speaking order. Observers do not speak.</p>
        <div className="flex flex-wrap gap-3">
          {speakers.map((a) => (
            <label key={a.agent_id} className="flex items-center gap-1 text-sm">
              <input type="checkbox" checked={participants.includes(a.agent_id)} onChange={(e) => toggle(a.agent_id, e.target.checked)} />@{a.name}
              <span className="text-xs text-slate-500">({a.role})</span>
            </label>
          ))}
        </div>
      </fieldset>
      <div className="grid grid-cols-3 gap-3">
        {needsFacilitator && (
          <Select label={mode === "selector" ? "Selector" : "Facilitator"} value={facilitator} error={!facilitator ? "Required in this mode." : undefined} onChange={(e) => setFacilitator(e.target.value)}>
            <option value="">Choose an agent</option>
            {(mode === "facilitator" ? speakers.filter((a) => participants.includes(a.agent_id)) : circle.agents).map((a) => (
              <option key={a.agent_id} value={a.agent_id}>
                @{a.name}
              </option>
            ))}
          </Select>
        )}
        <Select label="Summary agent" value={summaryAgent} onChange={(e) => setSummaryAgent(e.target.value)}>
          <option value="">None (a plain digest)</option>
          {circle.agents.map((a) => (
            <option key={a.agent_id} value={a.agent_id}>
              @{a.name}
            </option>
          ))}
        </Select>
        <label className="flex items-center gap-2 self-end text-sm">
          <input type="checkbox" checked={saveSummary} onChange={(e) => setSaveSummary(e.target.checked)} />
          Save the summary as a circle memory
        </label>
      </div>
      <div className="flex gap-2">
        <Button type="submit" variant="primary" disabled={invalid || start.isPending}>
          Start
        </Button>
        <Button onClick={onDone}>Cancel</Button>
      </div>
    </form>
  );
}
