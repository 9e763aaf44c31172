//! The chat engine: one dedicated thread owns the Llama weights and advances every active
//! conversation together. Each step feeds new conversations the next chunk of their prompt and
//! running ones their last token through one [`Llama::forward`], samples one token per
//! conversation and streams it out. A conversation whose receiver is gone (the client
//! disconnected, the stream was dropped) is dropped before the next step, running or still
//! waiting, which is how cancellation reaches the model.
//!
//! Requests wait in per-caller queues ([`FairQueue`]); when a place in the batch is free, the
//! caller with the fewest conversations running, then the least recently admitted, gets it. So
//! a caller who sends many requests gets one place at a time while others wait, and another
//! caller's request is admitted at the next free place instead of behind all of them.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::mpsc::Receiver;

use burn::tensor::backend::Backend;
use tokio::sync::mpsc::UnboundedSender;

use super::bpe::{Tokenizer, Utf8Stream};
use super::fair::{CallerKey, FairQueue};
use super::llama::{KvCache, Llama};
use super::sampling::{Sampler, StopMatcher, parse_tool_calls};
use crate::llm::{Delta, FinishReason, LlmError, Sampling, Usage};

pub type DeltaSender = UnboundedSender<Result<Delta, LlmError>>;

/// Prompt tokens one step feeds per conversation. A long prompt goes in over several steps, so
/// attention's score matrix stays bounded (rows × context, not context²) and the conversations
/// already decoding keep getting tokens meanwhile.
pub const PREFILL_CHUNK: usize = 256;

/// One generation request, already tokenised.
#[derive(Debug)]
pub struct ChatJob {
    pub caller: CallerKey,
    pub prompt: Vec<u32>,
    pub sampling: Sampling,
    pub stop: Vec<String>,
    pub max_tokens: usize,
    /// Tools were offered: the answer is held until it ends, then split into text and calls.
    pub tools: bool,
    pub out: DeltaSender,
}

/// What the engine has done, for tests and `/metrics`.
#[derive(Debug, Default)]
pub struct ChatStats {
    /// Forward passes run.
    pub steps: AtomicU64,
    /// Tokens sampled, all conversations together.
    pub generated: AtomicU64,
    /// Conversations dropped unfinished because their receiver was gone.
    pub cancelled: AtomicU64,
}

struct Sequence<B: Backend> {
    job: ChatJob,
    cache: KvCache<B>,
    /// What the next step feeds: the prompt first, then the last sampled token.
    pending: Vec<u32>,
    generated: usize,
    sampler: Sampler,
    utf8: Utf8Stream,
    stops: StopMatcher,
    held: String,
    finished: bool,
}

impl<B: Backend> Sequence<B> {
    fn new(job: ChatJob, model: &Llama<B>) -> Self {
        Self {
            cache: model.new_cache(),
            pending: job.prompt.clone(),
            generated: 0,
            sampler: Sampler::new(&job.sampling),
            utf8: Utf8Stream::default(),
            stops: StopMatcher::new(&job.stop),
            held: String::new(),
            finished: false,
            job,
        }
    }

    fn emit(&mut self, text: String) {
        if text.is_empty() {
            return;
        }
        if self.job.tools {
            self.held.push_str(&text);
        } else {
            let _ = self.job.out.send(Ok(Delta::Text(text)));
        }
    }

    fn step(&mut self, logits: &[f32], tokenizer: &Tokenizer, context: usize) {
        let token = self.sampler.sample(logits);
        self.generated += 1;
        if tokenizer.is_special(token) {
            return self.finish(FinishReason::Stop, false);
        }
        let piece = self.utf8.push(&tokenizer.token_bytes(token));
        let (text, hit) = self.stops.push(&piece);
        self.emit(text);
        if hit {
            return self.finish(FinishReason::Stop, true);
        }
        self.pending = vec![token];
        if self.generated >= self.job.max_tokens || self.cache.len() + 1 >= context {
            self.finish(FinishReason::Length, false);
        }
    }

    fn finish(&mut self, mut reason: FinishReason, stopped: bool) {
        if !stopped {
            let tail = self.utf8.finish();
            let (text, hit) = self.stops.push(&tail);
            self.emit(text);
            if !hit {
                let rest = self.stops.finish();
                self.emit(rest);
            }
        }
        if self.job.tools {
            let (text, calls) = parse_tool_calls(&std::mem::take(&mut self.held));
            if !text.is_empty() {
                let _ = self.job.out.send(Ok(Delta::Text(text)));
            }
            if !calls.is_empty() {
                reason = FinishReason::ToolCalls;
            }
            for (index, call) in calls.into_iter().enumerate() {
                let _ = self.job.out.send(Ok(Delta::ToolCall {
                    index,
                    id: Some(call.id),
                    name: Some(call.name),
                    arguments: call.arguments,
                }));
            }
        }
        let usage = Usage {
            prompt_tokens: self.job.prompt.len() as u32,
            completion_tokens: self.generated as u32,
        };
        let _ = self.job.out.send(Ok(Delta::Usage(usage)));
        let _ = self.job.out.send(Ok(Delta::Finish(reason)));
        self.finished = true;
    }
}

/// Runs until every sender of `jobs` is gone.
pub fn run<B: Backend>(
    model: Llama<B>,
    tokenizer: Arc<Tokenizer>,
    jobs: Receiver<ChatJob>,
    max_batch: usize,
    stats: Arc<ChatStats>,
) {
    let context = model.config.context;
    let mut active: Vec<Sequence<B>> = Vec::new();
    let mut waiting: FairQueue<ChatJob> = FairQueue::new();
    loop {
        if active.is_empty() && waiting.is_empty() {
            match jobs.recv() {
                Ok(job) => waiting.push(job.caller, job),
                Err(_) => return,
            }
        }
        while let Ok(job) = jobs.try_recv() {
            waiting.push(job.caller, job);
        }
        let before = active.len();
        active.retain(|s| !s.job.out.is_closed());
        let dropped = before - active.len() + waiting.retain(|j| !j.out.is_closed());
        if dropped > 0 {
            stats.cancelled.fetch_add(dropped as u64, Ordering::Relaxed);
            metrics::counter!("local_model_cancelled_total", "engine" => "chat")
                .increment(dropped as u64);
        }
        while active.len() < max_batch.max(1) {
            let running = |c: CallerKey| active.iter().filter(|s| s.job.caller == c).count();
            match waiting.pop(running) {
                Some((_, job)) => active.push(Sequence::new(job, &model)),
                None => break,
            }
        }
        if active.is_empty() {
            continue;
        }
        let logits = {
            let mut items: Vec<(&mut KvCache<B>, &[u32])> = active
                .iter_mut()
                .map(|s| {
                    let n = s.pending.len().min(PREFILL_CHUNK);
                    (&mut s.cache, &s.pending[..n])
                })
                .collect();
            model.forward(&mut items)
        };
        stats.steps.fetch_add(1, Ordering::Relaxed);
        let mut sampled = 0u64;
        for (seq, logits) in active.iter_mut().zip(&logits) {
            if seq.pending.len() > PREFILL_CHUNK {
                // More of the prompt to feed: its logits are not an answer yet.
                seq.pending.drain(..PREFILL_CHUNK);
                continue;
            }
            seq.step(logits, &tokenizer, context);
            sampled += 1;
        }
        stats.generated.fetch_add(sampled, Ordering::Relaxed);
        metrics::counter!("local_chat_tokens_total").increment(sampled);
        active.retain(|s| !s.finished);
    }
}
