// Every client route. Pages are loaded lazily (one chunk per page), so the first load carries
// only the frame, sign-in and the overview's code.
import { createBrowserRouter, type RouteObject } from "react-router";
import { Layout } from "./Layout";
import { RouteError } from "./RouteError";
import SignInPage from "@/features/auth/SignInPage";
import SetupPage from "@/features/auth/SetupPage";

type PageModule = { default: React.ComponentType };
const page = (load: () => Promise<PageModule>): Pick<RouteObject, "lazy"> => ({
  lazy: async () => ({ Component: (await load()).default }),
});

export const routes: RouteObject[] = [
  { path: "/signin", element: <SignInPage /> },
  { path: "/setup", element: <SetupPage /> },
  {
    element: <Layout />,
    errorElement: <RouteError />,
    children: [
      { index: true, ...page(() => import("@/features/overview/OverviewPage")) },
      { path: "agents", ...page(() => import("@/features/agents/routes/AgentsPage")) },
      { path: "agents/:id", ...page(() => import("@/features/agents/routes/AgentPage")) },
      { path: "personas", ...page(() => import("@/features/personas/routes/PersonasPage")) },
      { path: "personas/:id", ...page(() => import("@/features/personas/routes/PersonaPage")) },
      { path: "pipelines", ...page(() => import("@/features/pipelines/routes/PipelinesPage")) },
      { path: "pipelines/:id", ...page(() => import("@/features/pipelines/routes/PipelineEditorPage")) },
      { path: "pipelines/:id/runs", ...page(() => import("@/features/pipelines/routes/RunsPage")) },
      { path: "pipelines/:id/runs/:runId", ...page(() => import("@/features/pipelines/routes/RunPage")) },
      { path: "schedules", ...page(() => import("@/features/schedules/routes/SchedulesPage")) },
      { path: "schedules/:id", ...page(() => import("@/features/schedules/routes/SchedulePage")) },
      { path: "models", ...page(() => import("@/features/models/routes/ModelsPage")) },
      { path: "events", ...page(() => import("@/features/events/routes/EventsPage")) },
      { path: "admin/users", ...page(() => import("@/features/admin/routes/UsersPage")) },
      { path: "admin/api-keys", ...page(() => import("@/features/admin/routes/ApiKeysPage")) },
      { path: "admin/audit", ...page(() => import("@/features/admin/routes/AuditPage")) },
      { path: "admin/mcp", ...page(() => import("@/features/admin/routes/McpPage")) },
      { path: "memory", ...page(() => import("@/features/memory/routes/MemoryPage")) },
      { path: "memory/:id", ...page(() => import("@/features/memory/routes/MemoryDetailPage")) },
      { path: "knowledge", ...page(() => import("@/features/knowledge/routes/KnowledgePage")) },
      { path: "knowledge/:collection", ...page(() => import("@/features/knowledge/routes/CollectionPage")) },
      { path: "circles", ...page(() => import("@/features/circles/routes/CirclesPage")) },
      { path: "circles/:name", ...page(() => import("@/features/circles/routes/CirclePage")) },
      { path: "circles/:name/tasks", ...page(() => import("@/features/circles/routes/TasksPage")) },
      { path: "circles/:name/discussions/:id", ...page(() => import("@/features/circles/routes/DiscussionPage")) },
      { path: "*", ...page(() => import("@/features/placeholders/NotFoundPage")) },
    ],
  },
];

export const router = createBrowserRouter(routes);
