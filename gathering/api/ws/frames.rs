//! Event frames serialised once and shared: every connection that sends an event sends the
//! same text, so the first serialises it and the others reuse it (`Utf8Bytes` clones share the
//! buffer). A small bounded map by event id; a std mutex held only for a lookup or an insert.

use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Mutex};

use axum::extract::ws::Utf8Bytes;
use uuid::Uuid;

use super::connection::ServerFrame;
use crate::api::views::EventView;
use crate::events::Event;

/// Frames kept; far more than the events in flight between the bus and the slowest reader.
const CAPACITY: usize = 8192;

/// The shared cache; cheap to clone.
#[derive(Clone, Default)]
pub struct FrameCache {
    inner: Arc<Mutex<Frames>>,
}

#[derive(Default)]
struct Frames {
    by_id: HashMap<Uuid, Utf8Bytes>,
    order: VecDeque<Uuid>,
}

impl std::fmt::Debug for FrameCache {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("FrameCache")
    }
}

impl FrameCache {
    /// The `event` frame of `event`, serialised at most once while it stays cached.
    pub fn event_frame(&self, event: &Event) -> Option<Utf8Bytes> {
        if let Some(text) = self.lock().by_id.get(&event.id) {
            return Some(text.clone());
        }
        let frame = ServerFrame::Event {
            seq: event.seq,
            event: EventView::from(event.clone()),
        };
        let text = Utf8Bytes::from(serde_json::to_string(&frame).ok()?);
        let mut frames = self.lock();
        if frames.by_id.insert(event.id, text.clone()).is_none() {
            frames.order.push_back(event.id);
            while frames.order.len() > CAPACITY {
                if let Some(old) = frames.order.pop_front() {
                    frames.by_id.remove(&old);
                }
            }
        }
        Some(text)
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Frames> {
        self.inner.lock().unwrap_or_else(|p| p.into_inner())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::events::{EventType, NewEvent, Scope};

    #[test]
    fn a_frame_is_made_once_and_the_cache_stays_bounded() {
        let cache = FrameCache::default();
        let event = NewEvent::new(EventType::UserCreated, Scope::default(), None).ephemeral();
        let first = cache.event_frame(&event).unwrap();
        let second = cache.event_frame(&event).unwrap();
        assert_eq!(
            first.as_str().as_ptr(),
            second.as_str().as_ptr(),
            "shared, not rebuilt"
        );
        let frame: serde_json::Value = serde_json::from_str(first.as_str()).unwrap();
        assert_eq!(frame["type"], "event");
        assert_eq!(frame["event"]["type"], "user.created");
        for _ in 0..CAPACITY + 10 {
            let other = NewEvent::new(EventType::UserCreated, Scope::default(), None).ephemeral();
            cache.event_frame(&other);
        }
        assert_eq!(cache.lock().by_id.len(), CAPACITY);
        assert_eq!(cache.lock().order.len(), CAPACITY);
    }
}
