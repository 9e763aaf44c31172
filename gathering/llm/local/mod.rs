//! The local models, run by burn: SmolLM2-135M-Instruct (our GGUF reader, tokenizer and Llama
//! module) for chat and all-MiniLM-L6-v2 (burn-store + tokenizers) for embeddings. This is the
//! only module that imports burn.
//!
//! Each model runs on a dedicated OS thread that owns its weights; requests reach it over a
//! channel and answers come back over tokio channels, so inference never blocks the async
//! runtime. Each engine serves its callers in fair turns ([`fair`]), a bounded piece of work
//! per step, and drops a request whose receiver is gone at the next step. Models load on first use (or at start with `models.preload`). The backend is chosen
//! once: CUDA when built with `--features cuda` and a driver and device are present, else the CPU
//! backend (burn-flex), with a log line saying which and why.

pub mod bpe;
pub mod chat;
pub mod check;
pub mod embed;
pub mod fair;
pub mod gguf;
pub mod llama;
pub mod minilm;
pub mod sampling;

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::mpsc;
use std::time::Instant;

use burn::tensor::backend::Backend;
use tokio::sync::{OnceCell, oneshot};

use crate::llm::{ChatRequest, Delta, DeltaStream, Embedder, Embeddings, LanguageModel, LlmError};
use bpe::Tokenizer;
use chat::{ChatJob, ChatStats};
use embed::{EmbedJob, EmbedStats};
pub use fair::CallerKey;
use gguf::Gguf;
use llama::{Llama, Weights};
use minilm::MiniLm;
pub use minilm::TokenCounter;

/// The names the local models are served under.
pub const CHAT_MODEL: &str = "smollm2-135m-instruct";
pub const EMBEDDING_MODEL: &str = "all-minilm-l6-v2";
/// Where the bootstrap unpacks them, under the models directory.
pub const CHAT_FILE: &str = "smollm2-135m-instruct/SmolLM2-135M-Instruct.Q4_1.gguf";
pub const EMBEDDING_DIR: &str = "all-minilm-l6-v2";

/// Which burn backend runs the local models.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Device {
    Cpu,
    Cuda(usize),
}

impl Device {
    /// `preference` is `auto`, `cpu` or `cuda`. CUDA needs the `cuda` build feature, the NVIDIA
    /// driver and a device node; burn aborts the process when it selects a CUDA device that is
    /// not there, so this is checked first and anything missing falls back to the CPU.
    pub fn choose(preference: &str) -> (Self, String) {
        if preference == "cpu" {
            return (Device::Cpu, "cpu requested".into());
        }
        if !cfg!(feature = "cuda") {
            return (Device::Cpu, "built without the cuda feature".into());
        }
        let driver = std::fs::read_to_string("/proc/driver/nvidia/version").is_ok();
        let node = (0..16).any(|i| Path::new(&format!("/dev/nvidia{i}")).exists());
        match (driver, node) {
            (true, true) => (Device::Cuda(0), "NVIDIA driver and device found".into()),
            (false, _) => (
                Device::Cpu,
                "no NVIDIA driver (/proc/driver/nvidia/version)".into(),
            ),
            (true, false) => (
                Device::Cpu,
                "NVIDIA driver but no /dev/nvidia* device".into(),
            ),
        }
    }

    pub fn describe(self) -> String {
        match self {
            Device::Cpu => format!(
                "cpu (burn-flex, {} threads)",
                std::thread::available_parallelism().map_or(1, |n| n.get())
            ),
            Device::Cuda(i) => format!("cuda:{i} (burn-cuda)"),
        }
    }
}

/// Settings of the local models (`[models]` in the configuration).
#[derive(Debug, Clone)]
pub struct LocalSettings {
    pub dir: PathBuf,
    pub device: Device,
    /// Conversations decoded together in one forward pass.
    pub max_batch: usize,
    /// Upper bound on generated tokens when a request sets none.
    pub default_max_tokens: usize,
}

struct ChatEngine {
    jobs: std::sync::Mutex<mpsc::Sender<ChatJob>>,
    tokenizer: Arc<Tokenizer>,
    context: usize,
}

struct EmbedEngine {
    jobs: std::sync::Mutex<mpsc::Sender<EmbedJob>>,
    /// Counts a request's tokens on the caller's side, to refuse an oversized one before it
    /// is queued.
    counter: TokenCounter,
}

/// Most tokens one embedding request may hold, all texts together (each text counted as the
/// model reads it: `[CLS]`, `[SEP]`, at most 256). Measured on the 2-core development machine
/// (`gathering models bench --which embeddings --sentences FILE`, load average 6.6 from other
/// builds), the CPU engine embedded 270 to 550 tokens a second (texts of 42 and 256 tokens,
/// one at a time and 32 at once); docs/benchmarks/models.md has about 1,000 on an idle one. So
/// a request this size takes 15 to 30 s on that loaded machine and under 10 s on an idle one,
/// within `http.request_timeout_secs` (30 s by default); see docs/security.md.
pub const MAX_EMBED_TOKENS: usize = 8_192;

/// The local models, loaded on first use and shared by every request.
pub struct LocalModels {
    settings: LocalSettings,
    chat: OnceCell<Arc<ChatEngine>>,
    embed: OnceCell<Arc<EmbedEngine>>,
    /// What the engine threads have done (atomics they update; read by tests and `/metrics`).
    chat_stats: Arc<ChatStats>,
    embed_stats: Arc<EmbedStats>,
}

impl std::fmt::Debug for LocalModels {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LocalModels")
            .field("settings", &self.settings)
            .field("chat_loaded", &self.chat.initialized())
            .field("embed_loaded", &self.embed.initialized())
            .finish()
    }
}

fn unavailable(e: impl std::fmt::Display) -> LlmError {
    LlmError::Unavailable(e.to_string())
}

fn load_chat<B: Backend>(
    path: &Path,
    device: &B::Device,
    weights: Weights,
    max_batch: usize,
    stats: Arc<ChatStats>,
) -> Result<ChatEngine, LlmError> {
    if !path.is_file() {
        return Err(unavailable(format!(
            "{} is missing (run scripts/bootstrap models)",
            path.display()
        )));
    }
    let started = Instant::now();
    let gguf = Gguf::open(path).map_err(unavailable)?;
    let tokenizer = Arc::new(Tokenizer::from_gguf(&gguf).map_err(unavailable)?);
    let model = Llama::<B>::load(&gguf, device, weights).map_err(unavailable)?;
    drop(gguf);
    let context = model.config.context;
    let (tx, rx) = mpsc::channel();
    let engine_tokenizer = tokenizer.clone();
    std::thread::Builder::new()
        .name("llm-chat".into())
        .spawn(move || chat::run(model, engine_tokenizer, rx, max_batch, stats))
        .map_err(unavailable)?;
    tracing::info!(
        model = CHAT_MODEL,
        elapsed_ms = started.elapsed().as_millis() as u64,
        "local chat model loaded"
    );
    Ok(ChatEngine {
        jobs: std::sync::Mutex::new(tx),
        tokenizer,
        context,
    })
}

fn load_embedder<B: Backend>(
    dir: &Path,
    device: &B::Device,
    stats: Arc<EmbedStats>,
) -> Result<EmbedEngine, LlmError> {
    let started = Instant::now();
    let model = MiniLm::<B>::load(dir, device).map_err(unavailable)?;
    let counter = model.counter();
    let (tx, rx) = mpsc::channel::<EmbedJob>();
    std::thread::Builder::new()
        .name("llm-embed".into())
        .spawn(move || embed::run(model, rx, stats))
        .map_err(unavailable)?;
    tracing::info!(
        model = EMBEDDING_MODEL,
        elapsed_ms = started.elapsed().as_millis() as u64,
        "local embedding model loaded"
    );
    Ok(EmbedEngine {
        jobs: std::sync::Mutex::new(tx),
        counter,
    })
}

impl LocalModels {
    pub fn new(settings: LocalSettings) -> Self {
        Self {
            settings,
            chat: OnceCell::new(),
            embed: OnceCell::new(),
            chat_stats: Arc::default(),
            embed_stats: Arc::default(),
        }
    }

    /// What the chat engine has done since start.
    pub fn chat_stats(&self) -> &ChatStats {
        &self.chat_stats
    }

    /// What the embedding engine has done since start.
    pub fn embed_stats(&self) -> &EmbedStats {
        &self.embed_stats
    }

    /// These models as seen by one caller: its requests take their turn against other
    /// callers' (see [`fair`]).
    pub fn for_caller(self: &Arc<Self>, caller: CallerKey) -> CallerModels {
        CallerModels {
            models: self.clone(),
            caller,
        }
    }

    pub fn device(&self) -> Device {
        self.settings.device
    }

    /// Which models are in memory now.
    pub fn loaded(&self) -> Vec<&'static str> {
        let mut out = Vec::new();
        if self.chat.initialized() {
            out.push(CHAT_MODEL);
        }
        if self.embed.initialized() {
            out.push(EMBEDDING_MODEL);
        }
        out
    }

    async fn chat_engine(&self) -> Result<Arc<ChatEngine>, LlmError> {
        self.chat
            .get_or_try_init(|| async {
                let path = self.settings.dir.join(CHAT_FILE);
                let device = self.settings.device;
                let max_batch = self.settings.max_batch;
                let stats = self.chat_stats.clone();
                let engine = tokio::task::spawn_blocking(move || match device {
                    Device::Cpu => load_chat::<burn::backend::Flex>(
                        &path,
                        &Default::default(),
                        Weights::Blocks,
                        max_batch,
                        stats,
                    ),
                    Device::Cuda(_i) => cuda::load_chat(&path, _i, max_batch, stats),
                })
                .await
                .map_err(unavailable)??;
                Ok(Arc::new(engine))
            })
            .await
            .cloned()
    }

    async fn embed_engine(&self) -> Result<Arc<EmbedEngine>, LlmError> {
        self.embed
            .get_or_try_init(|| async {
                let dir = self.settings.dir.join(EMBEDDING_DIR);
                let device = self.settings.device;
                let stats = self.embed_stats.clone();
                let engine = tokio::task::spawn_blocking(move || match device {
                    Device::Cpu => {
                        load_embedder::<burn::backend::Flex>(&dir, &Default::default(), stats)
                    }
                    Device::Cuda(_i) => cuda::load_embedder(&dir, _i, stats),
                })
                .await
                .map_err(unavailable)??;
                Ok(Arc::new(engine))
            })
            .await
            .cloned()
    }

    /// Loads both models now (the server does this at start when `models.preload` is on).
    pub async fn preload(&self) -> Result<(), LlmError> {
        self.chat_engine().await?;
        self.embed_engine().await?;
        Ok(())
    }

    /// The chat prompt's token ids for a request (ChatML, with tools in the system turn).
    pub async fn prompt_tokens(&self, request: &ChatRequest) -> Result<Vec<u32>, LlmError> {
        let engine = self.chat_engine().await?;
        Ok(engine
            .tokenizer
            .encode(&sampling::chatml(&request.messages, &request.tools)))
    }

    /// Generates from token ids directly (what `chat` does after rendering the template), as
    /// the anonymous caller.
    pub async fn generate(
        &self,
        prompt: Vec<u32>,
        request: &ChatRequest,
    ) -> Result<DeltaStream, LlmError> {
        self.generate_as(CallerKey::nil(), prompt, request).await
    }

    /// Generates for `caller`, in turn with other callers' conversations.
    pub async fn generate_as(
        &self,
        caller: CallerKey,
        prompt: Vec<u32>,
        request: &ChatRequest,
    ) -> Result<DeltaStream, LlmError> {
        let engine = self.chat_engine().await?;
        if prompt.len() >= engine.context {
            return Err(LlmError::BadRequest(format!(
                "the prompt is {} tokens; {CHAT_MODEL} reads at most {}",
                prompt.len(),
                engine.context - 1
            )));
        }
        let room = engine.context - prompt.len();
        let max_tokens = request
            .sampling
            .max_tokens
            .map_or(self.settings.default_max_tokens, |m| m as usize)
            .clamp(1, room);
        let (tx, rx) = tokio::sync::mpsc::unbounded_channel();
        let job = ChatJob {
            caller,
            prompt,
            sampling: request.sampling.clone(),
            stop: request.stop.clone(),
            max_tokens,
            tools: !request.tools.is_empty(),
            out: tx,
        };
        engine
            .jobs
            .lock()
            .map_err(unavailable)?
            .send(job)
            .map_err(|_| unavailable("the local chat engine stopped"))?;
        // Ends after Finish; an engine that dies mid-answer is an error, not a short answer.
        let stream = futures_util::stream::unfold((rx, false), |(mut rx, done)| async move {
            if done {
                return None;
            }
            match rx.recv().await {
                Some(Ok(Delta::Finish(r))) => Some((Ok(Delta::Finish(r)), (rx, true))),
                Some(item) => Some((item, (rx, false))),
                None => Some((
                    Err(unavailable("the local chat engine stopped mid-answer")),
                    (rx, true),
                )),
            }
        });
        Ok(Box::pin(stream))
    }

    /// The embedding model's tokenizer, to cut texts to what the model reads (loads the model
    /// on first use, like an embedding call).
    pub async fn embedding_tokens(&self) -> Result<TokenCounter, LlmError> {
        Ok(self.embed_engine().await?.counter.clone())
    }

    /// Embeds `texts` for `caller`, in turn with other callers' requests. A request of more
    /// than [`MAX_EMBED_TOKENS`] tokens is refused before it is queued.
    pub async fn embed_as(
        &self,
        caller: CallerKey,
        texts: Vec<String>,
    ) -> Result<Embeddings, LlmError> {
        if texts.is_empty() {
            return Ok(Embeddings {
                vectors: Vec::new(),
                prompt_tokens: 0,
            });
        }
        let engine = self.embed_engine().await?;
        let counter = engine.counter.clone();
        let (texts, lengths) = tokio::task::spawn_blocking(move || {
            let lengths = counter.lengths(&texts);
            (texts, lengths)
        })
        .await
        .map_err(unavailable)?;
        let lengths = lengths.map_err(|e| LlmError::BadRequest(e.to_string()))?;
        let tokens: usize = lengths.iter().sum();
        if tokens > MAX_EMBED_TOKENS {
            return Err(LlmError::Invalid {
                field: "input".into(),
                message: format!(
                    "{} texts of {tokens} tokens in all; {EMBEDDING_MODEL} embeds at most \
                     {MAX_EMBED_TOKENS} tokens per request on this server (split the input)",
                    texts.len()
                ),
            });
        }
        let (tx, rx) = oneshot::channel();
        let job = EmbedJob {
            caller,
            texts,
            lengths,
            out: tx,
        };
        engine
            .jobs
            .lock()
            .map_err(unavailable)?
            .send(job)
            .map_err(|_| unavailable("the local embedding engine stopped"))?;
        rx.await
            .map_err(|_| unavailable("the local embedding engine stopped"))?
    }
}

/// The local models for one caller: what the model service hands out per call, so that the
/// engines can take callers in turn.
#[derive(Debug, Clone)]
pub struct CallerModels {
    models: Arc<LocalModels>,
    caller: CallerKey,
}

#[async_trait::async_trait]
impl LanguageModel for CallerModels {
    async fn chat(&self, request: ChatRequest) -> Result<DeltaStream, LlmError> {
        let prompt = self.models.prompt_tokens(&request).await?;
        self.models.generate_as(self.caller, prompt, &request).await
    }
}

#[async_trait::async_trait]
impl Embedder for CallerModels {
    fn dimension(&self) -> usize {
        minilm::DIMENSION
    }

    async fn embed(&self, _model: &str, texts: Vec<String>) -> Result<Embeddings, LlmError> {
        self.models.embed_as(self.caller, texts).await
    }
}

#[async_trait::async_trait]
impl LanguageModel for LocalModels {
    async fn chat(&self, request: ChatRequest) -> Result<DeltaStream, LlmError> {
        let prompt = self.prompt_tokens(&request).await?;
        self.generate(prompt, &request).await
    }
}

#[async_trait::async_trait]
impl Embedder for LocalModels {
    fn dimension(&self) -> usize {
        minilm::DIMENSION
    }

    async fn embed(&self, _model: &str, texts: Vec<String>) -> Result<Embeddings, LlmError> {
        self.embed_as(CallerKey::nil(), texts).await
    }
}

#[cfg(feature = "cuda")]
mod cuda {
    use super::*;
    use burn::backend::Cuda;
    use burn::backend::cuda::CudaDevice;

    pub(super) fn load_chat(
        path: &Path,
        index: usize,
        max_batch: usize,
        stats: Arc<ChatStats>,
    ) -> Result<ChatEngine, LlmError> {
        let device = CudaDevice::new(index);
        super::load_chat::<Cuda>(path, &device, Weights::Dense, max_batch, stats)
    }

    pub(super) fn load_embedder(
        dir: &Path,
        index: usize,
        stats: Arc<EmbedStats>,
    ) -> Result<EmbedEngine, LlmError> {
        super::load_embedder::<Cuda>(dir, &CudaDevice::new(index), stats)
    }
}

#[cfg(not(feature = "cuda"))]
mod cuda {
    use super::*;

    pub(super) fn load_chat(
        _: &Path,
        _: usize,
        _: usize,
        _: Arc<ChatStats>,
    ) -> Result<ChatEngine, LlmError> {
        Err(unavailable("built without the cuda feature"))
    }

    pub(super) fn load_embedder(
        _: &Path,
        _: usize,
        _: Arc<EmbedStats>,
    ) -> Result<EmbedEngine, LlmError> {
        Err(unavailable("built without the cuda feature"))
    }
}
