//! Where the database is: `DATABASE_URL`, or the embedded cluster this process starts (and
//! stops at shutdown); and the migrations applied before the server is ready.

use deadpool_postgres::Pool;
use secrecy::SecretString;

use super::StartError;
use crate::config::Config;
use crate::db::embedded::{EmbeddedPostgres, Lifetime};
use crate::db::migrate::{self, Migration};

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
