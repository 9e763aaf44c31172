//! A schedule as the API takes it ([`ScheduleRequest`]) and as the scheduler uses it
//! ([`Spec`]): its timing (cron in a time zone, interval, once, event), its action and its
//! options, parsed once at the edge. Every refusal names the field (`cron`, `timezone`,
//! `action.url`, ...).
//!
//! The request and its timing and options are here; the action is `action.rs`. Start at
//! [`ScheduleRequest::parse`].

mod action;

pub use action::Action;
use action::action;

use std::str::FromStr;

use chrono::{DateTime, TimeDelta, Utc};
use chrono_tz::Tz;
use croner::Cron;
use croner::parser::{CronParser, Seconds};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::core::error::DomainError;
use crate::events::{EventType, TypePattern};

/// What `POST /api/schedules` and `PUT /api/schedules/{id}` take (docs/scheduler.md).
#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ScheduleRequest {
    pub name: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub description: String,
    /// `cron`, `interval`, `once` or `event`.
    pub kind: String,
    /// For `cron`: 5 fields (minute hour day month weekday), or 6 with seconds first; `@daily`
    /// and the other aliases.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cron: Option<String>,
    /// For `cron`: an IANA time zone (`Europe/Paris`); UTC when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub timezone: Option<String>,
    /// For `interval`: seconds between occurrences (at least 1), counted from `start_at` or the
    /// creation time.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub interval_seconds: Option<i64>,
    /// For `once`: when (RFC 3339).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub at: Option<String>,
    /// For `event`: `{"type": "pipeline_run.failed", "filter": {...}}`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<Object>)]
    pub event: Option<Value>,
    /// `{"type": "run_task" | "execute_pipeline" | "send_notification" | "call_api", ...}`.
    #[schema(value_type = Object)]
    pub action: Value,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub start_at: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub end_at: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_executions: Option<i64>,
    /// Attempts after a failed one (0 to 10; default 0).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub retry_count: Option<i64>,
    /// Seconds between attempts (0 to 86,400; default 10).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub retry_delay_seconds: Option<f64>,
    /// When the previous execution still runs: `skip` (default), `queue` or `allow`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub overlap: Option<String>,
    /// Occurrences missed while no instance ran: `skip`, `latest` (default) or `all`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub catch_up: Option<String>,
    /// With `catch_up: all`, the most missed occurrences executed (1 to 1,000; default 100).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub catch_up_limit: Option<i64>,
    /// Create it paused.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub paused: Option<bool>,
}

/// A checked schedule.
#[derive(Debug, Clone)]
pub struct Spec {
    pub timing: Timing,
    pub action: Action,
    pub options: Options,
}

/// When a schedule fires.
#[derive(Debug, Clone)]
pub enum Timing {
    Cron {
        cron: Box<Cron>,
        tz: Tz,
    },
    Interval {
        every: TimeDelta,
    },
    Once {
        at: DateTime<Utc>,
    },
    Event {
        pattern: TypePattern,
        filter: Map<String, Value>,
    },
}

impl Timing {
    pub fn kind(&self) -> &'static str {
        match self {
            Self::Cron { .. } => "cron",
            Self::Interval { .. } => "interval",
            Self::Once { .. } => "once",
            Self::Event { .. } => "event",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Overlap {
    Skip,
    Queue,
    Allow,
}

/// What to do with occurrences missed while no instance ran.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CatchUp {
    Skip,
    Latest,
    All,
}

#[derive(Debug, Clone)]
pub struct Options {
    pub start_at: Option<DateTime<Utc>>,
    pub end_at: Option<DateTime<Utc>>,
    pub max_executions: Option<i32>,
    pub retry_count: i32,
    pub retry_delay: std::time::Duration,
    pub overlap: Overlap,
    pub catch_up: CatchUp,
    pub catch_up_limit: usize,
}

impl Options {
    pub fn catch_up_name(&self) -> &'static str {
        match self.catch_up {
            CatchUp::Skip => "skip",
            CatchUp::Latest => "latest",
            CatchUp::All => "all",
        }
    }
}

/// The longest interval: a year.
const MAX_INTERVAL_SECS: i64 = 366 * 24 * 3600;

fn time(field: &str, raw: &str) -> Result<DateTime<Utc>, DomainError> {
    DateTime::parse_from_rfc3339(raw)
        .map(|t| t.with_timezone(&Utc))
        .map_err(|e| {
            DomainError::invalid(
                field,
                format!("{raw:?} is not an RFC 3339 time (2026-12-04T09:00:00Z): {e}"),
            )
        })
}

fn only_for(field: &str, present: bool, kind: &str) -> Result<(), DomainError> {
    if present {
        Err(DomainError::invalid(
            field,
            format!("only {kind} schedules take it"),
        ))
    } else {
        Ok(())
    }
}

/// Parses a cron pattern: 5 fields, or 6 with seconds first, or an alias.
pub fn parse_cron(raw: &str) -> Result<Cron, DomainError> {
    CronParser::builder()
        .seconds(Seconds::Optional)
        .build()
        .parse(raw.trim())
        .map_err(|e| DomainError::invalid("cron", format!("{raw:?} is not a cron pattern: {e}")))
}

fn timing(r: &ScheduleRequest, now: Option<DateTime<Utc>>) -> Result<Timing, DomainError> {
    let kind = r.kind.as_str();
    only_for("cron", r.cron.is_some() && kind != "cron", "cron")?;
    only_for("timezone", r.timezone.is_some() && kind != "cron", "cron")?;
    only_for(
        "interval_seconds",
        r.interval_seconds.is_some() && kind != "interval",
        "interval",
    )?;
    only_for("at", r.at.is_some() && kind != "once", "once")?;
    only_for("event", r.event.is_some() && kind != "event", "event")?;
    match kind {
        "cron" => {
            let raw = r
                .cron
                .as_deref()
                .ok_or_else(|| DomainError::invalid("cron", "a cron schedule needs a pattern"))?;
            let cron = parse_cron(raw)?;
            let tz = match r.timezone.as_deref() {
                None => Tz::UTC,
                Some(name) => Tz::from_str(name).map_err(|_| {
                    DomainError::invalid(
                        "timezone",
                        format!("{name:?} is not an IANA time zone (Europe/Paris, UTC, ...)"),
                    )
                })?,
            };
            Ok(Timing::Cron {
                cron: Box::new(cron),
                tz,
            })
        }
        "interval" => {
            let secs = r.interval_seconds.ok_or_else(|| {
                DomainError::invalid("interval_seconds", "an interval schedule needs it")
            })?;
            if !(1..=MAX_INTERVAL_SECS).contains(&secs) {
                return Err(DomainError::invalid(
                    "interval_seconds",
                    format!("must be 1 to {MAX_INTERVAL_SECS}"),
                ));
            }
            Ok(Timing::Interval {
                every: TimeDelta::seconds(secs),
            })
        }
        "once" => {
            let raw =
                r.at.as_deref()
                    .ok_or_else(|| DomainError::invalid("at", "a once schedule needs a time"))?;
            let at = time("at", raw)?;
            if now.is_some_and(|now| at < now - TimeDelta::seconds(1)) {
                return Err(DomainError::invalid("at", "is in the past"));
            }
            Ok(Timing::Once { at })
        }
        "event" => {
            let event = r.event.as_ref().and_then(Value::as_object).ok_or_else(|| {
                DomainError::invalid(
                    "event",
                    "an event schedule needs {\"type\": ..., \"filter\": {...}}",
                )
            })?;
            if let Some(key) = event.keys().find(|k| *k != "type" && *k != "filter") {
                return Err(DomainError::invalid(
                    format!("event.{key}"),
                    "unknown field (type, filter)",
                ));
            }
            let raw = event
                .get("type")
                .and_then(Value::as_str)
                .ok_or_else(|| DomainError::invalid("event.type", "an event type is needed"))?;
            let pattern =
                TypePattern::parse(raw).map_err(|e| DomainError::invalid("event.type", e))?;
            // A schedule's own events (or notifications) firing schedules would loop.
            let loops = [EventType::ScheduleFired, EventType::NotificationCreated]
                .into_iter()
                .chain(EventType::all().filter(|t| t.as_str().starts_with("schedule.")))
                .any(|t| pattern.matches(t));
            if loops {
                return Err(DomainError::invalid(
                    "event.type",
                    "schedule.* and notification.* events cannot trigger schedules (they would loop)",
                ));
            }
            let filter = match event.get("filter") {
                None | Some(Value::Null) => Map::new(),
                Some(Value::Object(f)) => f.clone(),
                Some(_) => {
                    return Err(DomainError::invalid(
                        "event.filter",
                        "must be an object matched against the event ({\"data\": {...}, \"scope\": {...}})",
                    ));
                }
            };
            Ok(Timing::Event { pattern, filter })
        }
        other => Err(DomainError::invalid(
            "kind",
            format!("{other:?} is not a kind (cron, interval, once, event)"),
        )),
    }
}

fn options(r: &ScheduleRequest, now: Option<DateTime<Utc>>) -> Result<Options, DomainError> {
    let start_at = r
        .start_at
        .as_deref()
        .map(|s| time("start_at", s))
        .transpose()?;
    let end_at = r.end_at.as_deref().map(|s| time("end_at", s)).transpose()?;
    if let (Some(start), Some(end)) = (start_at, end_at)
        && end <= start
    {
        return Err(DomainError::invalid("end_at", "must be after start_at"));
    }
    if let (Some(end), Some(now)) = (end_at, now)
        && end <= now
    {
        return Err(DomainError::invalid("end_at", "is in the past"));
    }
    let max_executions = match r.max_executions {
        None => None,
        Some(n) if (1..=i64::from(i32::MAX)).contains(&n) => Some(n as i32),
        Some(_) => return Err(DomainError::invalid("max_executions", "must be at least 1")),
    };
    let retry_count = r.retry_count.unwrap_or(0);
    if !(0..=10).contains(&retry_count) {
        return Err(DomainError::invalid("retry_count", "must be 0 to 10"));
    }
    let retry_delay = r.retry_delay_seconds.unwrap_or(10.0);
    if !(retry_delay.is_finite() && (0.0..=86_400.0).contains(&retry_delay)) {
        return Err(DomainError::invalid(
            "retry_delay_seconds",
            "must be 0 to 86400",
        ));
    }
    let overlap = match r.overlap.as_deref() {
        None | Some("skip") => Overlap::Skip,
        Some("queue") => Overlap::Queue,
        Some("allow") => Overlap::Allow,
        Some(other) => {
            return Err(DomainError::invalid(
                "overlap",
                format!("{other:?} is not a policy (skip, queue, allow)"),
            ));
        }
    };
    let catch_up = match r.catch_up.as_deref() {
        None | Some("latest") => CatchUp::Latest,
        Some("skip") => CatchUp::Skip,
        Some("all") => CatchUp::All,
        Some(other) => {
            return Err(DomainError::invalid(
                "catch_up",
                format!("{other:?} is not a policy (skip, latest, all)"),
            ));
        }
    };
    let catch_up_limit = r.catch_up_limit.unwrap_or(100);
    if !(1..=1000).contains(&catch_up_limit) {
        return Err(DomainError::invalid("catch_up_limit", "must be 1 to 1000"));
    }
    Ok(Options {
        start_at,
        end_at,
        max_executions,
        retry_count: retry_count as i32,
        retry_delay: std::time::Duration::from_secs_f64(retry_delay),
        overlap,
        catch_up,
        catch_up_limit: catch_up_limit as usize,
    })
}

impl ScheduleRequest {
    /// Checks every field; the first problem names its field.
    pub fn parse(&self, now: DateTime<Utc>) -> Result<Spec, DomainError> {
        self.check(Some(now))
    }

    /// [`ScheduleRequest::parse`]; without `now`, times in the past are accepted.
    fn check(&self, now: Option<DateTime<Utc>>) -> Result<Spec, DomainError> {
        let name = self.name.trim();
        if name.is_empty() || name.len() > 200 {
            return Err(DomainError::invalid("name", "must be 1 to 200 characters"));
        }
        if self.description.len() > 2000 {
            return Err(DomainError::invalid(
                "description",
                "must be at most 2000 characters",
            ));
        }
        let timing = timing(self, now)?;
        let options = options(self, now)?;
        if matches!(timing, Timing::Event { .. }) && self.catch_up.is_some() {
            return Err(DomainError::invalid(
                "catch_up",
                "event schedules have no timetable to catch up",
            ));
        }
        Ok(Spec {
            timing,
            action: action(&self.action)?,
            options,
        })
    }

    /// Parses a stored spec (it validated when stored; a `once` or an end date that has since
    /// passed still loads).
    pub fn reload(value: &Value) -> Result<Spec, DomainError> {
        let request: ScheduleRequest = serde_json::from_value(value.clone())
            .map_err(|e| DomainError::Unexpected(anyhow::anyhow!("stored schedule: {e}")))?;
        request.check(None)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn parse(body: Value) -> Result<Spec, DomainError> {
        serde_json::from_value::<ScheduleRequest>(body)
            .unwrap()
            .parse(Utc::now())
    }

    fn field(body: Value) -> String {
        match parse(body) {
            Err(DomainError::Invalid { field, .. }) => field,
            other => panic!("expected a refusal, got {other:?}"),
        }
    }

    #[test]
    fn each_kind_parses_and_refusals_name_their_field() {
        let call = json!({"type": "call_api", "url": "http://example.org/x"});
        assert!(
            parse(json!({"name": "a", "kind": "cron", "cron": "*/5 * * * *",
                "timezone": "Europe/Paris", "action": call}))
            .is_ok()
        );
        assert!(
            parse(json!({"name": "a", "kind": "cron", "cron": "*/5 * * * * *", "action": call}))
                .is_ok()
        );
        assert!(
            parse(json!({"name": "a", "kind": "interval", "interval_seconds": 1, "action": call}))
                .is_ok()
        );
        assert!(
            parse(json!({"name": "a", "kind": "event",
                "event": {"type": "pipeline_run.*", "filter": {"data": {"status": "failed"}}},
                "action": call}))
            .is_ok()
        );
        assert_eq!(
            field(json!({"name": "a", "kind": "cron", "cron": "61 * * * *", "action": call})),
            "cron"
        );
        assert_eq!(
            field(json!({"name": "a", "kind": "cron", "cron": "* * *", "action": call})),
            "cron"
        );
        assert_eq!(
            field(json!({"name": "a", "kind": "cron", "cron": "* * * * *",
                "timezone": "Mars/Olympus", "action": call})),
            "timezone"
        );
        assert_eq!(
            field(json!({"name": "a", "kind": "interval", "interval_seconds": 0, "action": call})),
            "interval_seconds"
        );
        assert_eq!(
            field(
                json!({"name": "a", "kind": "interval", "interval_seconds": 5,
                "cron": "* * * * *", "action": call})
            ),
            "cron"
        );
        assert_eq!(
            field(
                json!({"name": "a", "kind": "once", "at": "2001-01-01T00:00:00Z", "action": call})
            ),
            "at"
        );
        assert_eq!(
            field(
                json!({"name": "a", "kind": "event", "event": {"type": "schedule.fired"},
                "action": call})
            ),
            "event.type"
        );
        assert_eq!(
            field(json!({"name": "a", "kind": "event", "event": {"type": "*"}, "action": call})),
            "event.type"
        );
        assert_eq!(
            field(json!({"name": "a", "kind": "weekly", "action": call})),
            "kind"
        );
        assert_eq!(
            field(
                json!({"name": "a", "kind": "interval", "interval_seconds": 5,
                "action": {"type": "call_api", "url": "ftp://x"}})
            ),
            "action.url"
        );
        assert_eq!(
            field(
                json!({"name": "a", "kind": "interval", "interval_seconds": 5,
                "action": {"type": "call_api", "url": "http://x", "verb": "GET"}})
            ),
            "action.verb"
        );
        assert_eq!(
            field(
                json!({"name": "a", "kind": "interval", "interval_seconds": 5,
                "action": {"type": "run_task", "agent": "x"}})
            ),
            "action.task"
        );
        assert_eq!(
            field(
                json!({"name": "a", "kind": "interval", "interval_seconds": 5,
                "action": {"type": "launch"}})
            ),
            "action.type"
        );
        assert_eq!(
            field(
                json!({"name": "a", "kind": "interval", "interval_seconds": 5, "action": call,
                "overlap": "sometimes"})
            ),
            "overlap"
        );
        assert_eq!(
            field(
                json!({"name": "a", "kind": "interval", "interval_seconds": 5, "action": call,
                "retry_count": 11})
            ),
            "retry_count"
        );
        assert_eq!(
            field(
                json!({"name": "a", "kind": "interval", "interval_seconds": 5, "action": call,
                "start_at": "2030-01-02T00:00:00Z", "end_at": "2030-01-01T00:00:00Z"})
            ),
            "end_at"
        );
    }
}
