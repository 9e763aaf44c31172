//! Breakers: one per effect node of a pipeline, locked for the caller's transaction.

use deadpool_postgres::GenericClient;
use tokio_postgres::Row;
use uuid::Uuid;

use super::Result;
use crate::orchestration::pipeline::records::{Breaker, BreakerState};

fn breaker_of(row: &Row) -> Breaker {
    Breaker {
        node_id: row.get("node_id"),
        state: BreakerState::parse(row.get("state")),
        failures: row.get("failures"),
        opened_at: row.get("opened_at"),
        updated_at: row.get("updated_at"),
    }
}

pub async fn list_breakers(client: &impl GenericClient, pipeline: Uuid) -> Result<Vec<Breaker>> {
    Ok(client
        .query(
            "SELECT node_id, state, failures, opened_at, updated_at FROM pipeline.breakers
             WHERE pipeline_id = $1 ORDER BY node_id",
            &[&pipeline],
        )
        .await?
        .iter()
        .map(breaker_of)
        .collect())
}

/// The breaker row, created closed when missing, locked for the caller's transaction; also
/// the seconds since it opened and since its probe began.
pub async fn lock_breaker(
    tx: &impl GenericClient,
    pipeline: Uuid,
    node_id: &str,
) -> Result<(Breaker, Option<f64>, Option<f64>)> {
    tx.execute(
        "INSERT INTO pipeline.breakers (pipeline_id, node_id) VALUES ($1, $2)
         ON CONFLICT DO NOTHING",
        &[&pipeline, &node_id],
    )
    .await?;
    let row = tx
        .query_one(
            "SELECT node_id, state, failures, opened_at, updated_at,
                    extract(epoch FROM now() - opened_at)::float8 AS open_for,
                    extract(epoch FROM now() - probe_at)::float8 AS probing_for
             FROM pipeline.breakers WHERE pipeline_id = $1 AND node_id = $2 FOR UPDATE",
            &[&pipeline, &node_id],
        )
        .await?;
    Ok((
        breaker_of(&row),
        row.get("open_for"),
        row.get("probing_for"),
    ))
}

/// What began with a breaker's new state, besides its state and failures.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Began {
    /// The breaker opened now (its recovery counts from now).
    Opening,
    /// A half-open probe began now (another may replace it after the recovery).
    Probe,
    /// Neither: a failure counted, or the breaker closed.
    Nothing,
}

/// Writes a breaker's new state, and what `began` with it.
pub async fn set_breaker(
    tx: &impl GenericClient,
    pipeline: Uuid,
    node_id: &str,
    state: BreakerState,
    failures: i32,
    began: Began,
) -> Result<()> {
    let opened = began == Began::Opening;
    let probe = began == Began::Probe;
    tx.execute(
        "UPDATE pipeline.breakers SET state = $3, failures = $4,
                opened_at = CASE WHEN $5 THEN now() WHEN $3 = 'closed' THEN NULL ELSE opened_at END,
                probe_at = CASE WHEN $6 THEN now() ELSE NULL END, updated_at = now()
         WHERE pipeline_id = $1 AND node_id = $2",
        &[
            &pipeline,
            &node_id,
            &state.as_str(),
            &failures,
            &opened,
            &probe,
        ],
    )
    .await?;
    Ok(())
}
