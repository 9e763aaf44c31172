//! The byte-level BPE tokenizer of a GGUF model, rebuilt from its metadata
//! (`tokenizer.ggml.tokens`, `.merges`, `.token_type`): special tokens are matched literally
//! first, digits are split one by one, the rest is split by the GPT-2 pattern, and each piece's
//! bytes (mapped to printable characters as GPT-2 does) are merged by rank.

use std::collections::HashMap;

use fancy_regex::Regex;

use super::gguf::{Gguf, GgufError};

/// GPT-2's pre-tokenizer pattern: contractions, letters, numbers, other symbols, spaces.
const GPT2_PATTERN: &str =
    r"'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+";

/// ggml token types that are matched literally in text.
const CONTROL: i64 = 3;
const USER_DEFINED: i64 = 4;

#[derive(Debug)]
pub struct Tokenizer {
    vocab: HashMap<String, u32>,
    tokens: Vec<String>,
    merges: HashMap<(String, String), u32>,
    /// Literal special tokens, longest first.
    specials: Vec<(String, u32)>,
    special_ids: Vec<bool>,
    byte_to_char: [char; 256],
    char_to_byte: HashMap<char, u8>,
    pattern: Regex,
    digits: Regex,
    pub bos: Option<u32>,
    pub eos: u32,
}

/// GPT-2's reversible map from bytes to printable characters.
fn byte_chars() -> [char; 256] {
    let mut map = ['\0'; 256];
    let printable = |b: u32| {
        (u32::from(b'!')..=u32::from(b'~')).contains(&b)
            || (0xA1..=0xAC).contains(&b)
            || (0xAE..=0xFF).contains(&b)
    };
    let mut next = 256u32;
    for b in 0..256u32 {
        map[b as usize] = if printable(b) {
            char::from_u32(b).unwrap_or('\0')
        } else {
            let c = char::from_u32(next).unwrap_or('\0');
            next += 1;
            c
        };
    }
    map
}

impl Tokenizer {
    pub fn from_gguf(g: &Gguf) -> Result<Self, GgufError> {
        let model = g.get_str("tokenizer.ggml.model")?;
        if model != "gpt2" {
            return Err(GgufError::Metadata(format!(
                "tokenizer model {model:?} is not supported (gpt2 byte-level BPE is)"
            )));
        }
        let strings = |key: &str| -> Result<Vec<String>, GgufError> {
            g.get(key)?
                .as_array()
                .ok_or_else(|| GgufError::Metadata(format!("{key} is not an array")))?
                .iter()
                .map(|v| {
                    v.as_str()
                        .map(str::to_string)
                        .ok_or_else(|| GgufError::Metadata(format!("{key} holds a non-string")))
                })
                .collect()
        };
        let tokens = strings("tokenizer.ggml.tokens")?;
        let merge_lines = strings("tokenizer.ggml.merges")?;
        let types: Vec<i64> = match g.metadata.get("tokenizer.ggml.token_type") {
            Some(v) => v
                .as_array()
                .unwrap_or_default()
                .iter()
                .map(|t| t.as_u64().map_or(1, |t| t as i64))
                .collect(),
            None => vec![1; tokens.len()],
        };
        let mut merges = HashMap::with_capacity(merge_lines.len());
        for (rank, line) in merge_lines.iter().enumerate() {
            let (a, b) = line.split_once(' ').ok_or_else(|| {
                GgufError::Metadata(format!("merge {rank} ({line:?}) has no space"))
            })?;
            merges.insert((a.to_string(), b.to_string()), rank as u32);
        }
        let vocab: HashMap<String, u32> = tokens
            .iter()
            .enumerate()
            .map(|(i, t)| (t.clone(), i as u32))
            .collect();
        let mut specials: Vec<(String, u32)> = tokens
            .iter()
            .enumerate()
            .filter(|(i, t)| {
                matches!(types.get(*i), Some(&CONTROL) | Some(&USER_DEFINED)) && !t.is_empty()
            })
            .map(|(i, t)| (t.clone(), i as u32))
            .collect();
        specials.sort_by_key(|s| std::cmp::Reverse(s.0.len()));
        let mut special_ids = vec![false; tokens.len()];
        for (_, id) in &specials {
            special_ids[*id as usize] = true;
        }
        let byte_to_char = byte_chars();
        let char_to_byte = byte_to_char
            .iter()
            .enumerate()
            .map(|(b, &c)| (c, b as u8))
            .collect();
        let add_bos =
            g.metadata.get("tokenizer.ggml.add_bos_token") == Some(&super::gguf::Value::Bool(true));
        let bos = g
            .get_u64("tokenizer.ggml.bos_token_id")
            .ok()
            .map(|v| v as u32);
        Ok(Self {
            vocab,
            tokens,
            merges,
            specials,
            special_ids,
            byte_to_char,
            char_to_byte,
            pattern: Regex::new(GPT2_PATTERN).expect("GPT-2 pattern compiles"),
            digits: Regex::new(r"\p{N}").expect("digit pattern compiles"),
            bos: if add_bos { bos } else { None },
            eos: g.get_u64("tokenizer.ggml.eos_token_id")? as u32,
        })
    }

    pub fn vocab_size(&self) -> usize {
        self.tokens.len()
    }

    pub fn is_special(&self, id: u32) -> bool {
        self.special_ids.get(id as usize).copied().unwrap_or(false)
    }

    /// Token ids for `text`; special tokens written in the text become their single ids.
    pub fn encode(&self, text: &str) -> Vec<u32> {
        let mut ids = Vec::new();
        if let Some(bos) = self.bos {
            ids.push(bos);
        }
        let mut rest = text;
        while !rest.is_empty() {
            // The earliest special token in what is left (longest wins at one position).
            let next = self
                .specials
                .iter()
                .filter_map(|(s, id)| rest.find(s.as_str()).map(|at| (at, s.len(), *id)))
                .min_by(|a, b| a.0.cmp(&b.0).then(b.1.cmp(&a.1)));
            match next {
                Some((at, len, id)) => {
                    self.encode_plain(&rest[..at], &mut ids);
                    ids.push(id);
                    rest = &rest[at + len..];
                }
                None => {
                    self.encode_plain(rest, &mut ids);
                    rest = "";
                }
            }
        }
        ids
    }

    fn encode_plain(&self, text: &str, ids: &mut Vec<u32>) {
        let mut start = 0;
        for m in self.digits.find_iter(text).flatten() {
            self.encode_words(&text[start..m.start()], ids);
            self.encode_words(m.as_str(), ids);
            start = m.end();
        }
        self.encode_words(&text[start..], ids);
    }

    fn encode_words(&self, text: &str, ids: &mut Vec<u32>) {
        for m in self.pattern.find_iter(text).flatten() {
            self.encode_piece(m.as_str(), ids);
        }
    }

    fn encode_piece(&self, piece: &str, ids: &mut Vec<u32>) {
        let mut parts: Vec<String> = piece
            .bytes()
            .map(|b| self.byte_to_char[b as usize].to_string())
            .collect();
        loop {
            let best = parts
                .windows(2)
                .enumerate()
                .filter_map(|(i, w)| {
                    self.merges
                        .get(&(w[0].clone(), w[1].clone()))
                        .map(|&rank| (rank, i))
                })
                .min();
            let Some((_, i)) = best else { break };
            let merged = format!("{}{}", parts[i], parts[i + 1]);
            parts[i] = merged;
            parts.remove(i + 1);
        }
        for p in parts {
            match self.vocab.get(&p) {
                Some(&id) => ids.push(id),
                // A symbol without its own token: fall back to its single-byte tokens.
                None => ids.extend(p.chars().filter_map(|c| self.vocab.get(&c.to_string()))),
            }
        }
    }

    /// The bytes a token stands for (special tokens: their literal text).
    pub fn token_bytes(&self, id: u32) -> Vec<u8> {
        let Some(token) = self.tokens.get(id as usize) else {
            return Vec::new();
        };
        if self.is_special(id) {
            return token.as_bytes().to_vec();
        }
        token
            .chars()
            .map(|c| self.char_to_byte.get(&c).copied())
            .collect::<Option<Vec<u8>>>()
            .unwrap_or_else(|| token.as_bytes().to_vec())
    }

    /// Text for ids; invalid UTF-8 (a cut multi-byte character) is replaced.
    pub fn decode(&self, ids: &[u32]) -> String {
        let bytes: Vec<u8> = ids.iter().flat_map(|&id| self.token_bytes(id)).collect();
        String::from_utf8_lossy(&bytes).into_owned()
    }
}

/// Turns a stream of token bytes into text pieces, holding back an incomplete UTF-8 character
/// until its last byte arrives.
#[derive(Debug, Default)]
pub struct Utf8Stream {
    pending: Vec<u8>,
}

impl Utf8Stream {
    pub fn push(&mut self, bytes: &[u8]) -> String {
        self.pending.extend_from_slice(bytes);
        match std::str::from_utf8(&self.pending) {
            Ok(s) => {
                let out = s.to_string();
                self.pending.clear();
                out
            }
            Err(e) if e.error_len().is_none() => {
                // An incomplete character at the end: emit what precedes it.
                let valid = e.valid_up_to();
                let out = String::from_utf8_lossy(&self.pending[..valid]).into_owned();
                self.pending.drain(..valid);
                out
            }
            Err(_) => {
                let out = String::from_utf8_lossy(&self.pending).into_owned();
                self.pending.clear();
                out
            }
        }
    }

    pub fn finish(&mut self) -> String {
        let out = String::from_utf8_lossy(&self.pending).into_owned();
        self.pending.clear();
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn byte_map_is_a_bijection_and_keeps_printable_ascii() {
        let map = byte_chars();
        let distinct: std::collections::HashSet<char> = map.iter().copied().collect();
        assert_eq!(distinct.len(), 256);
        assert_eq!(map[b'a' as usize], 'a');
        assert_eq!(map[b' ' as usize], 'Ġ');
        assert_eq!(map[b'\n' as usize], 'Ċ');
    }

    #[test]
    fn utf8_stream_holds_back_a_split_character() {
        let mut s = Utf8Stream::default();
        let snow = "☃".as_bytes();
        assert_eq!(s.push(b"a"), "a");
        assert_eq!(s.push(&snow[..1]), "");
        assert_eq!(s.push(&snow[1..]), "☃");
        assert_eq!(s.push(&[0xff]), "\u{fffd}");
        assert_eq!(s.finish(), "");
    }
}
