//! The `gathering` binary as a user runs it: serve on an embedded cluster and stop on SIGTERM
//! leaving no postgres behind; bad configuration and unusable databases fail with one line.

use std::process::Stdio;
use std::time::Duration;

use nix::sys::signal::{Signal, kill};
use nix::unistd::Pid;
use secrecy::ExposeSecret;
use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::process::Command;

use crate::pipeline_runs::hook_server;
use crate::support::{TestDb, poll_until, repo_root, scratch_dir};

/// The binary with a clean gathering environment, run from the repository root.
fn gathering() -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_gathering"));
    command.current_dir(repo_root()).kill_on_drop(true);
    for var in [
        "DATABASE_URL",
        "GATHERING_ADDR",
        "GATHERING_DATA_DIR",
        "GATHERING_PG_DIR",
        "GATHERING_CONFIG",
        "GATHERING_ENV",
        "GATHERING_CORS_ORIGINS",
        "RUST_LOG",
    ] {
        command.env_remove(var);
    }
    command
}

/// Runs to completion; returns (exit code, stderr).
async fn run(command: &mut Command) -> (Option<i32>, String) {
    let output = tokio::time::timeout(Duration::from_secs(60), command.output())
        .await
        .expect("the command finishes")
        .expect("the binary runs");
    (
        output.status.code(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

/// Waits for a `serve` child (stderr piped) to print its address and answer ready; keeps
/// draining its stderr so it never blocks on a full pipe. Returns `host:port`.
async fn listening_and_ready(child: &mut tokio::process::Child) -> String {
    let mut lines = BufReader::new(child.stderr.take().unwrap()).lines();
    let addr = tokio::time::timeout(Duration::from_secs(60), async {
        while let Some(line) = lines.next_line().await.unwrap() {
            if let Some(addr) = line.strip_prefix("gathering listening on http://") {
                return addr.to_owned();
            }
        }
        panic!("the server exited before listening");
    })
    .await
    .expect("the server listens");
    tokio::spawn(async move { while let Ok(Some(_)) = lines.next_line().await {} });
    let http = reqwest::Client::new();
    let ready = poll_until(Duration::from_secs(30), || async {
        http.get(format!("http://{addr}/health/ready"))
            .send()
            .await
            .is_ok_and(|r| r.status() == 200)
    })
    .await;
    assert!(ready, "never ready");
    addr
}

fn assert_one_clear_line(stderr: &str, needle: &str) {
    assert!(stderr.contains(needle), "expected `{needle}` in: {stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
    let error_lines = stderr.lines().filter(|l| l.starts_with("error:")).count();
    assert_eq!(error_lines, 1, "{stderr}");
}

#[tokio::test]
async fn serve_on_a_new_data_dir_then_sigterm_exits_0_and_stops_postgres() {
    let dir = scratch_dir();
    let data_dir = dir.path().join("data");
    let mut child = gathering()
        .args(["serve", "--addr", "127.0.0.1:0", "--data-dir"])
        .arg(&data_dir)
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    listening_and_ready(&mut child).await;

    let pgdata = data_dir.join("pgdata");
    let pid_text = std::fs::read_to_string(pgdata.join("postmaster.pid")).unwrap();
    let postmaster: i32 = pid_text.lines().next().unwrap().parse().unwrap();
    assert!(
        kill(Pid::from_raw(postmaster), None).is_ok(),
        "postgres runs while serving"
    );

    kill(Pid::from_raw(child.id().unwrap() as i32), Signal::SIGTERM).unwrap();
    let status = tokio::time::timeout(Duration::from_secs(30), child.wait())
        .await
        .expect("the server exits after SIGTERM")
        .unwrap();
    assert_eq!(status.code(), Some(0));
    assert!(
        !pgdata.join("postmaster.pid").exists(),
        "postgres shut down cleanly"
    );
    let stat = std::fs::read_to_string(format!("/proc/{postmaster}/stat")).unwrap_or_default();
    let state = stat
        .rsplit_once(')')
        .map(|(_, rest)| rest.trim_start().chars().next());
    assert!(
        matches!(state, None | Some(Some('Z' | 'X'))),
        "postmaster {postmaster} still running: {stat}"
    );
}

#[tokio::test]
async fn invalid_settings_fail_with_one_line_naming_them() {
    let (code, stderr) = run(gathering().args(["serve"]).env("GATHERING_ADDR", "nowhere")).await;
    assert_eq!(code, Some(1));
    assert_one_clear_line(&stderr, "GATHERING_ADDR");

    let dir = scratch_dir();
    let file = dir.path().join("gathering.toml");
    std::fs::write(&file, "addr = [\n").unwrap();
    let (code, stderr) = run(gathering().arg("--config").arg(&file).arg("serve")).await;
    assert_eq!(code, Some(1));
    assert_one_clear_line(&stderr, "invalid config file");

    let (code, stderr) = run(gathering().args(["serve", "--config", "/no/such/file.toml"])).await;
    assert_eq!(code, Some(1));
    assert_one_clear_line(&stderr, "cannot read config file /no/such/file.toml");
}

#[tokio::test]
async fn an_unreachable_database_fails_fast_without_printing_the_password() {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let url = format!("postgres://someone:s3cret-pw@127.0.0.1:{port}/db");
    let (code, stderr) = run(gathering().arg("serve").env("DATABASE_URL", &url)).await;
    assert_eq!(code, Some(1));
    assert_one_clear_line(
        &stderr,
        &format!("cannot reach the database at someone@127.0.0.1:{port}/db"),
    );
    assert!(!stderr.contains("s3cret-pw"), "{stderr}");
}

#[tokio::test]
async fn a_wrong_password_is_named_as_such() {
    let db = TestDb::migrated().await;
    let url: tokio_postgres::Config = db.url.expose_secret().parse().unwrap();
    let wrong = format!(
        "postgres://{}:wrong-pw@127.0.0.1:{}/{}",
        url.get_user().unwrap(),
        url.get_ports()[0],
        db.name
    );
    let (code, stderr) = run(gathering().arg("serve").env("DATABASE_URL", &wrong)).await;
    assert_eq!(code, Some(1));
    assert_one_clear_line(&stderr, "rejected the credentials");
    assert!(!stderr.contains("wrong-pw"), "{stderr}");
}

#[tokio::test]
async fn a_port_in_use_is_named() {
    let db = TestDb::migrated().await;
    let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = taken.local_addr().unwrap().to_string();
    let (code, stderr) = run(gathering()
        .args(["serve", "--addr", &addr])
        .env("DATABASE_URL", db.url.expose_secret()))
    .await;
    assert_eq!(code, Some(1));
    assert_one_clear_line(&stderr, &format!("cannot listen on {addr}"));
}

#[tokio::test]
async fn db_commands_report_status_and_urls() {
    let dir = scratch_dir();
    let data_dir = dir.path().join("data");
    let status = || {
        let mut command = gathering();
        command.args(["db", "status", "--data-dir"]).arg(&data_dir);
        command
    };
    let output = status().output().await.unwrap();
    assert_eq!(output.status.code(), Some(3));
    assert_eq!(
        String::from_utf8_lossy(&output.stdout).trim(),
        "not initialised"
    );

    let (code, stderr) = run(gathering()
        .args(["db", "start", "--data-dir"])
        .arg(&data_dir))
    .await;
    assert_eq!(code, Some(0), "{stderr}");
    let guard = StopCluster(data_dir.clone());
    let output = status().output().await.unwrap();
    assert_eq!(output.status.code(), Some(0));
    assert!(String::from_utf8_lossy(&output.stdout).starts_with("running (pid "));

    let output = gathering()
        .args(["db", "url", "--data-dir"])
        .arg(&data_dir)
        .output()
        .await
        .unwrap();
    let url = String::from_utf8(output.stdout).unwrap();
    let (client, connection) = tokio_postgres::connect(url.trim(), tokio_postgres::NoTls)
        .await
        .expect("`db url` prints a usable DATABASE_URL");
    tokio::spawn(connection);
    let one: i32 = client.query_one("SELECT 1", &[]).await.unwrap().get(0);
    assert_eq!(one, 1);

    let output = gathering()
        .args(["db", "stop", "--data-dir"])
        .arg(&data_dir)
        .output()
        .await
        .unwrap();
    assert_eq!(String::from_utf8_lossy(&output.stdout).trim(), "stopped");
    assert_eq!(status().output().await.unwrap().status.code(), Some(3));
    drop(guard);
}

/// Stops a cluster started through the CLI if the test fails half-way.
struct StopCluster(std::path::PathBuf);

impl Drop for StopCluster {
    fn drop(&mut self) {
        if let Ok(manager) =
            gathering::db::embedded::EmbeddedPostgres::new(&crate::support::pg_dir(), &self.0)
        {
            let _ = manager.stop();
        }
    }
}

#[tokio::test]
async fn users_create_reads_the_password_from_stdin() {
    use tokio::io::AsyncWriteExt;
    let db = TestDb::migrated().await;
    let create = |password: &'static str, email: &'static str| {
        let mut command = gathering();
        command
            .args(["users", "create", "--email", email, "--role", "admin"])
            .env("DATABASE_URL", db.url.expose_secret())
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        async move {
            let mut child = command.spawn().unwrap();
            let mut stdin = child.stdin.take().unwrap();
            stdin.write_all(password.as_bytes()).await.unwrap();
            drop(stdin);
            child.wait_with_output().await.unwrap()
        }
    };
    let output = create("a long admin password\n", "root@example.org").await;
    assert_eq!(
        output.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(String::from_utf8_lossy(&output.stdout).starts_with("created root@example.org (admin"));
    let row = db
        .client()
        .await
        .query_one(
            "SELECT role FROM auth.users WHERE email = 'root@example.org'",
            &[],
        )
        .await
        .unwrap();
    assert_eq!(row.get::<_, String>(0), "admin");

    let output = create("short\n", "two@example.org").await;
    assert_eq!(output.status.code(), Some(1));
    assert_one_clear_line(
        &String::from_utf8_lossy(&output.stderr),
        "at least 12 characters",
    );
}

/// Two server processes on one database: an event committed through one reaches a WebSocket
/// client of the other, in order.
#[tokio::test]
async fn an_event_committed_on_one_process_reaches_websocket_clients_of_another() {
    use futures_util::{SinkExt, StreamExt};
    use tokio_tungstenite::tungstenite::Message;
    use tokio_tungstenite::tungstenite::client::IntoClientRequest;

    let db = TestDb::migrated().await;
    let start = || {
        let mut command = gathering();
        command
            .args(["serve", "--addr", "127.0.0.1:0"])
            .env("DATABASE_URL", db.url.expose_secret())
            .env(
                "GATHERING_JWT_SECRET",
                "one secret shared by every instance here",
            )
            .env("GATHERING_ADMIN_EMAIL", "root@example.org")
            .env("GATHERING_ADMIN_PASSWORD", "a long admin password")
            .stderr(Stdio::piped());
        command.spawn().unwrap()
    };
    let mut a = start();
    let a_addr = listening_and_ready(&mut a).await;
    let mut b = start();
    let b_addr = listening_and_ready(&mut b).await;

    let http = reqwest::Client::new();
    let login: serde_json::Value = http
        .post(format!("http://{a_addr}/api/auth/login"))
        .json(
            &serde_json::json!({"email": "root@example.org", "password": "a long admin password"}),
        )
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let token = login["access_token"].as_str().unwrap().to_owned();

    let mut request = format!("ws://{b_addr}/ws").into_client_request().unwrap();
    request.headers_mut().insert(
        "sec-websocket-protocol",
        format!("bearer, {token}").parse().unwrap(),
    );
    let (mut socket, _) = tokio_tungstenite::connect_async(request).await.unwrap();
    let subscribe = serde_json::json!({"action": "subscribe", "topics": ["events"]});
    socket
        .send(Message::Text(subscribe.to_string().into()))
        .await
        .unwrap();
    let mut next_frame = async || loop {
        let message = tokio::time::timeout(Duration::from_secs(10), socket.next())
            .await
            .expect("a frame within 10 s")
            .unwrap()
            .unwrap();
        if let Message::Text(text) = message {
            return serde_json::from_str::<serde_json::Value>(&text).unwrap();
        }
    };
    assert_eq!(next_frame().await["type"], "ready");
    assert_eq!(next_frame().await["type"], "subscribed");

    for n in 0..3 {
        let created = http
            .post(format!("http://{a_addr}/api/users"))
            .bearer_auth(&token)
            .json(
                &serde_json::json!({"email": format!("p{n}@example.org"), "display_name": "P",
                                      "password": "long enough password", "role": "viewer"}),
            )
            .send()
            .await
            .unwrap();
        assert_eq!(created.status(), 201);
    }
    let mut seqs = Vec::new();
    for n in 0..3 {
        let frame = next_frame().await;
        assert_eq!(frame["event"]["type"], "user.created", "{frame}");
        assert_eq!(frame["event"]["data"]["email"], format!("p{n}@example.org"));
        seqs.push(frame["seq"].as_i64().unwrap());
    }
    assert!(seqs.windows(2).all(|w| w[0] < w[1]), "{seqs:?}");
    for child in [&mut a, &mut b] {
        kill(Pid::from_raw(child.id().unwrap() as i32), Signal::SIGTERM).unwrap();
        let status = tokio::time::timeout(Duration::from_secs(30), child.wait())
            .await
            .expect("exits after SIGTERM")
            .unwrap();
        assert_eq!(status.code(), Some(0));
    }
}

/// A `serve` of the pipeline engine on `db` with a 2 s lease (so a survivor takes over fast),
/// private addresses allowed for the hook server, and `root@example.org` as its admin.
fn pipeline_server(db: &TestDb, config: &std::path::Path) -> tokio::process::Child {
    std::fs::write(
        config,
        "[pipelines]\nlease_secs = 2\npoll_interval_ms = 100\n[tools]\nhttp_allow_private = true\n[auth]\nbcrypt_cost = 4\n",
    )
    .unwrap();
    let mut command = gathering();
    command
        .args(["serve", "--addr", "127.0.0.1:0"])
        .stderr(Stdio::piped());
    on_test_db(&mut command, db, config);
    command.spawn().unwrap()
}

/// Points `command` at `db` with the configuration file `config`, no personas, and
/// `root@example.org` as the admin created on start.
fn on_test_db(command: &mut Command, db: &TestDb, config: &std::path::Path) {
    command
        .env("DATABASE_URL", db.url.expose_secret())
        .env("GATHERING_CONFIG", config)
        .env(
            "GATHERING_PERSONAS_DIR",
            repo_root().join("tests/no-personas"),
        )
        .env("GATHERING_ADMIN_EMAIL", "root@example.org")
        .env("GATHERING_ADMIN_PASSWORD", "a long admin password");
}

/// POSTs `body` with `token`; the JSON answer.
async fn post_json(
    http: &reqwest::Client,
    url: String,
    token: Option<&str>,
    body: serde_json::Value,
) -> serde_json::Value {
    let mut request = http.post(url).json(&body);
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    request.send().await.unwrap().json().await.unwrap()
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

/// A server whose scheduler looks often and whose leases are short.
fn scheduler_server(db: &TestDb, config: &std::path::Path) -> tokio::process::Child {
    scheduler_server_with(db, config, "")
}

/// [`scheduler_server`] with more `[scheduler]` settings (`key = value` lines).
fn scheduler_server_with(
    db: &TestDb,
    config: &std::path::Path,
    scheduler: &str,
) -> tokio::process::Child {
    std::fs::write(
        config,
        format!(
            "[scheduler]\nlease_secs = 2\npoll_interval_ms = 100\nmisfire_grace_secs = 2\n\
             {scheduler}[tools]\nhttp_allow_private = true\n[auth]\nbcrypt_cost = 4\n"
        ),
    )
    .unwrap();
    let mut command = gathering();
    command
        .args(["serve", "--addr", "127.0.0.1:0"])
        .stderr(Stdio::piped());
    on_test_db(&mut command, db, config);
    command.spawn().unwrap()
}

async fn admin_token(http: &reqwest::Client, addr: &str) -> String {
    let login = post_json(
        http,
        format!("http://{addr}/api/auth/login"),
        None,
        serde_json::json!({"email": "root@example.org", "password": "a long admin password"}),
    )
    .await;
    login["access_token"].as_str().unwrap().to_owned()
}

/// Every run of a schedule, oldest occurrence first.
async fn schedule_runs(
    http: &reqwest::Client,
    addr: &str,
    token: &str,
    id: &str,
) -> Vec<serde_json::Value> {
    let page: serde_json::Value = http
        .get(format!("http://{addr}/api/schedules/{id}/runs?limit=200"))
        .bearer_auth(token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let mut items = page["items"].as_array().cloned().unwrap_or_default();
    items.reverse();
    items
}

/// Three servers on one database, many schedules every second: each occurrence from the first
/// to the last is executed, and exactly once (one run, one request with its key), and every
/// server executes some. That last is made certain, not left to which server wins the firing
/// locks: each server executes one run at a time and each request takes 200 ms, so the 24
/// occurrences a second are more than all three together execute; runs wait, their leases
/// (2 s, renewed only once started) expire, and an idle server's sweep takes them over.
#[tokio::test]
async fn three_servers_execute_every_occurrence_of_many_schedules_exactly_once() {
    let db = TestDb::migrated().await;
    let dir = scratch_dir();
    let config = dir.path().join("gathering.toml");
    let (base, hook) = hook_server().await;
    *hook.delay_ms.lock().unwrap() = 200;
    let http = reqwest::Client::new();
    let mut servers = Vec::new();
    let mut addrs = Vec::new();
    for _ in 0..3 {
        let mut child = scheduler_server_with(&db, &config, "max_concurrent = 1\n");
        addrs.push(listening_and_ready(&mut child).await);
        servers.push(child);
    }
    let token = admin_token(&http, &addrs[0]).await;
    let mut ids = Vec::new();
    for n in 0..24 {
        let created = post_json(
            &http,
            format!("http://{}/api/schedules", addrs[n % 3]),
            Some(&token),
            serde_json::json!({"name": format!("s{n}"), "kind": "interval",
                "interval_seconds": 1, "overlap": "allow",
                "action": {"type": "call_api", "url": format!("{base}/s{n}"), "method": "POST"}}),
        )
        .await;
        ids.push((
            created["id"].as_str().unwrap().to_owned(),
            created["next_fire_times"][0].clone(),
        ));
    }
    // Let them fire for a while, every schedule at least eight times.
    let enough = poll_until(Duration::from_secs(60), || async {
        hook.seen.lock().unwrap().len() >= 24 * 8
    })
    .await;
    assert!(enough, "only {} requests", hook.seen.lock().unwrap().len());
    for (n, (id, _)) in ids.iter().enumerate() {
        let paused = post_json(
            &http,
            format!("http://{}/api/schedules/{id}/pause", addrs[n % 3]),
            Some(&token),
            serde_json::json!({}),
        )
        .await;
        assert_eq!(paused["status"], "paused", "{paused:#}");
    }
    let mut instances = std::collections::HashMap::<String, usize>::new();
    let mut total = 0;
    for (n, (id, first)) in ids.iter().enumerate() {
        let settled = poll_until(Duration::from_secs(30), || async {
            schedule_runs(&http, &addrs[0], &token, id)
                .await
                .iter()
                .all(|r| r["status"] == "completed")
        })
        .await;
        let runs = schedule_runs(&http, &addrs[0], &token, id).await;
        assert!(settled, "{runs:#?}");
        let times: Vec<chrono::DateTime<chrono::Utc>> = runs
            .iter()
            .map(|r| r["scheduled_for"].as_str().unwrap().parse().unwrap())
            .collect();
        // From its first occurrence, none missing and none twice.
        assert_eq!(runs[0]["scheduled_for"], *first, "s{n}");
        assert!(times.len() >= 8, "s{n}: {}", times.len());
        for pair in times.windows(2) {
            assert_eq!(pair[1] - pair[0], chrono::TimeDelta::seconds(1), "s{n}");
        }
        let mut keys = hook.keys_of(&format!("/s{n}"));
        keys.sort();
        let mut expected: Vec<String> = runs
            .iter()
            .map(|r| format!("schedule:{}", r["id"].as_str().unwrap()))
            .collect();
        expected.sort();
        assert_eq!(keys, expected, "s{n}: one request per run");
        for run in &runs {
            assert_eq!(run["attempts"], 1);
            *instances
                .entry(run["instance"].as_str().unwrap().to_owned())
                .or_default() += 1;
        }
        total += runs.len();
    }
    assert_eq!(hook.seen.lock().unwrap().len(), total);
    assert_eq!(
        instances.len(),
        3,
        "every server executes some: {total} executions by instance: {instances:?}"
    );
    assert!(instances.values().all(|&n| n > 0), "{instances:?}");
    for mut server in servers {
        server.kill().await.unwrap();
    }
}

/// A server killed (SIGKILL) during two long executions: the survivor takes both over when
/// their leases expire (the dead server's advisory locks went with its connections): the one
/// with a retry left is executed again with the same key and completes; the one without is
/// marked failed. Each occurrence still has one run.
#[tokio::test]
async fn a_server_killed_during_long_executions_leaves_them_to_the_survivor_never_twice() {
    let db = TestDb::migrated().await;
    let dir = scratch_dir();
    let config = dir.path().join("gathering.toml");
    let (base, hook) = hook_server().await;
    *hook.delay_ms.lock().unwrap() = 4000;
    let http = reqwest::Client::new();
    let mut a = scheduler_server(&db, &config);
    let a_addr = listening_and_ready(&mut a).await;
    let token = admin_token(&http, &a_addr).await;
    let at = (chrono::Utc::now() + chrono::TimeDelta::milliseconds(500)).to_rfc3339();
    let mut ids = Vec::new();
    for (name, retries) in [("retried", 1), ("spent", 0)] {
        let created = post_json(
            &http,
            format!("http://{a_addr}/api/schedules"),
            Some(&token),
            serde_json::json!({"name": name, "kind": "once", "at": at, "retry_count": retries,
                "retry_delay_seconds": 0,
                "action": {"type": "call_api", "url": format!("{base}/slow/{name}"),
                           "method": "POST"}}),
        )
        .await;
        ids.push(created["id"].as_str().unwrap().to_owned());
    }
    // Both are inside their call on A; then B starts and A is killed.
    assert!(
        poll_until(Duration::from_secs(30), || async {
            hook.in_flight.lock().unwrap().0 == 2
        })
        .await,
        "the executions never started"
    );
    let first = schedule_runs(&http, &a_addr, &token, &ids[0]).await;
    let a_instance = first[0]["instance"].clone();
    let mut b = scheduler_server(&db, &config);
    let b_addr = listening_and_ready(&mut b).await;
    a.kill().await.unwrap();
    let mut settled = Vec::new();
    for id in &ids {
        let done = poll_until(Duration::from_secs(40), || async {
            let runs = schedule_runs(&http, &b_addr, &token, id).await;
            runs.len() == 1
                && ["completed", "failed"].contains(&runs[0]["status"].as_str().unwrap())
        })
        .await;
        let runs = schedule_runs(&http, &b_addr, &token, id).await;
        assert!(done, "{runs:#?}");
        assert_eq!(runs.len(), 1, "one run per occurrence");
        settled.push(runs[0].clone());
    }
    let (retried, spent) = (&settled[0], &settled[1]);
    assert_eq!(retried["status"], "completed", "{retried:#}");
    assert_eq!(retried["attempts"], 2);
    assert_ne!(retried["instance"], a_instance);
    let key = format!("schedule:{}", retried["id"].as_str().unwrap());
    assert_eq!(hook.keys_of("/slow/retried"), vec![key.clone(), key]);
    assert_eq!(spent["status"], "failed", "{spent:#}");
    assert_eq!(spent["attempts"], 1);
    assert!(
        spent["error"].as_str().unwrap().contains("lease expired"),
        "{spent:#}"
    );
    assert_eq!(hook.keys_of("/slow/spent").len(), 1);
    b.kill().await.unwrap();
}
