//! `POST /api/personas/check`: a persona FILE checked by the server's own parser, its errors at
//! the file's line, its fields ready for `POST /api/personas`; nothing stored.

use gathering::auth::model::Role;
use serde_json::{Value, json};

use crate::support::{TestApp, json};

async fn post_as(app: &TestApp, path: &str, token: &str, body: Value) -> reqwest::Response {
    app.http
        .post(app.url(path))
        .bearer_auth(token)
        .json(&body)
        .send()
        .await
        .unwrap()
}

/// A valid persona file; line 8 is `temperature`, lines 5-6 the block list `traits`.
fn file(name: &str) -> String {
    format!(
        "---\n\
         name: {name}\n\
         display_name: Release Manager\n\
         role: \"Plans releases: checks, notes, #1 priority\"\n\
         traits:\n  - careful\n\
         languages: [en]\n\
         temperature: 0.3\n\
         allowed_skills: [current_time]\n\
         ---\n\
         \n\
         You are the Release Manager.\n\
         \n\
         ---\n\
         \n\
         A rule above is part of the prompt.\n"
    )
}

/// `text` with its 1-based line `line` replaced by `with`.
fn with_line(text: &str, line: usize, with: &str) -> String {
    let mut lines: Vec<&str> = text.lines().collect();
    lines[line - 1] = with;
    lines.join("\n") + "\n"
}

/// The 422 of a check: (message, details).
async fn refused(app: &TestApp, token: &str, text: &str) -> (String, Value) {
    let response = post_as(app, "/api/personas/check", token, json!({"file": text})).await;
    assert_eq!(response.status(), 422, "{text}");
    let body = json(response).await;
    assert_eq!(body["error"]["code"], "validation_failed", "{body}");
    let message = body["error"]["message"].as_str().unwrap().to_owned();
    (message, body["error"]["details"].clone())
}

#[tokio::test]
async fn a_persona_file_is_checked_with_its_errors_at_their_line() {
    let app = TestApp::spawn().await;
    let member = app.signed_in(Role::Member).await;
    let good = file("release-manager");

    // A YAML syntax error: its line, no field.
    let (message, details) = refused(&app, &member, &with_line(&good, 4, "role: [unclosed")).await;
    assert!(matches!(details["line"].as_u64(), Some(4 | 5)), "{details}");
    assert!(details.get("field").is_none(), "{details}");
    assert!(!message.starts_with("line "), "{message}");

    // An unknown key: named, at its line.
    let (message, details) = refused(&app, &member, &with_line(&good, 7, "mood: cheerful")).await;
    assert_eq!(details, json!({"line": 7}));
    assert!(message.contains("unknown field `mood`"), "{message}");

    // A limit: the field and the line of its key.
    let (message, details) = refused(&app, &member, &with_line(&good, 8, "temperature: 3")).await;
    assert_eq!(details, json!({"line": 8, "field": "temperature"}));
    assert!(message.starts_with("temperature:"), "{message}");

    // An item of a block list: the item's line.
    let (message, details) = refused(&app, &member, &with_line(&good, 6, "  - ''")).await;
    assert_eq!(details, json!({"line": 6, "field": "traits[0]"}));
    assert!(message.starts_with("traits[0]:"), "{message}");

    // The file's shape: missing front matter, an empty body.
    let (_, details) = refused(&app, &member, "Just a prompt.\n").await;
    assert_eq!(details, json!({"line": 1}));
    let (message, details) = refused(&app, &member, good.split("\n\nYou").next().unwrap()).await;
    assert_eq!(details, json!({"line": 11}));
    assert!(message.contains("empty body"), "{message}");

    // Over the parser's 64 KiB (under the body limit): refused, no line.
    let huge = format!("{good}{}", "x".repeat(64 * 1024));
    let (message, details) = refused(&app, &member, &huge).await;
    assert_eq!(details, json!({}));
    assert!(message.contains("64 KiB"), "{message}");

    // A NUL in the file is refused at the edge, naming `file`.
    let (message, _) = refused(&app, &member, &good.replace("careful", "care\0ful")).await;
    assert!(message.contains("`file`"), "{message}");

    // Unknown body fields are refused, as everywhere.
    let extra = post_as(
        &app,
        "/api/personas/check",
        &member,
        json!({"file": good, "name": "x"}),
    )
    .await;
    assert_eq!(extra.status(), 422);
}

#[tokio::test]
async fn a_checked_file_round_trips_into_a_persona_and_nothing_is_stored() {
    let app = TestApp::spawn().await;
    let member = app.signed_in(Role::Member).await;
    let viewer = app.signed_in(Role::Viewer).await;
    let before = json(app.get_as("/api/personas?limit=200", &member).await).await;

    let text = file("release-manager").replace('\n', "\r\n");
    let response = post_as(&app, "/api/personas/check", &member, json!({"file": text})).await;
    assert_eq!(response.status(), 200);
    let fields = json(response).await;
    assert_eq!(
        fields,
        json!({
            "name": "release-manager",
            "display_name": "Release Manager",
            "role": "Plans releases: checks, notes, #1 priority",
            "traits": ["careful"],
            "communication_style": "",
            "specializations": [],
            "languages": ["en"],
            "default_model": null,
            "temperature": 0.3,
            "allowed_skills": ["current_time"],
            "prompt": "You are the Release Manager.\n\n---\n\nA rule above is part of the prompt.",
        })
    );
    // Checking stored nothing.
    assert_eq!(
        json(app.get_as("/api/personas?limit=200", &member).await).await,
        before
    );

    // The fields, sent unchanged, create the persona.
    let created = post_as(&app, "/api/personas", &member, fields.clone()).await;
    assert_eq!(created.status(), 201);
    let created = json(created).await;
    for (key, value) in fields.as_object().unwrap() {
        assert_eq!(&created[key], value, "{key}");
    }

    // Viewers may not check (as they may not create).
    let response = post_as(&app, "/api/personas/check", &viewer, json!({"file": text})).await;
    assert_eq!(response.status(), 403);
    let anonymous = app
        .http
        .post(app.url("/api/personas/check"))
        .json(&json!({"file": text}))
        .send()
        .await
        .unwrap();
    assert_eq!(anonymous.status(), 401);
}
