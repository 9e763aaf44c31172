//! Supervision of the long-lived loops (the event relay, the pipeline engine, the scheduler, the
//! purges): a loop that panics or returns before shutdown is restarted with exponential backoff,
//! and while it is down `/health/ready` answers 503 naming it and `/metrics` shows
//! `background_loop_up{loop} 0` and counts `background_loop_restarts_total{loop}`. `app.rs`
//! wraps every loop it spawns in [`supervise`].

use std::collections::BTreeMap;
use std::future::Future;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use backon::BackoffBuilder;
use tokio_util::sync::CancellationToken;

/// A loop that stayed up this long had recovered: its next failure starts the backoff again.
const HEALTHY_AFTER: Duration = Duration::from_secs(60);

/// The health of every supervised loop, by name; cheap to clone.
#[derive(Debug, Clone, Default)]
pub struct Loops {
    /// A std mutex, not tokio's: held for a map update or a copy, never across an `.await`.
    inner: Arc<Mutex<BTreeMap<&'static str, LoopHealth>>>,
}

/// One loop's state.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LoopHealth {
    pub up: bool,
    pub restarts: u64,
    /// Why it stopped last (a panic's message, or that it returned).
    pub last_failure: Option<String>,
}

impl Loops {
    fn update(&self, name: &'static str, change: impl FnOnce(&mut LoopHealth)) {
        let mut loops = self.inner.lock().unwrap_or_else(|p| p.into_inner());
        let health = loops.entry(name).or_insert(LoopHealth {
            up: false,
            restarts: 0,
            last_failure: None,
        });
        change(health);
        metrics::gauge!("background_loop_up", "loop" => name).set(if health.up {
            1.0
        } else {
            0.0
        });
    }

    /// The loops that are down now, with why.
    pub fn down(&self) -> Vec<(&'static str, String)> {
        let loops = self.inner.lock().unwrap_or_else(|p| p.into_inner());
        loops
            .iter()
            .filter(|(_, h)| !h.up)
            .map(|(name, h)| (*name, h.last_failure.clone().unwrap_or_default()))
            .collect()
    }

    /// One loop's state, if it was ever started.
    pub fn get(&self, name: &str) -> Option<LoopHealth> {
        let loops = self.inner.lock().unwrap_or_else(|p| p.into_inner());
        loops.get(name).cloned()
    }
}

/// Runs the loop that `start` makes until `cancel`, restarting it (a fresh one from `start`)
/// whenever it panics or returns before `cancel`. `start` must hand the loop the same `cancel`;
/// on cancellation this waits for the loop to finish, so shutdown still drains it.
pub async fn supervise<F, Fut>(
    name: &'static str,
    loops: Loops,
    cancel: CancellationToken,
    mut start: F,
) where
    F: FnMut() -> Fut,
    Fut: Future<Output = ()> + Send + 'static,
{
    let backoff = backon::ExponentialBuilder::new()
        .with_min_delay(Duration::from_millis(500))
        .with_max_delay(Duration::from_secs(30))
        .without_max_times()
        .with_jitter();
    let mut delays = backoff.build();
    loop {
        loops.update(name, |h| h.up = true);
        let started = Instant::now();
        let mut task = tokio::spawn(start());
        let ended = tokio::select! {
            ended = &mut task => ended,
            () = cancel.cancelled() => {
                let _ = task.await;
                return;
            }
        };
        if cancel.is_cancelled() {
            return;
        }
        let why = match ended {
            Ok(()) => "it returned".to_owned(),
            Err(error) if error.is_panic() => {
                let payload = error.into_panic();
                let message = payload
                    .downcast_ref::<&str>()
                    .map(|s| (*s).to_owned())
                    .or_else(|| payload.downcast_ref::<String>().cloned())
                    .unwrap_or_else(|| "a panic".to_owned());
                format!("it panicked: {message}")
            }
            Err(error) => format!("it was aborted: {error}"),
        };
        if started.elapsed() >= HEALTHY_AFTER {
            delays = backoff.build();
        }
        let delay = delays.next().unwrap_or(Duration::from_secs(30));
        metrics::counter!("background_loop_restarts_total", "loop" => name).increment(1);
        tracing::error!(
            r#loop = name,
            retry_in = ?delay,
            "a background loop stopped ({why}); restarting it"
        );
        loops.update(name, |h| {
            h.up = false;
            h.restarts += 1;
            h.last_failure = Some(why);
        });
        tokio::select! {
            () = tokio::time::sleep(delay) => {}
            () = cancel.cancelled() => return,
        }
    }
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::{AtomicU32, Ordering};

    use super::*;

    #[tokio::test]
    async fn a_loop_that_panics_is_restarted_and_reported_down_meanwhile() {
        let loops = Loops::default();
        let cancel = CancellationToken::new();
        let starts = Arc::new(AtomicU32::new(0));
        let (running_tx, mut running) = tokio::sync::mpsc::unbounded_channel();
        let supervisor = tokio::spawn(supervise("test", loops.clone(), cancel.clone(), {
            let starts = starts.clone();
            let cancel = cancel.clone();
            move || {
                let n = starts.fetch_add(1, Ordering::SeqCst);
                let cancel = cancel.clone();
                let running_tx = running_tx.clone();
                async move {
                    assert!(n >= 2, "a bad row on start {n}");
                    let _ = running_tx.send(n);
                    cancel.cancelled().await;
                }
            }
        }));
        // Two panics, two restarts, then a loop that stays up.
        assert_eq!(running.recv().await, Some(2));
        let health = loops.get("test").expect("registered");
        assert!(health.up);
        assert_eq!(health.restarts, 2);
        assert!(
            health
                .last_failure
                .as_deref()
                .is_some_and(|f| f.contains("a bad row on start 1")),
            "{health:?}"
        );
        assert!(loops.down().is_empty());
        cancel.cancel();
        supervisor.await.expect("the supervisor ends on cancel");
        assert_eq!(starts.load(Ordering::SeqCst), 3);
    }

    #[tokio::test]
    async fn a_loop_down_is_listed_until_it_is_back() {
        let loops = Loops::default();
        let cancel = CancellationToken::new();
        let supervisor = tokio::spawn(supervise(
            "returns",
            loops.clone(),
            cancel.clone(),
            || async {},
        ));
        // The loop returns at once, every time: it is down between restarts (polled with a
        // deadline: the backoff is real time).
        let deadline = tokio::time::Instant::now() + Duration::from_secs(30);
        loop {
            let down = loops.down();
            let restarts = loops.get("returns").map_or(0, |h| h.restarts);
            if restarts >= 2 && down == [("returns", "it returned".to_owned())] {
                break;
            }
            assert!(tokio::time::Instant::now() < deadline, "{down:?}");
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        cancel.cancel();
        supervisor.await.unwrap();
    }
}
