//! The overview: one read for a dashboard's first page (how many of each thing the caller may
//! see, the pipeline runs going on and those that ended today, today's model usage, the newest
//! event's seq). It owns no table: `store.rs` counts over the other modules' tables, with the
//! visibility rules of their lists.

pub mod store;

use chrono::{DateTime, Utc};
use deadpool_postgres::Pool;
use serde::Serialize;
use uuid::Uuid;

use crate::core::error::DomainError;
use crate::core::identity::Role;
use crate::events::outbox;
use crate::models::{self, UsageFilter, UsageGroup};

/// How many of each thing the caller may see.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct OverviewCounts {
    pub agents: i64,
    pub personas: i64,
    pub pipelines: i64,
    /// The caller's own schedules; everyone's for an admin (as `GET /api/schedules`).
    pub schedules: i64,
    /// Every user, for an admin; `null` for anyone else.
    pub users: Option<i64>,
    /// Registered MCP servers, for an admin; `null` for anyone else.
    pub mcp_servers: Option<i64>,
}

/// Pipeline runs (not counting a fan-out's item runs, which are part of their parent's).
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct OverviewRuns {
    /// Created, not claimed by an instance yet.
    pub pending: i64,
    pub running: i64,
    /// Waiting for an approval.
    pub waiting: i64,
    /// Ended `failed` or `timeout` since `day_start`.
    pub failed_today: i64,
    /// Ended `completed` since `day_start`.
    pub completed_today: i64,
}

/// Model calls since `day_start`.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct OverviewUsage {
    pub requests: i64,
    pub errors: i64,
    pub prompt_tokens: i64,
    pub completion_tokens: i64,
    /// In US dollars.
    pub cost: f64,
}

/// `GET /api/overview`.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct Overview {
    pub counts: OverviewCounts,
    pub runs: OverviewRuns,
    /// The caller's own calls; everyone's for an admin (as `GET /api/llm/usage`).
    pub usage_today: OverviewUsage,
    /// Where "today" starts: midnight UTC.
    pub day_start: DateTime<Utc>,
    /// The newest event's seq: open `/ws?since=` or `GET /api/events?since=` with it to get
    /// only what happens next.
    pub latest_event_seq: i64,
    /// Whether the server is ready for traffic (as `/health/ready`).
    pub ready: bool,
}

/// Midnight UTC of the day of `now`.
pub fn day_start(now: DateTime<Utc>) -> DateTime<Utc> {
    now.date_naive().and_time(chrono::NaiveTime::MIN).and_utc()
}

/// The overview as `user` (of `role`) may see it at `now`.
pub async fn load(
    pool: &Pool,
    user: Uuid,
    role: Role,
    now: DateTime<Utc>,
) -> Result<Overview, DomainError> {
    let admin = role == Role::Admin;
    let since = day_start(now);
    let (counts, runs, seq) = {
        let client = pool.get().await?;
        let counts = store::counts(&client, (!admin).then_some(user)).await?;
        let runs = store::runs(&client, since).await?;
        let seq = outbox::head(&**client).await?;
        (counts, runs, seq)
    };
    let usage = models::usage_totals(
        pool,
        UsageGroup::Day,
        UsageFilter {
            user_id: (!admin).then_some(user),
            since: Some(since),
            ..UsageFilter::default()
        },
    )
    .await
    .map_err(|e| DomainError::Unexpected(anyhow::anyhow!("usage totals: {e}")))?;
    let usage_today = usage.iter().fold(
        OverviewUsage {
            requests: 0,
            errors: 0,
            prompt_tokens: 0,
            completion_tokens: 0,
            cost: 0.0,
        },
        |mut sum, t| {
            sum.requests += t.calls;
            sum.errors += t.errors;
            sum.prompt_tokens += t.prompt_tokens;
            sum.completion_tokens += t.completion_tokens;
            sum.cost += t.cost_usd;
            sum
        },
    );
    Ok(Overview {
        counts: OverviewCounts {
            agents: counts.agents,
            personas: counts.personas,
            pipelines: counts.pipelines,
            schedules: counts.schedules,
            users: admin.then_some(counts.users),
            mcp_servers: admin.then_some(counts.mcp_servers),
        },
        runs: OverviewRuns {
            pending: runs.pending,
            running: runs.running,
            waiting: runs.waiting,
            failed_today: runs.failed,
            completed_today: runs.completed,
        },
        usage_today,
        day_start: since,
        latest_event_seq: seq,
        ready: false,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_day_starts_at_midnight_utc() {
        let now = DateTime::parse_from_rfc3339("2026-03-29T23:59:59+02:00")
            .unwrap()
            .to_utc();
        assert_eq!(day_start(now).to_rfc3339(), "2026-03-29T00:00:00+00:00");
    }
}
