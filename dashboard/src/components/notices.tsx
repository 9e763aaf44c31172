// Short messages after an action (saved, failed, not allowed), announced to screen readers.
import { create } from "zustand";
import { describeError } from "@/lib/api/errors";

type Notice = { id: number; tone: "ok" | "error"; text: string };

export const useNotices = create<{ items: Notice[] }>(() => ({ items: [] }));
let next = 1;

export function notify(text: string, tone: Notice["tone"] = "ok"): void {
  const id = next++;
  useNotices.setState((s) => ({ items: [...s.items.slice(-4), { id, tone, text }] }));
  setTimeout(() => useNotices.setState((s) => ({ items: s.items.filter((n) => n.id !== id) })), tone === "error" ? 8000 : 4000);
}

export function notifyError(error: unknown): void {
  notify(describeError(error), "error");
}

export function Notices() {
  const items = useNotices((s) => s.items);
  return (
    <div aria-live="polite" className="pointer-events-none fixed right-4 bottom-4 z-50 flex flex-col gap-2">
      {items.map((n) => (
        <div
          key={n.id}
          role={n.tone === "error" ? "alert" : "status"}
          className={`pointer-events-auto rounded-md px-3 py-2 text-sm shadow-lg ${n.tone === "error" ? "bg-red-600 text-white" : "bg-slate-800 text-white dark:bg-slate-200 dark:text-slate-900"}`}
        >
          {n.text}
        </div>
      ))}
    </div>
  );
}
