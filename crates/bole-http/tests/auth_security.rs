//! Issue 3 items 1–3 over HTTP: cookie flags and the double-submit CSRF token,
//! session listing and revocation, personal API tokens, TOTP two-step login with
//! replay protection and recovery codes, the MFA requirement for privileged roles,
//! password expiry, one answer for unknown / wrong / locked / disabled, and the
//! system administrator's account operations.
#![expect(clippy::unwrap_used, reason = "test helpers: a surprise should fail the test loudly")]

mod common;

use axum::body::Body;
use axum::extract::ConnectInfo;
use axum::http::{HeaderMap, Method, Request, StatusCode, header};
use bole_access::SecurityPolicy;
use bole_core::clock::Clock;
use bole_http::{HttpSettings, RateLimits, TrustedProxies};
use bole_testkit::TestDb;
use chrono::{DateTime, NaiveDate, TimeDelta, TimeZone, Utc};
use common::{ADMIN, HR, Options, PASSWORD, Reply, TestApp};
use serde_json::{Value, json};
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};

#[derive(Debug)]
struct MovableClock(Mutex<DateTime<Utc>>);

impl MovableClock {
    fn new() -> Arc<Self> {
        Arc::new(MovableClock(Mutex::new(Utc.with_ymd_and_hms(2026, 3, 2, 4, 0, 0).unwrap())))
    }
    fn advance(&self, by: TimeDelta) {
        *self.0.lock().unwrap() += by;
    }
}

impl Clock for MovableClock {
    fn now(&self) -> DateTime<Utc> {
        *self.0.lock().unwrap()
    }
    fn today(&self) -> NaiveDate {
        self.now().date_naive()
    }
}

/// A request with whatever a browser or client would add.
#[derive(Default)]
struct Req<'a> {
    bearer: Option<&'a str>,
    cookie: Option<String>,
    csrf: Option<&'a str>,
    body: Option<Value>,
    peer: Option<&'a str>,
    headers: Vec<(&'a str, &'a str)>,
}

async fn send(app: &TestApp, method: Method, uri: &str, r: Req<'_>) -> Reply {
    let mut b = Request::builder().method(method).uri(uri);
    if let Some(t) = r.bearer {
        b = b.header(header::AUTHORIZATION, format!("Bearer {t}"));
    }
    if let Some(c) = &r.cookie {
        b = b.header(header::COOKIE, c);
    }
    if let Some(c) = r.csrf {
        b = b.header("x-csrf-token", c);
    }
    for (k, v) in &r.headers {
        b = b.header(*k, *v);
    }
    let mut req = match r.body {
        Some(v) => b.header(header::CONTENT_TYPE, "application/json").body(Body::from(v.to_string())).unwrap(),
        None => b.body(Body::empty()).unwrap(),
    };
    if let Some(p) = r.peer {
        req.extensions_mut().insert(ConnectInfo(p.parse::<SocketAddr>().unwrap()));
    }
    app.send(req).await
}

async fn login(app: &TestApp, username: &str, password: &str) -> Reply {
    let body = json!({"username": username, "password": password});
    send(app, Method::POST, "/api/v1/auth/login", Req { body: Some(body), ..Req::default() }).await
}

fn cookies(headers: &HeaderMap) -> Vec<String> {
    headers.get_all(header::SET_COOKIE).iter().map(|v| v.to_str().unwrap().to_string()).collect()
}

/// `name=value` of a Set-Cookie line.
fn pair(set_cookie: &str) -> &str {
    set_cookie.split(';').next().unwrap()
}

async fn app_with(options: Options) -> TestApp {
    TestApp::with(TestDb::sqlite().await, options).await
}

fn code_for(uri: &str, at: DateTime<Utc>) -> String {
    totp_rs::Totp::from_url(uri).unwrap().generate(u64::try_from(at.timestamp()).unwrap()).to_string()
}

#[tokio::test]
async fn login_sets_hardened_cookies_and_returns_the_csrf_token() {
    let app = TestApp::sqlite().await;
    let r = login(&app, HR, PASSWORD).await.expect(StatusCode::OK);
    let set = cookies(&r.headers);
    assert_eq!(set.len(), 2, "{set:?}");
    let token = r.body["token"].as_str().unwrap();
    let csrf = r.body["csrf_token"].as_str().unwrap();
    assert_eq!(set[0], format!("bole_session={token}; HttpOnly; SameSite=Lax; Path=/; Max-Age=43200"));
    assert_eq!(set[1], format!("bole_csrf={csrf}; SameSite=Lax; Path=/; Max-Age=43200"), "readable by the page");
    assert_eq!(r.headers["cache-control"], "no-store");
    assert_eq!(r.body["password_change_required"], false);
    assert_eq!(r.body["mfa_enrollment_required"], false);

    // Served over TLS: Secure on both.
    let tls =
        app_with(Options { http: HttpSettings { tls: true, ..Options::default().http }, ..Options::default() }).await;
    let set = cookies(&login(&tls, HR, PASSWORD).await.headers);
    assert!(set.iter().all(|c| c.ends_with("; Secure")), "{set:?}");

    // Behind a TLS proxy: only a trusted proxy's X-Forwarded-Proto counts.
    let proxied = Options {
        http: HttpSettings {
            trusted_proxies: TrustedProxies::parse(&["10.0.0.0/8"]).unwrap(),
            ..Options::default().http
        },
        ..Options::default()
    };
    let app = app_with(proxied).await;
    let body = json!({"username": HR, "password": PASSWORD});
    let via = |peer| Req {
        body: Some(body.clone()),
        peer: Some(peer),
        headers: vec![("x-forwarded-proto", "https")],
        ..Req::default()
    };
    let r = send(&app, Method::POST, "/api/v1/auth/login", via("10.1.2.3:4000")).await;
    assert!(cookies(&r.headers).iter().all(|c| c.ends_with("; Secure")));
    let r = send(&app, Method::POST, "/api/v1/auth/login", via("198.51.100.9:4000")).await;
    assert!(cookies(&r.headers).iter().all(|c| !c.contains("Secure")), "a header from anyone is not believed");
}

#[tokio::test]
async fn cookie_authenticated_writes_need_the_csrf_header() {
    let app = TestApp::sqlite().await;
    let r = login(&app, HR, PASSWORD).await.expect(StatusCode::OK);
    let set = cookies(&r.headers);
    let cookie = format!("{}; {}", pair(&set[0]), pair(&set[1]));
    let csrf = r.body["csrf_token"].as_str().unwrap().to_string();
    let token = r.body["token"].as_str().unwrap().to_string();

    // Reads need no CSRF token.
    send(&app, Method::GET, "/api/v1/auth/me", Req { cookie: Some(cookie.clone()), ..Req::default() })
        .await
        .expect(StatusCode::OK);
    // A write without it, or with a wrong one, is refused before anything happens.
    let r =
        send(&app, Method::POST, "/api/v1/auth/logout", Req { cookie: Some(cookie.clone()), ..Req::default() }).await;
    assert_eq!((r.status, r.code()), (StatusCode::FORBIDDEN, "csrf_failed"));
    let wrong = Req { cookie: Some(cookie.clone()), csrf: Some("not-the-token"), ..Req::default() };
    assert_eq!(send(&app, Method::POST, "/api/v1/auth/logout", wrong).await.code(), "csrf_failed");
    let body = json!({"name": "x", "permissions": ["org_read"], "expires_in_days": 1});
    let r = send(
        &app,
        Method::POST,
        "/api/v1/auth/tokens",
        Req { cookie: Some(cookie.clone()), body: Some(body.clone()), ..Req::default() },
    )
    .await;
    assert_eq!(r.code(), "csrf_failed");
    // Bearer clients are exempt: a browser never adds an Authorization header by itself.
    send(&app, Method::POST, "/api/v1/auth/tokens", Req { bearer: Some(&token), body: Some(body), ..Req::default() })
        .await
        .expect(StatusCode::CREATED);
    // With the token the write goes through, and logout clears both cookies.
    let ok = Req { cookie: Some(cookie.clone()), csrf: Some(&csrf), ..Req::default() };
    let r = send(&app, Method::POST, "/api/v1/auth/logout", ok).await.expect(StatusCode::NO_CONTENT);
    let cleared = cookies(&r.headers);
    assert!(cleared.iter().any(|c| c.starts_with("bole_session=;") && c.contains("Max-Age=0")), "{cleared:?}");
    assert!(cleared.iter().any(|c| c.starts_with("bole_csrf=;") && c.contains("Max-Age=0")), "{cleared:?}");
    let r = send(&app, Method::GET, "/api/v1/auth/me", Req { cookie: Some(cookie), ..Req::default() }).await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn my_sessions_are_listed_with_their_origin_and_revocable() {
    let app = TestApp::sqlite().await;
    let from = |token| Req {
        bearer: Some(token),
        peer: Some("203.0.113.5:5555"),
        headers: vec![("user-agent", "Firefox/140")],
        ..Req::default()
    };
    let body = json!({"username": HR, "password": PASSWORD});
    let a = send(
        &app,
        Method::POST,
        "/api/v1/auth/login",
        Req {
            body: Some(body.clone()),
            peer: Some("203.0.113.5:5555"),
            headers: vec![("user-agent", "Firefox/140")],
            ..Req::default()
        },
    )
    .await;
    let a = a.body["token"].as_str().unwrap().to_string();
    let b = app.login().await;
    let admin = app.login_as(ADMIN).await;

    let list = send(&app, Method::GET, "/api/v1/auth/sessions", from(&a)).await.expect(StatusCode::OK).body;
    let list = list.as_array().unwrap().clone();
    assert_eq!(list.len(), 2, "{list:?}");
    let current = list.iter().find(|s| s["current"] == true).unwrap();
    assert_eq!(current["ip"], "203.0.113.5");
    assert_eq!(current["user_agent"], "Firefox/140");
    let other_id = list.iter().find(|s| s["current"] == false).unwrap()["id"].as_str().unwrap().to_string();
    assert!(!other_id.is_empty() && !list.iter().any(|s| s.get("token_hash").is_some()));

    // Someone else's session id is not mine.
    let admin_sessions = app.get("/api/v1/auth/sessions", &admin).await.body;
    let admin_session = admin_sessions[0]["id"].as_str().unwrap();
    let r = app.call(Method::DELETE, &format!("/api/v1/auth/sessions/{admin_session}"), Some(&a), None).await;
    assert_eq!((r.status, r.code()), (StatusCode::NOT_FOUND, "session_not_found"));

    app.call(Method::DELETE, &format!("/api/v1/auth/sessions/{other_id}"), Some(&a), None)
        .await
        .expect(StatusCode::NO_CONTENT);
    assert_eq!(app.get("/api/v1/auth/me", &b).await.status, StatusCode::UNAUTHORIZED);
    app.get("/api/v1/auth/me", &a).await.expect(StatusCode::OK);

    // Sign out everywhere.
    let b = app.login().await;
    app.call(Method::DELETE, "/api/v1/auth/sessions", Some(&a), None).await.expect(StatusCode::NO_CONTENT);
    assert_eq!(app.get("/api/v1/auth/me", &a).await.status, StatusCode::UNAUTHORIZED);
    assert_eq!(app.get("/api/v1/auth/me", &b).await.status, StatusCode::UNAUTHORIZED);
    app.get("/api/v1/auth/me", &admin).await.expect(StatusCode::OK);
}

#[tokio::test]
async fn api_tokens_are_narrowed_expiring_revocable_and_cannot_manage_the_account() {
    let clock = MovableClock::new();
    let app = app_with(Options { clock: clock.clone(), ..Options::default() }).await;
    let session = app.login().await;
    let r = app
        .post(
            "/api/v1/auth/tokens",
            &session,
            json!({"name": "n", "permissions": ["org_read"], "expires_in_days": 366}),
        )
        .await;
    assert_eq!((r.status, r.code()), (StatusCode::UNPROCESSABLE_ENTITY, "validation_failed"));
    assert!(r.body["error"]["fields"]["expires_in_days"].is_array());
    let r = app
        .post(
            "/api/v1/auth/tokens",
            &session,
            json!({"name": "n", "permissions": ["audit_read"], "expires_in_days": 1}),
        )
        .await;
    assert!(r.body["error"]["fields"]["permissions[0]"].is_array(), "only permissions I hold: {}", r.body);

    let created = app
        .post(
            "/api/v1/auth/tokens",
            &session,
            json!({"name": "BI export", "permissions": ["org_read", "employee_read"], "expires_in_days": 7}),
        )
        .await
        .expect(StatusCode::CREATED);
    let pat = created.body["token"].as_str().unwrap().to_string();
    let id = created.body["id"].as_str().unwrap().to_string();
    assert!(pat.starts_with("bole_pat_"));
    assert_eq!(created.headers["location"], format!("/api/v1/auth/tokens/{id}"));

    app.get("/api/v1/org-units", &pat).await.expect(StatusCode::OK);
    app.get("/api/v1/employees", &pat).await.expect(StatusCode::OK);
    let r = app.post("/api/v1/companies", &pat, json!({"code": "X", "name": "X", "kind": "legal_entity"})).await;
    assert_eq!((r.status, r.code()), (StatusCode::FORBIDDEN, "forbidden"), "org_write was not granted to the token");
    let me = app.get("/api/v1/auth/me", &pat).await.expect(StatusCode::OK);
    assert_eq!(me.body["permissions"], json!(["org_read", "employee_read"]));
    let r = app.get("/api/v1/auth/tokens", &pat).await;
    assert_eq!((r.status, r.code()), (StatusCode::FORBIDDEN, "session_required"));
    let r = app
        .post("/api/v1/auth/password", &pat, json!({"old_password": PASSWORD, "new_password": "Whatever-2027"}))
        .await;
    assert_eq!(r.code(), "session_required");
    // A token is a bearer credential only.
    let r = send(
        &app,
        Method::GET,
        "/api/v1/auth/me",
        Req { cookie: Some(format!("bole_session={pat}")), ..Req::default() },
    )
    .await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);

    let listed = app.get("/api/v1/auth/tokens", &session).await.expect(StatusCode::OK).body;
    assert_eq!(listed[0]["name"], "BI export");
    assert!(listed[0].get("token").is_none() && listed[0].get("token_hash").is_none(), "{listed}");
    assert_eq!(listed[0]["last_used_at"], json!(clock.now()));

    clock.advance(TimeDelta::days(7));
    assert_eq!(app.get("/api/v1/org-units", &pat).await.status, StatusCode::UNAUTHORIZED, "expired");

    let session = app.login().await;
    let second = app
        .post(
            "/api/v1/auth/tokens",
            &session,
            json!({"name": "second", "permissions": ["org_read"], "expires_in_days": 30}),
        )
        .await
        .body;
    let pat2 = second["token"].as_str().unwrap();
    app.get("/api/v1/org-units", pat2).await.expect(StatusCode::OK);
    let admin = app.login_as(ADMIN).await;
    let r = app
        .call(Method::DELETE, &format!("/api/v1/auth/tokens/{}", second["id"].as_str().unwrap()), Some(&admin), None)
        .await;
    assert_eq!((r.status, r.code()), (StatusCode::NOT_FOUND, "api_token_not_found"), "not the admin's token");
    app.call(Method::DELETE, &format!("/api/v1/auth/tokens/{}", second["id"].as_str().unwrap()), Some(&session), None)
        .await
        .expect(StatusCode::NO_CONTENT);
    assert_eq!(app.get("/api/v1/org-units", pat2).await.status, StatusCode::UNAUTHORIZED, "revoked");
}

#[tokio::test]
async fn totp_enrolment_and_the_two_step_login() {
    let clock = MovableClock::new();
    let app = app_with(Options { clock: clock.clone(), ..Options::default() }).await;
    let token = app.login().await;
    let r = app.call(Method::POST, "/api/v1/auth/mfa/totp", Some(&token), None).await.expect(StatusCode::OK);
    let uri = r.body["otpauth_uri"].as_str().unwrap().to_string();
    assert!(uri.starts_with("otpauth://totp/Bole%20%E4%BC%AF%E4%B9%90:hr?secret="), "{uri}");
    assert!(r.body["qr_svg"].as_str().unwrap().contains("<svg"), "an SVG QR code");
    assert_eq!(r.body["secret"].as_str().unwrap().len(), 32, "160 bits in base32");
    assert_eq!(r.headers["cache-control"], "no-store");

    let r = app.post("/api/v1/auth/mfa/totp/confirm", &token, json!({"code": "000000"})).await;
    assert_eq!((r.status, r.code()), (StatusCode::UNPROCESSABLE_ENTITY, "invalid_mfa_code"));
    let r = app
        .post("/api/v1/auth/mfa/totp/confirm", &token, json!({"code": code_for(&uri, clock.now())}))
        .await
        .expect(StatusCode::OK);
    let recovery: Vec<String> = serde_json::from_value(r.body["recovery_codes"].clone()).unwrap();
    assert_eq!(recovery.len(), 10);
    let r = app.call(Method::POST, "/api/v1/auth/mfa/totp", Some(&token), None).await;
    assert_eq!((r.status, r.code()), (StatusCode::CONFLICT, "mfa_already_enabled"));

    // Step one answers with an MFA token only: no session, no cookie.
    let r = login(&app, HR, PASSWORD).await.expect(StatusCode::OK);
    assert_eq!(r.body["mfa_required"], true);
    assert!(r.body.get("token").is_none() && cookies(&r.headers).is_empty(), "{}", r.body);
    let mfa_token = r.body["mfa_token"].as_str().unwrap().to_string();
    assert_eq!(app.get("/api/v1/auth/me", &mfa_token).await.status, StatusCode::UNAUTHORIZED, "not a session");

    let step2 = |code: String| json!({"mfa_token": mfa_token, "code": code});
    let mfa = |body| Req { body: Some(body), ..Req::default() };
    // The code that confirmed enrolment belongs to this step: replay refused.
    let r = send(&app, Method::POST, "/api/v1/auth/login/mfa", mfa(step2(code_for(&uri, clock.now())))).await;
    assert_eq!((r.status, r.code()), (StatusCode::UNAUTHORIZED, "invalid_mfa_code"));
    clock.advance(TimeDelta::seconds(30));
    let code = code_for(&uri, clock.now());
    let r = send(&app, Method::POST, "/api/v1/auth/login/mfa", mfa(step2(code.clone()))).await.expect(StatusCode::OK);
    assert_eq!(cookies(&r.headers).len(), 2);
    let session = r.body["token"].as_str().unwrap().to_string();
    app.get("/api/v1/org-units", &session).await.expect(StatusCode::OK);

    // A new first step; the same code again is refused, a recovery code works once.
    let mfa_token = login(&app, HR, PASSWORD).await.body["mfa_token"].as_str().unwrap().to_string();
    let body = |code: &str| json!({"mfa_token": mfa_token, "code": code});
    let r = send(&app, Method::POST, "/api/v1/auth/login/mfa", mfa(body(&code))).await;
    assert_eq!(r.code(), "invalid_mfa_code");
    send(&app, Method::POST, "/api/v1/auth/login/mfa", mfa(body(&recovery[3]))).await.expect(StatusCode::OK);
    let mfa_token = login(&app, HR, PASSWORD).await.body["mfa_token"].as_str().unwrap().to_string();
    let r =
        send(&app, Method::POST, "/api/v1/auth/login/mfa", mfa(json!({"mfa_token": mfa_token, "code": recovery[3]})))
            .await;
    assert_eq!(r.code(), "invalid_mfa_code", "a recovery code is single use");

    // Disabling needs a current code.
    let r = app.post("/api/v1/auth/mfa/totp/disable", &session, json!({"code": "123456"})).await;
    assert_eq!(r.code(), "invalid_mfa_code");
    clock.advance(TimeDelta::seconds(30));
    app.post("/api/v1/auth/mfa/totp/disable", &session, json!({"code": code_for(&uri, clock.now())}))
        .await
        .expect(StatusCode::NO_CONTENT);
    assert!(login(&app, HR, PASSWORD).await.body["token"].is_string());
}

#[tokio::test]
async fn privileged_accounts_can_only_enrol_mfa_until_they_have() {
    let clock = MovableClock::new();
    let app = app_with(Options { policy: SecurityPolicy::default(), clock: clock.clone(), ..Options::default() }).await;
    let r = login(&app, HR, PASSWORD).await.expect(StatusCode::OK);
    assert_eq!(r.body["mfa_enrollment_required"], true);
    assert_eq!(r.body["user"]["mfa_enrollment_required"], true);
    let token = r.body["token"].as_str().unwrap().to_string();
    for uri in ["/api/v1/employees", "/api/v1/org-units", "/api/v1/auth/sessions", "/api/v1/auth/tokens"] {
        let r = app.get(uri, &token).await;
        assert_eq!((r.status, r.code()), (StatusCode::FORBIDDEN, "mfa_enrollment_required"), "{uri}");
    }
    assert_eq!(app.get("/api/v1/auth/me", &token).await.expect(StatusCode::OK).body["mfa_enrollment_required"], true);
    let uri = app.call(Method::POST, "/api/v1/auth/mfa/totp", Some(&token), None).await.expect(StatusCode::OK).body["otpauth_uri"]
        .as_str()
        .unwrap()
        .to_string();
    app.post("/api/v1/auth/mfa/totp/confirm", &token, json!({"code": code_for(&uri, clock.now())}))
        .await
        .expect(StatusCode::OK);
    app.get("/api/v1/employees", &token).await.expect(StatusCode::OK);
    assert_eq!(app.get("/api/v1/auth/me", &token).await.body["mfa_enrollment_required"], false);
}

#[tokio::test]
async fn an_expired_password_allows_only_changing_it() {
    let clock = MovableClock::new();
    let app = app_with(Options { clock: clock.clone(), ..Options::default() }).await;
    clock.advance(TimeDelta::days(90));
    let r = login(&app, HR, PASSWORD).await.expect(StatusCode::OK);
    assert_eq!(r.body["password_change_required"], true);
    let token = r.body["token"].as_str().unwrap().to_string();
    let r = app.get("/api/v1/org-units", &token).await;
    assert_eq!((r.status, r.code()), (StatusCode::FORBIDDEN, "password_change_required"));
    let r = app
        .post("/api/v1/auth/password", &token, json!({"old_password": "nope", "new_password": "Renewed-Pass-2026"}))
        .await;
    assert_eq!((r.status, r.code()), (StatusCode::UNPROCESSABLE_ENTITY, "wrong_password"));
    let r =
        app.post("/api/v1/auth/password", &token, json!({"old_password": PASSWORD, "new_password": PASSWORD})).await;
    assert_eq!(r.code(), "validation_failed");
    app.post("/api/v1/auth/password", &token, json!({"old_password": PASSWORD, "new_password": "Renewed-Pass-2026"}))
        .await
        .expect(StatusCode::NO_CONTENT);
    app.get("/api/v1/org-units", &token).await.expect(StatusCode::OK);
}

#[tokio::test]
async fn unknown_wrong_locked_and_disabled_get_the_same_401() {
    let app = TestApp::sqlite().await;
    let admin = app.login_as(ADMIN).await;
    app.add_user(
        "locked.one",
        None,
        vec![bole_access::RoleGrant::builtin(bole_core::Role::Recruiter, bole_core::DataScope::All)],
    )
    .await;
    app.add_user(
        "disabled.one",
        None,
        vec![bole_access::RoleGrant::builtin(bole_core::Role::Recruiter, bole_core::DataScope::All)],
    )
    .await;
    for _ in 0..5 {
        login(&app, "locked.one", "Wrong-Pass-0000").await.expect(StatusCode::UNAUTHORIZED);
    }
    let accounts = app.get("/api/v1/accounts", &admin).await.expect(StatusCode::OK).body;
    let id_of = |name: &str| {
        accounts.as_array().unwrap().iter().find(|a| a["username"] == name).unwrap()["id"].as_str().unwrap().to_string()
    };
    app.call(Method::POST, &format!("/api/v1/accounts/{}/disable", id_of("disabled.one")), Some(&admin), None)
        .await
        .expect(StatusCode::NO_CONTENT);

    let answers = [
        login(&app, "nobody", PASSWORD).await,
        login(&app, HR, "Wrong-Pass-0000").await,
        login(&app, "locked.one", PASSWORD).await,
        login(&app, "disabled.one", PASSWORD).await,
    ];
    for a in &answers {
        assert_eq!(a.status, StatusCode::UNAUTHORIZED);
        assert_eq!(a.body, answers[0].body);
        assert_eq!(a.code(), "invalid_credentials");
        assert_eq!(a.headers.get("www-authenticate"), answers[0].headers.get("www-authenticate"));
    }
}

#[tokio::test]
async fn the_system_administrator_manages_accounts() {
    let app = TestApp::sqlite().await;
    let admin = app.login_as(ADMIN).await;
    let hr_token = app.login().await;
    let r = app.get("/api/v1/accounts", &hr_token).await;
    assert_eq!((r.status, r.code()), (StatusCode::FORBIDDEN, "forbidden"), "HR administrators do not manage accounts");

    for _ in 0..5 {
        login(&app, HR, "Wrong-Pass-0000").await;
    }
    let accounts = app.get("/api/v1/accounts", &admin).await.expect(StatusCode::OK).body;
    let text = accounts.to_string();
    assert!(!text.contains("argon2") && !text.contains("password_hash") && !text.contains("mfa_secret"), "{text}");
    let hr = accounts.as_array().unwrap().iter().find(|a| a["username"] == HR).unwrap().clone();
    assert!(hr["locked_until"].is_string(), "{hr}");
    let id = hr["id"].as_str().unwrap();
    assert_eq!(login(&app, HR, PASSWORD).await.status, StatusCode::UNAUTHORIZED);
    app.call(Method::POST, &format!("/api/v1/accounts/{id}/unlock"), Some(&admin), None)
        .await
        .expect(StatusCode::NO_CONTENT);
    let hr_token = login(&app, HR, PASSWORD).await.expect(StatusCode::OK).body["token"].as_str().unwrap().to_string();

    app.call(Method::DELETE, &format!("/api/v1/accounts/{id}/sessions"), Some(&admin), None)
        .await
        .expect(StatusCode::NO_CONTENT);
    assert_eq!(app.get("/api/v1/auth/me", &hr_token).await.status, StatusCode::UNAUTHORIZED);

    let r = app
        .call(Method::POST, &format!("/api/v1/accounts/{id}/password-reset"), Some(&admin), None)
        .await
        .expect(StatusCode::OK);
    let temporary = r.body["temporary_password"].as_str().unwrap().to_string();
    assert_eq!(r.headers["cache-control"], "no-store");
    let r = login(&app, HR, &temporary).await.expect(StatusCode::OK);
    assert_eq!(r.body["password_change_required"], true);

    app.call(Method::DELETE, &format!("/api/v1/accounts/{id}/mfa"), Some(&admin), None)
        .await
        .expect(StatusCode::NO_CONTENT);
    let missing = uuid::Uuid::now_v7();
    let r = app.call(Method::POST, &format!("/api/v1/accounts/{missing}/unlock"), Some(&admin), None).await;
    assert_eq!((r.status, r.code()), (StatusCode::NOT_FOUND, "user_not_found"));
    let me = app.get("/api/v1/auth/me", &admin).await.body["id"].as_str().unwrap().to_string();
    let r = app.call(Method::POST, &format!("/api/v1/accounts/{me}/disable"), Some(&admin), None).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "not my own account");
}

#[tokio::test]
async fn rate_limits_apply_to_the_mfa_step_too() {
    let limits = RateLimits { mfa_per_minute: 2, ..RateLimits::disabled() };
    let app = app_with(Options {
        http: HttpSettings { rate_limits: limits, ..HttpSettings::default() },
        ..Options::default()
    })
    .await;
    let body = json!({"mfa_token": "x", "code": "123456"});
    let req = || Req { body: Some(body.clone()), peer: Some("192.0.2.1:1"), ..Req::default() };
    assert_eq!(send(&app, Method::POST, "/api/v1/auth/login/mfa", req()).await.code(), "invalid_mfa_code");
    assert_eq!(send(&app, Method::POST, "/api/v1/auth/login/mfa", req()).await.code(), "invalid_mfa_code");
    let r = send(&app, Method::POST, "/api/v1/auth/login/mfa", req()).await;
    assert_eq!((r.status, r.code()), (StatusCode::TOO_MANY_REQUESTS, "rate_limited"));
}
