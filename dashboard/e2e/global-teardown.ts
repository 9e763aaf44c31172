// Stops the server the setup started; `serve` stops its embedded PostgreSQL on SIGTERM.
import { existsSync, readFileSync } from "node:fs";
import { statePath } from "./paths";

export default async function globalTeardown(): Promise<void> {
  const pidFile = statePath("server.pid");
  if (!existsSync(pidFile)) return;
  const pid = Number(readFileSync(pidFile, "utf8"));
  try {
    process.kill(pid, "SIGTERM");
  } catch {
    return;
  }
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    try {
      process.kill(pid, 0);
    } catch {
      return;
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  process.kill(pid, "SIGKILL");
}
