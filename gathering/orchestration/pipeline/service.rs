//! `Pipelines`, the service the API holds: stored pipelines (every change a new version, with
//! a diff between any two), runs (created pending for any instance's engine to claim), their
//! cancellation, approvals, re-runs from the failed nodes, webhooks with a per-pipeline secret,
//! and breakers. Every change is audited and published in its own transaction.

use std::sync::Arc;

use deadpool_postgres::{GenericClient, Pool};
use serde_json::{Map, Value, json};
use sha2::{Digest, Sha256};
use uuid::Uuid;

use super::check::{Budget, VALIDATION_BUDGET, validate_off_thread};
use super::ending;
use super::engine::Engine;
use super::model::{Pipeline, Problems};
use super::records::{Breaker, Run, RunStatus, StoredPipeline, Version};
use super::store::{self, NewRunRow, PipelineRow};

use crate::audit::{self, Outcome};
use crate::core::error::{DomainError, is_unique_violation};
use crate::core::identity::{Identity, RequestMeta, Role};
use crate::events::causation::Causation;
use crate::events::{EventType, NewEvent, Scope, outbox};

/// Why a pipeline change was refused.
#[derive(Debug, thiserror::Error)]
pub enum PipelineError {
    /// The document does not validate: its problems.
    #[error("the pipeline is not valid")]
    Invalid(Problems),
    /// Validating it took longer than its budget (`check::VALIDATION_BUDGET`).
    #[error("validating the pipeline took longer than its budget of {} s", VALIDATION_BUDGET.as_secs())]
    OverBudget,
    #[error(transparent)]
    Domain(#[from] DomainError),
}

impl From<tokio_postgres::Error> for PipelineError {
    fn from(e: tokio_postgres::Error) -> Self {
        Self::Domain(e.into())
    }
}

impl From<deadpool_postgres::PoolError> for PipelineError {
    fn from(e: deadpool_postgres::PoolError) -> Self {
        Self::Domain(e.into())
    }
}

/// The service; cheap to clone.
#[derive(Clone, Debug)]
pub struct Pipelines {
    pool: Pool,
    engine: Engine,
}

/// How a run was asked for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Trigger {
    Manual,
    Webhook,
    /// A schedule's `execute_pipeline` action: the schedule run, and its chain's depth (kept
    /// with the run, so the events of the run can be traced to the chain).
    Schedule(Causation),
    /// A new run of an earlier run's failed nodes.
    Rerun,
}

impl Trigger {
    fn as_str(self) -> &'static str {
        match self {
            Self::Manual => "manual",
            Self::Webhook => "webhook",
            Self::Schedule(_) => "schedule",
            Self::Rerun => "rerun",
        }
    }

    fn causation(self) -> Option<Causation> {
        match self {
            Self::Schedule(c) => Some(c),
            _ => None,
        }
    }
}

/// The scope of events about a pipeline (and one of its runs).
pub fn scope(pipeline_id: Uuid, owner: Uuid, run: Option<Uuid>) -> Scope {
    Scope {
        pipeline_id: Some(pipeline_id),
        run_id: run,
        user_id: Some(owner),
        ..Scope::default()
    }
}

/// Validates a document a request brings, off the async workers, within the request budget.
async fn checked(document: &Arc<Value>) -> Result<Pipeline, PipelineError> {
    validate_off_thread(document.clone(), Budget::Request)
        .await
        .map_err(|_| PipelineError::OverBudget)?
        .map_err(PipelineError::Invalid)
}

/// Validates a stored document (one that passed when it was stored) off the async workers;
/// `None` when it no longer validates or could not be checked in time.
pub(super) async fn revalidated(document: &Value) -> Option<Pipeline> {
    validate_off_thread(Arc::new(document.clone()), Budget::Stored)
        .await
        .ok()
        .and_then(Result::ok)
}

pub(super) fn node_list(pipeline: &Pipeline) -> Vec<(String, &'static str)> {
    pipeline
        .nodes
        .iter()
        .map(|n| (n.id.clone(), kind_name(n.kind)))
        .collect()
}

fn kind_name(kind: super::model::NodeKind) -> &'static str {
    use super::model::NodeKind::*;
    match kind {
        Trigger => "trigger",
        Agent => "agent",
        Condition => "condition",
        Action => "action",
        Transform => "transform",
        Filter => "filter",
        Merge => "merge",
        Parallel => "parallel",
        Delay => "delay",
        Approval => "approval",
    }
}

/// Only the pipeline's owner or an admin may change it.
fn may_change(who: &Identity, owner: Uuid) -> Result<(), DomainError> {
    who.may_change(Some(owner), "pipeline")
}

/// Records an audited change of `pipeline` (audit row and event, in `tx`).
async fn record_change(
    tx: &impl GenericClient,
    who: &Identity,
    event_type: EventType,
    pipeline: &StoredPipeline,
) -> Result<(), DomainError> {
    let details = json!({"pipeline": {"id": pipeline.id, "name": pipeline.name,
        "version": pipeline.version}});
    let scope = scope(pipeline.id, pipeline.owner_id, None);
    audit::record_change(tx, who, event_type, scope, details).await?;
    Ok(())
}

fn taken(e: tokio_postgres::Error, name: &str) -> DomainError {
    if is_unique_violation(&e) {
        DomainError::Conflict(format!("a pipeline named {name:?} exists"))
    } else {
        e.into()
    }
}

impl Pipelines {
    pub fn new(pool: Pool, engine: Engine) -> Self {
        Self { pool, engine }
    }

    pub fn engine(&self) -> &Engine {
        &self.engine
    }

    pub async fn create(
        &self,
        who: &Identity,
        document: Value,
    ) -> Result<StoredPipeline, PipelineError> {
        let owner = who.acting_user()?;
        let document = Arc::new(document);
        let pipeline = checked(&document).await?;
        let id = Uuid::now_v7();
        let mut client = self.pool.get().await?;
        let tx = client.transaction().await?;
        let row = PipelineRow {
            name: &pipeline.name,
            description: &pipeline.description,
            status: &pipeline.status,
            document: &document,
        };
        store::insert_pipeline(&tx, id, owner, &row)
            .await
            .map_err(|e| taken(e, &pipeline.name))?;
        let stored = store::get_pipeline(&tx, id)
            .await?
            .ok_or_else(|| anyhow::anyhow!("pipeline {id} vanished in its own transaction"))
            .map_err(DomainError::from)?;
        record_change(&tx, who, EventType::PipelineCreated, &stored).await?;
        tx.commit().await?;
        Ok(stored)
    }

    /// Replaces the document: a new version; runs already started keep theirs.
    pub async fn update(
        &self,
        who: &Identity,
        id: Uuid,
        document: Value,
    ) -> Result<StoredPipeline, PipelineError> {
        let editor = who.acting_user()?;
        let document = Arc::new(document);
        let pipeline = checked(&document).await?;
        let mut client = self.pool.get().await?;
        let tx = client.transaction().await?;
        let (version, owner) = store::lock_pipeline(&tx, id)
            .await?
            .ok_or_else(|| DomainError::NotFound(format!("no pipeline {id}")))?;
        may_change(who, owner)?;
        let row = PipelineRow {
            name: &pipeline.name,
            description: &pipeline.description,
            status: &pipeline.status,
            document: &document,
        };
        store::update_pipeline(&tx, id, version + 1, editor, &row)
            .await
            .map_err(|e| taken(e, &pipeline.name))?;
        let stored = store::get_pipeline(&tx, id)
            .await?
            .ok_or_else(|| DomainError::NotFound(format!("no pipeline {id}")))?;
        record_change(&tx, who, EventType::PipelineUpdated, &stored).await?;
        tx.commit().await?;
        Ok(stored)
    }

    pub async fn delete(&self, who: &Identity, id: Uuid) -> Result<(), DomainError> {
        let current = self.get(id).await?;
        may_change(who, current.owner_id)?;
        let mut client = self.pool.get().await?;
        let tx = client.transaction().await?;
        if !store::delete_pipeline(&tx, id).await? {
            return Err(DomainError::NotFound(format!("no pipeline {id}")));
        }
        record_change(&tx, who, EventType::PipelineDeleted, &current).await?;
        tx.commit().await?;
        Ok(())
    }

    pub async fn get(&self, id: Uuid) -> Result<StoredPipeline, DomainError> {
        let client = self.pool.get().await?;
        store::get_pipeline(&client, id)
            .await?
            .ok_or_else(|| DomainError::NotFound(format!("no pipeline {id}")))
    }

    /// The pipeline named `name`, if there is one (names are unique).
    /// A pipeline named by its id or its name (what schedules store); `None` when there is none.
    pub async fn find(&self, id_or_name: &str) -> Result<Option<StoredPipeline>, DomainError> {
        match Uuid::parse_str(id_or_name) {
            Ok(id) => match self.get(id).await {
                Err(DomainError::NotFound(_)) => Ok(None),
                found => found.map(Some),
            },
            Err(_) => self.by_name(id_or_name).await,
        }
    }

    pub async fn by_name(&self, name: &str) -> Result<Option<StoredPipeline>, DomainError> {
        let client = self.pool.get().await?;
        Ok(store::get_pipeline_by_name(&client, name).await?)
    }

    /// A page of pipelines; `search`: only those whose name or description contains it,
    /// ignoring case.
    pub async fn list(
        &self,
        search: Option<&str>,
        after: Option<Uuid>,
        limit: i64,
    ) -> Result<Vec<StoredPipeline>, DomainError> {
        let client = self.pool.get().await?;
        Ok(store::list_pipelines(&client, search, after, limit).await?)
    }

    pub async fn versions(&self, id: Uuid) -> Result<Vec<Version>, DomainError> {
        self.get(id).await?;
        let client = self.pool.get().await?;
        Ok(store::list_versions(&client, id).await?)
    }

    pub async fn version(&self, id: Uuid, version: i32) -> Result<Version, DomainError> {
        let client = self.pool.get().await?;
        store::get_version(&client, id, version)
            .await?
            .ok_or_else(|| DomainError::NotFound(format!("pipeline {id} has no version {version}")))
    }

    /// What changed from version `from` to version `to`.
    pub async fn diff(&self, id: Uuid, from: i32, to: i32) -> Result<Value, DomainError> {
        let a = self.version(id, from).await?;
        let b = self.version(id, to).await?;
        Ok(super::diff::diff(&a.document, &b.document))
    }

    /// Starts a run on the newest version: pending until an instance's engine claims it
    /// (this one is woken at once).
    pub async fn start_run(
        &self,
        who: &Identity,
        id: Uuid,
        trigger_data: Value,
        trigger: Trigger,
    ) -> Result<Run, DomainError> {
        if !trigger_data.is_object() {
            return Err(DomainError::invalid(
                "trigger_data",
                "must be a JSON object",
            ));
        }
        let stored = self.get(id).await?;
        let pipeline = revalidated(&stored.document).await.ok_or_else(|| {
            DomainError::Conflict("the pipeline's newest version does not validate".into())
        })?;
        let run = self
            .insert_run(&stored, &pipeline, who, &trigger_data, trigger, None)
            .await?;
        self.engine.wake();
        Ok(run)
    }

    async fn insert_run(
        &self,
        stored: &StoredPipeline,
        pipeline: &Pipeline,
        who: &Identity,
        trigger_data: &Value,
        trigger: Trigger,
        rerun_of: Option<&Run>,
    ) -> Result<Run, DomainError> {
        let causation = trigger.causation().map(Causation::to_value);
        let trigger = trigger.as_str();
        let id = Uuid::now_v7();
        let version = rerun_of.map_or(stored.version, |r| r.version);
        let mut client = self.pool.get().await?;
        let tx = client.transaction().await?;
        let row = NewRunRow {
            id,
            pipeline_id: stored.id,
            version,
            trigger,
            trigger_data,
            created_by: who.user_id,
            parent_run_id: None,
            rerun_of: rerun_of.map(|r| r.id),
            parent_node: None,
            item_index: 0,
            claimed_by: None,
            causation: causation.as_ref(),
        };
        store::insert_run(&tx, &row, &node_list(pipeline)).await?;
        if let Some(old) = rerun_of {
            store::copy_settled_nodes(&tx, old.id, id).await?;
        }
        outbox::append(
            &tx,
            &NewEvent::new(
                EventType::PipelineRunCreated,
                scope(stored.id, stored.owner_id, Some(id)),
                who.user_id,
            )
            .data(
                json!({"run_id": id, "pipeline_id": stored.id, "version": version,
                         "trigger": trigger, "rerun_of": rerun_of.map(|r| r.id)}),
            ),
        )
        .await?;
        let run = store::get_run(&tx, id)
            .await?
            .ok_or_else(|| anyhow::anyhow!("run {id} vanished in its own transaction"))?;
        tx.commit().await?;
        Ok(run)
    }

    /// The schedule run that caused run `id` (directly, or through the parent of a
    /// sub-pipeline or fan-out item), if one did.
    pub async fn causation(&self, id: Uuid) -> Result<Option<Causation>, DomainError> {
        let client = self.pool.get().await?;
        Ok(store::run_causation(&client, id)
            .await?
            .as_ref()
            .and_then(Causation::from_value))
    }

    pub async fn run(&self, id: Uuid) -> Result<Run, DomainError> {
        let client = self.pool.get().await?;
        store::get_run(&client, id)
            .await?
            .ok_or_else(|| DomainError::NotFound(format!("no pipeline run {id}")))
    }

    /// A page of a pipeline's runs, newest first; only those in `status` when given.
    pub async fn runs(
        &self,
        pipeline: Uuid,
        status: Option<RunStatus>,
        after: Option<Uuid>,
        limit: i64,
    ) -> Result<Vec<Run>, DomainError> {
        self.get(pipeline).await?;
        let client = self.pool.get().await?;
        let status = status.map(RunStatus::as_str);
        Ok(store::list_runs(&client, pipeline, status, after, limit).await?)
    }

    /// Asks a run to stop: a pending one ends at once; a live one is stopped by whichever
    /// instance executes it (its nodes cancelled, then aborted after the grace period).
    pub async fn cancel(&self, who: &Identity, id: Uuid) -> Result<Run, DomainError> {
        let run = self.run(id).await?;
        let stored = self.get(run.pipeline_id).await?;
        let started_it = run.created_by.is_some_and(|creator| who.is(creator));
        if !who.is_admin() && !started_it && !who.is(stored.owner_id) {
            return Err(DomainError::Forbidden(
                "only who started the run, the pipeline's owner or an admin may cancel it".into(),
            ));
        }
        let mut client = self.pool.get().await?;
        let tx = client.transaction().await?;
        let (before, cancelled) = store::request_cancel(&tx, id)
            .await?
            .ok_or_else(|| DomainError::NotFound(format!("no pipeline run {id}")))?;
        if before.is_final() {
            return Err(DomainError::Conflict(format!(
                "the run has already ended ({})",
                before.as_str()
            )));
        }
        let event_type = if before == RunStatus::Pending {
            EventType::PipelineRunCancelled
        } else {
            EventType::PipelineRunCancelRequested
        };
        let run_scope = scope(stored.id, stored.owner_id, Some(id));
        // A pending run ends here: its nodes, none started, are told cancelled first.
        let mut events = ending::node_cancelled_events(
            &run_scope,
            run.created_by,
            id,
            stored.id,
            &cancelled,
            RunStatus::Cancelled,
        );
        events.push(
            NewEvent::new(event_type, run_scope, who.user_id)
                .data(json!({"run_id": id, "pipeline_id": stored.id, "status": "cancelled"})),
        );
        outbox::append_all(&tx, &events).await?;
        tx.commit().await?;
        if let Some(handle) = self.engine.handle(id) {
            handle.cancel.cancel();
        }
        self.run(id).await
    }

    /// Decides an approval that waits. Who may: the node's `approvers` (user ids or emails),
    /// else any member or admin.
    pub async fn decide(
        &self,
        who: &Identity,
        run_id: Uuid,
        node_id: &str,
        approve: bool,
        comment: Option<String>,
    ) -> Result<Run, DomainError> {
        let run = self.run(run_id).await?;
        let node = run
            .nodes
            .iter()
            .find(|n| n.node_id == node_id)
            .ok_or_else(|| DomainError::NotFound(format!("the run has no node {node_id:?}")))?;
        if node.node_type != "approval" {
            return Err(DomainError::Conflict(format!(
                "node {node_id} is not an approval"
            )));
        }
        let version = self.version(run.pipeline_id, run.version).await?;
        let approvers: Vec<String> = version
            .document
            .get("nodes")
            .and_then(Value::as_array)
            .and_then(|nodes| {
                nodes.iter().find(|n| {
                    n.get("id").map(|v| match v {
                        Value::String(s) => s.clone(),
                        other => other.to_string(),
                    }) == Some(node_id.to_owned())
                })
            })
            .and_then(|n| n.pointer("/config/approvers"))
            .and_then(Value::as_array)
            .map(|a| {
                a.iter()
                    .filter_map(|v| v.as_str().map(str::to_owned))
                    .collect()
            })
            .unwrap_or_default();
        let client = self.pool.get().await?;
        let user = crate::auth::store::get_user(&client, who.acting_user()?)
            .await?
            .ok_or_else(|| DomainError::Forbidden("no such user".into()))?;
        drop(client);
        let allowed = if approvers.is_empty() {
            who.role >= Role::Member
        } else {
            approvers
                .iter()
                .any(|a| *a == user.id.to_string() || a.eq_ignore_ascii_case(&user.email))
        };
        if !allowed {
            return Err(DomainError::Forbidden(
                "you are not one of this approval's approvers".into(),
            ));
        }
        if let Some(c) = &comment
            && c.len() > 4096
        {
            return Err(DomainError::invalid("comment", "at most 4096 bytes"));
        }
        let stored = self.get(run.pipeline_id).await?;
        let decision = json!({"approved": approve, "by": who.user_id, "comment": comment,
                              "at": chrono::Utc::now(), "timed_out": false});
        let mut client = self.pool.get().await?;
        let tx = client.transaction().await?;
        if !store::decide(&tx, run_id, node_id, &decision).await? {
            return Err(DomainError::Conflict(format!(
                "node {node_id} is not waiting for a decision"
            )));
        }
        outbox::append(
            &tx,
            &NewEvent::new(
                EventType::PipelineNodeDecided,
                scope(stored.id, stored.owner_id, Some(run_id)),
                who.user_id,
            )
            .data(
                json!({"run_id": run_id, "pipeline_id": stored.id, "node_id": node_id,
                         "decision": decision}),
            ),
        )
        .await?;
        tx.commit().await?;
        if let Some(handle) = self.engine.handle(run_id) {
            handle.decided.notify_waiters();
        }
        self.run(run_id).await
    }

    /// A new run of the same version and trigger data, keeping the completed and skipped
    /// nodes (and their outputs) of a run that failed, was cancelled or timed out.
    pub async fn rerun(&self, who: &Identity, id: Uuid) -> Result<Run, DomainError> {
        let old = self.run(id).await?;
        if !matches!(
            old.status,
            RunStatus::Failed | RunStatus::Cancelled | RunStatus::Timeout
        ) {
            return Err(DomainError::Conflict(format!(
                "only a failed, cancelled or timed-out run can be re-run (this one is {})",
                old.status.as_str()
            )));
        }
        let stored = self.get(old.pipeline_id).await?;
        let version = self.version(old.pipeline_id, old.version).await?;
        let pipeline = revalidated(&version.document)
            .await
            .ok_or_else(|| DomainError::Conflict("the run's version no longer validates".into()))?;
        let run = self
            .insert_run(
                &stored,
                &pipeline,
                who,
                &old.trigger_data,
                Trigger::Rerun,
                Some(&old),
            )
            .await?;
        self.engine.wake();
        Ok(run)
    }

    pub async fn breakers(&self, id: Uuid) -> Result<Vec<Breaker>, DomainError> {
        self.get(id).await?;
        let client = self.pool.get().await?;
        Ok(store::list_breakers(&client, id).await?)
    }

    /// A new webhook secret (shown once; only its hash is kept), replacing any earlier one.
    pub async fn rotate_webhook(&self, who: &Identity, id: Uuid) -> Result<String, DomainError> {
        let stored = self.get(id).await?;
        may_change(who, stored.owner_id)?;
        let secret = format!("whsec_{}", hex::encode(rand::random::<[u8; 24]>()));
        let hash = Sha256::digest(secret.as_bytes());
        let mut client = self.pool.get().await?;
        let tx = client.transaction().await?;
        store::set_webhook_hash(&tx, id, Some(hash.as_slice())).await?;
        audit::store::record(
            &tx,
            &audit::Entry {
                actor_id: who.user_id,
                action: "pipeline.webhook_rotated",
                outcome: Outcome::Success,
                meta: &who.meta,
                details: json!({"pipeline": {"id": id, "name": stored.name}}),
            },
        )
        .await?;
        tx.commit().await?;
        Ok(secret)
    }

    /// Starts a run from the webhook when `secret` is the pipeline's; as its owner.
    pub async fn webhook_run(
        &self,
        id: Uuid,
        secret: &str,
        body: Value,
        meta: &RequestMeta,
    ) -> Result<Run, DomainError> {
        let denied = || DomainError::Forbidden("wrong or missing webhook secret".into());
        let client = self.pool.get().await?;
        let Some(stored_hash) = store::webhook_hash(&client, id).await? else {
            return Err(denied());
        };
        drop(client);
        let given = Sha256::digest(secret.as_bytes());
        // Both are hashes of the same length: comparing every byte leaks no prefix.
        if !crate::core::secret::same(&stored_hash, &given) {
            return Err(denied());
        }
        let stored = self.get(id).await?;
        let trigger_data = match body {
            Value::Object(o) => Value::Object(o),
            Value::Null => Value::Object(Map::new()),
            other => json!({"body": other}),
        };
        let owner = Identity::user(stored.owner_id, Role::Member, meta.clone());
        self.start_run(&owner, id, trigger_data, Trigger::Webhook)
            .await
    }
}
