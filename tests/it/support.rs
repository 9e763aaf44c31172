//! Test harness: one embedded PostgreSQL cluster for the whole test binary, a template database
//! migrated once, and `TestApp::spawn()`: the real server on port 0 against a fresh clone.

use std::path::{Path, PathBuf};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

use gathering::app::{App, ShutdownReport, StartError};
use gathering::auth::model::{Email, Password, Role};
use gathering::cli::maintenance::Maintenance;
use gathering::config::Config;
use gathering::db::embedded::{EmbeddedPostgres, Lifetime};
use gathering::db::{migrate, template};
use secrecy::{ExposeSecret, SecretString};
use tokio_util::sync::CancellationToken;

/// Test databases are named with this prefix; leftovers from earlier runs are dropped.
const TEST_DB_PREFIX: &str = "it_";

pub fn repo_root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

pub fn pg_dir() -> PathBuf {
    repo_root().join(".gathering/pginstall")
}

/// A scratch directory under `.gathering/tmp`, removed when dropped.
pub fn scratch_dir() -> tempfile::TempDir {
    let base = repo_root().join(".gathering/tmp");
    std::fs::create_dir_all(&base).expect("create .gathering/tmp");
    tempfile::tempdir_in(base).expect("create a scratch dir")
}

struct Cluster {
    /// Server connection settings (superuser); the dbname is replaced per use.
    server: tokio_postgres::Config,
    template: String,
}

/// The shared test cluster (`.gathering/test-data`), started and templated once per process.
/// Built on its own thread and runtime: each `#[tokio::test]` has a runtime of its own.
fn cluster() -> &'static Cluster {
    static CLUSTER: OnceLock<Cluster> = OnceLock::new();
    CLUSTER.get_or_init(|| {
        std::thread::spawn(|| {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .expect("runtime");
            runtime.block_on(async {
                let data_dir = repo_root().join(".gathering/test-data");
                let manager = EmbeddedPostgres::new(&pg_dir(), &data_dir)
                    .expect("PostgreSQL binaries (run ./scripts/bootstrap)");
                let started = manager
                    .start(Lifetime::Detached)
                    .await
                    .expect("start the test cluster");
                let server: tokio_postgres::Config =
                    started.url.expose_secret().parse().expect("cluster url");
                template::drop_databases_with_prefix(&server, TEST_DB_PREFIX)
                    .await
                    .expect("drop leftover test databases");
                let template = template::ensure_template(&server, migrate::embedded())
                    .await
                    .expect("migrated template database");
                Cluster { server, template }
            })
        })
        .join()
        .expect("test cluster thread")
    })
}

/// A database of its own for one test.
pub struct TestDb {
    pub name: String,
    pub url: SecretString,
}

impl TestDb {
    /// A fresh, fully migrated database (a clone of the template).
    pub async fn migrated() -> Self {
        let cluster = cluster();
        let db = Self::named();
        template::clone_database(&cluster.server, &cluster.template, &db.name)
            .await
            .expect("clone the template");
        db
    }

    /// A fresh database with nothing in it (for migration tests).
    pub async fn empty() -> Self {
        let db = Self::named();
        let (admin, _conn) = template::connect_to(&cluster().server, "postgres")
            .await
            .expect("connect to the test cluster");
        admin
            .batch_execute(&format!("CREATE DATABASE {}", db.name))
            .await
            .expect("create an empty database");
        db
    }

    /// Another handle on the same database (for a second server on it).
    pub fn same(&self) -> Self {
        Self {
            name: self.name.clone(),
            url: self.url.clone(),
        }
    }

    fn named() -> Self {
        let name = format!("{TEST_DB_PREFIX}{}", uuid::Uuid::now_v7().simple());
        let mut config = cluster().server.clone();
        config.dbname(&name);
        let url = format!(
            "postgres://{}:{}@127.0.0.1:{}/{name}",
            config.get_user().unwrap_or_default(),
            String::from_utf8_lossy(config.get_password().unwrap_or_default()),
            config.get_ports().first().copied().unwrap_or(5432),
        );
        Self {
            name,
            url: SecretString::from(url),
        }
    }

    pub async fn client(&self) -> tokio_postgres::Client {
        let (client, _conn) = template::connect_to(&cluster().server, &self.name)
            .await
            .expect("connect to the test database");
        client
    }
}

/// A configuration for a test server: port 0, this database, no embedded cluster.
pub fn test_config(db: &TestDb) -> Config {
    let mut config = Config {
        addr: "127.0.0.1:0".parse().unwrap(),
        database_url: Some(db.url.clone()),
        ..Config::default()
    };
    // The lowest bcrypt cost keeps tests fast; production keeps the default (12).
    config.auth.bcrypt_cost = 4;
    // Tests sign in far more often than a person; the rate-limit tests set their own budgets.
    config.rate_limits.auth_per_minute = 10_000;
    // No personas imported at first start (their events would crowd the event tests); the
    // agent tests point this at the shipped `personas/`.
    config.agents.personas_dir = repo_root().join("tests/no-personas");
    config
}

/// The real server, running inside the test's runtime.
pub struct TestApp {
    pub addr: std::net::SocketAddr,
    pub bus: gathering::events::bus::Bus,
    pub pool: deadpool_postgres::Pool,
    pub http: reqwest::Client,
    pub db: TestDb,
    /// The first-run setup token the server arms if the database has no admin once migrated
    /// (`serve` prints it in a link; tests read it here).
    pub setup_token: String,
    shutdown: CancellationToken,
    handle: tokio::task::JoinHandle<Result<ShutdownReport, StartError>>,
}

impl TestApp {
    /// A server on a fresh migrated database, ready to serve.
    pub async fn spawn() -> Self {
        let app = Self::start(TestDb::migrated().await).await;
        app.wait_ready().await;
        app
    }

    /// Builds and runs a server on `db` without waiting for readiness.
    pub async fn start(db: TestDb) -> Self {
        let config = test_config(&db);
        Self::start_with(db, config).await
    }

    /// Like [`TestApp::start`] with a configuration of the caller's (see [`test_config`]).
    pub async fn start_with(db: TestDb, config: Config) -> Self {
        Self::start_on(db, config, None).await
    }

    /// Like [`TestApp::start_with`] with the scheduler reading the time from `clock`.
    pub async fn start_with_clock(
        db: TestDb,
        config: Config,
        clock: gathering::core::clock::SharedClock,
    ) -> Self {
        Self::start_on(db, config, Some(clock)).await
    }

    async fn start_on(
        db: TestDb,
        config: Config,
        clock: Option<gathering::core::clock::SharedClock>,
    ) -> Self {
        // `GATHERING_TEST_LOG=<filter>` shows the servers' logs while debugging a test.
        if let Ok(filter) = std::env::var("GATHERING_TEST_LOG") {
            gathering::telemetry::init(gathering::config::Environment::Development, &filter);
        }
        let mut app = App::build(config).await.expect("server builds");
        if let Some(clock) = clock {
            app.set_scheduler_clock(clock);
        }
        let addr = app.local_addr();
        let bus = app.bus();
        let pool = app.pool().clone();
        let shutdown = app.shutdown_token();
        let setup_token = app.setup_token().expose_secret().to_owned();
        let handle = tokio::spawn(app.run());
        Self {
            addr,
            bus,
            pool,
            http: reqwest::Client::new(),
            db,
            setup_token,
            shutdown,
            handle,
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.addr)
    }

    pub async fn get(&self, path: &str) -> reqwest::Response {
        self.http
            .get(self.url(path))
            .send()
            .await
            .expect("request sent")
    }

    /// Polls `/health/ready` until 200, failing after 30 s.
    pub async fn wait_ready(&self) {
        let ready = poll_until(Duration::from_secs(30), || async {
            self.get("/health/ready").await.status() == 200
        })
        .await;
        assert!(ready, "server at {} never became ready", self.addr);
    }

    /// The seq of the newest event stored now. A socket or feed opened with `since` set to it
    /// gets only what happens afterwards, however far the relay lags behind the outbox: a test
    /// must never depend on the relay having caught up.
    pub async fn outbox_head(&self) -> i64 {
        let client = self.pool.get().await.expect("a connection");
        gathering::events::outbox::head(&**client)
            .await
            .expect("the outbox head")
    }

    /// Begins shutdown and returns what it did.
    pub async fn shutdown(self) -> Result<ShutdownReport, StartError> {
        self.shutdown.cancel();
        self.handle.await.expect("server task")
    }
}

impl TestApp {
    /// Creates a user through the domain (as `gathering users create` does); returns the
    /// password.
    pub async fn create_user(&self, email: &str, role: Role) -> String {
        let password = format!("pw-{}", uuid::Uuid::now_v7().simple());
        let maintenance = Maintenance::open(&test_config(&self.db))
            .await
            .expect("open");
        maintenance
            .create_user(
                Email::parse(email).unwrap(),
                email.to_owned(),
                Password::parse(&password).unwrap(),
                role,
            )
            .await
            .expect("user created");
        maintenance.close().await;
        password
    }

    /// Signs in; returns (access token, refresh token).
    pub async fn login(&self, email: &str, password: &str) -> (String, String) {
        let response = self
            .http
            .post(self.url("/api/auth/login"))
            .json(&serde_json::json!({"email": email, "password": password}))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 200, "login of {email}");
        let body = json(response).await;
        (
            body["access_token"].as_str().unwrap().to_owned(),
            body["refresh_token"].as_str().unwrap().to_owned(),
        )
    }

    /// A user of `role`, signed in; returns the access token.
    pub async fn signed_in(&self, role: Role) -> String {
        let email = format!("{}-{}@example.org", role, uuid::Uuid::now_v7().simple());
        let password = self.create_user(&email, role).await;
        self.login(&email, &password).await.0
    }

    pub async fn get_as(&self, path: &str, token: &str) -> reqwest::Response {
        self.http
            .get(self.url(path))
            .bearer_auth(token)
            .send()
            .await
            .unwrap()
    }
}

/// Polls `check` until it is true or `limit` passes; returns whether it became true.
pub async fn poll_until<F, Fut>(limit: Duration, mut check: F) -> bool
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    let deadline = Instant::now() + limit;
    loop {
        if check().await {
            return true;
        }
        if Instant::now() > deadline {
            return false;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// The JSON body of a response.
pub async fn json(response: reqwest::Response) -> serde_json::Value {
    response.json().await.expect("a JSON body")
}

/// Runs a Python script of `tests/sdk/` with the SDK venv (`scripts/bootstrap sdk`) against the
/// app's `/v1` with `key`; returns the one JSON report it prints.
pub async fn run_sdk_script(app: &TestApp, script: &str, key: &str) -> serde_json::Value {
    let python = repo_root().join(".gathering/sdk-venv/bin/python");
    assert!(
        python.exists(),
        "{} is missing: run scripts/bootstrap sdk",
        python.display()
    );
    let output = tokio::process::Command::new(python)
        .arg(repo_root().join("tests/sdk").join(script))
        .env("OPENAI_BASE_URL", app.url("/v1"))
        .env("OPENAI_API_KEY", key)
        .output()
        .await
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "the SDK script failed:\n{stderr}");
    serde_json::from_slice(&output.stdout).unwrap()
}
