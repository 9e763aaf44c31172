//! The process's readiness: starting, ready or shutting down, with a reason a person can read.
//! `/health/ready` reports it; start-up and shutdown move it.

use std::sync::{Arc, Mutex};

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
}

impl Default for Readiness {
    fn default() -> Self {
        Self {
            inner: Arc::new(Mutex::new((Phase::Starting, "starting".to_owned()))),
        }
    }
}

impl Readiness {
    pub fn set(&self, phase: Phase, reason: impl Into<String>) {
        *self.inner.lock().unwrap_or_else(|p| p.into_inner()) = (phase, reason.into());
    }

    pub fn get(&self) -> (Phase, String) {
        self.inner.lock().unwrap_or_else(|p| p.into_inner()).clone()
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
}
