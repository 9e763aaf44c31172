//! Rate limits (`governor`, GCRA) in four tiers: auth, write, read, health. A client is its
//! user when it presents a valid access token (checked by signature only, no database), its
//! API key once that key has authenticated a request on this instance, and its address
//! otherwise: an unverified credential never buys a budget of its own. The auth tier (login,
//! refresh, register, the browser session's sign-in and refresh, first-run setup) is always
//! charged to the address, whatever the request carries. Every limited response carries `X-RateLimit-Limit`,
//! `X-RateLimit-Remaining` and `X-RateLimit-Reset`; a refusal is a 429 in the error shape with
//! `Retry-After`. Credentials that fail to authenticate are charged to the address's auth tier,
//! so guessing tokens or API keys is as slow as guessing passwords. Limits are per instance.

use std::collections::HashMap;
use std::net::IpAddr;
use std::num::NonZeroU32;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::extract::{Request, State};
use axum::http::{HeaderMap, HeaderValue, Method};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use governor::clock::{Clock, DefaultClock};
use governor::middleware::StateInformationMiddleware;
use governor::{DefaultKeyedRateLimiter, Quota};
use uuid::Uuid;

use super::AppState;
use super::error::{ApiError, ErrorCode};
use super::extract::{bearer_token, client_addr};
use super::settings::RateLimitSettings;
use crate::auth::tokens;

/// Which budget a request draws on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tier {
    Auth,
    Write,
    Read,
    Health,
}

impl Tier {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Auth => "auth",
            Self::Write => "write",
            Self::Read => "read",
            Self::Health => "health",
        }
    }

    /// The tier of a request, from its method and path.
    pub fn of(method: &Method, path: &str) -> Self {
        if path.starts_with("/health/") || path == "/metrics" {
            Self::Health
        } else if matches!(
            path,
            "/api/auth/login" | "/api/auth/refresh" | "/api/auth/register"
        ) || (*method == Method::POST
            && matches!(
                path,
                "/api/auth/session" | "/api/auth/session/refresh" | "/api/setup"
            ))
        {
            Self::Auth
        } else if matches!(*method, Method::GET | Method::HEAD | Method::OPTIONS) {
            Self::Read
        } else {
            Self::Write
        }
    }
}

/// Who a budget belongs to.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
enum Client {
    User(Uuid),
    /// The first 16 bytes of the key's sha256 (never the key itself).
    ApiKey([u8; 16]),
    Addr(IpAddr),
}

type Limiter = DefaultKeyedRateLimiter<Client, StateInformationMiddleware>;

struct Budget {
    per_minute: NonZeroU32,
    limiter: Limiter,
}

/// The limiters of every tier; a tier configured at 0 is off. Shared by all requests: the
/// keyed stores are lock-free maps (governor's `dashmap`), so no lock of ours is involved.
#[derive(Clone)]
pub struct RateLimits {
    budgets: Arc<[Option<Budget>; 4]>,
    /// API keys (short hashes) that authenticated a request, with when they last did. A std
    /// mutex: held for one map operation, never across an `.await`.
    verified_keys: Arc<Mutex<HashMap<[u8; 16], Instant>>>,
}

/// At most this many verified keys are remembered; past it the oldest are forgotten (they
/// are charged to their address until they authenticate again).
const MAX_VERIFIED_KEYS: usize = 100_000;
/// A verified key not seen for this long is forgotten.
const VERIFIED_KEY_TTL: Duration = Duration::from_secs(3600);

impl std::fmt::Debug for RateLimits {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("RateLimits")
    }
}

/// The outcome of drawing on a budget: headers to add, and whether to refuse.
struct Decision {
    limit: u32,
    remaining: u32,
    /// Seconds until the budget is full again.
    reset: u64,
    /// Set when refused: seconds until a request is allowed.
    retry_after: Option<u64>,
}

impl RateLimits {
    pub fn new(config: &RateLimitSettings) -> Self {
        let budget = |per_minute: u32| {
            NonZeroU32::new(per_minute).map(|per_minute| Budget {
                per_minute,
                limiter: governor::RateLimiter::keyed(Quota::per_minute(per_minute))
                    .with_middleware::<StateInformationMiddleware>(),
            })
        };
        Self {
            budgets: Arc::new([
                budget(config.auth_per_minute),
                budget(config.write_per_minute),
                budget(config.read_per_minute),
                budget(config.health_per_minute),
            ]),
            verified_keys: Arc::default(),
        }
    }

    fn budget(&self, tier: Tier) -> Option<&Budget> {
        let index = match tier {
            Tier::Auth => 0,
            Tier::Write => 1,
            Tier::Read => 2,
            Tier::Health => 3,
        };
        self.budgets[index].as_ref()
    }

    fn check(&self, tier: Tier, client: &Client) -> Option<Decision> {
        let budget = self.budget(tier)?;
        let limit = budget.per_minute.get();
        let interval = Duration::from_secs(60) / limit;
        Some(match budget.limiter.check_key(client) {
            Ok(snapshot) => {
                let remaining = snapshot.remaining_burst_capacity();
                Decision {
                    limit,
                    remaining,
                    reset: (interval * (limit - remaining)).as_secs_f64().ceil() as u64,
                    retry_after: None,
                }
            }
            Err(not_until) => {
                let wait = not_until.wait_time_from(DefaultClock::default().now());
                let retry_after = wait.as_secs_f64().ceil().max(1.0) as u64;
                Decision {
                    limit,
                    remaining: 0,
                    reset: (wait + interval * (limit - 1)).as_secs_f64().ceil() as u64,
                    retry_after: Some(retry_after),
                }
            }
        })
    }

    /// Charges a failed authentication to `addr`'s auth budget; `Some(429)` when spent.
    pub fn charge_failed_auth(&self, addr: Option<IpAddr>) -> Option<Response> {
        let addr = addr?;
        let decision = self.check(Tier::Auth, &Client::Addr(addr))?;
        decision
            .retry_after
            .is_some()
            .then(|| refusal(Tier::Auth, &decision))
    }

    /// Records that `token`, an API key, authenticated a request: from now on it is a client
    /// with budgets of its own instead of drawing on its address's.
    pub fn key_verified(&self, token: &str) {
        if !token.starts_with(tokens::API_KEY_PREFIX) {
            return;
        }
        let mut keys = self.verified_keys.lock().unwrap_or_else(|p| p.into_inner());
        if keys.len() >= MAX_VERIFIED_KEYS
            && let Some(oldest) = keys.iter().min_by_key(|(_, seen)| **seen).map(|(k, _)| *k)
        {
            keys.remove(&oldest);
        }
        keys.insert(short_hash(token), Instant::now());
    }

    fn is_verified(&self, key: &[u8; 16]) -> bool {
        let keys = self.verified_keys.lock().unwrap_or_else(|p| p.into_inner());
        keys.contains_key(key)
    }

    /// Forgets clients whose budgets are full again, to bound memory; run periodically.
    pub fn forget_idle(&self) {
        for budget in self.budgets.iter().flatten() {
            budget.limiter.retain_recent();
            budget.limiter.shrink_to_fit();
        }
        let mut keys = self.verified_keys.lock().unwrap_or_else(|p| p.into_inner());
        keys.retain(|_, seen| seen.elapsed() < VERIFIED_KEY_TTL);
    }
}

/// The 429 of a spent budget: counted, in the error shape, with every rate-limit header.
fn refusal(tier: Tier, decision: &Decision) -> Response {
    metrics::counter!("rate_limited_total", "tier" => tier.as_str()).increment(1);
    let retry_after = decision.retry_after.unwrap_or(1);
    let mut response = ApiError::new(
        ErrorCode::RateLimited,
        format!("too many requests; retry in {retry_after} s"),
    )
    .with_details(serde_json::json!({"tier": tier.as_str(), "retry_after_secs": retry_after}))
    .with_retry_after(retry_after)
    .into_response();
    add_headers(response.headers_mut(), decision);
    response
}

fn add_headers(headers: &mut HeaderMap, decision: &Decision) {
    headers.insert("x-ratelimit-limit", HeaderValue::from(decision.limit));
    headers.insert(
        "x-ratelimit-remaining",
        HeaderValue::from(decision.remaining),
    );
    headers.insert("x-ratelimit-reset", HeaderValue::from(decision.reset));
}

/// The middleware: draws on the request's tier, refuses with 429 or adds the headers.
pub async fn limit(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let tier = Tier::of(request.method(), request.uri().path());
    let client = client_of(&state, &request, tier);
    let Some(decision) = client.and_then(|client| state.rate_limits.check(tier, &client)) else {
        return next.run(request).await;
    };
    if decision.retry_after.is_some() {
        return refusal(tier, &decision);
    }
    let mut response = next.run(request).await;
    add_headers(response.headers_mut(), &decision);
    response
}

/// Who a request's budget belongs to (see the module's documentation).
fn client_of(state: &AppState, request: &Request, tier: Tier) -> Option<Client> {
    let addr = || client_addr(request.headers(), request.extensions(), &state.network);
    if tier == Tier::Auth {
        return addr().map(Client::Addr);
    }
    if let Some(token) = bearer_token(request.headers()) {
        if token.starts_with(tokens::API_KEY_PREFIX) {
            let key = short_hash(token);
            if state.rate_limits.is_verified(&key) {
                return Some(Client::ApiKey(key));
            }
        } else if let Some(user) = state.auth.unverified_subject(token) {
            return Some(Client::User(user));
        }
    }
    addr().map(Client::Addr)
}

/// The first 16 bytes of a key's sha256 (never the key itself).
fn short_hash(token: &str) -> [u8; 16] {
    let hash = tokens::hash_token(token);
    let mut short = [0u8; 16];
    short.copy_from_slice(&hash[..16]);
    short
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn requests_fall_into_tiers_by_path_and_method() {
        assert_eq!(Tier::of(&Method::GET, "/health/ready"), Tier::Health);
        assert_eq!(Tier::of(&Method::GET, "/metrics"), Tier::Health);
        assert_eq!(Tier::of(&Method::POST, "/api/auth/login"), Tier::Auth);
        assert_eq!(Tier::of(&Method::POST, "/api/auth/logout"), Tier::Write);
        assert_eq!(Tier::of(&Method::POST, "/api/auth/session"), Tier::Auth);
        assert_eq!(
            Tier::of(&Method::POST, "/api/auth/session/refresh"),
            Tier::Auth
        );
        assert_eq!(Tier::of(&Method::DELETE, "/api/auth/session"), Tier::Write);
        assert_eq!(Tier::of(&Method::POST, "/api/setup"), Tier::Auth);
        assert_eq!(Tier::of(&Method::GET, "/api/setup"), Tier::Read);
        assert_eq!(Tier::of(&Method::GET, "/api/users"), Tier::Read);
        assert_eq!(Tier::of(&Method::DELETE, "/api/api-keys/x"), Tier::Write);
    }

    #[test]
    fn a_budget_refuses_past_its_burst_and_says_when_to_retry() {
        let limits = RateLimits::new(&RateLimitSettings {
            auth_per_minute: 2,
            write_per_minute: 0,
            read_per_minute: 60,
            health_per_minute: 60,
        });
        let client = Client::Addr("203.0.113.9".parse().unwrap());
        let first = limits.check(Tier::Auth, &client).unwrap();
        assert_eq!(
            (first.limit, first.remaining, first.retry_after),
            (2, 1, None)
        );
        assert_eq!(first.reset, 30);
        let second = limits.check(Tier::Auth, &client).unwrap();
        assert_eq!(second.remaining, 0);
        let third = limits.check(Tier::Auth, &client).unwrap();
        let retry = third.retry_after.unwrap();
        assert!((1..=30).contains(&retry), "{retry}");
        assert!(third.reset >= retry && third.reset <= 60, "{}", third.reset);
        // Another client has its own budget; a tier at 0 is off.
        let other = Client::Addr("203.0.113.10".parse().unwrap());
        assert!(
            limits
                .check(Tier::Auth, &other)
                .unwrap()
                .retry_after
                .is_none()
        );
        assert!(limits.check(Tier::Write, &client).is_none());
    }
}
