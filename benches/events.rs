//! Event benchmarks (`scripts/bench events`), printed as Markdown for docs/benchmarks/events.md:
//! 1. the in-process bus against `tokio::sync::broadcast`, 1 publisher to 1, 10 and 100
//!    subscribers, in the same run; 2. WebSocket fan-out through the real path (outbox, NOTIFY,
//!    relay, bus, per-connection feeds) to authenticated clients on loopback, with delivery
//!    latency and the count each client received; 3. resume: some clients disconnect
//!    mid-stream and reconnect with `since`, and must end with exactly the published sequence.

use std::sync::Arc;
use std::time::{Duration, Instant};

use futures_util::{SinkExt, StreamExt};
use gathering::app::App;
use gathering::config::Config;
use gathering::events::Settings;
use gathering::events::bus::{Bus, Delivery};
use gathering::events::{EventType, Filter, NewEvent, Scope, outbox};
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;

const BUS_EVENTS: usize = 200_000;

fn arg(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn event(n: usize) -> gathering::events::Event {
    let mut event = NewEvent::new(EventType::UserUpdated, Scope::default(), None)
        .data(serde_json::json!({"n": n}))
        .ephemeral();
    event.seq = Some(n as i64 + 1);
    event
}

/// Our bus: returns (events/s, deliveries/s, delivered, missed with notice, silently lost).
async fn our_bus(subscribers: usize) -> (f64, f64, u64, u64, u64) {
    let bus = Bus::new(Settings::default());
    let mut tasks = Vec::new();
    for _ in 0..subscribers {
        let mut sub = bus.subscribe("bench", Filter::default());
        tasks.push(tokio::spawn(async move {
            let (mut got, mut missed) = (0u64, 0u64);
            while got + missed < BUS_EVENTS as u64 {
                match sub.recv().await {
                    Some(Delivery::Event(_)) => got += 1,
                    Some(Delivery::Lagged { missed: m, .. }) => missed += m,
                    None => break,
                }
            }
            (got, missed)
        }));
    }
    let started = Instant::now();
    for n in 0..BUS_EVENTS {
        bus.publish(event(n));
        if n % 256 == 0 {
            tokio::task::yield_now().await;
        }
    }
    let (mut got, mut missed) = (0, 0);
    for task in tasks {
        let (g, m) = task.await.unwrap();
        got += g;
        missed += m;
    }
    let secs = started.elapsed().as_secs_f64();
    let lost = (BUS_EVENTS * subscribers) as u64 - got - missed;
    (
        BUS_EVENTS as f64 / secs,
        got as f64 / secs,
        got,
        missed,
        lost,
    )
}

/// `tokio::sync::broadcast` with the same capacity: (events/s, deliveries/s, received,
/// reported lagged).
async fn broadcast(subscribers: usize) -> (f64, f64, u64, u64) {
    let (tx, _) = tokio::sync::broadcast::channel(Settings::default().queue_capacity);
    let mut tasks = Vec::new();
    for _ in 0..subscribers {
        let mut rx = tx.subscribe();
        tasks.push(tokio::spawn(async move {
            let (mut got, mut lagged) = (0u64, 0u64);
            while got + lagged < BUS_EVENTS as u64 {
                match rx.recv().await {
                    Ok(_) => got += 1,
                    Err(tokio::sync::broadcast::error::RecvError::Lagged(n)) => lagged += n,
                    Err(_) => break,
                }
            }
            (got, lagged)
        }));
    }
    let started = Instant::now();
    for n in 0..BUS_EVENTS {
        let _ = tx.send(Arc::new(event(n)));
        if n % 256 == 0 {
            tokio::task::yield_now().await;
        }
    }
    let (mut got, mut lagged) = (0, 0);
    for task in tasks {
        let (g, l) = task.await.unwrap();
        got += g;
        lagged += l;
    }
    let secs = started.elapsed().as_secs_f64();
    (BUS_EVENTS as f64 / secs, got as f64 / secs, got, lagged)
}

type Socket =
    tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

async fn open_socket(addr: std::net::SocketAddr, token: &str, since: Option<i64>) -> Socket {
    let path = since.map_or_else(|| "/ws".to_owned(), |s| format!("/ws?since={s}"));
    let mut request = format!("ws://{addr}{path}").into_client_request().unwrap();
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
    // ready, subscribed
    for _ in 0..2 {
        socket.next().await.unwrap().unwrap();
    }
    socket
}

/// What one client saw: seqs in order and latencies (µs) of live deliveries.
struct Received {
    seqs: Vec<i64>,
    latencies_us: Vec<u64>,
    lagged_frames: u64,
}

async fn client(
    addr: std::net::SocketAddr,
    token: String,
    total: usize,
    disconnect_after: Option<usize>,
    subscribed: Arc<std::sync::atomic::AtomicUsize>,
) -> Received {
    let mut received = Received {
        seqs: Vec::with_capacity(total),
        latencies_us: Vec::with_capacity(total),
        lagged_frames: 0,
    };
    let mut socket = open_socket(addr, &token, None).await;
    subscribed.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
    let mut disconnect_after = disconnect_after.filter(|n| *n > 0);
    while received.seqs.len() < total {
        if disconnect_after == Some(received.seqs.len()) {
            disconnect_after = None;
            let _ = socket.close(None).await;
            drop(socket);
            socket = open_socket(addr, &token, received.seqs.last().copied()).await;
        }
        let Some(Ok(message)) = socket.next().await else {
            panic!("socket ended after {} events", received.seqs.len());
        };
        let Message::Text(text) = message else {
            continue;
        };
        let frame: serde_json::Value = serde_json::from_str(&text).unwrap();
        match frame["type"].as_str() {
            Some("event") => {
                received.seqs.push(frame["seq"].as_i64().unwrap());
                let sent = frame["event"]["data"]["sent_us"].as_u64().unwrap();
                received.latencies_us.push(now_us().saturating_sub(sent));
            }
            Some("lagged") => received.lagged_frames += 1,
            _ => {}
        }
    }
    received
}

fn now_us() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_micros() as u64
}

fn percentile(sorted: &[u64], p: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let index = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[index] as f64 / 1000.0
}

async fn websocket_fan_out(clients: usize, events: usize, resuming: usize) {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut config = Config {
        addr: "127.0.0.1:0".parse().unwrap(),
        data_dir: root.join(".gathering/bench-data"),
        pg_dir: root.join(".gathering/pginstall"),
        ..Config::default()
    };
    config.auth.bcrypt_cost = 4;
    config.auth.admin_email = Some("bench@example.org".to_owned());
    config.auth.admin_password = Some("bench password long enough".to_owned().into());
    config.rate_limits.auth_per_minute = 0;
    config.rate_limits.read_per_minute = 0;
    config.log_filter = "warn".to_owned();
    let app = App::build(config).await.expect("server builds");
    let addr = app.local_addr();
    let pool = app.pool().clone();
    let readiness = app.readiness();
    let shutdown = app.shutdown_token();
    let server = tokio::spawn(app.run());
    while readiness.get().0 != gathering::core::readiness::Phase::Ready {
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let http = reqwest::Client::new();
    let login: serde_json::Value = http
        .post(format!("http://{addr}/api/auth/login"))
        .json(&serde_json::json!({"email": "bench@example.org", "password": "bench password long enough"}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let token = login["access_token"].as_str().unwrap().to_owned();

    let mut tasks = Vec::new();
    let subscribed = Arc::new(std::sync::atomic::AtomicUsize::new(0));
    for n in 0..clients {
        let disconnect = (n < resuming).then_some(events / 3);
        let token = token.clone();
        let subscribed = subscribed.clone();
        tasks.push(tokio::spawn(client(
            addr, token, events, disconnect, subscribed,
        )));
        if n % 50 == 49 {
            tokio::task::yield_now().await;
        }
    }
    // Wait until every socket is connected and subscribed.
    while subscribed.load(std::sync::atomic::Ordering::SeqCst) < clients {
        tokio::time::sleep(Duration::from_millis(20)).await;
    }

    let started = Instant::now();
    let mut published = Vec::with_capacity(events);
    for n in 0..events {
        let mut db = pool.get().await.unwrap();
        let tx = db.transaction().await.unwrap();
        let new = NewEvent::new(EventType::UserUpdated, Scope::default(), None)
            .data(serde_json::json!({"n": n, "sent_us": now_us()}));
        published.push(outbox::append(&tx, &new).await.unwrap());
        tx.commit().await.unwrap();
    }
    let publish_secs = started.elapsed().as_secs_f64();
    let mut all_latencies = Vec::new();
    let (mut complete, mut exact_resumed, mut lagged_clients) = (0, 0, 0);
    for (n, task) in tasks.into_iter().enumerate() {
        let received = task.await.unwrap();
        if received.seqs == published {
            complete += 1;
            if n < resuming {
                exact_resumed += 1;
            }
        }
        if received.lagged_frames > 0 {
            lagged_clients += 1;
        }
        all_latencies.extend(received.latencies_us);
    }
    let total_secs = started.elapsed().as_secs_f64();
    all_latencies.sort_unstable();
    println!("## WebSocket fan-out\n");
    println!(
        "{clients} clients on loopback, each authenticated and subscribed to `events`; {events} \
         events committed one per transaction through the outbox, relayed by NOTIFY and fanned out \
         (the server and the clients share this machine's cores).\n"
    );
    println!("| measure | value |\n|---|---|");
    println!("| publish time ({events} commits) | {publish_secs:.2} s |");
    println!("| until every client had every event | {total_secs:.2} s |");
    println!(
        "| frames delivered per second | {:.0} |",
        (clients * events) as f64 / total_secs
    );
    println!(
        "| delivery latency p50 / p99 (commit → client) | {:.1} ms / {:.1} ms |",
        percentile(&all_latencies, 0.5),
        percentile(&all_latencies, 0.99)
    );
    println!("| clients that received exactly the published sequence | {complete} of {clients} |");
    println!("| clients that lagged and were caught up from the outbox | {lagged_clients} |");
    println!();
    println!("## Resume\n");
    println!(
        "{resuming} of the clients closed their socket after {} events and reconnected with \
         `?since=<last seq seen>`.\n",
        events / 3
    );
    println!("| measure | value |\n|---|---|");
    println!(
        "| resumed clients ending with exactly the published sequence (no gap, no duplicate) | {exact_resumed} of {resuming} |"
    );
    println!();
    shutdown.cancel();
    server.await.unwrap().expect("clean shutdown");
}

#[tokio::main]
async fn main() {
    // `cargo bench` passes `--bench`; `cargo test --all-targets` runs bench targets without
    // it, and must not run a 1000-client benchmark (it only checks that this builds).
    if !std::env::args().any(|arg| arg == "--bench") {
        eprintln!("benchmark skipped: run it with `scripts/bench events`");
        return;
    }
    let clients = arg("WS_CLIENTS", 1000);
    let events = arg("WS_EVENTS", 10_000);
    let resuming = arg("WS_RESUMING", 50);
    println!("# Events\n");
    println!(
        "Measured by `scripts/bench events` on {}, {} cores, {}, release build, embedded \
         PostgreSQL 18.6.\n",
        chrono::Utc::now().format("%Y-%m-%d"),
        std::thread::available_parallelism().map_or(1, |n| n.get()),
        std::env::consts::ARCH
    );
    println!(
        "Figures move between runs on a shared machine; compare the ratios measured within one \
         run.\n"
    );
    println!("## In-process bus against tokio::sync::broadcast\n");
    println!(
        "One publisher, {BUS_EVENTS} events, queue capacity 1024 for both, subscribers draining \
         as fast as they can. A subscriber that falls behind: broadcast overwrites and reports \
         `Lagged(n)`; our bus skips it, never waiting, and hands it one `Lagged` notice with the \
         count and the first missed seq (which `Feed` then replays from the outbox). \"Silently \
         lost\" counts events neither delivered nor reported.\n"
    );
    println!(
        "| subscribers | events/s: ours / broadcast (ratio) | deliveries/s: ours / broadcast (ratio) | ours: delivered / missed with notice / silently lost | broadcast: received / reported lagged |"
    );
    println!("|---|---|---|---|---|");
    for subscribers in [1, 10, 100] {
        let (ours, ours_d, got, missed, lost) = our_bus(subscribers).await;
        let (theirs, theirs_d, b_got, b_lagged) = broadcast(subscribers).await;
        println!(
            "| {subscribers} | {ours:.0} / {theirs:.0} ({:.2}) | {ours_d:.0} / {theirs_d:.0} ({:.2}) | {got} / {missed} / {lost} | {b_got} / {b_lagged} |",
            ours / theirs,
            ours_d / theirs_d
        );
    }
    println!();
    websocket_fan_out(clients, events, resuming).await;
}
