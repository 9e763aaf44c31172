//! Memory's settings, the `[memory]` section of the configuration: defined here once (field,
//! doc, default, range); `config/` reads the section into this type.

use std::time::Duration;

use serde::Deserialize;

use crate::core::settings::{Invalid, check, millis};

/// Settings of memories and knowledge (config `[memory]`).
#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct MemorySettings {
    /// The embedding model of the registry that a new database starts with
    /// (`GATHERING_EMBEDDING_MODEL`). Later changes go through `PUT /api/memories/embedding`,
    /// which re-embeds everything in the background.
    pub embedding_model: String,
    /// Texts embedded in one call by the background worker.
    pub embed_batch: usize,
    /// How often the worker looks for texts without vectors when nothing woke it
    /// (`embed_poll_ms`): other instances' inserts are found this way.
    #[serde(rename = "embed_poll_ms", deserialize_with = "millis")]
    pub embed_poll: Duration,
    /// The cosine similarity from which a new memory is linked `duplicate_of` an older one of
    /// the same scope.
    pub duplicate_similarity: f32,
    /// The largest document a knowledge upload accepts, in bytes.
    pub max_upload_bytes: usize,
    /// The most tokens (of the embedding model's tokenizer) in one knowledge chunk.
    pub chunk_tokens: usize,
    /// Tokens each chunk repeats from the end of the one before.
    pub chunk_overlap: usize,
}

impl Default for MemorySettings {
    fn default() -> Self {
        Self {
            embedding_model: "all-minilm-l6-v2".into(),
            embed_batch: 64,
            embed_poll: Duration::from_secs(5),
            duplicate_similarity: 0.95,
            max_upload_bytes: 10 * 1024 * 1024,
            chunk_tokens: 200,
            chunk_overlap: 30,
        }
    }
}

impl MemorySettings {
    pub fn validate(&self) -> Result<(), Invalid> {
        check(
            !self.embedding_model.trim().is_empty(),
            "memory.embedding_model",
            "must name an embedding model",
        )?;
        check(
            (1..=1024).contains(&self.embed_batch),
            "memory.embed_batch",
            "must be between 1 and 1024",
        )?;
        check(
            self.embed_poll >= Duration::from_millis(10),
            "memory.embed_poll_ms",
            "must be at least 10",
        )?;
        check(
            (0.5..=1.0).contains(&self.duplicate_similarity),
            "memory.duplicate_similarity",
            "must be between 0.5 and 1",
        )?;
        check(
            (1024..=1024 * 1024 * 1024).contains(&self.max_upload_bytes),
            "memory.max_upload_bytes",
            "must be between 1 KiB and 1 GiB",
        )?;
        check(
            (16..=8192).contains(&self.chunk_tokens),
            "memory.chunk_tokens",
            "must be between 16 and 8192",
        )?;
        check(
            self.chunk_overlap < self.chunk_tokens / 2,
            "memory.chunk_overlap",
            "must be less than half of chunk_tokens",
        )
    }
}
