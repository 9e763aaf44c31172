//! Runs: written pending (or already claimed, for a fan-out's items) with a pending row for
//! each node, read with their nodes, listed per pipeline.

use deadpool_postgres::GenericClient;
use serde_json::Value;
use tokio_postgres::Row;
use uuid::Uuid;

use super::Result;
use super::nodes::run_nodes;
use crate::orchestration::pipeline::records::{Run, RunStatus};

pub(super) const RUN_COLUMNS: &str = "id, pipeline_id, version, status, trigger, trigger_data, created_by,
    parent_run_id, rerun_of, parent_node, item_index, claimed_by, claims, cancel_requested, error, output, deadline,
    created_at, started_at, finished_at";

pub(super) fn run_of(row: &Row) -> Run {
    Run {
        id: row.get("id"),
        pipeline_id: row.get("pipeline_id"),
        version: row.get("version"),
        status: RunStatus::parse(row.get("status")).unwrap_or(RunStatus::Failed),
        trigger: row.get("trigger"),
        trigger_data: crate::db::lenient_json(row, "trigger_data").unwrap_or_default(),
        created_by: row.get("created_by"),
        parent_run_id: row.get("parent_run_id"),
        rerun_of: row.get("rerun_of"),
        parent_node: row.get("parent_node"),
        item_index: row.get("item_index"),
        claimed_by: row.get("claimed_by"),
        claims: row.get("claims"),
        cancel_requested: row.get("cancel_requested"),
        error: row.get("error"),
        output: crate::db::lenient_json(row, "output"),
        deadline: row.get("deadline"),
        created_at: row.get("created_at"),
        started_at: row.get("started_at"),
        finished_at: row.get("finished_at"),
        nodes: Vec::new(),
    }
}

/// A run about to be written.
#[derive(Debug)]
pub struct NewRunRow<'a> {
    pub id: Uuid,
    pub pipeline_id: Uuid,
    pub version: i32,
    pub trigger: &'a str,
    pub trigger_data: &'a Value,
    pub created_by: Option<Uuid>,
    pub parent_run_id: Option<Uuid>,
    pub rerun_of: Option<Uuid>,
    /// The parent's node that executes and awaits the run, and the item (a fan-out's).
    pub parent_node: Option<&'a str>,
    pub item_index: i32,
    /// Set for a sub-pipeline run executed by its parent's instance: claimed at once.
    pub claimed_by: Option<Uuid>,
    /// The schedule run that started it (`events::causation::Causation`); a child run without
    /// one inherits its parent's.
    pub causation: Option<&'a Value>,
}

/// Writes a run and a pending row for each of `nodes` (`(id, type)`). With `claimed_by`, the
/// run starts out running and claimed. `false`: the parent's node already has this child
/// (nothing written; [`adopt_child`] takes it over).
pub async fn insert_run(
    tx: &impl GenericClient,
    run: &NewRunRow<'_>,
    nodes: &[(String, &'static str)],
) -> Result<bool> {
    let inserted = tx
        .execute(
            "INSERT INTO pipeline.runs (id, pipeline_id, version, status, trigger, trigger_data,
                created_by, parent_run_id, rerun_of, parent_node, item_index, claimed_by, claims,
                lease_until, started_at, causation)
         VALUES ($1, $2, $3, CASE WHEN $11::uuid IS NULL THEN 'pending' ELSE 'running' END, $4,
                 $5, $6, $7, $8, $9, $10, $11, CASE WHEN $11::uuid IS NULL THEN 0 ELSE 1 END,
                 CASE WHEN $11::uuid IS NULL THEN NULL ELSE now() + interval '1 hour' END,
                 CASE WHEN $11::uuid IS NULL THEN NULL ELSE now() END,
                 coalesce($12::jsonb,
                          (SELECT p.causation FROM pipeline.runs p WHERE p.id = $7::uuid)))
         ON CONFLICT (parent_run_id, parent_node, item_index) WHERE parent_node IS NOT NULL
         DO NOTHING",
            &[
                &run.id,
                &run.pipeline_id,
                &run.version,
                &run.trigger,
                run.trigger_data,
                &run.created_by,
                &run.parent_run_id,
                &run.rerun_of,
                &run.parent_node,
                &run.item_index,
                &run.claimed_by,
                &run.causation,
            ],
        )
        .await?;
    if inserted == 0 {
        return Ok(false);
    }
    let ids: Vec<&str> = nodes.iter().map(|(id, _)| id.as_str()).collect();
    let types: Vec<&str> = nodes.iter().map(|(_, t)| *t).collect();
    tx.execute(
        "INSERT INTO pipeline.run_nodes (run_id, node_id, node_type, status, idempotency_key)
         SELECT $1::uuid, n.id, n.type, 'pending', $1::uuid::text || ':' || n.id
         FROM unnest($2::text[], $3::text[]) AS n(id, type)",
        &[&run.id, &ids, &types],
    )
    .await?;
    Ok(true)
}

/// The causation stored with a run (set when a schedule started it or its parent).
pub async fn run_causation(client: &impl GenericClient, id: Uuid) -> Result<Option<Value>> {
    Ok(client
        .query_opt("SELECT causation FROM pipeline.runs WHERE id = $1", &[&id])
        .await?
        .and_then(|row| row.get::<_, Option<Value>>(0)))
}

pub async fn get_run(client: &impl GenericClient, id: Uuid) -> Result<Option<Run>> {
    let sql = format!("SELECT {RUN_COLUMNS} FROM pipeline.runs WHERE id = $1");
    let Some(row) = client.query_opt(&sql, &[&id]).await? else {
        return Ok(None);
    };
    let mut run = run_of(&row);
    run.nodes = run_nodes(client, id).await?;
    Ok(Some(run))
}

pub async fn list_runs(
    client: &impl GenericClient,
    pipeline: Uuid,
    status: Option<&str>,
    after: Option<Uuid>,
    limit: i64,
) -> Result<Vec<Run>> {
    let sql = format!(
        "SELECT {RUN_COLUMNS} FROM pipeline.runs WHERE pipeline_id = $1 AND trigger <> 'fan_out'
           AND ($2::uuid IS NULL OR id < $2) AND ($4::text IS NULL OR status = $4)
         ORDER BY id DESC LIMIT $3"
    );
    Ok(client
        .query(&sql, &[&pipeline, &after, &limit, &status])
        .await?
        .iter()
        .map(run_of)
        .collect())
}
