//! Source-shape rules: files stay short enough to read, SQL lives in store files only, and a
//! silenced `too_many_arguments` lint says why.

use super::{SourceFile, all_rust_files, source_files};

/// The most lines a `.rs` file may have: past it, split the file by noun.
pub const MAX_LINES: usize = 700;

/// Files longer than `limit` lines, with their length.
pub fn too_long(files: &[SourceFile], limit: usize) -> Vec<String> {
    files
        .iter()
        .map(|f| (f, f.text.lines().count()))
        .filter(|(_, lines)| *lines > limit)
        .map(|(f, lines)| format!("{}: {lines} lines", f.relative))
        .collect()
}

/// Whether a file (relative to `gathering/`) may hold SQL: a `store.rs`, anything under a
/// `store/` folder, the database layer (`db/`) and the outbox, which is the event bus's store.
pub fn may_hold_sql(relative: &str) -> bool {
    relative.starts_with("db/")
        || relative == "events/outbox.rs"
        || relative.ends_with("/store.rs")
        || relative.contains("/store/")
}

const SQL_STARTS: &[&str] = &[
    "SELECT ",
    "INSERT INTO",
    "UPDATE ",
    "DELETE FROM",
    "WITH ",
    "CREATE ",
    "ALTER ",
    "DROP ",
    "LOCK ",
    "TRUNCATE ",
    "LISTEN ",
    "NOTIFY ",
];

/// The lines of non-test code that open a string literal with an SQL statement.
pub fn sql_lines(file: &SourceFile) -> Vec<usize> {
    file.non_test_code()
        .lines()
        .enumerate()
        .filter(|(_, line)| !line.trim_start().starts_with("//"))
        .filter(|(_, line)| {
            line.match_indices('"').any(|(at, _)| {
                let after = line[at + 1..].trim_start();
                SQL_STARTS.iter().any(|s| after.starts_with(s))
            })
        })
        .map(|(i, _)| i + 1)
        .collect()
}

/// Files outside the store files with SQL in their non-test code.
pub fn sql_outside_stores(files: &[SourceFile]) -> Vec<String> {
    files
        .iter()
        .filter(|f| !may_hold_sql(&f.relative))
        .filter_map(|f| {
            let lines = sql_lines(f);
            (!lines.is_empty()).then(|| format!("{}: SQL on lines {lines:?}", f.relative))
        })
        .collect()
}

/// `allow(clippy::too_many_arguments)` without `reason = "…"` in the attribute or a comment on
/// the line before.
/// (A doc comment does not count: it says what the item is, not why the lint is off.)
pub fn unexplained_allows(files: &[SourceFile]) -> Vec<String> {
    let mut found = Vec::new();
    // The tidy checks quote the attribute in their own tests.
    for f in files
        .iter()
        .filter(|f| !f.relative.starts_with("tests/tidy/"))
    {
        let lines: Vec<&str> = f.text.lines().collect();
        for (i, line) in lines.iter().enumerate() {
            if line.contains("allow(clippy::too_many_arguments")
                && !line.contains("reason")
                && !(i > 0 && is_plain_comment(lines[i - 1]))
            {
                found.push(format!("{}:{}", f.relative, i + 1));
            }
        }
    }
    found
}

/// A `//` comment, not a doc comment (`///`, `//!`), which says what the item is, not why.
fn is_plain_comment(line: &str) -> bool {
    let line = line.trim_start();
    line.starts_with("//") && !line.starts_with("///") && !line.starts_with("//!")
}

#[test]
fn every_rust_file_is_under_the_line_limit() {
    let long = too_long(&all_rust_files(), MAX_LINES);
    assert!(
        long.is_empty(),
        "files over {MAX_LINES} lines (split them by noun):\n{}",
        long.join("\n")
    );
}

#[test]
fn sql_lives_in_store_files_only() {
    let found = sql_outside_stores(&source_files());
    assert!(
        found.is_empty(),
        "SQL outside store files (move it to the module's store.rs or store/):\n{}",
        found.join("\n")
    );
}

#[test]
fn silenced_argument_counts_say_why() {
    let found = unexplained_allows(&all_rust_files());
    assert!(
        found.is_empty(),
        "allow(clippy::too_many_arguments) without a reason (prefer a named struct): {found:?}"
    );
}

// Tests of the checks themselves.

fn file(relative: &str, text: &str) -> SourceFile {
    SourceFile {
        relative: relative.to_owned(),
        text: text.to_owned(),
    }
}

#[test]
fn a_long_file_is_reported() {
    let long = "//! x\n".repeat(MAX_LINES + 1);
    let short = "//! x\n".repeat(MAX_LINES);
    let found = too_long(&[file("a.rs", &long), file("b.rs", &short)], MAX_LINES);
    assert_eq!(found, [format!("a.rs: {} lines", MAX_LINES + 1)]);
}

#[test]
fn sql_outside_a_store_is_reported() {
    let files = [
        file(
            "agents/mod.rs",
            "//! a\nlet q = client.query(\n    \"SELECT id FROM agents.agents\", &[]);\n",
        ),
        file(
            "auth/x.rs",
            "//! b\nformat!(\"UPDATE auth.users SET x = 1\")\n",
        ),
        file("agents/store.rs", "//! ok\n\"SELECT 1\"\n"),
        file("pipeline/store/runs.rs", "//! ok\n\"DELETE FROM x\"\n"),
        file(
            "agents/doc.rs",
            "//! the engine claims runs (`FOR UPDATE SKIP LOCKED`)\n// \"SELECT\" in a comment\n",
        ),
        file(
            "agents/t.rs",
            "//! t\n#[cfg(test)]\nmod tests { \"SELECT 1\"; }\n",
        ),
    ];
    let found = sql_outside_stores(&files);
    assert_eq!(
        found,
        [
            "agents/mod.rs: SQL on lines [3]",
            "auth/x.rs: SQL on lines [2]"
        ]
    );
}

#[test]
fn an_allow_without_a_reason_is_reported() {
    let files = [
        file(
            "a.rs",
            "//! a\n#[allow(clippy::too_many_arguments)]\nfn f() {}\n",
        ),
        file(
            "b.rs",
            "//! b\n// the wire protocol's arity\n#[allow(clippy::too_many_arguments)]\nfn f() {}\n",
        ),
        file(
            "c.rs",
            "//! c\n#[allow(clippy::too_many_arguments, reason = \"x\")]\nfn f() {}\n",
        ),
    ];
    assert_eq!(unexplained_allows(&files), ["a.rs:2"]);
}
