// Knowledge (`/knowledge`): the collections you may read (yours, shared with you, global), a new
// one for members (global for admins), and search across them with citations.
import { useState, type FormEvent } from "react";
import { Link, useNavigate } from "react-router";
import { useCan, useSession } from "@/lib/auth/session";
import { ApiError } from "@/lib/api/errors";
import { Badge, Button, Card, Select, TextArea, TextInput } from "@/components/ui";
import { Empty, ErrorState, PageHeader, QueryView } from "@/components/states";
import { notify, notifyError } from "@/components/notices";
import { useCollections, useCreateCollection, type Collection, type CollectionScope } from "../api";
import { collectionBody, collectionErrors, emptyCollection, type CollectionForm } from "../model";
import { SearchPanel } from "../components/SearchPanel";
import { ShareWith } from "../components/ShareWith";

export default function KnowledgePage() {
  const canCreate = useCan("member");
  const [creating, setCreating] = useState(false);
  const collections = useCollections();

  return (
    <>
      <PageHeader
        title="Knowledge"
        description="Documents cut into chunks that agents and people search; every hit cites its document and headings."
        actions={
          canCreate &&
          !creating && (
            <Button variant="primary" onClick={() => setCreating(true)}>
              New collection
            </Button>
          )
        }
      />
      {creating && <NewCollection onDone={() => setCreating(false)} />}
      <div className="grid grid-cols-1 gap-4">
        <Card title="Collections">
          <QueryView query={collections} what="Loading collections">
            {(items) => (items.length === 0 ? <Empty>No collections yet.{canCreate ? " Create one, then upload documents into it." : ""}</Empty> : <CollectionTable items={items} />)}
          </QueryView>
        </Card>
        <SearchPanel collections={collections.data ?? []} />
      </div>
    </>
  );
}

function CollectionTable({ items }: { items: Collection[] }) {
  const me = useSession((s) => s.user?.id);
  return (
    <table className="w-full text-left text-sm" aria-label="Collections">
      <thead className="border-b border-slate-200 text-xs text-slate-500 uppercase dark:border-slate-700">
        <tr>
          <th className="py-2 pr-3 font-medium">Name</th>
          <th className="py-2 pr-3 font-medium">Description</th>
          <th className="py-2 pr-3 font-medium">Scope</th>
          <th className="py-2 pr-3 font-medium">Documents</th>
          <th className="py-2 font-medium">Updated</th>
        </tr>
      </thead>
      <tbody className="divide-y divide-slate-100 dark:divide-slate-800">
        {items.map((c) => (
          <tr key={c.id}>
            <td className="py-2 pr-3">
              <Link to={`/knowledge/${encodeURIComponent(c.name)}`} className="font-medium text-indigo-600 underline dark:text-indigo-400">
                {c.name}
              </Link>
            </td>
            <td className="py-2 pr-3 text-slate-600 dark:text-slate-300">{c.description}</td>
            <td className="py-2 pr-3">
              <Badge>{c.scope}</Badge>
              {c.owner_id === me ? <span className="ml-1 text-xs text-slate-500">yours</span> : c.scope === "user" ? <span className="ml-1 text-xs text-slate-500">shared with you</span> : null}
              {c.shared_with.length > 0 && c.owner_id === me && <span className="ml-1 text-xs text-slate-500">· shared with {c.shared_with.length}</span>}
            </td>
            <td className="py-2 pr-3 tabular-nums">{c.document_count}</td>
            <td className="py-2 text-xs text-slate-500">{new Date(c.updated_at).toLocaleString()}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function NewCollection({ onDone }: { onDone: () => void }) {
  const isAdmin = useCan("admin");
  const create = useCreateCollection();
  const navigate = useNavigate();
  const [form, setForm] = useState<CollectionForm>(emptyCollection);
  const [shown, setShown] = useState<ReturnType<typeof collectionErrors>>({});
  const set = (patch: Partial<CollectionForm>) => setForm((f) => ({ ...f, ...patch }));
  const serverField = create.error instanceof ApiError ? create.error.field : undefined;
  const nameError = shown.name ?? (serverField === "name" || (create.error instanceof ApiError && create.error.status === 409) ? (create.error as ApiError).message : undefined);

  function submit(e: FormEvent) {
    e.preventDefault();
    const errors = collectionErrors(form);
    setShown(errors);
    if (Object.keys(errors).length) return;
    create.mutate(collectionBody(form), {
      onSuccess: (c) => {
        notify(`Collection ${c.name} created.`);
        onDone();
        void navigate(`/knowledge/${encodeURIComponent(c.name)}`);
      },
      onError: notifyError,
    });
  }

  return (
    <Card title="New collection" className="mb-4">
      <form onSubmit={submit} className="flex flex-col gap-3" aria-label="New collection" noValidate>
        <div className="grid grid-cols-[1fr_16rem] gap-3">
          <TextInput label="Name" placeholder="team-handbook" value={form.name} error={nameError} hint="Lower case: letters, digits, . _ -" onChange={(e) => set({ name: e.target.value })} />
          <Select label="Scope" value={form.scope} onChange={(e) => set({ scope: e.target.value as CollectionScope })}>
            <option value="user">user: you and whom you share with</option>
            {isAdmin && <option value="global">global: every signed-in user</option>}
          </Select>
        </div>
        <TextArea label="Description" rows={2} value={form.description} error={shown.description} onChange={(e) => set({ description: e.target.value })} />
        {form.scope === "user" && <ShareWith value={form.sharedWith} onChange={(sharedWith) => set({ sharedWith })} />}
        {create.error != null && !nameError && <ErrorState error={create.error} />}
        <div className="flex gap-2">
          <Button type="submit" variant="primary" disabled={create.isPending}>
            {create.isPending ? "Creating…" : "Create"}
          </Button>
          <Button
            onClick={() => {
              create.reset();
              onDone();
            }}
          >
            Cancel
          </Button>
        </div>
      </form>
    </Card>
  );
}
