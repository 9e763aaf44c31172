//! The OpenAI-compatible client against a local stand-in server: streaming, tool calls,
//! retries, timeouts, cancellation, the request it sends and the embeddings it reads.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::Router;
use axum::http::{HeaderMap, StatusCode};
use axum::response::IntoResponse;
use axum::routing::post;
use futures_util::StreamExt;

use eventsource_stream::Event;
use secrecy::SecretString;
use serde_json::{Value, json};

use super::stream::ChatDecoder;
use super::*;
use crate::llm::retry::SseDecoder;
use crate::llm::retry::testing::{Captured, channel_body, options, sse};
use crate::llm::{ChatRequest, Delta, FinishReason, Message, Role, Usage};
use crate::llm::{Completion, ToolCall, ToolSpec};

fn client(base: &str, options: ClientOptions) -> OpenAiClient {
    OpenAiClient::new(base, Some(SecretString::from("sk-test-key")), options).unwrap()
}

fn request() -> ChatRequest {
    ChatRequest {
        model: "gpt-test".into(),
        messages: vec![Message::user("hi")],
        ..ChatRequest::default()
    }
}

/// An OpenAI stream: one `data:` event per chunk, then `[DONE]`.
fn stream_body(chunks: &[Value]) -> String {
    let mut body: String = chunks.iter().map(|c| format!("data: {c}\n\n")).collect();
    body.push_str("data: [DONE]\n\n");
    body
}

fn delta(delta: Value) -> Value {
    json!({"id": "c1", "object": "chat.completion.chunk", "created": 1, "model": "gpt-test",
           "choices": [{"index": 0, "delta": delta, "finish_reason": null}], "usage": null})
}

fn finish(reason: &str) -> Value {
    json!({"id": "c1", "object": "chat.completion.chunk", "created": 1, "model": "gpt-test",
           "choices": [{"index": 0, "delta": {}, "finish_reason": reason}], "usage": null})
}

fn usage(prompt: u32, completion: u32) -> Value {
    json!({"id": "c1", "object": "chat.completion.chunk", "created": 1, "model": "gpt-test",
           "choices": [], "usage": {"prompt_tokens": prompt, "completion_tokens": completion,
                                    "total_tokens": prompt + completion}})
}

fn hello() -> String {
    stream_body(&[
        delta(json!({"role": "assistant", "content": ""})),
        delta(json!({"content": "Hel"})),
        delta(json!({"content": "lo"})),
        finish("stop"),
        usage(5, 2),
    ])
}

/// A server that answers every chat request with the same stream.
fn answering(body: String) -> Router {
    Router::new().route(
        "/v1/chat/completions",
        post(move || {
            let body = body.clone();
            async move { sse(body) }
        }),
    )
}

/// Serves `router`; returns its base URL for this client.
async fn serve(router: Router) -> String {
    format!("{}/v1", retry::testing::serve(router).await)
}

async fn all(stream: DeltaStream) -> Vec<Result<Delta, LlmError>> {
    stream.collect().await
}

#[tokio::test]
async fn streams_text_then_usage_then_finish() {
    let base = serve(answering(hello())).await;
    let stream = client(&base, options()).chat(request()).await.unwrap();
    assert_eq!(
        all(stream).await,
        vec![
            Ok(Delta::Text("Hel".into())),
            Ok(Delta::Text("lo".into())),
            Ok(Delta::Usage(Usage {
                prompt_tokens: 5,
                completion_tokens: 2
            })),
            Ok(Delta::Finish(FinishReason::Stop)),
        ]
    );
}

#[tokio::test]
async fn joins_two_parallel_tool_calls_split_over_chunks() {
    let call = |index: usize, id: Option<&str>, name: Option<&str>, args: &str| {
        let mut function = json!({"arguments": args});
        if let Some(name) = name {
            function["name"] = name.into();
        }
        let mut call = json!({"index": index, "function": function});
        if let Some(id) = id {
            call["id"] = id.into();
            call["type"] = "function".into();
        }
        delta(json!({"tool_calls": [call]}))
    };
    let body = stream_body(&[
        delta(json!({"role": "assistant", "content": null})),
        call(0, Some("call_a"), Some("get_weather"), ""),
        call(0, None, None, "{\"city\":"),
        call(1, Some("call_b"), Some("get_time"), ""),
        call(0, None, None, "\"Paris\"}"),
        call(1, None, None, "{\"tz\":"),
        call(1, None, None, "\"CET\"}"),
        finish("tool_calls"),
        usage(20, 30),
    ]);
    let base = serve(answering(body)).await;
    let stream = client(&base, options()).chat(request()).await.unwrap();
    let completion = Completion::collect(stream).await.unwrap();
    assert_eq!(
        completion.tool_calls,
        vec![
            ToolCall {
                id: "call_a".into(),
                name: "get_weather".into(),
                arguments: "{\"city\":\"Paris\"}".into()
            },
            ToolCall {
                id: "call_b".into(),
                name: "get_time".into(),
                arguments: "{\"tz\":\"CET\"}".into()
            },
        ]
    );
    assert_eq!(completion.text, "");
    assert_eq!(completion.finish_reason, Some(FinishReason::ToolCalls));
    assert_eq!(
        completion.usage,
        Usage {
            prompt_tokens: 20,
            completion_tokens: 30
        }
    );
}

#[tokio::test]
async fn unauthorized_is_not_retried_and_surfaces_the_provider_message() {
    let hits = Arc::new(AtomicUsize::new(0));
    let router = Router::new().route(
        "/v1/chat/completions",
        post({
            let hits = hits.clone();
            move || async move {
                hits.fetch_add(1, Ordering::SeqCst);
                let body = json!({"error": {"message": "Incorrect API key provided.",
                                            "type": "invalid_request_error",
                                            "code": "invalid_api_key"}});
                (StatusCode::UNAUTHORIZED, axum::Json(body))
            }
        }),
    );
    let base = serve(router).await;
    let error = client(&base, options())
        .chat(request())
        .await
        .err()
        .unwrap();
    assert_eq!(
        error,
        LlmError::Upstream {
            status: 401,
            message: "Incorrect API key provided.".into()
        }
    );
    assert!(!error.to_string().contains("sk-test-key"));
    assert_eq!(hits.load(Ordering::SeqCst), 1);
}

#[tokio::test]
async fn rate_limit_waits_for_retry_after_then_succeeds() {
    let hits = Arc::new(AtomicUsize::new(0));
    let router = Router::new().route(
        "/v1/chat/completions",
        post({
            let hits = hits.clone();
            move || async move {
                if hits.fetch_add(1, Ordering::SeqCst) == 0 {
                    let body = json!({"error": {"message": "Rate limit reached"}});
                    return (
                        StatusCode::TOO_MANY_REQUESTS,
                        [("retry-after", "1")],
                        axum::Json(body),
                    )
                        .into_response();
                }
                sse(hello())
            }
        }),
    );
    let base = serve(router).await;
    let options = ClientOptions {
        max_delay: Duration::from_secs(5),
        ..options()
    };
    let started = Instant::now();
    let stream = client(&base, options).chat(request()).await.unwrap();
    let completion = Completion::collect(stream).await.unwrap();
    assert_eq!(completion.text, "Hello");
    assert_eq!(hits.load(Ordering::SeqCst), 2);
    // The backoff alone would have waited milliseconds.
    assert!(
        started.elapsed() >= Duration::from_millis(950),
        "{:?}",
        started.elapsed()
    );
}

#[tokio::test]
async fn rate_limit_that_persists_becomes_rate_limited() {
    let hits = Arc::new(AtomicUsize::new(0));
    let router = Router::new().route(
        "/v1/chat/completions",
        post({
            let hits = hits.clone();
            move || async move {
                hits.fetch_add(1, Ordering::SeqCst);
                (
                    StatusCode::TOO_MANY_REQUESTS,
                    [("retry-after", "30")],
                    "slow down",
                )
            }
        }),
    );
    let base = serve(router).await;
    let options = ClientOptions {
        max_retries: 1,
        ..options()
    };
    let error = client(&base, options).chat(request()).await.err().unwrap();
    // Retried after max_delay (20 ms), not after the 30 s asked for.
    assert_eq!(
        error,
        LlmError::RateLimited {
            retry_after: Some(Duration::from_secs(30))
        }
    );
    assert_eq!(hits.load(Ordering::SeqCst), 2);
}

#[tokio::test]
async fn server_errors_are_retried_until_success() {
    let hits = Arc::new(AtomicUsize::new(0));
    let router = Router::new().route(
        "/v1/chat/completions",
        post({
            let hits = hits.clone();
            move || async move {
                if hits.fetch_add(1, Ordering::SeqCst) < 2 {
                    return (StatusCode::INTERNAL_SERVER_ERROR, "boom").into_response();
                }
                sse(hello())
            }
        }),
    );
    let base = serve(router).await;
    let stream = client(&base, options()).chat(request()).await.unwrap();
    assert_eq!(Completion::collect(stream).await.unwrap().text, "Hello");
    assert_eq!(hits.load(Ordering::SeqCst), 3);
}

#[tokio::test]
async fn server_errors_past_the_last_retry_are_returned() {
    let hits = Arc::new(AtomicUsize::new(0));
    let router = Router::new().route(
        "/v1/chat/completions",
        post({
            let hits = hits.clone();
            move || async move {
                hits.fetch_add(1, Ordering::SeqCst);
                let body = json!({"error": {"message": "The server is overloaded"}});
                (StatusCode::SERVICE_UNAVAILABLE, axum::Json(body))
            }
        }),
    );
    let base = serve(router).await;
    let options = ClientOptions {
        max_retries: 2,
        ..options()
    };
    let error = client(&base, options).chat(request()).await.err().unwrap();
    assert_eq!(
        error,
        LlmError::Upstream {
            status: 503,
            message: "The server is overloaded".into()
        }
    );
    assert!(error.is_provider_failure());
    assert_eq!(hits.load(Ordering::SeqCst), 3);
}

#[tokio::test]
async fn a_server_that_never_answers_times_out() {
    let hits = Arc::new(AtomicUsize::new(0));
    let router = Router::new().route(
        "/v1/chat/completions",
        post({
            let hits = hits.clone();
            move || async move {
                hits.fetch_add(1, Ordering::SeqCst);
                std::future::pending::<()>().await;
            }
        }),
    );
    let base = serve(router).await;
    let options = ClientOptions {
        timeout: Duration::from_millis(200),
        max_retries: 1,
        ..options()
    };
    let error = client(&base, options).chat(request()).await.err().unwrap();
    assert_eq!(error, LlmError::Timeout(Duration::from_millis(200)));
    assert_eq!(hits.load(Ordering::SeqCst), 2);
}

#[tokio::test]
async fn a_closed_port_is_unavailable() {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    drop(listener);
    let options = ClientOptions {
        max_retries: 1,
        ..options()
    };
    let error = client(&format!("http://127.0.0.1:{port}/v1"), options)
        .chat(request())
        .await
        .err()
        .unwrap();
    assert!(
        matches!(&error, LlmError::Unavailable(m) if m.contains("connection")),
        "{error:?}"
    );
    assert!(!error.to_string().contains("127.0.0.1"), "{error}");
}

#[tokio::test]
async fn dropping_the_stream_closes_the_connection() {
    let (client_gone_tx, client_gone) = tokio::sync::oneshot::channel::<()>();
    let dropped = Arc::new(tokio::sync::Notify::new());
    let client_gone_tx = Arc::new(Mutex::new(Some(client_gone_tx)));
    let router = Router::new().route(
        "/v1/chat/completions",
        post({
            let dropped = dropped.clone();
            move || async move {
                let (tx, body) = channel_body();
                tokio::spawn(async move {
                    let first = format!("data: {}\n\n", delta(json!({"content": "Hel"})));
                    tx.send(first.into()).await.unwrap();
                    dropped.notified().await;
                    // Keeps writing until the server finds the connection closed and drops
                    // the body.
                    while tx.send(": keep-alive\n\n".into()).await.is_ok() {}
                    if let Some(gone) = client_gone_tx.lock().unwrap().take() {
                        let _ = gone.send(());
                    }
                });
                ([("content-type", "text/event-stream")], body).into_response()
            }
        }),
    );
    let base = serve(router).await;
    let mut stream = client(&base, options()).chat(request()).await.unwrap();
    assert_eq!(stream.next().await, Some(Ok(Delta::Text("Hel".into()))));
    drop(stream);
    dropped.notify_one();
    tokio::time::timeout(Duration::from_secs(20), client_gone)
        .await
        .expect("the server never saw the client go away")
        .unwrap();
}

#[tokio::test]
async fn an_error_inside_the_stream_is_an_error() {
    let body = format!(
        "data: {}\n\ndata: {}\n\n",
        delta(json!({"content": "Hel"})),
        json!({"error": {"message": "model crashed", "type": "server_error"}})
    );
    let base = serve(answering(body)).await;
    let stream = client(&base, options()).chat(request()).await.unwrap();
    assert_eq!(
        all(stream).await,
        vec![
            Ok(Delta::Text("Hel".into())),
            Err(LlmError::Unavailable("model crashed".into()))
        ]
    );
}

#[tokio::test]
async fn a_stream_cut_before_the_end_is_an_error() {
    let body = format!("data: {}\n\n", delta(json!({"content": "Hel"})));
    let base = serve(answering(body)).await;
    let stream = client(&base, options()).chat(request()).await.unwrap();
    let deltas = all(stream).await;
    assert_eq!(deltas.len(), 2);
    assert!(
        matches!(deltas[1], Err(LlmError::Unavailable(_))),
        "{deltas:?}"
    );
}

#[tokio::test]
async fn sends_the_documented_request_body_and_key() {
    let captured = Captured::default();
    let router = Router::new().route(
        "/v1/chat/completions",
        post({
            let captured = captured.clone();
            move |headers: HeaderMap, axum::Json(body): axum::Json<Value>| async move {
                captured.set(headers, body);
                sse(hello())
            }
        }),
    );
    // A trailing slash on the base URL is fine.
    let base = format!("{}/", serve(router).await);
    let mut assistant = Message::assistant("");
    assistant.tool_calls = vec![ToolCall {
        id: "call_1".into(),
        name: "get_weather".into(),
        arguments: "{\"city\":\"Paris\"}".into(),
    }];
    let mut tool = Message::new(Role::Tool, "sunny");
    tool.tool_call_id = Some("call_1".into());
    let request = ChatRequest {
        model: "gpt-test".into(),
        messages: vec![
            Message::system("Be brief."),
            Message::user("Weather in Paris?"),
            assistant,
            tool,
        ],
        tools: vec![ToolSpec {
            name: "get_weather".into(),
            description: "The weather in a city".into(),
            parameters: json!({"type": "object", "properties": {"city": {"type": "string"}}}),
        }],
        sampling: crate::llm::Sampling {
            temperature: Some(0.7),
            top_p: Some(0.9),
            seed: Some(7),
            max_tokens: Some(64),
        },
        stop: vec!["END".into()],
    };
    let stream = client(&base, options()).chat(request).await.unwrap();
    Completion::collect(stream).await.unwrap();
    let (headers, body) = captured.get();
    assert_eq!(headers["authorization"], "Bearer sk-test-key");
    assert_eq!(headers["content-type"], "application/json");
    assert_eq!(
        body,
        json!({
            "model": "gpt-test",
            "messages": [
                {"role": "system", "content": "Be brief."},
                {"role": "user", "content": "Weather in Paris?"},
                {"role": "assistant", "content": null, "tool_calls": [
                    {"id": "call_1", "type": "function",
                     "function": {"name": "get_weather", "arguments": "{\"city\":\"Paris\"}"}}
                ]},
                {"role": "tool", "content": "sunny", "tool_call_id": "call_1"},
            ],
            "tools": [{"type": "function", "function": {
                "name": "get_weather",
                "description": "The weather in a city",
                "parameters": {"type": "object", "properties": {"city": {"type": "string"}}},
            }}],
            "temperature": 0.7,
            "top_p": 0.9,
            "seed": 7,
            "max_tokens": 64,
            "stop": ["END"],
            "stream": true,
            "stream_options": {"include_usage": true},
        })
    );
}

#[tokio::test]
async fn embeddings_come_back_in_input_order() {
    let captured = Captured::default();
    let router = Router::new().route(
        "/v1/embeddings",
        post({
            let captured = captured.clone();
            move |headers: HeaderMap, axum::Json(body): axum::Json<Value>| async move {
                captured.set(headers, body);
                axum::Json(json!({
                    "object": "list",
                    "data": [
                        {"object": "embedding", "index": 2, "embedding": [2.0, 2.5]},
                        {"object": "embedding", "index": 0, "embedding": [0.0, 0.5]},
                        {"object": "embedding", "index": 1, "embedding": [1.0, 1.5]},
                    ],
                    "model": "embed-test",
                    "usage": {"prompt_tokens": 9, "total_tokens": 9},
                }))
            }
        }),
    );
    let base = serve(router).await;
    // Like Ollama: no key.
    let embedder = OpenAiClient::new(&base, None, options())
        .unwrap()
        .with_dimension(2);
    assert_eq!(embedder.dimension(), 2);
    let texts = vec!["a".to_owned(), "b".to_owned(), "c".to_owned()];
    let embeddings = embedder.embed("embed-test", texts).await.unwrap();
    assert_eq!(
        embeddings.vectors,
        vec![vec![0.0, 0.5], vec![1.0, 1.5], vec![2.0, 2.5]]
    );
    assert_eq!(embeddings.prompt_tokens, 9);
    let (headers, body) = captured.get();
    assert!(!headers.contains_key("authorization"));
    assert_eq!(
        body,
        json!({"model": "embed-test", "input": ["a", "b", "c"]})
    );

    let wrong = OpenAiClient::new(&base, None, options())
        .unwrap()
        .with_dimension(3);
    let error = wrong
        .embed("embed-test", vec!["a".into(), "b".into(), "c".into()])
        .await;
    assert!(matches!(error, Err(LlmError::BadRequest(_))), "{error:?}");
}

#[test]
fn urls_join_with_or_without_a_trailing_slash() {
    for base in ["http://127.0.0.1:11434/v1", "http://127.0.0.1:11434/v1/"] {
        let client = OpenAiClient::new(base, None, ClientOptions::default()).unwrap();
        assert_eq!(
            client.chat_url,
            "http://127.0.0.1:11434/v1/chat/completions"
        );
        assert_eq!(
            client.embeddings_url,
            "http://127.0.0.1:11434/v1/embeddings"
        );
    }
    let default = OpenAiClient::new("", None, ClientOptions::default()).unwrap();
    assert_eq!(
        default.chat_url,
        "https://api.openai.com/v1/chat/completions"
    );
    let bad = OpenAiClient::new("ftp://example.com", None, ClientOptions::default());
    assert!(matches!(bad, Err(LlmError::BadRequest(_))));
}

#[test]
fn finish_reasons_map_to_the_three_kinds() {
    for (reason, expected) in [
        ("stop", FinishReason::Stop),
        ("length", FinishReason::Length),
        ("tool_calls", FinishReason::ToolCalls),
        ("function_call", FinishReason::ToolCalls),
        ("content_filter", FinishReason::Stop),
    ] {
        let mut decoder = ChatDecoder::default();
        let mut out = Vec::new();
        let event = Event {
            data: finish(reason).to_string(),
            ..Event::default()
        };
        assert_eq!(decoder.event(&event, &mut out), Ok(false));
        let done = Event {
            data: "[DONE]".into(),
            ..Event::default()
        };
        assert_eq!(decoder.event(&done, &mut out), Ok(true));
        assert_eq!(out, vec![Delta::Finish(expected)], "{reason}");
    }
}
