//! SQL of `llm.usage`: the ledger's rows and their grouped totals.

use deadpool_postgres::GenericClient;
use uuid::Uuid;

use crate::models::usage::{UsageFilter, UsageGroup, UsageRecord, UsageTotal};

pub async fn insert(
    client: &impl GenericClient,
    u: &UsageRecord,
) -> Result<(), tokio_postgres::Error> {
    client
        .execute(
            "INSERT INTO llm.usage (id, model_id, model_name, provider, operation, user_id,
                api_key_id, prompt_tokens, completion_tokens, cost_usd, latency_ms, outcome, error,
                agent_id, conversation_id)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10::float8::numeric, $11, $12, $13,
                $14, $15)",
            &[
                &Uuid::now_v7(),
                &u.model_id,
                &u.model_name,
                &u.provider,
                &u.operation.as_str(),
                &u.user_id,
                &u.api_key_id,
                &(u.prompt_tokens as i32),
                &(u.completion_tokens as i32),
                &u.cost_usd,
                &(u.latency_ms.min(i32::MAX as u64) as i32),
                &u.outcome,
                &u.error,
                &u.agent_id,
                &u.conversation_id,
            ],
        )
        .await?;
    Ok(())
}

pub async fn totals(
    client: &impl GenericClient,
    group: UsageGroup,
    filter: &UsageFilter,
) -> Result<Vec<UsageTotal>, tokio_postgres::Error> {
    let key = match group {
        UsageGroup::Model => "model_name",
        UsageGroup::User => "user_id::text",
        UsageGroup::Day => "to_char(at AT TIME ZONE 'UTC', 'YYYY-MM-DD')",
        UsageGroup::Agent => "agent_id::text",
        UsageGroup::Conversation => "conversation_id::text",
    };
    let rows = client
        .query(
            &format!(
                "SELECT {key} AS key, count(*) AS calls,
                    count(*) FILTER (WHERE outcome = 'error') AS errors,
                    coalesce(sum(prompt_tokens), 0)::int8 AS prompt_tokens,
                    coalesce(sum(completion_tokens), 0)::int8 AS completion_tokens,
                    coalesce(sum(cost_usd), 0)::float8 AS cost_usd
                 FROM llm.usage
                 WHERE ($1::uuid IS NULL OR user_id = $1)
                   AND ($2::timestamptz IS NULL OR at >= $2)
                   AND ($3::timestamptz IS NULL OR at < $3)
                   AND ($4::uuid IS NULL OR agent_id = $4)
                   AND ($5::uuid IS NULL OR conversation_id = $5)
                 GROUP BY 1 ORDER BY 1"
            ),
            &[
                &filter.user_id,
                &filter.since,
                &filter.until,
                &filter.agent_id,
                &filter.conversation_id,
            ],
        )
        .await?;
    Ok(rows
        .iter()
        .map(|r| UsageTotal {
            key: r.get("key"),
            calls: r.get("calls"),
            errors: r.get("errors"),
            prompt_tokens: r.get("prompt_tokens"),
            completion_tokens: r.get("completion_tokens"),
            cost_usd: r.get("cost_usd"),
        })
        .collect())
}
