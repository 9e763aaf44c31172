//! What an occurrence does ([`Action`]), parsed from the request's `action` object; every
//! refusal names its field (`action.url`, `action.level`, ...).

use serde_json::{Map, Value};

use crate::core::error::DomainError;

/// What an occurrence does.
#[derive(Debug, Clone, PartialEq)]
pub enum Action {
    /// Give an agent (name or id) a task; its answer is the run's output.
    RunTask {
        agent: String,
        task: String,
        max_tokens: Option<u32>,
    },
    /// Start a pipeline (name or id) with `input`; with `wait`, the run lasts until it ends.
    ExecutePipeline {
        pipeline: String,
        input: Value,
        wait: bool,
    },
    /// A discussion in a circle (`topic`, `prompt`, `mode`, ... as the circles API takes them);
    /// with `wait`, the run lasts until it ends and its output carries the summary.
    StartDiscussion {
        circle: String,
        discussion: Map<String, Value>,
        wait: bool,
    },
    /// An in-app notification to the schedule's owner, and a POST to `webhook` when given.
    SendNotification {
        title: String,
        message: String,
        level: &'static str,
        webhook: Option<String>,
    },
    /// An HTTP request through the `http_request` tool (its address rules and limits).
    CallApi {
        url: String,
        method: String,
        headers: Map<String, Value>,
        body: Option<Value>,
    },
}

impl Action {
    pub fn kind(&self) -> &'static str {
        match self {
            Self::RunTask { .. } => "run_task",
            Self::ExecutePipeline { .. } => "execute_pipeline",
            Self::StartDiscussion { .. } => "start_discussion",
            Self::SendNotification { .. } => "send_notification",
            Self::CallApi { .. } => "call_api",
        }
    }
}

fn text(
    action: &Map<String, Value>,
    key: &str,
    required: bool,
) -> Result<Option<String>, DomainError> {
    match action.get(key) {
        None | Some(Value::Null) if required => {
            Err(DomainError::invalid(format!("action.{key}"), "is required"))
        }
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) if required && s.trim().is_empty() => Err(DomainError::invalid(
            format!("action.{key}"),
            "must not be empty",
        )),
        Some(Value::String(s)) => Ok(Some(s.clone())),
        Some(_) => Err(DomainError::invalid(
            format!("action.{key}"),
            "must be a string",
        )),
    }
}

fn http_url(field: &str, raw: &str) -> Result<String, DomainError> {
    let url = url::Url::parse(raw)
        .map_err(|e| DomainError::invalid(field, format!("{raw:?} is not a URL: {e}")))?;
    if !matches!(url.scheme(), "http" | "https") {
        return Err(DomainError::invalid(field, "must be an http or https URL"));
    }
    Ok(url.to_string())
}

pub(super) fn action(raw: &Value) -> Result<Action, DomainError> {
    let map = raw
        .as_object()
        .ok_or_else(|| DomainError::invalid("action", "must be an object with a type"))?;
    let kind = text(map, "type", true)?.unwrap_or_default();
    let allowed: &[&str] = match kind.as_str() {
        "run_task" => &["type", "agent", "task", "max_tokens"],
        "execute_pipeline" => &["type", "pipeline", "input", "wait"],
        "send_notification" => &["type", "title", "message", "level", "webhook"],
        "call_api" => &["type", "url", "method", "headers", "body"],
        "start_discussion" => &[
            "type",
            "circle",
            "wait",
            "topic",
            "prompt",
            "mode",
            "participants",
            "facilitator",
            "transitions",
            "limits",
            "seed",
            "summary_agent",
            "save_summary",
        ],
        other => {
            return Err(DomainError::invalid(
                "action.type",
                format!(
                    "{other:?} is not an action (run_task, execute_pipeline, start_discussion, send_notification, call_api)"
                ),
            ));
        }
    };
    if let Some(key) = map.keys().find(|k| !allowed.contains(&k.as_str())) {
        return Err(DomainError::invalid(
            format!("action.{key}"),
            format!("unknown field for {kind} ({})", allowed[1..].join(", ")),
        ));
    }
    match kind.as_str() {
        "run_task" => {
            let max_tokens =
                match map.get("max_tokens") {
                    None | Some(Value::Null) => None,
                    Some(v) => Some(v.as_u64().filter(|n| (1..=8192).contains(n)).ok_or_else(
                        || DomainError::invalid("action.max_tokens", "must be 1 to 8192"),
                    )? as u32),
                };
            Ok(Action::RunTask {
                agent: text(map, "agent", true)?.unwrap_or_default(),
                task: text(map, "task", true)?.unwrap_or_default(),
                max_tokens,
            })
        }
        "execute_pipeline" => {
            let input = map
                .get("input")
                .cloned()
                .unwrap_or(Value::Object(Map::new()));
            if !input.is_object() {
                return Err(DomainError::invalid("action.input", "must be an object"));
            }
            let wait = match map.get("wait") {
                None => true,
                Some(Value::Bool(b)) => *b,
                Some(_) => {
                    return Err(DomainError::invalid("action.wait", "must be true or false"));
                }
            };
            Ok(Action::ExecutePipeline {
                pipeline: text(map, "pipeline", true)?.unwrap_or_default(),
                input,
                wait,
            })
        }
        "start_discussion" => {
            let circle = text(map, "circle", true)?.unwrap_or_default();
            crate::circles::CircleName::parse(&circle)
                .map_err(|_| DomainError::invalid("action.circle", "not a circle name"))?;
            let wait = match map.get("wait") {
                None => true,
                Some(Value::Bool(b)) => *b,
                Some(_) => {
                    return Err(DomainError::invalid("action.wait", "must be true or false"));
                }
            };
            let discussion: Map<String, Value> = map
                .iter()
                .filter(|(k, _)| !["type", "circle", "wait"].contains(&k.as_str()))
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect();
            // Checked now, so a mistake is a 422 naming it rather than a failed occurrence.
            crate::orchestration::effects::discussion::parse(&discussion, "action.")?
                .check_fields()?;
            Ok(Action::StartDiscussion {
                circle,
                discussion,
                wait,
            })
        }
        "send_notification" => {
            let message = text(map, "message", true)?.unwrap_or_default();
            let level = match text(map, "level", false)?.as_deref() {
                None | Some("info") => "info",
                Some("warning") => "warning",
                Some("error") => "error",
                Some(other) => {
                    return Err(DomainError::invalid(
                        "action.level",
                        format!("{other:?} is not a level (info, warning, error)"),
                    ));
                }
            };
            let webhook = text(map, "webhook", false)?
                .map(|u| http_url("action.webhook", &u))
                .transpose()?;
            Ok(Action::SendNotification {
                title: text(map, "title", false)?.unwrap_or_default(),
                message,
                level,
                webhook,
            })
        }
        _ => {
            let url = http_url("action.url", &text(map, "url", true)?.unwrap_or_default())?;
            let method = text(map, "method", false)?
                .unwrap_or_else(|| {
                    if map.get("body").is_some_and(|b| !b.is_null()) {
                        "POST".into()
                    } else {
                        "GET".into()
                    }
                })
                .to_ascii_uppercase();
            if !["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD"].contains(&method.as_str()) {
                return Err(DomainError::invalid(
                    "action.method",
                    format!("{method:?} is not one of GET, POST, PUT, PATCH, DELETE, HEAD"),
                ));
            }
            let headers = match map.get("headers") {
                None | Some(Value::Null) => Map::new(),
                Some(Value::Object(h)) if h.values().all(Value::is_string) => h.clone(),
                Some(_) => {
                    return Err(DomainError::invalid(
                        "action.headers",
                        "must be an object of strings",
                    ));
                }
            };
            Ok(Action::CallApi {
                url,
                method,
                headers,
                body: map.get("body").filter(|b| !b.is_null()).cloned(),
            })
        }
    }
}
