//! The connection pool's settings, the `[db]` section of the configuration: defined here once
//! (field, doc, default, range); `config/` reads the section into this type and
//! [`super::connect`] takes it.

use std::time::Duration;

use serde::Deserialize;

use crate::core::settings::{self as de, Invalid, check};

/// Pool sizing and timeouts (config `[db]`).
#[derive(Debug, Clone, Copy, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Settings {
    /// Connections the pool holds at most.
    pub max_connections: usize,
    /// How long opening one connection may take (`connect_timeout_secs`).
    #[serde(rename = "connect_timeout_secs", deserialize_with = "de::secs")]
    pub connect_timeout: Duration,
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            max_connections: 16,
            connect_timeout: Duration::from_secs(5),
        }
    }
}

impl Settings {
    pub fn validate(&self) -> Result<(), Invalid> {
        check(
            self.max_connections > 0,
            "db.max_connections",
            "must be greater than 0",
        )?;
        check(
            !self.connect_timeout.is_zero(),
            "db.connect_timeout_secs",
            "must be greater than 0",
        )
    }
}
