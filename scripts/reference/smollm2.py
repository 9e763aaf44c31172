#!/usr/bin/env python3
"""Reference tokenizer ids and logits for SmolLM2-135M-Instruct (Q4_1 GGUF), computed
independently of the Rust code.

Writes tests/fixtures/models/smollm2.json with
  * "tokenizer": {"text", "ids"} for fixed strings. Ids come from a HF `tokenizers` BPE built
    from the GGUF's own tokenizer.ggml.tokens / merges, pre-tokenizer
    Sequence[Digits(individual_digits=True), ByteLevel(add_prefix_space=False, use_regex=True)]
    (llama.cpp's "smollm" pre-tokenizer: \\p{N} then the GPT-2 regex), the 17 control tokens
    (token_type 3, e.g. <|endoftext|>=0, <|im_start|>=1, <|im_end|>=2) added as special, no BOS.
    Cross-checked against transformers' own GGUF tokenizer conversion, and decode(encode(s)) == s.
  * "logits": for three ChatML prompts, float32 next-token logits (top 40, 20 fixed ids,
    argmax) and 16 greedy tokens. The reference is transformers' GGUF loader (weights
    dequantised to float32 by `gguf`, q/k un-permuted to HF rotate-half layout, float32
    compute on CPU). It is cross-checked against an independent numpy forward pass over the
    GGUF-stored layout (pairwise/interleaved RoPE, as llama.cpp does); the max |diff| of the
    full logit vectors is recorded under "cross_check".

Rerun (from the repository root):
    python3 -m venv .gathering/refenv
    .gathering/refenv/bin/pip install torch transformers accelerate gguf numpy tokenizers
    .gathering/refenv/bin/python scripts/reference/smollm2.py
"""
import importlib.metadata
import json
import os
import sys
from pathlib import Path

os.environ["HF_HUB_OFFLINE"] = "1"
os.environ["TRANSFORMERS_OFFLINE"] = "1"

import numpy as np  # noqa: E402
import tokenizers  # noqa: E402
import torch  # noqa: E402
import transformers  # noqa: E402
from gguf import GGUFReader  # noqa: E402
from gguf.quants import dequantize  # noqa: E402
from tokenizers import AddedToken, Tokenizer, decoders, models, pre_tokenizers  # noqa: E402

ROOT = Path(__file__).resolve().parents[2]
MODEL_DIR = ROOT / ".gathering/models/smollm2-135m-instruct"
GGUF_NAME = "SmolLM2-135M-Instruct.Q4_1.gguf"
OUT = ROOT / "tests/fixtures/models/smollm2.json"

SYSTEM = "You are a helpful AI assistant named SmolLM, trained by Hugging Face"
USER_MESSAGES = [
    "What is the capital of Japan?",
    "What is the chemical symbol for gold?",
    "Write a haiku about the sea.",
]
IM_END = 2
GREEDY_TOKENS = 16
TOP_K = 40
FIXED_IDS = list(range(0, 10)) + list(range(1000, 1010))


def chatml(user: str) -> str:
    return (
        f"<|im_start|>system\n{SYSTEM}<|im_end|>\n"
        f"<|im_start|>user\n{user}<|im_end|>\n"
        "<|im_start|>assistant\n"
    )


TOKENIZER_TEXTS = [
    "Hello, world! This is a plain English sentence.",
    "The year's 2nd quarter wasn't bad; they'll say we've done it.",
    'fn main() { println!("hi"); }',
    "def add(a, b):\n    return a + b\n\nclass Foo:\n\tdef bar(self):\n\t\tif True:\n\t\t\tpass\n",
    "Café résumé naïve façade, Ærøskøbing, Ωμέγα, Привет мир",
    "東京は日本の首都です。中文测试，한국어",
    "Emoji: 🦀🐍 👍🏽 👨‍👩‍👧 ❤️",
    "12345 and 3.14159",
    "multiple   spaces\n\n\nand\tnewlines  \n  \t end   ",
    "   leading spaces and trailing   ",
    "<|endoftext|>raw<|im_end|><|im_start|> x <repo_name>",
    chatml("What is the capital of Japan?"),
    "",
]


def sig7(x: float) -> float:
    return float(f"{x:.7g}")


# ---------------------------------------------------------------- tokenizer


def build_tokenizer(reader: GGUFReader) -> Tokenizer:
    tokens = reader.fields["tokenizer.ggml.tokens"].contents()
    types = reader.fields["tokenizer.ggml.token_type"].contents()
    merges = reader.fields["tokenizer.ggml.merges"].contents()
    assert reader.fields["tokenizer.ggml.model"].contents() == "gpt2"
    assert reader.fields["tokenizer.ggml.pre"].contents() == "smollm"
    vocab = {t: i for i, t in enumerate(tokens)}
    assert len(vocab) == len(tokens)
    bpe = models.BPE(vocab=vocab, merges=[tuple(m.split(" ", 1)) for m in merges],
                     fuse_unk=False, byte_fallback=False)
    tok = Tokenizer(bpe)
    tok.pre_tokenizer = pre_tokenizers.Sequence([
        pre_tokenizers.Digits(individual_digits=True),
        pre_tokenizers.ByteLevel(add_prefix_space=False, use_regex=True),
    ])
    tok.decoder = decoders.ByteLevel()
    specials = [tokens[i] for i, t in enumerate(types) if t == 3]  # CONTROL
    tok.add_special_tokens([AddedToken(s, special=True, normalized=False) for s in specials])
    for s in specials:
        assert tok.token_to_id(s) == vocab[s]
    return tok


def tokenizer_cases(tok: Tokenizer) -> tuple[list, str]:
    # Independent second opinion: transformers' GGUF -> fast tokenizer conversion.
    try:
        hf = transformers.AutoTokenizer.from_pretrained(str(MODEL_DIR), gguf_file=GGUF_NAME)
    except Exception as e:  # pragma: no cover - reported, not fatal
        hf, note = None, f"transformers GGUF tokenizer unavailable: {e!r}"
    cases, mismatches = [], []
    for text in TOKENIZER_TEXTS:
        ids = tok.encode(text, add_special_tokens=False).ids
        back = tok.decode(ids, skip_special_tokens=False)
        assert back == text, (text, back)
        if hf is not None:
            hf_ids = hf.encode(text, add_special_tokens=False)
            if hf_ids != ids:
                mismatches.append(text)
                print(f"transformers tokenizer differs on {text!r}:\n  {ids}\n  {hf_ids}", file=sys.stderr)
        cases.append({"text": text, "ids": ids})
    if hf is not None:
        note = ("identical ids from transformers' GGUF tokenizer conversion" if not mismatches
                else f"transformers' GGUF tokenizer differs on {len(mismatches)} strings: {mismatches}")
    return cases, note


# ---------------------------------------------------------------- numpy forward


class NumpyLlama:
    """Plain float32 llama forward over GGUF-stored tensors (llama.cpp conventions)."""

    def __init__(self, reader: GGUFReader):
        f = reader.fields
        self.n_layer = int(f["llama.block_count"].contents())
        self.n_head = int(f["llama.attention.head_count"].contents())
        self.n_kv = int(f["llama.attention.head_count_kv"].contents())
        self.dim = int(f["llama.embedding_length"].contents())
        self.eps = float(f["llama.attention.layer_norm_rms_epsilon"].contents())
        self.base = float(f["llama.rope.freq_base"].contents())
        self.hd = self.dim // self.n_head
        self.w = {t.name: dequantize(t.data, t.tensor_type).astype(np.float32) for t in reader.tensors}
        # Tied embeddings: no output.weight, the logits use token_embd.
        self.out_w = self.w.get("output.weight", self.w["token_embd.weight"])

    def rms(self, x, w):
        return (x / np.sqrt(np.mean(x * x, axis=-1, keepdims=True) + np.float32(self.eps))) * w

    def rope(self, x, pos):  # x: (T, H, hd); rotate adjacent pairs (2i, 2i+1) -- GGUF layout
        i = np.arange(self.hd // 2, dtype=np.float64)
        inv = self.base ** (-2.0 * i / self.hd)
        ang = np.outer(pos, inv)  # (T, hd/2)
        cos = np.cos(ang).astype(np.float32)[:, None, :]
        sin = np.sin(ang).astype(np.float32)[:, None, :]
        x0, x1 = x[..., 0::2], x[..., 1::2]
        out = np.empty_like(x)
        out[..., 0::2] = x0 * cos - x1 * sin
        out[..., 1::2] = x0 * sin + x1 * cos
        return out

    def logits(self, ids):
        T = len(ids)
        w = self.w
        x = w["token_embd.weight"][ids]
        pos = np.arange(T)
        mask = np.triu(np.full((T, T), -np.inf, dtype=np.float32), 1)
        rep = self.n_head // self.n_kv
        for L in range(self.n_layer):
            p = f"blk.{L}."
            h = self.rms(x, w[p + "attn_norm.weight"])
            q = (h @ w[p + "attn_q.weight"].T).reshape(T, self.n_head, self.hd)
            k = (h @ w[p + "attn_k.weight"].T).reshape(T, self.n_kv, self.hd)
            v = (h @ w[p + "attn_v.weight"].T).reshape(T, self.n_kv, self.hd)
            q, k = self.rope(q, pos), self.rope(k, pos)
            k = np.repeat(k, rep, axis=1)  # head j uses kv head j // rep
            v = np.repeat(v, rep, axis=1)
            s = np.einsum("thd,shd->hts", q, k) / np.float32(np.sqrt(self.hd)) + mask
            s = np.exp(s - s.max(-1, keepdims=True))
            s /= s.sum(-1, keepdims=True)
            a = np.einsum("hts,shd->thd", s, v).reshape(T, self.dim)
            x = x + a @ w[p + "attn_output.weight"].T
            h = self.rms(x, w[p + "ffn_norm.weight"])
            g = h @ w[p + "ffn_gate.weight"].T
            u = h @ w[p + "ffn_up.weight"].T
            x = x + ((g / (1 + np.exp(-g))) * u) @ w[p + "ffn_down.weight"].T
        x = self.rms(x[-1:], w["output_norm.weight"])
        return (x @ self.out_w.T)[0].astype(np.float32)


# ---------------------------------------------------------------- main


def main() -> None:
    torch.set_num_threads(2)
    reader = GGUFReader(str(MODEL_DIR / GGUF_NAME))
    tok = build_tokenizer(reader)
    tok_cases, tok_note = tokenizer_cases(tok)
    print(tok_note, file=sys.stderr)

    model = transformers.AutoModelForCausalLM.from_pretrained(
        str(MODEL_DIR), gguf_file=GGUF_NAME, dtype=torch.float32)
    model.eval()
    ref = NumpyLlama(reader)

    def hf_logits(ids):
        with torch.no_grad():
            out = model(torch.tensor([ids])).logits[0, -1]
        assert out.dtype == torch.float32
        return out.numpy()

    cases, max_diff, greedy_agree = [], 0.0, True
    for msg in USER_MESSAGES:
        ids = tok.encode(chatml(msg), add_special_tokens=False).ids
        logits = hf_logits(ids)
        np_logits = ref.logits(ids)
        max_diff = max(max_diff, float(np.abs(logits - np_logits).max()))
        top = np.argsort(-logits, kind="stable")[:TOP_K]
        # Greedy decoding, recomputing the whole sequence each step (no cache to get wrong).
        seq, gen, np_gen = list(ids), [], []
        for _ in range(GREEDY_TOKENS):
            nxt = int(np.argmax(hf_logits(seq)))
            gen.append(nxt)
            seq.append(nxt)
            if nxt == IM_END:
                break
        seq = list(ids)
        for _ in range(GREEDY_TOKENS):
            nxt = int(np.argmax(ref.logits(seq)))
            np_gen.append(nxt)
            seq.append(nxt)
            if nxt == IM_END:
                break
        greedy_agree &= np_gen == gen
        text = tok.decode([t for t in gen if t != IM_END], skip_special_tokens=False)
        print(f"{msg!r} -> {text!r} (numpy greedy same: {np_gen == gen})", file=sys.stderr)
        cases.append({
            "user": msg,
            "prompt": chatml(msg),
            "prompt_ids": ids,
            "argmax": int(np.argmax(logits)),
            "top": [[int(i), sig7(logits[i])] for i in top],
            "fixed": [[i, sig7(logits[i])] for i in FIXED_IDS],
            "greedy_ids": gen,
            "greedy_text": text,
        })

    must = {"What is the capital of Japan?": "Tokyo", "What is the chemical symbol for gold?": "Au"}
    for c in cases:
        if c["user"] in must:
            assert must[c["user"]] in c["greedy_text"], c["greedy_text"]
    print(f"max |transformers - numpy| logit diff {max_diff:.3g}", file=sys.stderr)
    assert max_diff < 1e-2, max_diff

    out = {
        "model": "SmolLM2-135M-Instruct.Q4_1.gguf",
        "reference": (
            f"transformers {transformers.__version__} GGUF loader (gguf {importlib.metadata.version('gguf')} dequantise "
            f"to float32), torch {torch.__version__} float32 CPU; tokenizer: tokenizers "
            f"{tokenizers.__version__} BPE from the GGUF vocab/merges"
        ),
        "cross_check": {
            "numpy_forward_max_abs_logit_diff": sig7(max_diff),
            "numpy_forward_greedy_identical": greedy_agree,
            "tokenizer": tok_note,
        },
        "notes": (
            "No BOS is added. Special tokens in text map to single ids. greedy_ids are the first "
            f"{GREEDY_TOKENS} argmax tokens, including <|im_end|> (id 2) if reached (then stop); "
            "greedy_text decodes them without <|im_end|>. Logits rounded to 7 significant digits."
        ),
        "tokenizer": tok_cases,
        "logits": cases,
    }
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(dump(out) + "\n")
    print(f"wrote {OUT}", file=sys.stderr)


def dump(obj, indent=0) -> str:
    """JSON with one key per line but flat arrays (ids, [id, logit] pairs) on one line."""
    pad = " " * indent
    if isinstance(obj, dict):
        items = [f'{pad} {json.dumps(k)}: {dump(v, indent + 1).lstrip()}' for k, v in obj.items()]
        return pad + "{\n" + ",\n".join(items) + "\n" + pad + "}"
    if isinstance(obj, list) and any(isinstance(v, dict) for v in obj):
        return pad + "[\n" + ",\n".join(dump(v, indent + 1) for v in obj) + "\n" + pad + "]"
    return pad + json.dumps(obj, ensure_ascii=False)


if __name__ == "__main__":
    main()
