//! Providers: where models run (the local engines, an OpenAI-compatible server, Anthropic), with
//! the environment variable that holds their key. Admins add, change and delete them; the one
//! local provider is built in.

use chrono::{DateTime, Utc};
use deadpool_postgres::Pool;
use serde::{Deserialize, Serialize};
use serde_json::json;
use uuid::Uuid;

use super::store::{self, unique_violation};
use super::{RegistryError, invalid};
use crate::audit::record_change;
use crate::core::identity::Identity;
use crate::events::{EventType, Scope};

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
    pub(super) fn parse(s: &str) -> Self {
        match s {
            "openai" => ProviderKind::OpenAi,
            "anthropic" => ProviderKind::Anthropic,
            _ => ProviderKind::Local,
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
    #[serde(default, with = "super::double_option")]
    #[schema(value_type = Option<String>)]
    pub secret_ref: Option<Option<String>>,
}

fn check_name(name: &str) -> Result<(), RegistryError> {
    let ok = name.len() <= 63
        && name
            .chars()
            .next()
            .is_some_and(|c| c.is_ascii_lowercase() || c.is_ascii_digit())
        && name
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || "._-".contains(c));
    if ok {
        Ok(())
    } else {
        Err(invalid(
            "name",
            "1 to 63 of lower-case letters, digits and . _ - (starting with a letter or digit)",
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

pub async fn list_providers(pool: &Pool) -> Result<Vec<Provider>, RegistryError> {
    let client = pool.get().await?;
    Ok(store::providers::list(&client).await?)
}

pub async fn create_provider(
    pool: &Pool,
    who: &Identity,
    new: NewProvider,
) -> Result<Provider, RegistryError> {
    check_name(&new.name)?;
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
    let p = store::providers::insert(&tx, &new).await.map_err(|e| {
        if unique_violation(&e) {
            RegistryError::Conflict(format!("a provider named {:?} exists", new.name))
        } else {
            e.into()
        }
    })?;
    record_change(
        &tx,
        who,
        EventType::LlmProviderCreated,
        Scope::default(),
        json!({"provider": p}),
    )
    .await?;
    tx.commit().await?;
    Ok(p)
}

pub async fn update_provider(
    pool: &Pool,
    who: &Identity,
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
    let Some(before) = store::providers::lock(&tx, id).await? else {
        return Err(RegistryError::NotFound(format!("no provider {id}")));
    };
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
    let after = store::providers::update(&tx, id, &base_url, &secret_ref).await?;
    record_change(
        &tx,
        who,
        EventType::LlmProviderUpdated,
        Scope::default(),
        json!({"before": before, "after": after}),
    )
    .await?;
    tx.commit().await?;
    Ok(after)
}

pub async fn delete_provider(pool: &Pool, who: &Identity, id: Uuid) -> Result<(), RegistryError> {
    let mut client = pool.get().await?;
    let tx = client.transaction().await?;
    let Some(p) = store::providers::lock(&tx, id).await? else {
        return Err(RegistryError::NotFound(format!("no provider {id}")));
    };
    if p.kind == ProviderKind::Local {
        return Err(RegistryError::Conflict(
            "the local provider cannot be deleted".into(),
        ));
    }
    let used = store::providers::models_using(&tx, id).await?;
    if used > 0 {
        return Err(RegistryError::Conflict(format!(
            "{used} model(s) use provider {:?}; delete or move them first",
            p.name
        )));
    }
    store::providers::delete(&tx, id).await?;
    record_change(
        &tx,
        who,
        EventType::LlmProviderDeleted,
        Scope::default(),
        json!({"provider": p}),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secret_refs_name_an_environment_variable_but_not_ours() {
        assert!(check_secret_ref("env:OPENAI_API_KEY").is_ok());
        assert!(check_secret_ref("env:_KEY2").is_ok());
        assert!(check_secret_ref("OPENAI_API_KEY").is_err());
        assert!(check_secret_ref("env:GATHERING_JWT_SECRET").is_err());
        assert!(check_secret_ref("env:DATABASE_URL").is_err());
        assert!(check_secret_ref("env:2KEY").is_err());
        assert!(check_secret_ref("env:MY-KEY").is_err());
    }

    #[test]
    fn provider_names_and_urls_are_checked() {
        assert!(check_name("ollama-1.local_x").is_ok());
        assert!(check_name("Ollama").is_err());
        assert!(check_name("-x").is_err());
        assert!(check_name(&"a".repeat(64)).is_err());
        assert!(check_base_url("http://127.0.0.1:11434/v1").is_ok());
        assert!(check_base_url("ftp://example.com").is_err());
        assert!(check_base_url("not a url").is_err());
    }
}
