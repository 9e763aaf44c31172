// How the administration pages show times.

const short: Intl.DateTimeFormatOptions = { dateStyle: "medium", timeStyle: "short" };
const precise: Intl.DateTimeFormatOptions = { dateStyle: "medium", timeStyle: "medium" };

/** A time in the reader's locale (to the minute, or the second when `seconds`), or `fallback` when there is none. */
export function when(iso: string | null | undefined, fallback = "—", seconds = false): string {
  if (!iso) return fallback;
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? iso : date.toLocaleString(undefined, seconds ? precise : short);
}
