//! The built-in tools' settings, the `[tools]` section of the configuration: defined here once
//! (field, doc, default, range); `config/` reads the section into this type.

use std::time::Duration;

use serde::Deserialize;

use crate::core::settings::{self as de, Invalid, check};

/// Settings of the built-in tools (config `[tools]`).
#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ToolSettings {
    /// Whether the HTTP tool may reach private, loopback and link-local addresses
    /// (`GATHERING_HTTP_ALLOW_PRIVATE=true`). Off by default: agents must not reach the
    /// server's own network.
    pub http_allow_private: bool,
    /// The most bytes of a response body the HTTP tool reads (the rest is cut, and says so).
    pub http_max_response_bytes: usize,
    /// Per-request limit of the HTTP tool. `http_timeout_secs`.
    #[serde(rename = "http_timeout_secs", deserialize_with = "de::secs")]
    pub http_timeout: Duration,
}

impl Default for ToolSettings {
    fn default() -> Self {
        Self {
            http_allow_private: false,
            http_max_response_bytes: 256 * 1024,
            http_timeout: Duration::from_secs(20),
        }
    }
}

impl ToolSettings {
    pub fn validate(&self) -> Result<(), Invalid> {
        check(
            !self.http_timeout.is_zero(),
            "tools.http_timeout_secs",
            "must be greater than 0",
        )?;
        check(
            self.http_max_response_bytes > 0,
            "tools.http_max_response_bytes",
            "must be greater than 0",
        )
    }
}
