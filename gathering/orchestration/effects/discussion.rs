//! A circle discussion started for a pipeline's `circle` node or a schedule's
//! `start_discussion` action: started once per origin (a node's or an occurrence's key, so a
//! retry or a resumed run finds the discussion it started instead of starting another), then
//! awaited to its end when asked. The output names the discussion (its transcript is
//! `GET /api/circles/{circle}/discussions/{id}/messages`) and carries its summary.

use serde_json::{Map, Value, json};

use super::Failure;
use crate::circles::Circles;
use crate::circles::discussion::model::{Discussion, DiscussionStatus, NewDiscussion};
use crate::core::error::DomainError;
use crate::core::identity::Identity;

/// What is asked of a circle.
#[derive(Debug, Clone)]
pub struct Ask {
    pub circle: String,
    /// The discussion's fields as a [`NewDiscussion`] reads them (`topic`, `prompt`, `mode`,
    /// `participants`, `limits`, ...), checked here so a mistake names its field.
    pub discussion: Map<String, Value>,
    /// Who asks, as a stable key: `run:<run>:<node>` or `schedule:<run>`.
    pub origin: String,
    /// Wait for the end (and the summary); otherwise answer once it is started.
    pub wait: bool,
}

/// Parses the discussion's fields; `prefix` names them in errors (`config.` or `action.`).
pub fn parse(fields: &Map<String, Value>, prefix: &str) -> Result<NewDiscussion, DomainError> {
    serde_json::from_value(Value::Object(fields.clone()))
        .map_err(|e| DomainError::invalid(prefix.trim_end_matches('.'), e.to_string()))
}

/// Starts (or finds) the discussion of `ask` as `who`, and waits for it when asked.
pub async fn discuss(circles: &Circles, who: &Identity, ask: Ask) -> Result<Value, Failure> {
    let new = parse(&ask.discussion, "discussion")
        .map_err(|e| Failure::fatal("invalid_discussion", e.to_string()))?;
    let started = circles
        .start_discussion_once(who, &ask.circle, new, &ask.origin)
        .await
        .map_err(|e| match e {
            DomainError::Unexpected(e) => Failure::retryable("circle", format!("{e:#}")),
            DomainError::Busy(m) => Failure::retryable("circle", m),
            other => Failure::fatal("circle", other.to_string()),
        })?;
    if !ask.wait {
        return Ok(output(&started));
    }
    let ended = circles
        .wait_ended(started.id)
        .await
        .map_err(|e| Failure::retryable("circle", e.to_string()))?;
    if ended.status == DiscussionStatus::Failed {
        return Err(Failure::fatal(
            "discussion_failed",
            format!(
                "discussion {} failed: {}",
                ended.id,
                ended.end_reason.as_deref().unwrap_or("error")
            ),
        ));
    }
    Ok(output(&ended))
}

fn output(d: &Discussion) -> Value {
    json!({
        "discussion_id": d.id,
        "transcript_id": d.id,
        "circle": d.circle,
        "topic": d.topic,
        "status": d.status.as_str(),
        "end_reason": d.end_reason,
        "summary": d.summary,
        "turns": d.turns,
        "tokens": d.tokens,
        "cost": d.cost,
    })
}
