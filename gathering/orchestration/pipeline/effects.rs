//! The attempts of nodes with effects: an agent's turn (a real turn of a stored agent, through
//! the same runtime as chat), and actions: `call_api` and `send_notification` (through the
//! `http_request` tool, so the same address rules apply, with the node's idempotency key as the
//! `Idempotency-Key` header), `run_tool` (any registered tool, arguments checked against its
//! schema, dangerous tools only for runs started by an admin) and `execute_pipeline` (a
//! sub-run, executed here and awaited, or left to any instance). Failures say whether a retry
//! may help: 429, 5xx, transport errors, timeouts and busy or unavailable models may.

use std::sync::Arc;

use serde_json::{Value, json};
use uuid::Uuid;

use super::children;
use super::engine::Engine;
use super::executor::{self, Control, RunCtx, Stop};
use super::nodes::{NodeFailure, NodeTask, render, render_value};
use super::records::RunStatus;
use crate::agents::runtime::{TurnEvent, TurnInput};
use crate::audit::RequestMeta;
use crate::auth::model::Role;
use crate::core::error::DomainError;
use crate::core::identity::Identity;
use crate::tools::{Risk, ToolError};

/// How deep sub-pipelines may nest.
pub const MAX_DEPTH: u32 = 5;

pub(super) async fn agent(task: &NodeTask) -> Result<Value, NodeFailure> {
    let config = &task.node().config;
    let agents = &task.ctx.engine.inner.agents;
    let found = match (config.get("agent"), config.get("agent_id")) {
        (Some(Value::String(name)), _) => agents.get_by_name(name).await,
        (_, Some(Value::String(id))) => agents.find(id).await,
        (_, Some(Value::Number(n))) => agents.get_by_name(&n.to_string()).await,
        _ => Err(DomainError::NotFound("the node names no agent".into())),
    };
    let agent = found.map_err(|e| match e {
        DomainError::NotFound(m) => NodeFailure::fatal("unknown_agent", m),
        other => NodeFailure::retryable("agent", other.to_string()),
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
    let caller = Identity::user(
        task.ctx.actor.user_id,
        task.ctx.actor.role,
        RequestMeta {
            ip: None,
            request_id: Some(format!("run:{}:{}", task.ctx.run_id, task.node().id)),
        },
    );
    let max_tokens = config
        .get("max_tokens")
        .and_then(Value::as_u64)
        .map(|n| n as u32);
    answer(agents, agent, caller, message, max_tokens).await
}

/// One turn of a stored agent, to its end: its answer (with the conversation, model and usage),
/// or why it failed and whether a retry may help. The scheduler's `run_task` uses it too.
pub(crate) async fn answer(
    agents: &crate::agents::Agents,
    agent: crate::agents::model::Agent,
    caller: Identity,
    message: String,
    max_tokens: Option<u32>,
) -> Result<Value, NodeFailure> {
    let input = TurnInput {
        agent: agent.clone(),
        caller,
        conversation_id: None,
        message,
        history: None,
        max_tokens,
        temperature: None,
    };
    let mut turn = agents.start_turn(input).await.map_err(|e| match e {
        DomainError::Busy(m) => NodeFailure::retryable("agent_busy", m),
        DomainError::Unexpected(e) => NodeFailure::retryable("agent", format!("{e:#}")),
        other => NodeFailure::fatal("agent", other.to_string()),
    })?;
    while let Some(event) = turn.events.recv().await {
        match event {
            TurnEvent::Completed {
                conversation_id,
                content,
                model,
                usage,
                finish,
                ..
            } => {
                return Ok(
                    json!({"result": content, "agent_id": agent.id, "agent": agent.name,
                    "conversation_id": conversation_id, "model": model, "usage": usage,
                    "finish": finish}),
                );
            }
            TurnEvent::Error { code, message } => {
                let retry = matches!(
                    code.as_str(),
                    "model_unavailable"
                        | "upstream_error"
                        | "upstream_timeout"
                        | "rate_limited"
                        | "agent_busy"
                        | "internal_error"
                );
                return Err(NodeFailure {
                    message: format!("{code}: {message}"),
                    code: "agent",
                    retryable: retry,
                });
            }
            _ => {}
        }
    }
    Err(NodeFailure::retryable(
        "agent",
        "the turn ended without an answer",
    ))
}

pub(super) async fn action(task: &NodeTask) -> Result<Value, NodeFailure> {
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
        other => Err(NodeFailure::fatal(
            "invalid_config",
            format!("unknown action {other:?}"),
        )),
    }
}

async fn tool(task: &NodeTask, name: &str) -> Result<Arc<dyn crate::tools::Tool>, NodeFailure> {
    let tools = task.ctx.engine.inner.agents.tools();
    tools
        .load(&[name.to_owned()])
        .await
        .remove(name)
        .ok_or_else(|| NodeFailure::fatal("unknown_tool", format!("no tool named {name:?}")))
}

fn tool_failure(e: ToolError) -> NodeFailure {
    match e {
        ToolError::Failed(m) => NodeFailure::retryable("tool_failed", m),
        ToolError::Refused(m) => NodeFailure::fatal("refused", m),
        ToolError::InvalidArguments(m) => NodeFailure::fatal("invalid_arguments", m),
    }
}

/// One HTTP request through the `http_request` tool. JSON bodies are sent as JSON; the
/// response body is parsed when it is JSON.
async fn http(
    task: &NodeTask,
    url: &str,
    method: &str,
    headers: Value,
    body: Option<Value>,
) -> Result<Value, NodeFailure> {
    let key = format!("{}:{}", task.ctx.run_id, task.node().id);
    http_call(
        task.ctx.engine.inner.agents.tools(),
        &key,
        url,
        method,
        headers,
        body,
    )
    .await
}

/// An HTTP request through the `http_request` tool with `key` as its `Idempotency-Key`: the
/// status, parsed body and headers; 429 and 5xx answers may be retried, other 4xx not. The
/// scheduler's `call_api` and notification webhooks use it too.
pub(crate) async fn http_call(
    tools: &crate::tools::registry::ToolRegistry,
    key: &str,
    url: &str,
    method: &str,
    headers: Value,
    body: Option<Value>,
) -> Result<Value, NodeFailure> {
    let http = tools
        .load(&["http_request".to_owned()])
        .await
        .remove("http_request")
        .ok_or_else(|| NodeFailure::fatal("unknown_tool", "no tool named \"http_request\""))?;
    let mut headers = headers.as_object().cloned().unwrap_or_default();
    headers.insert("Idempotency-Key".into(), Value::String(key.to_owned()));
    let mut arguments = json!({"url": url, "method": method});
    match body {
        None => {}
        Some(Value::String(text)) => arguments["body"] = Value::String(text),
        Some(other) => {
            headers
                .entry("Content-Type")
                .or_insert(Value::String("application/json".into()));
            arguments["body"] = Value::String(other.to_string());
        }
    }
    arguments["headers"] = Value::Object(headers);
    let answer = http.call(arguments).await.map_err(tool_failure)?;
    let status = answer.get("status").and_then(Value::as_u64).unwrap_or(0);
    let text = answer.get("body").and_then(Value::as_str).unwrap_or("");
    let body = serde_json::from_str::<Value>(text).unwrap_or_else(|_| Value::String(text.into()));
    let cut: String = text.chars().take(300).collect();
    if status == 429 || status >= 500 {
        return Err(NodeFailure::retryable(
            "http_status",
            format!("{url} answered {status}: {cut}"),
        ));
    }
    if status >= 400 {
        return Err(NodeFailure::fatal(
            "http_status",
            format!("{url} answered {status}: {cut}"),
        ));
    }
    Ok(json!({"status": status, "body": body, "headers": answer.get("headers")}))
}

async fn run_tool(task: &NodeTask) -> Result<Value, NodeFailure> {
    let config = &task.node().config;
    let name = config.get("tool").and_then(Value::as_str).unwrap_or("");
    let tool = tool(task, name).await?;
    let definition = tool.definition().clone();
    if definition.risk == Risk::Dangerous && task.ctx.actor.role != Role::Admin {
        return Err(NodeFailure::fatal(
            "forbidden",
            format!("{name} is dangerous: only runs started by an admin may call it"),
        ));
    }
    let arguments = render_value(config.get("arguments").unwrap_or(&json!({})), &task.vars());
    let validator = jsonschema::validator_for(&definition.parameters)
        .map_err(|e| NodeFailure::fatal("invalid_arguments", e.to_string()))?;
    let problems: Vec<String> = validator
        .iter_errors(&arguments)
        .map(|e| e.to_string())
        .collect();
    if !problems.is_empty() {
        return Err(NodeFailure::fatal(
            "invalid_arguments",
            format!("{name}: {}", problems.join("; ")),
        ));
    }
    tokio::time::timeout(definition.timeout, tool.call(arguments))
        .await
        .map_err(|_| {
            NodeFailure::retryable(
                "timeout",
                format!(
                    "{name} took longer than {} s",
                    definition.timeout.as_secs_f64()
                ),
            )
        })?
        .map_err(tool_failure)
}

async fn sub_pipeline(task: &NodeTask) -> Result<Value, NodeFailure> {
    let ctx = &task.ctx;
    if ctx.depth + 1 >= MAX_DEPTH {
        return Err(NodeFailure::fatal(
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
    let engine = ctx.engine.clone();
    let node_id = task.node().id.as_str();
    let child = children::start_sub_run(
        engine.pool(),
        children::SubRun {
            target,
            input: &input,
            created_by: ctx.actor.user_id,
            parent: ctx.run_id,
            awaited_by: wait.then(|| (node_id, engine.instance())),
        },
    )
    .await
    .map_err(|e| match e {
        DomainError::NotFound(m) | DomainError::Invalid { message: m, .. } => {
            NodeFailure::fatal("sub_pipeline", m)
        }
        other => NodeFailure::retryable("sub_pipeline", other.to_string()),
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
        engine.clone(),
        child.clone(),
        handle.decided.clone(),
        ctx.depth + 1,
    )
    .await;
    let result = match loaded {
        Ok(child_ctx) => {
            let control = Control {
                cancel: handle.cancel.clone(),
                shutdown: engine.inner.shutdown.clone(),
            };
            executor::execute_boxed(Arc::new(child_ctx), control).await
        }
        Err(e) => {
            executor::fail_unloadable(&engine, child.id, &format!("{e:#}")).await;
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
) -> Result<Value, NodeFailure> {
    match result {
        Ok(RunStatus::Completed) => {
            let client = engine
                .pool()
                .get()
                .await
                .map_err(|e| NodeFailure::retryable("sub_pipeline", e.to_string()))?;
            let run = super::store::get_run(&client, child)
                .await
                .map_err(|e| NodeFailure::retryable("sub_pipeline", e.to_string()))?;
            Ok(json!({"run_id": child, "status": "completed",
                      "output": run.and_then(|r| r.output)}))
        }
        Ok(status) => {
            if task.cancel.is_cancelled() {
                return Err(NodeFailure::fatal("cancelled", "cancelled"));
            }
            Err(NodeFailure::fatal(
                "sub_pipeline",
                format!("the sub-pipeline's run {} ended {}", child, status.as_str()),
            ))
        }
        Err(stop) => Err(stop.into()),
    }
}
