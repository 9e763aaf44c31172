//! The attempts of nodes with effects: an agent's turn (a real turn of a stored agent, through
//! the same runtime as chat, see `orchestration::effects::turn`), and actions: `call_api` and
//! `send_notification` (through the `http_request` tool, so the same address rules apply, with
//! the node's idempotency key as the `Idempotency-Key` header), `run_tool` (any registered tool,
//! arguments checked against its schema, dangerous tools only for runs started by an admin) and
//! `execute_pipeline` (a sub-run, executed here and awaited, or left to any instance). Failures
//! say whether a retry may help: 429, 5xx, transport errors, timeouts and busy or unavailable
//! models may.

use std::sync::Arc;

use serde_json::{Value, json};
use uuid::Uuid;

use super::children;
use super::context::{Control, RunCtx, Stop};
use super::engine::Engine;
use super::nodes::{NodeTask, render, render_value};
use super::records::RunStatus;
use super::{ending, executor};
use crate::core::error::DomainError;
use crate::core::identity::{Identity, RequestMeta};
use crate::orchestration::effects::{self, Failure, http};
use crate::tools::Risk;

/// How deep sub-pipelines may nest.
pub const MAX_DEPTH: u32 = 5;

pub(super) async fn agent(task: &NodeTask) -> Result<Value, Failure> {
    let config = &task.node().config;
    let agents = &task.ctx.handles.agents;
    let found = match (config.get("agent"), config.get("agent_id")) {
        (Some(Value::String(name)), _) => agents.get_by_name(name).await,
        (_, Some(Value::String(id))) => agents.find(id).await,
        (_, Some(Value::Number(n))) => agents.get_by_name(&n.to_string()).await,
        _ => Err(DomainError::NotFound("the node names no agent".into())),
    };
    let agent = found.map_err(|e| match e {
        DomainError::NotFound(m) => Failure::fatal("unknown_agent", m),
        other => Failure::retryable("agent", other.to_string()),
    })?;
    let vars = task.vars();
    let mut message = render(
        config.get("task").and_then(Value::as_str).unwrap_or(""),
        &vars,
    );
    let context = match &task.input {
        Value::Null => None,
        Value::Object(o) if o.is_empty() => None,
        other => Some(other.to_string()),
    };
    if let Some(context) = context {
        let cut: String = context.chars().take(8192).collect();
        message.push_str("\n\nInput:\n");
        message.push_str(&cut);
    }
    // The run's creator, with a request id naming the run and the node.
    let who = Identity {
        meta: RequestMeta {
            ip: None,
            request_id: Some(format!("run:{}:{}", task.ctx.run_id, task.node().id)),
        },
        ..task.ctx.creator.clone()
    };
    let max_tokens = config
        .get("max_tokens")
        .and_then(Value::as_u64)
        .map(|n| n as u32);
    effects::answer(agents, agent, &who, message, max_tokens).await
}

/// The keys of a `circle` node's config that are not the discussion's own fields.
const CIRCLE_KEYS: &[&str] = &[
    "circle",
    "wait",
    "timeout_seconds",
    "max_retries",
    "failure_threshold",
    "recovery_seconds",
];

/// A discussion in a circle, as the run's creator: `topic` and `prompt` filled in from the
/// node's inputs (the input itself appended to the prompt), started once per run and node (a
/// retry or a resumed run finds it again), and awaited unless `wait` is false.
pub(super) async fn circle(task: &NodeTask) -> Result<Value, Failure> {
    let config = &task.node().config;
    let vars = task.vars();
    let mut fields: serde_json::Map<String, Value> = config
        .as_object()
        .into_iter()
        .flatten()
        .filter(|(k, _)| !CIRCLE_KEYS.contains(&k.as_str()))
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    for key in ["topic", "prompt"] {
        if let Some(Value::String(raw)) = fields.get(key) {
            let filled = render(raw, &vars);
            fields.insert(key.into(), Value::String(filled));
        }
    }
    let context = match &task.input {
        Value::Null => None,
        Value::Object(o) if o.is_empty() => None,
        other => Some(other.to_string()),
    };
    if let Some(context) = context {
        let cut: String = context.chars().take(8192).collect();
        let prompt = fields
            .get("prompt")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_owned();
        fields.insert("prompt".into(), json!(format!("{prompt}\n\nInput:\n{cut}")));
    }
    let ask = effects::discussion::Ask {
        circle: config
            .get("circle")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_owned(),
        discussion: fields,
        origin: format!("run:{}:{}", task.ctx.run_id, task.node().id),
        wait: config.get("wait").and_then(Value::as_bool).unwrap_or(true),
    };
    let who = Identity {
        meta: RequestMeta {
            ip: None,
            request_id: Some(format!("run:{}:{}", task.ctx.run_id, task.node().id)),
        },
        ..task.ctx.creator.clone()
    };
    effects::discussion::discuss(&task.ctx.handles.circles, &who, ask).await
}

pub(super) async fn action(task: &NodeTask) -> Result<Value, Failure> {
    let config = &task.node().config;
    let vars = task.vars();
    match config.get("action").and_then(Value::as_str) {
        Some("call_api") => {
            let url = render(
                config.get("url").and_then(Value::as_str).unwrap_or(""),
                &vars,
            );
            let body = config.get("body").map(|b| render_value(b, &vars));
            let method = config
                .get("method")
                .and_then(Value::as_str)
                .unwrap_or(if body.is_some() { "POST" } else { "GET" });
            let headers = config.get("headers").cloned().unwrap_or(json!({}));
            http(task, &url, method, headers, body).await
        }
        Some("send_notification") => {
            let url = render(
                config.get("url").and_then(Value::as_str).unwrap_or(""),
                &vars,
            );
            let message = render(
                config.get("message").and_then(Value::as_str).unwrap_or(""),
                &vars,
            );
            let body = json!({"message": message, "pipeline_id": task.ctx.pipeline_id,
                "run_id": task.ctx.run_id, "node_id": task.node().id, "input": task.input});
            http(task, &url, "POST", json!({}), Some(body)).await
        }
        Some("run_tool") => run_tool(task).await,
        Some("execute_pipeline") => sub_pipeline(task).await,
        other => Err(Failure::fatal(
            "invalid_config",
            format!("unknown action {other:?}"),
        )),
    }
}

async fn tool(task: &NodeTask, name: &str) -> Result<Arc<dyn crate::tools::Tool>, Failure> {
    task.ctx
        .handles
        .tools
        .load(&[name.to_owned()])
        .await
        .remove(name)
        .ok_or_else(|| Failure::fatal("unknown_tool", format!("no tool named {name:?}")))
}

/// One HTTP request through the `http_request` tool, keyed by the run and the node.
async fn http(
    task: &NodeTask,
    url: &str,
    method: &str,
    headers: Value,
    body: Option<Value>,
) -> Result<Value, Failure> {
    let key = format!("{}:{}", task.ctx.run_id, task.node().id);
    let request = http::Request {
        caller: &task.ctx.creator,
        key: &key,
        url,
        method,
        headers,
        body,
    };
    effects::http_call(&task.ctx.handles.tools, request).await
}

async fn run_tool(task: &NodeTask) -> Result<Value, Failure> {
    let config = &task.node().config;
    let name = config.get("tool").and_then(Value::as_str).unwrap_or("");
    let tool = tool(task, name).await?;
    let definition = tool.definition().clone();
    if definition.risk == Risk::Dangerous && !task.ctx.creator.is_admin() {
        return Err(Failure::fatal(
            "forbidden",
            format!("{name} is dangerous: only runs started by an admin may call it"),
        ));
    }
    let arguments = render_value(config.get("arguments").unwrap_or(&json!({})), &task.vars());
    let validator = jsonschema::validator_for(&definition.parameters)
        .map_err(|e| Failure::fatal("invalid_arguments", e.to_string()))?;
    let problems: Vec<String> = validator
        .iter_errors(&arguments)
        .map(|e| e.to_string())
        .collect();
    if !problems.is_empty() {
        return Err(Failure::fatal(
            "invalid_arguments",
            format!("{name}: {}", problems.join("; ")),
        ));
    }
    let ctx = crate::tools::ToolContext::outside_agents(task.ctx.creator.clone());
    tokio::time::timeout(definition.timeout, tool.call(&ctx, arguments))
        .await
        .map_err(|_| {
            Failure::retryable(
                "timeout",
                format!(
                    "{name} took longer than {} s",
                    definition.timeout.as_secs_f64()
                ),
            )
        })?
        .map_err(Failure::from)
}

async fn sub_pipeline(task: &NodeTask) -> Result<Value, Failure> {
    let ctx = &task.ctx;
    if ctx.depth + 1 >= MAX_DEPTH {
        return Err(Failure::fatal(
            "too_deep",
            format!("sub-pipelines may nest {MAX_DEPTH} deep at most"),
        ));
    }
    let config = &task.node().config;
    let target = config
        .get("pipeline_id")
        .and_then(Value::as_str)
        .unwrap_or("");
    let input = match config.get("input") {
        Some(v) => render_value(v, &task.vars()),
        None => task.input.clone(),
    };
    let wait = config.get("wait").and_then(Value::as_bool).unwrap_or(true);
    let engine = ctx.handles.engine.clone();
    let node_id = task.node().id.as_str();
    let child = children::start_sub_run(
        &ctx.handles.pool,
        children::SubRun {
            target,
            input: &input,
            created_by: ctx.creator.user_id,
            parent: ctx.run_id,
            awaited_by: wait.then(|| (node_id, engine.instance())),
        },
    )
    .await
    .map_err(|e| match e {
        DomainError::NotFound(m) | DomainError::Invalid { message: m, .. } => {
            Failure::fatal("sub_pipeline", m)
        }
        other => Failure::retryable("sub_pipeline", other.to_string()),
    })?;
    if !wait {
        engine.wake();
        return Ok(json!({"run_id": child.id, "status": "pending"}));
    }
    if child.status.is_final() {
        // A resumed parent found the child it had started already ended.
        return sub_outcome(task, &engine, child.id, Ok(child.status)).await;
    }
    let handle = engine.register_with(child.id, task.cancel.child_token());
    let loaded = RunCtx::load(
        ctx.handles.clone(),
        child.clone(),
        handle.decided.clone(),
        ctx.depth + 1,
    )
    .await;
    let result = match loaded {
        Ok(child_ctx) => {
            let control = Control {
                cancel: handle.cancel.clone(),
                shutdown: engine.shutdown(),
            };
            executor::execute_boxed(Arc::new(child_ctx), control).await
        }
        Err(e) => {
            ending::fail_unloadable(&engine, child.id, &format!("{e:#}")).await;
            Ok(RunStatus::Failed)
        }
    };
    engine.unregister(child.id);
    sub_outcome(task, &engine, child.id, result).await
}

/// What an awaited sub-pipeline's end makes of its node: its output, or why it failed.
async fn sub_outcome(
    task: &NodeTask,
    engine: &Engine,
    child: Uuid,
    result: Result<RunStatus, Stop>,
) -> Result<Value, Failure> {
    match result {
        Ok(RunStatus::Completed) => {
            let client = engine
                .pool()
                .get()
                .await
                .map_err(|e| Failure::retryable("sub_pipeline", e.to_string()))?;
            let run = super::store::get_run(&client, child)
                .await
                .map_err(|e| Failure::retryable("sub_pipeline", e.to_string()))?;
            Ok(json!({"run_id": child, "status": "completed",
                      "output": run.and_then(|r| r.output)}))
        }
        Ok(status) => {
            if task.cancel.is_cancelled() {
                return Err(Failure::fatal("cancelled", "cancelled"));
            }
            Err(Failure::fatal(
                "sub_pipeline",
                format!("the sub-pipeline's run {} ended {}", child, status.as_str()),
            ))
        }
        Err(stop) => Err(stop.into()),
    }
}
