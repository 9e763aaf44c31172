//! The embedded PostgreSQL manager: `initdb` on first use, start on loopback and a private unix
//! socket, reuse a cluster already running for the same data dir, recover from a stale
//! `postmaster.pid`, stop. Used by `gathering serve` when `DATABASE_URL` is unset and by
//! `gathering db start|stop|status|url`.
//!
//! Layout of a data dir (owned by the Postgres user, mode 0700):
//! `pgdata/` (the cluster), `run/` (the unix socket), `connection.json` (port, user, password;
//! mode 0600), `postgres.log`, `start.lock` (serialises starts between processes),
//! `started-by` (who stops the running cluster: a gathering pid, or `detached`).

mod owner;
mod state;

use std::fs::File;
use std::path::{Path, PathBuf};
use std::process::Output;

use nix::fcntl::{Flock, FlockArg};
use secrecy::{ExposeSecret, SecretString};

use owner::io_err;
pub use owner::{PgOwner, SYSTEM_USER};
use state::{Connection, PidFile, StartedBy};

/// Name of the database (and superuser) the embedded cluster serves.
pub const DATABASE: &str = "gathering";

/// What can go wrong managing the embedded cluster; each message is one actionable line.
#[derive(Debug, thiserror::Error)]
pub enum EmbeddedError {
    #[error(
        "PostgreSQL binaries not found in {0} (run ./scripts/bootstrap, or set GATHERING_PG_DIR, or DATABASE_URL for an external database)"
    )]
    NotInstalled(PathBuf),
    #[error("data dir {path} is owned by {owner}; it must belong to {expected}")]
    ForeignDataDir {
        path: PathBuf,
        owner: String,
        expected: String,
    },
    #[error(
        "no embedded cluster in {0} (it is created by `gathering db start` or `gathering serve`)"
    )]
    NotInitialised(PathBuf),
    #[error("embedded PostgreSQL user: {0}")]
    User(String),
    #[error("cannot {action}: {source}")]
    Io {
        action: String,
        source: std::io::Error,
    },
    #[error("{command} failed: {detail}")]
    Command { command: String, detail: String },
    #[error("embedded PostgreSQL started but refused setup: {0}")]
    Setup(String),
}

/// The state of the cluster in a data dir.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Status {
    NotInitialised,
    Stopped,
    Running { pid: i32, port: u16 },
}

/// Who stops a cluster that [`EmbeddedPostgres::start`] starts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lifetime {
    /// The calling process stops it on exit (`serve`, `migrate`). A cluster left running by
    /// such a process that has since died is adopted: the caller becomes responsible.
    Process,
    /// It runs until `gathering db stop` (`db start`).
    Detached,
}

/// A running cluster, as returned by [`EmbeddedPostgres::start`].
#[derive(Debug)]
pub struct Started {
    pub url: SecretString,
    pub port: u16,
    /// True when the caller must stop it: it started the cluster or adopted an abandoned one.
    /// False when the cluster was already running and another process owns its lifetime.
    pub started_here: bool,
}

/// Manager of one data dir's cluster.
#[derive(Debug, Clone)]
pub struct EmbeddedPostgres {
    bin: PathBuf,
    data_dir: PathBuf,
    owner: PgOwner,
}

impl EmbeddedPostgres {
    /// `pg_dir` holds `bin/postgres` etc. (the wheel's `pginstall/`); `data_dir` is ours.
    pub fn new(pg_dir: &Path, data_dir: &Path) -> Result<Self, EmbeddedError> {
        let absolute = |p: &Path| std::path::absolute(p).map_err(|e| io_err(p, "resolve", e));
        let bin = absolute(pg_dir)?.join("bin");
        for tool in ["postgres", "pg_ctl", "initdb"] {
            if !bin.join(tool).is_file() {
                return Err(EmbeddedError::NotInstalled(absolute(pg_dir)?));
            }
        }
        Ok(Self {
            bin,
            data_dir: absolute(data_dir)?,
            owner: PgOwner::resolve()?,
        })
    }

    pub fn data_dir(&self) -> &Path {
        &self.data_dir
    }

    fn pgdata(&self) -> PathBuf {
        self.data_dir.join("pgdata")
    }

    /// Initialises the cluster if needed and starts it unless it already runs.
    #[tracing::instrument(skip_all, fields(data_dir = %self.data_dir.display()))]
    pub async fn start(&self, lifetime: Lifetime) -> Result<Started, EmbeddedError> {
        let this = self.clone();
        let (lock, conn, started_here) =
            tokio::task::spawn_blocking(move || this.start_blocking(lifetime))
                .await
                .map_err(|e| EmbeddedError::Setup(format!("start task failed: {e}")))??;
        let result = self.ensure_database(&conn).await;
        drop(lock);
        result?;
        Ok(Started {
            url: conn.url(DATABASE),
            port: conn.port,
            started_here,
        })
    }

    fn start_blocking(
        &self,
        lifetime: Lifetime,
    ) -> Result<(Flock<File>, Connection, bool), EmbeddedError> {
        self.owner.ensure_reachable(&self.bin)?;
        self.owner.ensure_reachable(&self.data_dir)?;
        self.owner.own_private_dir(&self.data_dir)?;
        let lock = self.lock()?;
        let mut conn = match Connection::load(&self.data_dir)? {
            Some(conn) if self.pgdata().join("PG_VERSION").is_file() => conn,
            _ => self.init()?,
        };
        let marker = match lifetime {
            Lifetime::Process => StartedBy::Process(std::process::id() as i32),
            Lifetime::Detached => StartedBy::Detached,
        };
        if let Status::Running { port, pid } = self.status()? {
            conn.port = port;
            let previous = StartedBy::read(&self.data_dir);
            if lifetime == Lifetime::Process && previous.is_none_or(StartedBy::is_abandoned) {
                tracing::warn!(
                    pid,
                    port,
                    ?previous,
                    "adopting a PostgreSQL whose starter is gone; it stops with this process"
                );
                marker.write(&self.data_dir, &self.owner)?;
                return Ok((lock, conn, true));
            }
            tracing::info!(
                pid,
                port,
                "reusing the PostgreSQL already running for this data dir"
            );
            return Ok((lock, conn, false));
        }
        for attempt in 0..3 {
            if attempt > 0 || !state::port_is_free(conn.port) {
                conn.port = state::free_port()?;
            }
            conn.save(&self.data_dir, &self.owner)?;
            self.write_settings(conn.port)?;
            match self.pg_ctl_start() {
                Ok(()) => {
                    marker.write(&self.data_dir, &self.owner)?;
                    return Ok((lock, conn, true));
                }
                Err(e) if self.log_tail().contains("Address already in use") && attempt < 2 => {
                    tracing::warn!(
                        port = conn.port,
                        "port taken meanwhile, trying another: {e}"
                    );
                }
                Err(e) => return Err(e),
            }
        }
        unreachable!("the last attempt returns")
    }

    /// Stops the cluster if it runs; returns whether it was running.
    pub fn stop(&self) -> Result<bool, EmbeddedError> {
        match self.status()? {
            Status::Running { .. } => {}
            Status::Stopped | Status::NotInitialised => return Ok(false),
        }
        let pgdata = self.pgdata();
        let output = self
            .owner
            .command(&self.bin.join("pg_ctl"))
            .args(["stop", "-m", "fast", "-w", "-t", "60", "-s", "-D"])
            .arg(&pgdata)
            .env_remove("PGDATA")
            .output()
            .map_err(|e| io_err(&self.bin, "run pg_ctl in", e))?;
        check("pg_ctl stop", &output)?;
        Ok(true)
    }

    /// Whether the cluster runs. A `postmaster.pid` naming a dead process, or a live process
    /// that is not Postgres (a reused pid), is stale: it is removed here.
    pub fn status(&self) -> Result<Status, EmbeddedError> {
        let pgdata = self.pgdata();
        if !pgdata.join("PG_VERSION").is_file() {
            return Ok(Status::NotInitialised);
        }
        match PidFile::read(&pgdata)? {
            None => Ok(Status::Stopped),
            Some(pid) if pid.is_live_postgres() => Ok(Status::Running {
                pid: pid.pid,
                port: pid.port,
            }),
            Some(pid) => {
                tracing::warn!(pid = pid.pid, "removing stale postmaster.pid");
                pid.remove(&pgdata)?;
                Ok(Status::Stopped)
            }
        }
    }

    /// The connection string another process can use as `DATABASE_URL` (cluster running).
    pub fn url(&self) -> Result<SecretString, EmbeddedError> {
        let mut conn = Connection::load(&self.data_dir)?
            .ok_or_else(|| EmbeddedError::NotInitialised(self.data_dir.clone()))?;
        if let Status::Running { port, .. } = self.status()? {
            conn.port = port;
        }
        Ok(conn.url(DATABASE))
    }

    fn lock(&self) -> Result<Flock<File>, EmbeddedError> {
        let path = self.data_dir.join("start.lock");
        let file = File::create(&path).map_err(|e| io_err(&path, "create", e))?;
        Flock::lock(file, FlockArg::LockExclusive).map_err(|(_, e)| io_err(&path, "lock", e.into()))
    }

    fn init(&self) -> Result<Connection, EmbeddedError> {
        let pgdata = self.pgdata();
        if pgdata.exists() {
            // A half-finished earlier init (no connection.json): start over.
            std::fs::remove_dir_all(&pgdata).map_err(|e| io_err(&pgdata, "remove", e))?;
        }
        tracing::info!("initialising a new PostgreSQL cluster");
        let conn = Connection::generate(state::free_port()?);
        let pwfile = self.data_dir.join("initdb.pw");
        std::fs::write(&pwfile, conn.password.expose_secret())
            .map_err(|e| io_err(&pwfile, "write", e))?;
        self.owner.own_file(&pwfile)?;
        let output = self
            .owner
            .command(&self.bin.join("initdb"))
            .arg("-D")
            .arg(&pgdata)
            .args(["-U", &conn.user, "-A", "scram-sha-256", "-E", "UTF8"])
            .args(["--locale=C", "--no-instructions"])
            .arg(format!("--pwfile={}", pwfile.display()))
            .env_remove("PGDATA")
            .output();
        let _ = std::fs::remove_file(&pwfile);
        let output = output.map_err(|e| io_err(&self.bin, "run initdb in", e))?;
        if let Err(e) = check("initdb", &output) {
            let _ = std::fs::remove_dir_all(&pgdata);
            return Err(e);
        }
        let conf = pgdata.join("postgresql.conf");
        let mut text = std::fs::read_to_string(&conf).map_err(|e| io_err(&conf, "read", e))?;
        text.push_str("\n# Written by gathering: listen address, port and socket live here.\ninclude_if_exists = 'gathering.conf'\n");
        std::fs::write(&conf, text).map_err(|e| io_err(&conf, "write", e))?;
        conn.save(&self.data_dir, &self.owner)?;
        Ok(conn)
    }

    fn write_settings(&self, port: u16) -> Result<(), EmbeddedError> {
        let socket_dir = self.socket_dir(port);
        self.owner.own_private_dir(&socket_dir)?;
        let text = format!(
            "# Managed by gathering; rewritten at every start.\n\
             listen_addresses = '127.0.0.1'\n\
             port = {port}\n\
             unix_socket_directories = '{}'\n\
             unix_socket_permissions = 0700\n\
             max_connections = 300\n\
             logging_collector = off\n",
            socket_dir.display().to_string().replace('\'', "''")
        );
        let path = self.pgdata().join("gathering.conf");
        std::fs::write(&path, text).map_err(|e| io_err(&path, "write", e))?;
        self.owner.own_file(&path)
    }

    /// `run/` inside the data dir, or a short private directory under /tmp when that path
    /// would exceed the 107-byte limit of a unix socket address.
    fn socket_dir(&self, port: u16) -> PathBuf {
        let preferred = self.data_dir.join("run");
        let socket = format!("{}/.s.PGSQL.{port}.lock", preferred.display());
        if socket.len() < 100 {
            return preferred;
        }
        let digest = short_digest(&self.data_dir.display().to_string());
        std::env::temp_dir().join(format!("gathering-pg-{digest}"))
    }

    fn pg_ctl_start(&self) -> Result<(), EmbeddedError> {
        let log = self.data_dir.join("postgres.log");
        let output = self
            .owner
            .command(&self.bin.join("pg_ctl"))
            .args(["start", "-w", "-t", "60", "-s", "-D"])
            .arg(self.pgdata())
            .arg("-l")
            .arg(&log)
            .env_remove("PGDATA")
            .stdin(std::process::Stdio::null())
            .output()
            .map_err(|e| io_err(&self.bin, "run pg_ctl in", e))?;
        check("pg_ctl start", &output).map_err(|e| match e {
            EmbeddedError::Command { command, detail } => EmbeddedError::Command {
                command,
                detail: format!(
                    "{detail}; server log ({}) ends with: {}",
                    log.display(),
                    self.log_tail()
                ),
            },
            other => other,
        })
    }

    fn log_tail(&self) -> String {
        let text = std::fs::read_to_string(self.data_dir.join("postgres.log")).unwrap_or_default();
        let lines: Vec<&str> = text.lines().rev().take(5).collect();
        lines.into_iter().rev().collect::<Vec<_>>().join(" | ")
    }

    async fn ensure_database(&self, conn: &Connection) -> Result<(), EmbeddedError> {
        let setup = |e: tokio_postgres::Error| EmbeddedError::Setup(e.to_string());
        let admin = conn.connect("postgres").await.map_err(setup)?;
        let exists = admin
            .query_opt("SELECT 1 FROM pg_database WHERE datname = $1", &[&DATABASE])
            .await
            .map_err(setup)?
            .is_some();
        if !exists {
            admin
                .batch_execute(&format!("CREATE DATABASE {DATABASE}"))
                .await
                .map_err(setup)?;
        }
        let db = conn.connect(DATABASE).await.map_err(setup)?;
        db.batch_execute("CREATE EXTENSION IF NOT EXISTS vector")
            .await
            .map_err(setup)?;
        Ok(())
    }
}

fn check(command: &str, output: &Output) -> Result<(), EmbeddedError> {
    if output.status.success() {
        return Ok(());
    }
    let mut detail = String::from_utf8_lossy(&output.stderr).trim().to_owned();
    if detail.is_empty() {
        detail = String::from_utf8_lossy(&output.stdout).trim().to_owned();
    }
    if detail.is_empty() {
        detail = format!("exit status {}", output.status);
    }
    Err(EmbeddedError::Command {
        command: command.to_owned(),
        detail: detail.replace('\n', " | "),
    })
}

fn short_digest(text: &str) -> String {
    use sha2::Digest;
    hex::encode(&sha2::Sha256::digest(text.as_bytes())[..6])
}
