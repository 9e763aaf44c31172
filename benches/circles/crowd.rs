//! Many discussions at once on one instance: `discussions` circles of 2 agents of their own
//! (an agent's turns queue behind each other, so no agent is shared), each discussion
//! `turns` turns, all started at once; wall time, turns/s, per-turn latency, what was stored,
//! and the server's database pool at its busiest.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use super::{Api, Log, ms, record, served_since, stats};
use crate::server::Server;

/// Samples the server's pool every 2 ms until `stop`: (most in use, most waiting).
fn watch_pool(s: &Server, stop: Arc<AtomicBool>) -> tokio::task::JoinHandle<(usize, usize)> {
    let pool = s.pool.clone();
    tokio::spawn(async move {
        let (mut used, mut waiting) = (0, 0);
        while !stop.load(Ordering::Relaxed) {
            let status = pool.status();
            used = used.max(status.size.saturating_sub(status.available));
            waiting = waiting.max(status.waiting);
            tokio::time::sleep(Duration::from_millis(2)).await;
        }
        (used, waiting)
    })
}

/// How many discussions, of how many turns; and one discussion's turn cycle alone, in ms.
pub struct Shape {
    pub discussions: usize,
    pub turns: usize,
    pub serial_cycle_ms: f64,
}

pub async fn run(s: &Server, api: &Api, log: &Log, persona: &str, stamp: i64, shape: Shape) {
    let Shape {
        discussions,
        turns,
        serial_cycle_ms,
    } = shape;
    let mut circles = Vec::new();
    for i in 0..discussions {
        let circle = format!("crowd-{stamp}-{i}");
        let agents = vec![format!("cy-{stamp}-{i}"), format!("dee-{stamp}-{i}")];
        api.circle(&circle, &agents, persona).await;
        circles.push((circle, agents));
    }
    let mut recorder = record(s);
    let stop = Arc::new(AtomicBool::new(false));
    let pool = watch_pool(s, stop.clone());
    let from = Instant::now();
    let mut starts = Vec::new();
    for (circle, agents) in &circles {
        let (api, circle, agents) = (api.clone(), circle.clone(), agents.clone());
        starts.push(tokio::spawn(async move {
            let id = api.discuss(&circle, &agents, turns).await;
            (circle, id)
        }));
    }
    let mut ids = Vec::new();
    for start in starts {
        ids.push(start.await.unwrap());
    }
    let all_started = ms(from.elapsed());
    recorder.until_ended(discussions).await;
    let wall = ids
        .iter()
        .map(|(_, id)| recorder.ended_at(id).unwrap() - from)
        .max()
        .unwrap();
    stop.store(true, Ordering::Relaxed);
    let (pool_used, pool_waiting) = pool.await.unwrap();
    let served = served_since(log, from);
    let heard = recorder.turns();
    let latencies: Vec<f64> = heard
        .values()
        .filter_map(|(started, message)| Some(ms((*message)? - (*started)?)))
        .collect();
    let model = served.iter().map(|s| ms(s.took)).collect::<Vec<_>>();

    // What was stored: every discussion completed with turns 1..=turns, once each.
    let complete = AtomicUsize::new(0);
    let mut wrong = Vec::new();
    for (circle, id) in &ids {
        let d = api
            .get(&format!("/api/circles/{circle}/discussions/{id}"))
            .await;
        let stored = api.turns(circle, id).await;
        let numbers: Vec<i64> = stored.iter().map(|t| t.0).collect();
        let expected: Vec<i64> = (1..=turns as i64).collect();
        if d["status"] == "completed" && d["end_reason"] == "max_turns" && numbers == expected {
            complete.fetch_add(1, Ordering::Relaxed);
        } else {
            wrong.push(format!(
                "{id}: {} {} turns {numbers:?}",
                d["status"], d["end_reason"]
            ));
        }
    }
    let complete = complete.into_inner();
    let total_turns = latencies.len();
    let (p50, mean, p99) = stats(&latencies);
    let max = latencies.iter().cloned().fold(0.0, f64::max);
    let wall_ms = ms(wall);

    println!("## {discussions} discussions at once\n");
    println!(
        "{discussions} circles, each with 2 agents of its own (an agent runs its turns in its \
         own queue, so agents shared between discussions would measure that queue, not the \
         engine), each starting one round-robin discussion of `max_turns: {turns}`; the \
         {discussions} `POST …/discussions` are sent at once (all answered after {all_started:.0} \
         ms) and the clock stops at the last `circle.discussion_ended`. Per-turn latency is \
         `circle.turn_started` → `circle.message` of the same turn as heard on the bus, over \
         every turn. The database pool is the server's (32 connections), sampled every 2 ms; \
         the outbox relay's listening connection is outside it.\n"
    );
    println!("| figure | value |");
    println!("|---|---|");
    println!("| wall time, first POST → last `discussion_ended` | {wall_ms:.0} ms |");
    println!(
        "| turns stored per second | {:.1} |",
        total_turns as f64 / (wall_ms / 1000.0)
    );
    println!(
        "| per-turn latency p50 / mean / p99 / max | {p50:.1} / {mean:.1} / {p99:.1} / {max:.1} ms |"
    );
    println!(
        "| inside the model, median over {} requests | {:.3} ms |",
        model.len(),
        stats(&model).0
    );
    println!(
        "| discussions completed (`max_turns`) with exactly turns 1..={turns} stored once | {complete} of {discussions} |"
    );
    println!("| turns heard (`turn_started` and `message`) | {total_turns} |");
    println!(
        "| events the bench's subscription missed (lagged) | {} |",
        recorder.lagged.lock().unwrap()
    );
    println!(
        "| database pool: most connections in use at once / most requests waiting for one | {pool_used} / {pool_waiting} |"
    );
    println!();
    let rate = total_turns as f64 / (wall_ms / 1000.0);
    println!(
        "**Reading it.** One discussion alone stores a turn every {serial_cycle_ms:.1} ms \
         ({:.1} turns/s); {discussions} at once store {rate:.1} turns/s, {:.1}× that, on \
         2 cores that the server, PostgreSQL and the bench (HTTP client and scripted model) \
         share. The engine's slots were not the limit (128 ≥ {discussions}); the database \
         pool was{}: a turn's latency under this load is mostly waiting for a connection and \
         for the outbox's ordering lock, which every turn takes twice besides its agent \
         turn's own.\n",
        1000.0 / serial_cycle_ms,
        rate * serial_cycle_ms / 1000.0,
        if pool_waiting > 0 {
            format!(" (all {pool_used} connections in use, up to {pool_waiting} requests waiting)")
        } else {
            " not saturated either".to_owned()
        },
    );
    if !wrong.is_empty() {
        println!("Not as expected:\n");
        for w in &wrong {
            println!("- {w}");
        }
        println!();
    }
}
