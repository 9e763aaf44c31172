//! SQL of `agents.agents`.

use deadpool_postgres::GenericClient;
use tokio_postgres::Row;
use uuid::Uuid;

use super::model::{Agent, AgentStatus, MemoryUse};
use crate::core::identity::Role;

const SELECT: &str = "SELECT a.id, a.name, a.persona_id, p.name AS persona_name, a.model,
    a.prompt_addition, a.temperature, a.max_tokens, a.tools, a.max_tool_iterations,
    a.memory_budget_tokens, a.memory_threshold, a.extract_memories, a.status, a.owner_id, u.role AS owner_role, a.created_at, a.updated_at
    FROM agents.agents a
    JOIN agents.personas p ON p.id = a.persona_id
    JOIN auth.users u ON u.id = a.owner_id";

fn agent(row: &Row) -> Agent {
    let status: String = row.get("status");
    let owner_role: String = row.get("owner_role");
    Agent {
        id: row.get("id"),
        name: row.get("name"),
        persona_id: row.get("persona_id"),
        persona_name: row.get("persona_name"),
        model: row.get("model"),
        prompt_addition: row.get("prompt_addition"),
        temperature: row.get("temperature"),
        max_tokens: row.get("max_tokens"),
        tools: row.get("tools"),
        max_tool_iterations: row.get("max_tool_iterations"),
        memory_budget_tokens: row.get("memory_budget_tokens"),
        memory_threshold: row.get("memory_threshold"),
        extract_memories: row.get("extract_memories"),
        status: if status == "active" {
            AgentStatus::Active
        } else {
            AgentStatus::Disabled
        },
        owner_id: row.get("owner_id"),
        owner_role: owner_role.parse().unwrap_or(Role::Viewer),
        created_at: row.get("created_at"),
        updated_at: row.get("updated_at"),
    }
}

/// A page of agents; `search`: only those whose name, or whose persona's name or display name,
/// contains it, ignoring case.
pub async fn list(
    client: &impl GenericClient,
    owner: Option<Uuid>,
    search: Option<&str>,
    after: Option<Uuid>,
    limit: i64,
) -> Result<Vec<Agent>, tokio_postgres::Error> {
    let rows = client
        .query(
            &format!(
                "{SELECT} WHERE ($1::uuid IS NULL OR a.owner_id = $1)
                   AND ($2::uuid IS NULL OR a.id > $2)
                   AND ($4::text IS NULL OR strpos(lower(a.name), lower($4)) > 0
                        OR strpos(lower(p.name), lower($4)) > 0
                        OR strpos(lower(p.display_name), lower($4)) > 0)
                 ORDER BY a.id LIMIT $3"
            ),
            &[&owner, &after, &limit, &search],
        )
        .await?;
    Ok(rows.iter().map(agent).collect())
}

pub async fn get(
    client: &impl GenericClient,
    id: Uuid,
) -> Result<Option<Agent>, tokio_postgres::Error> {
    let row = client
        .query_opt(&format!("{SELECT} WHERE a.id = $1"), &[&id])
        .await?;
    Ok(row.as_ref().map(agent))
}

pub async fn get_by_name(
    client: &impl GenericClient,
    name: &str,
) -> Result<Option<Agent>, tokio_postgres::Error> {
    let row = client
        .query_opt(&format!("{SELECT} WHERE a.name = $1"), &[&name])
        .await?;
    Ok(row.as_ref().map(agent))
}

/// The row to write, whole.
pub struct AgentRow<'a> {
    pub name: &'a str,
    pub persona_id: Uuid,
    pub model: &'a str,
    pub prompt_addition: &'a str,
    pub temperature: Option<f32>,
    pub max_tokens: Option<i32>,
    pub tools: &'a [String],
    pub max_tool_iterations: i32,
    pub memory: MemoryUse,
    pub status: AgentStatus,
}

pub async fn insert(
    client: &impl GenericClient,
    owner: Uuid,
    r: &AgentRow<'_>,
) -> Result<Uuid, tokio_postgres::Error> {
    let id = Uuid::now_v7();
    client
        .execute(
            "INSERT INTO agents.agents (id, name, persona_id, model, prompt_addition, temperature,
                max_tokens, tools, max_tool_iterations, status, owner_id, memory_budget_tokens,
                memory_threshold, extract_memories)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)",
            &[
                &id,
                &r.name,
                &r.persona_id,
                &r.model,
                &r.prompt_addition,
                &r.temperature,
                &r.max_tokens,
                &r.tools,
                &r.max_tool_iterations,
                &r.status.as_str(),
                &owner,
                &r.memory.budget_tokens,
                &r.memory.threshold,
                &r.memory.extract,
            ],
        )
        .await?;
    Ok(id)
}

pub async fn update(
    client: &impl GenericClient,
    id: Uuid,
    r: &AgentRow<'_>,
) -> Result<(), tokio_postgres::Error> {
    client
        .execute(
            "UPDATE agents.agents SET name = $2, persona_id = $3, model = $4,
                prompt_addition = $5, temperature = $6, max_tokens = $7, tools = $8,
                max_tool_iterations = $9, status = $10, memory_budget_tokens = $11,
                memory_threshold = $12, extract_memories = $13, updated_at = now()
              WHERE id = $1",
            &[
                &id,
                &r.name,
                &r.persona_id,
                &r.model,
                &r.prompt_addition,
                &r.temperature,
                &r.max_tokens,
                &r.tools,
                &r.max_tool_iterations,
                &r.status.as_str(),
                &r.memory.budget_tokens,
                &r.memory.threshold,
                &r.memory.extract,
            ],
        )
        .await?;
    Ok(())
}

pub async fn lock(client: &impl GenericClient, id: Uuid) -> Result<bool, tokio_postgres::Error> {
    Ok(client
        .query_opt(
            "SELECT 1 FROM agents.agents WHERE id = $1 FOR UPDATE",
            &[&id],
        )
        .await?
        .is_some())
}

pub async fn delete(client: &impl GenericClient, id: Uuid) -> Result<(), tokio_postgres::Error> {
    client
        .execute("DELETE FROM agents.agents WHERE id = $1", &[&id])
        .await?;
    Ok(())
}
