// The CSRF cookie set beside the HttpOnly refresh cookie (docs/security.md, "Browser sessions").

export const CSRF_COOKIE = "gathering_csrf";

export function readCookie(name: string, cookies: string = document.cookie): string | null {
  for (const part of cookies.split(";")) {
    const [key, ...rest] = part.trim().split("=");
    if (key === name) return decodeURIComponent(rest.join("="));
  }
  return null;
}
