// Creating an API key (POST /api/api-keys): a name, a role at most yours, an expiry. The answer
// holds the secret, shown here once with a copy button; closing the dialog forgets it.
import { useState, type FormEvent } from "react";
import { ApiError, describeError } from "@/lib/api/errors";
import { roleOf, useSession, type Role } from "@/lib/auth/session";
import { Button, Select, TextInput } from "@/components/ui";
import { notify } from "@/components/notices";
import { isRole, keyRolesFor } from "../access";
import { useCreateApiKey, type CreatedApiKey } from "../api";
import { expiresAt, type Expiry } from "../filters";
import { Dialog } from "./Dialog";

export function CreateKeyDialog({ onClose }: { onClose: () => void }) {
  const myRole = useSession((s) => roleOf(s.user));
  const [name, setName] = useState("");
  const [role, setRole] = useState<Role>(myRole ?? "viewer");
  const [expiry, setExpiry] = useState<Expiry>("90");
  const [date, setDate] = useState("");
  const [errors, setErrors] = useState<{ name?: string; role?: string; expires?: string }>({});
  const [general, setGeneral] = useState<string | null>(null);
  const [created, setCreated] = useState<CreatedApiKey | null>(null);
  const create = useCreateApiKey();

  async function submit(e: FormEvent) {
    e.preventDefault();
    setGeneral(null);
    const expires = expiresAt(expiry, date, new Date());
    const local: typeof errors = {};
    if (!name.trim() || name.trim().length > 100) local.name = "1 to 100 characters";
    if (expires === null) local.expires = "Pick a day in the future";
    setErrors(local);
    if (Object.keys(local).length) return;
    try {
      const key = await create.mutateAsync({ name: name.trim(), role, ...(expires ? { expires_at: expires } : {}) });
      setCreated(key);
      create.reset(); // the secret lives only in this dialog's state from now on
    } catch (err) {
      const field = err instanceof ApiError ? err.field : undefined;
      if (field === "name" || field === "role") setErrors({ [field]: describeError(err) });
      else if (field === "expires_at") setErrors({ expires: describeError(err) });
      else setGeneral(describeError(err));
    }
  }

  if (created) return <SecretView created={created} onClose={onClose} />;

  return (
    <Dialog title="New API key" onClose={onClose}>
      <form onSubmit={(e) => void submit(e)} className="flex flex-col gap-3" noValidate>
        <TextInput label="Name" required maxLength={100} value={name} onChange={(e) => setName(e.target.value)} error={errors.name} hint="What it is for, e.g. ci or backup-script." autoFocus />
        <Select label="Role" value={role} onChange={(e) => isRole(e.target.value) && setRole(e.target.value)} error={errors.role}>
          {keyRolesFor(myRole).map((r) => (
            <option key={r} value={r}>
              {r}
            </option>
          ))}
        </Select>
        <p className="-mt-2 text-xs text-slate-500">A key acts with the lower of this role and your role at the time it is used.</p>
        <Select label="Expires" value={expiry} onChange={(e) => setExpiry(e.target.value as Expiry)} error={expiry === "date" ? undefined : errors.expires}>
          <option value="7">In 7 days</option>
          <option value="30">In 30 days</option>
          <option value="90">In 90 days</option>
          <option value="365">In a year</option>
          <option value="date">On a day…</option>
          <option value="never">Never</option>
        </Select>
        {expiry === "date" && <TextInput label="Expiry day" type="date" value={date} onChange={(e) => setDate(e.target.value)} error={errors.expires} />}
        {general && (
          <p role="alert" className="text-sm text-red-600 dark:text-red-400">
            {general}
          </p>
        )}
        <div className="flex justify-end gap-2">
          <Button onClick={onClose}>Cancel</Button>
          <Button type="submit" variant="primary" disabled={create.isPending}>
            {create.isPending ? "Creating…" : "Create key"}
          </Button>
        </div>
      </form>
    </Dialog>
  );
}

function SecretView({ created, onClose }: { created: CreatedApiKey; onClose: () => void }) {
  const [copied, setCopied] = useState(false);
  async function copy() {
    try {
      await navigator.clipboard.writeText(created.secret);
      setCopied(true);
      notify("Key copied to the clipboard.");
    } catch {
      notify("Cannot copy here: select the key and copy it yourself.", "error");
    }
  }
  return (
    <Dialog
      title={`API key “${created.name}” created`}
      onClose={onClose}
      footer={
        <Button variant="primary" onClick={onClose}>
          Done
        </Button>
      }
    >
      <p role="status" className="rounded-md bg-amber-50 p-2 text-sm font-medium text-amber-900 dark:bg-amber-950 dark:text-amber-200">
        Copy this key now: you will not see it again. The server keeps only a hash of it.
      </p>
      <div className="flex items-end gap-2">
        <div className="min-w-0 flex-1">
          <TextInput label="Your new key" readOnly value={created.secret} data-testid="api-key-secret" onFocus={(e) => e.target.select()} className="w-full rounded-md border border-slate-300 bg-slate-50 px-2 py-1.5 font-mono text-xs dark:border-slate-600 dark:bg-slate-950" />
        </div>
        <Button onClick={() => void copy()}>
          {copied ? "Copied" : "Copy key"}
        </Button>
      </div>
      <p className="text-xs text-slate-500">
        Send it as <code>Authorization: Bearer {created.prefix}…</code>. It has the role {created.role}
        {created.expires_at ? ` and stops working on ${new Date(created.expires_at).toLocaleString()}` : " and no expiry"}.
      </p>
    </Dialog>
  );
}
