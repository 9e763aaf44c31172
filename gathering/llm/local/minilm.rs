//! all-MiniLM-L6-v2 sentence embeddings: a 6-layer BERT encoder (384 wide, 12 heads) whose
//! weights come from `model.safetensors` through burn-store, tokenised by `tokenizer.json`; mean
//! pooling over the attention mask, then L2 normalisation. A batch is padded to its longest text
//! and padding is masked out of both attention and pooling, so a text's vector does not depend on
//! what it is batched with.

use std::path::Path;

use burn::module::Module;
use burn::nn::{Embedding, EmbeddingConfig, LayerNorm, LayerNormConfig, Linear, LinearConfig};
use burn::tensor::activation::{gelu, softmax};
use burn::tensor::backend::Backend;
use burn::tensor::{Int, Tensor, TensorData};
use burn_store::{ModuleSnapshot, PyTorchToBurnAdapter, SafetensorsStore};
use tokenizers::{PaddingParams, PaddingStrategy, TruncationParams};

pub const DIMENSION: usize = 384;
const HIDDEN: usize = 384;
const HEADS: usize = 12;
const LAYERS: usize = 6;
const INTERMEDIATE: usize = 1536;
const VOCAB: usize = 30522;
const POSITIONS: usize = 512;
const EPS: f64 = 1e-12;
/// sentence-transformers' max_seq_length for this model.
pub const MAX_TOKENS: usize = 256;

#[derive(Module, Debug)]
struct Embeddings<B: Backend> {
    word_embeddings: Embedding<B>,
    position_embeddings: Embedding<B>,
    token_type_embeddings: Embedding<B>,
    layer_norm: LayerNorm<B>,
}

#[derive(Module, Debug)]
struct SelfAttention<B: Backend> {
    query: Linear<B>,
    key: Linear<B>,
    value: Linear<B>,
}

#[derive(Module, Debug)]
struct DenseNorm<B: Backend> {
    dense: Linear<B>,
    layer_norm: LayerNorm<B>,
}

#[derive(Module, Debug)]
struct Attention<B: Backend> {
    self_attn: SelfAttention<B>,
    output: DenseNorm<B>,
}

#[derive(Module, Debug)]
struct Dense<B: Backend> {
    dense: Linear<B>,
}

#[derive(Module, Debug)]
struct Layer<B: Backend> {
    attention: Attention<B>,
    intermediate: Dense<B>,
    output: DenseNorm<B>,
}

#[derive(Module, Debug)]
struct Encoder<B: Backend> {
    layer: Vec<Layer<B>>,
}

#[derive(Module, Debug)]
struct Bert<B: Backend> {
    embeddings: Embeddings<B>,
    encoder: Encoder<B>,
}

fn linear<B: Backend>(i: usize, o: usize, d: &B::Device) -> Linear<B> {
    LinearConfig::new(i, o).init(d)
}

fn norm<B: Backend>(d: &B::Device) -> LayerNorm<B> {
    LayerNormConfig::new(HIDDEN).with_epsilon(EPS).init(d)
}

impl<B: Backend> Bert<B> {
    fn new(d: &B::Device) -> Self {
        let layer = (0..LAYERS)
            .map(|_| Layer {
                attention: Attention {
                    self_attn: SelfAttention {
                        query: linear(HIDDEN, HIDDEN, d),
                        key: linear(HIDDEN, HIDDEN, d),
                        value: linear(HIDDEN, HIDDEN, d),
                    },
                    output: DenseNorm {
                        dense: linear(HIDDEN, HIDDEN, d),
                        layer_norm: norm(d),
                    },
                },
                intermediate: Dense {
                    dense: linear(HIDDEN, INTERMEDIATE, d),
                },
                output: DenseNorm {
                    dense: linear(INTERMEDIATE, HIDDEN, d),
                    layer_norm: norm(d),
                },
            })
            .collect();
        Self {
            embeddings: Embeddings {
                word_embeddings: EmbeddingConfig::new(VOCAB, HIDDEN).init(d),
                position_embeddings: EmbeddingConfig::new(POSITIONS, HIDDEN).init(d),
                token_type_embeddings: EmbeddingConfig::new(2, HIDDEN).init(d),
                layer_norm: norm(d),
            },
            encoder: Encoder { layer },
        }
    }

    /// ids, mask: [batch, len] -> hidden states [batch, len, HIDDEN].
    fn forward(&self, ids: Tensor<B, 2, Int>, mask: Tensor<B, 2>) -> Tensor<B, 3> {
        let [batch, len] = ids.dims();
        let device = ids.device();
        let positions = Tensor::<B, 1, Int>::arange(0..len as i64, &device)
            .reshape([1, len])
            .expand([batch, len]);
        let types = Tensor::<B, 2, Int>::zeros([batch, len], &device);
        let e = &self.embeddings;
        let x = e.word_embeddings.forward(ids)
            + e.position_embeddings.forward(positions)
            + e.token_type_embeddings.forward(types);
        let x = e.layer_norm.forward(x);
        // 0 where attended, a large negative number on padding: [batch, 1, 1, len].
        let bias = (mask.neg() + 1.0)
            .mul_scalar(-1.0e9)
            .reshape([batch, 1, 1, len]);
        let head = HIDDEN / HEADS;
        let split = |t: Tensor<B, 2>| t.reshape([batch, len, HEADS, head]).swap_dims(1, 2);
        // Token rows flattened to [batch * len, HIDDEN]: each linear layer is one large matrix
        // product instead of one small product per text.
        let mut x = x.reshape([batch * len, HIDDEN]);
        for layer in &self.encoder.layer {
            let a = &layer.attention.self_attn;
            let q = split(a.query.forward(x.clone()));
            let k = split(a.key.forward(x.clone()));
            let v = split(a.value.forward(x.clone()));
            let scores = q.matmul(k.swap_dims(2, 3)).div_scalar((head as f32).sqrt());
            let probs = softmax(scores + bias.clone(), 3);
            let ctx = probs
                .matmul(v)
                .swap_dims(1, 2)
                .reshape([batch * len, HIDDEN]);
            let out = &layer.attention.output;
            x = out.layer_norm.forward(out.dense.forward(ctx) + x);
            let inter = gelu(layer.intermediate.dense.forward(x.clone()));
            let out = &layer.output;
            x = out.layer_norm.forward(out.dense.forward(inter) + x);
        }
        x.reshape([batch, len, HIDDEN])
    }
}

#[derive(Debug, thiserror::Error)]
pub enum MiniLmError {
    #[error("{path}: {reason}")]
    Load { path: String, reason: String },
    #[error("tokenizer: {0}")]
    Tokenize(String),
}

/// Counts the tokens the model reads of each text (at most [`MAX_TOKENS`]).
#[derive(Clone)]
pub struct TokenCounter(tokenizers::Tokenizer);

impl std::fmt::Debug for TokenCounter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("TokenCounter")
    }
}

impl TokenCounter {
    /// The tokens the model reads of one text ([CLS] and [SEP] included; at most
    /// [`MAX_TOKENS`], past which the model does not read); 0 if it cannot be tokenised.
    pub fn count(&self, text: &str) -> usize {
        self.0
            .encode(text, true)
            .map(|e| e.get_ids().len())
            .unwrap_or(0)
    }

    pub fn lengths(&self, texts: &[String]) -> Result<Vec<usize>, MiniLmError> {
        let encodings = self
            .0
            .encode_batch(texts.to_vec(), true)
            .map_err(|e| MiniLmError::Tokenize(e.to_string()))?;
        Ok(encodings.iter().map(|e| e.get_ids().len()).collect())
    }
}

/// The loaded model and its tokenizer.
pub struct MiniLm<B: Backend> {
    model: Bert<B>,
    tokenizer: tokenizers::Tokenizer,
    device: B::Device,
}

impl<B: Backend> std::fmt::Debug for MiniLm<B> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("MiniLm")
    }
}

impl<B: Backend> MiniLm<B> {
    /// Loads `model.safetensors` and `tokenizer.json` from `dir`.
    pub fn load(dir: &Path, device: &B::Device) -> Result<Self, MiniLmError> {
        let weights = dir.join("model.safetensors");
        let load_err = |path: &Path, reason: String| MiniLmError::Load {
            path: path.display().to_string(),
            reason,
        };
        if !weights.is_file() {
            return Err(load_err(
                &weights,
                "missing (run scripts/bootstrap models)".into(),
            ));
        }
        let mut model = Bert::new(device);
        let mut store = SafetensorsStore::from_file(&weights)
            .with_from_adapter(PyTorchToBurnAdapter)
            .with_key_remapping(r"\.attention\.self\.", ".attention.self_attn.")
            .with_key_remapping(r"\.LayerNorm\.", ".layer_norm.")
            .allow_partial(true);
        let result = model
            .load_from(&mut store)
            .map_err(|e| load_err(&weights, e.to_string()))?;
        if !result.errors.is_empty() || !result.missing.is_empty() {
            return Err(load_err(
                &weights,
                format!("errors {:?}, missing {:?}", result.errors, result.missing),
            ));
        }
        let tok_path = dir.join("tokenizer.json");
        let mut tokenizer = tokenizers::Tokenizer::from_file(&tok_path)
            .map_err(|e| load_err(&tok_path, e.to_string()))?;
        tokenizer.with_padding(Some(PaddingParams {
            strategy: PaddingStrategy::BatchLongest,
            ..Default::default()
        }));
        tokenizer
            .with_truncation(Some(TruncationParams {
                max_length: MAX_TOKENS,
                ..Default::default()
            }))
            .map_err(|e| load_err(&tok_path, e.to_string()))?;
        Ok(Self {
            model,
            tokenizer,
            device: device.clone(),
        })
    }

    /// A copy of the tokenizer that counts tokens without padding, for use off the engine thread.
    pub fn counter(&self) -> TokenCounter {
        let mut tokenizer = self.tokenizer.clone();
        tokenizer.with_padding(None);
        TokenCounter(tokenizer)
    }

    /// Token ids of one text, as the model sees them ([CLS] ... [SEP]).
    pub fn token_ids(&self, text: &str) -> Result<Vec<u32>, MiniLmError> {
        let enc = self
            .tokenizer
            .encode(text, true)
            .map_err(|e| MiniLmError::Tokenize(e.to_string()))?;
        Ok(enc.get_ids().to_vec())
    }

    /// Unit vectors for `texts`, and the number of tokens they took.
    pub fn embed(&self, texts: &[String]) -> Result<(Vec<Vec<f32>>, usize), MiniLmError> {
        if texts.is_empty() {
            return Ok((Vec::new(), 0));
        }
        let encodings = self
            .tokenizer
            .encode_batch(texts.to_vec(), true)
            .map_err(|e| MiniLmError::Tokenize(e.to_string()))?;
        let batch = encodings.len();
        let len = encodings[0].get_ids().len();
        let mut ids = Vec::with_capacity(batch * len);
        let mut mask = Vec::with_capacity(batch * len);
        for e in &encodings {
            ids.extend(e.get_ids().iter().map(|&i| i as i64));
            mask.extend(e.get_attention_mask().iter().map(|&m| m as f32));
        }
        let tokens = mask.iter().filter(|&&m| m > 0.0).count();
        let ids = Tensor::<B, 2, Int>::from_data(TensorData::new(ids, [batch, len]), &self.device);
        let mask = Tensor::<B, 2>::from_data(TensorData::new(mask, [batch, len]), &self.device);
        let hidden = self.model.forward(ids, mask.clone());
        let m = mask.reshape([batch, len, 1]);
        let summed = (hidden * m.clone()).sum_dim(1).reshape([batch, HIDDEN]);
        let counts = m.sum_dim(1).reshape([batch, 1]).clamp_min(1e-9);
        let mean = summed / counts;
        let norms = mean
            .clone()
            .powi_scalar(2)
            .sum_dim(1)
            .sqrt()
            .clamp_min(1e-12);
        let unit = mean / norms;
        let flat = unit
            .into_data()
            .to_vec::<f32>()
            .map_err(|e| MiniLmError::Load {
                path: "output".into(),
                reason: format!("{e:?}"),
            })?;
        Ok((flat.chunks(HIDDEN).map(<[f32]>::to_vec).collect(), tokens))
    }
}
