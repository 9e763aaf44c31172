//! What starts and steers runs (start, webhook, cancel, approval decisions, re-runs) and
//! what reads them. A run is written pending, with its `pipeline_run.created` event, and the
//! engine woken; any instance's engine claims and executes it.

use deadpool_postgres::GenericClient;
use serde_json::{Map, Value, json};
use sha2::{Digest, Sha256};
use uuid::Uuid;

use super::{Pipelines, Trigger, node_list, revalidated, scope};
use crate::core::error::DomainError;
use crate::core::identity::{Identity, RequestMeta, Role};
use crate::events::causation::Causation;
use crate::events::{EventType, NewEvent, outbox};
use crate::orchestration::pipeline::ending;
use crate::orchestration::pipeline::model::Pipeline;
use crate::orchestration::pipeline::records::{Run, RunStatus, StoredPipeline};
use crate::orchestration::pipeline::store::{self, NewRunRow};

impl Pipelines {
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
