//! Issue 4 item 2: the web app is served at `/` from the same process as the API — its
//! files with the right types and caching, its deep links answered with the app shell,
//! and nothing of the API or the file system reachable through it.
#![expect(clippy::unwrap_used, reason = "tests")]

mod common;

use axum::http::{Method, StatusCode, header};
use bole_http::layers::WEB_CSP;
use bole_http::{HttpSettings, RateLimits};
use bole_testkit::TestDb;
use common::{Options, TestApp};
use std::path::Path;

const INDEX: &str = "<!doctype html><html><body><div id=\"app\"></div><script type=\"module\" src=\"/assets/index-abc123.js\"></script></body></html>";

fn built_app(dir: &Path) {
    std::fs::create_dir_all(dir.join("assets")).unwrap();
    std::fs::write(dir.join("index.html"), INDEX).unwrap();
    std::fs::write(dir.join("assets/index-abc123.js"), "console.log('伯乐')").unwrap();
    std::fs::write(dir.join("assets/index-abc123.css"), "body{}").unwrap();
    std::fs::write(dir.join("favicon.svg"), "<svg xmlns=\"http://www.w3.org/2000/svg\"/>").unwrap();
}

async fn app_serving(dir: &Path) -> TestApp {
    let http = HttpSettings {
        rate_limits: RateLimits::disabled(),
        web_dir: Some(dir.to_path_buf()),
        ..HttpSettings::default()
    };
    TestApp::with(TestDb::sqlite().await, Options { http, ..Options::default() }).await
}

#[tokio::test]
async fn the_app_shell_answers_the_root_and_every_deep_link() {
    let dir = tempfile::tempdir().unwrap();
    built_app(dir.path());
    let app = app_serving(dir.path()).await;
    for path in ["/", "/login", "/hr/employees/0193a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b", "/me/privacy?tab=requests"] {
        let r = app.call(Method::GET, path, None, None).await.expect(StatusCode::OK);
        assert_eq!(r.body.as_str().unwrap(), INDEX, "{path}");
        assert_eq!(r.headers[header::CONTENT_TYPE], "text/html; charset=utf-8", "{path}");
        // A new release must be picked up at once: the shell is revalidated every time.
        assert_eq!(r.headers[header::CACHE_CONTROL], "no-cache", "{path}");
        assert_eq!(r.headers[header::CONTENT_SECURITY_POLICY], WEB_CSP, "{path}");
        assert_eq!(r.headers["x-frame-options"], "DENY", "{path}");
    }
    // Scripts stay same-origin; only styles may be inline (component libraries set them).
    assert!(WEB_CSP.contains("script-src 'self';") && !WEB_CSP.contains("unsafe-eval"));
    assert!(WEB_CSP.contains("frame-ancestors 'none'") && WEB_CSP.contains("object-src 'none'"));
}

#[tokio::test]
async fn hashed_assets_are_cached_for_a_year_and_typed() {
    let dir = tempfile::tempdir().unwrap();
    built_app(dir.path());
    let app = app_serving(dir.path()).await;
    let js = app.call(Method::GET, "/assets/index-abc123.js", None, None).await.expect(StatusCode::OK);
    assert_eq!(js.headers[header::CONTENT_TYPE], "text/javascript; charset=utf-8");
    assert_eq!(js.headers[header::CACHE_CONTROL], "public, max-age=31536000, immutable");
    assert_eq!(js.body.as_str().unwrap(), "console.log('伯乐')");
    let css = app.call(Method::GET, "/assets/index-abc123.css", None, None).await.expect(StatusCode::OK);
    assert_eq!(css.headers[header::CONTENT_TYPE], "text/css; charset=utf-8");
    let icon = app.call(Method::GET, "/favicon.svg", None, None).await.expect(StatusCode::OK);
    assert_eq!(icon.headers[header::CONTENT_TYPE], "image/svg+xml");
    assert_eq!(icon.headers[header::CACHE_CONTROL], "no-cache");
}

#[tokio::test]
async fn a_missing_asset_is_a_404_not_the_shell() {
    let dir = tempfile::tempdir().unwrap();
    built_app(dir.path());
    let app = app_serving(dir.path()).await;
    // A stale chunk after a release must fail as a 404, not parse HTML as JavaScript.
    for path in ["/assets/OrgChart-old999.js", "/robots.txt"] {
        let r = app.call(Method::GET, path, None, None).await;
        assert_eq!(r.status, StatusCode::NOT_FOUND, "{path}");
        assert!(!r.body.as_str().unwrap_or_default().contains("<html"), "{path}");
    }
}

#[tokio::test]
async fn api_paths_and_writes_never_get_the_shell() {
    let dir = tempfile::tempdir().unwrap();
    built_app(dir.path());
    let app = app_serving(dir.path()).await;
    for path in ["/api/v1/no-such-thing", "/api/v2/employees", "/api"] {
        let r = app.call(Method::GET, path, None, None).await.expect(StatusCode::NOT_FOUND);
        assert_eq!(r.body["error"]["code"], "not_found", "{path}");
    }
    let r = app.call(Method::POST, "/hr/employees", None, None).await.expect(StatusCode::NOT_FOUND);
    assert_eq!(r.body["error"]["code"], "not_found");
}

#[tokio::test]
async fn nothing_outside_the_app_directory_is_served() {
    let root = tempfile::tempdir().unwrap();
    let dir = root.path().join("dist");
    built_app(&dir);
    std::fs::write(root.path().join("master.key"), "SECRET-KEY-MATERIAL").unwrap();
    let app = app_serving(&dir).await;
    for path in
        ["/../master.key", "/%2e%2e/master.key", "/assets/..%2f..%2fmaster.key", "/assets/%2e%2e/%2e%2e/master.key"]
    {
        let r = app.call(Method::GET, path, None, None).await;
        let body = r.body.as_str().unwrap_or_default().to_string();
        assert!(!body.contains("SECRET-KEY-MATERIAL"), "{path} leaked the file");
    }
}

#[tokio::test]
async fn without_a_built_app_the_root_says_how_to_build_it() {
    let dir = tempfile::tempdir().unwrap();
    let app = app_serving(&dir.path().join("not-built")).await;
    let r = app.call(Method::GET, "/", None, None).await.expect(StatusCode::OK);
    let html = r.body.as_str().unwrap();
    assert!(html.contains("make web") && html.contains("/api/docs/"), "{html}");
    // The API is unaffected.
    app.call(Method::GET, "/healthz", None, None).await.expect(StatusCode::OK);
}
