//! Agents: a persona, a chat model of the registry, overrides and the tools it may call, owned
//! by a user. `Agents` is the service the API holds: CRUD here (audited, published as
//! `agent.*` events scoped to the agent and its owner), chat turns in `runtime.rs` (the tool
//! loop), with the per-agent queue of `queue.rs` and the history window of `window.rs`.
//!
//! Every service call takes the acting `core::identity::Identity`: only an agent's owner or an
//! admin changes it, only admins grant dangerous tools, and every change is recorded through
//! `audit::record_change` in its own transaction. SQL is in `store.rs`.

pub mod extract;
pub mod model;
pub mod queue;
pub mod recall;
pub mod runtime;
pub mod settings;
pub mod store;
mod tool_calls;
pub mod turn;
pub mod window;

use std::sync::Arc;

use deadpool_postgres::{GenericClient, Pool};
use serde_json::json;
use uuid::Uuid;

pub use model::{Agent, AgentName, AgentPatch, AgentStatus, MemoryUse, NewAgent};
pub use settings::AgentSettings;

use crate::core::error::{DomainError, is_unique_violation};
use crate::core::identity::{Identity, Role};
use crate::events::bus::Bus;
use crate::events::{EventType, Scope};
use crate::memory::Memories;
use crate::models::{self, LlmService, ModelKind, RegistryError};
use crate::tools::registry::ToolRegistry;

/// The agents service: cheap to clone.
#[derive(Clone)]
pub struct Agents {
    inner: Arc<Inner>,
}

struct Inner {
    pool: Pool,
    llm: LlmService,
    tools: ToolRegistry,
    memories: Memories,
    bus: Bus,
    gates: queue::Gates,
    settings: AgentSettings,
}

/// The services agents use.
pub struct Services {
    pub pool: Pool,
    pub llm: LlmService,
    pub tools: ToolRegistry,
    /// Recalled into turns, and written by extraction.
    pub memories: Memories,
    pub bus: Bus,
}

impl std::fmt::Debug for Agents {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Agents")
            .field("settings", &self.inner.settings)
            .finish()
    }
}

fn registry_error(e: RegistryError) -> DomainError {
    match e {
        RegistryError::NotFound(m) => DomainError::invalid("model", m),
        RegistryError::Invalid { field, message } => DomainError::invalid(field, message),
        RegistryError::Conflict(m) => DomainError::Conflict(m),
        RegistryError::Db(e) => DomainError::Unexpected(e),
    }
}

impl Agents {
    pub fn new(services: Services, settings: AgentSettings) -> Self {
        let Services {
            pool,
            llm,
            tools,
            memories,
            bus,
        } = services;
        let gates = queue::Gates::new(settings.max_concurrent_turns, settings.max_queued_turns);
        Self {
            inner: Arc::new(Inner {
                pool,
                llm,
                tools,
                memories,
                bus,
                gates,
                settings,
            }),
        }
    }

    pub fn pool(&self) -> &Pool {
        &self.inner.pool
    }

    pub fn tools(&self) -> &ToolRegistry {
        &self.inner.tools
    }

    pub fn settings(&self) -> &AgentSettings {
        &self.inner.settings
    }

    pub async fn list(
        &self,
        owner: Option<Uuid>,
        search: Option<&str>,
        after: Option<Uuid>,
        limit: i64,
    ) -> Result<Vec<Agent>, DomainError> {
        let client = self.inner.pool.get().await?;
        Ok(store::list(&client, owner, search, after, limit).await?)
    }

    pub async fn get(&self, id: Uuid) -> Result<Agent, DomainError> {
        let client = self.inner.pool.get().await?;
        store::get(&client, id)
            .await?
            .ok_or_else(|| DomainError::NotFound(format!("no agent {id}")))
    }

    pub async fn get_by_name(&self, name: &str) -> Result<Agent, DomainError> {
        let client = self.inner.pool.get().await?;
        store::get_by_name(&client, name)
            .await?
            .ok_or_else(|| DomainError::NotFound(format!("no agent named {name:?}")))
    }

    /// An agent named by its id or its name (what pipelines and schedules store).
    pub async fn find(&self, id_or_name: &str) -> Result<Agent, DomainError> {
        match Uuid::parse_str(id_or_name) {
            Ok(id) => self.get(id).await,
            Err(_) => self.get_by_name(id_or_name).await,
        }
    }

    async fn check_model(&self, name: &str) -> Result<(), DomainError> {
        let model = models::get_model(&self.inner.pool, name)
            .await
            .map_err(registry_error)?;
        if model.kind != ModelKind::Chat {
            return Err(DomainError::invalid(
                "model",
                format!("{name} is not a chat model"),
            ));
        }
        Ok(())
    }

    /// Every tool exists, and dangerous ones are granted by admins only (they run only for
    /// admin-owned agents anyway; refusing the grant says so at once).
    async fn check_tools(&self, tools: &[String], granter: Role) -> Result<(), DomainError> {
        if tools.len() > 64 {
            return Err(DomainError::invalid("tools", "at most 64 tools"));
        }
        let known = self.inner.tools.definitions().await?;
        for t in tools {
            match known.iter().find(|d| &d.name == t) {
                None => {
                    return Err(DomainError::invalid(
                        "tools",
                        format!("no tool named {t:?} (GET /api/tools lists them)"),
                    ));
                }
                Some(d) if d.risk == crate::tools::Risk::Dangerous && granter != Role::Admin => {
                    return Err(DomainError::invalid(
                        "tools",
                        format!("{t} is dangerous: only an admin may grant it"),
                    ));
                }
                Some(_) => {}
            }
        }
        Ok(())
    }

    pub async fn create(&self, who: &Identity, new: NewAgent) -> Result<Agent, DomainError> {
        let name = AgentName::parse(&new.name)?;
        let persona = crate::personas::get(&self.inner.pool, new.persona_id)
            .await
            .map_err(|e| match e {
                DomainError::NotFound(m) => DomainError::invalid("persona_id", m),
                e => e,
            })?;
        let model = new
            .model
            .or(persona.spec.default_model.clone())
            .unwrap_or_else(|| self.inner.settings.default_model.clone());
        self.check_model(&model).await?;
        let tools = new
            .tools
            .unwrap_or_else(|| persona.spec.allowed_skills.clone());
        self.check_tools(&tools, who.role).await?;
        let prompt_addition = new.prompt_addition.unwrap_or_default();
        let iterations = new.max_tool_iterations.unwrap_or(5);
        model::check_settings(
            new.temperature,
            new.max_tokens,
            iterations,
            &prompt_addition,
        )?;
        let defaults = MemoryUse::default();
        let memory = MemoryUse {
            budget_tokens: new.memory_budget_tokens.unwrap_or(defaults.budget_tokens),
            threshold: new.memory_threshold.unwrap_or(defaults.threshold),
            extract: new.extract_memories.unwrap_or(defaults.extract),
        };
        memory.check()?;
        let row = store::AgentRow {
            name: name.as_str(),
            persona_id: persona.id,
            model: &model,
            prompt_addition: &prompt_addition,
            temperature: new.temperature,
            max_tokens: new.max_tokens,
            tools: &tools,
            max_tool_iterations: iterations,
            memory,
            status: AgentStatus::Active,
        };
        let owner = who.acting_user()?;
        let mut client = self.inner.pool.get().await?;
        let tx = client.transaction().await?;
        let id = store::insert(&tx, owner, &row)
            .await
            .map_err(|e| taken(e, name.as_str()))?;
        let agent = store::get(&tx, id)
            .await?
            .ok_or_else(|| anyhow::anyhow!("agent {id} vanished in its own transaction"))?;
        changed(&tx, who, EventType::AgentCreated, &agent).await?;
        tx.commit().await?;
        Ok(agent)
    }

    pub async fn update(
        &self,
        who: &Identity,
        id: Uuid,
        patch: AgentPatch,
    ) -> Result<Agent, DomainError> {
        let current = self.get(id).await?;
        who.may_change(Some(current.owner_id), "agent")?;
        let name = match &patch.name {
            Some(n) => AgentName::parse(n)?.as_str().to_owned(),
            None => current.name.clone(),
        };
        let persona_id = match patch.persona_id {
            Some(p) => {
                crate::personas::get(&self.inner.pool, p)
                    .await
                    .map_err(|e| match e {
                        DomainError::NotFound(m) => DomainError::invalid("persona_id", m),
                        e => e,
                    })?
                    .id
            }
            None => current.persona_id,
        };
        let model = patch.model.clone().unwrap_or(current.model.clone());
        if patch.model.is_some() {
            self.check_model(&model).await?;
        }
        let tools = patch.tools.clone().unwrap_or(current.tools.clone());
        if patch.tools.is_some() {
            self.check_tools(&tools, who.role).await?;
        }
        let prompt_addition = patch
            .prompt_addition
            .clone()
            .unwrap_or(current.prompt_addition.clone());
        let temperature = patch.temperature.unwrap_or(current.temperature);
        let max_tokens = patch.max_tokens.unwrap_or(current.max_tokens);
        let iterations = patch
            .max_tool_iterations
            .unwrap_or(current.max_tool_iterations);
        model::check_settings(temperature, max_tokens, iterations, &prompt_addition)?;
        let memory = MemoryUse {
            budget_tokens: patch
                .memory_budget_tokens
                .unwrap_or(current.memory_budget_tokens),
            threshold: patch.memory_threshold.unwrap_or(current.memory_threshold),
            extract: patch.extract_memories.unwrap_or(current.extract_memories),
        };
        memory.check()?;
        let row = store::AgentRow {
            name: &name,
            persona_id,
            model: &model,
            prompt_addition: &prompt_addition,
            temperature,
            max_tokens,
            tools: &tools,
            max_tool_iterations: iterations,
            memory,
            status: patch.status.unwrap_or(current.status),
        };
        let mut client = self.inner.pool.get().await?;
        let tx = client.transaction().await?;
        if !store::lock(&tx, id).await? {
            return Err(DomainError::NotFound(format!("no agent {id}")));
        }
        store::update(&tx, id, &row)
            .await
            .map_err(|e| taken(e, &name))?;
        let agent = store::get(&tx, id)
            .await?
            .ok_or_else(|| DomainError::NotFound(format!("no agent {id}")))?;
        changed(&tx, who, EventType::AgentUpdated, &agent).await?;
        tx.commit().await?;
        Ok(agent)
    }

    pub async fn delete(&self, who: &Identity, id: Uuid) -> Result<(), DomainError> {
        let current = self.get(id).await?;
        who.may_change(Some(current.owner_id), "agent")?;
        let mut client = self.inner.pool.get().await?;
        let tx = client.transaction().await?;
        store::delete(&tx, id).await?;
        changed(&tx, who, EventType::AgentDeleted, &current).await?;
        tx.commit().await?;
        Ok(())
    }
}

fn taken(e: tokio_postgres::Error, name: &str) -> DomainError {
    if is_unique_violation(&e) {
        DomainError::Conflict(format!("an agent named {name} exists"))
    } else {
        e.into()
    }
}

/// The scope of events about an agent: the agent and its owner.
pub fn scope(agent: &Agent) -> Scope {
    Scope {
        agent_id: Some(agent.id),
        user_id: Some(agent.owner_id),
        ..Scope::default()
    }
}

/// Records a change to `agent` (audit row and `agent.*` event) in the change's transaction.
async fn changed(
    tx: &impl GenericClient,
    who: &Identity,
    event_type: EventType,
    agent: &Agent,
) -> Result<(), DomainError> {
    let details = json!({"agent": {"id": agent.id, "name": agent.name, "model": agent.model,
        "persona_id": agent.persona_id, "tools": agent.tools, "status": agent.status,
        "memory_budget_tokens": agent.memory_budget_tokens,
        "memory_threshold": agent.memory_threshold, "extract_memories": agent.extract_memories}});
    crate::audit::record_change(tx, who, event_type, scope(agent), details).await?;
    Ok(())
}
