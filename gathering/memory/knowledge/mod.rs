//! The knowledge base: collections of documents cut into chunks that cite where they come from
//! (document, heading path, position), searched by meaning and by words.
//!
//! - A collection belongs to a user who may share it with other users (they read it), to a
//!   circle, or to everyone (`global`, changed by admins): the scope rules of memories, in the
//!   same SQL predicate (`memory::store::access::COLLECTION`).
//! - An upload is read (`extract/`) and cut to the embedding model's token budget (`chunk.rs`)
//!   off the async workers; then, in one transaction, each document's row is written and its
//!   chunks replaced. A file that cannot be read stores nothing (no file of the request is
//!   stored); the same bytes uploaded again write nothing (`unchanged`). The embedding worker
//!   writes the chunks' vectors in the background: a chunk is found by keywords at once and by
//!   meaning once its vector exists.
//! - Every change is recorded through `audit::record_change` as a `knowledge.*` event scoped
//!   to the collection's owner.
//!
//! Start at [`Knowledge`]: `collections.rs` (create, read, share, delete), `ingest.rs` (upload,
//! documents), `search.rs` (hybrid search with citations). SQL is in `store/`.

pub mod chunk;
mod collections;
pub mod extract;
mod ingest;
pub mod model;
mod search;
pub mod store;

use std::sync::Arc;

use serde_json::json;
use uuid::Uuid;

pub use model::{
    ChunkView, Collection, CollectionName, CollectionPatch, CollectionRef, CollectionScope,
    Document, DocumentDetail, Ingested, KnowledgeHit, KnowledgeQuery, KnowledgeResult,
    NewCollection, Outcome, Upload,
};

use super::Memories;
use super::access::Reader;
use crate::core::error::DomainError;
use crate::events::{EventType, Scope};

/// Counts the tokens of a text as the embedding model would.
pub type TokenCounter = Arc<dyn Fn(&str) -> usize + Send + Sync>;

/// Why an upload stored nothing, beyond the domain's usual failures.
#[derive(Debug, thiserror::Error)]
pub enum KnowledgeError {
    /// The files of one upload exceed `memory.max_upload_bytes` together.
    #[error("the upload exceeds {limit} bytes (memory.max_upload_bytes)")]
    TooLarge { limit: usize },
    /// A file is of a kind the knowledge base does not read.
    #[error("{file}: {message}")]
    Unsupported { file: String, message: String },
    /// A file is corrupt, or has no text.
    #[error("{file}: {message}")]
    InvalidDocument { file: String, message: String },
    #[error(transparent)]
    Domain(#[from] DomainError),
}

impl From<tokio_postgres::Error> for KnowledgeError {
    fn from(e: tokio_postgres::Error) -> Self {
        Self::Domain(e.into())
    }
}

/// The knowledge service: built on the memory service (its pool, embeddings and settings).
/// Cheap to clone.
#[derive(Clone)]
pub struct Knowledge {
    memories: Memories,
    /// Counts chunk tokens (the estimate of [`chunk::estimate_tokens`] by default).
    tokens: TokenCounter,
}

impl std::fmt::Debug for Knowledge {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Knowledge").finish_non_exhaustive()
    }
}

impl Knowledge {
    pub fn new(memories: &Memories) -> Self {
        Self {
            memories: memories.clone(),
            tokens: Arc::new(chunk::estimate_tokens),
        }
    }

    /// The same service counting tokens with `tokens` (the embedding model's tokenizer).
    pub fn with_token_counter(mut self, tokens: TokenCounter) -> Self {
        self.tokens = tokens;
        self
    }

    /// The largest upload accepted, in bytes (`memory.max_upload_bytes`).
    pub fn max_upload_bytes(&self) -> usize {
        self.memories.embeddings().settings().max_upload_bytes
    }

    fn budget(&self) -> chunk::Budget {
        let settings = self.memories.embeddings().settings();
        chunk::Budget {
            max_tokens: settings.chunk_tokens,
            overlap_tokens: settings.chunk_overlap,
        }
    }

    async fn client(&self) -> Result<deadpool_postgres::Object, DomainError> {
        self.memories.client().await
    }

    /// The collection `named` as the reader may read it (`writing` false) or change it
    /// (true): not found when it may not read it, forbidden when it reads but may not change.
    async fn collection(
        &self,
        client: &impl deadpool_postgres::GenericClient,
        r: &Reader,
        named: &CollectionRef,
        writing: bool,
        lock: bool,
    ) -> Result<Collection, DomainError> {
        if let Some(found) = store::collections::find(client, r, named, writing, lock).await? {
            return Ok(found);
        }
        if writing
            && store::collections::find(client, r, named, false, false)
                .await?
                .is_some()
        {
            return Err(DomainError::Forbidden(format!(
                "you may read collection {named} but not change it"
            )));
        }
        Err(not_found(named))
    }
}

/// Said the same whether it does not exist or is not the reader's: nothing leaks.
fn not_found(named: &CollectionRef) -> DomainError {
    DomainError::NotFound(format!("no collection {named}"))
}

/// Records a `knowledge.*` change of `collection`, scoped to its owner.
async fn changed(
    tx: &impl deadpool_postgres::GenericClient,
    r: &Reader,
    event_type: EventType,
    collection: &Collection,
    mut details: serde_json::Value,
) -> Result<(), DomainError> {
    if let Some(map) = details.as_object_mut() {
        map.insert("collection_id".into(), json!(collection.id));
        map.insert("collection".into(), json!(collection.name));
    }
    crate::audit::record_change(
        tx,
        r.identity(),
        event_type,
        Scope::user(collection.owner_id),
        details,
    )
    .await?;
    Ok(())
}

/// A new id.
fn new_id() -> Uuid {
    Uuid::now_v7()
}
