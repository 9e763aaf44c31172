// A discussion, live: the transcript with the turn in progress streaming, who speaks now, its
// state and limits; participants post, pause, resume, stop, choose the next speaker and continue
// a finished discussion; the summary once there is one.
import { useParams } from "react-router";
import { Badge, Card } from "@/components/ui";
import { ErrorState, Loading, QueryView } from "@/components/states";
import { useDiscussion, type CircleDetail } from "../api";
import type { Abilities } from "../access";
import { CircleFrame } from "../components/CircleFrame";
import { Transcript } from "../components/Transcript";
import { ContinueForm, PostMessage, SpeakerChoice, StateControls } from "../components/Controls";
import { statusTone } from "../components/format";
import { useLiveDiscussion } from "../useLiveDiscussion";
import type { Discussion } from "../wire";

function Live({ circle, discussion, can }: { circle: CircleDetail; discussion: Discussion; can: Abilities }) {
  const { state, messages } = useLiveDiscussion(circle.name, discussion.id);
  const speaking = state.speaking;
  const waitingPerson = discussion.waiting_for?.startsWith("person:") ? discussion.waiting_for.slice("person:".length) : null;
  const waitingName = waitingPerson ? (circle.people.find((p) => p.user_id === waitingPerson)?.handle ?? "a person") : null;
  const limits = discussion.limits;
  return (
    <div className="flex flex-col gap-4">
      <Card>
        <div className="flex flex-wrap items-start justify-between gap-3">
          <div className="min-w-0">
            <h2 className="text-lg font-semibold">{discussion.topic}</h2>
            <p className="mt-1 flex flex-wrap items-center gap-2 text-sm text-slate-600 dark:text-slate-400">
              <Badge tone={statusTone(discussion.status)}>
                <span data-testid="discussion-status">{discussion.status}</span>
              </Badge>
              {discussion.end_reason && <span data-testid="end-reason">ended: {discussion.end_reason.replace("_", " ")}</span>}
              <span>{discussion.mode.replace("_", " ")}</span>
              <span>
                {discussion.turns}
                {limits.max_turns ? ` / ${limits.max_turns}` : ""} turns
              </span>
              {discussion.tokens ? <span>{discussion.tokens} tokens</span> : null}
              <span>with {discussion.participants.map((p) => `@${p.name}`).join(", ")}</span>
            </p>
          </div>
          {can.participate && <StateControls circle={circle.name} discussion={discussion} />}
        </div>
        <div aria-live="polite" className="mt-3 text-sm">
          {speaking ? (
            <p data-testid="speaker" className="inline-flex items-center gap-2 rounded-full bg-indigo-100 px-3 py-1 text-indigo-900 dark:bg-indigo-900 dark:text-indigo-100">
              <span className="h-2 w-2 animate-pulse rounded-full bg-indigo-500" aria-hidden />
              <span>
                <strong>@{speaking.speaker}</strong> is speaking (turn {speaking.turn}
                {speaking.reason ? `, ${speaking.reason}` : ""})
              </span>
            </p>
          ) : discussion.status === "waiting" && discussion.waiting_for === "speaker" ? (
            <p className="text-amber-700 dark:text-amber-300">Waiting for a person to choose the next speaker.</p>
          ) : waitingName ? (
            <p className="text-amber-700 dark:text-amber-300">Waiting for @{waitingName} to answer.</p>
          ) : discussion.status === "paused" ? (
            <p className="text-slate-500">Paused.</p>
          ) : null}
        </div>
      </Card>
      <Card title="Transcript">
        {messages.isPending && state.messages.length === 0 ? (
          <Loading what="Loading the transcript" />
        ) : messages.error && state.messages.length === 0 ? (
          <ErrorState error={messages.error} retry={() => void messages.refetch()} />
        ) : (
          <Transcript state={state} />
        )}
        {can.participate && (
          <div className="mt-4 flex flex-col gap-3 border-t border-slate-100 pt-3 dark:border-slate-800">
            <SpeakerChoice circle={circle.name} discussion={discussion} />
            <PostMessage circle={circle.name} discussion={discussion} />
          </div>
        )}
      </Card>
      {discussion.summary && (
        <Card title="Summary">
          <p className="text-sm whitespace-pre-wrap" data-testid="summary">
            {discussion.summary}
          </p>
          {discussion.summary_memory_id && <p className="mt-2 text-xs text-slate-500">Saved as a circle memory.</p>}
        </Card>
      )}
      {can.participate && <ContinueForm circle={circle.name} discussion={discussion} />}
    </div>
  );
}

function DiscussionView({ circle, id, can }: { circle: CircleDetail; id: string; can: Abilities }) {
  const discussion = useDiscussion(circle.name, id);
  return <QueryView query={discussion} what="Loading the discussion">{(d) => <Live circle={circle} discussion={d} can={can} />}</QueryView>;
}

export default function DiscussionPage() {
  const { name = "", id = "" } = useParams();
  return <CircleFrame name={name}>{(c, can) => <DiscussionView circle={c} id={id} can={can} />}</CircleFrame>;
}
