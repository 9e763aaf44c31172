// Validation as the user edits: the document is sent to POST /api/pipelines/validate once it
// has not changed for 400 ms; an answer for an older document is dropped.
import { useEffect, useState } from "react";
import { describeError } from "@/lib/api/errors";
import { validateDocument } from "../api";
import type { PipelineDocument, Problem } from "../graph/convert";

export type Verdict =
  | { state: "checking" }
  | { state: "done"; valid: boolean; errors: Problem[]; omitted: number }
  | { state: "failed"; message: string };

export const VALIDATE_DEBOUNCE_MS = 400;

export function useValidation(doc: PipelineDocument, text: string): [Verdict, (v: Verdict) => void] {
  const [verdict, setVerdict] = useState<Verdict>({ state: "checking" });
  useEffect(() => {
    const abort = new AbortController();
    setVerdict((v) => (v.state === "checking" ? v : { state: "checking" }));
    const timer = setTimeout(() => {
      validateDocument(doc, abort.signal).then(
        (report) => setVerdict({ state: "done", valid: report.valid, errors: report.errors, omitted: report.omitted }),
        (error: unknown) => {
          if (!abort.signal.aborted) setVerdict({ state: "failed", message: describeError(error) });
        },
      );
    }, VALIDATE_DEBOUNCE_MS);
    return () => {
      clearTimeout(timer);
      abort.abort();
    };
    // The text stands for the document: same text, same verdict.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [text]);
  return [verdict, setVerdict];
}
