//! Tests of the `http_request` tool: argument checks, address refusals (literal, resolved and
//! redirected) and requests to a local server.

use std::sync::Mutex;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;

use super::*;

fn ctx() -> ToolContext {
    ToolContext::outside_agents(crate::core::identity::Identity::system())
}

fn settings(allow_private: bool) -> ToolSettings {
    ToolSettings {
        http_allow_private: allow_private,
        http_max_response_bytes: 1024,
        http_timeout: Duration::from_secs(5),
    }
}

fn tool(allow_private: bool) -> HttpTool {
    HttpTool::new(&settings(allow_private)).unwrap()
}

type Handler = Arc<dyn Fn(&str) -> Vec<u8> + Send + Sync>;

/// A tiny HTTP/1.1 server on 127.0.0.1: each request (its head and body, as text) is
/// recorded and answered with what `handler` gives for it.
async fn serve(handler: Handler) -> (SocketAddr, Arc<Mutex<Vec<String>>>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    let requests = Arc::new(Mutex::new(Vec::new()));
    let seen = requests.clone();
    tokio::spawn(async move {
        while let Ok((mut stream, _)) = listener.accept().await {
            let handler = handler.clone();
            let seen = seen.clone();
            tokio::spawn(async move {
                let mut data = Vec::new();
                let mut buffer = [0u8; 4096];
                let head_end = loop {
                    if let Some(end) = data.windows(4).position(|w| w == b"\r\n\r\n") {
                        break end + 4;
                    }
                    match stream.read(&mut buffer).await {
                        Ok(0) | Err(_) => return,
                        Ok(n) => data.extend_from_slice(&buffer[..n]),
                    }
                };
                let head = String::from_utf8_lossy(&data[..head_end]).to_ascii_lowercase();
                let length: usize = head
                    .lines()
                    .find_map(|line| line.strip_prefix("content-length:"))
                    .and_then(|v| v.trim().parse().ok())
                    .unwrap_or(0);
                while data.len() < head_end + length {
                    match stream.read(&mut buffer).await {
                        Ok(0) | Err(_) => return,
                        Ok(n) => data.extend_from_slice(&buffer[..n]),
                    }
                }
                let request = String::from_utf8_lossy(&data).into_owned();
                let response = handler(&request);
                seen.lock().unwrap().push(request);
                let _ = stream.write_all(&response).await;
                let _ = stream.shutdown().await;
            });
        }
    });
    (address, requests)
}

fn response(status: &str, extra_headers: &str, body: &[u8]) -> Vec<u8> {
    let mut out = format!(
        "HTTP/1.1 {status}\r\nContent-Length: {}\r\nConnection: close\r\n{extra_headers}\r\n",
        body.len()
    )
    .into_bytes();
    out.extend_from_slice(body);
    out
}

fn refusal(result: Result<Value, ToolError>) -> String {
    match result {
        Err(ToolError::Refused(message)) => message,
        other => panic!("expected a refusal, got {other:?}"),
    }
}

#[test]
fn checks_literal_targets() {
    let url = |text: &str| Url::parse(text).unwrap();
    for refused in [
        "http://127.0.0.1/",
        "http://127.0.0.1:8080/admin",
        "http://[::1]/",
        "http://0.0.0.0/",
        "http://10.1.2.3/",
        "http://169.254.169.254/latest/meta-data/",
        "http://[::ffff:127.0.0.1]/",
        "http://[::ffff:7f00:1]/",
        "http://[fe80::1]/",
        "http://2130706433/",
        "http://0x7f.1/",
        "http://017700000001/",
        "https://192.168.0.1/",
    ] {
        let error = check_target(&url(refused), false).unwrap_err();
        assert!(
            matches!(&error, ToolError::Refused(m) if m.contains("GATHERING_HTTP_ALLOW_PRIVATE=true")),
            "{refused}: {error:?}"
        );
        assert!(check_target(&url(refused), true).is_ok(), "{refused}");
    }
    for fine in [
        "http://example.com/",
        "https://93.184.215.14/",
        "https://[2606:4700:4700::1111]/",
    ] {
        assert!(check_target(&url(fine), false).is_ok(), "{fine}");
    }
    for scheme in ["ftp://example.com/", "file:///etc/passwd", "gopher://x/"] {
        assert!(
            matches!(check_target(&url(scheme), true), Err(ToolError::Refused(m)) if m.contains("only http and https")),
            "{scheme}"
        );
    }
}

#[test]
fn redirect_policy() {
    let url = |text: &str| Url::parse(text).unwrap();
    // The first redirect has the initial URL as its one previous URL.
    assert!(check_redirect(&url("https://example.com/next"), 1, false).is_ok());
    assert!(check_redirect(&url("https://example.com/next"), MAX_REDIRECTS, false).is_ok());
    assert!(matches!(
        check_redirect(&url("https://example.com/next"), MAX_REDIRECTS + 1, true),
        Err(ToolError::Failed(m)) if m.contains("too many redirects")
    ));
    for refused in [
        "http://127.0.0.1/",
        "http://[::1]:8080/",
        "http://169.254.169.254/latest/meta-data/",
        "http://[::ffff:10.0.0.1]/",
    ] {
        assert!(
            matches!(
                check_redirect(&url(refused), 1, false),
                Err(ToolError::Refused(_))
            ),
            "{refused}"
        );
        assert!(check_redirect(&url(refused), 1, true).is_ok(), "{refused}");
    }
    assert!(matches!(
        check_redirect(&url("file:///etc/passwd"), 1, true),
        Err(ToolError::Refused(_))
    ));
}

#[tokio::test]
async fn literal_private_addresses_are_refused_by_default() {
    let tool = tool(false);
    for url in [
        "http://127.0.0.1/",
        "http://[::1]/",
        "http://0.0.0.0/",
        "http://10.0.0.1/",
        "http://169.254.169.254/latest/meta-data/",
        "http://[::ffff:127.0.0.1]/",
    ] {
        let message = refusal(tool.call(&ctx(), json!({ "url": url })).await);
        assert!(
            message.contains("GATHERING_HTTP_ALLOW_PRIVATE=true"),
            "{url}: {message}"
        );
    }
}

#[tokio::test]
async fn host_names_resolving_to_private_addresses_are_refused() {
    let tool = tool(false);
    let message = refusal(
        tool.call(&ctx(), json!({ "url": "http://localhost:9/" }))
            .await,
    );
    assert!(message.contains("localhost resolves to"), "{message}");
    assert!(
        message.contains("GATHERING_HTTP_ALLOW_PRIVATE=true"),
        "{message}"
    );

    let refused = resolve_checked("localhost", false).await.unwrap_err();
    assert!(matches!(refused, ToolError::Refused(_)));
    let allowed = resolve_checked("localhost", true).await.unwrap();
    assert!(allowed.iter().all(|a| a.ip().is_loopback()));

    let resolver = CheckedResolver {
        allow_private: false,
    };
    let name: Name = "localhost".parse().unwrap();
    assert!(resolver.resolve(name).await.is_err());
}

#[tokio::test]
async fn local_server_is_reachable_when_private_addresses_are_allowed() {
    let (address, requests) = serve(Arc::new(|_: &str| {
        response(
            "200 OK",
            "Content-Type: text/plain\r\nX-Other: 1\r\n",
            b"hello",
        )
    }))
    .await;
    let tool = tool(true);
    let result = tool
        .call(
            &ctx(),
            json!({ "url": format!("http://{address}/path?q=1") }),
        )
        .await
        .unwrap();
    assert_eq!(result["status"], 200);
    assert_eq!(result["body"], "hello");
    assert_eq!(result["truncated"], false);
    assert_eq!(result["headers"]["content-type"], "text/plain");
    assert_eq!(result["headers"]["content-length"], "5");
    assert!(result["headers"].get("x-other").is_none());
    let request = requests.lock().unwrap()[0].clone();
    assert!(
        request.starts_with("GET /path?q=1 HTTP/1.1\r\n"),
        "{request}"
    );

    // Also through a host name.
    let result = tool
        .call(
            &ctx(),
            json!({ "url": format!("http://localhost:{}/", address.port()) }),
        )
        .await
        .unwrap();
    assert_eq!(result["body"], "hello");
}

#[tokio::test]
async fn sends_method_headers_and_body() {
    let (address, requests) = serve(Arc::new(|_: &str| {
        response("201 Created", "Location: /items/7\r\n", b"")
    }))
    .await;
    let result = tool(true)
        .call(
            &ctx(),
            json!({
                "url": format!("http://{address}/items"),
                "method": "POST",
                "headers": { "Content-Type": "application/json", "X-Token": "abc" },
                "body": "{\"name\":\"x\"}",
            }),
        )
        .await
        .unwrap();
    assert_eq!(result["status"], 201);
    assert_eq!(result["headers"]["location"], "/items/7");
    assert_eq!(result["body"], "");
    let request = requests.lock().unwrap()[0].to_ascii_lowercase();
    assert!(request.starts_with("post /items http/1.1\r\n"), "{request}");
    assert!(
        request.contains("content-type: application/json\r\n"),
        "{request}"
    );
    assert!(request.contains("x-token: abc\r\n"), "{request}");
    assert!(request.ends_with("\r\n\r\n{\"name\":\"x\"}"), "{request}");
}

#[tokio::test]
async fn head_requests_have_no_body() {
    let (address, _) = serve(Arc::new(|_: &str| {
        b"HTTP/1.1 200 OK\r\nContent-Length: 1000\r\nConnection: close\r\n\r\n".to_vec()
    }))
    .await;
    let result = tool(true)
        .call(
            &ctx(),
            json!({ "url": format!("http://{address}/"), "method": "HEAD" }),
        )
        .await
        .unwrap();
    assert_eq!(result["status"], 200);
    assert_eq!(result["body"], "");
    assert_eq!(result["headers"]["content-length"], "1000");
}

#[tokio::test]
async fn long_bodies_are_truncated() {
    let (address, _) = serve(Arc::new(|_: &str| response("200 OK", "", &[b'a'; 10_000]))).await;
    let tool = HttpTool::new(&ToolSettings {
        http_max_response_bytes: 100,
        ..settings(true)
    })
    .unwrap();
    let result = tool
        .call(&ctx(), json!({ "url": format!("http://{address}/big") }))
        .await
        .unwrap();
    assert_eq!(result["truncated"], true);
    assert_eq!(result["body"], "a".repeat(100));
    assert_eq!(result["headers"]["content-length"], "10000");

    // Exactly the limit is not truncated.
    let (address, _) = serve(Arc::new(|_: &str| response("200 OK", "", &[b'b'; 100]))).await;
    let result = tool
        .call(&ctx(), json!({ "url": format!("http://{address}/") }))
        .await
        .unwrap();
    assert_eq!(result["truncated"], false);
    assert_eq!(result["body"], "b".repeat(100));
}

#[test]
fn truncation_drops_a_cut_character() {
    let bytes = "héllo".as_bytes();
    assert_eq!(text(&bytes[..2], true), "h");
    assert_eq!(text(&bytes[..2], false), "h\u{fffd}");
    assert_eq!(text(b"ok\xff!", false), "ok\u{fffd}!");
    assert_eq!(text(bytes, true), "héllo");
}

#[tokio::test]
async fn follows_redirects_up_to_five() {
    let (address, requests) = serve(Arc::new(|request: &str| {
        let path = request.split(' ').nth(1).unwrap_or("/");
        match path {
            "/start" => response("302 Found", "Location: /final\r\n", b""),
            "/final" => response("200 OK", "", b"done"),
            _ => response("302 Found", "Location: /loop\r\n", b""),
        }
    }))
    .await;
    let tool = tool(true);
    let result = tool
        .call(&ctx(), json!({ "url": format!("http://{address}/start") }))
        .await
        .unwrap();
    assert_eq!(result["status"], 200);
    assert_eq!(result["body"], "done");
    assert_eq!(result["url"], format!("http://{address}/final"));

    requests.lock().unwrap().clear();
    let error = tool
        .call(&ctx(), json!({ "url": format!("http://{address}/loop") }))
        .await
        .unwrap_err();
    assert!(
        matches!(&error, ToolError::Failed(m) if m.contains("too many redirects")),
        "{error:?}"
    );
    // The first request and 5 redirects.
    assert_eq!(requests.lock().unwrap().len(), 1 + MAX_REDIRECTS);
}

#[tokio::test]
async fn redirect_to_a_private_literal_is_refused_by_the_client() {
    // The initial server is private too, so this runs the policy through a client that
    // allows private addresses only for the first request: a redirect to a refused literal
    // must still be refused by the policy installed on the client.
    let (address, _) = serve(Arc::new(|_: &str| {
        response("302 Found", "Location: http://[fe80::1]:9/\r\n", b"")
    }))
    .await;
    let tool = tool(false);
    let client = reqwest::Client::builder()
        .no_proxy()
        .redirect(reqwest::redirect::Policy::custom(
            |attempt| match check_redirect(attempt.url(), attempt.previous().len(), false) {
                Ok(()) => attempt.follow(),
                Err(error) => attempt.error(error),
            },
        ))
        .build()
        .unwrap();
    let error = client
        .get(format!("http://{address}/"))
        .send()
        .await
        .unwrap_err();
    let message = refusal(Err(tool.failure(error)));
    assert!(message.contains("fe80::1"), "{message}");
}

#[tokio::test]
async fn refuses_bad_methods_headers_and_urls() {
    let tool = tool(true);
    for method in ["TRACE", "CONNECT", "OPTIONS", "GET\r\nX: y"] {
        let message = refusal(
            tool.call(
                &ctx(),
                json!({ "url": "http://127.0.0.1:9/", "method": method }),
            )
            .await,
        );
        assert!(message.contains("not allowed"), "{message}");
    }
    for name in [
        "Host",
        "connection",
        "Transfer-Encoding",
        "Content-Length",
        "Proxy-Authorization",
        "proxy-connection",
        "Upgrade",
    ] {
        let message = refusal(
            tool.call(
                &ctx(),
                json!({
                    "url": "http://127.0.0.1:9/",
                    "headers": { name: "s3cr3t-value" },
                }),
            )
            .await,
        );
        assert!(!message.contains("s3cr3t"), "{message}");
        assert!(message.contains(&name.to_ascii_lowercase()), "{message}");
    }
    let error = tool
        .call(
            &ctx(),
            json!({
                "url": "http://127.0.0.1:9/",
                "headers": { "Authorization": "Bearer s3cr3t\r\nX-Injected: 1" },
            }),
        )
        .await
        .unwrap_err();
    assert!(
        matches!(&error, ToolError::InvalidArguments(_)),
        "{error:?}"
    );
    assert!(!error.to_string().contains("s3cr3t"), "{error}");
    assert!(matches!(
        tool.call(
            &ctx(),
            json!({ "url": "http://127.0.0.1:9/", "headers": { "bad name": "x" } })
        )
        .await,
        Err(ToolError::InvalidArguments(_))
    ));
    assert!(matches!(
        tool.call(&ctx(), json!({ "url": "not a url" })).await,
        Err(ToolError::InvalidArguments(_))
    ));
    assert!(matches!(
        tool.call(&ctx(), json!({ "url": "ftp://example.com/" }))
            .await,
        Err(ToolError::Refused(_))
    ));
    assert!(matches!(
        tool.call(
            &ctx(),
            json!({ "url": format!("http://example.com/{}", "a".repeat(2048)) })
        )
        .await,
        Err(ToolError::InvalidArguments(_))
    ));
    assert!(matches!(
        tool.call(
            &ctx(),
            json!({ "url": "http://127.0.0.1:9/", "body": "x".repeat(65_537) })
        )
        .await,
        Err(ToolError::InvalidArguments(_))
    ));
    assert!(matches!(
        tool.call(&ctx(), json!({ "method": "GET" })).await,
        Err(ToolError::InvalidArguments(_))
    ));
    assert!(matches!(
        tool.call(&ctx(), json!([1, 2])).await,
        Err(ToolError::InvalidArguments(_))
    ));
}

#[tokio::test]
async fn failures_never_show_request_headers() {
    // A port nothing listens on.
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    drop(listener);
    let error = tool(true)
        .call(
            &ctx(),
            json!({
                "url": format!("http://{address}/"),
                "headers": { "Authorization": "Bearer s3cr3t" },
            }),
        )
        .await
        .unwrap_err();
    assert!(matches!(&error, ToolError::Failed(_)), "{error:?}");
    assert!(!error.to_string().contains("s3cr3t"), "{error}");
}

#[tokio::test]
async fn slow_servers_time_out() {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    tokio::spawn(async move {
        let mut held = Vec::new();
        while let Ok((stream, _)) = listener.accept().await {
            held.push(stream);
        }
    });
    let tool = HttpTool::new(&ToolSettings {
        http_timeout: Duration::from_millis(300),
        ..settings(true)
    })
    .unwrap();
    let error = tool
        .call(&ctx(), json!({ "url": format!("http://{address}/") }))
        .await
        .unwrap_err();
    assert!(
        matches!(&error, ToolError::Failed(m) if m.contains("timed out")),
        "{error:?}"
    );
}

#[test]
fn definition() {
    let tool = tool(false);
    let definition = tool.definition();
    assert_eq!(definition.name, "http_request");
    assert_eq!(definition.risk, Risk::SideEffects);
    assert_eq!(definition.timeout, Duration::from_secs(10));
    assert_eq!(definition.source, "builtin");
    assert_eq!(
        definition.parameters["properties"]["method"]["enum"],
        json!(["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE"])
    );
    assert_eq!(definition.parameters["required"], json!(["url"]));
}
