//! An in-process app on a real, migrated database with a fixed clock, and
//! helpers to send requests through the router with `oneshot`.
#![allow(dead_code, reason = "each test binary uses a different subset of the helpers")]
#![expect(clippy::unwrap_used, reason = "test helpers: any failure should fail the test loudly")]

use axum::Router;
use axum::body::Body;
use axum::http::{HeaderMap, Method, Request, StatusCode, header};
use bole_access::{AccountService, AccountStore};
use bole_http::{Services, ready_check, router};
use bole_org::OrgService;
use bole_testkit::{TestDb, clock_on};
use http_body_util::BodyExt;
use serde_json::Value;
use std::sync::Arc;
use tower::ServiceExt;

pub const ADMIN: &str = "admin";
pub const PASSWORD: &str = "Bole-Admin-2026";
/// "Today" in every HTTP test.
pub const TODAY: &str = "2026-03-02";

pub struct TestApp {
    pub router: Router,
    pub db: TestDb,
}

pub struct Reply {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: Value,
}

impl TestApp {
    pub async fn new(db: TestDb) -> TestApp {
        let clock = clock_on(TODAY);
        let accounts = AccountService::new(db.store.clone(), clock.clone());
        accounts.bootstrap_admin(ADMIN, PASSWORD).await.unwrap();
        let store = db.store.clone();
        let services = Services {
            org: OrgService::new(db.store.clone(), clock.clone()),
            people: bole_people::PeopleService::new(db.store.clone(), db.store.clone(), clock.clone()),
            accounts,
            clock,
            ready: ready_check(move || {
                let store = store.clone();
                async move { store.count_users().await.is_ok() }
            }),
        };
        TestApp { router: router(Arc::new(services)), db }
    }

    pub async fn sqlite() -> TestApp {
        Self::new(TestDb::sqlite().await).await
    }

    pub async fn send(&self, req: Request<Body>) -> Reply {
        let res = self.router.clone().oneshot(req).await.unwrap();
        let status = res.status();
        let headers = res.headers().clone();
        let bytes = res.into_body().collect().await.unwrap().to_bytes();
        let body = if bytes.is_empty() {
            Value::Null
        } else {
            serde_json::from_slice(&bytes).unwrap_or_else(|_| Value::String(String::from_utf8_lossy(&bytes).into()))
        };
        Reply { status, headers, body }
    }

    pub async fn call(&self, method: Method, uri: &str, token: Option<&str>, body: Option<Value>) -> Reply {
        let mut req = Request::builder().method(method).uri(uri);
        if let Some(t) = token {
            req = req.header(header::AUTHORIZATION, format!("Bearer {t}"));
        }
        let req = match body {
            Some(b) => req.header(header::CONTENT_TYPE, "application/json").body(Body::from(b.to_string())),
            None => req.body(Body::empty()),
        };
        self.send(req.unwrap()).await
    }

    pub async fn get(&self, uri: &str, token: &str) -> Reply {
        self.call(Method::GET, uri, Some(token), None).await
    }

    pub async fn post(&self, uri: &str, token: &str, body: Value) -> Reply {
        self.call(Method::POST, uri, Some(token), Some(body)).await
    }

    /// Log in as the administrator; returns the bearer token.
    pub async fn login(&self) -> String {
        let r = self
            .call(
                Method::POST,
                "/api/v1/auth/login",
                None,
                Some(serde_json::json!({"username": ADMIN, "password": PASSWORD})),
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
        r.body["token"].as_str().unwrap().to_string()
    }
}

impl Reply {
    /// The envelope's error code.
    pub fn code(&self) -> &str {
        self.body["error"]["code"].as_str().unwrap_or("<no envelope>")
    }

    pub fn message(&self) -> &str {
        self.body["error"]["message"].as_str().unwrap_or("<no envelope>")
    }

    pub fn expect(self, status: StatusCode) -> Self {
        assert_eq!(self.status, status, "body: {}", self.body);
        self
    }
}
