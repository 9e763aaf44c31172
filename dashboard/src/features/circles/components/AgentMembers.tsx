// A circle's agents: role, competencies and what they review; owners add one of their own
// agents (admins: any), change or remove one.
import { useState } from "react";
import { Link } from "react-router";
import { useCan, useSession } from "@/lib/auth/session";
import { Badge, Button, Card, Select, TextInput } from "@/components/ui";
import { Empty } from "@/components/states";
import { ConfirmButton } from "@/components/confirm";
import { notify, notifyError } from "@/components/notices";
import { agentRoles, useAddableAgents, usePutAgent, useRemoveAgent, type AgentMember, type AgentRole, type CircleDetail } from "../api";
import { parseList } from "../access";

function List({ items }: { items: string[] }) {
  if (items.length === 0) return <span className="text-slate-400">any</span>;
  return <span className="text-xs">{items.join(", ")}</span>;
}

function MembershipFields({ role, competencies, reviews, onRole, onCompetencies, onReviews }: { role: AgentRole; competencies: string; reviews: string; onRole: (r: AgentRole) => void; onCompetencies: (s: string) => void; onReviews: (s: string) => void }) {
  return (
    <>
      <Select label="Role" value={role} onChange={(e) => onRole(e.target.value as AgentRole)}>
        {agentRoles.map((r) => (
          <option key={r}>{r}</option>
        ))}
      </Select>
      <TextInput label="Competencies" placeholder="rust, sql" title="Comma-separated" value={competencies} onChange={(e) => onCompetencies(e.target.value)} />
      <TextInput label="Reviews" placeholder="empty: anything" title="Comma-separated; empty: anything" value={reviews} onChange={(e) => onReviews(e.target.value)} />
    </>
  );
}

function EditRow({ circle, member, onDone }: { circle: string; member: AgentMember; onDone: () => void }) {
  const put = usePutAgent(circle);
  const [role, setRole] = useState<AgentRole>(member.role);
  const [competencies, setCompetencies] = useState(member.competencies.join(", "));
  const [reviews, setReviews] = useState(member.reviews.join(", "));
  return (
    <tr>
      <td colSpan={5} className="py-2">
        <form
          aria-label={`Change agent ${member.name}`}
          className="grid grid-cols-[minmax(7.5rem,1fr)_2fr_2fr_auto] items-end gap-2"
          onSubmit={(e) => {
            e.preventDefault();
            put.mutate(
              { agent: member.agent_id, body: { role, competencies: parseList(competencies), reviews: parseList(reviews) } },
              {
                onSuccess: () => {
                  notify(`Agent ${member.name} changed.`);
                  onDone();
                },
                onError: (e) => notifyError(e),
              },
            );
          }}
        >
          <MembershipFields role={role} competencies={competencies} reviews={reviews} onRole={setRole} onCompetencies={setCompetencies} onReviews={setReviews} />
          <div className="flex gap-1">
            <Button type="submit" variant="primary" disabled={put.isPending}>
              Save
            </Button>
            <Button onClick={onDone}>Cancel</Button>
          </div>
        </form>
      </td>
    </tr>
  );
}

function AddAgent({ circle }: { circle: CircleDetail }) {
  const me = useSession((s) => s.user?.id);
  const isAdmin = useCan("admin");
  const agents = useAddableAgents(me, isAdmin, true);
  const put = usePutAgent(circle.name);
  const [agent, setAgent] = useState("");
  const [role, setRole] = useState<AgentRole>("member");
  const [competencies, setCompetencies] = useState("");
  const [reviews, setReviews] = useState("");
  const inCircle = new Set(circle.agents.map((a) => a.agent_id));
  const candidates = (agents.data ?? []).filter((a) => !inCircle.has(a.id));
  return (
    <form
      aria-label="Add an agent"
      className="mt-3 grid grid-cols-[2fr_minmax(7.5rem,1fr)_2fr_2fr_auto] items-end gap-2 border-t border-slate-100 pt-3 dark:border-slate-800"
      onSubmit={(e) => {
        e.preventDefault();
        if (!agent) return;
        put.mutate(
          { agent, body: { role, competencies: parseList(competencies), reviews: parseList(reviews) } },
          {
            onSuccess: (m) => {
              notify(`Agent ${m.name} added.`);
              setAgent("");
              setCompetencies("");
              setReviews("");
            },
            onError: (e) => notifyError(e),
          },
        );
      }}
    >
      <Select label="Agent" value={agent} onChange={(e) => setAgent(e.target.value)} disabled={agents.isPending}>
        <option value="">{agents.isPending ? "Loading…" : candidates.length ? "Choose an agent" : isAdmin ? "No agent to add" : "None of your agents to add"}</option>
        {candidates.map((a) => (
          <option key={a.id} value={a.id}>
            {a.name}
          </option>
        ))}
      </Select>
      <MembershipFields role={role} competencies={competencies} reviews={reviews} onRole={setRole} onCompetencies={setCompetencies} onReviews={setReviews} />
      <Button type="submit" variant="primary" disabled={!agent || put.isPending}>
        Add agent
      </Button>
    </form>
  );
}

export function AgentMembers({ circle, canManage }: { circle: CircleDetail; canManage: boolean }) {
  const [editing, setEditing] = useState<string | null>(null);
  const remove = useRemoveAgent(circle.name);
  return (
    <Card title={`Agents (${circle.agents.length})`}>
      {circle.agents.length === 0 ? (
        <Empty>No agents in this circle yet.{canManage ? " Add one of your agents below." : ""}</Empty>
      ) : (
        <table className="w-full text-left text-sm" aria-label="Agents">
          <thead className="text-xs text-slate-500 uppercase">
            <tr>
              <th className="py-1.5">Agent</th>
              <th>Role</th>
              <th>Competencies</th>
              <th>Reviews</th>
              <th>
                <span className="sr-only">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody className="divide-y divide-slate-100 dark:divide-slate-800">
            {circle.agents.map((m) =>
              editing === m.agent_id ? (
                <EditRow key={m.agent_id} circle={circle.name} member={m} onDone={() => setEditing(null)} />
              ) : (
                <tr key={m.agent_id}>
                  <td className="py-1.5">
                    <Link to={`/agents/${m.agent_id}`} className="font-medium text-indigo-700 hover:underline dark:text-indigo-300">
                      @{m.name}
                    </Link>
                  </td>
                  <td>
                    <Badge>{m.role}</Badge>
                  </td>
                  <td>
                    <List items={m.competencies} />
                  </td>
                  <td>
                    <List items={m.reviews} />
                  </td>
                  <td className="text-right whitespace-nowrap">
                    {canManage && (
                      <>
                        <Button variant="ghost" aria-label={`Change agent ${m.name}`} onClick={() => setEditing(m.agent_id)}>
                          Change
                        </Button>
                        <ConfirmButton
                          label="Remove"
                          question={`Remove agent ${m.name}?`}
                          confirmLabel="Remove"
                          onConfirm={() =>
                            remove.mutate(m.agent_id, {
                              onSuccess: () => notify(`Agent ${m.name} removed.`),
                              onError: (e) => notifyError(e),
                            })
                          }
                        />
                      </>
                    )}
                  </td>
                </tr>
              ),
            )}
          </tbody>
        </table>
      )}
      {canManage && <AddAgent circle={circle} />}
    </Card>
  );
}
