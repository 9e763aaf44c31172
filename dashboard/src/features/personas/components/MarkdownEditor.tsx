// The persona file editor: CodeMirror 6 with Markdown, loaded lazily (this module and
// CodeMirror are their own chunk: import it only through React.lazy). Errors arrive as
// {line, message} and show as lint diagnostics: a marker in the gutter and the line underlined.
import { useEffect, useRef } from "react";
import { EditorView, basicSetup } from "codemirror";
import { markdownLanguage } from "@codemirror/lang-markdown";
import { lintGutter, setDiagnostics, type Diagnostic } from "@codemirror/lint";
import { oneDark } from "@codemirror/theme-one-dark";

export type LineError = { line: number; message: string };

export type MarkdownEditorProps = {
  /** The text at mount; later changes of the prop are ignored (remount with a `key` to reset). */
  initial: string;
  onChange: (text: string) => void;
  errors: LineError[];
  label: string;
};

function diagnostics(view: EditorView, errors: LineError[]): Diagnostic[] {
  const doc = view.state.doc;
  return errors.map((e) => {
    const line = doc.line(Math.min(Math.max(1, e.line), doc.lines));
    return { from: line.from, to: Math.max(line.from, line.to), severity: "error", message: e.message, source: `line ${line.number}` };
  });
}

export default function MarkdownEditor({ initial, onChange, errors, label }: MarkdownEditorProps) {
  const host = useRef<HTMLDivElement>(null);
  const view = useRef<EditorView | null>(null);
  const changed = useRef(onChange);
  useEffect(() => {
    changed.current = onChange;
  }, [onChange]);

  useEffect(() => {
    if (!host.current) return;
    const dark = document.documentElement.classList.contains("dark");
    const editor = new EditorView({
      doc: initial,
      parent: host.current,
      extensions: [
        basicSetup,
        // The language alone: markdown() would bring HTML, CSS and JavaScript support for embedded
        // HTML, tripling the chunk, which persona prompts do not need.
        markdownLanguage.extension,
        lintGutter(),
        EditorView.lineWrapping,
        EditorView.contentAttributes.of({ "aria-label": label }),
        EditorView.updateListener.of((update) => {
          if (update.docChanged) changed.current(update.state.doc.toString());
        }),
        EditorView.theme({ "&": { fontSize: "13px" }, ".cm-scroller": { minHeight: "24rem", maxHeight: "36rem" } }),
        ...(dark ? [oneDark] : []),
      ],
    });
    view.current = editor;
    return () => {
      editor.destroy();
      view.current = null;
    };
    // The editor is made once; `initial` and `label` are read at mount only.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, []);

  useEffect(() => {
    const v = view.current;
    if (v) v.dispatch(setDiagnostics(v.state, diagnostics(v, errors)));
  }, [errors]);

  return <div ref={host} className="overflow-hidden rounded-md border border-slate-300 dark:border-slate-600" data-testid="markdown-editor" />;
}
