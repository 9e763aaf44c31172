//! The embedding engine: one dedicated thread owns the MiniLM weights and embeds, step by step,
//! bounded chunks of the requests waiting in its per-caller queues.
//!
//! A step is one forward pass of at most [`STEP_TEXTS`] texts and [`STEP_TOKENS`] tokens counted
//! with padding (texts × the longest). Callers contribute to it in fair turns
//! ([`FairQueue`]): the least recently served first, each with the next chunk of its oldest
//! request, until the step is full; a caller left out is first in the next step. A request's
//! texts go in shortest first, so a chunk pads little. So a caller's one word waits for at most
//! one step, however many texts another caller sent, and a request whose receiver is gone (the
//! client left, a timeout fired) is dropped before the next step: it costs at most the step
//! already running.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::mpsc;

use burn::tensor::backend::Backend;
use tokio::sync::oneshot;

use super::fair::{CallerKey, FairQueue};
use super::minilm::{MAX_TOKENS, MiniLm};
use crate::llm::{Embeddings, LlmError};

/// Most texts in one forward pass.
pub const STEP_TEXTS: usize = 64;
/// Most tokens in one forward pass, padding included: 8 texts of the model's longest (256).
/// About 2 to 7 s on the 2-core CPU (see `MAX_EMBED_TOKENS`), which is how long another
/// caller's request may wait for the step that is running.
pub const STEP_TOKENS: usize = 8 * MAX_TOKENS;

/// One embedding request, with the token count of each text (as the model reads it, truncated).
#[derive(Debug)]
pub struct EmbedJob {
    pub caller: CallerKey,
    pub texts: Vec<String>,
    pub lengths: Vec<usize>,
    pub out: oneshot::Sender<Result<Embeddings, LlmError>>,
}

/// What the engine has done, for tests and `/metrics`.
#[derive(Debug, Default)]
pub struct EmbedStats {
    /// Forward passes run.
    pub steps: AtomicU64,
    /// Texts embedded (each counted once, whether or not its request was then answered).
    pub texts: AtomicU64,
    /// Requests dropped unfinished because their receiver was gone.
    pub cancelled: AtomicU64,
}

/// A request being worked through.
struct Running {
    job: EmbedJob,
    /// Indices of the texts, shortest first; `next` is the first not embedded yet.
    order: Vec<usize>,
    next: usize,
    vectors: Vec<Vec<f32>>,
    failed: Option<String>,
}

impl Running {
    fn new(job: EmbedJob) -> Self {
        let mut order: Vec<usize> = (0..job.texts.len()).collect();
        order.sort_by_key(|&i| job.lengths[i]);
        let vectors = vec![Vec::new(); job.texts.len()];
        Self {
            job,
            order,
            next: 0,
            vectors,
            failed: None,
        }
    }

    fn done(&self) -> bool {
        self.failed.is_some() || self.next == self.order.len()
    }

    fn answer(self) {
        let result = match self.failed {
            Some(e) => Err(LlmError::BadRequest(e)),
            None => Ok(Embeddings {
                vectors: self.vectors,
                prompt_tokens: self.job.lengths.iter().sum::<usize>() as u32,
            }),
        };
        let _ = self.job.out.send(result);
    }
}

/// The texts of one step: whose they are and where their vectors go.
#[derive(Default)]
struct Step {
    texts: Vec<String>,
    /// (caller, index of the text in its request) per text of the step.
    owners: Vec<(CallerKey, usize)>,
    longest: usize,
}

impl Step {
    /// Adds the next texts of `run` that fit; returns whether any did.
    fn take(&mut self, caller: CallerKey, run: &mut Running) -> bool {
        let start = run.next;
        while run.next < run.order.len() && self.texts.len() < STEP_TEXTS {
            let i = run.order[run.next];
            let longest = self.longest.max(run.job.lengths[i]);
            if !self.texts.is_empty() && (self.texts.len() + 1) * longest > STEP_TOKENS {
                break;
            }
            self.longest = longest;
            self.texts.push(run.job.texts[i].clone());
            self.owners.push((caller, i));
            run.next += 1;
        }
        run.next > start
    }
}

/// Runs until every sender of `jobs` is gone.
pub fn run<B: Backend>(model: MiniLm<B>, jobs: mpsc::Receiver<EmbedJob>, stats: Arc<EmbedStats>) {
    let mut queue: FairQueue<Running> = FairQueue::new();
    loop {
        if queue.is_empty() {
            match jobs.recv() {
                Ok(job) => queue.push(job.caller, Running::new(job)),
                Err(_) => return,
            }
        }
        while let Ok(job) = jobs.try_recv() {
            queue.push(job.caller, Running::new(job));
        }
        let dropped = queue.retain(|r| !r.job.out.is_closed());
        if dropped > 0 {
            stats.cancelled.fetch_add(dropped as u64, Ordering::Relaxed);
            metrics::counter!("local_model_cancelled_total", "engine" => "embeddings")
                .increment(dropped as u64);
        }
        if queue.is_empty() {
            continue;
        }
        let mut step = Step::default();
        for caller in queue.order(|_| 0) {
            let Some(run) = queue.queue_mut(caller).and_then(|q| q.front_mut()) else {
                continue;
            };
            if !step.take(caller, run) {
                break;
            }
            queue.served(caller);
            if step.texts.len() >= STEP_TEXTS {
                break;
            }
        }
        let result = model.embed(&step.texts);
        stats.steps.fetch_add(1, Ordering::Relaxed);
        stats
            .texts
            .fetch_add(step.texts.len() as u64, Ordering::Relaxed);
        metrics::counter!("local_embedding_texts_total").increment(step.texts.len() as u64);
        deliver(&mut queue, step.owners, result);
    }
}

/// Puts a step's vectors in place (or its failure on every request it served) and answers the
/// requests that are complete.
fn deliver(
    queue: &mut FairQueue<Running>,
    owners: Vec<(CallerKey, usize)>,
    result: Result<(Vec<Vec<f32>>, usize), super::minilm::MiniLmError>,
) {
    let mut callers: Vec<CallerKey> = Vec::new();
    let (vectors, failure) = match result {
        Ok((vectors, _)) => (vectors, None),
        Err(e) => (Vec::new(), Some(e.to_string())),
    };
    let mut vectors = vectors.into_iter();
    for (caller, index) in owners {
        if callers.last() != Some(&caller) {
            callers.push(caller);
        }
        // A step takes from the front request of each caller it serves.
        let Some(run) = queue.queue_mut(caller).and_then(|q| q.front_mut()) else {
            continue;
        };
        match (&failure, vectors.next()) {
            (None, Some(v)) => run.vectors[index] = v,
            (Some(e), _) => run.failed = Some(e.clone()),
            (None, None) => run.failed = Some("the model returned too few vectors".into()),
        }
    }
    for caller in callers {
        if let Some(run) = queue.take_front(caller, Running::done) {
            run.answer();
        }
    }
}
