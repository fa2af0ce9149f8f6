//! An in-process app on a real, migrated database with a fixed clock, and
//! helpers to send requests through the router with `oneshot`.
#![allow(dead_code, reason = "each test binary uses a different subset of the helpers")]
#![expect(clippy::unwrap_used, reason = "test helpers: any failure should fail the test loudly")]

use axum::Router;
use axum::body::Body;
use axum::http::{HeaderMap, Method, Request, StatusCode, header};
use bole_access::{AccountService, AccountStore, NewUser, RoleGrant, SecurityPolicy};
use bole_core::clock::SharedClock;
use bole_core::{DataScope, EmployeeId, Role};
use bole_http::{HttpSettings, RateLimits, Services, ready_check, router_with};
use bole_org::OrgService;
use bole_testkit::{TestDb, clock_on};
use http_body_util::BodyExt;
use serde_json::Value;
use std::sync::Arc;
use tower::ServiceExt;

/// The system administrator (三员: accounts only, no personal data).
pub const ADMIN: &str = "admin";
/// An HR administrator over every company: the default actor of the HTTP tests.
pub const HR: &str = "hr";
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

/// What a test can change about the app. The default suits tests of everything but
/// authentication: no MFA requirement for privileged roles (the `hr` account is one) and no
/// rate limits (every in-process request comes from the same unknown address).
pub struct Options {
    pub policy: SecurityPolicy,
    pub http: HttpSettings,
    pub clock: SharedClock,
    /// Payslip PDFs (bole-pdf's renderer in the tests that want it; none answers `pdf_unavailable`).
    pub payslips: Option<Arc<dyn bole_payroll::PayslipRenderer>>,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            policy: SecurityPolicy { mfa_required_for_privileged: false, ..SecurityPolicy::default() },
            http: HttpSettings { rate_limits: RateLimits::disabled(), ..HttpSettings::default() },
            clock: clock_on(TODAY),
            payslips: None,
        }
    }
}

impl TestApp {
    pub async fn new(db: TestDb) -> TestApp {
        Self::with(db, Options::default()).await
    }

    pub async fn with(db: TestDb, options: Options) -> TestApp {
        let clock = options.clock;
        let accounts = AccountService::new(db.store.clone(), clock.clone()).with_policy(options.policy);
        accounts.bootstrap_admin(ADMIN, PASSWORD).await.unwrap();
        accounts
            .bootstrap_user(NewUser {
                username: HR.into(),
                password: PASSWORD.into(),
                employee_id: None,
                grants: vec![RoleGrant::builtin(Role::HrAdmin, DataScope::All)],
            })
            .await
            .unwrap();
        let store = db.store.clone();
        let (workflow, absence) = bole_time::absence::wire(
            db.store.clone(),
            bole_workflow::WorkflowService::new(db.store.clone(), db.store.clone(), clock.clone()),
            bole_time::absence::national_calendar(),
            clock.clone(),
        );
        let (workflow, payroll) = bole_payroll::wire(payroll_ports(&db, clock.clone()), workflow);
        let payroll = match options.payslips {
            Some(r) => payroll.with_renderer(r),
            None => payroll,
        };
        let services = Services {
            org: OrgService::new(db.store.clone(), clock.clone()),
            people: bole_people::PeopleService::new(
                db.store.clone(),
                db.store.clone(),
                db.store.clone(),
                clock.clone(),
            ),
            privacy: privacy_service(&db, clock.clone()),
            audit: audit_service(&db, clock.clone()),
            attendance: attendance_service(&db, clock.clone()),
            workflow,
            absence,
            payroll,
            accounts,
            clock,
            ready: ready_check(move || {
                let store = store.clone();
                async move { store.count_users().await.is_ok() }
            }),
        };
        TestApp { router: router_with(Arc::new(services), options.http), db }
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

    /// Log in as the HR administrator (all companies); returns the bearer token.
    pub async fn login(&self) -> String {
        self.login_as(HR).await
    }

    /// Log in as any account created with [`PASSWORD`]; returns the bearer token.
    pub async fn login_as(&self, username: &str) -> String {
        let r = self
            .call(
                Method::POST,
                "/api/v1/auth/login",
                None,
                Some(serde_json::json!({"username": username, "password": PASSWORD})),
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
        r.body["token"].as_str().unwrap().to_string()
    }

    /// Create an account with [`PASSWORD`] and these grants, as the operator.
    pub async fn add_user(&self, username: &str, employee_id: Option<EmployeeId>, grants: Vec<RoleGrant>) {
        let accounts = AccountService::new(self.db.store.clone(), clock_on(TODAY));
        accounts
            .bootstrap_user(NewUser { username: username.into(), password: PASSWORD.into(), employee_id, grants })
            .await
            .unwrap();
    }

    /// Create an account with one built-in role and log in as it.
    pub async fn login_with(
        &self,
        username: &str,
        employee_id: Option<EmployeeId>,
        role: Role,
        scope: DataScope,
    ) -> String {
        self.add_user(username, employee_id, vec![RoleGrant::builtin(role, scope)]).await;
        self.login_as(username).await
    }
}

/// The privacy service over the test database, built as the composition root builds it.
pub fn privacy_service(db: &TestDb, clock: SharedClock) -> bole_privacy::PrivacyService {
    let people = bole_people::PeopleService::new(db.store.clone(), db.store.clone(), db.store.clone(), clock.clone());
    let subject = bole_http::subject::SubjectDataAdapter::new(people, db.store.clone(), clock.clone());
    bole_privacy::PrivacyService::new(db.store.clone(), Arc::new(subject), db.store.clone(), clock)
}

/// The audit service over the test database, with a fresh signing key.
pub fn attendance_service(db: &TestDb, clock: SharedClock) -> bole_time::attendance::AttendanceService {
    bole_time::attendance::AttendanceService::new(
        db.store.clone(),
        bole_people::PeopleService::new(db.store.clone(), db.store.clone(), db.store.clone(), clock.clone()),
        OrgService::new(db.store.clone(), clock.clone()),
        db.store.clone(),
        clock,
    )
}

/// What the payroll service talks to, over the test database (the national calendar).
pub fn payroll_ports(db: &TestDb, clock: SharedClock) -> bole_payroll::PayrollPorts {
    bole_payroll::PayrollPorts {
        store: db.store.clone(),
        people_store: db.store.clone(),
        people: bole_people::PeopleService::new(db.store.clone(), db.store.clone(), db.store.clone(), clock.clone()),
        attendance: attendance_service(db, clock.clone()),
        calendars: bole_time::absence::national_calendar(),
        audit: db.store.clone(),
        clock,
    }
}

pub fn audit_service(db: &TestDb, clock: SharedClock) -> bole_audit::AuditService {
    bole_audit::AuditService::new(db.store.clone(), clock, bole_audit::Signer::generate().unwrap())
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
