import { describe, expect, it } from "vitest";
import { nav } from "@/app/nav";
import { allows, type User } from "@/lib/auth/session";
import { atLeast, keyRolesFor, pageRole } from "./access";

describe("role checks", () => {
  it("orders viewer < member < admin", () => {
    expect(atLeast("admin", "member")).toBe(true);
    expect(atLeast("member", "member")).toBe(true);
    expect(atLeast("viewer", "member")).toBe(false);
    expect(atLeast("member", "admin")).toBe(false);
    expect(atLeast(null, "viewer")).toBe(false);
  });

  it("offers a key no role above its creator's", () => {
    expect(keyRolesFor("viewer")).toEqual(["viewer"]);
    expect(keyRolesFor("member")).toEqual(["viewer", "member"]);
    expect(keyRolesFor("admin")).toEqual(["viewer", "member", "admin"]);
    expect(keyRolesFor(null)).toEqual([]);
  });

  it("agrees with the navigation on who sees each administration page", () => {
    const byPath = new Map(nav.map((item) => [item.to, item.role]));
    expect(byPath.get("/admin/users")).toBe(pageRole.users);
    expect(byPath.get("/admin/api-keys")).toBe(pageRole.apiKeys);
    expect(byPath.get("/admin/audit")).toBe(pageRole.audit);
    expect(byPath.get("/admin/mcp")).toBe(pageRole.mcp);
  });

  it("hides the admin pages from members and viewers, and API keys from viewers", () => {
    // As the layout filters the navigation.
    const user = (role: string): User => ({ id: "u", email: "a@b.c", display_name: "A", role, disabled: false, created_at: "2026-01-01T00:00:00Z" });
    const shown = (role: string) => nav.filter((item) => !item.role || allows(user(role), item.role)).map((item) => item.label);
    expect(shown("admin")).toEqual(expect.arrayContaining(["Users", "API keys", "Audit log", "MCP servers"]));
    expect(shown("member")).toContain("API keys");
    for (const label of ["Users", "Audit log", "MCP servers"]) expect(shown("member")).not.toContain(label);
    for (const label of ["Users", "API keys", "Audit log", "MCP servers"]) expect(shown("viewer")).not.toContain(label);
  });
});
