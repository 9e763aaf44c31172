//! Claims: an instance takes a discussion (`FOR UPDATE SKIP LOCKED`) under a lease its
//! heartbeat renews, gives it back when it waits, pauses or shuts down, and writes the steps
//! of its runner only while it still holds it (`fence`).

use std::time::Duration;

use deadpool_postgres::GenericClient;
use uuid::Uuid;

use super::discussions::{COLUMNS, record};
use crate::circles::discussion::model::{DiscussionStatus, Record};

/// A claimed discussion, and whether it was under way before (taken over from an instance
/// that stopped, or going on after a wait or a pause).
#[derive(Debug, Clone)]
pub struct Claimed {
    pub record: Record,
    pub resumed: bool,
}

/// Takes one discussion nobody holds: a pending or running one (a running one is unclaimed
/// after a wait, or its holder's lease expired), or a finished one whose summary is not yet
/// written. A pending one becomes running; its start and wall-clock deadline are set once.
pub async fn claim(
    client: &impl GenericClient,
    instance: Uuid,
    lease: Duration,
) -> Result<Option<Claimed>, tokio_postgres::Error> {
    let sql = format!(
        "WITH picked AS (
            SELECT id, status AS was FROM circles.discussions
             WHERE (status IN ('pending', 'running')
                    OR (status IN ('completed', 'stopped', 'failed') AND summary IS NULL))
               AND (claimed_by IS NULL OR lease_until IS NULL OR lease_until < now())
             ORDER BY created_at FOR UPDATE SKIP LOCKED LIMIT 1)
         UPDATE circles.discussions d
            SET claimed_by = $1, lease_until = now() + $2 * interval '1 ms',
                status = CASE WHEN d.status = 'pending' THEN 'running' ELSE d.status END,
                started_at = CASE WHEN d.status IN ('pending', 'running')
                                  THEN coalesce(d.started_at, now()) ELSE d.started_at END,
                deadline = coalesce(d.deadline,
                    coalesce(d.started_at, now())
                    + (d.limits->>'max_seconds')::bigint * interval '1 second'),
                updated_at = now()
           FROM picked WHERE d.id = picked.id
         RETURNING {COLUMNS}, picked.was"
    );
    let millis = lease.as_millis() as f64;
    let row = client.query_opt(&sql, &[&instance, &millis]).await?;
    Ok(row.map(|r| {
        let was: String = r.get(27);
        let record = record(&r);
        Claimed {
            resumed: was == "running" || record.turns > 0,
            record,
        }
    }))
}

/// Renews the claim; `None` when it is lost, else the discussion's status (a stop asked for
/// on any instance shows here).
pub async fn heartbeat(
    client: &impl GenericClient,
    id: Uuid,
    instance: Uuid,
    lease: Duration,
) -> Result<Option<DiscussionStatus>, tokio_postgres::Error> {
    let millis = lease.as_millis() as f64;
    let row = client
        .query_opt(
            "UPDATE circles.discussions SET lease_until = now() + $3 * interval '1 ms'
              WHERE id = $1 AND claimed_by = $2 RETURNING status",
            &[&id, &instance, &millis],
        )
        .await?;
    Ok(row.map(|r| DiscussionStatus::parse(r.get::<_, &str>(0))))
}

/// Gives the discussion back: another instance (or this one) may take it at once.
pub async fn release(
    client: &impl GenericClient,
    id: Uuid,
    instance: Uuid,
) -> Result<(), tokio_postgres::Error> {
    client
        .execute(
            "UPDATE circles.discussions SET claimed_by = NULL, lease_until = NULL
              WHERE id = $1 AND claimed_by = $2",
            &[&id, &instance],
        )
        .await?;
    Ok(())
}

/// Locks the discussion's row if this instance still holds its claim (lease not expired);
/// `None` when it does not. Every write of the runner happens after this, in its transaction.
pub async fn fence(
    client: &impl GenericClient,
    id: Uuid,
    instance: Uuid,
) -> Result<Option<Record>, tokio_postgres::Error> {
    let sql = format!(
        "SELECT {COLUMNS} FROM circles.discussions d
          WHERE d.id = $1 AND d.claimed_by = $2 AND d.lease_until > now() FOR UPDATE"
    );
    Ok(client
        .query_opt(&sql, &[&id, &instance])
        .await?
        .as_ref()
        .map(record))
}

/// Counts a stored turn: its number, tokens and cost; a chosen speaker is used up.
pub async fn count_turn(
    client: &impl GenericClient,
    id: Uuid,
    turn: i32,
    tokens: i64,
    cost: f64,
) -> Result<(), tokio_postgres::Error> {
    client
        .execute(
            "UPDATE circles.discussions
                SET turns = greatest(turns, $2), tokens = tokens + $3, cost = cost + $4,
                    next_speaker = NULL, updated_at = now()
              WHERE id = $1",
            &[&id, &turn, &tokens, &cost],
        )
        .await?;
    Ok(())
}

/// The discussion waits (`speaker` or `person:<user id>`) and is given back: no instance
/// holds a waiting discussion.
pub async fn wait(
    client: &impl GenericClient,
    id: Uuid,
    waiting_for: &str,
) -> Result<(), tokio_postgres::Error> {
    client
        .execute(
            "UPDATE circles.discussions
                SET status = 'waiting', waiting_for = $2, claimed_by = NULL, lease_until = NULL,
                    updated_at = now()
              WHERE id = $1",
            &[&id, &waiting_for],
        )
        .await?;
    Ok(())
}

/// Stores the summary (and the memory it was saved as) and gives the discussion back.
pub async fn set_summary(
    client: &impl GenericClient,
    id: Uuid,
    summary: &str,
    memory: Option<Uuid>,
) -> Result<(), tokio_postgres::Error> {
    client
        .execute(
            "UPDATE circles.discussions
                SET summary = $2, summary_memory_id = $3, claimed_by = NULL, lease_until = NULL,
                    updated_at = now()
              WHERE id = $1",
            &[&id, &summary, &memory],
        )
        .await?;
    Ok(())
}
