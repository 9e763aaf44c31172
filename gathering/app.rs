//! The composition root: builds `AppState` from the configuration (starting the embedded
//! PostgreSQL when no `DATABASE_URL` is set), serves HTTP, applies migrations, owns every
//! long-lived task and the ordered graceful shutdown.

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use deadpool_postgres::Pool;
use secrecy::{ExposeSecret, SecretString};
use tokio::net::TcpListener;
use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;

use std::sync::Arc;

use crate::api::rate_limit::RateLimits;
use crate::api::{self, AppState, Network};
use crate::auth::{self, Auth};
use crate::config::Config;
use crate::core::readiness::{Phase, Readiness};
use crate::core::supervise::supervise;
use crate::db::embedded::{EmbeddedError, EmbeddedPostgres, Lifetime};
use crate::db::migrate::{self, MigrateError, Migration};
use crate::db::{self, DbError, PoolOptions, Target};
use crate::events::{self, bus::Bus, bus::BusConfig};

/// Why the server could not start; each is one line naming the problem.
#[derive(Debug, thiserror::Error)]
pub enum StartError {
    #[error(transparent)]
    Embedded(#[from] EmbeddedError),
    #[error(transparent)]
    Database(#[from] DbError),
    #[error(transparent)]
    Migrate(#[from] MigrateError),
    #[error(transparent)]
    Config(#[from] crate::config::ConfigError),
    #[error("cannot listen on {addr}: {source}")]
    Bind {
        addr: SocketAddr,
        source: std::io::Error,
    },
    #[error(transparent)]
    Unexpected(#[from] anyhow::Error),
}

/// One step of the shutdown sequence, in the order they happen.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ShutdownStep {
    /// `/health/ready` answers 503.
    NotReady,
    /// The listener is closed and in-flight requests finished (or were cut off at the grace
    /// period, `forced`).
    Drained {
        forced: bool,
    },
    /// Background tasks were cancelled and awaited.
    TasksStopped,
    PoolClosed,
    /// The embedded PostgreSQL this process started is stopped.
    PostgresStopped,
}

/// What shutdown did, in order.
#[derive(Debug, Clone, Default)]
pub struct ShutdownReport {
    pub steps: Vec<ShutdownStep>,
}

/// Where the database came from, so shutdown knows whether to stop it.
#[derive(Debug)]
pub(crate) enum DatabaseSource {
    External,
    /// Embedded; `started_here` when this process started it (and so stops it).
    Embedded {
        manager: EmbeddedPostgres,
        started_here: bool,
    },
}

/// A built, bound, not yet serving server.
pub struct App {
    config: Config,
    /// Where the database is, for connections outside the pool (the event relay's `LISTEN`).
    target: Target,
    listener: TcpListener,
    state: AppState,
    database: DatabaseSource,
    migrations: &'static [Migration],
    /// Cancelled to begin shutdown (by a signal in `main`, by tests directly).
    shutdown: CancellationToken,
    /// Every long-lived background task, so shutdown can await them all.
    tasks: TaskTracker,
    /// Cancelled after draining (not a child of `shutdown`, which fires first): tells
    /// background tasks to stop.
    background: CancellationToken,
    built_at: Instant,
    /// The first-run setup token, armed (its hash) at start when the database has no admin.
    setup_token: SecretString,
    /// Whether `run` prints the setup link on standard output (`serve` asks for it).
    print_setup_link: bool,
}

impl App {
    /// Starts (or finds) the database, connects the pool and binds the listener.
    #[tracing::instrument(skip_all, fields(addr = %config.addr))]
    pub async fn build(config: Config) -> Result<Self, StartError> {
        let built_at = Instant::now();
        config.check_production()?;
        let (url, database) = open_database(&config).await?;
        match Self::connect_and_bind(&config, &url).await {
            Ok((pool, listener, target)) => {
                let shutdown = CancellationToken::new();
                let bus = Bus::new(BusConfig {
                    queue_capacity: config.events.queue_capacity,
                    handler_concurrency: config.events.handler_concurrency,
                    dedup_window: config.events.dedup_window,
                });
                let llm = llm_service(&config, pool.clone());
                let agents = match agents_service(&config, pool.clone(), llm.clone(), bus.clone()) {
                    Ok(agents) => agents,
                    Err(e) => {
                        stop_embedded(&database).await;
                        return Err(e);
                    }
                };
                let engine = crate::orchestration::pipeline::Engine::new(
                    pool.clone(),
                    bus.clone(),
                    agents.clone(),
                    crate::orchestration::pipeline::EngineSettings {
                        lease: config.pipelines.lease,
                        poll_interval: config.pipelines.poll_interval,
                        max_concurrent_runs: config.pipelines.max_concurrent_runs,
                        cancel_grace: config.pipelines.cancel_grace,
                    },
                );
                let pipelines =
                    crate::orchestration::pipeline::Pipelines::new(pool.clone(), engine);
                let scheduler = crate::orchestration::scheduler::Scheduler::new(
                    pool.clone(),
                    bus.clone(),
                    agents.clone(),
                    pipelines.clone(),
                    crate::orchestration::scheduler::SchedulerSettings {
                        enabled: config.scheduler.enabled,
                        lease: config.scheduler.lease,
                        poll_interval: config.scheduler.poll_interval,
                        misfire_grace: config.scheduler.misfire_grace,
                        max_concurrent: config.scheduler.max_concurrent,
                        ..Default::default()
                    },
                );
                let schedules =
                    crate::orchestration::scheduler::Schedules::new(pool.clone(), scheduler);
                let state = AppState {
                    pool: pool.clone(),
                    readiness: Readiness::default(),
                    metrics: api::metrics::recorder(),
                    auth: auth_service(&config),
                    network: Network {
                        trusted_proxies: Arc::new(config.http.trusted_proxies.clone()),
                        secure_cookies: config.auth.secure_cookies,
                    },
                    rate_limits: RateLimits::new(&config.rate_limits),
                    metrics_public: config.http.metrics_public,
                    bus,
                    stopping: shutdown.clone(),
                    websocket: crate::websocket::Settings {
                        ping_interval: config.events.ws_ping_interval,
                        idle_timeout: config.events.ws_idle_timeout,
                        ..crate::websocket::Settings::default()
                    },
                    frames: crate::websocket::FrameCache::default(),
                    llm,
                    agents,
                    pipelines,
                    schedules,
                    setup: auth::setup::Setup::default(),
                    dashboard: api::dashboard::DashboardSource::from_config(
                        config.http.dashboard_dir.as_deref(),
                    ),
                };
                if config.models.preload {
                    // Loads on the engines' own threads; a failure is logged and the models
                    // are tried again on first use.
                    let llm = state.llm.clone();
                    tokio::spawn(async move {
                        if let Err(e) = llm.local().preload().await {
                            tracing::warn!("preloading the local models failed: {e}");
                        }
                    });
                }
                Ok(Self {
                    target,
                    background: CancellationToken::new(),
                    config,
                    listener,
                    state,
                    database,
                    migrations: migrate::embedded(),
                    shutdown,
                    tasks: TaskTracker::new(),
                    built_at,
                    setup_token: auth::setup::new_token(),
                    print_setup_link: false,
                })
            }
            Err(e) => {
                stop_embedded(&database).await;
                Err(e)
            }
        }
    }

    async fn connect_and_bind(
        config: &Config,
        url: &SecretString,
    ) -> Result<(Pool, TcpListener, Target), StartError> {
        let target = Target::parse(url)?;
        let pool = db::connect(
            &target,
            PoolOptions {
                max_connections: config.db.max_connections,
                connect_timeout: config.db.connect_timeout,
            },
        )
        .await?;
        let listener = TcpListener::bind(config.addr)
            .await
            .map_err(|source| StartError::Bind {
                addr: config.addr,
                source,
            })?;
        Ok((pool, listener, target))
    }

    pub fn local_addr(&self) -> SocketAddr {
        self.listener
            .local_addr()
            .expect("a bound listener has an address")
    }

    /// Cancel it to shut the server down.
    pub fn shutdown_token(&self) -> CancellationToken {
        self.shutdown.clone()
    }

    pub fn pool(&self) -> &Pool {
        &self.state.pool
    }

    /// The event bus (subscribe before `run` to miss nothing).
    pub fn bus(&self) -> Bus {
        self.state.bus.clone()
    }

    /// The pipelines service (`gathering pipeline run --local` drives it in-process).
    pub fn pipelines(&self) -> crate::orchestration::pipeline::Pipelines {
        self.state.pipelines.clone()
    }

    /// Makes the scheduler read the time from `clock` (tests hold time still and move it on
    /// instead of waiting); call before [`App::run`].
    pub fn set_scheduler_clock(&mut self, clock: crate::core::clock::SharedClock) {
        self.state.schedules = self.state.schedules.on_clock(clock);
    }

    pub fn readiness(&self) -> Readiness {
        self.state.readiness.clone()
    }

    /// The first-run setup token this server arms once migrated, if the database has no
    /// admin then. `serve` prints it in a link; tests read it here. Never over HTTP.
    pub fn setup_token(&self) -> &SecretString {
        &self.setup_token
    }

    /// Makes `run` print the first-run setup link on standard output (once, never to the
    /// logs) when it arms the setup token.
    pub fn print_setup_link(&mut self) {
        self.print_setup_link = true;
    }

    /// Serves until the shutdown token is cancelled: answers `/health/ready` 503 while the
    /// migrations run, then 200; on shutdown runs the steps of [`ShutdownStep`] in order.
    pub async fn run(self) -> Result<ShutdownReport, StartError> {
        let Self {
            config,
            target,
            listener,
            state,
            database,
            migrations,
            shutdown,
            tasks,
            background,
            built_at,
            setup_token,
            print_setup_link,
        } = self;
        let readiness = state.readiness.clone();
        let pool = state.pool.clone();
        let auth = state.auth.clone();
        let rate_limits = state.rate_limits.clone();
        let bus = state.bus.clone();
        let engine = state.pipelines.engine().clone();
        let scheduler = state.schedules.scheduler().clone();
        let addr = listener.local_addr().ok();
        let setup = state.setup.clone();
        let router = api::router(state, &config.http);
        let stop_accepting = shutdown.clone();
        let server = tokio::spawn(api::serve(
            listener,
            router,
            stop_accepting.cancelled_owned(),
        ));
        tracing::info!(addr = ?addr, "listening");

        readiness.set(Phase::Starting, "starting: applying database migrations");
        let prepared = async {
            let report = apply_migrations(&pool, migrations).await?;
            prepare_auth(&auth, &pool, &config).await?;
            if needs_first_admin(&auth, &pool).await? {
                setup.arm(&setup_token);
                tracing::info!("no admin yet: first-run setup is open (its link is not logged)");
                if let Some(addr) = addr.filter(|_| print_setup_link) {
                    print_setup(addr, &setup_token);
                }
            }
            import_personas(&pool, &config).await;
            Ok::<_, StartError>(report)
        };
        let migrated = tokio::select! {
            result = prepared => Some(result),
            () = shutdown.cancelled() => None,
        };
        let outcome = match migrated {
            Some(Err(e)) => Err(e),
            Some(Ok(report)) => {
                // Every loop is supervised: a panic restarts it with backoff, and readiness
                // and /metrics show it down meanwhile.
                let loops = &readiness.loops;
                let cancel = &background;
                tasks.spawn(supervise("token purge", loops.clone(), cancel.clone(), {
                    let (auth, pool, cancel) = (auth.clone(), pool.clone(), cancel.clone());
                    move || purge_expired_tokens(auth.clone(), pool.clone(), cancel.clone())
                }));
                tasks.spawn(supervise(
                    "rate-limit cleanup",
                    loops.clone(),
                    cancel.clone(),
                    {
                        let cancel = cancel.clone();
                        move || forget_idle_clients(rate_limits.clone(), cancel.clone())
                    },
                ));
                tasks.spawn(supervise("event relay", loops.clone(), cancel.clone(), {
                    let (config, pool, cancel) =
                        (target.config.clone(), pool.clone(), cancel.clone());
                    move || {
                        events::relay::run(
                            config.clone(),
                            pool.clone(),
                            bus.clone(),
                            cancel.clone(),
                        )
                    }
                }));
                tasks.spawn(supervise(
                    "pipeline engine",
                    loops.clone(),
                    cancel.clone(),
                    {
                        let cancel = cancel.clone();
                        move || engine.clone().run(cancel.clone())
                    },
                ));
                tasks.spawn(supervise("scheduler", loops.clone(), cancel.clone(), {
                    let cancel = cancel.clone();
                    move || scheduler.clone().run(cancel.clone())
                }));
                tasks.spawn(supervise("event purge", loops.clone(), cancel.clone(), {
                    let (pool, events, cancel) = (pool.clone(), config.events, cancel.clone());
                    move || purge_old_events(pool.clone(), events, cancel.clone())
                }));
                readiness.set(Phase::Ready, "ready");
                tracing::info!(
                    applied = ?report.applied,
                    already_applied = report.already_applied,
                    startup_ms = built_at.elapsed().as_millis() as u64,
                    "ready"
                );
                shutdown.cancelled().await;
                Ok(())
            }
            None => Ok(()),
        };

        tracing::info!("shutting down");
        let mut report = ShutdownReport::default();
        readiness.set(Phase::ShuttingDown, "shutting down");
        shutdown.cancel();
        report.steps.push(ShutdownStep::NotReady);

        let grace = config.http.shutdown_grace;
        let abort = server.abort_handle();
        let forced = match tokio::time::timeout(grace, server).await {
            Ok(Ok(Ok(()))) => false,
            Ok(Ok(Err(e))) => {
                tracing::error!("HTTP server failed: {e}");
                false
            }
            Ok(Err(e)) => {
                tracing::error!("HTTP server task failed: {e}");
                false
            }
            Err(_) => {
                tracing::warn!(grace = ?grace, "in-flight requests cut off at the grace period");
                abort.abort();
                true
            }
        };
        report.steps.push(ShutdownStep::Drained { forced });

        background.cancel();
        tasks.close();
        if tokio::time::timeout(Duration::from_secs(5), tasks.wait())
            .await
            .is_err()
        {
            tracing::warn!("background tasks did not stop within 5s");
        }
        report.steps.push(ShutdownStep::TasksStopped);

        pool.close();
        report.steps.push(ShutdownStep::PoolClosed);

        if stop_embedded(&database).await {
            report.steps.push(ShutdownStep::PostgresStopped);
        }
        tracing::info!(steps = ?report.steps, "shutdown complete");
        outcome.map(|()| report)
    }
}

/// The database URL: `DATABASE_URL`, or the embedded cluster (started if needed).
pub(crate) async fn open_database(
    config: &Config,
) -> Result<(SecretString, DatabaseSource), StartError> {
    match &config.database_url {
        Some(url) => Ok((url.clone(), DatabaseSource::External)),
        None => {
            let manager = EmbeddedPostgres::new(&config.pg_dir, &config.data_dir)?;
            let started = manager.start(Lifetime::Process).await?;
            tracing::info!(
                port = started.port,
                started_here = started.started_here,
                data_dir = %manager.data_dir().display(),
                "embedded PostgreSQL is up"
            );
            Ok((
                started.url,
                DatabaseSource::Embedded {
                    manager,
                    started_here: started.started_here,
                },
            ))
        }
    }
}

pub(crate) fn auth_service(config: &Config) -> Auth {
    Auth::new(auth::Settings {
        access_ttl: config.auth.access_ttl,
        refresh_ttl: config.auth.refresh_ttl,
        bcrypt_cost: config.auth.bcrypt_cost,
        jwt_secret: config.auth.jwt_secret.clone(),
        backoff: auth::backoff::Policy {
            free_failures: config.auth.login_backoff_after,
            base: config.auth.login_backoff_base,
            max: config.auth.login_backoff_max,
            ..auth::backoff::Policy::default()
        },
        self_registration: config
            .auth
            .self_registration
            .then_some(config.auth.self_registration_role),
    })
}

pub(crate) async fn apply_migrations(
    pool: &Pool,
    migrations: &'static [Migration],
) -> Result<migrate::Report, StartError> {
    let mut client = pool
        .get()
        .await
        .map_err(|e| anyhow::anyhow!("no database connection for migrations: {e}"))?;
    let report = migrate::run(&mut client, migrations).await?;
    Ok(report)
}

/// Loads the signing key and creates the first admin from the environment if asked.
pub(crate) async fn prepare_auth(
    auth: &Auth,
    pool: &Pool,
    config: &Config,
) -> Result<(), StartError> {
    let client = pool
        .get()
        .await
        .map_err(|e| anyhow::anyhow!("no database connection: {e}"))?;
    auth.init(&client)
        .await
        .map_err(|e| anyhow::anyhow!("preparing authentication: {e}"))?;
    drop(client);
    if config.auth.jwt_secret.is_none() {
        tracing::info!(
            "no GATHERING_JWT_SECRET: using the signing secret generated in the database"
        );
    }
    if let (Some(email), Some(password)) = (&config.auth.admin_email, &config.auth.admin_password) {
        let created = auth
            .ensure_first_admin(pool, email, password.expose_secret())
            .await
            .map_err(|e| anyhow::anyhow!("creating the first admin: {e}"))?;
        if let Some(user) = created {
            tracing::info!(user_id = %user.id, "created the first admin from GATHERING_ADMIN_EMAIL");
        }
    }
    Ok(())
}

/// Whether the database still has no admin once auth is prepared (none came from
/// `GATHERING_ADMIN_EMAIL` either): then first-run setup opens.
async fn needs_first_admin(auth: &Auth, pool: &Pool) -> Result<bool, StartError> {
    let has_admin = auth
        .admin_exists(pool)
        .await
        .map_err(|e| anyhow::anyhow!("looking for an admin: {e}"))?;
    Ok(!has_admin)
}

/// Prints the first-run setup link: on standard output, once, never through `tracing`, so the
/// token never reaches the logs. The token is in the fragment, which browsers never send.
fn print_setup(mut addr: SocketAddr, token: &SecretString) {
    if addr.ip().is_unspecified() {
        addr.set_ip(match addr {
            SocketAddr::V4(_) => std::net::Ipv4Addr::LOCALHOST.into(),
            SocketAddr::V6(_) => std::net::Ipv6Addr::LOCALHOST.into(),
        });
    }
    println!(
        "First run: open http://{addr}/setup#token={} to create the first admin (valid until used or until an admin exists)",
        token.expose_secret()
    );
}

/// Removes expired revocations, refresh tokens and stale login failures every hour until
/// cancelled.
async fn purge_expired_tokens(auth: Auth, pool: Pool, cancel: CancellationToken) {
    let mut next = tokio::time::Instant::now();
    loop {
        tokio::select! {
            () = tokio::time::sleep_until(next) => {}
            () = cancel.cancelled() => return,
        }
        match auth.purge_expired(&pool).await {
            Ok(0) => {}
            Ok(n) => tracing::info!(rows = n, "purged expired tokens"),
            Err(e) => tracing::warn!("purging expired tokens failed: {e}"),
        }
        next += Duration::from_secs(3600);
    }
}

/// Applies the outbox retention (age and count) every hour until cancelled.
async fn purge_old_events(
    pool: Pool,
    config: crate::config::EventsConfig,
    cancel: CancellationToken,
) {
    let mut next = tokio::time::Instant::now();
    loop {
        tokio::select! {
            () = tokio::time::sleep_until(next) => {}
            () = cancel.cancelled() => return,
        }
        let purged = async {
            let client = pool.get().await?;
            let rows =
                events::outbox::purge(&**client, config.retention, config.retention_max_events)
                    .await?;
            Ok::<_, anyhow::Error>(rows)
        };
        match purged.await {
            Ok(0) => {}
            Ok(n) => tracing::info!(rows = n, "purged old events"),
            Err(e) => tracing::warn!("purging old events failed: {e:#}"),
        }
        next += Duration::from_secs(3600);
    }
}

/// Drops rate-limit state of clients whose budgets are full again, every minute, so memory
/// follows the number of active clients rather than every address ever seen.
async fn forget_idle_clients(limits: RateLimits, cancel: CancellationToken) {
    let mut next = tokio::time::Instant::now() + Duration::from_secs(60);
    loop {
        tokio::select! {
            () = tokio::time::sleep_until(next) => {}
            () = cancel.cancelled() => return,
        }
        limits.forget_idle();
        next += Duration::from_secs(60);
    }
}

/// Stops the embedded cluster if this process started it; returns whether it did.
pub(crate) async fn stop_embedded(database: &DatabaseSource) -> bool {
    let DatabaseSource::Embedded {
        manager,
        started_here: true,
    } = database
    else {
        return false;
    };
    let manager = manager.clone();
    match tokio::task::spawn_blocking(move || manager.stop()).await {
        Ok(Ok(_)) => true,
        Ok(Err(e)) => {
            tracing::error!("stopping embedded PostgreSQL failed: {e}");
            false
        }
        Err(e) => {
            tracing::error!("stopping embedded PostgreSQL panicked: {e}");
            false
        }
    }
}

/// Imports the shipped personas when the database has none yet. A failure is logged, never
/// fatal: personas can be imported later with `gathering personas import`.
async fn import_personas(pool: &Pool, config: &Config) {
    let dir = &config.agents.personas_dir;
    match crate::personas::import_at_first_start(pool, dir).await {
        Ok(None) => {}
        Ok(Some(report)) => {
            tracing::info!(
                dir = %dir.display(),
                created = report.created.len(),
                failed = report.failed.len(),
                "imported the personas at first start"
            );
            for failure in &report.failed {
                tracing::warn!("persona not imported: {failure}");
            }
        }
        Err(e) => tracing::warn!(dir = %dir.display(), "personas not imported: {e}"),
    }
}

/// The agents service: tools (built-in and MCP), the model service, per-agent queues.
fn agents_service(
    config: &Config,
    pool: deadpool_postgres::Pool,
    llm: crate::llm::service::LlmService,
    bus: Bus,
) -> Result<crate::agents::Agents, StartError> {
    // rmcp's HTTP client takes its TLS crypto from the process default; ours is ring.
    let _ = rustls::crypto::ring::default_provider().install_default();
    let t = &config.tools;
    let tools = crate::tools::registry::ToolRegistry::new(
        pool.clone(),
        &crate::tools::ToolSettings {
            http_allow_private: t.http_allow_private,
            http_max_response_bytes: t.http_max_response_bytes,
            http_timeout: t.http_timeout,
        },
    )
    .map_err(|e| anyhow::anyhow!("the built-in tools could not be set up: {e}"))?;
    let a = &config.agents;
    Ok(crate::agents::Agents::new(
        pool,
        llm,
        tools,
        bus,
        crate::agents::AgentSettings {
            default_model: a.default_model.clone(),
            max_concurrent_turns: a.max_concurrent_turns,
            max_queued_turns: a.max_queued_turns,
            default_max_tokens: config.models.default_max_tokens as u32,
        },
    ))
}

/// The model service: local engines on the chosen device, hosted clients' timeouts and retries.
fn llm_service(config: &Config, pool: deadpool_postgres::Pool) -> crate::llm::service::LlmService {
    use crate::llm::local::{Device, LocalModels, LocalSettings};
    let m = &config.models;
    let (device, why) = Device::choose(&m.device);
    if m.device == "cuda" && device == Device::Cpu {
        tracing::warn!("models.device is cuda but {why}: the local models run on the CPU");
    }
    tracing::info!(device = %device.describe(), reason = %why, "local model device");
    let local = LocalModels::new(LocalSettings {
        dir: m.dir.clone(),
        device,
        max_batch: m.max_batch,
        default_max_tokens: m.default_max_tokens,
    });
    let options = crate::llm::retry::ClientOptions {
        timeout: m.provider_timeout,
        max_retries: m.provider_retries,
        ..Default::default()
    };
    crate::llm::service::LlmService::new(pool, Arc::new(local), options)
}
