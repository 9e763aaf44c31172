// Writing a persona as its file: the editor (lazy), the server's error at its line, and Save.
// The server reads the file (`POST /api/personas/check`, the parser of `gathering personas
// import`): debounced while typing, and again on Save, which then sends the fields the check
// returned. An error without a line (a file too large, a name taken) is shown without one.
import { lazy, Suspense, useMemo, useState } from "react";
import { describeError } from "@/lib/api/errors";
import { useDebounced } from "@/lib/useDebounced";
import { Button } from "@/components/ui";
import { Loading } from "@/components/states";
import { useCheckPersonaNow, usePersonaCheck, useSavePersona, type Persona } from "../api";
import type { LineError } from "./MarkdownEditor";

const MarkdownEditor = lazy(() => import("./MarkdownEditor"));

type ShownError = { line: number | null; message: string };

export function PersonaEditor({ id, initial, onSaved, onCancel }: { id: string | null; initial: string; onSaved: (p: Persona) => void; onCancel: () => void }) {
  const [text, setText] = useState(initial);
  // An error from Save (its check, or the save itself); cleared by the next edit.
  const [saveError, setSaveError] = useState<ShownError | null>(null);
  const [checkingToSave, setCheckingToSave] = useState(false);
  const settled = useDebounced(text, 500);
  const check = usePersonaCheck(settled);
  const checkNow = useCheckPersonaNow();
  const save = useSavePersona(id);

  const checked = check.data;
  const shown: ShownError | null =
    saveError ?? (checked && !checked.ok ? { line: checked.line, message: checked.message } : check.error ? { line: null, message: `The file could not be checked: ${describeError(check.error)}` } : null);
  const errors: LineError[] = useMemo(() => (shown && shown.line !== null ? [{ line: shown.line, message: shown.message }] : []), [shown?.line, shown?.message]); // eslint-disable-line react-hooks/exhaustive-deps
  const accepted = !shown && checked?.ok === true && settled === text && !check.isFetching;

  const submit = async () => {
    setSaveError(null);
    setCheckingToSave(true);
    let result;
    try {
      result = await checkNow(text);
    } catch (error) {
      setSaveError({ line: null, message: `The file could not be checked: ${describeError(error)}` });
      return;
    } finally {
      setCheckingToSave(false);
    }
    if (!result.ok) {
      setSaveError({ line: result.line, message: result.message });
      return;
    }
    save.mutate(result.body, {
      onSuccess: onSaved,
      onError: (error) => setSaveError({ line: null, message: describeError(error) }),
    });
  };

  const busy = checkingToSave || save.isPending;
  return (
    <div className="flex flex-col gap-3">
      <p className="text-sm text-slate-600 dark:text-slate-400">
        YAML front matter (<code>name</code>, <code>display_name</code>, <code>role</code>, <code>traits</code>, <code>communication_style</code>, <code>specializations</code>,{" "}
        <code>languages</code>, <code>default_model</code>, <code>temperature</code>, <code>allowed_skills</code>) between <code>---</code> lines, then the prompt in Markdown. The server
        checks the file as you type.
      </p>
      <Suspense fallback={<Loading what="Loading the editor" />}>
        <MarkdownEditor
          initial={initial}
          label="Persona file"
          errors={errors}
          onChange={(t) => {
            setText(t);
            setSaveError(null);
          }}
        />
      </Suspense>
      {shown && (
        <p role="alert" data-testid="persona-error" className="rounded-md border border-red-300 bg-red-50 px-3 py-2 text-sm text-red-800 dark:border-red-800 dark:bg-red-950 dark:text-red-200">
          {shown.line !== null ? <strong>Line {shown.line}: </strong> : null}
          {shown.message}
        </p>
      )}
      <p aria-live="polite" data-testid="persona-check" className="text-xs text-slate-500 dark:text-slate-400">
        {accepted ? "The server accepts this file." : !shown && (check.isFetching || settled !== text) ? "Checking with the server…" : ""}
      </p>
      <div className="flex gap-2">
        <Button variant="primary" onClick={() => void submit()} disabled={busy}>
          {checkingToSave ? "Checking…" : save.isPending ? "Saving…" : "Save persona"}
        </Button>
        <Button onClick={onCancel}>Cancel</Button>
      </div>
    </div>
  );
}
