//! The streamed chat answer: `chat.completion.chunk`s (text, tool call fragments, the finish
//! reason, the usage chunk) read into [`Delta`]s.

use std::collections::HashMap;

use eventsource_stream::Event;
use serde::Deserialize;
use serde_json::Value;

use crate::llm::retry::{self, SseDecoder};
use crate::llm::{Delta, FinishReason, LlmError, Usage};

#[derive(Deserialize)]
struct Chunk {
    #[serde(default)]
    choices: Option<Vec<Choice>>,
    #[serde(default)]
    usage: Option<ChunkUsage>,
    #[serde(default)]
    error: Option<Value>,
}

#[derive(Deserialize)]
struct Choice {
    #[serde(default)]
    delta: Option<ChoiceDelta>,
    #[serde(default)]
    finish_reason: Option<String>,
}

#[derive(Deserialize)]
struct ChoiceDelta {
    #[serde(default)]
    content: Option<String>,
    #[serde(default)]
    tool_calls: Option<Vec<ToolCallDelta>>,
}

#[derive(Deserialize)]
struct ToolCallDelta {
    #[serde(default)]
    index: Option<usize>,
    #[serde(default)]
    id: Option<String>,
    #[serde(default)]
    function: Option<FunctionDelta>,
}

#[derive(Deserialize)]
struct FunctionDelta {
    #[serde(default)]
    name: Option<String>,
    /// A string, though some servers send the arguments as a JSON object.
    #[serde(default)]
    arguments: Option<Value>,
}

#[derive(Deserialize)]
struct ChunkUsage {
    #[serde(default)]
    prompt_tokens: u32,
    #[serde(default)]
    completion_tokens: u32,
}

/// Reads `chat.completion.chunk`s. The usage chunk comes after the one with the finish reason,
/// so both are held and sent last: `Usage`, then `Finish`.
#[derive(Default)]
pub(super) struct ChatDecoder {
    finish: Option<FinishReason>,
    usage: Option<Usage>,
    /// Tool call indexes by id, for servers that send no index.
    indexes: HashMap<String, usize>,
    last_index: Option<usize>,
}

impl ChatDecoder {
    fn tool_index(&mut self, call: &ToolCallDelta) -> usize {
        let index = match (call.index, &call.id) {
            (Some(index), _) => index,
            (None, Some(id)) => {
                let next = self.indexes.len();
                *self.indexes.entry(id.clone()).or_insert(next)
            }
            (None, None) => self.last_index.unwrap_or(0),
        };
        self.last_index = Some(index);
        index
    }

    fn finish(&mut self, out: &mut Vec<Delta>) {
        out.extend(self.usage.take().map(Delta::Usage));
        out.extend(self.finish.take().map(Delta::Finish));
    }
}

impl SseDecoder for ChatDecoder {
    fn event(&mut self, event: &Event, out: &mut Vec<Delta>) -> Result<bool, LlmError> {
        let data = event.data.trim();
        if data == "[DONE]" {
            self.finish(out);
            return Ok(true);
        }
        if data.is_empty() {
            return Ok(false);
        }
        let chunk: Chunk = serde_json::from_str(data).map_err(|e| {
            LlmError::Unavailable(format!("the provider sent a malformed chunk: {e}"))
        })?;
        if let Some(error) = chunk.error {
            return Err(retry::stream_error(&error));
        }
        if let Some(usage) = chunk.usage {
            self.usage = Some(Usage {
                prompt_tokens: usage.prompt_tokens,
                completion_tokens: usage.completion_tokens,
            });
        }
        let Some(choice) = chunk.choices.and_then(|c| c.into_iter().next()) else {
            return Ok(false);
        };
        if let Some(delta) = choice.delta {
            if let Some(text) = delta.content.filter(|t| !t.is_empty()) {
                out.push(Delta::Text(text));
            }
            for call in delta.tool_calls.unwrap_or_default() {
                let index = self.tool_index(&call);
                let (name, arguments) = match call.function {
                    Some(f) => (f.name, f.arguments),
                    None => (None, None),
                };
                let arguments = match arguments {
                    None | Some(Value::Null) => String::new(),
                    Some(Value::String(s)) => s,
                    Some(other) => other.to_string(),
                };
                out.push(Delta::ToolCall {
                    index,
                    id: call.id,
                    name,
                    arguments,
                });
            }
        }
        if let Some(reason) = choice.finish_reason {
            self.finish = Some(match reason.as_str() {
                "length" => FinishReason::Length,
                "tool_calls" | "function_call" => FinishReason::ToolCalls,
                _ => FinishReason::Stop,
            });
        }
        Ok(false)
    }

    fn end(&mut self, out: &mut Vec<Delta>) -> Result<(), LlmError> {
        // Some servers close the stream without `[DONE]`; the answer is whole if it said why
        // it ended.
        if self.finish.is_none() {
            return Err(LlmError::Unavailable(
                "the answer stream ended before the answer did".into(),
            ));
        }
        self.finish(out);
        Ok(())
    }
}
