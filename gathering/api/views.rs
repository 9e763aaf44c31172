//! Wire types of the JSON API: request bodies (unknown fields refused) and response views,
//! separate from the domain types they map to.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use super::error::{ApiError, ErrorCode};
use crate::audit;
use crate::auth::api_keys::{ApiKey, CreatedApiKey};
use crate::auth::model::{TokenPair, User};

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LoginRequest {
    pub email: String,
    pub password: String,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RefreshRequest {
    pub refresh_token: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct TokenView {
    pub access_token: String,
    pub refresh_token: String,
    /// Always `bearer`.
    pub token_type: &'static str,
    /// Seconds until the access token expires.
    pub expires_in: u64,
}

impl From<TokenPair> for TokenView {
    fn from(pair: TokenPair) -> Self {
        Self {
            access_token: pair.access_token,
            refresh_token: pair.refresh_token,
            token_type: "bearer",
            expires_in: pair.expires_in,
        }
    }
}

/// A browser session: the access token for memory, the user; the refresh token is in the
/// `gathering_refresh` cookie, never in the body.
#[derive(Debug, Serialize, ToSchema)]
pub struct SessionView {
    pub access_token: String,
    /// Always `bearer`.
    pub token_type: &'static str,
    /// Seconds until the access token expires.
    pub expires_in: u64,
    pub user: UserView,
}

impl SessionView {
    pub fn new(user: User, pair: &TokenPair) -> Self {
        Self {
            access_token: pair.access_token.clone(),
            token_type: "bearer",
            expires_in: pair.expires_in,
            user: user.into(),
        }
    }
}

/// Whether the first-run setup link works now.
#[derive(Debug, Serialize, ToSchema)]
pub struct SetupStatus {
    /// True while this instance holds an unused setup token and no admin exists.
    pub open: bool,
}

/// The first admin, created with the setup token `gathering serve` printed.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SetupRequest {
    /// The token from the setup link (`/setup#token=...`).
    pub token: String,
    pub email: String,
    pub password: String,
    /// `Administrator` when absent.
    pub display_name: Option<String>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateUserRequest {
    pub email: String,
    pub display_name: String,
    pub password: String,
    /// `admin`, `member` or `viewer`.
    pub role: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct UserView {
    pub id: Uuid,
    pub email: String,
    pub display_name: String,
    pub role: &'static str,
    pub disabled: bool,
    pub created_at: chrono::DateTime<chrono::Utc>,
}

impl From<User> for UserView {
    fn from(user: User) -> Self {
        Self {
            id: user.id,
            email: user.email,
            display_name: user.display_name,
            role: user.role.as_str(),
            disabled: user.disabled,
            created_at: user.created_at,
        }
    }
}

/// A page of a list; `next_cursor` is passed back as `?cursor=` for the next page.
#[derive(Debug, Serialize, ToSchema)]
pub struct Page<T> {
    pub items: Vec<T>,
    pub next_cursor: Option<String>,
}

/// `?limit=&cursor=`.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
pub struct PageQuery {
    /// 1 to 200; 50 by default.
    pub limit: Option<i64>,
    pub cursor: Option<String>,
}

/// `?q=&limit=&cursor=`: a page of a list with a search box.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
pub struct SearchPageQuery {
    /// Only those whose name or description contains this text, ignoring case (at most 200
    /// characters; blank means no filter).
    pub q: Option<String>,
    /// 1 to 200; 50 by default.
    pub limit: Option<i64>,
    pub cursor: Option<String>,
}

/// `GET /api/users` query: a search, filters and a page; every filter is optional and each
/// narrows the others.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
pub struct UserListQuery {
    /// Only those whose email or display name contains this text, ignoring case (at most 200
    /// characters; blank means no filter).
    pub q: Option<String>,
    /// Only users with this role: `viewer`, `member` or `admin`.
    pub role: Option<String>,
    /// Only `active` (enabled) or `disabled` users.
    pub status: Option<String>,
    /// 1 to 200; 50 by default.
    pub limit: Option<i64>,
    pub cursor: Option<String>,
}

/// The text of a `?q=` search: trimmed, `None` when blank, 422 past 200 characters.
pub fn search_term(q: Option<&str>) -> Result<Option<String>, ApiError> {
    let q = q.map(str::trim).filter(|q| !q.is_empty());
    match q {
        Some(q) if q.chars().count() > 200 => {
            Err(ApiError::field("q", "must be at most 200 characters"))
        }
        other => Ok(other.map(str::to_owned)),
    }
}

/// The bounds of a page: the cursor (an id) and the limit, 1 to 200 (50 by default).
pub fn page_bounds(
    limit: Option<i64>,
    cursor: Option<&str>,
) -> Result<(Option<Uuid>, i64), ApiError> {
    let limit = limit.unwrap_or(50);
    if !(1..=200).contains(&limit) {
        return Err(ApiError::new(
            ErrorCode::ValidationFailed,
            "limit must be 1 to 200",
        ));
    }
    let cursor = cursor
        .map(|c| {
            Uuid::parse_str(c)
                .map_err(|_| ApiError::new(ErrorCode::ValidationFailed, "cursor is not valid"))
        })
        .transpose()?;
    Ok((cursor, limit))
}

impl<T> Page<T> {
    /// A page of `items` (at most `limit`), with the cursor of the next when it may exist.
    pub fn of(items: Vec<T>, limit: i64, id: impl Fn(&T) -> Uuid) -> Self {
        let next_cursor = (items.len() as i64 == limit)
            .then(|| items.last().map(|item| id(item).to_string()))
            .flatten();
        Self { items, next_cursor }
    }
}

/// Self-registration (when the server allows it).
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RegisterRequest {
    pub email: String,
    pub display_name: String,
    pub password: String,
}

/// An admin's changes to a user; absent fields stay as they are.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateUserRequest {
    pub display_name: Option<String>,
    /// `admin`, `member` or `viewer`.
    pub role: Option<String>,
    /// A disabled user cannot sign in, and their sessions and API keys stop working.
    pub disabled: Option<bool>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateApiKeyRequest {
    /// What the key is for, 1 to 100 characters.
    pub name: String,
    /// At most the creator's role, which is the default.
    pub role: Option<String>,
    /// When the key stops working; never when absent.
    pub expires_at: Option<chrono::DateTime<chrono::Utc>>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ApiKeyView {
    pub id: Uuid,
    pub user_id: Uuid,
    pub name: String,
    /// The key's first characters, for telling keys apart.
    pub prefix: String,
    pub role: &'static str,
    pub created_at: chrono::DateTime<chrono::Utc>,
    pub expires_at: Option<chrono::DateTime<chrono::Utc>>,
    /// Updated at most once a minute.
    pub last_used_at: Option<chrono::DateTime<chrono::Utc>>,
    pub revoked_at: Option<chrono::DateTime<chrono::Utc>>,
}

impl From<ApiKey> for ApiKeyView {
    fn from(key: ApiKey) -> Self {
        Self {
            id: key.id,
            user_id: key.user_id,
            name: key.name,
            prefix: key.prefix,
            role: key.role.as_str(),
            created_at: key.created_at,
            expires_at: key.expires_at,
            last_used_at: key.last_used_at,
            revoked_at: key.revoked_at,
        }
    }
}

/// A new key: the only time its secret is shown.
#[derive(Debug, Serialize, ToSchema)]
pub struct CreatedApiKeyView {
    #[serde(flatten)]
    pub key: ApiKeyView,
    /// The key itself (`gk_...`), sent as `Authorization: Bearer <key>`. Shown once.
    pub secret: String,
}

impl From<CreatedApiKey> for CreatedApiKeyView {
    fn from(created: CreatedApiKey) -> Self {
        Self {
            key: created.key.into(),
            secret: created.secret,
        }
    }
}

/// `GET /api/api-keys` query.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
pub struct ApiKeyQuery {
    /// Whose keys: yourself by default; only admins may name someone else.
    pub user_id: Option<Uuid>,
    /// 1 to 200; 50 by default.
    pub limit: Option<i64>,
    pub cursor: Option<String>,
}

/// `GET /api/audit` query; every filter is optional.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
pub struct AuditQuery {
    /// Exact action, e.g. `auth.login`; or a prefix ending in `.`, e.g. `api_key.`.
    pub action: Option<String>,
    pub actor_id: Option<Uuid>,
    /// `success` or `failure`.
    pub outcome: Option<String>,
    /// Rows at or after this time.
    pub since: Option<chrono::DateTime<chrono::Utc>>,
    /// Rows before this time.
    pub until: Option<chrono::DateTime<chrono::Utc>>,
    /// 1 to 200; 50 by default.
    pub limit: Option<i64>,
    pub cursor: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct AuditEventView {
    pub id: Uuid,
    pub ts: chrono::DateTime<chrono::Utc>,
    pub actor_id: Option<Uuid>,
    pub action: String,
    pub outcome: String,
    /// The client address (behind trusted proxies, the one they report).
    #[schema(value_type = Option<String>)]
    pub ip: Option<std::net::IpAddr>,
    pub request_id: Option<String>,
    #[schema(value_type = Object)]
    pub details: serde_json::Value,
}

impl From<audit::Event> for AuditEventView {
    fn from(event: audit::Event) -> Self {
        Self {
            id: event.id,
            ts: event.ts,
            actor_id: event.actor_id,
            action: event.action,
            outcome: event.outcome,
            ip: event.ip,
            request_id: event.request_id,
            details: event.details,
        }
    }
}

/// `GET /api/events` query.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
pub struct EventsQuery {
    /// Events after this seq; 0 (the default) for the oldest kept.
    pub since: Option<i64>,
    /// Comma-separated type patterns: exact (`user.created`), family (`user.*`) or `*`.
    pub types: Option<String>,
    /// Rows read, 1 to 500 (100 by default); fewer items come back when some are filtered.
    pub limit: Option<i64>,
}

/// An event on the wire (the same shape in WebSocket and SSE frames).
#[derive(Debug, Serialize, ToSchema)]
pub struct EventView {
    /// Commit order; absent for ephemeral events.
    pub seq: Option<i64>,
    pub id: Uuid,
    /// Dotted type name, e.g. `user.created`; docs/events.md lists them.
    #[serde(rename = "type")]
    pub event_type: &'static str,
    pub ts: chrono::DateTime<chrono::Utc>,
    /// The ids the event is about (`user_id`, `circle_id`, `agent_id`, ...).
    #[schema(value_type = Object)]
    pub scope: serde_json::Value,
    pub actor: Option<Uuid>,
    #[schema(value_type = Object)]
    pub data: serde_json::Value,
}

impl From<crate::events::Event> for EventView {
    fn from(event: crate::events::Event) -> Self {
        Self {
            seq: event.seq,
            id: event.id,
            event_type: event.event_type.as_str(),
            ts: event.ts,
            scope: serde_json::to_value(&event.scope).unwrap_or_default(),
            actor: event.actor,
            data: event.data,
        }
    }
}

/// A page of event history.
#[derive(Debug, Serialize, ToSchema)]
pub struct EventPage {
    pub items: Vec<EventView>,
    /// Pass as `since` for the next page (the last seq read, even when filtered out).
    pub next_since: i64,
    /// Whether more history may follow.
    pub more: bool,
}

/// `GET /api/events/stream` query.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
pub struct StreamQuery {
    /// Replay events after this seq first (else the `Last-Event-ID` header; else live only).
    pub since: Option<i64>,
    /// Comma-separated topics (`events`, `users/ID`, ...); `events` by default.
    pub topics: Option<String>,
    /// Comma-separated type patterns; all types by default.
    pub types: Option<String>,
}
