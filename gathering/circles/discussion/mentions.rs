//! What a message's text says about who should speak: its `@mentions`, and the participant a
//! facilitator names in its own phrasings ("ask Bob", "Bob, what do you think?"). Pure text work.

/// The `@name` tokens of a text in order, each once (compared without case), as written and
/// without the `@`. A name is letters, digits and `-_.`; a trailing `.` ends the sentence, not
/// the name. An `@` inside a word (`a@b.c`, an e-mail address) is no mention.
pub fn mentions(text: &str) -> Vec<String> {
    let mut found: Vec<String> = Vec::new();
    let mut before: Option<char> = None;
    for (at, c) in text.char_indices() {
        if c == '@' && !before.is_some_and(is_address_char) {
            let rest = &text[at + 1..];
            let end = rest
                .find(|ch: char| !is_name_char(ch))
                .unwrap_or(rest.len());
            let token = rest[..end].trim_end_matches('.');
            if !token.is_empty() && !found.iter().any(|f| same_name(f, token)) {
                found.push(token.to_owned());
            }
        }
        before = Some(c);
    }
    found
}

/// Whether two names are the same, without case (`Zoé` = `zoé`) and without a leading `@`.
pub fn same_name(a: &str, b: &str) -> bool {
    let a = a.strip_prefix('@').unwrap_or(a);
    let b = b.strip_prefix('@').unwrap_or(b);
    a.chars()
        .flat_map(char::to_lowercase)
        .eq(b.chars().flat_map(char::to_lowercase))
}

/// The index in `names` of the first name (by its place in `text`) that the text hands the word
/// to, in a facilitator's phrasings, without case and as a whole word:
/// - `@Name`;
/// - `Name, ...` at the start of the text, a line or a sentence (after `.`, `!`, `?`, `:`);
/// - `Name, what do you think` anywhere;
/// - `ask Name` / `asking Name`, `hear from Name`, `over to Name`, `turn to Name`.
///
/// A name merely spoken of ("thanks Bob, good point") is not handed the word.
pub fn named(text: &str, names: &[&str]) -> Option<usize> {
    let words = words(text);
    for (i, word) in words.iter().enumerate() {
        let Some(index) = names.iter().position(|n| same_name(n, word.text)) else {
            continue;
        };
        let before = &text[..word.start];
        let after = text[word.end..].trim_start_matches(['*', '`']);
        let addressed = before.ends_with('@')
            || (after.starts_with(',') && at_sentence_start(before))
            || after
                .strip_prefix(',')
                .is_some_and(|rest| starts_with_words(rest, &["what", "do", "you", "think"]))
            || preceded_by(&words, text, i, &["ask"])
            || preceded_by(&words, text, i, &["asking"])
            || preceded_by(&words, text, i, &["hear", "from"])
            || preceded_by(&words, text, i, &["over", "to"])
            || preceded_by(&words, text, i, &["turn", "to"]);
        if addressed {
            return Some(index);
        }
    }
    None
}

fn is_name_char(c: char) -> bool {
    c.is_alphanumeric() || matches!(c, '-' | '_' | '.')
}

/// A character that, just before an `@`, makes it part of an address rather than a mention.
fn is_address_char(c: char) -> bool {
    c.is_alphanumeric() || matches!(c, '-' | '_' | '.' | '+')
}

fn is_word_char(c: char) -> bool {
    c.is_alphanumeric() || matches!(c, '-' | '_')
}

/// A word of a text and where it lies (byte offsets).
struct Word<'t> {
    start: usize,
    end: usize,
    text: &'t str,
}

fn words(text: &str) -> Vec<Word<'_>> {
    let mut out = Vec::new();
    let mut start = None;
    for (at, c) in text.char_indices() {
        match (is_word_char(c), start) {
            (true, None) => start = Some(at),
            (false, Some(s)) => {
                out.push(Word {
                    start: s,
                    end: at,
                    text: &text[s..at],
                });
                start = None;
            }
            _ => {}
        }
    }
    if let Some(s) = start {
        out.push(Word {
            start: s,
            end: text.len(),
            text: &text[s..],
        });
    }
    out
}

/// Whether the text before a word ends a sentence: nothing, or a line break or `.!?:` followed
/// by spaces and markup (`*`, `_`, quotes, `>`, `-`, `#`).
fn at_sentence_start(before: &str) -> bool {
    let trimmed = before.trim_end_matches(|c: char| {
        (c.is_whitespace() && c != '\n')
            || matches!(
                c,
                '*' | '_' | '"' | '\'' | '“' | '«' | '>' | '-' | '#' | '`'
            )
    });
    trimmed.is_empty() || trimmed.ends_with(['\n', '.', '!', '?', ':', '…'])
}

/// Whether `text` starts (after spaces) with these words, without case, as whole words.
fn starts_with_words(text: &str, expected: &[&str]) -> bool {
    let found = words(text);
    found.len() >= expected.len()
        && found
            .first()
            .is_some_and(|w| text[..w.start].trim().is_empty())
        && expected.iter().enumerate().all(|(k, e)| {
            same_name(found[k].text, e)
                && (k == 0 || text[found[k - 1].end..found[k].start].trim().is_empty())
        })
}

/// Whether the words just before `words[i]` are `phrase`, separated by spaces only.
fn preceded_by(words: &[Word<'_>], text: &str, i: usize, phrase: &[&str]) -> bool {
    if i < phrase.len() {
        return false;
    }
    let first = i - phrase.len();
    phrase.iter().enumerate().all(|(k, p)| {
        let w = &words[first + k];
        let next = &words[first + k + 1];
        same_name(w.text, p) && text[w.end..next.start].chars().all(char::is_whitespace)
    })
}

#[cfg(test)]
#[path = "mentions_tests.rs"]
mod tests;
