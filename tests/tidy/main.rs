//! Tidy checks: the DESIGN.md invariants that are cheap to verify by reading the source tree
//! (the module graph in `layering`, file length, SQL placement and lint exceptions in `source`).

use std::path::{Path, PathBuf};

mod layering;
mod source;

/// One Rust file's path (relative to `gathering/` for the crate's sources, to the repository
/// for the rest) and text.
pub struct SourceFile {
    pub relative: String,
    pub text: String,
}

impl SourceFile {
    /// The file's code before its `#[cfg(test)]` module; nothing for a file of tests
    /// (`tests.rs`, `*_tests.rs`).
    pub fn non_test_code(&self) -> &str {
        let name = self.relative.rsplit('/').next().unwrap_or_default();
        if name == "tests.rs" || name.ends_with("_tests.rs") {
            return "";
        }
        match self.text.find("#[cfg(test)]") {
            Some(at) => &self.text[..at],
            None => &self.text,
        }
    }
}

/// The crate's sources, relative to `gathering/`.
pub fn source_files() -> Vec<SourceFile> {
    let src = root().join("gathering");
    rust_files(&src)
        .into_iter()
        .map(|path| SourceFile {
            relative: path.strip_prefix(&src).unwrap().display().to_string(),
            text: std::fs::read_to_string(&path).unwrap(),
        })
        .collect()
}

/// Every Rust file of the repository (sources, tests, benches, build script), relative to the
/// repository.
pub fn all_rust_files() -> Vec<SourceFile> {
    let mut paths = Vec::new();
    for dir in ["gathering", "tests", "benches", "crates"] {
        if root().join(dir).is_dir() {
            paths.extend(rust_files(&root().join(dir)));
        }
    }
    paths.push(root().join("build.rs"));
    paths
        .into_iter()
        .filter(|p| !p.components().any(|c| c.as_os_str() == "target"))
        .map(|path| SourceFile {
            relative: relative(&path),
            text: std::fs::read_to_string(&path).unwrap(),
        })
        .collect()
}

fn rust_files(dir: &Path) -> Vec<PathBuf> {
    let mut files = Vec::new();
    let mut stack = vec![dir.to_owned()];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
            } else if path.extension().is_some_and(|e| e == "rs") {
                files.push(path);
            }
        }
    }
    files.sort();
    files
}

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn relative(path: &Path) -> String {
    path.strip_prefix(root()).unwrap().display().to_string()
}

#[test]
fn every_rust_file_starts_with_a_module_doc_line() {
    let mut files = rust_files(&root().join("gathering"));
    files.extend(rust_files(&root().join("tests")));
    files.push(root().join("build.rs"));
    let missing: Vec<String> = files
        .iter()
        .filter(|f| !std::fs::read_to_string(f).unwrap().starts_with("//!"))
        .map(|f| relative(f))
        .collect();
    assert!(
        missing.is_empty(),
        "files without a leading `//!` line: {missing:?}"
    );
}

/// Files outside `allowed` (paths under `gathering/`) whose non-test code imports `krate` (a file's `#[cfg(test)]` module,
/// which may stand up an HTTP server of its own, is not part of the layering; nor is a
/// `*_tests.rs` file, such a module moved to a file of its own).
fn importers_outside(krate: &str, allowed: &[&str]) -> Vec<String> {
    let src = root().join("gathering");
    let path_use = format!("{krate}::");
    let use_line = format!("use {krate}");
    rust_files(&src)
        .iter()
        .filter(|f| {
            let rel = f.strip_prefix(&src).unwrap();
            !allowed.iter().any(|a| rel.starts_with(a))
        })
        .filter(|f| !f.to_string_lossy().ends_with("_tests.rs"))
        .filter(|f| {
            std::fs::read_to_string(f)
                .unwrap()
                .lines()
                .take_while(|l| l.trim() != "#[cfg(test)]")
                .any(|l| l.contains(&path_use) || l.trim_start().starts_with(&use_line))
        })
        .map(|f| relative(f))
        .collect()
}

#[test]
fn only_api_imports_axum() {
    let offenders = importers_outside("axum", &["api"]);
    assert!(offenders.is_empty(), "axum outside api/: {offenders:?}");
}

#[test]
fn only_llm_local_imports_burn() {
    let offenders = importers_outside("burn", &["llm/local"]);
    assert!(
        offenders.is_empty(),
        "burn outside llm/local/: {offenders:?}"
    );
}

#[test]
fn migrations_are_numbered_files_without_gaps() {
    let mut names: Vec<String> = std::fs::read_dir(root().join("migrations"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    for (i, name) in names.iter().enumerate() {
        let expected = format!("{:04}_", i + 1);
        assert!(
            name.starts_with(&expected) && name.ends_with(".sql"),
            "migrations/{name}: expected {expected}<name>.sql"
        );
    }
}
