//! Child runs: a sub-pipeline's run (`execute_pipeline`) and a fan-out's item runs, each
//! created with its `pipeline_run.created` event or, for a resumed parent, taken over; and the
//! budget of a run's tree, which every new child charges with its node count.

use deadpool_postgres::{GenericClient, Pool};
use serde_json::{Value, json};
use uuid::Uuid;

use super::records::Run;
use super::service::{node_list, revalidated, scope};
use super::store::{self, NewRunRow};
use crate::core::error::DomainError;
use crate::events::{EventType, NewEvent, outbox};

/// A sub-pipeline run to start.
#[derive(Debug)]
pub(super) struct SubRun<'a> {
    /// The pipeline's id or name.
    pub target: &'a str,
    pub input: &'a Value,
    pub created_by: Option<Uuid>,
    pub parent: Uuid,
    /// The parent's node and this instance, when the node executes the run and awaits it.
    pub awaited_by: Option<(&'a str, Uuid)>,
}

/// Creates a sub-pipeline's run (for `execute_pipeline`).
pub(super) async fn start_sub_run(pool: &Pool, sub: SubRun<'_>) -> Result<Run, DomainError> {
    let mut client = pool.get().await?;
    let target = match Uuid::parse_str(sub.target) {
        Ok(id) => store::get_pipeline(&client, id).await?,
        Err(_) => store::get_pipeline_by_name(&client, sub.target).await?,
    }
    .ok_or_else(|| DomainError::NotFound(format!("no pipeline {:?}", sub.target)))?;
    let pipeline = revalidated(&target.document).await.ok_or_else(|| {
        DomainError::invalid(
            "pipeline_id",
            "the sub-pipeline's document does not validate",
        )
    })?;
    let tx = client.transaction().await?;
    let row = NewRunRow {
        id: Uuid::now_v7(),
        pipeline_id: target.id,
        version: target.version,
        trigger: "pipeline",
        trigger_data: sub.input,
        created_by: sub.created_by,
        parent_run_id: Some(sub.parent),
        rerun_of: None,
        parent_node: sub.awaited_by.map(|(node, _)| node),
        item_index: 0,
        claimed_by: sub.awaited_by.map(|(_, instance)| instance),
        causation: None,
    };
    let run = create_or_adopt(&tx, &row, &node_list(&pipeline), target.owner_id).await?;
    tx.commit().await?;
    Ok(run)
}

/// The most node runs the child runs of one root run (its sub-pipelines' runs and fan-out items,
/// at any depth) may make in all: with a root's own 5,000 nodes at most, the bound of the work
/// one run can start. A child past it is not created.
pub const MAX_TREE_NODE_RUNS: i32 = 50_000;

/// How many more node runs `run`'s tree may make.
pub(super) async fn tree_budget_left(pool: &Pool, run: Uuid) -> Result<i64, DomainError> {
    let client = pool.get().await?;
    let used = store::tree_node_runs(&client, run).await?;
    Ok(i64::from(MAX_TREE_NODE_RUNS) - used)
}

/// One item of a fan-out: the body pipeline `nodes` of the parent's own version.
pub(super) struct ItemRun<'a> {
    pub parent_id: Uuid,
    pub pipeline_id: Uuid,
    pub version: i32,
    pub owner_id: Uuid,
    pub node: &'a str,
    pub index: i32,
    pub data: &'a Value,
    pub created_by: Option<Uuid>,
    pub instance: Uuid,
    pub nodes: &'a [(String, &'static str)],
}

/// Creates (or, for a resumed parent, takes over) the run of one item of a fan-out.
pub(super) async fn start_item_run(pool: &Pool, item: ItemRun<'_>) -> Result<Run, DomainError> {
    let mut client = pool.get().await?;
    let tx = client.transaction().await?;
    let row = NewRunRow {
        id: Uuid::now_v7(),
        pipeline_id: item.pipeline_id,
        version: item.version,
        trigger: "fan_out",
        trigger_data: item.data,
        created_by: item.created_by,
        parent_run_id: Some(item.parent_id),
        rerun_of: None,
        parent_node: Some(item.node),
        item_index: item.index,
        claimed_by: Some(item.instance),
        causation: None,
    };
    let run = create_or_adopt(&tx, &row, item.nodes, item.owner_id).await?;
    tx.commit().await?;
    Ok(run)
}

/// Writes `row` with its `pipeline_run.created`, or, when the parent's node already started
/// that child, takes the child over. The run as it is now.
async fn create_or_adopt(
    tx: &impl GenericClient,
    row: &NewRunRow<'_>,
    nodes: &[(String, &'static str)],
    owner_id: Uuid,
) -> Result<Run, DomainError> {
    let parent = row.parent_run_id.unwrap_or_default();
    if !store::insert_run(tx, row, nodes).await? {
        let node = row.parent_node.unwrap_or_default();
        let instance = row.claimed_by.unwrap_or_default();
        return store::adopt_child(tx, parent, node, row.item_index, instance)
            .await?
            .ok_or_else(|| anyhow::anyhow!("the child run of {parent} vanished").into());
    }
    // A new child charges its nodes to its tree: taken over, it was charged when made.
    let node_runs = i32::try_from(nodes.len()).unwrap_or(i32::MAX);
    if !store::charge_tree(tx, parent, node_runs, MAX_TREE_NODE_RUNS).await? {
        return Err(DomainError::invalid(
            "tree",
            format!(
                "this run's sub-pipelines and fan-out items would run more than \
                 {MAX_TREE_NODE_RUNS} nodes in all"
            ),
        ));
    }
    outbox::append(
        tx,
        &NewEvent::new(
            EventType::PipelineRunCreated,
            scope(row.pipeline_id, owner_id, Some(row.id)),
            row.created_by,
        )
        .data(
            json!({"run_id": row.id, "pipeline_id": row.pipeline_id, "version": row.version,
                     "trigger": row.trigger, "parent_run_id": parent,
                     "item_index": row.parent_node.is_some().then_some(row.item_index)}),
        ),
    )
    .await?;
    Ok(store::get_run(tx, row.id)
        .await?
        .ok_or_else(|| anyhow::anyhow!("run {} vanished in its own transaction", row.id))?)
}
