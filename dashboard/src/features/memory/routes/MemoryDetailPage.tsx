// One memory (`/memory/:id`): everything it carries, every version with what changed, and for
// members editing (a new version), a soft delete (asked first); admins purge it for good.
import { useState } from "react";
import { Link, useNavigate, useParams } from "react-router";
import { useCan } from "@/lib/auth/session";
import { ApiError } from "@/lib/api/errors";
import { Badge, Button, Card } from "@/components/ui";
import { ConfirmButton } from "@/components/confirm";
import { PageHeader, QueryView } from "@/components/states";
import { notify, notifyError } from "@/components/notices";
import { NoAccess } from "@/features/admin/components/Access";
import { useDeleteMemory, useMemory, usePurgeMemory, useUpdateMemory, type MemoryDetail } from "../api";
import { editForm, patchBody, shortId } from "../model";
import { useDirectory, type Directory } from "../names";
import { linkClass, MemoryBadges, MemoryLinks, ProvenanceList, ScopeLabel } from "../components/parts";
import { MemoryFormFields } from "../components/MemoryFormFields";
import { VersionList } from "../components/VersionList";

export default function MemoryDetailPage() {
  const { id = "" } = useParams();
  const memory = useMemory(id);
  const directory = useDirectory();
  const forbidden = memory.error instanceof ApiError && memory.error.status === 403;
  const gone = memory.error instanceof ApiError && memory.error.status === 404;

  return (
    <>
      <PageHeader
        title={`Memory ${shortId(id)}`}
        description={
          <Link to="/memory" className={linkClass}>
            All memories
          </Link>
        }
      />
      {forbidden ? (
        <NoAccess needed="viewer" reason="This memory's scope is not one you may read." />
      ) : gone ? (
        <Card>
          <p className="text-sm">This memory does not exist, or was purged.</p>
        </Card>
      ) : (
        <QueryView query={memory} what="Loading the memory">
          {(m) => <Detail memory={m} directory={directory} />}
        </QueryView>
      )}
    </>
  );
}

function Detail({ memory, directory }: { memory: MemoryDetail; directory: Directory }) {
  const canWrite = useCan("member");
  const isAdmin = useCan("admin");
  const navigate = useNavigate();
  const update = useUpdateMemory(memory.id);
  const remove = useDeleteMemory();
  const purge = usePurgeMemory();
  const [editing, setEditing] = useState(false);
  const deleted = memory.deleted_at != null;

  return (
    <div className="grid grid-cols-1 gap-4 xl:grid-cols-[2fr_1fr]">
      <Card
        title="Current version"
        actions={
          <div className="flex gap-1">
            {canWrite && !deleted && !editing && <Button onClick={() => setEditing(true)}>Edit</Button>}
            {canWrite && !deleted && (
              <ConfirmButton
                label="Delete"
                question="Delete this memory?"
                confirmLabel="Delete"
                onConfirm={() =>
                  remove.mutate(memory.id, {
                    onSuccess: () => notify("Memory deleted. Search no longer returns it; an admin can still purge it."),
                    onError: notifyError,
                  })
                }
              />
            )}
            {isAdmin && (
              <ConfirmButton
                label="Purge"
                question="Purge this memory for good?"
                confirmLabel="Purge"
                onConfirm={() =>
                  purge.mutate(memory.id, {
                    onSuccess: () => {
                      notify("Memory purged.");
                      void navigate("/memory");
                    },
                    onError: notifyError,
                  })
                }
              />
            )}
          </div>
        }
      >
        {editing ? (
          <MemoryFormFields
            editing
            initial={editForm(memory)}
            busy={update.isPending}
            error={update.error}
            submitLabel="Save as a new version"
            onCancel={() => {
              update.reset();
              setEditing(false);
            }}
            onSubmit={(form) => {
              const patch = patchBody(form, memory);
              if (Object.keys(patch).length === 0) {
                setEditing(false);
                return;
              }
              update.mutate(patch, {
                onSuccess: (m) => {
                  notify(`Saved as version ${m.version}.`);
                  setEditing(false);
                },
                onError: notifyError,
              });
            }}
          />
        ) : (
          <div className="flex flex-col gap-2">
            <div className="flex flex-wrap items-center gap-2">
              <ScopeLabel memory={memory} directory={directory} />
              <MemoryBadges memory={memory} />
            </div>
            <p className={`text-sm whitespace-pre-wrap ${deleted ? "text-slate-400 line-through" : ""}`} data-testid="memory-content">
              {memory.content}
            </p>
            {deleted && (
              <p className="text-xs text-red-700 dark:text-red-300">
                <Badge tone="failed">deleted</Badge> {new Date(memory.deleted_at ?? "").toLocaleString()}: search no longer returns it.
              </p>
            )}
            <dl className="grid grid-cols-[auto_1fr] gap-x-3 gap-y-1 text-xs">
              <dt className="text-slate-500">Created</dt>
              <dd>{new Date(memory.created_at).toLocaleString()}</dd>
              <dt className="text-slate-500">Updated</dt>
              <dd>{new Date(memory.updated_at).toLocaleString()}</dd>
              <dt className="text-slate-500">Expires</dt>
              <dd>{memory.expires_at ? new Date(memory.expires_at).toLocaleString() : "never"}</dd>
              <dt className="text-slate-500">Provenance</dt>
              <dd>
                <ProvenanceList memory={memory} directory={directory} />
              </dd>
              <dt className="text-slate-500">Links</dt>
              <dd>{memory.links.length ? <MemoryLinks memory={memory} /> : <span className="text-slate-500">none</span>}</dd>
            </dl>
          </div>
        )}
      </Card>
      <Card title={`Versions (${memory.versions.length})`}>
        <VersionList versions={memory.versions} directory={directory} />
      </Card>
    </div>
  );
}
