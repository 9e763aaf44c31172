//! The `search_knowledge` tool: a hybrid search of the knowledge collections the agent may read
//! (through `memory::knowledge::Knowledge` as `Reader::agent`, so its owner's collections only
//! when the owner is the one talking), each passage with its citation (collection, document,
//! heading path, position). It works only inside an agent's turn.

use std::time::Duration;

use serde_json::{Value, json};

use super::{Risk, Tool, ToolContext, ToolDefinition, ToolError};
use crate::memory::knowledge::{CollectionRef, Knowledge, KnowledgeQuery};
use crate::memory::{Memories, Reader, SearchMode};

/// `search_knowledge`.
pub struct SearchKnowledge {
    definition: ToolDefinition,
    knowledge: Knowledge,
}

impl SearchKnowledge {
    pub fn new(memories: &Memories) -> Self {
        Self {
            definition: ToolDefinition {
                name: "search_knowledge".to_owned(),
                description: "Searches the knowledge base (documents of the collections you may \
                    read) by meaning and by words; answers the most relevant passages, each \
                    with the collection, the document and the headings it comes from, to cite."
                    .to_owned(),
                parameters: json!({
                    "type": "object",
                    "properties": {
                        "query": {"type": "string", "minLength": 1, "maxLength": 2048},
                        "collection": {"type": "string", "minLength": 1, "maxLength": 64,
                                       "description": "only this collection (its name or id)"},
                        "limit": {"type": "integer", "minimum": 1, "maximum": 10,
                                  "description": "default 5"}
                    },
                    "required": ["query"],
                    "additionalProperties": false
                }),
                risk: Risk::ReadOnly,
                timeout: Duration::from_secs(30),
                source: "builtin".to_owned(),
            },
            knowledge: Knowledge::new(memories),
        }
    }
}

#[async_trait::async_trait]
impl Tool for SearchKnowledge {
    fn definition(&self) -> &ToolDefinition {
        &self.definition
    }

    async fn call(&self, ctx: &ToolContext, arguments: Value) -> Result<Value, ToolError> {
        let turn = ctx.agent()?;
        let reader = Reader::agent(
            &ctx.caller,
            turn.agent_id,
            turn.agent_owner,
            Some(turn.conversation_id),
        );
        let query = arguments
            .get("query")
            .and_then(Value::as_str)
            .ok_or_else(|| ToolError::InvalidArguments("\"query\" must be a string".into()))?;
        let collections = match arguments.get("collection").and_then(Value::as_str) {
            Some(c) => vec![CollectionRef::parse(c.trim()).map_err(super::memory::refusal)?],
            None => Vec::new(),
        };
        let limit = arguments
            .get("limit")
            .and_then(Value::as_u64)
            .unwrap_or(5)
            .clamp(1, 10) as usize;
        let found = self
            .knowledge
            .search(
                &reader,
                &KnowledgeQuery {
                    query: query.to_owned(),
                    collections,
                    mode: SearchMode::Hybrid,
                    limit,
                    threshold: None,
                },
            )
            .await
            .map_err(super::memory::refusal)?;
        let passages: Vec<Value> = found
            .items
            .iter()
            .map(|h| {
                json!({"collection": h.collection_name, "document": h.document_name,
                       "headings": h.heading_path, "position": h.position,
                       "content": h.content, "score": h.score})
            })
            .collect();
        Ok(json!({"passages": passages}))
    }
}
