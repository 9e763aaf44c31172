//! Extractors: `Authed<R>` (the authenticated principal, with at least role `R`: authorisation
//! lives in the handler's signature), `ApiJson<T>` (JSON bodies with unknown fields refused,
//! in the error shape) and `ClientMeta` (client address behind trusted proxies, request id).

use std::marker::PhantomData;
use std::net::{IpAddr, SocketAddr};

use axum::body::Bytes;
use axum::extract::rejection::JsonRejection;
use axum::extract::{ConnectInfo, FromRef, FromRequest, FromRequestParts, Request};
use axum::http::request::Parts;
use axum::http::{Extensions, HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use ipnet::IpNet;
use serde::de::DeserializeOwned;

use super::error::{ApiError, ErrorCode};
use super::state::{AppState, Network};
use crate::audit::RequestMeta;
use crate::auth::AuthError;
use crate::auth::model::{Principal, Role};
use crate::core::identity::Identity;
use crate::core::json;

/// A minimum role, as a type.
pub trait MinRole: Send + Sync + 'static {
    const ROLE: Role;
}

/// Any signed-in user.
#[derive(Debug)]
pub struct Viewer;
/// Members and admins.
#[derive(Debug)]
pub struct Member;
/// Admins only.
#[derive(Debug)]
pub struct Admin;

impl MinRole for Viewer {
    const ROLE: Role = Role::Viewer;
}
impl MinRole for Member {
    const ROLE: Role = Role::Member;
}
impl MinRole for Admin {
    const ROLE: Role = Role::Admin;
}

/// The principal of a request whose role is at least `R`; otherwise 401 or 403.
#[derive(Debug)]
pub struct Authed<R: MinRole> {
    pub principal: Principal,
    /// Who is acting, for the domain: the principal's user, key and role with the request's
    /// address and id. Pass `&auth.identity` to services; audit rows and events take it.
    pub identity: Identity,
    _role: PhantomData<R>,
}

/// 401 with the `WWW-Authenticate` challenge.
fn unauthenticated(message: &str) -> Response {
    let mut response = ApiError::new(ErrorCode::Unauthenticated, message).into_response();
    response.headers_mut().insert(
        header::WWW_AUTHENTICATE,
        HeaderValue::from_static("Bearer realm=\"gathering\""),
    );
    response
}

impl From<AuthError> for ApiError {
    fn from(error: AuthError) -> Self {
        match error {
            AuthError::InvalidCredentials => {
                ApiError::new(ErrorCode::InvalidCredentials, error.to_string())
            }
            AuthError::InvalidToken => ApiError::new(ErrorCode::Unauthenticated, error.to_string()),
            AuthError::Invalid(message) => ApiError::new(ErrorCode::ValidationFailed, message),
            AuthError::EmailTaken => ApiError::new(ErrorCode::Conflict, error.to_string()),
            AuthError::Forbidden(message) => ApiError::new(ErrorCode::Forbidden, message),
            AuthError::NotFound(_) => ApiError::new(ErrorCode::NotFound, error.to_string()),
            AuthError::Conflict(message) => ApiError::new(ErrorCode::Conflict, message),
            AuthError::Throttled { retry_after } => {
                let seconds = retry_after.as_secs_f64().ceil() as u64;
                ApiError::new(ErrorCode::LoginThrottled, error.to_string())
                    .with_details(serde_json::json!({"retry_after_secs": seconds}))
                    .with_retry_after(seconds)
            }
            AuthError::NotReady => ApiError::new(ErrorCode::NotReady, error.to_string()),
            AuthError::Unavailable(cause) => {
                tracing::error!("refusing a request: {cause:#}");
                ApiError::new(
                    ErrorCode::AuthUnavailable,
                    "authentication is temporarily unavailable",
                )
            }
            AuthError::Unexpected(cause) => ApiError::internal(cause),
        }
    }
}

impl<R: MinRole> FromRequestParts<AppState> for Authed<R> {
    type Rejection = Response;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let Some(token) = bearer_token(&parts.headers) else {
            return Err(unauthenticated(
                "sign in: send `Authorization: Bearer <access token or API key>`",
            ));
        };
        let principal = match state.auth.authenticate(&state.pool, token).await {
            Ok(principal) => {
                state.rate_limits.key_verified(token);
                principal
            }
            Err(AuthError::InvalidToken) => {
                // Failed credentials spend the address's sign-in budget: guessing keys is
                // as slow as guessing passwords.
                let addr = client_addr(&parts.headers, &parts.extensions, &state.network);
                if let Some(refusal) = state.rate_limits.charge_failed_auth(addr) {
                    return Err(refusal);
                }
                return Err(unauthenticated("the token is invalid, expired or revoked"));
            }
            Err(other) => return Err(ApiError::from(other).into_response()),
        };
        if principal.role < R::ROLE {
            return Err(ApiError::new(
                ErrorCode::Forbidden,
                format!(
                    "this needs the {} role; you are {}",
                    R::ROLE,
                    principal.role
                ),
            )
            .into_response());
        }
        let identity = principal.identity(request_meta(parts, &state.network));
        Ok(Self {
            principal,
            identity,
            _role: PhantomData,
        })
    }
}

/// A JSON body; unknown fields (with `deny_unknown_fields` on `T`) and wrong types are 422.
/// This is the one JSON edge of the API: before `T` is built, the raw body is scanned once,
/// and a body nested deeper than [`json::MAX_DEPTH`] or holding a NUL character (which
/// PostgreSQL cannot store) is refused with 422 naming the field.
#[derive(Debug)]
pub struct ApiJson<T>(pub T);

impl<S, T> FromRequest<S> for ApiJson<T>
where
    T: DeserializeOwned,
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request(request: Request, state: &S) -> Result<Self, Self::Rejection> {
        if !is_json(request.headers()) {
            return Err(ApiError::new(
                ErrorCode::UnsupportedMediaType,
                "send the body as `Content-Type: application/json`",
            ));
        }
        let bytes = match Bytes::from_request(request, state).await {
            Ok(bytes) => bytes,
            Err(rejection) if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE => {
                return Err(ApiError::new(
                    ErrorCode::PayloadTooLarge,
                    "request body too large",
                ));
            }
            Err(rejection) => {
                return Err(ApiError::new(ErrorCode::BadRequest, rejection.body_text()));
            }
        };
        check_json_body(&bytes)?;
        match axum::Json::<T>::from_bytes(&bytes) {
            Ok(axum::Json(value)) => Ok(Self(value)),
            Err(rejection) => Err(match rejection {
                JsonRejection::JsonDataError(e) => {
                    ApiError::new(ErrorCode::ValidationFailed, e.body_text())
                }
                JsonRejection::JsonSyntaxError(e) => {
                    ApiError::new(ErrorCode::BadRequest, e.body_text())
                }
                other => ApiError::new(ErrorCode::BadRequest, other.body_text()),
            }),
        }
    }
}

/// `application/json` or any `application/*+json`.
fn is_json(headers: &HeaderMap) -> bool {
    let Some(value) = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
    else {
        return false;
    };
    let essence = value
        .split(';')
        .next()
        .unwrap_or_default()
        .trim()
        .to_ascii_lowercase();
    essence == "application/json"
        || (essence.starts_with("application/") && essence.ends_with("+json"))
}

/// The edge limits of a raw JSON body: nesting depth and NUL characters, each a 422 naming the
/// field. One linear scan; the body is parsed into a value only when a NUL must be located.
pub fn check_json_body(bytes: &[u8]) -> Result<(), ApiError> {
    let scan = json::scan(bytes, json::MAX_DEPTH);
    if scan.depth > json::MAX_DEPTH {
        return Err(ApiError::new(
            ErrorCode::ValidationFailed,
            format!(
                "the body is nested more than {} levels deep; at most {} are allowed",
                json::MAX_DEPTH,
                json::MAX_DEPTH
            ),
        )
        .with_details(serde_json::json!({"field": "$", "max_depth": json::MAX_DEPTH})));
    }
    if scan.nul
        && let Ok(value) = serde_json::from_slice::<serde_json::Value>(bytes)
        && let Some(field) = json::nul_path(&value)
    {
        return Err(ApiError::new(
            ErrorCode::ValidationFailed,
            format!("`{field}` contains a NUL character (\\u0000), which cannot be stored"),
        )
        .with_details(serde_json::json!({"field": field})));
    }
    Ok(())
}

/// Who sent the request, for the audit log.
#[derive(Debug, Clone)]
pub struct ClientMeta(pub RequestMeta);

impl<S> FromRequestParts<S> for ClientMeta
where
    S: Send + Sync,
    Network: FromRef<S>,
{
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        Ok(Self(request_meta(parts, &Network::from_ref(state))))
    }
}

/// The request's client address (after trusted proxies) and its `X-Request-Id`.
fn request_meta(parts: &Parts, network: &Network) -> RequestMeta {
    let ip = client_addr(&parts.headers, &parts.extensions, network);
    let request_id = parts
        .headers
        .get("x-request-id")
        .and_then(|v| v.to_str().ok())
        .map(|v| v.chars().take(200).collect());
    RequestMeta { ip, request_id }
}

/// Whether cookies set in answer to this request get `Secure`: when `auth.secure_cookies` is on,
/// when the request's own scheme is HTTPS, or when a trusted proxy (the same trust as for
/// `X-Forwarded-For`) says so in `X-Forwarded-Proto`. A client that is not a trusted proxy
/// cannot talk its way into (or out of) it.
#[derive(Debug, Clone, Copy)]
pub struct SecureCookies(pub bool);

impl<S> FromRequestParts<S> for SecureCookies
where
    S: Send + Sync,
    Network: FromRef<S>,
{
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let network = Network::from_ref(state);
        if network.secure_cookies || parts.uri.scheme_str() == Some("https") {
            return Ok(Self(true));
        }
        let peer = parts
            .extensions
            .get::<ConnectInfo<SocketAddr>>()
            .map(|c| c.0.ip());
        let trusted = peer.is_some_and(|peer| {
            network
                .trusted_proxies
                .iter()
                .any(|net| net.contains(&peer))
        });
        // The proxy next to us wrote (or appended) the right-most value.
        let forwarded_https = parts
            .headers
            .get_all("x-forwarded-proto")
            .iter()
            .filter_map(|v| v.to_str().ok())
            .flat_map(|v| v.split(','))
            .next_back()
            .is_some_and(|proto| proto.trim().eq_ignore_ascii_case("https"));
        Ok(Self(trusted && forwarded_https))
    }
}

/// The token of an `Authorization: Bearer <token>` header.
pub fn bearer_token(headers: &HeaderMap) -> Option<&str> {
    headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split_once(' '))
        .filter(|(scheme, _)| scheme.eq_ignore_ascii_case("bearer"))
        .map(|(_, token)| token.trim())
        .filter(|t| !t.is_empty())
}

/// The client address of a request: its peer, or what trusted proxies say in front of it.
pub fn client_addr(
    headers: &HeaderMap,
    extensions: &Extensions,
    network: &Network,
) -> Option<IpAddr> {
    let peer = extensions
        .get::<ConnectInfo<SocketAddr>>()
        .map(|c| c.0.ip())?;
    Some(client_addr_of(peer, headers, network))
}

/// The client address behind `peer`, from the `X-Forwarded-For` headers of trusted proxies.
pub fn client_addr_of(peer: IpAddr, headers: &HeaderMap, network: &Network) -> IpAddr {
    let forwarded = headers
        .get_all("x-forwarded-for")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .map(|v| v.trim().parse::<IpAddr>().ok())
        .collect::<Vec<_>>();
    client_ip(peer, &forwarded, &network.trusted_proxies)
}

/// The client's address: the peer, unless the peer is a trusted proxy, in which case the
/// right-most `X-Forwarded-For` entry that is not itself a trusted proxy. An entry that is not
/// a bare IP (`unknown`, `ip:port`) ends the walk at the peer: what lies left of it could have
/// been written by the client.
pub fn client_ip(peer: IpAddr, forwarded: &[Option<IpAddr>], trusted: &[IpNet]) -> IpAddr {
    let is_trusted = |ip: &IpAddr| trusted.iter().any(|net| net.contains(ip));
    if !is_trusted(&peer) {
        return peer;
    }
    for entry in forwarded.iter().rev() {
        match entry {
            Some(ip) if is_trusted(ip) => continue,
            Some(ip) => return *ip,
            None => return peer,
        }
    }
    peer
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn forwarded_for_is_believed_only_from_trusted_proxies() {
        let proxy: IpAddr = "10.0.0.1".parse().unwrap();
        let trusted = [IpNet::from(proxy)];
        let client: IpAddr = "203.0.113.9".parse().unwrap();
        let spoofed: IpAddr = "198.51.100.7".parse().unwrap();
        assert_eq!(
            client_ip(proxy, &[Some(spoofed), Some(client)], &trusted),
            client
        );
        assert_eq!(
            client_ip(client, &[Some(spoofed)], &trusted),
            client,
            "untrusted peer"
        );
        assert_eq!(client_ip(proxy, &[], &trusted), proxy);
        assert_eq!(
            client_ip(proxy, &[Some(spoofed), None], &trusted),
            proxy,
            "unparsable entry"
        );
        // A range trusts every proxy in it, hop by hop.
        let range: [IpNet; 1] = ["10.0.0.0/8".parse().unwrap()];
        let inner: IpAddr = "10.1.2.3".parse().unwrap();
        assert_eq!(
            client_ip(proxy, &[Some(spoofed), Some(client), Some(inner)], &range),
            client
        );
    }
}
