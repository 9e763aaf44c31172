// The type filter: toggles for the known families plus free patterns (`user.created`,
// `pipeline_run.*`, `*`), checked with the server's rules before they are applied.
import { useState, type FormEvent } from "react";
import { Button, TextInput } from "@/components/ui";
import { KNOWN_FAMILIES, parseTypes } from "../patterns";

export function TypeFilter({ applied, onApply }: { applied: string[]; onApply: (patterns: string[]) => void }) {
  const [families, setFamilies] = useState<ReadonlySet<string>>(() => new Set(applied.filter((p) => KNOWN_FAMILIES.includes(p))));
  const [text, setText] = useState(() => applied.filter((p) => !KNOWN_FAMILIES.includes(p)).join(", "));
  const [errors, setErrors] = useState<string[]>([]);

  const apply = (nextFamilies: ReadonlySet<string>, nextText: string) => {
    const parsed = parseTypes([...nextFamilies, nextText]);
    setErrors(parsed.errors);
    if (parsed.errors.length === 0) onApply(parsed.canonical);
  };

  const toggle = (family: string) => {
    const next = new Set(families);
    if (next.has(family)) next.delete(family);
    else next.add(family);
    setFamilies(next);
    apply(next, text);
  };

  const submit = (e: FormEvent) => {
    e.preventDefault();
    apply(families, text);
  };

  const clear = () => {
    setFamilies(new Set());
    setText("");
    setErrors([]);
    onApply([]);
  };

  return (
    <form onSubmit={submit} className="flex flex-col gap-3" aria-label="Event type filter">
      <fieldset>
        <legend className="mb-1 text-sm font-medium text-slate-700 dark:text-slate-300">Families</legend>
        <div className="flex flex-wrap gap-1.5">
          {KNOWN_FAMILIES.map((family) => (
            <button
              key={family}
              type="button"
              aria-pressed={families.has(family)}
              onClick={() => toggle(family)}
              className={`rounded-full border px-2 py-0.5 font-mono text-xs ${families.has(family) ? "border-indigo-600 bg-indigo-600 text-white dark:border-indigo-400 dark:bg-indigo-500" : "border-slate-300 text-slate-700 hover:bg-slate-100 dark:border-slate-600 dark:text-slate-200 dark:hover:bg-slate-800"}`}
            >
              {family}
            </button>
          ))}
        </div>
      </fieldset>
      <div className="flex items-end gap-2">
        <div className="flex-1">
          <TextInput
            label="Type patterns"
            hint="Comma-separated: an exact type (user.created), a family (pipeline_run.*) or *."
            placeholder="e.g. api_key.created, schedule.*"
            value={text}
            onChange={(e) => setText(e.target.value)}
            error={errors.length > 0 ? errors.join("; ") : undefined}
          />
        </div>
        <Button type="submit" variant="primary" className="mb-[1.35rem]">
          Apply
        </Button>
        <Button onClick={clear} className="mb-[1.35rem]" disabled={applied.length === 0 && text === "" && families.size === 0}>
          Clear
        </Button>
      </div>
    </form>
  );
}
