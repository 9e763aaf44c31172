// Fire times shown twice: in the reader's own zone and in the schedule's. Pure (zones are
// arguments), so the tests pin both.

/** The browser's IANA zone. */
export function localZone(): string {
  return Intl.DateTimeFormat().resolvedOptions().timeZone || "UTC";
}

/** Every IANA zone the browser knows, UTC first. */
export function timeZones(): string[] {
  const supported = (Intl as unknown as { supportedValuesOf?: (key: string) => string[] }).supportedValuesOf;
  const zones = supported ? supported("timeZone") : [];
  return ["UTC", ...zones.filter((z) => z !== "UTC")];
}

/** `2026-03-29 03:00:00 CEST`-like text of an instant in a zone (24-hour, with the zone's abbreviation). */
export function formatInZone(iso: string, zone: string, locale = "en-GB"): string {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  const parts = new Intl.DateTimeFormat(locale, {
    timeZone: zone,
    year: "numeric",
    month: "2-digit",
    day: "2-digit",
    hour: "2-digit",
    minute: "2-digit",
    second: "2-digit",
    hourCycle: "h23",
    timeZoneName: "short",
  }).formatToParts(date);
  const get = (type: Intl.DateTimeFormatPartTypes) => parts.find((p) => p.type === type)?.value ?? "";
  return `${get("year")}-${get("month")}-${get("day")} ${get("hour")}:${get("minute")}:${get("second")} ${get("timeZoneName")}`.trim();
}

export type FireRow = { iso: string; local: string; zoned: string; sameZone: boolean };

/** Each fire time in the reader's zone and in the schedule's (the same text twice when they agree). */
export function fireRows(times: string[], scheduleZone: string, readerZone: string): FireRow[] {
  return times.map((iso) => {
    const local = formatInZone(iso, readerZone);
    const zoned = formatInZone(iso, scheduleZone);
    return { iso, local, zoned, sameZone: scheduleZone === readerZone };
  });
}

/** "in 3 s", "in 2 min", "5 min ago": how far an instant is from now. */
export function relative(iso: string, now: number = Date.now()): string {
  const ms = new Date(iso).getTime() - now;
  if (Number.isNaN(ms)) return "";
  const abs = Math.abs(ms);
  const unit = abs < 60_000 ? `${Math.round(abs / 1000)} s` : abs < 3_600_000 ? `${Math.round(abs / 60_000)} min` : abs < 86_400_000 ? `${Math.round(abs / 3_600_000)} h` : `${Math.round(abs / 86_400_000)} d`;
  return ms >= 0 ? `in ${unit}` : `${unit} ago`;
}
