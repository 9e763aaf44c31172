//! The `http_request` built-in tool: one HTTP(S) request with a method allowlist, refused
//! headers, a bounded body read, at most 5 checked redirects, and, unless
//! `GATHERING_HTTP_ALLOW_PRIVATE=true`, no private, loopback, link-local or otherwise
//! non-public address: neither as an IP literal nor as any address a host name resolves to
//! (the client's own resolver checks, then connects only to the checked addresses).
//! Start at `HttpTool::call`; its tests are in `tests.rs`.

use std::error::Error as StdError;
use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;
use std::time::Duration;

use reqwest::dns::{Addrs, Name, Resolve, Resolving};
use reqwest::header::{HeaderMap, HeaderName, HeaderValue};
use reqwest::{Method, Url};
use serde_json::{Map, Value, json};
use url::Host;

use super::address::is_forbidden;
use super::{Risk, Tool, ToolContext, ToolDefinition, ToolError, ToolSettings};

/// The most redirects followed.
const MAX_REDIRECTS: usize = 5;
/// The longest URL accepted, in characters.
const MAX_URL_CHARS: usize = 2048;
/// The most request headers accepted.
const MAX_HEADERS: usize = 20;
/// The longest request body accepted, in characters.
const MAX_BODY_CHARS: usize = 65_536;
/// The methods allowed.
const METHODS: [&str; 6] = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE"];
/// The response headers given back.
const RESPONSE_HEADERS: [&str; 3] = ["content-type", "content-length", "location"];

/// The `http_request` tool.
pub struct HttpTool {
    definition: ToolDefinition,
    client: reqwest::Client,
    allow_private: bool,
    max_response_bytes: usize,
    timeout: Duration,
}

impl HttpTool {
    /// The tool, with its one HTTP client built from `settings`.
    pub fn new(settings: &ToolSettings) -> Result<Self, ToolError> {
        let allow_private = settings.http_allow_private;
        let client = reqwest::Client::builder()
            // A proxy would resolve and connect in our place, past the checks.
            .no_proxy()
            .dns_resolver(Arc::new(CheckedResolver { allow_private }))
            .redirect(reqwest::redirect::Policy::custom(
                move |attempt| match check_redirect(
                    attempt.url(),
                    attempt.previous().len(),
                    allow_private,
                ) {
                    Ok(()) => attempt.follow(),
                    Err(error) => attempt.error(error),
                },
            ))
            .referer(false)
            .timeout(settings.http_timeout)
            .connect_timeout(settings.http_timeout)
            .user_agent(concat!("gathering/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|e| {
                ToolError::Failed(format!("cannot build the HTTP client: {}", chain(&e)))
            })?;
        Ok(Self {
            definition: ToolDefinition {
                name: "http_request".to_string(),
                description: format!(
                    "Sends one HTTP or HTTPS request and returns the status, a few response \
                     headers (content-type, content-length, location) and the body as text \
                     (at most {} bytes; longer bodies are cut and marked truncated). Follows up \
                     to {MAX_REDIRECTS} redirects. Private, loopback and link-local addresses \
                     are refused{}.",
                    settings.http_max_response_bytes,
                    if allow_private {
                        " by default, but allowed on this server"
                    } else {
                        ""
                    }
                ),
                parameters: json!({
                    "type": "object",
                    "properties": {
                        "url": {
                            "type": "string",
                            "maxLength": MAX_URL_CHARS,
                            "description": "An absolute http:// or https:// URL"
                        },
                        "method": {
                            "type": "string",
                            "enum": METHODS,
                            "default": "GET"
                        },
                        "headers": {
                            "type": "object",
                            "additionalProperties": { "type": "string" },
                            "maxProperties": MAX_HEADERS,
                            "description": "Request headers (Host, Connection, Content-Length, \
                                Transfer-Encoding and Proxy-* are refused)"
                        },
                        "body": {
                            "type": "string",
                            "maxLength": MAX_BODY_CHARS,
                            "description": "The request body, sent as is"
                        }
                    },
                    "required": ["url"],
                    "additionalProperties": false
                }),
                risk: Risk::SideEffects,
                timeout: settings.http_timeout.saturating_add(Duration::from_secs(5)),
                source: "builtin".to_string(),
            },
            client,
            allow_private,
            max_response_bytes: settings.http_max_response_bytes,
            timeout: settings.http_timeout,
        })
    }
}

#[async_trait::async_trait]
impl Tool for HttpTool {
    fn definition(&self) -> &ToolDefinition {
        &self.definition
    }

    async fn call(&self, _ctx: &ToolContext, arguments: Value) -> Result<Value, ToolError> {
        let request = Request::from_arguments(&arguments)?;
        check_target(&request.url, self.allow_private)?;

        let mut builder = self
            .client
            .request(request.method, request.url)
            .headers(request.headers);
        if let Some(body) = request.body {
            builder = builder.body(body);
        }
        let mut response = builder.send().await.map_err(|e| self.failure(e))?;

        let status = response.status().as_u16();
        let mut headers = Map::new();
        for name in RESPONSE_HEADERS {
            if let Some(value) = response.headers().get(name) {
                let text = String::from_utf8_lossy(value.as_bytes()).into_owned();
                headers.insert(name.to_string(), Value::String(text));
            }
        }
        let mut final_url = response.url().clone();
        let _ = final_url.set_username("");
        let _ = final_url.set_password(None);

        let mut body = Vec::new();
        let mut truncated = false;
        while let Some(chunk) = response.chunk().await.map_err(|e| self.failure(e))? {
            let room = self.max_response_bytes.saturating_sub(body.len());
            if chunk.len() > room {
                body.extend_from_slice(&chunk[..room]);
                truncated = true;
                break;
            }
            body.extend_from_slice(&chunk);
        }
        drop(response);

        Ok(json!({
            "status": status,
            "url": final_url.as_str(),
            "headers": headers,
            "body": text(&body, truncated),
            "truncated": truncated,
        }))
    }
}

impl HttpTool {
    /// What a failed request says: a refusal of ours as it was made, else the cause without the
    /// URL and never any request header.
    fn failure(&self, error: reqwest::Error) -> ToolError {
        let mut source: Option<&(dyn StdError + 'static)> = Some(&error);
        while let Some(current) = source {
            if let Some(ours) = current.downcast_ref::<ToolError>() {
                return ours.clone();
            }
            source = current.source();
        }
        if error.is_timeout() {
            return ToolError::Failed(format!(
                "the request timed out after {} s",
                self.timeout.as_secs_f64()
            ));
        }
        ToolError::Failed(chain(&error.without_url()))
    }
}

/// A request as the arguments describe it, checked.
#[derive(Debug)]
struct Request {
    url: Url,
    method: Method,
    headers: HeaderMap,
    body: Option<String>,
}

impl Request {
    fn from_arguments(arguments: &Value) -> Result<Self, ToolError> {
        let invalid = |message: &str| ToolError::InvalidArguments(message.to_string());
        let arguments = arguments
            .as_object()
            .ok_or_else(|| invalid("the arguments must be an object"))?;

        let url = arguments
            .get("url")
            .and_then(Value::as_str)
            .ok_or_else(|| invalid("\"url\" must be a string"))?;
        if url.chars().count() > MAX_URL_CHARS {
            return Err(invalid("\"url\" is longer than 2048 characters"));
        }
        let url = Url::parse(url.trim())
            .map_err(|e| ToolError::InvalidArguments(format!("\"url\" is not a valid URL: {e}")))?;

        let method = match arguments.get("method") {
            None | Some(Value::Null) => Method::GET,
            Some(Value::String(method)) => {
                let upper = method.trim().to_ascii_uppercase();
                if !METHODS.contains(&upper.as_str()) {
                    let shown: String = method.chars().take(16).collect();
                    return Err(ToolError::Refused(format!(
                        "the method {shown:?} is not allowed; use one of {}",
                        METHODS.join(", ")
                    )));
                }
                Method::from_bytes(upper.as_bytes())
                    .map_err(|_| invalid("\"method\" is not a valid method"))?
            }
            Some(_) => return Err(invalid("\"method\" must be a string")),
        };

        let mut headers = HeaderMap::new();
        match arguments.get("headers") {
            None | Some(Value::Null) => {}
            Some(Value::Object(given)) => {
                if given.len() > MAX_HEADERS {
                    return Err(invalid("at most 20 headers are accepted"));
                }
                for (name, value) in given {
                    let (name, value) = header(name, value)?;
                    headers.append(name, value);
                }
            }
            Some(_) => return Err(invalid("\"headers\" must be an object of strings")),
        }

        let body = match arguments.get("body") {
            None | Some(Value::Null) => None,
            Some(Value::String(body)) => {
                if body.chars().count() > MAX_BODY_CHARS {
                    return Err(invalid("\"body\" is longer than 65536 characters"));
                }
                Some(body.clone())
            }
            Some(_) => return Err(invalid("\"body\" must be a string")),
        };

        Ok(Self {
            url,
            method,
            headers,
            body,
        })
    }
}

/// One request header, checked. Errors name the header but never show its value.
fn header(name: &str, value: &Value) -> Result<(HeaderName, HeaderValue), ToolError> {
    let shown: String = name.chars().take(64).collect();
    let parsed = HeaderName::from_bytes(name.trim().as_bytes()).map_err(|_| {
        ToolError::InvalidArguments(format!("{shown:?} is not a valid header name"))
    })?;
    let lower = parsed.as_str();
    let refused = matches!(
        lower,
        "host"
            | "connection"
            | "keep-alive"
            | "transfer-encoding"
            | "te"
            | "trailer"
            | "upgrade"
            | "content-length"
    ) || lower.starts_with("proxy-");
    if refused {
        return Err(ToolError::Refused(format!(
            "the header {lower:?} is not allowed (Host, Connection, Keep-Alive, TE, Trailer, \
             Upgrade, Transfer-Encoding, Content-Length and Proxy-* are set by the client)"
        )));
    }
    let Value::String(value) = value else {
        return Err(ToolError::InvalidArguments(format!(
            "the value of the header {lower:?} must be a string"
        )));
    };
    let mut value = HeaderValue::from_str(value).map_err(|_| {
        ToolError::InvalidArguments(format!(
            "the value of the header {lower:?} is not valid (control characters or line breaks?)"
        ))
    })?;
    value.set_sensitive(true);
    Ok((parsed, value))
}

/// Checks a URL about to be requested: its scheme, and its host when that is an IP literal
/// (host names are checked when resolved, by [`CheckedResolver`]).
fn check_target(url: &Url, allow_private: bool) -> Result<(), ToolError> {
    if !matches!(url.scheme(), "http" | "https") {
        let shown: String = url.scheme().chars().take(32).collect();
        return Err(ToolError::Refused(format!(
            "only http and https URLs are allowed, not {shown}:"
        )));
    }
    let ip = match url.host() {
        None => {
            return Err(ToolError::InvalidArguments(
                "the URL has no host".to_string(),
            ));
        }
        Some(Host::Domain(_)) => return Ok(()),
        Some(Host::Ipv4(ip)) => IpAddr::V4(ip),
        Some(Host::Ipv6(ip)) => IpAddr::V6(ip),
    };
    if !allow_private && is_forbidden(ip) {
        return Err(refused(&ip.to_string(), ip));
    }
    Ok(())
}

/// The redirect policy: at most [`MAX_REDIRECTS`], each target checked as the first URL was.
/// `previous` counts the URLs already requested (the first one included).
fn check_redirect(url: &Url, previous: usize, allow_private: bool) -> Result<(), ToolError> {
    if previous > MAX_REDIRECTS {
        return Err(ToolError::Failed(format!(
            "too many redirects (at most {MAX_REDIRECTS} are followed)"
        )));
    }
    check_target(url, allow_private)
}

fn refused(host: &str, ip: IpAddr) -> ToolError {
    let what = if host == ip.to_string() {
        format!("the address {ip}")
    } else {
        let shown: String = host.chars().take(253).collect();
        format!("{shown} resolves to {ip}, which")
    };
    ToolError::Refused(format!(
        "{what} is private, loopback, link-local or otherwise not public; such addresses are \
         refused unless GATHERING_HTTP_ALLOW_PRIVATE=true"
    ))
}

/// Resolves host names for the client, and refuses (unless private addresses are allowed) a
/// name with any forbidden address. The client connects only to the addresses returned here,
/// so a name cannot resolve differently between the check and the connection.
struct CheckedResolver {
    allow_private: bool,
}

impl Resolve for CheckedResolver {
    fn resolve(&self, name: Name) -> Resolving {
        let allow_private = self.allow_private;
        let host = name.as_str().to_string();
        Box::pin(async move {
            match resolve_checked(&host, allow_private).await {
                Ok(addresses) => Ok(Box::new(addresses.into_iter()) as Addrs),
                Err(error) => Err(Box::new(error) as Box<dyn StdError + Send + Sync>),
            }
        })
    }
}

/// The addresses of `host` (port 0), all of them checked.
async fn resolve_checked(host: &str, allow_private: bool) -> Result<Vec<SocketAddr>, ToolError> {
    let shown: String = host.chars().take(253).collect();
    let addresses: Vec<SocketAddr> = tokio::net::lookup_host((host, 0))
        .await
        .map_err(|e| ToolError::Failed(format!("cannot resolve {shown}: {e}")))?
        .collect();
    if addresses.is_empty() {
        return Err(ToolError::Failed(format!("{shown} resolves to no address")));
    }
    if !allow_private && let Some(bad) = addresses.iter().find(|a| is_forbidden(a.ip())) {
        return Err(refused(host, bad.ip()));
    }
    Ok(addresses)
}

/// The body as text, invalid UTF-8 replaced; a character cut by truncation is dropped.
fn text(body: &[u8], truncated: bool) -> String {
    let mut body = body;
    if truncated
        && let Err(error) = std::str::from_utf8(body)
        && error.error_len().is_none()
    {
        body = &body[..error.valid_up_to()];
    }
    String::from_utf8_lossy(body).into_owned()
}

/// An error and its causes, `: `-separated.
fn chain(error: &dyn StdError) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        let line = cause.to_string();
        if !text.contains(&line) {
            text.push_str(": ");
            text.push_str(&line);
        }
        source = cause.source();
    }
    text
}

#[cfg(test)]
mod tests;
