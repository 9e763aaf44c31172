//! The HTTP layer's settings, the `[http]` and `[rate_limits]` sections of the configuration:
//! defined here once (field, doc, default, range); `config/` reads each section into its type
//! and [`super::router`] and [`super::rate_limit::RateLimits`] take them.

use std::path::PathBuf;
use std::time::Duration;

use serde::{Deserialize, Deserializer, de::Error as _};

use crate::core::settings::{self as de, Invalid, check};

/// HTTP-layer limits (config `[http]`).
#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct HttpSettings {
    /// The largest request body accepted.
    pub body_limit_bytes: usize,
    /// How long one request may take (`request_timeout_secs`).
    #[serde(rename = "request_timeout_secs", deserialize_with = "de::secs")]
    pub request_timeout: Duration,
    /// Origins allowed by CORS (`GATHERING_CORS_ORIGINS`, comma-separated); empty means
    /// same-origin only (no CORS headers), `*` any origin (refused in production).
    pub cors_origins: Vec<String>,
    /// How long shutdown waits for in-flight requests before cutting them off
    /// (`shutdown_grace_secs`).
    #[serde(rename = "shutdown_grace_secs", deserialize_with = "de::secs")]
    pub shutdown_grace: Duration,
    /// Proxies (addresses or CIDR ranges) whose `X-Forwarded-For` is believed when finding a
    /// client's address (`GATHERING_TRUSTED_PROXIES`, comma-separated).
    #[serde(deserialize_with = "proxies")]
    pub trusted_proxies: Vec<ipnet::IpNet>,
    /// Whether `/metrics` answers without credentials (for a scraper on a private network;
    /// `GATHERING_METRICS_PUBLIC`).
    pub metrics_public: bool,
    /// Serve the dashboard from this directory (a Vite `dist/`) instead of the copy embedded
    /// in the binary (`GATHERING_DASHBOARD_DIR`): for dashboard development and tests.
    pub dashboard_dir: Option<PathBuf>,
}

impl Default for HttpSettings {
    fn default() -> Self {
        Self {
            body_limit_bytes: 2 * 1024 * 1024,
            request_timeout: Duration::from_secs(30),
            cors_origins: Vec::new(),
            shutdown_grace: Duration::from_secs(5),
            trusted_proxies: Vec::new(),
            metrics_public: true,
            dashboard_dir: None,
        }
    }
}

impl HttpSettings {
    pub fn validate(&self) -> Result<(), Invalid> {
        check(
            self.body_limit_bytes > 0,
            "http.body_limit_bytes",
            "must be greater than 0",
        )?;
        if let Some(dir) = &self.dashboard_dir {
            check(
                dir.is_dir(),
                "http.dashboard_dir",
                format!("{} is not a directory", dir.display()),
            )?;
        }
        check(
            !self.request_timeout.is_zero(),
            "http.request_timeout_secs",
            "must be greater than 0",
        )?;
        let any = self.cors_origins.iter().any(|o| o == "*");
        check(
            !any || self.cors_origins.len() == 1,
            "http.cors_origins",
            "`*` allows every origin; list it alone or not at all",
        )?;
        for origin in self.cors_origins.iter().filter(|o| *o != "*") {
            let parsed = url::Url::parse(origin).map_err(|e| {
                Invalid::new(
                    "http.cors_origins",
                    format!("`{origin}` is not a URL ({e})"),
                )
            })?;
            // An origin is exactly scheme://host[:port]: a path or trailing slash never
            // matches a browser's Origin header.
            check(
                matches!(parsed.scheme(), "http" | "https")
                    && parsed.origin().ascii_serialization() == *origin,
                "http.cors_origins",
                format!("`{origin}` must be an origin like https://app.example.com (no path)"),
            )?;
        }
        Ok(())
    }
}

/// Requests per minute allowed per client in each tier (config `[rate_limits]`); 0 turns a
/// tier off. A client is its user when signed in (or its API key) and its address otherwise.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct RateLimitSettings {
    /// Sign-in, refresh and registration, plus requests whose credentials fail, per address.
    pub auth_per_minute: u32,
    /// Requests that change something (POST, PUT, PATCH, DELETE).
    pub write_per_minute: u32,
    /// Reads (GET, HEAD).
    pub read_per_minute: u32,
    /// `/health/*` and `/metrics`.
    pub health_per_minute: u32,
}

impl Default for RateLimitSettings {
    fn default() -> Self {
        Self {
            auth_per_minute: 30,
            write_per_minute: 300,
            read_per_minute: 1200,
            health_per_minute: 1200,
        }
    }
}

/// Addresses or CIDR ranges; an address alone is its own /32 or /128.
fn proxies<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<ipnet::IpNet>, D::Error> {
    Vec::<String>::deserialize(d)?
        .iter()
        .map(|value| {
            let value = value.trim();
            value
                .parse::<ipnet::IpNet>()
                .or_else(|_| value.parse::<std::net::IpAddr>().map(ipnet::IpNet::from))
                .map_err(|_| {
                    D::Error::custom(format!("`{value}` is not an IP address or CIDR range"))
                })
        })
        .collect()
}
