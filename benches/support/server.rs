//! The server a benchmark runs in its own process (on the bench cluster, or a second one on the
//! same database), and signing in to it.

use std::time::Duration;

use gathering::app::App;
use gathering::config::Config;
use serde_json::{Value, json};

pub fn arg(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

pub struct Server {
    pub addr: std::net::SocketAddr,
    /// For benchmarks that wait on events (not every one does).
    #[allow(dead_code)]
    pub bus: gathering::events::bus::Bus,
    /// The server's pool, for benchmarks that load or inspect data directly.
    #[allow(dead_code)]
    pub pool: deadpool_postgres::Pool,
    pub shutdown: tokio_util::sync::CancellationToken,
    pub handle:
        tokio::task::JoinHandle<Result<gathering::app::ShutdownReport, gathering::app::StartError>>,
}

/// A server in this process on the bench cluster (`.gathering/bench-data`), or on
/// `database_url`; `tune` adjusts its configuration.
pub async fn server(database_url: Option<String>, tune: fn(&mut Config)) -> Server {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut config = Config {
        addr: "127.0.0.1:0".parse().unwrap(),
        data_dir: root.join(".gathering/bench-data"),
        pg_dir: root.join(".gathering/pginstall"),
        database_url: database_url.map(Into::into),
        ..Config::default()
    };
    config.auth.bcrypt_cost = 4;
    config.auth.admin_email = Some("bench@example.org".to_owned());
    config.auth.admin_password = Some("bench password long enough".to_owned().into());
    config.auth.jwt_secret = Some("a benchmark secret that is long enough".to_owned().into());
    config.rate_limits.auth_per_minute = 0;
    config.rate_limits.read_per_minute = 0;
    config.rate_limits.write_per_minute = 0;
    config.log_filter = "warn".to_owned();
    config.db.max_connections = 32;
    tune(&mut config);
    let app = App::build(config).await.expect("server builds");
    let addr = app.local_addr();
    let bus = app.bus();
    let pool = app.pool().clone();
    let readiness = app.readiness();
    let shutdown = app.shutdown_token();
    let handle = tokio::spawn(app.run());
    let mut handle = handle;
    while readiness.get().0 != gathering::core::readiness::Phase::Ready {
        if handle.is_finished() {
            // It stopped before it was ready (a migration refused, the database gone): say why
            // rather than wait for ever.
            panic!(
                "the server stopped while starting: {:?}",
                (&mut handle).await
            );
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    Server {
        addr,
        bus,
        pool,
        shutdown,
        handle,
    }
}

pub async fn token(http: &reqwest::Client, addr: std::net::SocketAddr) -> String {
    let login: Value = http
        .post(format!("http://{addr}/api/auth/login"))
        .json(&json!({"email": "bench@example.org", "password": "bench password long enough"}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    login["access_token"].as_str().unwrap().to_owned()
}

/// The URL of the bench cluster (started by the first server), for a second server on it.
#[allow(dead_code)] // reason: only the benchmarks that run two servers call it
pub async fn cluster_url() -> String {
    use secrecy::ExposeSecret;
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let manager = gathering::db::embedded::EmbeddedPostgres::new(
        &root.join(".gathering/pginstall"),
        &root.join(".gathering/bench-data"),
    )
    .unwrap();
    manager
        .start(gathering::db::embedded::Lifetime::Process)
        .await
        .unwrap()
        .url
        .expose_secret()
        .to_owned()
}
