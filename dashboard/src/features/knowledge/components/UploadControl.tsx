// Upload documents into a collection: pick one or more files, then Upload. Each file goes as its
// own request, one after the other, so each gets its own outcome (ingested, replaced, unchanged)
// or its own error (too large, unsupported type, unreadable), and one bad file stores nothing of
// itself but does not stop the others.
import { useRef, useState } from "react";
import { useQueryClient } from "@tanstack/react-query";
import { Button } from "@/components/ui";
import { notify } from "@/components/notices";
import { knowledgeKeys, uploadFile } from "../api";
import { accepted, outcomeWords, size, uploadError, type UploadState } from "../model";

type Row = { key: string; file: File; state: UploadState };

export function UploadControl({ collection }: { collection: string }) {
  const client = useQueryClient();
  const input = useRef<HTMLInputElement>(null);
  const [rows, setRows] = useState<Row[]>([]);
  const [busy, setBusy] = useState(false);
  const set = (key: string, state: UploadState) => setRows((rs) => rs.map((r) => (r.key === key ? { ...r, state } : r)));

  function pick(files: FileList | null) {
    const list = [...(files ?? [])];
    setRows(list.map((file, i) => ({ key: `${i}-${file.name}-${file.size}`, file, state: { status: "waiting" } })));
  }

  async function upload() {
    setBusy(true);
    let ok = 0;
    let failed = 0;
    for (const row of rows) {
      if (row.state.status !== "waiting") continue;
      set(row.key, { status: "uploading" });
      try {
        const result = await uploadFile(collection, row.file);
        const first = result.documents[0];
        set(row.key, first ? { status: "done", outcome: first.outcome, chunks: first.document.chunk_count } : { status: "failed", message: "The server stored nothing." });
        ok++;
      } catch (error) {
        set(row.key, { status: "failed", message: uploadError(error) });
        failed++;
      }
    }
    setBusy(false);
    if (input.current) input.current.value = "";
    await client.invalidateQueries({ queryKey: knowledgeKeys.all });
    notify(failed ? `${ok} uploaded, ${failed} refused.` : `${ok} uploaded.`, failed && !ok ? "error" : "ok");
  }

  const waiting = rows.filter((r) => r.state.status === "waiting").length;
  const finished = rows.filter((r) => r.state.status === "done" || r.state.status === "failed").length;

  return (
    <div className="flex flex-col gap-2">
      <div className="flex flex-wrap items-end gap-2">
        <label className="flex flex-col gap-1 text-sm font-medium text-slate-700 dark:text-slate-300">
          Documents to upload
          <input
            ref={input}
            type="file"
            multiple
            accept={accepted}
            disabled={busy}
            onChange={(e) => pick(e.target.files)}
            className="text-sm font-normal file:mr-2 file:rounded-md file:border file:border-slate-300 file:bg-white file:px-2 file:py-1 file:text-sm dark:file:border-slate-600 dark:file:bg-slate-800 dark:file:text-slate-100"
          />
        </label>
        <Button variant="primary" disabled={busy || waiting === 0} onClick={() => void upload()}>
          {busy ? "Uploading…" : waiting > 1 ? `Upload ${waiting} files` : "Upload"}
        </Button>
        <span className="text-xs text-slate-500">Markdown, text, HTML, PDF or CSV.</span>
      </div>
      {rows.length > 0 && (
        <>
          {busy && <progress className="w-full" max={rows.length} value={finished} aria-label="Upload progress" />}
          <ul className="flex flex-col gap-1 text-sm" aria-label="Uploads">
            {rows.map((r) => (
              <li key={r.key} className="flex flex-wrap items-center gap-2" data-testid="upload-row">
                <span className="font-medium">{r.file.name}</span>
                <span className="text-xs text-slate-500">{size(r.file.size)}</span>
                <UploadStatus state={r.state} />
              </li>
            ))}
          </ul>
        </>
      )}
    </div>
  );
}

function UploadStatus({ state }: { state: UploadState }) {
  switch (state.status) {
    case "waiting":
      return <span className="text-xs text-slate-500">waiting</span>;
    case "uploading":
      return (
        <span role="status" className="text-xs text-blue-700 dark:text-blue-300">
          uploading…
        </span>
      );
    case "done":
      return (
        <span className="text-xs text-green-700 dark:text-green-300">
          {outcomeWords[state.outcome]} · {state.chunks} {state.chunks === 1 ? "chunk" : "chunks"}
        </span>
      );
    case "failed":
      return (
        <span role="alert" className="text-xs text-red-700 dark:text-red-300">
          {state.message}
        </span>
      );
  }
}
