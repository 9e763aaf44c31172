//! A Llama decoder in burn, loaded from a GGUF file: grouped-query attention with RoPE (GGUF's
//! pairwise convention: the converter permuted Q and K so adjacent dimensions rotate together),
//! RMSNorm, a SwiGLU feed-forward, and the output projection tied to the token embeddings when
//! the file has no `output.weight`. Quantised weights are dequantised to f32 at load.
//!
//! One [`Llama::forward`] call advances any number of sequences at once: the rows of every
//! sequence (a whole prompt, or the one token it just sampled) go through the projections and the
//! feed-forward as one matrix, so the weights are read once per step however many conversations
//! share it; only attention is per sequence, against that sequence's own KV cache.

use burn::tensor::activation::{silu, softmax};
use burn::tensor::backend::Backend;
use burn::tensor::{Int, Tensor, TensorData};

use std::sync::Arc;

use super::gguf::{Gguf, GgufError};
use gguf_blocks::QMatrix;

use super::gguf::TensorType;

/// How the projection weights are held.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Weights {
    /// Dequantised to f32 burn tensors (any backend; what the GPU uses).
    Dense,
    /// In the file's quantised blocks, multiplied by [`QMatrix`] (CPU only; a quarter of the
    /// memory traffic of f32 when decoding).
    Blocks,
}

/// From this many rows at once, a blocks projection dequantises and uses a dense product.
const DENSE_FROM_ROWS: usize = 16;

/// One projection: `x` [rows, in] -> [rows, out].
#[derive(Debug)]
enum Proj<B: Backend> {
    /// Stored [in, out] so that `x.matmul(w)` applies it.
    Dense(Tensor<B, 2>),
    Blocks(Arc<QMatrix>),
}

impl<B: Backend> Proj<B> {
    fn apply(&self, x: Tensor<B, 2>) -> Tensor<B, 2> {
        match self {
            Proj::Dense(w) => x.matmul(w.clone()),
            Proj::Blocks(q) if x.dims()[0] >= DENSE_FROM_ROWS => {
                // Many rows (a prompt): dequantise once and let burn's matrix product run;
                // the dequantisation is amortised over the rows.
                let device = x.device();
                let w = TensorData::new(q.to_f32(), [q.rows, q.cols]);
                x.matmul(Tensor::<B, 2>::from_data(w, &device).transpose())
            }
            Proj::Blocks(q) => {
                let [m, _] = x.dims();
                let device = x.device();
                let input = x.into_data().to_vec::<f32>().unwrap_or_default();
                let out = q.matmul(&input, m);
                Tensor::from_data(TensorData::new(out, [m, q.rows]), &device)
            }
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct LlamaConfig {
    pub layers: usize,
    pub dim: usize,
    pub ffn: usize,
    pub heads: usize,
    pub kv_heads: usize,
    pub vocab: usize,
    pub context: usize,
    pub rope_base: f32,
    pub eps: f32,
}

impl LlamaConfig {
    pub fn from_gguf(g: &Gguf) -> Result<Self, GgufError> {
        let arch = g.get_str("general.architecture")?;
        if arch != "llama" {
            return Err(GgufError::Metadata(format!(
                "architecture {arch:?} is not llama"
            )));
        }
        let n = |k: &str| g.get_u64(&format!("llama.{k}")).map(|v| v as usize);
        let heads = n("attention.head_count")?;
        let cfg = Self {
            layers: n("block_count")?,
            dim: n("embedding_length")?,
            ffn: n("feed_forward_length")?,
            heads,
            kv_heads: n("attention.head_count_kv").unwrap_or(heads),
            vocab: match n("vocab_size") {
                Ok(v) => v,
                Err(_) => g
                    .tensors
                    .get("token_embd.weight")
                    .map_or(0, |t| t.dims[1] as usize),
            },
            context: n("context_length")?,
            rope_base: g.get_f64("llama.rope.freq_base").unwrap_or(10_000.0) as f32,
            eps: g
                .get_f64("llama.attention.layer_norm_rms_epsilon")
                .unwrap_or(1e-5) as f32,
        };
        if cfg.heads == 0 || cfg.kv_heads == 0 || !cfg.dim.is_multiple_of(cfg.heads) {
            return Err(GgufError::Metadata(format!(
                "inconsistent head counts in {cfg:?}"
            )));
        }
        if !cfg.heads.is_multiple_of(cfg.kv_heads) || !(cfg.dim / cfg.heads).is_multiple_of(2) {
            return Err(GgufError::Metadata(format!(
                "unsupported attention shape {cfg:?}"
            )));
        }
        Ok(cfg)
    }

    pub fn head_dim(&self) -> usize {
        self.dim / self.heads
    }
}

#[derive(Debug)]
struct Block<B: Backend> {
    attn_norm: Tensor<B, 1>,
    wq: Proj<B>,
    wk: Proj<B>,
    wv: Proj<B>,
    wo: Proj<B>,
    ffn_norm: Tensor<B, 1>,
    w_gate: Proj<B>,
    w_up: Proj<B>,
    w_down: Proj<B>,
}

#[derive(Debug)]
pub struct Llama<B: Backend> {
    pub config: LlamaConfig,
    embed: Proj<B>,
    output: Proj<B>,
    blocks: Vec<Block<B>>,
    norm: Tensor<B, 1>,
    cos: Tensor<B, 2>,
    sin: Tensor<B, 2>,
    device: B::Device,
}

/// One sequence's keys and values, per layer: [kv_heads, capacity, head_dim].
#[derive(Debug)]
pub struct KvCache<B: Backend> {
    k: Vec<Tensor<B, 3>>,
    v: Vec<Tensor<B, 3>>,
    len: usize,
    capacity: usize,
}

impl<B: Backend> KvCache<B> {
    /// Tokens already in the cache.
    pub fn len(&self) -> usize {
        self.len
    }

    pub fn is_empty(&self) -> bool {
        self.len == 0
    }
}

fn tensor2<B: Backend>(
    g: &Gguf,
    name: &str,
    device: &B::Device,
) -> Result<Tensor<B, 2>, GgufError> {
    let (data, dims) = g.dequantize(name)?;
    if dims.len() != 2 {
        return Err(GgufError::Tensor {
            name: name.into(),
            reason: format!("dims {dims:?}"),
        });
    }
    // ggml dims [in, out] with in fastest: the data is row-major [out, in].
    Ok(Tensor::from_data(
        TensorData::new(data, [dims[1], dims[0]]),
        device,
    ))
}

fn tensor1<B: Backend>(
    g: &Gguf,
    name: &str,
    device: &B::Device,
) -> Result<Tensor<B, 1>, GgufError> {
    let (data, dims) = g.dequantize(name)?;
    Ok(Tensor::from_data(
        TensorData::new(data, [dims.iter().product::<usize>()]),
        device,
    ))
}

/// A projection in the chosen form: blocks when asked for and the type allows, else a
/// contiguous [in, out] f32 tensor.
fn projection<B: Backend>(
    g: &Gguf,
    name: &str,
    device: &B::Device,
    weights: Weights,
) -> Result<Proj<B>, GgufError> {
    if weights == Weights::Blocks {
        let (info, bytes) = g.raw(name)?;
        if info.dims.len() == 2 {
            let (cols, rows) = (info.dims[0] as usize, info.dims[1] as usize);
            let kind = match info.kind {
                TensorType::Q4_1 => Some(gguf_blocks::TensorType::Q4_1),
                TensorType::Q8_0 => Some(gguf_blocks::TensorType::Q8_0),
                TensorType::F32 => Some(gguf_blocks::TensorType::F32),
                _ => None,
            };
            if let Some(q) = kind.and_then(|k| QMatrix::new(k, bytes, cols, rows)) {
                return Ok(Proj::Blocks(Arc::new(q)));
            }
        }
    }
    let w = tensor2::<B>(g, name, device)?;
    Ok(Proj::Dense(Tensor::from_data(
        w.transpose().into_data(),
        device,
    )))
}

impl<B: Backend> Llama<B> {
    pub fn load(g: &Gguf, device: &B::Device, weights: Weights) -> Result<Self, GgufError> {
        let config = LlamaConfig::from_gguf(g)?;
        // Token embeddings: rows looked up by id. As a projection (tied output) they are
        // [vocab, dim] = [out, in], which is how the file stores them.
        let embed = projection::<B>(g, "token_embd.weight", device, weights)?;
        let embed = match embed {
            Proj::Dense(t) => Proj::Dense(t.transpose()),
            blocks => blocks,
        };
        let output = if g.tensors.contains_key("output.weight") {
            projection::<B>(g, "output.weight", device, weights)?
        } else {
            match &embed {
                Proj::Dense(e) => Proj::Dense(e.clone().transpose()),
                Proj::Blocks(q) => Proj::Blocks(q.clone()),
            }
        };
        let mut blocks = Vec::with_capacity(config.layers);
        for l in 0..config.layers {
            let p = |s: &str| format!("blk.{l}.{s}.weight");
            blocks.push(Block {
                attn_norm: tensor1(g, &p("attn_norm"), device)?,
                wq: projection(g, &p("attn_q"), device, weights)?,
                wk: projection(g, &p("attn_k"), device, weights)?,
                wv: projection(g, &p("attn_v"), device, weights)?,
                wo: projection(g, &p("attn_output"), device, weights)?,
                ffn_norm: tensor1(g, &p("ffn_norm"), device)?,
                w_gate: projection(g, &p("ffn_gate"), device, weights)?,
                w_up: projection(g, &p("ffn_up"), device, weights)?,
                w_down: projection(g, &p("ffn_down"), device, weights)?,
            });
        }
        let norm = tensor1(g, "output_norm.weight", device)?;
        let (cos, sin) = rope_tables::<B>(&config, device);
        Ok(Self {
            config,
            embed,
            output,
            blocks,
            norm,
            cos,
            sin,
            device: device.clone(),
        })
    }

    pub fn new_cache(&self) -> KvCache<B> {
        KvCache {
            k: Vec::new(),
            v: Vec::new(),
            len: 0,
            capacity: 0,
        }
    }

    fn rms_norm(&self, x: Tensor<B, 2>, w: &Tensor<B, 1>) -> Tensor<B, 2> {
        let [n, d] = x.dims();
        let scale = (x.clone().powi_scalar(2).mean_dim(1) + self.config.eps).sqrt();
        x / scale * w.clone().reshape([1, d]).expand([n, d])
    }

    /// Rotates pairs (2i, 2i+1) of every head by position-dependent angles.
    /// x: [rows, heads, head_dim]; cos, sin: [rows, head_dim / 2].
    fn rope(x: Tensor<B, 3>, cos: &Tensor<B, 4>, sin: &Tensor<B, 4>) -> Tensor<B, 3> {
        let [rows, heads, hd] = x.dims();
        let pairs = x.reshape([rows, heads, hd / 2, 2]);
        let x0 = pairs.clone().narrow(3, 0, 1);
        let x1 = pairs.narrow(3, 1, 1);
        let r0 = x0.clone() * cos.clone() - x1.clone() * sin.clone();
        let r1 = x0 * sin.clone() + x1 * cos.clone();
        Tensor::cat(vec![r0, r1], 3).reshape([rows, heads, hd])
    }

    fn grow(&self, cache: &mut KvCache<B>, needed: usize) {
        if needed <= cache.capacity {
            return;
        }
        let hd = self.config.head_dim();
        let kvh = self.config.kv_heads;
        let capacity = needed
            .next_power_of_two()
            .max(64)
            .min(self.config.context.max(needed));
        let fresh = || Tensor::<B, 3>::zeros([kvh, capacity, hd], &self.device);
        let keep = cache.len;
        let widen = |old: Option<Tensor<B, 3>>| {
            let new = fresh();
            match old {
                Some(old) if keep > 0 => {
                    new.slice_assign([0..kvh, 0..keep, 0..hd], old.narrow(1, 0, keep))
                }
                _ => new,
            }
        };
        let mut old_k = std::mem::take(&mut cache.k).into_iter();
        let mut old_v = std::mem::take(&mut cache.v).into_iter();
        for _ in 0..self.config.layers {
            cache.k.push(widen(old_k.next()));
            cache.v.push(widen(old_v.next()));
        }
        cache.capacity = capacity;
    }

    /// Appends `tokens` to each sequence and returns, per sequence, the logits that follow its
    /// last token. Every item needs at least one token.
    pub fn forward(&self, items: &mut [(&mut KvCache<B>, &[u32])]) -> Vec<Vec<f32>> {
        let c = &self.config;
        let (hd, heads, kvh) = (c.head_dim(), c.heads, c.kv_heads);
        let rep = heads / kvh;
        let mut ids = Vec::new();
        let mut positions = Vec::new();
        let mut spans = Vec::with_capacity(items.len());
        for (cache, tokens) in items.iter_mut() {
            self.grow(cache, cache.len + tokens.len());
            spans.push((ids.len(), tokens.len(), cache.len));
            ids.extend(tokens.iter().map(|&t| t as i64));
            positions.extend((cache.len..cache.len + tokens.len()).map(|p| p as i64));
        }
        let rows = ids.len();
        let token_ids = ids.clone();
        let ids = Tensor::<B, 1, Int>::from_data(TensorData::new(ids, [rows]), &self.device);
        let pos = Tensor::<B, 1, Int>::from_data(TensorData::new(positions, [rows]), &self.device);
        let cos = self
            .cos
            .clone()
            .select(0, pos.clone())
            .reshape([rows, 1, hd / 2, 1]);
        let sin = self
            .sin
            .clone()
            .select(0, pos)
            .reshape([rows, 1, hd / 2, 1]);
        let mut x = match &self.embed {
            Proj::Dense(e) => e.clone().select(0, ids),
            Proj::Blocks(q) => {
                let rows: Vec<f32> = token_ids.iter().flat_map(|&t| q.row(t as usize)).collect();
                Tensor::from_data(
                    TensorData::new(rows, [token_ids.len(), c.dim]),
                    &self.device,
                )
            }
        };
        let scale = 1.0 / (hd as f32).sqrt();
        for (l, b) in self.blocks.iter().enumerate() {
            let h = self.rms_norm(x.clone(), &b.attn_norm);
            let q = Self::rope(b.wq.apply(h.clone()).reshape([rows, heads, hd]), &cos, &sin);
            let k = Self::rope(b.wk.apply(h.clone()).reshape([rows, kvh, hd]), &cos, &sin);
            let v = b.wv.apply(h).reshape([rows, kvh, hd]);
            let mut outs = Vec::with_capacity(items.len());
            for ((cache, _), &(row, t, start)) in items.iter_mut().zip(&spans) {
                let end = start + t;
                let kt = k.clone().narrow(0, row, t).swap_dims(0, 1);
                let vt = v.clone().narrow(0, row, t).swap_dims(0, 1);
                let ck = std::mem::replace(&mut cache.k[l], Tensor::zeros([1, 1, 1], &self.device));
                let cv = std::mem::replace(&mut cache.v[l], Tensor::zeros([1, 1, 1], &self.device));
                cache.k[l] = ck.slice_assign([0..kvh, start..end, 0..hd], kt);
                cache.v[l] = cv.slice_assign([0..kvh, start..end, 0..hd], vt);
                let keys = cache.k[l].clone().narrow(1, 0, end);
                let values = cache.v[l].clone().narrow(1, 0, end);
                // Query heads kv*rep .. kv*rep+rep share key/value head kv.
                let qt = q
                    .clone()
                    .narrow(0, row, t)
                    .swap_dims(0, 1)
                    .reshape([kvh, rep * t, hd]);
                let mut scores = qt.matmul(keys.swap_dims(1, 2)).mul_scalar(scale);
                if t > 1 {
                    let mut bias = vec![0f32; rep * t * end];
                    for r in 0..rep * t {
                        let visible = start + r % t + 1;
                        bias[r * end + visible..(r + 1) * end].fill(f32::NEG_INFINITY);
                    }
                    let bias = Tensor::<B, 3>::from_data(
                        TensorData::new(bias, [1, rep * t, end]),
                        &self.device,
                    );
                    scores = scores + bias;
                }
                let probs = softmax(scores, 2);
                let out = probs.matmul(values).reshape([heads, t, hd]).swap_dims(0, 1);
                outs.push(out.reshape([t, heads * hd]));
            }
            let attn = if outs.len() == 1 {
                outs.pop().unwrap_or(x.clone())
            } else {
                Tensor::cat(outs, 0)
            };
            x = x + b.wo.apply(attn);
            let h = self.rms_norm(x.clone(), &b.ffn_norm);
            let gate = silu(b.w_gate.apply(h.clone()));
            let up = b.w_up.apply(h);
            x = x + b.w_down.apply(gate * up);
        }
        for ((cache, tokens), _) in items.iter_mut().zip(&spans) {
            cache.len += tokens.len();
        }
        let last: Vec<i64> = spans
            .iter()
            .map(|&(row, t, _)| (row + t - 1) as i64)
            .collect();
        let n = last.len();
        let last = Tensor::<B, 1, Int>::from_data(TensorData::new(last, [n]), &self.device);
        let h = self.rms_norm(x.select(0, last), &self.norm);
        let logits = self.output.apply(h);
        let flat = logits.into_data().to_vec::<f32>().unwrap_or_default();
        flat.chunks(c.vocab).map(<[f32]>::to_vec).collect()
    }
}

/// cos and sin of position * base^(-2i / head_dim), for every position of the context:
/// [context, head_dim / 2] each.
fn rope_tables<B: Backend>(c: &LlamaConfig, device: &B::Device) -> (Tensor<B, 2>, Tensor<B, 2>) {
    let half = c.head_dim() / 2;
    let mut cos = Vec::with_capacity(c.context * half);
    let mut sin = Vec::with_capacity(c.context * half);
    for p in 0..c.context {
        for i in 0..half {
            let freq = (c.rope_base as f64).powf(-2.0 * i as f64 / c.head_dim() as f64);
            let angle = p as f64 * freq;
            cos.push(angle.cos() as f32);
            sin.push(angle.sin() as f32);
        }
    }
    (
        Tensor::from_data(TensorData::new(cos, [c.context, half]), device),
        Tensor::from_data(TensorData::new(sin, [c.context, half]), device),
    )
}
