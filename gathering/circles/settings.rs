//! Circles' settings, the `[circles]` section of the configuration: defined here once (field,
//! doc, default, range); `config/` reads the section into this type.

use std::time::Duration;

use serde::Deserialize;

use crate::core::settings::{self as de, Invalid, check, millis};

/// Settings of circles and their discussions (config `[circles]`).
#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct CirclesSettings {
    /// Discussions one instance runs at once; more wait for a free slot (or another instance).
    pub max_concurrent_discussions: usize,
    /// A discussion whose instance stops is taken over by another this long after its last
    /// heartbeat (renewed every third of it). `lease_secs`.
    #[serde(rename = "lease_secs", deserialize_with = "de::secs_f64")]
    pub lease: Duration,
    /// How often an instance looks for discussions to run when nothing woke it
    /// (`poll_interval_ms`).
    #[serde(rename = "poll_interval_ms", deserialize_with = "millis")]
    pub poll_interval: Duration,
    /// Tokens of the discussion's history an agent's turn sees; older messages are summarised.
    pub window_tokens: usize,
}

impl Default for CirclesSettings {
    fn default() -> Self {
        Self {
            max_concurrent_discussions: 64,
            lease: Duration::from_secs(30),
            poll_interval: Duration::from_secs(1),
            window_tokens: 2048,
        }
    }
}

impl CirclesSettings {
    pub fn validate(&self) -> Result<(), Invalid> {
        check(
            (1..=10_000).contains(&self.max_concurrent_discussions),
            "circles.max_concurrent_discussions",
            "must be between 1 and 10000",
        )?;
        check(
            !self.lease.is_zero() && self.lease <= Duration::from_secs(3600),
            "circles.lease_secs",
            "must be more than 0 and at most 3600",
        )?;
        check(
            !self.poll_interval.is_zero() && self.poll_interval <= Duration::from_secs(3600),
            "circles.poll_interval_ms",
            "must be more than 0 and at most an hour",
        )?;
        check(
            (128..=1_000_000).contains(&self.window_tokens),
            "circles.window_tokens",
            "must be between 128 and 1000000",
        )
    }
}
