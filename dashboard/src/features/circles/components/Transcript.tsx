// The transcript: stored messages (speaker, kind, status, tokens) and the turns in progress,
// streaming, with their tool steps.
import { useEffect, useRef } from "react";
import { Badge } from "@/components/ui";
import { Empty } from "@/components/states";
import { tokensOf, type InProgress, type LiveTranscript } from "../transcript";
import type { DiscussionMessage } from "../wire";

const kindStyle: Record<string, string> = {
  prompt: "border-l-slate-400 bg-slate-50 dark:bg-slate-800/50",
  agent: "border-l-indigo-400 bg-white dark:bg-slate-900",
  person: "border-l-emerald-500 bg-emerald-50 dark:bg-emerald-950/40",
  system: "border-l-amber-400 bg-amber-50 dark:bg-amber-950/40",
  summary: "border-l-violet-500 bg-violet-50 dark:bg-violet-950/40",
};

function Message({ m }: { m: DiscussionMessage }) {
  const tokens = tokensOf(m);
  return (
    <li data-testid="discussion-message" data-kind={m.kind} className={`rounded-md border border-l-4 border-slate-200 p-3 dark:border-slate-800 ${kindStyle[m.kind] ?? kindStyle["agent"]}`}>
      <div className="mb-1 flex flex-wrap items-center gap-2 text-xs text-slate-500">
        <span className="font-semibold text-slate-800 dark:text-slate-100" data-testid="message-speaker">
          {m.kind === "agent" || m.kind === "person" ? `@${m.speaker}` : m.speaker || m.kind}
        </span>
        <Badge>{m.kind}</Badge>
        {m.turn !== null && m.turn !== undefined && <span>turn {m.turn}</span>}
        {m.status === "timed_out" && <Badge tone="waiting">timed out</Badge>}
        {m.status === "failed" && <Badge tone="failed">failed</Badge>}
        {tokens !== null && <span>{tokens} tokens</span>}
        {m.model && <span className="font-mono">{m.model}</span>}
        {m.latency_ms !== null && m.latency_ms !== undefined && <span>{(m.latency_ms / 1000).toFixed(1)} s</span>}
      </div>
      <p className="text-sm whitespace-pre-wrap" data-testid="message-content">
        {m.content || (m.status === "timed_out" ? <em className="text-slate-500">No answer in time.</em> : "")}
      </p>
    </li>
  );
}

function Streaming({ turn }: { turn: InProgress }) {
  return (
    <li data-testid="streaming" aria-live="off" className="rounded-md border border-l-4 border-dashed border-slate-300 border-l-indigo-500 p-3 dark:border-slate-700">
      <div className="mb-1 flex items-center gap-2 text-xs text-slate-500">
        <span className="font-semibold text-slate-800 dark:text-slate-100">@{turn.speaker}</span>
        <span>turn {turn.turn}</span>
        <span className="inline-flex items-center gap-1">
          <span className="h-2 w-2 animate-pulse rounded-full bg-indigo-500" aria-hidden />
          writing
        </span>
        {turn.recalled > 0 && <span>recalled {turn.recalled} memories</span>}
      </div>
      {turn.tools.length > 0 && (
        <ul aria-label="Tool steps" className="mb-1 flex flex-col gap-1 text-xs">
          {turn.tools.map((t) => (
            <li key={t.id} className="font-mono">
              {t.name}({t.arguments}) {t.ok === undefined ? "…" : t.ok ? "✓" : "✗"}
              {t.result && <span className="ml-1 text-slate-500">{t.result.slice(0, 200)}</span>}
            </li>
          ))}
        </ul>
      )}
      <p className="text-sm whitespace-pre-wrap" data-testid="streaming-text">
        {turn.text}
      </p>
    </li>
  );
}

export function Transcript({ state }: { state: LiveTranscript }) {
  const box = useRef<HTMLDivElement>(null);
  const streams = Object.values(state.streams).sort((a, b) => a.turn - b.turn);
  const size = state.messages.length + streams.reduce((n, s) => n + s.text.length, 0);
  // Follows the newest words while the reader is at the bottom.
  useEffect(() => {
    const el = box.current;
    if (el && el.scrollHeight - el.scrollTop - el.clientHeight < 120) el.scrollTop = el.scrollHeight;
  }, [size]);
  if (state.messages.length === 0 && streams.length === 0) return <Empty>Nothing said yet.</Empty>;
  return (
    <div ref={box} className="max-h-[60vh] overflow-y-auto pr-1">
      <ol aria-label="Transcript" className="flex flex-col gap-2">
        {state.messages.map((m) => (
          <Message key={m.seq} m={m} />
        ))}
        {streams.map((t) => (
          <Streaming key={t.turn} turn={t} />
        ))}
      </ol>
    </div>
  );
}
