//! The dashboard: the React app (Vite's `dashboard/dist`) served at `/` as the router's
//! fallback. Hashed files under `/assets/` are cached for a year (`immutable`); every other
//! file, `index.html` and the client routes (any other GET path, answered with `index.html`)
//! are `no-cache`. Paths under the API prefixes (`/api`, `/v1`, `/ws*`, `/health`, `/metrics`)
//! never fall back to the app: an unknown one stays a JSON 404. A binary built without the app
//! answers a small "dashboard not built" page (200) instead of `index.html`.
//!
//! Request paths go through `core::path_guard` (percent-decoded until stable, `..`, backslashes
//! and absolute paths refused; on disk, symbolic links leaving the directory refused): a path
//! the guard refuses is a 404, never a file outside the app.

use std::borrow::Cow;
use std::path::PathBuf;

use axum::body::Body;
use axum::extract::State;
use axum::http::{HeaderValue, Method, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};

use crate::core::path_guard;

/// The app as built into the binary: embedded in release builds; in debug builds `rust-embed`
/// reads `dashboard/dist` from disk at run time. `build.rs` creates the folder when missing.
#[derive(rust_embed::Embed)]
#[folder = "dashboard/dist/"]
struct Dist;

/// Where the dashboard's files come from.
#[derive(Debug, Clone)]
pub enum DashboardSource {
    /// The copy in the binary (`dashboard/dist` at build time).
    Embedded,
    /// A directory on disk (`http.dashboard_dir`): for dashboard development and tests.
    Dir(PathBuf),
}

/// Hashed, content-addressed files: never change under their name.
const IMMUTABLE: &str = "public, max-age=31536000, immutable";
/// Everything else is revalidated, so a new release is picked up on the next load.
const NO_CACHE: &str = "no-cache";

impl DashboardSource {
    /// From the configuration: a directory when `http.dashboard_dir` is set.
    pub fn from_config(dir: Option<&std::path::Path>) -> Self {
        match dir {
            Some(dir) => Self::Dir(dir.to_owned()),
            None => Self::Embedded,
        }
    }

    /// The bytes of the file at `relative` (a path the guard normalised), if it is a file.
    async fn read(&self, relative: &str) -> Option<Cow<'static, [u8]>> {
        match self {
            Self::Embedded => Dist::get(relative).map(|file| file.data),
            Self::Dir(root) => {
                let (root, relative) = (root.clone(), relative.to_owned());
                let read = tokio::task::spawn_blocking(move || {
                    let path = path_guard::resolve_within(&root, &relative).ok()?;
                    if !path.is_file() {
                        return None;
                    }
                    std::fs::read(path).ok()
                });
                read.await.ok().flatten().map(Cow::Owned)
            }
        }
    }
}

/// Whether `path` belongs to the server's own surfaces, which never answer with the app.
pub fn is_api_path(path: &str) -> bool {
    let under = |prefix: &str| {
        path.strip_prefix(prefix)
            .is_some_and(|rest| rest.is_empty() || rest.starts_with('/'))
    };
    under("/api")
        || under("/v1")
        || under("/health")
        || under("/metrics")
        || path.starts_with("/ws")
}

/// The router's fallback: the app's files, `index.html` for client routes, JSON 404 for
/// unknown API paths, 405 for methods other than GET and HEAD.
pub async fn serve(State(source): State<DashboardSource>, method: Method, uri: Uri) -> Response {
    let path = uri.path();
    if is_api_path(path) {
        // `middleware::error_shape` gives it the JSON error shape.
        return StatusCode::NOT_FOUND.into_response();
    }
    if method != Method::GET && method != Method::HEAD {
        return (
            StatusCode::METHOD_NOT_ALLOWED,
            [(header::ALLOW, HeaderValue::from_static("GET, HEAD"))],
        )
            .into_response();
    }
    let raw = path.trim_start_matches('/');
    if !raw.is_empty() {
        let Ok(relative) = path_guard::normalise(raw) else {
            return StatusCode::NOT_FOUND.into_response();
        };
        let Some(relative) = relative.to_str() else {
            return StatusCode::NOT_FOUND.into_response();
        };
        let is_asset = std::path::Path::new(relative).starts_with("assets");
        if let Some(bytes) = source.read(relative).await {
            let cache = if is_asset { IMMUTABLE } else { NO_CACHE };
            return file(bytes, &content_type(relative), cache);
        }
        if is_asset {
            // A stale page asking for an asset of an older release: a 404 it can see, not
            // HTML parsed as a script.
            return StatusCode::NOT_FOUND.into_response();
        }
    }
    match source.read("index.html").await {
        Some(index) => file(index, "text/html; charset=utf-8", NO_CACHE),
        None => file(
            Cow::Borrowed(NOT_BUILT.as_bytes()),
            "text/html; charset=utf-8",
            NO_CACHE,
        ),
    }
}

/// A 200 with the file (hyper leaves the body out of a HEAD answer, keeping its length).
fn file(bytes: Cow<'static, [u8]>, content_type: &str, cache: &'static str) -> Response {
    let mut response = Response::new(Body::from(bytes));
    let headers = response.headers_mut();
    if let Ok(value) = HeaderValue::from_str(content_type) {
        headers.insert(header::CONTENT_TYPE, value);
    }
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static(cache));
    response
}

/// The content type of a file name; text types say they are UTF-8 (Vite writes UTF-8).
fn content_type(name: &str) -> String {
    let mime = mime_guess::from_path(name).first_or_octet_stream();
    let textual = mime.type_() == mime_guess::mime::TEXT
        || matches!(mime.subtype().as_str(), "javascript" | "json" | "xml")
        || mime
            .suffix()
            .is_some_and(|s| s == mime_guess::mime::JSON || s == mime_guess::mime::XML);
    if textual && mime.get_param(mime_guess::mime::CHARSET).is_none() {
        format!("{mime}; charset=utf-8")
    } else {
        mime.to_string()
    }
}

/// What `/` and the client routes answer when the binary was built without the app: 200 (a
/// 5xx would be rewritten to JSON and look like a fault), no script (the CSP forbids inline
/// scripts; inline styles are allowed).
const NOT_BUILT: &str = r#"<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>gathering: dashboard not built</title>
<style>
body { font-family: system-ui, sans-serif; max-width: 40rem; margin: 4rem auto; padding: 0 1rem; line-height: 1.5; color: #1f2328; }
code, pre { background: #f3f4f6; border-radius: 4px; padding: 0.1rem 0.3rem; }
pre { padding: 0.75rem; overflow-x: auto; }
</style>
</head>
<body>
<h1>The dashboard is not built</h1>
<p>This server is running, but this binary was built without the dashboard.</p>
<p><code>./scripts/serve</code> builds it and starts the server. Or build it yourself, then rebuild the server:</p>
<pre>cd dashboard &amp;&amp; npm ci &amp;&amp; npm run build
cd .. &amp;&amp; cargo build</pre>
<p>Set <code>http.dashboard_dir</code> (<code>GATHERING_DASHBOARD_DIR</code>) to serve a built <code>dist/</code> directory without rebuilding.</p>
<p>The API works meanwhile: see <a href="/api/docs">/api/docs</a> (OpenAPI document at <a href="/api/openapi.json">/api/openapi.json</a>).</p>
</body>
</html>
"#;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn api_prefixes_never_fall_back_to_the_app() {
        for api in [
            "/api",
            "/api/nope",
            "/v1",
            "/v1/x",
            "/ws",
            "/ws/circles/a",
            "/wsx",
            "/health/x",
            "/metrics",
            "/metrics/x",
        ] {
            assert!(is_api_path(api), "{api}");
        }
        for app in [
            "/",
            "/pipelines/1/edit",
            "/apis",
            "/v10",
            "/healthy",
            "/assets/a.js",
        ] {
            assert!(!is_api_path(app), "{app}");
        }
    }

    #[test]
    fn text_types_say_utf8_and_binary_ones_do_not() {
        assert!(content_type("assets/app.js").ends_with("; charset=utf-8"));
        assert_eq!(content_type("assets/app.css"), "text/css; charset=utf-8");
        assert_eq!(content_type("favicon.png"), "image/png");
        assert_eq!(content_type("x.unknown-ext"), "application/octet-stream");
    }
}
