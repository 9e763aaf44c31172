//! Validation off the async workers. A document is checked on tokio's blocking pool, so a big
//! one never stalls the tasks sharing an async worker (health checks, WebSockets, the engine);
//! at most one check per core runs at once, so a burst of them queues instead of taking every
//! core; and a request's check has a time budget, counted from the call (the wait for a turn
//! included), past which it stops and the request is refused.

use std::sync::{Arc, LazyLock};
use std::time::{Duration, Instant};

use serde_json::Value;
use tokio::sync::Semaphore;

use super::model::{Pipeline, Problems};
use super::validate::{OverBudget, validate_until};

/// How long a request may spend validating a pipeline document (waiting for a turn
/// included). A document within the limits takes far less (`docs/benchmarks/validation.md`);
/// this only bounds a machine under load.
pub const VALIDATION_BUDGET: Duration = Duration::from_secs(5);

/// How long checks of stored documents (starting a stored run) may take: they passed the
/// budget when they were stored, so this is only a backstop.
const STORED_BUDGET: Duration = Duration::from_secs(60);

/// One permit per core: checks beyond that wait for a turn. A tokio semaphore, because the
/// wait is async (a waiting request holds no thread). Process-wide, like the cores it shares.
static TURNS: LazyLock<Semaphore> =
    LazyLock::new(|| Semaphore::new(std::thread::available_parallelism().map_or(2, |n| n.get())));

/// Which budget a check runs under.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Budget {
    /// A document a request brings: [`VALIDATION_BUDGET`].
    Request,
    /// A document that was stored after passing validation.
    Stored,
}

impl Budget {
    fn duration(self) -> Duration {
        match self {
            Self::Request => VALIDATION_BUDGET,
            Self::Stored => STORED_BUDGET,
        }
    }
}

/// Validates `doc` on the blocking pool within `budget`: the pipeline, or its problems, or
/// [`OverBudget`] when the turn or the check did not come in time.
pub async fn validate_off_thread(
    doc: Arc<Value>,
    budget: Budget,
) -> Result<Result<Pipeline, Problems>, OverBudget> {
    let deadline = Instant::now() + budget.duration();
    let turn = tokio::time::timeout_at(deadline.into(), TURNS.acquire())
        .await
        .map_err(|_| OverBudget)?
        .map_err(|_| OverBudget)?;
    let verdict = tokio::task::spawn_blocking(move || validate_until(&doc, deadline)).await;
    drop(turn);
    match verdict {
        Ok(verdict) => verdict,
        // The check panicked: a bug, reported like a check that could not finish.
        Err(e) => {
            tracing::error!(error = %e, "pipeline validation panicked");
            Err(OverBudget)
        }
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[tokio::test]
    async fn a_document_is_checked_off_the_async_worker_with_the_same_verdict() {
        let doc = json!({"name": "p", "nodes": [{"id": "t", "type": "trigger"}]});
        let pipeline = validate_off_thread(Arc::new(doc), Budget::Request)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(pipeline.nodes.len(), 1);
        let problems = validate_off_thread(Arc::new(json!({"nodes": []})), Budget::Request)
            .await
            .unwrap()
            .unwrap_err();
        assert!(problems.listed.iter().any(|p| p.code == "no_nodes"));
    }

    #[test]
    fn a_check_past_its_deadline_stops_over_budget() {
        let doc = json!({"name": "p", "nodes": [{"id": "t", "type": "trigger"}]});
        assert!(validate_until(&doc, Instant::now()).is_err());
    }
}
