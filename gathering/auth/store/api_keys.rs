//! SQL of API keys (`auth.api_keys`): rows without their hash, the lookup of a presented key
//! with its user, and the throttled `last_used_at` bookkeeping.

use chrono::{DateTime, Utc};
use deadpool_postgres::GenericClient;
use tokio_postgres::Row;
use uuid::Uuid;

use crate::auth::api_keys::ApiKey;
use crate::core::identity::Role;

const COLUMNS: &str =
    "id, user_id, name, prefix, role, created_at, expires_at, last_used_at, revoked_at";

fn api_key(row: &Row) -> ApiKey {
    let role: String = row.get(4);
    ApiKey {
        id: row.get(0),
        user_id: row.get(1),
        name: row.get(2),
        prefix: row.get(3),
        role: role.parse().unwrap_or(Role::Viewer),
        created_at: row.get(5),
        expires_at: row.get(6),
        last_used_at: row.get(7),
        revoked_at: row.get(8),
    }
}

/// Fields of a new key row.
#[derive(Debug)]
pub struct NewKeyRow<'a> {
    pub user_id: Uuid,
    pub name: &'a str,
    pub prefix: &'a str,
    pub key_hash: &'a [u8],
    pub role: Role,
    pub expires_at: Option<DateTime<Utc>>,
}

pub async fn insert(
    client: &impl GenericClient,
    new: &NewKeyRow<'_>,
) -> Result<ApiKey, tokio_postgres::Error> {
    let row = client
        .query_one(
            &format!(
                "INSERT INTO auth.api_keys (id, user_id, name, prefix, key_hash, role, expires_at)
                 VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING {COLUMNS}"
            ),
            &[
                &Uuid::now_v7(),
                &new.user_id,
                &new.name,
                &new.prefix,
                &new.key_hash,
                &new.role.as_str(),
                &new.expires_at,
            ],
        )
        .await?;
    Ok(api_key(&row))
}

/// The keys of `user_id` (revoked ones included), oldest first, after `after`.
pub async fn list(
    client: &impl GenericClient,
    user_id: Uuid,
    after: Option<Uuid>,
    limit: i64,
) -> Result<Vec<ApiKey>, tokio_postgres::Error> {
    let rows = client
        .query(
            &format!(
                "SELECT {COLUMNS} FROM auth.api_keys
                  WHERE user_id = $1 AND ($2::uuid IS NULL OR id > $2)
                  ORDER BY id LIMIT $3"
            ),
            &[&user_id, &after, &limit],
        )
        .await?;
    Ok(rows.iter().map(api_key).collect())
}

/// The key, locked for update until the transaction ends.
pub async fn lock(
    client: &impl GenericClient,
    id: Uuid,
) -> Result<Option<ApiKey>, tokio_postgres::Error> {
    let row = client
        .query_opt(
            &format!("SELECT {COLUMNS} FROM auth.api_keys WHERE id = $1 FOR UPDATE"),
            &[&id],
        )
        .await?;
    Ok(row.as_ref().map(api_key))
}

pub async fn revoke(
    client: &impl GenericClient,
    id: Uuid,
) -> Result<ApiKey, tokio_postgres::Error> {
    let row = client
        .query_one(
            &format!(
                "UPDATE auth.api_keys SET revoked_at = now() WHERE id = $1 RETURNING {COLUMNS}"
            ),
            &[&id],
        )
        .await?;
    Ok(api_key(&row))
}

/// A usable key found by its hash, with its user's current role.
#[derive(Debug)]
pub struct UsableKey {
    pub key_id: Uuid,
    pub user_id: Uuid,
    pub key_role: Role,
    pub user_role: Role,
    /// `last_used_at` is unset or older than the resolution asked for.
    pub stale: bool,
}

/// The key with this hash if it is neither revoked nor expired and its user is enabled.
pub async fn usable_by_hash(
    client: &impl GenericClient,
    key_hash: &[u8],
    last_used_resolution_secs: f64,
) -> Result<Option<UsableKey>, tokio_postgres::Error> {
    let row = client
        .query_opt(
            "SELECT k.id, k.user_id, k.role, u.role,
                    k.last_used_at IS NULL
                      OR k.last_used_at < now() - make_interval(secs => $2)
               FROM auth.api_keys k JOIN auth.users u ON u.id = k.user_id
              WHERE k.key_hash = $1 AND k.revoked_at IS NULL AND NOT u.disabled
                AND (k.expires_at IS NULL OR k.expires_at > now())",
            &[&key_hash, &last_used_resolution_secs],
        )
        .await?;
    Ok(row.map(|row| {
        let key_role: String = row.get(2);
        let user_role: String = row.get(3);
        UsableKey {
            key_id: row.get(0),
            user_id: row.get(1),
            key_role: key_role.parse().unwrap_or(Role::Viewer),
            user_role: user_role.parse().unwrap_or(Role::Viewer),
            stale: row.get(4),
        }
    }))
}

pub async fn touch_last_used(
    client: &impl GenericClient,
    id: Uuid,
) -> Result<(), tokio_postgres::Error> {
    client
        .execute(
            "UPDATE auth.api_keys SET last_used_at = now() WHERE id = $1",
            &[&id],
        )
        .await?;
    Ok(())
}
