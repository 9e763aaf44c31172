//! One run's execution: a scheduling loop over the DAG. A node starts when every predecessor
//! is settled and at least one edge into it is live (its source completed, is not a false
//! condition or a rejected approval, and the edge's own condition holds); a node with no live
//! edge in is skipped, which settles it for its successors (so a join with another live
//! predecessor still runs). Up to `settings.max_parallel` nodes run at once, each as its own
//! task (`nodes.rs`). The loop also watches the run's deadline, a cancellation, the claim
//! (the heartbeat renews it; a lost claim stops the execution without another write) and
//! shutdown (the run is given back). Every state is written as it happens, fenced by the claim.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Utc};
use serde_json::{Map, Value, json};
use tokio::sync::mpsc;
use tokio::task::JoinSet;
use tokio_util::sync::CancellationToken;
use uuid::Uuid;

use super::context::{Control, RunCtx, Stop, fenced};
use super::ending::finish;
use super::engine::Engine;
use super::model::{NodeKind, Pipeline};
use super::nodes::{self, NodeTask, Waiting};
use super::records::{NodeStatus, RunStatus};
use super::store::{self, NodeUpdate};
use crate::events::{EventType, NewEvent, outbox};
use crate::orchestration::effects::Failure;

/// The run's state as the loop tracks it.
pub(super) struct State {
    pub status: Vec<NodeStatus>,
    pub output: Vec<Option<Value>>,
    started_at: Vec<Option<DateTime<Utc>>>,
    wait_until: Vec<Option<DateTime<Utc>>>,
}

/// [`execute`] behind a boxed `Send` future, for the sub-pipeline action: a run that awaits a
/// run is a recursive future, whose `Send` the compiler can only see through a named type.
pub(super) fn execute_boxed(
    ctx: Arc<RunCtx>,
    control: Control,
) -> futures_util::future::BoxFuture<'static, Result<RunStatus, Stop>> {
    Box::pin(execute(ctx, control))
}

/// Executes the run to its end (or until it is lost or given back).
pub(super) async fn execute(ctx: Arc<RunCtx>, control: Control) -> Result<RunStatus, Stop> {
    let engine = ctx.handles.engine.clone();
    let timeout = Duration::from_secs_f64(ctx.pipeline.settings.timeout_seconds);
    let (deadline, rows, claims) = {
        let prepared = async {
            let client = engine.pool().get().await?;
            store::reset_interrupted(&client, ctx.run_id).await?;
            let deadline = store::ensure_deadline(&client, ctx.run_id, timeout).await?;
            let run = store::get_run(&client, ctx.run_id)
                .await?
                .ok_or_else(|| anyhow::anyhow!("the run is gone"))?;
            Ok::<_, anyhow::Error>((deadline, run.nodes, (run.claims, run.version)))
        };
        prepared.await.map_err(|e| {
            tracing::warn!(run_id = %ctx.run_id, "preparing the run failed: {e:#}");
            Stop::Lost
        })?
    };
    let n = ctx.pipeline.nodes.len();
    let index: HashMap<&str, usize> = ctx
        .pipeline
        .nodes
        .iter()
        .enumerate()
        .map(|(i, node)| (node.id.as_str(), i))
        .collect();
    let mut state = State {
        status: vec![NodeStatus::Pending; n],
        output: vec![None; n],
        started_at: vec![None; n],
        wait_until: vec![None; n],
    };
    for row in rows {
        if let Some(&i) = index.get(row.node_id.as_str()) {
            state.status[i] = row.status;
            state.output[i] = row.output;
            state.started_at[i] = row.started_at;
            state.wait_until[i] = row.wait_until;
        }
    }
    // Failed or cancelled nodes of a resumed run are tried again (a re-run copies only the
    // settled ones; a resumed run has none but those left by a stop).
    for s in state.status.iter_mut() {
        if matches!(
            s,
            NodeStatus::Failed | NodeStatus::Cancelled | NodeStatus::Waiting
        ) {
            *s = NodeStatus::Pending;
        }
    }
    let (claims, version) = claims;
    let (started_type, started_data) = if claims > 1 {
        (
            EventType::PipelineRunResumed,
            json!({"claims": claims, "version": version}),
        )
    } else {
        (EventType::PipelineRunStarted, json!({"version": version}))
    };
    ctx.write_run_events(&[ctx.run_event(started_type, started_data)])
        .await?;

    // The heartbeat renews the claim and hears cancellations asked for on other instances.
    let lost = CancellationToken::new();
    let beat_done = CancellationToken::new();
    let heartbeat = tokio::spawn(heartbeat(
        engine.clone(),
        ctx.run_id,
        control.cancel.clone(),
        lost.clone(),
        beat_done.clone(),
    ));
    let _stop_heartbeat = beat_done.clone().drop_guard();

    let outcome = schedule(&ctx, &control, &lost, &mut state, deadline).await;
    beat_done.cancel();
    let _ = heartbeat.await;
    outcome
}

async fn heartbeat(
    engine: Engine,
    run: Uuid,
    cancel: CancellationToken,
    lost: CancellationToken,
    done: CancellationToken,
) {
    let lease = engine.settings().lease;
    let every = lease / 3;
    let mut last_ok = tokio::time::Instant::now();
    loop {
        tokio::select! {
            () = tokio::time::sleep(every) => {}
            () = done.cancelled() => return,
        }
        let beat = match engine.pool().get().await {
            Ok(client) => store::heartbeat(&client, run, engine.instance(), lease)
                .await
                .map_err(anyhow::Error::from),
            Err(e) => Err(e.into()),
        };
        match beat {
            Ok(Some(cancel_requested)) => {
                last_ok = tokio::time::Instant::now();
                if cancel_requested {
                    cancel.cancel();
                }
            }
            Ok(None) => {
                lost.cancel();
                return;
            }
            Err(e) => {
                tracing::warn!(run_id = %run, "renewing the claim failed: {e:#}");
                if last_ok.elapsed() >= lease {
                    // Another instance may have taken the run by now.
                    lost.cancel();
                    return;
                }
            }
        }
    }
}

/// How an edge stands for its target.
fn edge_live(ctx: &RunCtx, state: &State, edge: usize) -> bool {
    let e = &ctx.pipeline.edges[edge];
    if state.status[e.from] != NodeStatus::Completed {
        return false;
    }
    let output = state.output[e.from].clone().unwrap_or(Value::Null);
    let source = &ctx.pipeline.nodes[e.from];
    let gate = match source.kind {
        NodeKind::Condition => output.get("result").and_then(Value::as_bool),
        NodeKind::Approval => output.get("approved").and_then(Value::as_bool),
        _ => None,
    };
    if gate == Some(false) {
        return false;
    }
    match &e.condition {
        None => true,
        Some(condition) => {
            let vars = json!({"input": output, "inputs": {source.id.clone(): output},
                              "trigger": ctx.trigger});
            condition.eval(&vars).unwrap_or_else(|err| {
                tracing::info!(edge = %e.id, "edge condition failed, so the edge is not taken: {err}");
                false
            })
        }
    }
}

/// The input of a node: its live predecessors' outputs, merged (`input`) and by id (`inputs`).
fn inputs_of(ctx: &RunCtx, state: &State, node: usize, live: &[usize]) -> (Value, Value) {
    let node = &ctx.pipeline.nodes[node];
    if node.kind == NodeKind::Trigger {
        return (ctx.trigger.clone(), json!({}));
    }
    let mut by_id = Map::new();
    let mut merged = Map::new();
    let mut single = None;
    for &edge in live {
        let from = ctx.pipeline.edges[edge].from;
        let id = ctx.pipeline.nodes[from].id.clone();
        if by_id.contains_key(&id) {
            continue;
        }
        let output = state.output[from].clone().unwrap_or(Value::Null);
        match &output {
            Value::Object(o) => merged.extend(o.clone()),
            other => {
                merged.insert(id.clone(), other.clone());
            }
        }
        single = Some(output.clone());
        by_id.insert(id, output);
    }
    let input = if by_id.len() == 1 {
        single.unwrap_or(Value::Null)
    } else {
        Value::Object(merged)
    };
    (input, Value::Object(by_id))
}

/// Edge indices into each node.
fn incoming(pipeline: &Pipeline) -> Vec<Vec<usize>> {
    let mut into = vec![Vec::new(); pipeline.nodes.len()];
    for (i, e) in pipeline.edges.iter().enumerate() {
        into[e.to].push(i);
    }
    into
}

pub(super) enum Ending {
    Completed,
    Failed(String),
    Cancelled,
    Timeout,
}

async fn schedule(
    ctx: &Arc<RunCtx>,
    control: &Control,
    lost: &CancellationToken,
    state: &mut State,
    deadline: DateTime<Utc>,
) -> Result<RunStatus, Stop> {
    let pipeline = ctx.pipeline.clone();
    let into = incoming(&pipeline);
    let max_parallel = pipeline.settings.max_parallel.max(1);
    let mut running: JoinSet<(usize, Result<Value, Failure>)> = JoinSet::new();
    let mut tokens: HashMap<usize, CancellationToken> = HashMap::new();
    let mut waiting: HashSet<usize> = HashSet::new();
    let (signal_tx, mut signal_rx) = mpsc::unbounded_channel::<(usize, Waiting)>();
    let mut run_waiting = false;
    let deadline_in = (deadline - Utc::now()).to_std().unwrap_or(Duration::ZERO);
    let deadline_at = tokio::time::Instant::now() + deadline_in;

    let ending = loop {
        // Decide every node whose predecessors are settled, in topological order, so that a
        // skip settles its successors within the same pass.
        let mut skipped = Vec::new();
        for &i in &pipeline.order {
            if state.status[i] != NodeStatus::Pending || tokens.contains_key(&i) {
                continue;
            }
            let edges = &into[i];
            if edges
                .iter()
                .any(|&e| !state.status[pipeline.edges[e].from].is_settled())
            {
                continue;
            }
            let live: Vec<usize> = edges
                .iter()
                .copied()
                .filter(|&e| edge_live(ctx, state, e))
                .collect();
            if !edges.is_empty() && live.is_empty() {
                state.status[i] = NodeStatus::Skipped;
                skipped.push(i);
                continue;
            }
            if tokens.len() >= max_parallel {
                continue;
            }
            let (input, inputs) = inputs_of(ctx, state, i, &live);
            let token = CancellationToken::new();
            tokens.insert(i, token.clone());
            state.status[i] = NodeStatus::Running;
            let task = NodeTask {
                ctx: ctx.clone(),
                node: i,
                input,
                inputs,
                started_at: state.started_at[i],
                wait_until: state.wait_until[i],
                cancel: token,
                signal: signal_tx.clone(),
            };
            running.spawn(async move { (i, nodes::run(task).await) });
        }
        if !skipped.is_empty() {
            let updates: Vec<NodeUpdate<'_>> = skipped
                .iter()
                .map(|&i| NodeUpdate {
                    run: ctx.run_id,
                    instance: ctx.instance(),
                    node_id: &pipeline.nodes[i].id,
                    status: NodeStatus::Skipped,
                    input: None,
                    output: None,
                    error: None,
                    error_code: None,
                    attempt: false,
                    wait_until: None,
                })
                .collect();
            let events: Vec<NewEvent> = skipped
                .iter()
                .map(|&i| ctx.node_event(EventType::PipelineNodeSkipped, i, json!({})))
                .collect();
            ctx.write(&updates, &events).await?;
            continue;
        }
        if tokens.is_empty() {
            break Ending::Completed;
        }
        let all_waiting = waiting.len() == tokens.len();
        if all_waiting != run_waiting {
            run_waiting = all_waiting;
            let (status, event) = if all_waiting {
                (RunStatus::Waiting, EventType::PipelineRunWaiting)
            } else {
                (RunStatus::Running, EventType::PipelineRunRunning)
            };
            set_live_status(ctx, status, event).await?;
        }
        tokio::select! {
            biased;
            () = lost.cancelled() => {
                running.abort_all();
                return Err(Stop::Lost);
            }
            () = control.shutdown.cancelled() => {
                running.abort_all();
                while running.join_next().await.is_some() {}
                return Err(Stop::Shutdown);
            }
            () = control.cancel.cancelled() => break Ending::Cancelled,
            () = tokio::time::sleep_until(deadline_at) => break Ending::Timeout,
            Some((node, wait)) = signal_rx.recv() => match wait {
                Waiting::Began => { waiting.insert(node); }
                Waiting::Ended => { waiting.remove(&node); }
            },
            Some(joined) = running.join_next() => {
                let (i, result) = match joined {
                    Ok(done) => done,
                    Err(e) => {
                        // A panic in a node: find which by elimination is not possible from a
                        // JoinError, so fail the run plainly.
                        tracing::error!(run_id = %ctx.run_id, "a node task panicked: {e}");
                        break Ending::Failed("a node failed unexpectedly".into());
                    }
                };
                tokens.remove(&i);
                waiting.remove(&i);
                match result {
                    Ok(output) => {
                        state.status[i] = NodeStatus::Completed;
                        state.output[i] = Some(output);
                        if !pipeline.nodes[i].body.is_empty() {
                            // The fan-out settled its body nodes with the items' outputs.
                            reload_body(ctx, state, i).await?;
                        }
                    }
                    Err(failure) if failure.code == nodes::LOST => return Err(Stop::Lost),
                    Err(failure) => {
                        state.status[i] = NodeStatus::Failed;
                        // A failing condition decides nothing: what only it feeds is skipped,
                        // and the run goes on (as in the original).
                        if pipeline.nodes[i].kind != NodeKind::Condition {
                            break Ending::Failed(format!(
                                "node {} failed: {}",
                                pipeline.nodes[i].id, failure.message
                            ));
                        }
                    }
                }
            }
        }
    };

    // Stop what still runs: cooperatively first, then by force after the grace period.
    if !tokens.is_empty() {
        for token in tokens.values() {
            token.cancel();
        }
        let grace = ctx.handles.engine.settings().cancel_grace;
        let drained = tokio::time::timeout(grace, async {
            while running.join_next().await.is_some() {}
        })
        .await;
        if drained.is_err() {
            tracing::warn!(run_id = %ctx.run_id, "nodes did not stop within the grace period; aborted");
            running.abort_all();
            while running.join_next().await.is_some() {}
        }
    }
    finish(ctx, state, ending).await
}

/// Reads back the body nodes of fan-out `node`, which its task settled.
async fn reload_body(ctx: &RunCtx, state: &mut State, node: usize) -> Result<(), Stop> {
    let rows = async {
        let client = ctx.handles.pool.get().await?;
        Ok::<_, anyhow::Error>(store::run_nodes(&client, ctx.run_id).await?)
    }
    .await
    .map_err(|e| {
        tracing::warn!(run_id = %ctx.run_id, "reading a fan-out's nodes failed: {e:#}");
        Stop::Lost
    })?;
    for &b in &ctx.pipeline.nodes[node].body {
        if let Some(row) = rows.iter().find(|r| r.node_id == ctx.pipeline.nodes[b].id) {
            state.status[b] = row.status;
            state.output[b] = row.output.clone();
        }
    }
    Ok(())
}

async fn set_live_status(ctx: &RunCtx, status: RunStatus, event: EventType) -> Result<(), Stop> {
    let result = async {
        let mut client = ctx.handles.pool.get().await?;
        let tx = client.transaction().await?;
        if !store::set_run_live_status(&tx, ctx.run_id, ctx.instance(), status).await? {
            return Ok::<bool, anyhow::Error>(false);
        }
        outbox::append(&tx, &ctx.run_event(event, json!({}))).await?;
        tx.commit().await?;
        Ok(true)
    }
    .await;
    fenced(ctx.run_id, "changing the run's status", result)
}
