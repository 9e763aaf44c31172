// API keys (members and admins): your own keys, created and revoked here; admins may also look
// at and revoke anyone's (GET /api/api-keys?user_id=). Live: api_key.* events refresh the list.
import { useState } from "react";
import { useSearchParams } from "react-router";
import { useCan, useSession } from "@/lib/auth/session";
import { Empty, PageHeader } from "@/components/states";
import { Badge, Button, Card, Select } from "@/components/ui";
import { notify, notifyError } from "@/components/notices";
import { pageRole } from "../access";
import { useAllUsers, useApiKeys, useRevokeApiKey, type ApiKeyView } from "../api";
import { keyState } from "../filters";
import { AdminQueryView, RequireRole } from "../components/Access";
import { ConfirmDialog } from "@/components/confirm";
import { CreateKeyDialog } from "../components/CreateKeyDialog";
import { when } from "../components/format";

export default function ApiKeysPage() {
  return (
    <RequireRole title="API keys" needed={pageRole.apiKeys}>
      <ApiKeys />
    </RequireRole>
  );
}

function ApiKeys() {
  const isAdmin = useCan("admin");
  const me = useSession((s) => s.user?.id ?? null);
  const [search, setSearch] = useSearchParams();
  const owner = isAdmin ? search.get("user") : null;
  const viewingOther = !!owner && owner !== me;
  const keys = useApiKeys(viewingOther ? owner : null);
  const [creating, setCreating] = useState(false);

  return (
    <>
      <PageHeader
        title="API keys"
        description="Keys let scripts and integrations call the API as you. Each acts with the lower of its role and your current role."
        actions={
          !viewingOther && (
            <Button variant="primary" onClick={() => setCreating(true)}>
              New API key
            </Button>
          )
        }
      />
      <Card>
        {isAdmin && <OwnerPicker owner={owner ?? me ?? ""} me={me} onChange={(id) => setSearch(id && id !== me ? { user: id } : {}, { replace: true })} />}
        <AdminQueryView query={keys} needed={pageRole.apiKeys} what="Loading keys">
          {(list) => <KeyTable keys={list} mine={!viewingOther} />}
        </AdminQueryView>
      </Card>
      {creating && <CreateKeyDialog onClose={() => setCreating(false)} />}
    </>
  );
}

/** Admins: whose keys to show (the API lists one user's keys at a time). */
function OwnerPicker({ owner, me, onChange }: { owner: string; me: string | null; onChange: (id: string) => void }) {
  const users = useAllUsers();
  return (
    <div className="mb-4 max-w-sm">
      <Select label="Whose keys" value={owner} onChange={(e) => onChange(e.target.value)} disabled={users.isPending}>
        {me && <option value={me}>Mine</option>}
        {users.data?.users
          .filter((u) => u.id !== me)
          .map((u) => (
            <option key={u.id} value={u.id}>
              {u.email}
            </option>
          ))}
      </Select>
    </div>
  );
}

function KeyTable({ keys, mine }: { keys: ApiKeyView[]; mine: boolean }) {
  const revoke = useRevokeApiKey();
  const [revoking, setRevoking] = useState<ApiKeyView | null>(null);
  const now = new Date();

  if (keys.length === 0) return <Empty>{mine ? "You have no API keys. Create one for a script or an integration." : "This user has no API keys."}</Empty>;
  return (
    <>
      <div className="overflow-x-auto">
        <table className="w-full text-left text-sm">
          <thead className="border-b border-slate-200 text-xs text-slate-500 uppercase dark:border-slate-700">
            <tr>
              <th className="py-2 pr-3 font-medium">Name</th>
              <th className="py-2 pr-3 font-medium">Prefix</th>
              <th className="py-2 pr-3 font-medium">Role</th>
              <th className="py-2 pr-3 font-medium">Created</th>
              <th className="py-2 pr-3 font-medium">Last used</th>
              <th className="py-2 pr-3 font-medium">Expires</th>
              <th className="py-2 pr-3 font-medium">Status</th>
              <th className="py-2 font-medium">
                <span className="sr-only">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody className="divide-y divide-slate-100 dark:divide-slate-800">
            {keys.map((key) => {
              const state = keyState(key, now);
              return (
                <tr key={key.id} data-testid={`api-key-${key.name}`} className={state === "active" ? "" : "text-slate-500"}>
                  <td className="py-2 pr-3 font-medium">{key.name}</td>
                  <td className="py-2 pr-3 font-mono text-xs">{key.prefix}…</td>
                  <td className="py-2 pr-3">{key.role}</td>
                  <td className="py-2 pr-3">{when(key.created_at)}</td>
                  <td className="py-2 pr-3">{when(key.last_used_at, "never")}</td>
                  <td className="py-2 pr-3">{when(key.expires_at, "never")}</td>
                  <td className="py-2 pr-3">
                    <Badge tone={state === "active" ? "completed" : state === "revoked" ? "cancelled" : "waiting"}>{state}</Badge>
                  </td>
                  <td className="py-2 text-right">
                    {state !== "revoked" && (
                      <Button variant="ghost" onClick={() => setRevoking(key)} aria-label={`Revoke ${key.name}`}>
                        Revoke
                      </Button>
                    )}
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      </div>
      {revoking && (
        <ConfirmDialog
          title={`Revoke “${revoking.name}”?`}
          confirmLabel="Revoke key"
          busy={revoke.isPending}
          onCancel={() => setRevoking(null)}
          onConfirm={() => {
            const key = revoking;
            setRevoking(null);
            revoke.mutate(key.id, { onSuccess: () => notify(`Revoked “${key.name}”.`), onError: notifyError });
          }}
        >
          Anything that uses the key {revoking.prefix}… stops working at once. This cannot be undone.
        </ConfirmDialog>
      )}
    </>
  );
}
