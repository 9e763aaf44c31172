//! The local models, run by burn: SmolLM2-135M-Instruct (our GGUF reader, tokenizer and Llama
//! module) for chat and all-MiniLM-L6-v2 (burn-store + tokenizers) for embeddings. This is the
//! only module that imports burn.
//!
//! Each model runs on a dedicated OS thread that owns its weights; requests reach it over a
//! channel and answers come back over tokio channels, so inference never blocks the async
//! runtime. Models load on first use (or at start with `models.preload`). The backend is chosen
//! once: CUDA when built with `--features cuda` and a driver and device are present, else the CPU
//! backend (burn-flex), with a log line saying which and why.

pub mod bpe;
pub mod chat;
pub mod check;
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
use chat::ChatJob;
use gguf::Gguf;
use llama::{Llama, Weights};
use minilm::MiniLm;

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

struct EmbedJob {
    texts: Vec<String>,
    out: oneshot::Sender<Result<Embeddings, LlmError>>,
}

struct EmbedEngine {
    jobs: std::sync::Mutex<mpsc::Sender<EmbedJob>>,
}

/// The local models, loaded on first use and shared by every request.
pub struct LocalModels {
    settings: LocalSettings,
    chat: OnceCell<Arc<ChatEngine>>,
    embed: OnceCell<Arc<EmbedEngine>>,
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
        .spawn(move || chat::run(model, engine_tokenizer, rx, max_batch))
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

fn load_embedder<B: Backend>(dir: &Path, device: &B::Device) -> Result<EmbedEngine, LlmError> {
    let started = Instant::now();
    let model = MiniLm::<B>::load(dir, device).map_err(unavailable)?;
    let (tx, rx) = mpsc::channel::<EmbedJob>();
    std::thread::Builder::new()
        .name("llm-embed".into())
        .spawn(move || run_embedder(model, rx))
        .map_err(unavailable)?;
    tracing::info!(
        model = EMBEDDING_MODEL,
        elapsed_ms = started.elapsed().as_millis() as u64,
        "local embedding model loaded"
    );
    Ok(EmbedEngine {
        jobs: std::sync::Mutex::new(tx),
    })
}

/// Texts from concurrent requests share one forward pass, up to this many.
const EMBED_BATCH: usize = 64;

fn run_embedder<B: Backend>(model: MiniLm<B>, jobs: mpsc::Receiver<EmbedJob>) {
    while let Ok(first) = jobs.recv() {
        let mut batch = vec![first];
        let mut count = batch[0].texts.len();
        while count < EMBED_BATCH {
            match jobs.try_recv() {
                Ok(job) => {
                    count += job.texts.len();
                    batch.push(job);
                }
                Err(_) => break,
            }
        }
        batch.retain(|j| !j.out.is_closed());
        let texts: Vec<String> = batch.iter().flat_map(|j| j.texts.iter().cloned()).collect();
        let mut vectors = Vec::with_capacity(texts.len());
        let mut failure = None;
        for chunk in texts.chunks(EMBED_BATCH) {
            match model.embed(chunk) {
                Ok((v, _)) => vectors.extend(v),
                Err(e) => {
                    failure = Some(e.to_string());
                    break;
                }
            }
        }
        let mut vectors = vectors.into_iter();
        for job in batch {
            let result = match &failure {
                Some(e) => Err(LlmError::BadRequest(e.clone())),
                None => {
                    let mine: Vec<Vec<f32>> = vectors.by_ref().take(job.texts.len()).collect();
                    let tokens = job
                        .texts
                        .iter()
                        .map(|t| model.token_ids(t).map_or(0, |ids| ids.len() as u32))
                        .sum();
                    Ok(Embeddings {
                        vectors: mine,
                        prompt_tokens: tokens,
                    })
                }
            };
            let _ = job.out.send(result);
        }
    }
}

impl LocalModels {
    pub fn new(settings: LocalSettings) -> Self {
        Self {
            settings,
            chat: OnceCell::new(),
            embed: OnceCell::new(),
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
                let engine = tokio::task::spawn_blocking(move || match device {
                    Device::Cpu => load_chat::<burn::backend::Flex>(
                        &path,
                        &Default::default(),
                        Weights::Blocks,
                        max_batch,
                    ),
                    Device::Cuda(_i) => cuda::load_chat(&path, _i, max_batch),
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
                let engine = tokio::task::spawn_blocking(move || match device {
                    Device::Cpu => load_embedder::<burn::backend::Flex>(&dir, &Default::default()),
                    Device::Cuda(_i) => cuda::load_embedder(&dir, _i),
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

    /// Generates from token ids directly (what `chat` does after rendering the template).
    pub async fn generate(
        &self,
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
        if texts.is_empty() {
            return Ok(Embeddings {
                vectors: Vec::new(),
                prompt_tokens: 0,
            });
        }
        let engine = self.embed_engine().await?;
        let (tx, rx) = oneshot::channel();
        engine
            .jobs
            .lock()
            .map_err(unavailable)?
            .send(EmbedJob { texts, out: tx })
            .map_err(|_| unavailable("the local embedding engine stopped"))?;
        rx.await
            .map_err(|_| unavailable("the local embedding engine stopped"))?
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
    ) -> Result<ChatEngine, LlmError> {
        super::load_chat::<Cuda>(path, &CudaDevice::new(index), Weights::Dense, max_batch)
    }

    pub(super) fn load_embedder(dir: &Path, index: usize) -> Result<EmbedEngine, LlmError> {
        super::load_embedder::<Cuda>(dir, &CudaDevice::new(index))
    }
}

#[cfg(not(feature = "cuda"))]
mod cuda {
    use super::*;

    pub(super) fn load_chat(_: &Path, _: usize, _: usize) -> Result<ChatEngine, LlmError> {
        Err(unavailable("built without the cuda feature"))
    }

    pub(super) fn load_embedder(_: &Path, _: usize) -> Result<EmbedEngine, LlmError> {
        Err(unavailable("built without the cuda feature"))
    }
}
