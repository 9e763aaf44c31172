//! The model registry and the service that routes calls to it: which providers exist
//! (`llm.providers`: the local engines, OpenAI-compatible servers, Anthropic), which models users
//! may name (`llm.models`: provider, price, limits, fallback), and the usage ledger
//! (`llm.usage`: one row per call attempt, with tokens, cost, latency and outcome).
//!
//! Start with [`LlmService`] (`service.rs`): a model name in, an answer out. It resolves the name
//! here, builds the provider's client from `crate::llm`, falls back along the model's chain when a
//! provider fails before answering, and meters every attempt into the ledger. Registry records
//! live one per file (`providers.rs`, `catalog.rs` for models, `usage.rs`); their SQL is in
//! `store/`.
//!
//! Invariants:
//! - Admins edit the registry (the API checks the role); every change is recorded with
//!   `crate::audit::record_change` in the transaction that makes it (audit row + outbox event).
//! - There is one local provider and it cannot be deleted; the built-in local models can only be
//!   disabled. A model's fallback is of its own kind and never loops.
//! - Secrets are never stored: a provider names the environment variable (`env:NAME`) holding
//!   its key, read at call time, and never one of the server's own settings.
//! - Every call attempt writes exactly one usage row, also when the client abandons the answer.

mod catalog;
mod providers;
mod service;
mod store;
mod usage;

pub use catalog::{
    Model, ModelKind, ModelPatch, NewModel, create_model, delete_model, get_model, list_models,
    update_model,
};
pub use providers::{
    NewProvider, Provider, ProviderKind, ProviderPatch, create_provider, delete_provider,
    list_providers, update_provider,
};
pub use service::{Attribution, LlmService, ServiceError};
pub use usage::{UsageFilter, UsageGroup, UsageRecord, UsageTotal, record_usage, usage_totals};

/// How a registry operation fails; the API maps each to its error code.
#[derive(Debug, thiserror::Error)]
pub enum RegistryError {
    #[error("{0}")]
    NotFound(String),
    #[error("{0}")]
    Conflict(String),
    #[error("{field}: {message}")]
    Invalid {
        field: &'static str,
        message: String,
    },
    #[error(transparent)]
    Db(#[from] anyhow::Error),
}

impl From<tokio_postgres::Error> for RegistryError {
    fn from(e: tokio_postgres::Error) -> Self {
        RegistryError::Db(e.into())
    }
}

impl From<deadpool_postgres::PoolError> for RegistryError {
    fn from(e: deadpool_postgres::PoolError) -> Self {
        RegistryError::Db(e.into())
    }
}

fn invalid(field: &'static str, message: impl Into<String>) -> RegistryError {
    RegistryError::Invalid {
        field,
        message: message.into(),
    }
}

/// Reads `null` as `Some(None)` (remove) where an absent field is `None` (keep).
mod double_option {
    use serde::{Deserialize, Deserializer};
    pub fn deserialize<'de, D: Deserializer<'de>>(
        d: D,
    ) -> Result<Option<Option<String>>, D::Error> {
        Option::<String>::deserialize(d).map(Some)
    }
}
