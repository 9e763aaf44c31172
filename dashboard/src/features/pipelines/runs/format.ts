// How runs show times, durations and their trigger data (pure, unit tested).

/** "1.2 s", "3 min 4 s", "2 h 5 min": a duration for people. */
export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms) || ms < 0) return "—";
  if (ms < 1000) return `${Math.round(ms)} ms`;
  const s = ms / 1000;
  if (s < 60) return `${s.toFixed(1)} s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m} min ${Math.floor(s % 60)} s`;
  return `${Math.floor(m / 60)} h ${m % 60} min`;
}

/** How long a run or node took, or has taken so far (until `now`). */
export function elapsed(startedAt: string | null | undefined, finishedAt: string | null | undefined, now: number = Date.now()): string {
  if (!startedAt) return "—";
  const end = finishedAt ? Date.parse(finishedAt) : now;
  return formatDuration(end - Date.parse(startedAt));
}

export function formatTime(iso: string | null | undefined): string {
  if (!iso) return "—";
  return new Date(iso).toLocaleString();
}

export type Parsed = { ok: true; value: Record<string, unknown> } | { ok: false; error: string };

/** Trigger data as typed: a JSON object (blank is `{}`), or why not. */
export function parseTriggerData(text: string): Parsed {
  if (text.trim() === "") return { ok: true, value: {} };
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    return { ok: false, error: `Not JSON: ${e instanceof Error ? e.message : String(e)}` };
  }
  if (value === null || typeof value !== "object" || Array.isArray(value)) {
    return { ok: false, error: "Trigger data must be a JSON object, like {\"text\": \"hello\"}." };
  }
  return { ok: true, value: value as Record<string, unknown> };
}

/** A value as indented JSON for a <pre>, cut at `max` characters. */
export function pretty(value: unknown, max = 20_000): string {
  if (value === undefined) return "—";
  const text = JSON.stringify(value, null, 2) ?? String(value);
  return text.length > max ? `${text.slice(0, max)}\n… (${text.length - max} more characters)` : text;
}
