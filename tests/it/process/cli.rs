//! The binary's own commands: `serve` on a new data dir and its exit on SIGTERM, refusals that
//! name their cause in one line, `db` commands and `users create`.

use super::*;

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
