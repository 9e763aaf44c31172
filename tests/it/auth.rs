//! Identity end to end: login, refresh rotation and reuse detection, logout that survives a
//! restart, roles, every protected route refusing anonymous requests, fail-closed revocation,
//! audit rows with the right client address, `gathering users create`.

use gathering::auth::model::Role;
use serde_json::{Value, json};

use crate::support::{self, TestApp, TestDb, json, test_config};

async fn post(app: &TestApp, path: &str, body: Value) -> reqwest::Response {
    app.http
        .post(app.url(path))
        .json(&body)
        .send()
        .await
        .unwrap()
}

#[tokio::test]
async fn refresh_rotates_and_a_reused_refresh_token_revokes_the_session() {
    let app = TestApp::spawn().await;
    let password = app.create_user("ada@example.org", Role::Member).await;
    let (access, refresh) = app.login("ADA@example.org", &password).await;

    let me = json(app.get_as("/api/auth/me", &access).await).await;
    assert_eq!(me["email"], "ada@example.org");
    assert_eq!(me["role"], "member");

    let rotated = post(&app, "/api/auth/refresh", json!({"refresh_token": refresh})).await;
    assert_eq!(rotated.status(), 200);
    let rotated = json(rotated).await;
    assert_eq!(rotated["token_type"], "bearer");
    let new_refresh = rotated["refresh_token"].as_str().unwrap().to_owned();
    let new_access = rotated["access_token"].as_str().unwrap().to_owned();
    assert_ne!(new_refresh, refresh);
    assert_eq!(app.get_as("/api/auth/me", &new_access).await.status(), 200);

    // The old refresh token again: it leaked. The whole session dies.
    let reuse = post(&app, "/api/auth/refresh", json!({"refresh_token": refresh})).await;
    assert_eq!(reuse.status(), 401);
    let after = post(
        &app,
        "/api/auth/refresh",
        json!({"refresh_token": new_refresh}),
    )
    .await;
    assert_eq!(
        after.status(),
        401,
        "the rotated token of the family is revoked too"
    );
    assert_eq!(app.get_as("/api/auth/me", &new_access).await.status(), 401);

    let client = app.db.client().await;
    let reuse_rows: i64 = client
        .query_one(
            "SELECT count(*) FROM audit.events WHERE action = 'auth.refresh_reuse'",
            &[],
        )
        .await
        .unwrap()
        .get(0);
    assert_eq!(reuse_rows, 1);
}

#[tokio::test]
async fn wrong_passwords_and_unknown_emails_are_answered_alike_and_audited() {
    let app = TestApp::spawn().await;
    app.create_user("bob@example.org", Role::Viewer).await;
    let wrong = post(
        &app,
        "/api/auth/login",
        json!({"email": "bob@example.org", "password": "not the password"}),
    )
    .await;
    let unknown = post(
        &app,
        "/api/auth/login",
        json!({"email": "nobody@example.org", "password": "not the password"}),
    )
    .await;
    assert_eq!(wrong.status(), 401);
    assert_eq!(unknown.status(), 401);
    assert_eq!(json(wrong).await, json(unknown).await);

    let extra = post(
        &app,
        "/api/auth/login",
        json!({"email": "bob@example.org", "password": "x", "admin": true}),
    )
    .await;
    assert_eq!(extra.status(), 422, "unknown fields are refused");
    assert_eq!(json(extra).await["error"]["code"], "validation_failed");

    let client = app.db.client().await;
    let failures: i64 = client
        .query_one(
            "SELECT count(*) FROM audit.events WHERE action = 'auth.login' AND outcome = 'failure'",
            &[],
        )
        .await
        .unwrap()
        .get(0);
    assert_eq!(failures, 2);
    let tamper = client.execute("DELETE FROM audit.events", &[]).await;
    assert!(tamper.is_err(), "the audit log is append-only");
}

#[tokio::test]
async fn logout_revokes_the_token_and_the_session_even_after_a_restart() {
    let app = TestApp::spawn().await;
    let password = app.create_user("cy@example.org", Role::Member).await;
    let (access, refresh) = app.login("cy@example.org", &password).await;
    let out = app
        .http
        .post(app.url("/api/auth/logout"))
        .bearer_auth(&access)
        .send()
        .await
        .unwrap();
    assert_eq!(out.status(), 204);
    assert_eq!(app.get_as("/api/auth/me", &access).await.status(), 401);
    let refreshed = post(&app, "/api/auth/refresh", json!({"refresh_token": refresh})).await;
    assert_eq!(refreshed.status(), 401);

    // A new server process on the same database (empty in-memory cache) still refuses it.
    let db = TestDb {
        name: app.db.name.clone(),
        url: app.db.url.clone(),
    };
    app.shutdown().await.unwrap();
    let restarted = TestApp::start(db).await;
    restarted.wait_ready().await;
    let response = restarted.get_as("/api/auth/me", &access).await;
    assert_eq!(response.status(), 401);
    assert!(response.headers().contains_key("www-authenticate"));
}

#[tokio::test]
async fn roles_are_enforced_and_admins_manage_users() {
    let app = TestApp::spawn().await;
    let viewer = app.signed_in(Role::Viewer).await;
    let admin = app.signed_in(Role::Admin).await;

    let denied = app.get_as("/api/users", &viewer).await;
    assert_eq!(denied.status(), 403);
    assert_eq!(json(denied).await["error"]["code"], "forbidden");

    let create = |token: String, body: Value| {
        let request = app
            .http
            .post(app.url("/api/users"))
            .bearer_auth(token)
            .json(&body);
        async move { request.send().await.unwrap() }
    };
    let body = json!({"email": "dee@example.org", "display_name": "Dee", "password": "long enough password", "role": "member"});
    let created = create(admin.clone(), body.clone()).await;
    assert_eq!(created.status(), 201);
    assert_eq!(json(created).await["role"], "member");
    assert_eq!(create(admin.clone(), body).await.status(), 409);
    let weak = json!({"email": "eve@example.org", "display_name": "Eve", "password": "short", "role": "member"});
    let weak = create(admin.clone(), weak).await;
    assert_eq!(weak.status(), 422);
    assert_eq!(json(weak).await["error"]["details"]["field"], "password");

    let page = json(app.get_as("/api/users?limit=2", &admin).await).await;
    assert_eq!(page["items"].as_array().unwrap().len(), 2);
    let next = page["next_cursor"].as_str().unwrap();
    let rest = json(
        app.get_as(&format!("/api/users?limit=2&cursor={next}"), &admin)
            .await,
    )
    .await;
    assert_eq!(rest["items"].as_array().unwrap().len(), 1);
}

#[tokio::test]
async fn admins_filter_users_by_role_and_status_with_the_search_and_paging() {
    let app = TestApp::spawn().await;
    let admin = app.signed_in(Role::Admin).await;
    let viewer = app.signed_in(Role::Viewer).await;
    let mut ids = Vec::new();
    for (name, role) in [("ann", "member"), ("bob", "member"), ("cat", "viewer")] {
        let created = app
            .http
            .post(app.url("/api/users"))
            .bearer_auth(&admin)
            .json(
                &json!({"email": format!("{name}-filtered@example.org"), "display_name": name,
                "password": "long enough password", "role": role}),
            )
            .send()
            .await
            .unwrap();
        assert_eq!(created.status(), 201);
        ids.push(json(created).await["id"].as_str().unwrap().to_owned());
    }
    let disabled = app
        .http
        .patch(app.url(&format!("/api/users/{}", ids[1])))
        .bearer_auth(&admin)
        .json(&json!({"disabled": true}))
        .send()
        .await
        .unwrap();
    assert_eq!(disabled.status(), 200);

    let names = async |query: &str| {
        let response = app.get_as(&format!("/api/users?{query}"), &admin).await;
        assert_eq!(response.status(), 200, "{query}");
        let page = json(response).await;
        let names: Vec<String> = page["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|u| u["display_name"].as_str().unwrap().to_owned())
            .collect();
        (names, page["next_cursor"].as_str().map(str::to_owned))
    };
    assert_eq!(names("role=member").await.0, ["ann", "bob"]);
    assert_eq!(names("status=disabled").await.0, ["bob"]);
    assert_eq!(names("role=member&status=active").await.0, ["ann"]);
    assert_eq!(names("q=FILTERED&role=viewer").await.0, ["cat"]);
    assert_eq!(names("q=filtered&status=active").await.0, ["ann", "cat"]);
    assert!(names("q=filtered&role=admin").await.0.is_empty());
    let all_active = names("status=active").await.0;
    assert_eq!(
        all_active.len(),
        4,
        "two signed-in users, ann and cat: {all_active:?}"
    );

    // Paging and order are those of the unfiltered list.
    let (first, cursor) = names("role=member&limit=1").await;
    assert_eq!(first, ["ann"]);
    let cursor = cursor.expect("a next page");
    let rest = json(
        app.get_as(
            &format!("/api/users?role=member&limit=1&cursor={cursor}"),
            &admin,
        )
        .await,
    )
    .await;
    assert_eq!(rest["items"][0]["display_name"], "bob");

    for (query, field) in [
        ("role=owner", "role"),
        ("role=Admin", "role"),
        ("status=gone", "status"),
        ("q=ann&status=enabled", "status"),
    ] {
        let refused = app.get_as(&format!("/api/users?{query}"), &admin).await;
        assert_eq!(refused.status(), 422, "{query}");
        let body = json(refused).await;
        assert_eq!(body["error"]["code"], "validation_failed", "{query}");
        assert_eq!(body["error"]["details"]["field"], field, "{query}");
    }
    let denied = app
        .get_as("/api/users?role=admin&status=active", &viewer)
        .await;
    assert_eq!(denied.status(), 403);
}

/// Every operation in the OpenAPI document is walked: anonymous requests to protected ones get
/// 401 with a challenge, every role weaker than the one the document names gets 403, and that
/// role itself gets past authorisation. Every route the router has must be in the document, so
/// new routes are covered as soon as they exist.
#[tokio::test]
async fn every_route_enforces_the_role_its_document_names() {
    const PUBLIC: &[&str] = &[
        "/health/live",
        "/health/ready",
        "/metrics",
        "/api/auth/login",
        "/api/auth/refresh",
        "/api/auth/register",
        // The browser session: a cookie and the CSRF header (session.rs tests them).
        "/api/auth/session",
        "/api/auth/session/refresh",
        // First-run setup: its one-time token (setup.rs tests it).
        "/api/setup",
        // Authenticated by the pipeline's own webhook secret (pipeline_versions.rs tests it).
        "/api/pipelines/{id}/webhook",
    ];
    let app = TestApp::spawn().await;
    let doc = json(app.get("/api/openapi.json").await).await;
    let paths = doc["paths"].as_object().unwrap();

    let router =
        std::fs::read_to_string(support::repo_root().join("gathering/api/mod.rs")).unwrap();
    let routed: Vec<&str> = router
        .split(".route(\"")
        .skip(1)
        .map(|rest| rest.split('"').next().unwrap())
        .collect();
    assert!(routed.len() >= 10, "{routed:?}");
    for route in &routed {
        assert!(
            paths.contains_key(*route),
            "{route} is routed but not in the OpenAPI document"
        );
    }

    let mut users = std::collections::HashMap::new();
    for role in [Role::Viewer, Role::Member, Role::Admin] {
        let email = format!("walk-{role}@example.org");
        let password = app.create_user(&email, role).await;
        users.insert(role, (email, password));
    }
    let token = |role: Role| {
        let (email, password) = users[&role].clone();
        let app = &app;
        async move { app.login(&email, &password).await.0 }
    };
    let send = |method: &reqwest::Method, path: &str, token: Option<&str>| {
        let mut request = app
            .http
            .request(method.clone(), app.url(path))
            .json(&json!({}));
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        async move { request.send().await.unwrap() }
    };

    let mut checked = 0;
    for (template, item) in paths {
        let path = template.replace("{id}", &uuid::Uuid::now_v7().to_string());
        for (method, operation) in item.as_object().unwrap() {
            let security = &operation["security"];
            assert_eq!(
                security.is_array(),
                !PUBLIC.contains(&template.as_str()),
                "{method} {template}: security in the document"
            );
            if !security.is_array() {
                continue;
            }
            let roles = security[0]["bearer"].as_array().unwrap();
            assert_eq!(roles.len(), 1, "{method} {template}: name exactly one role");
            let needed: Role = roles[0].as_str().unwrap().parse().unwrap();
            let method = reqwest::Method::from_bytes(method.to_uppercase().as_bytes()).unwrap();

            let anonymous = send(&method, &path, None).await;
            assert_eq!(anonymous.status(), 401, "{method} {template}");
            assert!(
                anonymous.headers().contains_key("www-authenticate"),
                "{method} {template}"
            );

            for weaker in [Role::Viewer, Role::Member]
                .into_iter()
                .filter(|r| *r < needed)
            {
                let response = send(&method, &path, Some(&token(weaker).await)).await;
                assert_eq!(response.status(), 403, "{method} {template} as {weaker}");
                assert_eq!(json(response).await["error"]["code"], "forbidden");
            }
            let allowed = send(&method, &path, Some(&token(needed).await)).await;
            assert!(
                ![401, 403].contains(&allowed.status().as_u16()),
                "{method} {template} as {needed}: {}",
                allowed.status()
            );
            checked += 1;
        }
    }
    assert!(checked >= 10, "{checked}");
}

#[tokio::test]
async fn revocation_that_cannot_be_checked_refuses_the_request() {
    let app = TestApp::spawn().await;
    let token = app.signed_in(Role::Member).await;
    let client = app.db.client().await;
    client
        .batch_execute("ALTER TABLE auth.revoked_tokens RENAME TO revoked_tokens_gone")
        .await
        .unwrap();
    let response = app.get_as("/api/auth/me", &token).await;
    assert_eq!(response.status(), 503);
    assert_eq!(json(response).await["error"]["code"], "auth_unavailable");
}

#[tokio::test]
async fn audit_rows_carry_the_client_address_behind_trusted_proxies_only() {
    let db = TestDb::migrated().await;
    let mut config = test_config(&db);
    config.http.trusted_proxies = vec!["127.0.0.0/8".parse().unwrap()];
    let trusting = TestApp::start_with(db, config).await;
    trusting.wait_ready().await;
    let password = trusting.create_user("fay@example.org", Role::Viewer).await;
    let response = trusting
        .http
        .post(trusting.url("/api/auth/login"))
        .header("x-forwarded-for", "198.51.100.7, 203.0.113.9")
        .header("x-request-id", "req-audit-1")
        .json(&json!({"email": "fay@example.org", "password": password}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let row = trusting
        .db
        .client()
        .await
        .query_one(
            "SELECT host(ip), request_id FROM audit.events WHERE action = 'auth.login' AND outcome = 'success'",
            &[],
        )
        .await
        .unwrap();
    assert_eq!(row.get::<_, String>(0), "203.0.113.9");
    assert_eq!(row.get::<_, String>(1), "req-audit-1");

    let plain = TestApp::spawn().await;
    let password = plain.create_user("gus@example.org", Role::Viewer).await;
    plain
        .http
        .post(plain.url("/api/auth/login"))
        .header("x-forwarded-for", "203.0.113.9")
        .json(&json!({"email": "gus@example.org", "password": password}))
        .send()
        .await
        .unwrap();
    let ip: String = plain
        .db
        .client()
        .await
        .query_one(
            "SELECT host(ip) FROM audit.events WHERE action = 'auth.login'",
            &[],
        )
        .await
        .unwrap()
        .get(0);
    assert_eq!(
        ip, "127.0.0.1",
        "X-Forwarded-For from an untrusted peer is ignored"
    );
}

#[tokio::test]
async fn the_first_admin_comes_from_the_environment_once() {
    let db = TestDb::migrated().await;
    let mut config = test_config(&db);
    config.auth.admin_email = Some("boss@example.org".to_owned());
    config.auth.admin_password = Some("first admin password".to_owned().into());
    let app = TestApp::start_with(db, config.clone()).await;
    app.wait_ready().await;
    let (access, _) = app.login("boss@example.org", "first admin password").await;
    assert_eq!(
        json(app.get_as("/api/auth/me", &access).await).await["role"],
        "admin"
    );

    // Honoured once: a later start with other values changes nothing.
    let db = TestDb {
        name: app.db.name.clone(),
        url: app.db.url.clone(),
    };
    app.shutdown().await.unwrap();
    config.auth.admin_email = Some("other@example.org".to_owned());
    config.auth.admin_password = Some("another admin password".to_owned().into());
    let again = TestApp::start_with(db, config).await;
    again.wait_ready().await;
    let admins: i64 = again
        .db
        .client()
        .await
        .query_one("SELECT count(*) FROM auth.users WHERE role = 'admin'", &[])
        .await
        .unwrap()
        .get(0);
    assert_eq!(admins, 1);
}
