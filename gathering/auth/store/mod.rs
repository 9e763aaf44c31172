//! SQL of identity, the only place `auth/` writes queries: users, refresh-token families,
//! revoked access tokens and the signing secret here; API keys in `api_keys.rs`; the login
//! backoff's counters in `login_failures.rs`. Functions take `&impl GenericClient`, so callers
//! choose the transaction; none audits or publishes (the services in `auth/` do).

pub mod api_keys;
pub mod login_failures;

use chrono::{DateTime, Utc};
use deadpool_postgres::GenericClient;
use tokio_postgres::Row;
use uuid::Uuid;

use super::model::{Role, User, UserStatus};
use super::users::UserFilter;

const USER_COLUMNS: &str = "id, email, display_name, role, disabled, created_at";

fn user(row: &Row) -> User {
    let role: String = row.get(3);
    User {
        id: row.get(0),
        email: row.get(1),
        display_name: row.get(2),
        role: role.parse().unwrap_or(Role::Viewer),
        disabled: row.get(4),
        created_at: row.get(5),
    }
}

/// Fields of a new user row.
#[derive(Debug)]
pub struct NewUserRow<'a> {
    pub email: &'a str,
    pub display_name: &'a str,
    pub password_hash: &'a str,
    pub role: Role,
}

pub async fn insert_user(
    client: &impl GenericClient,
    new: &NewUserRow<'_>,
) -> Result<User, tokio_postgres::Error> {
    let row = client
        .query_one(
            &format!(
                "INSERT INTO auth.users (id, email, display_name, password_hash, role)
                 VALUES ($1, $2, $3, $4, $5) RETURNING {USER_COLUMNS}"
            ),
            &[
                &Uuid::now_v7(),
                &new.email,
                &new.display_name,
                &new.password_hash,
                &new.role.as_str(),
            ],
        )
        .await?;
    Ok(user(&row))
}

/// The user with this email (case-insensitive) and their password hash.
pub async fn find_by_email(
    client: &impl GenericClient,
    email: &str,
) -> Result<Option<(User, String)>, tokio_postgres::Error> {
    let row = client
        .query_opt(
            &format!("SELECT {USER_COLUMNS}, password_hash FROM auth.users WHERE lower(email) = lower($1)"),
            &[&email],
        )
        .await?;
    Ok(row.map(|r| (user(&r), r.get(6))))
}

pub async fn get_user(
    client: &impl GenericClient,
    id: Uuid,
) -> Result<Option<User>, tokio_postgres::Error> {
    let row = client
        .query_opt(
            &format!("SELECT {USER_COLUMNS} FROM auth.users WHERE id = $1"),
            &[&id],
        )
        .await?;
    Ok(row.as_ref().map(user))
}

/// The enabled user with this email (case-insensitive).
pub async fn find_active_by_email(
    client: &impl GenericClient,
    email: &str,
) -> Result<Option<User>, tokio_postgres::Error> {
    let row = client
        .query_opt(
            &format!(
                "SELECT {USER_COLUMNS} FROM auth.users WHERE lower(email) = lower($1) AND NOT disabled"
            ),
            &[&email],
        )
        .await?;
    Ok(row.as_ref().map(user))
}

/// The enabled admin created first.
pub async fn oldest_active_admin(
    client: &impl GenericClient,
) -> Result<Option<User>, tokio_postgres::Error> {
    let row = client
        .query_opt(
            &format!(
                "SELECT {USER_COLUMNS} FROM auth.users WHERE role = 'admin' AND NOT disabled
                  ORDER BY created_at LIMIT 1"
            ),
            &[],
        )
        .await?;
    Ok(row.as_ref().map(user))
}

/// Users ordered by id (creation order), after `after` when given.
/// A page of users; `search`: only those whose email or display name contains it, ignoring
/// case.
pub async fn list_users(
    client: &impl GenericClient,
    filter: &UserFilter<'_>,
    after: Option<Uuid>,
    limit: i64,
) -> Result<Vec<User>, tokio_postgres::Error> {
    let role = filter.role.map(Role::as_str);
    let disabled = filter.status.map(UserStatus::disabled);
    let rows = client
        .query(
            &format!(
                "SELECT {USER_COLUMNS} FROM auth.users
                  WHERE ($1::uuid IS NULL OR id > $1)
                    AND ($3::text IS NULL OR strpos(lower(email), lower($3)) > 0
                         OR strpos(lower(display_name), lower($3)) > 0)
                    AND ($4::text IS NULL OR role = $4)
                    AND ($5::bool IS NULL OR disabled = $5)
                  ORDER BY id LIMIT $2"
            ),
            &[&after, &limit, &filter.search, &role, &disabled],
        )
        .await?;
    Ok(rows.iter().map(user).collect())
}

/// Whether an enabled admin exists.
pub async fn admin_exists(client: &impl GenericClient) -> Result<bool, tokio_postgres::Error> {
    let row = client
        .query_one(
            "SELECT EXISTS (SELECT 1 FROM auth.users WHERE role = 'admin' AND NOT disabled)",
            &[],
        )
        .await?;
    Ok(row.get(0))
}

/// Serialises the creation of a first admin across instances until the caller's transaction
/// ends (a transaction-level advisory lock).
pub async fn lock_first_admin(client: &impl GenericClient) -> Result<(), tokio_postgres::Error> {
    const FIRST_ADMIN_LOCK: i64 = 0x6761_7468_6175_0001;
    client
        .execute("SELECT pg_advisory_xact_lock($1)", &[&FIRST_ADMIN_LOCK])
        .await?;
    Ok(())
}

/// A refresh-token row, as read for rotation.
#[derive(Debug)]
pub struct RefreshRow {
    pub id: Uuid,
    pub family_id: Uuid,
    pub user_id: Uuid,
    pub expires_at: DateTime<Utc>,
    pub used: bool,
    pub revoked: bool,
}

pub async fn insert_refresh(
    client: &impl GenericClient,
    family_id: Uuid,
    user_id: Uuid,
    token_hash: &[u8],
    expires_at: DateTime<Utc>,
) -> Result<(), tokio_postgres::Error> {
    client
        .execute(
            "INSERT INTO auth.refresh_tokens (id, family_id, user_id, token_hash, expires_at)
             VALUES ($1, $2, $3, $4, $5)",
            &[
                &Uuid::now_v7(),
                &family_id,
                &user_id,
                &token_hash,
                &expires_at,
            ],
        )
        .await?;
    Ok(())
}

/// Locks and returns the row of a presented refresh token.
pub async fn lock_refresh(
    client: &impl GenericClient,
    token_hash: &[u8],
) -> Result<Option<RefreshRow>, tokio_postgres::Error> {
    let row = client
        .query_opt(
            "SELECT id, family_id, user_id, expires_at, used_at IS NOT NULL, revoked_at IS NOT NULL
               FROM auth.refresh_tokens WHERE token_hash = $1 FOR UPDATE",
            &[&token_hash],
        )
        .await?;
    Ok(row.map(|r| RefreshRow {
        id: r.get(0),
        family_id: r.get(1),
        user_id: r.get(2),
        expires_at: r.get(3),
        used: r.get(4),
        revoked: r.get(5),
    }))
}

pub async fn mark_refresh_used(
    client: &impl GenericClient,
    id: Uuid,
) -> Result<(), tokio_postgres::Error> {
    client
        .execute(
            "UPDATE auth.refresh_tokens SET used_at = now() WHERE id = $1",
            &[&id],
        )
        .await?;
    Ok(())
}

/// Revokes every live token of a session (refresh-token family); returns how many.
pub async fn revoke_family(
    client: &impl GenericClient,
    family_id: Uuid,
) -> Result<u64, tokio_postgres::Error> {
    client
        .execute(
            "UPDATE auth.refresh_tokens SET revoked_at = now() WHERE family_id = $1 AND revoked_at IS NULL",
            &[&family_id],
        )
        .await
}

pub async fn revoke_access_token(
    client: &impl GenericClient,
    jti: Uuid,
    expires_at: DateTime<Utc>,
) -> Result<(), tokio_postgres::Error> {
    client
        .execute(
            "INSERT INTO auth.revoked_tokens (jti, expires_at) VALUES ($1, $2) ON CONFLICT DO NOTHING",
            &[&jti, &expires_at],
        )
        .await?;
    Ok(())
}

/// What a request's principal looks like now, in one round trip: the user's current role, and
/// whether the user is disabled, this access token revoked (logout) or its session revoked
/// (refresh-token reuse). `None` when the user no longer exists.
pub async fn session_state(
    client: &impl GenericClient,
    user_id: Uuid,
    jti: Uuid,
    session: Uuid,
) -> Result<Option<(Role, bool)>, tokio_postgres::Error> {
    let row = client
        .query_opt(
            "SELECT role,
                    disabled
                    OR EXISTS (SELECT 1 FROM auth.revoked_tokens WHERE jti = $2)
                    OR EXISTS (SELECT 1 FROM auth.refresh_tokens
                                WHERE family_id = $3 AND revoked_at IS NOT NULL)
               FROM auth.users WHERE id = $1",
            &[&user_id, &jti, &session],
        )
        .await?;
    Ok(row.map(|r| {
        let role: String = r.get(0);
        (role.parse().unwrap_or(Role::Viewer), r.get(1))
    }))
}

/// Deletes revocations and refresh tokens that have expired; returns rows removed.
pub async fn purge_expired(client: &impl GenericClient) -> Result<u64, tokio_postgres::Error> {
    let revoked = client
        .execute(
            "DELETE FROM auth.revoked_tokens WHERE expires_at < now()",
            &[],
        )
        .await?;
    let refresh = client
        .execute(
            "DELETE FROM auth.refresh_tokens WHERE expires_at < now()",
            &[],
        )
        .await?;
    Ok(revoked + refresh)
}

/// The stored secret `name`, created from `candidate` if there is none yet (first instance
/// wins; every instance then reads the same one).
pub async fn signing_secret(
    client: &impl GenericClient,
    name: &str,
    candidate: &[u8],
) -> Result<Vec<u8>, tokio_postgres::Error> {
    client
        .execute(
            "INSERT INTO auth.signing_keys (name, secret) VALUES ($1, $2) ON CONFLICT DO NOTHING",
            &[&name, &candidate],
        )
        .await?;
    let row = client
        .query_one(
            "SELECT secret FROM auth.signing_keys WHERE name = $1",
            &[&name],
        )
        .await?;
    Ok(row.get(0))
}

/// The user, locked for update until the transaction ends.
pub async fn lock_user(
    client: &impl GenericClient,
    id: Uuid,
) -> Result<Option<User>, tokio_postgres::Error> {
    let row = client
        .query_opt(
            &format!("SELECT {USER_COLUMNS} FROM auth.users WHERE id = $1 FOR UPDATE"),
            &[&id],
        )
        .await?;
    Ok(row.as_ref().map(user))
}

/// Locks the enabled admins other than `id` and returns how many there are. Two transactions
/// demoting two different admins serialise here, so one of them sees the other's change.
pub async fn lock_other_admins(
    client: &impl GenericClient,
    id: Uuid,
) -> Result<usize, tokio_postgres::Error> {
    let rows = client
        .query(
            "SELECT id FROM auth.users WHERE role = 'admin' AND NOT disabled AND id <> $1
                FOR UPDATE",
            &[&id],
        )
        .await?;
    Ok(rows.len())
}

pub async fn update_user(
    client: &impl GenericClient,
    id: Uuid,
    display_name: &str,
    role: Role,
    disabled: bool,
) -> Result<User, tokio_postgres::Error> {
    let row = client
        .query_one(
            &format!(
                "UPDATE auth.users SET display_name = $2, role = $3, disabled = $4, updated_at = now()
                  WHERE id = $1 RETURNING {USER_COLUMNS}"
            ),
            &[&id, &display_name, &role.as_str(), &disabled],
        )
        .await?;
    Ok(user(&row))
}

/// Revokes every live refresh token of a user (all their sessions).
pub async fn revoke_user_sessions(
    client: &impl GenericClient,
    user_id: Uuid,
) -> Result<u64, tokio_postgres::Error> {
    client
        .execute(
            "UPDATE auth.refresh_tokens SET revoked_at = now() WHERE user_id = $1 AND revoked_at IS NULL",
            &[&user_id],
        )
        .await
}
