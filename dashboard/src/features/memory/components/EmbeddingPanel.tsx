// The embedding model: which one search serves from and which one new vectors are made with;
// for admins also how many memories and chunks have a vector yet (read every 2 s while some have
// not, and at each progress event) and a switch to another embedding model of the registry,
// which re-embeds in the background.
import { useEffect, useState } from "react";
import { useQuery, useQueryClient } from "@tanstack/react-query";
import { useCan } from "@/lib/auth/session";
import { live } from "@/lib/live/socket";
import { api, unwrap } from "@/lib/api/client";
import { Button, Card, Select } from "@/components/ui";
import { ConfirmDialog } from "@/components/confirm";
import { ErrorState, Loading } from "@/components/states";
import { notify, notifyError } from "@/components/notices";
import { embeddingBusy, memoryKeys, useEmbeddingStatus, useSetEmbeddingModel, type Progress } from "../api";
import { percent } from "../model";

function Bar({ label, progress }: { label: string; progress: Progress }) {
  const value = percent(progress.embedded, progress.total);
  return (
    <div className="flex flex-col gap-0.5 text-xs">
      <div className="flex justify-between">
        <span>{label}</span>
        <span className="tabular-nums text-slate-500">
          {progress.embedded} / {progress.total}
        </span>
      </div>
      <div role="progressbar" aria-label={`${label} embedded`} aria-valuemin={0} aria-valuemax={100} aria-valuenow={value} className="h-1.5 rounded bg-slate-200 dark:bg-slate-700">
        <div className="h-1.5 rounded bg-indigo-500" style={{ width: `${value}%` }} />
      </div>
    </div>
  );
}

export function EmbeddingPanel() {
  const status = useEmbeddingStatus();
  const isAdmin = useCan("admin");
  const client = useQueryClient();
  // Re-embedding reports its progress to admins as ephemeral events: read the state at each.
  useEffect(
    () =>
      live.subscribe((event) => {
        if (event.type === "memory.embedding_progress") void client.invalidateQueries({ queryKey: memoryKeys.embedding });
      }),
    [client],
  );
  return (
    <Card title="Embedding" className="text-sm">
      {status.isPending ? (
        <Loading what="Reading the embedding state" />
      ) : status.error || !status.data ? (
        <ErrorState error={status.error} retry={() => void status.refetch()} />
      ) : (
        <div className="flex flex-col gap-2" data-testid="embedding-status">
          <dl className="grid grid-cols-[auto_1fr] gap-x-2 gap-y-0.5 text-xs">
            <dt className="text-slate-500">Serving</dt>
            <dd>
              {status.data.serving_model ?? "none (keyword search only)"}
              {status.data.serving_dimension ? ` · ${status.data.serving_dimension} dims` : ""}
            </dd>
            <dt className="text-slate-500">Target</dt>
            <dd>
              {status.data.target_model ?? "none"}
              {status.data.target_dimension ? ` · ${status.data.target_dimension} dims` : ""}
            </dd>
          </dl>
          {status.data.reembedding && <p className="text-xs font-medium text-amber-700 dark:text-amber-300">Re-embedding for {status.data.target_model}; search keeps using {status.data.serving_model ?? "keywords"} meanwhile.</p>}
          {status.data.memories && <Bar label="Memories" progress={status.data.memories} />}
          {status.data.chunks && <Bar label="Knowledge chunks" progress={status.data.chunks} />}
          {status.data.memories && !embeddingBusy(status.data) && <p className="text-xs text-slate-500">Every memory and chunk has its vector.</p>}
          {isAdmin && <SwitchModel current={status.data.target_model ?? null} />}
        </div>
      )}
    </Card>
  );
}

/** Admins: pick another embedding model of the registry; everything is embedded again with it. */
function SwitchModel({ current }: { current: string | null }) {
  const models = useQuery({ queryKey: ["models", "list"] as const, queryFn: () => unwrap(api.GET("/api/llm/models")) });
  const change = useSetEmbeddingModel();
  const [choice, setChoice] = useState("");
  const [asking, setAsking] = useState(false);
  const embedding = (models.data ?? []).filter((m) => m.kind === "embedding" && m.enabled);
  const picked = choice || current || "";

  return (
    <div className="mt-1 flex flex-col items-start gap-2 border-t border-slate-200 pt-2 dark:border-slate-700">
      <div className="w-full">
        <Select label="Embedding model" value={picked} onChange={(e) => setChoice(e.target.value)} disabled={models.isPending}>
          {!current && <option value="">Pick a model</option>}
          {embedding.map((m) => (
            <option key={m.id} value={m.name}>
              {m.name}
              {m.dimension ? ` (${m.dimension})` : ""}
            </option>
          ))}
        </Select>
      </div>
      <Button disabled={!picked || picked === current || change.isPending} onClick={() => setAsking(true)}>
        Switch model
      </Button>
      {asking && (
        <ConfirmDialog
          title={`Switch to ${picked}?`}
          confirmLabel="Re-embed everything"
          onCancel={() => setAsking(false)}
          onConfirm={() => {
            setAsking(false);
            change.mutate(picked, {
              onSuccess: () => notify(`Re-embedding with ${picked}; search keeps the old model until it is done.`),
              onError: notifyError,
            });
          }}
        >
          Every memory and knowledge chunk is embedded again with {picked}, in the background. Search keeps using the current model until the new vectors are all written.
        </ConfirmDialog>
      )}
    </div>
  );
}
