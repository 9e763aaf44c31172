//! A reader for GGUF files (version 2 and 3): header, metadata, tensor infos and the aligned data
//! section, with dequantisation of the tensor types our models use (F32, F16, Q4_0, Q4_1, Q8_0)
//! to f32.
//!
//! Layout: `GGUF` magic, u32 version, u64 tensor count, u64 metadata count, the metadata
//! key/value pairs, the tensor infos (name, dims, type, offset), then padding to
//! `general.alignment` (32 by default) and the tensor data, each tensor at its offset from the
//! data section's start. All integers are little-endian. Dimension 0 varies fastest, so a
//! PyTorch weight of shape `[out, in]` is stored with dims `[in, out]`.

use std::collections::BTreeMap;
use std::path::Path;

use half::f16;

#[derive(Debug, thiserror::Error)]
pub enum GgufError {
    #[error("{path}: {source}")]
    Io {
        path: String,
        source: std::io::Error,
    },
    #[error("not a GGUF file (magic {0:?})")]
    BadMagic([u8; 4]),
    #[error("GGUF version {0} is not supported (2 and 3 are)")]
    Version(u32),
    #[error("truncated GGUF file at byte {0}")]
    Truncated(usize),
    #[error("GGUF metadata: {0}")]
    Metadata(String),
    #[error("tensor {name}: {reason}")]
    Tensor { name: String, reason: String },
}

/// A metadata value.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    U8(u8),
    I8(i8),
    U16(u16),
    I16(i16),
    U32(u32),
    I32(i32),
    F32(f32),
    Bool(bool),
    String(String),
    Array(Vec<Value>),
    U64(u64),
    I64(i64),
    F64(f64),
}

impl Value {
    pub fn as_u64(&self) -> Option<u64> {
        match *self {
            Value::U8(v) => Some(v.into()),
            Value::U16(v) => Some(v.into()),
            Value::U32(v) => Some(v.into()),
            Value::U64(v) => Some(v),
            Value::I8(v) => u64::try_from(v).ok(),
            Value::I16(v) => u64::try_from(v).ok(),
            Value::I32(v) => u64::try_from(v).ok(),
            Value::I64(v) => u64::try_from(v).ok(),
            _ => None,
        }
    }
    pub fn as_f64(&self) -> Option<f64> {
        match *self {
            Value::F32(v) => Some(v.into()),
            Value::F64(v) => Some(v),
            _ => self.as_u64().map(|v| v as f64),
        }
    }
    pub fn as_str(&self) -> Option<&str> {
        match self {
            Value::String(s) => Some(s),
            _ => None,
        }
    }
    pub fn as_array(&self) -> Option<&[Value]> {
        match self {
            Value::Array(v) => Some(v),
            _ => None,
        }
    }
}

/// The tensor element types this reader knows (ggml's numbering).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TensorType {
    F32,
    F16,
    Q4_0,
    Q4_1,
    Q8_0,
    Other(u32),
}

impl TensorType {
    fn from_u32(v: u32) -> Self {
        match v {
            0 => TensorType::F32,
            1 => TensorType::F16,
            2 => TensorType::Q4_0,
            3 => TensorType::Q4_1,
            8 => TensorType::Q8_0,
            other => TensorType::Other(other),
        }
    }

    /// (elements per block, bytes per block).
    fn block(self) -> Option<(usize, usize)> {
        match self {
            TensorType::F32 => Some((1, 4)),
            TensorType::F16 => Some((1, 2)),
            TensorType::Q4_0 => Some((32, 18)),
            TensorType::Q4_1 => Some((32, 20)),
            TensorType::Q8_0 => Some((32, 34)),
            TensorType::Other(_) => None,
        }
    }
}

#[derive(Debug, Clone)]
pub struct TensorInfo {
    pub name: String,
    /// ggml order: dims[0] varies fastest.
    pub dims: Vec<u64>,
    pub kind: TensorType,
    /// From the start of the data section.
    pub offset: u64,
}

impl TensorInfo {
    pub fn elements(&self) -> usize {
        self.dims.iter().product::<u64>() as usize
    }
}

/// A whole GGUF file in memory.
pub struct Gguf {
    pub version: u32,
    pub metadata: BTreeMap<String, Value>,
    pub tensors: BTreeMap<String, TensorInfo>,
    data: Vec<u8>,
    data_start: usize,
}

impl std::fmt::Debug for Gguf {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Gguf")
            .field("version", &self.version)
            .field("metadata", &self.metadata.len())
            .field("tensors", &self.tensors.len())
            .finish()
    }
}

struct Cursor<'a> {
    buf: &'a [u8],
    pos: usize,
}

impl<'a> Cursor<'a> {
    fn take(&mut self, n: usize) -> Result<&'a [u8], GgufError> {
        let end = self.pos.checked_add(n).filter(|&e| e <= self.buf.len());
        let end = end.ok_or(GgufError::Truncated(self.pos))?;
        let out = &self.buf[self.pos..end];
        self.pos = end;
        Ok(out)
    }
    fn array<const N: usize>(&mut self) -> Result<[u8; N], GgufError> {
        let mut a = [0u8; N];
        a.copy_from_slice(self.take(N)?);
        Ok(a)
    }
    fn u32(&mut self) -> Result<u32, GgufError> {
        Ok(u32::from_le_bytes(self.array()?))
    }
    fn u64(&mut self) -> Result<u64, GgufError> {
        Ok(u64::from_le_bytes(self.array()?))
    }
    /// A count that must fit what is left of the file (each item takes at least `min_size`).
    fn count(&mut self, min_size: usize) -> Result<usize, GgufError> {
        let at = self.pos;
        let n = self.u64()?;
        let left = (self.buf.len() - self.pos) as u64;
        if n.saturating_mul(min_size as u64) > left {
            return Err(GgufError::Truncated(at));
        }
        Ok(n as usize)
    }
    fn string(&mut self) -> Result<String, GgufError> {
        let n = self.count(1)?;
        let at = self.pos;
        let bytes = self.take(n)?;
        String::from_utf8(bytes.to_vec())
            .map_err(|_| GgufError::Metadata(format!("string at byte {at} is not UTF-8")))
    }
    fn value(&mut self, kind: u32, depth: usize) -> Result<Value, GgufError> {
        Ok(match kind {
            0 => Value::U8(self.array::<1>()?[0]),
            1 => Value::I8(i8::from_le_bytes(self.array()?)),
            2 => Value::U16(u16::from_le_bytes(self.array()?)),
            3 => Value::I16(i16::from_le_bytes(self.array()?)),
            4 => Value::U32(self.u32()?),
            5 => Value::I32(i32::from_le_bytes(self.array()?)),
            6 => Value::F32(f32::from_le_bytes(self.array()?)),
            7 => Value::Bool(self.array::<1>()?[0] != 0),
            8 => Value::String(self.string()?),
            9 => {
                if depth > 4 {
                    return Err(GgufError::Metadata("arrays nested too deep".into()));
                }
                let inner = self.u32()?;
                let n = self.count(1)?;
                let mut items = Vec::with_capacity(n.min(1 << 20));
                for _ in 0..n {
                    items.push(self.value(inner, depth + 1)?);
                }
                Value::Array(items)
            }
            10 => Value::U64(self.u64()?),
            11 => Value::I64(i64::from_le_bytes(self.array()?)),
            12 => Value::F64(f64::from_le_bytes(self.array()?)),
            other => return Err(GgufError::Metadata(format!("unknown value type {other}"))),
        })
    }
}

impl Gguf {
    pub fn open(path: &Path) -> Result<Self, GgufError> {
        let data = std::fs::read(path).map_err(|source| GgufError::Io {
            path: path.display().to_string(),
            source,
        })?;
        Self::parse(data)
    }

    pub fn parse(data: Vec<u8>) -> Result<Self, GgufError> {
        let mut c = Cursor { buf: &data, pos: 0 };
        let magic = c.array::<4>()?;
        if &magic != b"GGUF" {
            return Err(GgufError::BadMagic(magic));
        }
        let version = c.u32()?;
        if !(2..=3).contains(&version) {
            return Err(GgufError::Version(version));
        }
        let tensor_count = c.count(24)?;
        let kv_count = c.count(12)?;
        let mut metadata = BTreeMap::new();
        for _ in 0..kv_count {
            let key = c.string()?;
            let kind = c.u32()?;
            let value = c.value(kind, 0)?;
            metadata.insert(key, value);
        }
        let mut tensors = BTreeMap::new();
        for _ in 0..tensor_count {
            let name = c.string()?;
            let n_dims = c.u32()? as usize;
            if n_dims == 0 || n_dims > 4 {
                return Err(GgufError::Tensor {
                    name,
                    reason: format!("{n_dims} dimensions"),
                });
            }
            let dims = (0..n_dims)
                .map(|_| c.u64())
                .collect::<Result<Vec<_>, _>>()?;
            let kind = TensorType::from_u32(c.u32()?);
            let offset = c.u64()?;
            tensors.insert(
                name.clone(),
                TensorInfo {
                    name,
                    dims,
                    kind,
                    offset,
                },
            );
        }
        let alignment = match metadata.get("general.alignment") {
            Some(v) => v
                .as_u64()
                .filter(|a| *a > 0 && a.is_power_of_two())
                .ok_or_else(|| {
                    GgufError::Metadata("general.alignment is not a power of two".into())
                })? as usize,
            None => 32,
        };
        let data_start = c.pos.div_ceil(alignment) * alignment;
        let gguf = Self {
            version,
            metadata,
            tensors,
            data,
            data_start,
        };
        for info in gguf.tensors.values() {
            gguf.tensor_bytes(info)?;
        }
        Ok(gguf)
    }

    pub fn get(&self, key: &str) -> Result<&Value, GgufError> {
        self.metadata
            .get(key)
            .ok_or_else(|| GgufError::Metadata(format!("{key} is missing")))
    }

    pub fn get_u64(&self, key: &str) -> Result<u64, GgufError> {
        self.get(key)?
            .as_u64()
            .ok_or_else(|| GgufError::Metadata(format!("{key} is not an integer")))
    }

    pub fn get_f64(&self, key: &str) -> Result<f64, GgufError> {
        self.get(key)?
            .as_f64()
            .ok_or_else(|| GgufError::Metadata(format!("{key} is not a number")))
    }

    pub fn get_str(&self, key: &str) -> Result<&str, GgufError> {
        self.get(key)?
            .as_str()
            .ok_or_else(|| GgufError::Metadata(format!("{key} is not a string")))
    }

    fn tensor_bytes(&self, info: &TensorInfo) -> Result<&[u8], GgufError> {
        let bad = |reason: String| GgufError::Tensor {
            name: info.name.clone(),
            reason,
        };
        let (block_elems, block_bytes) = info
            .kind
            .block()
            .ok_or_else(|| bad(format!("unsupported type {:?}", info.kind)))?;
        let n = info.elements();
        if !n.is_multiple_of(block_elems) {
            return Err(bad(format!("{n} elements is not a whole number of blocks")));
        }
        let len = n / block_elems * block_bytes;
        let start = self.data_start.checked_add(info.offset as usize);
        let range = start
            .and_then(|s| s.checked_add(len).map(|e| s..e))
            .filter(|r| r.end <= self.data.len())
            .ok_or_else(|| bad("data lies outside the file".into()))?;
        Ok(&self.data[range])
    }

    /// A tensor's info and raw bytes, as stored.
    pub fn raw(&self, name: &str) -> Result<(&TensorInfo, &[u8]), GgufError> {
        let info = self.tensors.get(name).ok_or_else(|| GgufError::Tensor {
            name: name.to_string(),
            reason: "not in the file".into(),
        })?;
        Ok((info, self.tensor_bytes(info)?))
    }

    /// A tensor's values as f32, in ggml order (dims[0] fastest).
    pub fn dequantize(&self, name: &str) -> Result<(Vec<f32>, Vec<usize>), GgufError> {
        let info = self.tensors.get(name).ok_or_else(|| GgufError::Tensor {
            name: name.to_string(),
            reason: "not in the file".into(),
        })?;
        let bytes = self.tensor_bytes(info)?;
        let dims = info.dims.iter().map(|&d| d as usize).collect();
        Ok((dequantize(info.kind, bytes), dims))
    }
}

fn f16_at(b: &[u8], at: usize) -> f32 {
    f16::from_le_bytes([b[at], b[at + 1]]).to_f32()
}

/// Converts raw blocks of `kind` to f32 (the caller checked the length).
pub fn dequantize(kind: TensorType, bytes: &[u8]) -> Vec<f32> {
    match kind {
        TensorType::F32 => bytes
            .chunks_exact(4)
            .map(|c| f32::from_le_bytes([c[0], c[1], c[2], c[3]]))
            .collect(),
        TensorType::F16 => bytes.chunks_exact(2).map(|c| f16_at(c, 0)).collect(),
        TensorType::Q4_0 => {
            let mut out = Vec::with_capacity(bytes.len() / 18 * 32);
            for block in bytes.chunks_exact(18) {
                let d = f16_at(block, 0);
                let qs = &block[2..18];
                let (lo, hi): (Vec<f32>, Vec<f32>) = qs
                    .iter()
                    .map(|q| (((q & 0x0f) as f32 - 8.0) * d, ((q >> 4) as f32 - 8.0) * d))
                    .unzip();
                out.extend(lo);
                out.extend(hi);
            }
            out
        }
        TensorType::Q4_1 => {
            let mut out = Vec::with_capacity(bytes.len() / 20 * 32);
            for block in bytes.chunks_exact(20) {
                let d = f16_at(block, 0);
                let m = f16_at(block, 2);
                let qs = &block[4..20];
                out.extend(qs.iter().map(|q| (q & 0x0f) as f32 * d + m));
                out.extend(qs.iter().map(|q| (q >> 4) as f32 * d + m));
            }
            out
        }
        TensorType::Q8_0 => {
            let mut out = Vec::with_capacity(bytes.len() / 34 * 32);
            for block in bytes.chunks_exact(34) {
                let d = f16_at(block, 0);
                out.extend(block[2..34].iter().map(|&q| q as i8 as f32 * d));
            }
            out
        }
        TensorType::Other(_) => Vec::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn string(out: &mut Vec<u8>, s: &str) {
        out.extend((s.len() as u64).to_le_bytes());
        out.extend(s.as_bytes());
    }

    /// A file with one u32 key, one string array and two tensors (F32 and Q8_0).
    fn sample() -> Vec<u8> {
        let mut b = b"GGUF".to_vec();
        b.extend(3u32.to_le_bytes());
        b.extend(2u64.to_le_bytes());
        b.extend(2u64.to_le_bytes());
        string(&mut b, "llama.block_count");
        b.extend(4u32.to_le_bytes());
        b.extend(30u32.to_le_bytes());
        string(&mut b, "tokenizer.ggml.tokens");
        b.extend(9u32.to_le_bytes());
        b.extend(8u32.to_le_bytes());
        b.extend(2u64.to_le_bytes());
        string(&mut b, "a");
        string(&mut b, "<|im_end|>");
        string(&mut b, "norm");
        b.extend(1u32.to_le_bytes());
        b.extend(2u64.to_le_bytes());
        b.extend(0u32.to_le_bytes());
        b.extend(0u64.to_le_bytes());
        string(&mut b, "embd");
        b.extend(2u32.to_le_bytes());
        b.extend(32u64.to_le_bytes());
        b.extend(1u64.to_le_bytes());
        b.extend(8u32.to_le_bytes());
        b.extend(32u64.to_le_bytes());
        while !b.len().is_multiple_of(32) {
            b.push(0);
        }
        b.extend(1.5f32.to_le_bytes());
        b.extend((-2.0f32).to_le_bytes());
        b.resize(b.len() + 24, 0);
        b.extend(f16::from_f32(0.5).to_le_bytes());
        b.extend((0..32).map(|i| (i as i8 - 16) as u8));
        b
    }

    #[test]
    fn parses_metadata_tensor_infos_and_aligned_data() {
        let g = Gguf::parse(sample()).unwrap();
        assert_eq!(g.get_u64("llama.block_count").unwrap(), 30);
        let tokens = g.get("tokenizer.ggml.tokens").unwrap().as_array().unwrap();
        assert_eq!(tokens[1].as_str(), Some("<|im_end|>"));
        assert_eq!(g.dequantize("norm").unwrap(), (vec![1.5, -2.0], vec![2]));
        let (embd, dims) = g.dequantize("embd").unwrap();
        assert_eq!(dims, vec![32, 1]);
        assert_eq!(embd[0], -8.0);
        assert_eq!(embd[31], 7.5);
    }

    #[test]
    fn rejects_bad_magic_truncation_and_out_of_file_tensors() {
        assert!(matches!(
            Gguf::parse(b"GGML\x03\0\0\0".to_vec()),
            Err(GgufError::BadMagic(_))
        ));
        let whole = sample();
        for cut in [10, 40, 120, whole.len() - 1] {
            assert!(Gguf::parse(whole[..cut].to_vec()).is_err(), "cut at {cut}");
        }
        // A count far beyond the file is refused before allocating.
        let mut huge = whole.clone();
        huge[8..16].copy_from_slice(&u64::MAX.to_le_bytes());
        assert!(matches!(Gguf::parse(huge), Err(GgufError::Truncated(_))));
    }

    #[test]
    fn q4_1_blocks_dequantise_low_nibbles_first() {
        let mut block = Vec::new();
        block.extend(f16::from_f32(2.0).to_le_bytes());
        block.extend(f16::from_f32(-1.0).to_le_bytes());
        block.extend((0..16u8).map(|i| (15 - i) << 4 | i));
        let v = dequantize(TensorType::Q4_1, &block);
        assert_eq!(v.len(), 32);
        assert_eq!(v[0], -1.0);
        assert_eq!(v[15], 29.0);
        assert_eq!(v[16], 29.0);
        assert_eq!(v[31], -1.0);
    }
}
