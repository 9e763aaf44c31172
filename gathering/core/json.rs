//! The limits every JSON value obeys, in one place: how deep it may nest and that it holds no
//! NUL character (PostgreSQL refuses `\u0000` in `text` and `jsonb`). Request bodies are checked
//! at the edge ([`scan`], then [`nul_path`] to name the field), computed values before they are
//! stored ([`check_depth`]), and what is written to long-lived tables is clamped ([`clamp`]) so
//! no stored row can be deeper than a reader can decode.
//!
//! Why 64: `serde_json`, and so every `jsonb` read through tokio-postgres, refuses values nested
//! 128 levels or more. A value accepted at [`MAX_DEPTH`] may be wrapped by the server (an event's
//! `data`, a run's outputs keyed by node, a fan-out's list of item results) and still read back:
//! [`STORED_MAX_DEPTH`] is the hard ceiling those wrappers never cross.

use std::borrow::Cow;
use std::fmt::Write as _;

use serde_json::Value;

/// The deepest nesting of arrays and objects a client may send or an expression may compute
/// (`[]` is depth 1, `[[1]]` depth 2).
pub const MAX_DEPTH: usize = 64;

/// The deepest nesting that may reach a `jsonb` column: anything deeper is clamped before it
/// is written. Below `serde_json`'s 128, so every stored value reads back.
pub const STORED_MAX_DEPTH: usize = 100;

/// How deep `value` nests (0 for a scalar). Iterative: no recursion on hostile input.
pub fn depth(value: &Value) -> usize {
    let mut deepest = 0;
    let mut stack: Vec<(&Value, usize)> = vec![(value, 0)];
    while let Some((value, level)) = stack.pop() {
        match value {
            Value::Array(items) => {
                deepest = deepest.max(level + 1);
                stack.extend(items.iter().map(|v| (v, level + 1)));
            }
            Value::Object(entries) => {
                deepest = deepest.max(level + 1);
                stack.extend(entries.values().map(|v| (v, level + 1)));
            }
            _ => {}
        }
    }
    deepest
}

/// A value nested deeper than allowed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("the value is nested {depth} levels deep; at most {limit} are allowed")]
pub struct TooDeep {
    pub depth: usize,
    pub limit: usize,
}

/// Refuses a computed value nested deeper than [`MAX_DEPTH`].
pub fn check_depth(value: &Value) -> Result<(), TooDeep> {
    let depth = depth(value);
    if depth > MAX_DEPTH {
        return Err(TooDeep {
            depth,
            limit: MAX_DEPTH,
        });
    }
    Ok(())
}

/// Replaces every array or object nested deeper than `max` with a string saying so; returns
/// whether anything was replaced. The value's shape above `max` is kept.
pub fn clamp(value: &mut Value, max: usize) -> bool {
    if depth(value) <= max {
        return false;
    }
    let mut stack: Vec<(&mut Value, usize)> = vec![(value, 0)];
    while let Some((value, level)) = stack.pop() {
        let container = matches!(value, Value::Array(_) | Value::Object(_));
        if container && level >= max {
            *value = Value::String(format!("[removed: nested deeper than {max} levels]"));
            continue;
        }
        match value {
            Value::Array(items) => stack.extend(items.iter_mut().map(|v| (v, level + 1))),
            Value::Object(entries) => stack.extend(entries.values_mut().map(|v| (v, level + 1))),
            _ => {}
        }
    }
    true
}

/// `value` as it may be written to a `jsonb` column: untouched (borrowed) when it nests no
/// deeper than [`STORED_MAX_DEPTH`], else a copy clamped to it ([`clamp`]), so the row always
/// reads back.
pub fn storable(value: &Value) -> Cow<'_, Value> {
    if depth(value) <= STORED_MAX_DEPTH {
        return Cow::Borrowed(value);
    }
    let mut clamped = value.clone();
    clamp(&mut clamped, STORED_MAX_DEPTH);
    Cow::Owned(clamped)
}

/// The path of the first string or key holding a NUL character, as `a.b[2]` (`$` for the
/// value itself), or `None`.
pub fn nul_path(value: &Value) -> Option<String> {
    // (value, path of the value)
    let mut stack: Vec<(&Value, String)> = vec![(value, String::new())];
    while let Some((value, path)) = stack.pop() {
        match value {
            Value::String(s) if s.contains('\0') => {
                return Some(if path.is_empty() { "$".into() } else { path });
            }
            Value::Array(items) => {
                for (i, item) in items.iter().enumerate().rev() {
                    let mut p = path.clone();
                    let _ = write!(p, "[{i}]");
                    stack.push((item, p));
                }
            }
            Value::Object(entries) => {
                for (key, item) in entries.iter().rev() {
                    let p = if path.is_empty() {
                        key.clone()
                    } else {
                        format!("{path}.{key}")
                    };
                    if key.contains('\0') {
                        return Some(p.replace('\0', "\\u0000"));
                    }
                    stack.push((item, p));
                }
            }
            _ => {}
        }
    }
    None
}

/// What a linear pass over raw JSON text found, without building a value.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Scan {
    /// The deepest nesting of `[` and `{` outside strings.
    pub depth: usize,
    /// A `\u0000` escape appears inside a string.
    pub nul: bool,
}

/// Scans raw JSON text in one pass: nesting depth and `\u0000` escapes. Invalid JSON is not
/// refused here (the parser does that); the scan only bounds what the parser will be asked to
/// build, and stops counting once `stop_past` levels are exceeded.
pub fn scan(bytes: &[u8], stop_past: usize) -> Scan {
    let mut found = Scan::default();
    let mut level = 0usize;
    let mut in_string = false;
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        if in_string {
            match b {
                b'\\' => {
                    let escape = bytes.get(i + 1..i + 6);
                    if escape.is_some_and(|e| e.eq_ignore_ascii_case(b"u0000")) {
                        found.nul = true;
                    }
                    i += 2;
                    continue;
                }
                b'"' => in_string = false,
                _ => {}
            }
        } else {
            match b {
                b'"' => in_string = true,
                b'[' | b'{' => {
                    level += 1;
                    if level > found.depth {
                        found.depth = level;
                        if level > stop_past {
                            return found;
                        }
                    }
                }
                b']' | b'}' => level = level.saturating_sub(1),
                _ => {}
            }
        }
        i += 1;
    }
    found
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use serde_json::json;

    fn nested(levels: usize) -> Value {
        let mut v = json!(1);
        for _ in 0..levels {
            v = json!([v]);
        }
        v
    }

    #[test]
    fn depth_counts_containers() {
        assert_eq!(depth(&json!(1)), 0);
        assert_eq!(depth(&json!([])), 1);
        assert_eq!(depth(&json!({"a": [1, {"b": 2}]})), 3);
        assert_eq!(depth(&nested(300)), 300);
        assert!(check_depth(&nested(MAX_DEPTH)).is_ok());
        assert_eq!(
            check_depth(&nested(MAX_DEPTH + 1)),
            Err(TooDeep {
                depth: MAX_DEPTH + 1,
                limit: MAX_DEPTH
            })
        );
    }

    #[test]
    fn clamping_keeps_the_top_and_reads_back() {
        let mut v = json!({"keep": 1, "deep": nested(200)});
        assert!(clamp(&mut v, STORED_MAX_DEPTH));
        assert_eq!(depth(&v), STORED_MAX_DEPTH);
        assert_eq!(v["keep"], 1);
        let text = serde_json::to_string(&v).unwrap();
        let back: Value = serde_json::from_str(&text).expect("a clamped value parses");
        assert_eq!(back, v);
        let mut shallow = json!({"a": [1]});
        assert!(!clamp(&mut shallow, 2));
    }

    #[test]
    fn nul_is_found_in_values_and_keys_with_its_path() {
        assert_eq!(nul_path(&json!({"a": "x"})), None);
        assert_eq!(nul_path(&json!("a\0")), Some("$".into()));
        assert_eq!(
            nul_path(&json!({"a": {"b": [1, "x\u{0}y"]}})),
            Some("a.b[1]".into())
        );
        assert_eq!(
            nul_path(&json!({"ok": {"k\u{0}": 1}})),
            Some("ok.k\\u0000".into())
        );
    }

    fn arb_json() -> impl Strategy<Value = Value> {
        let leaf = prop_oneof![
            Just(Value::Null),
            any::<bool>().prop_map(Value::Bool),
            any::<i64>().prop_map(|n| json!(n)),
            // Strings with brackets, quotes, backslashes and NULs: what could fool a scanner.
            "[\\[\\]{}\"\\\\a\u{0}u0]{0,8}".prop_map(Value::String),
        ];
        leaf.prop_recursive(12, 64, 4, |inner| {
            prop_oneof![
                prop::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
                prop::collection::btree_map("[a-z\\[\"\u{0}]{0,3}", inner, 0..4)
                    .prop_map(|m| Value::Object(m.into_iter().collect())),
            ]
        })
    }

    proptest! {
        /// The edge's one-pass scan agrees with the parsed value: the same depth, and a NUL
        /// flagged exactly when one is there to name; clamping always reads back.
        #[test]
        fn prop_the_scan_agrees_with_the_value(value in arb_json()) {
            let text = serde_json::to_string(&value).unwrap();
            let scan = scan(text.as_bytes(), usize::MAX);
            prop_assert_eq!(scan.depth, depth(&value));
            prop_assert_eq!(scan.nul, nul_path(&value).is_some());
            let mut clamped = value.clone();
            clamp(&mut clamped, 3);
            prop_assert!(depth(&clamped) <= 3);
        }
    }

    #[test]
    fn scanning_matches_parsing() {
        let text = serde_json::to_string(&nested(90)).unwrap();
        assert_eq!(scan(text.as_bytes(), usize::MAX).depth, 90);
        assert_eq!(scan(text.as_bytes(), 10).depth, 11, "stops early");
        // Brackets inside strings and escaped quotes do not count.
        let tricky = br#"{"a": "[[[{{\"[", "b": ["\\"]}"#;
        assert_eq!(
            scan(tricky, usize::MAX),
            Scan {
                depth: 2,
                nul: false
            }
        );
        assert!(scan(br#"{"a": "x\u0000"}"#, 64).nul);
        assert!(scan(br#"{"a": "x\U0000"}"#, 64).nul);
        assert!(
            !scan(br#"{"a": "x\\u0000"}"#, 64).nul,
            "an escaped backslash"
        );
    }
}
