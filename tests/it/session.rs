//! The browser session (`/api/auth/session`): the refresh token in an `HttpOnly` cookie, the
//! CSRF cookie bound to it, rotation and reuse detection through the cookie, CSRF refusals that
//! change nothing, sign-out, `Secure` only over HTTPS, and the audit rows.

use gathering::auth::model::Role;
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

use crate::support::{TestApp, TestDb, json, test_config};

/// The refresh lifetime of the test configuration, in seconds (the default: 30 days).
const MAX_AGE: u64 = 30 * 24 * 3600;

/// What a sign-in or refresh left the browser with.
struct Session {
    access: String,
    refresh: String,
    csrf: String,
}

impl Session {
    fn cookie_header(&self) -> String {
        format!(
            "gathering_refresh={}; gathering_csrf={}",
            self.refresh, self.csrf
        )
    }
}

fn set_cookies(response: &reqwest::Response) -> Vec<String> {
    response
        .headers()
        .get_all("set-cookie")
        .iter()
        .map(|v| v.to_str().unwrap().to_owned())
        .collect()
}

/// The value a `Set-Cookie` list gives cookie `name`.
fn cookie_value(cookies: &[String], name: &str) -> String {
    let prefix = format!("{name}=");
    let line = cookies
        .iter()
        .find(|c| c.starts_with(&prefix))
        .unwrap_or_else(|| panic!("no {name} in {cookies:?}"));
    line[prefix.len()..].split(';').next().unwrap().to_owned()
}

fn csrf_of(refresh: &str) -> String {
    hex::encode(Sha256::digest(
        format!("gathering-csrf:{refresh}").as_bytes(),
    ))
}

async fn sign_in(app: &TestApp, email: &str, password: &str) -> (Session, Vec<String>, Value) {
    let response = app
        .http
        .post(app.url("/api/auth/session"))
        .json(&json!({"email": email, "password": password}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200, "sign-in of {email}");
    session_of(response).await
}

async fn session_of(response: reqwest::Response) -> (Session, Vec<String>, Value) {
    let cookies = set_cookies(&response);
    let body = json(response).await;
    let session = Session {
        access: body["access_token"].as_str().unwrap().to_owned(),
        refresh: cookie_value(&cookies, "gathering_refresh"),
        csrf: cookie_value(&cookies, "gathering_csrf"),
    };
    (session, cookies, body)
}

/// `POST /api/auth/session/refresh` with `cookies` and, if given, the CSRF header.
async fn refresh(app: &TestApp, cookies: &str, csrf: Option<&str>) -> reqwest::Response {
    let mut request = app
        .http
        .post(app.url("/api/auth/session/refresh"))
        .header("cookie", cookies);
    if let Some(csrf) = csrf {
        request = request.header("x-csrf-token", csrf);
    }
    request.send().await.unwrap()
}

fn assert_cleared(cookies: &[String]) {
    assert_eq!(
        cookies,
        [
            "gathering_refresh=; HttpOnly; SameSite=Strict; Path=/api/auth/session; Max-Age=0",
            "gathering_csrf=; SameSite=Strict; Path=/; Max-Age=0",
        ]
    );
}

async fn audit_count(app: &TestApp, action: &str) -> i64 {
    let client = app.db.client().await;
    client
        .query_one(
            "SELECT count(*) FROM audit.events WHERE action = $1 AND outcome = 'success'",
            &[&action],
        )
        .await
        .unwrap()
        .get(0)
}

async fn member(app: &TestApp) -> (String, String) {
    let email = format!("m-{}@example.org", uuid::Uuid::now_v7().simple());
    let password = app.create_user(&email, Role::Member).await;
    (email, password)
}

#[tokio::test]
async fn sign_in_sets_the_refresh_and_csrf_cookies_and_never_returns_the_refresh_token() {
    let app = TestApp::spawn().await;
    let (email, password) = member(&app).await;
    let (session, cookies, body) = sign_in(&app, &email, &password).await;

    assert_eq!(body["token_type"], "bearer");
    assert_eq!(body["expires_in"], 900);
    assert_eq!(body["user"]["email"], email.as_str());
    assert_eq!(body["user"]["role"], "member");
    assert!(body.get("refresh_token").is_none(), "{body}");
    assert!(session.refresh.starts_with("grt_"));
    assert_eq!(
        cookies,
        [
            format!(
                "gathering_refresh={}; HttpOnly; SameSite=Strict; Path=/api/auth/session; Max-Age={MAX_AGE}",
                session.refresh
            ),
            format!(
                "gathering_csrf={}; SameSite=Strict; Path=/; Max-Age={MAX_AGE}",
                csrf_of(&session.refresh)
            ),
        ]
    );
    assert_eq!(
        app.get_as("/api/auth/me", &session.access).await.status(),
        200
    );
    assert_eq!(audit_count(&app, "auth.login").await, 1);

    // Same checks as /api/auth/login: a wrong password is 401, an unknown field 422.
    let wrong = app
        .http
        .post(app.url("/api/auth/session"))
        .json(&json!({"email": email, "password": "not the password"}))
        .send()
        .await
        .unwrap();
    assert_eq!(wrong.status(), 401);
    assert!(set_cookies(&wrong).is_empty());
    assert_eq!(json(wrong).await["error"]["code"], "invalid_credentials");

    // A client that is not a trusted proxy cannot claim HTTPS.
    let spoofed = app
        .http
        .post(app.url("/api/auth/session"))
        .header("x-forwarded-proto", "https")
        .json(&json!({"email": email, "password": password}))
        .send()
        .await
        .unwrap();
    assert!(set_cookies(&spoofed).iter().all(|c| !c.contains("Secure")));
}

#[tokio::test]
async fn cookies_are_secure_behind_a_trusted_https_proxy_or_when_configured() {
    let db = TestDb::migrated().await;
    let mut config = test_config(&db);
    config.http.trusted_proxies = vec!["127.0.0.1/32".parse().unwrap()];
    let proxied = TestApp::start_with(db, config).await;
    proxied.wait_ready().await;
    let (email, password) = member(&proxied).await;
    for (proto, secure) in [(Some("https"), true), (Some("http"), false), (None, false)] {
        let mut request = proxied
            .http
            .post(proxied.url("/api/auth/session"))
            .json(&json!({"email": email, "password": password}));
        if let Some(proto) = proto {
            request = request.header("x-forwarded-proto", proto);
        }
        let cookies = set_cookies(&request.send().await.unwrap());
        assert_eq!(cookies.len(), 2);
        for cookie in &cookies {
            assert_eq!(cookie.ends_with("; Secure"), secure, "{proto:?}: {cookie}");
        }
    }

    let db = TestDb::migrated().await;
    let mut config = test_config(&db);
    config.auth.secure_cookies = true;
    let forced = TestApp::start_with(db, config).await;
    forced.wait_ready().await;
    let (email, password) = member(&forced).await;
    let (_, cookies, _) = sign_in(&forced, &email, &password).await;
    assert!(
        cookies.iter().all(|c| c.ends_with("; Secure")),
        "{cookies:?}"
    );
}

#[tokio::test]
async fn refresh_needs_the_csrf_header_and_rotates_both_cookies() {
    let app = TestApp::spawn().await;
    let (email, password) = member(&app).await;
    let (first, _, _) = sign_in(&app, &email, &password).await;
    let (other, _, _) = sign_in(&app, &email, &password).await;

    // No header, a foreign session's token, a header without the cookie: 403, nothing rotated.
    let missing = refresh(&app, &first.cookie_header(), None).await;
    assert_eq!(missing.status(), 403);
    assert!(set_cookies(&missing).is_empty());
    assert_eq!(json(missing).await["error"]["code"], "csrf_failed");
    let foreign = refresh(&app, &first.cookie_header(), Some(&other.csrf)).await;
    assert_eq!(foreign.status(), 403);
    assert_eq!(json(foreign).await["error"]["code"], "csrf_failed");
    let no_csrf_cookie = refresh(
        &app,
        &format!("gathering_refresh={}", first.refresh),
        Some(&first.csrf),
    )
    .await;
    assert_eq!(no_csrf_cookie.status(), 403);

    // The refused attempts changed nothing: the cookie still works, once.
    let rotated = refresh(&app, &first.cookie_header(), Some(&first.csrf)).await;
    assert_eq!(rotated.status(), 200);
    let (second, cookies, body) = session_of(rotated).await;
    assert_eq!(cookies.len(), 2);
    assert_ne!(second.refresh, first.refresh);
    assert_eq!(second.csrf, csrf_of(&second.refresh));
    assert_eq!(body["user"]["email"], email.as_str());
    assert!(body.get("refresh_token").is_none());
    assert_eq!(
        app.get_as("/api/auth/me", &second.access).await.status(),
        200
    );

    let again = refresh(&app, &second.cookie_header(), Some(&second.csrf)).await;
    assert_eq!(again.status(), 200);

    // No cookie at all: 401, and both cookies cleared.
    let anonymous = app
        .http
        .post(app.url("/api/auth/session/refresh"))
        .send()
        .await
        .unwrap();
    assert_eq!(anonymous.status(), 401);
    assert_cleared(&set_cookies(&anonymous));
    assert_eq!(json(anonymous).await["error"]["code"], "unauthenticated");
}

#[tokio::test]
async fn a_replayed_refresh_cookie_revokes_the_session() {
    let app = TestApp::spawn().await;
    let (email, password) = member(&app).await;
    let (first, _, _) = sign_in(&app, &email, &password).await;
    let rotated = refresh(&app, &first.cookie_header(), Some(&first.csrf)).await;
    let (second, _, _) = session_of(rotated).await;

    let replay = refresh(&app, &first.cookie_header(), Some(&first.csrf)).await;
    assert_eq!(replay.status(), 401);
    assert_cleared(&set_cookies(&replay));
    let after = refresh(&app, &second.cookie_header(), Some(&second.csrf)).await;
    assert_eq!(after.status(), 401, "the whole session is revoked");
    assert_eq!(
        app.get_as("/api/auth/me", &second.access).await.status(),
        401
    );
    let client = app.db.client().await;
    let reuse: i64 = client
        .query_one(
            "SELECT count(*) FROM audit.events WHERE action = 'auth.refresh_reuse'",
            &[],
        )
        .await
        .unwrap()
        .get(0);
    assert_eq!(reuse, 1);
}

#[tokio::test]
async fn sign_out_revokes_the_session_and_is_idempotent() {
    let app = TestApp::spawn().await;
    let (email, password) = member(&app).await;
    let (session, _, _) = sign_in(&app, &email, &password).await;
    let sign_out = |cookies: Option<String>, csrf: Option<String>, bearer: Option<String>| {
        let mut request = app.http.delete(app.url("/api/auth/session"));
        if let Some(cookies) = cookies {
            request = request.header("cookie", cookies);
        }
        if let Some(csrf) = csrf {
            request = request.header("x-csrf-token", csrf);
        }
        if let Some(bearer) = bearer {
            request = request.bearer_auth(bearer);
        }
        async move { request.send().await.unwrap() }
    };

    // A cookie without the CSRF header: refused, nothing revoked.
    let refused = sign_out(Some(session.cookie_header()), None, None).await;
    assert_eq!(refused.status(), 403);
    assert_eq!(json(refused).await["error"]["code"], "csrf_failed");
    assert_eq!(
        app.get_as("/api/auth/me", &session.access).await.status(),
        200
    );

    let out = sign_out(
        Some(session.cookie_header()),
        Some(session.csrf.clone()),
        Some(session.access.clone()),
    )
    .await;
    assert_eq!(out.status(), 204);
    assert_cleared(&set_cookies(&out));
    let refreshed = refresh(&app, &session.cookie_header(), Some(&session.csrf)).await;
    assert_eq!(refreshed.status(), 401);
    assert_eq!(
        app.get_as("/api/auth/me", &session.access).await.status(),
        401
    );
    assert!(audit_count(&app, "auth.logout").await >= 1);

    // Signing out again, or with nothing at all: 204, cookies cleared.
    let again = sign_out(
        Some(session.cookie_header()),
        Some(session.csrf.clone()),
        None,
    )
    .await;
    assert_eq!(again.status(), 204);
    let bare = sign_out(None, None, None).await;
    assert_eq!(bare.status(), 204);
    assert_cleared(&set_cookies(&bare));

    // The cookie alone (no bearer) ends its session too, and its access tokens with it.
    let (other, _, _) = sign_in(&app, &email, &password).await;
    let out = sign_out(Some(other.cookie_header()), Some(other.csrf.clone()), None).await;
    assert_eq!(out.status(), 204);
    assert_eq!(
        app.get_as("/api/auth/me", &other.access).await.status(),
        401
    );
    assert_eq!(audit_count(&app, "auth.logout").await, 2);
}
