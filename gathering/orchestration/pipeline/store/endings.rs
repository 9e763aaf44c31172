//! A run's end: written once by the instance holding it (its unsettled nodes cancelled), or
//! asked for by anyone (a pending run ends at once).

use deadpool_postgres::GenericClient;
use serde_json::Value;
use uuid::Uuid;

use super::Result;
use crate::orchestration::pipeline::records::RunStatus;

/// A node a run's end cancelled: its id and type.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CancelledNode {
    pub node_id: String,
    pub node_type: String,
}

/// Ends the run (fenced by the claim): its final status, error and output; the claim is
/// dropped. Nodes still pending, running or waiting become cancelled; `Some` of them (in
/// node id order) when the run was ended here, `None` when this instance no longer holds it.
pub async fn finish_run(
    tx: &impl GenericClient,
    run: Uuid,
    instance: Uuid,
    status: RunStatus,
    error: Option<&str>,
    output: Option<&Value>,
) -> Result<Option<Vec<CancelledNode>>> {
    let n = tx
        .execute(
            "UPDATE pipeline.runs SET status = $3, error = $4, output = $5, finished_at = now(),
                    claimed_by = NULL, lease_until = NULL
             WHERE id = $1 AND claimed_by = $2 AND status IN ('running', 'waiting')",
            &[&run, &instance, &status.as_str(), &error, &output],
        )
        .await?;
    if n != 1 {
        return Ok(None);
    }
    cancel_unsettled(tx, run).await.map(Some)
}

/// Cancels the run's nodes still pending, running or waiting; returns them by node id.
async fn cancel_unsettled(tx: &impl GenericClient, run: Uuid) -> Result<Vec<CancelledNode>> {
    let rows = tx
        .query(
            "UPDATE pipeline.run_nodes SET status = 'cancelled', finished_at = now()
             WHERE run_id = $1 AND status IN ('pending', 'running', 'waiting')
             RETURNING node_id, node_type",
            &[&run],
        )
        .await?;
    let mut nodes: Vec<CancelledNode> = rows
        .iter()
        .map(|r| CancelledNode {
            node_id: r.get(0),
            node_type: r.get(1),
        })
        .collect();
    nodes.sort_by(|a, b| a.node_id.cmp(&b.node_id));
    Ok(nodes)
}

/// Asks for a live run to stop; `Some(status)` of the run as it was, `None`: no such run. A
/// pending run ends here, its nodes (returned) cancelled; a live one is only asked.
pub async fn request_cancel(
    tx: &impl GenericClient,
    run: Uuid,
) -> Result<Option<(RunStatus, Vec<CancelledNode>)>> {
    let row = tx
        .query_opt(
            "SELECT status FROM pipeline.runs WHERE id = $1 FOR UPDATE",
            &[&run],
        )
        .await?;
    let Some(row) = row else { return Ok(None) };
    let status = RunStatus::parse(row.get(0)).unwrap_or(RunStatus::Failed);
    if status == RunStatus::Pending {
        // Nobody runs it: it ends here.
        tx.execute(
            "UPDATE pipeline.runs SET status = 'cancelled', cancel_requested = true,
                    finished_at = now(), error = 'cancelled before it started' WHERE id = $1",
            &[&run],
        )
        .await?;
        let nodes = cancel_unsettled(tx, run).await?;
        return Ok(Some((status, nodes)));
    } else if !status.is_final() {
        tx.execute(
            "UPDATE pipeline.runs SET cancel_requested = true WHERE id = $1",
            &[&run],
        )
        .await?;
    }
    Ok(Some((status, Vec::new())))
}
