// Who may use which administration page, and which roles a user may hand out: pure, so the
// pages, the navigation and the tests agree.
import type { Role } from "@/lib/auth/session";

export const roles: Role[] = ["viewer", "member", "admin"];

const rank: Record<Role, number> = { viewer: 0, member: 1, admin: 2 };

export function isRole(value: unknown): value is Role {
  return value === "viewer" || value === "member" || value === "admin";
}

/** Whether `role` (the signed-in user's, or null when unknown) is at least `needed`. */
export function atLeast(role: Role | null | undefined, needed: Role): boolean {
  return !!role && rank[role] >= rank[needed];
}

/** The least role each administration page needs (the navigation shows the same). */
export const pageRole = {
  users: "admin",
  apiKeys: "member",
  audit: "admin",
  mcp: "admin",
} as const satisfies Record<string, Role>;

/** The roles a key may be given: at most its creator's (the server refuses a higher one). */
export function keyRolesFor(role: Role | null | undefined): Role[] {
  return role ? roles.filter((r) => rank[r] <= rank[role]) : [];
}
