// The signed-in frame: navigation, the live connection, the theme and the user menu. Redirects
// to sign-in when there is no session, keeping where the user was going.
import { useEffect } from "react";
import { NavLink, Navigate, Outlet, useLocation } from "react-router";
import { useQueryClient } from "@tanstack/react-query";
import { allows, signOut, useSession } from "@/lib/auth/session";
import { live } from "@/lib/live/socket";
import { createInvalidator } from "@/lib/live/invalidate";
import { Loading } from "@/components/states";
import { Button } from "@/components/ui";
import { nav } from "./nav";
import { ConnectionIndicator } from "./ConnectionIndicator";
import { useTheme, type Theme } from "./theme";

export function Layout() {
  const { status, user } = useSession();
  const location = useLocation();
  const client = useQueryClient();
  const { theme, setTheme } = useTheme();

  useEffect(() => {
    if (status !== "signed-in") return;
    live.start();
    return live.subscribe(createInvalidator(client));
  }, [status, client]);

  if (status === "unknown") return <Loading what="Restoring your session" />;
  if (status === "signed-out") return <Navigate to="/signin" replace state={{ from: location.pathname + location.search }} />;

  return (
    <div className="flex h-full min-w-[1024px]">
      <a href="#main" className="sr-only focus:not-sr-only focus:absolute focus:p-2">
        Skip to content
      </a>
      <nav aria-label="Main" className="flex w-52 shrink-0 flex-col gap-0.5 border-r border-slate-200 bg-white p-3 dark:border-slate-800 dark:bg-slate-900">
        <div className="mb-4 px-2 text-lg font-bold tracking-tight">gathering</div>
        {nav
          .filter((item) => !item.role || allows(user, item.role))
          .map((item) => (
            <NavLink
              key={item.to}
              to={item.to}
              end={item.to === "/"}
              className={({ isActive }) =>
                `rounded-md px-2 py-1.5 text-sm ${isActive ? "bg-indigo-50 font-medium text-indigo-700 dark:bg-indigo-950 dark:text-indigo-300" : "text-slate-700 hover:bg-slate-100 dark:text-slate-300 dark:hover:bg-slate-800"}`
              }
            >
              {item.label}
              {item.later && <span className="ml-1 text-xs text-slate-400">(soon)</span>}
            </NavLink>
          ))}
      </nav>
      <div className="flex min-w-0 flex-1 flex-col">
        <header className="flex items-center justify-end gap-3 border-b border-slate-200 bg-white px-4 py-2 dark:border-slate-800 dark:bg-slate-900">
          <ConnectionIndicator />
          <label className="flex items-center gap-1 text-xs text-slate-600 dark:text-slate-300">
            Theme
            <select value={theme} onChange={(e) => setTheme(e.target.value as Theme)} className="rounded border border-slate-300 bg-transparent px-1 py-0.5 dark:border-slate-600">
              <option value="system">System</option>
              <option value="light">Light</option>
              <option value="dark">Dark</option>
            </select>
          </label>
          <span className="text-sm" data-testid="whoami">
            {user?.email} <span className="text-slate-500">({(user as { role?: string } | null)?.role})</span>
          </span>
          <Button variant="ghost" onClick={() => void signOut()}>
            Sign out
          </Button>
        </header>
        <main id="main" className="min-h-0 flex-1 overflow-auto p-6">
          <Outlet />
        </main>
      </div>
    </div>
  );
}
