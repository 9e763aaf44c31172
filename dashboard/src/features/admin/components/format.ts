// How the administration pages show times.

/** A time in the reader's locale, or `fallback` when there is none. */
export function when(iso: string | null | undefined, fallback = "—"): string {
  if (!iso) return fallback;
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? iso : date.toLocaleString();
}
