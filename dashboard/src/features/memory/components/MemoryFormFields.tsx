// The memory form: for a new memory its scope and whose it is (you; one of your agents; one of
// your conversations; global for admins), and for both new and edited ones the type, content,
// importance, tags and expiry. A server error naming a field shows under it.
import { useState, type FormEvent } from "react";
import { roleOf, useSession } from "@/lib/auth/session";
import { ApiError } from "@/lib/api/errors";
import { Button, Select, TextArea, TextInput } from "@/components/ui";
import { ErrorState } from "@/components/states";
import { memoryTypes, type MemoryType, type Scope } from "../api";
import { emptyForm, formErrors, writableScopes, type FormErrors, type MemoryForm } from "../model";
import { conversationTitle, useConversationList } from "../names";
import { useAgents } from "@/features/agents/api";

type Props = {
  initial?: MemoryForm;
  /** Editing keeps the scope: only a new memory picks one. */
  editing?: boolean;
  busy: boolean;
  error: unknown;
  submitLabel: string;
  onSubmit: (form: MemoryForm) => void;
  onCancel: () => void;
};

const fieldOf: Record<string, keyof FormErrors> = { content: "content", importance: "importance", scope_id: "scopeId", expires_at: "expiresAt" };

export function MemoryFormFields({ initial = emptyForm, editing = false, busy, error, submitLabel, onSubmit, onCancel }: Props) {
  const user = useSession((s) => s.user);
  const [form, setForm] = useState<MemoryForm>(initial);
  const [shown, setShown] = useState<FormErrors>({});
  const set = (patch: Partial<MemoryForm>) => setForm((f) => ({ ...f, ...patch }));

  const serverField = error instanceof ApiError && error.field ? fieldOf[error.field] : undefined;
  const errors: FormErrors = { ...shown, ...(serverField && error instanceof ApiError ? { [serverField]: error.message } : {}) };

  function submit(e: FormEvent) {
    e.preventDefault();
    const found = formErrors(form, user?.id ?? null);
    setShown(found);
    if (Object.keys(found).length === 0) onSubmit(form);
  }

  return (
    <form onSubmit={submit} className="flex flex-col gap-3" aria-label={editing ? "Edit memory" : "New memory"} noValidate>
      {!editing && (
        <div className="grid grid-cols-2 gap-3">
          <Select label="Scope" value={form.scope} onChange={(e) => set({ scope: e.target.value as Scope, scopeId: "" })}>
            {writableScopes(roleOf(user)).map((s) => (
              <option key={s} value={s}>
                {s}
              </option>
            ))}
          </Select>
          <ScopeTarget scope={form.scope} value={form.scopeId} error={errors.scopeId} onChange={(scopeId) => set({ scopeId })} />
        </div>
      )}
      <TextArea label="Content" rows={4} value={form.content} error={errors.content} onChange={(e) => set({ content: e.target.value })} />
      <div className="grid grid-cols-4 gap-3">
        <Select label="Type" value={form.type} onChange={(e) => set({ type: e.target.value as MemoryType })}>
          {memoryTypes.map((t) => (
            <option key={t} value={t}>
              {t}
            </option>
          ))}
        </Select>
        <TextInput label="Importance" type="number" min={0} max={1} step={0.05} value={form.importance} error={errors.importance} onChange={(e) => set({ importance: e.target.value })} />
        <TextInput label="Tags" placeholder="comma or space separated" value={form.tags} onChange={(e) => set({ tags: e.target.value })} />
        <TextInput label="Expires" type="datetime-local" value={form.expiresAt} error={errors.expiresAt} hint="Blank: never" onChange={(e) => set({ expiresAt: e.target.value })} />
      </div>
      {error != null && !serverField && <ErrorState error={error} />}
      <div className="flex gap-2">
        <Button type="submit" variant="primary" disabled={busy}>
          {busy ? "Saving…" : submitLabel}
        </Button>
        <Button onClick={onCancel}>Cancel</Button>
      </div>
    </form>
  );
}

/** Whose memory it is: fixed to you for `user`, your agents or conversations, nothing for global. */
function ScopeTarget({ scope, value, error, onChange }: { scope: Scope; value: string; error: string | undefined; onChange: (id: string) => void }) {
  const user = useSession((s) => s.user);
  const agents = useAgents();
  const conversations = useConversationList();
  const isAdmin = roleOf(user) === "admin";

  if (scope === "global") return <TextInput label="Belongs to" value="everyone (readable by every signed-in user)" readOnly disabled />;
  if (scope === "user") return <TextInput label="Belongs to" value={user ? `you (${user.email})` : "you"} readOnly disabled />;
  if (scope === "agent") {
    // Your agents (admins: any agent).
    const mine = (agents.data ?? []).filter((a) => isAdmin || a.owner_id === user?.id);
    return (
      <Select label="Agent" value={value} error={error ?? (agents.error ? "Could not load the agents." : undefined)} onChange={(e) => onChange(e.target.value)}>
        <option value="">{agents.isPending ? "Loading…" : mine.length ? "Pick an agent" : "You have no agents"}</option>
        {mine.map((a) => (
          <option key={a.id} value={a.id}>
            {a.name}
          </option>
        ))}
      </Select>
    );
  }
  if (scope === "conversation") {
    const list = conversations.data ?? [];
    return (
      <Select label="Conversation" value={value} error={error ?? (conversations.error ? "Could not load the conversations." : undefined)} onChange={(e) => onChange(e.target.value)}>
        <option value="">{conversations.isPending ? "Loading…" : list.length ? "Pick a conversation" : "You have no conversations"}</option>
        {list.map((c) => (
          <option key={c.id} value={c.id}>
            {conversationTitle(c)}
          </option>
        ))}
      </Select>
    );
  }
  return <TextInput label="Circle id" value={value} error={error} onChange={(e) => onChange(e.target.value)} />;
}
