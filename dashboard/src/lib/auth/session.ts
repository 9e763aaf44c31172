// Who is signed in. The access token lives only in this module's memory; the refresh token is
// an HttpOnly cookie the page never sees, so a reload restores the session through
// POST /api/auth/session/refresh (with the CSRF cookie echoed in a header).
import { create } from "zustand";
import type { components } from "@/lib/api/schema";
import { errorFromResponse } from "@/lib/api/errors";
import { CSRF_COOKIE, readCookie } from "./cookies";

export type User = components["schemas"]["UserView"];
export type Role = "viewer" | "member" | "admin";

type SessionView = { access_token: string; expires_in: number; user: User };

export type SessionState = {
  status: "unknown" | "signed-in" | "signed-out";
  user: User | null;
  /** Why the user was signed out (an expired or revoked session), shown on the sign-in page. */
  notice: string | null;
};

export const useSession = create<SessionState>(() => ({ status: "unknown", user: null, notice: null }));

let accessToken: string | null = null;
let refreshTimer: ReturnType<typeof setTimeout> | null = null;
let refreshing: Promise<boolean> | null = null;
const listeners = new Set<(token: string | null) => void>();

export function getAccessToken(): string | null {
  return accessToken;
}

/** Called with every new token (and null on sign-out): the live socket re-authenticates. */
export function onTokenChange(listener: (token: string | null) => void): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

function csrfHeaders(): Record<string, string> {
  const csrf = readCookie(CSRF_COOKIE);
  return csrf ? { "x-csrf-token": csrf } : {};
}

function accept(view: SessionView): void {
  accessToken = view.access_token;
  useSession.setState({ status: "signed-in", user: view.user, notice: null });
  if (refreshTimer) clearTimeout(refreshTimer);
  // Refresh a little before the token expires, so requests rarely meet a 401.
  const ms = Math.max(5, view.expires_in - 30) * 1000;
  refreshTimer = setTimeout(() => void refresh(), ms);
  for (const listener of listeners) listener(accessToken);
}

function clear(notice: string | null): void {
  accessToken = null;
  if (refreshTimer) clearTimeout(refreshTimer);
  refreshTimer = null;
  useSession.setState({ status: "signed-out", user: null, notice });
  for (const listener of listeners) listener(null);
}

export async function signIn(email: string, password: string): Promise<void> {
  const response = await fetch("/api/auth/session", {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ email, password }),
    credentials: "same-origin",
  });
  if (!response.ok) throw await errorFromResponse(response);
  accept((await response.json()) as SessionView);
}

/** Creates the first admin with the one-time setup token and signs in as them. */
export async function completeSetup(body: { token: string; email: string; password: string; display_name?: string }): Promise<void> {
  const response = await fetch("/api/setup", {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(body),
    credentials: "same-origin",
  });
  if (!response.ok) throw await errorFromResponse(response);
  accept((await response.json()) as SessionView);
}

/** Exchanges the refresh cookie for a new access token; one call at a time. */
export function refresh(): Promise<boolean> {
  if (!refreshing) {
    refreshing = doRefresh().finally(() => {
      refreshing = null;
    });
  }
  return refreshing;
}

async function doRefresh(): Promise<boolean> {
  if (!readCookie(CSRF_COOKIE)) {
    // No browser session to restore.
    if (useSession.getState().status === "signed-in") clear("Your session ended. Sign in again.");
    else clear(useSession.getState().notice);
    return false;
  }
  try {
    const response = await fetch("/api/auth/session/refresh", {
      method: "POST",
      headers: csrfHeaders(),
      credentials: "same-origin",
    });
    if (!response.ok) {
      const wasSignedIn = useSession.getState().status === "signed-in";
      clear(wasSignedIn || response.status === 401 ? "Your session expired or was revoked. Sign in again." : null);
      return false;
    }
    accept((await response.json()) as SessionView);
    return true;
  } catch {
    // The server is unreachable: keep the state; the next request retries.
    return false;
  }
}

/** On page load: restore the session from the refresh cookie, if there is one. */
export async function restore(): Promise<void> {
  if (!readCookie(CSRF_COOKIE)) {
    clear(null);
    return;
  }
  await refresh();
}

/** Ends the session on the server (refresh tokens and this access token) and forgets it here. */
export async function signOut(): Promise<void> {
  const headers: Record<string, string> = { ...csrfHeaders() };
  if (accessToken) headers["authorization"] = `Bearer ${accessToken}`;
  try {
    await fetch("/api/auth/session", { method: "DELETE", headers, credentials: "same-origin" });
  } finally {
    clear("You signed out.");
  }
}

/** A request met a 401 that a refresh could not cure. */
export function expire(): void {
  clear("Your session expired or was revoked. Sign in again.");
}

export function roleOf(user: User | null): Role | null {
  const role = (user as { role?: string } | null)?.role;
  return role === "admin" || role === "member" || role === "viewer" ? role : null;
}

const rank: Record<Role, number> = { viewer: 0, member: 1, admin: 2 };

/** Whether the signed-in user's role is at least `needed`. */
export function allows(user: User | null, needed: Role): boolean {
  const role = roleOf(user);
  return role !== null && rank[role] >= rank[needed];
}

export function useCan(needed: Role): boolean {
  return useSession((s) => allows(s.user, needed));
}
