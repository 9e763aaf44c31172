//! MCP servers admins register (`tools.mcp_servers`): registering one connects to it and keeps
//! the list of its tools; deleting one closes its connection. Every change is audited and
//! published (`mcp_server.*`). Running a stdio server means running a command on this host:
//! admin-only, audited.

use std::time::Duration;

use chrono::{DateTime, Utc};
use deadpool_postgres::Pool;
use serde::{Deserialize, Serialize};
use serde_json::json;
use uuid::Uuid;

use super::store;

use super::mcp::{McpClients, McpConnection, McpServerSpec, McpTransport};
use super::{Risk, ToolDefinition};
use crate::core::error::{DomainError, is_unique_violation};
use crate::core::identity::Identity;
use crate::events::{EventType, Scope};

/// A registered MCP server.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct McpServer {
    pub id: Uuid,
    pub name: String,
    /// `{kind: "stdio", command, args, env}` or `{kind: "http", url}`. Environment values are
    /// shown as `***`.
    #[schema(value_type = Object)]
    pub transport: serde_json::Value,
    #[schema(value_type = String)]
    pub risk: Risk,
    pub timeout_ms: i32,
    pub enabled: bool,
    /// The tools the server offered when last listed.
    #[schema(value_type = Vec<Object>)]
    pub tools: serde_json::Value,
    pub created_by: Option<Uuid>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    /// The transport as stored (environment values included), for connecting.
    #[serde(skip)]
    pub(super) raw_transport: serde_json::Value,
}

/// `POST /api/mcp-servers`.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewMcpServer {
    pub name: String,
    #[schema(value_type = Object)]
    pub transport: McpTransport,
    /// How dangerous its tools are (default `side_effects`).
    #[schema(value_type = Option<String>)]
    pub risk: Option<Risk>,
    /// Per-call limit in milliseconds (default 30000).
    pub timeout_ms: Option<i32>,
}

impl McpServer {
    pub fn spec(&self) -> Result<McpServerSpec, DomainError> {
        let transport: McpTransport = serde_json::from_value(self.raw_transport.clone())
            .map_err(|e| anyhow::anyhow!("stored transport of {} unreadable: {e}", self.name))?;
        Ok(McpServerSpec {
            name: self.name.clone(),
            transport,
            risk: self.risk,
            timeout: Duration::from_millis(self.timeout_ms.max(1) as u64),
        })
    }

    /// Its tools as the registry lists them.
    pub fn tool_definitions(&self) -> Vec<ToolDefinition> {
        self.tools
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|t| {
                Some(ToolDefinition {
                    name: t.get("name")?.as_str()?.to_owned(),
                    description: t
                        .get("description")
                        .and_then(|d| d.as_str())
                        .unwrap_or_default()
                        .to_owned(),
                    parameters: t.get("parameters").cloned().unwrap_or(json!({})),
                    risk: self.risk,
                    timeout: Duration::from_millis(self.timeout_ms.max(1) as u64),
                    source: format!("mcp:{}", self.name),
                })
            })
            .collect()
    }
}

/// The transport as shown (API, audit, events): environment values and a URL's credentials
/// and query (where tokens often ride) are masked.
pub(super) fn redacted(transport: &serde_json::Value) -> serde_json::Value {
    let mut t = transport.clone();
    if let Some(env) = t.get_mut("env").and_then(|e| e.as_object_mut()) {
        for v in env.values_mut() {
            *v = json!("***");
        }
    }
    if let Some(raw) = t.get("url").and_then(|u| u.as_str())
        && let Ok(mut url) = url::Url::parse(raw)
    {
        if !url.username().is_empty() || url.password().is_some() {
            let _ = url.set_username("***");
            let _ = url.set_password(None);
        }
        if url.query().is_some() {
            url.set_query(Some("***"));
        }
        url.set_fragment(None);
        t["url"] = json!(url.to_string());
    }
    t
}

pub async fn list(pool: &Pool) -> Result<Vec<McpServer>, DomainError> {
    let client = pool.get().await?;
    Ok(store::list(&client).await?)
}

pub async fn get_by_name(pool: &Pool, name: &str) -> Result<Option<McpServer>, DomainError> {
    let client = pool.get().await?;
    Ok(store::get_by_name(&client, name).await?)
}

/// Registers a server: connects, lists its tools, stores both. A server that cannot be
/// reached is refused (422 naming `transport`), so nothing half-registered is stored.
pub async fn create(
    pool: &Pool,
    admin: &Identity,
    new: NewMcpServer,
) -> Result<McpServer, DomainError> {
    let timeout_ms = new.timeout_ms.unwrap_or(30_000);
    if !(100..=600_000).contains(&timeout_ms) {
        return Err(DomainError::invalid("timeout_ms", "must be 100 to 600000"));
    }
    let spec = McpServerSpec {
        name: new.name.clone(),
        transport: new.transport.clone(),
        risk: new.risk.unwrap_or(Risk::SideEffects),
        timeout: Duration::from_millis(timeout_ms as u64),
    };
    spec.validate().map_err(|m| {
        let field = if m.starts_with("name") {
            "name"
        } else {
            "transport"
        };
        DomainError::invalid(field, m)
    })?;
    if get_by_name(pool, &spec.name).await?.is_some() {
        return Err(DomainError::Conflict(format!(
            "an MCP server named {} exists",
            spec.name
        )));
    }
    // A connection of its own, closed after listing: the live connections (`clients`) are
    // keyed by name and must not be disturbed by a registration that may yet be refused.
    let probe = McpConnection::connect(&spec)
        .await
        .map_err(|e| DomainError::invalid("transport", format!("cannot use the server: {e}")))?;
    let listed = probe.tools().await.map(|tools| listed_json(&tools));
    probe.close();
    let listed = listed
        .map_err(|e| DomainError::invalid("transport", format!("cannot list its tools: {e}")))?;
    let transport = serde_json::to_value(&new.transport).map_err(anyhow::Error::from)?;
    let mut client = pool.get().await?;
    let tx = client.transaction().await?;
    let s = store::insert(
        &tx,
        &store::NewRow {
            name: &spec.name,
            transport: &transport,
            risk: spec.risk,
            timeout_ms,
            tools: &listed,
            created_by: admin.user_id,
        },
    )
    .await
    .map_err(|e| {
        if is_unique_violation(&e) {
            DomainError::Conflict(format!("an MCP server named {} exists", spec.name))
        } else {
            e.into()
        }
    })?;
    changed(&tx, admin, EventType::McpServerCreated, &s).await?;
    tx.commit().await?;
    Ok(s)
}

/// Lists the server's tools now and stores the list.
pub async fn refresh(
    pool: &Pool,
    clients: &McpClients,
    admin: &Identity,
    id: Uuid,
) -> Result<McpServer, DomainError> {
    let current = get(pool, id).await?;
    let spec = current.spec()?;
    clients.forget(&spec.name).await;
    let listed = tools_of(clients, &spec).await?;
    let mut client = pool.get().await?;
    let tx = client.transaction().await?;
    let s = store::set_tools(&tx, id, &listed).await?;
    changed(&tx, admin, EventType::McpServerUpdated, &s).await?;
    tx.commit().await?;
    Ok(s)
}

pub async fn get(pool: &Pool, id: Uuid) -> Result<McpServer, DomainError> {
    let client = pool.get().await?;
    store::get(&client, id)
        .await?
        .ok_or_else(|| DomainError::NotFound(format!("no MCP server {id}")))
}

pub async fn delete(
    pool: &Pool,
    clients: &McpClients,
    admin: &Identity,
    id: Uuid,
) -> Result<(), DomainError> {
    let current = get(pool, id).await?;
    let mut client = pool.get().await?;
    let tx = client.transaction().await?;
    store::delete(&tx, id).await?;
    changed(&tx, admin, EventType::McpServerDeleted, &current).await?;
    tx.commit().await?;
    clients.forget(&current.name).await;
    Ok(())
}

async fn tools_of(
    clients: &McpClients,
    spec: &McpServerSpec,
) -> Result<serde_json::Value, DomainError> {
    let connection = clients
        .connection(spec)
        .await
        .map_err(|e| DomainError::invalid("transport", format!("cannot use the server: {e}")))?;
    let tools = connection
        .tools()
        .await
        .map_err(|e| DomainError::invalid("transport", format!("cannot list its tools: {e}")))?;
    Ok(listed_json(&tools))
}

fn listed_json(tools: &[(ToolDefinition, String)]) -> serde_json::Value {
    json!(
        tools
            .iter()
            .map(|(d, remote)| json!({"name": d.name, "remote_name": remote,
                "description": d.description, "parameters": d.parameters}))
            .collect::<Vec<_>>()
    )
}

/// Records a change to a server (audit row and `mcp_server.*` event, unscoped) in the
/// change's transaction.
async fn changed(
    tx: &deadpool_postgres::Transaction<'_>,
    admin: &Identity,
    event_type: EventType,
    s: &McpServer,
) -> Result<(), DomainError> {
    let details = json!({"mcp_server": {"id": s.id, "name": s.name, "transport": s.transport,
        "risk": s.risk, "tools": s.tool_definitions().iter().map(|d| &d.name).collect::<Vec<_>>()}});
    crate::audit::record_change(tx, admin, event_type, Scope::default(), details).await?;
    Ok(())
}
