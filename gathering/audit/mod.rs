//! The audit log: an append-only record (table `audit.events`, guarded by triggers) of who did
//! what, from which address, in which request. Written in the same transaction as the change it
//! describes wherever there is one.

pub mod store;

use std::net::IpAddr;

use uuid::Uuid;

pub use crate::core::identity::RequestMeta;

/// Whether the audited action succeeded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    Success,
    Failure,
}

impl std::str::FromStr for Outcome {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "success" => Ok(Self::Success),
            "failure" => Ok(Self::Failure),
            other => Err(format!("unknown outcome `{other}` (success or failure)")),
        }
    }
}

impl Outcome {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Success => "success",
            Self::Failure => "failure",
        }
    }
}

/// One audit row to write.
#[derive(Debug, Clone)]
pub struct Entry<'a> {
    pub actor_id: Option<Uuid>,
    /// Dotted action name, e.g. `auth.login`, `user.created`.
    pub action: &'static str,
    pub outcome: Outcome,
    pub meta: &'a RequestMeta,
    pub details: serde_json::Value,
}

/// A stored audit row.
#[derive(Debug, Clone)]
pub struct Event {
    pub id: Uuid,
    pub ts: chrono::DateTime<chrono::Utc>,
    pub actor_id: Option<Uuid>,
    pub action: String,
    pub outcome: String,
    pub ip: Option<IpAddr>,
    pub request_id: Option<String>,
    pub details: serde_json::Value,
}

/// Filters for listing, newest first.
#[derive(Debug, Clone, Default)]
pub struct Filter {
    /// An exact action, or a prefix when it ends with `.` (`api_key.`).
    pub action: Option<String>,
    pub actor_id: Option<Uuid>,
    pub outcome: Option<Outcome>,
    pub since: Option<chrono::DateTime<chrono::Utc>>,
    pub until: Option<chrono::DateTime<chrono::Utc>>,
    /// Rows older than this one (the cursor of the previous page).
    pub before: Option<Uuid>,
    pub limit: i64,
}

/// Records a change someone made: its audit row (action = the event type, outcome success) and
/// its event in the outbox, both in the caller's transaction, so either both are written with
/// the change or neither is. Every module records its changes through this function (or
/// [`record_change_detailed`] when the audit row keeps more than the event shows).
pub async fn record_change(
    tx: &impl deadpool_postgres::GenericClient,
    who: &crate::core::identity::Identity,
    event_type: crate::events::EventType,
    scope: crate::events::Scope,
    details: serde_json::Value,
) -> Result<i64, tokio_postgres::Error> {
    record_change_detailed(tx, who, event_type, scope, details.clone(), details).await
}

/// [`record_change`] for a change whose audit row holds other details than its event, which
/// every subscriber in scope reads (a user's before and after, an API key's owner).
pub async fn record_change_detailed(
    tx: &impl deadpool_postgres::GenericClient,
    who: &crate::core::identity::Identity,
    event_type: crate::events::EventType,
    scope: crate::events::Scope,
    audit_details: serde_json::Value,
    event_data: serde_json::Value,
) -> Result<i64, tokio_postgres::Error> {
    store::record(
        tx,
        &Entry {
            actor_id: who.user_id,
            action: event_type.as_str(),
            outcome: Outcome::Success,
            meta: &who.meta,
            details: audit_details,
        },
    )
    .await?;
    crate::events::outbox::append(
        tx,
        &crate::events::NewEvent::new(event_type, scope, who.user_id).data(event_data),
    )
    .await
}
