//! Identity types and their invariants: roles ordered by power, emails normalised, passwords
//! with a minimum strength, the authenticated principal.

use std::fmt;

use uuid::Uuid;

pub use crate::core::identity::Role;

/// Whether a user may sign in, as the user list filters it: `active` (not disabled) or
/// `disabled`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UserStatus {
    Active,
    Disabled,
}

impl UserStatus {
    /// The `disabled` flag of the users in this status.
    pub fn disabled(self) -> bool {
        self == Self::Disabled
    }
}

impl std::str::FromStr for UserStatus {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "active" => Ok(Self::Active),
            "disabled" => Ok(Self::Disabled),
            other => Err(format!("unknown status `{other}` (active or disabled)")),
        }
    }
}

/// A syntactically plausible email, trimmed; compared case-insensitively by the database.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Email(String);

impl Email {
    pub fn parse(raw: &str) -> Result<Self, String> {
        let email = raw.trim();
        let valid = email.len() <= 320
            && !email.chars().any(char::is_whitespace)
            && email.split_once('@').is_some_and(|(local, domain)| {
                !local.is_empty()
                    && domain.contains('.')
                    && !domain.starts_with('.')
                    && !domain.ends_with('.')
            });
        if valid {
            Ok(Self(email.to_owned()))
        } else {
            Err("not a valid email address".to_owned())
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A password that meets the minimum: 12 to 1024 characters. Never printed.
pub struct Password(secrecy::SecretString);

impl fmt::Debug for Password {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Password([REDACTED])")
    }
}

impl Password {
    pub const MIN_CHARS: usize = 12;

    pub fn parse(raw: &str) -> Result<Self, String> {
        let chars = raw.chars().count();
        if chars < Self::MIN_CHARS {
            return Err(format!(
                "passwords need at least {} characters",
                Self::MIN_CHARS
            ));
        }
        if chars > 1024 {
            return Err("passwords are at most 1024 characters".to_owned());
        }
        Ok(Self(secrecy::SecretString::from(raw.to_owned())))
    }

    pub fn expose(&self) -> &str {
        secrecy::ExposeSecret::expose_secret(&self.0)
    }
}

/// A user as stored (without the hash).
#[derive(Debug, Clone)]
pub struct User {
    pub id: Uuid,
    pub email: String,
    pub display_name: String,
    pub role: Role,
    pub disabled: bool,
    pub created_at: chrono::DateTime<chrono::Utc>,
}

/// Who is making a request, established from a verified access token or an API key.
#[derive(Debug, Clone)]
pub struct Principal {
    pub user_id: Uuid,
    /// The effective role: the user's, or for an API key the lower of the key's and the
    /// user's current one.
    pub role: Role,
    pub credential: Credential,
}

impl Principal {
    /// The acting identity of this principal for a request from `meta`.
    pub fn identity(
        &self,
        meta: crate::core::identity::RequestMeta,
    ) -> crate::core::identity::Identity {
        let key = match self.credential {
            Credential::ApiKey { key_id } => Some(key_id),
            Credential::Session { .. } => None,
        };
        crate::core::identity::Identity::user(self.user_id, self.role, meta).with_api_key(key)
    }
}

/// What the request presented.
#[derive(Debug, Clone)]
pub enum Credential {
    /// A signed access token of a password session.
    Session {
        /// The access token's id, for logout.
        jti: Uuid,
        /// The session (refresh-token family) the token belongs to.
        session: Uuid,
        expires_at: chrono::DateTime<chrono::Utc>,
    },
    /// An API key.
    ApiKey { key_id: Uuid },
}

/// Tokens handed to a client at login and refresh.
#[derive(Debug)]
pub struct TokenPair {
    pub access_token: String,
    pub refresh_token: String,
    pub expires_in: u64,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roles_are_ordered_by_power_and_round_trip() {
        assert!(Role::Viewer < Role::Member && Role::Member < Role::Admin);
        for role in [Role::Viewer, Role::Member, Role::Admin] {
            assert_eq!(role.as_str().parse::<Role>().unwrap(), role);
        }
        assert!("root".parse::<Role>().is_err());
    }

    #[test]
    fn emails_and_passwords_are_checked() {
        assert!(Email::parse(" Ada@Example.org ").is_ok());
        for bad in [
            "",
            "ada",
            "@example.org",
            "ada@example",
            "a da@example.org",
            "ada@.org",
        ] {
            assert!(Email::parse(bad).is_err(), "{bad}");
        }
        assert!(Password::parse("short").is_err());
        let password = Password::parse("correct horse battery").unwrap();
        assert!(!format!("{password:?}").contains("horse"));
    }
}
