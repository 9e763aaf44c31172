//! The scheduler across processes: three servers execute every occurrence exactly once, and
//! a killed server's executions go to the survivor.

use super::*;

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
