// What the caller may do in a circle, from their platform role and their role in the circle
// (`my_role`): owners and admins manage; participants (and owners, admins) take part, with a
// platform role of member or more; observers read.
import type { Role } from "@/lib/auth/session";
import type { PersonMember, PersonRole } from "./api";

export type Abilities = { manage: boolean; participate: boolean; member: boolean };

export function abilities(platform: Role | null, myRole: PersonRole | null | undefined): Abilities {
  const admin = platform === "admin";
  const writer = platform === "admin" || platform === "member";
  return {
    manage: writer && (admin || myRole === "owner"),
    participate: writer && (admin || myRole === "owner" || myRole === "participant"),
    member: myRole !== null && myRole !== undefined,
  };
}

/** Whether `userId` may leave: anyone but the circle's last owner. */
export function mayLeave(people: PersonMember[], userId: string | undefined): boolean {
  const me = people.find((p) => p.user_id === userId);
  if (!me) return false;
  return me.role !== "owner" || people.filter((p) => p.role === "owner").length > 1;
}

/** Competencies typed as a comma-separated list. */
export function parseList(text: string): string[] {
  return [
    ...new Set(
      text
        .split(",")
        .map((s) => s.trim())
        .filter(Boolean),
    ),
  ];
}
