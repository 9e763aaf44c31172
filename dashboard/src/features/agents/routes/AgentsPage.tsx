// Agents: every agent, searchable; members and admins create one from a persona, a chat model
// and tools; the owner or an admin deletes one (after a confirmation).
import { useState } from "react";
import { Link, useNavigate, useSearchParams } from "react-router";
import { useSession, useCan } from "@/lib/auth/session";
import { Badge, Button, Card, TextInput } from "@/components/ui";
import { Empty, PageHeader, QueryView } from "@/components/states";
import { ConfirmDialog } from "@/components/confirm";
import { notify, notifyError } from "@/components/notices";
import { useDebounced } from "@/lib/useDebounced";
import { useAgents, useCreateAgent, useDeleteAgent, type Agent, type NewAgent } from "../api";
import { AgentForm } from "../components/AgentForm";

export default function AgentsPage() {
  const canCreate = useCan("member");
  const isAdmin = useCan("admin");
  const me = useSession((s) => s.user?.id);
  const navigate = useNavigate();
  const [params, setParams] = useSearchParams();
  const q = params.get("q") ?? "";
  const creating = params.get("new") !== null;
  const agents = useAgents(useDebounced(q));
  const create = useCreateAgent();
  const remove = useDeleteAgent();
  const [doomed, setDoomed] = useState<Agent | null>(null);

  const setQuery = (value: string) =>
    setParams(
      (p) => {
        if (value) p.set("q", value);
        else p.delete("q");
        return p;
      },
      { replace: true },
    );
  const setCreating = (on: boolean) =>
    setParams((p) => {
      if (on) p.set("new", "");
      else p.delete("new");
      return p;
    });

  return (
    <>
      <PageHeader
        title="Agents"
        description="Agents answer as a persona, on a model, with the tools they are granted."
        actions={
          canCreate &&
          !creating && (
            <Button variant="primary" onClick={() => setCreating(true)}>
              New agent
            </Button>
          )
        }
      />
      {creating && canCreate && (
        <Card title="New agent" className="mb-4">
          <AgentForm
            initialPersonaId={params.get("persona") ?? undefined}
            busy={create.isPending}
            error={create.error}
            onCancel={() => {
              create.reset();
              setCreating(false);
            }}
            onSubmit={(body) =>
              create.mutate(body as NewAgent, {
                onSuccess: (agent) => {
                  notify(`Agent ${agent.name} created.`);
                  void navigate(`/agents/${agent.id}`);
                },
                onError: (e) => notifyError(e),
              })
            }
          />
        </Card>
      )}
      <Card>
        <div className="mb-3 w-80">
          <TextInput label="Search agents" type="search" placeholder="Name or persona" value={q} onChange={(e) => setQuery(e.target.value)} />
        </div>
        <QueryView query={agents} what="Loading agents">
          {(list) => {
            const shown = list;
            if (list.length === 0 && q.trim()) return <Empty>No agent matches “{q}”.</Empty>;
            if (list.length === 0) return <Empty>No agents yet.{canCreate ? " Create one from a persona with New agent." : ""}</Empty>;
            return (
              <table className="w-full text-left text-sm">
                <thead className="text-xs text-slate-500 uppercase">
                  <tr>
                    <th className="py-1.5">Name</th>
                    <th>Persona</th>
                    <th>Model</th>
                    <th>Tools</th>
                    <th>Status</th>
                    <th>
                      <span className="sr-only">Actions</span>
                    </th>
                  </tr>
                </thead>
                <tbody className="divide-y divide-slate-100 dark:divide-slate-800">
                  {shown.map((a) => (
                    <tr key={a.id}>
                      <td className="py-1.5">
                        <Link to={`/agents/${a.id}`} className="font-medium text-indigo-700 underline-offset-2 hover:underline dark:text-indigo-300">
                          {a.name}
                        </Link>
                      </td>
                      <td>{a.persona_name}</td>
                      <td className="font-mono text-xs">{a.model}</td>
                      <td className="text-xs">{a.tools.length ? a.tools.join(", ") : <span className="text-slate-400">none</span>}</td>
                      <td>
                        <Badge tone={a.status === "active" ? "completed" : "cancelled"}>{a.status}</Badge>
                      </td>
                      <td className="text-right">
                        {(isAdmin || a.owner_id === me) && (
                          <Button variant="ghost" aria-label={`Delete agent ${a.name}`} onClick={() => setDoomed(a)}>
                            Delete
                          </Button>
                        )}
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            );
          }}
        </QueryView>
      </Card>
      {doomed && (
        <ConfirmDialog
          title={`Delete agent ${doomed.name}?`}
          busy={remove.isPending}
          onCancel={() => setDoomed(null)}
          onConfirm={() =>
            remove.mutate(doomed.id, {
              onSuccess: () => {
                notify(`Agent ${doomed.name} deleted.`);
                setDoomed(null);
              },
              onError: (e) => {
                notifyError(e);
                setDoomed(null);
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
