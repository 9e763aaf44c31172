//! The pipeline engine's settings, the `[pipelines]` section of the configuration: defined here
//! once (field, doc, default, range); `config/` reads the section into this type.

use std::time::Duration;

use serde::Deserialize;

use crate::core::settings::{self as de, Invalid, check};

/// Settings of the engine (config `[pipelines]`).
#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct EngineSettings {
    /// How long a claim on a run holds without a heartbeat; an instance that stops is replaced
    /// this long after its last heartbeat (renewed every third of it). `lease_secs`.
    #[serde(rename = "lease_secs", deserialize_with = "de::secs_f64")]
    pub lease: Duration,
    /// How often an idle engine looks for runs to take (other instances' runs, expired claims);
    /// runs created anywhere wake it at once through the event relay. `poll_interval_ms`.
    #[serde(rename = "poll_interval_ms", deserialize_with = "de::millis")]
    pub poll_interval: Duration,
    /// Runs one instance executes at once.
    pub max_concurrent_runs: usize,
    /// How long a cancelled node may take to stop on its own before it is aborted.
    /// `cancel_grace_secs`.
    #[serde(rename = "cancel_grace_secs", deserialize_with = "de::secs_f64")]
    pub cancel_grace: Duration,
}

impl Default for EngineSettings {
    fn default() -> Self {
        Self {
            lease: Duration::from_secs(30),
            poll_interval: Duration::from_millis(1000),
            max_concurrent_runs: 64,
            cancel_grace: Duration::from_secs(5),
        }
    }
}

impl EngineSettings {
    pub fn validate(&self) -> Result<(), Invalid> {
        check(
            !self.lease.is_zero() && self.lease <= Duration::from_secs(3600),
            "pipelines.lease_secs",
            "must be more than 0 and at most 3600",
        )?;
        check(
            (10..=600_000).contains(&self.poll_interval.as_millis()),
            "pipelines.poll_interval_ms",
            "must be between 10 and 600000",
        )?;
        check(
            (1..=10_000).contains(&self.max_concurrent_runs),
            "pipelines.max_concurrent_runs",
            "must be between 1 and 10000",
        )?;
        check(
            self.cancel_grace <= Duration::from_secs(600),
            "pipelines.cancel_grace_secs",
            "must be 0 to 600",
        )
    }
}
