//! Cutting a document's sections into chunks that fit the embedding model's token budget.
//!
//! A chunk never spans two sections (headings are the strongest cut). Inside a section the text
//! is a run of words, and the gap after each word has a strength: a paragraph break, a sentence
//! end or line break, a plain space, or nothing (inside a word too long for one chunk, cut at
//! character boundaries). Each chunk takes as many words as fit, then ends at the strongest gap
//! in the second half of what fits, so chunks end on paragraphs, then sentences, then words.
//! The next chunk starts with the last words of the previous one, up to the overlap budget, from
//! a sentence start when one is in reach. Tokens are counted by a function (the embedding
//! model's tokenizer, or an estimate), and every chunk is checked with it as a whole.

use std::ops::Range;

use super::extract::Section;

/// Most bytes a chunk may hold per token of its budget: bounds chunks of text a tokenizer counts
/// as few tokens (a long run without spaces is one unknown token to some tokenizers).
const MAX_BYTES_PER_TOKEN: usize = 16;

/// How large chunks are, in tokens.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Budget {
    /// Most tokens in a chunk (at least 1).
    pub max_tokens: usize,
    /// Tokens at the end of a chunk repeated at the start of the next (less than `max_tokens`).
    pub overlap_tokens: usize,
}

impl Default for Budget {
    fn default() -> Self {
        Self {
            max_tokens: 200,
            overlap_tokens: 30,
        }
    }
}

/// A piece of a document, ready to be stored and embedded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Chunk {
    /// 0-based order in the document.
    pub position: usize,
    /// The headings above the chunk, outermost first.
    pub heading_path: Vec<String>,
    /// The text, as it is in the section (whitespace between words kept).
    pub content: String,
    /// Its length by the token counter.
    pub tokens: usize,
}

/// Cuts `sections` into chunks of at most `budget.max_tokens` tokens by `count`, in order.
pub fn chunk(sections: &[Section], budget: Budget, count: &dyn Fn(&str) -> usize) -> Vec<Chunk> {
    let mut chunks = Vec::new();
    for section in sections {
        for range in cut(&section.text, budget, count) {
            let content = section.text[range].to_owned();
            chunks.push(Chunk {
                position: chunks.len(),
                heading_path: section.heading_path.clone(),
                tokens: count(&content),
                content,
            });
        }
    }
    chunks
}

/// An estimate of a subword tokenizer's count (WordPiece, BPE) that errs high, for when the
/// embedding model's own tokenizer is not at hand: a run of ASCII letters and digits is a token
/// per six characters (common words are one), other letters a token each (CJK), and every
/// punctuation mark or symbol one.
pub fn estimate_tokens(text: &str) -> usize {
    let mut tokens = 0;
    let mut run = 0usize;
    for c in text.chars() {
        if c.is_ascii_alphanumeric() {
            run += 1;
            continue;
        }
        tokens += run.div_ceil(6);
        run = 0;
        if !c.is_whitespace() {
            tokens += 1;
        }
    }
    tokens + run.div_ceil(6)
}

/// The strength of the gap after a word.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Gap {
    /// Inside a word cut into pieces.
    Inside,
    Space,
    /// A sentence end or a line break.
    Sentence,
    /// A blank line.
    Paragraph,
}

/// A word (or a piece of one) and the gap after it.
#[derive(Debug, Clone)]
struct Atom {
    range: Range<usize>,
    tokens: usize,
    gap: Gap,
}

/// The byte ranges of `text`'s chunks, in order.
fn cut(text: &str, budget: Budget, count: &dyn Fn(&str) -> usize) -> Vec<Range<usize>> {
    let max_tokens = budget.max_tokens.max(1);
    let max_bytes = max_tokens.saturating_mul(MAX_BYTES_PER_TOKEN);
    let fits = |s: &str| s.len() <= max_bytes && count(s) <= max_tokens;
    let atoms = atoms(text, max_bytes, &fits, count);
    if atoms.is_empty() {
        return Vec::new();
    }
    // prefix[i]: the tokens of atoms[..i].
    let mut prefix = Vec::with_capacity(atoms.len() + 1);
    prefix.push(0usize);
    for atom in &atoms {
        prefix.push(prefix[prefix.len() - 1] + atom.tokens);
    }
    let span = |s: usize, e: usize| atoms[s].range.start..atoms[e - 1].range.end;
    let n = atoms.len();
    let mut ranges = Vec::new();
    // The chunk starts at atom `start`; atoms before `fresh` are in the previous chunk.
    let mut start = 0;
    let mut fresh = 0;
    loop {
        // As many atoms as fit by their own counts.
        let mut end = fresh + 1;
        while end < n
            && prefix[end + 1] - prefix[start] <= max_tokens
            && span(start, end + 1).len() <= max_bytes
        {
            end += 1;
        }
        if end < n {
            end = best_end(&atoms, &prefix, start, fresh, end);
        }
        // The counter may not add up over words: check the whole chunk, drop words until it fits.
        while end > fresh + 1 && !fits(&text[span(start, end)]) {
            end -= 1;
        }
        if start < fresh && !fits(&text[span(start, end)]) {
            // Even one new word does not fit behind the overlap: start without it.
            start = fresh;
            continue;
        }
        ranges.push(span(start, end));
        if end == n {
            return ranges;
        }
        start = overlap_start(
            &atoms,
            &prefix,
            start,
            end,
            budget.overlap_tokens,
            max_tokens,
        );
        fresh = end;
    }
}

/// Where to end a chunk that cannot take every atom up to `end`: at the strongest gap whose
/// chunk holds at least half the tokens that fit (and one new atom), the latest of equals.
fn best_end(atoms: &[Atom], prefix: &[usize], start: usize, fresh: usize, end: usize) -> usize {
    let half = prefix[start] + (prefix[end] - prefix[start]) / 2;
    let mut best = end;
    for candidate in (fresh + 1..end).rev() {
        if prefix[candidate] < half {
            break;
        }
        if atoms[candidate - 1].gap > atoms[best - 1].gap {
            best = candidate;
        }
    }
    best
}

/// Where the chunk after `start..end` starts: the earliest atom after `start` whose atoms up to
/// `end` fit in `overlap` tokens, moved to the strongest gap in reach (a sentence start rather
/// than a word); `end` (no overlap) when nothing fits or the next atom would not fit beside it.
fn overlap_start(
    atoms: &[Atom],
    prefix: &[usize],
    start: usize,
    end: usize,
    overlap: usize,
    max_tokens: usize,
) -> usize {
    let mut earliest = end;
    while earliest > start + 1 && prefix[end] - prefix[earliest - 1] <= overlap {
        earliest -= 1;
    }
    if earliest == end || prefix[end + 1] - prefix[earliest] > max_tokens {
        return end;
    }
    let mut best = earliest;
    for candidate in earliest..end {
        if atoms[candidate - 1].gap > atoms[best - 1].gap {
            best = candidate;
        }
    }
    best
}

/// The words of `text` with the gaps after them; a word that does not fit a chunk is cut into
/// the longest pieces that do, at character boundaries.
fn atoms(
    text: &str,
    max_bytes: usize,
    fits: &dyn Fn(&str) -> bool,
    count: &dyn Fn(&str) -> usize,
) -> Vec<Atom> {
    let mut words: Vec<Range<usize>> = Vec::new();
    let mut word_start = None;
    for (i, c) in text.char_indices() {
        match (c.is_whitespace(), word_start) {
            (true, Some(s)) => {
                words.push(s..i);
                word_start = None;
            }
            (false, None) => word_start = Some(i),
            _ => {}
        }
    }
    if let Some(s) = word_start {
        words.push(s..text.len());
    }
    let mut atoms = Vec::with_capacity(words.len());
    for (i, word) in words.iter().enumerate() {
        let gap = match words.get(i + 1) {
            None => Gap::Paragraph,
            Some(next) => {
                let between = &text[word.end..next.start];
                if between.matches('\n').count() >= 2 {
                    Gap::Paragraph
                } else if between.contains('\n') || ends_sentence(&text[word.clone()]) {
                    Gap::Sentence
                } else {
                    Gap::Space
                }
            }
        };
        let whole = &text[word.clone()];
        if fits(whole) {
            atoms.push(Atom {
                range: word.clone(),
                tokens: count(whole),
                gap,
            });
            continue;
        }
        let mut piece_start = word.start;
        while piece_start < word.end {
            let piece_end = longest_fitting(text, (piece_start, word.end), max_bytes, fits);
            let piece = &text[piece_start..piece_end];
            atoms.push(Atom {
                range: piece_start..piece_end,
                tokens: count(piece),
                gap: if piece_end == word.end {
                    gap
                } else {
                    Gap::Inside
                },
            });
            piece_start = piece_end;
        }
    }
    atoms
}

/// The end of the longest piece of `text[start..end]` from `start` that fits, at a character
/// boundary (at least one character), found by bisection over the first `max_bytes` bytes.
fn longest_fitting(
    text: &str,
    (start, end): (usize, usize),
    max_bytes: usize,
    fits: &dyn Fn(&str) -> bool,
) -> usize {
    let ends: Vec<usize> = text[start..end]
        .char_indices()
        .map(|(i, c)| start + i + c.len_utf8())
        .take_while(|&p| p <= start + max_bytes)
        .collect();
    let fitting = ends.partition_point(|&p| fits(&text[start..p]));
    match fitting {
        0 => start + text[start..].chars().next().map_or(1, char::len_utf8),
        k => ends[k - 1],
    }
}

/// Whether a word ends a sentence (closing quotes and brackets after the mark allowed).
fn ends_sentence(word: &str) -> bool {
    word.trim_end_matches(['"', '\'', ')', ']', '\u{201d}', '\u{2019}'])
        .ends_with([
            '.', '!', '?', '\u{2026}', '\u{3002}', '\u{ff01}', '\u{ff1f}',
        ])
}

#[cfg(test)]
#[path = "chunk_tests.rs"]
mod tests;
