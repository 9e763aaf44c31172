//! What every node of a run shares ([`RunCtx`]): the run's ids, its checked pipeline, its
//! creator's identity, and explicit handles to what nodes use (the pool, the agents service,
//! the tool registry, the engine for sub-runs); and the writes fenced by the run's claim.

use std::sync::Arc;

use deadpool_postgres::Pool;
use serde_json::{Value, json};
use tokio::sync::Notify;
use tokio_util::sync::CancellationToken;
use uuid::Uuid;

use super::check::{Budget, validate_off_thread};
use super::engine::Engine;
use super::model::Pipeline;
use super::records::Run;
use super::store::{self, NodeUpdate};
use crate::agents::Agents;
use crate::core::identity::{Identity, RequestMeta};
use crate::events::{EventType, NewEvent, Scope, outbox};
use crate::tools::registry::ToolRegistry;

/// Why an execution stopped before the run ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stop {
    /// Another instance holds the run now (or the database was unreachable past the lease).
    Lost,
    /// This instance is shutting down; the run is given back.
    Shutdown,
}

/// What stops an execution from outside.
#[derive(Debug, Clone)]
pub(super) struct Control {
    pub cancel: CancellationToken,
    pub shutdown: CancellationToken,
}

/// What every node of a run shares.
pub(super) struct RunCtx {
    /// What nodes reach outside the run through.
    pub handles: Handles,
    pub run_id: Uuid,
    pub pipeline_id: Uuid,
    /// The pipeline version it runs.
    pub version: i32,
    /// Who the run acts as: its creator (the pipeline's owner when none is stored), as they
    /// are now (agents' turns and tools' permissions).
    pub creator: Identity,
    /// The pipeline's owner (what the run's events are scoped to).
    pub owner: Uuid,
    pub trigger: Value,
    pub pipeline: Arc<Pipeline>,
    /// The scope of the run's events: the pipeline, the run, the pipeline's owner.
    pub scope: Scope,
    pub decided: Arc<Notify>,
    /// 0 for a run of its own; n for a sub-pipeline n levels down.
    pub depth: u32,
}

/// What a run's nodes use outside the run, as named handles (each cheap to clone).
#[derive(Clone)]
pub(super) struct Handles {
    /// This instance's engine: the live runs it holds (sub-runs and fan-out items register
    /// there), its wake-up, its instance id (the claim), its settings and shutdown.
    pub engine: Engine,
    pub pool: Pool,
    /// Agents' turns (the `agent` node).
    pub agents: Agents,
    /// Circle discussions (the `circle` node).
    pub circles: crate::circles::Circles,
    /// The tools actions call (`call_api`, `send_notification`, `run_tool`).
    pub tools: ToolRegistry,
}

impl Handles {
    pub(super) fn of(engine: &Engine) -> Self {
        Self {
            engine: engine.clone(),
            pool: engine.pool().clone(),
            agents: engine.agents().clone(),
            circles: engine.circles().clone(),
            tools: engine.agents().tools().clone(),
        }
    }
}

impl RunCtx {
    /// The run's pipeline version, checked again, and its creator.
    pub(super) async fn load(
        handles: Handles,
        run: Run,
        decided: Arc<Notify>,
        depth: u32,
    ) -> anyhow::Result<Self> {
        let client = handles.pool.get().await?;
        let version = store::get_version(&client, run.pipeline_id, run.version)
            .await?
            .ok_or_else(|| anyhow::anyhow!("version {} of the pipeline is gone", run.version))?;
        let stored = store::get_pipeline(&client, run.pipeline_id)
            .await?
            .ok_or_else(|| anyhow::anyhow!("the pipeline is gone"))?;
        let pipeline = validate_off_thread(Arc::new(version.document), Budget::Stored)
            .await
            .map_err(|e| anyhow::anyhow!("the stored version could not be checked: {e}"))?
            .map_err(|problems| {
                anyhow::anyhow!(
                    "the stored version no longer validates: {}",
                    problems
                        .listed
                        .iter()
                        .map(|p| p.message.as_str())
                        .collect::<Vec<_>>()
                        .join("; ")
                )
            })?;
        let user_id = run.created_by.unwrap_or(stored.owner_id);
        let user = crate::auth::store::get_user(&client, user_id)
            .await?
            .filter(|u| !u.disabled)
            .ok_or_else(|| anyhow::anyhow!("the user who started the run is gone or disabled"))?;
        Ok(Self {
            handles,
            run_id: run.id,
            pipeline_id: run.pipeline_id,
            version: run.version,
            creator: Identity::user(user.id, user.role, RequestMeta::default()),
            owner: stored.owner_id,
            trigger: run.trigger_data,
            pipeline: Arc::new(pipeline),
            scope: Scope {
                pipeline_id: Some(run.pipeline_id),
                run_id: Some(run.id),
                user_id: Some(stored.owner_id),
                ..Scope::default()
            },
            decided,
            depth,
        })
    }

    pub(super) fn instance(&self) -> Uuid {
        self.handles.engine.instance()
    }

    pub(super) fn node_event(&self, event_type: EventType, node: usize, data: Value) -> NewEvent {
        let n = &self.pipeline.nodes[node];
        let mut body = json!({"run_id": self.run_id, "pipeline_id": self.pipeline_id,
            "node_id": n.id, "node_type": n.kind});
        if let (Value::Object(body), Value::Object(extra)) = (&mut body, data) {
            body.extend(extra);
        }
        NewEvent::new(event_type, self.scope.clone(), self.creator.user_id).data(body)
    }

    pub(super) fn run_event(&self, event_type: EventType, data: Value) -> NewEvent {
        let mut body = json!({"run_id": self.run_id, "pipeline_id": self.pipeline_id});
        if let (Value::Object(body), Value::Object(extra)) = (&mut body, data) {
            body.extend(extra);
        }
        NewEvent::new(event_type, self.scope.clone(), self.creator.user_id).data(body)
    }

    /// Writes node states and their events in one transaction, fenced by the claim.
    pub(super) async fn write(
        &self,
        updates: &[NodeUpdate<'_>],
        events: &[NewEvent],
    ) -> Result<(), Stop> {
        let result = async {
            let mut client = self.handles.pool.get().await?;
            let tx = client.transaction().await?;
            for u in updates {
                if !store::update_node(&tx, u).await? {
                    return Ok::<bool, anyhow::Error>(false);
                }
            }
            outbox::append_all(&tx, events).await?;
            tx.commit().await?;
            Ok(true)
        }
        .await;
        fenced(self.run_id, "writing a node's state", result)
    }

    pub(super) async fn write_run_events(&self, events: &[NewEvent]) -> Result<(), Stop> {
        self.write(&[], events).await
    }
}

/// What a write fenced by the claim means for the execution: `Ok(false)` (the claim is
/// another instance's now) and a database error (logged as `what` failing) both stop it.
pub(super) fn fenced(run: Uuid, what: &str, result: anyhow::Result<bool>) -> Result<(), Stop> {
    match result {
        Ok(true) => Ok(()),
        Ok(false) => Err(Stop::Lost),
        Err(e) => {
            tracing::warn!(run_id = %run, "{what} failed: {e:#}");
            Err(Stop::Lost)
        }
    }
}
