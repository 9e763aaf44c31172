//! Tests of the chunker: named cases, and properties over generated text (no chunk over the
//! budget, no text lost, order kept) with two token counters that disagree.

use proptest::prelude::*;

use super::*;

fn words(s: &str) -> usize {
    s.split_whitespace().count()
}

/// About four characters a token, like a subword tokenizer; not additive over words.
fn quarter_chars(s: &str) -> usize {
    s.chars().count().div_ceil(4)
}

fn budget(max_tokens: usize, overlap_tokens: usize) -> Budget {
    Budget {
        max_tokens,
        overlap_tokens,
    }
}

fn pieces(text: &str, b: Budget, count: &dyn Fn(&str) -> usize) -> Vec<String> {
    cut(text, b, count)
        .into_iter()
        .map(|r| text[r].to_owned())
        .collect()
}

#[test]
fn short_text_is_one_chunk() {
    assert_eq!(
        pieces("  One short paragraph.  ", budget(10, 2), &words),
        vec!["One short paragraph."]
    );
    assert!(pieces(" \n\n ", budget(10, 2), &words).is_empty());
}

#[test]
fn chunks_end_on_paragraphs_before_sentences_before_words() {
    let text = "one two three four five six.\n\nseven eight. nine ten eleven twelve";
    // Seven words fit: the paragraph break after six is the cut.
    assert_eq!(
        pieces(text, budget(8, 0), &words),
        vec![
            "one two three four five six.",
            "seven eight. nine ten eleven twelve"
        ]
    );
    // Without a paragraph break in reach, the sentence end is.
    let text = "a b c. d e f g h i";
    assert_eq!(
        pieces(text, budget(5, 0), &words),
        vec!["a b c.", "d e f g h", "i"]
    );
}

#[test]
fn the_next_chunk_repeats_the_overlap_from_a_sentence_start() {
    let text = "a b. c d e f g h i j";
    let got = pieces(text, budget(6, 5), &words);
    assert_eq!(got[0], "a b. c d e f");
    // Five words back reach "b.": the overlap starts at the sentence after it.
    assert!(got[1].starts_with("c d e f g"), "{got:?}");
    assert!(got.last().unwrap().ends_with('j'));
}

#[test]
fn a_word_longer_than_the_budget_is_cut_at_characters() {
    let long = "é".repeat(30);
    let text = format!("start {long} end");
    let got = pieces(&text, budget(3, 0), &quarter_chars);
    assert!(got.iter().all(|c| quarter_chars(c) <= 3), "{got:?}");
    assert_eq!(got.concat().replace(' ', ""), text.replace(' ', ""));
}

#[test]
fn a_run_the_counter_calls_one_token_is_bounded_in_bytes() {
    let one_token = |_: &str| 1;
    let text = "x".repeat(10_000);
    let got = cut(&text, budget(4, 0), &one_token);
    assert!(got.iter().all(|r| r.len() <= 4 * MAX_BYTES_PER_TOKEN));
    assert_eq!(got.last().unwrap().end, text.len());
}

#[test]
fn chunks_keep_their_section_and_a_running_position() {
    let sections = vec![
        Section {
            heading_path: vec!["A".into()],
            text: "one two three".into(),
        },
        Section {
            heading_path: vec!["A".into(), "B".into()],
            text: "four five".into(),
        },
    ];
    let got = chunk(&sections, budget(2, 0), &words);
    let summary: Vec<_> = got
        .iter()
        .map(|c| {
            (
                c.position,
                c.heading_path.join("/"),
                c.content.as_str(),
                c.tokens,
            )
        })
        .collect();
    assert_eq!(
        summary,
        vec![
            (0, "A".into(), "one two", 2),
            (1, "A".into(), "three", 1),
            (2, "A/B".into(), "four five", 2),
        ]
    );
}

#[test]
fn the_estimate_counts_words_marks_and_other_letters() {
    assert_eq!(estimate_tokens(""), 0);
    assert_eq!(estimate_tokens("The heron flies."), 4);
    assert_eq!(estimate_tokens("internationalization"), 4);
    assert_eq!(estimate_tokens("caf\u{e9} \u{6771}\u{4eac}"), 4);
}

/// Text from words, sentence ends, long runs, line and paragraph breaks.
fn text() -> impl Strategy<Value = String> {
    let part = prop_oneof![
        6 => "[a-z]{1,8}",
        2 => "[a-z]{1,6}[.!?]",
        1 => "[a-zé]{20,70}",
        1 => Just("\n".to_owned()),
        1 => Just("\n\n".to_owned()),
        1 => Just("  ".to_owned()),
    ];
    proptest::collection::vec(part, 0..120).prop_map(|parts| parts.join(" "))
}

/// Checks the ranges of `text` against the budget: each fits, each is non-blank at both ends,
/// they start in order, and what lies between one chunk's end and the next start is whitespace.
fn check(text: &str, b: Budget, count: &dyn Fn(&str) -> usize) -> Result<(), TestCaseError> {
    let ranges = cut(text, b, count);
    let trimmed = text.trim();
    if trimmed.is_empty() {
        prop_assert!(ranges.is_empty());
        return Ok(());
    }
    let first = text.len() - text.trim_start().len();
    prop_assert_eq!(ranges[0].start, first, "text lost at the start");
    prop_assert_eq!(
        ranges.last().map(|r| r.end),
        Some(first + trimmed.len()),
        "text lost at the end"
    );
    for (i, r) in ranges.iter().enumerate() {
        let piece = &text[r.clone()];
        prop_assert!(
            count(piece) <= b.max_tokens || piece.chars().count() == 1,
            "chunk {} over the budget: {:?} = {}",
            i,
            piece,
            count(piece)
        );
        prop_assert!(piece.len() <= b.max_tokens * MAX_BYTES_PER_TOKEN);
        prop_assert_eq!(piece.trim(), piece);
        if i > 0 {
            let before = &ranges[i - 1];
            prop_assert!(r.start > before.start, "order lost at chunk {}", i);
            prop_assert!(r.end > before.end, "chunk {} adds nothing", i);
            if r.start > before.end {
                prop_assert!(
                    text[before.end..r.start].trim().is_empty(),
                    "text lost between chunks {} and {}",
                    i - 1,
                    i
                );
            }
        }
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    #[test]
    fn chunks_fit_lose_nothing_and_keep_order_by_words(
        text in text(),
        max in 1usize..40,
        overlap in 0usize..20,
    ) {
        check(&text, budget(max, overlap.min(max.saturating_sub(1))), &words)?;
    }

    #[test]
    fn chunks_fit_lose_nothing_and_keep_order_by_characters(
        text in text(),
        max in 1usize..40,
        overlap in 0usize..20,
    ) {
        check(&text, budget(max, overlap.min(max.saturating_sub(1))), &quarter_chars)?;
    }

    #[test]
    fn chunks_fit_lose_nothing_and_keep_order_by_the_estimate(
        text in text(),
        max in 1usize..40,
        overlap in 0usize..20,
    ) {
        check(&text, budget(max, overlap.min(max.saturating_sub(1))), &estimate_tokens)?;
    }

    #[test]
    fn overlap_is_within_its_budget(text in text(), max in 4usize..30) {
        let overlap = max / 3;
        let ranges = cut(&text, budget(max, overlap), &words);
        for pair in ranges.windows(2) {
            if pair[1].start < pair[0].end {
                let repeated = &text[pair[1].start..pair[0].end];
                prop_assert!(words(repeated) <= overlap, "{:?}", repeated);
            }
        }
    }
}
