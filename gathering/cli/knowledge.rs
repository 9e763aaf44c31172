//! `gathering knowledge add DIR|FILE... --collection NAME`: uploads documents to a running
//! server, one multipart request per file, with a progress bar on stderr, each file's outcome
//! and a summary on stdout (ingested, replaced, unchanged, failed with the reason), and exit 1
//! when any file failed. The server decides everything (kinds, limits, what changed); this
//! command only finds the files and reports.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use indicatif::{ProgressBar, ProgressStyle};
use serde::Deserialize;
use serde_json::json;

use super::CliResult;
use super::args::KnowledgeAddArgs;
use super::remote::{ClientError, call};

/// The extensions collected from directories (a file named on the command line is sent
/// whatever its kind, and the server says whether it reads it).
const EXTENSIONS: &[&str] = &["md", "markdown", "txt", "text", "html", "htm", "pdf", "csv"];

/// The parts of a collection this command reads.
#[derive(Deserialize)]
struct CollectionView {
    name: String,
}

/// `POST .../documents`'s answer.
#[derive(Deserialize)]
struct UploadReport {
    documents: Vec<IngestedView>,
}

#[derive(Deserialize)]
struct IngestedView {
    document: DocumentView,
    outcome: String,
}

#[derive(Deserialize)]
struct DocumentView {
    chunk_count: i64,
}

/// What became of each file.
#[derive(Default)]
struct Summary {
    counts: HashMap<String, usize>,
    /// (path, reason) of each file that failed.
    failed: Vec<(String, String)>,
}

/// `knowledge add`: find the files, make sure the collection exists, upload each.
pub async fn add(args: KnowledgeAddArgs) -> CliResult {
    let mut summary = Summary::default();
    let files = collect(&args.paths, &mut summary);
    if files.is_empty() && summary.failed.is_empty() {
        return Err("no documents (.md .markdown .txt .text .html .htm .pdf .csv) found".into());
    }
    let base = args.server.trim_end_matches('/').to_owned();
    let http = reqwest::Client::new();
    let collection = collection(&http, &base, &args).await?;
    eprintln!(
        "uploading {} file(s) to collection {}",
        files.len(),
        collection.name
    );
    let bar = ProgressBar::new(files.len() as u64);
    bar.set_style(
        ProgressStyle::with_template("{bar:30} {pos}/{len} {wide_msg}")
            .unwrap_or_else(|_| ProgressStyle::default_bar()),
    );
    let url = format!(
        "{base}/api/knowledge/collections/{}/documents",
        collection.name
    );
    for path in &files {
        let shown = path.display().to_string();
        bar.set_message(shown.clone());
        match upload(&http, &base, &args.token, &url, path).await {
            Ok(report) => {
                for ingested in report.documents {
                    bar.suspend(|| {
                        println!(
                            "{:<9} {shown} ({} chunks)",
                            ingested.outcome, ingested.document.chunk_count
                        )
                    });
                    *summary.counts.entry(ingested.outcome).or_default() += 1;
                }
            }
            Err(reason) => {
                bar.suspend(|| println!("{:<9} {shown}: {reason}", "failed"));
                summary.failed.push((shown, reason));
            }
        }
        bar.inc(1);
    }
    bar.finish_and_clear();
    let count = |outcome: &str| summary.counts.get(outcome).copied().unwrap_or(0);
    println!(
        "ingested {}, replaced {}, unchanged {}, failed {}",
        count("ingested"),
        count("replaced"),
        count("unchanged"),
        summary.failed.len()
    );
    for (path, reason) in &summary.failed {
        println!("failed: {path}: {reason}");
    }
    Ok(if summary.failed.is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}

/// The collection, created first with `--create` when it does not exist.
async fn collection(
    http: &reqwest::Client,
    base: &str,
    args: &KnowledgeAddArgs,
) -> Result<CollectionView, Box<dyn std::error::Error>> {
    let valid = !args.collection.is_empty()
        && args
            .collection
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"._-".contains(&b));
    if !valid {
        return Err(format!(
            "--collection {:?}: not a collection name or id",
            args.collection
        )
        .into());
    }
    let url = format!("{base}/api/knowledge/collections/{}", args.collection);
    let found = call::<CollectionView>(
        base,
        &args.token,
        http.get(&url),
        "GET /api/knowledge/collections/{collection}",
    )
    .await;
    match found {
        Ok(found) => Ok(found),
        Err(ClientError::Refused { status, .. })
            if status == reqwest::StatusCode::NOT_FOUND && args.create =>
        {
            let created = call::<CollectionView>(
                base,
                &args.token,
                http.post(format!("{base}/api/knowledge/collections"))
                    .json(&json!({"name": args.collection})),
                "POST /api/knowledge/collections",
            )
            .await?;
            eprintln!("created collection {}", created.name);
            Ok(created)
        }
        Err(ClientError::Refused { status, .. }) if status == reqwest::StatusCode::NOT_FOUND => {
            Err(format!(
                "no collection {} (add --create to make it)",
                args.collection
            )
            .into())
        }
        Err(e) => Err(e.into()),
    }
}

/// Uploads one file; why it failed, in one line.
async fn upload(
    http: &reqwest::Client,
    base: &str,
    token: &str,
    url: &str,
    path: &Path,
) -> Result<UploadReport, String> {
    let bytes = tokio::fs::read(path).await.map_err(|e| e.to_string())?;
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let form = reqwest::multipart::Form::new().part(
        "file",
        reqwest::multipart::Part::bytes(bytes).file_name(name),
    );
    call::<UploadReport>(
        base,
        token,
        http.post(url).multipart(form),
        "POST /api/knowledge/collections/{collection}/documents",
    )
    .await
    .map_err(|e| match e {
        ClientError::Unreachable { .. } => e.to_string(),
        e => e.reason(),
    })
}

/// The files to upload, in order: each FILE, and the documents under each DIR (sorted); a path
/// that cannot be read, and a second file of a name already taken (documents are stored by
/// file name), are failures.
fn collect(paths: &[PathBuf], summary: &mut Summary) -> Vec<PathBuf> {
    let mut found = Vec::new();
    for path in paths {
        if path.is_dir() {
            walk(path, &mut found, summary);
        } else if path.is_file() {
            found.push(path.clone());
        } else {
            summary.failed.push((
                path.display().to_string(),
                "no such file or directory".into(),
            ));
        }
    }
    let mut names: HashMap<String, PathBuf> = HashMap::new();
    let mut files = Vec::with_capacity(found.len());
    for path in found {
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        match names.get(&name) {
            Some(first) => summary.failed.push((
                path.display().to_string(),
                format!(
                    "{} has the same file name, and a collection holds one document per name",
                    first.display()
                ),
            )),
            None => {
                names.insert(name, path.clone());
                files.push(path);
            }
        }
    }
    files
}

/// The documents under `dir`, depth first in name order, hidden entries left out.
fn walk(dir: &Path, found: &mut Vec<PathBuf>, summary: &mut Summary) {
    let mut entries: Vec<PathBuf> = match std::fs::read_dir(dir) {
        Ok(entries) => entries.filter_map(|e| e.ok().map(|e| e.path())).collect(),
        Err(e) => {
            summary
                .failed
                .push((dir.display().to_string(), e.to_string()));
            return;
        }
    };
    entries.sort();
    for path in entries {
        let hidden = path
            .file_name()
            .is_some_and(|n| n.to_string_lossy().starts_with('.'));
        if hidden {
            continue;
        }
        if path.is_dir() {
            walk(&path, found, summary);
        } else if path.is_file() && is_document(&path) {
            found.push(path);
        }
    }
}

fn is_document(path: &Path) -> bool {
    path.extension()
        .map(|e| e.to_string_lossy().to_ascii_lowercase())
        .is_some_and(|e| EXTENSIONS.contains(&e.as_str()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn directories_give_their_documents_and_names_are_taken_once() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        std::fs::create_dir_all(root.join("sub")).unwrap();
        std::fs::create_dir_all(root.join(".git")).unwrap();
        for file in [
            "a.md",
            "b.PDF",
            "image.png",
            "sub/c.csv",
            "sub/a.md",
            ".git/x.md",
        ] {
            std::fs::write(root.join(file), "x").unwrap();
        }
        let mut summary = Summary::default();
        let files = collect(
            &[root.to_path_buf(), root.join("missing.txt")],
            &mut summary,
        );
        let relative: Vec<String> = files
            .iter()
            .map(|p| p.strip_prefix(root).unwrap().display().to_string())
            .collect();
        assert_eq!(relative, vec!["a.md", "b.PDF", "sub/c.csv"]);
        let failed: Vec<&str> = summary.failed.iter().map(|(p, _)| p.as_str()).collect();
        assert_eq!(failed.len(), 2, "{failed:?}");
        assert!(failed[0].ends_with("missing.txt"));
        assert!(failed[1].ends_with("sub/a.md"));
    }
}
