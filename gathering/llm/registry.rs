//! The provider and model registry (`llm.providers`, `llm.models`) and the usage ledger
//! (`llm.usage`). Admins edit the registry; every change is audited and published on the bus.

use chrono::{DateTime, Utc};
use deadpool_postgres::Pool;
use serde::{Deserialize, Serialize};
use serde_json::json;
use tokio_postgres::Row;
use tokio_postgres::error::SqlState;
use uuid::Uuid;

use crate::audit::{self, Outcome, RequestMeta};
use crate::events::{EventType, NewEvent, Scope, outbox};

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

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum ProviderKind {
    Local,
    #[serde(rename = "openai")]
    OpenAi,
    Anthropic,
}

impl ProviderKind {
    pub fn as_str(self) -> &'static str {
        match self {
            ProviderKind::Local => "local",
            ProviderKind::OpenAi => "openai",
            ProviderKind::Anthropic => "anthropic",
        }
    }
    fn parse(s: &str) -> Self {
        match s {
            "openai" => ProviderKind::OpenAi,
            "anthropic" => ProviderKind::Anthropic,
            _ => ProviderKind::Local,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum ModelKind {
    Chat,
    Embedding,
}

impl ModelKind {
    pub fn as_str(self) -> &'static str {
        match self {
            ModelKind::Chat => "chat",
            ModelKind::Embedding => "embedding",
        }
    }
}

/// Where models run. The secret is read at call time from what `secret_ref` names.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct Provider {
    pub id: Uuid,
    pub name: String,
    pub kind: ProviderKind,
    pub base_url: Option<String>,
    /// `env:NAME`: the environment variable holding the API key.
    pub secret_ref: Option<String>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// A model as users name it, with its provider resolved.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct Model {
    pub id: Uuid,
    pub name: String,
    pub provider: String,
    pub provider_kind: ProviderKind,
    /// The provider's own name for the model.
    pub provider_model: String,
    pub kind: ModelKind,
    pub context_window: i32,
    pub dimension: Option<i32>,
    pub capabilities: Vec<String>,
    /// US dollars per million prompt tokens.
    pub input_price_per_mtok: f64,
    /// US dollars per million generated tokens.
    pub output_price_per_mtok: f64,
    /// Tried when this model's provider fails.
    pub fallback: Option<String>,
    pub enabled: bool,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    #[serde(skip)]
    pub base_url: Option<String>,
    #[serde(skip)]
    pub secret_ref: Option<String>,
}

impl Model {
    /// The cost of a call in US dollars.
    pub fn cost(&self, prompt_tokens: u32, completion_tokens: u32) -> f64 {
        (prompt_tokens as f64 * self.input_price_per_mtok
            + completion_tokens as f64 * self.output_price_per_mtok)
            / 1_000_000.0
    }
}

const PROVIDER_COLUMNS: &str = "id, name, kind, base_url, secret_ref, created_at, updated_at";

fn provider(row: &Row) -> Provider {
    Provider {
        id: row.get("id"),
        name: row.get("name"),
        kind: ProviderKind::parse(row.get("kind")),
        base_url: row.get("base_url"),
        secret_ref: row.get("secret_ref"),
        created_at: row.get("created_at"),
        updated_at: row.get("updated_at"),
    }
}

const MODEL_SELECT: &str = "SELECT m.id, m.name, p.name AS provider, p.kind AS provider_kind,
    p.base_url, p.secret_ref, m.provider_model, m.kind, m.context_window, m.dimension,
    m.capabilities, m.input_price_per_mtok::float8 AS input_price,
    m.output_price_per_mtok::float8 AS output_price, f.name AS fallback, m.enabled,
    m.created_at, m.updated_at
    FROM llm.models m JOIN llm.providers p ON p.id = m.provider_id
    LEFT JOIN llm.models f ON f.id = m.fallback_id";

fn model(row: &Row) -> Model {
    Model {
        id: row.get("id"),
        name: row.get("name"),
        provider: row.get("provider"),
        provider_kind: ProviderKind::parse(row.get("provider_kind")),
        provider_model: row.get("provider_model"),
        kind: if row.get::<_, &str>("kind") == "embedding" {
            ModelKind::Embedding
        } else {
            ModelKind::Chat
        },
        context_window: row.get("context_window"),
        dimension: row.get("dimension"),
        capabilities: row.get("capabilities"),
        input_price_per_mtok: row.get("input_price"),
        output_price_per_mtok: row.get("output_price"),
        fallback: row.get("fallback"),
        enabled: row.get("enabled"),
        created_at: row.get("created_at"),
        updated_at: row.get("updated_at"),
        base_url: row.get("base_url"),
        secret_ref: row.get("secret_ref"),
    }
}

/// Fields of a new provider.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewProvider {
    pub name: String,
    pub kind: ProviderKind,
    pub base_url: Option<String>,
    pub secret_ref: Option<String>,
}

/// Changes to a provider; absent fields stay.
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ProviderPatch {
    pub base_url: Option<String>,
    /// `null` removes the secret reference.
    #[serde(default, with = "double_option")]
    #[schema(value_type = Option<String>)]
    pub secret_ref: Option<Option<String>>,
}

/// Fields of a new model.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewModel {
    pub name: String,
    /// The provider's name.
    pub provider: String,
    pub provider_model: String,
    pub kind: ModelKind,
    pub context_window: i32,
    pub dimension: Option<i32>,
    #[serde(default)]
    pub capabilities: Vec<String>,
    #[serde(default)]
    pub input_price_per_mtok: f64,
    #[serde(default)]
    pub output_price_per_mtok: f64,
    /// Another model's name.
    pub fallback: Option<String>,
    #[serde(default = "yes")]
    pub enabled: bool,
}

fn yes() -> bool {
    true
}

/// Changes to a model; absent fields stay.
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ModelPatch {
    pub provider_model: Option<String>,
    pub context_window: Option<i32>,
    pub capabilities: Option<Vec<String>>,
    pub input_price_per_mtok: Option<f64>,
    pub output_price_per_mtok: Option<f64>,
    /// A model's name, or `null` for none.
    #[serde(default, with = "double_option")]
    #[schema(value_type = Option<String>)]
    pub fallback: Option<Option<String>>,
    pub enabled: Option<bool>,
}

mod double_option {
    use serde::{Deserialize, Deserializer};
    pub fn deserialize<'de, D: Deserializer<'de>>(
        d: D,
    ) -> Result<Option<Option<String>>, D::Error> {
        Option::<String>::deserialize(d).map(Some)
    }
}

const CAPABILITIES: &[&str] = &["streaming", "tools", "embeddings", "vision", "json"];

fn check_name(field: &'static str, name: &str, max: usize) -> Result<(), RegistryError> {
    let ok = !name.is_empty()
        && name.len() <= max
        && name
            .chars()
            .next()
            .is_some_and(|c| c.is_ascii_alphanumeric())
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "._:/-".contains(c));
    if ok {
        Ok(())
    } else {
        Err(invalid(
            field,
            format!(
                "1 to {max} of letters, digits and . _ : / - (starting with a letter or digit)"
            ),
        ))
    }
}

fn check_base_url(url: &str) -> Result<(), RegistryError> {
    let parsed = url::Url::parse(url).map_err(|e| invalid("base_url", e.to_string()))?;
    if !matches!(parsed.scheme(), "http" | "https") || parsed.host().is_none() {
        return Err(invalid("base_url", "must be an http(s) URL with a host"));
    }
    Ok(())
}

fn check_secret_ref(r: &str) -> Result<(), RegistryError> {
    let name = r.strip_prefix("env:").ok_or_else(|| {
        invalid(
            "secret_ref",
            "must be env:NAME (the environment variable holding the key)",
        )
    })?;
    // The server's own secrets are not provider keys: naming them would let an admin send
    // them to any URL.
    if name.starts_with("GATHERING_") || name == "DATABASE_URL" {
        return Err(invalid(
            "secret_ref",
            "may not name the server's own settings (GATHERING_*, DATABASE_URL)",
        ));
    }
    let ok = name
        .chars()
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
    if ok {
        Ok(())
    } else {
        Err(invalid(
            "secret_ref",
            "not a valid environment variable name",
        ))
    }
}

fn check_price(field: &'static str, price: f64) -> Result<(), RegistryError> {
    if price.is_finite() && (0.0..=100_000.0).contains(&price) {
        Ok(())
    } else {
        Err(invalid(
            field,
            "must be between 0 and 100000 dollars per million tokens",
        ))
    }
}

fn check_capabilities(caps: &[String]) -> Result<(), RegistryError> {
    match caps.iter().find(|c| !CAPABILITIES.contains(&c.as_str())) {
        Some(c) => Err(invalid(
            "capabilities",
            format!(
                "unknown capability {c:?} (known: {})",
                CAPABILITIES.join(", ")
            ),
        )),
        None => Ok(()),
    }
}

fn unique_violation(e: &tokio_postgres::Error) -> bool {
    e.code() == Some(&SqlState::UNIQUE_VIOLATION)
}

async fn changed(
    tx: &deadpool_postgres::Transaction<'_>,
    actor: Uuid,
    meta: &RequestMeta,
    event_type: EventType,
    details: serde_json::Value,
) -> Result<(), RegistryError> {
    let entry = audit::Entry {
        actor_id: Some(actor),
        action: event_type.as_str(),
        outcome: Outcome::Success,
        meta,
        details: details.clone(),
    };
    audit::store::record(tx, &entry).await?;
    outbox::append(
        tx,
        &NewEvent::new(event_type, Scope::default(), Some(actor)).data(details),
    )
    .await?;
    Ok(())
}

pub async fn list_providers(pool: &Pool) -> Result<Vec<Provider>, RegistryError> {
    let client = pool.get().await?;
    let rows = client
        .query(
            &format!("SELECT {PROVIDER_COLUMNS} FROM llm.providers ORDER BY name"),
            &[],
        )
        .await?;
    Ok(rows.iter().map(provider).collect())
}

pub async fn create_provider(
    pool: &Pool,
    actor: Uuid,
    meta: &RequestMeta,
    new: NewProvider,
) -> Result<Provider, RegistryError> {
    let name_ok = new.name.len() <= 63
        && new
            .name
            .chars()
            .next()
            .is_some_and(|c| c.is_ascii_lowercase() || c.is_ascii_digit())
        && new
            .name
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || "._-".contains(c));
    if !name_ok {
        return Err(invalid(
            "name",
            "1 to 63 of lower-case letters, digits and . _ - (starting with a letter or digit)",
        ));
    }
    match (new.kind, &new.base_url) {
        (ProviderKind::Local, _) => {
            return Err(invalid(
                "kind",
                "there is one local provider, and it exists already",
            ));
        }
        (_, None) => {
            return Err(invalid(
                "base_url",
                "is required for openai and anthropic providers",
            ));
        }
        (_, Some(url)) => check_base_url(url)?,
    }
    if let Some(r) = &new.secret_ref {
        check_secret_ref(r)?;
    }
    let mut client = pool.get().await?;
    let tx = client.transaction().await?;
    let row = tx
        .query_one(
            &format!(
                "INSERT INTO llm.providers (id, name, kind, base_url, secret_ref)
                 VALUES ($1, $2, $3, $4, $5) RETURNING {PROVIDER_COLUMNS}"
            ),
            &[
                &Uuid::now_v7(),
                &new.name,
                &new.kind.as_str(),
                &new.base_url,
                &new.secret_ref,
            ],
        )
        .await
        .map_err(|e| {
            if unique_violation(&e) {
                RegistryError::Conflict(format!("a provider named {:?} exists", new.name))
            } else {
                e.into()
            }
        })?;
    let p = provider(&row);
    changed(
        &tx,
        actor,
        meta,
        EventType::LlmProviderCreated,
        json!({"provider": p}),
    )
    .await?;
    tx.commit().await?;
    Ok(p)
}

pub async fn update_provider(
    pool: &Pool,
    actor: Uuid,
    meta: &RequestMeta,
    id: Uuid,
    patch: ProviderPatch,
) -> Result<Provider, RegistryError> {
    if let Some(url) = &patch.base_url {
        check_base_url(url)?;
    }
    if let Some(Some(r)) = &patch.secret_ref {
        check_secret_ref(r)?;
    }
    let mut client = pool.get().await?;
    let tx = client.transaction().await?;
    let Some(before) = tx
        .query_opt(
            &format!("SELECT {PROVIDER_COLUMNS} FROM llm.providers WHERE id = $1 FOR UPDATE"),
            &[&id],
        )
        .await?
    else {
        return Err(RegistryError::NotFound(format!("no provider {id}")));
    };
    let before = provider(&before);
    if before.kind == ProviderKind::Local
        && (patch.base_url.is_some() || patch.secret_ref.is_some())
    {
        return Err(invalid(
            "base_url",
            "the local provider has no URL or secret",
        ));
    }
    let base_url = patch.base_url.or(before.base_url.clone());
    let secret_ref = patch.secret_ref.unwrap_or(before.secret_ref.clone());
    let row = tx
        .query_one(
            &format!(
                "UPDATE llm.providers SET base_url = $2, secret_ref = $3, updated_at = now()
                 WHERE id = $1 RETURNING {PROVIDER_COLUMNS}"
            ),
            &[&id, &base_url, &secret_ref],
        )
        .await?;
    let after = provider(&row);
    changed(
        &tx,
        actor,
        meta,
        EventType::LlmProviderUpdated,
        json!({"before": before, "after": after}),
    )
    .await?;
    tx.commit().await?;
    Ok(after)
}

pub async fn delete_provider(
    pool: &Pool,
    actor: Uuid,
    meta: &RequestMeta,
    id: Uuid,
) -> Result<(), RegistryError> {
    let mut client = pool.get().await?;
    let tx = client.transaction().await?;
    let Some(row) = tx
        .query_opt(
            &format!("SELECT {PROVIDER_COLUMNS} FROM llm.providers WHERE id = $1 FOR UPDATE"),
            &[&id],
        )
        .await?
    else {
        return Err(RegistryError::NotFound(format!("no provider {id}")));
    };
    let p = provider(&row);
    if p.kind == ProviderKind::Local {
        return Err(RegistryError::Conflict(
            "the local provider cannot be deleted".into(),
        ));
    }
    let used: i64 = tx
        .query_one(
            "SELECT count(*) FROM llm.models WHERE provider_id = $1",
            &[&id],
        )
        .await?
        .get(0);
    if used > 0 {
        return Err(RegistryError::Conflict(format!(
            "{used} model(s) use provider {:?}; delete or move them first",
            p.name
        )));
    }
    tx.execute("DELETE FROM llm.providers WHERE id = $1", &[&id])
        .await?;
    changed(
        &tx,
        actor,
        meta,
        EventType::LlmProviderDeleted,
        json!({"provider": p}),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

pub async fn list_models(pool: &Pool) -> Result<Vec<Model>, RegistryError> {
    let client = pool.get().await?;
    let rows = client
        .query(&format!("{MODEL_SELECT} ORDER BY m.name"), &[])
        .await?;
    Ok(rows.iter().map(model).collect())
}

pub async fn get_model(pool: &Pool, name: &str) -> Result<Model, RegistryError> {
    let client = pool.get().await?;
    client
        .query_opt(&format!("{MODEL_SELECT} WHERE m.name = $1"), &[&name])
        .await?
        .map(|r| model(&r))
        .ok_or_else(|| RegistryError::NotFound(format!("no model named {name:?}")))
}

async fn model_by_id(
    tx: &deadpool_postgres::Transaction<'_>,
    id: Uuid,
) -> Result<Model, RegistryError> {
    tx.query_opt(&format!("{MODEL_SELECT} WHERE m.id = $1"), &[&id])
        .await?
        .map(|r| model(&r))
        .ok_or_else(|| RegistryError::NotFound(format!("no model {id}")))
}

async fn fallback_id(
    tx: &deadpool_postgres::Transaction<'_>,
    name: &str,
    kind: ModelKind,
    own: Option<Uuid>,
) -> Result<Uuid, RegistryError> {
    let row = tx
        .query_opt("SELECT id, kind FROM llm.models WHERE name = $1", &[&name])
        .await?
        .ok_or_else(|| invalid("fallback", format!("no model named {name:?}")))?;
    let id: Uuid = row.get(0);
    if Some(id) == own {
        return Err(invalid("fallback", "a model cannot fall back to itself"));
    }
    if row.get::<_, &str>(1) != kind.as_str() {
        return Err(invalid(
            "fallback",
            format!("{name:?} is not a {} model", kind.as_str()),
        ));
    }
    // Refuse a loop: follow the chain from the fallback.
    let mut at = Some(id);
    for _ in 0..32 {
        let Some(cur) = at else { return Ok(id) };
        if Some(cur) == own {
            return Err(invalid("fallback", "this would make a fallback loop"));
        }
        at = tx
            .query_one("SELECT fallback_id FROM llm.models WHERE id = $1", &[&cur])
            .await?
            .get(0);
    }
    Err(invalid("fallback", "the fallback chain is too long"))
}

pub async fn create_model(
    pool: &Pool,
    actor: Uuid,
    meta: &RequestMeta,
    new: NewModel,
) -> Result<Model, RegistryError> {
    check_name("name", &new.name, 128)?;
    if new.provider_model.trim().is_empty() || new.provider_model.len() > 200 {
        return Err(invalid("provider_model", "1 to 200 characters"));
    }
    if new.context_window <= 0 {
        return Err(invalid("context_window", "must be positive"));
    }
    match (new.kind, new.dimension) {
        (ModelKind::Embedding, None) => {
            return Err(invalid("dimension", "is required for embedding models"));
        }
        (ModelKind::Embedding, Some(d)) if d <= 0 => {
            return Err(invalid("dimension", "must be positive"));
        }
        (ModelKind::Chat, Some(_)) => {
            return Err(invalid("dimension", "only embedding models have one"));
        }
        _ => {}
    }
    check_capabilities(&new.capabilities)?;
    check_price("input_price_per_mtok", new.input_price_per_mtok)?;
    check_price("output_price_per_mtok", new.output_price_per_mtok)?;
    let mut client = pool.get().await?;
    let tx = client.transaction().await?;
    let provider_id: Uuid = tx
        .query_opt(
            "SELECT id FROM llm.providers WHERE name = $1",
            &[&new.provider],
        )
        .await?
        .ok_or_else(|| invalid("provider", format!("no provider named {:?}", new.provider)))?
        .get(0);
    let fallback = match &new.fallback {
        Some(name) => Some(fallback_id(&tx, name, new.kind, None).await?),
        None => None,
    };
    let id = Uuid::now_v7();
    tx.execute(
        "INSERT INTO llm.models (id, name, provider_id, provider_model, kind, context_window,
            dimension, capabilities, input_price_per_mtok, output_price_per_mtok, fallback_id, enabled)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9::float8::numeric, $10::float8::numeric, $11, $12)",
        &[
            &id,
            &new.name,
            &provider_id,
            &new.provider_model,
            &new.kind.as_str(),
            &new.context_window,
            &new.dimension,
            &new.capabilities,
            &new.input_price_per_mtok,
            &new.output_price_per_mtok,
            &fallback,
            &new.enabled,
        ],
    )
    .await
    .map_err(|e| {
        if unique_violation(&e) {
            RegistryError::Conflict(format!("a model named {:?} exists", new.name))
        } else {
            e.into()
        }
    })?;
    let m = model_by_id(&tx, id).await?;
    changed(
        &tx,
        actor,
        meta,
        EventType::LlmModelCreated,
        json!({"model": m}),
    )
    .await?;
    tx.commit().await?;
    Ok(m)
}

pub async fn update_model(
    pool: &Pool,
    actor: Uuid,
    meta: &RequestMeta,
    id: Uuid,
    patch: ModelPatch,
) -> Result<Model, RegistryError> {
    if let Some(c) = &patch.capabilities {
        check_capabilities(c)?;
    }
    if let Some(p) = patch.input_price_per_mtok {
        check_price("input_price_per_mtok", p)?;
    }
    if let Some(p) = patch.output_price_per_mtok {
        check_price("output_price_per_mtok", p)?;
    }
    if patch.context_window.is_some_and(|c| c <= 0) {
        return Err(invalid("context_window", "must be positive"));
    }
    if patch
        .provider_model
        .as_ref()
        .is_some_and(|p| p.trim().is_empty() || p.len() > 200)
    {
        return Err(invalid("provider_model", "1 to 200 characters"));
    }
    let mut client = pool.get().await?;
    let tx = client.transaction().await?;
    tx.execute("SELECT 1 FROM llm.models WHERE id = $1 FOR UPDATE", &[&id])
        .await?;
    let before = model_by_id(&tx, id).await?;
    let fallback = match &patch.fallback {
        Some(Some(name)) => Some(Some(fallback_id(&tx, name, before.kind, Some(id)).await?)),
        Some(None) => Some(None),
        None => None,
    };
    tx.execute(
        "UPDATE llm.models SET
            provider_model = coalesce($2, provider_model),
            context_window = coalesce($3, context_window),
            capabilities = coalesce($4, capabilities),
            input_price_per_mtok = coalesce($5::float8::numeric, input_price_per_mtok),
            output_price_per_mtok = coalesce($6::float8::numeric, output_price_per_mtok),
            fallback_id = CASE WHEN $7 THEN $8 ELSE fallback_id END,
            enabled = coalesce($9, enabled),
            updated_at = now()
         WHERE id = $1",
        &[
            &id,
            &patch.provider_model,
            &patch.context_window,
            &patch.capabilities,
            &patch.input_price_per_mtok,
            &patch.output_price_per_mtok,
            &fallback.is_some(),
            &fallback.flatten(),
            &patch.enabled,
        ],
    )
    .await?;
    let after = model_by_id(&tx, id).await?;
    changed(
        &tx,
        actor,
        meta,
        EventType::LlmModelUpdated,
        json!({"before": before, "after": after}),
    )
    .await?;
    tx.commit().await?;
    Ok(after)
}

pub async fn delete_model(
    pool: &Pool,
    actor: Uuid,
    meta: &RequestMeta,
    id: Uuid,
) -> Result<(), RegistryError> {
    let mut client = pool.get().await?;
    let tx = client.transaction().await?;
    let m = model_by_id(&tx, id).await?;
    if m.provider_kind == ProviderKind::Local {
        return Err(RegistryError::Conflict(
            "the built-in local models cannot be deleted; disable them instead".into(),
        ));
    }
    tx.execute("DELETE FROM llm.models WHERE id = $1", &[&id])
        .await?;
    changed(
        &tx,
        actor,
        meta,
        EventType::LlmModelDeleted,
        json!({"model": m}),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// One call, as the ledger keeps it.
#[derive(Debug, Clone)]
pub struct UsageRecord {
    pub model_id: Option<Uuid>,
    pub model_name: String,
    pub provider: String,
    pub operation: ModelKind,
    pub user_id: Option<Uuid>,
    pub api_key_id: Option<Uuid>,
    pub agent_id: Option<Uuid>,
    pub conversation_id: Option<Uuid>,
    pub prompt_tokens: u32,
    pub completion_tokens: u32,
    pub cost_usd: f64,
    pub latency_ms: u64,
    pub outcome: &'static str,
    pub error: Option<String>,
}

pub async fn record_usage(pool: &Pool, u: &UsageRecord) -> Result<(), RegistryError> {
    let client = pool.get().await?;
    client
        .execute(
            "INSERT INTO llm.usage (id, model_id, model_name, provider, operation, user_id,
                api_key_id, prompt_tokens, completion_tokens, cost_usd, latency_ms, outcome, error,
                agent_id, conversation_id)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10::float8::numeric, $11, $12, $13,
                $14, $15)",
            &[
                &Uuid::now_v7(),
                &u.model_id,
                &u.model_name,
                &u.provider,
                &u.operation.as_str(),
                &u.user_id,
                &u.api_key_id,
                &(u.prompt_tokens as i32),
                &(u.completion_tokens as i32),
                &u.cost_usd,
                &(u.latency_ms.min(i32::MAX as u64) as i32),
                &u.outcome,
                &u.error,
                &u.agent_id,
                &u.conversation_id,
            ],
        )
        .await?;
    Ok(())
}

/// Usage totals over a period, grouped.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct UsageTotal {
    /// The model name, the user id, the day (YYYY-MM-DD), the agent id or the conversation id,
    /// by `group_by`.
    pub key: Option<String>,
    pub calls: i64,
    pub errors: i64,
    pub prompt_tokens: i64,
    pub completion_tokens: i64,
    pub cost_usd: f64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum UsageGroup {
    Model,
    User,
    Day,
    Agent,
    Conversation,
}

/// Which calls to total: every filter set must hold.
#[derive(Debug, Clone, Copy, Default)]
pub struct UsageFilter {
    pub user_id: Option<Uuid>,
    pub agent_id: Option<Uuid>,
    pub conversation_id: Option<Uuid>,
    pub since: Option<DateTime<Utc>>,
    pub until: Option<DateTime<Utc>>,
}

pub async fn usage_totals(
    pool: &Pool,
    group: UsageGroup,
    filter: UsageFilter,
) -> Result<Vec<UsageTotal>, RegistryError> {
    let key = match group {
        UsageGroup::Model => "model_name",
        UsageGroup::User => "user_id::text",
        UsageGroup::Day => "to_char(at AT TIME ZONE 'UTC', 'YYYY-MM-DD')",
        UsageGroup::Agent => "agent_id::text",
        UsageGroup::Conversation => "conversation_id::text",
    };
    let client = pool.get().await?;
    let rows = client
        .query(
            &format!(
                "SELECT {key} AS key, count(*) AS calls,
                    count(*) FILTER (WHERE outcome = 'error') AS errors,
                    coalesce(sum(prompt_tokens), 0)::int8 AS prompt_tokens,
                    coalesce(sum(completion_tokens), 0)::int8 AS completion_tokens,
                    coalesce(sum(cost_usd), 0)::float8 AS cost_usd
                 FROM llm.usage
                 WHERE ($1::uuid IS NULL OR user_id = $1)
                   AND ($2::timestamptz IS NULL OR at >= $2)
                   AND ($3::timestamptz IS NULL OR at < $3)
                   AND ($4::uuid IS NULL OR agent_id = $4)
                   AND ($5::uuid IS NULL OR conversation_id = $5)
                 GROUP BY 1 ORDER BY 1"
            ),
            &[
                &filter.user_id,
                &filter.since,
                &filter.until,
                &filter.agent_id,
                &filter.conversation_id,
            ],
        )
        .await?;
    Ok(rows
        .iter()
        .map(|r| UsageTotal {
            key: r.get("key"),
            calls: r.get("calls"),
            errors: r.get("errors"),
            prompt_tokens: r.get("prompt_tokens"),
            completion_tokens: r.get("completion_tokens"),
            cost_usd: r.get("cost_usd"),
        })
        .collect())
}
