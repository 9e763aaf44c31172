//! The usage ledger (`llm.usage`): one row per call attempt, with who made it (user, API key),
//! what for (agent, conversation), tokens, cost, latency and outcome; and its totals over a
//! period, grouped by model, user, day, agent or conversation.

use chrono::{DateTime, Utc};
use deadpool_postgres::Pool;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::catalog::ModelKind;
use super::{RegistryError, store};

/// One call, as the ledger keeps it.
#[derive(Debug, Clone)]
pub struct UsageRecord {
    pub model_id: Option<Uuid>,
    pub model_name: String,
    pub provider: String,
    pub operation: ModelKind,
    pub user_id: Option<Uuid>,
    pub api_key_id: Option<Uuid>,
    pub agent_id: Option<Uuid>,
    pub conversation_id: Option<Uuid>,
    pub prompt_tokens: u32,
    pub completion_tokens: u32,
    pub cost_usd: f64,
    pub latency_ms: u64,
    pub outcome: &'static str,
    pub error: Option<String>,
}

pub async fn record_usage(pool: &Pool, u: &UsageRecord) -> Result<(), RegistryError> {
    let client = pool.get().await?;
    store::usage::insert(&client, u).await?;
    Ok(())
}

/// Usage totals over a period, grouped.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct UsageTotal {
    /// The model name, the user id, the day (YYYY-MM-DD), the agent id or the conversation id,
    /// by `group_by`.
    pub key: Option<String>,
    pub calls: i64,
    pub errors: i64,
    pub prompt_tokens: i64,
    pub completion_tokens: i64,
    pub cost_usd: f64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum UsageGroup {
    Model,
    User,
    Day,
    Agent,
    Conversation,
}

/// Which calls to total: every filter set must hold.
#[derive(Debug, Clone, Copy, Default)]
pub struct UsageFilter {
    pub user_id: Option<Uuid>,
    pub agent_id: Option<Uuid>,
    pub conversation_id: Option<Uuid>,
    pub since: Option<DateTime<Utc>>,
    pub until: Option<DateTime<Utc>>,
}

pub async fn usage_totals(
    pool: &Pool,
    group: UsageGroup,
    filter: UsageFilter,
) -> Result<Vec<UsageTotal>, RegistryError> {
    let client = pool.get().await?;
    Ok(store::usage::totals(&client, group, &filter).await?)
}
