//! API keys for scripts and integrators: created from a signed-in session, shown once, stored
//! as a sha256 with a short visible prefix, scoped to a role no higher than the creator's
//! (checked at creation and again on every use), optionally expiring, revocable by their owner
//! or an admin. Creation and revocation are audited and published (`api_key.created`,
//! `api_key.revoked`).

use chrono::{DateTime, Utc};
use deadpool_postgres::{GenericClient, Pool};
use serde_json::json;
use uuid::Uuid;

use super::model::{Credential, Principal, Role};
use super::{Auth, AuthError, store, tokens};
use crate::audit;
use crate::core::identity::Identity;
use crate::events::{EventType, Scope};

/// Visible characters of a key kept for display (`gk_` and 8 hex digits).
const DISPLAY_PREFIX_CHARS: usize = 11;
/// `last_used_at` is written at most this often per key, not on every request.
const LAST_USED_RESOLUTION_SECS: i64 = 60;

/// A key as stored (without its hash).
#[derive(Debug, Clone)]
pub struct ApiKey {
    pub id: Uuid,
    pub user_id: Uuid,
    pub name: String,
    /// The first characters of the key, for telling keys apart.
    pub prefix: String,
    pub role: Role,
    pub created_at: DateTime<Utc>,
    pub expires_at: Option<DateTime<Utc>>,
    pub last_used_at: Option<DateTime<Utc>>,
    pub revoked_at: Option<DateTime<Utc>>,
}

/// What a user asks for.
#[derive(Debug)]
pub struct NewApiKey {
    pub name: String,
    /// Defaults to the creator's role.
    pub role: Option<Role>,
    pub expires_at: Option<DateTime<Utc>>,
}

/// A new key with its secret, which is never shown again.
#[derive(Debug)]
pub struct CreatedApiKey {
    pub key: ApiKey,
    pub secret: String,
}

impl Auth {
    /// Creates a key for the principal's user. Only a password session may create keys, so a
    /// leaked key cannot mint itself successors that outlive it.
    pub async fn create_api_key(
        &self,
        pool: &Pool,
        who: &Identity,
        new: NewApiKey,
    ) -> Result<CreatedApiKey, AuthError> {
        let user_id = require_session(who, "create API keys")?;
        let name = new.name.trim();
        if name.is_empty() || name.chars().count() > 100 {
            return Err(AuthError::Invalid(
                "name must be 1 to 100 characters".into(),
            ));
        }
        let role = new.role.unwrap_or(who.role);
        if role > who.role {
            return Err(AuthError::Forbidden(format!(
                "a key cannot have more power than its creator: you are {}, the key asks for {role}",
                who.role
            )));
        }
        if new.expires_at.is_some_and(|at| at <= Utc::now()) {
            return Err(AuthError::Invalid(
                "expires_at must be in the future".into(),
            ));
        }
        let (secret, hash) = tokens::new_api_key();
        let prefix: String = secret.chars().take(DISPLAY_PREFIX_CHARS).collect();
        let mut client = pool.get().await?;
        let tx = client.transaction().await?;
        let key = store::api_keys::insert(
            &tx,
            &store::api_keys::NewKeyRow {
                user_id,
                name,
                prefix: &prefix,
                key_hash: &hash,
                role,
                expires_at: new.expires_at,
            },
        )
        .await?;
        audit::record_change_detailed(
            &tx,
            who,
            EventType::ApiKeyCreated,
            Scope::user(key.user_id),
            json!({"key_id": key.id, "prefix": key.prefix, "role": role.as_str(),
                   "expires_at": key.expires_at}),
            key_data(&key),
        )
        .await?;
        tx.commit().await?;
        Ok(CreatedApiKey { key, secret })
    }

    /// The keys of `user_id` (revoked ones included), oldest first, after `after`.
    pub async fn list_api_keys(
        &self,
        pool: &Pool,
        user_id: Uuid,
        after: Option<Uuid>,
        limit: i64,
    ) -> Result<Vec<ApiKey>, AuthError> {
        let client = pool.get().await?;
        Ok(store::api_keys::list(&client, user_id, after, limit).await?)
    }

    /// Revokes a key of the principal's own, or anyone's for an admin, from a password
    /// session (so a leaked key cannot revoke its owner's other keys). Someone else's key is
    /// `NotFound` to a non-admin, so ids cannot be probed. Revoking twice is not an error.
    pub async fn revoke_api_key(
        &self,
        pool: &Pool,
        who: &Identity,
        key_id: Uuid,
    ) -> Result<ApiKey, AuthError> {
        let user_id = require_session(who, "revoke API keys")?;
        let mut client = pool.get().await?;
        let tx = client.transaction().await?;
        let key = match store::api_keys::lock(&tx, key_id).await? {
            Some(key) if key.user_id == user_id || who.is_admin() => key,
            _ => return Err(AuthError::NotFound("API key")),
        };
        if key.revoked_at.is_some() {
            return Ok(key);
        }
        let revoked = store::api_keys::revoke(&tx, key_id).await?;
        audit::record_change_detailed(
            &tx,
            who,
            EventType::ApiKeyRevoked,
            Scope::user(key.user_id),
            json!({"key_id": key.id, "prefix": key.prefix, "owner_id": key.user_id}),
            key_data(&revoked),
        )
        .await?;
        tx.commit().await?;
        Ok(revoked)
    }

    /// The principal of an API key, or `InvalidToken` if it is unknown, revoked, expired or
    /// its user disabled. Database errors propagate (the caller fails closed).
    pub(super) async fn key_principal(
        client: &impl GenericClient,
        secret: &str,
    ) -> Result<Option<Principal>, tokio_postgres::Error> {
        let hash = tokens::hash_token(secret);
        let found =
            store::api_keys::usable_by_hash(client, &hash, LAST_USED_RESOLUTION_SECS as f64)
                .await?;
        let Some(found) = found else {
            return Ok(None);
        };
        let key_id = found.key_id;
        let role = found.key_role.min(found.user_role);
        if found.stale {
            // Bookkeeping only: a failure here must not refuse a valid request.
            if let Err(e) = store::api_keys::touch_last_used(client, key_id).await {
                tracing::warn!(%key_id, "recording an API key's last use failed: {e}");
            }
        }
        Ok(Some(Principal {
            user_id: found.user_id,
            role,
            credential: Credential::ApiKey { key_id },
        }))
    }
}

/// The event data of a key's creation or revocation (never its secret or hash).
fn key_data(key: &ApiKey) -> serde_json::Value {
    json!({
        "key_id": key.id, "name": key.name, "prefix": key.prefix, "role": key.role.as_str(),
        "expires_at": key.expires_at, "revoked_at": key.revoked_at,
    })
}

/// The signed-in user, refusing an API key where only a password session will do.
pub(super) fn require_session(who: &Identity, what: &str) -> Result<Uuid, AuthError> {
    match (who.user_id, who.api_key_id) {
        (Some(user), None) => Ok(user),
        _ => Err(AuthError::Forbidden(format!(
            "API keys cannot {what}; sign in with a password session"
        ))),
    }
}
