import { describe, expect, it } from "vitest";
import { abilities, mayLeave, parseList } from "./access";
import type { PersonMember } from "./api";

const person = (user_id: string, role: PersonMember["role"]): PersonMember => ({ user_id, role, handle: user_id, display_name: user_id, added_at: "2026-01-01T00:00:00Z" });

describe("circle abilities", () => {
  it("owners and admins manage; participants take part; observers and viewers read", () => {
    expect(abilities("member", "owner")).toEqual({ manage: true, participate: true, member: true });
    expect(abilities("admin", null)).toEqual({ manage: true, participate: true, member: false });
    expect(abilities("member", "participant")).toEqual({ manage: false, participate: true, member: true });
    expect(abilities("member", "observer")).toEqual({ manage: false, participate: false, member: true });
    expect(abilities("viewer", "owner")).toEqual({ manage: false, participate: false, member: true });
  });

  it("the last owner may not leave", () => {
    expect(mayLeave([person("a", "owner"), person("b", "participant")], "a")).toBe(false);
    expect(mayLeave([person("a", "owner"), person("b", "owner")], "a")).toBe(true);
    expect(mayLeave([person("a", "owner"), person("b", "participant")], "b")).toBe(true);
    expect(mayLeave([person("a", "owner")], "z")).toBe(false);
  });

  it("reads a comma-separated list", () => {
    expect(parseList(" rust, sql,,rust ")).toEqual(["rust", "sql"]);
  });
});
