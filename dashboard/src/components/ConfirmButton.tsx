// A destructive action asked twice: the first click shows what will happen and a confirm button
// (shared: schedules, models).
import { useState } from "react";
import { Button } from "@/components/ui";

export function ConfirmButton({ label, question, confirmLabel, onConfirm, disabled }: { label: string; question: string; confirmLabel: string; onConfirm: () => void; disabled?: boolean }) {
  const [asking, setAsking] = useState(false);
  if (!asking)
    return (
      <Button variant="ghost" onClick={() => setAsking(true)} disabled={disabled} aria-label={question.replace(/\?$/, "")}>
        {label}
      </Button>
    );
  return (
    <span role="group" aria-label={question} className="inline-flex items-center gap-1">
      <span className="text-xs text-slate-600 dark:text-slate-300">{question}</span>
      <Button
        variant="danger"
        onClick={() => {
          setAsking(false);
          onConfirm();
        }}
      >
        {confirmLabel}
      </Button>
      <Button variant="ghost" onClick={() => setAsking(false)}>
        Cancel
      </Button>
    </span>
  );
}
