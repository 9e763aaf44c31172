//! `gathering models check` and `gathering models bench`: load the local models, run known
//! inputs, and time them.
//!
//! `check` goes through the same engines the server uses ([`LocalModels`]); `bench` drives the
//! models directly so that its figures are the model's, not the channel's: embedding sentences/s
//! at batch 1 and 32, chat prompt tokens/s and decode tokens/s for one conversation, decode
//! tokens/s for several conversations sharing each step, and the process's peak memory. Threads:
//! burn-flex runs on rayon's global pool, sized by `RAYON_NUM_THREADS` (default: every core).

use std::path::Path;
use std::time::{Duration, Instant};

use burn::backend::Flex;
use serde::Serialize;

use super::bpe::Tokenizer;
use super::gguf::Gguf;
use super::llama::{Llama, Weights};
use super::minilm::MiniLm;
use super::sampling::{argmax, chatml};
use super::{CHAT_FILE, EMBEDDING_DIR, LocalModels};
use crate::llm::{ChatRequest, Completion, Embedder, LanguageModel, Message, Sampling};

/// One line of `models check`.
#[derive(Debug, Clone, Serialize)]
pub struct CheckResult {
    pub name: String,
    pub passed: bool,
    pub detail: String,
    pub millis: u128,
}

fn result(name: &str, started: Instant, outcome: Result<String, String>) -> CheckResult {
    let millis = started.elapsed().as_millis();
    match outcome {
        Ok(detail) => CheckResult {
            name: name.into(),
            passed: true,
            detail,
            millis,
        },
        Err(detail) => CheckResult {
            name: name.into(),
            passed: false,
            detail,
            millis,
        },
    }
}

fn cosine(a: &[f32], b: &[f32]) -> f32 {
    a.iter().zip(b).map(|(x, y)| x * y).sum()
}

/// Loads both models through the server's engines and runs known inputs.
pub async fn check(models: &LocalModels) -> Vec<CheckResult> {
    let mut out = Vec::new();
    let t = Instant::now();
    let loaded = models.preload().await;
    let load_failed = loaded.is_err();
    out.push(result(
        "load both models",
        t,
        loaded
            .map(|_| models.device().describe())
            .map_err(|e| e.to_string()),
    ));
    if load_failed {
        return out;
    }
    let t = Instant::now();
    let texts = [
        "A man is playing a guitar.",
        "Someone is strumming a guitar.",
        "The central bank raised interest rates.",
    ]
    .map(String::from)
    .to_vec();
    let embedded = models.embed(super::EMBEDDING_MODEL, texts).await;
    out.push(result(
        "embed: paraphrases closer than unrelated text",
        t,
        embedded.map_err(|e| e.to_string()).and_then(|e| {
            let v = &e.vectors;
            let (near, far) = (cosine(&v[0], &v[1]), cosine(&v[0], &v[2]));
            let norm = cosine(&v[0], &v[0]).sqrt();
            let detail = format!(
                "{} dims, cosine {near:.3} vs {far:.3}, norm {norm:.4}",
                v[0].len()
            );
            if v[0].len() == super::minilm::DIMENSION
                && near > far + 0.3
                && (norm - 1.0).abs() < 1e-3
            {
                Ok(detail)
            } else {
                Err(detail)
            }
        }),
    ));
    for (question, expected) in [
        ("What is the capital of Japan?", "Tokyo"),
        ("What is the chemical symbol for gold?", "Au"),
    ] {
        let t = Instant::now();
        let request = ChatRequest {
            messages: vec![Message::user(question)],
            sampling: Sampling {
                temperature: Some(0.0),
                max_tokens: Some(24),
                ..Sampling::default()
            },
            ..ChatRequest::default()
        };
        let answer = match models.chat(request).await {
            Ok(stream) => Completion::collect(stream).await.map_err(|e| e.to_string()),
            Err(e) => Err(e.to_string()),
        };
        out.push(result(
            &format!("chat: {question:?} answers {expected}"),
            t,
            answer.and_then(|c| {
                let detail = format!("{:?} ({} tokens)", c.text, c.usage.completion_tokens);
                if c.text.contains(expected) {
                    Ok(detail)
                } else {
                    Err(detail)
                }
            }),
        ));
    }
    out
}

/// `models bench` figures.
#[derive(Debug, Clone, Serialize)]
pub struct BenchReport {
    pub device: String,
    pub threads: usize,
    pub embed_load_ms: u128,
    pub embed_batch1_per_s: f64,
    pub embed_batch32_per_s: f64,
    pub chat_load_ms: u128,
    pub prompt_tokens: usize,
    pub prompt_tokens_per_s: f64,
    pub decode_tokens: usize,
    pub decode_tokens_per_s: f64,
    /// Conversations sharing each decode step, and their combined tokens/s.
    pub batched_sequences: usize,
    pub batched_decode_tokens_per_s: f64,
    pub peak_rss_mib: f64,
}

/// The process's peak resident memory (VmHWM), in MiB.
pub fn peak_rss_mib() -> f64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmHWM:"))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|kb| kb.parse::<f64>().ok())
        })
        .map_or(0.0, |kb| kb / 1024.0)
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v.get(v.len() / 2).copied().unwrap_or(0.0)
}

fn per_second(n: usize, d: Duration) -> f64 {
    n as f64 / d.as_secs_f64().max(1e-9)
}

/// Runs the benchmark on the CPU backend: `sentences` for embeddings, `prompt` (a user message)
/// for chat, `decode` generated tokens, `batch` conversations for the shared-step figure. Each
/// single-conversation figure is the median of `repeats` passes, after a warm-up.
pub fn bench(
    dir: &Path,
    sentences: &[String],
    prompt: &str,
    decode: usize,
    batch: usize,
    which: &str,
    repeats: usize,
) -> Result<BenchReport, String> {
    let repeats = repeats.max(1);
    let device = Default::default();
    let mut report = BenchReport {
        device: super::Device::Cpu.describe(),
        threads: std::env::var("RAYON_NUM_THREADS")
            .ok()
            .and_then(|n| n.parse().ok())
            .unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get())),
        embed_load_ms: 0,
        embed_batch1_per_s: 0.0,
        embed_batch32_per_s: 0.0,
        chat_load_ms: 0,
        prompt_tokens: 0,
        prompt_tokens_per_s: 0.0,
        decode_tokens: 0,
        decode_tokens_per_s: 0.0,
        batched_sequences: batch,
        batched_decode_tokens_per_s: 0.0,
        peak_rss_mib: 0.0,
    };
    if which == "all" || which == "embeddings" {
        let t = Instant::now();
        let model =
            MiniLm::<Flex>::load(&dir.join(EMBEDDING_DIR), &device).map_err(|e| e.to_string())?;
        report.embed_load_ms = t.elapsed().as_millis();
        model
            .embed(&sentences[..sentences.len().min(32)])
            .map_err(|e| e.to_string())?;
        let t = Instant::now();
        for s in sentences {
            model
                .embed(std::slice::from_ref(s))
                .map_err(|e| e.to_string())?;
        }
        report.embed_batch1_per_s = per_second(sentences.len(), t.elapsed());
        let t = Instant::now();
        for chunk in sentences.chunks(32) {
            model.embed(chunk).map_err(|e| e.to_string())?;
        }
        report.embed_batch32_per_s = per_second(sentences.len(), t.elapsed());
    }
    if which == "all" || which == "chat" {
        let t = Instant::now();
        let gguf = Gguf::open(&dir.join(CHAT_FILE)).map_err(|e| e.to_string())?;
        let tokenizer = Tokenizer::from_gguf(&gguf).map_err(|e| e.to_string())?;
        let model =
            Llama::<Flex>::load(&gguf, &device, Weights::Blocks).map_err(|e| e.to_string())?;
        drop(gguf);
        report.chat_load_ms = t.elapsed().as_millis();
        let ids = tokenizer.encode(&chatml(&[Message::user(prompt)], &[]));
        report.prompt_tokens = ids.len();
        // Warm-up, then one timed prompt pass and `decode` greedy steps (never stopping early).
        let mut warm = model.new_cache();
        model.forward(&mut [(&mut warm, &ids[..8.min(ids.len())])]);
        let mut prompt_rates = Vec::new();
        let mut decode_rates = Vec::new();
        for _ in 0..repeats {
            let mut cache = model.new_cache();
            let t = Instant::now();
            let mut logits = model.forward(&mut [(&mut cache, ids.as_slice())]).remove(0);
            prompt_rates.push(per_second(ids.len(), t.elapsed()));
            let t = Instant::now();
            for _ in 0..decode {
                let next = argmax(&logits);
                logits = model.forward(&mut [(&mut cache, &[next][..])]).remove(0);
            }
            decode_rates.push(per_second(decode, t.elapsed()));
        }
        report.prompt_tokens_per_s = median(prompt_rates);
        report.decode_tokens = decode;
        report.decode_tokens_per_s = median(decode_rates);
        if batch > 1 {
            let mut caches: Vec<_> = (0..batch).map(|_| model.new_cache()).collect();
            let mut items: Vec<_> = caches.iter_mut().map(|c| (c, ids.as_slice())).collect();
            let mut next: Vec<u32> = model
                .forward(&mut items)
                .iter()
                .map(|l| argmax(l))
                .collect();
            let t = Instant::now();
            for _ in 0..decode {
                let tokens: Vec<[u32; 1]> = next.iter().map(|&n| [n]).collect();
                let mut items: Vec<_> = caches
                    .iter_mut()
                    .zip(&tokens)
                    .map(|(c, t)| (c, &t[..]))
                    .collect();
                next = model
                    .forward(&mut items)
                    .iter()
                    .map(|l| argmax(l))
                    .collect();
            }
            report.batched_decode_tokens_per_s = per_second(decode * batch, t.elapsed());
        }
    }
    report.peak_rss_mib = peak_rss_mib();
    Ok(report)
}
