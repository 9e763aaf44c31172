//! The composition root: builds `AppState` from the configuration (starting the embedded
//! PostgreSQL when no `DATABASE_URL` is set), serves HTTP, applies migrations, owns every
//! long-lived task and the ordered graceful shutdown.

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use deadpool_postgres::Pool;
use secrecy::SecretString;
use tokio::net::TcpListener;
use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;

use crate::api::{self, AppState};
use crate::config::Config;
use crate::core::readiness::{Phase, Readiness};
use crate::db::embedded::{EmbeddedError, EmbeddedPostgres, Lifetime};
use crate::db::migrate::{self, MigrateError, Migration};
use crate::db::{self, DbError, PoolOptions, Target};

/// Why the server could not start; each is one line naming the problem.
#[derive(Debug, thiserror::Error)]
pub enum StartError {
    #[error(transparent)]
    Embedded(#[from] EmbeddedError),
    #[error(transparent)]
    Database(#[from] DbError),
    #[error(transparent)]
    Migrate(#[from] MigrateError),
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
enum DatabaseSource {
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
}

impl App {
    /// Starts (or finds) the database, connects the pool and binds the listener.
    #[tracing::instrument(skip_all, fields(addr = %config.addr))]
    pub async fn build(config: Config) -> Result<Self, StartError> {
        let built_at = Instant::now();
        let (url, database) = match &config.database_url {
            Some(url) => (url.clone(), DatabaseSource::External),
            None => {
                let manager = EmbeddedPostgres::new(&config.pg_dir, &config.data_dir)?;
                let started = manager.start(Lifetime::Process).await?;
                tracing::info!(
                    port = started.port,
                    started_here = started.started_here,
                    data_dir = %manager.data_dir().display(),
                    "embedded PostgreSQL is up"
                );
                (
                    started.url,
                    DatabaseSource::Embedded {
                        manager,
                        started_here: started.started_here,
                    },
                )
            }
        };
        match Self::connect_and_bind(&config, &url).await {
            Ok((pool, listener)) => {
                let shutdown = CancellationToken::new();
                let state = AppState {
                    pool,
                    readiness: Readiness::default(),
                    metrics: api::metrics::recorder(),
                };
                Ok(Self {
                    background: CancellationToken::new(),
                    config,
                    listener,
                    state,
                    database,
                    migrations: migrate::embedded(),
                    shutdown,
                    tasks: TaskTracker::new(),
                    built_at,
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
    ) -> Result<(Pool, TcpListener), StartError> {
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
        Ok((pool, listener))
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

    pub fn readiness(&self) -> Readiness {
        self.state.readiness.clone()
    }

    /// Serves until the shutdown token is cancelled: answers `/health/ready` 503 while the
    /// migrations run, then 200; on shutdown runs the steps of [`ShutdownStep`] in order.
    pub async fn run(self) -> Result<ShutdownReport, StartError> {
        let Self {
            config,
            listener,
            state,
            database,
            migrations,
            shutdown,
            tasks,
            background,
            built_at,
        } = self;
        let readiness = state.readiness.clone();
        let pool = state.pool.clone();
        let addr = listener.local_addr().ok();
        let router = api::router(state, &config.http);
        let stop_accepting = shutdown.clone();
        let server = tokio::spawn(api::serve(
            listener,
            router,
            stop_accepting.cancelled_owned(),
        ));
        tracing::info!(addr = ?addr, "listening");

        readiness.set(Phase::Starting, "starting: applying database migrations");
        let migrated = tokio::select! {
            result = apply_migrations(&pool, migrations) => Some(result),
            () = shutdown.cancelled() => None,
        };
        let outcome = match migrated {
            Some(Err(e)) => Err(e),
            Some(Ok(report)) => {
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

async fn apply_migrations(
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

/// Stops the embedded cluster if this process started it; returns whether it did.
async fn stop_embedded(database: &DatabaseSource) -> bool {
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
