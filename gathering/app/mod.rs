//! The composition root: builds `AppState` from the configuration (starting the embedded
//! PostgreSQL when no `DATABASE_URL` is set), serves HTTP, applies migrations, owns every
//! long-lived task and the ordered graceful shutdown.
//!
//! Start reading at [`App::build`] (the services, each given its module's settings from the
//! configuration as they are) and [`App::run`] (migrations, the supervised loops, shutdown).
//! `database.rs` finds or starts PostgreSQL, `services.rs` builds the services and runs the
//! start-up steps, `tasks.rs` holds the housekeeping loops.

mod database;
mod services;
mod tasks;

pub(crate) use database::{DatabaseSource, apply_migrations, open_database, stop_embedded};
use services::{agents_service, import_personas, llm_service, needs_first_admin, print_setup};
pub(crate) use services::{auth_service, prepare_auth};
use tasks::{forget_idle_clients, purge_expired_tokens, purge_old_events};

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use deadpool_postgres::Pool;
use secrecy::SecretString;
use tokio::net::TcpListener;
use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;

use std::sync::Arc;

use crate::api::rate_limit::RateLimits;
use crate::api::{self, AppState, Network};
use crate::auth;
use crate::config::Config;
use crate::core::readiness::{Phase, Readiness};
use crate::core::supervise::supervise;
use crate::db::embedded::EmbeddedError;
use crate::db::migrate::{self, MigrateError, Migration};
use crate::db::{self, DbError, Target};
use crate::events::{self, bus::Bus};

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
                let bus = Bus::new(config.events);
                let llm = llm_service(&config, pool.clone());
                let memories = crate::memory::Memories::new(
                    pool.clone(),
                    llm.clone(),
                    bus.clone(),
                    config.memory.clone(),
                );
                let agents = match agents_service(
                    &config,
                    pool.clone(),
                    llm.clone(),
                    memories.clone(),
                    bus.clone(),
                ) {
                    Ok(agents) => agents,
                    Err(e) => {
                        stop_embedded(&database).await;
                        return Err(e);
                    }
                };
                let circles = crate::circles::Circles::new(
                    crate::circles::Services {
                        pool: pool.clone(),
                        bus: bus.clone(),
                        agents: agents.clone(),
                        llm: llm.clone(),
                        memories: memories.clone(),
                    },
                    config.circles.clone(),
                );
                let services = crate::orchestration::effects::Services {
                    agents: agents.clone(),
                    circles: circles.clone(),
                };
                let engine = crate::orchestration::pipeline::Engine::new(
                    pool.clone(),
                    bus.clone(),
                    services.clone(),
                    config.pipelines.clone(),
                );
                let pipelines =
                    crate::orchestration::pipeline::Pipelines::new(pool.clone(), engine);
                let scheduler = crate::orchestration::scheduler::Scheduler::new(
                    pool.clone(),
                    bus.clone(),
                    services,
                    pipelines.clone(),
                    config.scheduler.clone(),
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
                    websocket: crate::api::ws::Settings::from_events(&config.events),
                    frames: crate::api::ws::FrameCache::default(),
                    llm,
                    memories,
                    agents,
                    circles,
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
        let pool = db::connect(&target, config.db).await?;
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
        let circles = state.circles.clone();
        let scheduler = state.schedules.scheduler().clone();
        let embeddings = state.memories.embeddings().clone();
        let circle_tasks = crate::circles::tasks::TaskWorker::new(state.circles.clone());
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
                tasks.spawn(supervise(
                    "circle discussions",
                    loops.clone(),
                    cancel.clone(),
                    {
                        let cancel = cancel.clone();
                        move || circles.clone().run_engine(cancel.clone())
                    },
                ));
                tasks.spawn(supervise("scheduler", loops.clone(), cancel.clone(), {
                    let cancel = cancel.clone();
                    move || scheduler.clone().run(cancel.clone())
                }));
                tasks.spawn(supervise(
                    "embedding worker",
                    loops.clone(),
                    cancel.clone(),
                    {
                        let cancel = cancel.clone();
                        move || embeddings.clone().run(cancel.clone())
                    },
                ));
                tasks.spawn(supervise("circle tasks", loops.clone(), cancel.clone(), {
                    let cancel = cancel.clone();
                    move || circle_tasks.clone().run(cancel.clone())
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
