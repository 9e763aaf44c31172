//! Uploads: a PDF and a Markdown file chunked and found with correct citations; the same file
//! again changes nothing, a changed one replaces its chunks; oversized, corrupt, empty and
//! unsupported files are refused and nothing is stored.

use gathering::auth::model::Role;
use reqwest::Method;
use serde_json::{Value, json};

use super::{
    GUIDE_MD, GUIDE_PDF, create_collection, knowledge_events, rows, search, send, spawn,
    spawn_with, upload, user, wait_embedded,
};
use crate::support::TestApp;

/// The chunk of a document (by the document's detail) a hit cites.
async fn cited_chunk(app: &TestApp, token: &str, hit: &Value) -> Value {
    let path = format!(
        "/api/knowledge/documents/{}",
        hit["document_id"].as_str().unwrap()
    );
    let (status, document) = send(app, Method::GET, &path, token, None).await;
    assert_eq!(status, 200, "{document}");
    assert_eq!(document["name"], hit["document_name"]);
    document["chunks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["id"] == hit["chunk_id"])
        .cloned()
        .unwrap_or_else(|| panic!("the hit's chunk is in its document: {hit}"))
}

#[tokio::test]
async fn a_pdf_and_a_markdown_file_are_chunked_and_found_with_their_citations() {
    let app = spawn().await;
    let (token, me) = user(&app, Role::Member).await;
    let collection = create_collection(&app, &token, json!({"name": "handbook"})).await;
    assert_eq!(collection["scope"], "user");
    assert_eq!(collection["owner_id"], me.to_string());

    let (status, report) = upload(
        &app,
        &token,
        "handbook",
        &[
            ("guide.pdf", GUIDE_PDF),
            ("docs/guide.md", GUIDE_MD.as_bytes()),
        ],
    )
    .await;
    assert_eq!(status, 200, "{report}");
    let documents = report["documents"].as_array().unwrap();
    assert_eq!(documents.len(), 2);
    for (d, name, kind) in [
        (&documents[0], "guide.pdf", "application/pdf"),
        (&documents[1], "guide.md", "text/markdown"),
    ] {
        assert_eq!(d["outcome"], "ingested", "{d}");
        assert_eq!(d["document"]["name"], name, "directories are dropped");
        assert_eq!(d["document"]["content_type"], kind);
        assert_eq!(d["document"]["collection_id"], collection["id"]);
    }
    assert_eq!(documents[0]["document"]["chunk_count"], 2, "one per page");
    assert_eq!(
        documents[0]["document"]["bytes"],
        GUIDE_PDF.len() as i64,
        "{report}"
    );
    // Three sections with text: under Operations, Refunds, and Shipping > Abroad.
    assert_eq!(documents[1]["document"]["chunk_count"], 3);

    // Found by keywords at once, before any vector exists.
    let found = search(
        &app,
        &token,
        json!({"query": "Camargue", "mode": "keyword"}),
    )
    .await;
    let top = &found["items"][0];
    assert_eq!(top["document_name"], "guide.pdf", "{found}");
    assert_eq!(top["heading_path"], json!(["page 1"]));
    assert_eq!(top["position"], 0);
    assert_eq!(top["collection_name"], "handbook");
    assert_eq!(top["keyword_rank"], 1);
    assert!(top["content"].as_str().unwrap().contains("grey heron"));
    let chunk = cited_chunk(&app, &token, top).await;
    assert_eq!(chunk["position"], top["position"]);
    assert_eq!(chunk["heading_path"], top["heading_path"]);

    let documents = wait_embedded(&app, &token, "handbook").await;
    assert_eq!(documents.len(), 2);
    assert!(
        documents
            .iter()
            .all(|d| d["embedded_chunks"].as_i64() > Some(0))
    );

    // By meaning: no word of the query is in the refunds section.
    let found = search(
        &app,
        &token,
        json!({"query": "can a customer be reimbursed after buying something?", "mode": "semantic"}),
    )
    .await;
    assert_eq!(found["mode"], "semantic");
    assert_eq!(found["model"], "all-minilm-l6-v2");
    let top = &found["items"][0];
    assert_eq!(top["document_name"], "guide.md", "{found}");
    assert_eq!(top["heading_path"], json!(["Operations", "Refunds"]));
    assert_eq!(top["position"], 1);
    assert_eq!(top["semantic_rank"], 1);
    assert!(top["similarity"].as_f64().unwrap() > 0.2, "{top}");
    let chunk = cited_chunk(&app, &token, top).await;
    assert_eq!(chunk["heading_path"], top["heading_path"]);
    assert_eq!(chunk["content"], top["content"]);

    // Both lists, fused: the PDF's second page, cited as such.
    let found = search(
        &app,
        &token,
        json!({"query": "when are invoices settled", "collections": ["handbook"], "limit": 3}),
    )
    .await;
    assert_eq!(found["mode"], "hybrid");
    assert!(found["items"].as_array().unwrap().len() <= 3);
    let top = &found["items"][0];
    assert_eq!(top["document_name"], "guide.pdf", "{found}");
    assert_eq!(top["heading_path"], json!(["page 2"]));
    assert_eq!(top["position"], 1);
    assert!(top["keyword_rank"].is_number() && top["semantic_rank"].is_number());
    let md = documents.iter().find(|d| d["name"] == "guide.md").unwrap();
    let path = format!("/api/knowledge/documents/{}", md["id"].as_str().unwrap());
    let (_, detail) = send(&app, Method::GET, &path, &token, None).await;
    let headings: Vec<&Value> = detail["chunks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| &c["heading_path"])
        .collect();
    assert_eq!(
        headings,
        vec![
            &json!(["Operations"]),
            &json!(["Operations", "Refunds"]),
            &json!(["Operations", "Shipping", "Abroad"]),
        ]
    );
}

#[tokio::test]
async fn the_same_file_again_changes_nothing_and_a_changed_one_replaces_its_chunks() {
    let app = spawn().await;
    let (token, _) = user(&app, Role::Member).await;
    create_collection(&app, &token, json!({"name": "notes"})).await;
    let detail = |id: String| {
        let (app, token) = (&app, &token);
        async move {
            let path = format!("/api/knowledge/documents/{id}");
            let (status, mut out) = send(app, Method::GET, &path, token, None).await;
            assert_eq!(status, 200, "{out}");
            // The embedding worker writes vectors meanwhile: not what the upload changed.
            out.as_object_mut().unwrap().remove("embedded_chunks");
            out
        }
    };
    let first = "# Notes\n\nThe first draft of the notes.\n";
    let (status, out) = upload(&app, &token, "notes", &[("notes.md", first.as_bytes())]).await;
    assert_eq!(status, 200, "{out}");
    assert_eq!(out["documents"][0]["outcome"], "ingested");
    let id = out["documents"][0]["document"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let before = detail(id.clone()).await;
    let events = knowledge_events(&app, &token).await.len();

    let (status, out) = upload(&app, &token, "notes", &[("notes.md", first.as_bytes())]).await;
    assert_eq!(status, 200, "{out}");
    assert_eq!(out["documents"][0]["outcome"], "unchanged");
    assert_eq!(out["documents"][0]["document"]["id"], id.as_str());
    assert_eq!(detail(id.clone()).await, before, "nothing written");
    assert_eq!(knowledge_events(&app, &token).await.len(), events);

    let second = "# Notes\n\nThe second draft, rewritten.\n\n## Later\n\nAn added section.\n";
    let (status, out) = upload(&app, &token, "notes", &[("notes.md", second.as_bytes())]).await;
    assert_eq!(status, 200, "{out}");
    assert_eq!(out["documents"][0]["outcome"], "replaced");
    assert_eq!(
        out["documents"][0]["document"]["id"],
        id.as_str(),
        "the same document"
    );
    let after = detail(id.clone()).await;
    assert_ne!(after["sha256"], before["sha256"]);
    assert_eq!(after["chunk_count"], 2);
    let contents: Vec<&str> = after["chunks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["content"].as_str().unwrap())
        .collect();
    assert_eq!(
        contents,
        vec!["The second draft, rewritten.", "An added section."]
    );
    let old_ids: Vec<&Value> = before["chunks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| &c["id"])
        .collect();
    assert!(
        after["chunks"]
            .as_array()
            .unwrap()
            .iter()
            .all(|c| !old_ids.contains(&&c["id"])),
        "every old chunk went"
    );
    let (_, documents, chunks) = rows(&app).await;
    assert_eq!((documents, chunks), (1, 2));
    let events = knowledge_events(&app, &token).await;
    let last = events.last().unwrap();
    assert_eq!(last["type"], "knowledge.document_ingested");
    assert_eq!(last["data"]["outcome"], "replaced");
    assert_eq!(last["data"]["document_id"], id.as_str());
    // The old words are gone from search, the new ones are found.
    let found = search(
        &app,
        &token,
        json!({"query": "first draft", "mode": "keyword"}),
    )
    .await;
    assert_eq!(found["items"], json!([]), "{found}");
    let found = search(
        &app,
        &token,
        json!({"query": "rewritten", "mode": "keyword"}),
    )
    .await;
    assert_eq!(found["items"][0]["heading_path"], json!(["Notes"]));
}

#[tokio::test]
async fn oversized_corrupt_empty_and_unsupported_uploads_store_nothing() {
    let app = spawn_with(|c| c.memory.max_upload_bytes = 4096).await;
    let (token, _) = user(&app, Role::Member).await;
    create_collection(&app, &token, json!({"name": "inbox"})).await;
    let good = GUIDE_MD.as_bytes();

    let big = vec![b'a'; 5000];
    let (status, out) = upload(&app, &token, "inbox", &[("big.txt", &big)]).await;
    assert_eq!(status, 413, "{out}");
    assert_eq!(out["error"]["code"], "payload_too_large");
    assert_eq!(out["error"]["details"]["limit_bytes"], 4096);
    // Two files that fit alone are too large together.
    let half = vec![b'b'; 2500];
    let (status, out) = upload(&app, &token, "inbox", &[("a.txt", &half), ("b.txt", &half)]).await;
    assert_eq!(status, 413, "{out}");
    // Far past the limit, the body itself is refused before it is read.
    let huge = vec![b'c'; 2 * 1024 * 1024];
    let (status, out) = upload(&app, &token, "inbox", &[("huge.txt", &huge)]).await;
    assert_eq!(status, 413, "{out}");
    assert_eq!(out["error"]["code"], "payload_too_large");

    let broken = &GUIDE_PDF[..300];
    let (status, out) = upload(
        &app,
        &token,
        "inbox",
        &[("good.md", good), ("broken.pdf", broken)],
    )
    .await;
    assert_eq!(status, 422, "{out}");
    assert_eq!(out["error"]["code"], "invalid_document");
    assert_eq!(out["error"]["details"]["file"], "broken.pdf");
    let (status, out) = upload(&app, &token, "inbox", &[("fake.pdf", b"%PDF-1.7 garbage")]).await;
    assert_eq!(
        (status, out["error"]["code"].clone()),
        (422, json!("invalid_document"))
    );

    let (status, out) = upload(&app, &token, "inbox", &[("blank.txt", b" \n\n ")]).await;
    assert_eq!(status, 422, "{out}");
    assert_eq!(out["error"]["code"], "invalid_document");
    assert!(
        out["error"]["message"]
            .as_str()
            .unwrap()
            .contains("no text")
    );

    let (status, out) = upload(&app, &token, "inbox", &[("notes.docx", b"PK\x03\x04")]).await;
    assert_eq!(status, 415, "{out}");
    assert_eq!(out["error"]["code"], "unsupported_media_type");
    assert_eq!(out["error"]["details"]["file"], "notes.docx");

    let path = "/api/knowledge/collections/inbox/documents";
    let (status, out) = send(&app, Method::POST, path, &token, Some(json!({"file": "x"}))).await;
    assert_eq!(status, 415, "not multipart: {out}");
    let form = reqwest::multipart::Form::new().text("comment", "hello");
    let response = app
        .http
        .post(app.url(path))
        .bearer_auth(&token)
        .multipart(form)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 422, "a part that is not a file");
    // A form without parts is not well-formed multipart.
    let (status, out) = upload(&app, &token, "inbox", &[]).await;
    assert_eq!(status, 400, "no file at all: {out}");
    assert_eq!(out["error"]["code"], "bad_request");

    assert_eq!(rows(&app).await, (1, 0, 0), "nothing stored");
    let ingested = knowledge_events(&app, &token)
        .await
        .into_iter()
        .filter(|e| e["type"] == "knowledge.document_ingested")
        .count();
    assert_eq!(ingested, 0);
    // The collection still takes a good file.
    let (status, out) = upload(&app, &token, "inbox", &[("good.md", good)]).await;
    assert_eq!(status, 200, "{out}");
}
