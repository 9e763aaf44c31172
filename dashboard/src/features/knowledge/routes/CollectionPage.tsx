// A collection (`/knowledge/:collection`, by name or id): its documents with their size, chunks
// and how many chunks have a vector yet; uploads; a document's chunks with their headings; search
// within it. Its owner (or an admin) changes its description and sharing, and deletes it.
import { useState } from "react";
import { Link, useNavigate, useParams } from "react-router";
import { useCan, useSession } from "@/lib/auth/session";
import { ApiError } from "@/lib/api/errors";
import { Badge, Button, Card, TextArea } from "@/components/ui";
import { ConfirmButton } from "@/components/confirm";
import { Empty, ErrorState, Loading, PageHeader, QueryView } from "@/components/states";
import { notify, notifyError } from "@/components/notices";
import { NoAccess } from "@/features/admin/components/Access";
import { useCollection, useDeleteCollection, useDeleteDocument, useDocument, useDocuments, useUpdateCollection, type Collection, type KnowledgeDocument } from "../api";
import { size } from "../model";
import { SearchPanel } from "../components/SearchPanel";
import { ShareWith } from "../components/ShareWith";
import { UploadControl } from "../components/UploadControl";

export default function CollectionPage() {
  const { collection: key = "" } = useParams();
  const collection = useCollection(key);
  const status = collection.error instanceof ApiError ? collection.error.status : null;
  return (
    <>
      <PageHeader
        title={collection.data?.name ?? key}
        description={
          <Link to="/knowledge" className="text-indigo-600 underline dark:text-indigo-400">
            All collections
          </Link>
        }
      />
      {status === 403 ? (
        <NoAccess needed="viewer" reason="This collection is not shared with you." />
      ) : status === 404 ? (
        <Card>
          <p className="text-sm">There is no collection named “{key}”, or it is not shared with you.</p>
        </Card>
      ) : (
        <QueryView query={collection} what="Loading the collection">
          {(c) => <CollectionView collection={c} />}
        </QueryView>
      )}
    </>
  );
}

function CollectionView({ collection }: { collection: Collection }) {
  const me = useSession((s) => s.user?.id);
  const isAdmin = useCan("admin");
  const isMember = useCan("member");
  // Its owner and admins change it and upload into it; those it is shared with read it.
  const owns = collection.owner_id === me || isAdmin;
  const canUpload = isMember && owns;

  return (
    <div className="grid grid-cols-1 gap-4">
      <About collection={collection} owns={owns} />
      <Card title={`Documents (${collection.document_count})`}>
        {canUpload && (
          <div className="mb-4">
            <UploadControl collection={collection.name} />
          </div>
        )}
        <Documents collection={collection.name} canDelete={isMember && owns} />
      </Card>
      <SearchPanel only={collection.name} />
    </div>
  );
}

function About({ collection, owns }: { collection: Collection; owns: boolean }) {
  const update = useUpdateCollection();
  const remove = useDeleteCollection();
  const navigate = useNavigate();
  const [editing, setEditing] = useState(false);
  const [description, setDescription] = useState(collection.description);
  const [shared, setShared] = useState(collection.shared_with);

  return (
    <Card
      title="About"
      actions={
        owns && (
          <div className="flex gap-1">
            {!editing && (
              <Button
                onClick={() => {
                  setDescription(collection.description);
                  setShared(collection.shared_with);
                  setEditing(true);
                }}
              >
                Edit
              </Button>
            )}
            <ConfirmButton
              label="Delete collection"
              question={`Delete the collection ${collection.name}?`}
              confirmLabel="Delete"
              onConfirm={() =>
                remove.mutate(collection.name, {
                  onSuccess: () => {
                    notify(`Collection ${collection.name} deleted.`);
                    void navigate("/knowledge");
                  },
                  onError: notifyError,
                })
              }
            />
          </div>
        )
      }
    >
      {editing ? (
        <div className="flex flex-col gap-3">
          <TextArea label="Description" rows={2} value={description} onChange={(e) => setDescription(e.target.value)} />
          {collection.scope === "user" && <ShareWith value={shared} onChange={setShared} />}
          <div className="flex gap-2">
            <Button
              variant="primary"
              disabled={update.isPending}
              onClick={() =>
                update.mutate(
                  { idOrName: collection.name, body: { description, ...(collection.scope === "user" ? { shared_with: shared } : {}) } },
                  {
                    onSuccess: () => {
                      notify("Collection saved.");
                      setEditing(false);
                    },
                    onError: notifyError,
                  },
                )
              }
            >
              Save
            </Button>
            <Button onClick={() => setEditing(false)}>Cancel</Button>
          </div>
        </div>
      ) : (
        <div className="flex flex-col gap-1 text-sm">
          <p>{collection.description || <span className="text-slate-500">No description.</span>}</p>
          <p className="flex items-center gap-2 text-xs text-slate-500">
            <Badge>{collection.scope}</Badge>
            {collection.scope === "user" && (collection.shared_with.length ? `shared with ${collection.shared_with.length} user(s)` : "not shared")}
            <span>· updated {new Date(collection.updated_at).toLocaleString()}</span>
          </p>
        </div>
      )}
    </Card>
  );
}

function Documents({ collection, canDelete }: { collection: string; canDelete: boolean }) {
  const documents = useDocuments(collection);
  const remove = useDeleteDocument();
  const [open, setOpen] = useState<string | null>(null);
  return (
    <QueryView query={documents} what="Loading documents">
      {(items) =>
        items.length === 0 ? (
          <Empty>No documents yet.</Empty>
        ) : (
          <table className="w-full text-left text-sm" aria-label="Documents">
            <thead className="border-b border-slate-200 text-xs text-slate-500 uppercase dark:border-slate-700">
              <tr>
                <th className="py-2 pr-3 font-medium">Name</th>
                <th className="py-2 pr-3 font-medium">Type</th>
                <th className="py-2 pr-3 font-medium">Size</th>
                <th className="py-2 pr-3 font-medium">Chunks</th>
                <th className="py-2 pr-3 font-medium">Embedded</th>
                <th className="py-2 pr-3 font-medium">Updated</th>
                <th className="py-2 font-medium">
                  <span className="sr-only">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody className="divide-y divide-slate-100 dark:divide-slate-800">
              {items.map((d) => (
                <DocumentRow
                  key={d.id}
                  document={d}
                  open={open === d.id}
                  onToggle={() => setOpen((o) => (o === d.id ? null : d.id))}
                  canDelete={canDelete}
                  onDelete={() =>
                    remove.mutate(d.id, {
                      onSuccess: () => notify(`${d.name} deleted.`),
                      onError: notifyError,
                    })
                  }
                />
              ))}
            </tbody>
          </table>
        )
      }
    </QueryView>
  );
}

function DocumentRow({ document: d, open, onToggle, canDelete, onDelete }: { document: KnowledgeDocument; open: boolean; onToggle: () => void; canDelete: boolean; onDelete: () => void }) {
  const done = d.embedded_chunks >= d.chunk_count;
  return (
    <>
      <tr data-testid={`document-${d.name}`}>
        <td className="py-2 pr-3">
          <button type="button" className="text-left font-medium text-indigo-600 underline dark:text-indigo-400" aria-expanded={open} onClick={onToggle}>
            {d.name}
          </button>
        </td>
        <td className="py-2 pr-3 text-xs">{d.content_type}</td>
        <td className="py-2 pr-3 tabular-nums">{size(d.bytes)}</td>
        <td className="py-2 pr-3 tabular-nums">{d.chunk_count}</td>
        <td className="py-2 pr-3 tabular-nums">
          {d.embedded_chunks} / {d.chunk_count} {done ? <Badge tone="completed">ready</Badge> : <Badge tone="running">embedding</Badge>}
        </td>
        <td className="py-2 pr-3 text-xs text-slate-500">{new Date(d.updated_at).toLocaleString()}</td>
        <td className="py-2 text-right">{canDelete && <ConfirmButton label="Delete" question={`Delete ${d.name}?`} confirmLabel="Delete" onConfirm={onDelete} />}</td>
      </tr>
      {open && (
        <tr>
          <td colSpan={7} className="bg-slate-50 p-3 dark:bg-slate-950">
            <Chunks id={d.id} />
          </td>
        </tr>
      )}
    </>
  );
}

function Chunks({ id }: { id: string }) {
  const detail = useDocument(id);
  if (detail.isPending) return <Loading what="Loading its chunks" />;
  if (detail.error || !detail.data) return <ErrorState error={detail.error} retry={() => void detail.refetch()} />;
  if (detail.data.chunks.length === 0) return <p className="text-sm text-slate-500">No chunks (the document had no text).</p>;
  return (
    <ol className="flex max-h-96 flex-col gap-2 overflow-auto text-sm" aria-label="Chunks">
      {detail.data.chunks.map((c) => (
        <li key={c.id} className="rounded border border-slate-200 p-2 dark:border-slate-700">
          <p className="mb-1 text-xs text-slate-500">
            #{c.position + 1}
            {c.heading_path.length ? ` · ${c.heading_path.join(" › ")}` : ""} · {c.tokens} tokens
          </p>
          <p className="whitespace-pre-wrap">{c.content}</p>
        </li>
      ))}
    </ol>
  );
}
