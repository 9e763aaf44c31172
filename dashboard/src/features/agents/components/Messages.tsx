// How a conversation reads: the user's messages, the agent's answers, and each tool call with
// its result as a step between them. Used for stored messages and for the turn streaming now.
import type { ReactNode } from "react";
import type { StoredMessage } from "../api";
import type { RecalledMemory, ToolStep } from "../turn";
import { Recalled } from "./Recalled";

export function Bubble({ who, children, testId }: { who: "user" | "assistant"; children: ReactNode; testId?: string }) {
  const mine = who === "user";
  return (
    <div className={`flex ${mine ? "justify-end" : "justify-start"}`}>
      <div
        data-testid={testId}
        className={`max-w-[80%] rounded-lg px-3 py-2 text-sm whitespace-pre-wrap ${mine ? "bg-indigo-600 text-white" : "bg-slate-100 text-slate-900 dark:bg-slate-800 dark:text-slate-100"}`}
      >
        <span className="sr-only">{mine ? "You: " : "Agent: "}</span>
        {children}
      </div>
    </div>
  );
}

export function Step({ step }: { step: ToolStep }) {
  const state = step.ok === undefined ? "running" : step.ok ? "ok" : "failed";
  return (
    <div data-testid="tool-step" className="rounded-md border border-slate-200 px-3 py-2 text-xs dark:border-slate-700">
      <div className="flex items-center gap-2">
        <span className="font-semibold">Tool</span>
        <span className="font-mono">{step.name}</span>
        <span className={state === "failed" ? "text-red-600 dark:text-red-400" : state === "ok" ? "text-green-700 dark:text-green-400" : "text-slate-500"}>{state}</span>
      </div>
      {step.arguments && <pre className="mt-1 overflow-x-auto whitespace-pre-wrap text-slate-600 dark:text-slate-300">{step.arguments}</pre>}
      {step.result !== undefined && (
        <details className="mt-1">
          <summary className="cursor-pointer text-slate-500">Result</summary>
          <pre className="mt-1 overflow-x-auto whitespace-pre-wrap">{step.result}</pre>
        </details>
      )}
    </div>
  );
}

type WireCall = { id?: unknown; name?: unknown; arguments?: unknown };

/**
 * Stored messages as bubbles and steps: an assistant's tool calls meet their tool results. Under
 * a user's message, the memories its turn was given: stored with the message (`recalled`), or
 * from `recalls` (by message id) for a turn of this visit.
 */
export function StoredMessages({ messages, recalls = {} }: { messages: StoredMessage[]; recalls?: Readonly<Record<string, RecalledMemory[]>> }) {
  const results = new Map<string, StoredMessage>();
  for (const m of messages) if (m.role === "tool" && m.tool_call_id) results.set(m.tool_call_id, m);
  const shown = new Set<string>();
  const out: ReactNode[] = [];
  for (const m of messages) {
    if (m.role === "user") {
      out.push(
        <Bubble key={m.id} who="user" testId="user-message">
          {m.content}
        </Bubble>,
      );
      const used = m.recalled.length ? m.recalled : recalls[m.id];
      if (used?.length) out.push(<Recalled key={`${m.id}-recalled`} memories={used} />);
    } else if (m.role === "assistant") {
      for (const raw of m.tool_calls as WireCall[]) {
        const id = String(raw.id ?? "");
        const result = results.get(id);
        if (result) shown.add(result.id);
        out.push(
          <Step
            key={`${m.id}-${id}`}
            step={{
              id,
              name: String(raw.name ?? "?"),
              arguments: typeof raw.arguments === "string" ? raw.arguments : JSON.stringify(raw.arguments ?? ""),
              ...(result ? { ok: !result.tool_error, result: result.content } : {}),
            }}
          />,
        );
      }
      if (m.content || m.tool_calls.length === 0) {
        out.push(
          <Bubble key={m.id} who="assistant" testId="assistant-message">
            {m.content || <em className="text-slate-500">(no text{m.finish ? `: ${m.finish}` : ""})</em>}
          </Bubble>,
        );
      }
    } else if (m.role === "tool" && !shown.has(m.id)) {
      out.push(<Step key={m.id} step={{ id: m.tool_call_id ?? m.id, name: m.tool_name ?? "tool", arguments: "", ok: !m.tool_error, result: m.content }} />);
    }
  }
  return <>{out}</>;
}
