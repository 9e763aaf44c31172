import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
export const repo = resolve(here, "../..");
/** Files the tests share (server address, credentials), under dashboard/e2e/.state (ignored). */
export function statePath(name: string): string {
  return resolve(here, ".state", name);
}
