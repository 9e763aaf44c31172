//! Any server that speaks OpenAI's wire format: OpenAI itself, Ollama, vLLM, llama.cpp's
//! server, LM Studio. Chat goes to `{base}/chat/completions`, always streamed (with the usage
//! chunk asked for); embeddings to `{base}/embeddings`.
//!
//! The client is here; `wire.rs` writes request bodies and reads embedding answers, `stream.rs`
//! turns the streamed `chat.completion.chunk`s into [`Delta`](super::Delta)s.

mod stream;
mod wire;

#[cfg(test)]
mod openai_tests;

use reqwest::RequestBuilder;
use secrecy::{ExposeSecret, SecretString};
use serde_json::{Value, json};

use self::stream::ChatDecoder;
use self::wire::{EmbeddingAnswer, chat_body, in_input_order};
use super::retry::{self, ClientOptions};
use super::{ChatRequest, DeltaStream, Embedder, Embeddings, LanguageModel, LlmError};

/// OpenAI's own API.
pub const DEFAULT_BASE_URL: &str = "https://api.openai.com/v1";

/// A client of one OpenAI-compatible server.
#[derive(Debug, Clone)]
pub struct OpenAiClient {
    http: reqwest::Client,
    chat_url: String,
    embeddings_url: String,
    api_key: Option<SecretString>,
    options: ClientOptions,
    dimension: usize,
}

impl OpenAiClient {
    /// A client of the server at `base_url` (`https://api.openai.com/v1`,
    /// `http://127.0.0.1:11434/v1`...; [`DEFAULT_BASE_URL`] when empty), sending `api_key` as a
    /// bearer token when there is one.
    pub fn new(
        base_url: &str,
        api_key: Option<SecretString>,
        options: ClientOptions,
    ) -> Result<Self, LlmError> {
        let base_url = if base_url.is_empty() {
            DEFAULT_BASE_URL
        } else {
            base_url
        };
        Ok(Self {
            http: retry::http_client(&options)?,
            chat_url: retry::join_url(base_url, "chat/completions")?,
            embeddings_url: retry::join_url(base_url, "embeddings")?,
            api_key,
            options,
            dimension: 0,
        })
    }

    /// Declares the length of the embedding vectors (what [`Embedder::dimension`] reports);
    /// answers of another length are then refused. Without it, the dimension is 0: unknown and
    /// not checked.
    pub fn with_dimension(mut self, dimension: usize) -> Self {
        self.dimension = dimension;
        self
    }

    fn post(&self, url: &str, body: &Value) -> RequestBuilder {
        let request = self.http.post(url).json(body);
        match &self.api_key {
            Some(key) => request.bearer_auth(key.expose_secret()),
            None => request,
        }
    }
}

#[async_trait::async_trait]
impl LanguageModel for OpenAiClient {
    async fn chat(&self, request: ChatRequest) -> Result<DeltaStream, LlmError> {
        let body = chat_body(&request)?;
        let response = retry::send_with_retry(&self.options, || {
            self.post(&self.chat_url, &body)
                .header(reqwest::header::ACCEPT, "text/event-stream")
        })
        .await?;
        Ok(retry::sse_stream(
            response,
            self.options.timeout,
            ChatDecoder::default(),
        ))
    }
}

#[async_trait::async_trait]
impl Embedder for OpenAiClient {
    fn dimension(&self) -> usize {
        self.dimension
    }

    async fn embed(&self, model: &str, texts: Vec<String>) -> Result<Embeddings, LlmError> {
        if texts.is_empty() {
            return Ok(Embeddings {
                vectors: Vec::new(),
                prompt_tokens: 0,
            });
        }
        if model.is_empty() {
            return Err(LlmError::BadRequest("no embedding model named".into()));
        }
        let count = texts.len();
        let body = json!({ "model": model, "input": texts });
        let response =
            retry::send_with_retry(&self.options, || self.post(&self.embeddings_url, &body))
                .await?;
        let answer: EmbeddingAnswer = retry::read_json(response, self.options.timeout).await?;
        let vectors = in_input_order(answer.data, count)?;
        if self.dimension != 0
            && let Some(wrong) = vectors.iter().find(|v| v.len() != self.dimension)
        {
            return Err(LlmError::BadRequest(format!(
                "embedding model {model} answered vectors of {} dimensions, {} expected",
                wrong.len(),
                self.dimension
            )));
        }
        let prompt_tokens = answer.usage.map_or(0, |u| u.prompt_tokens);
        Ok(Embeddings {
            vectors,
            prompt_tokens,
        })
    }
}
