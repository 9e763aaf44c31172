// The frame of a circle's pages: its name and purpose, whether it is archived, and the tabs
// (the circle, its task board); the page renders once the circle is loaded.
import type { ReactNode } from "react";
import { Link, NavLink } from "react-router";
import { useSession, roleOf } from "@/lib/auth/session";
import { Badge } from "@/components/ui";
import { PageHeader, QueryView } from "@/components/states";
import { useCircle, type CircleDetail } from "../api";
import { abilities, type Abilities } from "../access";

const tab = ({ isActive }: { isActive: boolean }) =>
  `rounded-t-md border-b-2 px-3 py-1.5 text-sm font-medium ${isActive ? "border-indigo-600 text-indigo-700 dark:text-indigo-300" : "border-transparent text-slate-600 hover:text-slate-900 dark:text-slate-400 dark:hover:text-slate-100"}`;

export function CircleFrame({ name, children, actions }: { name: string; children: (circle: CircleDetail, can: Abilities) => ReactNode; actions?: (circle: CircleDetail, can: Abilities) => ReactNode }) {
  const circle = useCircle(name);
  const role = useSession((s) => roleOf(s.user));
  return (
    <QueryView query={circle} what="Loading the circle">
      {(c) => {
        const can = abilities(role, c.my_role);
        if (c.archived_at) {
          can.manage = false;
          can.participate = false;
        }
        return (
          <>
            <nav aria-label="Breadcrumb" className="mb-1 text-sm text-slate-500">
              <Link to="/circles" className="hover:underline">
                Circles
              </Link>{" "}
              / {c.name}
            </nav>
            <PageHeader
              title={c.name}
              description={
                <>
                  {c.purpose || "No purpose given."}{" "}
                  {c.archived_at && <Badge tone="cancelled">archived</Badge>} {c.my_role && <Badge>you: {c.my_role}</Badge>}
                </>
              }
              actions={actions?.(c, can)}
            />
            <nav aria-label="Circle sections" className="mb-4 flex gap-2 border-b border-slate-200 dark:border-slate-800">
              <NavLink end to={`/circles/${c.name}`} className={tab}>
                Circle
              </NavLink>
              <NavLink to={`/circles/${c.name}/tasks`} className={tab}>
                Task board
              </NavLink>
            </nav>
            {children(c, can)}
          </>
        );
      }}
    </QueryView>
  );
}
