/// <reference types="vitest/config" />
import { defineConfig } from "vite";
import react from "@vitejs/plugin-react";
import tailwindcss from "@tailwindcss/vite";
import { fileURLToPath } from "node:url";

// The dev server proxies the API and the sockets to a running `gathering serve`.
const backend = process.env.GATHERING_URL ?? "http://127.0.0.1:8000";

export default defineConfig({
  plugins: [react(), tailwindcss()],
  // `@/` is src/ (tsconfig paths); said here too so Vitest resolves it in tests and mocks.
  resolve: { alias: { "@": fileURLToPath(new URL("./src", import.meta.url)) } },
  build: {
    outDir: "dist",
    emptyOutDir: true,
    sourcemap: false,
    // Every route and the editors are split; the entry stays small (see docs/benchmarks/dashboard.md).
    chunkSizeWarningLimit: 600,
  },
  server: {
    proxy: {
      "/api": backend,
      "/v1": backend,
      "/health": backend,
      "/ws": { target: backend.replace(/^http/, "ws"), ws: true },
    },
  },
  test: {
    environment: "jsdom",
    include: ["src/**/*.test.{ts,tsx}"],
    setupFiles: ["src/test/setup.ts"],
  },
});
