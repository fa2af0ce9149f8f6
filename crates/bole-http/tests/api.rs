//! The HTTP contract outside any one domain: health, sessions, and how every
//! kind of bad request becomes an envelope (status, code, language).

mod common;

use axum::body::Body;
use axum::http::{Method, Request, StatusCode, header};
use common::{ADMIN, PASSWORD, TestApp};
use serde_json::json;

#[tokio::test]
async fn health_and_readiness() {
    let app = TestApp::sqlite().await;
    let r = app.call(Method::GET, "/healthz", None, None).await.expect(StatusCode::OK);
    assert_eq!(r.body, json!({"status": "ok", "version": env!("CARGO_PKG_VERSION")}));
    assert_eq!(r.headers["x-content-type-options"], "nosniff");
    assert_eq!(r.headers["referrer-policy"], "no-referrer");
    assert_eq!(r.headers["x-frame-options"], "DENY");
    assert_eq!(r.headers["content-security-policy"], bole_http::layers::CSP);
    assert!(!r.headers.contains_key("strict-transport-security"), "no HSTS over plain HTTP");
    assert!(r.headers.contains_key("x-request-id"));
    let r = app.call(Method::GET, "/readyz", None, None).await.expect(StatusCode::OK);
    assert_eq!(r.body["status"], "ready");
}

#[tokio::test]
async fn not_ready_is_503_envelope() {
    let db = bole_testkit::TestDb::sqlite().await;
    let clock = bole_testkit::clock_on(common::TODAY);
    let services = bole_http::Services {
        org: bole_org::OrgService::new(db.store.clone(), clock.clone()),
        people: bole_people::PeopleService::new(db.store.clone(), db.store.clone(), db.store.clone(), clock.clone()),
        privacy: common::privacy_service(&db, clock.clone()),
        audit: common::audit_service(&db, clock.clone()),
        attendance: common::attendance_service(&db, clock.clone()),
        workflow: bole_workflow::WorkflowService::new(db.store.clone(), db.store.clone(), clock.clone()),
        absence: bole_time::absence::wire(
            db.store.clone(),
            bole_workflow::WorkflowService::new(db.store.clone(), db.store.clone(), clock.clone()),
            bole_time::absence::national_calendar(),
            clock.clone(),
        )
        .1,
        payroll: bole_payroll::wire(
            common::payroll_ports(&db, clock.clone()),
            bole_workflow::WorkflowService::new(db.store.clone(), db.store.clone(), clock.clone()),
        )
        .1,
        accounts: bole_access::AccountService::new(db.store.clone(), clock.clone()),
        clock,
        ready: bole_http::ready_check(|| async { false }),
    };
    let app = TestApp { router: bole_http::router(std::sync::Arc::new(services)), db };
    let r = app.call(Method::GET, "/readyz", None, None).await.expect(StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(r.code(), "not_ready");
}

#[tokio::test]
async fn api_needs_a_session() {
    let app = TestApp::sqlite().await;
    let r = app.call(Method::GET, "/api/v1/companies", None, None).await.expect(StatusCode::UNAUTHORIZED);
    assert_eq!(r.body, json!({"error": {"code": "unauthenticated", "message": "登录已失效，请重新登录"}}));
    assert!(r.headers.contains_key(header::WWW_AUTHENTICATE));
    let r = app.get("/api/v1/companies", "not-a-real-token").await.expect(StatusCode::UNAUTHORIZED);
    assert_eq!(r.code(), "unauthenticated");
    let forged = "A".repeat(43);
    app.get("/api/v1/companies", &forged).await.expect(StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn bad_password_and_unknown_user_get_the_same_answer() {
    let app = TestApp::sqlite().await;
    let login = |u: &str, p: &str| json!({"username": u, "password": p});
    let wrong = app.call(Method::POST, "/api/v1/auth/login", None, Some(login(ADMIN, "Wrong-Pass-2026"))).await;
    let unknown = app.call(Method::POST, "/api/v1/auth/login", None, Some(login("nobody", PASSWORD))).await;
    assert_eq!(wrong.status, StatusCode::UNAUTHORIZED);
    assert_eq!(unknown.status, StatusCode::UNAUTHORIZED);
    assert_eq!(wrong.body, json!({"error": {"code": "invalid_credentials", "message": "用户名或密码错误"}}));
    assert_eq!(wrong.body, unknown.body);
    assert!(!wrong.headers.contains_key(header::SET_COOKIE));
}

#[tokio::test]
async fn login_sets_a_cookie_and_returns_a_token_both_of_which_work() {
    let app = TestApp::sqlite().await;
    let r = app
        .call(Method::POST, "/api/v1/auth/login", None, Some(json!({"username": "Admin", "password": PASSWORD})))
        .await
        .expect(StatusCode::OK);
    let token = r.body["token"].as_str().unwrap().to_string();
    assert_eq!(r.body["user"]["username"], "admin");
    assert_eq!(r.body["user"]["roles"], json!(["system_admin"]));
    assert_eq!(r.headers[header::CACHE_CONTROL], "no-store");
    let cookie = r.headers[header::SET_COOKIE].to_str().unwrap();
    assert_eq!(cookie, format!("bole_session={token}; HttpOnly; SameSite=Lax; Path=/; Max-Age=43200"));

    // The browser way: the cookie.
    let req =
        Request::get("/api/v1/auth/me").header(header::COOKIE, format!("bole_session={token}")).body(Body::empty());
    let me = app.send(req.unwrap()).await.expect(StatusCode::OK);
    assert_eq!(me.body["username"], "admin");
    assert_eq!(me.body["employee_id"], serde_json::Value::Null);
    assert_eq!(me.body["id"], r.body["user"]["id"]);

    // The API-client way: the bearer token.
    let me = app.get("/api/v1/auth/me", &token).await.expect(StatusCode::OK);
    assert_eq!(me.body, r.body["user"]);
}

#[tokio::test]
async fn logout_ends_the_session() {
    let app = TestApp::sqlite().await;
    let token = app.login().await;
    let r = app.call(Method::POST, "/api/v1/auth/logout", Some(&token), None).await.expect(StatusCode::NO_CONTENT);
    assert!(r.headers[header::SET_COOKIE].to_str().unwrap().contains("Max-Age=0"));
    app.get("/api/v1/auth/me", &token).await.expect(StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn malformed_json_is_400_and_writes_nothing() {
    let app = TestApp::sqlite().await;
    let token = app.login().await;
    let req = Request::post("/api/v1/companies")
        .header(header::AUTHORIZATION, format!("Bearer {token}"))
        .header(header::CONTENT_TYPE, "application/json")
        .body(Body::from("{\"code\": \"HQ\", \"name\": \"总部\",\n \"kind\": enterprise}"));
    let r = app.send(req.unwrap()).await.expect(StatusCode::BAD_REQUEST);
    assert_eq!(r.code(), "malformed_json");
    assert!(r.message().starts_with("请求体不是合法的 JSON：第2行第"), "{}", r.message());
    let list = app.get("/api/v1/companies", &token).await.expect(StatusCode::OK);
    assert_eq!(list.body, json!([]));
    assert_eq!(list.headers[header::CACHE_CONTROL], "no-store", "personnel data is never cached");
}

#[tokio::test]
async fn wrong_shapes_are_422_with_the_field() {
    let app = TestApp::sqlite().await;
    let token = app.login().await;
    let r = app
        .post("/api/v1/companies", &token, json!({"code": "HQ", "name": "总部", "kind": "enterprise", "nmae": "x"}))
        .await
        .expect(StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(r.code(), "validation_failed");
    assert_eq!(r.body["error"]["fields"], json!({"nmae": ["不支持的字段，请检查拼写"]}));

    let r = app.post("/api/v1/companies", &token, json!({"code": "HQ", "kind": "enterprise"})).await;
    assert_eq!(r.expect(StatusCode::UNPROCESSABLE_ENTITY).body["error"]["fields"], json!({"name": ["缺少必填字段"]}));

    let r = app.post("/api/v1/companies", &token, json!({"code": "HQ", "name": "总部", "kind": "cooperative"})).await;
    let r = r.expect(StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.body["error"]["fields"]["kind"][0].as_str().unwrap().contains("cooperative"));

    // Domain validation uses the same envelope and status.
    let r =
        app.post("/api/v1/companies", &token, json!({"code": "bad code!", "name": "总部", "kind": "enterprise"})).await;
    let r = r.expect(StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.body["error"]["fields"]["code"].is_array(), "{}", r.body);
}

#[tokio::test]
async fn non_json_bodies_are_415() {
    let app = TestApp::sqlite().await;
    let token = app.login().await;
    let req = Request::post("/api/v1/companies")
        .header(header::AUTHORIZATION, format!("Bearer {token}"))
        .header(header::CONTENT_TYPE, "text/plain")
        .body(Body::from("code=HQ"));
    let r = app.send(req.unwrap()).await.expect(StatusCode::UNSUPPORTED_MEDIA_TYPE);
    assert_eq!(r.code(), "unsupported_media_type");
}

#[tokio::test]
async fn oversized_bodies_are_413_envelopes() {
    let app = TestApp::sqlite().await;
    let token = app.login().await;
    let big = format!("{{\"code\":\"HQ\",\"name\":\"{}\",\"kind\":\"enterprise\"}}", "x".repeat(1 << 20));
    let req = Request::post("/api/v1/companies")
        .header(header::AUTHORIZATION, format!("Bearer {token}"))
        .header(header::CONTENT_TYPE, "application/json")
        .body(Body::from(big));
    let r = app.send(req.unwrap()).await.expect(StatusCode::PAYLOAD_TOO_LARGE);
    assert_eq!(r.body, json!({"error": {"code": "payload_too_large", "message": "请求体超过 1 MiB 上限"}}));

    // Over the hard cap, refused from Content-Length alone, before any handler or extractor.
    let req = Request::post("/api/v1/companies")
        .header(header::AUTHORIZATION, format!("Bearer {token}"))
        .header(header::CONTENT_TYPE, "application/json")
        .header(header::CONTENT_LENGTH, (64u64 << 20).to_string())
        .body(Body::from("{}"));
    let r = app.send(req.unwrap()).await.expect(StatusCode::PAYLOAD_TOO_LARGE);
    assert_eq!(r.code(), "payload_too_large");
}

#[tokio::test]
async fn english_when_the_client_prefers_it() {
    let app = TestApp::sqlite().await;
    let req = Request::get("/api/v1/companies").header(header::ACCEPT_LANGUAGE, "en-US,en;q=0.9,zh-CN;q=0.8");
    let r = app.send(req.body(Body::empty()).unwrap()).await.expect(StatusCode::UNAUTHORIZED);
    assert_eq!(r.code(), "unauthenticated");
    assert_eq!(r.message(), "You are not signed in or your session has expired; please sign in again.");

    let token = app.login().await;
    let req = Request::post("/api/v1/companies")
        .header(header::AUTHORIZATION, format!("Bearer {token}"))
        .header(header::CONTENT_TYPE, "application/json")
        .header(header::ACCEPT_LANGUAGE, "en")
        .body(Body::from(json!({"code": "HQ", "kind": "enterprise"}).to_string()));
    let r = app.send(req.unwrap()).await.expect(StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(r.message(), "Some fields are invalid; see the field messages.");
    assert_eq!(r.body["error"]["fields"], json!({"name": ["this field is required"]}));
}

#[tokio::test]
async fn unknown_routes_methods_ids_and_queries() {
    let app = TestApp::sqlite().await;
    let token = app.login().await;
    let r = app.get("/api/v1/no-such-thing", &token).await.expect(StatusCode::NOT_FOUND);
    assert_eq!(r.code(), "not_found");
    let r = app.call(Method::DELETE, "/healthz", None, None).await.expect(StatusCode::METHOD_NOT_ALLOWED);
    assert_eq!(r.code(), "method_not_allowed");
    let r = app.get("/api/v1/org-units/not-a-uuid", &token).await.expect(StatusCode::BAD_REQUEST);
    assert_eq!(r.code(), "invalid_id");
    assert_eq!(r.body["error"]["fields"], json!({"id": ["不是合法的ID（应为UUID）"]}));
    let r = app.get("/api/v1/org-units?as_of=2026-13-01", &token).await.expect(StatusCode::BAD_REQUEST);
    assert_eq!(r.code(), "invalid_query");
    assert!(r.body["error"]["fields"]["as_of"].is_array(), "{}", r.body);
    let r = app.get("/api/v1/org-units?asof=2026-01-01", &token).await.expect(StatusCode::BAD_REQUEST);
    assert_eq!(r.body["error"]["fields"], json!({"asof": ["不支持的查询参数"]}));
    let r = app.get("/api/v1/org-units/tree?headcount=yes", &token).await.expect(StatusCode::BAD_REQUEST);
    assert!(r.body["error"]["fields"]["headcount"].is_array(), "{}", r.body);
}

#[tokio::test]
async fn request_ids_are_kept_when_sane_and_minted_otherwise() {
    let app = TestApp::sqlite().await;
    let req = Request::get("/healthz").header("x-request-id", "abc-123.X_y").body(Body::empty());
    assert_eq!(app.send(req.unwrap()).await.headers["x-request-id"], "abc-123.X_y");
    let req = Request::get("/healthz").header("x-request-id", "bad id with spaces").body(Body::empty());
    let minted = app.send(req.unwrap()).await.headers["x-request-id"].to_str().unwrap().to_string();
    assert_eq!(minted.len(), 36, "a UUID: {minted}");
}

#[tokio::test]
async fn docs_are_served_from_the_binary() {
    let app = TestApp::sqlite().await;
    let spec = app.call(Method::GET, "/api/openapi.json", None, None).await.expect(StatusCode::OK);
    assert!(spec.body["openapi"].as_str().unwrap().starts_with("3.1"));
    assert_eq!(spec.body["info"]["title"], "Bole 伯乐 HR API");
    let ui = app.call(Method::GET, "/api/docs/", None, None).await.expect(StatusCode::OK);
    assert!(ui.body.as_str().unwrap().contains("swagger"), "the Swagger UI page");
    let js = app.call(Method::GET, "/api/docs/swagger-ui-bundle.js", None, None).await.expect(StatusCode::OK);
    assert!(js.body.as_str().unwrap().len() > 100_000);
}
