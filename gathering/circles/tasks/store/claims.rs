//! The steps the worker takes by itself (an offered agent deciding, an agent working, a
//! reviewer agent reviewing), claimed by one instance (`FOR UPDATE SKIP LOCKED`) under a lease
//! its heartbeat renews. A step whose instance stopped is taken again once its lease runs out;
//! a step's answer is written only while its instance still holds the claim and the task is
//! still where the step found it.

use std::time::Duration;

use deadpool_postgres::GenericClient;
use uuid::Uuid;

use super::tasks::{COLUMNS, FROM, task};
use crate::circles::tasks::model::{Task, TaskStatus};

/// Takes one task with a step to take that nobody holds; returns it.
pub async fn claim(
    client: &impl GenericClient,
    instance: Uuid,
    lease: Duration,
) -> Result<Option<Task>, tokio_postgres::Error> {
    let millis = lease.as_millis() as f64;
    let row = client
        .query_opt(
            "UPDATE circles.tasks SET claimed_by = $1, lease_until = now() + $2 * interval '1 ms'
              WHERE id = (SELECT id FROM circles.tasks
                           WHERE (status IN ('offered', 'claimed', 'in_progress',
                                             'changes_requested')
                                  OR (status = 'review' AND reviewer_id IS NOT NULL))
                             AND (lease_until IS NULL OR lease_until < now())
                           ORDER BY updated_at FOR UPDATE SKIP LOCKED LIMIT 1)
              RETURNING id",
            &[&instance, &millis],
        )
        .await?;
    let Some(row) = row else {
        return Ok(None);
    };
    let id: Uuid = row.get(0);
    let sql = format!("SELECT {COLUMNS} FROM {FROM} WHERE t.id = $1");
    Ok(client.query_opt(&sql, &[&id]).await?.as_ref().map(task))
}

/// Renews the claim; false when it is lost (the task moved on, or another instance holds it).
pub async fn heartbeat(
    client: &impl GenericClient,
    task: Uuid,
    instance: Uuid,
    lease: Duration,
) -> Result<bool, tokio_postgres::Error> {
    let millis = lease.as_millis() as f64;
    Ok(client
        .execute(
            "UPDATE circles.tasks SET lease_until = now() + $3 * interval '1 ms'
              WHERE id = $1 AND claimed_by = $2",
            &[&task, &instance, &millis],
        )
        .await?
        == 1)
}

/// Locks the task for the step's answer, if this instance still holds its claim and it is
/// still `status` at `iteration`.
pub async fn hold(
    client: &impl GenericClient,
    id: Uuid,
    instance: Uuid,
    status: TaskStatus,
    iteration: i32,
) -> Result<Option<Task>, tokio_postgres::Error> {
    let sql = format!(
        "SELECT {COLUMNS} FROM {FROM}
          WHERE t.id = $1 AND t.claimed_by = $2 AND t.status = $3 AND t.iteration = $4
          FOR UPDATE OF t"
    );
    Ok(client
        .query_opt(&sql, &[&id, &instance, &status.as_str(), &iteration])
        .await?
        .as_ref()
        .map(task))
}

/// Moves a claimed task to `in_progress` (its work begins); false when the claim is lost.
pub async fn set_in_progress(
    client: &impl GenericClient,
    id: Uuid,
    instance: Uuid,
) -> Result<bool, tokio_postgres::Error> {
    Ok(client
        .execute(
            "UPDATE circles.tasks SET status = 'in_progress', updated_at = now()
              WHERE id = $1 AND claimed_by = $2
                AND status IN ('claimed', 'changes_requested')",
            &[&id, &instance],
        )
        .await?
        == 1)
}

/// Gives the step back (shutdown, or a failed try): another instance may take it at once,
/// or, after a failure, when `retry_after` has passed. Returns the failures so far.
pub async fn release(
    client: &impl GenericClient,
    id: Uuid,
    instance: Uuid,
    failed: bool,
    retry_after: Duration,
) -> Result<i32, tokio_postgres::Error> {
    let millis = retry_after.as_millis() as f64;
    let row = client
        .query_opt(
            "UPDATE circles.tasks
                SET claimed_by = NULL,
                    lease_until = CASE WHEN $3 THEN now() + $4 * interval '1 ms' END,
                    attempts = attempts + CASE WHEN $3 THEN 1 ELSE 0 END
              WHERE id = $1 AND claimed_by = $2
              RETURNING attempts",
            &[&id, &instance, &failed, &millis],
        )
        .await?;
    Ok(row.map(|r| r.get(0)).unwrap_or(0))
}

/// The circle of a task.
pub async fn circle_of(
    client: &impl GenericClient,
    id: Uuid,
) -> Result<Option<Uuid>, tokio_postgres::Error> {
    Ok(client
        .query_opt("SELECT circle_id FROM circles.tasks WHERE id = $1", &[&id])
        .await?
        .map(|r| r.get(0)))
}
