// What a user sees on a page their role may not use: a clear message, never a broken page or
// a redirect. Used when the role is known to be too low, and when the server answers 403.
import type { ReactNode } from "react";
import { Link } from "react-router";
import { ApiError } from "@/lib/api/errors";
import { roleOf, useSession, type Role } from "@/lib/auth/session";
import { ErrorState, Loading, PageHeader } from "@/components/states";
import { Card } from "@/components/ui";
import { atLeast } from "../access";

const article: Record<Role, string> = { viewer: "a viewer", member: "a member", admin: "an admin" };

export function NoAccess({ title, needed, reason }: { title?: string; needed: Role; reason?: string }) {
  const role = useSession((s) => roleOf(s.user));
  return (
    <>
      {title && <PageHeader title={title} />}
      <Card>
        <div role="alert" className="flex flex-col gap-2 text-sm">
          <p className="text-base font-semibold">You do not have access to this page</p>
          <p className="text-slate-600 dark:text-slate-400">
            It needs {article[needed]} or above{role ? `; you are signed in as ${article[role]}` : ""}.{reason ? ` ${reason}` : ""} Ask an administrator if you need it.
          </p>
          <Link to="/" className="text-indigo-600 underline dark:text-indigo-400">
            Back to the overview
          </Link>
        </div>
      </Card>
    </>
  );
}

/** Renders `children` only for `needed` or above; everyone else gets the no-access message. */
export function RequireRole({ title, needed, children }: { title: string; needed: Role; children: ReactNode }) {
  const role = useSession((s) => roleOf(s.user));
  if (!atLeast(role, needed)) return <NoAccess title={title} needed={needed} />;
  return <>{children}</>;
}

export function isForbidden(error: unknown): boolean {
  return error instanceof ApiError && error.status === 403;
}

/** Like QueryView, but a 403 (the role changed under us) shows the no-access message. */
export function AdminQueryView<T>({
  query,
  needed,
  what,
  children,
}: {
  query: { data: T | undefined; error: unknown; isPending: boolean; refetch: () => unknown };
  needed: Role;
  what?: string;
  children: (data: T) => ReactNode;
}) {
  if (query.isPending) return <Loading {...(what ? { what } : {})} />;
  if (isForbidden(query.error)) return <NoAccess needed={needed} reason={`The server said: ${(query.error as ApiError).message}.`} />;
  if (query.error || query.data === undefined) return <ErrorState error={query.error} retry={() => void query.refetch()} />;
  return <>{children(query.data)}</>;
}
