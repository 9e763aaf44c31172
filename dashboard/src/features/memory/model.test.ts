import { describe, expect, it } from "vitest";
import { staleKeys } from "@/lib/live/invalidate";
import { embeddingBusy, waitsForVector, type Memory, type MemoryVersion } from "./api";
import {
  createBody,
  editForm,
  emptyFilter,
  emptyForm,
  fieldChanges,
  filterFromSearch,
  filterToSearch,
  formErrors,
  listParams,
  matchedBy,
  parseTags,
  patchBody,
  percent,
  provenance,
  searchRequest,
  wordDiff,
  writableScopes,
} from "./model";

const memory: Memory = {
  id: "m1",
  scope: "agent",
  scope_id: "a1",
  type: "fact",
  content: "The deploy runs on Fridays",
  importance: 0.5,
  tags: ["ops"],
  expires_at: null,
  version: 2,
  source: { conversation_id: "c1", message_id: "msg1" },
  created_by: "u1",
  created_by_agent: null,
  created_at: "2026-01-01T00:00:00Z",
  updated_at: "2026-01-02T00:00:00Z",
  deleted_at: null,
  embedded: true,
  links: [],
};

describe("filters in the address", () => {
  it("round-trips and drops unknown values", () => {
    const filter = { ...emptyFilter, scope: "agent" as const, scopeId: "a1", type: "skill" as const, tag: "ops", deleted: true, q: "deploy", mode: "keyword" as const };
    expect(filterFromSearch(filterToSearch(filter))).toEqual(filter);
    expect(filterFromSearch(new URLSearchParams("scope=nope&type=bad&mode=magic"))).toEqual(emptyFilter);
  });

  it("sends a scope id only with its scope", () => {
    expect(listParams({ ...emptyFilter, scopeId: "a1" })).toEqual({});
    expect(listParams({ ...emptyFilter, scope: "agent", scopeId: "a1", deleted: true })).toEqual({ scope: "agent", scope_id: "a1", include_deleted: true });
  });

  it("searches with the same scope, type and tag as the list", () => {
    expect(searchRequest({ ...emptyFilter, q: "  " })).toBeNull();
    expect(searchRequest({ ...emptyFilter, q: " deploy ", scope: "user", type: "fact", tag: "ops", mode: "semantic" })).toEqual({
      query: "deploy",
      mode: "semantic",
      limit: 20,
      scopes: ["user"],
      types: ["fact"],
      tags: ["ops"],
    });
  });
});

describe("the memory form", () => {
  it("offers global to admins only, and never circle yet", () => {
    expect(writableScopes("member")).toEqual(["user", "agent", "conversation"]);
    expect(writableScopes("admin")).toContain("global");
    expect(writableScopes("admin")).not.toContain("circle");
  });

  it("parses tags from commas and spaces without repeats", () => {
    expect(parseTags(" a, b  c,a ,, ")).toEqual(["a", "b", "c"]);
  });

  it("names what is missing", () => {
    expect(formErrors({ ...emptyForm, content: " ", importance: "2" }, "u1")).toEqual({ content: "Write what to remember.", importance: "A number from 0 to 1." });
    expect(formErrors({ ...emptyForm, content: "x", scope: "agent" }, "u1")).toEqual({ scopeId: "Pick the agent." });
    expect(formErrors({ ...emptyForm, content: "x", scope: "global" }, null)).toEqual({});
  });

  it("makes the create body: user scope is the signed-in user, global has no id", () => {
    expect(createBody({ ...emptyForm, content: " likes tea ", tags: "drinks", importance: "0.8" }, "u1")).toEqual({
      scope: "user",
      scope_id: "u1",
      type: "fact",
      content: "likes tea",
      importance: 0.8,
      tags: ["drinks"],
    });
    expect(createBody({ ...emptyForm, scope: "global", content: "x" }, "u1")).toEqual({ scope: "global", type: "fact", content: "x", importance: 0.5 });
    const expiring = createBody({ ...emptyForm, content: "x", expiresAt: "2030-01-02T03:04" }, "u1");
    expect(expiring.expires_at).toBe(new Date("2030-01-02T03:04").toISOString());
  });

  it("patches only what changed, and clears an expiry with null", () => {
    expect(patchBody(editForm(memory), memory)).toEqual({});
    expect(patchBody({ ...editForm(memory), content: "The deploy runs on Mondays", tags: "ops, weekly" }, memory)).toEqual({ content: "The deploy runs on Mondays", tags: ["ops", "weekly"] });
    const expiring = { ...memory, expires_at: "2030-01-01T00:00:00Z" };
    expect(patchBody({ ...editForm(expiring), expiresAt: "" }, expiring)).toEqual({ expires_at: null });
  });
});

describe("how a memory shows", () => {
  it("says which ranks matched a hit", () => {
    expect(matchedBy({ semantic_rank: 2, keyword_rank: 1 })).toEqual(["semantic #2", "keyword #1"]);
    expect(matchedBy({ semantic_rank: null, keyword_rank: 3 })).toEqual(["keyword #3"]);
    expect(matchedBy({})).toEqual([]);
  });

  it("lists provenance in order, the creator standing in for a missing user", () => {
    expect(provenance(memory).map((p) => `${p.kind}:${p.id}`)).toEqual(["conversation:c1", "message:msg1", "user:u1"]);
    expect(provenance({ source: { run_id: "r1", agent_id: "a9" }, created_by: null, created_by_agent: null }).map((p) => p.kind)).toEqual(["run", "agent"]);
  });

  it("knows when vectors are still to be written, counts or not", () => {
    const status = { reembedding: false, memories: { total: 2, embedded: 2 }, chunks: { total: 1, embedded: 0 } };
    expect(embeddingBusy(status)).toBe(true);
    expect(embeddingBusy({ ...status, chunks: { total: 1, embedded: 1 } })).toBe(false);
    expect(embeddingBusy({ reembedding: false, memories: null, chunks: null })).toBe(false);
    expect(embeddingBusy({ reembedding: true, memories: null, chunks: null })).toBe(true);
    expect(waitsForVector([memory, { ...memory, embedded: false, deleted_at: "2026-01-03T00:00:00Z" }])).toBe(false);
    expect(waitsForVector([memory, { ...memory, embedded: false }])).toBe(true);
  });

  it("computes progress, full when there is nothing to do", () => {
    expect(percent(1, 3)).toBe(33);
    expect(percent(0, 0)).toBe(100);
  });
});

describe("versions", () => {
  const v = (version: number, patch: Partial<MemoryVersion>): MemoryVersion => ({ version, type: "fact", content: "a", importance: 0.5, tags: [], changed_at: "2026-01-01T00:00:00Z", ...patch });

  it("marks words removed and added", () => {
    expect(wordDiff("The deploy runs on Fridays", "The deploy runs on Mondays at noon")).toEqual([
      { kind: "same", text: "The deploy runs on " },
      { kind: "removed", text: "Fridays" },
      { kind: "added", text: "Mondays at noon" },
    ]);
    expect(wordDiff("same", "same")).toEqual([{ kind: "same", text: "same" }]);
    expect(wordDiff("", "new")).toEqual([{ kind: "added", text: "new" }]);
  });

  it("falls back to whole texts when they are too long to compare", () => {
    expect(wordDiff("a b c", "a b d", 4)).toEqual([
      { kind: "removed", text: "a b c" },
      { kind: "added", text: "a b d" },
    ]);
  });

  it("names the other fields that changed", () => {
    expect(fieldChanges(v(1, {}), v(2, { type: "skill", tags: ["x"] }))).toEqual([
      { field: "type", before: "fact", after: "skill" },
      { field: "tags", before: "none", after: "x" },
    ]);
    expect(fieldChanges(v(1, {}), v(2, { content: "b" }))).toEqual([]);
  });
});

describe("live", () => {
  it("memory and knowledge events make their pages stale", () => {
    expect(staleKeys("memory.created")).toContainEqual(["memories"]);
    expect(staleKeys("memory.embedding_changed")).toContainEqual(["memories"]);
    expect(staleKeys("knowledge.document_ingested")).toContainEqual(["knowledge"]);
    expect(staleKeys("knowledge.collection_created")).not.toContainEqual(["memories"]);
  });
});
