//! Matrix products straight from GGUF's quantised blocks, for the CPU.
//!
//! A crate of its own so that it is compiled optimised in every profile: the test suite runs the
//! real chat model through it, and unoptimised it is tens of times slower.
//!
//! Decoding one token reads every weight once, so its speed is bounded by memory bandwidth:
//! dequantised to f32 the chat model is 538 MB per token, in its Q4_1 blocks 84 MB. burn's CPU
//! backend has no product over these blocks, so this module keeps each projection as the file
//! stores it and dequantises one 32-value block at a time into registers, right before it is
//! multiplied. The arithmetic is the f32 reference's (each weight is `d * q + m` exactly as
//! GGUF's reference dequantisation computes it); only the order of the additions differs. Unlike
//! llama.cpp, activations stay f32 (no 8-bit rounding of the inputs).
//!
//! Output rows are split across rayon's pool (the one burn-flex uses).

use rayon::prelude::*;

/// The block formats this crate multiplies.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TensorType {
    /// Blocks of 32: f16 scale, f16 minimum, 16 bytes of two 4-bit values each.
    Q4_1,
    /// Blocks of 32: f16 scale, 32 signed bytes.
    Q8_0,
    /// Plain little-endian f32.
    F32,
}

fn f32s(bytes: &[u8]) -> Vec<f32> {
    bytes
        .chunks_exact(4)
        .map(|c| f32::from_le_bytes([c[0], c[1], c[2], c[3]]))
        .collect()
}

const BLOCK: usize = 32;

/// A `[rows, cols]` weight matrix (PyTorch's `[out, in]`) in its GGUF blocks.
#[derive(Debug, Clone)]
pub struct QMatrix {
    pub rows: usize,
    pub cols: usize,
    kind: TensorType,
    /// Row-major: each row is `cols / 32` blocks (or `cols` f32 values for F32).
    data: Vec<u8>,
    row_bytes: usize,
    /// Per block, unpacked at load so the hot loop reads no f16: (scale, minimum) for Q4_1,
    /// (scale, 0) for Q8_0.
    scales: Vec<[f32; 2]>,
    /// Per block, the quantised values (Q4_1: 16 bytes of two nibbles; Q8_0: 32 signed bytes).
    quants: Vec<u8>,
}

/// Output rows one task computes.
const ROWS_PER_TASK: usize = 32;

impl QMatrix {
    /// Wraps raw tensor bytes of ggml dims `[cols, rows]`. `None` for a type or shape it cannot
    /// multiply (the caller then uses a dense tensor).
    pub fn new(kind: TensorType, bytes: &[u8], cols: usize, rows: usize) -> Option<Self> {
        let row_bytes = match kind {
            TensorType::Q4_1 => cols / BLOCK * 20,
            TensorType::Q8_0 => cols / BLOCK * 34,
            TensorType::F32 => cols * 4,
        };
        if kind != TensorType::F32 && !cols.is_multiple_of(BLOCK) {
            return None;
        }
        if bytes.len() != row_bytes * rows {
            return None;
        }
        let (block_bytes, quant_bytes) = match kind {
            TensorType::Q4_1 => (20, 16),
            TensorType::Q8_0 => (34, 32),
            _ => (0, 0),
        };
        let mut scales = Vec::new();
        let mut quants = Vec::new();
        if block_bytes > 0 {
            for blk in bytes.chunks_exact(block_bytes) {
                let d = half::f16::from_le_bytes([blk[0], blk[1]]).to_f32();
                let m = match kind {
                    TensorType::Q4_1 => half::f16::from_le_bytes([blk[2], blk[3]]).to_f32(),
                    _ => 0.0,
                };
                scales.push([d, m]);
                quants.extend_from_slice(&blk[block_bytes - quant_bytes..]);
            }
        }
        let data = if block_bytes > 0 {
            Vec::new()
        } else {
            bytes.to_vec()
        };
        Some(Self {
            rows,
            cols,
            kind,
            data,
            row_bytes,
            scales,
            quants,
        })
    }

    /// Row `r` as f32 (an embedding lookup).
    pub fn row(&self, r: usize) -> Vec<f32> {
        let per_row = self.cols / BLOCK;
        let blocks = r * per_row..(r + 1) * per_row;
        match self.kind {
            TensorType::Q4_1 => blocks
                .flat_map(|b| {
                    let [d, m] = self.scales[b];
                    let qs = &self.quants[b * 16..(b + 1) * 16];
                    let lo = qs.iter().map(move |q| (q & 0x0f) as f32 * d + m);
                    let hi = qs.iter().map(move |q| (q >> 4) as f32 * d + m);
                    lo.chain(hi)
                })
                .collect(),
            TensorType::Q8_0 => blocks
                .flat_map(|b| {
                    let [d, _] = self.scales[b];
                    self.quants[b * 32..(b + 1) * 32]
                        .iter()
                        .map(move |&q| q as i8 as f32 * d)
                })
                .collect(),
            TensorType::F32 => f32s(&self.data[r * self.row_bytes..(r + 1) * self.row_bytes]),
        }
    }

    /// The whole matrix as f32, row-major `[rows][cols]` (rows dequantised in parallel). For
    /// products over many activation rows, where a dense matrix product wins.
    pub fn to_f32(&self) -> Vec<f32> {
        let mut out = vec![0f32; self.rows * self.cols];
        out.par_chunks_mut(self.cols)
            .enumerate()
            .for_each(|(r, row)| row.copy_from_slice(&self.row(r)));
        out
    }

    /// `x` is `m` rows of `cols` values; returns `m` rows of `rows` values: `x · selfᵀ`.
    pub fn matmul(&self, x: &[f32], m: usize) -> Vec<f32> {
        assert_eq!(x.len(), m * self.cols, "activation shape");
        let arch = pulp::Arch::new();
        // Computed transposed ([rows][m]) so that each task writes one contiguous chunk.
        let mut out_t = vec![0f32; self.rows * m];
        out_t
            .par_chunks_mut(ROWS_PER_TASK * m)
            .enumerate()
            .for_each(|(task, chunk)| {
                arch.dispatch(Rows {
                    q: self,
                    x,
                    m,
                    first: task * ROWS_PER_TASK,
                    out: chunk,
                });
            });
        if m == 1 {
            return out_t;
        }
        let mut out = vec![0f32; m * self.rows];
        for r in 0..self.rows {
            for i in 0..m {
                out[i * self.rows + r] = out_t[r * m + i];
            }
        }
        out
    }
}

/// One task's output rows, compiled for the best instruction set the CPU has (pulp picks
/// AVX2 and friends at run time; the loops below are plain Rust that the compiler vectorises).
struct Rows<'a> {
    q: &'a QMatrix,
    x: &'a [f32],
    m: usize,
    first: usize,
    /// [rows of this task][m].
    out: &'a mut [f32],
}

impl pulp::WithSimd for Rows<'_> {
    type Output = ();

    #[inline(always)]
    fn with_simd<S: pulp::Simd>(self, _simd: S) {
        let Rows {
            q,
            x,
            m,
            first,
            out,
        } = self;
        let mut acc = vec![[0f32; BLOCK]; m];
        for (k, out) in out.chunks_mut(m).enumerate() {
            let r = first + k;
            let per_row = q.cols / BLOCK;
            let scales = &q.scales
                [(r * per_row).min(q.scales.len())..((r + 1) * per_row).min(q.scales.len())];
            acc.iter_mut().for_each(|a| *a = [0.0; BLOCK]);
            match q.kind {
                TensorType::Q4_1 => {
                    let quants = &q.quants[r * per_row * 16..(r + 1) * per_row * 16];
                    for (b, (qs, &[d, mn])) in quants.chunks_exact(16).zip(scales).enumerate() {
                        let qs: &[u8; 16] = qs.try_into().unwrap_or(&[0; 16]);
                        let mut w = [0f32; BLOCK];
                        for j in 0..16 {
                            w[j] = (qs[j] & 0x0f) as f32 * d + mn;
                            w[j + 16] = (qs[j] >> 4) as f32 * d + mn;
                        }
                        accumulate(&w, x, q.cols, b * BLOCK, &mut acc);
                    }
                }
                TensorType::Q8_0 => {
                    let quants = &q.quants[r * per_row * 32..(r + 1) * per_row * 32];
                    for (b, (qs, &[d, _])) in quants.chunks_exact(32).zip(scales).enumerate() {
                        let qs: &[u8; 32] = qs.try_into().unwrap_or(&[0; 32]);
                        let mut w = [0f32; BLOCK];
                        for j in 0..BLOCK {
                            w[j] = qs[j] as i8 as f32 * d;
                        }
                        accumulate(&w, x, q.cols, b * BLOCK, &mut acc);
                    }
                }
                _ => {
                    // F32 rows: any length; the last block is padded with zeros.
                    let row = &q.data[r * q.row_bytes..(r + 1) * q.row_bytes];
                    for (b, vals) in row.chunks(BLOCK * 4).enumerate() {
                        let mut w = [0f32; BLOCK];
                        for (j, c) in vals.chunks_exact(4).enumerate() {
                            w[j] = f32::from_le_bytes([c[0], c[1], c[2], c[3]]);
                        }
                        let n = vals.len() / 4;
                        if n == BLOCK {
                            accumulate(&w, x, q.cols, b * BLOCK, &mut acc);
                        } else {
                            for (i, a) in acc.iter_mut().enumerate() {
                                let xs = &x[i * q.cols + b * BLOCK..i * q.cols + b * BLOCK + n];
                                for j in 0..n {
                                    a[j] += w[j] * xs[j];
                                }
                            }
                        }
                    }
                }
            }
            for (o, a) in out.iter_mut().zip(&acc) {
                *o = a.iter().sum();
            }
        }
    }
}

/// acc[i] += w * x[i][base..base + 32], lane by lane, for every activation row i.
#[inline(always)]
fn accumulate(w: &[f32; BLOCK], x: &[f32], cols: usize, base: usize, acc: &mut [[f32; BLOCK]]) {
    for (i, a) in acc.iter_mut().enumerate() {
        let start = i * cols + base;
        let xs: &[f32; BLOCK] = x[start..start + BLOCK].try_into().unwrap_or(&[0.0; BLOCK]);
        for j in 0..BLOCK {
            a[j] += w[j] * xs[j];
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn q4_1_blocks(rows: usize, cols: usize) -> Vec<u8> {
        let mut out = Vec::new();
        for r in 0..rows {
            for b in 0..cols / BLOCK {
                out.extend(half::f16::from_f32(0.01 * (r + 1) as f32).to_le_bytes());
                out.extend(half::f16::from_f32(-0.05 * b as f32).to_le_bytes());
                out.extend((0..16).map(|j| ((j * 7 + r + b) % 256) as u8));
            }
        }
        out
    }

    #[test]
    fn products_from_blocks_equal_products_of_dequantised_weights() {
        let (rows, cols, m) = (70, 64, 3);
        let bytes = q4_1_blocks(rows, cols);
        let q = QMatrix::new(TensorType::Q4_1, &bytes, cols, rows).unwrap();
        // The reference dequantisation, written out: d * q + m, low nibbles first.
        let dense: Vec<f32> = bytes
            .chunks_exact(20)
            .flat_map(|b| {
                let d = half::f16::from_le_bytes([b[0], b[1]]).to_f32();
                let m = half::f16::from_le_bytes([b[2], b[3]]).to_f32();
                let lo: Vec<f32> = b[4..].iter().map(|q| (q & 15) as f32 * d + m).collect();
                let hi: Vec<f32> = b[4..].iter().map(|q| (q >> 4) as f32 * d + m).collect();
                lo.into_iter().chain(hi)
            })
            .collect();
        let x: Vec<f32> = (0..m * cols)
            .map(|i| ((i * 37) % 11) as f32 * 0.1 - 0.5)
            .collect();
        let got = q.matmul(&x, m);
        for i in 0..m {
            for r in 0..rows {
                let want: f32 = (0..cols)
                    .map(|c| dense[r * cols + c] * x[i * cols + c])
                    .sum();
                let diff = (got[i * rows + r] - want).abs();
                assert!(
                    diff <= 1e-4 * want.abs().max(1.0),
                    "row {r} of input {i}: {diff}"
                );
            }
        }
        assert_eq!(q.row(5), dense[5 * cols..6 * cols].to_vec());
        assert_eq!(q.to_f32(), dense);
    }

    #[test]
    fn refuses_shapes_it_cannot_multiply() {
        assert!(QMatrix::new(TensorType::Q4_1, &[0; 20], 32, 2).is_none());
        assert!(QMatrix::new(TensorType::Q8_0, &[0; 34], 33, 1).is_none());
    }
}
