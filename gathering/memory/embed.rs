//! Embeddings of memories and knowledge chunks: cached by (model, sha256 of the text) so the same
//! text is never embedded twice, made off the request path by a background worker in batches,
//! and switched to a new model without stopping search.
//!
//! The worker (`run`, one per instance, started by `app`) loops: it takes a batch of rows that
//! lack a vector of the serving or the target model (`FOR UPDATE SKIP LOCKED`, so instances
//! share the work), answers what it can from the cache, embeds the rest in one call, writes the
//! vectors and the cache in the same transaction, and links a new memory `duplicate_of` a
//! near-identical older one of its scope. When the target model differs from the serving one
//! (an admin changed it) and every row has a target vector, the target starts serving. It
//! sleeps until woken (`wake`, after an insert on this instance), its poll interval (inserts of
//! other instances) or shutdown.

use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex};

use deadpool_postgres::Pool;
use pgvector::Vector;
use serde::Serialize;
use serde_json::json;
use sha2::{Digest, Sha256};
use tokio::sync::Notify;
use tokio_util::sync::CancellationToken;
use uuid::Uuid;

use super::settings::MemorySettings;
use super::store::embedding::{self as cache, ModelRef, State};
use super::store::{memories, vectors};
use crate::core::error::DomainError;
use crate::core::identity::Identity;
use crate::events::bus::Bus;
use crate::events::{EventType, NewEvent, Scope};
use crate::models::{Attribution, LlmService, ModelKind, ServiceError};

pub use super::store::vectors::Corpus;

/// The sha256 of a text, as the cache and the rows key it.
pub fn sha256(text: &str) -> Vec<u8> {
    Sha256::digest(text.as_bytes()).to_vec()
}

/// A query's vector, and the model and dimension it belongs to.
#[derive(Debug, Clone)]
pub struct QueryVector {
    pub model: String,
    pub dimension: usize,
    pub vector: Vector,
}

/// Rows of one corpus, and how many have a vector of the serving model.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct Coverage {
    pub total: i64,
    pub embedded: i64,
}

/// `GET /api/memories/embedding`.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct EmbeddingStatus {
    pub serving_model: Option<String>,
    pub serving_dimension: Option<usize>,
    pub target_model: Option<String>,
    pub target_dimension: Option<usize>,
    /// Against the target model, over every scope: shown to admins only (counts of other
    /// people's memories are not for everyone).
    pub memories: Option<Coverage>,
    pub chunks: Option<Coverage>,
    /// Whether vectors of a new model are being made (search serves the old one meanwhile).
    pub reembedding: bool,
}

/// The embedding side of memory. Cheap to clone.
#[derive(Clone)]
pub struct Embeddings {
    inner: Arc<Inner>,
}

struct Inner {
    pool: Pool,
    llm: LlmService,
    bus: Bus,
    settings: MemorySettings,
    /// Wakes the worker after an insert on this instance.
    wake: Notify,
    /// Vector tables known to exist (a std mutex: held for a lookup, never across `.await`).
    tables: Mutex<HashSet<(Corpus, usize)>>,
}

impl std::fmt::Debug for Embeddings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Embeddings").finish_non_exhaustive()
    }
}

fn unexpected(e: impl std::fmt::Display) -> DomainError {
    DomainError::Unexpected(anyhow::anyhow!("{e}"))
}

impl Embeddings {
    pub fn new(pool: Pool, llm: LlmService, bus: Bus, settings: MemorySettings) -> Self {
        Self {
            inner: Arc::new(Inner {
                pool,
                llm,
                bus,
                settings,
                wake: Notify::new(),
                tables: Mutex::new(HashSet::new()),
            }),
        }
    }

    pub fn settings(&self) -> &MemorySettings {
        &self.inner.settings
    }

    /// Wakes the background worker (after inserting memories or chunks).
    pub fn wake(&self) {
        self.inner.wake.notify_one();
    }

    /// The enabled embedding model `name`, with its dimension.
    async fn model_ref(&self, name: &str) -> Result<ModelRef, DomainError> {
        let model = self
            .inner
            .llm
            .resolve(name, ModelKind::Embedding)
            .await
            .map_err(|e| match e {
                ServiceError::Registry(e) => DomainError::invalid("model", e.to_string()),
                ServiceError::Model(e) => DomainError::invalid("model", e.to_string()),
            })?;
        let dimension = model
            .dimension
            .and_then(|d| usize::try_from(d).ok())
            .filter(|d| (1..=vectors::MAX_DIMENSION).contains(d))
            .ok_or_else(|| {
                DomainError::invalid("model", format!("{name} has no usable dimension"))
            })?;
        Ok(ModelRef {
            name: model.name,
            dimension,
        })
    }

    /// The serving and target models; a new database starts with `memory.embedding_model`.
    pub async fn state(&self) -> Result<State, DomainError> {
        let client = self.inner.pool.get().await.map_err(unexpected)?;
        let state = cache::state(&client).await?;
        if state.serving.is_some() {
            return Ok(state);
        }
        let model = self.model_ref(&self.inner.settings.embedding_model).await?;
        cache::initialise(&client, &model).await?;
        Ok(cache::state(&client).await?)
    }

    /// Creates the vector tables of `dimension` unless known to exist.
    pub async fn ensure_tables(&self, dimension: usize) -> Result<(), DomainError> {
        for corpus in Corpus::ALL {
            let known = self
                .inner
                .tables
                .lock()
                .map(|t| t.contains(&(corpus, dimension)))
                .unwrap_or(false);
            if !known {
                vectors::ensure(&self.inner.pool, corpus, dimension).await?;
                if let Ok(mut t) = self.inner.tables.lock() {
                    t.insert((corpus, dimension));
                }
            }
        }
        Ok(())
    }

    /// Vectors of `texts` by `model`, in order: from the cache where it has them, the rest
    /// embedded in one call and cached.
    async fn vectors(
        &self,
        client: &impl deadpool_postgres::GenericClient,
        model: &ModelRef,
        texts: &[(Vec<u8>, String)],
    ) -> Result<Vec<Vector>, DomainError> {
        let shas: Vec<Vec<u8>> = texts.iter().map(|(s, _)| s.clone()).collect();
        let mut known: HashMap<Vec<u8>, Vector> = cache::cached(client, &model.name, &shas)
            .await?
            .into_iter()
            .collect();
        let mut missing: Vec<(Vec<u8>, String)> = Vec::new();
        for (sha, text) in texts {
            if !known.contains_key(sha) && !missing.iter().any(|(s, _)| s == sha) {
                missing.push((sha.clone(), text.clone()));
            }
        }
        if !missing.is_empty() {
            let inputs: Vec<String> = missing.iter().map(|(_, t)| t.clone()).collect();
            let (answered, out) = self
                .inner
                .llm
                .embed(
                    &Identity::system(),
                    Attribution::default(),
                    &model.name,
                    inputs,
                )
                .await
                .map_err(|e| DomainError::Busy(format!("embedding failed: {e}")))?;
            if answered.name != model.name {
                return Err(unexpected(format!(
                    "{} answered for {}: its vectors cannot be mixed",
                    answered.name, model.name
                )));
            }
            if out.vectors.len() != missing.len()
                || out.vectors.iter().any(|v| v.len() != model.dimension)
            {
                return Err(unexpected(format!(
                    "{} returned vectors of the wrong number or length",
                    model.name
                )));
            }
            let fresh: Vec<(Vec<u8>, Vector)> = missing
                .into_iter()
                .zip(out.vectors)
                .map(|((sha, _), v)| (sha, Vector::from(v)))
                .collect();
            cache::remember(client, &model.name, &fresh).await?;
            known.extend(fresh);
        }
        texts
            .iter()
            .map(|(sha, _)| {
                known
                    .get(sha)
                    .cloned()
                    .ok_or_else(|| unexpected("a vector went missing"))
            })
            .collect()
    }

    /// The serving model's vector of `text`; `None` when no embedding model can answer now
    /// (search then uses keywords only).
    pub async fn query_vector(&self, text: &str) -> Result<Option<QueryVector>, DomainError> {
        let state = match self.state().await {
            Ok(s) => s,
            Err(DomainError::Invalid { message, .. }) => {
                tracing::warn!("no embedding model for search: {message}");
                return Ok(None);
            }
            Err(e) => return Err(e),
        };
        let Some(model) = state.serving else {
            return Ok(None);
        };
        self.ensure_tables(model.dimension).await?;
        let client = self.inner.pool.get().await.map_err(unexpected)?;
        let texts = [(sha256(text), text.to_owned())];
        match self.vectors(&client, &model, &texts).await {
            Ok(mut v) => Ok(v.pop().map(|vector| QueryVector {
                model: model.name,
                dimension: model.dimension,
                vector,
            })),
            Err(DomainError::Busy(m)) => {
                tracing::warn!("query not embedded, searching by keywords: {m}");
                Ok(None)
            }
            Err(e) => Err(e),
        }
    }

    /// The models and how far their vectors are.
    pub async fn status(&self) -> Result<EmbeddingStatus, DomainError> {
        let state = self.state().await?;
        let client = self.inner.pool.get().await.map_err(unexpected)?;
        let mut coverage = [Coverage::default(); 2];
        if let Some(target) = &state.target {
            self.ensure_tables(target.dimension).await?;
            for (i, corpus) in Corpus::ALL.into_iter().enumerate() {
                let (total, embedded) =
                    vectors::coverage(&client, corpus, target.dimension, &target.name).await?;
                coverage[i] = Coverage { total, embedded };
            }
        }
        Ok(EmbeddingStatus {
            reembedding: state.serving != state.target,
            serving_model: state.serving.as_ref().map(|m| m.name.clone()),
            serving_dimension: state.serving.as_ref().map(|m| m.dimension),
            target_model: state.target.as_ref().map(|m| m.name.clone()),
            target_dimension: state.target.as_ref().map(|m| m.dimension),
            memories: Some(coverage[0]),
            chunks: Some(coverage[1]),
        })
    }

    /// Makes `name` the embedding model: everything is re-embedded in the background, and it
    /// serves once done (admins; audited as `memory.embedding_changed`).
    pub async fn switch(&self, who: &Identity, name: &str) -> Result<EmbeddingStatus, DomainError> {
        if !who.is_admin() {
            return Err(DomainError::Forbidden(
                "only an admin changes the embedding model".into(),
            ));
        }
        let model = self.model_ref(name).await?;
        self.ensure_tables(model.dimension).await?;
        self.state().await?;
        let mut client = self.inner.pool.get().await.map_err(unexpected)?;
        let tx = client.transaction().await?;
        cache::set_target(&tx, &model, who.user_id).await?;
        crate::audit::record_change(
            &tx,
            who,
            EventType::MemoryEmbeddingChanged,
            Scope::default(),
            json!({"target_model": model.name, "dimension": model.dimension}),
        )
        .await?;
        tx.commit().await?;
        self.wake();
        self.status().await
    }

    /// The background worker: embeds until cancelled.
    pub async fn run(self, cancel: CancellationToken) {
        loop {
            loop {
                match self.work_once().await {
                    Ok(0) => break,
                    Ok(_) => {}
                    Err(e) => {
                        tracing::warn!("embedding worker: {e}");
                        break;
                    }
                }
                if cancel.is_cancelled() {
                    return;
                }
            }
            tokio::select! {
                () = tokio::time::sleep(self.inner.settings.embed_poll) => {}
                () = self.inner.wake.notified() => {}
                () = cancel.cancelled() => return,
            }
        }
    }

    /// One batch for each model and corpus that has rows without vectors; promotes the target
    /// when it covers everything. Returns how many vectors were written.
    pub async fn work_once(&self) -> Result<usize, DomainError> {
        let state = self.state().await?;
        let (Some(serving), Some(target)) = (state.serving, state.target) else {
            return Ok(0);
        };
        let mut models = vec![serving.clone()];
        if target != serving {
            models.push(target.clone());
        }
        let mut written = 0;
        for model in &models {
            self.ensure_tables(model.dimension).await?;
            for corpus in Corpus::ALL {
                written += self.batch(corpus, model, *model == serving).await?;
            }
        }
        if target != serving {
            self.progress(&target).await?;
        }
        Ok(written)
    }

    /// Embeds one batch of `corpus` for `model`.
    async fn batch(
        &self,
        corpus: Corpus,
        model: &ModelRef,
        serving: bool,
    ) -> Result<usize, DomainError> {
        let mut client = self.inner.pool.get().await.map_err(unexpected)?;
        let tx = client.transaction().await?;
        let batch = self.inner.settings.embed_batch as i64;
        let rows = vectors::pending(&tx, corpus, model.dimension, &model.name, batch).await?;
        if rows.is_empty() {
            return Ok(0);
        }
        let texts: Vec<(Vec<u8>, String)> = rows
            .iter()
            .map(|r| (r.sha.clone(), r.content.clone()))
            .collect();
        let vecs = self.vectors(&tx, model, &texts).await?;
        let pairs: Vec<(Uuid, Vector)> = rows.iter().map(|r| r.id).zip(vecs).collect();
        vectors::insert(&tx, corpus, model.dimension, &model.name, &pairs).await?;
        if corpus == Corpus::Memories && serving {
            crate::memory::store::search::tune(&tx, 1).await?;
            for (id, vector) in &pairs {
                self.link_duplicate(&tx, model, *id, vector).await?;
            }
        }
        tx.commit().await?;
        metrics::counter!("memory_vectors_written_total").increment(pairs.len() as u64);
        Ok(pairs.len())
    }

    /// Links a newly embedded memory `duplicate_of` its nearest older one of the same scope
    /// when they are near-identical.
    async fn link_duplicate(
        &self,
        tx: &deadpool_postgres::Transaction<'_>,
        model: &ModelRef,
        id: Uuid,
        vector: &Vector,
    ) -> Result<(), DomainError> {
        let Some((older, similarity)) =
            vectors::nearest_older_memory(tx, model.dimension, &model.name, id, vector).await?
        else {
            return Ok(());
        };
        if similarity < self.inner.settings.duplicate_similarity {
            return Ok(());
        }
        if memories::link(
            tx,
            id,
            older,
            crate::memory::model::LinkKind::DuplicateOf,
            Some(similarity),
        )
        .await?
        {
            super::changes::linked(tx, &Identity::system(), id, older, similarity).await?;
        }
        Ok(())
    }

    /// Tells admins how far re-embedding is, and promotes the target once complete.
    async fn progress(&self, target: &ModelRef) -> Result<(), DomainError> {
        let client = self.inner.pool.get().await.map_err(unexpected)?;
        let mut done = true;
        let mut data = json!({"model": target.name});
        for corpus in Corpus::ALL {
            let (total, embedded) =
                vectors::coverage(&client, corpus, target.dimension, &target.name).await?;
            done &= embedded >= total;
            data[corpus.source()] = json!({"total": total, "embedded": embedded});
        }
        self.inner.bus.publish(
            NewEvent::new(EventType::MemoryEmbeddingProgress, Scope::default(), None)
                .data(data)
                .ephemeral(),
        );
        if done && cache::promote(&client, &target.name).await? {
            tracing::info!(model = %target.name, "the new embedding model serves search");
        }
        Ok(())
    }
}
