import { useConnection, live } from "@/lib/live/socket";

const labels = { idle: "Live: off", connecting: "Live: connecting", open: "Live", reconnecting: "Live: reconnecting", offline: "Live: offline" } as const;
const dots = { idle: "bg-slate-400", connecting: "bg-amber-400", open: "bg-green-500", reconnecting: "bg-amber-500 animate-pulse", offline: "bg-red-500" } as const;

const help = {
  idle: "Live updates are off (not signed in).",
  connecting: "Connecting to live updates.",
  open: "Live updates over the WebSocket.",
  reconnecting: "The connection dropped; reconnecting by itself with a growing pause. Nothing is lost: it resumes after the last event it had.",
  offline: "The browser is offline; reconnects when it is back. Nothing is lost.",
} as const;

/** The socket's state; a click reconnects now. */
export function ConnectionIndicator() {
  const state = useConnection((s) => s.state);
  const lags = useConnection((s) => s.lags);
  return (
    <button
      type="button"
      onClick={() => live.reconnectNow()}
      data-state={state}
      data-testid="connection"
      title={`${help[state]}${lags > 0 ? ` Fell behind ${lags} time${lags === 1 ? "" : "s"} and caught up.` : ""} Click to reconnect now.`}
      aria-label={`${labels[state]}: reconnect now`}
      className="flex items-center gap-1.5 rounded px-2 py-1 text-xs text-slate-600 hover:bg-slate-200 dark:text-slate-300 dark:hover:bg-slate-800"
    >
      <span className={`h-2 w-2 rounded-full ${dots[state]}`} aria-hidden />
      <span aria-live="polite">{labels[state]}</span>
    </button>
  );
}
