//! Tools of MCP servers: a client (the `rmcp` crate) for servers run as child processes (stdio)
//! or reached over streamable HTTP, whose tools join the registry as `<server>__<tool>`.
//!
//! A stdio server runs with a minimal environment (`PATH`, `HOME`, locale, `TMPDIR`...) plus the
//! variables its spec names, never with gathering's own (which hold database and API secrets).
//! Its stderr is logged at debug level. It stops when its connection is dropped or closed: rmcp
//! closes its stdin, waits up to 3 s for it to exit, sends SIGTERM, waits 3 s more, then kills
//! it; the process is also spawned with `kill_on_drop`, so it is killed even when that graceful
//! path cannot run (the runtime shutting down).
//!
//! Env values and the query string and userinfo of URLs are secrets here: they are never logged
//! and are cut out of every error message.
//!
//! Start at `McpConnection` (one live connection, below) and `McpClients` (one shared
//! connection per server); `transport.rs` starts a stdio child or reaches an HTTP server and
//! runs the handshake.

mod transport;

use std::collections::{BTreeMap, HashMap};
use std::fmt;
use std::sync::{Arc, Mutex as StdMutex};
use std::time::Duration;

use rmcp::model::{
    CallToolRequestParams, CallToolResult, ClientConfig, ContentBlock, ErrorCode, ResourceContents,
};
use rmcp::service::RunningService;
use rmcp::{RoleClient, ServiceError};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use super::{Risk, Tool, ToolContext, ToolDefinition, ToolError};
use transport::{connect_http, connect_stdio};

/// The most arguments a stdio server's command may have.
const MAX_ARGS: usize = 20;
/// The longest registry name of a tool (what OpenAI-style function names allow).
const MAX_TOOL_NAME: usize = 64;
/// Env values shorter than this are not redacted from messages (they cannot be meaningful
/// secrets, and cutting `1` or `on` out of every message would garble them).
const MIN_REDACTED_LEN: usize = 4;

/// How to reach an MCP server.
#[derive(Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum McpTransport {
    /// A child process speaking JSON-RPC on stdin/stdout.
    Stdio {
        command: String,
        #[serde(default)]
        args: Vec<String>,
        /// Extra environment variables (may hold secrets: never logged nor shown).
        #[serde(default)]
        env: BTreeMap<String, String>,
    },
    /// Streamable HTTP (the URL of the MCP endpoint, such as `https://host/mcp`).
    Http { url: String },
}

/// Redacts env values and the URL's userinfo and query string.
impl fmt::Debug for McpTransport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            McpTransport::Stdio { command, args, env } => f
                .debug_struct("Stdio")
                .field("command", command)
                .field("args", args)
                .field(
                    "env",
                    &env.keys().map(|k| (k, "***")).collect::<BTreeMap<_, _>>(),
                )
                .finish(),
            McpTransport::Http { url } => {
                f.debug_struct("Http").field("url", &safe_url(url)).finish()
            }
        }
    }
}

impl McpTransport {
    fn kind(&self) -> &'static str {
        match self {
            McpTransport::Stdio { .. } => "stdio",
            McpTransport::Http { .. } => "http",
        }
    }
}

/// A registered MCP server.
#[derive(Debug, Clone, PartialEq)]
pub struct McpServerSpec {
    /// `^[a-z0-9][a-z0-9-]{0,30}$`: the prefix of its tools' names.
    pub name: String,
    pub transport: McpTransport,
    /// The risk of every tool of this server.
    pub risk: Risk,
    /// The timeout of every tool call of this server. Connecting and listing tools are bounded
    /// by the longer of this and [`SETUP_TIMEOUT`] (a server's start-up, a Python interpreter's
    /// say, is not a tool call).
    pub timeout: Duration,
}

impl McpServerSpec {
    /// Checks the name, the command (non-empty, at most 20 arguments) or the URL (http or https).
    pub fn validate(&self) -> Result<(), String> {
        if !valid_server_name(&self.name) {
            return Err(format!(
                "name `{}` must be 1 to 31 characters: lowercase letters, digits and `-`, not \
                 starting with `-`",
                self.name
            ));
        }
        if self.timeout.is_zero() {
            return Err("timeout must be positive".to_string());
        }
        match &self.transport {
            McpTransport::Stdio { command, args, env } => {
                if command.trim().is_empty() {
                    return Err("the command of a stdio MCP server must not be empty".to_string());
                }
                if args.len() > MAX_ARGS {
                    return Err(format!(
                        "a stdio MCP server takes at most {MAX_ARGS} arguments, not {}",
                        args.len()
                    ));
                }
                if command.contains('\0') || args.iter().any(|a| a.contains('\0')) {
                    return Err("the command and arguments must not contain NUL".to_string());
                }
                for (key, value) in env {
                    if key.is_empty() || key.contains(['=', '\0']) {
                        return Err(format!("invalid environment variable name `{key}`"));
                    }
                    if value.contains('\0') {
                        return Err(format!("the value of `{key}` must not contain NUL"));
                    }
                }
            }
            McpTransport::Http { url } => {
                let parsed = url::Url::parse(url)
                    .map_err(|e| format!("invalid MCP server URL `{}`: {e}", safe_url(url)))?;
                if !matches!(parsed.scheme(), "http" | "https") {
                    return Err(format!(
                        "an MCP server URL must be http or https, not `{}`",
                        parsed.scheme()
                    ));
                }
                if parsed.host_str().is_none_or(str::is_empty) {
                    return Err("an MCP server URL must name a host".to_string());
                }
            }
        }
        Ok(())
    }
}

fn valid_server_name(name: &str) -> bool {
    let bytes = name.as_bytes();
    !bytes.is_empty()
        && bytes.len() <= 31
        && (bytes[0].is_ascii_lowercase() || bytes[0].is_ascii_digit())
        && bytes
            .iter()
            .all(|&b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
}

/// Why an MCP server could not be used. The text never contains env values nor the secret
/// parts of a URL.
#[derive(Debug, thiserror::Error)]
pub enum McpError {
    /// The spec is invalid (see [`McpServerSpec::validate`]).
    #[error("invalid MCP server: {0}")]
    InvalidSpec(String),
    /// The server could not be started or reached, or the handshake failed.
    #[error("could not connect to MCP server {0}")]
    Connect(String),
    /// The server answered something unusable, or a request failed.
    #[error("MCP server {0}")]
    Protocol(String),
    /// The server did not answer within the spec's timeout.
    #[error("MCP server {0}")]
    Timeout(String),
}

/// Cuts secrets (env values; a URL's userinfo and query string) out of messages.
#[derive(Debug, Clone, Default)]
struct Redactor {
    /// (secret, replacement), longest secret first.
    replacements: Vec<(String, String)>,
}

impl Redactor {
    fn for_transport(transport: &McpTransport) -> Self {
        let mut replacements = Vec::new();
        match transport {
            McpTransport::Stdio { env, .. } => {
                for value in env.values() {
                    if value.len() >= MIN_REDACTED_LEN {
                        replacements.push((value.clone(), "***".to_string()));
                    }
                }
            }
            McpTransport::Http { url } => {
                let safe = safe_url(url);
                if let Ok(parsed) = url::Url::parse(url) {
                    if parsed.as_str() != safe {
                        replacements.push((parsed.as_str().to_string(), safe.clone()));
                    }
                    for secret in [parsed.password(), parsed.query(), parsed.fragment()]
                        .into_iter()
                        .flatten()
                        .chain(Some(parsed.username()).filter(|u| !u.is_empty()))
                    {
                        replacements.push((secret.to_string(), "***".to_string()));
                    }
                    // A query parameter's value may show up alone (decoded) in a message.
                    for (_, value) in parsed.query_pairs() {
                        if value.len() >= MIN_REDACTED_LEN {
                            replacements.push((value.into_owned(), "***".to_string()));
                        }
                    }
                }
                if url != &safe {
                    replacements.push((url.clone(), safe));
                }
            }
        }
        replacements.retain(|(secret, _)| !secret.is_empty());
        replacements.sort_by_key(|(secret, _)| std::cmp::Reverse(secret.len()));
        Self { replacements }
    }

    fn apply(&self, text: &str) -> String {
        let mut text = text.to_string();
        for (secret, replacement) in &self.replacements {
            if text.contains(secret.as_str()) {
                text = text.replace(secret.as_str(), replacement);
            }
        }
        text
    }
}

/// The URL without userinfo, query string and fragment (what may be logged and shown).
fn safe_url(url: &str) -> String {
    match url::Url::parse(url) {
        Ok(mut parsed) => {
            let _ = parsed.set_username("");
            let _ = parsed.set_password(None);
            parsed.set_query(None);
            parsed.set_fragment(None);
            parsed.to_string()
        }
        Err(_) => "<invalid url>".to_string(),
    }
}

/// One live connection.
pub struct McpConnection {
    spec: McpServerSpec,
    service: RunningService<RoleClient, ClientConfig>,
    pid: Option<u32>,
    redactor: Redactor,
}

impl fmt::Debug for McpConnection {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("McpConnection")
            .field("server", &self.spec.name)
            .field("transport", &self.spec.transport.kind())
            .field("pid", &self.pid)
            .field("closed", &self.is_closed())
            .finish()
    }
}

/// The least time connecting (start-up and handshake) and listing tools may take.
pub const SETUP_TIMEOUT: Duration = Duration::from_secs(30);

impl McpServerSpec {
    /// How long connecting and listing tools may take.
    pub fn setup_timeout(&self) -> Duration {
        self.timeout.max(SETUP_TIMEOUT)
    }
}

impl McpConnection {
    /// Starts (stdio) or reaches (HTTP) the server and runs the MCP handshake, all within
    /// `spec.setup_timeout()`. A stdio child is stopped when the connection is dropped (see the module
    /// documentation).
    pub async fn connect(spec: &McpServerSpec) -> Result<Self, McpError> {
        spec.validate().map_err(McpError::InvalidSpec)?;
        let redactor = Redactor::for_transport(&spec.transport);
        let connecting = async {
            match &spec.transport {
                McpTransport::Stdio { command, args, env } => {
                    connect_stdio(spec, command, args, env, &redactor).await
                }
                McpTransport::Http { url } => connect_http(spec, url, &redactor).await,
            }
        };
        let setup = spec.setup_timeout();
        let (service, pid) = match tokio::time::timeout(setup, connecting).await {
            Ok(result) => result?,
            Err(_) => {
                tracing::warn!(server = %spec.name, timeout = ?setup, "MCP connect timed out");
                return Err(McpError::Timeout(format!(
                    "`{}` did not complete the handshake within {}",
                    spec.name,
                    secs(setup)
                )));
            }
        };
        if let Some(info) = service.peer_info() {
            let (name, version) = info
                .server_info
                .as_ref()
                .map(|i| (i.name.as_str(), i.version.as_str()))
                .unwrap_or(("?", "?"));
            tracing::info!(
                server = %spec.name,
                transport = spec.transport.kind(),
                remote = %redactor.apply(name),
                remote_version = %redactor.apply(version),
                protocol = %info.protocol_version,
                pid = ?pid,
                "MCP server connected"
            );
        }
        Ok(Self {
            spec: spec.clone(),
            service,
            pid,
            redactor,
        })
    }

    /// The server's name.
    pub fn name(&self) -> &str {
        &self.spec.name
    }

    /// The process id of a stdio server (`None` over HTTP).
    pub fn pid(&self) -> Option<u32> {
        self.pid
    }

    /// Whether the connection is over: closed here, or the server went away (its process
    /// exited, the HTTP session ended).
    pub fn is_closed(&self) -> bool {
        self.service.is_closed() || self.service.peer().is_transport_closed()
    }

    /// Closes the connection now, even while [`McpTool`]s still hold it: calls fail from then
    /// on, and a stdio server is stopped (asynchronously, see the module documentation).
    pub fn close(&self) {
        self.service.cancellation_token().cancel();
    }

    /// The server's tools as registry definitions: name `<server>__<tool>` (the tool part
    /// sanitised to `[A-Za-z0-9_-]`, the whole cut to 64 characters), description, parameters =
    /// the tool's input schema, risk, timeout and source `mcp:<server>` from the spec. Each
    /// comes with the tool's name on the server. Listing is bounded by the setup timeout.
    pub async fn tools(&self) -> Result<Vec<(ToolDefinition, String)>, McpError> {
        let spec = &self.spec;
        let server = &spec.name;
        let setup = spec.setup_timeout();
        let listed = tokio::time::timeout(setup, self.service.peer().list_all_tools())
            .await
            .map_err(|_| {
                McpError::Timeout(format!(
                    "`{server}` did not list its tools within {}",
                    secs(setup)
                ))
            })?
            .map_err(|e| {
                McpError::Protocol(format!(
                    "`{server}`: listing tools failed: {}",
                    self.redactor.apply(&e.to_string())
                ))
            })?;
        let mut seen = std::collections::HashSet::new();
        let mut tools = Vec::with_capacity(listed.len());
        for tool in listed {
            let remote = tool.name.to_string();
            let name = registry_name(server, &remote);
            if !seen.insert(name.clone()) {
                tracing::warn!(server = %server, tool = %name, "MCP tool name taken twice; skipping the second");
                continue;
            }
            let description = tool
                .description
                .as_deref()
                .map(str::to_string)
                .or_else(|| tool.title.clone())
                .unwrap_or_else(|| format!("The `{remote}` tool of the MCP server `{server}`."));
            let mut parameters = (*tool.input_schema).clone();
            parameters
                .entry("type")
                .or_insert_with(|| Value::String("object".to_string()));
            tools.push((
                ToolDefinition {
                    name,
                    description,
                    parameters: Value::Object(parameters),
                    risk: spec.risk,
                    timeout: spec.timeout,
                    source: format!("mcp:{server}"),
                },
                remote,
            ));
        }
        tracing::debug!(server = %server, tools = tools.len(), "MCP tools listed");
        Ok(tools)
    }

    /// Calls a remote tool. The result is `{"content": "<the text blocks, joined>"}`, with
    /// `"structured"` when the server gave structured content; a result flagged `isError` is
    /// [`ToolError::Failed`] with its text. Not bounded here: the caller applies the tool's
    /// timeout, and dropping this future tells the server the request is cancelled.
    pub async fn call(&self, remote_name: &str, arguments: Value) -> Result<Value, ToolError> {
        let server = &self.spec.name;
        if self.is_closed() {
            return Err(ToolError::Failed(format!(
                "the MCP server `{server}` is not connected"
            )));
        }
        let arguments = match arguments {
            Value::Object(map) => map,
            Value::Null => serde_json::Map::new(),
            _ => {
                return Err(ToolError::InvalidArguments(
                    "the arguments must be a JSON object".to_string(),
                ));
            }
        };
        tracing::debug!(server = %server, tool = %remote_name, "MCP tool call");
        let params = CallToolRequestParams::new(remote_name.to_string()).with_arguments(arguments);
        match self.service.call_tool(params).await {
            Ok(result) => tool_result(result),
            Err(ServiceError::McpError(error)) => {
                let message = self.redactor.apply(&error.message);
                if error.code == ErrorCode::INVALID_PARAMS {
                    Err(ToolError::InvalidArguments(message))
                } else {
                    Err(ToolError::Failed(format!(
                        "the MCP server `{server}` answered with an error: {message}"
                    )))
                }
            }
            Err(error) => {
                let message = self.redactor.apply(&error.to_string());
                tracing::warn!(server = %server, tool = %remote_name, error = %message, "MCP tool call failed");
                Err(ToolError::Failed(format!(
                    "the MCP server `{server}` could not be called: {message}"
                )))
            }
        }
    }
}

/// `<server>__<tool>`, the tool part sanitised to `[A-Za-z0-9_-]`, cut to 64 characters.
fn registry_name(server: &str, tool: &str) -> String {
    let mut name = format!("{server}__");
    name.extend(tool.chars().map(|c| {
        if c.is_ascii_alphanumeric() || c == '_' || c == '-' {
            c
        } else {
            '_'
        }
    }));
    if tool.is_empty() {
        name.push('_');
    }
    // ASCII only by now: any byte is a char boundary.
    name.truncate(MAX_TOOL_NAME);
    name
}

/// A `tools/call` result as the model sees it.
fn tool_result(result: CallToolResult) -> Result<Value, ToolError> {
    let text = result
        .content
        .iter()
        .map(block_text)
        .collect::<Vec<_>>()
        .join("\n");
    if result.is_error == Some(true) {
        let text = if text.trim().is_empty() {
            "the tool reported an error without a message".to_string()
        } else {
            text
        };
        return Err(ToolError::Failed(text));
    }
    let mut value = json!({ "content": text });
    if let Some(structured) = result.structured_content {
        value["structured"] = structured;
    }
    Ok(value)
}

/// The text of one content block; other kinds are named, not inlined.
fn block_text(block: &ContentBlock) -> String {
    match block {
        ContentBlock::Text(text) => text.text.clone(),
        ContentBlock::Image(image) => format!("[image: {}]", image.mime_type),
        ContentBlock::Audio(audio) => format!("[audio: {}]", audio.mime_type),
        ContentBlock::Resource(resource) => match &resource.resource {
            ResourceContents::TextResourceContents { text, .. } => text.clone(),
            ResourceContents::BlobResourceContents { uri, mime_type, .. } => format!(
                "[resource {uri}{}]",
                mime_type
                    .as_deref()
                    .map(|m| format!(": {m}"))
                    .unwrap_or_default()
            ),
            _ => "[resource of an unknown kind]".to_string(),
        },
        ContentBlock::ResourceLink(link) => {
            format!("[resource link: {} ({})]", link.uri, link.name)
        }
        _ => "[content of an unknown kind]".to_string(),
    }
}

fn secs(d: Duration) -> String {
    format!("{}s", d.as_secs_f64())
}

/// A registry tool backed by an MCP server.
pub struct McpTool {
    definition: ToolDefinition,
    remote_name: String,
    connection: Arc<McpConnection>,
}

impl McpTool {
    pub fn new(
        definition: ToolDefinition,
        remote_name: String,
        connection: Arc<McpConnection>,
    ) -> Self {
        Self {
            definition,
            remote_name,
            connection,
        }
    }

    /// The tool's name on its server.
    pub fn remote_name(&self) -> &str {
        &self.remote_name
    }
}

#[async_trait::async_trait]
impl Tool for McpTool {
    fn definition(&self) -> &ToolDefinition {
        &self.definition
    }

    async fn call(&self, _ctx: &ToolContext, arguments: Value) -> Result<Value, ToolError> {
        self.connection.call(&self.remote_name, arguments).await
    }
}

/// One server's slot: its live connection, if any.
type Slot = Arc<tokio::sync::Mutex<Option<Arc<McpConnection>>>>;

/// Live connections per server name, connected on first use and reconnected when closed.
///
/// Locks: a `std::sync::Mutex` over the map, held only to find or add a server's slot (never
/// across an await), and a `tokio::sync::Mutex` per slot, held while connecting. Connecting
/// awaits (a process start, a handshake) so the slot lock must be an async one; holding it makes
/// concurrent callers for one server wait for a single connection instead of each starting a
/// process, while other servers are not held up.
pub struct McpClients {
    slots: StdMutex<HashMap<String, Slot>>,
}

impl Default for McpClients {
    fn default() -> Self {
        Self::new()
    }
}

impl McpClients {
    pub fn new() -> Self {
        Self {
            slots: StdMutex::new(HashMap::new()),
        }
    }

    fn slot(&self, name: &str) -> Slot {
        let mut slots = self.slots.lock().unwrap_or_else(|e| e.into_inner());
        slots.entry(name.to_string()).or_default().clone()
    }

    /// The live connection to this server: the current one when it is open and was made for
    /// the same spec, else a new one (the old one is closed).
    pub async fn connection(&self, spec: &McpServerSpec) -> Result<Arc<McpConnection>, McpError> {
        spec.validate().map_err(McpError::InvalidSpec)?;
        let slot = self.slot(&spec.name);
        let mut current = slot.lock().await;
        if let Some(connection) = current.as_ref() {
            if !connection.is_closed() && connection.spec == *spec {
                return Ok(connection.clone());
            }
            tracing::info!(server = %spec.name, closed = connection.is_closed(), "reconnecting to MCP server");
            connection.close();
            *current = None;
        }
        let connection = Arc::new(McpConnection::connect(spec).await?);
        *current = Some(connection.clone());
        Ok(connection)
    }

    /// The server's tools, ready for the registry (connecting first if needed).
    pub async fn tools(&self, spec: &McpServerSpec) -> Result<Vec<Arc<dyn Tool>>, McpError> {
        let connection = self.connection(spec).await?;
        let tools = connection.tools().await?;
        Ok(tools
            .into_iter()
            .map(|(definition, remote)| {
                Arc::new(McpTool::new(definition, remote, connection.clone())) as Arc<dyn Tool>
            })
            .collect())
    }

    /// Drops the server's connection and closes it (stopping a stdio server), even if tools
    /// still hold it.
    pub async fn forget(&self, name: &str) {
        let slot = {
            let mut slots = self.slots.lock().unwrap_or_else(|e| e.into_inner());
            slots.remove(name)
        };
        if let Some(slot) = slot
            && let Some(connection) = slot.lock().await.take()
        {
            tracing::info!(server = %name, "closing MCP server connection");
            connection.close();
        }
    }
}

#[cfg(test)]
mod tests;
