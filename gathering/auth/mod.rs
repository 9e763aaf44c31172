//! Identity and sessions: users with roles, password login, short-lived signed access tokens,
//! rotating refresh tokens with reuse detection, logout that survives restarts, and a
//! revocation check that fails closed. Every outcome that matters is audited.

pub mod api_keys;
pub mod backoff;
pub mod model;
pub mod sessions;
pub mod settings;
pub mod setup;
pub mod store;
pub mod tokens;
pub mod users;

pub use settings::Settings;
pub use users::{NewUser, UserChanges, UserFilter};

use std::sync::{Arc, Mutex, OnceLock};
use std::time::Duration;

use chrono::Utc;
use deadpool_postgres::{GenericClient, Pool};
use secrecy::ExposeSecret;
use serde_json::json;
use uuid::Uuid;

use crate::audit::{self, Outcome, RequestMeta};
use model::{Credential, Principal, TokenPair, User};
use tokens::Keys;

/// Failures a caller can act on.
#[derive(Debug, thiserror::Error)]
pub enum AuthError {
    /// Wrong email or password, or a disabled account: deliberately indistinguishable.
    #[error("invalid email or password")]
    InvalidCredentials,
    #[error("the token is invalid, expired or revoked")]
    InvalidToken,
    #[error("{0}")]
    Invalid(String),
    #[error("a user with this email already exists")]
    EmailTaken,
    /// Signed in, but not allowed to do this.
    #[error("{0}")]
    Forbidden(String),
    /// No such resource, or one the principal may not see.
    #[error("no such {0}")]
    NotFound(&'static str),
    /// The change would break an invariant (e.g. remove the last admin).
    #[error("{0}")]
    Conflict(String),
    /// Too many failed logins for this email: refused until the delay passes.
    #[error("too many failed sign-in attempts; try again later")]
    Throttled { retry_after: Duration },
    /// The revocation state could not be checked, so the request is refused (fail closed).
    #[error("authentication is temporarily unavailable")]
    Unavailable(#[source] anyhow::Error),
    #[error("authentication is not ready yet")]
    NotReady,
    #[error(transparent)]
    Unexpected(#[from] anyhow::Error),
}

/// A database that cannot be reached makes authentication unavailable (503), not broken (500).
impl From<tokio_postgres::Error> for AuthError {
    fn from(e: tokio_postgres::Error) -> Self {
        if e.code().is_none() {
            Self::Unavailable(e.into())
        } else {
            Self::Unexpected(e.into())
        }
    }
}

impl From<deadpool_postgres::PoolError> for AuthError {
    fn from(e: deadpool_postgres::PoolError) -> Self {
        Self::Unavailable(e.into())
    }
}

/// The auth service; cheap to clone.
#[derive(Clone, Debug)]
pub struct Auth {
    inner: Arc<Inner>,
}

#[derive(Debug)]
struct Inner {
    settings: Settings,
    /// The login backoff, derived once from `settings`.
    backoff: backoff::Policy,
    /// Set once by [`Auth::init`] after migrations; requests before that get `NotReady`.
    keys: OnceLock<Keys>,
    /// A bcrypt hash of a random password, verified against when an email is unknown so a
    /// login takes as long for unknown emails as for known ones.
    dummy_hash: tokio::sync::OnceCell<String>,
    /// Write-through cache of access tokens this instance revoked (the database is the source
    /// of truth for all instances). A std mutex: held for a lookup, never across `.await`.
    revoked: Mutex<std::collections::HashSet<Uuid>>,
}

impl Auth {
    pub fn new(settings: Settings) -> Self {
        Self {
            inner: Arc::new(Inner {
                backoff: settings.backoff(),
                settings,
                keys: OnceLock::new(),
                dummy_hash: tokio::sync::OnceCell::new(),
                revoked: Mutex::new(Default::default()),
            }),
        }
    }

    /// Loads (or generates and stores) the signing secret.
    pub async fn init(&self, client: &impl GenericClient) -> Result<(), AuthError> {
        let secret = match &self.inner.settings.jwt_secret {
            Some(secret) => secret.expose_secret().as_bytes().to_vec(),
            None => {
                use rand::Rng;
                let candidate: [u8; 48] = rand::rng().random();
                store::signing_secret(client, "jwt", &candidate).await?
            }
        };
        let _ = self.inner.keys.set(Keys::new(&secret));
        Ok(())
    }

    fn keys(&self) -> Result<&Keys, AuthError> {
        self.inner.keys.get().ok_or(AuthError::NotReady)
    }

    async fn hash_password(&self, password: &str) -> Result<String, AuthError> {
        self.hash_password_owned(password.to_owned()).await
    }

    async fn hash_password_owned(&self, password: String) -> Result<String, AuthError> {
        let cost = self.inner.settings.bcrypt_cost;
        tokio::task::spawn_blocking(move || bcrypt::hash(password, cost))
            .await
            .map_err(anyhow::Error::from)?
            .map_err(|e| AuthError::Unexpected(e.into()))
    }

    async fn verify_password(&self, password: &str, hash: Option<String>) -> bool {
        let hash = match hash {
            Some(hash) => hash,
            // Made on first need (not at start-up): one hash at the configured cost.
            None => {
                let dummy = self.inner.dummy_hash.get_or_try_init(|| {
                    self.hash_password_owned(hex::encode(rand::random::<[u8; 16]>()))
                });
                match dummy.await {
                    Ok(hash) => hash.clone(),
                    Err(_) => return false,
                }
            }
        };
        let password = password.to_owned();
        tokio::task::spawn_blocking(move || bcrypt::verify(password, &hash).unwrap_or(false))
            .await
            .unwrap_or(false)
    }

    /// Checks email and password; on success starts a session (refresh-token family). An
    /// email with too many recent failures is refused before its password is looked at,
    /// whether or not an account has it.
    pub async fn login(
        &self,
        pool: &Pool,
        email: &str,
        password: &str,
        meta: &RequestMeta,
    ) -> Result<(User, TokenPair), AuthError> {
        let keys = self.keys()?;
        let policy = &self.inner.backoff;
        let email_key = backoff::email_key(email);
        let client = pool.get().await?;
        if let Some(until) = backoff::blocked_until(&client, &email_key).await? {
            let entry = audit::Entry {
                actor_id: None,
                action: "auth.login",
                outcome: Outcome::Failure,
                meta,
                details: json!({"email": email.trim(), "reason": "throttled"}),
            };
            audit::store::record(&client, &entry).await?;
            return Err(throttled(until));
        }
        let found = store::find_by_email(&client, email.trim()).await?;
        // No connection is held during the deliberately slow hash check.
        drop(client);
        let (user, hash) = match found {
            Some((user, hash)) => (Some(user), Some(hash)),
            None => (None, None),
        };
        let password_ok = self.verify_password(password, hash).await;
        let client = pool.get().await?;
        let user = match user {
            Some(user) if password_ok && !user.disabled => user,
            other => {
                let blocked = backoff::record_failure(&client, &email_key, policy).await?;
                let entry = audit::Entry {
                    actor_id: other.as_ref().map(|u| u.id),
                    action: "auth.login",
                    outcome: Outcome::Failure,
                    meta,
                    details: json!({"email": email.trim(), "reason": "invalid_credentials"}),
                };
                audit::store::record(&client, &entry).await?;
                return Err(match blocked {
                    Some(until) => throttled(until),
                    None => AuthError::InvalidCredentials,
                });
            }
        };
        backoff::clear(&client, &email_key).await?;
        drop(client);
        let pair = self.start_session(pool, keys, &user, meta).await?;
        Ok((user, pair))
    }

    /// Starts a session (a new refresh-token family) for `user`, whose identity the caller
    /// established, audited as a successful `auth.login`.
    async fn start_session(
        &self,
        pool: &Pool,
        keys: &Keys,
        user: &User,
        meta: &RequestMeta,
    ) -> Result<TokenPair, AuthError> {
        let family = Uuid::now_v7();
        let mut client = pool.get().await?;
        let tx = client.transaction().await?;
        let pair = self.start_tokens(&tx, keys, user, family).await?;
        let entry = audit::Entry {
            actor_id: Some(user.id),
            action: "auth.login",
            outcome: Outcome::Success,
            meta,
            details: json!({"session": family}),
        };
        audit::store::record(&tx, &entry).await?;
        tx.commit().await?;
        Ok(pair)
    }

    /// How long a refresh token (so a session without activity) lives.
    pub fn refresh_ttl(&self) -> Duration {
        self.inner.settings.refresh_ttl
    }

    async fn start_tokens(
        &self,
        client: &impl GenericClient,
        keys: &Keys,
        user: &User,
        family: Uuid,
    ) -> Result<TokenPair, AuthError> {
        let now = Utc::now();
        let settings = &self.inner.settings;
        let access_ttl =
            chrono::Duration::from_std(settings.access_ttl).map_err(anyhow::Error::from)?;
        let refresh_ttl =
            chrono::Duration::from_std(settings.refresh_ttl).map_err(anyhow::Error::from)?;
        let (refresh_token, hash) = tokens::new_refresh_token();
        store::insert_refresh(client, family, user.id, &hash, now + refresh_ttl).await?;
        let (access_token, _) = keys.issue(user.id, user.role, family, now, access_ttl);
        Ok(TokenPair {
            access_token,
            refresh_token,
            expires_in: settings.access_ttl.as_secs(),
        })
    }

    /// Rotates a refresh token; returns the session's user with the new pair. A token
    /// presented a second time means it leaked: its whole family (session) is revoked and the
    /// request refused.
    pub async fn refresh(
        &self,
        pool: &Pool,
        refresh_token: &str,
        meta: &RequestMeta,
    ) -> Result<(User, TokenPair), AuthError> {
        let keys = self.keys()?;
        let hash = tokens::hash_token(refresh_token.trim());
        let mut client = pool.get().await?;
        let tx = client.transaction().await?;
        let Some(row) = store::lock_refresh(&tx, &hash).await? else {
            return Err(AuthError::InvalidToken);
        };
        if row.used && !row.revoked {
            store::revoke_family(&tx, row.family_id).await?;
            let entry = audit::Entry {
                actor_id: Some(row.user_id),
                action: "auth.refresh_reuse",
                outcome: Outcome::Failure,
                meta,
                details: json!({"session": row.family_id}),
            };
            audit::store::record(&tx, &entry).await?;
            tx.commit().await?;
            return Err(AuthError::InvalidToken);
        }
        if row.used || row.revoked || row.expires_at < Utc::now() {
            return Err(AuthError::InvalidToken);
        }
        let user = match store::get_user(&tx, row.user_id).await? {
            Some(user) if !user.disabled => user,
            _ => return Err(AuthError::InvalidToken),
        };
        store::mark_refresh_used(&tx, row.id).await?;
        let pair = self.start_tokens(&tx, keys, &user, row.family_id).await?;
        tx.commit().await?;
        Ok((user, pair))
    }

    /// Revokes the access token and its session's refresh tokens. API keys are revoked by id
    /// instead ([`Auth::revoke_api_key`]).
    pub async fn logout(
        &self,
        pool: &Pool,
        principal: &Principal,
        meta: &RequestMeta,
    ) -> Result<(), AuthError> {
        let Credential::Session {
            jti,
            session,
            expires_at,
        } = principal.credential
        else {
            return Err(AuthError::Forbidden(
                "API keys do not sign out; revoke the key with DELETE /api/api-keys/{id}".into(),
            ));
        };
        let mut client = pool.get().await?;
        let tx = client.transaction().await?;
        store::revoke_access_token(&tx, jti, expires_at).await?;
        store::revoke_family(&tx, session).await?;
        let entry = audit::Entry {
            actor_id: Some(principal.user_id),
            action: "auth.logout",
            outcome: Outcome::Success,
            meta,
            details: json!({"session": session}),
        };
        audit::store::record(&tx, &entry).await?;
        tx.commit().await?;
        self.inner
            .revoked
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .insert(jti);
        Ok(())
    }

    /// Turns a bearer token into a principal. An access token: signature and expiry, then the
    /// database for revocation, the user's current role and whether they are disabled. An API
    /// key (`gk_...`): the database. If the database cannot answer, the request is refused.
    pub async fn authenticate(&self, pool: &Pool, token: &str) -> Result<Principal, AuthError> {
        if token.starts_with(tokens::API_KEY_PREFIX) {
            let check = async {
                let client = pool.get().await.map_err(anyhow::Error::from)?;
                Ok::<_, anyhow::Error>(Self::key_principal(&client, token).await?)
            };
            return fail_closed(check).await?.ok_or(AuthError::InvalidToken);
        }
        let keys = self.keys()?;
        let claims = keys.verify(token).ok_or(AuthError::InvalidToken)?;
        let cached = self
            .inner
            .revoked
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .contains(&claims.jti);
        if cached {
            return Err(AuthError::InvalidToken);
        }
        let check = async {
            let client = pool.get().await.map_err(anyhow::Error::from)?;
            let state = store::session_state(&client, claims.sub, claims.jti, claims.sid).await?;
            Ok::<_, anyhow::Error>(state)
        };
        match fail_closed(check).await? {
            Some((role, false)) => Ok(Principal {
                user_id: claims.sub,
                role,
                credential: Credential::Session {
                    jti: claims.jti,
                    session: claims.sid,
                    expires_at: chrono::DateTime::from_timestamp(claims.exp, 0)
                        .unwrap_or_else(Utc::now),
                },
            }),
            _ => Err(AuthError::InvalidToken),
        }
    }

    /// The user a bearer token names, from its signature alone (no database): cheap enough to
    /// key rate limits by. `None` for API keys and for tokens that do not verify.
    pub fn unverified_subject(&self, token: &str) -> Option<Uuid> {
        let keys = self.inner.keys.get()?;
        keys.verify(token).map(|claims| claims.sub)
    }

    /// Removes expired revocations, refresh tokens and stale login failures; run
    /// periodically.
    pub async fn purge_expired(&self, pool: &Pool) -> Result<u64, AuthError> {
        let client = pool.get().await?;
        let tokens = store::purge_expired(&client).await?;
        let failures = backoff::purge(&client, &self.inner.backoff).await?;
        Ok(tokens + failures)
    }
}

/// Runs a revocation check with a deadline; any failure refuses the request.
async fn fail_closed<T>(
    check: impl std::future::Future<Output = anyhow::Result<T>>,
) -> Result<T, AuthError> {
    tokio::time::timeout(Duration::from_secs(5), check)
        .await
        .map_err(|_| AuthError::Unavailable(anyhow::anyhow!("revocation check timed out")))?
        .map_err(AuthError::Unavailable)
}

fn throttled(until: chrono::DateTime<Utc>) -> AuthError {
    let retry_after = (until - Utc::now())
        .to_std()
        .unwrap_or_default()
        .max(Duration::from_secs(1));
    AuthError::Throttled { retry_after }
}
