//! Claims: an instance takes a run (`FOR UPDATE SKIP LOCKED`) under a lease its heartbeat
//! renews, gives it back at shutdown, and moves it between running and waiting.

use std::time::Duration;

use deadpool_postgres::GenericClient;
use uuid::Uuid;

use super::Result;
use super::runs::{RUN_COLUMNS, run_of};
use crate::orchestration::pipeline::records::{Run, RunStatus};

/// Takes one run nobody holds: a pending one, or a live one whose holder's lease expired
/// (that instance stopped or lost the database). `SKIP LOCKED`: instances claiming at the same
/// moment take different runs. Returns the run, its claim counted.
pub async fn claim_run(
    client: &impl GenericClient,
    instance: Uuid,
    lease: Duration,
) -> Result<Option<Run>> {
    let sql = format!(
        "UPDATE pipeline.runs SET claimed_by = $1, lease_until = now() + $2 * interval '1 ms',
                claims = claims + 1,
                status = CASE WHEN status = 'pending' THEN 'running' ELSE status END,
                started_at = coalesce(started_at, now())
         WHERE id = (SELECT id FROM pipeline.runs
                     WHERE parent_node IS NULL
                       AND (status = 'pending'
                            OR (status IN ('running', 'waiting')
                                AND (lease_until IS NULL OR lease_until < now())))
                     ORDER BY created_at FOR UPDATE SKIP LOCKED LIMIT 1)
         RETURNING {RUN_COLUMNS}"
    );
    let millis = lease.as_millis() as f64;
    Ok(client
        .query_opt(&sql, &[&instance, &millis])
        .await?
        .map(|r| run_of(&r)))
}

/// Renews the claim. `None`: the claim is lost (another instance holds the run, or it ended);
/// else whether a cancellation was asked for.
pub async fn heartbeat(
    client: &impl GenericClient,
    run: Uuid,
    instance: Uuid,
    lease: Duration,
) -> Result<Option<bool>> {
    let millis = lease.as_millis() as f64;
    Ok(client
        .query_opt(
            "UPDATE pipeline.runs SET lease_until = now() + $3 * interval '1 ms'
             WHERE id = $1 AND claimed_by = $2 AND status IN ('running', 'waiting')
             RETURNING cancel_requested",
            &[&run, &instance, &millis],
        )
        .await?
        .map(|r| r.get(0)))
}

/// Gives the run back (shutdown): another instance may take it at once.
pub async fn release(client: &impl GenericClient, run: Uuid, instance: Uuid) -> Result<()> {
    client
        .execute(
            "UPDATE pipeline.runs SET claimed_by = NULL, lease_until = NULL
             WHERE id = $1 AND claimed_by = $2",
            &[&run, &instance],
        )
        .await?;
    Ok(())
}

/// Sets the deadline if the run has none yet; returns the deadline.
pub async fn ensure_deadline(
    client: &impl GenericClient,
    run: Uuid,
    timeout: Duration,
) -> Result<chrono::DateTime<chrono::Utc>> {
    let millis = timeout.as_millis() as f64;
    let row = client
        .query_one(
            "UPDATE pipeline.runs
                SET deadline = coalesce(deadline, coalesce(started_at, now()) + $2 * interval '1 ms')
             WHERE id = $1 RETURNING deadline",
            &[&run, &millis],
        )
        .await?;
    Ok(row.get(0))
}

/// Moves the run between `running` and `waiting` (fenced by the claim).
pub async fn set_run_live_status(
    client: &impl GenericClient,
    run: Uuid,
    instance: Uuid,
    status: RunStatus,
) -> Result<bool> {
    Ok(client
        .execute(
            "UPDATE pipeline.runs SET status = $3
             WHERE id = $1 AND claimed_by = $2 AND status IN ('running', 'waiting')",
            &[&run, &instance, &status.as_str()],
        )
        .await?
        == 1)
}
