// The list's last outcomes come from `GET /api/schedules` itself (each schedule's `last_run`):
// the page asks for no schedule's runs, however many rows it shows.
import { afterEach, describe, expect, it, vi } from "vitest";
import { cleanup, render, screen, within } from "@testing-library/react";
import { MemoryRouter } from "react-router";
import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { useSession, type User } from "@/lib/auth/session";
import type { Schedule } from "../api";
import SchedulesPage from "./SchedulesPage";

const get = vi.fn();

vi.mock("@/lib/api/client", () => ({
  api: { GET: (...args: unknown[]) => get(...args) },
  unwrap: async (call: Promise<{ data?: unknown }>) => (await call).data,
}));

afterEach(() => {
  cleanup();
  get.mockReset();
});

function schedule(name: string, lastRun: Schedule["last_run"]): Schedule {
  return {
    id: `id-${name}`,
    name,
    description: "",
    kind: "interval",
    owner_id: "u1",
    status: "active",
    paused: false,
    paused_reason: null,
    next_fire_at: "2030-01-01T00:00:00Z",
    next_fire_times: ["2030-01-01T00:00:00Z"],
    executions: lastRun ? 1 : 0,
    last_fired_at: null,
    created_at: "2026-01-01T00:00:00Z",
    updated_at: "2026-01-01T00:00:00Z",
    spec: { name, kind: "interval", interval_seconds: 60, action: { type: "send_notification", message: "hi" } } as unknown as Schedule["spec"],
    last_run: lastRun,
  };
}

const items = [
  schedule("never", null),
  schedule("broken", { id: "r1", status: "failed", scheduled_for: "2026-01-01T00:00:00Z", finished_at: "2026-01-01T00:00:01Z", trigger: "schedule" }),
  schedule("fine", { id: "r2", status: "completed", scheduled_for: "2026-01-01T00:00:00Z", finished_at: "2026-01-01T00:00:01Z", trigger: "manual" }),
];

describe("SchedulesPage", () => {
  it("shows each schedule's last outcome from the list, without a request per row", async () => {
    const user: User = { id: "u1", email: "me@example.org", display_name: "Me", role: "viewer", disabled: false, created_at: "2026-01-01T00:00:00Z" };
    useSession.setState({ status: "signed-in", user, notice: null });
    get.mockImplementation(async (path: string) => ({
      data: path === "/api/schedules" ? { items, next_cursor: null } : { items: [], next_cursor: null },
    }));
    const client = new QueryClient({ defaultOptions: { queries: { retry: false } } });
    render(
      <QueryClientProvider client={client}>
        <MemoryRouter>
          <SchedulesPage />
        </MemoryRouter>
      </QueryClientProvider>,
    );
    const table = await screen.findByRole("table", { name: "Schedules" });
    const row = (name: string) => within(table).getByRole("row", { name: new RegExp(name) });
    expect(row("never")).toHaveTextContent("no runs yet");
    expect(row("broken")).toHaveTextContent("failed");
    expect(row("fine")).toHaveTextContent("completed");
    const paths = get.mock.calls.map(([path]) => path as string);
    expect(paths).toContain("/api/schedules");
    expect(paths.filter((p) => p.includes("/runs"))).toEqual([]);
  });
});
