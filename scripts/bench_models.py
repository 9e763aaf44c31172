#!/usr/bin/env python3
"""Baseline model benchmarks (Python reference stacks) to compare gathering's Rust inference with.

  embeddings: sentence-transformers (PyTorch, CPU, float32) on all-MiniLM-L6-v2 from
              .gathering/models/all-minilm-l6-v2 (Transformer -> mean pooling -> Normalize,
              max_seq_length 256, as the published model). Sentences/s over a fixed list of 64
              deterministic sentences (8-20 words) at batch size 1 and at batch size 32, after a
              warm-up pass; median of --repeats timed passes.
  chat:       llama.cpp through llama-cpp-python on .gathering/models/smollm2-135m-instruct/
              SmolLM2-135M-Instruct.Q4_1.gguf (n_ctx 512). Prompt processing tokens/s for a fixed
              ChatML prompt of ~128 tokens (one eval of the whole prompt, after a warm-up eval),
              and decode tokens/s for 64 greedily chosen tokens (argmax of the logits, one token
              per eval; <|im_end|> is not treated as a stop so that exactly 64 are decoded). Both
              wall-clock (median of --repeats) and llama.cpp's own perf counters are reported.

Each measurement runs in its own subprocess, so "peak_rss_mib" (getrusage ru_maxrss) is the
peak of that baseline alone (Python + library + model). Threads: torch.set_num_threads(N) /
n_threads=n_threads_batch=N. Nothing is downloaded (HF_HUB_OFFLINE=1).

Prints ONE JSON object to stdout (and to --out FILE if given). Usage, from the repo root:
    python3 -m venv .gathering/bench-venv
    .gathering/bench-venv/bin/pip install -r scripts/bench-requirements.txt
    .gathering/bench-venv/bin/python scripts/bench_models.py --threads 2 --which all --out FILE
"""
import argparse
import json
import os
import platform
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

os.environ["HF_HUB_OFFLINE"] = "1"
os.environ["TRANSFORMERS_OFFLINE"] = "1"
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")

ROOT = Path(__file__).resolve().parents[1]
MINILM_DIR = ROOT / ".gathering/models/all-minilm-l6-v2"
SMOLLM_GGUF = ROOT / ".gathering/models/smollm2-135m-instruct/SmolLM2-135M-Instruct.Q4_1.gguf"
DECODE_TOKENS = 64

SUBJECTS = ["The old sailor", "A curious child", "Our small team", "The quiet librarian",
            "Every morning the baker", "A tired engineer", "The city council", "My neighbour's dog"]
VERBS = ["carefully repaired", "quickly wrote about", "never understood", "slowly walked past",
         "happily shared", "loudly complained about", "patiently explained", "secretly admired"]
OBJECTS = ["the broken lighthouse", "a long letter to an old friend", "the strange noise upstairs",
           "the red bicycle", "a recipe for lemon cake", "the new train schedule",
           "the map of the northern islands", "a tiny wooden boat"]
TAILS = ["before the storm arrived", "while everyone else was asleep", "during the long winter",
         "after the meeting ended", "in the middle of the crowded market", "without saying a word",
         "because nobody else would", "on a bright Sunday afternoon in early spring",
         "and then went home", "with a cup of tea"]


def sentences(n: int = 64) -> list[str]:
    """n deterministic, varied sentences of 8-20 words (a fixed LCG, no random module)."""
    state, out = 12345, []

    def nxt(k: int) -> int:
        nonlocal state
        state = (state * 1103515245 + 12345) % 2**31
        return (state >> 8) % k

    while len(out) < n:
        words = f"{SUBJECTS[nxt(8)]} {VERBS[nxt(8)]} {OBJECTS[nxt(8)]}".split()
        while len(words) < 8 or (nxt(3) and len(words) < 14):
            words += TAILS[nxt(10)].split()
        text = " ".join(words[:20]) + "."
        if text not in out:
            out.append(text)
    assert all(8 <= len(s.split()) <= 20 for s in out)
    return out


def chat_prompt() -> str:
    system = "You are a helpful AI assistant named SmolLM, trained by Hugging Face"
    user = ("I am planning a three day walking trip along the coast in early spring. "
            "I will carry a small backpack, stay in village guest houses and want to "
            "see lighthouses, old harbours and quiet beaches. Please suggest a simple "
            "plan for each day, what to pack for changeable weather, how to keep my "
            "feet in good shape, and one or two things I should avoid doing near the "
            "cliffs. Keep the answer short and practical, as a list.")
    return (f"<|im_start|>system\n{system}<|im_end|>\n<|im_start|>user\n{user}<|im_end|>\n"
            "<|im_start|>assistant\n")


def peak_rss_mib() -> float:
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)  # KiB on Linux


# ---------------------------------------------------------------- children


def child_embeddings(threads: int, batch: int, repeats: int) -> dict:
    import torch
    from sentence_transformers import SentenceTransformer, models

    torch.set_num_threads(threads)
    word = models.Transformer(str(MINILM_DIR), max_seq_length=256)
    model = SentenceTransformer(
        modules=[word, models.Pooling(word.get_word_embedding_dimension(), "mean"), models.Normalize()],
        device="cpu")
    texts = sentences()
    model.encode(texts, batch_size=batch)  # warm-up pass
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        emb = model.encode(texts, batch_size=batch, convert_to_numpy=True)
        times.append(time.perf_counter() - t0)
    assert emb.shape == (len(texts), 384)
    med = statistics.median(times)
    return {"batch_size": batch, "sentences": len(texts), "seconds_median": round(med, 4),
            "sentences_per_s": round(len(texts) / med, 2),
            "sentences_per_s_all": [round(len(texts) / t, 2) for t in times],
            "peak_rss_mib": peak_rss_mib()}


def child_chat(threads: int, repeats: int) -> dict:
    import llama_cpp
    import numpy as np

    llm = llama_cpp.Llama(model_path=str(SMOLLM_GGUF), n_ctx=512, n_batch=512,
                          n_threads=threads, n_threads_batch=threads, verbose=False)
    prompt = llm.tokenize(chat_prompt().encode(), add_bos=False, special=True)
    n_vocab = llm.n_vocab()

    def last_logits() -> np.ndarray:
        # logits_all=False: llama.cpp keeps only the last position's logits.
        return np.ctypeslib.as_array(llama_cpp.llama_get_logits_ith(llm.ctx, -1), shape=(n_vocab,))

    def perf() -> dict:
        try:
            d = llama_cpp.llama_perf_context(llm.ctx)
            return {"t_p_eval_ms": d.t_p_eval_ms, "n_p_eval": d.n_p_eval,
                    "t_eval_ms": d.t_eval_ms, "n_eval": d.n_eval}
        except Exception:  # older/newer bindings without the perf API
            return {}

    def one_run() -> tuple[float, float, list[int], dict]:
        llm.reset()
        try:
            llama_cpp.llama_perf_context_reset(llm.ctx)
        except Exception:
            pass
        t0 = time.perf_counter()
        llm.eval(prompt)
        t1 = time.perf_counter()
        out = []
        for _ in range(DECODE_TOKENS):
            tok = int(np.argmax(last_logits()))
            out.append(tok)
            llm.eval([tok])
        last_logits()  # synchronise, so the 64th decode is finished and counted as a decode
        t2 = time.perf_counter()
        return t1 - t0, t2 - t1, out, perf()

    one_run()  # warm-up
    pp, dec, gens, perfs = [], [], [], []
    for _ in range(repeats):
        a, b, out, p = one_run()
        pp.append(a)
        dec.append(b)
        gens.append(out)
        perfs.append(p)
    assert all(g == gens[0] for g in gens), "greedy output changed between runs"
    res = {"prompt_tokens": len(prompt), "decode_tokens": DECODE_TOKENS,
           "prompt_tokens_per_s": round(len(prompt) / statistics.median(pp), 1),
           "decode_tokens_per_s": round(DECODE_TOKENS / statistics.median(dec), 1),
           "prompt_tokens_per_s_all": [round(len(prompt) / t, 1) for t in pp],
           "decode_tokens_per_s_all": [round(DECODE_TOKENS / t, 1) for t in dec],
           "greedy_text": llm.detokenize(gens[0]).decode("utf-8", "replace"),
           "peak_rss_mib": peak_rss_mib()}
    p = perfs[-1]
    if p.get("n_p_eval") and p.get("n_eval"):
        # llama.cpp's own counters (last run): n_eval counts the 64 single-token decodes.
        res["llama_cpp_perf"] = {
            "prompt_tokens_per_s": round(p["n_p_eval"] / (p["t_p_eval_ms"] / 1000), 1),
            "decode_tokens_per_s": round(p["n_eval"] / (p["t_eval_ms"] / 1000), 1),
            "n_p_eval": p["n_p_eval"], "n_eval": p["n_eval"]}
    return res


# ---------------------------------------------------------------- parent


def run_child(args: list[str]) -> dict:
    proc = subprocess.run([sys.executable, __file__, "--child", *args],
                          capture_output=True, text=True, env=os.environ.copy())
    if proc.returncode != 0:
        return {"error": proc.stderr.strip().splitlines()[-1:] or [f"exit {proc.returncode}"]}
    return json.loads(proc.stdout.strip().splitlines()[-1])


def versions() -> dict:
    from importlib.metadata import PackageNotFoundError, version
    out = {}
    for pkg in ["torch", "sentence-transformers", "transformers", "tokenizers",
                "llama_cpp_python", "numpy"]:
        try:
            out[pkg] = version(pkg)
        except PackageNotFoundError:
            out[pkg] = None
    return out


def cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--which", choices=["embeddings", "chat", "all"], default="all")
    ap.add_argument("--repeats", type=int, default=5, help="timed passes per measurement (median)")
    ap.add_argument("--out", type=Path)
    ap.add_argument("--dump-inputs", type=Path, metavar="DIR",
                    help="write sentences.txt and prompt.txt (the user message) to DIR and exit, "
                         "so another engine can be measured on the same inputs")
    ap.add_argument("--child", nargs="+", help=argparse.SUPPRESS)
    a = ap.parse_args()

    if a.dump_inputs:
        a.dump_inputs.mkdir(parents=True, exist_ok=True)
        (a.dump_inputs / "sentences.txt").write_text("\n".join(sentences()) + "\n")
        user = chat_prompt().split("<|im_start|>user\n", 1)[1].split("<|im_end|>", 1)[0]
        (a.dump_inputs / "prompt.txt").write_text(user)
        return

    if a.child:
        kind = a.child[0]
        if kind == "embeddings":
            res = child_embeddings(a.threads, int(a.child[1]), a.repeats)
        else:
            res = child_chat(a.threads, a.repeats)
        print(json.dumps(res))
        return

    common = ["--threads", str(a.threads), "--repeats", str(a.repeats)]
    report = {"threads": a.threads, "cpu": cpu_model(), "nproc": os.cpu_count(),
              "python": platform.python_version(), "versions": versions(),
              # Timings are only meaningful on an otherwise idle machine; this makes contention visible.
              "loadavg_1m_before": round(os.getloadavg()[0], 2)}
    if a.which in ("embeddings", "all"):
        report["embeddings"] = {
            "model": "all-MiniLM-L6-v2", "engine": "sentence-transformers (PyTorch CPU, float32)",
            "batch_1": run_child(["embeddings", "1", *common]),
            "batch_32": run_child(["embeddings", "32", *common]),
        }
    if a.which in ("chat", "all"):
        report["chat"] = {"model": SMOLLM_GGUF.name, "engine": "llama.cpp via llama-cpp-python",
                          **run_child(["chat", *common])}
    report["loadavg_1m_after"] = round(os.getloadavg()[0], 2)
    text = json.dumps(report, indent=1, ensure_ascii=False)
    if a.out:
        a.out.parent.mkdir(parents=True, exist_ok=True)
        a.out.write_text(text + "\n")
    print(text)


if __name__ == "__main__":
    main()
