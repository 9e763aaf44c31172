//! `gathering models check` and `gathering models bench`: the local models loaded as the server
//! loads them, on known inputs (pass/fail) or timed (throughput).

use std::process::ExitCode;

use super::CliResult;
use super::args::BenchArgs;
use crate::config::Config;

/// `models check`: the local models, loaded through the server's engines, on known inputs.
pub async fn check(config: Config) -> CliResult {
    use crate::llm::local::{Device, LocalModels, LocalSettings, check};
    let (device, why) = Device::choose(&config.models.device);
    println!(
        "local models in {} on {} ({why})",
        config.models.dir.display(),
        device.describe()
    );
    let models = LocalModels::new(LocalSettings {
        dir: config.models.dir.clone(),
        device,
        max_batch: config.models.max_batch,
        default_max_tokens: config.models.default_max_tokens,
    });
    let results = check::check(&models).await;
    for r in &results {
        let mark = if r.passed { "PASS" } else { "FAIL" };
        println!("{mark}  {:<50} {:>7} ms  {}", r.name, r.millis, r.detail);
    }
    let failed = results.iter().filter(|r| !r.passed).count();
    if failed == 0 {
        println!("all {} checks passed", results.len());
        Ok(ExitCode::SUCCESS)
    } else {
        println!("{failed} of {} checks failed", results.len());
        Ok(ExitCode::FAILURE)
    }
}

/// The default benchmark sentences: 64 varied, deterministic ones.
fn bench_sentences() -> Vec<String> {
    let subjects = [
        "The engineer",
        "A small team",
        "Our scheduler",
        "The new agent",
        "Every pipeline",
        "The reviewer",
        "A curious student",
        "The database",
    ];
    let verbs = [
        "quietly rewrote",
        "carefully measured",
        "reported on",
        "was asked about",
        "spent the morning on",
        "could not explain",
    ];
    let objects = [
        "the failing test in the payment service",
        "a cron job that fired twice after midnight",
        "the latency of vector search under load",
        "why the cache grew without bound",
        "a design for multi-agent conversations",
        "the cost of running local models on a laptop",
        "an outage caused by an expired certificate",
        "how embeddings capture the meaning of sentences",
    ];
    (0..64)
        .map(|i| {
            format!(
                "{} {} {}.",
                subjects[i % 8],
                verbs[(i / 8 + i) % 6],
                objects[(i * 5 + 3) % 8]
            )
        })
        .collect()
}

const BENCH_PROMPT: &str = "You are reviewing a pull request that changes how a scheduler claims jobs \
    across several server instances. The old code released its database lock before running the \
    job, so two instances could run the same occurrence. The new code holds an advisory lock for \
    the whole execution and records each run with a unique key on the schedule and the time it \
    was due. Explain, in a few short paragraphs, what could still go wrong, how you would test \
    it, and which metrics you would watch after deploying it.";

/// `models bench`: throughput of the local models on the CPU backend.
pub async fn bench(args: BenchArgs, config: Config) -> CliResult {
    let sentences = match &args.sentences {
        Some(path) => std::fs::read_to_string(path)
            .map_err(|e| format!("--sentences {}: {e}", path.display()))?
            .lines()
            .filter(|l| !l.trim().is_empty())
            .map(str::to_owned)
            .collect(),
        None => bench_sentences(),
    };
    let prompt = match &args.prompt {
        Some(path) => std::fs::read_to_string(path)
            .map_err(|e| format!("--prompt {}: {e}", path.display()))?,
        None => BENCH_PROMPT.to_owned(),
    };
    if sentences.is_empty() {
        return Err("--sentences: the file has no sentences".into());
    }
    let dir = config.models.dir.clone();
    let which = args.which.clone();
    let report = tokio::task::spawn_blocking(move || {
        crate::llm::local::check::bench(
            &dir,
            &sentences,
            prompt.trim(),
            args.decode,
            args.batch,
            &which,
            args.repeats,
        )
    })
    .await??;
    if args.json {
        println!("{}", serde_json::to_string(&report)?);
        return Ok(ExitCode::SUCCESS);
    }
    println!("device: {} ({} threads)", report.device, report.threads);
    if args.which != "chat" {
        println!(
            "embeddings (all-minilm-l6-v2): loaded in {} ms",
            report.embed_load_ms
        );
        println!("  batch 1:  {:>8.1} sentences/s", report.embed_batch1_per_s);
        println!(
            "  batch 32: {:>8.1} sentences/s",
            report.embed_batch32_per_s
        );
    }
    if args.which != "embeddings" {
        println!(
            "chat (smollm2-135m-instruct): loaded in {} ms",
            report.chat_load_ms
        );
        println!(
            "  prompt:   {:>8.1} tokens/s ({} tokens)",
            report.prompt_tokens_per_s, report.prompt_tokens
        );
        println!(
            "  decode:   {:>8.1} tokens/s ({} tokens, one conversation)",
            report.decode_tokens_per_s, report.decode_tokens
        );
        if report.batched_sequences > 1 {
            println!(
                "  decode:   {:>8.1} tokens/s ({} conversations sharing each step)",
                report.batched_decode_tokens_per_s, report.batched_sequences
            );
        }
    }
    println!("peak memory: {:.0} MiB", report.peak_rss_mib);
    Ok(ExitCode::SUCCESS)
}
