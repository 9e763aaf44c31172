//! What an occurrence does, acting as the schedule's owner: `run_task` (a turn of a stored
//! agent, its answer stored), `execute_pipeline` (a run, awaited to its end unless `wait` is
//! false), `send_notification` (an in-app notification, once per run, and a webhook), and
//! `call_api` (through the `http_request` tool: the same address rules and limits as agents').
//! HTTP calls carry `Idempotency-Key: schedule:{run id}`, the same on every attempt.

use serde_json::{Value, json};
use uuid::Uuid;

use super::model::Action;
use super::runner::Inner;
use super::store::{self, ScheduleRow, ScheduleRun};
use crate::core::error::DomainError;
use crate::core::identity::{Identity, Role};
use crate::events::causation::Causation;
use crate::events::{Filter, Scope, TypePattern, outbox};
use crate::orchestration::effects::{self, Failure, http};
use crate::orchestration::pipeline::Trigger;

fn failure(f: Failure) -> String {
    f.to_string()
}

/// Executes one attempt; the output stored with the run, or why it failed.
pub(super) async fn execute(
    inner: &Inner,
    schedule: &ScheduleRow,
    run: &ScheduleRun,
    owner: &Identity,
    action: &Action,
) -> Result<Value, String> {
    let key = format!("schedule:{}", run.id);
    match action {
        Action::RunTask {
            agent,
            task,
            max_tokens,
        } => {
            if owner.role == Role::Viewer {
                return Err("forbidden: the schedule's owner is now a viewer".into());
            }
            let agents = &inner.agents;
            let agent = agents
                .find(agent)
                .await
                .map_err(|e| format!("unknown_agent: {e}"))?;
            effects::answer(agents, agent, owner, task.clone(), *max_tokens)
                .await
                .map_err(failure)
        }
        Action::ExecutePipeline {
            pipeline,
            input,
            wait,
        } => {
            if owner.role == Role::Viewer {
                return Err("forbidden: the schedule's owner is now a viewer".into());
            }
            let started = Started {
                owner,
                causation: super::guard::causation_of(schedule, run),
            };
            pipeline_run(inner, started, pipeline, input, *wait).await
        }
        Action::StartDiscussion {
            circle,
            discussion,
            wait,
        } => {
            if owner.role == Role::Viewer {
                return Err("forbidden: the schedule's owner is now a viewer".into());
            }
            let ask = effects::discussion::Ask {
                circle: circle.clone(),
                discussion: discussion.clone(),
                origin: key.clone(),
                wait: *wait,
            };
            effects::discussion::discuss(&inner.circles, owner, ask)
                .await
                .map_err(failure)
        }
        Action::SendNotification {
            title,
            message,
            level,
            webhook,
        } => {
            let title = if title.is_empty() {
                schedule.name.as_str()
            } else {
                title.as_str()
            };
            let body = json!({"title": title, "message": message, "level": level,
                "schedule_id": schedule.id, "schedule": schedule.name, "run_id": run.id,
                "scheduled_for": run.scheduled_for});
            let hook = match webhook {
                Some(url) => {
                    let request = http::Request {
                        caller: owner,
                        key: &key,
                        url,
                        method: "POST",
                        headers: json!({}),
                        body: Some(body.clone()),
                    };
                    Some(
                        effects::http_call(inner.agents.tools(), request)
                            .await
                            .map_err(failure)?,
                    )
                }
                None => None,
            };
            let notification = notify(inner, schedule, run, title, message, level)
                .await
                .map_err(|e| format!("notification: {e}"))?;
            Ok(
                json!({"notification_id": notification, "webhook": hook.map(|h| h["status"].clone())}),
            )
        }
        Action::CallApi {
            url,
            method,
            headers,
            body,
        } => {
            let request = http::Request {
                caller: owner,
                key: &key,
                url,
                method,
                headers: Value::Object(headers.clone()),
                body: body.clone(),
            };
            effects::http_call(inner.agents.tools(), request)
                .await
                .map_err(failure)
        }
    }
}

/// Stores the run's notification (once: a retried run finds the first) and publishes it to
/// the owner.
async fn notify(
    inner: &Inner,
    schedule: &ScheduleRow,
    run: &ScheduleRun,
    title: &str,
    message: &str,
    level: &str,
) -> Result<Option<Uuid>, DomainError> {
    let mut client = inner.pool.get().await?;
    let tx = client.transaction().await?;
    if let Some(id) = store::notification_of_run(&tx, run.id).await? {
        return Ok(Some(id));
    }
    let n = store::insert_notification(
        &tx,
        &store::NewNotification {
            user_id: schedule.owner_id,
            title,
            message,
            level,
            schedule_id: Some(schedule.id),
            run_id: Some(run.id),
        },
    )
    .await?;
    outbox::append(
        &tx,
        &super::guard::notification_event(schedule, &n, super::guard::causation_of(schedule, run)),
    )
    .await?;
    tx.commit().await?;
    Ok(Some(n.id))
}

/// Who starts a pipeline run, and the schedule run it descends from.
struct Started<'a> {
    owner: &'a Identity,
    causation: Causation,
}

async fn pipeline_run(
    inner: &Inner,
    started: Started<'_>,
    pipeline: &str,
    input: &Value,
    wait: bool,
) -> Result<Value, String> {
    let pipelines = &inner.pipelines;
    let stored = pipelines
        .find(pipeline)
        .await
        .map_err(|e| format!("pipeline: {e}"))?
        .ok_or_else(|| format!("unknown_pipeline: no pipeline {pipeline:?}"))?;
    // Subscribed before the run exists, so its end cannot be missed.
    let mut events = inner.bus.subscribe(
        "scheduler_pipeline_wait",
        Filter {
            types: vec![TypePattern::Family("pipeline_run.".into())],
            scope: Scope {
                pipeline_id: Some(stored.id),
                ..Scope::default()
            },
        },
    );
    let run = pipelines
        .start_run(
            started.owner,
            stored.id,
            input.clone(),
            Trigger::Schedule(started.causation),
        )
        .await
        .map_err(|e| format!("pipeline: {e}"))?;
    if !wait {
        return Ok(json!({"pipeline_run_id": run.id, "status": run.status.as_str()}));
    }
    loop {
        let settled = pipelines.run(run.id).await.map_err(|e| e.to_string())?;
        if settled.status.is_final() {
            let status = settled.status.as_str();
            let out = json!({"pipeline_run_id": run.id, "status": status,
                "output": settled.output});
            return if status == "completed" {
                Ok(out)
            } else {
                Err(format!(
                    "pipeline: run {} ended {status}: {}",
                    run.id,
                    settled.error.unwrap_or_default()
                ))
            };
        }
        // Woken by any event of this pipeline's runs (or a lag), then the run is read again;
        // the timer covers a relay that is down.
        tokio::select! {
            delivery = events.recv() => if delivery.is_none() {
                return Err("the event bus stopped".into());
            },
            () = tokio::time::sleep(std::time::Duration::from_secs(5)) => {}
        }
    }
}
