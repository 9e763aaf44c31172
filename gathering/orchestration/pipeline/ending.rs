//! A run's end: its status, output and error written once, fenced by the claim, with
//! `pipeline_node.cancelled` for every node it cancels and the run's own event; and the end of
//! a claimed run that cannot even start.

use serde_json::{Map, Value, json};
use uuid::Uuid;

use super::context::{RunCtx, Stop, fenced};
use super::engine::Engine;
use super::executor::{Ending, State};
use super::records::{NodeStatus, RunStatus};
use super::store;
use crate::events::{EventType, NewEvent, Scope, outbox};

/// Writes the run's end: its status, its output (the outputs of the completed nodes nothing
/// follows), and `cancelled` for every node that had not settled.
pub(super) async fn finish(ctx: &RunCtx, state: &State, ending: Ending) -> Result<RunStatus, Stop> {
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
        let mut client = ctx.handles.pool.get().await?;
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
            ctx.creator.user_id,
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
