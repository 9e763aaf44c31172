//! The JSON Schema of each node type's `config` and of a pipeline's `settings`. Unknown keys are
//! an error everywhere (`additionalProperties: false`). Keys the original GatheRing wrote are
//! accepted with the meaning it gave them (`delay_seconds` beside `seconds`, integer
//! `agent_id`s, `tool_name` on `call_api` actions, `failure_threshold` on any node).

use serde_json::{Value, json};

/// Every node type, by its wire name.
pub const NODE_TYPES: &[&str] = &[
    "trigger",
    "agent",
    "circle",
    "condition",
    "action",
    "transform",
    "filter",
    "merge",
    "parallel",
    "delay",
    "approval",
];

/// What a node type is, for an editor's palette (`GET /api/pipelines/node-types`); its config's
/// schema is [`config_schema`], the one validation uses.
#[derive(Debug, Clone, Copy)]
pub struct NodeTypeInfo {
    pub kind: &'static str,
    pub label: &'static str,
    /// `start`, `compute`, `effect` (breaker, timeout and retries apply) or `wait`.
    pub category: &'static str,
    pub description: &'static str,
    /// What the node outputs.
    pub output: &'static str,
    /// A minimal config its schema accepts.
    pub example: fn() -> Value,
}

/// Every node type of [`NODE_TYPES`], in that order.
pub const NODE_TYPE_INFO: &[NodeTypeInfo] = &[
    NodeTypeInfo {
        kind: "trigger",
        label: "Trigger",
        category: "start",
        description: "Where a run starts: every node must be reachable from a trigger.",
        output: "the run's trigger data",
        example: || json!({"trigger_type": "manual"}),
    },
    NodeTypeInfo {
        kind: "agent",
        label: "Agent",
        category: "effect",
        description: "A real turn of an agent (by `agent` name or `agent_id`) on `task`, where \
                      {{input.key}}, {{trigger.key}} and {{inputs.node.key}} are filled in.",
        output: "{result, agent_id, agent, conversation_id, model, usage, finish}",
        example: || json!({"agent": "writer", "task": "Summarise {{input.text}}"}),
    },
    NodeTypeInfo {
        kind: "circle",
        label: "Circle discussion",
        category: "effect",
        description: "A discussion in a circle (by `circle` name) on `topic`, where \
                      {{input.key}}, {{trigger.key}} and {{inputs.node.key}} are filled in (the \
                      input is appended to the prompt); with the discussion's `mode`, \
                      `participants`, `limits`, ... as the circles API takes them. Waits for \
                      its end unless `wait` is false.",
        output: "{discussion_id, transcript_id, circle, topic, status, end_reason, summary, turns, tokens, cost}",
        example: || json!({"circle": "reviewers", "topic": "Review {{input.title}}"}),
    },
    NodeTypeInfo {
        kind: "condition",
        label: "Condition",
        category: "compute",
        description: "Evaluates an expression over its input; when false, what only it feeds is \
                      skipped (a false condition does not fail the run).",
        output: "its input with `result` (true or false) set",
        example: || json!({"condition": "input.score > 0.5"}),
    },
    NodeTypeInfo {
        kind: "action",
        label: "Action",
        category: "effect",
        description: "A side effect with an idempotency key: `call_api` (an HTTP request), \
                      `send_notification`, `execute_pipeline` (a sub-pipeline's run) or \
                      `run_tool`.",
        output: "the effect's result (the HTTP response, the sub-pipeline run's output, the tool's output)",
        example: || json!({"action": "call_api", "url": "https://example.org/hook"}),
    },
    NodeTypeInfo {
        kind: "transform",
        label: "Transform",
        category: "compute",
        description: "Computes a value from its input with an expression.",
        output: "the expression's value",
        example: || json!({"expression": "input"}),
    },
    NodeTypeInfo {
        kind: "filter",
        label: "Filter",
        category: "compute",
        description: "Keeps the items of a list (`items`, default `input.items`) for which \
                      `condition` (over `item`) is true.",
        output: "{count, items}",
        example: || json!({"condition": "item > 0"}),
    },
    NodeTypeInfo {
        kind: "merge",
        label: "Merge",
        category: "compute",
        description: "Combines its live predecessors' outputs (`object` by predecessor id, \
                      `array`, or the `first`); closes a fan-out's body.",
        output: "the combined outputs",
        example: || json!({"strategy": "object"}),
    },
    NodeTypeInfo {
        kind: "parallel",
        label: "Parallel / fan-out",
        category: "compute",
        description: "Without `items`, passes its input on and its successors run at once. With \
                      `items`, a fan-out: its body (up to a merge) runs once per item, at most \
                      `max_concurrency` at a time.",
        output: "its input; for a fan-out {count, items, runs}",
        example: || json!({}),
    },
    NodeTypeInfo {
        kind: "delay",
        label: "Delay",
        category: "wait",
        description: "Waits `seconds`, then passes its input on.",
        output: "its input",
        example: || json!({"seconds": 1}),
    },
    NodeTypeInfo {
        kind: "approval",
        label: "Approval",
        category: "wait",
        description: "Waits for an authorised user's decision (or its `default` after \
                      `timeout_seconds`); what follows runs only when approved.",
        output: "its input with `approved` and `decision` set",
        example: || json!({"message": "Proceed?"}),
    },
];

/// Keys any node's config may carry: its own limits and its circuit breaker.
fn common() -> serde_json::Map<String, Value> {
    let mut m = serde_json::Map::new();
    m.insert(
        "timeout_seconds".into(),
        json!({"type": "number", "exclusiveMinimum": 0, "maximum": 86400,
               "description": "this node's time limit (per attempt)"}),
    );
    m.insert(
        "max_retries".into(),
        json!({"type": "integer", "minimum": 0, "maximum": 20,
               "description": "overrides settings.max_retries_per_node"}),
    );
    m.insert(
        "failure_threshold".into(),
        json!({"type": "integer", "minimum": 1, "maximum": 1000,
               "description": "consecutive failures that open this node's circuit breaker"}),
    );
    m.insert(
        "recovery_seconds".into(),
        json!({"type": "number", "minimum": 0, "maximum": 86400,
               "description": "how long an open breaker waits before a half-open trial"}),
    );
    m
}

fn object(properties: Value, required: &[&str]) -> Value {
    let mut props = common();
    if let Value::Object(own) = properties {
        props.extend(own);
    }
    json!({"type": "object", "properties": props, "required": required,
           "additionalProperties": false})
}

/// The schema of `config` for a node of type `kind`; `None` for an unknown type.
pub fn config_schema(kind: &str) -> Option<Value> {
    let expression = json!({"type": "string", "minLength": 1, "maxLength": 4096});
    Some(match kind {
        "trigger" => object(
            json!({
                "trigger_type": {"enum": ["manual", "webhook", "schedule", "event"]},
                "cron": {"type": "string", "maxLength": 200},
                "timezone": {"type": "string", "maxLength": 64},
                "event": {"type": "string", "maxLength": 200},
            }),
            &[],
        ),
        "agent" => {
            let mut schema = object(
                json!({
                    "agent_id": {"type": ["string", "integer"],
                                 "description": "the agent's id (the original wrote integers)"},
                    "agent": {"type": "string", "maxLength": 63, "description": "the agent's name"},
                    "task": {"type": "string", "minLength": 1, "maxLength": 32768,
                             "description": "what to ask; {{input.key}} and {{trigger.key}} are filled in"},
                    "max_tokens": {"type": "integer", "minimum": 1, "maximum": 32768},
                }),
                &["task"],
            );
            schema["anyOf"] = json!([{"required": ["agent_id"]}, {"required": ["agent"]}]);
            schema
        }
        "circle" => object(
            json!({
                "circle": {"type": "string", "minLength": 1, "maxLength": 63,
                           "description": "the circle's name"},
                "topic": {"type": "string", "minLength": 1, "maxLength": 2000,
                          "description": "what to discuss; {{input.key}} and {{trigger.key}} are filled in"},
                "prompt": {"type": "string", "maxLength": 16384},
                "mode": {"enum": ["round_robin", "mention", "free", "facilitator", "selector", "manual"]},
                "participants": {"type": "array", "items": {"type": "string", "maxLength": 63},
                                 "maxItems": 64},
                "facilitator": {"type": "string", "maxLength": 63},
                "transitions": {"type": "object", "maxProperties": 64,
                                "additionalProperties": {"type": "array", "items": {"type": "string"}}},
                "limits": {"type": "object"},
                "seed": {"type": "integer", "minimum": 0},
                "summary_agent": {"type": "string", "maxLength": 63},
                "save_summary": {"type": "boolean"},
                "wait": {"type": "boolean", "description": "wait for the end (default true)"},
            }),
            &["circle", "topic"],
        ),
        "condition" => object(
            json!({"condition": {"type": "string", "minLength": 1,
                                                     "maxLength": 4096}}),
            &["condition"],
        ),
        "action" => {
            let mut schema = object(
                json!({
                    "action": {"enum": ["call_api", "send_notification", "execute_pipeline",
                                        "run_tool"]},
                    "url": {"type": "string", "maxLength": 2048},
                    "method": {"enum": ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE"]},
                    "headers": {"type": "object", "additionalProperties": {"type": "string"},
                                "maxProperties": 20},
                    "body": {},
                    "tool_name": {"type": "string", "maxLength": 64,
                                  "description": "the original's name for the HTTP tool; ignored"},
                    "message": {"type": "string", "maxLength": 8192},
                    "pipeline_id": {"type": "string", "maxLength": 64},
                    "input": {},
                    "wait": {"type": "boolean"},
                    "tool": {"type": "string", "maxLength": 64},
                    "arguments": {"type": "object"},
                }),
                &["action"],
            );
            schema["allOf"] = json!([
                {"if": {"properties": {"action": {"const": "call_api"}}},
                 "then": {"required": ["url"]}},
                {"if": {"properties": {"action": {"const": "send_notification"}}},
                 "then": {"required": ["url"]}},
                {"if": {"properties": {"action": {"const": "execute_pipeline"}}},
                 "then": {"required": ["pipeline_id"]}},
                {"if": {"properties": {"action": {"const": "run_tool"}}},
                 "then": {"required": ["tool"]}},
            ]);
            schema
        }
        "transform" => object(json!({"expression": expression}), &["expression"]),
        "filter" => object(
            json!({
                "items": {"type": "string", "minLength": 1, "maxLength": 4096,
                          "description": "an expression giving the list (default: input.items)"},
                "condition": {"type": "string", "minLength": 1, "maxLength": 4096,
                              "description": "kept when true; the item is `item`"},
            }),
            &["condition"],
        ),
        "merge" => object(
            json!({"strategy": {"enum": ["object", "array", "first"]}}),
            &[],
        ),
        "parallel" => object(
            json!({
                "items": {"type": "string", "minLength": 1, "maxLength": 4096,
                          "description": "an expression giving the list to fan out over"},
                "max_concurrency": {"type": "integer", "minimum": 1, "maximum": 1000},
            }),
            &[],
        ),
        "delay" => {
            let mut schema = object(
                json!({
                    "seconds": {"type": "number", "minimum": 0, "maximum": 86400},
                    "delay_seconds": {"type": "number", "minimum": 0, "maximum": 86400},
                }),
                &[],
            );
            schema["anyOf"] = json!([{"required": ["seconds"]}, {"required": ["delay_seconds"]}]);
            schema
        }
        "approval" => object(
            json!({
                "message": {"type": "string", "maxLength": 8192},
                "approvers": {"type": "array", "items": {"type": "string"}, "maxItems": 100,
                              "description": "user ids or emails who may decide (default: members and admins)"},
                "timeout_seconds": {"type": "number", "exclusiveMinimum": 0, "maximum": 2592000},
                "default": {"enum": ["approve", "reject"],
                            "description": "the outcome when nobody decides in time"},
            }),
            &[],
        ),
        _ => return None,
    })
}

/// The schema of `settings`.
pub fn settings_schema() -> Value {
    json!({
        "type": "object",
        "additionalProperties": false,
        "properties": {
            "timeout_seconds": {"type": "number", "exclusiveMinimum": 0, "maximum": 2592000},
            "max_retries_per_node": {"type": "integer", "minimum": 0, "maximum": 20},
            "retry_backoff_base": {"type": "number", "exclusiveMinimum": 0, "maximum": 3600},
            "retry_backoff_max": {"type": "number", "exclusiveMinimum": 0, "maximum": 86400},
            "max_parallel": {"type": "integer", "minimum": 1, "maximum": 1000},
            "failure_threshold": {"type": "integer", "minimum": 1, "maximum": 1000},
            "recovery_seconds": {"type": "number", "minimum": 0, "maximum": 86400},
        },
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_type_has_a_schema_that_compiles() {
        for kind in NODE_TYPES {
            let schema = config_schema(kind).unwrap();
            jsonschema::validator_for(&schema).unwrap_or_else(|e| panic!("{kind}: {e}"));
        }
        assert!(config_schema("teleport").is_none());
        let described: Vec<&str> = NODE_TYPE_INFO.iter().map(|i| i.kind).collect();
        assert_eq!(described, NODE_TYPES);
        for info in NODE_TYPE_INFO {
            let schema = config_schema(info.kind).unwrap();
            let validator = jsonschema::validator_for(&schema).unwrap();
            assert!(validator.is_valid(&(info.example)()), "{}", info.kind);
        }
        jsonschema::validator_for(&settings_schema()).unwrap();
    }
}
