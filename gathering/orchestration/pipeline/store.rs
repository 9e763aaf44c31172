//! The SQL of pipelines: documents and versions, runs and their claims (`FOR UPDATE SKIP
//! LOCKED` under a lease), node states (every write of an executing instance is fenced by its
//! claim, so an instance that lost a run cannot write to it), and breakers.

use std::time::Duration;

use deadpool_postgres::GenericClient;
use serde_json::Value;
use tokio_postgres::Row;
use uuid::Uuid;

use super::records::{
    Breaker, BreakerState, NodeStatus, Run, RunNode, RunStatus, StoredPipeline, Version,
};

type Result<T> = std::result::Result<T, tokio_postgres::Error>;

const PIPELINE_COLUMNS: &str = "p.id, p.name, p.description, p.status, p.version, p.owner_id,
    p.webhook_secret_hash IS NOT NULL AS webhook_enabled, v.document, p.created_at, p.updated_at";

fn pipeline_of(row: &Row) -> StoredPipeline {
    StoredPipeline {
        id: row.get("id"),
        name: row.get("name"),
        description: row.get("description"),
        status: row.get("status"),
        version: row.get("version"),
        owner_id: row.get("owner_id"),
        webhook_enabled: row.get("webhook_enabled"),
        document: row.get("document"),
        created_at: row.get("created_at"),
        updated_at: row.get("updated_at"),
    }
}

/// The columns of a new or changed pipeline.
#[derive(Debug)]
pub struct PipelineRow<'a> {
    pub name: &'a str,
    pub description: &'a str,
    pub status: &'a str,
    pub document: &'a Value,
}

pub async fn insert_pipeline(
    tx: &impl GenericClient,
    id: Uuid,
    owner: Uuid,
    row: &PipelineRow<'_>,
) -> Result<()> {
    tx.execute(
        "INSERT INTO pipeline.pipelines (id, name, description, status, version, owner_id)
         VALUES ($1, $2, $3, $4, 1, $5)",
        &[&id, &row.name, &row.description, &row.status, &owner],
    )
    .await?;
    insert_version(tx, id, 1, row.document, owner).await
}

async fn insert_version(
    tx: &impl GenericClient,
    id: Uuid,
    version: i32,
    document: &Value,
    by: Uuid,
) -> Result<()> {
    tx.execute(
        "INSERT INTO pipeline.versions (pipeline_id, version, document, created_by)
         VALUES ($1, $2, $3, $4)",
        &[&id, &version, document, &by],
    )
    .await?;
    Ok(())
}

/// Writes version `version` and makes it the newest.
pub async fn update_pipeline(
    tx: &impl GenericClient,
    id: Uuid,
    version: i32,
    by: Uuid,
    row: &PipelineRow<'_>,
) -> Result<()> {
    insert_version(tx, id, version, row.document, by).await?;
    tx.execute(
        "UPDATE pipeline.pipelines SET name = $2, description = $3, status = $4, version = $5,
                updated_at = now() WHERE id = $1",
        &[&id, &row.name, &row.description, &row.status, &version],
    )
    .await?;
    Ok(())
}

/// Locks the pipeline row; its newest version and owner.
pub async fn lock_pipeline(tx: &impl GenericClient, id: Uuid) -> Result<Option<(i32, Uuid)>> {
    Ok(tx
        .query_opt(
            "SELECT version, owner_id FROM pipeline.pipelines WHERE id = $1 FOR UPDATE",
            &[&id],
        )
        .await?
        .map(|r| (r.get(0), r.get(1))))
}

pub async fn get_pipeline(client: &impl GenericClient, id: Uuid) -> Result<Option<StoredPipeline>> {
    let sql = format!(
        "SELECT {PIPELINE_COLUMNS} FROM pipeline.pipelines p
         JOIN pipeline.versions v ON v.pipeline_id = p.id AND v.version = p.version
         WHERE p.id = $1"
    );
    Ok(client
        .query_opt(&sql, &[&id])
        .await?
        .map(|r| pipeline_of(&r)))
}

pub async fn get_pipeline_by_name(
    client: &impl GenericClient,
    name: &str,
) -> Result<Option<StoredPipeline>> {
    let sql = format!(
        "SELECT {PIPELINE_COLUMNS} FROM pipeline.pipelines p
         JOIN pipeline.versions v ON v.pipeline_id = p.id AND v.version = p.version
         WHERE p.name = $1"
    );
    Ok(client
        .query_opt(&sql, &[&name])
        .await?
        .map(|r| pipeline_of(&r)))
}

pub async fn list_pipelines(
    client: &impl GenericClient,
    search: Option<&str>,
    after: Option<Uuid>,
    limit: i64,
) -> Result<Vec<StoredPipeline>> {
    let sql = format!(
        "SELECT {PIPELINE_COLUMNS} FROM pipeline.pipelines p
         JOIN pipeline.versions v ON v.pipeline_id = p.id AND v.version = p.version
         WHERE ($1::uuid IS NULL OR p.id > $1)
           AND ($3::text IS NULL OR strpos(lower(p.name), lower($3)) > 0
                OR strpos(lower(p.description), lower($3)) > 0)
         ORDER BY p.id LIMIT $2"
    );
    Ok(client
        .query(&sql, &[&after, &limit, &search])
        .await?
        .iter()
        .map(pipeline_of)
        .collect())
}

pub async fn delete_pipeline(tx: &impl GenericClient, id: Uuid) -> Result<bool> {
    Ok(tx
        .execute("DELETE FROM pipeline.pipelines WHERE id = $1", &[&id])
        .await?
        == 1)
}

pub async fn set_webhook_hash(
    tx: &impl GenericClient,
    id: Uuid,
    hash: Option<&[u8]>,
) -> Result<()> {
    tx.execute(
        "UPDATE pipeline.pipelines SET webhook_secret_hash = $2, updated_at = now() WHERE id = $1",
        &[&id, &hash],
    )
    .await?;
    Ok(())
}

pub async fn webhook_hash(client: &impl GenericClient, id: Uuid) -> Result<Option<Vec<u8>>> {
    Ok(client
        .query_opt(
            "SELECT webhook_secret_hash FROM pipeline.pipelines WHERE id = $1",
            &[&id],
        )
        .await?
        .and_then(|r| r.get(0)))
}

fn version_of(row: &Row) -> Version {
    Version {
        pipeline_id: row.get("pipeline_id"),
        version: row.get("version"),
        document: row.get("document"),
        created_by: row.get("created_by"),
        created_at: row.get("created_at"),
    }
}

pub async fn list_versions(client: &impl GenericClient, id: Uuid) -> Result<Vec<Version>> {
    Ok(client
        .query(
            "SELECT pipeline_id, version, document, created_by, created_at FROM pipeline.versions
             WHERE pipeline_id = $1 ORDER BY version DESC LIMIT 1000",
            &[&id],
        )
        .await?
        .iter()
        .map(version_of)
        .collect())
}

pub async fn get_version(
    client: &impl GenericClient,
    id: Uuid,
    version: i32,
) -> Result<Option<Version>> {
    Ok(client
        .query_opt(
            "SELECT pipeline_id, version, document, created_by, created_at FROM pipeline.versions
             WHERE pipeline_id = $1 AND version = $2",
            &[&id, &version],
        )
        .await?
        .map(|r| version_of(&r)))
}

// Runs ----------------------------------------------------------------------------------------

const RUN_COLUMNS: &str = "id, pipeline_id, version, status, trigger, trigger_data, created_by,
    parent_run_id, rerun_of, parent_node, item_index, claimed_by, claims, cancel_requested, error, output, deadline,
    created_at, started_at, finished_at";

fn run_of(row: &Row) -> Run {
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

const NODE_COLUMNS: &str = "node_id, node_type, status, input, output, error, error_code,
    attempts, idempotency_key, wait_until, decision, started_at, finished_at";

fn node_of(row: &Row) -> RunNode {
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

/// Takes over the child that `parent`'s node `node` started for `item` (when the parent is
/// resumed): claimed by `instance` if it is still live. The child as it is now.
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

/// Takes one run nobody holds: a pending one, or a live one whose holder's lease expired
/// (that instance stopped or lost the database). `SKIP LOCKED`: instances claiming at the same
/// moment take different runs. Returns the run, its claim counted.
pub async fn claim_run(
    client: &impl GenericClient,
    instance: Uuid,
    lease: Duration,
) -> Result<Option<Run>> {
    let sql = format!(
        "UPDATE pipeline.runs SET claimed_by = $1, lease_until = now() + $2 * interval '1 ms',
                claims = claims + 1,
                status = CASE WHEN status = 'pending' THEN 'running' ELSE status END,
                started_at = coalesce(started_at, now())
         WHERE id = (SELECT id FROM pipeline.runs
                     WHERE parent_node IS NULL
                       AND (status = 'pending'
                            OR (status IN ('running', 'waiting')
                                AND (lease_until IS NULL OR lease_until < now())))
                     ORDER BY created_at FOR UPDATE SKIP LOCKED LIMIT 1)
         RETURNING {RUN_COLUMNS}"
    );
    let millis = lease.as_millis() as f64;
    Ok(client
        .query_opt(&sql, &[&instance, &millis])
        .await?
        .map(|r| run_of(&r)))
}

/// Renews the claim. `None`: the claim is lost (another instance holds the run, or it ended);
/// else whether a cancellation was asked for.
pub async fn heartbeat(
    client: &impl GenericClient,
    run: Uuid,
    instance: Uuid,
    lease: Duration,
) -> Result<Option<bool>> {
    let millis = lease.as_millis() as f64;
    Ok(client
        .query_opt(
            "UPDATE pipeline.runs SET lease_until = now() + $3 * interval '1 ms'
             WHERE id = $1 AND claimed_by = $2 AND status IN ('running', 'waiting')
             RETURNING cancel_requested",
            &[&run, &instance, &millis],
        )
        .await?
        .map(|r| r.get(0)))
}

/// Gives the run back (shutdown): another instance may take it at once.
pub async fn release(client: &impl GenericClient, run: Uuid, instance: Uuid) -> Result<()> {
    client
        .execute(
            "UPDATE pipeline.runs SET claimed_by = NULL, lease_until = NULL
             WHERE id = $1 AND claimed_by = $2",
            &[&run, &instance],
        )
        .await?;
    Ok(())
}

/// Sets the deadline if the run has none yet; returns the deadline.
pub async fn ensure_deadline(
    client: &impl GenericClient,
    run: Uuid,
    timeout: Duration,
) -> Result<chrono::DateTime<chrono::Utc>> {
    let millis = timeout.as_millis() as f64;
    let row = client
        .query_one(
            "UPDATE pipeline.runs
                SET deadline = coalesce(deadline, coalesce(started_at, now()) + $2 * interval '1 ms')
             WHERE id = $1 RETURNING deadline",
            &[&run, &millis],
        )
        .await?;
    Ok(row.get(0))
}

/// Moves the run between `running` and `waiting` (fenced by the claim).
pub async fn set_run_live_status(
    client: &impl GenericClient,
    run: Uuid,
    instance: Uuid,
    status: RunStatus,
) -> Result<bool> {
    Ok(client
        .execute(
            "UPDATE pipeline.runs SET status = $3
             WHERE id = $1 AND claimed_by = $2 AND status IN ('running', 'waiting')",
            &[&run, &instance, &status.as_str()],
        )
        .await?
        == 1)
}

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

// Breakers --------------------------------------------------------------------------------------

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

/// Writes a breaker's new state. `opened`: the state became open now; `probe`: a half-open
/// probe begins now.
pub async fn set_breaker(
    tx: &impl GenericClient,
    pipeline: Uuid,
    node_id: &str,
    state: BreakerState,
    failures: i32,
    opened: bool,
    probe: bool,
) -> Result<()> {
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
