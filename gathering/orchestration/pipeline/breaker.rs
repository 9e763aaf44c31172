//! Circuit breakers per (pipeline, node), kept in Postgres so that every run on every instance
//! shares them. Closed: executions go ahead; `threshold` consecutive failed executions (after
//! their retries) open it. Open: executions fail at once with `breaker_open` until `recovery`
//! has passed since it opened; then one execution is let through as a probe (half-open), and
//! its outcome closes the breaker or opens it again. A probe whose instance stopped is replaced
//! after another `recovery`.

use std::time::Duration;

use deadpool_postgres::Pool;
use serde_json::json;

use super::records::BreakerState;
use super::store::{self, Began};
use crate::events::{EventType, NewEvent, Scope, outbox};

/// A node's breaker settings.
#[derive(Debug, Clone, Copy)]
pub struct Policy {
    pub threshold: u32,
    pub recovery: Duration,
}

/// Whether an execution may go ahead.
#[derive(Debug, Clone, PartialEq)]
pub enum Admission {
    /// Closed: go ahead.
    Closed,
    /// Half-open: go ahead as the one probe.
    Probe,
    /// Open: fail at once; the breaker may let a probe through in this many seconds.
    Rejected { retry_in: f64 },
}

/// Which breaker, and the scope its events carry.
#[derive(Debug, Clone, Copy)]
pub struct Key<'a> {
    pub pipeline_id: uuid::Uuid,
    pub node_id: &'a str,
    pub scope: &'a Scope,
}

/// Decides whether an execution may go ahead (and starts a probe when the time has come).
pub async fn admit(pool: &Pool, key: Key<'_>, policy: Policy) -> anyhow::Result<Admission> {
    let mut client = pool.get().await?;
    let tx = client.transaction().await?;
    let (breaker, open_for, probing_for) =
        store::lock_breaker(&tx, key.pipeline_id, key.node_id).await?;
    let recovery = policy.recovery.as_secs_f64();
    let admission = match breaker.state {
        BreakerState::Closed => Admission::Closed,
        BreakerState::Open => {
            let open_for = open_for.unwrap_or(f64::MAX);
            if open_for >= recovery {
                store::set_breaker(
                    &tx,
                    key.pipeline_id,
                    key.node_id,
                    BreakerState::HalfOpen,
                    breaker.failures,
                    Began::Probe,
                )
                .await?;
                announce(&tx, key, BreakerState::HalfOpen, breaker.failures).await?;
                Admission::Probe
            } else {
                Admission::Rejected {
                    retry_in: recovery - open_for,
                }
            }
        }
        BreakerState::HalfOpen => {
            if probing_for.is_none_or(|p| p >= recovery) {
                store::set_breaker(
                    &tx,
                    key.pipeline_id,
                    key.node_id,
                    BreakerState::HalfOpen,
                    breaker.failures,
                    Began::Probe,
                )
                .await?;
                Admission::Probe
            } else {
                Admission::Rejected {
                    retry_in: recovery - probing_for.unwrap_or(0.0),
                }
            }
        }
    };
    tx.commit().await?;
    Ok(admission)
}

/// How an execution went, for its breaker.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    Succeeded,
    Failed,
}

/// Records an execution's outcome; returns the new state when it changed.
pub async fn record(
    pool: &Pool,
    key: Key<'_>,
    policy: Policy,
    outcome: Outcome,
) -> anyhow::Result<Option<BreakerState>> {
    let mut client = pool.get().await?;
    let tx = client.transaction().await?;
    let (breaker, _, _) = store::lock_breaker(&tx, key.pipeline_id, key.node_id).await?;
    let (state, failures, opened) = if outcome == Outcome::Succeeded {
        (BreakerState::Closed, 0, false)
    } else {
        let failures = breaker.failures.saturating_add(1);
        let trips = breaker.state == BreakerState::HalfOpen
            || u32::try_from(failures).unwrap_or(u32::MAX) >= policy.threshold;
        if trips {
            (BreakerState::Open, failures, true)
        } else {
            (breaker.state, failures, false)
        }
    };
    if state == breaker.state && failures == breaker.failures && !opened {
        tx.commit().await?;
        return Ok(None);
    }
    store::set_breaker(
        &tx,
        key.pipeline_id,
        key.node_id,
        state,
        failures,
        if opened {
            Began::Opening
        } else {
            Began::Nothing
        },
    )
    .await?;
    let moved = state != breaker.state || opened;
    if moved {
        announce(&tx, key, state, failures).await?;
    }
    tx.commit().await?;
    Ok(moved.then_some(state))
}

/// Publishes the breaker's new state (`pipeline_breaker.changed`, in `tx`). Not an audited
/// change: breakers move on their own, as executions fail and recover.
async fn announce(
    tx: &impl deadpool_postgres::GenericClient,
    key: Key<'_>,
    state: BreakerState,
    failures: i32,
) -> anyhow::Result<()> {
    outbox::append(
        tx,
        &NewEvent::new(EventType::PipelineBreakerChanged, key.scope.clone(), None).data(json!({
            "pipeline_id": key.pipeline_id, "node_id": key.node_id,
            "state": state.as_str(), "failures": failures,
        })),
    )
    .await?;
    Ok(())
}
