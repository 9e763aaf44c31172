//! The composition root's periodic housekeeping loops, each supervised and cancelled at
//! shutdown by `App::run`.

use std::time::Duration;

use deadpool_postgres::Pool;
use tokio_util::sync::CancellationToken;

use crate::api::rate_limit::RateLimits;
use crate::auth::Auth;
use crate::events;

/// Removes expired revocations, refresh tokens and stale login failures every hour until
/// cancelled.
pub(super) async fn purge_expired_tokens(auth: Auth, pool: Pool, cancel: CancellationToken) {
    let mut next = tokio::time::Instant::now();
    loop {
        tokio::select! {
            () = tokio::time::sleep_until(next) => {}
            () = cancel.cancelled() => return,
        }
        match auth.purge_expired(&pool).await {
            Ok(0) => {}
            Ok(n) => tracing::info!(rows = n, "purged expired tokens"),
            Err(e) => tracing::warn!("purging expired tokens failed: {e}"),
        }
        next += Duration::from_secs(3600);
    }
}

/// Applies the outbox retention (age and count) every hour until cancelled.
pub(super) async fn purge_old_events(
    pool: Pool,
    config: crate::events::Settings,
    cancel: CancellationToken,
) {
    let mut next = tokio::time::Instant::now();
    loop {
        tokio::select! {
            () = tokio::time::sleep_until(next) => {}
            () = cancel.cancelled() => return,
        }
        let purged = async {
            let client = pool.get().await?;
            let rows =
                events::outbox::purge(&**client, config.retention, config.retention_max_events)
                    .await?;
            Ok::<_, anyhow::Error>(rows)
        };
        match purged.await {
            Ok(0) => {}
            Ok(n) => tracing::info!(rows = n, "purged old events"),
            Err(e) => tracing::warn!("purging old events failed: {e:#}"),
        }
        next += Duration::from_secs(3600);
    }
}

/// Drops rate-limit state of clients whose budgets are full again, every minute, so memory
/// follows the number of active clients rather than every address ever seen.
pub(super) async fn forget_idle_clients(limits: RateLimits, cancel: CancellationToken) {
    let mut next = tokio::time::Instant::now() + Duration::from_secs(60);
    loop {
        tokio::select! {
            () = tokio::time::sleep_until(next) => {}
            () = cancel.cancelled() => return,
        }
        limits.forget_idle();
        next += Duration::from_secs(60);
    }
}
