//! Issue 3 item 10 over HTTP: security headers on every response (relaxed CSP only
//! for the Swagger UI, HSTS only under HTTPS), rate limits per client address with
//! 429 + Retry-After, body limits from the settings, `/readyz` following the
//! database. (TLS itself is tested where the listener is built: bole-app/tests/tls.rs.)
#![expect(clippy::unwrap_used, reason = "test helpers: a surprise should fail the test loudly")]

mod common;

use axum::body::Body;
use axum::extract::ConnectInfo;
use axum::http::{Method, Request, StatusCode, header};
use bole_http::layers::{CSP, DOCS_CSP, HSTS, PERMISSIONS_POLICY};
use bole_http::{HttpSettings, RateLimits, TrustedProxies};
use bole_testkit::TestDb;
use common::{HR, Options, PASSWORD, Reply, TestApp};
use serde_json::json;
use std::net::SocketAddr;

async fn app_with(http: HttpSettings) -> TestApp {
    TestApp::with(TestDb::sqlite().await, Options { http, ..Options::default() }).await
}

/// A request from `peer` with extra headers.
async fn from(
    app: &TestApp,
    method: Method,
    uri: &str,
    peer: Option<&str>,
    headers: &[(&str, &str)],
    body: Option<String>,
) -> Reply {
    let mut b = Request::builder().method(method).uri(uri);
    for (k, v) in headers {
        b = b.header(*k, *v);
    }
    let mut req = match body {
        Some(text) => b.header(header::CONTENT_TYPE, "application/json").body(Body::from(text)).unwrap(),
        None => b.body(Body::empty()).unwrap(),
    };
    if let Some(p) = peer {
        req.extensions_mut().insert(ConnectInfo(p.parse::<SocketAddr>().unwrap()));
    }
    app.send(req).await
}

async fn wrong_login(app: &TestApp, peer: &str, headers: &[(&str, &str)]) -> Reply {
    let body = json!({"username": HR, "password": "Wrong-Pass-0000"}).to_string();
    from(app, Method::POST, "/api/v1/auth/login", Some(peer), headers, Some(body)).await
}

fn assert_hardened(r: &Reply, csp: &str, what: &str) {
    assert_eq!(r.headers["content-security-policy"], csp, "{what}");
    assert_eq!(r.headers["x-content-type-options"], "nosniff", "{what}");
    assert_eq!(r.headers["referrer-policy"], "no-referrer", "{what}");
    assert_eq!(r.headers["x-frame-options"], "DENY", "{what}");
    assert_eq!(r.headers["permissions-policy"], PERMISSIONS_POLICY, "{what}");
}

#[tokio::test]
async fn every_response_carries_the_security_headers() {
    let app = TestApp::sqlite().await;
    let token = app.login().await;
    let responses = [
        ("healthz", app.call(Method::GET, "/healthz", None, None).await),
        ("api", app.get("/api/v1/org-units", &token).await),
        ("401", app.call(Method::GET, "/api/v1/employees", None, None).await),
        ("404", app.call(Method::GET, "/api/v1/no-such-thing", None, None).await),
        ("spec", app.call(Method::GET, "/api/openapi.json", None, None).await),
    ];
    for (what, r) in &responses {
        assert_hardened(r, CSP, what);
        assert!(!r.headers.contains_key("strict-transport-security"), "no HSTS over plain HTTP: {what}");
    }
    assert!(
        CSP.contains("default-src 'self'")
            && CSP.contains("frame-ancestors 'none'")
            && CSP.contains("object-src 'none'")
    );
    assert!(CSP.contains("base-uri 'self'"));
}

#[tokio::test]
async fn the_swagger_ui_gets_a_csp_it_can_live_with() {
    let app = TestApp::sqlite().await;
    let page = app.call(Method::GET, "/api/docs/", None, None).await.expect(StatusCode::OK);
    assert_hardened(&page, DOCS_CSP, "docs");
    let html = page.body.as_str().unwrap().to_string();
    // Only same-origin script files: no inline script for the CSP to block.
    assert!(html.contains(r#"<script src="./swagger-ui-bundle.js""#), "{html}");
    assert_eq!(html.matches("<script").count(), html.matches("<script src=\"./").count(), "{html}");
    for asset in ["swagger-ui-bundle.js", "swagger-initializer.js", "swagger-ui.css"] {
        let r = app.call(Method::GET, &format!("/api/docs/{asset}"), None, None).await.expect(StatusCode::OK);
        assert_eq!(r.headers["content-security-policy"], DOCS_CSP, "{asset}");
    }
    // Swagger UI's stylesheet embeds its icons as data: URIs and its components set inline styles.
    assert!(DOCS_CSP.contains("img-src 'self' data:") && DOCS_CSP.contains("style-src 'self' 'unsafe-inline'"));
    assert!(!DOCS_CSP.contains("script-src"), "scripts stay 'self' (from default-src)");
    assert!(DOCS_CSP.contains("frame-ancestors 'none'"));
}

#[tokio::test]
async fn hsts_only_when_the_client_came_over_https() {
    let tls =
        app_with(HttpSettings { tls: true, rate_limits: RateLimits::disabled(), ..HttpSettings::default() }).await;
    let r = tls.call(Method::GET, "/healthz", None, None).await;
    assert_eq!(r.headers["strict-transport-security"], HSTS);

    let proxied = app_with(HttpSettings {
        trusted_proxies: TrustedProxies::parse(&["10.0.0.1"]).unwrap(),
        rate_limits: RateLimits::disabled(),
        ..HttpSettings::default()
    })
    .await;
    let https = [("x-forwarded-proto", "https")];
    let r = from(&proxied, Method::GET, "/healthz", Some("10.0.0.1:1000"), &https, None).await;
    assert_eq!(r.headers["strict-transport-security"], HSTS);
    let r = from(&proxied, Method::GET, "/healthz", Some("10.0.0.2:1000"), &https, None).await;
    assert!(!r.headers.contains_key("strict-transport-security"), "an untrusted peer cannot claim HTTPS");
}

#[tokio::test]
async fn a_login_flood_gets_429_with_retry_after_per_client_address() {
    let limits = RateLimits { login_per_minute: 3, ..RateLimits::disabled() };
    let app = app_with(HttpSettings { rate_limits: limits, ..HttpSettings::default() }).await;
    for _ in 0..3 {
        assert_eq!(wrong_login(&app, "198.51.100.1:1000", &[]).await.code(), "invalid_credentials");
    }
    let r = wrong_login(&app, "198.51.100.1:1001", &[]).await;
    assert_eq!((r.status, r.code()), (StatusCode::TOO_MANY_REQUESTS, "rate_limited"));
    let retry: u64 = r.headers[header::RETRY_AFTER].to_str().unwrap().parse().unwrap();
    assert!((1..=20).contains(&retry), "one request per 20 s is allowed back: {retry}");
    assert!(r.message().contains(&retry.to_string()), "{}", r.message());
    // Even the right password waits: the limit is on attempts, not failures.
    let ok = json!({"username": HR, "password": PASSWORD}).to_string();
    let r = from(&app, Method::POST, "/api/v1/auth/login", Some("198.51.100.1:1002"), &[], Some(ok.clone())).await;
    assert_eq!(r.status, StatusCode::TOO_MANY_REQUESTS);
    // Another address is not affected.
    let r = from(&app, Method::POST, "/api/v1/auth/login", Some("198.51.100.2:1000"), &[], Some(ok)).await;
    assert_eq!(r.status, StatusCode::OK);
}

#[tokio::test]
async fn behind_a_trusted_proxy_the_forwarded_client_is_limited() {
    let app = app_with(HttpSettings {
        trusted_proxies: TrustedProxies::parse(&["10.0.0.0/8"]).unwrap(),
        rate_limits: RateLimits { login_per_minute: 2, ..RateLimits::disabled() },
        ..HttpSettings::default()
    })
    .await;
    let alice = [("x-forwarded-for", "203.0.113.10")];
    let bob = [("x-forwarded-for", "203.0.113.11")];
    wrong_login(&app, "10.0.0.1:1", &alice).await;
    wrong_login(&app, "10.0.0.1:2", &alice).await;
    assert_eq!(wrong_login(&app, "10.0.0.1:3", &alice).await.status, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(wrong_login(&app, "10.0.0.1:4", &bob).await.code(), "invalid_credentials", "same proxy, other client");
    // A client cannot dodge the limit by prepending its own X-Forwarded-For.
    let forged = [("x-forwarded-for", "1.2.3.4, 203.0.113.10")];
    assert_eq!(wrong_login(&app, "10.0.0.1:5", &forged).await.status, StatusCode::TOO_MANY_REQUESTS);
}

#[tokio::test]
async fn token_endpoints_are_rate_limited() {
    let limits = RateLimits { tokens_per_minute: 2, ..RateLimits::disabled() };
    let app = app_with(HttpSettings { rate_limits: limits, ..HttpSettings::default() }).await;
    let token = app.login().await;
    app.get("/api/v1/auth/tokens", &token).await.expect(StatusCode::OK);
    app.get("/api/v1/auth/tokens", &token).await.expect(StatusCode::OK);
    let r = app.get("/api/v1/auth/tokens", &token).await;
    assert_eq!((r.status, r.code()), (StatusCode::TOO_MANY_REQUESTS, "rate_limited"));
    assert!(r.headers.contains_key(header::RETRY_AFTER));
    app.get("/api/v1/org-units", &token).await.expect(StatusCode::OK);
}

#[tokio::test]
async fn body_limits_come_from_the_settings() {
    let app = app_with(HttpSettings {
        json_body_bytes: 2048,
        rate_limits: RateLimits::disabled(),
        ..HttpSettings::default()
    })
    .await;
    let big = json!({"username": "x".repeat(4096), "password": PASSWORD}).to_string();
    let r = from(&app, Method::POST, "/api/v1/auth/login", None, &[], Some(big)).await;
    assert_eq!((r.status, r.code()), (StatusCode::PAYLOAD_TOO_LARGE, "payload_too_large"));
    assert_hardened(&r, CSP, "413");
    let small = json!({"username": HR, "password": PASSWORD}).to_string();
    from(&app, Method::POST, "/api/v1/auth/login", None, &[], Some(small)).await.expect(StatusCode::OK);
}

#[tokio::test]
async fn readyz_says_503_when_the_database_is_down() {
    let app = TestApp::sqlite().await;
    let r = app.call(Method::GET, "/readyz", None, None).await.expect(StatusCode::OK);
    assert_eq!(r.body["status"], "ready");
    app.db.db.close().await;
    let r = app.call(Method::GET, "/readyz", None, None).await;
    assert_eq!((r.status, r.code()), (StatusCode::SERVICE_UNAVAILABLE, "not_ready"));
    app.call(Method::GET, "/healthz", None, None).await.expect(StatusCode::OK);
}
