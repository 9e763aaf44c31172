//! The scan that runs before the CEL parser (nesting and operator counts, strings and
//! comments skipped) and the errors of scanning and parsing, with where in the source they are.

use super::*;

/// Refuses nesting deeper than [`MAX_NESTING`] and more than [`MAX_OPERATORS`] operators,
/// skipping string literals and comments, so that the parser never recurses deeply. It is not a
/// lexer: what it cannot make sense of it leaves to the parser, which reports it.
pub(super) fn scan(source: &str) -> Result<(), ExprError> {
    let bytes = source.as_bytes();
    let mut depth = 0usize;
    let mut operators = 0usize;
    let mut i = 0usize;
    while i < bytes.len() {
        let b = bytes[i];
        match b {
            b'\'' | b'"' => i = skip_string(bytes, i, false),
            b'/' if bytes.get(i + 1) == Some(&b'/') => {
                while i < bytes.len() && bytes[i] != b'\n' {
                    i += 1;
                }
            }
            b'0'..=b'9' => i = skip_number(bytes, i),
            b'A'..=b'Z' | b'a'..=b'z' | b'_' => {
                let start = i;
                while i < bytes.len() && (bytes[i].is_ascii_alphanumeric() || bytes[i] == b'_') {
                    i += 1;
                }
                let word = &source[start..i];
                if word == "in" {
                    operators += 1;
                }
                if matches!(bytes.get(i), Some(b'\'' | b'"')) && is_string_prefix(word) {
                    let raw = word.contains(['r', 'R']);
                    i = skip_string(bytes, i, raw);
                }
            }
            b'(' | b'[' | b'{' => {
                depth += 1;
                if depth > MAX_NESTING {
                    return Err(scan_error(
                        source,
                        i,
                        format!(
                            "the expression nests parentheses, brackets and braces deeper than \
                             {MAX_NESTING}"
                        ),
                    ));
                }
                if b == b'[' {
                    operators += 1;
                }
                i += 1;
            }
            b')' | b']' | b'}' => {
                depth = depth.saturating_sub(1);
                i += 1;
            }
            b'+' | b'-' | b'*' | b'/' | b'%' | b'<' | b'>' | b'=' | b'!' | b'&' | b'|' | b'?'
            | b'.' => {
                operators += 1;
                let pair = [b, bytes.get(i + 1).copied().unwrap_or(0)];
                i += if matches!(&pair, b"&&" | b"||" | b"==" | b"!=" | b"<=" | b">=") {
                    2
                } else {
                    1
                };
            }
            _ => i += 1,
        }
        if operators > MAX_OPERATORS {
            return Err(scan_error(
                source,
                i.saturating_sub(1),
                format!("the expression has more than {MAX_OPERATORS} operators"),
            ));
        }
    }
    Ok(())
}

/// Whether `word` can prefix a string literal: `r`, `b`, or both, in any case and order.
fn is_string_prefix(word: &str) -> bool {
    matches!(word.to_ascii_lowercase().as_str(), "r" | "b" | "rb" | "br")
}

/// The index just past the string literal whose opening quote is at `start` (or the end of the
/// source, unterminated: the parser will say so).
fn skip_string(bytes: &[u8], start: usize, raw: bool) -> usize {
    let quote = bytes[start];
    let triple = bytes.get(start + 1) == Some(&quote) && bytes.get(start + 2) == Some(&quote);
    let mut i = start + if triple { 3 } else { 1 };
    while i < bytes.len() {
        let b = bytes[i];
        if b == b'\\' && !raw {
            i += 2;
        } else if b == quote
            && (!triple || (bytes.get(i + 1) == Some(&quote) && bytes.get(i + 2) == Some(&quote)))
        {
            return i + if triple { 3 } else { 1 };
        } else {
            i += 1;
        }
    }
    bytes.len()
}

/// The index just past the numeric literal starting at `start`: digits, letters (hexadecimal,
/// `u`, exponents), dots, and a sign right after a decimal exponent's `e`.
fn skip_number(bytes: &[u8], start: usize) -> usize {
    let hex = bytes
        .get(start + 1)
        .is_some_and(|b| matches!(b, b'x' | b'X'))
        && bytes[start] == b'0';
    let mut i = start;
    while i < bytes.len() {
        let b = bytes[i];
        let signed_exponent =
            matches!(b, b'+' | b'-') && !hex && matches!(bytes[i - 1], b'e' | b'E');
        if b.is_ascii_alphanumeric() || b == b'.' || b == b'_' || signed_exponent {
            i += 1;
        } else {
            break;
        }
    }
    i
}

/// An error of the scan at the byte `index`: its 1-based column, in characters on its line, and
/// its line in the message if the source has several.
fn scan_error(source: &str, index: usize, message: String) -> ExprError {
    let index = (0..=index.min(source.len()))
        .rev()
        .find(|&i| source.is_char_boundary(i))
        .unwrap_or(0);
    let before = &source[..index];
    let line_start = before.rfind('\n').map_or(0, |n| n + 1);
    let column = source[line_start..index].chars().count() + 1;
    if source.contains('\n') {
        let line = before.matches('\n').count() + 1;
        ExprError::at(format!("{message} (line {line})"), column)
    } else {
        ExprError::at(message, column)
    }
}

/// The parser's first error (the one it places earliest, its internal "Incomplete" notes
/// passed over), with its column, and its line in the message if the source has several.
pub(super) fn parse_error(source: &str, errors: &cel::ParseErrors) -> ExprError {
    let first = errors
        .errors
        .iter()
        .find(|e| !e.msg.starts_with("Incomplete"))
        .or_else(|| errors.errors.first());
    let Some(first) = first else {
        return ExprError::new("syntax error");
    };
    let (line, col) = first.pos;
    // cel's own limit on nested subexpressions (which ternaries reach before the scan's bounds)
    // comes as a debug dump
    let msg = if first.msg.contains("Recursion limit of") {
        "the expression nests subexpressions too deeply"
    } else {
        first
            .msg
            .strip_prefix("Syntax error: ")
            .unwrap_or(&first.msg)
    };
    let more = match errors.errors.len() {
        0 | 1 => String::new(),
        n => format!(" (and {} more)", n - 1),
    };
    // the column goes in its field only (callers add it), the line in the message when there
    // are several
    let place = if source.contains('\n') && line > 0 {
        format!(" on line {line}")
    } else {
        String::new()
    };
    let message = format!("syntax error{place}: {msg}{more}");
    match usize::try_from(col) {
        Ok(col) if col > 0 => ExprError::at(message, col),
        _ => ExprError::new(message),
    }
}
