//! OpenAI's wire format outside the stream: the body of a chat request (messages, tools,
//! sampling) and the answer of `/embeddings`, put back in the order of the inputs.

use serde::Deserialize;
use serde_json::{Map, Value, json};

use crate::llm::retry;
use crate::llm::{ChatRequest, LlmError, Message, Role};

/// The body of a streamed chat completion request.
pub(super) fn chat_body(request: &ChatRequest) -> Result<Value, LlmError> {
    if request.model.is_empty() {
        return Err(LlmError::BadRequest("no model named".into()));
    }
    let messages = request
        .messages
        .iter()
        .map(message_json)
        .collect::<Result<Vec<_>, _>>()?;
    let mut body = Map::new();
    body.insert("model".into(), request.model.clone().into());
    body.insert("messages".into(), messages.into());
    body.insert("stream".into(), true.into());
    body.insert("stream_options".into(), json!({ "include_usage": true }));
    if !request.tools.is_empty() {
        let tools = request.tools.iter().map(|tool| {
            json!({
                "type": "function",
                "function": {
                    "name": tool.name,
                    "description": tool.description,
                    "parameters": tool.parameters,
                },
            })
        });
        body.insert("tools".into(), tools.collect::<Vec<_>>().into());
    }
    let sampling = &request.sampling;
    if let Some(t) = sampling.temperature {
        body.insert("temperature".into(), retry::json_f32(t));
    }
    if let Some(p) = sampling.top_p {
        body.insert("top_p".into(), retry::json_f32(p));
    }
    if let Some(seed) = sampling.seed {
        body.insert("seed".into(), seed.into());
    }
    if let Some(max) = sampling.max_tokens {
        body.insert("max_tokens".into(), max.into());
    }
    if !request.stop.is_empty() {
        body.insert("stop".into(), request.stop.clone().into());
    }
    Ok(body.into())
}

fn message_json(message: &Message) -> Result<Value, LlmError> {
    Ok(match message.role {
        Role::System | Role::User => {
            json!({ "role": message.role.as_str(), "content": message.content })
        }
        Role::Assistant if message.tool_calls.is_empty() => {
            json!({ "role": "assistant", "content": message.content })
        }
        Role::Assistant => {
            let calls: Vec<Value> = message
                .tool_calls
                .iter()
                .map(|call| {
                    json!({
                        "id": call.id,
                        "type": "function",
                        "function": { "name": call.name, "arguments": call.arguments },
                    })
                })
                .collect();
            let content = if message.content.is_empty() {
                Value::Null
            } else {
                message.content.clone().into()
            };
            json!({ "role": "assistant", "content": content, "tool_calls": calls })
        }
        Role::Tool => {
            let id = message.tool_call_id.as_deref().ok_or_else(|| {
                LlmError::BadRequest("a tool message must name the call it answers".into())
            })?;
            json!({ "role": "tool", "content": message.content, "tool_call_id": id })
        }
    })
}

#[derive(Deserialize)]
pub(super) struct EmbeddingAnswer {
    pub(super) data: Vec<EmbeddingItem>,
    #[serde(default)]
    pub(super) usage: Option<EmbeddingUsage>,
}

#[derive(Deserialize)]
pub(super) struct EmbeddingItem {
    #[serde(default)]
    index: Option<usize>,
    embedding: Vec<f32>,
}

#[derive(Deserialize)]
pub(super) struct EmbeddingUsage {
    #[serde(default)]
    pub(super) prompt_tokens: u32,
}

/// The vectors in the order of the inputs: by their `index` when the server gives one.
pub(super) fn in_input_order(
    items: Vec<EmbeddingItem>,
    count: usize,
) -> Result<Vec<Vec<f32>>, LlmError> {
    let malformed =
        |what: &str| LlmError::Unavailable(format!("the embedding answer is malformed: {what}"));
    if items.len() != count {
        return Err(malformed(&format!(
            "{} vectors for {count} texts",
            items.len()
        )));
    }
    if items.iter().all(|item| item.index.is_none()) {
        return Ok(items.into_iter().map(|item| item.embedding).collect());
    }
    let mut slots: Vec<Option<Vec<f32>>> = vec![None; count];
    for item in items {
        let slot = item
            .index
            .and_then(|i| slots.get_mut(i))
            .ok_or_else(|| malformed("an index is missing or out of range"))?;
        if slot.replace(item.embedding).is_some() {
            return Err(malformed("an index appears twice"));
        }
    }
    Ok(slots.into_iter().flatten().collect())
}
