//! What the API calls: a model name in, an answer out. Resolves the name in the registry, builds
//! the provider's client (the local engines, an OpenAI-compatible server or Anthropic), falls back
//! along the model's `fallback` chain when a provider fails before answering, and writes one
//! usage row per attempt (tokens, cost, latency, outcome), also for answers the client abandoned.
//! The row names who called (the [`Identity`]'s user and API key) and what for ([`Attribution`]).

use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Instant;

use deadpool_postgres::Pool;
use futures_util::Stream;
use secrecy::SecretString;
use uuid::Uuid;

use super::RegistryError;
use super::catalog::{Model, ModelKind, get_model};
use super::providers::ProviderKind;
use super::usage::{UsageRecord, record_usage};
use crate::core::identity::Identity;
use crate::llm::anthropic::AnthropicClient;
use crate::llm::local::{CallerKey, LocalModels};
use crate::llm::openai::OpenAiClient;
use crate::llm::retry::ClientOptions;
use crate::llm::{
    ChatRequest, Delta, DeltaStream, Embedder, Embeddings, LanguageModel, LlmError, Usage,
};

/// What a call is made for, beyond who makes it: the agent and the conversation the usage
/// ledger attributes it to (none for a direct call of a model).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Attribution {
    pub agent_id: Option<Uuid>,
    pub conversation_id: Option<Uuid>,
}

/// Whom the local engines' fair turns count a call against: the user (an agent acts for its
/// owner, an API key for its creator), else the key or the agent, else nobody.
fn fair_key(who: &Identity, for_: Attribution) -> CallerKey {
    who.user_id
        .or(who.api_key_id)
        .or(for_.agent_id)
        .unwrap_or_default()
}

#[derive(Debug, thiserror::Error)]
pub enum ServiceError {
    #[error(transparent)]
    Registry(#[from] RegistryError),
    #[error(transparent)]
    Model(#[from] LlmError),
}

/// Models by name, for the whole server.
#[derive(Clone)]
pub struct LlmService {
    pool: Pool,
    local: Arc<LocalModels>,
    options: ClientOptions,
}

impl std::fmt::Debug for LlmService {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LlmService")
            .field("local", &self.local)
            .finish()
    }
}

/// How many fallbacks a call may go through.
const MAX_FALLBACKS: usize = 3;

fn secret(model: &Model) -> Result<Option<SecretString>, LlmError> {
    let Some(reference) = &model.secret_ref else {
        return Ok(None);
    };
    let name = reference.strip_prefix("env:").unwrap_or(reference);
    match std::env::var(name) {
        Ok(value) if !value.is_empty() => Ok(Some(SecretString::from(value))),
        _ => Err(LlmError::Unavailable(format!(
            "provider {:?}: its secret {reference} is not set on this server",
            model.provider
        ))),
    }
}

impl LlmService {
    pub fn new(pool: Pool, local: Arc<LocalModels>, options: ClientOptions) -> Self {
        Self {
            pool,
            local,
            options,
        }
    }

    pub fn local(&self) -> &Arc<LocalModels> {
        &self.local
    }

    fn chat_client(
        &self,
        model: &Model,
        fair: CallerKey,
    ) -> Result<Arc<dyn LanguageModel>, LlmError> {
        let base = model.base_url.as_deref().unwrap_or_default();
        Ok(match model.provider_kind {
            ProviderKind::Local => Arc::new(self.local.for_caller(fair)),
            ProviderKind::OpenAi => Arc::new(OpenAiClient::new(
                base,
                secret(model)?,
                self.options.clone(),
            )?),
            ProviderKind::Anthropic => {
                let key = secret(model)?.ok_or_else(|| {
                    LlmError::Unavailable(format!(
                        "provider {:?} has no secret_ref",
                        model.provider
                    ))
                })?;
                Arc::new(AnthropicClient::new(base, key, self.options.clone())?)
            }
        })
    }

    fn embed_client(&self, model: &Model, fair: CallerKey) -> Result<Arc<dyn Embedder>, LlmError> {
        let base = model.base_url.as_deref().unwrap_or_default();
        Ok(match model.provider_kind {
            ProviderKind::Local => Arc::new(self.local.for_caller(fair)),
            ProviderKind::OpenAi => Arc::new(
                OpenAiClient::new(base, secret(model)?, self.options.clone())?
                    .with_dimension(model.dimension.unwrap_or_default() as usize),
            ),
            ProviderKind::Anthropic => {
                return Err(LlmError::BadRequest(format!(
                    "{}: Anthropic serves no embeddings",
                    model.name
                )));
            }
        })
    }

    /// The enabled model called `name` of the given kind.
    pub async fn resolve(&self, name: &str, kind: ModelKind) -> Result<Model, ServiceError> {
        let model = get_model(&self.pool, name).await?;
        if model.kind != kind {
            return Err(LlmError::BadRequest(format!(
                "{name} is a {} model, not a {} model",
                model.kind.as_str(),
                kind.as_str()
            ))
            .into());
        }
        if !model.enabled {
            return Err(LlmError::BadRequest(format!("model {name} is disabled")).into());
        }
        Ok(model)
    }

    /// Starts a chat; returns the model that answers (after any fallback) and its stream.
    pub async fn chat(
        &self,
        who: &Identity,
        for_: Attribution,
        name: &str,
        request: ChatRequest,
    ) -> Result<(Model, DeltaStream), ServiceError> {
        let fair = fair_key(who, for_);
        let mut model = self.resolve(name, ModelKind::Chat).await?;
        let mut hops = 0;
        loop {
            let started = Instant::now();
            let mut req = request.clone();
            req.model = model.provider_model.clone();
            let attempt = match self.chat_client(&model, fair) {
                Ok(client) => client.chat(req).await,
                Err(e) => Err(e),
            };
            match attempt {
                Ok(stream) => {
                    let meter = Meter::new(self.pool.clone(), model.clone(), who, for_, started);
                    return Ok((
                        model,
                        Box::pin(Metered {
                            inner: stream,
                            meter,
                        }),
                    ));
                }
                Err(e) => {
                    let meter = Meter::new(self.pool.clone(), model.clone(), who, for_, started);
                    meter.finish("error", Some(e.to_string()));
                    let next = match (&model.fallback, e.is_provider_failure()) {
                        (Some(f), true) if hops < MAX_FALLBACKS => f.clone(),
                        _ => return Err(e.into()),
                    };
                    tracing::warn!(model = %model.name, fallback = %next, error = %e, "falling back");
                    hops += 1;
                    model = self.resolve(&next, ModelKind::Chat).await?;
                }
            }
        }
    }

    /// Embeds texts; returns the model that answered and the vectors.
    pub async fn embed(
        &self,
        who: &Identity,
        for_: Attribution,
        name: &str,
        texts: Vec<String>,
    ) -> Result<(Model, Embeddings), ServiceError> {
        let fair = fair_key(who, for_);
        let mut model = self.resolve(name, ModelKind::Embedding).await?;
        let mut hops = 0;
        loop {
            let started = Instant::now();
            let attempt = match self.embed_client(&model, fair) {
                Ok(client) => client.embed(&model.provider_model, texts.clone()).await,
                Err(e) => Err(e),
            };
            let mut meter = Meter::new(self.pool.clone(), model.clone(), who, for_, started);
            match attempt {
                Ok(out) => {
                    meter.usage.prompt_tokens = out.prompt_tokens;
                    meter.finish("success", None);
                    return Ok((model, out));
                }
                Err(e) => {
                    meter.finish("error", Some(e.to_string()));
                    let next = match (&model.fallback, e.is_provider_failure()) {
                        (Some(f), true) if hops < MAX_FALLBACKS => f.clone(),
                        _ => return Err(e.into()),
                    };
                    hops += 1;
                    model = self.resolve(&next, ModelKind::Embedding).await?;
                }
            }
        }
    }
}

/// Writes one usage row, once: when the answer ends, fails, or is dropped unfinished.
struct Meter {
    pool: Pool,
    model: Model,
    user_id: Option<Uuid>,
    api_key_id: Option<Uuid>,
    for_: Attribution,
    started: Instant,
    usage: Usage,
    done: bool,
}

impl Meter {
    fn new(pool: Pool, model: Model, who: &Identity, for_: Attribution, started: Instant) -> Self {
        Self {
            pool,
            model,
            user_id: who.user_id,
            api_key_id: who.api_key_id,
            for_,
            started,
            usage: Usage::default(),
            done: false,
        }
    }

    fn finish(mut self, outcome: &'static str, error: Option<String>) {
        self.record(outcome, error);
    }

    fn record(&mut self, outcome: &'static str, error: Option<String>) {
        if self.done {
            return;
        }
        self.done = true;
        let record = UsageRecord {
            model_id: Some(self.model.id),
            model_name: self.model.name.clone(),
            provider: self.model.provider.clone(),
            operation: self.model.kind,
            user_id: self.user_id,
            api_key_id: self.api_key_id,
            agent_id: self.for_.agent_id,
            conversation_id: self.for_.conversation_id,
            prompt_tokens: self.usage.prompt_tokens,
            completion_tokens: self.usage.completion_tokens,
            cost_usd: self
                .model
                .cost(self.usage.prompt_tokens, self.usage.completion_tokens),
            latency_ms: self.started.elapsed().as_millis() as u64,
            outcome,
            error,
        };
        let pool = self.pool.clone();
        if let Ok(handle) = tokio::runtime::Handle::try_current() {
            handle.spawn(async move {
                if let Err(e) = record_usage(&pool, &record).await {
                    tracing::warn!(model = %record.model_name, "usage not recorded: {e}");
                }
            });
        }
    }
}

impl Drop for Meter {
    fn drop(&mut self) {
        self.record("cancelled", None);
    }
}

struct Metered {
    inner: DeltaStream,
    meter: Meter,
}

impl Stream for Metered {
    type Item = Result<Delta, LlmError>;

    fn poll_next(
        mut self: std::pin::Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Self::Item>> {
        let polled = self.inner.as_mut().poll_next(cx);
        match &polled {
            Poll::Ready(Some(Ok(Delta::Usage(u)))) => self.meter.usage = *u,
            Poll::Ready(Some(Ok(Delta::Finish(_)))) | Poll::Ready(None) => {
                self.meter.record("success", None);
            }
            Poll::Ready(Some(Err(e))) => {
                let message = e.to_string();
                self.meter.record("error", Some(message));
            }
            _ => {}
        }
        polled
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::identity::{RequestMeta, Role};

    #[test]
    fn fair_turns_count_against_the_user_then_the_key_then_the_agent() {
        let (user, key, agent) = (Uuid::now_v7(), Uuid::now_v7(), Uuid::now_v7());
        let for_agent = Attribution {
            agent_id: Some(agent),
            conversation_id: Some(Uuid::now_v7()),
        };
        let member = Identity::user(user, Role::Member, RequestMeta::default());
        assert_eq!(fair_key(&member, for_agent), user);
        assert_eq!(
            fair_key(&member.clone().with_api_key(Some(key)), for_agent),
            user
        );
        let keyed = Identity {
            user_id: None,
            ..Identity::system().with_api_key(Some(key))
        };
        assert_eq!(fair_key(&keyed, for_agent), key);
        assert_eq!(fair_key(&Identity::system(), for_agent), agent);
        assert_eq!(
            fair_key(&Identity::system(), Attribution::default()),
            CallerKey::nil()
        );
    }
}
