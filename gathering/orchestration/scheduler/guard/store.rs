//! The guard's SQL: the schedule owner's current role, a schedule's recent event-triggered
//! runs, and pausing a runaway with its reason.

use deadpool_postgres::GenericClient;
use uuid::Uuid;

/// The owner's role now (`None` when the account is disabled or gone).
pub async fn owner_role(
    tx: &impl GenericClient,
    owner: Uuid,
) -> Result<Option<String>, tokio_postgres::Error> {
    let statement = tx
        .prepare_cached("SELECT role FROM auth.users WHERE id = $1 AND NOT disabled")
        .await?;
    Ok(tx.query_opt(&statement, &[&owner]).await?.map(|r| r.get(0)))
}

/// Runs of the schedule fired by events in the last minute (skipped and refused ones too).
pub async fn recent_event_runs(
    tx: &impl GenericClient,
    schedule: Uuid,
) -> Result<i64, tokio_postgres::Error> {
    let statement = tx
        .prepare_cached(
            "SELECT count(*) FROM scheduler.runs
              WHERE schedule_id = $1 AND trigger = 'event'
                AND created_at > now() - interval '1 minute'",
        )
        .await?;
    Ok(tx.query_one(&statement, &[&schedule]).await?.get(0))
}

/// Pauses the schedule as a runaway, keeping why.
pub async fn pause_runaway(
    tx: &impl GenericClient,
    schedule: Uuid,
    reason: &str,
) -> Result<(), tokio_postgres::Error> {
    let statement = tx
        .prepare_cached(
            "UPDATE scheduler.schedules SET paused = true, paused_reason = $2, updated_at = now()
              WHERE id = $1",
        )
        .await?;
    tx.execute(&statement, &[&schedule, &reason]).await?;
    Ok(())
}
