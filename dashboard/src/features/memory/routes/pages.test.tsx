// The memory pages against a scripted server: a search shows each hit's score, the ranks that
// matched it, its scope (the agent by name, linked) and provenance; a memory's page shows every
// version with what changed; a viewer is offered no writing and no model switch.
import { afterEach, describe, expect, it, vi } from "vitest";
import { cleanup, render, screen, within } from "@testing-library/react";
import { MemoryRouter, Route, Routes } from "react-router";
import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { useSession, type User } from "@/lib/auth/session";
import type { Memory, MemoryDetail, SearchResult } from "../api";
import MemoryPage from "./MemoryPage";
import MemoryDetailPage from "./MemoryDetailPage";

const server = vi.fn<(method: string, path: string, body: unknown) => unknown>();
const get = vi.fn<(path: string) => unknown>();

// The real typed client over a scripted fetch: memory calls go to `server` (method, path with
// its query, body), the directories the pages read (agents, conversations) to `get` (path).
vi.mock("@/lib/api/client", async () => {
  const { default: createClient } = await import("openapi-fetch");
  const { errorFromBody } = await import("@/lib/api/errors");
  const respond = async (request: Request) => {
    const url = new URL(request.url);
    const body = request.method === "GET" || request.method === "DELETE" ? undefined : JSON.parse((await request.text()) || "null");
    const data = url.pathname.startsWith("/api/memories") ? server(request.method, url.pathname + url.search, body) : get(url.pathname);
    return new Response(JSON.stringify(data), { status: 200, headers: { "content-type": "application/json" } });
  };
  return {
    authedFetch: respond,
    api: createClient({ baseUrl: "http://localhost", fetch: respond }),
    unwrap: async (call: Promise<{ data?: unknown; error?: unknown; response: Response }>) => {
      const { data, error, response } = await call;
      if (!response.ok) throw errorFromBody(response.status, error);
      return data;
    },
  };
});

afterEach(() => {
  cleanup();
  server.mockReset();
  get.mockReset();
});

function signInAs(role: string) {
  const user: User = { id: "u1", email: "me@example.org", display_name: "Me", role, disabled: false, created_at: "2026-01-01T00:00:00Z" };
  useSession.setState({ status: "signed-in", user, notice: null });
}

const memory: Memory = {
  id: "m1",
  scope: "agent",
  scope_id: "a1",
  type: "fact",
  content: "The deploy runs on Mondays",
  importance: 0.7,
  tags: ["ops"],
  expires_at: null,
  version: 2,
  source: { conversation_id: "c1", user_id: "u1" },
  created_by: "u1",
  created_by_agent: null,
  created_at: "2026-01-01T00:00:00Z",
  updated_at: "2026-01-02T00:00:00Z",
  deleted_at: null,
  embedded: false,
  links: [{ kind: "duplicate_of", memory_id: "m1", target_id: "m0000000-0000", similarity: 0.97 }],
};

// As a viewer sees it: the models, not the counts (those are over every scope: admins only).
const embedding = { serving_model: "all-minilm-l6-v2", serving_dimension: 384, target_model: "all-minilm-l6-v2", target_dimension: 384, memories: null, chunks: null, reembedding: false };

function directory(path: string): unknown {
  if (path === "/api/agents") return { items: [{ id: "a1", name: "scribe", owner_id: "u1" }], next_cursor: null };
  if (path === "/api/conversations") return { items: [{ id: "c1", title: "Release talk", agent_ids: ["a1"], user_ids: ["u1"], owner_id: "u1", created_at: "2026-01-01T00:00:00Z", updated_at: "2026-01-01T00:00:00Z" }], next_cursor: null };
  if (path === "/api/llm/models") return [];
  throw new Error(`unexpected GET ${path}`);
}

function wrap(path: string) {
  const client = new QueryClient({ defaultOptions: { queries: { retry: false } } });
  return render(
    <QueryClientProvider client={client}>
      <MemoryRouter initialEntries={[path]}>
        <Routes>
          <Route path="/memory" element={<MemoryPage />} />
          <Route path="/memory/:id" element={<MemoryDetailPage />} />
        </Routes>
      </MemoryRouter>
    </QueryClientProvider>,
  );
}

describe("MemoryPage", () => {
  it("searches with the address's query and mode, and shows how each hit matched", async () => {
    signInAs("viewer");
    get.mockImplementation(directory);
    const result: SearchResult = { mode: "hybrid", model: "all-minilm-l6-v2", items: [{ memory, score: 0.0328, similarity: 0.81, semantic_rank: 2, keyword_rank: 1 }] };
    server.mockImplementation((method, path, body) => {
      if (path === "/api/memories/embedding") return embedding;
      expect(`${method} ${path}`).toBe("POST /api/memories/search");
      expect(body).toEqual({ query: "deploy", mode: "hybrid", limit: 20, scopes: ["agent"] });
      return result;
    });
    wrap("/memory?q=deploy&scope=agent");

    const hits = await screen.findByRole("list", { name: "Search results" });
    const hit = within(hits).getByTestId("memory");
    expect(within(hit).getByTestId("hit-score")).toHaveTextContent("score 0.033");
    expect(hit).toHaveTextContent("semantic #2");
    expect(hit).toHaveTextContent("keyword #1");
    expect(hit).toHaveTextContent("not embedded yet");
    expect(hit).toHaveTextContent("v2");
    expect(await within(hit).findByRole("link", { name: "scribe" })).toHaveAttribute("href", "/agents/a1");
    expect(within(hit).getByRole("link", { name: "Release talk" })).toHaveAttribute("href", "/agents/a1");
    expect(within(hit).getByLabelText("Links")).toHaveTextContent("duplicate of m0000000 (0.97)");
    expect(screen.getByTestId("search-summary")).toHaveTextContent("1 hit for “deploy” · hybrid with all-minilm-l6-v2");
    // A viewer writes nothing and switches no model.
    expect(screen.queryByRole("button", { name: "New memory" })).toBeNull();
    expect(await screen.findByTestId("embedding-status")).toHaveTextContent("Servingall-minilm-l6-v2 · 384 dims");
    expect(screen.queryByRole("progressbar")).toBeNull();
    expect(screen.queryByLabelText("Embedding model")).toBeNull();
  });
});

describe("MemoryDetailPage", () => {
  it("shows every version, newest first, with the words that changed", async () => {
    signInAs("member");
    get.mockImplementation(directory);
    const detail: MemoryDetail = {
      ...memory,
      versions: [
        { version: 1, type: "fact", content: "The deploy runs on Fridays", importance: 0.5, tags: ["ops"], changed_by: "u1", changed_at: "2026-01-01T00:00:00Z" },
        { version: 2, type: "fact", content: "The deploy runs on Mondays", importance: 0.7, tags: ["ops"], changed_by: "u1", changed_at: "2026-01-02T00:00:00Z" },
      ],
    };
    server.mockImplementation((method, path) => {
      expect(`${method} ${path}`).toBe("GET /api/memories/m1");
      return detail;
    });
    wrap("/memory/m1");

    const versions = await screen.findByRole("list", { name: "Versions" });
    const items = [...versions.querySelectorAll(":scope > li")];
    expect(items.map((i) => i.getAttribute("data-testid"))).toEqual(["version-2", "version-1"]);
    const changes = within(items[0] as HTMLElement).getByLabelText("Changes from version 1");
    expect(changes.querySelector("del")).toHaveTextContent("Fridays");
    expect(changes.querySelector("ins")).toHaveTextContent("Mondays");
    expect(items[0]).toHaveTextContent("importance: 0.5 → 0.7");
    expect(screen.getByRole("button", { name: "Edit" })).toBeInTheDocument();
    expect(screen.getByRole("button", { name: "Delete this memory" })).toBeInTheDocument();
    expect(screen.queryByRole("button", { name: "Purge this memory for good" })).toBeNull();
  });
});
