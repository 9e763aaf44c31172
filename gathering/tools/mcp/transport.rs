//! Reaching an MCP server: a stdio child started with a minimal environment (its stderr logged,
//! redacted, and its last lines kept to explain a failed handshake), or a streamable HTTP
//! endpoint; then rmcp's handshake. `McpConnection::connect` (in `mod.rs`) calls these under
//! the setup timeout.

use std::collections::{BTreeMap, VecDeque};
use std::process::Stdio;
use std::sync::{Arc, Mutex as StdMutex};
use std::time::Duration;

use rmcp::model::{ClientCapabilities, ClientConfig, Implementation, ProtocolVersion};
use rmcp::service::RunningService;
use rmcp::transport::streamable_http_client::StreamableHttpClientTransportConfig;
use rmcp::transport::{StreamableHttpClientTransport, TokioChildProcess};
use rmcp::{RoleClient, ServiceExt};
use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::process::ChildStderr;

use super::{McpError, McpServerSpec, Redactor, safe_url};

/// Variables of gathering's own environment that a stdio server inherits (when set).
const INHERITED_ENV: &[&str] = &[
    "PATH", "HOME", "USER", "LOGNAME", "LANG", "LC_ALL", "LC_CTYPE", "TZ", "TMPDIR",
];
/// Lines of a stdio server's stderr kept to explain a failed connection.
const STDERR_TAIL_LINES: usize = 5;
/// The longest stderr line kept or logged, in bytes.
const STDERR_LINE_MAX: usize = 500;

/// rmcp's reqwest is built without a TLS crypto provider: it takes the process default, which
/// this installs (ring, as the rest of gathering). Idempotent.
fn ensure_crypto_provider() {
    let _ = rustls::crypto::ring::default_provider().install_default();
}

/// What gathering says about itself in the handshake. The legacy `initialize` handshake at its
/// newest version is what every current server understands.
fn client_info() -> ClientConfig {
    ClientConfig::new(
        ClientCapabilities::default(),
        Implementation::new("gathering", env!("CARGO_PKG_VERSION")),
    )
    .with_protocol_version(ProtocolVersion::LATEST_WITH_INITIALIZE)
}

pub(super) async fn connect_stdio(
    spec: &McpServerSpec,
    command: &str,
    args: &[String],
    env: &BTreeMap<String, String>,
    redactor: &Redactor,
) -> Result<(RunningService<RoleClient, ClientConfig>, Option<u32>), McpError> {
    let server = &spec.name;
    let mut cmd = tokio::process::Command::new(command);
    cmd.args(args).env_clear().kill_on_drop(true);
    for key in INHERITED_ENV {
        if let Some(value) = std::env::var_os(key) {
            cmd.env(key, value);
        }
    }
    cmd.envs(env);
    tracing::info!(server = %server, command = %command, args = args.len(), env = env.len(), "starting MCP server");
    let (transport, stderr) = TokioChildProcess::builder(cmd)
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| {
            McpError::Connect(format!(
                "`{server}`: starting `{command}` failed: {}",
                redactor.apply(&e.to_string())
            ))
        })?;
    let pid = transport.id();
    let tail = Arc::new(StdMutex::new(VecDeque::new()));
    let mut stderr_task = stderr.map(|stderr| {
        tokio::spawn(forward_stderr(
            server.clone(),
            stderr,
            redactor.clone(),
            tail.clone(),
        ))
    });
    match client_info().serve(transport).await {
        Ok(service) => Ok((service, pid)),
        Err(error) => {
            // The child is being stopped (the transport was dropped): its stderr ends soon.
            if let Some(task) = stderr_task.as_mut() {
                let _ = tokio::time::timeout(Duration::from_secs(1), task).await;
            }
            let said = tail
                .lock()
                .map(|lines| lines.iter().cloned().collect::<Vec<_>>().join(" | "))
                .unwrap_or_default();
            let said = if said.is_empty() {
                String::new()
            } else {
                format!(" (its stderr: {said})")
            };
            Err(McpError::Connect(format!(
                "`{server}`: `{command}` did not complete the MCP handshake: {}{said}",
                redactor.apply(&error.to_string())
            )))
        }
    }
}

pub(super) async fn connect_http(
    spec: &McpServerSpec,
    url: &str,
    redactor: &Redactor,
) -> Result<(RunningService<RoleClient, ClientConfig>, Option<u32>), McpError> {
    let server = &spec.name;
    ensure_crypto_provider();
    tracing::info!(server = %server, url = %safe_url(url), "connecting to MCP server");
    let transport = StreamableHttpClientTransport::from_config(
        StreamableHttpClientTransportConfig::with_uri(url.to_string()),
    );
    let service = client_info().serve(transport).await.map_err(|error| {
        McpError::Connect(format!(
            "`{server}` at {}: {}",
            safe_url(url),
            redactor.apply(&error.to_string())
        ))
    })?;
    Ok((service, None))
}

/// Logs a stdio server's stderr (debug level, redacted) and keeps its last lines.
async fn forward_stderr(
    server: String,
    stderr: ChildStderr,
    redactor: Redactor,
    tail: Arc<StdMutex<VecDeque<String>>>,
) {
    let mut lines = BufReader::new(stderr).lines();
    while let Ok(Some(line)) = lines.next_line().await {
        let mut line = redactor.apply(&line);
        if line.len() > STDERR_LINE_MAX {
            let mut cut = STDERR_LINE_MAX;
            while !line.is_char_boundary(cut) {
                cut -= 1;
            }
            line.truncate(cut);
            line.push('…');
        }
        tracing::debug!(server = %server, line = %line, "MCP server stderr");
        if let Ok(mut tail) = tail.lock() {
            if tail.len() == STDERR_TAIL_LINES {
                tail.pop_front();
            }
            tail.push_back(line);
        }
    }
}
