//! What every module's settings type is built from: serde helpers that read the file's
//! unit-suffixed keys (`lease_secs`, `poll_interval_ms`, `retention_days`) into `Duration`s,
//! values parsed by `FromStr`, and [`Invalid`], the error a settings type's `validate()` returns
//! (the configuration module shows it as `invalid {setting}: {message}`).
//!
//! A settings type is `#[derive(Deserialize)] #[serde(default, deny_unknown_fields)]`, has its
//! one `Default`, and a `validate()` for the ranges; `config/` reads it from its TOML section.

use std::time::Duration;

use serde::{Deserialize, Deserializer, de::Error as _};

/// A setting out of its range; `setting` is the key as the file spells it
/// (`pipelines.lease_secs`) or the variable that alone sets it (`GATHERING_JWT_SECRET`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Invalid {
    pub setting: String,
    pub message: String,
}

impl Invalid {
    pub fn new(setting: &str, message: impl Into<String>) -> Self {
        Self {
            setting: setting.to_owned(),
            message: message.into(),
        }
    }
}

/// `Err(Invalid)` unless `ok`: one line per range check in a `validate()`.
pub fn check(ok: bool, setting: &str, message: impl Into<String>) -> Result<(), Invalid> {
    if ok {
        Ok(())
    } else {
        Err(Invalid::new(setting, message))
    }
}

/// Whole seconds (`*_secs` keys).
pub fn secs<'de, D: Deserializer<'de>>(d: D) -> Result<Duration, D::Error> {
    u64::deserialize(d).map(Duration::from_secs)
}

/// Seconds with a fraction (`lease_secs = 0.5`); negative or not finite is refused.
pub fn secs_f64<'de, D: Deserializer<'de>>(d: D) -> Result<Duration, D::Error> {
    let secs = f64::deserialize(d)?;
    Duration::try_from_secs_f64(secs)
        .map_err(|_| D::Error::custom(format!("`{secs}` is not a number of seconds (0 or more)")))
}

/// Milliseconds (`*_ms` keys).
pub fn millis<'de, D: Deserializer<'de>>(d: D) -> Result<Duration, D::Error> {
    u64::deserialize(d).map(Duration::from_millis)
}

/// Milliseconds where 0 turns the feature off (`None`).
pub fn millis_or_off<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Duration>, D::Error> {
    let ms = u64::deserialize(d)?;
    Ok((ms > 0).then(|| Duration::from_millis(ms)))
}

/// Whole days (`*_days` keys).
pub fn days<'de, D: Deserializer<'de>>(d: D) -> Result<Duration, D::Error> {
    let days = u64::deserialize(d)?;
    days.checked_mul(24 * 3600)
        .map(Duration::from_secs)
        .ok_or_else(|| D::Error::custom(format!("`{days}` days is too long")))
}

/// A string parsed with the type's `FromStr`, whose error becomes the message.
pub fn from_str<'de, D, T>(d: D) -> Result<T, D::Error>
where
    D: Deserializer<'de>,
    T: std::str::FromStr,
    T::Err: std::fmt::Display,
{
    let text = String::deserialize(d)?;
    text.parse().map_err(D::Error::custom)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, Deserialize)]
    struct Sample {
        #[serde(deserialize_with = "secs_f64")]
        lease: Duration,
        #[serde(deserialize_with = "millis_or_off")]
        window: Option<Duration>,
        #[serde(deserialize_with = "days")]
        retention: Duration,
    }

    #[test]
    fn units_become_durations_and_bad_numbers_are_refused() {
        let s: Sample = toml::from_str("lease = 1.5\nwindow = 0\nretention = 2").unwrap();
        assert_eq!(s.lease, Duration::from_millis(1500));
        assert_eq!(s.window, None);
        assert_eq!(s.retention, Duration::from_secs(2 * 24 * 3600));
        let err = toml::from_str::<Sample>("lease = -1\nwindow = 5\nretention = 1").unwrap_err();
        assert!(err.message().contains("`-1`"), "{err}");
    }
}
