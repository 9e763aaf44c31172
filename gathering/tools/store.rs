//! SQL of `tools.mcp_servers`.

use deadpool_postgres::GenericClient;
use tokio_postgres::Row;
use uuid::Uuid;

use super::Risk;
use super::servers::{McpServer, redacted};
use crate::core::json;

const COLUMNS: &str =
    "id, name, transport, risk, timeout_ms, enabled, tools, created_by, created_at, updated_at";

fn server(row: &Row) -> McpServer {
    let risk: String = row.get("risk");
    let transport: serde_json::Value = row.get("transport");
    McpServer {
        id: row.get("id"),
        name: row.get("name"),
        transport: redacted(&transport),
        risk: match risk.as_str() {
            "read_only" => Risk::ReadOnly,
            "dangerous" => Risk::Dangerous,
            _ => Risk::SideEffects,
        },
        timeout_ms: row.get("timeout_ms"),
        enabled: row.get("enabled"),
        tools: crate::db::lenient_json(row, "tools").unwrap_or_default(),
        created_by: row.get("created_by"),
        created_at: row.get("created_at"),
        updated_at: row.get("updated_at"),
        raw_transport: transport,
    }
}

pub async fn list(client: &impl GenericClient) -> Result<Vec<McpServer>, tokio_postgres::Error> {
    let rows = client
        .query(
            &format!("SELECT {COLUMNS} FROM tools.mcp_servers ORDER BY name"),
            &[],
        )
        .await?;
    Ok(rows.iter().map(server).collect())
}

pub async fn get(
    client: &impl GenericClient,
    id: Uuid,
) -> Result<Option<McpServer>, tokio_postgres::Error> {
    let row = client
        .query_opt(
            &format!("SELECT {COLUMNS} FROM tools.mcp_servers WHERE id = $1"),
            &[&id],
        )
        .await?;
    Ok(row.as_ref().map(server))
}

pub async fn get_by_name(
    client: &impl GenericClient,
    name: &str,
) -> Result<Option<McpServer>, tokio_postgres::Error> {
    let row = client
        .query_opt(
            &format!("SELECT {COLUMNS} FROM tools.mcp_servers WHERE name = $1"),
            &[&name],
        )
        .await?;
    Ok(row.as_ref().map(server))
}

/// A server row to insert.
pub struct NewRow<'a> {
    pub name: &'a str,
    pub transport: &'a serde_json::Value,
    pub risk: Risk,
    pub timeout_ms: i32,
    pub tools: &'a serde_json::Value,
    pub created_by: Option<Uuid>,
}

pub async fn insert(
    client: &impl GenericClient,
    r: &NewRow<'_>,
) -> Result<McpServer, tokio_postgres::Error> {
    let row = client
        .query_one(
            &format!(
                "INSERT INTO tools.mcp_servers (id, name, transport, risk, timeout_ms, tools,
                    created_by) VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING {COLUMNS}"
            ),
            &[
                &Uuid::now_v7(),
                &r.name,
                r.transport,
                &r.risk.as_str(),
                &r.timeout_ms,
                // Schemas come from the server, as deep as it likes.
                &*json::storable(r.tools),
                &r.created_by,
            ],
        )
        .await?;
    Ok(server(&row))
}

pub async fn set_tools(
    client: &impl GenericClient,
    id: Uuid,
    tools: &serde_json::Value,
) -> Result<McpServer, tokio_postgres::Error> {
    let row = client
        .query_one(
            &format!(
                "UPDATE tools.mcp_servers SET tools = $2, updated_at = now() WHERE id = $1
                 RETURNING {COLUMNS}"
            ),
            &[&id, &*json::storable(tools)],
        )
        .await?;
    Ok(server(&row))
}

pub async fn delete(client: &impl GenericClient, id: Uuid) -> Result<(), tokio_postgres::Error> {
    client
        .execute("DELETE FROM tools.mcp_servers WHERE id = $1", &[&id])
        .await?;
    Ok(())
}
