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
use tokio::sync::{Notify, mpsc};
use tokio::task::JoinSet;
use tokio_util::sync::CancellationToken;
use uuid::Uuid;

use super::check::{Budget, validate_off_thread};
use super::engine::Engine;
use super::model::{NodeKind, Pipeline};
use super::nodes::{self, NodeFailure, NodeTask};
use super::records::{NodeStatus, Run, RunStatus};
use super::store::{self, NodeUpdate};
use crate::auth::model::Role;
use crate::events::{EventType, NewEvent, Scope, outbox};

/// Why an execution stopped before the run ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stop {
    /// Another instance holds the run now (or the database was unreachable past the lease).
    Lost,
    /// This instance is shutting down; the run is given back.
    Shutdown,
}

/// What stops an execution from outside.
#[derive(Debug, Clone)]
pub(super) struct Control {
    pub cancel: CancellationToken,
    pub shutdown: CancellationToken,
}

/// Who a run acts as: its creator (agents' turns and tools' permissions).
#[derive(Debug, Clone, Copy)]
pub(super) struct RunActor {
    pub user_id: Uuid,
    pub role: Role,
}

/// What every node of a run shares.
pub(super) struct RunCtx {
    pub engine: Engine,
    pub run_id: Uuid,
    pub pipeline_id: Uuid,
    /// The pipeline version it runs.
    pub version: i32,
    pub actor: RunActor,
    pub trigger: Value,
    pub pipeline: Arc<Pipeline>,
    /// The scope of the run's events: the pipeline, the run, the pipeline's owner.
    pub scope: Scope,
    pub decided: Arc<Notify>,
    /// 0 for a run of its own; n for a sub-pipeline n levels down.
    pub depth: u32,
}

impl RunCtx {
    /// The run's pipeline version, checked again, and its actor.
    pub(super) async fn load(
        engine: Engine,
        run: Run,
        decided: Arc<Notify>,
        depth: u32,
    ) -> anyhow::Result<Self> {
        let client = engine.pool().get().await?;
        let version = store::get_version(&client, run.pipeline_id, run.version)
            .await?
            .ok_or_else(|| anyhow::anyhow!("version {} of the pipeline is gone", run.version))?;
        let stored = store::get_pipeline(&client, run.pipeline_id)
            .await?
            .ok_or_else(|| anyhow::anyhow!("the pipeline is gone"))?;
        let pipeline = validate_off_thread(Arc::new(version.document), Budget::Stored)
            .await
            .map_err(|e| anyhow::anyhow!("the stored version could not be checked: {e}"))?
            .map_err(|problems| {
                anyhow::anyhow!(
                    "the stored version no longer validates: {}",
                    problems
                        .listed
                        .iter()
                        .map(|p| p.message.as_str())
                        .collect::<Vec<_>>()
                        .join("; ")
                )
            })?;
        let user_id = run.created_by.unwrap_or(stored.owner_id);
        let user = crate::auth::store::get_user(&client, user_id)
            .await?
            .filter(|u| !u.disabled)
            .ok_or_else(|| anyhow::anyhow!("the user who started the run is gone or disabled"))?;
        Ok(Self {
            engine,
            run_id: run.id,
            pipeline_id: run.pipeline_id,
            version: run.version,
            actor: RunActor {
                user_id: user.id,
                role: user.role,
            },
            trigger: run.trigger_data,
            pipeline: Arc::new(pipeline),
            scope: Scope {
                pipeline_id: Some(run.pipeline_id),
                run_id: Some(run.id),
                user_id: Some(stored.owner_id),
                ..Scope::default()
            },
            decided,
            depth,
        })
    }

    pub(super) fn instance(&self) -> Uuid {
        self.engine.instance()
    }

    pub(super) fn node_event(&self, event_type: EventType, node: usize, data: Value) -> NewEvent {
        let n = &self.pipeline.nodes[node];
        let mut body = json!({"run_id": self.run_id, "pipeline_id": self.pipeline_id,
            "node_id": n.id, "node_type": n.kind});
        if let (Value::Object(body), Value::Object(extra)) = (&mut body, data) {
            body.extend(extra);
        }
        NewEvent::new(event_type, self.scope.clone(), Some(self.actor.user_id)).data(body)
    }

    fn run_event(&self, event_type: EventType, data: Value) -> NewEvent {
        let mut body = json!({"run_id": self.run_id, "pipeline_id": self.pipeline_id});
        if let (Value::Object(body), Value::Object(extra)) = (&mut body, data) {
            body.extend(extra);
        }
        NewEvent::new(event_type, self.scope.clone(), Some(self.actor.user_id)).data(body)
    }

    /// Writes node states and their events in one transaction, fenced by the claim.
    pub(super) async fn write(
        &self,
        updates: &[NodeUpdate<'_>],
        events: &[NewEvent],
    ) -> Result<(), Stop> {
        let result = async {
            let mut client = self.engine.pool().get().await?;
            let tx = client.transaction().await?;
            for u in updates {
                if !store::update_node(&tx, u).await? {
                    return Ok::<bool, anyhow::Error>(false);
                }
            }
            outbox::append_all(&tx, events).await?;
            tx.commit().await?;
            Ok(true)
        }
        .await;
        fenced(self.run_id, "writing a node's state", result)
    }

    async fn write_run_events(&self, events: &[NewEvent]) -> Result<(), Stop> {
        self.write(&[], events).await
    }
}

/// The run's state as the loop tracks it.
struct State {
    status: Vec<NodeStatus>,
    output: Vec<Option<Value>>,
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
    let engine = ctx.engine.clone();
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
    let lease = engine.inner.settings.lease;
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

enum Ending {
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
    let mut running: JoinSet<(usize, Result<Value, NodeFailure>)> = JoinSet::new();
    let mut tokens: HashMap<usize, CancellationToken> = HashMap::new();
    let mut waiting: HashSet<usize> = HashSet::new();
    let (signal_tx, mut signal_rx) = mpsc::unbounded_channel::<(usize, bool)>();
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
            Some((node, is_waiting)) = signal_rx.recv() => {
                if is_waiting { waiting.insert(node); } else { waiting.remove(&node); }
            }
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
        let grace = ctx.engine.inner.settings.cancel_grace;
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
        let client = ctx.engine.pool().get().await?;
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
        let mut client = ctx.engine.pool().get().await?;
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

/// Writes the run's end: its status, its output (the outputs of the completed nodes nothing
/// follows), and `cancelled` for every node that had not settled.
async fn finish(ctx: &RunCtx, state: &State, ending: Ending) -> Result<RunStatus, Stop> {
    let pipeline = &ctx.pipeline;
    let mut has_successor = vec![false; pipeline.nodes.len()];
    for e in &pipeline.edges {
        has_successor[e.from] = true;
    }
    let (status, event, error) = match &ending {
        Ending::Completed => (RunStatus::Completed, EventType::PipelineRunCompleted, None),
        Ending::Failed(m) => (
            RunStatus::Failed,
            EventType::PipelineRunFailed,
            Some(m.clone()),
        ),
        Ending::Cancelled => (
            RunStatus::Cancelled,
            EventType::PipelineRunCancelled,
            Some("cancelled".to_owned()),
        ),
        Ending::Timeout => (
            RunStatus::Timeout,
            EventType::PipelineRunTimeout,
            Some(format!(
                "the run took longer than its {} s",
                pipeline.settings.timeout_seconds
            )),
        ),
    };
    let output = (status == RunStatus::Completed).then(|| {
        let mut out = Map::new();
        for (i, node) in pipeline.nodes.iter().enumerate() {
            if !has_successor[i] && state.status[i] == NodeStatus::Completed {
                out.insert(
                    node.id.clone(),
                    state.output[i].clone().unwrap_or(Value::Null),
                );
            }
        }
        Value::Object(out)
    });
    let run_event = ctx.run_event(event, json!({"status": status, "error": error}));
    let result = async {
        let mut client = ctx.engine.pool().get().await?;
        let tx = client.transaction().await?;
        let Some(cancelled) = store::finish_run(
            &tx,
            ctx.run_id,
            ctx.instance(),
            status,
            error.as_deref(),
            output.as_ref(),
        )
        .await?
        else {
            return Ok::<bool, anyhow::Error>(false);
        };
        // One event for every node the end cancelled (those stopped and those that never
        // started), then the run's: one insert whatever their number.
        let mut events = node_cancelled_events(
            &ctx.scope,
            Some(ctx.actor.user_id),
            ctx.run_id,
            ctx.pipeline_id,
            &cancelled,
            status,
        );
        events.push(run_event);
        outbox::append_all(&tx, &events).await?;
        tx.commit().await?;
        Ok(true)
    }
    .await;
    fenced(ctx.run_id, "ending the run", result).map(|()| status)
}

/// `pipeline_node.cancelled` for each of `nodes`, which the run's end (as `status`) cancelled:
/// running ones it stopped and those that never started alike.
pub(super) fn node_cancelled_events(
    scope: &Scope,
    actor: Option<Uuid>,
    run_id: Uuid,
    pipeline_id: Uuid,
    nodes: &[store::CancelledNode],
    status: RunStatus,
) -> Vec<NewEvent> {
    nodes
        .iter()
        .map(|n| {
            NewEvent::new(EventType::PipelineNodeCancelled, scope.clone(), actor).data(json!({
                "run_id": run_id, "pipeline_id": pipeline_id, "node_id": n.node_id,
                "node_type": n.node_type, "reason": status.as_str(),
            }))
        })
        .collect()
}

/// What a write fenced by the claim means for the execution: `Ok(false)` (the claim is
/// another instance's now) and a database error (logged as `what` failing) both stop it.
pub(super) fn fenced(run: Uuid, what: &str, result: anyhow::Result<bool>) -> Result<(), Stop> {
    match result {
        Ok(true) => Ok(()),
        Ok(false) => Err(Stop::Lost),
        Err(e) => {
            tracing::warn!(run_id = %run, "{what} failed: {e:#}");
            Err(Stop::Lost)
        }
    }
}

/// Ends a claimed run that cannot even start (its version no longer validates, its user is
/// gone): failed, with the reason.
pub(super) async fn fail_unloadable(engine: &Engine, run: Uuid, reason: &str) {
    let result = async {
        let mut client = engine.pool().get().await?;
        let tx = client.transaction().await?;
        let scope = Scope {
            run_id: Some(run),
            ..Scope::default()
        };
        let ended = store::finish_run(
            &tx,
            run,
            engine.instance(),
            RunStatus::Failed,
            Some(reason),
            None,
        )
        .await?;
        if let Some(cancelled) = ended {
            // Its unsettled nodes are told cancelled, as at any run's end.
            let mut events = match store::get_run(&tx, run).await? {
                Some(row) => node_cancelled_events(
                    &Scope {
                        pipeline_id: Some(row.pipeline_id),
                        ..scope.clone()
                    },
                    row.created_by,
                    run,
                    row.pipeline_id,
                    &cancelled,
                    RunStatus::Failed,
                ),
                None => Vec::new(),
            };
            events.push(
                NewEvent::new(EventType::PipelineRunFailed, scope, None)
                    .data(json!({"run_id": run, "status": "failed", "error": reason})),
            );
            outbox::append_all(&tx, &events).await?;
        }
        tx.commit().await?;
        Ok::<(), anyhow::Error>(())
    }
    .await;
    if let Err(e) = result {
        tracing::warn!(run_id = %run, "marking the run failed did not work: {e:#}");
    }
}
