//! First-run setup: the one-time token creates the first admin (audited, published, signed
//! in), once; a wrong token is refused; an admin made any other way closes setup; two requests
//! at once make one admin.

use gathering::auth::model::Role;
use serde_json::{Value, json};

use crate::support::{TestApp, json};

async fn setup(app: &TestApp, body: Value) -> reqwest::Response {
    app.http
        .post(app.url("/api/setup"))
        .json(&body)
        .send()
        .await
        .unwrap()
}

async fn is_open(app: &TestApp) -> bool {
    let status = json(app.get("/api/setup").await).await;
    status["open"].as_bool().expect("open is a bool")
}

async fn admins(app: &TestApp) -> i64 {
    let client = app.db.client().await;
    client
        .query_one("SELECT count(*) FROM auth.users WHERE role = 'admin'", &[])
        .await
        .unwrap()
        .get(0)
}

#[tokio::test]
async fn the_setup_token_creates_the_first_admin_once() {
    let app = TestApp::spawn().await;
    assert!(is_open(&app).await);
    assert_eq!(app.setup_token.len(), 43, "32 bytes, base64url");

    let wrong = setup(
        &app,
        json!({"token": "not-the-token", "email": "root@example.org",
               "password": "a long enough password"}),
    )
    .await;
    assert_eq!(wrong.status(), 403);
    assert_eq!(json(wrong).await["error"]["code"], "forbidden");

    let bad_email = setup(
        &app,
        json!({"token": app.setup_token, "email": "not an email",
               "password": "a long enough password"}),
    )
    .await;
    assert_eq!(bad_email.status(), 422);
    assert_eq!(json(bad_email).await["error"]["details"]["field"], "email");
    let bad_password = setup(
        &app,
        json!({"token": app.setup_token, "email": "root@example.org", "password": "short"}),
    )
    .await;
    assert_eq!(bad_password.status(), 422);
    assert_eq!(
        json(bad_password).await["error"]["details"]["field"],
        "password"
    );
    assert_eq!(admins(&app).await, 0);
    assert!(is_open(&app).await, "refusals leave the token usable");

    let created = setup(
        &app,
        json!({"token": app.setup_token, "email": "root@example.org",
               "password": "a long enough password", "display_name": "Root"}),
    )
    .await;
    assert_eq!(created.status(), 201);
    let cookies: Vec<String> = created
        .headers()
        .get_all("set-cookie")
        .iter()
        .map(|v| v.to_str().unwrap().to_owned())
        .collect();
    assert!(
        cookies[0].starts_with("gathering_refresh=grt_"),
        "{cookies:?}"
    );
    assert!(cookies[1].starts_with("gathering_csrf="), "{cookies:?}");
    let body = json(created).await;
    assert_eq!(body["user"]["role"], "admin");
    assert_eq!(body["user"]["display_name"], "Root");
    assert!(body.get("refresh_token").is_none());
    let me = app
        .get_as("/api/auth/me", body["access_token"].as_str().unwrap())
        .await;
    assert_eq!(json(me).await["email"], "root@example.org");

    // Audited and published as any user creation, with no actor (as from the command line).
    let client = app.db.client().await;
    let audited: i64 = client
        .query_one(
            "SELECT count(*) FROM audit.events
              WHERE action = 'user.created' AND actor_id IS NULL AND outcome = 'success'",
            &[],
        )
        .await
        .unwrap()
        .get(0);
    assert_eq!(audited, 1);
    let published: i64 = client
        .query_one(
            "SELECT count(*) FROM events.outbox WHERE type = 'user.created' AND data->>'role' = 'admin'",
            &[],
        )
        .await
        .unwrap()
        .get(0);
    assert_eq!(published, 1);

    assert!(!is_open(&app).await);
    let reused = setup(
        &app,
        json!({"token": app.setup_token, "email": "second@example.org",
               "password": "a long enough password"}),
    )
    .await;
    assert_eq!(reused.status(), 409);
    assert_eq!(json(reused).await["error"]["code"], "setup_closed");
    assert_eq!(admins(&app).await, 1);
}

#[tokio::test]
async fn an_admin_made_another_way_closes_setup() {
    let app = TestApp::spawn().await;
    assert!(is_open(&app).await);
    // A member does not count; an admin from the command line does.
    app.create_user("member@example.org", Role::Member).await;
    assert!(is_open(&app).await);
    app.create_user("cli-admin@example.org", Role::Admin).await;
    assert!(!is_open(&app).await);
    let late = setup(
        &app,
        json!({"token": app.setup_token, "email": "late@example.org",
               "password": "a long enough password"}),
    )
    .await;
    assert_eq!(late.status(), 409);
    assert_eq!(json(late).await["error"]["code"], "setup_closed");
    assert_eq!(admins(&app).await, 1);
}

#[tokio::test]
async fn two_setups_at_once_make_one_admin() {
    let app = TestApp::spawn().await;
    let attempt = |email: &str| {
        setup(
            &app,
            json!({"token": app.setup_token, "email": email,
                   "password": "a long enough password"}),
        )
    };
    let (a, b) = tokio::join!(attempt("a@example.org"), attempt("b@example.org"));
    let mut statuses = [a.status().as_u16(), b.status().as_u16()];
    statuses.sort_unstable();
    assert_eq!(statuses, [201, 409]);
    assert_eq!(admins(&app).await, 1);
}

/// `gathering serve` as a user runs it, on `db`: stdout and stderr piped.
fn serve(db: &crate::support::TestDb, admin_from_env: bool) -> tokio::process::Child {
    use secrecy::ExposeSecret;
    let mut command = tokio::process::Command::new(env!("CARGO_BIN_EXE_gathering"));
    command
        .current_dir(crate::support::repo_root())
        .kill_on_drop(true)
        .args(["serve", "--addr", "127.0.0.1:0"])
        .env_remove("GATHERING_CONFIG")
        .env("DATABASE_URL", db.url.expose_secret())
        .env("RUST_LOG", "debug,tokio_postgres=warn")
        .env(
            "GATHERING_PERSONAS_DIR",
            crate::support::repo_root().join("tests/no-personas"),
        )
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped());
    if admin_from_env {
        command
            .env("GATHERING_ADMIN_EMAIL", "root@example.org")
            .env("GATHERING_ADMIN_PASSWORD", "a long admin password");
    } else {
        command
            .env_remove("GATHERING_ADMIN_EMAIL")
            .env_remove("GATHERING_ADMIN_PASSWORD");
    }
    command.spawn().unwrap()
}

/// Runs `serve` until ready, lets `while_up` use its address, stops it with SIGTERM; returns
/// (stdout, stderr), everything the process wrote.
async fn serve_and_stop<F, Fut>(
    db: &crate::support::TestDb,
    admin_from_env: bool,
    while_up: F,
) -> (String, String)
where
    F: FnOnce(String) -> Fut,
    Fut: std::future::Future<Output = ()>,
{
    use std::time::Duration;
    use tokio::io::{AsyncBufReadExt, AsyncReadExt, BufReader};
    let mut child = serve(db, admin_from_env);
    let mut stdout = child.stdout.take().unwrap();
    let stdout = tokio::spawn(async move {
        let mut text = String::new();
        stdout.read_to_string(&mut text).await.unwrap();
        text
    });
    let (addr_tx, addr_rx) = tokio::sync::oneshot::channel();
    let mut lines = BufReader::new(child.stderr.take().unwrap()).lines();
    let stderr = tokio::spawn(async move {
        let mut addr_tx = Some(addr_tx);
        let mut text = String::new();
        while let Ok(Some(line)) = lines.next_line().await {
            if let Some(addr) = line.strip_prefix("gathering listening on http://")
                && let Some(tx) = addr_tx.take()
            {
                let _ = tx.send(addr.to_owned());
            }
            text.push_str(&line);
            text.push('\n');
        }
        text
    });
    let addr = tokio::time::timeout(Duration::from_secs(60), addr_rx)
        .await
        .expect("the server listens")
        .expect("the server printed its address");
    let http = reqwest::Client::new();
    let ready = crate::support::poll_until(Duration::from_secs(30), || async {
        http.get(format!("http://{addr}/health/ready"))
            .send()
            .await
            .is_ok_and(|r| r.status() == 200)
    })
    .await;
    assert!(ready, "never ready");
    while_up(addr).await;
    let pid = nix::unistd::Pid::from_raw(child.id().unwrap() as i32);
    nix::sys::signal::kill(pid, nix::sys::signal::Signal::SIGTERM).unwrap();
    let status = tokio::time::timeout(Duration::from_secs(30), child.wait())
        .await
        .expect("the server exits after SIGTERM")
        .unwrap();
    assert_eq!(status.code(), Some(0));
    (stdout.await.unwrap(), stderr.await.unwrap())
}

#[tokio::test]
async fn serve_prints_the_setup_link_once_on_stdout_and_never_logs_the_token() {
    let db = crate::support::TestDb::migrated().await;
    let (stdout, stderr) = serve_and_stop(&db, false, |addr| async move {
        let http = reqwest::Client::new();
        let status: Value = http
            .get(format!("http://{addr}/api/setup"))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert_eq!(status["open"], true);
    })
    .await;
    let links: Vec<&str> = stdout
        .lines()
        .filter(|l| l.starts_with("First run: open http://127.0.0.1:"))
        .collect();
    assert_eq!(links.len(), 1, "{stdout}");
    let token = links[0]
        .split("/setup#token=")
        .nth(1)
        .and_then(|rest| rest.split(' ').next())
        .expect("a token in the link");
    assert_eq!(token.len(), 43);
    assert!(
        links[0].ends_with("to create the first admin (valid until used or until an admin exists)")
    );
    assert!(!stderr.contains(token), "the token reached the logs");
    assert!(stderr.contains("first-run setup is open"), "{stderr}");

    // With the first admin from the environment, there is no link.
    let (stdout, _) = serve_and_stop(&db.same(), true, |_| async {}).await;
    assert!(!stdout.contains("First run"), "{stdout}");
}
