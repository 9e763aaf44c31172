import { useConnection, live } from "@/lib/live/socket";

const labels = { idle: "Live: off", connecting: "Live: connecting", open: "Live", reconnecting: "Live: reconnecting", offline: "Live: offline" } as const;
const dots = { idle: "bg-slate-400", connecting: "bg-amber-400", open: "bg-green-500", reconnecting: "bg-amber-500 animate-pulse", offline: "bg-red-500" } as const;

/** The socket's state; a click reconnects now. */
export function ConnectionIndicator() {
  const state = useConnection((s) => s.state);
  return (
    <button
      type="button"
      onClick={() => live.reconnectNow()}
      data-state={state}
      data-testid="connection"
      title="Live updates over the WebSocket; click to reconnect"
      className="flex items-center gap-1.5 rounded px-2 py-1 text-xs text-slate-600 hover:bg-slate-200 dark:text-slate-300 dark:hover:bg-slate-800"
    >
      <span className={`h-2 w-2 rounded-full ${dots[state]}`} aria-hidden />
      <span aria-live="polite">{labels[state]}</span>
    </button>
  );
}
