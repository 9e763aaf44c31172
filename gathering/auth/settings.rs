//! Authentication's settings, the `[auth]` section of the configuration (plus the first admin,
//! which only the environment gives). Defined here once (field, doc, default, range);
//! `config/` reads the section into this type and [`super::Auth::new`] takes it.

use std::time::Duration;

use secrecy::{ExposeSecret, SecretString};
use serde::Deserialize;

use super::backoff;
use super::tokens::MIN_SECRET_BYTES;
use crate::core::identity::Role;
use crate::core::settings::{self as de, Invalid, check};

/// Settings of authentication (config `[auth]`).
#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Settings {
    /// Lifetime of an access token (`access_ttl_secs`).
    #[serde(rename = "access_ttl_secs", deserialize_with = "de::secs")]
    pub access_ttl: Duration,
    /// Lifetime of a refresh token (`refresh_ttl_secs`); longer than the access one.
    #[serde(rename = "refresh_ttl_secs", deserialize_with = "de::secs")]
    pub refresh_ttl: Duration,
    /// bcrypt work factor (4..=31; 12 by default).
    pub bcrypt_cost: u32,
    /// Token-signing secret (`GATHERING_JWT_SECRET`, at least 32 bytes); generated once and
    /// kept in the database when unset.
    pub jwt_secret: Option<SecretString>,
    /// First admin, created once on a database without one (`GATHERING_ADMIN_EMAIL`; from the
    /// environment only, never the file).
    #[serde(skip)]
    pub admin_email: Option<String>,
    /// `GATHERING_ADMIN_PASSWORD` (environment only).
    #[serde(skip)]
    pub admin_password: Option<SecretString>,
    /// Failed logins for one email allowed before the backoff starts.
    pub login_backoff_after: u32,
    /// The first backoff delay; it doubles with each further failure
    /// (`login_backoff_base_secs`).
    #[serde(rename = "login_backoff_base_secs", deserialize_with = "de::secs")]
    pub login_backoff_base: Duration,
    /// The longest backoff delay (`login_backoff_max_secs`).
    #[serde(rename = "login_backoff_max_secs", deserialize_with = "de::secs")]
    pub login_backoff_max: Duration,
    /// Whether anyone may create an account (`POST /api/auth/register`); off by default.
    pub self_registration: bool,
    /// The role self-registered users get.
    #[serde(deserialize_with = "de::from_str")]
    pub self_registration_role: Role,
    /// Production refuses open registration unless this confirms it.
    pub confirm_open_registration: bool,
    /// Browser-session cookies always carry `Secure` (`GATHERING_SECURE_COOKIES`); otherwise
    /// only when the request came over HTTPS (its scheme, or a trusted proxy's
    /// `X-Forwarded-Proto`).
    pub secure_cookies: bool,
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            access_ttl: Duration::from_secs(15 * 60),
            refresh_ttl: Duration::from_secs(30 * 24 * 3600),
            bcrypt_cost: 12,
            jwt_secret: None,
            admin_email: None,
            admin_password: None,
            login_backoff_after: 5,
            login_backoff_base: Duration::from_secs(1),
            login_backoff_max: Duration::from_secs(15 * 60),
            self_registration: false,
            self_registration_role: Role::Viewer,
            confirm_open_registration: false,
            secure_cookies: false,
        }
    }
}

impl Settings {
    pub fn validate(&self) -> Result<(), Invalid> {
        check(
            (4..=31).contains(&self.bcrypt_cost),
            "auth.bcrypt_cost",
            "must be between 4 and 31",
        )?;
        check(
            !self.access_ttl.is_zero() && self.refresh_ttl > self.access_ttl,
            "auth.refresh_ttl_secs",
            "token lifetimes must be positive, the refresh one longer than the access one",
        )?;
        check(
            self.jwt_secret
                .as_ref()
                .is_none_or(|s| s.expose_secret().len() >= MIN_SECRET_BYTES),
            "GATHERING_JWT_SECRET",
            format!("must be at least {MIN_SECRET_BYTES} bytes"),
        )?;
        check(
            self.admin_email.is_some() == self.admin_password.is_some(),
            "GATHERING_ADMIN_EMAIL",
            "GATHERING_ADMIN_EMAIL and GATHERING_ADMIN_PASSWORD go together",
        )?;
        check(
            !self.login_backoff_base.is_zero() && self.login_backoff_max >= self.login_backoff_base,
            "auth.login_backoff_max_secs",
            "backoff delays must be positive, the maximum at least the base",
        )
    }

    /// The per-account login backoff these settings describe.
    pub fn backoff(&self) -> backoff::Policy {
        backoff::Policy {
            free_failures: self.login_backoff_after,
            base: self.login_backoff_base,
            max: self.login_backoff_max,
            ..backoff::Policy::default()
        }
    }

    /// The role self-registered users get; `None` when self-registration is off.
    pub fn registration_role(&self) -> Option<Role> {
        self.self_registration
            .then_some(self.self_registration_role)
    }
}
