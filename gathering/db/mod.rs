//! Database access: the connection pool, the migration runner, the embedded PostgreSQL manager
//! and the template databases tests clone. Only `db/` and `*/store.rs` files contain SQL.

pub mod embedded;
pub mod migrate;
pub mod settings;
pub mod template;

pub use settings::Settings;

use deadpool_postgres::{Manager, ManagerConfig, Pool, RecyclingMethod, Runtime};
use secrecy::{ExposeSecret, SecretString};
use tokio_postgres::NoTls;

/// A `jsonb` column read by a reader that must survive any row: a value that cannot be decoded
/// (written by another tool, nested deeper than `serde_json` reads) is logged, counted in
/// `db_unreadable_values_total` and replaced by a string saying so, instead of failing the
/// whole page or panicking. What the server writes itself is clamped so it always reads back.
pub fn lenient_json(row: &tokio_postgres::Row, column: &str) -> Option<serde_json::Value> {
    match row.try_get::<_, Option<serde_json::Value>>(column) {
        Ok(value) => value,
        Err(error) => {
            metrics::counter!("db_unreadable_values_total").increment(1);
            tracing::error!(column, "a stored JSON value cannot be read: {error}");
            Some(serde_json::Value::String(
                "[unreadable: this stored value cannot be decoded]".into(),
            ))
        }
    }
}

/// Why the database could not be used; messages name the server, never the password.
#[derive(Debug, thiserror::Error)]
pub enum DbError {
    #[error("DATABASE_URL is not a PostgreSQL connection string: {0}")]
    BadUrl(String),
    #[error("cannot reach the database at {target}: {reason}")]
    Unreachable { target: String, reason: String },
    #[error("the database at {target} rejected the credentials of user `{user}`: {reason}")]
    Rejected {
        target: String,
        user: String,
        reason: String,
    },
    #[error("the database at {target} is not usable: {reason}")]
    Unusable { target: String, reason: String },
}

/// A parsed connection target and a printable description of it.
#[derive(Debug, Clone)]
pub struct Target {
    pub config: tokio_postgres::Config,
    /// `user@host:port/db`, safe to print.
    pub display: String,
}

impl Target {
    pub fn parse(url: &SecretString) -> Result<Self, DbError> {
        let config: tokio_postgres::Config = url
            .expose_secret()
            .parse()
            .map_err(|e: tokio_postgres::Error| DbError::BadUrl(e.to_string()))?;
        let host = config
            .get_hosts()
            .first()
            .map(|h| match h {
                tokio_postgres::config::Host::Tcp(name) => name.clone(),
                tokio_postgres::config::Host::Unix(path) => path.display().to_string(),
            })
            .unwrap_or_else(|| "localhost".to_owned());
        let port = config.get_ports().first().copied().unwrap_or(5432);
        let display = format!(
            "{}@{host}:{port}/{}",
            config.get_user().unwrap_or("?"),
            config.get_dbname().unwrap_or("?")
        );
        Ok(Self { config, display })
    }

    /// Maps a connection failure to one line a person can act on.
    pub fn classify(&self, error: &tokio_postgres::Error) -> DbError {
        let target = self.display.clone();
        if let Some(db) = error.as_db_error() {
            let reason = db.message().to_owned();
            return match db.code().code() {
                "28P01" | "28000" => DbError::Rejected {
                    target,
                    user: self.config.get_user().unwrap_or("?").to_owned(),
                    reason,
                },
                _ => DbError::Unusable { target, reason },
            };
        }
        let mut reason = error.to_string();
        let mut source = std::error::Error::source(error);
        while let Some(cause) = source {
            reason = cause.to_string();
            source = cause.source();
        }
        DbError::Unreachable { target, reason }
    }
}

/// Builds the pool and proves it works with one round trip, within the connect timeout.
#[tracing::instrument(skip_all, fields(target = %target.display))]
pub async fn connect(target: &Target, options: Settings) -> Result<Pool, DbError> {
    let mut config = target.config.clone();
    config.connect_timeout(options.connect_timeout);
    config.application_name("gathering");
    let manager = Manager::from_config(
        config,
        NoTls,
        ManagerConfig {
            recycling_method: RecyclingMethod::Fast,
        },
    );
    let pool = Pool::builder(manager)
        .max_size(options.max_connections)
        .runtime(Runtime::Tokio1)
        .create_timeout(Some(options.connect_timeout))
        .wait_timeout(Some(options.connect_timeout * 2))
        .build()
        .map_err(|e| DbError::Unusable {
            target: target.display.clone(),
            reason: e.to_string(),
        })?;
    let client = pool.get().await.map_err(|e| match e {
        deadpool_postgres::PoolError::Backend(e) => target.classify(&e),
        deadpool_postgres::PoolError::Timeout(_) => DbError::Unreachable {
            target: target.display.clone(),
            reason: format!("no answer within {:?}", options.connect_timeout),
        },
        other => DbError::Unusable {
            target: target.display.clone(),
            reason: other.to_string(),
        },
    })?;
    client
        .simple_query("SELECT 1")
        .await
        .map_err(|e| target.classify(&e))?;
    Ok(pool)
}

/// One round trip on a pooled connection (`SELECT 1`): whether the database answers now. The
/// error says why not (no connection to be had, or the query failed).
pub async fn ping(pool: &Pool) -> Result<(), String> {
    let client = pool.get().await.map_err(|e| e.to_string())?;
    client
        .simple_query("SELECT 1")
        .await
        .map(drop)
        .map_err(|e| e.to_string())
}
