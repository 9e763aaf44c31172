//! The registry's SQL, one file per table: `providers.rs` (`llm.providers`), `models.rs`
//! (`llm.models`, read joined with its provider and fallback) and `usage.rs` (`llm.usage`).
//! Functions take `&impl GenericClient` and return `tokio_postgres::Error`; the callers own the
//! transactions, the checks and the audit.

pub mod models;
pub mod providers;
pub mod usage;

use tokio_postgres::error::SqlState;

/// Whether `e` is a unique-constraint violation (a name taken).
pub fn unique_violation(e: &tokio_postgres::Error) -> bool {
    e.code() == Some(&SqlState::UNIQUE_VIOLATION)
}
