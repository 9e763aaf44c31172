//! Causation: which schedule run caused an event and how deep that chain is (schedule run ->
//! pipeline run or action -> events -> schedule run ...). The scheduler carries it in the data
//! of its own events (`data.causation`) and stores it on the pipeline runs it starts, so that a
//! chain past a bound is refused instead of running without end.

use serde::{Deserialize, Serialize};
use serde_json::Value;
use uuid::Uuid;

use super::Event;

/// The schedule run at the head of what caused something, and how many event-triggered hops
/// led to it (0: a run of the timetable or a manual trigger).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Causation {
    pub schedule_id: Uuid,
    pub run_id: Uuid,
    pub depth: u32,
}

impl Causation {
    /// As stored in a run row or put into an event's data.
    pub fn to_value(self) -> Value {
        serde_json::to_value(self).unwrap_or(Value::Null)
    }

    /// Read back from a stored value; `None` for anything else.
    pub fn from_value(value: &Value) -> Option<Self> {
        serde_json::from_value(value.clone()).ok()
    }

    /// The causation an event carries in `data.causation`. Only the scheduler's own events
    /// (`schedule.*`, `notification.created`) are read: other events may hold data someone
    /// wrote, which must not claim a causation.
    pub fn carried(event: &Event) -> Option<Self> {
        let name = event.event_type.as_str();
        if !(name.starts_with("schedule.") || name == "notification.created") {
            return None;
        }
        event.data.get("causation").and_then(Self::from_value)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::events::{EventType, NewEvent, Scope};
    use serde_json::json;

    fn cause(depth: u32) -> Causation {
        Causation {
            schedule_id: Uuid::now_v7(),
            run_id: Uuid::now_v7(),
            depth,
        }
    }

    #[test]
    fn round_trips_through_a_value() {
        let c = cause(3);
        assert_eq!(Causation::from_value(&c.to_value()), Some(c));
        assert_eq!(Causation::from_value(&json!({"depth": 1})), None);
    }

    #[test]
    fn only_the_schedulers_events_carry_it() {
        let c = cause(5);
        let data = json!({"causation": c.to_value()});
        let of = |t| {
            NewEvent::new(t, Scope::default(), None)
                .data(data.clone())
                .ephemeral()
        };
        assert_eq!(Causation::carried(&of(EventType::ScheduleFired)), Some(c));
        assert_eq!(
            Causation::carried(&of(EventType::NotificationCreated)),
            Some(c)
        );
        // Someone's pipeline data cannot pretend to be a chain.
        assert_eq!(Causation::carried(&of(EventType::PipelineCreated)), None);
    }
}
