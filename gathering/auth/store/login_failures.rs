//! SQL of the per-account login backoff (`auth.login_failures`): one row per email key tried,
//! known or not. The policy (when a block starts, how it grows) is `auth::backoff`'s.

use chrono::{DateTime, Utc};
use deadpool_postgres::GenericClient;

/// Until when logins for `key` are refused, if they are now.
pub async fn blocked_until(
    client: &impl GenericClient,
    key: &str,
) -> Result<Option<DateTime<Utc>>, tokio_postgres::Error> {
    let row = client
        .query_opt(
            "SELECT blocked_until FROM auth.login_failures
              WHERE email_key = $1 AND blocked_until > now()",
            &[&key],
        )
        .await?;
    Ok(row.map(|r| r.get(0)))
}

/// Counts a failure for `key`: one more when the previous failure is younger than
/// `forget_after_secs`, else a fresh count of one. Returns the count.
pub async fn count_failure(
    client: &impl GenericClient,
    key: &str,
    forget_after_secs: f64,
) -> Result<i32, tokio_postgres::Error> {
    let row = client
        .query_one(
            "INSERT INTO auth.login_failures AS f (email_key, failures) VALUES ($1, 1)
             ON CONFLICT (email_key) DO UPDATE SET
                 failures = CASE WHEN f.last_failed_at > now() - make_interval(secs => $2)
                                 THEN f.failures + 1 ELSE 1 END,
                 last_failed_at = now()
             RETURNING failures",
            &[&key, &forget_after_secs],
        )
        .await?;
    Ok(row.get(0))
}

/// Refuses logins for `key` for `delay_secs` from now; returns when the block ends.
pub async fn block(
    client: &impl GenericClient,
    key: &str,
    delay_secs: f64,
) -> Result<DateTime<Utc>, tokio_postgres::Error> {
    let row = client
        .query_one(
            "UPDATE auth.login_failures SET blocked_until = now() + make_interval(secs => $2)
              WHERE email_key = $1 RETURNING blocked_until",
            &[&key, &delay_secs],
        )
        .await?;
    Ok(row.get(0))
}

/// Forgets the failures of `key`.
pub async fn clear(client: &impl GenericClient, key: &str) -> Result<(), tokio_postgres::Error> {
    client
        .execute(
            "DELETE FROM auth.login_failures WHERE email_key = $1",
            &[&key],
        )
        .await?;
    Ok(())
}

/// Deletes rows whose last failure is older than `forget_after_secs` and that block nothing
/// now; returns how many.
pub async fn purge(
    client: &impl GenericClient,
    forget_after_secs: f64,
) -> Result<u64, tokio_postgres::Error> {
    client
        .execute(
            "DELETE FROM auth.login_failures
              WHERE last_failed_at < now() - make_interval(secs => $1)
                AND (blocked_until IS NULL OR blocked_until < now())",
            &[&forget_after_secs],
        )
        .await
}
