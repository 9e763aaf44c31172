//! Access beyond sessions, end to end: API keys and their scopes, rate limits with their
//! headers (CORS included on refusals), per-account login backoff, the audit API, user changes,
//! self-registration, private metrics and the production start-up gate.

use gathering::app::{App, StartError};
use gathering::auth::model::Role;
use gathering::config::Environment;
use reqwest::Method;
use serde_json::{Value, json};

use crate::support::{TestApp, TestDb, json, test_config};

async fn send(
    app: &TestApp,
    method: Method,
    path: &str,
    token: &str,
    body: Value,
) -> reqwest::Response {
    app.http
        .request(method, app.url(path))
        .bearer_auth(token)
        .json(&body)
        .send()
        .await
        .unwrap()
}

async fn audit_actions(app: &TestApp, action: &str) -> i64 {
    app.db
        .client()
        .await
        .query_one(
            "SELECT count(*) FROM audit.events WHERE action = $1",
            &[&action],
        )
        .await
        .unwrap()
        .get(0)
}

#[tokio::test]
async fn api_keys_authenticate_within_their_scope_until_revoked_or_expired() {
    let app = TestApp::spawn().await;
    let password = app.create_user("ann@example.org", Role::Admin).await;
    let (admin, _) = app.login("ann@example.org", &password).await;
    let member = app.signed_in(Role::Member).await;

    // A key is shown once, with a visible prefix, and works as a bearer token.
    let created = send(
        &app,
        Method::POST,
        "/api/api-keys",
        &admin,
        json!({"name": "ci", "role": "admin"}),
    )
    .await;
    assert_eq!(created.status(), 201);
    let created = json(created).await;
    let secret = created["secret"].as_str().unwrap().to_owned();
    assert!(secret.starts_with("gk_") && secret.len() > 40, "{secret}");
    assert_eq!(created["prefix"].as_str().unwrap(), &secret[..11]);
    assert_eq!(created["role"], "admin");
    let users = app.get_as("/api/users", &secret).await;
    assert_eq!(users.status(), 200);
    let stored: Vec<u8> = app
        .db
        .client()
        .await
        .query_one("SELECT key_hash FROM auth.api_keys", &[])
        .await
        .unwrap()
        .get(0);
    assert!(
        !stored
            .windows(8)
            .any(|w| secret.as_bytes().windows(8).any(|s| s == w))
    );

    // A key scoped below its creator has only its scope.
    let viewer_key = json(
        send(
            &app,
            Method::POST,
            "/api/api-keys",
            &admin,
            json!({"name": "dash", "role": "viewer"}),
        )
        .await,
    )
    .await;
    let viewer_key = viewer_key["secret"].as_str().unwrap().to_owned();
    assert_eq!(app.get_as("/api/auth/me", &viewer_key).await.status(), 200);
    let denied = app.get_as("/api/users", &viewer_key).await;
    assert_eq!(denied.status(), 403);

    // No key above the creator's role; keys cannot mint keys or sign out.
    let above = send(
        &app,
        Method::POST,
        "/api/api-keys",
        &member,
        json!({"name": "x", "role": "admin"}),
    )
    .await;
    assert_eq!(above.status(), 403);
    let minted = send(
        &app,
        Method::POST,
        "/api/api-keys",
        &secret,
        json!({"name": "child"}),
    )
    .await;
    assert_eq!(minted.status(), 403);
    let logout = send(&app, Method::POST, "/api/auth/logout", &secret, json!({})).await;
    assert_eq!(logout.status(), 403);
    let past = send(
        &app,
        Method::POST,
        "/api/api-keys",
        &member,
        json!({"name": "old", "expires_at": "2020-01-01T00:00:00Z"}),
    )
    .await;
    assert_eq!(past.status(), 422);

    // Last use is recorded; listing shows no secrets.
    let list = json(app.get_as("/api/api-keys", &admin).await).await;
    let items = list["items"].as_array().unwrap();
    assert_eq!(items.len(), 2);
    assert!(items.iter().all(|k| k.get("secret").is_none()));
    assert!(items.iter().all(|k| !k["last_used_at"].is_null()));
    let others = app
        .get_as(
            &format!(
                "/api/api-keys?user_id={}",
                created["user_id"].as_str().unwrap()
            ),
            &member,
        )
        .await;
    assert_eq!(others.status(), 403);

    // Demoting the creator demotes the key.
    let ann_id = created["user_id"].as_str().unwrap();
    let second_admin = app.signed_in(Role::Admin).await;
    let demoted = send(
        &app,
        Method::PATCH,
        &format!("/api/users/{ann_id}"),
        &second_admin,
        json!({"role": "member"}),
    )
    .await;
    assert_eq!(demoted.status(), 200);
    assert_eq!(app.get_as("/api/users", &secret).await.status(), 403);
    assert_eq!(app.get_as("/api/auth/me", &secret).await.status(), 200);

    // Someone else's key is not found; the owner's revocation ends it at once.
    let key_id = created["id"].as_str().unwrap();
    let path = format!("/api/api-keys/{key_id}");
    assert_eq!(
        send(&app, Method::DELETE, &path, &member, json!({}))
            .await
            .status(),
        404
    );
    assert_eq!(
        send(&app, Method::DELETE, &path, &viewer_key, json!({}))
            .await
            .status(),
        403,
        "keys are revoked from a session"
    );
    let revoked = send(&app, Method::DELETE, &path, &admin, json!({})).await;
    assert_eq!(revoked.status(), 200);
    assert!(!json(revoked).await["revoked_at"].is_null());
    let refused = app.get_as("/api/auth/me", &secret).await;
    assert_eq!(refused.status(), 401);
    assert!(refused.headers().contains_key("www-authenticate"));
    assert_eq!(
        send(&app, Method::DELETE, &path, &admin, json!({}))
            .await
            .status(),
        200
    );

    // An expired key stops working.
    app.db
        .client()
        .await
        .execute(
            "UPDATE auth.api_keys SET expires_at = now() - interval '1 second'",
            &[],
        )
        .await
        .unwrap();
    assert_eq!(app.get_as("/api/auth/me", &viewer_key).await.status(), 401);

    assert_eq!(audit_actions(&app, "api_key.created").await, 2);
    assert_eq!(audit_actions(&app, "api_key.revoked").await, 1);
}

#[tokio::test]
async fn rate_limits_refuse_with_429_and_headers_and_cors_reaches_every_refusal() {
    let db = TestDb::migrated().await;
    let mut config = test_config(&db);
    config.rate_limits.read_per_minute = 3;
    config.rate_limits.auth_per_minute = 2;
    config.http.cors_origins = vec!["https://app.example".to_owned()];
    let app = TestApp::start_with(db, config).await;
    app.wait_ready().await;
    let origin = |request: reqwest::RequestBuilder| request.header("origin", "https://app.example");

    // Reads by one anonymous address: three allowed, counting down, then 429.
    for remaining in ["2", "1", "0"] {
        let response = origin(app.http.get(app.url("/api/openapi.json")))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 200);
        assert_eq!(response.headers()["x-ratelimit-limit"], "3");
        assert_eq!(response.headers()["x-ratelimit-remaining"], remaining);
        assert!(response.headers().contains_key("x-ratelimit-reset"));
    }
    let refused = origin(app.http.get(app.url("/api/openapi.json")))
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status(), 429);
    let headers = refused.headers().clone();
    let retry: u64 = headers["retry-after"].to_str().unwrap().parse().unwrap();
    assert!((1..=20).contains(&retry), "{retry}");
    assert_eq!(headers["x-ratelimit-remaining"], "0");
    assert_eq!(
        headers["access-control-allow-origin"],
        "https://app.example"
    );
    let body = json(refused).await;
    assert_eq!(body["error"]["code"], "rate_limited");
    assert_eq!(body["error"]["details"]["tier"], "read");

    // A signed-in user has a budget of their own; health has its own tier.
    assert_eq!(app.get("/health/live").await.status(), 200);
    let password = app.create_user("bo@example.org", Role::Viewer).await;
    let (token, _) = app.login("bo@example.org", &password).await;
    let me = origin(app.http.get(app.url("/api/auth/me")).bearer_auth(&token))
        .send()
        .await
        .unwrap();
    assert_eq!(me.status(), 200);
    assert_eq!(me.headers()["x-ratelimit-remaining"], "2");

    // 403 carries CORS headers too.
    let forbidden = origin(app.http.get(app.url("/api/users")).bearer_auth(&token))
        .send()
        .await
        .unwrap();
    assert_eq!(forbidden.status(), 403);
    assert_eq!(
        forbidden.headers()["access-control-allow-origin"],
        "https://app.example"
    );

    // A made-up key draws on its address's budgets (a GET here would meet the spent read
    // budget), and failed credentials spend the address's sign-in budget too (the login above
    // spent one of two): the first bad key is a 401 (with CORS), the next a 429.
    let bad = origin(
        app.http
            .post(app.url("/api/api-keys"))
            .json(&json!({"name": "guess"}))
            .bearer_auth("gk_guess1"),
    )
    .send()
    .await
    .unwrap();
    assert_eq!(bad.status(), 401);
    assert_eq!(
        bad.headers()["access-control-allow-origin"],
        "https://app.example"
    );
    let bad = origin(
        app.http
            .post(app.url("/api/api-keys"))
            .json(&json!({"name": "guess"}))
            .bearer_auth("gk_guess2"),
    )
    .send()
    .await
    .unwrap();
    assert_eq!(bad.status(), 429);
    assert!(bad.headers().contains_key("retry-after"));
    assert_eq!(json(bad).await["error"]["details"]["tier"], "auth");
    let login = app
        .http
        .post(app.url("/api/auth/login"))
        .json(&json!({"email": "bo@example.org", "password": password}))
        .send()
        .await
        .unwrap();
    assert_eq!(login.status(), 429, "sign-ins share the spent budget");
}

async fn login_status(app: &TestApp, email: &str, password: &str) -> (u16, Value, Option<u64>) {
    let response = app
        .http
        .post(app.url("/api/auth/login"))
        .json(&json!({"email": email, "password": password}))
        .send()
        .await
        .unwrap();
    let status = response.status().as_u16();
    let retry = response
        .headers()
        .get("retry-after")
        .map(|v| v.to_str().unwrap().parse().unwrap());
    (status, json(response).await, retry)
}

#[tokio::test]
async fn failed_logins_back_off_per_email_whether_or_not_the_account_exists() {
    let db = TestDb::migrated().await;
    let mut config = test_config(&db);
    config.auth.login_backoff_after = 3;
    config.auth.login_backoff_base = std::time::Duration::from_secs(60);
    let app = TestApp::start_with(db, config).await;
    app.wait_ready().await;
    let password = app.create_user("cy@example.org", Role::Member).await;

    // A success clears earlier failures.
    assert_eq!(
        login_status(&app, "cy@example.org", "wrong password 1")
            .await
            .0,
        401
    );
    assert_eq!(login_status(&app, "cy@example.org", &password).await.0, 200);

    let mut known = Vec::new();
    let mut unknown = Vec::new();
    for attempt in 0..3 {
        let wrong = format!("wrong password {attempt}");
        known.push(login_status(&app, "CY@example.org", &wrong).await);
        unknown.push(login_status(&app, "nobody@example.org", &wrong).await);
    }
    let shape = |answers: &[(u16, Value, Option<u64>)]| -> Vec<(u16, Value)> {
        answers
            .iter()
            .map(|(s, b, _)| (*s, b["error"]["code"].clone()))
            .collect()
    };
    assert_eq!(shape(&known), shape(&unknown), "existence must not show");
    assert_eq!(
        shape(&known),
        [
            (401, json!("invalid_credentials")),
            (401, json!("invalid_credentials")),
            (429, json!("login_throttled")),
        ]
    );

    // Now even the right password waits; the wait is announced; other emails are unaffected.
    let (status, body, retry) = login_status(&app, "cy@example.org", &password).await;
    assert_eq!(
        (status, body["error"]["code"].as_str()),
        (429, Some("login_throttled"))
    );
    let retry = retry.unwrap();
    assert!((1..=60).contains(&retry), "{retry}");
    let other = app.create_user("di@example.org", Role::Viewer).await;
    assert_eq!(login_status(&app, "di@example.org", &other).await.0, 200);

    let throttled: i64 = app
        .db
        .client()
        .await
        .query_one(
            "SELECT count(*) FROM audit.events
              WHERE action = 'auth.login' AND details->>'reason' = 'throttled'",
            &[],
        )
        .await
        .unwrap()
        .get(0);
    assert_eq!(throttled, 1);
}

#[tokio::test]
async fn admins_read_the_audit_log_filtered_and_paged() {
    let app = TestApp::spawn().await;
    let admin = app.signed_in(Role::Admin).await;
    let member = app.signed_in(Role::Member).await;
    for n in 0..3 {
        login_status(&app, "ghost@example.org", &format!("wrong password {n}")).await;
    }
    send(
        &app,
        Method::POST,
        "/api/api-keys",
        &member,
        json!({"name": "k"}),
    )
    .await;

    assert_eq!(app.get_as("/api/audit", &member).await.status(), 403);
    let failures = json(
        app.get_as(
            "/api/audit?action=auth.login&outcome=failure&limit=2",
            &admin,
        )
        .await,
    )
    .await;
    let items = failures["items"].as_array().unwrap();
    assert_eq!(items.len(), 2);
    assert!(
        items
            .iter()
            .all(|e| e["action"] == "auth.login" && e["outcome"] == "failure")
    );
    assert!(
        items[0]["ts"].as_str() >= items[1]["ts"].as_str(),
        "newest first"
    );
    assert_eq!(items[0]["ip"], "127.0.0.1");
    let cursor = failures["next_cursor"].as_str().unwrap();
    let rest = json(
        app.get_as(
            &format!("/api/audit?action=auth.login&outcome=failure&cursor={cursor}"),
            &admin,
        )
        .await,
    )
    .await;
    assert_eq!(rest["items"].as_array().unwrap().len(), 1);

    let keys = json(app.get_as("/api/audit?action=api_key.", &admin).await).await;
    assert_eq!(keys["items"][0]["action"], "api_key.created");
    let bad = app.get_as("/api/audit?outcome=maybe", &admin).await;
    assert_eq!(bad.status(), 422);
    let unknown = app.get_as("/api/audit?colour=red", &admin).await;
    assert_eq!(unknown.status(), 400);
}

#[tokio::test]
async fn admins_change_roles_and_disable_users_but_never_the_last_admin() {
    let app = TestApp::spawn().await;
    let password = app.create_user("root@example.org", Role::Admin).await;
    let (admin, _) = app.login("root@example.org", &password).await;
    let me = json(app.get_as("/api/auth/me", &admin).await).await;
    let admin_id = me["id"].as_str().unwrap();

    let last = send(
        &app,
        Method::PATCH,
        &format!("/api/users/{admin_id}"),
        &admin,
        json!({"role": "member"}),
    )
    .await;
    assert_eq!(last.status(), 409);
    let last = send(
        &app,
        Method::PATCH,
        &format!("/api/users/{admin_id}"),
        &admin,
        json!({"disabled": true}),
    )
    .await;
    assert_eq!(last.status(), 409);

    let vi_password = app.create_user("vi@example.org", Role::Viewer).await;
    let (viewer, refresh) = app.login("vi@example.org", &vi_password).await;
    let vi_id = json(app.get_as("/api/auth/me", &viewer).await).await["id"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_eq!(app.get_as("/api/users", &viewer).await.status(), 403);
    let promoted = send(
        &app,
        Method::PATCH,
        &format!("/api/users/{vi_id}"),
        &admin,
        json!({"role": "admin", "display_name": "Vi"}),
    )
    .await;
    assert_eq!(promoted.status(), 200);
    assert_eq!(json(promoted).await["display_name"], "Vi");
    assert_eq!(
        app.get_as("/api/users", &viewer).await.status(),
        200,
        "takes effect at once"
    );

    // With a second admin, the first may step down; a disabled user is locked out entirely.
    let down = send(
        &app,
        Method::PATCH,
        &format!("/api/users/{admin_id}"),
        &admin,
        json!({"role": "member"}),
    )
    .await;
    assert_eq!(down.status(), 200);
    let disabled = send(
        &app,
        Method::PATCH,
        &format!("/api/users/{admin_id}"),
        &viewer,
        json!({"disabled": true}),
    )
    .await;
    assert_eq!(disabled.status(), 200);
    assert_eq!(app.get_as("/api/auth/me", &admin).await.status(), 401);
    assert_eq!(
        login_status(&app, "root@example.org", &password).await.0,
        401
    );

    let bad = send(
        &app,
        Method::PATCH,
        &format!("/api/users/{vi_id}"),
        &viewer,
        json!({"role": "root"}),
    )
    .await;
    assert_eq!(bad.status(), 422);
    let missing = send(
        &app,
        Method::PATCH,
        &format!("/api/users/{}", uuid::Uuid::now_v7()),
        &viewer,
        json!({}),
    )
    .await;
    assert_eq!(missing.status(), 404);
    assert_eq!(audit_actions(&app, "user.updated").await, 3);
    drop(refresh);
}

#[tokio::test]
async fn self_registration_is_off_unless_configured() {
    let closed = TestApp::spawn().await;
    let body = json!({"email": "new@example.org", "display_name": "New", "password": "a long enough password"});
    let response = closed
        .http
        .post(closed.url("/api/auth/register"))
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 403);
    let invalid = closed
        .http
        .post(closed.url("/api/auth/register"))
        .json(&json!({"email": "x", "display_name": "", "password": "short"}))
        .send()
        .await
        .unwrap();
    assert_eq!(
        invalid.status(),
        403,
        "closed says closed, whatever the body"
    );
    assert_eq!(audit_actions(&closed, "user.registered").await, 0);

    let db = TestDb::migrated().await;
    let mut config = test_config(&db);
    config.auth.self_registration = true;
    let open = TestApp::start_with(db, config).await;
    open.wait_ready().await;
    let response = open
        .http
        .post(open.url("/api/auth/register"))
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 201);
    assert_eq!(json(response).await["role"], "viewer");
    let again = open
        .http
        .post(open.url("/api/auth/register"))
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_eq!(again.status(), 409);
    open.login("new@example.org", "a long enough password")
        .await;
    assert_eq!(audit_actions(&open, "user.registered").await, 1);
}

#[tokio::test]
async fn private_metrics_need_credentials() {
    let db = TestDb::migrated().await;
    let mut config = test_config(&db);
    config.http.metrics_public = false;
    let app = TestApp::start_with(db, config).await;
    app.wait_ready().await;
    let anonymous = app.get("/metrics").await;
    assert_eq!(anonymous.status(), 401);
    assert!(anonymous.headers().contains_key("www-authenticate"));
    let token = app.signed_in(Role::Viewer).await;
    let scraped = app.get_as("/metrics", &token).await;
    assert_eq!(scraped.status(), 200);
    assert!(
        scraped
            .text()
            .await
            .unwrap()
            .contains("http_requests_total")
    );
}

#[tokio::test]
async fn production_refuses_to_start_without_a_configured_secret() {
    let db = TestDb::migrated().await;
    let mut config = test_config(&db);
    config.env = Environment::Production;
    let error = match App::build(config.clone()).await {
        Err(error) => error,
        Ok(_) => panic!("a production server without GATHERING_JWT_SECRET started"),
    };
    assert!(matches!(error, StartError::Config(_)), "{error:?}");
    assert!(
        error.to_string().contains("GATHERING_JWT_SECRET"),
        "{error}"
    );

    config.auth.jwt_secret = Some("a production secret of at least 32 bytes".to_owned().into());
    let app = TestApp::start_with(db, config).await;
    app.wait_ready().await;
}
