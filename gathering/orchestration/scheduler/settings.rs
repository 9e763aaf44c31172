//! The scheduler's settings, the `[scheduler]` section of the configuration: defined here once
//! (field, doc, default, range); `config/` reads the section into this type.

use std::time::Duration;

use serde::Deserialize;

use crate::core::settings::{self as de, Invalid, check};

/// Settings of the scheduler (config `[scheduler]`).
#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct SchedulerSettings {
    /// Whether this instance fires and executes schedules (the API works either way).
    pub enabled: bool,
    /// How long a claim on an execution holds without a heartbeat (renewed every third of it);
    /// an execution whose instance died is taken over this long after its last heartbeat.
    /// `lease_secs`.
    #[serde(rename = "lease_secs", deserialize_with = "de::secs_f64")]
    pub lease: Duration,
    /// The longest an idle scheduler sleeps before looking at the database again (orphans,
    /// other instances' changes). `poll_interval_ms`.
    #[serde(rename = "poll_interval_ms", deserialize_with = "de::millis")]
    pub poll_interval: Duration,
    /// How late an occurrence may fire and still be on time; older ones were missed and go to
    /// the catch-up policy. `misfire_grace_secs`.
    #[serde(rename = "misfire_grace_secs", deserialize_with = "de::secs_f64")]
    pub misfire_grace: Duration,
    /// Executions at once on this instance (each holds a database connection throughout).
    pub max_concurrent: usize,
    /// The most event-triggered hops a chain may have (schedule run -> events -> schedule
    /// run ...); the run past it is refused and its schedule paused (`guard/`). Not read from
    /// the file.
    #[serde(skip)]
    pub max_chain_depth: u32,
    /// The most runs events may fire of one schedule in a minute; past it, as above. Not read
    /// from the file.
    #[serde(skip)]
    pub max_event_fires_per_minute: u32,
}

impl Default for SchedulerSettings {
    fn default() -> Self {
        Self {
            enabled: true,
            lease: Duration::from_secs(30),
            poll_interval: Duration::from_millis(1000),
            misfire_grace: Duration::from_secs(5),
            max_concurrent: 8,
            max_chain_depth: 8,
            max_event_fires_per_minute: 120,
        }
    }
}

impl SchedulerSettings {
    pub fn validate(&self) -> Result<(), Invalid> {
        check(
            !self.lease.is_zero() && self.lease <= Duration::from_secs(3600),
            "scheduler.lease_secs",
            "must be more than 0 and at most 3600",
        )?;
        check(
            (10..=600_000).contains(&self.poll_interval.as_millis()),
            "scheduler.poll_interval_ms",
            "must be between 10 and 600000",
        )?;
        check(
            self.misfire_grace <= Duration::from_secs(86_400),
            "scheduler.misfire_grace_secs",
            "must be 0 to 86400",
        )?;
        check(
            (1..=1000).contains(&self.max_concurrent),
            "scheduler.max_concurrent",
            "must be between 1 and 1000",
        )
    }
}
