//! The OpenAPI document: a reviewed snapshot, valid 3.1 basics, and proof that
//! it and the router describe the same routes — plus the route policy: every
//! `/api/v1` operation except login refuses a caller without a session.
#![expect(clippy::unwrap_used, clippy::expect_used, reason = "test helpers: a surprise should fail the test loudly")]

mod common;

use axum::http::{Method, StatusCode};
use bole_http::{DOCS_PATH, OPENAPI_PATH, openapi};
use common::TestApp;
use serde_json::Value;
use std::collections::BTreeSet;

/// Routes served but deliberately not API operations.
fn undocumented(path: &str) -> bool {
    path == OPENAPI_PATH || path == DOCS_PATH || path.starts_with(&format!("{DOCS_PATH}/"))
}

/// (METHOD, path) of every operation in the document.
fn spec_operations(spec: &Value) -> BTreeSet<(String, String)> {
    let mut ops = BTreeSet::new();
    for (path, item) in spec["paths"].as_object().unwrap() {
        for method in item.as_object().unwrap().keys() {
            if ["get", "post", "put", "patch", "delete"].contains(&method.as_str()) {
                ops.insert((method.to_uppercase(), path.clone()));
            }
        }
    }
    ops
}

/// (METHOD, path) of every route the router serves. axum has no route listing API, so this
/// reads the router's `Debug` output (paths by route id, and each route's `Allow` methods).
fn router_operations(router: &axum::Router) -> BTreeSet<(String, String)> {
    let dbg = format!("{router:?}");
    let main = &dbg[..dbg.find("fallback_router").expect("router debug layout")];
    let node = &main[main.find("node: Node { paths: {").expect("node paths")..];
    let mut paths = std::collections::HashMap::new();
    for piece in node.split("RouteId(").skip(1) {
        let (id, rest) = piece.split_once(')').unwrap();
        let path = rest.split('"').nth(1).unwrap();
        paths.insert(id.to_string(), path.to_string());
    }
    let routes = &main[..main.find("node: Node").unwrap()];
    let mut ops = BTreeSet::new();
    for piece in routes.split("RouteId(").skip(1) {
        let (id, rest) = piece.split_once(')').unwrap();
        let allow = rest.split("allow_header: Bytes(b\"").nth(1).and_then(|a| a.split('"').next()).unwrap_or("");
        for method in allow.split(',').filter(|m| !m.is_empty() && *m != "HEAD") {
            ops.insert((method.to_string(), paths[id].clone()));
        }
    }
    assert!(!ops.is_empty(), "could not read routes from the router's Debug output");
    ops
}

#[test]
fn snapshot() {
    insta::assert_json_snapshot!("openapi", openapi(), { ".info.version" => "[version]" });
}

#[test]
fn is_openapi_3_1_with_summaries_ids_tags_and_error_envelopes() {
    let spec = serde_json::to_value(openapi()).unwrap();
    assert!(spec["openapi"].as_str().unwrap().starts_with("3.1"), "{}", spec["openapi"]);
    assert_eq!(spec["info"]["title"], "Bole 伯乐 HR API");
    assert_eq!(spec["info"]["version"], env!("CARGO_PKG_VERSION"));
    for (method, path) in spec_operations(&spec) {
        let op = &spec["paths"][&path][method.to_lowercase()];
        let summary = op["summary"].as_str().unwrap_or("");
        assert!(summary.contains(" — "), "{method} {path}: summary in Chinese — English, got {summary:?}");
        assert!(
            op["operationId"]
                .as_str()
                .is_some_and(|id| id.contains('_') || id.ends_with('z') || id == "login" || id == "logout")
        );
        assert!(op["tags"].as_array().is_some_and(|t| !t.is_empty()), "{method} {path}: tag");
        let public = path == "/api/v1/auth/login" || path == "/api/v1/auth/login/mfa";
        if path.starts_with("/api/v1") && !public {
            let r401 = &op["responses"]["401"]["content"]["application/json"]["schema"]["$ref"];
            assert_eq!(r401, "#/components/schemas/ErrorEnvelope", "{method} {path}: 401 envelope");
        }
    }
}

#[tokio::test]
async fn spec_and_router_list_the_same_routes() {
    let app = TestApp::sqlite().await;
    let spec = serde_json::to_value(openapi()).unwrap();
    let documented = spec_operations(&spec);
    let served: BTreeSet<_> = router_operations(&app.router).into_iter().filter(|(_, p)| !undocumented(p)).collect();
    assert_eq!(served, documented, "every served route is documented and every documented one is served");
}

#[tokio::test]
async fn every_api_route_requires_a_session_except_login() {
    let app = TestApp::sqlite().await;
    let token = app.login().await;
    let spec = serde_json::to_value(openapi()).unwrap();
    for (method, path) in spec_operations(&spec) {
        let uri = path.replace("{id}", &uuid::Uuid::now_v7().to_string());
        let method = Method::from_bytes(method.as_bytes()).unwrap();
        let body = (method == Method::POST).then(|| serde_json::json!({}));
        let anonymous = app.call(method.clone(), &uri, None, body.clone()).await;
        let public = path == "/api/v1/auth/login" || path == "/api/v1/auth/login/mfa";
        if path.starts_with("/api/v1") && !public {
            assert_eq!(anonymous.status, StatusCode::UNAUTHORIZED, "{method} {path} must require a session");
            assert_eq!(anonymous.code(), "unauthenticated");
        } else {
            assert_ne!(anonymous.status, StatusCode::UNAUTHORIZED, "{method} {path} is public");
        }
        if path == "/api/v1/auth/logout" || (path == "/api/v1/auth/sessions" && method == Method::DELETE) {
            continue; // would end the session the remaining probes use
        }
        let signed_in = app.call(method.clone(), &uri, Some(&token), body).await;
        assert!(
            !matches!(signed_in.code(), "not_found" | "method_not_allowed" | "internal"),
            "{method} {path} is routed: {} {}",
            signed_in.status,
            signed_in.body
        );
    }
}
