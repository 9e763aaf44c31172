//! The migration runner: applies `migrations/NNNN_name.sql` in order, each in its own
//! transaction, under a session advisory lock so instances starting together never race.
//! Every applied file's sha256 is recorded; an applied file that was edited since is refused.

use std::borrow::Cow;
use std::time::Instant;

use sha2::{Digest, Sha256};
use tokio_postgres::Client;

/// The advisory-lock key every instance takes before migrating ("gathmigr" as bytes).
pub const LOCK_KEY: i64 = 0x6761_7468_6d69_6772;

/// One migration file.
#[derive(Debug, Clone)]
pub struct Migration {
    pub version: i32,
    pub name: Cow<'static, str>,
    pub sql: Cow<'static, str>,
}

impl Migration {
    pub const fn new(version: i32, name: &'static str, sql: &'static str) -> Self {
        Self {
            version,
            name: Cow::Borrowed(name),
            sql: Cow::Borrowed(sql),
        }
    }

    pub fn checksum(&self) -> String {
        hex::encode(Sha256::digest(self.sql.as_bytes()))
    }
}

/// The migrations compiled into this binary, in version order.
pub fn embedded() -> &'static [Migration] {
    static MIGRATIONS: &[Migration] = include!(concat!(env!("OUT_DIR"), "/migrations.rs"));
    MIGRATIONS
}

#[derive(Debug, thiserror::Error)]
pub enum MigrateError {
    #[error(
        "migration {version}_{name} was edited after it was applied (recorded checksum {recorded}, file {actual}); never edit a landed migration, add a new one"
    )]
    Edited {
        version: i32,
        name: String,
        recorded: String,
        actual: String,
    },
    #[error(
        "the database has migration {version}_{name}, which this binary does not know: it was migrated by a newer gathering"
    )]
    Unknown { version: i32, name: String },
    #[error("migration {version}_{name} failed: {source}")]
    Failed {
        version: i32,
        name: String,
        source: tokio_postgres::Error,
    },
    #[error("migration bookkeeping failed: {0}")]
    Database(#[from] tokio_postgres::Error),
}

/// What a run did.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Report {
    pub applied: Vec<i32>,
    pub already_applied: usize,
}

/// Applies every pending migration of `migrations` (sorted by version).
#[tracing::instrument(skip_all)]
pub async fn run(client: &mut Client, migrations: &[Migration]) -> Result<Report, MigrateError> {
    client
        .execute("SELECT pg_advisory_lock($1)", &[&LOCK_KEY])
        .await?;
    let result = run_locked(client, migrations).await;
    // Released at session end anyway; unlock now so a pooled connection does not keep it.
    let unlock = client
        .execute("SELECT pg_advisory_unlock($1)", &[&LOCK_KEY])
        .await;
    let report = result?;
    unlock?;
    Ok(report)
}

async fn run_locked(client: &mut Client, migrations: &[Migration]) -> Result<Report, MigrateError> {
    client
        .batch_execute(
            "CREATE TABLE IF NOT EXISTS public.schema_migrations (
                version     integer PRIMARY KEY,
                name        text NOT NULL,
                checksum    text NOT NULL,
                applied_at  timestamptz NOT NULL DEFAULT now(),
                duration_ms bigint NOT NULL
            )",
        )
        .await?;
    let rows = client
        .query(
            "SELECT version, name, checksum FROM public.schema_migrations ORDER BY version",
            &[],
        )
        .await?;
    let mut report = Report::default();
    for row in &rows {
        let (version, name, recorded): (i32, String, String) = (row.get(0), row.get(1), row.get(2));
        let Some(known) = migrations.iter().find(|m| m.version == version) else {
            return Err(MigrateError::Unknown { version, name });
        };
        let actual = known.checksum();
        if actual != recorded {
            return Err(MigrateError::Edited {
                version,
                name,
                recorded,
                actual,
            });
        }
        report.already_applied += 1;
    }
    for migration in migrations {
        if rows.iter().any(|r| r.get::<_, i32>(0) == migration.version) {
            continue;
        }
        apply(client, migration).await?;
        report.applied.push(migration.version);
    }
    Ok(report)
}

async fn apply(client: &mut Client, migration: &Migration) -> Result<(), MigrateError> {
    let failed = |source| MigrateError::Failed {
        version: migration.version,
        name: migration.name.to_string(),
        source,
    };
    let started = Instant::now();
    let tx = client.transaction().await?;
    tx.batch_execute(&migration.sql).await.map_err(failed)?;
    let duration_ms = i64::try_from(started.elapsed().as_millis()).unwrap_or(i64::MAX);
    tx.execute(
        "INSERT INTO public.schema_migrations (version, name, checksum, duration_ms)
         VALUES ($1, $2, $3, $4)",
        &[
            &migration.version,
            &migration.name.as_ref(),
            &migration.checksum(),
            &duration_ms,
        ],
    )
    .await?;
    tx.commit().await.map_err(failed)?;
    tracing::info!(
        version = migration.version,
        name = %migration.name,
        duration_ms,
        "applied migration"
    );
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn embedded_migrations_are_numbered_in_order_without_gaps() {
        let versions: Vec<i32> = embedded().iter().map(|m| m.version).collect();
        let expected: Vec<i32> = (1..=versions.len() as i32).collect();
        assert_eq!(versions, expected);
    }
}
