//! The process's readiness: starting, ready or shutting down, with a reason a person can read.
//! `/health/ready` reports it; start-up and shutdown move it.

use std::sync::{Arc, Mutex};

use super::supervise::Loops;

/// Where the process is in its life.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Phase {
    Starting,
    Ready,
    ShuttingDown,
}

/// Shared readiness flag; cheap to clone.
#[derive(Debug, Clone)]
pub struct Readiness {
    /// A std mutex, not tokio's: it is held for a copy and never across an `.await`.
    inner: Arc<Mutex<(Phase, String)>>,
    /// The supervised background loops: one that is down makes the process not ready.
    pub loops: Loops,
    /// The phase as it is set, for those who await a change instead of asking again.
    phase: Arc<tokio::sync::watch::Sender<Phase>>,
}

impl Default for Readiness {
    fn default() -> Self {
        Self {
            inner: Arc::new(Mutex::new((Phase::Starting, "starting".to_owned()))),
            loops: Loops::default(),
            phase: Arc::new(tokio::sync::watch::Sender::new(Phase::Starting)),
        }
    }
}

impl Readiness {
    pub fn set(&self, phase: Phase, reason: impl Into<String>) {
        *self.inner.lock().unwrap_or_else(|p| p.into_inner()) = (phase, reason.into());
        self.phase.send_replace(phase);
    }

    /// Returns once the phase has been set to `phase` (at once if it is now). Never returns if
    /// it never is: race it with whatever would end the wait (the process stopping).
    pub async fn reached(&self, phase: Phase) {
        let mut changes = self.phase.subscribe();
        // The sender lives in `self`, so the wait cannot fail for want of one.
        let _ = changes.wait_for(|now| *now == phase).await;
    }

    /// The phase and its reason; a ready process with a background loop down is reported
    /// as starting again, with the loop named, until the loop is back.
    pub fn get(&self) -> (Phase, String) {
        let (phase, reason) = self.inner.lock().unwrap_or_else(|p| p.into_inner()).clone();
        if phase == Phase::Ready
            && let Some((name, why)) = self.loops.down().into_iter().next()
        {
            return (
                Phase::Starting,
                format!("the {name} loop is down ({why}) and restarting"),
            );
        }
        (phase, reason)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn starts_not_ready_and_follows_transitions() {
        let readiness = Readiness::default();
        assert_eq!(readiness.get().0, Phase::Starting);
        let other = readiness.clone();
        other.set(Phase::Ready, "ready");
        assert_eq!(readiness.get(), (Phase::Ready, "ready".to_owned()));
        other.set(Phase::ShuttingDown, "shutting down");
        assert_eq!(readiness.get().0, Phase::ShuttingDown);
    }

    #[tokio::test]
    async fn reaching_a_phase_can_be_awaited() {
        let readiness = Readiness::default();
        let waiter = tokio::spawn({
            let readiness = readiness.clone();
            async move { readiness.reached(Phase::Ready).await }
        });
        readiness.set(Phase::Ready, "ready");
        waiter.await.unwrap();
        // Already there: returns at once.
        readiness.reached(Phase::Ready).await;
    }
}
