//! The audit log: an append-only record (table `audit.events`, guarded by triggers) of who did
//! what, from which address, in which request. Written in the same transaction as the change it
//! describes wherever there is one.

pub mod store;

use std::net::IpAddr;

use uuid::Uuid;

/// Where a request came from: the client address (after trusted proxies) and the request id.
#[derive(Debug, Clone, Default)]
pub struct RequestMeta {
    pub ip: Option<IpAddr>,
    pub request_id: Option<String>,
}

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
