//! The in-process bus. `publish` never waits: each subscriber has a bounded queue, and one
//! that is full is marked lagged (with the first durable `seq` it missed) and skipped until it
//! has drained its queue, when it receives one `Lagged` delivery and can catch up from the
//! outbox ([`super::relay::Feed`] does that). Identical ephemeral events can be de-duplicated
//! within a window; durable ones never are (each is a state change).

use std::collections::HashMap;
use std::hash::{Hash, Hasher};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, RwLock, Weak};
use std::time::Instant;

use tokio::sync::mpsc;

use super::settings::Settings;
use super::{Event, EventType, Filter};

/// What a subscriber receives.
#[derive(Debug, Clone)]
pub enum Delivery {
    Event(Arc<Event>),
    /// Events were skipped because the queue was full: `missed` of them, the first durable one
    /// being `first_missed` (replay from the outbox from there).
    Lagged {
        first_missed: Option<i64>,
        missed: u64,
    },
}

#[derive(Debug, Default)]
struct Lag {
    first_missed: Option<i64>,
    missed: u64,
}

struct Slot {
    id: u64,
    name: &'static str,
    /// `events_lagged_total{subscriber}`, resolved once.
    lagged: metrics::Counter,
    filter: Filter,
    tx: mpsc::Sender<Arc<Event>>,
    /// Set when the queue overflowed; std mutex, held only for a check and a `try_send`.
    lag: Mutex<Option<Lag>>,
}

struct Inner {
    settings: Settings,
    /// The subscribers. A std `RwLock`: `publish` holds a read guard while it iterates and
    /// `try_send`s (never across an `.await`), subscribe and drop take the write guard briefly.
    slots: RwLock<Vec<Arc<Slot>>>,
    /// Fingerprints of recent ephemeral events, for de-duplication; std mutex, never held
    /// across an `.await`.
    recent: Mutex<HashMap<u64, Instant>>,
    next_id: AtomicU64,
    /// Metric handles resolved once, not per event (a registry lookup each time is most of a
    /// publish's cost with many subscribers).
    published: HashMap<EventType, metrics::Counter>,
    delivered: metrics::Counter,
    queue_depth: metrics::Histogram,
}

/// The bus; cheap to clone.
#[derive(Clone)]
pub struct Bus {
    inner: Arc<Inner>,
}

impl std::fmt::Debug for Bus {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Bus")
            .field("subscribers", &self.subscriber_count())
            .finish()
    }
}

impl Bus {
    pub fn new(settings: Settings) -> Self {
        Self {
            inner: Arc::new(Inner {
                settings,
                slots: RwLock::new(Vec::new()),
                recent: Mutex::new(HashMap::new()),
                next_id: AtomicU64::new(0),
                published: EventType::all()
                    .map(|t| {
                        (
                            t,
                            metrics::counter!("events_published_total", "type" => t.as_str()),
                        )
                    })
                    .collect(),
                delivered: metrics::counter!("events_delivered_total"),
                queue_depth: metrics::histogram!("events_max_queue_depth"),
            }),
        }
    }

    /// Hands `event` to every matching subscriber without waiting; returns how many got it.
    pub fn publish(&self, event: Event) -> usize {
        if event.seq.is_none() && self.is_duplicate(&event) {
            metrics::counter!("events_deduplicated_total").increment(1);
            return 0;
        }
        if let Some(counter) = self.inner.published.get(&event.event_type) {
            counter.increment(1);
        }
        let event = Arc::new(event);
        let slots = self.inner.slots.read().unwrap_or_else(|p| p.into_inner());
        let mut delivered = 0;
        let mut deepest = 0;
        for slot in slots.iter().filter(|s| s.filter.matches(&event)) {
            let mut lag = slot.lag.lock().unwrap_or_else(|p| p.into_inner());
            if let Some(lag) = lag.as_mut() {
                lag.missed += 1;
                lag.first_missed = lag.first_missed.or(event.seq);
                continue;
            }
            match slot.tx.try_send(event.clone()) {
                Ok(()) => {
                    delivered += 1;
                    deepest = deepest.max(slot.tx.max_capacity() - slot.tx.capacity());
                }
                Err(mpsc::error::TrySendError::Full(_)) => {
                    slot.lagged.increment(1);
                    *lag = Some(Lag {
                        first_missed: event.seq,
                        missed: 1,
                    });
                }
                Err(mpsc::error::TrySendError::Closed(_)) => {}
            }
        }
        drop(slots);
        self.inner.delivered.increment(delivered as u64);
        self.inner.queue_depth.record(deepest as f64);
        delivered
    }

    fn is_duplicate(&self, event: &Event) -> bool {
        let Some(window) = self.inner.settings.dedup_window else {
            return false;
        };
        let mut hasher = std::collections::hash_map::DefaultHasher::new();
        event.event_type.hash(&mut hasher);
        event.scope.hash(&mut hasher);
        event.actor.hash(&mut hasher);
        event.data.to_string().hash(&mut hasher);
        let fingerprint = hasher.finish();
        let now = Instant::now();
        let mut recent = self.inner.recent.lock().unwrap_or_else(|p| p.into_inner());
        if recent.len() > 10_000 {
            recent.retain(|_, seen| now.duration_since(*seen) < window);
        }
        match recent.get(&fingerprint) {
            Some(seen) if now.duration_since(*seen) < window => true,
            _ => {
                recent.insert(fingerprint, now);
                false
            }
        }
    }

    /// A subscription to events matching `filter`; `name` labels its metrics.
    pub fn subscribe(&self, name: &'static str, filter: Filter) -> Subscription {
        let (tx, rx) = mpsc::channel(self.inner.settings.queue_capacity.max(1));
        let slot = Arc::new(Slot {
            id: self.inner.next_id.fetch_add(1, Ordering::Relaxed),
            name,
            lagged: metrics::counter!("events_lagged_total", "subscriber" => name),
            filter,
            tx,
            lag: Mutex::new(None),
        });
        self.inner
            .slots
            .write()
            .unwrap_or_else(|p| p.into_inner())
            .push(slot.clone());
        Subscription {
            rx,
            slot,
            bus: Arc::downgrade(&self.inner),
        }
    }

    pub fn subscriber_count(&self) -> usize {
        self.inner
            .slots
            .read()
            .unwrap_or_else(|p| p.into_inner())
            .len()
    }
}

/// One subscriber's end; dropping it unsubscribes.
pub struct Subscription {
    rx: mpsc::Receiver<Arc<Event>>,
    slot: Arc<Slot>,
    bus: Weak<Inner>,
}

impl std::fmt::Debug for Subscription {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Subscription")
            .field("name", &self.slot.name)
            .finish()
    }
}

impl Subscription {
    /// The next delivery: queued events first, then a `Lagged` notice if events were
    /// skipped, then whatever comes. `None` once the bus is gone.
    pub async fn recv(&mut self) -> Option<Delivery> {
        if let Ok(event) = self.rx.try_recv() {
            return Some(Delivery::Event(event));
        }
        let lag = self
            .slot
            .lag
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .take();
        if let Some(lag) = lag {
            return Some(Delivery::Lagged {
                first_missed: lag.first_missed,
                missed: lag.missed,
            });
        }
        self.rx.recv().await.map(Delivery::Event)
    }
}

impl Drop for Subscription {
    fn drop(&mut self) {
        if let Some(inner) = self.bus.upgrade() {
            inner
                .slots
                .write()
                .unwrap_or_else(|p| p.into_inner())
                .retain(|s| s.id != self.slot.id);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::events::{EventType, NewEvent, Scope, TypePattern};
    use std::time::Duration;

    fn durable(seq: i64) -> Event {
        let mut event = NewEvent::new(EventType::UserUpdated, Scope::default(), None)
            .data(serde_json::json!({"n": seq}))
            .ephemeral();
        event.seq = Some(seq);
        event
    }

    async fn next_event(sub: &mut Subscription) -> Arc<Event> {
        match sub.recv().await.unwrap() {
            Delivery::Event(event) => event,
            other => panic!("expected an event, got {other:?}"),
        }
    }

    #[tokio::test]
    async fn each_subscriber_gets_matching_events_in_order() {
        let bus = Bus::new(Settings::default());
        let mut all = bus.subscribe("all", Filter::default());
        let mut keys = bus.subscribe(
            "keys",
            Filter {
                types: vec![TypePattern::parse("api_key.*").unwrap()],
                ..Filter::default()
            },
        );
        for seq in 1..=100 {
            bus.publish(durable(seq));
        }
        let key = NewEvent::new(EventType::ApiKeyCreated, Scope::default(), None).ephemeral();
        assert_eq!(bus.publish(key.clone()), 2);
        for seq in 1..=100 {
            assert_eq!(next_event(&mut all).await.seq, Some(seq));
        }
        assert_eq!(next_event(&mut all).await.id, key.id);
        assert_eq!(next_event(&mut keys).await.id, key.id);
        drop(all);
        assert_eq!(bus.subscriber_count(), 1);
    }

    #[tokio::test]
    async fn a_full_queue_never_blocks_the_publisher_and_reports_the_first_missed_seq() {
        let bus = Bus::new(Settings {
            queue_capacity: 4,
            ..Settings::default()
        });
        let mut slow = bus.subscribe("slow", Filter::default());
        let mut fast = bus.subscribe(
            "fast",
            Filter {
                types: vec![TypePattern::parse("user.updated").unwrap()],
                ..Filter::default()
            },
        );
        for seq in 1..=10 {
            bus.publish(durable(seq));
            assert_eq!(next_event(&mut fast).await.seq, Some(seq));
        }
        for seq in 1..=4 {
            assert_eq!(next_event(&mut slow).await.seq, Some(seq));
        }
        match slow.recv().await.unwrap() {
            Delivery::Lagged {
                first_missed,
                missed,
            } => assert_eq!((first_missed, missed), (Some(5), 6)),
            other => panic!("expected lagged, got {other:?}"),
        }
        bus.publish(durable(11));
        assert_eq!(next_event(&mut slow).await.seq, Some(11), "live again");
    }

    #[tokio::test]
    async fn identical_ephemeral_events_are_published_once_within_the_window() {
        let bus = Bus::new(Settings {
            dedup_window: Some(Duration::from_secs(60)),
            ..Settings::default()
        });
        let _sub = bus.subscribe("any", Filter::default());
        let event = || NewEvent::new(EventType::UserUpdated, Scope::default(), None).ephemeral();
        assert_eq!(bus.publish(event()), 1);
        assert_eq!(bus.publish(event()), 0, "same type, scope, actor and data");
        assert_eq!(
            bus.publish(durable(1)),
            1,
            "durable events are never dropped"
        );
        assert_eq!(bus.publish(durable(1)), 1);
    }
}
