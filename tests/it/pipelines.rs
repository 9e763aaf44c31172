//! Pipeline validation through the API and the command line: every problem at once, with codes,
//! ids and places; the documented examples are valid.

use gathering::auth::model::Role;
use serde_json::json;

use crate::support::{TestApp, json, repo_root};

#[tokio::test]
async fn the_api_reports_every_problem_at_once() {
    let app = TestApp::spawn().await;
    app.wait_ready().await;
    let viewer = app.signed_in(Role::Viewer).await;
    let post = |body: serde_json::Value, token: Option<String>| {
        let mut request = app
            .http
            .post(app.url("/api/pipelines/validate"))
            .json(&body);
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        request.send()
    };
    let example: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(repo_root().join("docs/pipelines/review-a-pull-request.json"))
            .unwrap(),
    )
    .unwrap();
    let ok = post(example.clone(), Some(viewer.clone())).await.unwrap();
    assert_eq!(ok.status(), 200);
    assert_eq!(
        json(ok).await,
        json!({"valid": true, "errors": [], "omitted": 0})
    );

    let broken = json!({"name": "b", "nodes": [
        {"id": "t", "type": "trigger"}, {"id": "x", "type": "teleport"},
        {"id": "d", "type": "delay", "config": {"secs": 1}}],
      "edges": [{"id": "e1", "from": "t", "to": "ghost"}]});
    let report = json(post(broken, Some(viewer)).await.unwrap()).await;
    assert_eq!(report["valid"], false);
    let codes: Vec<&str> = report["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["code"].as_str().unwrap())
        .collect();
    for code in [
        "unknown_type",
        "invalid_config",
        "unknown_node",
        "unreachable",
    ] {
        assert!(codes.contains(&code), "{code} in {report}");
    }
    assert_eq!(post(example, None).await.unwrap().status(), 401);
    app.shutdown().await.unwrap();
}

#[test]
fn the_command_line_prints_problems_and_fails() {
    let run = |file: &std::path::Path| {
        std::process::Command::new(env!("CARGO_BIN_EXE_gathering"))
            .args(["pipeline", "validate"])
            .arg(file)
            .output()
            .unwrap()
    };
    let good = run(&repo_root().join("docs/pipelines/triage-orders.json"));
    assert!(good.status.success());
    assert!(String::from_utf8_lossy(&good.stdout).contains("valid (6 nodes, 5 edges)"));

    let dir = tempfile::tempdir().unwrap();
    let bad = dir.path().join("bad.json");
    std::fs::write(
        &bad,
        r#"{"name": "b", "nodes": [{"id": "t", "type": "trigger"}, {"id": "c", "type": "condition", "config": {"condition": "1 +"}}],
            "edges": [{"id": "e", "from": "t", "to": "c"}]}"#,
    )
    .unwrap();
    let out = run(&bad);
    assert_eq!(out.status.code(), Some(1));
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        stdout.contains("bad_expression") && stdout.contains("node c"),
        "{stdout}"
    );
    let not_json = dir.path().join("nope.json");
    std::fs::write(&not_json, "{\"name\": ").unwrap();
    let out = run(&not_json);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("not JSON"));
}
