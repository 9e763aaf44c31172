#!/usr/bin/env python3
"""Writes docs/benchmarks/models.md (to stdout) from one `scripts/bench models` run:
gathering's `models bench --json` for embeddings and for chat, and scripts/bench_models.py's
baseline JSON. Ratios are gathering / baseline (above 1: gathering is faster or, for memory,
uses more)."""
import json
import sys
from datetime import datetime, timezone

ours_e, ours_c, base = (json.load(open(p)) for p in sys.argv[1:4])
e, c = base["embeddings"], base["chat"]


def row(name, ours, theirs, unit, fmt="{:.1f}"):
    ratio = ours / theirs if theirs else float("nan")
    return f"| {name} | {fmt.format(ours)} {unit} | {fmt.format(theirs)} {unit} | {ratio:.2f} |"


lines = [
    "# Local models: gathering (burn) against the Python baselines",
    "",
    f"Measured {datetime.now(timezone.utc):%Y-%m-%d %H:%M} UTC by `scripts/bench models`, all in one run on",
    f"{base['cpu']} ({base['nproc']} cores), {base['threads']} threads for every engine",
    f"(load average before/after: {base['loadavg_1m_before']} / {base['loadavg_1m_after']}).",
    "Same model files, same inputs (64 sentences; one ~128-token ChatML prompt, 64 greedy tokens),",
    "median of 5 timed passes after a warm-up. Ratio = gathering / baseline. Figures move",
    "between runs on a shared machine; compare ratios within one run.",
    "",
    f"Baselines: {e['engine']}; {c['engine']}. Versions: "
    + ", ".join(f"{k} {v}" for k, v in sorted(base["versions"].items())) + ".",
    f"gathering: {ours_c['device']}, quantised blocks multiplied directly on the CPU (no f32 copy",
    "of the chat weights), activations in f32.",
    "",
    "## Embeddings: all-MiniLM-L6-v2",
    "",
    "| figure | gathering | sentence-transformers | ratio |",
    "|---|---|---|---|",
    row("batch 1", ours_e["embed_batch1_per_s"], e["batch_1"]["sentences_per_s"], "sentences/s"),
    row("batch 32", ours_e["embed_batch32_per_s"], e["batch_32"]["sentences_per_s"], "sentences/s"),
    row("peak memory", ours_e["peak_rss_mib"], e["batch_32"]["peak_rss_mib"], "MiB", "{:.0f}"),
    "",
    "## Chat: SmolLM2-135M-Instruct, Q4_1 GGUF",
    "",
    "| figure | gathering | llama.cpp | ratio |",
    "|---|---|---|---|",
    row(f"prompt ({ours_c['prompt_tokens']} vs {c['prompt_tokens']} tokens)",
        ours_c["prompt_tokens_per_s"], c["prompt_tokens_per_s"], "tokens/s"),
    row("decode, one conversation", ours_c["decode_tokens_per_s"], c["decode_tokens_per_s"], "tokens/s"),
    row("peak memory", ours_c["peak_rss_mib"], c["peak_rss_mib"], "MiB", "{:.0f}"),
    "",
    f"Decode with {ours_c['batched_sequences']} conversations sharing each step (gathering's engine batches",
    f"concurrent requests): {ours_c['batched_decode_tokens_per_s']:.1f} tokens/s in all, "
    f"{ours_c['batched_decode_tokens_per_s'] / c['decode_tokens_per_s']:.2f} times llama.cpp's single-conversation decode.",
    "",
    "llama.cpp's own counters for the same run: "
    + (f"prompt {c['llama_cpp_perf']['prompt_tokens_per_s']} tokens/s, decode {c['llama_cpp_perf']['decode_tokens_per_s']} tokens/s."
       if "llama_cpp_perf" in c else "not reported."),
    "",
    "Where an NVIDIA GPU is available, `cargo build --release --features cuda` and the same",
    "command measure the CUDA backend; no GPU was available for this run.",
    "",
]
print("\n".join(lines))
