//! Users: creation (by an admin, the command line, the first-admin bootstrap or, when enabled,
//! self-registration), listing, and changes of name, role and disabled state, each audited
//! and published (`user.created`, `user.registered`, `user.updated`).
//! The last enabled admin can be neither demoted nor disabled.

use deadpool_postgres::Pool;
use serde_json::json;
use uuid::Uuid;

use super::model::{Email, Password, Role, User, UserStatus};
use super::{Auth, AuthError, store};
use crate::audit::{self, RequestMeta};
use crate::core::identity::Identity;
use crate::events::{EventType, Scope};

/// A user to create.
#[derive(Debug)]
pub struct NewUser {
    pub email: Email,
    pub display_name: String,
    pub password: Password,
    pub role: Role,
}

/// What an admin changes about a user; `None` leaves a field as it is.
#[derive(Debug, Default)]
pub struct UserChanges {
    pub display_name: Option<String>,
    pub role: Option<Role>,
    pub disabled: Option<bool>,
}

/// Which users a list shows; `None` (and a default filter) filters nothing. Each filter
/// narrows the others.
#[derive(Debug, Default)]
pub struct UserFilter<'a> {
    /// Text contained in the email or display name, ignoring case.
    pub search: Option<&'a str>,
    pub role: Option<Role>,
    pub status: Option<UserStatus>,
}

/// The refusal when self-registration is off.
pub fn registration_closed() -> AuthError {
    AuthError::Forbidden("self-registration is off; ask an admin to create your account".into())
}

fn check_display_name(name: &str) -> Result<&str, AuthError> {
    let name = name.trim();
    if name.is_empty() || name.chars().count() > 200 {
        return Err(AuthError::Invalid(
            "display_name must be 1 to 200 characters".into(),
        ));
    }
    Ok(name)
}

impl Auth {
    /// Creates a user and audits it (`who` is the server itself from the command line or the
    /// bootstrap).
    pub async fn create_user(
        &self,
        pool: &Pool,
        new: NewUser,
        who: &Identity,
    ) -> Result<User, AuthError> {
        self.insert_user(pool, new, who, EventType::UserCreated)
            .await
    }

    /// Whether self-registration is on.
    pub fn registration_open(&self) -> bool {
        self.inner.settings.registration_role().is_some()
    }

    /// Self-registration, when the configuration allows it: the new user gets the configured
    /// role (`viewer` by default), whatever `new.role` says.
    pub async fn register(
        &self,
        pool: &Pool,
        mut new: NewUser,
        meta: &RequestMeta,
    ) -> Result<User, AuthError> {
        let Some(role) = self.inner.settings.registration_role() else {
            return Err(registration_closed());
        };
        new.role = role;
        let who = Identity::anonymous(meta.clone());
        self.insert_user(pool, new, &who, EventType::UserRegistered)
            .await
    }

    async fn insert_user(
        &self,
        pool: &Pool,
        new: NewUser,
        who: &Identity,
        event_type: EventType,
    ) -> Result<User, AuthError> {
        let hash = self.hash_password(new.password.expose()).await?;
        let mut client = pool.get().await?;
        let tx = client.transaction().await?;
        let user = insert_user_in(
            &tx,
            Insert {
                new: &new,
                hash: &hash,
                who,
                event_type,
            },
        )
        .await?;
        tx.commit().await?;
        Ok(user)
    }

    /// Creates the first admin (audited and published as any `user.created`, actor: none, as
    /// from the command line) unless an enabled admin exists, in which case `None`. Instances
    /// creating one at the same moment are serialised by a transaction-level advisory lock, so
    /// at most one admin is created.
    pub async fn create_first_admin(
        &self,
        pool: &Pool,
        mut new: NewUser,
        meta: &RequestMeta,
    ) -> Result<Option<User>, AuthError> {
        new.role = Role::Admin;
        // The slow hash before the lock: the lock is held for a few statements only.
        let hash = self.hash_password(new.password.expose()).await?;
        let mut client = pool.get().await?;
        let tx = client.transaction().await?;
        store::lock_first_admin(&tx).await?;
        if store::admin_exists(&tx).await? {
            return Ok(None);
        }
        let user = insert_user_in(
            &tx,
            Insert {
                new: &new,
                hash: &hash,
                // Nobody is signed in yet: the server creates it, from this request.
                who: &Identity {
                    meta: meta.clone(),
                    ..Identity::system()
                },
                event_type: EventType::UserCreated,
            },
        )
        .await?;
        tx.commit().await?;
        Ok(Some(user))
    }

    /// Whether the database has an enabled admin.
    pub async fn admin_exists(&self, pool: &Pool) -> Result<bool, AuthError> {
        let client = pool.get().await?;
        Ok(store::admin_exists(&client).await?)
    }

    /// Creates the first admin from the environment, once, on a database that has none.
    pub async fn ensure_first_admin(
        &self,
        pool: &Pool,
        email: &str,
        password: &str,
    ) -> Result<Option<User>, AuthError> {
        if self.admin_exists(pool).await? {
            return Ok(None);
        }
        let new = NewUser {
            email: Email::parse(email)
                .map_err(|e| AuthError::Invalid(format!("GATHERING_ADMIN_EMAIL: {e}")))?,
            display_name: "Administrator".to_owned(),
            password: Password::parse(password)
                .map_err(|e| AuthError::Invalid(format!("GATHERING_ADMIN_PASSWORD: {e}")))?,
            role: Role::Admin,
        };
        match self
            .create_first_admin(pool, new, &RequestMeta::default())
            .await
        {
            // An email taken by a user who is not an admin.
            Err(AuthError::EmailTaken) => Ok(None),
            other => other,
        }
    }

    pub async fn get_user(&self, pool: &Pool, id: Uuid) -> Result<Option<User>, AuthError> {
        let client = pool.get().await?;
        Ok(store::get_user(&client, id).await?)
    }

    /// A page of users, oldest first, narrowed by `filter`.
    pub async fn list_users(
        &self,
        pool: &Pool,
        filter: &UserFilter<'_>,
        after: Option<Uuid>,
        limit: i64,
    ) -> Result<Vec<User>, AuthError> {
        let client = pool.get().await?;
        Ok(store::list_users(&client, filter, after, limit).await?)
    }

    /// Applies an admin's changes to a user. Role changes and disabling take effect on the
    /// user's next request (every request reads them); disabling also ends their sessions.
    pub async fn update_user(
        &self,
        pool: &Pool,
        who: &Identity,
        id: Uuid,
        changes: UserChanges,
    ) -> Result<User, AuthError> {
        let name = changes
            .display_name
            .as_deref()
            .map(check_display_name)
            .transpose()?;
        let mut client = pool.get().await?;
        let tx = client.transaction().await?;
        let before = store::lock_user(&tx, id)
            .await?
            .ok_or(AuthError::NotFound("user"))?;
        let role = changes.role.unwrap_or(before.role);
        let disabled = changes.disabled.unwrap_or(before.disabled);
        let loses_admin =
            before.role == Role::Admin && !before.disabled && (role != Role::Admin || disabled);
        if loses_admin && store::lock_other_admins(&tx, id).await? == 0 {
            return Err(AuthError::Conflict(
                "this is the last enabled admin; make another admin first".into(),
            ));
        }
        let after = store::update_user(
            &tx,
            id,
            name.unwrap_or(&before.display_name),
            role,
            disabled,
        )
        .await?;
        if disabled && !before.disabled {
            store::revoke_user_sessions(&tx, id).await?;
        }
        audit::record_change_detailed(
            &tx,
            who,
            EventType::UserUpdated,
            Scope::user(id),
            json!({
                "user_id": id,
                "before": {"display_name": before.display_name, "role": before.role.as_str(),
                           "disabled": before.disabled},
                "after": {"display_name": after.display_name, "role": after.role.as_str(),
                          "disabled": after.disabled},
            }),
            json!({"user_id": id, "display_name": after.display_name,
                   "role": after.role.as_str(), "disabled": after.disabled}),
        )
        .await?;
        tx.commit().await?;
        Ok(after)
    }
}

/// A user row to insert, with who asked and the event it is (`user.created` or
/// `user.registered`).
struct Insert<'a> {
    new: &'a NewUser,
    hash: &'a str,
    who: &'a Identity,
    event_type: EventType,
}

/// Inserts a user in the caller's transaction, with its audit row and its event: the one place
/// a user is created, whoever asks.
async fn insert_user_in(
    tx: &impl deadpool_postgres::GenericClient,
    insert: Insert<'_>,
) -> Result<User, AuthError> {
    let Insert {
        new,
        hash,
        who,
        event_type,
    } = insert;
    let name = check_display_name(&new.display_name)?;
    let row = store::NewUserRow {
        email: new.email.as_str(),
        display_name: name,
        password_hash: hash,
        role: new.role,
    };
    let user = match store::insert_user(tx, &row).await {
        Ok(user) => user,
        Err(e) if e.code() == Some(&tokio_postgres::error::SqlState::UNIQUE_VIOLATION) => {
            return Err(AuthError::EmailTaken);
        }
        Err(e) => return Err(e.into()),
    };
    audit::record_change_detailed(
        tx,
        who,
        event_type,
        Scope::user(user.id),
        json!({"user_id": user.id, "email": user.email, "role": user.role.as_str()}),
        json!({"user_id": user.id, "email": user.email,
               "display_name": user.display_name, "role": user.role.as_str()}),
    )
    .await?;
    Ok(user)
}
