//! The MCP client (`gathering::tools::mcp`) against a real MCP server: `tests/mcp/server.py` on
//! the official Python SDK (in `.gathering/sdk-venv`, from `scripts/bootstrap sdk`), over stdio
//! and streamable HTTP. No database needed.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::process::Stdio;
use std::sync::Arc;
use std::time::Duration;

use gathering::tools::mcp::{McpClients, McpConnection, McpError, McpServerSpec, McpTransport};
use gathering::tools::{Risk, ToolContext, ToolError};
use nix::sys::signal::{Signal, kill};
use nix::unistd::Pid;
use serde_json::json;

use crate::support::{poll_until, repo_root};

/// How long a process may take to go away, or a server to come up.
const PATIENCE: Duration = Duration::from_secs(30);

fn python() -> String {
    let python = repo_root().join(".gathering/sdk-venv/bin/python");
    assert!(
        python.exists(),
        "{} is missing: run scripts/bootstrap sdk",
        python.display()
    );
    python.to_string_lossy().into_owned()
}

fn server_script() -> String {
    let script: PathBuf = repo_root().join("tests/mcp/server.py");
    script.to_string_lossy().into_owned()
}

fn spec(name: &str, transport: McpTransport, timeout: Duration) -> McpServerSpec {
    McpServerSpec {
        name: name.to_string(),
        transport,
        risk: Risk::ReadOnly,
        timeout,
    }
}

fn stdio_spec(name: &str) -> McpServerSpec {
    let transport = McpTransport::Stdio {
        command: python(),
        args: vec![server_script(), "stdio".to_string()],
        env: BTreeMap::new(),
    };
    spec(name, transport, PATIENCE)
}

/// Whether the process runs (a zombie or a vanished pid does not).
fn alive(pid: u32) -> bool {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
    let state = stat
        .rsplit_once(')')
        .and_then(|(_, rest)| rest.trim_start().chars().next());
    !matches!(state, None | Some('Z' | 'X'))
}

async fn gone(pid: u32) -> bool {
    poll_until(PATIENCE, || async move { !alive(pid) }).await
}

#[tokio::test]
async fn stdio_server_lists_and_calls_tools_and_stops_with_its_clients() {
    let clients = McpClients::new();
    let spec = stdio_spec("py");
    let tools = clients.tools(&spec).await.expect("the server's tools");

    let mut names: Vec<_> = tools.iter().map(|t| t.definition().name.clone()).collect();
    names.sort();
    assert_eq!(names, ["py__add", "py__echo", "py__fail", "py__slow"]);
    let tool = |name: &str| {
        tools
            .iter()
            .find(|t| t.definition().name == name)
            .unwrap()
            .clone()
    };
    let add = tool("py__add");
    let definition = add.definition();
    assert_eq!(definition.description, "Adds two integers.");
    assert_eq!(definition.parameters["type"], "object");
    assert_eq!(definition.parameters["properties"]["a"]["type"], "integer");
    assert_eq!(definition.parameters["properties"]["b"]["type"], "integer");
    assert_eq!(definition.parameters["required"], json!(["a", "b"]));
    assert_eq!(definition.risk, Risk::ReadOnly);
    assert_eq!(definition.timeout, PATIENCE);
    assert_eq!(definition.source, "mcp:py");
    assert_eq!(
        tool("py__slow").definition().parameters["properties"]["seconds"]["type"],
        "number"
    );

    let sum = add.call(&ctx(), json!({"a": 2, "b": 3})).await.unwrap();
    assert_eq!(sum["content"], "5", "{sum}");
    assert_eq!(sum["structured"]["result"], 5, "{sum}");
    let echoed = tool("py__echo")
        .call(&ctx(), json!({"text": "héllo wörld"}))
        .await
        .unwrap();
    assert_eq!(echoed["content"], "héllo wörld");
    match tool("py__fail")
        .call(&ctx(), json!({"message": "the disk is on fire"}))
        .await
    {
        Err(ToolError::Failed(message)) => {
            assert!(message.contains("the disk is on fire"), "{message}")
        }
        other => panic!("expected a failure, got {other:?}"),
    }

    // One connection per server, reused while it is live and its spec unchanged.
    let connection = clients.connection(&spec).await.unwrap();
    let again = clients.connection(&spec).await.unwrap();
    assert!(Arc::ptr_eq(&connection, &again));
    let remote: Vec<_> = connection
        .tools()
        .await
        .unwrap()
        .into_iter()
        .map(|(d, remote)| (d.name, remote))
        .collect();
    assert!(remote.contains(&("py__add".to_string(), "add".to_string())));
    let pid = connection.pid().expect("a stdio server has a pid");
    assert!(alive(pid));

    drop((tools, add, connection, again));
    drop(clients);
    assert!(
        gone(pid).await,
        "the server process {pid} outlived its clients"
    );
}

#[tokio::test]
async fn forget_stops_the_server_even_while_tools_hold_it_and_the_next_use_reconnects() {
    let clients = McpClients::new();
    let spec = stdio_spec("forgotten");
    let tools = clients.tools(&spec).await.unwrap();
    let connection = clients.connection(&spec).await.unwrap();
    let pid = connection.pid().unwrap();

    clients.forget("forgotten").await;
    assert!(connection.is_closed());
    assert!(gone(pid).await, "forget left the server process {pid}");
    let add = tools
        .iter()
        .find(|t| t.definition().name == "forgotten__add")
        .unwrap();
    match add.call(&ctx(), json!({"a": 1, "b": 1})).await {
        Err(ToolError::Failed(message)) => assert!(message.contains("not connected"), "{message}"),
        other => panic!("expected a failure, got {other:?}"),
    }

    let tools = clients.tools(&spec).await.unwrap();
    let fresh = clients.connection(&spec).await.unwrap();
    assert_ne!(fresh.pid(), Some(pid));
    let add = tools
        .iter()
        .find(|t| t.definition().name == "forgotten__add")
        .unwrap();
    assert_eq!(
        add.call(&ctx(), json!({"a": 1, "b": 1})).await.unwrap()["content"],
        "2"
    );
    clients.forget("forgotten").await;
}

#[tokio::test]
async fn a_server_that_dies_is_seen_closed_and_replaced() {
    let clients = McpClients::new();
    let spec = stdio_spec("mortal");
    let connection = clients.connection(&spec).await.unwrap();
    let pid = connection.pid().unwrap();
    kill(Pid::from_raw(pid as i32), Signal::SIGKILL).unwrap();
    assert!(
        poll_until(PATIENCE, || async { connection.is_closed() }).await,
        "the connection did not notice its server died"
    );
    match connection.call("add", json!({"a": 1, "b": 2})).await {
        Err(ToolError::Failed(message)) => assert!(message.contains("mortal"), "{message}"),
        other => panic!("expected a failure, got {other:?}"),
    }
    let replaced = clients.connection(&spec).await.unwrap();
    assert!(!Arc::ptr_eq(&connection, &replaced));
    let sum = replaced.call("add", json!({"a": 1, "b": 2})).await.unwrap();
    assert_eq!(sum["content"], "3");
}

#[tokio::test]
async fn streamable_http_server_lists_and_calls_tools() {
    let port = {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        listener.local_addr().unwrap().port()
    };
    let mut server = tokio::process::Command::new(python())
        .args([server_script(), "http".to_string(), port.to_string()])
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .kill_on_drop(true)
        .spawn()
        .expect("start the HTTP MCP server");
    let up = poll_until(PATIENCE, || async {
        tokio::net::TcpStream::connect(("127.0.0.1", port))
            .await
            .is_ok()
    })
    .await;
    assert!(up, "the HTTP MCP server did not listen on {port}");

    let url = format!("http://127.0.0.1:{port}/mcp");
    let spec = spec("web", McpTransport::Http { url }, PATIENCE);
    let connection = McpConnection::connect(&spec)
        .await
        .expect("connect over HTTP");
    assert_eq!(connection.pid(), None);
    let tools = connection.tools().await.unwrap();
    let mut names: Vec<_> = tools.iter().map(|(d, _)| d.name.as_str()).collect();
    names.sort();
    assert_eq!(names, ["web__add", "web__echo", "web__fail", "web__slow"]);
    let (echo, remote) = tools.iter().find(|(d, _)| d.name == "web__echo").unwrap();
    assert_eq!(remote, "echo");
    assert_eq!(echo.parameters["properties"]["text"]["type"], "string");
    assert_eq!(echo.source, "mcp:web");

    let sum = connection
        .call("add", json!({"a": 2, "b": 3}))
        .await
        .unwrap();
    assert_eq!(sum["content"], "5");
    assert_eq!(sum["structured"], json!({"result": 5}));
    let echoed = connection
        .call("echo", json!({"text": "over http"}))
        .await
        .unwrap();
    assert_eq!(echoed["content"], "over http");
    assert!(matches!(
        connection.call("fail", json!({"message": "nope"})).await,
        Err(ToolError::Failed(m)) if m.contains("nope")
    ));

    drop(connection);
    server.kill().await.unwrap();
}

#[tokio::test]
async fn a_command_that_does_not_exist_cannot_connect() {
    let transport = McpTransport::Stdio {
        command: "/nonexistent/gathering-no-such-mcp-server".to_string(),
        args: vec![],
        env: BTreeMap::new(),
    };
    let spec = spec("ghost", transport, PATIENCE);
    match McpConnection::connect(&spec).await {
        Err(McpError::Connect(message)) => {
            assert!(message.contains("ghost"), "{message}");
            assert!(
                message.contains("/nonexistent/gathering-no-such-mcp-server"),
                "{message}"
            );
            assert!(message.contains("No such file"), "{message}");
        }
        other => panic!("expected a connect error, got {other:?}"),
    }
}

#[tokio::test]
async fn a_command_that_is_no_mcp_server_fails_with_its_stderr_and_no_secrets() {
    let mut env = BTreeMap::new();
    env.insert(
        "SECRET_TOKEN".to_string(),
        "hunter2-very-secret".to_string(),
    );
    let transport = McpTransport::Stdio {
        command: python(),
        args: vec![
            "-c".to_string(),
            "import os, sys; sys.stderr.write('not an MCP server, token ' + \
             os.environ['SECRET_TOKEN'] + '\\n')"
                .to_string(),
        ],
        env,
    };
    let spec = spec("impostor", transport, PATIENCE);
    match McpConnection::connect(&spec).await {
        Err(error @ McpError::Connect(_)) => {
            let message = error.to_string();
            assert!(message.contains("not an MCP server"), "{message}");
            assert!(!message.contains("hunter2-very-secret"), "{message}");
        }
        other => panic!("expected a connect error, got {other:?}"),
    }
}

#[tokio::test]
async fn a_call_past_its_timeout_is_abandoned_and_the_connection_still_works() {
    let connection = McpConnection::connect(&stdio_spec("sluggish"))
        .await
        .unwrap();
    // The agent loop bounds every call by the tool's timeout, as here.
    let late = tokio::time::timeout(
        Duration::from_millis(300),
        connection.call("slow", json!({"seconds": 30})),
    )
    .await;
    assert!(late.is_err(), "slow(30) answered within 300 ms: {late:?}");

    let sum = tokio::time::timeout(
        Duration::from_secs(10),
        connection.call("add", json!({"a": 2, "b": 3})),
    )
    .await
    .expect("add answers after an abandoned call")
    .unwrap();
    assert_eq!(sum["content"], "5");
    let done = tokio::time::timeout(
        Duration::from_secs(10),
        connection.call("slow", json!({"seconds": 0.05})),
    )
    .await
    .unwrap()
    .unwrap();
    assert_eq!(done["content"], "done");
    assert!(!connection.is_closed());
}

fn ctx() -> ToolContext {
    ToolContext::outside_agents(gathering::core::identity::Identity::system())
}
