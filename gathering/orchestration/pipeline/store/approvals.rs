//! Approvals: the decision an approval node waits for.

use deadpool_postgres::GenericClient;
use serde_json::Value;
use uuid::Uuid;

use super::Result;

/// Records an approval's decision if the node still waits for one; false otherwise.
pub async fn decide(
    tx: &impl GenericClient,
    run: Uuid,
    node_id: &str,
    decision: &Value,
) -> Result<bool> {
    Ok(tx
        .execute(
            "UPDATE pipeline.run_nodes SET decision = $3
             WHERE run_id = $1 AND node_id = $2 AND status = 'waiting' AND decision IS NULL",
            &[&run, &node_id, decision],
        )
        .await?
        == 1)
}

pub async fn decision(
    client: &impl GenericClient,
    run: Uuid,
    node_id: &str,
) -> Result<Option<Value>> {
    Ok(client
        .query_opt(
            "SELECT decision FROM pipeline.run_nodes WHERE run_id = $1 AND node_id = $2",
            &[&run, &node_id],
        )
        .await?
        .and_then(|r| r.get(0)))
}
