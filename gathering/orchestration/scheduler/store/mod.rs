//! The scheduler's SQL, one file per record: `schedules.rs` (the definitions and their
//! timetable position), `runs.rs` (one run per occurrence, and what reads them), `claims.rs`
//! (who executes a run: the session advisory lock, the claim, the lease, the result),
//! `cursor.rs` (how far event schedules have heard the outbox) and `notifications.rs` (in-app
//! notifications). Functions take the caller's client or transaction.

mod claims;
mod cursor;
mod notifications;
mod runs;
mod schedules;

pub use claims::*;
pub use cursor::*;
pub use notifications::*;
pub use runs::*;
pub use schedules::*;

use deadpool_postgres::GenericClient;

pub(super) type Params<'a> = &'a [&'a (dyn tokio_postgres::types::ToSql + Sync)];

// Every statement is prepared once per connection (deadpool's statement cache): the scheduler
// runs the same few statements for every occurrence.
pub(super) async fn one(
    c: &impl GenericClient,
    sql: &str,
    params: Params<'_>,
) -> Result<tokio_postgres::Row, tokio_postgres::Error> {
    let statement = c.prepare_cached(sql).await?;
    c.query_one(&statement, params).await
}

pub(super) async fn opt(
    c: &impl GenericClient,
    sql: &str,
    params: Params<'_>,
) -> Result<Option<tokio_postgres::Row>, tokio_postgres::Error> {
    let statement = c.prepare_cached(sql).await?;
    c.query_opt(&statement, params).await
}

pub(super) async fn all(
    c: &impl GenericClient,
    sql: &str,
    params: Params<'_>,
) -> Result<Vec<tokio_postgres::Row>, tokio_postgres::Error> {
    let statement = c.prepare_cached(sql).await?;
    c.query(&statement, params).await
}

pub(super) async fn exec(
    c: &impl GenericClient,
    sql: &str,
    params: Params<'_>,
) -> Result<u64, tokio_postgres::Error> {
    let statement = c.prepare_cached(sql).await?;
    c.execute(&statement, params).await
}
