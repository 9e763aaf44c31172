// Users (admins): find people by name, email, role or status; create accounts; change roles;
// disable and enable. Users are never deleted. Live: user.* events refresh the list.
import { useEffect, useState } from "react";
import { useSearchParams } from "react-router";
import type { Role } from "@/lib/auth/session";
import { useSession } from "@/lib/auth/session";
import { Empty, PageHeader } from "@/components/states";
import { Badge, Button, Card, Select, TextInput } from "@/components/ui";
import { notify, notifyError } from "@/components/notices";
import { isRole, pageRole, roles } from "../access";
import { useUpdateUser, useUserList, type UserView } from "../api";
import { userFilterActive, userFilterFromSearch, userFilterToSearch, usersQuery, type UserFilter } from "../filters";
import { AdminQueryView, RequireRole } from "../components/Access";
import { ConfirmDialog } from "@/components/confirm";
import { CreateUserDialog } from "../components/CreateUserDialog";
import { when } from "../components/format";

export default function UsersPage() {
  return (
    <RequireRole title="Users" needed={pageRole.users}>
      <Users />
    </RequireRole>
  );
}

function Users() {
  const [search, setSearch] = useSearchParams();
  const filter = userFilterFromSearch(search);
  const setFilter = (next: UserFilter) => setSearch(userFilterToSearch(next), { replace: true });
  const [creating, setCreating] = useState(false);
  // Every filter goes to the server (`?q=&role=&status=`); the search once typing pauses.
  const q = filter.q;
  const [sent, setSent] = useState(q);
  useEffect(() => {
    const timer = setTimeout(() => setSent(q), 250);
    return () => clearTimeout(timer);
  }, [q]);
  const sentFilter = { ...filter, q: sent };
  const users = useUserList(usersQuery(sentFilter));

  return (
    <>
      <PageHeader
        title="Users"
        description="Who can sign in, and with which role. Users are never deleted: disable them instead."
        actions={
          <Button variant="primary" onClick={() => setCreating(true)}>
            New user
          </Button>
        }
      />
      <Card>
        <div className="mb-4 grid grid-cols-[2fr_1fr_1fr] gap-3">
          <TextInput label="Search" type="search" placeholder="Email or name" value={filter.q} onChange={(e) => setFilter({ ...filter, q: e.target.value })} />
          <Select label="Role" value={filter.role} onChange={(e) => setFilter({ ...filter, role: isRole(e.target.value) ? e.target.value : "" })}>
            <option value="">Any role</option>
            {roles.map((r) => (
              <option key={r} value={r}>
                {r}
              </option>
            ))}
          </Select>
          <Select label="Status" value={filter.status} onChange={(e) => setFilter({ ...filter, status: e.target.value === "enabled" || e.target.value === "disabled" ? e.target.value : "" })}>
            <option value="">Any status</option>
            <option value="enabled">Enabled</option>
            <option value="disabled">Disabled</option>
          </Select>
        </div>
        <AdminQueryView query={users} needed={pageRole.users} what="Loading users">
          {({ users: shown, hasMore }) => (
            <UserTable
              users={shown}
              filter={sentFilter}
              more={hasMore ? { load: () => void users.fetchNextPage(), loading: users.isFetchingNextPage } : null}
            />
          )}
        </AdminQueryView>
      </Card>
      {creating && <CreateUserDialog onClose={() => setCreating(false)} />}
    </>
  );
}

function UserTable({ users, filter, more }: { users: UserView[]; filter: UserFilter; more: { load: () => void; loading: boolean } | null }) {
  const me = useSession((s) => s.user?.id);
  const update = useUpdateUser();
  const [disabling, setDisabling] = useState<UserView | null>(null);
  const [selfRole, setSelfRole] = useState<Role | null>(null);

  async function change(user: UserView, patch: { role?: Role; disabled?: boolean }, done: string) {
    try {
      await update.mutateAsync({ id: user.id, ...patch });
      notify(done);
    } catch (err) {
      notifyError(err);
    }
  }

  if (users.length === 0) return <Empty>{userFilterActive(filter) ? "No user matches these filters." : "No users yet."}</Empty>;
  return (
    <>
      <p className="mb-2 text-xs text-slate-500" aria-live="polite">
        {more ? `The first ${users.length} user(s)` : `${users.length} user(s)`}
        {filter.q.trim() && ` matching “${filter.q.trim()}”`}
      </p>
      <div className="overflow-x-auto">
          <table className="w-full text-left text-sm">
            <thead className="border-b border-slate-200 text-xs text-slate-500 uppercase dark:border-slate-700">
              <tr>
                <th className="py-2 pr-3 font-medium">Email</th>
                <th className="py-2 pr-3 font-medium">Name</th>
                <th className="py-2 pr-3 font-medium">Role</th>
                <th className="py-2 pr-3 font-medium">Status</th>
                <th className="py-2 pr-3 font-medium">Created</th>
                <th className="py-2 font-medium">
                  <span className="sr-only">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody className="divide-y divide-slate-100 dark:divide-slate-800">
              {users.map((user) => (
                <tr key={user.id} data-testid={`user-${user.email}`}>
                  <td className="py-2 pr-3">
                    {user.email}
                    {user.id === me && <span className="ml-1 text-xs text-slate-500">(you)</span>}
                  </td>
                  <td className="py-2 pr-3">{user.display_name}</td>
                  <td className="py-2 pr-3">
                    <select
                      aria-label={`Role of ${user.email}`}
                      value={user.role}
                      disabled={update.isPending}
                      onChange={(e) => {
                        const role = e.target.value;
                        if (!isRole(role)) return;
                        if (user.id === me) setSelfRole(role);
                        else void change(user, { role }, `${user.email} is now ${role}.`);
                      }}
                      className="rounded-md border border-slate-300 bg-white px-2 py-1 text-sm dark:border-slate-600 dark:bg-slate-900"
                    >
                      {roles.map((r) => (
                        <option key={r} value={r}>
                          {r}
                        </option>
                      ))}
                    </select>
                  </td>
                  <td className="py-2 pr-3">
                    <Badge tone={user.disabled ? "failed" : "completed"}>{user.disabled ? "disabled" : "enabled"}</Badge>
                  </td>
                  <td className="py-2 pr-3 text-slate-500">{when(user.created_at)}</td>
                  <td className="py-2 text-right">
                    {user.disabled ? (
                      <Button onClick={() => void change(user, { disabled: false }, `${user.email} can sign in again.`)} disabled={update.isPending}>
                        Enable
                      </Button>
                    ) : (
                      <Button variant="ghost" onClick={() => setDisabling(user)} disabled={update.isPending}>
                        Disable
                      </Button>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
      </div>
      {more && (
        <div className="mt-3">
          <Button onClick={more.load} disabled={more.loading}>
            {more.loading ? "Loading…" : "Load more"}
          </Button>
        </div>
      )}
      {selfRole && me && (
        <ConfirmDialog
          title={`Make yourself ${selfRole}?`}
          confirmLabel="Change my role"
          busy={update.isPending}
          onCancel={() => setSelfRole(null)}
          onConfirm={() => {
            const role = selfRole;
            setSelfRole(null);
            const self = users.find((u) => u.id === me);
            if (self) void change(self, { role }, `You are now ${role}.`);
          }}
        >
          You will lose the administration pages at once, and only another admin can give them back.
        </ConfirmDialog>
      )}
      {disabling && (
        <ConfirmDialog
          title={`Disable ${disabling.email}?`}
          confirmLabel="Disable"
          busy={update.isPending}
          onCancel={() => setDisabling(null)}
          onConfirm={() => {
            const user = disabling;
            setDisabling(null);
            void change(user, { disabled: true }, `${user.email} is disabled.`);
          }}
        >
          They cannot sign in, their sessions end now and their API keys stop working. Enabling them again lets them sign in with their password.
        </ConfirmDialog>
      )}
    </>
  );
}
