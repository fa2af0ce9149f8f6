//! What handlers can reach: the domain services, built once by the composition
//! root (bole-app) and shared by every request as [`AppState`].

use bole_access::AccountService;
use bole_core::clock::SharedClock;
use bole_org::OrgService;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

/// Future returned by a readiness check: true when the service can take traffic.
pub type ReadyFuture = Pin<Box<dyn Future<Output = bool> + Send>>;
/// A readiness check (typically: the database answers). `/readyz` calls it.
pub type ReadyCheck = Arc<dyn Fn() -> ReadyFuture + Send + Sync>;

/// Wrap an async closure as a [`ReadyCheck`]:
/// `ready_check(move || { let db = db.clone(); async move { ping(&db).await.is_ok() } })`.
pub fn ready_check<F, Fut>(check: F) -> ReadyCheck
where
    F: Fn() -> Fut + Send + Sync + 'static,
    Fut: Future<Output = bool> + Send + 'static,
{
    Arc::new(move || Box::pin(check()) as ReadyFuture)
}

/// The services behind the API. One field per domain; add a domain by adding its
/// service here and its route module in `routes/mod.rs`.
pub struct Services {
    pub org: OrgService,
    pub accounts: AccountService,
    pub people: bole_people::PeopleService,
    pub privacy: bole_privacy::PrivacyService,
    pub audit: bole_audit::AuditService,
    pub attendance: bole_time::attendance::AttendanceService,
    pub workflow: bole_workflow::WorkflowService,
    pub absence: bole_time::absence::AbsenceService,
    /// Pay components and structures, salaries, SI/HF, IIT, pay runs, payslips, exports.
    pub payroll: bole_payroll::PayrollService,
    /// "Today" and "now" for defaults such as `as_of`; never the system clock directly.
    pub clock: SharedClock,
    pub ready: ReadyCheck,
}

impl std::fmt::Debug for Services {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Services").field("org", &self.org).field("accounts", &self.accounts).finish_non_exhaustive()
    }
}

/// Shared, immutable application state handed to every handler.
pub type AppState = Arc<Services>;
