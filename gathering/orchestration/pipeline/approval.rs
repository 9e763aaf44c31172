//! Approval nodes: the run waits for a person. The node is written `waiting` with its deadline
//! (kept when the run is resumed elsewhere); a decision (`POST
//! /api/pipeline-runs/{id}/approvals/{node}`, from an authorised user) is stored on the node and
//! announced on the bus, which wakes the waiting execution on whichever instance holds it; at
//! the deadline the node's `default` decides. The node's output is its input with `approved`
//! set (plus who decided, and `timed_out`); a rejection skips what only the approval feeds.

use std::time::Duration;

use chrono::Utc;
use serde_json::{Value, json};

use super::nodes::{NodeTask, Waiting};
use super::records::NodeStatus;
use super::store::{self, NodeUpdate};
use crate::events::EventType;
use crate::orchestration::effects::Failure;

/// The default time a person has to decide.
const DEFAULT_TIMEOUT_SECS: f64 = 24.0 * 3600.0;
/// How often a waiting approval re-reads its decision even without being woken.
const POLL: Duration = Duration::from_secs(2);

pub(super) async fn wait(task: &NodeTask) -> Result<Value, Failure> {
    let config = &task.node().config;
    let timeout = config
        .get("timeout_seconds")
        .and_then(Value::as_f64)
        .unwrap_or(DEFAULT_TIMEOUT_SECS);
    let default_approves = config.get("default").and_then(Value::as_str) == Some("approve");
    let deadline = task
        .wait_until
        .unwrap_or_else(|| Utc::now() + chrono::Duration::milliseconds((timeout * 1000.0) as i64));
    let update = NodeUpdate {
        input: Some(&task.input),
        attempt: task.wait_until.is_none(),
        wait_until: Some(deadline),
        ..task.update_for(NodeStatus::Waiting)
    };
    let event = task.ctx.node_event(
        EventType::PipelineNodeWaiting,
        task.node,
        json!({"message": config.get("message"), "approvers": config.get("approvers"),
               "wait_until": deadline}),
    );
    task.ctx.write(&[update], &[event]).await?;
    let _ = task.signal.send((task.node, Waiting::Began));
    let decision = loop {
        let woken = task.ctx.decided.notified();
        tokio::pin!(woken);
        woken.as_mut().enable();
        let stored = match task.ctx.handles.pool.get().await {
            Ok(client) => store::decision(&client, task.ctx.run_id, &task.node().id)
                .await
                .ok()
                .flatten(),
            Err(_) => None,
        };
        if let Some(decision) = stored {
            break decision;
        }
        let left = (deadline - Utc::now()).to_std().unwrap_or(Duration::ZERO);
        if left.is_zero() {
            break json!({"approved": default_approves, "timed_out": true, "by": null,
                         "at": Utc::now()});
        }
        tokio::select! {
            () = &mut woken => {}
            () = tokio::time::sleep(left.min(POLL)) => {}
            () = task.cancel.cancelled() => {
                let _ = task.signal.send((task.node, Waiting::Ended));
                return Err(Failure::fatal("cancelled", "cancelled"));
            }
        }
    };
    let _ = task.signal.send((task.node, Waiting::Ended));
    let approved = decision
        .get("approved")
        .and_then(Value::as_bool)
        .unwrap_or(false);
    let mut output = match task.input.clone() {
        Value::Object(o) => o,
        Value::Null => Default::default(),
        other => [("value".to_owned(), other)].into_iter().collect(),
    };
    output.insert("approved".into(), Value::Bool(approved));
    output.insert("decision".into(), decision.clone());
    let output = Value::Object(output);
    let done = NodeUpdate {
        output: Some(&output),
        ..task.update_for(NodeStatus::Completed)
    };
    let event = task.ctx.node_event(
        EventType::PipelineNodeCompleted,
        task.node,
        json!({"output": output}),
    );
    task.ctx.write(&[done], &[event]).await?;
    Ok(output)
}
