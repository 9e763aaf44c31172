//! Who executes a run: its session advisory lock (held for the whole execution), the claim
//! (a pending run, or a running one whose lease expired), the lease and its heartbeat, the
//! attempts and the result; the sweep's orphans and the next of a queue.

use deadpool_postgres::GenericClient;
use serde_json::Value;
use sha2::{Digest, Sha256};
use uuid::Uuid;

use super::runs::{RUN_COLUMNS, run};
use super::{ScheduleRun, all, exec, one, opt};

/// The session advisory lock of one run (so of one occurrence), held by the instance that
/// executes it for the whole execution.
pub fn lock_key(run: Uuid) -> i64 {
    let digest = Sha256::digest([b"gathering:schedule-run:".as_slice(), run.as_bytes()].concat());
    i64::from_be_bytes(digest[..8].try_into().expect("8 bytes"))
}

/// Starts the first attempt of a run this instance claimed as it fired (one statement: the
/// attempt counted, the lease renewed, the fire lag recorded); `None` when it is no longer this
/// instance's (another took it over after its lease expired).
pub async fn begin(
    client: &impl GenericClient,
    id: Uuid,
    instance: Uuid,
    lease: std::time::Duration,
) -> Result<Option<ScheduleRun>, tokio_postgres::Error> {
    let row = opt(
        client,
        &format!(
            "UPDATE scheduler.runs
                SET attempts = attempts + 1, started_at = now(),
                    lease_until = now() + make_interval(secs => $3),
                    fire_lag_ms = extract(epoch FROM clock_timestamp() - scheduled_for) * 1000
              WHERE id = $1 AND instance = $2 AND status = 'running' AND started_at IS NULL
              RETURNING {RUN_COLUMNS}"
        ),
        &[&id, &instance, &lease.as_secs_f64()],
    )
    .await?;
    Ok(row.as_ref().map(run))
}

/// Tries the run's advisory lock on this session (connection); true when taken.
pub async fn try_lock(
    client: &impl GenericClient,
    run: Uuid,
) -> Result<bool, tokio_postgres::Error> {
    let row = one(client, "SELECT pg_try_advisory_lock($1)", &[&lock_key(run)]).await?;
    Ok(row.get(0))
}

pub async fn unlock(client: &impl GenericClient, run: Uuid) -> Result<(), tokio_postgres::Error> {
    exec(client, "SELECT pg_advisory_unlock($1)", &[&lock_key(run)]).await?;
    Ok(())
}

/// What a claim found.
#[derive(Debug)]
pub enum Claim {
    /// This instance executes it: the run as claimed (its attempt counted).
    Claimed(ScheduleRun),
    /// A previous execution of the same schedule runs and the policy is `queue`: later.
    Queued,
    /// Its instance stopped with no attempts left: now marked failed.
    Exhausted(ScheduleRun),
    /// Settled, or another instance has it.
    Gone,
}

/// Claims a run for this instance: a pending one (when `queue` allows it), or a running one
/// whose instance stopped (its lease expired). Call inside a transaction, holding the run's
/// advisory lock.
pub async fn claim(
    tx: &impl GenericClient,
    id: Uuid,
    instance: Uuid,
    lease: std::time::Duration,
    queue: bool,
) -> Result<Claim, tokio_postgres::Error> {
    let Some(current) = opt(
        tx,
        "SELECT r.schedule_id, r.status, r.attempts, r.max_attempts,
                    (r.status = 'running' AND r.lease_until < now()) AS expired
               FROM scheduler.runs r WHERE r.id = $1",
        &[&id],
    )
    .await?
    else {
        return Ok(Claim::Gone);
    };
    let schedule_id: Uuid = current.get(0);
    let status: String = current.get(1);
    let attempts: i32 = current.get(2);
    let max_attempts: i32 = current.get(3);
    let expired: bool = current.get(4);
    if !(status == "pending" || expired) {
        return Ok(Claim::Gone);
    }
    // Claims of one schedule take turns (the queue rule reads the other runs).
    exec(
        tx,
        "SELECT 1 FROM scheduler.schedules WHERE id = $1 FOR UPDATE",
        &[&schedule_id],
    )
    .await?;
    if status == "pending" && queue {
        let ahead: i64 = one(
            tx,
            "SELECT count(*) FROM scheduler.runs
                  WHERE schedule_id = $1 AND id <> $2
                    AND ((status = 'running' AND lease_until >= now())
                         OR (status = 'pending' AND (scheduled_for, id) <
                             (SELECT scheduled_for, id FROM scheduler.runs WHERE id = $2)))",
            &[&schedule_id, &id],
        )
        .await?
        .get(0);
        if ahead > 0 {
            return Ok(Claim::Queued);
        }
    }
    if expired && attempts >= max_attempts {
        let row = one(tx,
                &format!(
                    "UPDATE scheduler.runs SET status = 'failed', finished_at = now(),
                            lease_until = NULL,
                            duration_ms = (extract(epoch FROM now() - started_at) * 1000)::bigint,
                            error = concat_ws('; ', error,
                              'the instance executing it stopped (its lease expired) and no attempts are left')
                      WHERE id = $1 RETURNING {RUN_COLUMNS}"
                ),
                &[&id],
            )
            .await?;
        return Ok(Claim::Exhausted(run(&row)));
    }
    let row = one(
        tx,
        &format!(
            "UPDATE scheduler.runs
                    SET status = 'running', attempts = attempts + 1, instance = $2,
                        lease_until = now() + make_interval(secs => $3),
                        started_at = coalesce(started_at, now()),
                        fire_lag_ms = coalesce(fire_lag_ms,
                          extract(epoch FROM clock_timestamp() - scheduled_for) * 1000)
                  WHERE id = $1 RETURNING {RUN_COLUMNS}"
        ),
        &[&id, &instance, &lease.as_secs_f64()],
    )
    .await?;
    Ok(Claim::Claimed(run(&row)))
}

/// Renews this instance's lease on a run; false when it is no longer this instance's.
pub async fn heartbeat(
    client: &impl GenericClient,
    id: Uuid,
    instance: Uuid,
    lease: std::time::Duration,
) -> Result<bool, tokio_postgres::Error> {
    let n = exec(
        client,
        "UPDATE scheduler.runs SET lease_until = now() + make_interval(secs => $3)
              WHERE id = $1 AND instance = $2 AND status = 'running'",
        &[&id, &instance, &lease.as_secs_f64()],
    )
    .await?;
    Ok(n == 1)
}

/// Gives back a run this instance executes (it stops): pending again, the interrupted attempt
/// not counted, for any instance to execute.
pub async fn release(
    client: &impl GenericClient,
    id: Uuid,
    instance: Uuid,
) -> Result<(), tokio_postgres::Error> {
    exec(
        client,
        "UPDATE scheduler.runs
                SET status = 'pending', attempts = greatest(attempts - 1, 0), instance = NULL,
                    lease_until = NULL
              WHERE id = $1 AND instance = $2 AND status = 'running'",
        &[&id, &instance],
    )
    .await?;
    Ok(())
}

/// Counts one more attempt of a run this instance executes (after a failed one), keeping the
/// error that caused it.
pub async fn next_attempt(
    client: &impl GenericClient,
    id: Uuid,
    instance: Uuid,
    error: &str,
) -> Result<bool, tokio_postgres::Error> {
    let n = exec(
        client,
        "UPDATE scheduler.runs SET attempts = attempts + 1, error = $3
              WHERE id = $1 AND instance = $2 AND status = 'running'",
        &[&id, &instance, &error],
    )
    .await?;
    Ok(n == 1)
}

/// Settles a run this instance executes.
pub async fn finish(
    tx: &impl GenericClient,
    id: Uuid,
    instance: Uuid,
    status: &str,
    output: Option<&Value>,
    error: Option<&str>,
) -> Result<Option<ScheduleRun>, tokio_postgres::Error> {
    let row = opt(
        tx,
        &format!(
            "UPDATE scheduler.runs
                    SET status = $3, output = $4, error = $5, finished_at = now(),
                        lease_until = NULL,
                        duration_ms = (extract(epoch FROM now() - started_at) * 1000)::bigint
                  WHERE id = $1 AND instance = $2 AND status = 'running'
                  RETURNING {RUN_COLUMNS}"
        ),
        &[&id, &instance, &status, &output, &error],
    )
    .await?;
    Ok(row.as_ref().map(run))
}

/// Runs that need an instance: pending ones created more than `settle` ago (their creator
/// stopped before executing them, or they were queued), and running ones whose lease expired.
pub async fn orphans(
    client: &impl GenericClient,
    settle: std::time::Duration,
    limit: i64,
) -> Result<Vec<Uuid>, tokio_postgres::Error> {
    let rows = all(
        client,
        "SELECT id FROM scheduler.runs
              WHERE (status = 'pending' AND created_at < now() - make_interval(secs => $1))
                 OR (status = 'running' AND lease_until < now())
              ORDER BY scheduled_for LIMIT $2",
        &[&settle.as_secs_f64(), &limit],
    )
    .await?;
    Ok(rows.iter().map(|r| r.get(0)).collect())
}

/// The oldest pending run of a schedule (the next of its queue).
pub async fn next_queued(
    client: &impl GenericClient,
    schedule_id: Uuid,
) -> Result<Option<Uuid>, tokio_postgres::Error> {
    let row = opt(
        client,
        "SELECT id FROM scheduler.runs WHERE schedule_id = $1 AND status = 'pending'
              ORDER BY scheduled_for, id LIMIT 1",
        &[&schedule_id],
    )
    .await?;
    Ok(row.map(|r| r.get(0)))
}
