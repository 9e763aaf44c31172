// `pipelines/:id` and `pipelines/new`: the visual editor. Who may change the pipeline (its
// owner or an admin; a member for a new one) edits; everyone else sees it read only.
import { useState } from "react";
import { useNavigate, useParams } from "react-router";
import { ReactFlowProvider } from "@xyflow/react";
import { ErrorState, Loading, PageHeader } from "@/components/states";
import { ApiError } from "@/lib/api/errors";
import { allows, useSession } from "@/lib/auth/session";
import { usePipeline, type StoredPipeline } from "../api";
import type { PipelineDocument } from "../graph/convert";
import { Editor } from "../components/Editor";

const blank: PipelineDocument = { name: "", description: "", nodes: [], edges: [] };

export default function PipelineEditorPage() {
  const { id: param } = useParams();
  const isNew = param === "new";
  const id = isNew ? undefined : param;
  const pipeline = usePipeline(id);
  const user = useSession((s) => s.user);
  const navigate = useNavigate();
  // What the editor was loaded from: its version, and a counter that reloads it.
  const [loaded, setLoaded] = useState<{ id: string | undefined; version: number | null; generation: number }>({ id, version: null, generation: 0 });

  if (isNew) {
    const canEdit = allows(user, "member");
    return (
      <>
        <PageHeader title="New pipeline" />
        <ReactFlowProvider>
          <Editor
            key="new"
            stored={undefined}
            initial={blank}
            canEdit={canEdit}
            canManage={canEdit}
            newerVersion={null}
            onReload={() => {}}
            onSaved={(saved) => void navigate(`/pipelines/${saved.id}`, { replace: true })}
          />
        </ReactFlowProvider>
      </>
    );
  }

  if (pipeline.isPending) return <Loading what="Loading the pipeline" />;
  if (pipeline.error || !pipeline.data) {
    const notFound = pipeline.error instanceof ApiError && pipeline.error.status === 404;
    return (
      <>
        <PageHeader title={notFound ? "No such pipeline" : "Pipeline"} />
        <ErrorState error={pipeline.error} {...(notFound ? {} : { retry: () => void pipeline.refetch() })} />
      </>
    );
  }

  const stored: StoredPipeline = pipeline.data;
  const isOwner = user?.id === stored.owner_id;
  const canManage = allows(user, "admin") || (isOwner && allows(user, "member"));
  const base = loaded.id === id && loaded.version !== null ? loaded.version : stored.version;
  if (loaded.id !== id || loaded.version === null) setLoaded({ id, version: stored.version, generation: loaded.generation });

  return (
    <>
      <PageHeader title={stored.name} description={stored.description || undefined} />
      <ReactFlowProvider key={`${stored.id}:${loaded.generation}`}>
        <Editor
          stored={stored}
          initial={stored.document}
          canEdit={canManage}
          canManage={canManage}
          newerVersion={stored.version > base ? stored.version : null}
          onReload={() => setLoaded({ id, version: stored.version, generation: loaded.generation + 1 })}
          onSaved={(saved) => setLoaded({ id, version: saved.version, generation: loaded.generation })}
        />
      </ReactFlowProvider>
    </>
  );
}
