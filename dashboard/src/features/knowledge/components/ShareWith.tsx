// Whom a collection is shared with. Admins pick among the users (`GET /api/users`); anyone else
// cannot list users, so they type the ids a colleague gives them (see docs/dashboard.md).
import { useState } from "react";
import { useQuery } from "@tanstack/react-query";
import { useCan, useSession } from "@/lib/auth/session";
import { api, unwrap } from "@/lib/api/client";
import { TextArea, TextInput } from "@/components/ui";
import { isUuid, parseIds } from "../model";

export function ShareWith({ value, onChange }: { value: string[]; onChange: (ids: string[]) => void }) {
  const isAdmin = useCan("admin");
  return isAdmin ? <PickUsers value={value} onChange={onChange} /> : <TypeIds value={value} onChange={onChange} />;
}

function PickUsers({ value, onChange }: { value: string[]; onChange: (ids: string[]) => void }) {
  const me = useSession((s) => s.user?.id);
  const [q, setQ] = useState("");
  const users = useQuery({ queryKey: ["users", "list", "share"] as const, queryFn: () => unwrap(api.GET("/api/users", { params: { query: { limit: 200 } } })) });
  const list = (users.data?.items ?? []).filter((u) => u.id !== me && (!q.trim() || `${u.email} ${u.display_name}`.toLowerCase().includes(q.trim().toLowerCase())));
  return (
    <fieldset className="flex flex-col gap-1">
      <legend className="text-sm font-medium text-slate-700 dark:text-slate-300">Share with</legend>
      <TextInput label="Find users" type="search" value={q} onChange={(e) => setQ(e.target.value)} />
      <div className="max-h-32 overflow-auto rounded border border-slate-200 p-1 text-sm dark:border-slate-700">
        {users.isPending && <p className="text-xs text-slate-500">Loading users…</p>}
        {list.map((u) => (
          <label key={u.id} className="flex items-center gap-2">
            <input type="checkbox" checked={value.includes(u.id)} onChange={(e) => onChange(e.target.checked ? [...value, u.id] : value.filter((id) => id !== u.id))} />
            {u.email}
          </label>
        ))}
        {!users.isPending && list.length === 0 && <p className="text-xs text-slate-500">No other users.</p>}
      </div>
    </fieldset>
  );
}

function TypeIds({ value, onChange }: { value: string[]; onChange: (ids: string[]) => void }) {
  const [text, setText] = useState(value.join("\n"));
  const ids = parseIds(text);
  const bad = ids.filter((id) => !isUuid(id));
  return (
    <TextArea
      label="Share with (user ids)"
      rows={2}
      value={text}
      hint="One user id per line (an admin can tell you a colleague's id)."
      error={bad.length ? `Not user ids: ${bad.join(", ")}` : undefined}
      onChange={(e) => {
        setText(e.target.value);
        onChange(parseIds(e.target.value).filter(isUuid));
      }}
    />
  );
}
