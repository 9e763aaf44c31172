//! Run trees: the children of sub-pipelines and fan-outs, adopted by a resumed parent, and the
//! node-run budget a tree's root charges.

use deadpool_postgres::GenericClient;
use serde_json::Value;
use uuid::Uuid;

use super::Result;
use super::nodes::{NODE_COLUMNS, node_of};
use super::runs::{RUN_COLUMNS, run_of};
use crate::orchestration::pipeline::records::{NodeStatus, Run, RunNode};

/// The root run of `run`'s tree (`run` itself when it has no parent). Trees are at most a few
/// levels deep (sub-pipelines and fan-outs nest 5 deep at most).
const ROOT_OF: &str = "WITH RECURSIVE up(id, parent) AS (
        SELECT id, parent_run_id FROM pipeline.runs WHERE id = $1
        UNION ALL
        SELECT r.id, r.parent_run_id FROM pipeline.runs r JOIN up ON r.id = up.parent)";

/// Charges `node_runs` to the tree of `parent` (its root's `tree_node_runs`) if the tree stays
/// within `max`; whether it did. In the caller's transaction, with the child's insert.
pub async fn charge_tree(
    tx: &impl GenericClient,
    parent: Uuid,
    node_runs: i32,
    max: i32,
) -> Result<bool> {
    let charged = tx
        .execute(
            &format!(
                "{ROOT_OF}
                 UPDATE pipeline.runs SET tree_node_runs = tree_node_runs + $2
                  WHERE id = (SELECT id FROM up WHERE parent IS NULL)
                    AND tree_node_runs + $2 <= $3"
            ),
            &[&parent, &node_runs, &max],
        )
        .await?;
    Ok(charged == 1)
}

/// How many node runs `run`'s tree has charged so far.
pub async fn tree_node_runs(client: &impl GenericClient, run: Uuid) -> Result<i64> {
    let row = client
        .query_opt(
            &format!(
                "{ROOT_OF}
                 SELECT r.tree_node_runs::bigint FROM pipeline.runs r
                  WHERE r.id = (SELECT id FROM up WHERE parent IS NULL)"
            ),
            &[&run],
        )
        .await?;
    Ok(row.map_or(0, |r| r.get(0)))
}

/// Takes over the child that `parent`'s node `node` started for `item` (when the parent is
/// resumed): claimed by `instance` if it is still live. The child as it is now.
pub async fn adopt_child(
    client: &impl GenericClient,
    parent: Uuid,
    node: &str,
    item: i32,
    instance: Uuid,
) -> Result<Option<Run>> {
    let sql = format!(
        "UPDATE pipeline.runs SET claimed_by = $4, lease_until = now() + interval '1 hour',
                claims = claims + 1,
                status = CASE WHEN status = 'pending' THEN 'running' ELSE status END,
                started_at = coalesce(started_at, now())
         WHERE parent_run_id = $1 AND parent_node = $2 AND item_index = $3
           AND status IN ('pending', 'running', 'waiting')
         RETURNING {RUN_COLUMNS}"
    );
    if let Some(row) = client
        .query_opt(&sql, &[&parent, &node, &item, &instance])
        .await?
    {
        return Ok(Some(run_of(&row)));
    }
    let sql = format!(
        "SELECT {RUN_COLUMNS} FROM pipeline.runs
         WHERE parent_run_id = $1 AND parent_node = $2 AND item_index = $3"
    );
    Ok(client
        .query_opt(&sql, &[&parent, &node, &item])
        .await?
        .map(|r| run_of(&r)))
}

/// The node states of several runs (a fan-out's items), as `(run, node)`.
pub async fn nodes_of_runs(
    client: &impl GenericClient,
    runs: &[Uuid],
) -> Result<Vec<(Uuid, RunNode)>> {
    let sql =
        format!("SELECT run_id, {NODE_COLUMNS} FROM pipeline.run_nodes WHERE run_id = ANY($1)");
    Ok(client
        .query(&sql, &[&runs])
        .await?
        .iter()
        .map(|r| (r.get("run_id"), node_of(r)))
        .collect())
}

/// Settles a fan-out's body node in the parent run: `completed` (or `skipped`) with the
/// items' outputs, its attempts the items' sum. Fenced by the claim like [`update_node`].
pub async fn settle_fanned(
    client: &impl GenericClient,
    run: Uuid,
    instance: Uuid,
    node: &str,
    status: NodeStatus,
    output: &Value,
    attempts: i32,
) -> Result<bool> {
    Ok(client
        .execute(
            "UPDATE pipeline.run_nodes n SET status = $4, output = $5, attempts = $6,
                    started_at = coalesce(n.started_at, now()), finished_at = now()
             FROM pipeline.runs r
             WHERE n.run_id = $1 AND n.node_id = $3 AND r.id = n.run_id AND r.claimed_by = $2",
            &[&run, &instance, &node, &status.as_str(), output, &attempts],
        )
        .await?
        == 1)
}
