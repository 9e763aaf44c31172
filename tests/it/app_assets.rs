//! The dashboard served at `/` from `http.dashboard_dir`: caching headers of hashed assets and
//! of everything else, client routes answered with `index.html`, unknown API paths still JSON
//! 404s, the security headers, the "not built" page, and paths that try to leave the directory.

use std::path::Path;

use tokio::io::{AsyncReadExt, AsyncWriteExt};

use crate::support::{TestApp, TestDb, json, scratch_dir, test_config};

const INDEX: &str = "<!doctype html><title>gathering</title><div id=root></div>";
const SCRIPT: &str = "console.log('app abc123');";
const SECRET: &str = "TOP-SECRET-OUTSIDE-THE-DASHBOARD";

/// A server whose dashboard is `dir`.
async fn app_serving(dir: &Path) -> TestApp {
    let db = TestDb::migrated().await;
    let mut config = test_config(&db);
    config.http.dashboard_dir = Some(dir.to_owned());
    let app = TestApp::start_with(db, config).await;
    app.wait_ready().await;
    app
}

/// `root/dist` with an index, a hashed asset and a favicon; `root/secret.txt` beside it, and
/// a link inside `dist` that leads to it.
fn built_app(root: &Path) -> std::path::PathBuf {
    let dist = root.join("dist");
    std::fs::create_dir_all(dist.join("assets")).unwrap();
    std::fs::write(dist.join("index.html"), INDEX).unwrap();
    std::fs::write(dist.join("assets/app-abc123.js"), SCRIPT).unwrap();
    std::fs::write(
        dist.join("favicon.svg"),
        "<svg xmlns='http://www.w3.org/2000/svg'/>",
    )
    .unwrap();
    std::fs::write(root.join("secret.txt"), SECRET).unwrap();
    std::os::unix::fs::symlink(root.join("secret.txt"), dist.join("assets/leak.js")).unwrap();
    dist
}

fn header<'a>(response: &'a reqwest::Response, name: &str) -> &'a str {
    response
        .headers()
        .get(name)
        .map(|v| v.to_str().unwrap())
        .unwrap_or_else(|| panic!("no {name} header"))
}

/// Sends `target` as is (no client-side normalisation of `..`); returns the status and body.
async fn raw_get(app: &TestApp, target: &str) -> (u16, String) {
    let mut stream = tokio::net::TcpStream::connect(app.addr).await.unwrap();
    let request = format!("GET {target} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n");
    stream.write_all(request.as_bytes()).await.unwrap();
    let mut answer = Vec::new();
    stream.read_to_end(&mut answer).await.unwrap();
    let answer = String::from_utf8_lossy(&answer).into_owned();
    let status = answer
        .split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| panic!("no status line in {answer:?}"));
    (status, answer)
}

#[tokio::test]
async fn assets_are_immutable_and_everything_else_is_revalidated() {
    let scratch = scratch_dir();
    let app = app_serving(&built_app(scratch.path())).await;

    let asset = app.get("/assets/app-abc123.js").await;
    assert_eq!(asset.status(), 200);
    assert_eq!(
        header(&asset, "cache-control"),
        "public, max-age=31536000, immutable"
    );
    assert!(header(&asset, "content-type").contains("javascript"));
    assert_eq!(asset.text().await.unwrap(), SCRIPT);

    let favicon = app.get("/favicon.svg").await;
    assert_eq!(favicon.status(), 200);
    assert_eq!(header(&favicon, "cache-control"), "no-cache");
    assert!(header(&favicon, "content-type").starts_with("image/svg+xml"));

    for path in ["/", "/index.html"] {
        let index = app.get(path).await;
        assert_eq!(index.status(), 200, "{path}");
        assert_eq!(header(&index, "cache-control"), "no-cache", "{path}");
        assert_eq!(header(&index, "content-type"), "text/html; charset=utf-8");
        assert_eq!(index.text().await.unwrap(), INDEX, "{path}");
    }

    let head = app
        .http
        .head(app.url("/assets/app-abc123.js"))
        .send()
        .await
        .unwrap();
    assert_eq!(head.status(), 200);
    assert_eq!(
        header(&head, "cache-control"),
        "public, max-age=31536000, immutable"
    );
    assert_eq!(head.bytes().await.unwrap().len(), 0, "HEAD has no body");
    app.shutdown().await.unwrap();
}

#[tokio::test]
async fn client_routes_get_the_app_and_unknown_api_paths_stay_json() {
    let scratch = scratch_dir();
    let app = app_serving(&built_app(scratch.path())).await;

    for route in ["/pipelines/123/edit", "/login", "/settings/api-keys?tab=2"] {
        let page = app.get(route).await;
        assert_eq!(page.status(), 200, "{route}");
        assert_eq!(header(&page, "cache-control"), "no-cache", "{route}");
        // The security headers apply to the app as to the API.
        let csp = header(&page, "content-security-policy");
        assert!(csp.contains("default-src 'self'"), "{csp}");
        assert!(!csp.contains("script-src 'unsafe-inline'"), "{csp}");
        assert_eq!(header(&page, "x-frame-options"), "DENY");
        assert_eq!(header(&page, "x-content-type-options"), "nosniff");
        assert_eq!(page.text().await.unwrap(), INDEX, "{route}");
    }

    let missing = app.get("/assets/app-old999.js").await;
    assert_eq!(missing.status(), 404, "a missing asset is not the app");
    assert_eq!(json(missing).await["error"]["code"], "not_found");

    for api in [
        "/api/nope",
        "/api",
        "/v1/nope",
        "/ws/nope",
        "/health/nope",
        "/metrics/x",
    ] {
        let response = app.get(api).await;
        assert_eq!(response.status(), 404, "{api}");
        assert!(
            header(&response, "content-type").starts_with("application/json"),
            "{api}"
        );
        assert_eq!(json(response).await["error"]["code"], "not_found", "{api}");
    }

    let post = app.http.post(app.url("/pipelines/1")).send().await.unwrap();
    assert_eq!(post.status(), 405);
    assert_eq!(header(&post, "allow"), "GET, HEAD");
    assert_eq!(json(post).await["error"]["code"], "method_not_allowed");
    app.shutdown().await.unwrap();
}

#[tokio::test]
async fn paths_never_leave_the_dashboard_directory() {
    let scratch = scratch_dir();
    let app = app_serving(&built_app(scratch.path())).await;
    for target in [
        "/assets/../../secret.txt",
        "/assets/../../../../../../etc/passwd",
        "/../secret.txt",
        "/assets/%2e%2e/%2e%2e/secret.txt",
        "/assets/%2E%2E%2F%2E%2E%2Fsecret.txt",
        "/assets/..%2f..%2fsecret.txt",
        "/assets/%252e%252e/%252e%252e/secret.txt",
        "/assets/..%5c..%5csecret.txt",
        "/assets/leak.js",
        "/%2e%2e/secret.txt",
        "//etc/passwd",
        "/assets//etc/passwd",
    ] {
        let (status, answer) = raw_get(&app, target).await;
        assert!(!answer.contains(SECRET), "{target} leaked the file");
        assert!(!answer.contains("root:x:0"), "{target} leaked /etc/passwd");
        assert!(
            status == 404 || (status == 200 && answer.contains(INDEX)),
            "{target}: {status}"
        );
    }
    app.shutdown().await.unwrap();
}

#[tokio::test]
async fn a_server_without_the_built_app_says_how_to_build_it() {
    let scratch = scratch_dir();
    let app = app_serving(scratch.path()).await;
    for route in ["/", "/pipelines/1"] {
        let page = app.get(route).await;
        assert_eq!(page.status(), 200, "{route}");
        assert_eq!(header(&page, "content-type"), "text/html; charset=utf-8");
        assert_eq!(header(&page, "cache-control"), "no-cache");
        assert!(header(&page, "content-security-policy").contains("default-src 'self'"));
        let text = page.text().await.unwrap();
        assert!(text.contains("not built"), "{text}");
        assert!(text.contains("npm run build"));
        assert!(text.contains("./scripts/serve"));
        assert!(text.contains("href=\"/api/docs\""));
        assert!(!text.contains("<script"), "no inline script");
    }
    assert_eq!(app.get("/assets/app.js").await.status(), 404);
    assert_eq!(app.get("/api/nope").await.status(), 404);
    app.shutdown().await.unwrap();
}
