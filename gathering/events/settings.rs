//! The event bus's and outbox's settings, the `[events]` section of the configuration (with the
//! WebSocket keepalive, which the sockets read from here). Defined here once (field, doc,
//! default, range); `config/` reads the section into this type.

use std::time::Duration;

use serde::Deserialize;

use crate::core::settings::{self as de, Invalid, check};

/// Settings of the event bus and its outbox (config `[events]`).
#[derive(Debug, Clone, Copy, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Settings {
    /// Events one subscriber may have queued before it is told it lagged.
    pub queue_capacity: usize,
    /// Identical ephemeral events within this window are published once (`dedup_window_ms`,
    /// 0 = off).
    #[serde(rename = "dedup_window_ms", deserialize_with = "de::millis_or_off")]
    pub dedup_window: Option<Duration>,
    /// Outbox events older than this are deleted (`retention_days`).
    #[serde(rename = "retention_days", deserialize_with = "de::days")]
    pub retention: Duration,
    /// At most this many outbox events are kept (`retention_max_events`).
    pub retention_max_events: i64,
    /// How often a WebSocket is pinged and its credential checked again
    /// (`ws_ping_interval_secs`).
    #[serde(rename = "ws_ping_interval_secs", deserialize_with = "de::secs")]
    pub ws_ping_interval: Duration,
    /// A WebSocket silent this long is closed (`ws_idle_timeout_secs`).
    #[serde(rename = "ws_idle_timeout_secs", deserialize_with = "de::secs")]
    pub ws_idle_timeout: Duration,
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            queue_capacity: 1024,
            dedup_window: None,
            retention: Duration::from_secs(7 * 24 * 3600),
            retention_max_events: 1_000_000,
            ws_ping_interval: Duration::from_secs(20),
            ws_idle_timeout: Duration::from_secs(60),
        }
    }
}

impl Settings {
    pub fn validate(&self) -> Result<(), Invalid> {
        check(
            self.queue_capacity > 0,
            "events.queue_capacity",
            "must be greater than 0",
        )?;
        check(
            !self.ws_ping_interval.is_zero() && self.ws_idle_timeout > self.ws_ping_interval,
            "events.ws_idle_timeout_secs",
            "the WebSocket ping interval must be positive and the idle timeout longer",
        )?;
        check(
            !self.retention.is_zero() && self.retention_max_events >= 1,
            "events.retention_days",
            "events.retention_days and events.retention_max_events must be at least 1",
        )
    }
}
