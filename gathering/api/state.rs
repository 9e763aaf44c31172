//! `AppState`: the one `Clone` struct every handler reads, with `FromRef` substates. Built by
//! `app.rs`, the composition root.

use axum::extract::FromRef;
use deadpool_postgres::Pool;
use metrics_exporter_prometheus::PrometheusHandle;

use super::rate_limit::RateLimits;
use crate::auth::Auth;
use crate::core::readiness::Readiness;
use crate::events::bus::Bus;

#[derive(Clone, FromRef)]
pub struct AppState {
    /// Connection pool (deadpool: its own internal locking, cheap to clone).
    pub pool: Pool,
    /// Start-up / shutdown phase, moved by `app.rs`, read by `/health/ready`.
    pub readiness: Readiness,
    /// Renders the process-wide Prometheus recorder.
    pub metrics: PrometheusHandle,
    /// Identity and sessions (its own interior locking; see `auth::Inner`).
    pub auth: Auth,
    pub network: Network,
    /// Per-client request budgets (lock-free keyed stores inside; see `rate_limit`).
    pub rate_limits: RateLimits,
    /// Whether `/metrics` answers without credentials.
    pub metrics_public: bool,
    /// The event bus (its own interior locking; see `events::bus::Inner`).
    pub bus: Bus,
    /// Cancelled when shutdown begins: long-lived responses (WebSockets, SSE) end then, so
    /// draining does not wait for them.
    pub stopping: tokio_util::sync::CancellationToken,
    /// WebSocket timings (heartbeat, idle and credential re-check).
    pub websocket: crate::api::ws::Settings,
    /// Event frames serialised once for every socket (its own std mutex; see `frames`).
    pub frames: crate::api::ws::FrameCache,
    /// Language models by name: registry, providers, local engines (cheap to clone).
    pub llm: crate::models::LlmService,
    /// Memories, their embeddings and search (the embedding worker's wake-up inside; see
    /// `memory::embed`).
    pub memories: crate::memory::Memories,
    /// Agents, their tools and their turns (the per-agent queues inside; see `agents::queue`).
    pub agents: crate::agents::Agents,
    /// Circles, their members, discussions and tasks (the discussion engine's table inside).
    pub circles: crate::circles::Circles,
    /// Pipelines, their runs and this instance's engine (its run table behind a std mutex;
    /// see `orchestration::pipeline::engine`).
    pub pipelines: crate::orchestration::pipeline::Pipelines,
    /// Schedules and this instance's scheduler (its execution set behind a std mutex; see
    /// `orchestration::scheduler::runner`).
    pub schedules: crate::orchestration::scheduler::Schedules,
    /// The first-run setup token's hash, while one is armed (its own std mutex; see
    /// `auth::setup::Setup`).
    pub setup: crate::auth::setup::Setup,
    /// Where the dashboard's files come from (embedded, or a directory on disk).
    pub dashboard: super::dashboard::DashboardSource,
}

/// What the HTTP layer needs to know about the network in front of it.
#[derive(Debug, Clone, Default)]
pub struct Network {
    /// Peers whose `X-Forwarded-For` (and `X-Forwarded-Proto`) is believed.
    pub trusted_proxies: std::sync::Arc<Vec<ipnet::IpNet>>,
    /// Cookies are `Secure` whatever the request's scheme (`auth.secure_cookies`).
    pub secure_cookies: bool,
}
