//! What is stored about pipelines, as the API shows it: a pipeline with its newest version,
//! its versions, runs and their nodes, circuit breakers; and the statuses with their rules.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use uuid::Uuid;

/// A run's status. `pending` (created, no instance has it yet), `running`, `waiting` (only
/// approvals are left), then one of the final ones.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum RunStatus {
    Pending,
    Running,
    Waiting,
    Completed,
    Failed,
    Cancelled,
    Timeout,
}

impl RunStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Pending => "pending",
            Self::Running => "running",
            Self::Waiting => "waiting",
            Self::Completed => "completed",
            Self::Failed => "failed",
            Self::Cancelled => "cancelled",
            Self::Timeout => "timeout",
        }
    }

    pub fn parse(raw: &str) -> Option<Self> {
        Some(match raw {
            "pending" => Self::Pending,
            "running" => Self::Running,
            "waiting" => Self::Waiting,
            "completed" => Self::Completed,
            "failed" => Self::Failed,
            "cancelled" => Self::Cancelled,
            "timeout" => Self::Timeout,
            _ => return None,
        })
    }

    pub fn is_final(self) -> bool {
        matches!(
            self,
            Self::Completed | Self::Failed | Self::Cancelled | Self::Timeout
        )
    }
}

/// A node's status within a run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum NodeStatus {
    Pending,
    Running,
    Waiting,
    Completed,
    Failed,
    Skipped,
    Cancelled,
}

impl NodeStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Pending => "pending",
            Self::Running => "running",
            Self::Waiting => "waiting",
            Self::Completed => "completed",
            Self::Failed => "failed",
            Self::Skipped => "skipped",
            Self::Cancelled => "cancelled",
        }
    }

    pub fn parse(raw: &str) -> Option<Self> {
        Some(match raw {
            "pending" => Self::Pending,
            "running" => Self::Running,
            "waiting" => Self::Waiting,
            "completed" => Self::Completed,
            "failed" => Self::Failed,
            "skipped" => Self::Skipped,
            "cancelled" => Self::Cancelled,
            _ => return None,
        })
    }

    /// Whether the node is done for this run (its successors may be decided).
    pub fn is_settled(self) -> bool {
        matches!(self, Self::Completed | Self::Failed | Self::Skipped)
    }
}

/// A stored pipeline: its identity and its newest version's document.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct StoredPipeline {
    pub id: Uuid,
    pub name: String,
    pub description: String,
    pub status: String,
    /// The newest version; runs start on it.
    pub version: i32,
    pub owner_id: Uuid,
    /// Whether a webhook secret is set (`POST /api/pipelines/{id}/webhook`).
    pub webhook_enabled: bool,
    /// The newest version's document, as submitted.
    #[schema(value_type = Object)]
    pub document: Value,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// One version of a pipeline.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Version {
    pub pipeline_id: Uuid,
    pub version: i32,
    #[schema(value_type = Object)]
    pub document: Value,
    pub created_by: Option<Uuid>,
    pub created_at: DateTime<Utc>,
}

/// A run of a pipeline.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Run {
    pub id: Uuid,
    pub pipeline_id: Uuid,
    /// The version it runs.
    pub version: i32,
    pub status: RunStatus,
    /// manual, webhook, rerun or pipeline (a sub-pipeline).
    pub trigger: String,
    #[schema(value_type = Object)]
    pub trigger_data: Value,
    pub created_by: Option<Uuid>,
    pub parent_run_id: Option<Uuid>,
    pub rerun_of: Option<Uuid>,
    /// The node of the parent run that executes and awaits this run (an `execute_pipeline`
    /// action, or a fan-out: then `trigger` is `fan_out` and `item_index` the item).
    pub parent_node: Option<String>,
    pub item_index: i32,
    /// The instance executing it, while one does.
    pub claimed_by: Option<Uuid>,
    /// Times an instance took it (more than one: it was resumed elsewhere).
    pub claims: i32,
    pub cancel_requested: bool,
    pub error: Option<String>,
    /// The outputs of the nodes nothing follows, by node id (when completed).
    #[schema(value_type = Option<Object>)]
    pub output: Option<Value>,
    pub deadline: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    pub started_at: Option<DateTime<Utc>>,
    pub finished_at: Option<DateTime<Utc>>,
    /// Every node's state (empty in lists).
    pub nodes: Vec<RunNode>,
}

/// One node's state within a run.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct RunNode {
    pub node_id: String,
    pub node_type: String,
    pub status: NodeStatus,
    #[schema(value_type = Option<Object>)]
    pub input: Option<Value>,
    #[schema(value_type = Option<Object>)]
    pub output: Option<Value>,
    pub error: Option<String>,
    /// A stable code for the error: `timeout`, `breaker_open`, `http_status`, `tool_failed`, ...
    pub error_code: Option<String>,
    pub attempts: i32,
    /// Sent as the `Idempotency-Key` of the node's side effects, the same on every attempt.
    pub idempotency_key: String,
    /// An approval's deadline.
    pub wait_until: Option<DateTime<Utc>>,
    /// An approval's decision.
    #[schema(value_type = Option<Object>)]
    pub decision: Option<Value>,
    pub started_at: Option<DateTime<Utc>>,
    pub finished_at: Option<DateTime<Utc>>,
}

/// A circuit breaker's state.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum BreakerState {
    Closed,
    Open,
    HalfOpen,
}

impl BreakerState {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Closed => "closed",
            Self::Open => "open",
            Self::HalfOpen => "half_open",
        }
    }

    pub fn parse(raw: &str) -> Self {
        match raw {
            "open" => Self::Open,
            "half_open" => Self::HalfOpen,
            _ => Self::Closed,
        }
    }
}

/// The circuit breaker of one node of a pipeline, shared by its runs on every instance.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Breaker {
    pub node_id: String,
    pub state: BreakerState,
    /// Consecutive failed executions (after retries).
    pub failures: i32,
    pub opened_at: Option<DateTime<Utc>>,
    pub updated_at: DateTime<Utc>,
}
