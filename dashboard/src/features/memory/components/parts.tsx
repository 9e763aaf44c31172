// The small pieces every memory view shows: its scope (with a link to the agent or the
// conversation's agent), its provenance, its links to other memories, and the badges.
import { Link } from "react-router";
import { useSession } from "@/lib/auth/session";
import { Badge } from "@/components/ui";
import type { Memory, MemoryLink, Scope } from "../api";
import { provenance, shortId } from "../model";
import { conversationTitle, type Directory } from "../names";

const scopeTone: Record<Scope, string> = {
  user: "bg-sky-100 text-sky-800 dark:bg-sky-900 dark:text-sky-200",
  agent: "bg-violet-100 text-violet-800 dark:bg-violet-900 dark:text-violet-200",
  conversation: "bg-teal-100 text-teal-800 dark:bg-teal-900 dark:text-teal-200",
  circle: "bg-amber-100 text-amber-800 dark:bg-amber-900 dark:text-amber-200",
  global: "bg-slate-200 text-slate-800 dark:bg-slate-700 dark:text-slate-100",
};

export const linkClass = "text-indigo-600 underline hover:text-indigo-500 dark:text-indigo-400";

/** An agent by name (linked to its page), or its short id when it is not known here. */
function AgentRef({ id, directory }: { id: string; directory: Directory }) {
  const agent = directory.agents.get(id);
  return (
    <Link to={`/agents/${id}`} className={linkClass} title={id}>
      {agent ? agent.name : shortId(id)}
    </Link>
  );
}

/** A conversation by title, linked to the page of its (first) agent, where it can be reopened. */
function ConversationRef({ id, directory }: { id: string; directory: Directory }) {
  const conversation = directory.conversations.get(id);
  const agent = conversation?.agent_ids[0];
  const label = conversation ? conversationTitle(conversation) : shortId(id);
  if (!agent) return <span title={id}>{label}</span>;
  return (
    <Link to={`/agents/${agent}`} className={linkClass} title={id}>
      {label}
    </Link>
  );
}

function UserRef({ id }: { id: string }) {
  const me = useSession((s) => s.user?.id);
  return <span title={id}>{id === me ? "you" : shortId(id)}</span>;
}

/** The scope, and which user, agent, conversation or circle it belongs to. */
export function ScopeLabel({ memory, directory }: { memory: Pick<Memory, "scope" | "scope_id">; directory: Directory }) {
  const id = memory.scope_id;
  return (
    <span className="inline-flex items-center gap-1 text-xs">
      <span className={`rounded px-1.5 py-0.5 font-medium ${scopeTone[memory.scope]}`}>{memory.scope}</span>
      {id && memory.scope === "agent" && <AgentRef id={id} directory={directory} />}
      {id && memory.scope === "conversation" && <ConversationRef id={id} directory={directory} />}
      {id && memory.scope === "user" && <UserRef id={id} />}
      {id && memory.scope === "circle" && <span title={id}>{shortId(id)}</span>}
    </span>
  );
}

/** Where the memory came from: conversation, message, run, user, agent. */
export function ProvenanceList({ memory, directory }: { memory: Pick<Memory, "source" | "created_by" | "created_by_agent">; directory: Directory }) {
  const entries = provenance(memory);
  if (entries.length === 0) return <span className="text-xs text-slate-500">No provenance recorded.</span>;
  return (
    <dl className="flex flex-wrap gap-x-3 gap-y-1 text-xs" aria-label="Provenance">
      {entries.map((e) => (
        <div key={e.kind} className="flex gap-1">
          <dt className="text-slate-500">{e.label}</dt>
          <dd>
            {e.kind === "agent" ? (
              <AgentRef id={e.id} directory={directory} />
            ) : e.kind === "conversation" ? (
              <ConversationRef id={e.id} directory={directory} />
            ) : e.kind === "user" ? (
              <UserRef id={e.id} />
            ) : (
              <span title={e.id} className="font-mono">
                {shortId(e.id)}
              </span>
            )}
          </dd>
        </div>
      ))}
    </dl>
  );
}

const linkWords: Record<MemoryLink["kind"], [string, string]> = {
  duplicate_of: ["duplicate of", "duplicated by"],
  supersedes: ["supersedes", "superseded by"],
};

/** Links to other memories, read from this memory's side (`memory_id` is this one, or the target is). */
export function MemoryLinks({ memory }: { memory: Pick<Memory, "id" | "links"> }) {
  if (!memory.links?.length) return null;
  return (
    <ul className="flex flex-wrap gap-2 text-xs" aria-label="Links">
      {memory.links.map((link) => {
        const outgoing = link.memory_id === memory.id;
        const other = outgoing ? link.target_id : link.memory_id;
        const words = linkWords[link.kind] ?? [link.kind, link.kind];
        return (
          <li key={`${link.kind}-${link.memory_id}-${link.target_id}`}>
            <span className="text-slate-500">{outgoing ? words[0] : words[1]}</span>{" "}
            <Link to={`/memory/${other}`} className={`font-mono ${linkClass}`} title={other}>
              {shortId(other)}
            </Link>
            {link.similarity != null && <span className="text-slate-500"> ({link.similarity.toFixed(2)})</span>}
          </li>
        );
      })}
    </ul>
  );
}

/** Type, importance, version, embedded or not, deleted, tags. */
export function MemoryBadges({ memory }: { memory: Memory }) {
  return (
    <span className="flex flex-wrap items-center gap-1">
      <Badge>{memory.type}</Badge>
      <Badge>importance {memory.importance.toFixed(2)}</Badge>
      <Badge>v{memory.version}</Badge>
      {memory.embedded ? <Badge tone="completed">embedded</Badge> : <Badge tone="pending">not embedded yet</Badge>}
      {memory.deleted_at && <Badge tone="failed">deleted</Badge>}
      {memory.tags.map((tag) => (
        <span key={tag} className="rounded-full border border-slate-300 px-1.5 text-xs text-slate-600 dark:border-slate-600 dark:text-slate-300">
          #{tag}
        </span>
      ))}
    </span>
  );
}
