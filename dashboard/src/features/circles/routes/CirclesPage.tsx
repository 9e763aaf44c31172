// Circles: those the user belongs to (admins: all), active or archived; members create one
// (they become its owner).
import { useState } from "react";
import { Link, useNavigate, useSearchParams } from "react-router";
import { useCan } from "@/lib/auth/session";
import { ApiError } from "@/lib/api/errors";
import { Badge, Button, Card, TextArea, TextInput } from "@/components/ui";
import { Empty, PageHeader, QueryView } from "@/components/states";
import { notify, notifyError } from "@/components/notices";
import { useCircles, useCreateCircle } from "../api";

const NAME = /^[a-z0-9][a-z0-9-]{0,62}$/;

function NewCircleForm({ onDone }: { onDone: () => void }) {
  const create = useCreateCircle();
  const navigate = useNavigate();
  const [name, setName] = useState("");
  const [purpose, setPurpose] = useState("");
  const [touched, setTouched] = useState(false);
  const serverError = create.error instanceof ApiError ? create.error : null;
  const nameError =
    touched && !NAME.test(name)
      ? "1 to 63 lower-case letters, digits and -, starting with a letter or digit"
      : serverError && (serverError.field === "name" || serverError.status === 409)
        ? serverError.message
        : undefined;
  return (
    <form
      aria-label="New circle"
      className="flex flex-col gap-3"
      onSubmit={(e) => {
        e.preventDefault();
        setTouched(true);
        if (!NAME.test(name)) return;
        create.mutate(
          { name, ...(purpose.trim() ? { purpose: purpose.trim() } : {}) },
          {
            onSuccess: (circle) => {
              notify(`Circle ${circle.name} created.`);
              void navigate(`/circles/${circle.name}`);
            },
            onError: (e) => notifyError(e),
          },
        );
      }}
    >
      <TextInput label="Name" value={name} required placeholder="design-review" hint="Lower-case letters, digits and -; it never changes." error={nameError} onChange={(e) => setName(e.target.value)} onBlur={() => setTouched(true)} />
      <TextArea label="Purpose" rows={3} value={purpose} onChange={(e) => setPurpose(e.target.value)} />
      <div className="flex gap-2">
        <Button type="submit" variant="primary" disabled={create.isPending}>
          Create circle
        </Button>
        <Button onClick={onDone}>Cancel</Button>
      </div>
    </form>
  );
}

export default function CirclesPage() {
  const canCreate = useCan("member");
  const [params, setParams] = useSearchParams();
  const archived = params.get("archived") === "1";
  const creating = params.get("new") !== null;
  const circles = useCircles(archived);
  const set = (key: string, value: string | null) =>
    setParams((p) => {
      if (value === null) p.delete(key);
      else p.set(key, value);
      return p;
    });

  return (
    <>
      <PageHeader
        title="Circles"
        description="Groups of agents and people that discuss a topic or work through tasks together."
        actions={
          canCreate &&
          !creating && (
            <Button variant="primary" onClick={() => set("new", "")}>
              New circle
            </Button>
          )
        }
      />
      {creating && canCreate && (
        <Card title="New circle" className="mb-4">
          <NewCircleForm onDone={() => set("new", null)} />
        </Card>
      )}
      <Card>
        <div role="tablist" aria-label="Which circles" className="mb-3 flex gap-1">
          {[
            { label: "Active", on: !archived, value: null },
            { label: "Archived", on: archived, value: "1" },
          ].map((tab) => (
            <button
              key={tab.label}
              type="button"
              role="tab"
              aria-selected={tab.on}
              onClick={() => set("archived", tab.value)}
              className={`rounded-md px-3 py-1 text-sm ${tab.on ? "bg-indigo-600 text-white" : "text-slate-700 hover:bg-slate-200 dark:text-slate-200 dark:hover:bg-slate-800"}`}
            >
              {tab.label}
            </button>
          ))}
        </div>
        <QueryView query={circles} what="Loading circles">
          {(list) =>
            list.length === 0 ? (
              <Empty>{archived ? "No archived circles." : `No circles yet.${canCreate ? " Create one with New circle." : ""}`}</Empty>
            ) : (
              <ul aria-label="Circles" className="divide-y divide-slate-100 dark:divide-slate-800">
                {list.map((c) => (
                  <li key={c.id} className="flex items-start justify-between gap-3 py-2">
                    <div className="min-w-0">
                      <Link to={`/circles/${c.name}`} className="font-medium text-indigo-700 underline-offset-2 hover:underline dark:text-indigo-300">
                        {c.name}
                      </Link>
                      <p className="truncate text-sm text-slate-600 dark:text-slate-400">{c.purpose || <span className="text-slate-400">No purpose given</span>}</p>
                    </div>
                    <div className="flex shrink-0 items-center gap-2 text-xs text-slate-500">
                      <span>{c.settings.default_mode.replace("_", " ")}</span>
                      {c.archived_at ? <Badge tone="cancelled">archived</Badge> : <Badge tone="completed">active</Badge>}
                    </div>
                  </li>
                ))}
              </ul>
            )
          }
        </QueryView>
      </Card>
    </>
  );
}
