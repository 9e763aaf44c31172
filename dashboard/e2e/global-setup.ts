// Starts one real server for the browser tests: `target/debug/gathering serve` (as built by
// `cargo test`) on a fresh embedded database, serving dashboard/dist from disk. Records the
// first-run setup link it prints, for the first-run test.
import { spawn } from "node:child_process";
import { closeSync, mkdirSync, openSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { resolve } from "node:path";
import { port } from "../playwright.config";
import { repo, statePath } from "./paths";

async function waitFor(check: () => Promise<boolean> | boolean, what: string, ms: number): Promise<void> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`timed out waiting for ${what}; server log: ${statePath("server.log")}`);
}

export default async function globalSetup(): Promise<void> {
  const bin = process.env.GATHERING_BIN ?? resolve(repo, "target/debug/gathering");
  const dataDir = statePath("data");
  mkdirSync(statePath(""), { recursive: true });
  rmSync(dataDir, { recursive: true, force: true });
  const logFile = statePath("server.log");
  const out = openSync(logFile, "w");
  const child = spawn(bin, ["serve", "--addr", `127.0.0.1:${port}`, "--data-dir", dataDir], {
    cwd: repo,
    env: {
      ...process.env,
      GATHERING_CONFIG: resolve(repo, "dashboard/e2e/server.toml"),
      GATHERING_DASHBOARD_DIR: resolve(repo, "dashboard/dist"),
      RUST_LOG: process.env.RUST_LOG ?? "warn",
    },
    stdio: ["ignore", out, out],
    detached: false,
  });
  closeSync(out);
  writeFileSync(statePath("server.pid"), String(child.pid));
  child.on("exit", (code) => {
    if (code !== null && code !== 0) console.error(`gathering serve exited with ${code}; see ${logFile}`);
  });
  const base = `http://127.0.0.1:${port}`;
  await waitFor(
    async () => {
      try {
        return (await fetch(`${base}/health/ready`)).ok;
      } catch {
        return false;
      }
    },
    "the server to be ready",
    180_000,
  );
  let setupUrl = "";
  await waitFor(
    () => {
      const match = /https?:\/\/\S+\/setup#token=[A-Za-z0-9_-]+/.exec(readFileSync(logFile, "utf8"));
      if (match) setupUrl = match[0];
      return match !== null;
    },
    "the first-run setup link",
    10_000,
  );
  writeFileSync(statePath("server.json"), JSON.stringify({ base, setupPath: new URL(setupUrl).pathname + new URL(setupUrl).hash }));
}
