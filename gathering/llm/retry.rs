//! The HTTP plumbing the remote providers share: a request sent with retries (exponential
//! backoff with jitter, `Retry-After` honoured), provider error bodies turned into [`LlmError`]s,
//! and a server-sent-events response turned into a [`DeltaStream`].
//!
//! Nothing here logs or returns a request's body or headers, so neither an API key nor a prompt
//! can leak through an error.

use std::collections::VecDeque;
use std::pin::Pin;
use std::time::Duration;

use backon::{ExponentialBuilder, Retryable};
use eventsource_stream::{Event, EventStreamError, Eventsource};
use futures_util::{Stream, StreamExt};
use reqwest::header::HeaderMap;
use reqwest::{RequestBuilder, Response, StatusCode};
use serde::de::DeserializeOwned;
use serde_json::Value;

use super::{Delta, DeltaStream, LlmError};

/// The longest provider message kept in an error.
const MAX_MESSAGE: usize = 500;

/// How a remote provider is called.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClientOptions {
    /// How long one attempt may take until the response headers arrive; also the longest wait
    /// for the next event of a stream, or for a whole non-streamed body.
    pub timeout: Duration,
    /// Attempts after the first one, on connection errors, timeouts, 429 and 5xx.
    pub max_retries: usize,
    /// The first backoff delay; it doubles on each retry, with jitter.
    pub base_delay: Duration,
    /// The longest delay between attempts, `Retry-After` included.
    pub max_delay: Duration,
}

impl Default for ClientOptions {
    fn default() -> Self {
        Self {
            timeout: Duration::from_secs(120),
            max_retries: 3,
            base_delay: Duration::from_millis(500),
            max_delay: Duration::from_secs(20),
        }
    }
}

/// An HTTP client for a provider.
pub(crate) fn http_client(options: &ClientOptions) -> Result<reqwest::Client, LlmError> {
    reqwest::Client::builder()
        .connect_timeout(options.timeout)
        .user_agent(concat!("gathering/", env!("CARGO_PKG_VERSION")))
        .build()
        .map_err(|e| LlmError::Unavailable(format!("cannot build an HTTP client: {}", chain(&e))))
}

/// `base` (an `http(s)` URL) followed by `path`, with exactly one slash between them.
pub(crate) fn join_url(base: &str, path: &str) -> Result<String, LlmError> {
    let parsed = reqwest::Url::parse(base)
        .map_err(|e| LlmError::BadRequest(format!("invalid provider URL {base:?}: {e}")))?;
    if !matches!(parsed.scheme(), "http" | "https") {
        return Err(LlmError::BadRequest(format!(
            "invalid provider URL {base:?}: the scheme must be http or https"
        )));
    }
    Ok(format!(
        "{}/{}",
        base.trim_end_matches('/'),
        path.trim_start_matches('/')
    ))
}

/// Why one attempt failed.
#[derive(Debug)]
enum Failure {
    /// The provider answered with an error status.
    Status {
        status: u16,
        message: String,
        retry_after: Option<Duration>,
    },
    /// No answer: connection refused or reset, DNS...
    Transport(String),
    /// No response headers within the timeout.
    Timeout,
    /// The request could not even be built; retrying will not help.
    Fatal(LlmError),
}

impl Failure {
    fn retryable(&self) -> bool {
        match self {
            Failure::Status { status, .. } => *status == 429 || *status >= 500,
            Failure::Transport(_) | Failure::Timeout => true,
            Failure::Fatal(_) => false,
        }
    }

    fn into_error(self, timeout: Duration) -> LlmError {
        match self {
            Failure::Status {
                status: 429,
                retry_after,
                ..
            } => LlmError::RateLimited { retry_after },
            Failure::Status {
                status, message, ..
            } => LlmError::Upstream { status, message },
            Failure::Transport(message) => LlmError::Unavailable(message),
            Failure::Timeout => LlmError::Timeout(timeout),
            Failure::Fatal(error) => error,
        }
    }
}

/// Sends the request `build` makes, retrying connection errors, timeouts, 429 and 5xx with
/// exponential backoff (jittered, capped at `max_delay`) or the delay the provider asked for in
/// `Retry-After`. Returns the first successful response; other statuses become
/// [`LlmError::Upstream`] with the provider's own message, at once for a 4xx other than 429 and
/// after the last retry otherwise (429 then becomes [`LlmError::RateLimited`]).
pub async fn send_with_retry(
    options: &ClientOptions,
    build: impl Fn() -> RequestBuilder,
) -> Result<Response, LlmError> {
    let backoff = ExponentialBuilder::new()
        .with_min_delay(options.base_delay)
        .with_max_delay(options.max_delay)
        .with_max_times(options.max_retries)
        .with_jitter();
    let max_delay = options.max_delay;
    (|| attempt(options, &build))
        .retry(backoff)
        .when(Failure::retryable)
        .adjust(|failure, delay| {
            let asked = match failure {
                Failure::Status { retry_after, .. } => *retry_after,
                _ => None,
            };
            delay.map(|delay| asked.unwrap_or(delay).min(max_delay))
        })
        .notify(|failure, delay| {
            let delay_ms = u64::try_from(delay.as_millis()).unwrap_or(u64::MAX);
            match failure {
                Failure::Status { status, .. } => {
                    tracing::warn!(
                        status,
                        delay_ms,
                        "the model provider answered an error; retrying"
                    );
                }
                Failure::Transport(_) => {
                    tracing::warn!(delay_ms, "could not reach the model provider; retrying");
                }
                Failure::Timeout => {
                    tracing::warn!(
                        delay_ms,
                        "the model provider did not answer in time; retrying"
                    );
                }
                Failure::Fatal(_) => {}
            }
        })
        .await
        .map_err(|failure| failure.into_error(options.timeout))
}

/// One attempt: the response if its status is a success.
async fn attempt(
    options: &ClientOptions,
    build: &impl Fn() -> RequestBuilder,
) -> Result<Response, Failure> {
    let exchange = async {
        let response = build().send().await.map_err(|e| {
            if e.is_builder() {
                Failure::Fatal(LlmError::BadRequest(chain(&e)))
            } else {
                Failure::Transport(chain(&e))
            }
        })?;
        let status = response.status();
        if status.is_success() {
            return Ok(response);
        }
        let retry_after = retry_after(response.headers());
        let body = response.bytes().await.unwrap_or_default();
        Err(Failure::Status {
            status: status.as_u16(),
            message: error_message(status, &body),
            retry_after,
        })
    };
    tokio::time::timeout(options.timeout, exchange)
        .await
        .unwrap_or(Err(Failure::Timeout))
}

/// The delay a provider asked for: `retry-after-ms` (OpenAI) or `Retry-After` in seconds.
fn retry_after(headers: &HeaderMap) -> Option<Duration> {
    let number = |name: &str| headers.get(name)?.to_str().ok()?.trim().parse::<f64>().ok();
    let delay = number("retry-after-ms")
        .map(|ms| ms / 1000.0)
        .or_else(|| number("retry-after"))?;
    Duration::try_from_secs_f64(delay).ok()
}

/// The message of a provider's error body: `{"error":{"message":...}}` (OpenAI, Anthropic, vLLM),
/// `{"error":"..."}` (Ollama), `{"message":...}` or `{"detail":...}`; else the body's text, or
/// the status's reason when the body is empty.
pub(crate) fn error_message(status: StatusCode, body: &[u8]) -> String {
    let from_json = serde_json::from_slice::<Value>(body).ok().and_then(|v| {
        [
            v.pointer("/error/message"),
            v.get("error"),
            v.get("message"),
            v.get("detail"),
        ]
        .into_iter()
        .flatten()
        .find_map(|m| m.as_str().map(str::to_owned))
    });
    let message = from_json.unwrap_or_else(|| String::from_utf8_lossy(body).trim().to_owned());
    if message.is_empty() {
        status.canonical_reason().unwrap_or("no message").to_owned()
    } else {
        truncate(message)
    }
}

/// An error a provider reported inside a successful stream (`{"message", "type", "code"}`).
pub(crate) fn stream_error(error: &Value) -> LlmError {
    let message = match error {
        Value::String(s) => s.clone(),
        _ => error
            .get("message")
            .and_then(Value::as_str)
            .unwrap_or("the provider reported an error")
            .to_owned(),
    };
    let message = truncate(message);
    let kind = error
        .get("type")
        .and_then(Value::as_str)
        .unwrap_or_default();
    let code = error.get("code");
    let code_text = code.and_then(Value::as_str).unwrap_or_default();
    let status = code
        .and_then(|c| c.as_u64().or_else(|| c.as_str()?.parse().ok()))
        .and_then(|c| u16::try_from(c).ok());
    let rate_limited = [kind, code_text].iter().any(|k| {
        matches!(
            *k,
            "rate_limit_error" | "rate_limit_exceeded" | "requests" | "tokens"
        )
    });
    match (status, kind) {
        (Some(429), _) => LlmError::RateLimited { retry_after: None },
        _ if rate_limited => LlmError::RateLimited { retry_after: None },
        (Some(status @ 400..=599), _) => LlmError::Upstream { status, message },
        (_, "invalid_request_error") => LlmError::BadRequest(message),
        _ => LlmError::Unavailable(message),
    }
}

/// Reads a whole JSON body, within `timeout`.
pub(crate) async fn read_json<T: DeserializeOwned>(
    response: Response,
    timeout: Duration,
) -> Result<T, LlmError> {
    let body = tokio::time::timeout(timeout, response.bytes())
        .await
        .map_err(|_| LlmError::Timeout(timeout))?
        .map_err(|e| LlmError::Unavailable(format!("reading the answer failed: {}", chain(&e))))?;
    serde_json::from_slice(&body)
        .map_err(|e| LlmError::Unavailable(format!("the provider sent a malformed answer: {e}")))
}

/// Turns one provider's server-sent events into deltas.
pub(crate) trait SseDecoder: Send + 'static {
    /// Appends the deltas of one event to `out`; `Ok(true)` when the answer is complete.
    fn event(&mut self, event: &Event, out: &mut Vec<Delta>) -> Result<bool, LlmError>;
    /// The connection ended before `event` said the answer was complete.
    fn end(&mut self, out: &mut Vec<Delta>) -> Result<(), LlmError>;
}

type Events = Pin<Box<dyn Stream<Item = Result<Event, EventStreamError<reqwest::Error>>> + Send>>;

struct SseState<D> {
    events: Option<Events>,
    decoder: D,
    queue: VecDeque<Result<Delta, LlmError>>,
    idle: Duration,
}

/// The deltas `decoder` reads from a server-sent-events response. An event must arrive within
/// `idle` of the previous one. The stream ends after the decoder's last delta or the first
/// error; dropping it closes the connection.
pub(crate) fn sse_stream<D: SseDecoder>(
    response: Response,
    idle: Duration,
    decoder: D,
) -> DeltaStream {
    let events: Events = Box::pin(response.bytes_stream().eventsource());
    let state = SseState {
        events: Some(events),
        decoder,
        queue: VecDeque::new(),
        idle,
    };
    Box::pin(futures_util::stream::unfold(
        state,
        |mut state| async move {
            loop {
                if let Some(item) = state.queue.pop_front() {
                    return Some((item, state));
                }
                let events = state.events.as_mut()?;
                let mut out = Vec::new();
                let outcome = match tokio::time::timeout(state.idle, events.next()).await {
                    Ok(Some(Ok(event))) => state.decoder.event(&event, &mut out),
                    Ok(Some(Err(error))) => Err(stream_broke(error)),
                    Ok(None) => state.decoder.end(&mut out).map(|()| true),
                    Err(_) => Err(LlmError::Timeout(state.idle)),
                };
                state.queue.extend(out.into_iter().map(Ok));
                match outcome {
                    Ok(false) => {}
                    Ok(true) => state.events = None,
                    Err(error) => {
                        state.queue.push_back(Err(error));
                        state.events = None;
                    }
                }
            }
        },
    ))
}

fn stream_broke(error: EventStreamError<reqwest::Error>) -> LlmError {
    match error {
        EventStreamError::Transport(e) => {
            LlmError::Unavailable(format!("the answer stream broke: {}", chain(&e)))
        }
        other => LlmError::Unavailable(format!("the provider sent a malformed stream: {other}")),
    }
}

/// An error and its sources on one line. reqwest's own message names the URL, so only its kind
/// is kept.
fn chain(error: &reqwest::Error) -> String {
    let mut text = error_kind(error).to_owned();
    let mut source = std::error::Error::source(error);
    while let Some(e) = source {
        text.push_str(": ");
        text.push_str(&e.to_string());
        source = e.source();
    }
    text
}

fn error_kind(error: &reqwest::Error) -> &'static str {
    if error.is_builder() {
        "invalid request"
    } else if error.is_connect() {
        "connection failed"
    } else if error.is_timeout() {
        "timed out"
    } else if error.is_body() || error.is_decode() {
        "reading the body failed"
    } else {
        "the request failed"
    }
}

fn truncate(mut message: String) -> String {
    if message.len() > MAX_MESSAGE {
        let mut end = MAX_MESSAGE;
        while !message.is_char_boundary(end) {
            end -= 1;
        }
        message.truncate(end);
        message.push('…');
    }
    message
}

/// An `f32` as the JSON number it was written as (0.7, not 0.699999988079071).
pub(crate) fn json_f32(x: f32) -> Value {
    x.to_string()
        .parse::<f64>()
        .map_or(Value::Null, Value::from)
}

/// Local servers for the providers' tests.
#[cfg(test)]
pub(crate) mod testing {
    use std::convert::Infallible;
    use std::sync::{Arc, Mutex};

    use axum::Router;
    use axum::body::{Body, Bytes};
    use axum::http::HeaderMap;
    use axum::response::{IntoResponse, Response};
    use serde_json::Value;
    use tokio::sync::mpsc;

    /// Client options for tests: quick retries, a generous timeout.
    pub(crate) fn options() -> super::ClientOptions {
        super::ClientOptions {
            timeout: std::time::Duration::from_secs(10),
            max_retries: 3,
            base_delay: std::time::Duration::from_millis(1),
            max_delay: std::time::Duration::from_millis(20),
        }
    }

    /// Serves `router` on a free local port; returns `http://127.0.0.1:{port}`.
    pub(crate) async fn serve(router: Router) -> String {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        tokio::spawn(async move { axum::serve(listener, router).await });
        format!("http://{addr}")
    }

    /// A server-sent-events answer.
    pub(crate) fn sse(body: impl Into<String>) -> Response {
        ([("content-type", "text/event-stream")], body.into()).into_response()
    }

    /// A body written through the sender; sending fails once the server dropped the body.
    pub(crate) fn channel_body() -> (mpsc::Sender<Bytes>, Body) {
        let (tx, rx) = mpsc::channel::<Bytes>(1);
        let chunks = futures_util::stream::unfold(rx, |mut rx| async move {
            let chunk = rx.recv().await?;
            Some((Ok::<_, Infallible>(chunk), rx))
        });
        (tx, Body::from_stream(chunks))
    }

    /// The headers and JSON body of the last request a test server received.
    #[derive(Clone, Default)]
    pub(crate) struct Captured(Arc<Mutex<Option<(HeaderMap, Value)>>>);

    impl Captured {
        pub(crate) fn set(&self, headers: HeaderMap, body: Value) {
            *self.0.lock().unwrap() = Some((headers, body));
        }

        pub(crate) fn get(&self) -> (HeaderMap, Value) {
            self.0
                .lock()
                .unwrap()
                .clone()
                .expect("the server received no request")
        }
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;
    use std::sync::atomic::{AtomicUsize, Ordering};

    use axum::Router;
    use axum::http::StatusCode as Status;
    use axum::routing::post;
    use serde_json::json;

    use super::*;

    #[test]
    fn error_messages_come_from_the_provider_body() {
        let openai = br#"{"error":{"message":"Incorrect API key","type":"invalid_request_error"}}"#;
        assert_eq!(
            error_message(StatusCode::UNAUTHORIZED, openai),
            "Incorrect API key"
        );
        let ollama = br#"{"error":"model \"x\" not found"}"#;
        assert_eq!(
            error_message(StatusCode::NOT_FOUND, ollama),
            "model \"x\" not found"
        );
        assert_eq!(
            error_message(StatusCode::BAD_GATEWAY, b" upstream down \n"),
            "upstream down"
        );
        assert_eq!(error_message(StatusCode::BAD_GATEWAY, b""), "Bad Gateway");
        let long = "x".repeat(2000);
        assert!(error_message(StatusCode::BAD_REQUEST, long.as_bytes()).len() <= MAX_MESSAGE + 3);
    }

    #[test]
    fn retry_after_reads_seconds_and_milliseconds() {
        let mut headers = HeaderMap::new();
        assert_eq!(retry_after(&headers), None);
        headers.insert("retry-after", "2".parse().unwrap());
        assert_eq!(retry_after(&headers), Some(Duration::from_secs(2)));
        headers.insert("retry-after-ms", "250".parse().unwrap());
        assert_eq!(retry_after(&headers), Some(Duration::from_millis(250)));
        let mut date = HeaderMap::new();
        date.insert(
            "retry-after",
            "Wed, 21 Oct 2015 07:28:00 GMT".parse().unwrap(),
        );
        assert_eq!(retry_after(&date), None);
    }

    #[test]
    fn stream_errors_map_by_code_and_type() {
        let e = |v: Value| stream_error(&v);
        assert_eq!(
            e(json!({"type": "rate_limit_error", "message": "slow"})),
            LlmError::RateLimited { retry_after: None }
        );
        assert_eq!(
            e(json!({"type": "overloaded_error", "message": "Overloaded"})),
            LlmError::Unavailable("Overloaded".into())
        );
        assert_eq!(
            e(json!({"type": "BadRequestError", "message": "too long", "code": 400})),
            LlmError::Upstream {
                status: 400,
                message: "too long".into()
            }
        );
        assert_eq!(
            e(json!({"type": "invalid_request_error", "message": "bad"})),
            LlmError::BadRequest("bad".into())
        );
        assert_eq!(e(json!("boom")), LlmError::Unavailable("boom".into()));
    }

    #[test]
    fn floats_keep_their_written_value() {
        assert_eq!(json_f32(0.7), json!(0.7));
        assert_eq!(json_f32(1.0), json!(1.0));
    }

    #[tokio::test]
    async fn retry_after_is_capped_at_max_delay() {
        let hits = Arc::new(AtomicUsize::new(0));
        let router = Router::new().route(
            "/",
            post({
                let hits = hits.clone();
                move || async move {
                    if hits.fetch_add(1, Ordering::SeqCst) == 0 {
                        return (
                            Status::SERVICE_UNAVAILABLE,
                            [("retry-after", "3600")],
                            "later",
                        );
                    }
                    (Status::OK, [("retry-after", "0")], "done")
                }
            }),
        );
        let base = testing::serve(router).await;
        let options = ClientOptions {
            timeout: Duration::from_secs(10),
            max_retries: 2,
            base_delay: Duration::from_millis(1),
            max_delay: Duration::from_millis(10),
        };
        let http = http_client(&options).unwrap();
        let response = tokio::time::timeout(
            Duration::from_secs(5),
            send_with_retry(&options, || http.post(format!("{base}/"))),
        )
        .await
        .expect("waited for the hour the server asked for")
        .unwrap();
        assert_eq!(response.text().await.unwrap(), "done");
        assert_eq!(hits.load(Ordering::SeqCst), 2);
    }
}
