// The navigation, in one list: the layout renders it and role checks hide what a role may not use.
import type { Role } from "@/lib/auth/session";

export type NavItem = { to: string; label: string; role?: Role; later?: string };

export const nav: NavItem[] = [
  { to: "/", label: "Overview" },
  { to: "/agents", label: "Agents" },
  { to: "/personas", label: "Personas" },
  { to: "/pipelines", label: "Pipelines" },
  { to: "/schedules", label: "Schedules" },
  { to: "/models", label: "Models" },
  { to: "/events", label: "Events" },
  { to: "/memory", label: "Memory" },
  { to: "/knowledge", label: "Knowledge" },
  { to: "/circles", label: "Circles" },
  { to: "/admin/users", label: "Users", role: "admin" },
  { to: "/admin/api-keys", label: "API keys", role: "member" },
  { to: "/admin/audit", label: "Audit log", role: "admin" },
  { to: "/admin/mcp", label: "MCP servers", role: "admin" },
];
