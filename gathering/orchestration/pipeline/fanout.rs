//! Fan-out: a `parallel` node with `items` runs its body (the nodes after it, up to a
//! `merge`) once per item, each item as a run of its own (`trigger` `fan_out`, a child of the
//! run, stored and resumable like any run), at most `max_concurrency` at once. The parallel
//! node then completes with every item's result, and each body node of the parent run settles
//! with the list of its outputs across the items, so what follows (a merge) reads them as
//! lists. One failed item fails the node and stops the others. A resumed parent takes over the
//! item runs it had started, keeping what they settled.
//!
//! A fan-out is bounded before it starts anything: at most [`MAX_FAN_OUT_ITEMS`] items, and at
//! most [`MAX_FAN_OUT_NODE_RUNS`] node executions (items x body nodes), so one run's request
//! (a few bytes of `items`) cannot make the server store and run an unbounded number of runs.

use std::collections::HashMap;
use std::sync::Arc;

use futures_util::StreamExt;
use serde_json::{Map, Value, json};
use tokio_util::sync::CancellationToken;
use uuid::Uuid;

use super::children::{self, ItemRun};
use super::context::{self, Control, RunCtx, Stop};
use super::effect_nodes::MAX_DEPTH;
use super::executor;
use super::model::Pipeline;
use super::nodes::NodeTask;
use super::records::{NodeStatus, RunStatus};
use super::service;
use super::store::{self, NodeUpdate};
use crate::core::error::DomainError;
use crate::events::{EventType, Scope, outbox};
use crate::orchestration::effects::Failure;

/// The most items one fan-out runs (each is a run of its own).
pub const MAX_FAN_OUT_ITEMS: usize = 1_000;
/// The most node executions one fan-out makes: items x nodes in its body.
pub const MAX_FAN_OUT_NODE_RUNS: usize = 10_000;

/// Refuses a fan-out of `items` items over a body of `body` nodes past the limits.
pub(super) fn within_limits(items: usize, body: usize) -> Result<(), Failure> {
    if items > MAX_FAN_OUT_ITEMS {
        return Err(Failure::fatal(
            "too_many_items",
            format!("`items` gave {items} items; a fan-out runs at most {MAX_FAN_OUT_ITEMS}"),
        ));
    }
    if items.saturating_mul(body) > MAX_FAN_OUT_NODE_RUNS {
        return Err(Failure::fatal(
            "too_many_items",
            format!(
                "`items` gave {items} items for a body of {body} nodes, {} node runs; a \
                 fan-out makes at most {MAX_FAN_OUT_NODE_RUNS}",
                items.saturating_mul(body)
            ),
        ));
    }
    Ok(())
}

fn over_budget() -> Failure {
    Failure::fatal(
        "too_many_items",
        format!(
            "the items would take this run's sub-pipelines and fan-outs past {} node runs in all",
            children::MAX_TREE_NODE_RUNS
        ),
    )
}

/// Runs the fan-out to its end; the node's output.
pub(super) async fn run(task: &NodeTask) -> Result<Value, Failure> {
    let ctx = &task.ctx;
    let node = task.node();
    let items = node
        .items
        .as_ref()
        .ok_or_else(|| Failure::fatal("internal", "the items expression is missing"))?
        .eval(&task.vars())
        .map_err(|e| Failure::fatal("expression", e.message))?;
    let Value::Array(items) = items else {
        return Err(Failure::fatal(
            "expression",
            format!("`items` gave {}, not a list", kind_of(&items)),
        ));
    };
    within_limits(items.len(), node.body.len())?;
    if ctx.depth + 1 >= MAX_DEPTH {
        return Err(Failure::fatal(
            "too_deep",
            format!("sub-pipelines and fan-outs may nest {MAX_DEPTH} deep at most"),
        ));
    }
    let body = Arc::new(ctx.pipeline.fan_out_body(task.node));
    // The run's tree has a budget of node runs (sub-pipelines and fan-outs nested in each other
    // multiply): refused whole, before anything starts, when the items would pass it. A resumed
    // fan-out's items were charged already.
    if task.started_at.is_none() {
        let wanted = (items.len() * body.nodes.len()) as i64;
        let left = children::tree_budget_left(&ctx.handles.pool, ctx.run_id)
            .await
            .map_err(|_| Stop::Lost)?;
        if wanted > left {
            return Err(over_budget());
        }
    }
    task.attempting(1, None).await?;
    let node_list = service::node_list(&body);
    let limit = node
        .config
        .get("max_concurrency")
        .and_then(Value::as_u64)
        .map_or(ctx.pipeline.settings.max_parallel, |v| v as usize)
        .max(1);
    let base = match &task.input {
        Value::Object(o) => o.clone(),
        Value::Null => Map::new(),
        other => Map::from_iter([("value".to_owned(), other.clone())]),
    };
    let stop_items = task.cancel.child_token();

    let count = items.len();
    let mut ended: Vec<Option<(Uuid, RunStatus)>> = vec![None; count];
    let mut first_failure: Option<usize> = None;
    let mut lost = false;
    {
        let body = &body;
        let node_list = &node_list;
        let base = &base;
        let stop_items = &stop_items;
        let mut running = futures_util::stream::iter(items.into_iter().enumerate())
            .map(|(index, item)| async move {
                let mut data = base.clone();
                data.insert("item".into(), item);
                data.insert("index".into(), json!(index));
                let result = one_item(
                    task,
                    body,
                    node_list,
                    index,
                    Value::Object(data),
                    stop_items,
                )
                .await;
                (index, result)
            })
            .buffer_unordered(limit);
        while let Some((index, result)) = running.next().await {
            match result {
                Ok((run, status)) => {
                    ended[index] = Some((run, status));
                    if status != RunStatus::Completed && first_failure.is_none() {
                        first_failure = Some(index);
                        stop_items.cancel();
                    }
                }
                Err(_) => {
                    lost = true;
                    stop_items.cancel();
                }
            }
        }
    }
    if lost {
        return Err(Stop::Lost.into());
    }
    if task.cancel.is_cancelled() {
        return Err(Failure::fatal("cancelled", "cancelled"));
    }
    let runs: Vec<Uuid> = ended.iter().flatten().map(|(run, _)| *run).collect();
    let client = ctx.handles.pool.get().await.map_err(|_| Stop::Lost)?;
    if let Some(index) = first_failure {
        let (run, status) = ended[index].unwrap_or((Uuid::nil(), RunStatus::Failed));
        if run.is_nil() {
            return Err(over_budget());
        }
        let why = store::get_run(&client, run)
            .await
            .ok()
            .flatten()
            .and_then(|r| r.error)
            .map(|e| format!(": {e}"))
            .unwrap_or_default();
        return Err(Failure::fatal(
            "fan_out",
            format!("item {index} (run {run}) ended {}{why}", status.as_str()),
        ));
    }

    // Collect: each body node's outputs across the items, and each item's result (the
    // outputs of the body's last nodes).
    let states = store::nodes_of_runs(&client, &runs)
        .await
        .map_err(|_| Stop::Lost)?;
    drop(client);
    let position: HashMap<Uuid, usize> = runs.iter().enumerate().map(|(i, r)| (*r, i)).collect();
    let mut per_node: HashMap<&str, (Vec<Value>, bool, i32)> = body
        .nodes
        .iter()
        .skip(1)
        .map(|n| (n.id.as_str(), (vec![Value::Null; runs.len()], false, 0)))
        .collect();
    for (run, state) in &states {
        let (Some(&i), Some(entry)) = (position.get(run), per_node.get_mut(state.node_id.as_str()))
        else {
            continue;
        };
        if state.status == NodeStatus::Completed {
            entry.0[i] = state.output.clone().unwrap_or(Value::Null);
            entry.1 = true;
        }
        entry.2 += state.attempts;
    }
    let sinks = sinks(&body);
    let results: Vec<Value> = (0..runs.len())
        .map(|i| match sinks.as_slice() {
            [] => Value::Null,
            [only] => per_node
                .get(only.as_str())
                .map_or(Value::Null, |e| e.0[i].clone()),
            many => Value::Object(
                many.iter()
                    .map(|id| {
                        let v = per_node
                            .get(id.as_str())
                            .map_or(Value::Null, |e| e.0[i].clone());
                        (id.clone(), v)
                    })
                    .collect(),
            ),
        })
        .collect();
    let output = json!({"count": runs.len(), "items": results, "runs": runs});
    settle(task, &body, &per_node, &output).await?;
    Ok(output)
}

/// One item: its run created (or taken over), executed here to its end.
async fn one_item(
    task: &NodeTask,
    body: &Arc<Pipeline>,
    node_list: &[(String, &'static str)],
    index: usize,
    data: Value,
    stop: &CancellationToken,
) -> Result<(Uuid, RunStatus), Stop> {
    let ctx = &task.ctx;
    let engine = ctx.handles.engine.clone();
    let child = children::start_item_run(
        &ctx.handles.pool,
        ItemRun {
            parent_id: ctx.run_id,
            pipeline_id: ctx.pipeline_id,
            version: ctx.version,
            owner_id: ctx.owner,
            node: &task.node().id,
            index: index as i32,
            data: &data,
            created_by: ctx.creator.user_id,
            instance: engine.instance(),
            nodes: node_list,
        },
    )
    .await;
    let child = match child {
        Ok(child) => child,
        // Past the tree's budget (another fan-out of the tree took it meanwhile): the item is
        // not created, and counts as failed.
        Err(DomainError::Invalid { .. }) => return Ok((Uuid::nil(), RunStatus::Failed)),
        Err(e) => {
            tracing::warn!(run_id = %ctx.run_id, "starting item {index} of a fan-out failed: {e}");
            return Err(Stop::Lost);
        }
    };
    if child.status.is_final() {
        return Ok((child.id, child.status));
    }
    if stop.is_cancelled() {
        // Another item failed before this one began: it is not started at all.
        return Ok((child.id, RunStatus::Cancelled));
    }
    let handle = engine.register_with(child.id, stop.child_token());
    let child_ctx = RunCtx {
        handles: ctx.handles.clone(),
        run_id: child.id,
        pipeline_id: ctx.pipeline_id,
        version: ctx.version,
        creator: ctx.creator.clone(),
        owner: ctx.owner,
        trigger: child.trigger_data.clone(),
        pipeline: body.clone(),
        scope: Scope {
            pipeline_id: Some(ctx.pipeline_id),
            run_id: Some(child.id),
            user_id: ctx.scope.user_id,
            ..Scope::default()
        },
        decided: handle.decided.clone(),
        depth: ctx.depth + 1,
    };
    let control = Control {
        cancel: handle.cancel.clone(),
        shutdown: engine.shutdown(),
    };
    let result = executor::execute_boxed(Arc::new(child_ctx), control).await;
    engine.unregister(child.id);
    result.map(|status| (child.id, status))
}

/// The body's last nodes (nothing in the body follows them), by id.
fn sinks(body: &Pipeline) -> Vec<String> {
    let mut has_successor = vec![false; body.nodes.len()];
    for e in &body.edges {
        has_successor[e.from] = true;
    }
    body.nodes
        .iter()
        .enumerate()
        .skip(1)
        .filter(|(i, _)| !has_successor[*i])
        .map(|(_, n)| n.id.clone())
        .collect()
}

/// Writes the fan-out node completed and each body node settled, with their events, in one
/// transaction fenced by the claim.
async fn settle(
    task: &NodeTask,
    body: &Pipeline,
    per_node: &HashMap<&str, (Vec<Value>, bool, i32)>,
    output: &Value,
) -> Result<(), Failure> {
    let ctx = &task.ctx;
    let fan_out = &task.node().id;
    let count = output["count"].clone();
    let result = async {
        let mut client = ctx.handles.pool.get().await?;
        let tx = client.transaction().await?;
        let update = NodeUpdate {
            output: Some(output),
            ..task.update_for(NodeStatus::Completed)
        };
        if !store::update_node(&tx, &update).await? {
            return Ok::<bool, anyhow::Error>(false);
        }
        let mut events = vec![ctx.node_event(
            EventType::PipelineNodeCompleted,
            task.node,
            json!({"output": output}),
        )];
        for n in body.nodes.iter().skip(1) {
            let (outputs, any, attempts) = &per_node[n.id.as_str()];
            let status = if *any {
                NodeStatus::Completed
            } else {
                NodeStatus::Skipped
            };
            let outputs = Value::Array(outputs.clone());
            if !store::settle_fanned(
                &tx,
                ctx.run_id,
                ctx.instance(),
                &n.id,
                status,
                &outputs,
                *attempts,
            )
            .await?
            {
                return Ok(false);
            }
            let (event_type, data) = if *any {
                (
                    EventType::PipelineNodeCompleted,
                    json!({"fan_out": fan_out, "items": count, "output": outputs}),
                )
            } else {
                (
                    EventType::PipelineNodeSkipped,
                    json!({"fan_out": fan_out, "items": count}),
                )
            };
            if let Some(i) = ctx.pipeline.nodes.iter().position(|m| m.id == n.id) {
                events.push(ctx.node_event(event_type, i, data));
            }
        }
        for e in &events {
            outbox::append(&tx, e).await?;
        }
        tx.commit().await?;
        Ok(true)
    }
    .await;
    Ok(context::fenced(ctx.run_id, "settling a fan-out", result)?)
}

fn kind_of(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a bool",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "a list",
        Value::Object(_) => "a map",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_fan_out_past_its_item_or_node_run_limits_is_refused_before_it_starts() {
        assert!(within_limits(MAX_FAN_OUT_ITEMS, 1).is_ok());
        assert!(within_limits(0, 5_000).is_ok());
        let too_many = within_limits(MAX_FAN_OUT_ITEMS + 1, 1).unwrap_err();
        assert_eq!(too_many.code, "too_many_items");
        assert!(
            too_many.message.contains("1001 items"),
            "{}",
            too_many.message
        );
        let too_much = within_limits(500, 21).unwrap_err();
        assert_eq!(too_much.code, "too_many_items");
        assert!(
            too_much.message.contains("10500 node runs"),
            "{}",
            too_much.message
        );
        assert!(within_limits(usize::MAX, usize::MAX).is_err());
    }
}
