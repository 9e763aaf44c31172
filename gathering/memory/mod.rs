//! Memory: what agents and people remember, with a scope that is access control (`access.rs`,
//! in SQL), a history of versions, soft deletes an admin can purge, links between duplicates and
//! replacements, vectors made off the request path (`embed.rs`), and semantic, keyword and
//! hybrid search (`search.rs`). Knowledge collections of documents (`knowledge/`) share the
//! scopes, the embeddings and the search.
//!
//! Invariants: every read, count, search and event is filtered by what the [`Reader`] may see,
//! in SQL; an update is a new version (the old ones stay); every change is recorded through
//! `audit::record_change` in its transaction (`changes.rs`); a text is embedded once per model
//! (the cache). Start at [`Memories`]; SQL is in `store/`.

pub mod access;
pub mod changes;
pub mod embed;
pub mod knowledge;
pub mod model;
pub mod search;
pub mod settings;
pub mod store;

use std::sync::Arc;

use deadpool_postgres::Pool;
use uuid::Uuid;

pub use access::Reader;
pub use embed::{EmbeddingStatus, Embeddings};
pub use model::{
    Filters, Hit, Memory, MemoryDetail, MemoryPatch, MemoryType, NewMemory, ScopeKind, SearchMode,
    SearchRequest, SearchResult,
};
pub use settings::MemorySettings;

use crate::core::error::DomainError;
use crate::events::EventType;
use crate::events::bus::Bus;
use crate::models::LlmService;
use model::LinkKind;
use store::memories::{self as rows, Change, NewRow};
use store::vectors::{self, Corpus};

/// The memory service. Cheap to clone.
#[derive(Clone)]
pub struct Memories {
    inner: Arc<Inner>,
}

struct Inner {
    pool: Pool,
    embeddings: Embeddings,
}

impl std::fmt::Debug for Memories {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Memories").finish_non_exhaustive()
    }
}

fn not_found(id: Uuid) -> DomainError {
    // Said the same whether it does not exist or is not the reader's: nothing leaks.
    DomainError::NotFound(format!("no memory {id}"))
}

impl Memories {
    pub fn new(pool: Pool, llm: LlmService, bus: Bus, settings: MemorySettings) -> Self {
        let embeddings = Embeddings::new(pool.clone(), llm, bus, settings);
        Self {
            inner: Arc::new(Inner { pool, embeddings }),
        }
    }

    pub fn embeddings(&self) -> &Embeddings {
        &self.inner.embeddings
    }

    pub fn pool(&self) -> &Pool {
        &self.inner.pool
    }

    pub(crate) async fn client(&self) -> Result<deadpool_postgres::Object, DomainError> {
        self.inner
            .pool
            .get()
            .await
            .map_err(|e| DomainError::Unexpected(e.into()))
    }

    /// Stores a memory the reader may write; links it `duplicate_of` a live memory of the same
    /// scope with the same text, and `supersedes` the memory it names.
    pub async fn create(&self, r: &Reader, new: NewMemory) -> Result<Memory, DomainError> {
        let scope_id = match (new.scope, new.scope_id) {
            (ScopeKind::Global, None) => None,
            (ScopeKind::Global, Some(_)) => {
                return Err(DomainError::invalid(
                    "scope_id",
                    "global memories have none",
                ));
            }
            (ScopeKind::User, None) => Some(r.user_id()),
            (ScopeKind::Agent, None) if r.agent_id().is_some() => r.agent_id(),
            (ScopeKind::Conversation, None) if r.conversation_id().is_some() => r.conversation_id(),
            (_, None) => {
                return Err(DomainError::invalid(
                    "scope_id",
                    format!("a {} memory needs one", new.scope.as_str()),
                ));
            }
            (_, id) => id,
        };
        let importance = new.importance.unwrap_or(0.5);
        let (content, tags) = model::check_fields(&new.content, importance, &new.tags)?;
        if let Some(t) = new.expires_at
            && t <= chrono::Utc::now()
        {
            return Err(DomainError::invalid("expires_at", "must be in the future"));
        }
        let who = r.identity();
        let mut source = new.source;
        source.user_id = source.user_id.or(who.user_id);
        source.agent_id = source.agent_id.or(r.agent_id());
        let sha = embed::sha256(&content);
        let id = Uuid::now_v7();

        let mut client = self.client().await?;
        let tx = client.transaction().await?;
        if rows::scope_owner(&tx, new.scope, scope_id).await?.is_none() {
            return Err(DomainError::invalid(
                "scope_id",
                format!("no {} {}", new.scope.as_str(), scope_id.unwrap_or_default()),
            ));
        }
        if !rows::may_write(&tx, r, new.scope, scope_id).await? {
            return Err(DomainError::Forbidden(format!(
                "you may not write {} memories{}",
                new.scope.as_str(),
                scope_id.map(|i| format!(" of {i}")).unwrap_or_default()
            )));
        }
        if let Some(conversation) = source.conversation_id
            && !rows::may_write(&tx, r, ScopeKind::Conversation, Some(conversation)).await?
        {
            return Err(DomainError::invalid(
                "source.conversation_id",
                "not a conversation of yours",
            ));
        }
        let source_json =
            serde_json::to_value(&source).map_err(|e| DomainError::Unexpected(e.into()))?;
        rows::insert(
            &tx,
            &NewRow {
                id,
                scope: new.scope,
                scope_id,
                memory_type: new.memory_type.unwrap_or(MemoryType::Fact),
                content: &content,
                content_sha: &sha,
                importance,
                tags: &tags,
                expires_at: new.expires_at,
                source: source_json,
                by_user: who.user_id,
                by_agent: r.agent_id(),
            },
        )
        .await?;
        if let Some(old) = new.supersedes {
            let target = rows::get(&tx, r, old, true)
                .await?
                .ok_or_else(|| DomainError::invalid("supersedes", format!("no memory {old}")))?;
            if target.scope != new.scope || target.scope_id != scope_id {
                return Err(DomainError::invalid(
                    "supersedes",
                    "must be a memory of the same scope",
                ));
            }
            rows::link(&tx, id, old, LinkKind::Supersedes, None).await?;
        }
        if let Some(same) = rows::same_text(&tx, new.scope, scope_id, &sha, id).await?
            && rows::link(&tx, id, same, LinkKind::DuplicateOf, Some(1.0)).await?
        {
            changes::linked(&tx, who, id, same, 1.0).await?;
        }
        let mut memory = rows::get(&tx, r, id, false)
            .await?
            .ok_or_else(|| anyhow::anyhow!("memory {id} vanished in its own transaction"))?;
        changes::changed(&tx, who, EventType::MemoryCreated, &memory).await?;
        tx.commit().await?;
        self.embeddings().wake();
        self.decorate(std::slice::from_mut(&mut memory)).await?;
        Ok(memory)
    }

    /// A memory the reader may see, with every version.
    pub async fn get(&self, r: &Reader, id: Uuid) -> Result<MemoryDetail, DomainError> {
        let client = self.client().await?;
        let mut memory = rows::get(&client, r, id, false)
            .await?
            .ok_or_else(|| not_found(id))?;
        let versions = rows::versions(&client, id).await?;
        drop(client);
        self.decorate(std::slice::from_mut(&mut memory)).await?;
        Ok(MemoryDetail { memory, versions })
    }

    /// A page of the memories the reader may see, newest first.
    pub async fn list(
        &self,
        r: &Reader,
        filters: &Filters,
        cursor: Option<Uuid>,
        limit: i64,
    ) -> Result<Vec<Memory>, DomainError> {
        let client = self.client().await?;
        let mut items = rows::list(&client, r, filters, cursor, limit).await?;
        drop(client);
        self.decorate(&mut items).await?;
        Ok(items)
    }

    /// Locks a memory the reader may change: 404 when it may not even see it, 403 when it
    /// sees but may not change it, 409 when it is deleted.
    async fn lock(
        tx: &deadpool_postgres::Transaction<'_>,
        r: &Reader,
        id: Uuid,
    ) -> Result<Memory, DomainError> {
        if rows::get(tx, r, id, false).await?.is_none() {
            return Err(not_found(id));
        }
        let memory = rows::get(tx, r, id, true).await?.ok_or_else(|| {
            DomainError::Forbidden(format!("you may read memory {id} but not change it"))
        })?;
        if memory.deleted_at.is_some() {
            return Err(DomainError::Conflict(format!("memory {id} is deleted")));
        }
        Ok(memory)
    }

    /// Makes a new version of a memory.
    pub async fn update(
        &self,
        r: &Reader,
        id: Uuid,
        patch: MemoryPatch,
    ) -> Result<Memory, DomainError> {
        let mut client = self.client().await?;
        let tx = client.transaction().await?;
        let old = Self::lock(&tx, r, id).await?;
        let importance = patch.importance.unwrap_or(old.importance);
        let content = patch.content.as_deref().unwrap_or(&old.content);
        let tags = patch.tags.as_deref().unwrap_or(&old.tags);
        let (content, tags) = model::check_fields(content, importance, tags)?;
        let expires_at = patch.expires_at.unwrap_or(old.expires_at);
        let memory_type = patch.memory_type.unwrap_or(old.memory_type);
        let unchanged = content == old.content
            && tags == old.tags
            && importance == old.importance
            && expires_at == old.expires_at
            && memory_type == old.memory_type;
        if unchanged {
            drop(tx);
            let mut same = old;
            self.decorate(std::slice::from_mut(&mut same)).await?;
            return Ok(same);
        }
        let sha = embed::sha256(&content);
        rows::update(
            &tx,
            id,
            &Change {
                memory_type,
                content: &content,
                content_sha: &sha,
                importance,
                tags: &tags,
                expires_at,
                by_user: r.identity().user_id,
                by_agent: r.agent_id(),
            },
        )
        .await?;
        if content != old.content {
            // The old text's vectors no longer describe it: the worker makes new ones.
            for dimension in self.model_dimensions().await? {
                vectors::forget(&tx, Corpus::Memories, dimension, id).await?;
            }
        }
        let mut memory = rows::get(&tx, r, id, false)
            .await?
            .ok_or_else(|| not_found(id))?;
        changes::changed(&tx, r.identity(), EventType::MemoryUpdated, &memory).await?;
        tx.commit().await?;
        self.embeddings().wake();
        self.decorate(std::slice::from_mut(&mut memory)).await?;
        Ok(memory)
    }

    /// Soft-deletes a memory: search no longer returns it; its versions stay.
    pub async fn delete(&self, r: &Reader, id: Uuid) -> Result<(), DomainError> {
        let mut client = self.client().await?;
        let tx = client.transaction().await?;
        let memory = Self::lock(&tx, r, id).await?;
        rows::soft_delete(&tx, id, r.identity().user_id).await?;
        changes::changed(&tx, r.identity(), EventType::MemoryDeleted, &memory).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Deletes a memory for good, versions and vectors included (admins).
    pub async fn purge(&self, r: &Reader, id: Uuid) -> Result<(), DomainError> {
        if !r.is_admin() {
            return Err(DomainError::Forbidden(
                "only an admin purges memories".into(),
            ));
        }
        let mut client = self.client().await?;
        let tx = client.transaction().await?;
        let memory = rows::get(&tx, r, id, true)
            .await?
            .ok_or_else(|| not_found(id))?;
        changes::changed(&tx, r.identity(), EventType::MemoryPurged, &memory).await?;
        rows::purge(&tx, id).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Searches the memories the reader may see.
    pub async fn search(
        &self,
        r: &Reader,
        req: &SearchRequest,
    ) -> Result<SearchResult, DomainError> {
        search::memories(self, r, req).await
    }

    /// Records which memories a turn was given (on the user's message).
    pub async fn record_recalls(
        &self,
        message_id: Uuid,
        used: &[(Uuid, f32)],
    ) -> Result<(), DomainError> {
        let client = self.client().await?;
        store::recalls::record(&client, message_id, used).await?;
        Ok(())
    }

    /// The memories recalled for a message, by rank.
    pub async fn recalls(&self, message_id: Uuid) -> Result<Vec<(Uuid, f32)>, DomainError> {
        let client = self.client().await?;
        Ok(store::recalls::of_message(&client, message_id).await?)
    }

    /// The embedding state; none chosen yet when the configured model cannot be used (memories
    /// are still stored and found by keywords).
    async fn state_or_none(&self) -> Result<store::embedding::State, DomainError> {
        match self.embeddings().state().await {
            Err(DomainError::Invalid { message, .. }) => {
                tracing::warn!("no embedding model: {message}");
                Ok(store::embedding::State::default())
            }
            other => other,
        }
    }

    /// The dimensions of the serving and target models.
    async fn model_dimensions(&self) -> Result<Vec<usize>, DomainError> {
        let state = self.state_or_none().await?;
        let mut dims: Vec<usize> = [state.serving, state.target]
            .into_iter()
            .flatten()
            .map(|m| m.dimension)
            .collect();
        dims.dedup();
        for d in &dims {
            self.embeddings().ensure_tables(*d).await?;
        }
        Ok(dims)
    }

    /// Fills each memory's `embedded` flag (a vector of the serving model) and links.
    pub(crate) async fn decorate(&self, items: &mut [Memory]) -> Result<(), DomainError> {
        if items.is_empty() {
            return Ok(());
        }
        let ids: Vec<Uuid> = items.iter().map(|m| m.id).collect();
        let state = self.state_or_none().await?;
        let client = self.client().await?;
        let embedded = match &state.serving {
            Some(m) => {
                self.embeddings().ensure_tables(m.dimension).await?;
                vectors::embedded(&client, Corpus::Memories, m.dimension, &m.name, &ids).await?
            }
            None => Vec::new(),
        };
        let links = rows::links(&client, &ids).await?;
        for m in items {
            m.embedded = embedded.contains(&m.id);
            m.links = links
                .iter()
                .filter(|l| l.memory_id == m.id || l.target_id == m.id)
                .cloned()
                .collect();
        }
        Ok(())
    }
}
