// A circle's people: role and handle (how they are addressed: @handle); owners add someone
// (admins pick from the users, others paste a user id), change or remove them; anyone but the
// last owner may leave.
import { useState } from "react";
import { useNavigate } from "react-router";
import { useCan, useSession } from "@/lib/auth/session";
import { Badge, Button, Card, Select, TextInput } from "@/components/ui";
import { Empty } from "@/components/states";
import { ConfirmButton } from "@/components/confirm";
import { notify, notifyError } from "@/components/notices";
import { personRoles, usePutPerson, useRemovePerson, useUsers, type CircleDetail, type PersonMember, type PersonRole } from "../api";
import { mayLeave } from "../access";

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function EditRow({ circle, member, onDone }: { circle: string; member: PersonMember; onDone: () => void }) {
  const put = usePutPerson(circle);
  const [role, setRole] = useState<PersonRole>(member.role);
  const [handle, setHandle] = useState(member.handle);
  return (
    <tr>
      <td colSpan={4} className="py-2">
        <form
          aria-label={`Change ${member.display_name}`}
          className="grid grid-cols-[1fr_1fr_auto] items-end gap-2"
          onSubmit={(e) => {
            e.preventDefault();
            put.mutate(
              { userId: member.user_id, body: { role, handle: handle.trim() || null } },
              {
                onSuccess: () => {
                  notify(`${member.display_name} changed.`);
                  onDone();
                },
                onError: (e) => notifyError(e),
              },
            );
          }}
        >
          <Select label="Role" value={role} onChange={(e) => setRole(e.target.value as PersonRole)}>
            {personRoles.map((r) => (
              <option key={r}>{r}</option>
            ))}
          </Select>
          <TextInput label="Handle" value={handle} onChange={(e) => setHandle(e.target.value)} />
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

function AddPerson({ circle }: { circle: CircleDetail }) {
  const isAdmin = useCan("admin");
  const users = useUsers(isAdmin);
  const put = usePutPerson(circle.name);
  const [userId, setUserId] = useState("");
  const [role, setRole] = useState<PersonRole>("participant");
  const [handle, setHandle] = useState("");
  const inCircle = new Set(circle.people.map((p) => p.user_id));
  const candidates = (users.data ?? []).filter((u) => !inCircle.has(u.id) && !u.disabled);
  const id = userId.trim();
  const badId = !isAdmin && id !== "" && !UUID.test(id);
  return (
    <form
      aria-label="Add a person"
      className="mt-3 grid grid-cols-[2fr_1fr_1fr_auto] items-end gap-2 border-t border-slate-100 pt-3 dark:border-slate-800"
      onSubmit={(e) => {
        e.preventDefault();
        if (!id || badId) return;
        put.mutate(
          { userId: id, body: { role, ...(handle.trim() ? { handle: handle.trim() } : {}) } },
          {
            onSuccess: (p) => {
              notify(`${p.display_name} added as @${p.handle}.`);
              setUserId("");
              setHandle("");
            },
            onError: (e) => notifyError(e),
          },
        );
      }}
    >
      {isAdmin ? (
        <Select label="Person" value={userId} onChange={(e) => setUserId(e.target.value)} disabled={users.isPending}>
          <option value="">{users.isPending ? "Loading…" : candidates.length ? "Choose a user" : "No user to add"}</option>
          {candidates.map((u) => (
            <option key={u.id} value={u.id}>
              {u.display_name} ({u.email})
            </option>
          ))}
        </Select>
      ) : (
        <TextInput label="User id" placeholder="0193…" value={userId} error={badId ? "A user id is a UUID." : undefined} onChange={(e) => setUserId(e.target.value)} />
      )}
      <Select label="Role" value={role} onChange={(e) => setRole(e.target.value as PersonRole)}>
        {personRoles.map((r) => (
          <option key={r}>{r}</option>
        ))}
      </Select>
      <TextInput label="Handle" placeholder="from their name" value={handle} onChange={(e) => setHandle(e.target.value)} />
      <Button type="submit" variant="primary" disabled={!id || badId || put.isPending}>
        Add person
      </Button>
    </form>
  );
}

export function PeopleMembers({ circle, canManage }: { circle: CircleDetail; canManage: boolean }) {
  const me = useSession((s) => s.user?.id);
  const navigate = useNavigate();
  const [editing, setEditing] = useState<string | null>(null);
  const remove = useRemovePerson(circle.name);
  const canLeave = !circle.archived_at && mayLeave(circle.people, me);
  return (
    <Card
      title={`People (${circle.people.length})`}
      actions={
        canLeave && (
          <ConfirmButton
            label="Leave circle"
            question={`Leave circle ${circle.name}?`}
            confirmLabel="Leave"
            onConfirm={() =>
              me &&
              remove.mutate(me, {
                onSuccess: () => {
                  notify(`You left ${circle.name}.`);
                  void navigate("/circles");
                },
                onError: (e) => notifyError(e),
              })
            }
          />
        )
      }
    >
      {circle.people.length === 0 ? (
        <Empty>No people in this circle.</Empty>
      ) : (
        <table className="w-full text-left text-sm" aria-label="People">
          <thead className="text-xs text-slate-500 uppercase">
            <tr>
              <th className="py-1.5">Person</th>
              <th>Handle</th>
              <th>Role</th>
              <th>
                <span className="sr-only">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody className="divide-y divide-slate-100 dark:divide-slate-800">
            {circle.people.map((p) =>
              editing === p.user_id ? (
                <EditRow key={p.user_id} circle={circle.name} member={p} onDone={() => setEditing(null)} />
              ) : (
                <tr key={p.user_id}>
                  <td className="py-1.5">
                    {p.display_name}
                    {p.user_id === me && <span className="ml-1 text-xs text-slate-500">(you)</span>}
                  </td>
                  <td className="font-mono text-xs">@{p.handle}</td>
                  <td>
                    <Badge tone={p.role === "owner" ? "running" : undefined}>{p.role}</Badge>
                  </td>
                  <td className="text-right whitespace-nowrap">
                    {canManage && (
                      <>
                        <Button variant="ghost" aria-label={`Change ${p.display_name}`} onClick={() => setEditing(p.user_id)}>
                          Change
                        </Button>
                        {p.user_id !== me && (
                          <ConfirmButton
                            label="Remove"
                            question={`Remove ${p.display_name}?`}
                            confirmLabel="Remove"
                            onConfirm={() =>
                              remove.mutate(p.user_id, {
                                onSuccess: () => notify(`${p.display_name} removed.`),
                                onError: (e) => notifyError(e),
                              })
                            }
                          />
                        )}
                      </>
                    )}
                  </td>
                </tr>
              ),
            )}
          </tbody>
        </table>
      )}
      {canManage && <AddPerson circle={circle} />}
    </Card>
  );
}
