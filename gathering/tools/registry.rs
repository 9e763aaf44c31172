//! The registry of tools: the built-in ones, and the tools of every enabled MCP server (their
//! definitions as last listed are kept in `tools.mcp_servers.tools`, so listing needs no
//! connection; calling connects on first use).

use std::collections::HashMap;
use std::sync::Arc;

use deadpool_postgres::Pool;

use super::mcp::McpClients;
use super::{Tool, ToolDefinition, ToolError, ToolSettings, servers};
use crate::core::error::DomainError;
use crate::memory::Memories;

/// Every tool there is. Cheap to clone.
#[derive(Clone)]
pub struct ToolRegistry {
    inner: Arc<Inner>,
}

struct Inner {
    pool: Pool,
    builtins: Vec<Arc<dyn Tool>>,
    mcp: McpClients,
}

impl std::fmt::Debug for ToolRegistry {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ToolRegistry")
            .field("builtins", &self.inner.builtins.len())
            .finish()
    }
}

/// The built-in tools; the memory and knowledge tools act through `memories`.
pub fn builtins(
    settings: &ToolSettings,
    memories: &Memories,
) -> Result<Vec<Arc<dyn Tool>>, ToolError> {
    Ok(vec![
        Arc::new(super::calculator::Calculator::new()),
        Arc::new(super::clock::Clock::new()),
        Arc::new(super::http::HttpTool::new(settings)?),
        Arc::new(super::memory::Remember::new(memories.clone())),
        Arc::new(super::memory::Recall::new(memories.clone())),
        Arc::new(super::memory::Forget::new(memories.clone())),
        Arc::new(super::knowledge::SearchKnowledge::new(memories)),
    ])
}

impl ToolRegistry {
    pub fn new(
        pool: Pool,
        settings: &ToolSettings,
        memories: &Memories,
    ) -> Result<Self, ToolError> {
        Ok(Self {
            inner: Arc::new(Inner {
                pool,
                builtins: builtins(settings, memories)?,
                mcp: McpClients::new(),
            }),
        })
    }

    pub fn pool(&self) -> &Pool {
        &self.inner.pool
    }

    pub fn mcp(&self) -> &McpClients {
        &self.inner.mcp
    }

    /// Every tool's definition: the built-in ones, then those of enabled MCP servers.
    pub async fn definitions(&self) -> Result<Vec<ToolDefinition>, DomainError> {
        let mut out: Vec<ToolDefinition> = self
            .inner
            .builtins
            .iter()
            .map(|t| t.definition().clone())
            .collect();
        for server in servers::list(&self.inner.pool).await? {
            if server.enabled {
                out.extend(server.tool_definitions());
            }
        }
        Ok(out)
    }

    /// The callable tools among `names`. A tool of an MCP server that cannot be reached now is
    /// left out (a call to it then says it is unavailable); unknown names are left out.
    pub async fn load(&self, names: &[String]) -> HashMap<String, Arc<dyn Tool>> {
        let mut out: HashMap<String, Arc<dyn Tool>> = HashMap::new();
        for tool in &self.inner.builtins {
            if names.iter().any(|n| n == &tool.definition().name) {
                out.insert(tool.definition().name.clone(), tool.clone());
            }
        }
        let mut wanted_servers: Vec<&str> = names
            .iter()
            .filter_map(|n| n.split_once("__").map(|(server, _)| server))
            .collect();
        wanted_servers.sort_unstable();
        wanted_servers.dedup();
        for name in wanted_servers {
            let server = match servers::get_by_name(&self.inner.pool, name).await {
                Ok(Some(s)) if s.enabled => s,
                Ok(_) => continue,
                Err(e) => {
                    tracing::warn!(server = name, "MCP server not read: {e}");
                    continue;
                }
            };
            let spec = match server.spec() {
                Ok(spec) => spec,
                Err(e) => {
                    tracing::warn!(server = name, "MCP server unusable: {e}");
                    continue;
                }
            };
            match self.inner.mcp.tools(&spec).await {
                Ok(tools) => {
                    for tool in tools {
                        let tool_name = tool.definition().name.clone();
                        if names.contains(&tool_name) {
                            out.insert(tool_name, tool);
                        }
                    }
                }
                Err(e) => tracing::warn!(server = name, "MCP server unreachable: {e}"),
            }
        }
        out
    }
}
