//! `Pipelines`, the service the API holds: stored pipelines (every change a new version, with
//! a diff between any two), runs (created pending for any instance's engine to claim), their
//! cancellation, approvals, re-runs from the failed nodes, webhooks with a per-pipeline secret,
//! and breakers. Every change is audited and published in its own transaction.
//!
//! `definitions.rs` holds what changes a pipeline (create, update, delete, the webhook secret)
//! and reads it (versions, diffs, breakers); `runs.rs` what starts and steers runs (start,
//! webhook, cancel, approve, re-run) and reads them. Invariants: only the owner or an admin
//! changes a pipeline (`Identity::may_change`); every change of a pipeline goes through
//! `audit::record_change`; a run is written pending and the engine is woken, never executed
//! in the request.

mod definitions;
mod runs;

use std::sync::Arc;

use deadpool_postgres::Pool;
use serde_json::Value;
use uuid::Uuid;

use super::check::{Budget, VALIDATION_BUDGET, validate_off_thread};
use super::engine::Engine;
use super::model::{Pipeline, Problems};
use crate::core::error::DomainError;
use crate::events::Scope;
use crate::events::causation::Causation;

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
        Circle => "circle",
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

impl Pipelines {
    pub fn new(pool: Pool, engine: Engine) -> Self {
        Self { pool, engine }
    }

    pub fn engine(&self) -> &Engine {
        &self.engine
    }
}
