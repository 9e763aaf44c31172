// What participants do in a discussion: post a message, pause, resume, stop, choose the next
// speaker (when it waits for a choice, or as an override), continue a finished one.
import { useState } from "react";
import { Button, Card, Select, TextArea, TextInput } from "@/components/ui";
import { notify, notifyError } from "@/components/notices";
import { useDiscussionAction, type DiscussionAction } from "../api";
import { isFinished } from "../transcript";
import type { Discussion } from "../wire";

function useAct(circle: string, id: string) {
  const action = useDiscussionAction(circle, id);
  const act = (a: DiscussionAction, done: string, after?: () => void) =>
    action.mutate(a, {
      onSuccess: () => {
        notify(done);
        after?.();
      },
      onError: (e) => notifyError(e),
    });
  return { act, busy: action.isPending };
}

export function StateControls({ circle, discussion }: { circle: string; discussion: Discussion }) {
  const { act, busy } = useAct(circle, discussion.id);
  const finished = isFinished(discussion.status);
  if (finished) return null;
  return (
    <div className="flex gap-2" role="group" aria-label="Discussion controls">
      {discussion.status === "paused" ? (
        <Button onClick={() => act({ action: "resume" }, "Discussion resumed.")} disabled={busy}>
          Resume
        </Button>
      ) : (
        <Button onClick={() => act({ action: "pause" }, "Discussion paused.")} disabled={busy}>
          Pause
        </Button>
      )}
      <Button variant="danger" onClick={() => act({ action: "stop" }, "Discussion stopped.")} disabled={busy}>
        Stop
      </Button>
    </div>
  );
}

export function SpeakerChoice({ circle, discussion }: { circle: string; discussion: Discussion }) {
  const { act, busy } = useAct(circle, discussion.id);
  const [agent, setAgent] = useState("");
  const waiting = discussion.status === "waiting" && discussion.waiting_for === "speaker";
  const participants = discussion.participants;
  if (isFinished(discussion.status)) return null;
  return (
    <form
      aria-label="Next speaker"
      className={`flex items-end gap-2 rounded-md p-2 ${waiting ? "border border-amber-400 bg-amber-50 dark:bg-amber-950/40" : ""}`}
      onSubmit={(e) => {
        e.preventDefault();
        if (agent) act({ action: "speaker", agent }, "Next speaker chosen.", () => setAgent(""));
      }}
    >
      <div className="flex-1">
        <Select label={waiting ? "Choose who speaks next" : "Next speaker (override)"} value={agent} onChange={(e) => setAgent(e.target.value)}>
          <option value="">Choose an agent</option>
          {participants.map((a) => (
            <option key={a.agent_id} value={a.agent_id}>
              @{a.name}
            </option>
          ))}
        </Select>
      </div>
      <Button type="submit" variant={waiting ? "primary" : "secondary"} disabled={!agent || busy}>
        Let them speak
      </Button>
    </form>
  );
}

export function PostMessage({ circle, discussion }: { circle: string; discussion: Discussion }) {
  const { act, busy } = useAct(circle, discussion.id);
  const [content, setContent] = useState("");
  const send = () => {
    if (content.trim()) act({ action: "messages", content: content.trim() }, "Message posted.", () => setContent(""));
  };
  if (isFinished(discussion.status)) return null;
  return (
    <form
      aria-label="Post a message"
      className="flex flex-col gap-2"
      onSubmit={(e) => {
        e.preventDefault();
        send();
      }}
    >
      <TextArea
        label="Your message"
        rows={2}
        placeholder="Address an agent with @name. Ctrl+Enter sends."
        value={content}
        onChange={(e) => setContent(e.target.value)}
        onKeyDown={(e) => {
          if (e.key === "Enter" && (e.ctrlKey || e.metaKey)) {
            e.preventDefault();
            send();
          }
        }}
      />
      <div>
        <Button type="submit" variant="primary" disabled={!content.trim() || busy}>
          Post
        </Button>
      </div>
    </form>
  );
}

export function ContinueForm({ circle, discussion }: { circle: string; discussion: Discussion }) {
  const { act, busy } = useAct(circle, discussion.id);
  const [turns, setTurns] = useState("4");
  const [prompt, setPrompt] = useState("");
  if (!isFinished(discussion.status)) return null;
  return (
    <Card title="Continue">
      <form
        aria-label="Continue the discussion"
        className="grid grid-cols-[8rem_1fr_auto] items-end gap-2"
        onSubmit={(e) => {
          e.preventDefault();
          act({ action: "continue", ...(Number(turns) > 0 ? { turns: Number(turns) } : {}), ...(prompt.trim() ? { prompt: prompt.trim() } : {}) }, "Discussion continued.", () => setPrompt(""));
        }}
      >
        <TextInput label="More turns" type="number" min={1} max={500} value={turns} onChange={(e) => setTurns(e.target.value)} />
        <TextInput label="New prompt" placeholder="optional" value={prompt} onChange={(e) => setPrompt(e.target.value)} />
        <Button type="submit" variant="primary" disabled={busy}>
          Continue
        </Button>
      </form>
    </Card>
  );
}
