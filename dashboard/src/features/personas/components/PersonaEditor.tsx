// Writing a persona as its file: the editor (lazy), the errors at their lines (the parser's
// here, the server's after a save), and Save. The server's 422 names a field; its line is found
// in the text. An error the text cannot place (no field, or a field not written) is shown
// without a line.
import { lazy, Suspense, useMemo, useState } from "react";
import { ApiError, describeError } from "@/lib/api/errors";
import { Button } from "@/components/ui";
import { Loading } from "@/components/states";
import { fieldLine, markdownToPersona } from "../markdown";
import { useSavePersona, type Persona } from "../api";
import type { LineError } from "./MarkdownEditor";

const MarkdownEditor = lazy(() => import("./MarkdownEditor"));

type ServerError = { line: number | null; message: string };

export function PersonaEditor({ id, initial, onSaved, onCancel }: { id: string | null; initial: string; onSaved: (p: Persona) => void; onCancel: () => void }) {
  const [text, setText] = useState(initial);
  const [server, setServer] = useState<ServerError | null>(null);
  const save = useSavePersona(id);
  const parsed = useMemo(() => markdownToPersona(text), [text]);

  const shown: ServerError | null = !parsed.ok ? { line: parsed.line, message: parsed.message } : server;
  const errors: LineError[] = useMemo(() => (shown && shown.line !== null ? [{ line: shown.line, message: shown.message }] : []), [shown?.line, shown?.message]); // eslint-disable-line react-hooks/exhaustive-deps

  const submit = () => {
    if (!parsed.ok) return;
    setServer(null);
    save.mutate(parsed.body, {
      onSuccess: onSaved,
      onError: (error) => {
        if (error instanceof ApiError && error.field) {
          const message = error.message.startsWith(error.field) ? error.message : `${error.field}: ${error.message}`;
          setServer({ line: fieldLine(text, error.field), message });
        } else {
          setServer({ line: null, message: describeError(error) });
        }
      },
    });
  };

  return (
    <div className="flex flex-col gap-3">
      <p className="text-sm text-slate-600 dark:text-slate-400">
        YAML front matter (<code>name</code>, <code>display_name</code>, <code>role</code>, <code>traits</code>, <code>communication_style</code>, <code>specializations</code>,{" "}
        <code>languages</code>, <code>default_model</code>, <code>temperature</code>, <code>allowed_skills</code>) between <code>---</code> lines, then the prompt in Markdown.
      </p>
      <Suspense fallback={<Loading what="Loading the editor" />}>
        <MarkdownEditor
          initial={initial}
          label="Persona file"
          errors={errors}
          onChange={(t) => {
            setText(t);
            setServer(null);
          }}
        />
      </Suspense>
      {shown && (
        <p role="alert" data-testid="persona-error" className="rounded-md border border-red-300 bg-red-50 px-3 py-2 text-sm text-red-800 dark:border-red-800 dark:bg-red-950 dark:text-red-200">
          {shown.line !== null ? <strong>Line {shown.line}: </strong> : null}
          {shown.message}
        </p>
      )}
      <div className="flex gap-2">
        <Button variant="primary" onClick={submit} disabled={!parsed.ok || save.isPending}>
          {save.isPending ? "Saving…" : "Save persona"}
        </Button>
        <Button onClick={onCancel}>Cancel</Button>
      </div>
    </div>
  );
}
