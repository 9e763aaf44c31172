//! The per-agent queue: an agent runs up to `max_running` turns at once on this instance; more
//! wait in arrival order (tokio's semaphore is fair), up to `max_waiting`, and past that a turn
//! is refused with `DomainError::Busy` (429 `agent_busy`) instead of piling up. A waiting turn
//! whose client leaves gives its place up (its future is dropped).

use std::collections::HashMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use tokio::sync::{OwnedSemaphorePermit, Semaphore};
use uuid::Uuid;

use crate::core::error::DomainError;

/// Gates of every agent that has had a turn on this instance.
pub struct Gates {
    max_running: usize,
    max_waiting: usize,
    /// A std mutex: held only to find or insert an entry, never across an await. One entry per
    /// agent, kept for the process's life (a few hundred bytes each).
    agents: Mutex<HashMap<Uuid, Arc<Gate>>>,
}

struct Gate {
    permits: Arc<Semaphore>,
    /// Turns waiting for a permit (not running ones).
    waiting: AtomicUsize,
}

/// A turn's place in its agent's queue.
pub struct Waiting {
    gate: Arc<Gate>,
    ahead: usize,
    busy: bool,
}

impl Gates {
    pub fn new(max_running: usize, max_waiting: usize) -> Self {
        Self {
            max_running: max_running.max(1),
            max_waiting,
            agents: Mutex::new(HashMap::new()),
        }
    }

    /// Joins `agent`'s queue, or refuses when it is full.
    pub fn enter(&self, agent: Uuid) -> Result<Waiting, DomainError> {
        let gate = {
            let mut agents = self.agents.lock().unwrap_or_else(|e| e.into_inner());
            agents
                .entry(agent)
                .or_insert_with(|| {
                    Arc::new(Gate {
                        permits: Arc::new(Semaphore::new(self.max_running)),
                        waiting: AtomicUsize::new(0),
                    })
                })
                .clone()
        };
        let ahead = gate.waiting.fetch_add(1, Ordering::SeqCst);
        let busy = gate.permits.available_permits() == 0;
        if busy && ahead >= self.max_waiting {
            gate.waiting.fetch_sub(1, Ordering::SeqCst);
            return Err(DomainError::Busy(format!(
                "this agent is busy: {} turns are running and {ahead} waiting; retry later",
                self.max_running
            )));
        }
        Ok(Waiting {
            gate,
            ahead: if busy { ahead } else { 0 },
            busy,
        })
    }
}

impl Waiting {
    /// Turns waiting ahead of this one when it joined.
    pub fn ahead(&self) -> usize {
        self.ahead
    }

    /// Whether every permit was taken when it joined (it waits, and is told so).
    pub fn must_wait(&self) -> bool {
        self.busy
    }

    /// Waits for the turn's permit; the turn runs while the permit lives.
    pub async fn ready(self) -> OwnedSemaphorePermit {
        self.gate
            .permits
            .clone()
            .acquire_owned()
            .await
            .expect("agent semaphores are never closed")
    }
}

impl Drop for Waiting {
    fn drop(&mut self) {
        self.gate.waiting.fetch_sub(1, Ordering::SeqCst);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn turns_wait_in_order_and_the_queue_is_bounded() {
        let gates = Gates::new(1, 2);
        let agent = Uuid::now_v7();
        let running = gates.enter(agent).unwrap().ready().await;
        let first = gates.enter(agent).unwrap();
        let second = gates.enter(agent).unwrap();
        assert_eq!((first.ahead(), second.ahead()), (0, 1));
        assert!(first.must_wait() && second.must_wait());
        assert!(matches!(gates.enter(agent), Err(DomainError::Busy(_))));
        // Another agent is not affected.
        assert!(gates.enter(Uuid::now_v7()).is_ok());
        // A waiter that leaves frees its place.
        drop(second);
        let again = gates.enter(agent).unwrap();
        drop(running);
        let next = first.ready().await;
        drop(next);
        drop(again.ready().await);
    }
}
