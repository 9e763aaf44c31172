// One persona: what it says (front matter and prompt), editing its file (its creator or an
// admin; shipped personas belong to the admins), deleting it, and making an agent from it.
// `/personas/new` writes a new one.
import { useState } from "react";
import { Link, useNavigate, useParams } from "react-router";
import { ApiError } from "@/lib/api/errors";
import { useCan, useSession } from "@/lib/auth/session";
import { Badge, Button, Card } from "@/components/ui";
import { ErrorState, Loading, PageHeader } from "@/components/states";
import { ConfirmDialog } from "@/components/confirm";
import { notify, notifyError } from "@/components/notices";
import { useDeletePersona, usePersona, type Persona } from "../api";
import { personaToMarkdown, TEMPLATE } from "../markdown";
import { PersonaEditor } from "../components/PersonaEditor";

function List({ items }: { items: string[] }) {
  return items.length ? (
    <span className="flex flex-wrap gap-1">
      {items.map((i) => (
        <Badge key={i}>{i}</Badge>
      ))}
    </span>
  ) : (
    <span className="text-slate-400">none</span>
  );
}

function Details({ p }: { p: Persona }) {
  const rows: [string, React.ReactNode][] = [
    ["Name", <span key="n" className="font-mono">{p.name}</span>],
    ["Role", p.role],
    ["Traits", <List key="t" items={p.traits} />],
    ["Style", p.communication_style || <span className="text-slate-400">none</span>],
    ["Specializations", <List key="s" items={p.specializations} />],
    ["Languages", <List key="l" items={p.languages} />],
    ["Default model", p.default_model ?? <span className="text-slate-400">the server's</span>],
    ["Temperature", p.temperature ?? <span className="text-slate-400">the model's</span>],
    ["Tools", <List key="a" items={p.allowed_skills} />],
    ["Source", p.source_path ?? "made in the dashboard"],
  ];
  return (
    <div className="flex flex-col gap-4">
      <dl className="grid grid-cols-[9rem_1fr] gap-x-3 gap-y-1.5 text-sm">
        {rows.map(([k, v]) => (
          <div key={k} className="contents">
            <dt className="text-slate-500">{k}</dt>
            <dd>{v}</dd>
          </div>
        ))}
      </dl>
      <div>
        <h3 className="mb-1 text-sm font-semibold">Prompt</h3>
        <pre className="max-h-[28rem] overflow-auto rounded-md bg-slate-50 p-3 text-sm whitespace-pre-wrap dark:bg-slate-800">{p.prompt}</pre>
      </div>
    </div>
  );
}

function NewPersona() {
  const navigate = useNavigate();
  const canCreate = useCan("member");
  if (!canCreate)
    return (
      <>
        <PageHeader title="New persona" />
        <ErrorState error={new Error("Viewers cannot create personas.")} />
      </>
    );
  return (
    <>
      <PageHeader title="New persona" description={<Link to="/personas" className="underline">Personas</Link>} />
      <Card>
        <PersonaEditor
          id={null}
          initial={TEMPLATE}
          onCancel={() => void navigate("/personas")}
          onSaved={(p) => {
            notify(`Persona ${p.display_name} created.`);
            void navigate(`/personas/${p.id}`);
          }}
        />
      </Card>
    </>
  );
}

function ExistingPersona({ id }: { id: string }) {
  const persona = usePersona(id);
  const isAdmin = useCan("admin");
  const isMember = useCan("member");
  const me = useSession((s) => s.user?.id);
  const navigate = useNavigate();
  const remove = useDeletePersona();
  const [editing, setEditing] = useState(false);
  const [confirming, setConfirming] = useState(false);

  if (persona.isPending) return <Loading what="Loading the persona" />;
  if (persona.error || !persona.data) {
    const gone = persona.error instanceof ApiError && persona.error.status === 404;
    return (
      <>
        <PageHeader title="Persona" />
        <ErrorState error={gone ? new Error("There is no such persona (it may have been deleted).") : persona.error} retry={() => void persona.refetch()} />
      </>
    );
  }
  const p = persona.data;
  const mayEdit = isAdmin || (!!p.created_by && p.created_by === me);

  return (
    <>
      <PageHeader
        title={p.display_name}
        description={
          <>
            <Link to="/personas" className="underline">
              Personas
            </Link>{" "}
            / {p.name}
          </>
        }
        actions={
          !editing && (
            <>
              {isMember && (
                <Link to={`/agents?new=&persona=${p.id}`} className="rounded-md border border-slate-300 px-3 py-1.5 text-sm font-medium hover:bg-slate-100 dark:border-slate-600 dark:hover:bg-slate-800">
                  New agent from this persona
                </Link>
              )}
              {mayEdit && <Button onClick={() => setEditing(true)}>Edit</Button>}
              {mayEdit && (
                <Button variant="danger" onClick={() => setConfirming(true)}>
                  Delete
                </Button>
              )}
            </>
          )
        }
      />
      <Card>
        {editing ? (
          <PersonaEditor
            id={p.id}
            initial={personaToMarkdown(p)}
            onCancel={() => setEditing(false)}
            onSaved={(saved) => {
              notify(`Persona ${saved.display_name} saved.`);
              setEditing(false);
            }}
          />
        ) : (
          <Details p={p} />
        )}
      </Card>
      {confirming && (
        <ConfirmDialog
          title={`Delete persona ${p.display_name}?`}
          busy={remove.isPending}
          onCancel={() => setConfirming(false)}
          onConfirm={() =>
            remove.mutate(p.id, {
              onSuccess: () => {
                notify(`Persona ${p.display_name} deleted.`);
                void navigate("/personas");
              },
              onError: (e) => {
                setConfirming(false);
                notifyError(e);
              },
            })
          }
        >
          Agents made from it must be deleted or moved first.
        </ConfirmDialog>
      )}
    </>
  );
}

export default function PersonaPage() {
  const { id = "" } = useParams();
  return id === "new" ? <NewPersona /> : <ExistingPersona key={id} id={id} />;
}
