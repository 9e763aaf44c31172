//! What may fire an event schedule, on every path an event reaches it (live from the bus, the
//! catch-up from the outbox cursor at start, the replay after a lag): its owner may see the
//! event ([`Event::visible_to`], the rule `/api/events` applies, with the owner's role read as
//! it fires), and the chain the event belongs to stays within bounds: at most
//! `max_chain_depth` event-triggered hops ([`Causation`]), at most `max_event_fires_per_minute`
//! runs per schedule. A runaway is refused: its run is recorded failed with the reason, the
//! schedule paused with it, and its owner told (`schedule.paused`, a notification).

pub mod store;

use serde_json::json;
use uuid::Uuid;

use super::model::ScheduleRequest;
use super::runner::{SchedulerSettings, run_event, scope};
use super::store::{NewRun, ScheduleRow, ScheduleRun};
use crate::core::error::DomainError;
use crate::core::identity::Role;
use crate::events::causation::Causation;
use crate::events::{Event, EventType, NewEvent, outbox};
use crate::orchestration::pipeline::Pipelines;

/// Whether an event fires a schedule.
#[derive(Debug, PartialEq, Eq)]
pub(super) enum Verdict {
    /// It fires: the run's depth.
    Fire { depth: i32 },
    /// The owner may not see it (or the owner is disabled): as if it never happened.
    Hidden,
    /// A runaway: recorded, paused, reported.
    Refuse { depth: i32, reason: String },
}

/// The depth of the chain an event belongs to: what it carries (the scheduler's own events),
/// else the causation stored with the pipeline run it is about, else 0 (a person's change).
pub(super) async fn event_depth(pipelines: &Pipelines, event: &Event) -> Result<u32, DomainError> {
    if let Some(c) = Causation::carried(event) {
        return Ok(c.depth);
    }
    let name = event.event_type.as_str();
    if (name.starts_with("pipeline_run.") || name.starts_with("pipeline_node."))
        && let Some(run) = event.scope.run_id
    {
        return Ok(pipelines.causation(run).await?.map_or(0, |c| c.depth));
    }
    Ok(0)
}

/// The verdict on `event` for the schedule `row` (locked by the caller's transaction).
pub(super) async fn check(
    tx: &impl deadpool_postgres::GenericClient,
    row: &ScheduleRow,
    event: &Event,
    event_depth: u32,
    settings: &SchedulerSettings,
) -> Result<Verdict, tokio_postgres::Error> {
    let role = store::owner_role(tx, row.owner_id)
        .await?
        .and_then(|r| r.parse::<Role>().ok());
    let Some(role) = role else {
        return Ok(Verdict::Hidden);
    };
    let circles =
        crate::circles::store::members::memberships(tx, row.owner_id, role == Role::Admin).await?;
    let viewer = crate::events::Viewer {
        user_id: row.owner_id,
        role,
        circles,
    };
    if !event.visible_to(&viewer) {
        return Ok(Verdict::Hidden);
    }
    Ok(bounded(
        event_depth,
        store::recent_event_runs(tx, row.id).await?,
        settings,
    ))
}

/// The bounds alone: a run at `event_depth + 1` after `recent` runs in the last minute.
fn bounded(event_depth: u32, recent: i64, settings: &SchedulerSettings) -> Verdict {
    let depth = i32::try_from(event_depth.saturating_add(1)).unwrap_or(i32::MAX);
    let max_depth = settings.max_chain_depth;
    if event_depth >= max_depth {
        return Verdict::Refuse {
            depth,
            reason: format!(
                "runaway: refused a chain of {depth} event-triggered runs (the bound is \
                 {max_depth}); does the schedule trigger itself?"
            ),
        };
    }
    let max_rate = settings.max_event_fires_per_minute;
    if recent >= i64::from(max_rate) {
        return Verdict::Refuse {
            depth,
            reason: format!(
                "runaway: refused after {recent} event-triggered runs in the last minute (the \
                 bound is {max_rate} a minute)"
            ),
        };
    }
    Verdict::Fire { depth }
}

/// Records a runaway: its run inserted failed with `reason`, the schedule paused with it, its
/// owner notified; committed with their events (`tx` locked the schedule).
pub(super) async fn refuse(
    tx: deadpool_postgres::Transaction<'_>,
    row: &ScheduleRow,
    event: &Event,
    depth: i32,
    reason: &str,
) -> Result<(), anyhow::Error> {
    let spec = ScheduleRequest::reload(&row.spec)?;
    let Some(run) = super::store::insert_run(
        &tx,
        &NewRun {
            id: Uuid::now_v7(),
            schedule_id: row.id,
            scheduled_for: event.ts,
            trigger: "event",
            event_id: Some(event.id),
            status: "failed",
            max_attempts: 1 + spec.options.retry_count,
            error: Some(reason.to_owned()),
            claimed_by: None,
            depth,
        },
    )
    .await?
    else {
        // Another instance heard it first.
        return Ok(());
    };
    store::pause_runaway(&tx, row.id, reason).await?;
    let title = format!("Schedule {:?} paused", row.name);
    let note = super::store::insert_notification(
        &tx,
        &super::store::NewNotification {
            user_id: row.owner_id,
            title: &title,
            message: reason,
            level: "error",
            schedule_id: Some(row.id),
            run_id: Some(run.id),
        },
    )
    .await?;
    let causation = causation_of(row, &run);
    let events = [
        run_event(EventType::ScheduleFailed, row, &run),
        NewEvent::new(EventType::SchedulePaused, scope(row.id, row.owner_id), None).data(json!({
            "schedule": {"id": row.id, "name": row.name, "kind": row.kind, "paused": true,
                         "next_fire_at": row.next_fire_at},
            "reason": reason, "run_id": run.id, "causation": causation.to_value(),
        })),
        notification_event(row, &note, causation),
    ];
    outbox::append_all(&tx, &events).await?;
    tx.commit().await?;
    tracing::warn!(schedule_id = %row.id, run_id = %run.id, "scheduler: paused: {reason}");
    metrics::counter!("scheduler_runaways_total").increment(1);
    Ok(())
}

/// The causation of what `run` does and says.
pub(super) fn causation_of(row: &ScheduleRow, run: &ScheduleRun) -> Causation {
    Causation {
        schedule_id: row.id,
        run_id: run.id,
        depth: u32::try_from(run.depth).unwrap_or(0),
    }
}

/// `notification.created` for the owner of `row`, caused by `causation`.
pub(super) fn notification_event(
    row: &ScheduleRow,
    note: &super::store::Notification,
    causation: Causation,
) -> NewEvent {
    let mut data = serde_json::to_value(note).unwrap_or_default();
    if let serde_json::Value::Object(map) = &mut data {
        map.insert("causation".into(), causation.to_value());
    }
    NewEvent::new(
        EventType::NotificationCreated,
        scope(row.id, row.owner_id),
        None,
    )
    .data(data)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_chain_past_the_depth_bound_or_a_schedule_past_its_rate_is_refused() {
        let settings = SchedulerSettings::default();
        let max = settings.max_chain_depth;
        assert_eq!(
            bounded(0, 0, &settings),
            Verdict::Fire { depth: 1 },
            "a person's change starts a chain"
        );
        assert_eq!(
            bounded(max - 1, 0, &settings),
            Verdict::Fire { depth: max as i32 }
        );
        assert!(matches!(
            bounded(max, 0, &settings),
            Verdict::Refuse { depth, ref reason } if depth == max as i32 + 1 && reason.contains("chain")
        ));
        let rate = i64::from(settings.max_event_fires_per_minute);
        assert!(matches!(
            bounded(0, rate - 1, &settings),
            Verdict::Fire { .. }
        ));
        assert!(matches!(
            bounded(0, rate, &settings),
            Verdict::Refuse { ref reason, .. } if reason.contains("last minute")
        ));
    }
}
