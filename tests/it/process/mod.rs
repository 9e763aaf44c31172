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

/// A `serve` on `db` listening on a free port, with the configuration file `config` written
/// as `toml` (stderr piped for [`listening_and_ready`]).
fn serve_with(db: &TestDb, config: &std::path::Path, toml: &str) -> tokio::process::Child {
    std::fs::write(config, toml).unwrap();
    let mut command = gathering();
    command
        .args(["serve", "--addr", "127.0.0.1:0"])
        .stderr(Stdio::piped());
    on_test_db(&mut command, db, config);
    command.spawn().unwrap()
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

mod circles;
mod cli;
mod events;
mod pipelines;
mod scheduler;
