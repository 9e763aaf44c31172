//! The knowledge base against a real database and the real local embedding model: a PDF and a
//! Markdown file uploaded, chunked and found with their citations; re-uploads unchanged or
//! replaced; oversized, corrupt and unsupported uploads refused with nothing stored
//! (`uploads.rs`); who sees a collection (`access.rs`); and `gathering knowledge add` run as a
//! user runs it (`cli.rs`).

use std::time::Duration;

use gathering::auth::model::Role;
use gathering::config::Config;
use serde_json::Value;
use uuid::Uuid;

use crate::support::{TestApp, TestDb, json, poll_until, repo_root, test_config};

mod access;
mod cli;
mod uploads;

/// The two-page PDF of `tests/fixtures/knowledge/make_pdf.py`.
pub const GUIDE_PDF: &[u8] = include_bytes!("../../fixtures/knowledge/guide.pdf");

/// A Markdown guide with nested headings.
pub const GUIDE_MD: &str = "# Operations\n\nHow the shop runs, day to day.\n\n\
## Refunds\n\nCustomers may return a purchase within fourteen days and get their money back. \
The refund goes to the card that paid.\n\n\
## Shipping\n\n### Abroad\n\nParcels to other countries leave on Tuesdays by sea freight.\n";

/// A configuration for these tests: the local models, a quick embedding worker.
pub fn config(db: &TestDb) -> Config {
    let mut config = test_config(db);
    config.models.dir = repo_root().join(".gathering/models");
    config.memory.embed_poll = Duration::from_millis(100);
    config
}

pub async fn spawn_with(configure: impl FnOnce(&mut Config)) -> TestApp {
    let db = TestDb::migrated().await;
    let mut config = config(&db);
    configure(&mut config);
    let app = TestApp::start_with(db, config).await;
    app.wait_ready().await;
    app
}

pub async fn spawn() -> TestApp {
    spawn_with(|_| {}).await
}

/// A signed-in user of `role`: (token, user id).
pub async fn user(app: &TestApp, role: Role) -> (String, Uuid) {
    let token = app.signed_in(role).await;
    let me = json(app.get_as("/api/auth/me", &token).await).await;
    let id = Uuid::parse_str(me["id"].as_str().expect("an id")).unwrap();
    (token, id)
}

pub async fn send(
    app: &TestApp,
    method: reqwest::Method,
    path: &str,
    token: &str,
    body: Option<Value>,
) -> (u16, Value) {
    let mut request = app.http.request(method, app.url(path)).bearer_auth(token);
    if let Some(body) = body {
        request = request.json(&body);
    }
    let response = request.send().await.unwrap();
    let status = response.status().as_u16();
    let text = response.text().await.unwrap();
    (status, serde_json::from_str(&text).unwrap_or(Value::Null))
}

/// Creates a collection, asserting 201; returns it.
pub async fn create_collection(app: &TestApp, token: &str, body: Value) -> Value {
    let (status, out) = send(
        app,
        reqwest::Method::POST,
        "/api/knowledge/collections",
        token,
        Some(body.clone()),
    )
    .await;
    assert_eq!(status, 201, "{body} → {out}");
    out
}

/// Uploads `files` (name, bytes) as `file` parts; the status and body.
pub async fn upload(
    app: &TestApp,
    token: &str,
    collection: &str,
    files: &[(&str, &[u8])],
) -> (u16, Value) {
    let mut form = reqwest::multipart::Form::new();
    for (name, bytes) in files {
        form = form.part(
            "file",
            reqwest::multipart::Part::bytes(bytes.to_vec()).file_name(name.to_string()),
        );
    }
    let response = app
        .http
        .post(app.url(&format!(
            "/api/knowledge/collections/{collection}/documents"
        )))
        .bearer_auth(token)
        .multipart(form)
        .send()
        .await
        .unwrap();
    let status = response.status().as_u16();
    let text = response.text().await.unwrap();
    (status, serde_json::from_str(&text).unwrap_or(Value::Null))
}

/// Searches knowledge, asserting 200; returns the result.
pub async fn search(app: &TestApp, token: &str, body: Value) -> Value {
    let (status, out) = send(
        app,
        reqwest::Method::POST,
        "/api/knowledge/search",
        token,
        Some(body.clone()),
    )
    .await;
    assert_eq!(status, 200, "{body} → {out}");
    out
}

/// Waits (up to two minutes: the local model on a busy CPU) until every chunk of the
/// collection's documents has its vector; returns the documents.
pub async fn wait_embedded(app: &TestApp, token: &str, collection: &str) -> Vec<Value> {
    let path = format!("/api/knowledge/collections/{collection}/documents");
    let documents = || async {
        let (status, out) = send(app, reqwest::Method::GET, &path, token, None).await;
        assert_eq!(status, 200, "{out}");
        out["items"].as_array().cloned().unwrap_or_default()
    };
    let done = poll_until(Duration::from_secs(120), || async {
        documents()
            .await
            .iter()
            .all(|d| d["embedded_chunks"] == d["chunk_count"])
    })
    .await;
    // Vectors are only ever added: what was embedded stays so.
    let documents = documents().await;
    assert!(done, "chunks never embedded: {documents:?}");
    documents
}

/// Rows in the knowledge tables: (collections, documents, chunks).
pub async fn rows(app: &TestApp) -> (i64, i64, i64) {
    let client = app.pool.get().await.unwrap();
    let row = client
        .query_one(
            "SELECT (SELECT count(*) FROM memory.collections), \
                    (SELECT count(*) FROM memory.documents), \
                    (SELECT count(*) FROM memory.chunks)",
            &[],
        )
        .await
        .unwrap();
    (row.get(0), row.get(1), row.get(2))
}

/// The `knowledge.*` events `token`'s user may see.
pub async fn knowledge_events(app: &TestApp, token: &str) -> Vec<Value> {
    let (status, out) = send(
        app,
        reqwest::Method::GET,
        "/api/events?types=knowledge.*&limit=500",
        token,
        None,
    )
    .await;
    assert_eq!(status, 200, "{out}");
    out["items"].as_array().cloned().unwrap_or_default()
}
