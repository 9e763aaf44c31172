// One agent: its settings (edited by its owner or an admin), and a chat with it.
import { useState } from "react";
import { Link, useNavigate, useParams } from "react-router";
import { ApiError } from "@/lib/api/errors";
import { useCan, useSession } from "@/lib/auth/session";
import { Badge, Button, Card } from "@/components/ui";
import { ErrorState, Loading, PageHeader } from "@/components/states";
import { ConfirmDialog } from "@/components/confirm";
import { notify, notifyError } from "@/components/notices";
import { useAgent, useDeleteAgent, useUpdateAgent, type Agent, type AgentPatch } from "../api";
import { AgentForm } from "../components/AgentForm";
import { ChatPanel } from "../components/ChatPanel";

function Settings({ agent }: { agent: Agent }) {
  const rows: [string, React.ReactNode][] = [
    ["Persona", <Link key="p" to={`/personas/${agent.persona_id}`} className="text-indigo-700 underline dark:text-indigo-300">{agent.persona_name}</Link>],
    ["Model", <span key="m" className="font-mono">{agent.model}</span>],
    ["Tools", agent.tools.length ? agent.tools.join(", ") : "none"],
    ["Temperature", agent.temperature ?? "the persona's"],
    ["Max tokens", agent.max_tokens ?? "the server's default"],
    ["Max tool rounds", agent.max_tool_iterations],
    ["Memory budget", agent.memory_budget_tokens === 0 ? "none (no memories in the prompt)" : `${agent.memory_budget_tokens} tokens`],
    ["Memory threshold", agent.memory_threshold],
    ["Extract memories", agent.extract_memories ? "yes, after each turn" : "no"],
    [
      "Memories",
      <Link key="mem" to={`/memory?scope=agent&scope_id=${agent.id}`} className="text-indigo-700 underline dark:text-indigo-300">
        The agent&apos;s memories
      </Link>,
    ],
    ["Status", <Badge key="s" tone={agent.status === "active" ? "completed" : "cancelled"}>{agent.status}</Badge>],
    ["Updated", new Date(agent.updated_at).toLocaleString()],
  ];
  return (
    <>
      <dl className="grid grid-cols-[8rem_1fr_8rem_1fr] gap-x-3 gap-y-1.5 text-sm">
        {rows.map(([k, v]) => (
          <div key={k} className="contents">
            <dt className="text-slate-500">{k}</dt>
            <dd>{v}</dd>
          </div>
        ))}
      </dl>
      {agent.prompt_addition && (
        <div className="mt-3">
          <div className="text-sm text-slate-500">Prompt addition</div>
          <pre className="mt-1 rounded bg-slate-50 p-2 text-xs whitespace-pre-wrap dark:bg-slate-800">{agent.prompt_addition}</pre>
        </div>
      )}
    </>
  );
}

export default function AgentPage() {
  const { id = "" } = useParams();
  const agent = useAgent(id);
  const isAdmin = useCan("admin");
  const canChat = useCan("member");
  const me = useSession((s) => s.user?.id);
  const navigate = useNavigate();
  const update = useUpdateAgent(id);
  const remove = useDeleteAgent();
  const [editing, setEditing] = useState(false);
  const [confirming, setConfirming] = useState(false);

  if (agent.isPending) return <Loading what="Loading the agent" />;
  if (agent.error || !agent.data) {
    const gone = agent.error instanceof ApiError && agent.error.status === 404;
    return (
      <>
        <PageHeader title="Agent" />
        {gone ? <ErrorState error={new Error("There is no such agent (it may have been deleted).")} /> : <ErrorState error={agent.error} retry={() => void agent.refetch()} />}
        <Link to="/agents" className="mt-3 inline-block text-sm text-indigo-700 underline dark:text-indigo-300">
          All agents
        </Link>
      </>
    );
  }
  const a = agent.data;
  const mayEdit = isAdmin || a.owner_id === me;

  return (
    <>
      <PageHeader
        title={a.name}
        description={
          <>
            <Link to="/agents" className="underline">
              Agents
            </Link>{" "}
            / {a.name}: {a.persona_name} on {a.model}
          </>
        }
        actions={
          mayEdit &&
          !editing && (
            <>
              <Button onClick={() => setEditing(true)}>Edit</Button>
              <Button variant="danger" onClick={() => setConfirming(true)}>
                Delete
              </Button>
            </>
          )
        }
      />
      <div className="flex flex-col gap-4">
        <Card title="Settings">
          {editing ? (
            <AgentForm
              agent={a}
              busy={update.isPending}
              error={update.error}
              onCancel={() => {
                update.reset();
                setEditing(false);
              }}
              onSubmit={(body) =>
                update.mutate(body as AgentPatch, {
                  onSuccess: () => {
                    notify("Agent saved.");
                    setEditing(false);
                  },
                  onError: (e) => notifyError(e),
                })
              }
            />
          ) : (
            <Settings agent={a} />
          )}
        </Card>
        <Card title="Chat">
          <ChatPanel agent={a} canChat={canChat} />
        </Card>
      </div>
      {confirming && (
        <ConfirmDialog
          title={`Delete agent ${a.name}?`}
          busy={remove.isPending}
          onCancel={() => setConfirming(false)}
          onConfirm={() =>
            remove.mutate(a.id, {
              onSuccess: () => {
                notify(`Agent ${a.name} deleted.`);
                void navigate("/agents");
              },
              onError: (e) => {
                setConfirming(false);
                notifyError(e);
              },
            })
          }
        >
          Its conversations stay; the agent cannot be brought back.
        </ConfirmDialog>
      )}
    </>
  );
}
