// Chat with an agent: past conversations on the left (reopen one to read and continue it), the
// transcript, and the turn streaming now, token by token, with its tool steps.
import { useEffect, useRef, useState, type FormEvent } from "react";
import { useQueryClient } from "@tanstack/react-query";
import { describeError } from "@/lib/api/errors";
import { Button, TextArea, TextInput } from "@/components/ui";
import { Empty, ErrorState, Loading } from "@/components/states";
import { notifyError } from "@/components/notices";
import { conversationKeys, useConversations, useMessages, type Agent } from "../api";
import { chatStream } from "../chat";
import { applyTurnEvent, startTurn, type LiveTurn, type RecalledMemory } from "../turn";
import { Bubble, Step, StoredMessages } from "./Messages";
import { Recalled } from "./Recalled";

export function ChatPanel({ agent, canChat }: { agent: Agent; canChat: boolean }) {
  const client = useQueryClient();
  const conversations = useConversations(agent.id);
  const [conversationId, setConversationId] = useState<string | null>(null);
  const messages = useMessages(conversationId);
  const [turn, setTurn] = useState<LiveTurn | null>(null);
  // How many stored messages were shown when the turn began: those after it are the live turn's.
  const [base, setBase] = useState(0);
  const [draft, setDraft] = useState("");
  // The memories each turn of this visit was given, by the id of the user's message. Stored
  // messages do not carry them (the server records them but does not serve them back).
  const [recalls, setRecalls] = useState<Record<string, RecalledMemory[]>>({});
  const [maxTokens, setMaxTokens] = useState("");
  const abort = useRef<AbortController | null>(null);
  const transcript = useRef<HTMLDivElement>(null);

  useEffect(() => () => abort.current?.abort(), []);
  useEffect(() => {
    // Keep the transcript at its end as the answer grows (the transcript only, not the page).
    const box = transcript.current;
    if (box) box.scrollTop = box.scrollHeight;
  }, [turn?.text, turn?.steps.length, messages.data?.length]);

  const busy = turn !== null && (turn.status === "sending" || turn.status === "queued" || turn.status === "streaming");

  const open = (id: string | null) => {
    if (busy) return;
    setTurn(null);
    setConversationId(id);
  };

  const send = async (e: FormEvent) => {
    e.preventDefault();
    const message = draft.trim();
    if (!message || busy) return;
    const controller = new AbortController();
    abort.current = controller;
    const continuing = conversationId;
    setBase(continuing ? (messages.data?.length ?? 0) : 0);
    setTurn(startTurn(message, continuing));
    setDraft("");
    let current = startTurn(message, continuing);
    try {
      const limit = Number(maxTokens);
      for await (const event of chatStream(
        agent.id,
        { message, ...(continuing ? { conversation_id: continuing } : {}), ...(maxTokens.trim() && limit > 0 ? { max_tokens: limit } : {}) },
        controller.signal,
      )) {
        current = applyTurnEvent(current, event);
        setTurn(current);
        if (event.type === "recalled" && current.questionId) {
          const key = current.questionId;
          setRecalls((r) => ({ ...r, [key]: event.memories }));
        }
        if (event.type === "started" && !continuing) setConversationId(event.conversation_id);
      }
      if (current.status !== "completed" && current.status !== "error") {
        current = { ...current, status: "error", error: "The stream ended before the answer did." };
        setTurn(current);
      }
    } catch (error) {
      if (controller.signal.aborted) {
        current = { ...current, status: "error", error: "Stopped." };
      } else {
        notifyError(error);
        current = { ...current, status: "error", error: describeError(error) };
      }
      setTurn(current);
    } finally {
      abort.current = null;
    }
    // The stored transcript replaces the live turn once it is read back.
    await client.invalidateQueries({ queryKey: conversationKeys.forAgent(agent.id) });
    if (current.conversationId) await client.invalidateQueries({ queryKey: conversationKeys.messages(current.conversationId) });
    if (current.status === "completed") setTurn(null);
  };

  const stored = messages.data ?? [];
  // The live turn shows until its stored messages are read back (then `turn` is cleared).
  const live = turn !== null && turn.status !== "error";
  const visible = live ? stored.slice(0, base) : stored;

  return (
    <div className="grid min-h-[28rem] grid-cols-[14rem_1fr] gap-4">
      <nav aria-label="Conversations" className="flex flex-col gap-2 border-r border-slate-200 pr-3 dark:border-slate-800">
        <Button onClick={() => open(null)} disabled={busy} variant={conversationId === null ? "primary" : "secondary"}>
          New conversation
        </Button>
        <h3 className="mt-2 text-xs font-semibold text-slate-500 uppercase">History</h3>
        {conversations.isPending ? (
          <Loading what="Loading conversations" />
        ) : conversations.error ? (
          <ErrorState error={conversations.error} retry={() => void conversations.refetch()} />
        ) : conversations.data?.length === 0 ? (
          <p className="text-sm text-slate-500">No conversations yet.</p>
        ) : (
          <ul className="flex flex-col gap-1" data-testid="conversation-history">
            {conversations.data?.map((c) => (
              <li key={c.id}>
                <button
                  type="button"
                  disabled={busy}
                  aria-current={c.id === conversationId ? "true" : undefined}
                  onClick={() => open(c.id)}
                  className={`w-full rounded-md px-2 py-1.5 text-left text-sm ${c.id === conversationId ? "bg-indigo-50 text-indigo-800 dark:bg-indigo-950 dark:text-indigo-200" : "hover:bg-slate-100 dark:hover:bg-slate-800"}`}
                >
                  <span className="line-clamp-2">{c.title || "(untitled)"}</span>
                  <span className="block text-xs text-slate-500">
                    {c.message_count} messages · {new Date(c.updated_at).toLocaleString()}
                  </span>
                </button>
              </li>
            ))}
          </ul>
        )}
      </nav>
      <section aria-label="Conversation" className="flex min-w-0 flex-col gap-3">
        <div ref={transcript} className="flex max-h-[32rem] min-h-[16rem] flex-col gap-2 overflow-y-auto rounded-md border border-slate-200 p-3 dark:border-slate-800" data-testid="transcript">
          {conversationId && messages.isPending && !live ? (
            <Loading what="Loading messages" />
          ) : conversationId && messages.error ? (
            <ErrorState error={messages.error} retry={() => void messages.refetch()} />
          ) : (
            <>
              {visible.length === 0 && !turn && <Empty>{canChat ? "Say something to start a conversation." : "Pick a conversation to read it."}</Empty>}
              <StoredMessages messages={visible} recalls={recalls} />
            </>
          )}
          {turn && live && (
            <>
              <Bubble who="user">{turn.message}</Bubble>
              <Recalled memories={turn.recalled} />
              {turn.steps.map((s) => (
                <Step key={s.id} step={s} />
              ))}
              {turn.text && (
                <Bubble who="assistant" testId="live-answer">
                  {turn.text}
                </Bubble>
              )}
              {busy && (
                <p role="status" data-testid="streaming" className="flex items-center gap-2 text-xs text-slate-500">
                  <span className="h-2 w-2 animate-pulse rounded-full bg-indigo-500" aria-hidden />
                  {turn.status === "queued" ? `Waiting for the agent (${turn.ahead} ahead)…` : turn.status === "sending" ? "Sending…" : "Answering…"}
                </p>
              )}
            </>
          )}
          {turn?.status === "error" && (
            <p role="alert" className="text-sm text-red-700 dark:text-red-300">
              {turn.error}
            </p>
          )}
        </div>
        {canChat ? (
          <form onSubmit={(e) => void send(e)} className="flex flex-col gap-2" aria-label="Send a message">
            <TextArea
              label="Message"
              rows={3}
              value={draft}
              onChange={(e) => setDraft(e.target.value)}
              onKeyDown={(e) => {
                if (e.key === "Enter" && (e.ctrlKey || e.metaKey)) void send(e);
              }}
              hint="Ctrl+Enter sends."
              disabled={agent.status !== "active"}
            />
            <div className="flex items-end gap-2">
              <div className="w-40">
                <TextInput label="Max tokens (this turn)" type="number" min={1} max={32768} value={maxTokens} onChange={(e) => setMaxTokens(e.target.value)} />
              </div>
              <Button type="submit" variant="primary" disabled={busy || !draft.trim() || agent.status !== "active"}>
                Send
              </Button>
              {busy && <Button onClick={() => abort.current?.abort()}>Stop</Button>}
              {agent.status !== "active" && <span className="text-sm text-slate-500">This agent is disabled.</span>}
            </div>
          </form>
        ) : (
          <p className="text-sm text-slate-500">Viewers read conversations; members and admins chat.</p>
        )}
      </section>
    </div>
  );
}
