//! Models as users name them: each runs at one provider under the provider's own model name, with
//! its kind (chat or embedding), limits, capabilities, prices and an optional fallback. Admins
//! add, change and delete them; the built-in local models can only be disabled.

use chrono::{DateTime, Utc};
use deadpool_postgres::Pool;
use serde::{Deserialize, Serialize};
use serde_json::json;
use uuid::Uuid;

use super::providers::ProviderKind;
use super::store::{self, unique_violation};
use super::{RegistryError, invalid};
use crate::audit::record_change;
use crate::core::identity::Identity;
use crate::events::{EventType, Scope};

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
    #[serde(default, with = "super::double_option")]
    #[schema(value_type = Option<String>)]
    pub fallback: Option<Option<String>>,
    pub enabled: Option<bool>,
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

fn check_new(new: &NewModel) -> Result<(), RegistryError> {
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
    check_price("output_price_per_mtok", new.output_price_per_mtok)
}

fn check_patch(patch: &ModelPatch) -> Result<(), RegistryError> {
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
    Ok(())
}

pub async fn list_models(pool: &Pool) -> Result<Vec<Model>, RegistryError> {
    let client = pool.get().await?;
    Ok(store::models::list(&client).await?)
}

pub async fn get_model(pool: &Pool, name: &str) -> Result<Model, RegistryError> {
    let client = pool.get().await?;
    store::models::by_name(&client, name)
        .await?
        .ok_or_else(|| RegistryError::NotFound(format!("no model named {name:?}")))
}

async fn model_by_id(
    tx: &deadpool_postgres::Transaction<'_>,
    id: Uuid,
) -> Result<Model, RegistryError> {
    store::models::by_id(tx, id)
        .await?
        .ok_or_else(|| RegistryError::NotFound(format!("no model {id}")))
}

/// The id of the model called `name`, if it may be the fallback of a model of `kind` (`own`, when
/// it exists already): of the same kind, not itself, and not leading back to it.
async fn fallback_id(
    tx: &deadpool_postgres::Transaction<'_>,
    name: &str,
    kind: ModelKind,
    own: Option<Uuid>,
) -> Result<Uuid, RegistryError> {
    let (id, its_kind) = store::models::id_and_kind(tx, name)
        .await?
        .ok_or_else(|| invalid("fallback", format!("no model named {name:?}")))?;
    if Some(id) == own {
        return Err(invalid("fallback", "a model cannot fall back to itself"));
    }
    if its_kind != kind.as_str() {
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
        at = store::models::fallback_of(tx, cur).await?;
    }
    Err(invalid("fallback", "the fallback chain is too long"))
}

pub async fn create_model(
    pool: &Pool,
    who: &Identity,
    new: NewModel,
) -> Result<Model, RegistryError> {
    check_new(&new)?;
    let mut client = pool.get().await?;
    let tx = client.transaction().await?;
    let provider_id = store::providers::id_by_name(&tx, &new.provider)
        .await?
        .ok_or_else(|| invalid("provider", format!("no provider named {:?}", new.provider)))?;
    let fallback = match &new.fallback {
        Some(name) => Some(fallback_id(&tx, name, new.kind, None).await?),
        None => None,
    };
    let id = Uuid::now_v7();
    store::models::insert(&tx, id, provider_id, fallback, &new)
        .await
        .map_err(|e| {
            if unique_violation(&e) {
                RegistryError::Conflict(format!("a model named {:?} exists", new.name))
            } else {
                e.into()
            }
        })?;
    let m = model_by_id(&tx, id).await?;
    record_change(
        &tx,
        who,
        EventType::LlmModelCreated,
        Scope::default(),
        json!({"model": m}),
    )
    .await?;
    tx.commit().await?;
    Ok(m)
}

pub async fn update_model(
    pool: &Pool,
    who: &Identity,
    id: Uuid,
    patch: ModelPatch,
) -> Result<Model, RegistryError> {
    check_patch(&patch)?;
    let mut client = pool.get().await?;
    let tx = client.transaction().await?;
    store::models::lock(&tx, id).await?;
    let before = model_by_id(&tx, id).await?;
    let fallback = match &patch.fallback {
        Some(Some(name)) => Some(Some(fallback_id(&tx, name, before.kind, Some(id)).await?)),
        Some(None) => Some(None),
        None => None,
    };
    store::models::update(&tx, id, &patch, fallback).await?;
    let after = model_by_id(&tx, id).await?;
    record_change(
        &tx,
        who,
        EventType::LlmModelUpdated,
        Scope::default(),
        json!({"before": before, "after": after}),
    )
    .await?;
    tx.commit().await?;
    Ok(after)
}

pub async fn delete_model(pool: &Pool, who: &Identity, id: Uuid) -> Result<(), RegistryError> {
    let mut client = pool.get().await?;
    let tx = client.transaction().await?;
    let m = model_by_id(&tx, id).await?;
    if m.provider_kind == ProviderKind::Local {
        return Err(RegistryError::Conflict(
            "the built-in local models cannot be deleted; disable them instead".into(),
        ));
    }
    store::models::delete(&tx, id).await?;
    record_change(
        &tx,
        who,
        EventType::LlmModelDeleted,
        Scope::default(),
        json!({"model": m}),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn new_model() -> NewModel {
        NewModel {
            name: "gpt-4o-mini".into(),
            provider: "openai".into(),
            provider_model: "gpt-4o-mini".into(),
            kind: ModelKind::Chat,
            context_window: 128_000,
            dimension: None,
            capabilities: vec!["streaming".into(), "tools".into()],
            input_price_per_mtok: 0.15,
            output_price_per_mtok: 0.6,
            fallback: None,
            enabled: true,
        }
    }

    #[test]
    fn a_new_model_is_checked_field_by_field() {
        assert!(check_new(&new_model()).is_ok());
        let field = |m: NewModel| match check_new(&m) {
            Err(RegistryError::Invalid { field, .. }) => field,
            other => panic!("expected a refusal, got {other:?}"),
        };
        assert_eq!(
            field(NewModel {
                name: "/x".into(),
                ..new_model()
            }),
            "name"
        );
        assert_eq!(
            field(NewModel {
                context_window: 0,
                ..new_model()
            }),
            "context_window"
        );
        assert_eq!(
            field(NewModel {
                dimension: Some(384),
                ..new_model()
            }),
            "dimension"
        );
        assert_eq!(
            field(NewModel {
                kind: ModelKind::Embedding,
                ..new_model()
            }),
            "dimension"
        );
        assert_eq!(
            field(NewModel {
                capabilities: vec!["telepathy".into()],
                ..new_model()
            }),
            "capabilities"
        );
        assert_eq!(
            field(NewModel {
                output_price_per_mtok: f64::NAN,
                ..new_model()
            }),
            "output_price_per_mtok"
        );
    }

    #[test]
    fn cost_is_per_million_tokens() {
        let model = Model {
            id: Uuid::nil(),
            name: "m".into(),
            provider: "p".into(),
            provider_kind: ProviderKind::OpenAi,
            provider_model: "m".into(),
            kind: ModelKind::Chat,
            context_window: 1,
            dimension: None,
            capabilities: Vec::new(),
            input_price_per_mtok: 2.0,
            output_price_per_mtok: 8.0,
            fallback: None,
            enabled: true,
            created_at: Utc::now(),
            updated_at: Utc::now(),
            base_url: None,
            secret_ref: None,
        };
        assert!((model.cost(500_000, 250_000) - 3.0).abs() < 1e-9);
    }
}
