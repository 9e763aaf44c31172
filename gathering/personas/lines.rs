//! Where things are in a persona file's front matter: the file lines (1-based, the opening `---`
//! is line 1) of a top-level key, of one item of a list, and of a YAML error's marks.

use super::parse::ParseError;

/// The file line of the top-level front-matter key `key` (plain or quoted), if written on a line
/// of its own.
pub(super) fn key_line(front: &str, key: &str) -> Option<usize> {
    key_lines(front, key).next()
}

/// The file lines of each top-level front-matter key `key` (plain or quoted) written on a line of
/// its own.
fn key_lines<'a>(front: &'a str, key: &'a str) -> impl Iterator<Item = usize> + 'a {
    front.lines().enumerate().filter_map(move |(i, line)| {
        if line.starts_with(char::is_whitespace) {
            return None;
        }
        let (k, _) = line.split_once(':')?;
        let k = k.trim_end();
        let k = k
            .strip_prefix('"')
            .and_then(|k| k.strip_suffix('"'))
            .or_else(|| k.strip_prefix('\'').and_then(|k| k.strip_suffix('\'')))
            .unwrap_or(k);
        // Line 1 is the opening `---`, so the front matter's i-th (0-based) line is line i + 2.
        (k == key).then_some(i + 2)
    })
}

/// A YAML error in the front matter, its lines moved from the front matter's to the file's.
pub(super) fn yaml_error(front: &str, e: yaml_serde::Error) -> ParseError {
    let Some(location) = e.location() else {
        return ParseError::new(None, e.to_string());
    };
    // Line 1 of the front matter is line 2 of the file.
    let mark_line = location.line() + 1;
    let message = shift_marks(&e.to_string());
    // The prefix already names the line; keep only the column from the primary mark.
    let primary = format!(" at line {mark_line} column {}", location.column());
    let message = message.replacen(&primary, &format!(" (column {})", location.column()), 1);
    // serde reports a repeated key at the start of the mapping; point at the repeat instead.
    let line = message
        .strip_prefix("duplicate field `")
        .and_then(|rest| rest.split_once('`'))
        .and_then(|(key, _)| key_lines(front, key).nth(1))
        .unwrap_or(mark_line);
    ParseError::new(Some(line), message)
}

/// Rewrites each "at line N column M" in a YAML message (lines counted from the front matter's
/// first line) to count from the file's first line, which is the opening `---`.
fn shift_marks(message: &str) -> String {
    const MARK: &str = "at line ";
    let mut out = String::with_capacity(message.len());
    let mut rest = message;
    while let Some(i) = rest.find(MARK) {
        out.push_str(&rest[..i + MARK.len()]);
        rest = &rest[i + MARK.len()..];
        let digits = rest.bytes().take_while(u8::is_ascii_digit).count();
        if rest[digits..].starts_with(" column ")
            && let Ok(n) = rest[..digits].parse::<usize>()
        {
            out.push_str(&(n + 1).to_string());
            rest = &rest[digits..];
        }
    }
    out.push_str(rest);
    out
}

/// The file line of item `index` of the list under the top-level key `key`: the item's own line
/// for a block list (`- item` lines under the key), the key's line for a flow list (`[a, b]`),
/// `None` when the key is not written on a line of its own.
pub(super) fn item_line(front: &str, key: &str, index: usize) -> Option<usize> {
    let key_at = key_line(front, key)?;
    // `key_at` is a file line; the front matter's i-th (0-based) line is file line i + 2.
    let mut rest = front.lines().enumerate().skip(key_at - 2);
    let flow = rest
        .next()
        .and_then(|(_, line)| line.split_once(':'))
        .is_some_and(|(_, value)| !value.trim().is_empty() && !value.trim().starts_with('#'));
    if flow {
        return Some(key_at);
    }
    // A block list's items may be indented or not (`traits:\n- a` is YAML too); the list ends at
    // the next top-level line that is not an item, a comment or blank.
    let mut seen = 0;
    for (i, line) in rest {
        let trimmed = line.trim_start();
        let top_level = !line.starts_with(char::is_whitespace);
        if trimmed.starts_with("- ") || trimmed == "-" {
            if seen == index {
                return Some(i + 2);
            }
            seen += 1;
        } else if top_level && !trimmed.is_empty() && !trimmed.starts_with('#') {
            break;
        }
    }
    Some(key_at)
}

#[cfg(test)]
mod tests {
    use super::*;

    const FRONT: &str = "name: x\ntraits:\n  - a\n  # a comment\n\n  - b\nlanguages: [en, fr]\nskills:\n- c\n- d\n\"role\": r\n";

    #[test]
    fn finds_keys_plain_or_quoted() {
        assert_eq!(key_line(FRONT, "name"), Some(2));
        assert_eq!(key_line(FRONT, "role"), Some(12));
        assert_eq!(key_line(FRONT, "temperature"), None);
    }

    #[test]
    fn finds_items_of_block_lists_and_the_key_of_flow_lists() {
        assert_eq!(item_line(FRONT, "traits", 0), Some(4));
        assert_eq!(item_line(FRONT, "traits", 1), Some(7));
        assert_eq!(item_line(FRONT, "languages", 1), Some(8));
        assert_eq!(item_line(FRONT, "skills", 1), Some(11));
        // An item past the list's end: the key's line, never the next key's items.
        assert_eq!(item_line(FRONT, "traits", 2), Some(3));
        assert_eq!(item_line(FRONT, "missing", 0), None);
    }
}
