//! One chat turn of an agent, the tool loop: store the user's message, build what the model
//! sees (persona prompt, running summary, the history window, the granted tools), stream the
//! answer; when the model asks for tools, validate each call's arguments against the tool's
//! JSON Schema, check the permission (granted to the agent; dangerous tools only for an
//! admin-owned agent called by an admin, audited), run the calls concurrently under their
//! timeouts, store and feed back the results, and ask again, at most `max_tool_iterations`
//! rounds. Every message is stored as it happens; every step is sent to the caller and
//! published on the bus as an ephemeral `agent.stream` event (what `/ws/agents/{id}` carries).
//!
//! Before the first round the prompt gets the memories the agent recalls (`recall.rs`); after
//! the answer is sent, an agent with `extract_memories` writes memories down (`extract.rs`).
//!
//! The turn runs in its own task so that a client leaving is noticed at once (its receiver is
//! dropped): generation stops, what was said so far is stored as a `cancelled` message. The
//! extraction runs at the end of that task, after the caller's stream has ended and the queue's
//! place is given back, so it is neither lost nor in anyone's way.

use std::time::Instant;

use futures_util::StreamExt;
use futures_util::future::join_all;
use serde_json::json;
use tokio::sync::mpsc;
use uuid::Uuid;

use super::{Agent, AgentStatus, Agents};
use crate::conversations::{self, Conversation, NewMessage, StoredMessage, store as cstore};
use crate::core::error::DomainError;
use crate::events::{EventType, NewEvent, Scope};
use crate::llm::{
    ChatRequest, Delta, FinishReason, Message, Role as MessageRole, Sampling, ToolCall, ToolSpec,
    Usage,
};
use crate::models::{Attribution, ModelKind, ServiceError};

use super::turn::TurnError;
pub use super::turn::{RecalledMemory, Turn, TurnEvent, TurnInput};

/// The longest message a user may send.
const MAX_MESSAGE_BYTES: usize = 64 * 1024;

impl Agents {
    /// Checks the request, finds or starts the conversation, joins the agent's queue, and
    /// starts the turn. Fails at once (nothing stored) on a disabled agent, an empty or too
    /// long message, someone else's conversation, or a full queue.
    pub async fn start_turn(&self, input: TurnInput) -> Result<Turn, DomainError> {
        let user = input.caller.acting_user()?;
        if input.agent.status != AgentStatus::Active {
            return Err(DomainError::Conflict(format!(
                "agent {} is disabled",
                input.agent.name
            )));
        }
        if input.message.trim().is_empty() {
            return Err(DomainError::invalid("message", "must not be empty"));
        }
        if input.message.len() > MAX_MESSAGE_BYTES {
            return Err(DomainError::invalid(
                "message",
                format!("at most {MAX_MESSAGE_BYTES} bytes"),
            ));
        }
        let waiting = self.inner.gates.enter(input.agent.id)?;
        let pool = &self.inner.pool;
        let conversation = match input.conversation_id {
            Some(id) => {
                let c = conversations::get(pool, id).await?;
                conversations::may_access(&c, &input.caller)?;
                if !c.agent_ids.contains(&input.agent.id) {
                    let client = pool.get().await?;
                    cstore::add_participant(&client, c.id, None, Some(input.agent.id)).await?;
                    conversations::get(pool, id).await?
                } else {
                    c
                }
            }
            None => {
                let title: String = input.message.trim().chars().take(80).collect();
                conversations::create(pool, user, input.agent.id, &title).await?
            }
        };
        let (tx, rx) = mpsc::channel(256);
        let agents = self.clone();
        let c = conversation.clone();
        tokio::spawn(async move {
            let scope = Scope {
                agent_id: Some(input.agent.id),
                conversation_id: Some(c.id),
                user_id: input.caller.user_id,
                ..Scope::default()
            };
            let mut out = Emitter {
                tx,
                agents: agents.clone(),
                scope,
                actor: user,
                n: 0,
            };
            if waiting.must_wait() {
                out.emit(TurnEvent::Queued {
                    ahead: waiting.ahead(),
                })
                .await;
            }
            let permit = tokio::select! {
                permit = waiting.ready() => permit,
                _ = out.tx.closed() => return,
            };
            let answer = match run(&agents, &input, &c, &mut out).await {
                Ok(answer) => Some(answer),
                // Nobody listens to a cancelled turn: it has nothing to say.
                Err(TurnError::Cancelled) => None,
                Err(e) => {
                    let (code, message) = e.code();
                    tracing::warn!(agent = %input.agent.name, code, "turn failed: {message}");
                    out.emit(TurnEvent::Error {
                        code: code.into(),
                        message,
                    })
                    .await;
                    None
                }
            };
            // The reply is out: the caller's stream ends and the next turn may start.
            drop(out);
            drop(permit);
            if let Some(answer) = answer
                && input.agent.extract_memories
            {
                super::extract::after_turn(&agents, &input, c.id, &answer).await;
            }
        });
        Ok(Turn {
            conversation,
            events: rx,
        })
    }
}

/// Sends a turn's steps to its caller and to the bus.
struct Emitter {
    tx: mpsc::Sender<TurnEvent>,
    agents: Agents,
    scope: Scope,
    actor: Uuid,
    /// Numbers the bus events, which also keeps identical deltas from being de-duplicated.
    n: u64,
}

impl Emitter {
    /// Sends `event`; false when the caller has left.
    async fn emit(&mut self, event: TurnEvent) -> bool {
        self.n += 1;
        let mut data = serde_json::to_value(&event).unwrap_or_default();
        data["n"] = json!(self.n);
        self.agents.inner.bus.publish(
            NewEvent::new(EventType::AgentStream, self.scope.clone(), Some(self.actor))
                .data(data)
                .ephemeral(),
        );
        self.tx.send(event).await.is_ok()
    }

    fn gone(&self) -> bool {
        self.tx.is_closed()
    }
}

fn system_prompt(
    agent: &Agent,
    persona: &crate::personas::Persona,
    summary: &str,
    extra: &[String],
) -> String {
    let mut s = format!(
        "You are {}, {} ({}).\n\n{}",
        agent.name,
        persona.spec.display_name,
        persona.spec.role,
        persona.spec.prompt.trim()
    );
    if !agent.prompt_addition.trim().is_empty() {
        s.push_str("\n\n");
        s.push_str(agent.prompt_addition.trim());
    }
    if !summary.trim().is_empty() {
        s.push_str("\n\nSummary of the earlier conversation:\n");
        s.push_str(summary.trim());
    }
    for e in extra {
        s.push_str("\n\n");
        s.push_str(e.trim());
    }
    s
}

/// What one round of generation produced.
struct Round {
    text: String,
    calls: Vec<ToolCall>,
    usage: Usage,
    finish: Option<FinishReason>,
    model: String,
    latency_ms: u64,
}

async fn run(
    agents: &Agents,
    input: &TurnInput,
    conversation: &Conversation,
    out: &mut Emitter,
) -> Result<StoredMessage, TurnError> {
    let started = Instant::now();
    let inner = &agents.inner;
    let pool = &inner.pool;
    let agent = &input.agent;
    let persona = crate::personas::get(pool, agent.persona_id).await?;
    let model = inner.llm.resolve(&agent.model, ModelKind::Chat).await?;
    let who = &input.caller;
    let for_ = Attribution {
        agent_id: Some(agent.id),
        conversation_id: Some(conversation.id),
    };

    let user_message = conversations::append(
        pool,
        conversation,
        input.caller.user_id,
        NewMessage {
            role: Some(MessageRole::User),
            author_user_id: input.caller.user_id,
            content: input.message.clone(),
            ..NewMessage::default()
        },
    )
    .await?;
    if !out
        .emit(TurnEvent::Started {
            conversation_id: conversation.id,
            message_id: user_message.id,
        })
        .await
    {
        return Err(TurnError::Cancelled);
    }

    let recalled =
        super::recall::recall(&inner.memories, input, conversation.id, user_message.id).await;
    if !recalled.memories.is_empty()
        && !out
            .emit(TurnEvent::Recalled {
                memories: recalled.memories.clone(),
            })
            .await
    {
        return Err(TurnError::Cancelled);
    }
    let memory_section: Vec<String> = recalled.section.into_iter().collect();

    let tools = inner.tools.load(&agent.tools).await;
    let specs: Vec<ToolSpec> = agent
        .tools
        .iter()
        .filter_map(|name| tools.get(name))
        .map(|t| {
            let d = t.definition();
            ToolSpec {
                name: d.name.clone(),
                description: d.description.clone(),
                parameters: d.parameters.clone(),
            }
        })
        .collect();
    let max_tokens = input
        .max_tokens
        .or(agent.max_tokens.map(|m| m as u32))
        .unwrap_or(inner.settings.default_max_tokens);
    let temperature = input
        .temperature
        .or(agent.temperature)
        .or(persona.spec.temperature);

    // What the model sees: the system prompt, the history, the new message.
    let (summary, history, extra_system) = match &input.history {
        Some(given) => {
            let extra: Vec<String> = given
                .iter()
                .filter(|m| m.role == MessageRole::System)
                .map(|m| m.content.clone())
                .chain(memory_section.iter().cloned())
                .collect();
            let rest: Vec<Message> = given
                .iter()
                .filter(|m| m.role != MessageRole::System)
                .cloned()
                .collect();
            (String::new(), rest, extra)
        }
        None => {
            let fixed = crate::agents::window::estimate_tokens(&system_prompt(
                agent,
                &persona,
                &conversation.summary,
                &memory_section,
            )) + crate::agents::window::estimate_tokens(
                &serde_json::to_string(&specs).unwrap_or_default(),
            ) + crate::agents::window::estimate_tokens(&input.message);
            let budget = (model.context_window.max(0) as usize)
                .saturating_sub(max_tokens as usize)
                .saturating_sub(fixed);
            let (summary, history) = super::window::history(
                agents,
                conversation,
                &user_message,
                budget,
                who,
                for_,
                &agent.model,
            )
            .await?;
            (summary, history, memory_section)
        }
    };
    let mut messages = vec![Message::system(system_prompt(
        agent,
        &persona,
        &summary,
        &extra_system,
    ))];
    messages.extend(history);
    messages.push(Message::user(input.message.clone()));

    let max_rounds = agent.max_tool_iterations.max(0) as u32;
    let mut total = Usage::default();
    let mut rounds = 0u32;
    loop {
        let offer_tools = rounds < max_rounds && !specs.is_empty();
        let request = ChatRequest {
            model: String::new(),
            messages: messages.clone(),
            tools: if offer_tools {
                specs.clone()
            } else {
                Vec::new()
            },
            sampling: Sampling {
                temperature,
                top_p: None,
                seed: None,
                max_tokens: Some(max_tokens),
            },
            stop: Vec::new(),
        };
        let round = generate(agents, who, for_, agent, request, out, conversation).await?;
        total.prompt_tokens += round.usage.prompt_tokens;
        total.completion_tokens += round.usage.completion_tokens;

        if round.calls.is_empty() || !offer_tools {
            let finish = if !round.calls.is_empty() {
                "iteration_limit"
            } else {
                round.finish.unwrap_or(FinishReason::Stop).as_str()
            };
            let stored =
                store_assistant(pool, conversation, agent, &round, Vec::new(), finish).await?;
            let latency_ms = started.elapsed().as_millis() as u64;
            out.emit(TurnEvent::Completed {
                conversation_id: conversation.id,
                message_id: stored.id,
                content: round.text.clone(),
                finish: finish.into(),
                model: round.model.clone(),
                usage: total,
                tool_rounds: rounds,
                latency_ms,
            })
            .await;
            conversations::turn_completed(
                pool,
                conversation,
                input.caller.user_id,
                json!({"agent_id": agent.id, "message_id": stored.id, "finish": finish,
                       "usage": total, "tool_rounds": rounds, "latency_ms": latency_ms}),
            )
            .await?;
            return Ok(stored);
        }

        let asked = store_assistant(
            pool,
            conversation,
            agent,
            &round,
            round.calls.clone(),
            "tool_calls",
        )
        .await?;
        messages.push(Message {
            role: MessageRole::Assistant,
            content: round.text.clone(),
            tool_calls: round.calls.clone(),
            tool_call_id: None,
        });
        for call in &round.calls {
            out.emit(TurnEvent::ToolCall {
                id: call.id.clone(),
                name: call.name.clone(),
                arguments: call.arguments.clone(),
            })
            .await;
        }
        let shared = super::tool_calls::RoundCalls {
            input,
            conversation,
            tools: &tools,
            message_id: asked.id,
        };
        let runs = join_all(
            round
                .calls
                .iter()
                .map(|call| super::tool_calls::execute(agents, &shared, call)),
        );
        let results = tokio::select! {
            results = runs => results,
            _ = out.tx.closed() => {
                // Every call gets a result, so the stored transcript stays well-formed for
                // the next turn (providers refuse calls without results).
                for call in &round.calls {
                    let stored = conversations::append(
                        pool,
                        conversation,
                        input.caller.user_id,
                        NewMessage {
                            role: Some(MessageRole::Tool),
                            author_agent_id: Some(agent.id),
                            content: "cancelled: the client left before the tool finished"
                                .into(),
                            tool_call_id: Some(call.id.clone()),
                            tool_name: Some(call.name.clone()),
                            tool_error: Some(true),
                            ..NewMessage::default()
                        },
                    )
                    .await;
                    if let Err(e) = stored {
                        tracing::warn!(error = %e, "cancelled tool result not stored");
                    }
                }
                return Err(TurnError::Cancelled);
            }
        };
        for (call, (ok, content)) in round.calls.iter().zip(results) {
            conversations::append(
                pool,
                conversation,
                input.caller.user_id,
                NewMessage {
                    role: Some(MessageRole::Tool),
                    author_agent_id: Some(agent.id),
                    content: content.clone(),
                    tool_call_id: Some(call.id.clone()),
                    tool_name: Some(call.name.clone()),
                    tool_error: Some(!ok),
                    ..NewMessage::default()
                },
            )
            .await?;
            out.emit(TurnEvent::ToolResult {
                id: call.id.clone(),
                name: call.name.clone(),
                ok,
                content: content.clone(),
            })
            .await;
            messages.push(Message {
                role: MessageRole::Tool,
                content,
                tool_calls: Vec::new(),
                tool_call_id: Some(call.id.clone()),
            });
        }
        rounds += 1;
        if out.gone() {
            return Err(TurnError::Cancelled);
        }
    }
}

/// Streams one answer of the model to the caller; collects its text and tool calls. A client
/// that leaves, or a model that fails, still leaves what was said stored.
async fn generate(
    agents: &Agents,
    who: &crate::core::identity::Identity,
    for_: Attribution,
    agent: &Agent,
    request: ChatRequest,
    out: &mut Emitter,
    conversation: &Conversation,
) -> Result<Round, TurnError> {
    let started = Instant::now();
    let started_call = agents.inner.llm.chat(who, for_, &agent.model, request);
    let (model, mut stream) = tokio::select! {
        result = started_call => result?,
        _ = out.tx.closed() => {
            let round = Round {
                text: String::new(),
                calls: Vec::new(),
                usage: Usage::default(),
                finish: None,
                model: agent.model.clone(),
                latency_ms: started.elapsed().as_millis() as u64,
            };
            if let Err(e) = store_assistant(
                &agents.inner.pool,
                conversation,
                agent,
                &round,
                Vec::new(),
                "cancelled",
            )
            .await
            {
                tracing::warn!(error = %e, "cancelled answer not stored");
            }
            return Err(TurnError::Cancelled);
        }
    };
    let mut done = crate::llm::Completion::default();
    let mut failure = None;
    loop {
        let item = tokio::select! {
            item = stream.next() => item,
            _ = out.tx.closed() => None,
        };
        if out.gone() {
            failure = Some(TurnError::Cancelled);
            break;
        }
        match item {
            None => break,
            Some(Ok(Delta::Text(t))) => {
                done.text.push_str(&t);
                out.emit(TurnEvent::Delta { text: t }).await;
            }
            // A hostile or broken provider cannot make us allocate for absurd indices.
            Some(Ok(Delta::ToolCall { index, .. })) if index >= 64 => {}
            Some(Ok(delta)) => done.push(delta),
            Some(Err(e)) => {
                failure = Some(ServiceError::Model(e).into());
                break;
            }
        }
    }
    drop(stream);
    let round = Round {
        text: done.text,
        calls: done
            .tool_calls
            .into_iter()
            .enumerate()
            .filter(|(_, c)| !c.name.is_empty())
            .map(|(i, c)| ToolCall {
                id: if c.id.is_empty() {
                    format!("call_{}_{i}", Uuid::now_v7().simple())
                } else {
                    c.id
                },
                ..c
            })
            .collect(),
        usage: done.usage,
        finish: done.finish_reason,
        model: model.name.clone(),
        latency_ms: started.elapsed().as_millis() as u64,
    };
    if let Some(failure) = failure {
        let finish = match failure {
            TurnError::Cancelled => "cancelled",
            _ => "error",
        };
        if let Err(e) = store_assistant(
            &agents.inner.pool,
            conversation,
            agent,
            &round,
            Vec::new(),
            finish,
        )
        .await
        {
            tracing::warn!(error = %e, "partial answer not stored");
        }
        return Err(failure);
    }
    Ok(round)
}

async fn store_assistant(
    pool: &deadpool_postgres::Pool,
    conversation: &Conversation,
    agent: &Agent,
    round: &Round,
    calls: Vec<ToolCall>,
    finish: &str,
) -> Result<StoredMessage, DomainError> {
    conversations::append(
        pool,
        conversation,
        None,
        NewMessage {
            role: Some(MessageRole::Assistant),
            author_agent_id: Some(agent.id),
            content: round.text.clone(),
            tool_calls: calls,
            model: Some(round.model.clone()),
            prompt_tokens: Some(round.usage.prompt_tokens as i32),
            completion_tokens: Some(round.usage.completion_tokens as i32),
            latency_ms: Some(round.latency_ms.min(i32::MAX as u64) as i32),
            finish: Some(finish.into()),
            ..NewMessage::default()
        },
    )
    .await
}
