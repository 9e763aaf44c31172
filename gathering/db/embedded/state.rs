//! Files of an embedded data dir that gathering reads: `connection.json` (remembered port and
//! credentials) and Postgres's own `postmaster.pid`.

use std::net::{Ipv4Addr, TcpListener};
use std::os::unix::fs::PermissionsExt;
use std::path::Path;

use secrecy::{ExposeSecret, SecretString};
use serde::{Deserialize, Serialize};

use super::owner::{PgOwner, io_err};
use super::{DATABASE, EmbeddedError};

/// How to reach the cluster; `connection.json`, mode 0600.
#[derive(Debug, Serialize, Deserialize)]
pub struct Connection {
    pub port: u16,
    pub user: String,
    #[serde(serialize_with = "expose")]
    pub password: SecretString,
}

fn expose<S: serde::Serializer>(secret: &SecretString, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(secret.expose_secret())
}

impl Connection {
    pub fn generate(port: u16) -> Self {
        use rand::Rng;
        let bytes: [u8; 24] = rand::rng().random();
        Self {
            port,
            user: DATABASE.to_owned(),
            password: SecretString::from(hex::encode(bytes)),
        }
    }

    pub fn load(data_dir: &Path) -> Result<Option<Self>, EmbeddedError> {
        let path = data_dir.join("connection.json");
        match std::fs::read_to_string(&path) {
            Ok(text) => serde_json::from_str(&text)
                .map(Some)
                .map_err(|e| EmbeddedError::Setup(format!("{} is corrupt: {e}", path.display()))),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(io_err(&path, "read", e)),
        }
    }

    /// Writes atomically (temp file + rename), readable by its owner only.
    pub fn save(&self, data_dir: &Path, owner: &PgOwner) -> Result<(), EmbeddedError> {
        let path = data_dir.join("connection.json");
        let tmp = data_dir.join("connection.json.tmp");
        let text = serde_json::to_string_pretty(self).expect("plain struct serialises");
        std::fs::write(&tmp, text).map_err(|e| io_err(&tmp, "write", e))?;
        std::fs::set_permissions(&tmp, std::fs::Permissions::from_mode(0o600))
            .map_err(|e| io_err(&tmp, "chmod", e))?;
        owner.own_file(&tmp)?;
        std::fs::rename(&tmp, &path).map_err(|e| io_err(&path, "replace", e))
    }

    /// `postgres://user:password@127.0.0.1:port/database`.
    pub fn url(&self, database: &str) -> SecretString {
        SecretString::from(format!(
            "postgres://{}:{}@127.0.0.1:{}/{database}",
            self.user,
            self.password.expose_secret(),
            self.port
        ))
    }

    pub async fn connect(
        &self,
        database: &str,
    ) -> Result<tokio_postgres::Client, tokio_postgres::Error> {
        let (client, connection) = tokio_postgres::Config::new()
            .host("127.0.0.1")
            .port(self.port)
            .user(&self.user)
            .password(self.password.expose_secret())
            .dbname(database)
            .connect_timeout(std::time::Duration::from_secs(10))
            .connect(tokio_postgres::NoTls)
            .await?;
        tokio::spawn(async move {
            if let Err(e) = connection.await {
                tracing::debug!("embedded setup connection closed: {e}");
            }
        });
        Ok(client)
    }
}

/// The first lines of `postmaster.pid`: the postmaster's pid and port.
#[derive(Debug)]
pub struct PidFile {
    pub pid: i32,
    pub port: u16,
}

impl PidFile {
    pub fn read(pgdata: &Path) -> Result<Option<Self>, EmbeddedError> {
        let path = pgdata.join("postmaster.pid");
        let text = match std::fs::read_to_string(&path) {
            Ok(text) => text,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(io_err(&path, "read", e)),
        };
        let lines: Vec<&str> = text.lines().collect();
        let pid = lines
            .first()
            .and_then(|l| l.trim().parse().ok())
            .unwrap_or(0);
        let port = lines
            .get(3)
            .and_then(|l| l.trim().parse().ok())
            .unwrap_or(0);
        Ok(Some(Self { pid, port }))
    }

    /// True when the pid is alive and is a postgres process (pids get reused).
    pub fn is_live_postgres(&self) -> bool {
        live_command(self.pid).is_some_and(|comm| comm == "postgres")
    }

    pub fn remove(&self, pgdata: &Path) -> Result<(), EmbeddedError> {
        let path = pgdata.join("postmaster.pid");
        match std::fs::remove_file(&path) {
            Ok(()) => Ok(()),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
            Err(e) => Err(io_err(&path, "remove", e)),
        }
    }
}

/// The command name of a live process, `None` when there is none (or only its zombie).
pub fn live_command(pid: i32) -> Option<String> {
    if pid <= 0 {
        return None;
    }
    // `/proc/PID/stat` is `pid (comm) state ...`; a zombie (Z) or dead (X) one is gone.
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    let (head, rest) = stat.rsplit_once(')')?;
    let comm = head.split_once('(').map_or("", |(_, c)| c);
    let state = rest.trim_start().chars().next().unwrap_or('X');
    (!matches!(state, 'Z' | 'X')).then(|| comm.to_owned())
}

/// Who is responsible for stopping a running cluster: `started-by` in the data dir.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StartedBy {
    /// A `gathering` process that stops it when it exits.
    Process(i32),
    /// `gathering db start`: it runs until `gathering db stop`.
    Detached,
}

impl StartedBy {
    pub fn read(data_dir: &Path) -> Option<Self> {
        let text = std::fs::read_to_string(data_dir.join("started-by")).ok()?;
        match text.trim() {
            "detached" => Some(Self::Detached),
            pid => pid.parse().ok().map(Self::Process),
        }
    }

    pub fn write(self, data_dir: &Path, owner: &PgOwner) -> Result<(), EmbeddedError> {
        let path = data_dir.join("started-by");
        let text = match self {
            Self::Process(pid) => pid.to_string(),
            Self::Detached => "detached".to_owned(),
        };
        std::fs::write(&path, text).map_err(|e| io_err(&path, "write", e))?;
        owner.own_file(&path)
    }

    /// A process owner that is gone (crashed, killed) left the cluster to whoever comes next.
    pub fn is_abandoned(self) -> bool {
        match self {
            Self::Process(pid) => live_command(pid).is_none(),
            Self::Detached => false,
        }
    }
}

/// A loopback port nobody listens on right now.
pub fn free_port() -> Result<u16, EmbeddedError> {
    let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, 0))
        .map_err(|e| io_err(Path::new("127.0.0.1:0"), "bind", e))?;
    listener
        .local_addr()
        .map(|a| a.port())
        .map_err(|e| io_err(Path::new("127.0.0.1:0"), "bind", e))
}

pub fn port_is_free(port: u16) -> bool {
    port != 0 && TcpListener::bind((Ipv4Addr::LOCALHOST, port)).is_ok()
}
