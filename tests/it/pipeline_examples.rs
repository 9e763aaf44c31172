//! The documented example pipelines (`docs/pipelines/*.json`) run end to end: with agents on
//! the real local model, and with their actions pointed at a local server that records what
//! it receives.

use gathering::auth::model::Role;
use serde_json::{Value, json};

use crate::pipeline_runs::{create, finished, hook_server, node, post, run_of, start};
use crate::support::{TestApp, TestDb, json, repo_root, test_config};

/// A server on the local model, a member, and the agents `names` made by that member.
pub async fn examples_app(names: &[&str]) -> (TestApp, String) {
    let db = TestDb::migrated().await;
    let mut config = test_config(&db);
    config.tools.http_allow_private = true;
    config.models.dir = repo_root().join(".gathering/models");
    config.agents.personas_dir = repo_root().join("personas");
    let app = TestApp::start_with(db, config).await;
    app.wait_ready().await;
    let member = app.signed_in(Role::Member).await;
    let personas = json(app.get_as("/api/personas?limit=200", &member).await).await;
    let persona = personas["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["name"] == "devils-advocate")
        .unwrap()["id"]
        .clone();
    for name in names {
        let made = post(
            &app,
            "/api/agents",
            &member,
            json!({"name": name, "persona_id": persona, "max_tokens": 8, "temperature": 0}),
        )
        .await;
        assert_eq!(made.status(), 201);
    }
    (app, member)
}

/// The documented example `name`, its `https://example.invalid` URLs pointed at `base`.
fn example(name: &str, base: &str) -> Value {
    let text =
        std::fs::read_to_string(repo_root().join(format!("docs/pipelines/{name}.json"))).unwrap();
    serde_json::from_str(&text.replace("https://example.invalid", base)).unwrap()
}

#[tokio::test]
async fn the_documented_examples_run_and_one_uses_an_agent_on_the_local_model() {
    let (app, member) = examples_app(&["analyst", "writer"]).await;
    let id = create(&app, &member, example("fan-out-summaries", "")).await;
    let run = start(&app, &member, &id, json!({"text": "Sales rose 4% in May."})).await;
    let done = finished(&app, &member, &run).await;
    assert_eq!(done["status"], "completed", "{done:#}");
    for agent in ["analyst", "writer"] {
        let out = &node(&done, agent)["output"];
        assert_eq!(out["model"], "smollm2-135m-instruct", "{out}");
        assert!(!out["result"].as_str().unwrap().is_empty(), "{out}");
        assert_eq!(out["agent"], agent);
    }
    let join = &node(&done, "join")["output"];
    assert!(join["analyst"]["result"].is_string() && join["writer"]["result"].is_string());
    // The conversation of each turn is stored.
    let cid = node(&done, "analyst")["output"]["conversation_id"]
        .as_str()
        .unwrap()
        .to_owned();
    let messages = app
        .get_as(&format!("/api/conversations/{cid}/messages"), &member)
        .await;
    assert_eq!(messages.status(), 200);

    // triage-orders: filter, transform, condition, approval (rejected by default when the
    // total is low, it is skipped), send_notification skipped.
    let id = create(&app, &member, example("triage-orders", "")).await;
    let run = start(
        &app,
        &member,
        &id,
        json!({"orders": [{"amount": 120}, {"amount": 5}, {"amount": 300}]}),
    )
    .await;
    let done = finished(&app, &member, &run).await;
    assert_eq!(done["status"], "completed", "{done:#}");
    assert_eq!(node(&done, "large")["output"]["count"], 2);
    assert_eq!(node(&done, "total")["output"]["count"], 2);
    assert_eq!(node(&done, "high")["output"]["result"], false);
    assert_eq!(node(&done, "approve")["status"], "skipped");
    assert_eq!(node(&done, "notify")["status"], "skipped");
    app.shutdown().await.unwrap();
}

#[tokio::test]
async fn the_url_digest_and_review_examples_run_against_a_local_server() {
    let (app, member) = examples_app(&["writer", "reviewer"]).await;
    let (base, hook) = hook_server().await;

    // check-each-url: one HEAD per URL through the HTTP tool, three at most at once.
    *hook.delay_ms.lock().unwrap() = 300;
    let urls: Vec<String> = ["a", "b", "c", "d"]
        .iter()
        .map(|p| format!("{base}/slow/{p}"))
        .collect();
    let id = create(&app, &member, example("check-each-url", &base)).await;
    let run = start(&app, &member, &id, json!({ "urls": urls })).await;
    let done = finished(&app, &member, &run).await;
    assert_eq!(done["status"], "completed", "{done:#}");
    let mut paths: Vec<String> = hook
        .seen
        .lock()
        .unwrap()
        .iter()
        .map(|s| s.1.clone())
        .collect();
    paths.sort();
    assert_eq!(paths, ["/slow/a", "/slow/b", "/slow/c", "/slow/d"]);
    assert_eq!(hook.in_flight.lock().unwrap().1, 3, "three at most at once");
    let fetched = node(&done, "fetch")["output"].as_array().unwrap().clone();
    let statuses: Vec<&Value> = fetched.iter().map(|f| &f["status"]).collect();
    assert_eq!(statuses, [&json!(200); 4], "{fetched:?}");
    let report = &node(&done, "report")["output"];
    assert!(report.to_string().contains("/slow/d"), "{report}");

    // review-a-pull-request, the original's own example: with a pull request the agent
    // reviews it, the run waits five seconds and calls the hook; without one, nothing follows.
    let review = create(&app, &member, example("review-a-pull-request", &base)).await;
    let with_pr = start(
        &app,
        &member,
        &review,
        json!({"pr": {"number": 7, "title": "Fix the parser"}}),
    )
    .await;
    let without_pr = start(&app, &member, &review, json!({})).await;

    // nightly-digest calls collect-activity by name; a busy night is summarised by the
    // writer, a quiet one skips the summary and the join still sends.
    create(&app, &member, example("collect-activity", &base)).await;
    let digest = create(&app, &member, example("nightly-digest", &base)).await;
    let events: Vec<u32> = (0..150).collect();
    let busy = start(&app, &member, &digest, json!({ "events": events })).await;
    let quiet = start(&app, &member, &digest, json!({"events": [1, 2, 3]})).await;

    let done = finished(&app, &member, &with_pr).await;
    assert_eq!(done["status"], "completed", "{done:#}");
    assert_eq!(node(&done, "c1")["output"]["result"], true);
    let review_out = &node(&done, "a1")["output"];
    assert_eq!(review_out["agent"], "reviewer");
    assert_eq!(review_out["model"], "smollm2-135m-instruct", "{review_out}");
    assert_eq!(node(&done, "d1")["status"], "completed");
    assert_eq!(node(&done, "x1")["status"], "completed");
    assert_eq!(hook.keys_of("/hook"), [format!("{with_pr}:x1")]);
    let done = finished(&app, &member, &without_pr).await;
    assert_eq!(done["status"], "completed", "{done:#}");
    assert_eq!(node(&done, "c1")["output"]["result"], false);
    for skipped in ["a1", "d1", "x1"] {
        assert_eq!(node(&done, skipped)["status"], "skipped", "{skipped}");
    }

    let done = finished(&app, &member, &busy).await;
    assert_eq!(done["status"], "completed", "{done:#}");
    let gathered = &node(&done, "gather")["output"];
    assert_eq!(gathered["output"]["activity"]["count"], 150, "{gathered}");
    let sub = run_of(&app, &member, gathered["run_id"].as_str().unwrap()).await;
    assert_eq!(sub["status"], "completed");
    assert_eq!(node(&done, "busy")["output"]["result"], true);
    assert_eq!(node(&done, "summarise")["output"]["agent"], "writer");
    assert_eq!(node(&done, "send")["status"], "completed");
    let done = finished(&app, &member, &quiet).await;
    assert_eq!(done["status"], "completed", "{done:#}");
    assert_eq!(node(&done, "busy")["output"]["result"], false);
    assert_eq!(node(&done, "summarise")["status"], "skipped");
    assert_eq!(
        node(&done, "send")["status"],
        "completed",
        "the join still runs"
    );
    let mut sent = hook.keys_of("/digest");
    sent.sort();
    let mut expected = [format!("{busy}:send"), format!("{quiet}:send")];
    expected.sort();
    assert_eq!(sent, expected);
    app.shutdown().await.unwrap();
}
