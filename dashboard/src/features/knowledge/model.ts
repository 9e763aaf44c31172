// What the knowledge pages compute without a server: the query's words marked in a chunk's text
// (as segments the page wraps in <mark>, never as HTML), each upload's outcome or error in words,
// sizes, and the collection form. Pure functions, tested without a browser.
import { ApiError, describeError } from "@/lib/api/errors";
import type { CollectionScope, NewCollection, UploadOutcome } from "./api";

// ---- Highlighting.

export type Segment = { text: string; match: boolean };

// Words too common to be worth marking (full-text search drops them too).
const stopwords = new Set(
  "a an and are as at be but by for from has have i in is it its of on or that the this to was were what when where which who why will with".split(" "),
);

/** The query's words to mark: letters and digits, lower case, no stopwords or single letters (digits stay), longest first. */
export function queryTerms(query: string): string[] {
  const words = query.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? [];
  const terms = [...new Set(words)].filter((w) => (w.length > 1 || /\p{N}/u.test(w)) && !stopwords.has(w));
  return terms.sort((a, b) => b.length - a.length);
}

const escape = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

/**
 * `text` cut into segments, those that are words starting with a query term marked (so "deploy"
 * marks "deployment" and "Deploys": keyword search matches stems). Case-insensitive; the text is
 * never changed, only cut.
 */
export function highlight(text: string, query: string): Segment[] {
  const terms = queryTerms(query);
  if (terms.length === 0 || !text) return text ? [{ text, match: false }] : [];
  const pattern = new RegExp(`(?<![\\p{L}\\p{N}])(?:${terms.map(escape).join("|")})[\\p{L}\\p{N}]*`, "giu");
  const out: Segment[] = [];
  let last = 0;
  for (const m of text.matchAll(pattern)) {
    const start = m.index ?? 0;
    if (start > last) out.push({ text: text.slice(last, start), match: false });
    out.push({ text: m[0], match: true });
    last = start + m[0].length;
  }
  if (last < text.length) out.push({ text: text.slice(last), match: false });
  return out;
}

// ---- Uploads: one row per file, with its state.

export type UploadState = { status: "waiting" } | { status: "uploading" } | { status: "done"; outcome: UploadOutcome; chunks: number } | { status: "failed"; message: string };

export const accepted = ".md,.markdown,.txt,.html,.htm,.pdf,.csv";

/** Why an upload was refused, in words a person acts on (413, 415 and 422 are the documented ones). */
export function uploadError(error: unknown): string {
  if (error instanceof ApiError) {
    if (error.status === 413) return `Too large: ${error.message}`;
    if (error.status === 415) return `Unsupported file type: ${error.message}`;
    if (error.status === 422) return `Could not read the document: ${error.message}`;
  }
  return describeError(error);
}

export const outcomeWords: Record<UploadOutcome, string> = {
  ingested: "ingested",
  replaced: "replaced (its chunks were cut again)",
  unchanged: "unchanged (the same content was already there)",
};

/** A byte count for people: 512 B, 1.5 KB, 3.2 MB. */
export function size(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  const units = ["KB", "MB", "GB"];
  let value = bytes / 1024;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${value.toFixed(value < 10 ? 1 : 0)} ${units[unit]}`;
}

// ---- The collection form.

export const namePattern = /^[a-z0-9][a-z0-9._-]{0,62}$/;

export type CollectionForm = { name: string; description: string; scope: CollectionScope; sharedWith: string[] };

export const emptyCollection: CollectionForm = { name: "", description: "", scope: "user", sharedWith: [] };

export function collectionErrors(form: CollectionForm): Partial<Record<"name" | "description", string>> {
  const errors: Partial<Record<"name" | "description", string>> = {};
  if (!namePattern.test(form.name.trim())) errors.name = "Lower-case letters, digits, '.', '_' or '-', starting with a letter or digit; at most 63.";
  if (form.description.length > 2000) errors.description = "At most 2,000 characters.";
  return errors;
}

export function collectionBody(form: CollectionForm): NewCollection {
  const body: NewCollection = { name: form.name.trim(), scope: form.scope };
  if (form.description.trim()) body.description = form.description.trim();
  if (form.scope === "user" && form.sharedWith.length) body.shared_with = form.sharedWith;
  return body;
}

/** User ids typed by hand (one per line, or separated by commas or spaces), without repeats. */
export function parseIds(text: string): string[] {
  return [...new Set(text.split(/[\s,]+/).map((t) => t.trim()).filter(Boolean))];
}

const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
export const isUuid = (text: string): boolean => uuid.test(text);
