//! Node runs: one row per node of a run; every write of an executing instance is fenced by
//! its claim, so an instance that lost a run cannot write to it.

use deadpool_postgres::GenericClient;
use serde_json::Value;
use tokio_postgres::Row;
use uuid::Uuid;

use super::Result;
use crate::orchestration::pipeline::records::{NodeStatus, RunNode};

pub(super) const NODE_COLUMNS: &str =
    "node_id, node_type, status, input, output, error, error_code,
    attempts, idempotency_key, wait_until, decision, started_at, finished_at";

pub(super) fn node_of(row: &Row) -> RunNode {
    RunNode {
        node_id: row.get("node_id"),
        node_type: row.get("node_type"),
        status: NodeStatus::parse(row.get("status")).unwrap_or(NodeStatus::Failed),
        input: crate::db::lenient_json(row, "input"),
        output: crate::db::lenient_json(row, "output"),
        error: row.get("error"),
        error_code: row.get("error_code"),
        attempts: row.get("attempts"),
        idempotency_key: row.get("idempotency_key"),
        wait_until: row.get("wait_until"),
        decision: crate::db::lenient_json(row, "decision"),
        started_at: row.get("started_at"),
        finished_at: row.get("finished_at"),
    }
}

// Nodes -----------------------------------------------------------------------------------------

/// A node's new state, written by the instance holding the run.
#[derive(Debug)]
pub struct NodeUpdate<'a> {
    pub run: Uuid,
    pub instance: Uuid,
    pub node_id: &'a str,
    pub status: NodeStatus,
    pub input: Option<&'a Value>,
    pub output: Option<&'a Value>,
    pub error: Option<&'a str>,
    pub error_code: Option<&'a str>,
    /// Count one more attempt.
    pub attempt: bool,
    pub wait_until: Option<chrono::DateTime<chrono::Utc>>,
}

/// Writes a node's state; false when this instance no longer holds the run. `started_at` is
/// set by the first non-pending state, `finished_at` by a final one.
pub async fn update_node(client: &impl GenericClient, u: &NodeUpdate<'_>) -> Result<bool> {
    let finished = matches!(
        u.status,
        NodeStatus::Completed | NodeStatus::Failed | NodeStatus::Skipped | NodeStatus::Cancelled
    );
    let n = client
        .execute(
            "UPDATE pipeline.run_nodes n SET status = $4,
                    input = coalesce($5, n.input), output = $6, error = $7, error_code = $8,
                    attempts = n.attempts + CASE WHEN $9 THEN 1 ELSE 0 END,
                    wait_until = coalesce($10, n.wait_until),
                    started_at = CASE WHEN $4 = 'skipped' THEN n.started_at
                                      ELSE coalesce(n.started_at, now()) END,
                    finished_at = CASE WHEN $11 THEN now() ELSE NULL END
             WHERE n.run_id = $1 AND n.node_id = $3
               AND EXISTS (SELECT 1 FROM pipeline.runs r WHERE r.id = $1 AND r.claimed_by = $2)",
            &[
                &u.run,
                &u.instance,
                &u.node_id,
                &u.status.as_str(),
                &u.input,
                &u.output,
                &u.error,
                &u.error_code,
                &u.attempt,
                &u.wait_until,
                &finished,
            ],
        )
        .await?;
    Ok(n == 1)
}

/// Puts nodes a stopped instance left running back to pending (a resumed run re-runs them;
/// their attempts stay counted).
pub async fn reset_interrupted(client: &impl GenericClient, run: Uuid) -> Result<u64> {
    client
        .execute(
            "UPDATE pipeline.run_nodes SET status = 'pending'
             WHERE run_id = $1 AND status = 'running'",
            &[&run],
        )
        .await
}

/// Copies the completed and skipped nodes of run `from` into run `to` (a re-run keeps them).
pub async fn copy_settled_nodes(tx: &impl GenericClient, from: Uuid, to: Uuid) -> Result<u64> {
    tx.execute(
        "UPDATE pipeline.run_nodes t SET status = f.status, input = f.input, output = f.output,
                attempts = f.attempts, started_at = f.started_at, finished_at = f.finished_at,
                decision = f.decision
         FROM pipeline.run_nodes f
         WHERE t.run_id = $2 AND f.run_id = $1 AND f.node_id = t.node_id
           AND f.status IN ('completed', 'skipped')",
        &[&from, &to],
    )
    .await
}

pub async fn run_nodes(client: &impl GenericClient, run: Uuid) -> Result<Vec<RunNode>> {
    let sql = format!(
        "SELECT {NODE_COLUMNS} FROM pipeline.run_nodes WHERE run_id = $1
         ORDER BY started_at NULLS LAST, node_id"
    );
    Ok(client
        .query(&sql, &[&run])
        .await?
        .iter()
        .map(node_of)
        .collect())
}
