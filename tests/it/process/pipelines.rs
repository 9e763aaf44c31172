//! Pipeline runs across processes: a run whose server dies is finished by another, and
//! `pipeline run` locally and against a server.

use super::*;

/// A `serve` of the pipeline engine on `db` with a 2 s lease (so a survivor takes over fast),
/// private addresses allowed for the hook server, and `root@example.org` as its admin.
fn pipeline_server(db: &TestDb, config: &std::path::Path) -> tokio::process::Child {
    serve_with(
        db,
        config,
        "[pipelines]\nlease_secs = 2\npoll_interval_ms = 100\n[tools]\nhttp_allow_private = true\n[auth]\nbcrypt_cost = 4\n",
    )
}

/// Polls `run` on the server at `addr` until it completed or failed; the run as last read.
async fn settled_run(
    http: &reqwest::Client,
    addr: &str,
    token: &str,
    run: &str,
) -> serde_json::Value {
    let last = std::cell::RefCell::new(serde_json::Value::Null);
    let done = poll_until(Duration::from_secs(40), || {
        let fetched = http
            .get(format!("http://{addr}/api/pipeline-runs/{run}"))
            .bearer_auth(token)
            .send();
        let last = &last;
        async move {
            let value: serde_json::Value = fetched.await.unwrap().json().await.unwrap();
            let done = value["status"] == "completed" || value["status"] == "failed";
            *last.borrow_mut() = value;
            done
        }
    })
    .await;
    let last = last.into_inner();
    assert!(done, "the survivor never finished the run: {last:#}");
    last
}

/// Starts server A, signs in, stores `document` and starts a run of it; (A, its address, the
/// token, the run id).
async fn a_run_on_a_first_server(
    db: &TestDb,
    config: &std::path::Path,
    http: &reqwest::Client,
    document: serde_json::Value,
) -> (tokio::process::Child, String, String, String) {
    let mut a = pipeline_server(db, config);
    let addr = listening_and_ready(&mut a).await;
    let login = post_json(
        http,
        format!("http://{addr}/api/auth/login"),
        None,
        serde_json::json!({"email": "root@example.org", "password": "a long admin password"}),
    )
    .await;
    let token = login["access_token"].as_str().unwrap().to_owned();
    let created = post_json(
        http,
        format!("http://{addr}/api/pipelines"),
        Some(&token),
        document,
    )
    .await;
    let pipeline = created["id"].as_str().unwrap().to_owned();
    let run = post_json(
        http,
        format!("http://{addr}/api/pipelines/{pipeline}/runs"),
        Some(&token),
        serde_json::json!({}),
    )
    .await;
    let run = run["id"].as_str().unwrap().to_owned();
    (a, addr, token, run)
}

#[tokio::test]
async fn a_run_whose_server_is_killed_mid_node_is_finished_by_the_survivor_without_rerunning_settled_nodes()
 {
    use crate::pipeline_runs::node;

    let db = TestDb::migrated().await;
    let dir = scratch_dir();
    let config = dir.path().join("gathering.toml");
    let (base, hook) = hook_server().await;
    *hook.delay_ms.lock().unwrap() = 3000;
    let http = reqwest::Client::new();
    let call = |path: &str| {
        serde_json::json!({"action": "call_api", "url": format!("{base}{path}"), "method": "POST",
                           "max_retries": 0})
    };
    let document = serde_json::json!({"name": "survives", "nodes": [
        {"id": "t", "type": "trigger"},
        {"id": "a", "type": "action", "config": call("/a")},
        {"id": "b", "type": "action", "config": call("/slow")},
        {"id": "c", "type": "action", "config": call("/c")}],
      "edges": [{"from": "t", "to": "a"}, {"from": "a", "to": "b"}, {"from": "b", "to": "c"}]});
    let (mut a, _, token, run) = a_run_on_a_first_server(&db, &config, &http, document).await;
    // A is inside node b (its request is held by the hook), then B starts and A is killed.
    assert!(
        poll_until(Duration::from_secs(30), || async {
            hook.keys_of("/slow").len() == 1
        })
        .await,
        "node b never started"
    );
    let mut b = pipeline_server(&db, &config);
    let b_addr = listening_and_ready(&mut b).await;
    a.kill().await.unwrap();
    let last = settled_run(&http, &b_addr, &token, &run).await;
    assert_eq!(last["status"], "completed", "{last:#}");
    assert_eq!(last["claims"], 2, "{last:#}");
    // Settled nodes were not run again; the interrupted one was, with the same key.
    assert_eq!(node(&last, "a")["attempts"], 1);
    assert_eq!(hook.keys_of("/a"), vec![format!("{run}:a")]);
    assert_eq!(hook.keys_of("/c"), vec![format!("{run}:c")]);
    assert_eq!(
        hook.keys_of("/slow"),
        vec![format!("{run}:b"), format!("{run}:b")]
    );
    assert_eq!(node(&last, "b")["attempts"], 2);
    b.kill().await.unwrap();
}

/// A fan-out whose server dies while items are running: the survivor adopts the item runs
/// already started (no second run for any item), leaves the finished item alone and re-runs
/// only the interrupted calls, with their items' keys.
#[tokio::test]
async fn a_fan_out_whose_server_is_killed_mid_item_is_finished_by_the_survivor_item_by_item() {
    use crate::pipeline_runs::node;

    let db = TestDb::migrated().await;
    let dir = scratch_dir();
    let config = dir.path().join("gathering.toml");
    let (base, hook) = hook_server().await;
    *hook.delay_ms.lock().unwrap() = 3000;
    let http = reqwest::Client::new();
    let document = serde_json::json!({"name": "fans-out", "nodes": [
        {"id": "t", "type": "trigger"},
        {"id": "items", "type": "transform", "config": {"expression":
            "[{'path': 'fast', 'id': 'o0'}, {'path': 'slow', 'id': 'o1'}, {'path': 'slow', 'id': 'o2'}]"}},
        {"id": "each", "type": "parallel", "config": {"items": "input", "max_concurrency": 3}},
        {"id": "post", "type": "action", "config": {"action": "call_api", "method": "POST",
            "url": format!("{base}/{{{{input.item.path}}}}/{{{{input.item.id}}}}"), "max_retries": 0}},
        {"id": "all", "type": "merge"},
        {"id": "after", "type": "transform", "config": {"expression": "{'posted': size(input.post)}"}}],
      "edges": [{"from": "t", "to": "items"}, {"from": "items", "to": "each"},
                {"from": "each", "to": "post"}, {"from": "post", "to": "all"},
                {"from": "all", "to": "after"}]});
    let (mut a, _, token, run) = a_run_on_a_first_server(&db, &config, &http, document).await;
    let parent: uuid::Uuid = run.parse().unwrap();
    let client = db.client().await;
    // Both slow items are inside their call and the fast item's run has completed.
    let item_status = |index: i32| {
        let client = &client;
        async move {
            client
                .query_opt(
                    "SELECT status FROM pipeline.runs WHERE parent_run_id = $1 AND item_index = $2",
                    &[&parent, &index],
                )
                .await
                .unwrap()
                .map(|row| row.get::<_, String>(0))
        }
    };
    assert!(
        poll_until(Duration::from_secs(30), || async {
            hook.keys_of("/slow/o1").len() == 1
                && hook.keys_of("/slow/o2").len() == 1
                && item_status(0).await.as_deref() == Some("completed")
        })
        .await,
        "the items never started: {:?} {:?}",
        hook.keys(),
        client
            .query(
                "SELECT node_id, status, error FROM pipeline.run_nodes WHERE run_id = $1",
                &[&parent]
            )
            .await
            .unwrap()
            .iter()
            .map(|r| (
                r.get::<_, String>(0),
                r.get::<_, String>(1),
                r.get::<_, Option<String>>(2)
            ))
            .collect::<Vec<_>>()
    );
    let mut b = pipeline_server(&db, &config);
    let b_addr = listening_and_ready(&mut b).await;
    a.kill().await.unwrap();
    let last = settled_run(&http, &b_addr, &token, &run).await;
    assert_eq!(last["status"], "completed", "{last:#}");
    assert_eq!(last["claims"], 2, "{last:#}");
    assert_eq!(node(&last, "after")["output"]["posted"], 3, "{last:#}");
    let items: Vec<String> = node(&last, "each")["output"]["runs"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r.as_str().unwrap().to_owned())
        .collect();
    assert_eq!(items.len(), 3, "{last:#}");
    // One run per item, ever; the finished one was never taken over.
    let rows = client
        .query(
            "SELECT item_index, status, claims FROM pipeline.runs
              WHERE parent_run_id = $1 ORDER BY item_index",
            &[&parent],
        )
        .await
        .unwrap();
    let rows: Vec<(i32, String, i32)> = rows
        .iter()
        .map(|r| (r.get(0), r.get(1), r.get(2)))
        .collect();
    assert_eq!(
        rows,
        [
            (0, "completed".to_owned(), 1),
            (1, "completed".to_owned(), 2),
            (2, "completed".to_owned(), 2)
        ]
    );
    assert_eq!(hook.keys_of("/fast/o0"), vec![format!("{}:post", items[0])]);
    for (index, path) in [(1, "/slow/o1"), (2, "/slow/o2")] {
        let key = format!("{}:post", items[index]);
        assert_eq!(hook.keys_of(path), vec![key.clone(), key]);
    }
    b.kill().await.unwrap();
}

#[tokio::test]
async fn pipeline_run_local_runs_a_file_without_a_server_and_stores_the_run() {
    let db = TestDb::migrated().await;
    let dir = scratch_dir();
    let config = dir.path().join("gathering.toml");
    std::fs::write(&config, "[auth]\nbcrypt_cost = 4\n").unwrap();
    let local = |extra: &[&str]| {
        let mut command = gathering();
        command
            .args([
                "pipeline",
                "run",
                "docs/pipelines/triage-orders.json",
                "--local",
            ])
            .args([
                "--input",
                r#"{"orders": [{"amount": 250}, {"amount": 20}]}"#,
            ])
            .args(extra);
        on_test_db(&mut command, &db, &config);
        command
    };
    let output = tokio::time::timeout(Duration::from_secs(120), local(&[]).output())
        .await
        .expect("the run finishes")
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(0), "{stderr}");
    assert!(stderr.contains("pipeline triage-orders"), "{stderr}");
    assert!(stderr.contains("total"), "each node's progress: {stderr}");
    assert!(
        stderr
            .lines()
            .any(|l| l.starts_with("run ") && l.contains(" completed in ")),
        "{stderr}"
    );
    assert!(
        !stderr.contains(" INFO "),
        "the engine's log stays quiet: {stderr}"
    );
    let printed: serde_json::Value =
        serde_json::from_slice(&output.stdout).expect("the run's output is JSON on stdout");

    // Stored as a server would have stored it: the pipeline, its owner, the run and its nodes.
    let client = db.client().await;
    let run = client
        .query_one(
            "SELECT r.status, r.output, u.email, r.trigger_data
               FROM pipeline.runs r JOIN pipeline.pipelines p ON p.id = r.pipeline_id
               JOIN auth.users u ON u.id = p.owner_id
              WHERE p.name = 'triage-orders'",
            &[],
        )
        .await
        .unwrap();
    assert_eq!(run.get::<_, String>(0), "completed");
    assert_eq!(
        run.get::<_, Option<serde_json::Value>>(1)
            .unwrap_or_default(),
        printed
    );
    assert_eq!(run.get::<_, String>(2), "root@example.org");
    assert_eq!(
        run.get::<_, serde_json::Value>(3)["orders"][0]["amount"],
        250
    );
    let total = client
        .query_one(
            "SELECT n.status, n.output FROM pipeline.run_nodes n
               JOIN pipeline.runs r ON r.id = n.run_id WHERE n.node_id = 'total'",
            &[],
        )
        .await
        .unwrap();
    assert_eq!(total.get::<_, String>(0), "completed");
    assert_eq!(total.get::<_, serde_json::Value>(1)["count"], 1);

    // An unknown --as user: one clear error, nothing more stored.
    let output = tokio::time::timeout(
        Duration::from_secs(120),
        local(&["--as", "nobody@example.org"]).output(),
    )
    .await
    .expect("the command finishes")
    .unwrap();
    assert_eq!(output.status.code(), Some(1));
    assert_one_clear_line(
        &String::from_utf8_lossy(&output.stderr),
        "nobody@example.org: no such active user",
    );
    let runs: i64 = client
        .query_one("SELECT count(*) FROM pipeline.runs", &[])
        .await
        .unwrap()
        .get(0);
    assert_eq!(runs, 1);
}

#[tokio::test]
async fn pipeline_run_on_a_server_follows_the_run_over_its_websocket() {
    let db = TestDb::migrated().await;
    let dir = scratch_dir();
    let config = dir.path().join("gathering.toml");
    let mut server = pipeline_server(&db, &config);
    let addr = listening_and_ready(&mut server).await;
    let http = reqwest::Client::new();
    let token = admin_token(&http, &addr).await;
    let remote = |token: &str| {
        let mut command = gathering();
        command
            .args(["pipeline", "run", "docs/pipelines/triage-orders.json"])
            .args([
                "--input",
                r#"{"orders": [{"amount": 250}, {"amount": 20}]}"#,
            ])
            .args(["--server", &format!("http://{addr}/"), "--token", token]);
        command
    };
    // Twice: stored, then stored again as a new version of the same pipeline.
    for version in [1, 2] {
        let output = tokio::time::timeout(Duration::from_secs(120), remote(&token).output())
            .await
            .expect("the run finishes")
            .unwrap();
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(0), "{stderr}");
        assert!(
            stderr.contains("pipeline triage-orders (")
                && stderr.contains(&format!("), version {version}")),
            "{stderr}"
        );
        assert!(
            !stderr.contains("note:"),
            "followed by its events: {stderr}"
        );
        assert!(
            stderr
                .lines()
                .any(|l| l.contains("total") && l.ends_with(" completed")),
            "each node's progress: {stderr}"
        );
        let ended = stderr
            .lines()
            .find(|l| l.starts_with("run ") && l.contains(" completed in "))
            .unwrap_or_else(|| panic!("{stderr}"));
        let run_id = ended.split(' ').nth(1).unwrap();
        let printed: serde_json::Value =
            serde_json::from_slice(&output.stdout).expect("the run's output is JSON on stdout");
        let run: serde_json::Value = http
            .get(format!("http://{addr}/api/pipeline-runs/{run_id}"))
            .bearer_auth(&token)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert_eq!(run["output"], printed);
    }

    // A refused token: the server's answer, in one line.
    let output = tokio::time::timeout(Duration::from_secs(60), remote("gk_not-a-key").output())
        .await
        .expect("the command finishes")
        .unwrap();
    assert_eq!(output.status.code(), Some(1));
    assert_one_clear_line(
        &String::from_utf8_lossy(&output.stderr),
        "the server answered 401 Unauthorized",
    );
    server.kill().await.unwrap();
}
