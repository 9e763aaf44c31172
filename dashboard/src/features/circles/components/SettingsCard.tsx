// A circle's purpose and settings; owners (and admins) edit them.
import { useState } from "react";
import { Button, Card, Select, TextArea, TextInput } from "@/components/ui";
import { notify, notifyError } from "@/components/notices";
import { useUpdateCircle, type CircleDetail, type CircleSettings } from "../api";
import { discussionModes } from "../wire";

export function SettingsCard({ circle, canManage }: { circle: CircleDetail; canManage: boolean }) {
  const [editing, setEditing] = useState(false);
  const s = circle.settings;
  return (
    <Card
      title="Purpose and settings"
      actions={
        canManage &&
        !editing && (
          <Button variant="ghost" onClick={() => setEditing(true)}>
            Edit
          </Button>
        )
      }
    >
      {editing ? (
        <SettingsForm circle={circle} onDone={() => setEditing(false)} />
      ) : (
        <dl className="grid grid-cols-[max-content_1fr] gap-x-4 gap-y-1 text-sm">
          <dt className="text-slate-500">Purpose</dt>
          <dd className="whitespace-pre-wrap">{circle.purpose || "—"}</dd>
          <dt className="text-slate-500">Default mode</dt>
          <dd>{s.default_mode.replace("_", " ")}</dd>
          <dt className="text-slate-500">Max turns</dt>
          <dd>{s.max_turns}</dd>
          <dt className="text-slate-500">Turn timeout</dt>
          <dd>{s.turn_timeout_secs} s</dd>
          <dt className="text-slate-500">Review required</dt>
          <dd>{s.review_required ? "yes" : "no"}</dd>
        </dl>
      )}
    </Card>
  );
}

function SettingsForm({ circle, onDone }: { circle: CircleDetail; onDone: () => void }) {
  const update = useUpdateCircle(circle.name);
  const [purpose, setPurpose] = useState(circle.purpose);
  const [settings, setSettings] = useState<CircleSettings>(circle.settings);
  const set = (patch: Partial<CircleSettings>) => setSettings((s) => ({ ...s, ...patch }));
  return (
    <form
      aria-label="Circle settings"
      className="flex flex-col gap-3"
      onSubmit={(e) => {
        e.preventDefault();
        update.mutate(
          { purpose, settings },
          {
            onSuccess: () => {
              notify("Circle saved.");
              onDone();
            },
            onError: (e) => notifyError(e),
          },
        );
      }}
    >
      <TextArea label="Purpose" rows={3} value={purpose} onChange={(e) => setPurpose(e.target.value)} />
      <div className="grid grid-cols-2 gap-3">
        <Select label="Default mode" value={settings.default_mode} onChange={(e) => set({ default_mode: e.target.value })}>
          {discussionModes.map((m) => (
            <option key={m} value={m}>
              {m.replace("_", " ")}
            </option>
          ))}
        </Select>
        <TextInput label="Max turns" type="number" min={1} max={500} value={settings.max_turns} onChange={(e) => set({ max_turns: Number(e.target.value) })} />
        <TextInput label="Turn timeout (seconds)" type="number" min={1} max={3600} value={settings.turn_timeout_secs} onChange={(e) => set({ turn_timeout_secs: Number(e.target.value) })} />
        <label className="flex items-center gap-2 self-end text-sm">
          <input type="checkbox" checked={settings.review_required} onChange={(e) => set({ review_required: e.target.checked })} />
          Review required
        </label>
      </div>
      <div className="flex gap-2">
        <Button type="submit" variant="primary" disabled={update.isPending}>
          Save
        </Button>
        <Button onClick={onDone}>Cancel</Button>
      </div>
    </form>
  );
}
