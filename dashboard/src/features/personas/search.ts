// The personas list's search, on the client: the API has no `q` for personas (yet).
import type { Persona } from "./api";

/** Whether every word of `query` is in the persona's names, role, traits or specializations. */
export function matchesPersona(p: Persona, query: string): boolean {
  const words = query.toLowerCase().split(/\s+/).filter(Boolean);
  if (words.length === 0) return true;
  const hay = [p.name, p.display_name, p.role, ...p.traits, ...p.specializations].join(" ").toLowerCase();
  return words.every((w) => hay.includes(w));
}
