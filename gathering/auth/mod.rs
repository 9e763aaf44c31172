//! Identity and sessions: users with roles, password login, short-lived signed access tokens,
//! rotating refresh tokens with reuse detection, logout that survives restarts, and a
//! revocation check that fails closed. Every outcome that matters is audited.

pub mod model;
pub mod store;
pub mod tokens;

use std::sync::{Arc, Mutex, OnceLock};
use std::time::Duration;

use chrono::Utc;
use deadpool_postgres::{GenericClient, Pool};
use secrecy::{ExposeSecret, SecretString};
use serde_json::json;
use uuid::Uuid;

use crate::audit::{self, Outcome, RequestMeta};
use model::{Email, Password, Principal, Role, TokenPair, User};
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
    /// The revocation state could not be checked, so the request is refused (fail closed).
    #[error("authentication is temporarily unavailable")]
    Unavailable(#[source] anyhow::Error),
    #[error("authentication is not ready yet")]
    NotReady,
    #[error(transparent)]
    Unexpected(#[from] anyhow::Error),
}

impl From<tokio_postgres::Error> for AuthError {
    fn from(e: tokio_postgres::Error) -> Self {
        Self::Unexpected(e.into())
    }
}

impl From<deadpool_postgres::PoolError> for AuthError {
    fn from(e: deadpool_postgres::PoolError) -> Self {
        Self::Unexpected(e.into())
    }
}

/// Auth configuration.
#[derive(Debug, Clone)]
pub struct Settings {
    pub access_ttl: Duration,
    pub refresh_ttl: Duration,
    pub bcrypt_cost: u32,
    /// Signing secret; when `None` one is generated once and kept in the database.
    pub jwt_secret: Option<SecretString>,
}

/// A user to create.
#[derive(Debug)]
pub struct NewUser {
    pub email: Email,
    pub display_name: String,
    pub password: Password,
    pub role: Role,
}

/// The auth service; cheap to clone.
#[derive(Clone, Debug)]
pub struct Auth {
    inner: Arc<Inner>,
}

#[derive(Debug)]
struct Inner {
    settings: Settings,
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

    /// Creates a user and audits it (`actor` is `None` from the command line or bootstrap).
    pub async fn create_user(
        &self,
        pool: &Pool,
        new: NewUser,
        actor: Option<Uuid>,
        meta: &RequestMeta,
    ) -> Result<User, AuthError> {
        let name = new.display_name.trim();
        if name.is_empty() || name.chars().count() > 200 {
            return Err(AuthError::Invalid(
                "display_name must be 1 to 200 characters".into(),
            ));
        }
        let hash = self.hash_password(new.password.expose()).await?;
        let mut client = pool.get().await?;
        let tx = client.transaction().await?;
        let row = store::NewUserRow {
            email: new.email.as_str(),
            display_name: name,
            password_hash: &hash,
            role: new.role,
        };
        let user = match store::insert_user(&tx, &row).await {
            Ok(user) => user,
            Err(e) if e.code() == Some(&tokio_postgres::error::SqlState::UNIQUE_VIOLATION) => {
                return Err(AuthError::EmailTaken);
            }
            Err(e) => return Err(e.into()),
        };
        let entry = audit::Entry {
            actor_id: actor,
            action: "user.created",
            outcome: Outcome::Success,
            meta,
            details: json!({"user_id": user.id, "email": user.email, "role": user.role.as_str()}),
        };
        audit::store::record(&tx, &entry).await?;
        tx.commit().await?;
        Ok(user)
    }

    /// Creates the first admin from the environment, once, on a database that has none.
    pub async fn ensure_first_admin(
        &self,
        pool: &Pool,
        email: &str,
        password: &str,
    ) -> Result<Option<User>, AuthError> {
        let client = pool.get().await?;
        if store::admin_exists(&client).await? {
            return Ok(None);
        }
        drop(client);
        let new = NewUser {
            email: Email::parse(email)
                .map_err(|e| AuthError::Invalid(format!("GATHERING_ADMIN_EMAIL: {e}")))?,
            display_name: "Administrator".to_owned(),
            password: Password::parse(password)
                .map_err(|e| AuthError::Invalid(format!("GATHERING_ADMIN_PASSWORD: {e}")))?,
            role: Role::Admin,
        };
        match self
            .create_user(pool, new, None, &RequestMeta::default())
            .await
        {
            Ok(user) => Ok(Some(user)),
            // Another instance created it at the same moment.
            Err(AuthError::EmailTaken) => Ok(None),
            Err(e) => Err(e),
        }
    }

    /// Checks email and password; on success starts a session (refresh-token family).
    pub async fn login(
        &self,
        pool: &Pool,
        email: &str,
        password: &str,
        meta: &RequestMeta,
    ) -> Result<(User, TokenPair), AuthError> {
        let keys = self.keys()?;
        let client = pool.get().await?;
        let found = store::find_by_email(&client, email.trim()).await?;
        let (user, hash) = match found {
            Some((user, hash)) => (Some(user), Some(hash)),
            None => (None, None),
        };
        let password_ok = self.verify_password(password, hash).await;
        let user = match user {
            Some(user) if password_ok && !user.disabled => user,
            other => {
                let entry = audit::Entry {
                    actor_id: other.as_ref().map(|u| u.id),
                    action: "auth.login",
                    outcome: Outcome::Failure,
                    meta,
                    details: json!({"email": email.trim()}),
                };
                audit::store::record(&client, &entry).await?;
                return Err(AuthError::InvalidCredentials);
            }
        };
        drop(client);
        let family = Uuid::now_v7();
        let mut client = pool.get().await?;
        let tx = client.transaction().await?;
        let pair = self.start_tokens(&tx, keys, &user, family).await?;
        let entry = audit::Entry {
            actor_id: Some(user.id),
            action: "auth.login",
            outcome: Outcome::Success,
            meta,
            details: json!({"session": family}),
        };
        audit::store::record(&tx, &entry).await?;
        tx.commit().await?;
        Ok((user, pair))
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

    /// Rotates a refresh token. A token presented a second time means it leaked: its whole
    /// family (session) is revoked and the request refused.
    pub async fn refresh(
        &self,
        pool: &Pool,
        refresh_token: &str,
        meta: &RequestMeta,
    ) -> Result<TokenPair, AuthError> {
        let keys = self.keys()?;
        let hash = tokens::hash_refresh_token(refresh_token.trim());
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
        Ok(pair)
    }

    /// Revokes the access token and its session's refresh tokens.
    pub async fn logout(
        &self,
        pool: &Pool,
        principal: &Principal,
        meta: &RequestMeta,
    ) -> Result<(), AuthError> {
        let mut client = pool.get().await?;
        let tx = client.transaction().await?;
        store::revoke_access_token(&tx, principal.jti, principal.expires_at).await?;
        store::revoke_family(&tx, principal.session).await?;
        let entry = audit::Entry {
            actor_id: Some(principal.user_id),
            action: "auth.logout",
            outcome: Outcome::Success,
            meta,
            details: json!({"session": principal.session}),
        };
        audit::store::record(&tx, &entry).await?;
        tx.commit().await?;
        self.inner
            .revoked
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .insert(principal.jti);
        Ok(())
    }

    /// Turns a bearer token into a principal: signature and expiry, then the database for
    /// revocation, the user's current role and whether they are disabled. If the database
    /// cannot answer, the request is refused.
    pub async fn authenticate(&self, pool: &Pool, token: &str) -> Result<Principal, AuthError> {
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
        let state = tokio::time::timeout(Duration::from_secs(5), check)
            .await
            .map_err(|_| AuthError::Unavailable(anyhow::anyhow!("revocation check timed out")))?
            .map_err(AuthError::Unavailable)?;
        match state {
            Some((role, false)) => Ok(Principal {
                user_id: claims.sub,
                role,
                jti: claims.jti,
                session: claims.sid,
                expires_at: chrono::DateTime::from_timestamp(claims.exp, 0)
                    .unwrap_or_else(Utc::now),
            }),
            _ => Err(AuthError::InvalidToken),
        }
    }

    pub async fn get_user(&self, pool: &Pool, id: Uuid) -> Result<Option<User>, AuthError> {
        let client = pool.get().await?;
        Ok(store::get_user(&client, id).await?)
    }

    pub async fn list_users(
        &self,
        pool: &Pool,
        after: Option<Uuid>,
        limit: i64,
    ) -> Result<Vec<User>, AuthError> {
        let client = pool.get().await?;
        Ok(store::list_users(&client, after, limit).await?)
    }

    /// Removes expired revocations and refresh tokens; run periodically.
    pub async fn purge_expired(&self, pool: &Pool) -> Result<u64, AuthError> {
        let client = pool.get().await?;
        Ok(store::purge_expired(&client).await?)
    }
}
