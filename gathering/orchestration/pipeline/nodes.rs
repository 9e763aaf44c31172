//! What each node type does, run as one task per node by the executor. Computations
//! (`trigger`, `condition`, `transform`, `filter`, `merge`, `parallel`) are evaluated off the
//! async workers and written once, started and completed together. Nodes with effects
//! (`agent`, `action`) go through their circuit breaker, then are attempted under their timeout
//! and retried with `backon` (exponential, jittered, capped) when the failure is retryable,
//! every attempt written before it starts. `delay` and `approval` wait, cancellably, and pick
//! up where they were when a run is resumed.

use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::Duration;

use backon::{ExponentialBuilder, Retryable};
use chrono::{DateTime, Utc};
use serde_json::{Map, Value, json};
use tokio::sync::mpsc;
use tokio_util::sync::CancellationToken;

use super::breaker::{self, Admission, Policy};
use super::context::{RunCtx, Stop};
use super::model::{Node, NodeKind};
use super::records::NodeStatus;
use super::store::NodeUpdate;
use crate::core::json;
use crate::events::EventType;
use crate::orchestration::effects::Failure;

/// The failure code the executor reads as "the claim is lost": stop without writing.
pub(super) const LOST: &str = "lost";
const CANCELLED: &str = "cancelled";

/// A node's failure "the claim on the run is lost".
fn lost() -> Failure {
    Failure::fatal(LOST, "the claim on the run is lost")
}

/// A node's failure "cancelled".
fn cancelled() -> Failure {
    Failure::fatal(CANCELLED, "cancelled")
}

impl From<Stop> for Failure {
    fn from(_: Stop) -> Self {
        lost()
    }
}

/// A node's wait for a person (an approval), as the executor hears of it: a run whose live
/// nodes all wait is `waiting`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Waiting {
    Began,
    Ended,
}

/// One node to run.
pub(super) struct NodeTask {
    pub ctx: Arc<RunCtx>,
    pub node: usize,
    pub input: Value,
    pub inputs: Value,
    /// When an earlier execution of this run started the node (a resumed delay or approval).
    pub started_at: Option<DateTime<Utc>>,
    pub wait_until: Option<DateTime<Utc>>,
    pub cancel: CancellationToken,
    /// `(node, Began)` when it begins waiting for a person, `(node, Ended)` when it stops.
    pub signal: mpsc::UnboundedSender<(usize, Waiting)>,
}

impl NodeTask {
    pub(super) fn node(&self) -> &Node {
        &self.ctx.pipeline.nodes[self.node]
    }

    pub(super) fn vars(&self) -> Value {
        json!({"input": self.input, "inputs": self.inputs, "trigger": self.ctx.trigger})
    }

    pub(super) fn update_for<'a>(&'a self, status: NodeStatus) -> NodeUpdate<'a> {
        NodeUpdate {
            run: self.ctx.run_id,
            instance: self.ctx.instance(),
            node_id: &self.node().id,
            status,
            input: None,
            output: None,
            error: None,
            error_code: None,
            attempt: false,
            wait_until: None,
        }
    }

    async fn completed(&self, output: &Value) -> Result<(), Failure> {
        too_deep(output)?;
        let update = NodeUpdate {
            output: Some(output),
            ..self.update_for(NodeStatus::Completed)
        };
        let event = self.ctx.node_event(
            EventType::PipelineNodeCompleted,
            self.node,
            json!({"output": output}),
        );
        Ok(self.ctx.write(&[update], &[event]).await?)
    }

    async fn failed(&self, failure: &Failure) -> Result<(), Failure> {
        let update = NodeUpdate {
            error: Some(&failure.message),
            error_code: Some(failure.code),
            ..self.update_for(NodeStatus::Failed)
        };
        let event = self.ctx.node_event(
            EventType::PipelineNodeFailed,
            self.node,
            json!({"error": failure.message, "error_code": failure.code}),
        );
        Ok(self.ctx.write(&[update], &[event]).await?)
    }

    /// Writes the start of an attempt (`attempt` counts from 1).
    pub(super) async fn attempting(
        &self,
        attempt: u32,
        previous: Option<&Failure>,
    ) -> Result<(), Failure> {
        let update = NodeUpdate {
            input: Some(&self.input),
            attempt: true,
            ..self.update_for(NodeStatus::Running)
        };
        let event = match previous {
            None => self.ctx.node_event(
                EventType::PipelineNodeStarted,
                self.node,
                json!({"attempt": attempt}),
            ),
            Some(p) => self.ctx.node_event(
                EventType::PipelineNodeRetrying,
                self.node,
                json!({"attempt": attempt, "error": p.message, "error_code": p.code}),
            ),
        };
        Ok(self.ctx.write(&[update], &[event]).await?)
    }
}

/// Runs the node: its state written as it goes; its output, or why it failed.
pub(super) async fn run(task: NodeTask) -> Result<Value, Failure> {
    let kind = task.node().kind;
    let result = match kind {
        NodeKind::Parallel if task.node().items.is_some() => super::fanout::run(&task).await,
        NodeKind::Trigger
        | NodeKind::Condition
        | NodeKind::Transform
        | NodeKind::Filter
        | NodeKind::Merge
        | NodeKind::Parallel => compute(&task).await,
        NodeKind::Delay => delay(&task).await,
        NodeKind::Approval => super::approval::wait(&task).await,
        NodeKind::Agent | NodeKind::Circle | NodeKind::Action => effect(&task).await,
    };
    match result {
        Ok(output) => Ok(output),
        Err(failure) if failure.code == LOST || failure.code == CANCELLED => Err(failure),
        Err(failure) => {
            task.failed(&failure).await?;
            Err(failure)
        }
    }
}

/// A computation: evaluated off the async workers, written once with both its events.
async fn compute(task: &NodeTask) -> Result<Value, Failure> {
    let ctx = task.ctx.clone();
    let node = task.node;
    let vars = task.vars();
    let input = task.input.clone();
    let inputs = task.inputs.clone();
    let output = tokio::task::spawn_blocking(move || {
        let node = &ctx.pipeline.nodes[node];
        evaluate(node, &vars, input, inputs).and_then(|output| too_deep(&output).map(|()| output))
    })
    .await
    .map_err(|e| Failure::fatal("internal", format!("the evaluation failed: {e}")))?;
    let started = NodeUpdate {
        input: Some(&task.input),
        attempt: true,
        ..task.update_for(NodeStatus::Running)
    };
    match output {
        Ok(output) => {
            // Started and completed in one statement: the row goes straight to its end.
            let done = NodeUpdate {
                input: Some(&task.input),
                attempt: true,
                output: Some(&output),
                ..task.update_for(NodeStatus::Completed)
            };
            let events = [
                task.ctx
                    .node_event(EventType::PipelineNodeStarted, node, json!({"attempt": 1})),
                task.ctx.node_event(
                    EventType::PipelineNodeCompleted,
                    node,
                    json!({"output": output}),
                ),
            ];
            task.ctx.write(&[done], &events).await?;
            Ok(output)
        }
        Err(failure) => {
            task.ctx.write(&[started], &[]).await?;
            Err(failure)
        }
    }
}

/// Refuses an output nested deeper than a client may send ([`json::MAX_DEPTH`]): every value a
/// node computes is checked before it is stored, so run rows and their events always read back.
fn too_deep(output: &Value) -> Result<(), Failure> {
    json::check_depth(output)
        .map_err(|e| Failure::fatal("value_too_deep", format!("the node's output: {e}")))
}

/// Passes `input` on with `key` set: an object gets the key; anything else is kept under
/// `value`.
fn with_key(input: Value, key: &str, value: Value) -> Value {
    match input {
        Value::Object(mut o) => {
            o.insert(key.to_owned(), value);
            Value::Object(o)
        }
        Value::Null => json!({key: value}),
        other => json!({key: value, "value": other}),
    }
}

fn evaluate(node: &Node, vars: &Value, input: Value, inputs: Value) -> Result<Value, Failure> {
    let expression = |e: super::expr::ExprError| Failure::fatal("expression", e.message);
    match node.kind {
        NodeKind::Trigger => Ok(input),
        NodeKind::Condition => {
            let condition = node
                .condition
                .as_ref()
                .ok_or_else(|| Failure::fatal("internal", "the condition is missing"))?;
            let result = condition.eval(vars).map_err(expression)?;
            Ok(with_key(input, "result", Value::Bool(result)))
        }
        NodeKind::Transform => {
            let e = node
                .expression
                .as_ref()
                .ok_or_else(|| Failure::fatal("internal", "the expression is missing"))?;
            e.eval(vars).map_err(expression)
        }
        NodeKind::Filter => {
            let items = match &node.items {
                Some(e) => e.eval(vars).map_err(expression)?,
                None => vars
                    .get("input")
                    .and_then(|i| i.get("items"))
                    .cloned()
                    .unwrap_or(Value::Null),
            };
            let Value::Array(items) = items else {
                return Err(Failure::fatal(
                    "expression",
                    "the filter's items are not a list",
                ));
            };
            let condition = node
                .expression
                .as_ref()
                .ok_or_else(|| Failure::fatal("internal", "the condition is missing"))?;
            let mut kept = Vec::new();
            let mut scope = vars.as_object().cloned().unwrap_or_default();
            for item in items {
                scope.insert("item".into(), item.clone());
                if condition
                    .eval_bool(&Value::Object(scope.clone()))
                    .map_err(expression)?
                {
                    kept.push(item);
                }
            }
            Ok(json!({"count": kept.len(), "items": kept}))
        }
        NodeKind::Merge => {
            let by_id = inputs.as_object().cloned().unwrap_or_default();
            match node.config.get("strategy").and_then(Value::as_str) {
                Some("array") => Ok(Value::Array(by_id.into_iter().map(|(_, v)| v).collect())),
                Some("first") => Ok(by_id.into_iter().next().map(|(_, v)| v).unwrap_or_default()),
                _ => Ok(Value::Object(by_id)),
            }
        }
        NodeKind::Parallel => Ok(input),
        _ => Err(Failure::fatal("internal", "not a computation")),
    }
}

/// Waits `seconds` (what is left of them when the run was resumed), then passes the input on.
async fn delay(task: &NodeTask) -> Result<Value, Failure> {
    let config = &task.node().config;
    let seconds = config
        .get("seconds")
        .or_else(|| config.get("delay_seconds"))
        .and_then(Value::as_f64)
        .unwrap_or(0.0);
    task.attempting(1, None).await?;
    let began = task.started_at.unwrap_or_else(Utc::now);
    let elapsed = (Utc::now() - began).to_std().unwrap_or(Duration::ZERO);
    let left = Duration::from_secs_f64(seconds).saturating_sub(elapsed);
    tokio::select! {
        () = tokio::time::sleep(left) => {}
        () = task.cancel.cancelled() => return Err(cancelled()),
    }
    let output = task.input.clone();
    task.completed(&output).await?;
    Ok(output)
}

/// The retry policy and timeout of a node with effects.
fn attempts_policy(task: &NodeTask) -> (ExponentialBuilder, Option<Duration>) {
    let settings = &task.ctx.pipeline.settings;
    let config = &task.node().config;
    let retries = config
        .get("max_retries")
        .and_then(Value::as_u64)
        .map(|n| n as usize)
        .unwrap_or(settings.max_retries_per_node as usize);
    let builder = ExponentialBuilder::new()
        .with_min_delay(Duration::from_secs_f64(settings.retry_backoff_base))
        .with_max_delay(Duration::from_secs_f64(settings.retry_backoff_max))
        .with_max_times(retries)
        .with_jitter();
    let timeout = config
        .get("timeout_seconds")
        .and_then(Value::as_f64)
        .filter(|s| *s > 0.0)
        .map(Duration::from_secs_f64);
    (builder, timeout)
}

fn breaker_policy(task: &NodeTask) -> Policy {
    let settings = &task.ctx.pipeline.settings;
    let config = &task.node().config;
    Policy {
        threshold: config
            .get("failure_threshold")
            .and_then(Value::as_u64)
            .map(|n| n as u32)
            .unwrap_or(settings.failure_threshold)
            .max(1),
        recovery: Duration::from_secs_f64(
            config
                .get("recovery_seconds")
                .and_then(Value::as_f64)
                .unwrap_or(settings.recovery_seconds)
                .max(0.0),
        ),
    }
}

/// An agent or action node: breaker, attempts, retries.
async fn effect(task: &NodeTask) -> Result<Value, Failure> {
    let policy = breaker_policy(task);
    let key = breaker::Key {
        pipeline_id: task.ctx.pipeline_id,
        node_id: &task.node().id,
        scope: &task.ctx.scope,
    };
    let pool = task.ctx.handles.pool.clone();
    let admission = breaker::admit(&pool, key, policy)
        .await
        .map_err(|_| lost())?;
    if let Admission::Rejected { retry_in } = admission {
        return Err(Failure::fatal(
            "breaker_open",
            format!(
                "the circuit breaker of node {} is open after repeated failures; it lets one \
                 execution through in {:.1} s",
                task.node().id,
                retry_in.max(0.0)
            ),
        ));
    }
    let (backoff, timeout) = attempts_policy(task);
    let attempt = &AtomicU32::new(0);
    let previous: &std::sync::Mutex<Option<Failure>> = &std::sync::Mutex::new(None);
    let once = || async move {
        let n = attempt.fetch_add(1, Ordering::SeqCst) + 1;
        let before = previous.lock().unwrap_or_else(|p| p.into_inner()).clone();
        task.attempting(n, before.as_ref()).await?;
        let work = async {
            match task.node().kind {
                NodeKind::Agent => super::effect_nodes::agent(task).await,
                NodeKind::Circle => super::effect_nodes::circle(task).await,
                _ => super::effect_nodes::action(task).await,
            }
        };
        let result = tokio::select! {
            r = async {
                match timeout {
                    Some(limit) => tokio::time::timeout(limit, work).await.unwrap_or_else(|_| {
                        Err(Failure::retryable(
                            "timeout",
                            format!("the node took longer than its {} s", limit.as_secs_f64()),
                        ))
                    }),
                    None => work.await,
                }
            } => r,
            () = task.cancel.cancelled() => Err(cancelled()),
        };
        if let Err(e) = &result {
            *previous.lock().unwrap_or_else(|p| p.into_inner()) = Some(e.clone());
        }
        result
    };
    let result = once
        .retry(backoff)
        .when(|f: &Failure| f.retryable && !task.cancel.is_cancelled())
        .await;
    match &result {
        Err(f) if f.code == LOST || f.code == CANCELLED => return result,
        Ok(_) | Err(_) => {
            let outcome = if result.is_ok() {
                breaker::Outcome::Succeeded
            } else {
                breaker::Outcome::Failed
            };
            if let Err(e) = breaker::record(&pool, key, policy, outcome).await {
                tracing::warn!("recording the breaker's outcome failed: {e:#}");
            }
        }
    }
    let output = result?;
    task.completed(&output).await?;
    Ok(output)
}

/// `{{input.key}}`, `{{trigger.key.sub}}`, `{{inputs.node.key}}`, `{{item}}` in `template`,
/// from `vars`; strings as they are, other values as JSON, missing ones empty.
pub(super) fn render(template: &str, vars: &Value) -> String {
    let mut out = String::with_capacity(template.len());
    let mut rest = template;
    while let Some(open) = rest.find("{{") {
        out.push_str(&rest[..open]);
        let after = &rest[open + 2..];
        let Some(close) = after.find("}}") else {
            out.push_str(&rest[open..]);
            return out;
        };
        let path = after[..close].trim();
        let mut value = Some(vars);
        for part in path.split('.') {
            value = value.and_then(|v| match v {
                Value::Object(o) => o.get(part),
                Value::Array(a) => part.parse::<usize>().ok().and_then(|i| a.get(i)),
                _ => None,
            });
        }
        match value {
            Some(Value::String(s)) => out.push_str(s),
            Some(Value::Null) | None => {}
            Some(other) => out.push_str(&other.to_string()),
        }
        rest = &after[close + 2..];
    }
    out.push_str(rest);
    out
}

/// Renders every string inside `value` (for tool arguments).
pub(super) fn render_value(value: &Value, vars: &Value) -> Value {
    match value {
        Value::String(s) if s.contains("{{") => Value::String(render(s, vars)),
        Value::Array(a) => Value::Array(a.iter().map(|v| render_value(v, vars)).collect()),
        Value::Object(o) => Value::Object(
            o.iter()
                .map(|(k, v)| (k.clone(), render_value(v, vars)))
                .collect::<Map<String, Value>>(),
        ),
        other => other.clone(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn templates_fill_paths_and_leave_the_rest() {
        let vars = json!({"input": {"pr": {"id": 7, "title": "Fix"}}, "trigger": {"who": "ana"},
                          "inputs": {"a": [1, 2]}});
        assert_eq!(
            render(
                "PR {{input.pr.id}}: {{ input.pr.title }} by {{trigger.who}}",
                &vars
            ),
            "PR 7: Fix by ana"
        );
        assert_eq!(
            render("{{inputs.a.1}}|{{missing.x}}|{{inputs.a}}", &vars),
            "2||[1,2]"
        );
        assert_eq!(
            render("open {{ never closed", &vars),
            "open {{ never closed"
        );
    }

    #[test]
    fn passing_on_keeps_objects_and_wraps_the_rest() {
        assert_eq!(
            with_key(json!({"a": 1}), "result", json!(true)),
            json!({"a": 1, "result": true})
        );
        assert_eq!(
            with_key(json!(3), "result", json!(false)),
            json!({"result": false, "value": 3})
        );
        assert_eq!(with_key(Value::Null, "r", json!(1)), json!({"r": 1}));
    }
}
