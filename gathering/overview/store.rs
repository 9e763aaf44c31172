//! SQL of the overview: counts over the other modules' tables, each as the caller may see it,
//! in one round trip per group.

use chrono::{DateTime, Utc};
use deadpool_postgres::GenericClient;
use uuid::Uuid;

/// How many of each thing there are.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Counts {
    pub agents: i64,
    pub personas: i64,
    pub pipelines: i64,
    pub schedules: i64,
    pub users: i64,
    pub mcp_servers: i64,
}

/// Counts everything; schedules only `schedule_owner`'s when given (what the schedule list
/// shows a non-admin).
pub async fn counts(
    client: &impl GenericClient,
    schedule_owner: Option<Uuid>,
) -> Result<Counts, tokio_postgres::Error> {
    let row = client
        .query_one(
            "SELECT (SELECT count(*) FROM agents.agents),
                    (SELECT count(*) FROM agents.personas),
                    (SELECT count(*) FROM pipeline.pipelines),
                    (SELECT count(*) FROM scheduler.schedules
                      WHERE $1::uuid IS NULL OR owner_id = $1),
                    (SELECT count(*) FROM auth.users),
                    (SELECT count(*) FROM tools.mcp_servers)",
            &[&schedule_owner],
        )
        .await?;
    Ok(Counts {
        agents: row.get(0),
        personas: row.get(1),
        pipelines: row.get(2),
        schedules: row.get(3),
        users: row.get(4),
        mcp_servers: row.get(5),
    })
}

/// Pipeline runs by state: those going on now, and those that ended since `since`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RunCounts {
    pub pending: i64,
    pub running: i64,
    pub waiting: i64,
    pub failed: i64,
    pub completed: i64,
}

/// Counts the runs the run lists show (a fan-out's item runs are part of their parent's).
/// `failed` includes runs that timed out.
pub async fn runs(
    client: &impl GenericClient,
    since: DateTime<Utc>,
) -> Result<RunCounts, tokio_postgres::Error> {
    let row = client
        .query_one(
            "SELECT count(*) FILTER (WHERE status = 'pending'),
                    count(*) FILTER (WHERE status = 'running'),
                    count(*) FILTER (WHERE status = 'waiting'),
                    count(*) FILTER (WHERE status IN ('failed', 'timeout') AND finished_at >= $1),
                    count(*) FILTER (WHERE status = 'completed' AND finished_at >= $1)
               FROM pipeline.runs
              WHERE trigger <> 'fan_out'
                AND (status IN ('pending', 'running', 'waiting') OR finished_at >= $1)",
            &[&since],
        )
        .await?;
    Ok(RunCounts {
        pending: row.get(0),
        running: row.get(1),
        waiting: row.get(2),
        failed: row.get(3),
        completed: row.get(4),
    })
}
