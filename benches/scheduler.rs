//! Scheduler benchmark (`scripts/bench scheduler`), printed as Markdown for
//! docs/benchmarks/scheduler.md: fire lag (from an occurrence's time to the start of its
//! execution) and completion lag, p50/p99, with 1,000 cron schedules that all fire at the same
//! second every five seconds, executed by one instance and then by two on one database. Each
//! execution is a real `call_api` to a local HTTP server through the HTTP tool; every run is
//! stored. Also checks each occurrence was executed exactly once.

use std::time::Duration;

use chrono::{DateTime, TimeDelta, Timelike, Utc};
use gathering::config::Config;
use serde_json::json;

#[path = "support/server.rs"]
mod server;
use server::{Server, arg, server, token};

/// Short sleeps between looks; local calls allowed.
fn tune(config: &mut Config) {
    config.tools.http_allow_private = true;
    config.scheduler.poll_interval = Duration::from_millis(200);
}

/// A local HTTP server answering 200 to anything; its URL.
async fn target() -> String {
    let router = axum::Router::new().fallback(|| async { "ok" });
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, router).await.unwrap() });
    format!("http://{addr}/hit")
}

struct Figures {
    executed: i64,
    skipped: i64,
    occurrences_once: bool,
    instances: i64,
    fire_p50: f64,
    fire_p99: f64,
    fire_max: f64,
    done_p50: f64,
    done_p99: f64,
}

/// Creates `n` schedules prefixed `prefix` firing every five seconds from `start` to `end`,
/// spread over `servers`; waits until every occurrence settled; the figures.
async fn round(
    servers: &[&Server],
    http: &reqwest::Client,
    token: &str,
    prefix: &str,
    n: usize,
    bursts: i64,
    url: &str,
) -> Figures {
    // The first burst a few seconds after the schedules exist, on a multiple of five seconds.
    let creation = Duration::from_millis(4 * n as u64 + 3000);
    let at = Utc::now() + TimeDelta::from_std(creation).unwrap();
    let start = at.with_nanosecond(0).unwrap() + TimeDelta::seconds(5 - i64::from(at.second() % 5));
    let end = start + TimeDelta::seconds(5 * (bursts - 1));
    let mut made = Vec::new();
    for i in 0..n {
        let addr = servers[i % servers.len()].addr;
        let body = json!({"name": format!("{prefix}-{i}"), "kind": "cron",
            "cron": "*/5 * * * * *", "start_at": start.to_rfc3339(), "end_at": end.to_rfc3339(),
            "action": {"type": "call_api", "url": url, "method": "POST"}});
        made.push(
            http.post(format!("http://{addr}/api/schedules"))
                .bearer_auth(token)
                .json(&body)
                .send(),
        );
        if made.len() == 50 {
            for r in futures_util::future::join_all(std::mem::take(&mut made)).await {
                assert_eq!(r.unwrap().status(), 201);
            }
        }
    }
    for r in futures_util::future::join_all(made).await {
        assert_eq!(r.unwrap().status(), 201);
    }
    assert!(Utc::now() < start, "creating the schedules took too long");
    let (client, connection) =
        tokio_postgres::connect(&server::cluster_url().await, tokio_postgres::NoTls)
            .await
            .unwrap();
    tokio::spawn(connection);
    let expected = n as i64 * bursts;
    let deadline = end + TimeDelta::seconds(120);
    loop {
        let row = client
            .query_one(
                "SELECT count(*) FILTER (WHERE r.status IN ('completed', 'failed', 'skipped')),
                        count(*) FILTER (WHERE r.status IN ('pending', 'running'))
                   FROM scheduler.runs r JOIN scheduler.schedules s ON s.id = r.schedule_id
                  WHERE s.name LIKE $1",
                &[&format!("{prefix}-%")],
            )
            .await
            .unwrap();
        let (settled, live): (i64, i64) = (row.get(0), row.get(1));
        if settled >= expected && live == 0 {
            break;
        }
        assert!(Utc::now() < deadline, "{settled} of {expected} settled");
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
    let row = client
        .query_one(
            "SELECT count(*) FILTER (WHERE r.status = 'completed'),
                    count(*) FILTER (WHERE r.status = 'skipped'),
                    count(DISTINCT (r.schedule_id, r.scheduled_for)) = count(*),
                    count(DISTINCT r.instance),
                    percentile_cont(0.5) WITHIN GROUP (ORDER BY r.fire_lag_ms),
                    percentile_cont(0.99) WITHIN GROUP (ORDER BY r.fire_lag_ms),
                    max(r.fire_lag_ms),
                    percentile_cont(0.5) WITHIN GROUP (ORDER BY
                      extract(epoch FROM r.finished_at - r.scheduled_for) * 1000),
                    percentile_cont(0.99) WITHIN GROUP (ORDER BY
                      extract(epoch FROM r.finished_at - r.scheduled_for) * 1000)
               FROM scheduler.runs r JOIN scheduler.schedules s ON s.id = r.schedule_id
              WHERE s.name LIKE $1",
            &[&format!("{prefix}-%")],
        )
        .await
        .unwrap();
    Figures {
        executed: row.get(0),
        skipped: row.get(1),
        occurrences_once: row.get(2),
        instances: row.get(3),
        fire_p50: row.get::<_, Option<f64>>(4).unwrap_or(f64::NAN),
        fire_p99: row.get::<_, Option<f64>>(5).unwrap_or(f64::NAN),
        fire_max: row.get::<_, Option<f64>>(6).unwrap_or(f64::NAN),
        done_p50: row.get::<_, Option<f64>>(7).unwrap_or(f64::NAN),
        done_p99: row.get::<_, Option<f64>>(8).unwrap_or(f64::NAN),
    }
}

#[tokio::main(flavor = "multi_thread")]
async fn main() {
    // `cargo test --all-targets` runs bench binaries too: only `cargo bench` measures.
    if !std::env::args().any(|arg| arg == "--bench") {
        eprintln!("benchmark skipped: run it with `scripts/bench scheduler`");
        return;
    }
    let n = arg("SCHEDULES", 1000);
    let bursts = arg("BURSTS", 6) as i64;
    let url = target().await;
    let one = server(None, tune).await;
    let http = reqwest::Client::new();
    let token = token(&http, one.addr).await;
    let stamp = Utc::now().format("%H%M%S").to_string();
    let single = round(
        &[&one],
        &http,
        &token,
        &format!("one-{stamp}"),
        n,
        bursts,
        &url,
    )
    .await;
    let two = server(Some(server::cluster_url().await), tune).await;
    let double = round(
        &[&one, &two],
        &http,
        &token,
        &format!("two-{stamp}"),
        n,
        bursts,
        &url,
    )
    .await;
    let started: DateTime<Utc> = Utc::now();
    println!("# Scheduler\n");
    println!(
        "Measured by `scripts/bench scheduler` on {}, {} cores, {}, release build, embedded \
         PostgreSQL 18.6. {n} cron schedules (`*/5 * * * * *`) all fire at the same second, \
         {bursts} times, five seconds apart: {} occurrences per round. Each execution is a real \
         `call_api` (the HTTP tool, to a local server) and its run is stored with its times. \
         **Fire lag**: from the occurrence's time to the start of its execution (the claim); \
         **done**: to the end of the execution, result stored. Percentiles over every \
         occurrence of the round. Default settings (8 executions at once per instance); both \
         instances in this process, on this machine's cores, sharing one database.\n",
        started.format("%Y-%m-%d"),
        std::thread::available_parallelism().map_or(1, |n| n.get()),
        std::env::consts::ARCH,
        n as i64 * bursts,
    );
    println!(
        "There is no baseline to run side by side: the original's scheduler cannot run here \
         (and fires event schedules never); the comparison is one instance against two.\n"
    );
    println!(
        "| instances | executed | skipped (overlap) | each occurrence once | instances that executed | fire lag p50, ms | fire lag p99, ms | fire lag max, ms | done p50, ms | done p99, ms |"
    );
    println!("|---|---|---|---|---|---|---|---|---|---|");
    for (k, f) in [(1, &single), (2, &double)] {
        println!(
            "| {k} | {} | {} | {} | {} | {:.0} | {:.0} | {:.0} | {:.0} | {:.0} |",
            f.executed,
            f.skipped,
            if f.occurrences_once { "yes" } else { "NO" },
            f.instances,
            f.fire_p50,
            f.fire_p99,
            f.fire_max,
            f.done_p50,
            f.done_p99
        );
    }
    println!();
    println!(
        "Ratios, one instance over two (above 1: two are faster): fire lag p50 {:.2}, p99 {:.2}; \
         done p99 {:.2}.\n",
        single.fire_p50 / double.fire_p50,
        single.fire_p99 / double.fire_p99,
        single.done_p99 / double.done_p99
    );
    println!(
        "A burst of {n} occurrences in one second is a worst case: the lag is the queue of \
         executions behind it (each stored: one fire transaction per burst, then per execution \
         its start and its result, the result's commit taking the outbox's ordering lock). \
         With both instances on the same two cores as the database and the target server, a \
         second instance adds contention, not cores; on separate machines it adds its own \
         executions at once.\n"
    );
    two.shutdown.cancel();
    let _ = two.handle.await;
    one.shutdown.cancel();
    let _ = one.handle.await;
}
