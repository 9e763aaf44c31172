//! Fair turns across callers for the local engines: each caller's work waits in its own FIFO,
//! and the engine serves the caller it served least recently, so a caller with 2,048 texts or
//! eight long answers queued cannot starve one with a single word.
//!
//! The engine threads own their queue (no lock): work arrives over a channel and is moved in
//! here before each step.

use std::collections::{HashMap, VecDeque};

use uuid::Uuid;

/// Who a request counts against: the user (or, without one, the API key or agent) it is made
/// for. The nil id is the anonymous caller (the engines' own checks, tests).
pub type CallerKey = Uuid;

/// Callers remembered after their queue empties, so that one who comes back keeps its place
/// behind those served more recently. Past this many, forgotten callers start afresh.
const REMEMBERED: usize = 4096;

/// Per-caller FIFOs, served least recently served first.
#[derive(Debug)]
pub struct FairQueue<T> {
    queues: HashMap<CallerKey, VecDeque<T>>,
    /// When each caller was last served (a step counter), and when its queue last became
    /// non-empty (ties between callers never served go to the one who came first).
    last_served: HashMap<CallerKey, u64>,
    since: HashMap<CallerKey, u64>,
    clock: u64,
}

impl<T> Default for FairQueue<T> {
    fn default() -> Self {
        Self {
            queues: HashMap::new(),
            last_served: HashMap::new(),
            since: HashMap::new(),
            clock: 0,
        }
    }
}

impl<T> FairQueue<T> {
    pub fn new() -> Self {
        Self::default()
    }

    /// Work of `caller`, behind what it already queued.
    pub fn push(&mut self, caller: CallerKey, item: T) {
        self.clock += 1;
        let queue = self.queues.entry(caller).or_default();
        if queue.is_empty() {
            self.since.insert(caller, self.clock);
        }
        queue.push_back(item);
    }

    pub fn is_empty(&self) -> bool {
        self.queues.is_empty()
    }

    /// Items queued, all callers together.
    pub fn len(&self) -> usize {
        self.queues.values().map(VecDeque::len).sum()
    }

    /// Keeps the items `keep` accepts; returns how many were dropped.
    pub fn retain(&mut self, mut keep: impl FnMut(&T) -> bool) -> usize {
        let before = self.len();
        for queue in self.queues.values_mut() {
            queue.retain(|item| keep(item));
        }
        self.queues.retain(|_, q| !q.is_empty());
        before - self.len()
    }

    /// Callers with work, in the order they should be served: least recently served first,
    /// then first come. `load` ranks before both (the chat engine passes the conversations a
    /// caller already has running).
    pub fn order(&self, load: impl Fn(CallerKey) -> usize) -> Vec<CallerKey> {
        let mut callers: Vec<CallerKey> = self.queues.keys().copied().collect();
        callers.sort_by_key(|c| {
            (
                load(*c),
                self.last_served.get(c).copied().unwrap_or(0),
                self.since.get(c).copied().unwrap_or(0),
            )
        });
        callers
    }

    /// The queue of `caller`, to work on its front item in place.
    pub fn queue_mut(&mut self, caller: CallerKey) -> Option<&mut VecDeque<T>> {
        self.queues.get_mut(&caller)
    }

    /// Records that `caller` was served now, and forgets it if its queue is empty.
    pub fn served(&mut self, caller: CallerKey) {
        self.clock += 1;
        self.last_served.insert(caller, self.clock);
        if self.queues.get(&caller).is_some_and(VecDeque::is_empty) {
            self.queues.remove(&caller);
        }
        if self.last_served.len() > REMEMBERED {
            let queues = &self.queues;
            self.last_served.retain(|c, _| queues.contains_key(c));
            self.since.retain(|c, _| queues.contains_key(c));
        }
    }

    /// Removes and returns the front item of `caller` if `finished` says it is.
    pub fn take_front(&mut self, caller: CallerKey, finished: impl Fn(&T) -> bool) -> Option<T> {
        let queue = self.queues.get_mut(&caller)?;
        if !queue.front().is_some_and(finished) {
            return None;
        }
        let item = queue.pop_front();
        if queue.is_empty() {
            self.queues.remove(&caller);
        }
        item
    }

    /// Takes the front item of the caller to serve next (see [`FairQueue::order`]).
    pub fn pop(&mut self, load: impl Fn(CallerKey) -> usize) -> Option<(CallerKey, T)> {
        let caller = *self.order(load).first()?;
        let item = self.queues.get_mut(&caller)?.pop_front()?;
        self.served(caller);
        Some((caller, item))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(n: u128) -> CallerKey {
        Uuid::from_u128(n)
    }

    #[test]
    fn callers_take_turns_whatever_they_queued() {
        let mut q = FairQueue::new();
        for i in 0..5 {
            q.push(key(1), format!("a{i}"));
        }
        q.push(key(2), "b0".to_string());
        q.push(key(2), "b1".to_string());
        let served: Vec<String> = std::iter::from_fn(|| q.pop(|_| 0).map(|(_, s)| s)).collect();
        assert_eq!(served, ["a0", "b0", "a1", "b1", "a2", "a3", "a4"]);
        assert!(q.is_empty());
    }

    #[test]
    fn a_caller_whose_queue_emptied_keeps_its_place() {
        let mut q = FairQueue::new();
        q.push(key(1), 1);
        assert_eq!(q.pop(|_| 0), Some((key(1), 1)));
        // Caller 1 comes back with more, then caller 2 arrives: 2 was never served, so it
        // goes first.
        q.push(key(1), 2);
        q.push(key(2), 3);
        assert_eq!(q.pop(|_| 0), Some((key(2), 3)));
        assert_eq!(q.pop(|_| 0), Some((key(1), 2)));
    }

    #[test]
    fn load_ranks_first_and_retain_drops_items_and_empty_callers() {
        let mut q = FairQueue::new();
        q.push(key(1), 1);
        q.push(key(2), 2);
        q.push(key(2), 22);
        // Caller 1 already has two conversations running, caller 2 none.
        let load = |c: CallerKey| if c == key(1) { 2 } else { 0 };
        assert_eq!(q.order(load), [key(2), key(1)]);
        assert_eq!(q.retain(|&i| i != 2 && i != 22), 2);
        assert_eq!(q.order(|_| 0), [key(1)]);
        assert_eq!(q.len(), 1);
    }
}
