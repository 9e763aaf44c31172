//! Who is acting: the one identity type every module takes (a user, possibly through an API
//! key, or the server itself), with the role that authorises it and where the request came
//! from. Built once at the edge (the API's `Authed` extractor, the CLI, a scheduled firing) and
//! passed by reference; audit rows and events take their actor from it.

use std::fmt;
use std::net::IpAddr;

use uuid::Uuid;

use super::error::DomainError;

/// What a user may do. Ordered: `Viewer < Member < Admin`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Role {
    /// Reads.
    Viewer,
    /// Reads, creates and runs.
    Member,
    /// Everything, including users, settings and dangerous capabilities.
    Admin,
}

impl Role {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Viewer => "viewer",
            Self::Member => "member",
            Self::Admin => "admin",
        }
    }
}

impl std::str::FromStr for Role {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "viewer" => Ok(Self::Viewer),
            "member" => Ok(Self::Member),
            "admin" => Ok(Self::Admin),
            other => Err(format!("unknown role `{other}` (admin, member or viewer)")),
        }
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Where a request came from: the client address (after trusted proxies) and the request id.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RequestMeta {
    pub ip: Option<IpAddr>,
    pub request_id: Option<String>,
}

/// Who is acting, with what authority, from where.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Identity {
    /// The acting user; `None` when the server acts on its own (importing personas at start).
    pub user_id: Option<Uuid>,
    /// The API key the user presented, when it was one (usage is attributed to it too).
    pub api_key_id: Option<Uuid>,
    /// The effective role: the user's, or for an API key the lower of the key's and the user's.
    pub role: Role,
    pub meta: RequestMeta,
}

impl Identity {
    /// A signed-in user.
    pub fn user(user_id: Uuid, role: Role, meta: RequestMeta) -> Self {
        Self {
            user_id: Some(user_id),
            api_key_id: None,
            role,
            meta,
        }
    }

    /// The server itself (start-up imports, maintenance): admin authority, no user.
    pub fn system() -> Self {
        Self {
            user_id: None,
            api_key_id: None,
            role: Role::Admin,
            meta: RequestMeta::default(),
        }
    }

    /// Somebody not signed in (self-registration, first-run setup): no user, the least role.
    pub fn anonymous(meta: RequestMeta) -> Self {
        Self {
            user_id: None,
            api_key_id: None,
            role: Role::Viewer,
            meta,
        }
    }

    /// The same identity through an API key.
    pub fn with_api_key(mut self, key_id: Option<Uuid>) -> Self {
        self.api_key_id = key_id;
        self
    }

    pub fn is_admin(&self) -> bool {
        self.role == Role::Admin
    }

    /// Whether this identity is `user`.
    pub fn is(&self, user: Uuid) -> bool {
        self.user_id == Some(user)
    }

    /// The acting user, for what only a user can do (own an agent, start a conversation).
    pub fn acting_user(&self) -> Result<Uuid, DomainError> {
        self.user_id.ok_or_else(|| {
            DomainError::Forbidden("this needs a signed-in user, not the server itself".into())
        })
    }

    /// Admins may change anything; others only what they own. `what` names the record in the
    /// refusal ("agent" → "only the agent's owner or an admin may change it").
    pub fn may_change(&self, owner: Option<Uuid>, what: &str) -> Result<(), DomainError> {
        if self.is_admin() || (owner.is_some() && owner == self.user_id) {
            Ok(())
        } else {
            Err(DomainError::Forbidden(format!(
                "only the {what}'s owner or an admin may change it"
            )))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roles_are_ordered_and_round_trip() {
        assert!(Role::Viewer < Role::Member && Role::Member < Role::Admin);
        for role in [Role::Viewer, Role::Member, Role::Admin] {
            assert_eq!(role.as_str().parse::<Role>(), Ok(role));
        }
        assert!("root".parse::<Role>().is_err());
    }

    #[test]
    fn only_owners_and_admins_may_change() {
        let owner = Uuid::now_v7();
        let other = Identity::user(Uuid::now_v7(), Role::Member, RequestMeta::default());
        assert!(other.may_change(Some(owner), "agent").is_err());
        assert!(other.may_change(None, "agent").is_err());
        let me = Identity::user(owner, Role::Member, RequestMeta::default());
        assert!(me.may_change(Some(owner), "agent").is_ok());
        assert!(Identity::system().may_change(Some(owner), "agent").is_ok());
        assert!(Identity::system().acting_user().is_err());
        assert_eq!(me.acting_user().unwrap(), owner);
    }
}
