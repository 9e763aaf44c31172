//! Per-account login backoff: after a few failed logins for one email, further attempts are
//! refused for a delay that doubles with each failure, up to a maximum. Counted for every email
//! tried, known or not, in `auth.login_failures`, so the backoff shared by all instances never
//! tells an attacker which accounts exist.

use std::time::Duration;

use chrono::{DateTime, Utc};
use deadpool_postgres::GenericClient;

use super::store::login_failures;

/// When the backoff starts and how it grows.
#[derive(Debug, Clone, Copy)]
pub struct Policy {
    /// Failures allowed before any delay.
    pub free_failures: u32,
    /// The first delay; each later failure doubles it.
    pub base: Duration,
    /// The longest delay.
    pub max: Duration,
    /// A failure older than this no longer counts.
    pub forget_after: Duration,
}

impl Default for Policy {
    fn default() -> Self {
        Self {
            free_failures: 5,
            base: Duration::from_secs(1),
            max: Duration::from_secs(15 * 60),
            forget_after: Duration::from_secs(24 * 3600),
        }
    }
}

impl Policy {
    /// How long to refuse logins after the `failures`-th consecutive failure.
    pub fn delay_after(&self, failures: u32) -> Option<Duration> {
        let beyond = failures.checked_sub(self.free_failures)?;
        let factor = 2u32.checked_pow(beyond).unwrap_or(u32::MAX);
        Some(self.base.saturating_mul(factor).min(self.max))
    }
}

/// The key an email is counted under.
pub fn email_key(email: &str) -> String {
    email.trim().to_lowercase()
}

/// Until when logins for `key` are refused, if they are now.
pub async fn blocked_until(
    client: &impl GenericClient,
    key: &str,
) -> Result<Option<DateTime<Utc>>, tokio_postgres::Error> {
    login_failures::blocked_until(client, key).await
}

/// Counts a failure; returns when the resulting block ends, if there is one.
pub async fn record_failure(
    client: &impl GenericClient,
    key: &str,
    policy: &Policy,
) -> Result<Option<DateTime<Utc>>, tokio_postgres::Error> {
    let failures =
        login_failures::count_failure(client, key, policy.forget_after.as_secs_f64()).await?;
    let Some(delay) = policy.delay_after(u32::try_from(failures).unwrap_or(u32::MAX)) else {
        return Ok(None);
    };
    let until = login_failures::block(client, key, delay.as_secs_f64()).await?;
    Ok(Some(until))
}

/// Forgets the failures of `key` (after a successful login).
pub async fn clear(client: &impl GenericClient, key: &str) -> Result<(), tokio_postgres::Error> {
    login_failures::clear(client, key).await
}

/// Deletes rows whose failures no longer count; returns how many.
pub async fn purge(
    client: &impl GenericClient,
    policy: &Policy,
) -> Result<u64, tokio_postgres::Error> {
    login_failures::purge(client, policy.forget_after.as_secs_f64()).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_delay_starts_after_the_free_failures_and_doubles_up_to_the_maximum() {
        let policy = Policy {
            free_failures: 3,
            base: Duration::from_secs(2),
            max: Duration::from_secs(60),
            forget_after: Duration::from_secs(3600),
        };
        assert_eq!(policy.delay_after(0), None);
        assert_eq!(policy.delay_after(2), None);
        assert_eq!(policy.delay_after(3), Some(Duration::from_secs(2)));
        assert_eq!(policy.delay_after(4), Some(Duration::from_secs(4)));
        assert_eq!(policy.delay_after(7), Some(Duration::from_secs(32)));
        assert_eq!(policy.delay_after(8), Some(Duration::from_secs(60)));
        assert_eq!(policy.delay_after(u32::MAX), Some(Duration::from_secs(60)));
    }

    #[test]
    fn emails_are_counted_case_insensitively() {
        assert_eq!(email_key(" Ada@Example.org "), "ada@example.org");
    }
}
