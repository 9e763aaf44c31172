//! The path guard: turns a user-supplied relative path into a path that stays inside a root
//! directory. Every feature that touches files on a user's say-so goes through `resolve_within`.
//!
//! Two layers. [`normalise`] is pure and lexical: it percent-decodes until the text settles, then
//! rejects NUL bytes, backslashes, absolute paths, drive prefixes, `..` components and oversized
//! input, and drops empty and `.` components. [`resolve_within`] joins the result to the
//! canonical root and walks the part of it that exists, refusing any symbolic link whose target
//! leaves the root. It reads only metadata (`symlink_metadata`, `canonicalize`), never contents.
//!
//! What the guard cannot see: a symlink or hard link created after the check (check-then-use is
//! inherently racy; callers that need more should open with `O_NOFOLLOW` as well), and hard links
//! that already exist (they are indistinguishable from ordinary files).

use std::fs;
use std::io;
use std::path::{Component, Path, PathBuf};

/// Longest accepted path, in bytes, after decoding.
pub const MAX_PATH_BYTES: usize = 4096;
/// Longest accepted single component (file or directory name), in bytes, after decoding.
pub const MAX_NAME_BYTES: usize = 255;
/// Longest raw input looked at; bounds the work the repeated decoding can be made to do.
pub const MAX_INPUT_BYTES: usize = 4 * MAX_PATH_BYTES;
/// Percent-decoding passes allowed; text still changing after this many is refused.
pub const MAX_DECODE_ROUNDS: usize = 8;

/// Why a user path was refused. Messages name the problem and never echo the input.
#[derive(Debug, thiserror::Error)]
pub enum PathError {
    #[error("the path is empty")]
    Empty,
    #[error("the path contains a NUL byte")]
    Nul,
    #[error("the path's encoding is invalid: {reason}")]
    Encoding { reason: &'static str },
    #[error("the path is absolute or has a drive prefix; give a path relative to the root")]
    Absolute,
    #[error("the path contains a backslash")]
    Backslash,
    #[error("the path contains a `..` component")]
    Traversal,
    #[error("the path is {len} bytes long; the limit is {max}")]
    TooLong { len: usize, max: usize },
    #[error("a name in the path is {len} bytes long; the limit is {max}")]
    NameTooLong { len: usize, max: usize },
    #[error(
        "the path goes through a symbolic link that leads outside the root or cannot be followed"
    )]
    EscapesRoot,
    #[error("the root directory cannot be used: {0}")]
    RootUnavailable(#[source] io::Error),
    #[error("the filesystem could not be read while checking the path: {0}")]
    Unreadable(#[source] io::Error),
}

/// Resolves `user_path` against `root` and returns the absolute path it names, under the
/// canonicalised root. The tail of the path need not exist (a file about to be created), but
/// every existing symbolic link along it must resolve inside the root; a dangling link is refused.
pub fn resolve_within(root: &Path, user_path: &str) -> Result<PathBuf, PathError> {
    let relative = normalise(user_path)?;
    let root = fs::canonicalize(root).map_err(PathError::RootUnavailable)?;
    let meta = fs::metadata(&root).map_err(PathError::RootUnavailable)?;
    if !meta.is_dir() {
        return Err(PathError::RootUnavailable(io::Error::new(
            io::ErrorKind::NotADirectory,
            "the root is not a directory",
        )));
    }

    let mut current = root.clone();
    for component in relative.components() {
        current.push(component);
        match fs::symlink_metadata(&current) {
            Ok(meta) if meta.file_type().is_symlink() => {
                // Canonicalising the whole prefix also resolves any link before this one.
                let target = fs::canonicalize(&current).map_err(|_| PathError::EscapesRoot)?;
                if !target.starts_with(&root) {
                    return Err(PathError::EscapesRoot);
                }
            }
            Ok(_) => {}
            // Nothing exists from here on: the rest is a path still to be created.
            Err(e)
                if matches!(
                    e.kind(),
                    io::ErrorKind::NotFound | io::ErrorKind::NotADirectory
                ) =>
            {
                break;
            }
            Err(e) => return Err(PathError::Unreadable(e)),
        }
    }
    Ok(root.join(relative))
}

/// The lexical half of the guard, without I/O: decodes, checks and normalises `user_path` into a
/// non-empty relative path made only of ordinary names (`a/./b//c` becomes `a/b/c`).
pub fn normalise(user_path: &str) -> Result<PathBuf, PathError> {
    if user_path.is_empty() {
        return Err(PathError::Empty);
    }
    if user_path.len() > MAX_INPUT_BYTES {
        return Err(PathError::TooLong {
            len: user_path.len(),
            max: MAX_INPUT_BYTES,
        });
    }
    if user_path.contains('\0') {
        return Err(PathError::Nul);
    }
    let decoded = decode_until_stable(user_path)?;
    if decoded.contains('\0') {
        return Err(PathError::Nul);
    }
    if decoded.len() > MAX_PATH_BYTES {
        return Err(PathError::TooLong {
            len: decoded.len(),
            max: MAX_PATH_BYTES,
        });
    }
    if decoded.starts_with('/') || has_drive_prefix(&decoded) {
        return Err(PathError::Absolute);
    }
    if decoded.contains('\\') {
        return Err(PathError::Backslash);
    }

    let mut out = PathBuf::new();
    for name in decoded.split('/') {
        match name {
            "" | "." => continue,
            ".." => return Err(PathError::Traversal),
            _ if name.len() > MAX_NAME_BYTES => {
                return Err(PathError::NameTooLong {
                    len: name.len(),
                    max: MAX_NAME_BYTES,
                });
            }
            _ => out.push(name),
        }
    }
    // Belt and braces: what we built must be ordinary names only.
    if !out.components().all(|c| matches!(c, Component::Normal(_))) {
        return Err(PathError::Traversal);
    }
    if out.as_os_str().is_empty() {
        return Err(PathError::Empty);
    }
    Ok(out)
}

/// `C:`-style prefix: an ASCII letter then a colon at the very start.
fn has_drive_prefix(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() >= 2 && b[0].is_ascii_alphabetic() && b[1] == b':'
}

/// Percent-decodes repeatedly until a pass changes nothing, so `%252e` cannot hide a `.`.
fn decode_until_stable(input: &str) -> Result<String, PathError> {
    let mut current = input.to_owned();
    for _ in 0..MAX_DECODE_ROUNDS {
        let next = percent_decode(&current)?;
        if next == current {
            return Ok(current);
        }
        current = next;
    }
    Err(PathError::Encoding {
        reason: "percent-encoding does not settle",
    })
}

/// One pass of percent-decoding. A `%` not followed by two hex digits stays as it is (so
/// `100%.txt` is an ordinary name); decoded bytes must form UTF-8.
fn percent_decode(input: &str) -> Result<String, PathError> {
    let bytes = input.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hi = bytes.get(i + 1).and_then(|&b| hex_value(b));
            let lo = bytes.get(i + 2).and_then(|&b| hex_value(b));
            if let (Some(hi), Some(lo)) = (hi, lo) {
                out.push(hi << 4 | lo);
                i += 3;
                continue;
            }
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8(out).map_err(|_| PathError::Encoding {
        reason: "percent-escapes do not decode to UTF-8",
    })
}

fn hex_value(b: u8) -> Option<u8> {
    match b {
        b'0'..=b'9' => Some(b - b'0'),
        b'a'..=b'f' => Some(b - b'a' + 10),
        b'A'..=b'F' => Some(b - b'A' + 10),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use std::os::unix::fs::symlink;

    use proptest::prelude::*;
    use proptest::test_runner::{Config, TestRunner};

    use super::*;

    fn norm(s: &str) -> Result<PathBuf, PathError> {
        normalise(s)
    }

    #[test]
    fn ordinary_names_with_dots_are_accepted() {
        for ok in [
            "a..b.txt",
            "..foo",
            "foo..",
            "...",
            ".hidden",
            "dir/a..b/c.d",
        ] {
            assert_eq!(norm(ok).unwrap(), PathBuf::from(ok), "{ok}");
        }
        assert_eq!(norm("./a/./b").unwrap(), PathBuf::from("a/b"));
        assert_eq!(norm("a//b/").unwrap(), PathBuf::from("a/b"));
        assert_eq!(norm("100%.txt").unwrap(), PathBuf::from("100%.txt"));
        assert_eq!(norm("50%25.txt").unwrap(), PathBuf::from("50%.txt"));
        assert_eq!(norm("a%20b").unwrap(), PathBuf::from("a b"));
    }

    #[test]
    fn attacks_are_rejected_with_the_right_variant() {
        type IsExpected = fn(&PathError) -> bool;
        let cases: &[(&str, IsExpected)] = &[
            ("../x", |e| matches!(e, PathError::Traversal)),
            ("a/../../x", |e| matches!(e, PathError::Traversal)),
            ("a/..", |e| matches!(e, PathError::Traversal)),
            ("%2e%2e/x", |e| matches!(e, PathError::Traversal)),
            ("%2E%2E/x", |e| matches!(e, PathError::Traversal)),
            ("%252e%252e/x", |e| matches!(e, PathError::Traversal)),
            ("..%2fx", |e| matches!(e, PathError::Traversal)),
            ("a\\..\\b", |e| matches!(e, PathError::Backslash)),
            ("a%5cb", |e| matches!(e, PathError::Backslash)),
            ("/etc/passwd", |e| matches!(e, PathError::Absolute)),
            ("%2fetc/passwd", |e| matches!(e, PathError::Absolute)),
            ("C:\\x", |e| matches!(e, PathError::Absolute)),
            ("c:x", |e| matches!(e, PathError::Absolute)),
            ("a\0b", |e| matches!(e, PathError::Nul)),
            ("%00", |e| matches!(e, PathError::Nul)),
            ("a%2500b", |e| matches!(e, PathError::Nul)),
            ("", |e| matches!(e, PathError::Empty)),
            (".", |e| matches!(e, PathError::Empty)),
            ("./", |e| matches!(e, PathError::Empty)),
            ("%2e", |e| matches!(e, PathError::Empty)),
            ("%ff", |e| matches!(e, PathError::Encoding { .. })),
        ];
        for (input, is_expected) in cases {
            let err = norm(input).expect_err(input);
            assert!(is_expected(&err), "{input:?} gave {err:?}");
        }
    }

    #[test]
    fn encoding_that_never_settles_is_rejected() {
        let mut s = "%2e".to_owned();
        for _ in 0..MAX_DECODE_ROUNDS {
            s = s.replace('%', "%25");
        }
        assert!(matches!(norm(&s), Err(PathError::Encoding { .. })));
    }

    #[test]
    fn length_limits_apply_and_messages_do_not_echo_input() {
        let name = "n".repeat(MAX_NAME_BYTES + 1);
        let err = norm(&name).unwrap_err();
        assert!(matches!(err, PathError::NameTooLong { .. }));
        assert!(!err.to_string().contains(&name));
        assert!(norm(&"n".repeat(MAX_NAME_BYTES)).is_ok());

        let long = vec!["abcdefg"; MAX_PATH_BYTES / 8 + 1].join("/");
        assert!(matches!(norm(&long), Err(PathError::TooLong { .. })));
        let huge = "a".repeat(MAX_INPUT_BYTES + 1);
        assert!(matches!(norm(&huge), Err(PathError::TooLong { .. })));
    }

    /// A temp dir holding `root/` and `outside/`, with links inside the root:
    /// `root/a -> outside` (escapes), `root/..x -> ..` (escapes), `root/b.c/` (a real directory),
    /// `root/b.c/..x -> root` (inside), `root/in -> b.c` (inside) and `root/dangling -> nowhere`.
    struct Fixture {
        _dir: tempfile::TempDir,
        root: PathBuf,
    }

    impl Fixture {
        fn new() -> Self {
            let dir = tempfile::tempdir().unwrap();
            let root = dir.path().join("root");
            let outside = dir.path().join("outside");
            fs::create_dir_all(root.join("b.c")).unwrap();
            fs::create_dir_all(outside.join("a")).unwrap();
            fs::create_dir_all(outside.join("b.c")).unwrap();
            fs::write(outside.join("secret"), "s").unwrap();
            symlink(&outside, root.join("a")).unwrap();
            symlink("..", root.join("..x")).unwrap();
            symlink(&root, root.join("b.c").join("..x")).unwrap();
            symlink("b.c", root.join("in")).unwrap();
            symlink(dir.path().join("nowhere"), root.join("dangling")).unwrap();
            let root = fs::canonicalize(root).unwrap();
            Self { _dir: dir, root }
        }
    }

    #[test]
    fn symlinks_leaving_the_root_are_rejected() {
        let fx = Fixture::new();
        for bad in [
            "a",
            "a/secret",
            "a/new-file",
            "..x",
            "..x/outside",
            "dangling",
        ] {
            let got = resolve_within(&fx.root, bad);
            assert!(matches!(got, Err(PathError::EscapesRoot)), "{bad}: {got:?}");
        }
    }

    #[test]
    fn symlinks_staying_inside_the_root_are_accepted() {
        let fx = Fixture::new();
        assert_eq!(
            resolve_within(&fx.root, "in/x").unwrap(),
            fx.root.join("in/x")
        );
        assert_eq!(
            resolve_within(&fx.root, "b.c/..x/b.c").unwrap(),
            fx.root.join("b.c/..x/b.c")
        );
        assert_eq!(
            resolve_within(&fx.root, "new/dir/file.txt").unwrap(),
            fx.root.join("new/dir/file.txt")
        );
    }

    #[test]
    fn an_unusable_root_is_reported() {
        let fx = Fixture::new();
        let missing = fx.root.join("no-such-root");
        assert!(matches!(
            resolve_within(&missing, "x"),
            Err(PathError::RootUnavailable(_))
        ));
        let file = fx.root.join("file");
        fs::write(&file, "").unwrap();
        assert!(matches!(
            resolve_within(&file, "x"),
            Err(PathError::RootUnavailable(_))
        ));
    }

    /// Concatenations of pieces that attacks are made of.
    fn nasty_path() -> impl Strategy<Value = String> {
        const PIECES: &[&str] = &[
            "..", ".", "/", "\\", "%2e", "%2f", "%25", "a", "b.c", "..x", "%00",
        ];
        prop::collection::vec(prop::sample::select(PIECES), 0..16).prop_map(|v| v.concat())
    }

    fn only_ordinary_names(p: &Path) -> bool {
        p.components().all(|c| match c {
            Component::Normal(name) => {
                let name = name.to_string_lossy();
                !name.contains('\\') && !name.contains('\0')
            }
            _ => false,
        })
    }

    proptest! {
        #![proptest_config(Config::with_cases(2048))]

        #[test]
        fn prop_normalised_paths_stay_lexically_under_root(input in nasty_path()) {
            if let Ok(p) = normalise(&input) {
                prop_assert!(p.is_relative());
                prop_assert!(only_ordinary_names(&p), "{:?} -> {:?}", input, p);
                let root = Path::new("/srv/root");
                prop_assert!(root.join(&p).starts_with(root));
            }
        }

        #[test]
        fn prop_any_string_normalises_to_ordinary_names_or_fails(input in any::<String>()) {
            if let Ok(p) = normalise(&input) {
                prop_assert!(only_ordinary_names(&p), "{:?} -> {:?}", input, p);
            }
        }
    }

    #[test]
    fn prop_resolved_paths_stay_under_the_canonical_root() {
        let fx = Fixture::new();
        let mut runner = TestRunner::new(Config::with_cases(2048));
        runner
            .run(&nasty_path(), |input| {
                if let Ok(p) = resolve_within(&fx.root, &input) {
                    prop_assert!(p.starts_with(&fx.root));
                    let existing = p
                        .ancestors()
                        .find_map(|a| fs::canonicalize(a).ok())
                        .expect("the root itself exists");
                    prop_assert!(
                        existing.starts_with(&fx.root),
                        "{:?} -> {:?} resolves to {:?}",
                        input,
                        p,
                        existing
                    );
                }
                Ok(())
            })
            .unwrap();
    }

    #[test]
    fn prop_ordinary_names_are_always_accepted() {
        let dir = tempfile::tempdir().unwrap();
        let root = fs::canonicalize(dir.path()).unwrap();
        let name = "[a-z0-9._-]{1,20}".prop_filter("not . or ..", |s| s != "." && s != "..");
        let names = prop::collection::vec(name, 1..6);
        let mut runner = TestRunner::new(Config::with_cases(1024));
        runner
            .run(&names, |names| {
                let joined = names.join("/");
                let expected: PathBuf = names.iter().collect();
                prop_assert_eq!(normalise(&joined).unwrap(), expected.clone());
                prop_assert_eq!(resolve_within(&root, &joined).unwrap(), root.join(expected));
                Ok(())
            })
            .unwrap();
    }
}
