//! The route policy table and the layer that enforces it: every route under
//! `/api/v1` names the permission it needs before any handler or body extractor
//! runs. Services then authorise again with the data scope (which rows); this layer
//! decides only whether the actor may use the route at all.
//!
//! A route missing from [`ROUTES`] is refused (deny by default), the router refuses
//! to start in debug builds, and the route × role matrix test fails — so a new
//! endpoint cannot ship without a policy.

use crate::error::ApiError;
use crate::state::AppState;
use axum::extract::{MatchedPath, Request, State};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use bole_core::{Actor, Outcome, Permission};

/// What a route requires of the signed-in actor.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RoutePolicy {
    /// Open to anyone (login). Listed so the table covers every route.
    Public,
    /// Any signed-in account (its own profile, sessions, MFA, privacy centre).
    SignedIn,
    /// The permission, over some scope; the service applies the scope.
    Requires(Permission),
    /// Any one of these permissions (the sharing register: privacy admins and auditors).
    AnyOf(&'static [Permission]),
}

use Permission as P;
use RoutePolicy::{AnyOf, Public, Requires, SignedIn};

/// `(method, path template under /api/v1 or absolute for operational routes, policy)`.
pub const ROUTES: &[(&str, &str, RoutePolicy)] = &[
    ("GET", "/healthz", Public),
    ("GET", "/readyz", Public),
    // sign-in, my sessions, tokens, MFA, password
    ("POST", "/auth/login", Public),
    ("POST", "/auth/login/mfa", Public),
    ("POST", "/auth/logout", SignedIn),
    ("GET", "/auth/me", SignedIn),
    ("POST", "/auth/password", SignedIn),
    ("GET", "/auth/sessions", SignedIn),
    ("DELETE", "/auth/sessions", SignedIn),
    ("DELETE", "/auth/sessions/{id}", SignedIn),
    ("GET", "/auth/tokens", SignedIn),
    ("POST", "/auth/tokens", SignedIn),
    ("DELETE", "/auth/tokens/{id}", SignedIn),
    ("POST", "/auth/mfa/totp", SignedIn),
    ("POST", "/auth/mfa/totp/confirm", SignedIn),
    ("POST", "/auth/mfa/totp/disable", SignedIn),
    // accounts (系统管理员) and roles (安全保密管理员)
    // The security administrator grants roles, so must see which accounts exist (no personal data).
    ("GET", "/accounts", AnyOf(&[P::UserAdmin, P::RoleAdmin])),
    ("POST", "/accounts", Requires(P::UserAdmin)),
    ("POST", "/accounts/{id}/disable", Requires(P::UserAdmin)),
    ("POST", "/accounts/{id}/enable", Requires(P::UserAdmin)),
    ("DELETE", "/accounts/{id}/mfa", Requires(P::UserAdmin)),
    ("POST", "/accounts/{id}/password-reset", Requires(P::UserAdmin)),
    ("DELETE", "/accounts/{id}/sessions", Requires(P::UserAdmin)),
    ("POST", "/accounts/{id}/unlock", Requires(P::UserAdmin)),
    ("PUT", "/accounts/{id}/grants", Requires(P::RoleAdmin)),
    ("GET", "/roles", Requires(P::RoleAdmin)),
    ("POST", "/roles", Requires(P::RoleAdmin)),
    // audit (安全审计员)
    ("GET", "/audit/records", Requires(P::AuditRead)),
    ("GET", "/audit/export", Requires(P::AuditRead)),
    ("POST", "/audit/verify", Requires(P::AuditRead)),
    ("POST", "/audit/checkpoints", Requires(P::AuditRead)),
    // org
    ("GET", "/companies", Requires(P::OrgRead)),
    ("POST", "/companies", Requires(P::OrgWrite)),
    ("GET", "/companies/{id}", Requires(P::OrgRead)),
    ("GET", "/org-units", Requires(P::OrgRead)),
    ("POST", "/org-units", Requires(P::OrgWrite)),
    ("GET", "/org-units/tree", Requires(P::OrgRead)),
    ("GET", "/org-units/{id}", Requires(P::OrgRead)),
    ("GET", "/org-units/{id}/history", Requires(P::OrgRead)),
    ("GET", "/org-units/{id}/path", Requires(P::OrgRead)),
    ("POST", "/org-units/{id}/changes", Requires(P::OrgWrite)),
    ("POST", "/org-units/{id}/merge", Requires(P::OrgWrite)),
    ("GET", "/positions", Requires(P::OrgRead)),
    ("POST", "/positions", Requires(P::OrgWrite)),
    ("GET", "/positions/{id}", Requires(P::OrgRead)),
    ("GET", "/quotas", Requires(P::OrgRead)),
    ("POST", "/quotas", Requires(P::OrgWrite)),
    // people
    ("GET", "/employees", Requires(P::EmployeeRead)),
    ("POST", "/employees", Requires(P::EmployeeWrite)),
    ("GET", "/employees/export", Requires(P::EmployeeExport)),
    ("POST", "/employees/import", Requires(P::EmployeeImport)),
    ("GET", "/employees/import-template", Requires(P::EmployeeImport)),
    ("GET", "/employees/{id}", Requires(P::EmployeeRead)),
    ("POST", "/employees/{id}/reveal", Requires(P::SensitiveReveal)),
    ("PUT", "/employees/{id}/personal-data", Requires(P::EmployeeWrite)),
    ("GET", "/employees/{id}/events", Requires(P::EmployeeRead)),
    ("POST", "/employees/{id}/events", Requires(P::EmployeeWrite)),
    ("POST", "/employees/{id}/events/{event_id}/cancel", Requires(P::EmployeeWrite)),
    ("GET", "/employees/{id}/assignments", Requires(P::EmployeeRead)),
    ("GET", "/employees/{id}/timeline", Requires(P::EmployeeRead)),
    ("GET", "/employees/{id}/contracts", Requires(P::ContractRead)),
    ("POST", "/employees/{id}/contracts", Requires(P::ContractWrite)),
    ("GET", "/contracts/expiring", Requires(P::ContractRead)),
    ("GET", "/data-quality/report", Requires(P::DataQualityRead)),
    ("GET", "/dictionaries", SignedIn),
    ("GET", "/dictionaries/{key}", SignedIn),
    ("GET", "/id-numbers/{number}", SignedIn),
    // PIPL: my privacy centre (the service acts on the caller's own record only)
    ("GET", "/me/privacy/notice", SignedIn),
    ("POST", "/me/privacy/acknowledgements", SignedIn),
    ("GET", "/me/privacy/consents", SignedIn),
    ("POST", "/me/privacy/consents", SignedIn),
    ("GET", "/me/privacy/consents/history", SignedIn),
    ("POST", "/me/privacy/consent-withdrawals", SignedIn),
    ("GET", "/me/privacy/data-copy", SignedIn),
    ("GET", "/me/privacy/requests", SignedIn),
    ("POST", "/me/privacy/requests", SignedIn),
    ("GET", "/me/privacy/requests/{id}", SignedIn),
    // PIPL: handling by HR
    ("GET", "/privacy/notices", Requires(P::PrivacyAdmin)),
    ("POST", "/privacy/notices", Requires(P::PrivacyAdmin)),
    ("GET", "/privacy/notices/{version}", Requires(P::PrivacyAdmin)),
    ("GET", "/privacy/requests", Requires(P::PrivacyAdmin)),
    ("GET", "/privacy/requests/overdue", Requires(P::PrivacyAdmin)),
    ("GET", "/privacy/requests/{id}", Requires(P::PrivacyAdmin)),
    ("POST", "/privacy/requests/{id}/transitions", Requires(P::PrivacyAdmin)),
    ("GET", "/privacy/sharing-entries", AnyOf(&[P::PrivacyAdmin, P::AuditRead])),
    ("POST", "/privacy/sharing-entries", Requires(P::PrivacyAdmin)),
    ("GET", "/privacy/sharing-entries/{id}", AnyOf(&[P::PrivacyAdmin, P::AuditRead])),
    ("PUT", "/privacy/sharing-entries/{id}", Requires(P::PrivacyAdmin)),
    ("DELETE", "/privacy/sharing-entries/{id}", Requires(P::PrivacyAdmin)),
    // attendance: calendars, shifts, schedules, punches, days, summaries (routes/attendance.rs)
    ("GET", "/calendars/{year}", Requires(P::TimeRead)),
    ("GET", "/calendar-layers", Requires(P::TimeRead)),
    ("POST", "/calendar-layers", Requires(P::TimeAdmin)),
    ("POST", "/calendar-layers/{id}/days", Requires(P::TimeAdmin)),
    ("GET", "/shifts", Requires(P::TimeRead)),
    ("POST", "/shifts", Requires(P::TimeAdmin)),
    ("PUT", "/shifts/{id}", Requires(P::TimeAdmin)),
    ("GET", "/shift-assignments", Requires(P::TimeRead)),
    ("POST", "/shift-assignments", Requires(P::TimeAdmin)),
    ("GET", "/attendance/punches", Requires(P::TimeRead)),
    ("POST", "/attendance/punches", Requires(P::TimeWrite)),
    ("POST", "/attendance/punches/import", Requires(P::TimeWrite)),
    ("GET", "/attendance/days", Requires(P::TimeRead)),
    ("GET", "/me/attendance", Requires(P::TimeRead)),
    ("GET", "/attendance/team", Requires(P::TimeRead)),
    ("POST", "/attendance/summaries/{month}/compute", Requires(P::TimeWrite)),
    ("GET", "/attendance/summaries", Requires(P::TimeRead)),
    ("GET", "/attendance/policy", Requires(P::TimeRead)),
    ("PUT", "/attendance/policy", Requires(P::TimeAdmin)),
    // leave and overtime (routes/absence.rs)
    ("GET", "/leave-types", Requires(P::TimeRead)),
    ("POST", "/leave-types", Requires(P::TimeAdmin)),
    ("PUT", "/leave-types/{id}", Requires(P::TimeAdmin)),
    ("PUT", "/leave/profiles/{employee_id}", Requires(P::TimeAdmin)),
    ("POST", "/leave/adjustments", Requires(P::TimeAdmin)),
    ("POST", "/leave/grants/annual", Requires(P::TimeAdmin)),
    ("POST", "/leave/year-end", Requires(P::TimeAdmin)),
    ("POST", "/leave/quote", Requires(P::TimeWrite)),
    ("GET", "/leave/balances", Requires(P::TimeRead)),
    ("GET", "/leave/ledger", Requires(P::TimeRead)),
    ("GET", "/leave/applications", Requires(P::TimeRead)),
    ("POST", "/leave/applications", Requires(P::TimeWrite)),
    ("GET", "/leave/applications/{id}", Requires(P::TimeRead)),
    ("PUT", "/leave/applications/{id}", Requires(P::TimeWrite)),
    ("POST", "/leave/applications/{id}/cancel", Requires(P::TimeWrite)),
    ("GET", "/overtime/applications", Requires(P::TimeRead)),
    ("POST", "/overtime/applications", Requires(P::TimeWrite)),
    ("GET", "/overtime/applications/{id}", Requires(P::TimeRead)),
    ("POST", "/overtime/applications/{id}/cancel", Requires(P::TimeWrite)),
    ("GET", "/punch-corrections", Requires(P::TimeRead)),
    ("POST", "/punch-corrections", Requires(P::TimeWrite)),
    // approvals, delegations, flow definitions, notifications (routes/workflow.rs)
    ("GET", "/approvals/inbox", SignedIn),
    ("GET", "/approvals/done", SignedIn),
    ("GET", "/approvals/mine", SignedIn),
    ("GET", "/approvals/{id}", SignedIn),
    ("POST", "/approvals/{id}/withdraw", SignedIn),
    ("POST", "/approval-tasks/{id}/approve", SignedIn),
    ("POST", "/approval-tasks/{id}/reject", SignedIn),
    ("POST", "/approval-tasks/{id}/return", SignedIn),
    ("GET", "/workflow-definitions", Requires(P::WorkflowAdmin)),
    ("POST", "/workflow-definitions", Requires(P::WorkflowAdmin)),
    ("GET", "/workflow-definitions/{id}", Requires(P::WorkflowAdmin)),
    ("PUT", "/workflow-definitions/{id}", Requires(P::WorkflowAdmin)),
    ("GET", "/org-units/{id}/head", Requires(P::WorkflowAdmin)),
    ("PUT", "/org-units/{id}/head", Requires(P::WorkflowAdmin)),
    ("GET", "/delegations", SignedIn),
    ("POST", "/delegations", SignedIn),
    ("DELETE", "/delegations/{id}", SignedIn),
    ("GET", "/notifications", SignedIn),
    ("GET", "/notifications/unread-count", SignedIn),
    ("POST", "/notifications/{id}/read", SignedIn),
    ("POST", "/notifications/read-all", SignedIn),
    // payroll (routes/payroll.rs): configuration and runs are company-wide; self-service under /me.
    // Employees hold payroll_read over their own record only: it reaches their payslips and their
    // special additional deduction declarations (a write on their own tax data, like the privacy
    // centre's requests). HR administrators read runs and payslips and decide approvals.
    ("GET", "/payroll/components", Requires(P::PayrollRead)),
    ("POST", "/payroll/components", Requires(P::PayrollWrite)),
    ("PATCH", "/payroll/components/{id}", Requires(P::PayrollWrite)),
    ("GET", "/payroll/structures", Requires(P::PayrollRead)),
    ("POST", "/payroll/structures", Requires(P::PayrollWrite)),
    ("GET", "/payroll/structures/{id}", Requires(P::PayrollRead)),
    ("PATCH", "/payroll/structures/{id}", Requires(P::PayrollWrite)),
    ("GET", "/payroll/si-policies", Requires(P::PayrollRead)),
    ("POST", "/payroll/si-policies", Requires(P::PayrollWrite)),
    ("POST", "/payroll/si-preview", Requires(P::PayrollRead)),
    ("GET", "/employees/{id}/salary", Requires(P::PayrollRead)),
    ("POST", "/employees/{id}/salary", Requires(P::PayrollWrite)),
    ("GET", "/employees/{id}/tax-profile/{year}", Requires(P::PayrollRead)),
    ("PUT", "/employees/{id}/tax-profile/{year}", Requires(P::PayrollWrite)),
    ("GET", "/employees/{id}/deductions", Requires(P::PayrollRead)),
    ("GET", "/me/deductions", Requires(P::PayrollRead)),
    ("POST", "/me/deductions", Requires(P::PayrollRead)),
    ("POST", "/me/deductions/{id}/withdraw", Requires(P::PayrollRead)),
    ("GET", "/payroll/adjustments", Requires(P::PayrollRead)),
    ("POST", "/payroll/adjustments", Requires(P::PayrollWrite)),
    ("POST", "/payroll/adjustments/{id}/cancel", Requires(P::PayrollWrite)),
    ("GET", "/pay-runs", Requires(P::PayrollRead)),
    ("POST", "/pay-runs", Requires(P::PayrollWrite)),
    ("GET", "/pay-runs/{id}", Requires(P::PayrollRead)),
    ("POST", "/pay-runs/{id}/compute", Requires(P::PayrollWrite)),
    ("GET", "/pay-runs/{id}/items", Requires(P::PayrollRead)),
    ("GET", "/pay-runs/{id}/review", Requires(P::PayrollRead)),
    ("POST", "/pay-runs/{id}/submit", Requires(P::PayrollWrite)),
    ("POST", "/pay-runs/{id}/approve", Requires(P::PayrollRead)),
    ("POST", "/pay-runs/{id}/reject", Requires(P::PayrollRead)),
    ("POST", "/pay-runs/{id}/return", Requires(P::PayrollRead)),
    ("POST", "/pay-runs/{id}/publish", Requires(P::PayrollWrite)),
    ("GET", "/pay-runs/{id}/exports/{kind}", Requires(P::PayrollRead)),
    ("GET", "/me/payslips", Requires(P::PayrollRead)),
    ("GET", "/payslips/{id}", Requires(P::PayrollRead)),
    ("GET", "/payslips/{id}/pdf", Requires(P::PayrollRead)),
];

/// The policy of a route, by method and template (with or without the `/api/v1` prefix).
pub fn policy_of(method: &str, path: &str) -> Option<RoutePolicy> {
    let path = path.strip_prefix("/api/v1").unwrap_or(path);
    ROUTES.iter().find(|(m, p, _)| m.eq_ignore_ascii_case(method) && *p == path).map(|(_, _, pol)| *pol)
}

/// True when `actor` passes `policy` (scopes are the service's business).
pub fn allows(actor: &Actor, policy: RoutePolicy) -> bool {
    match policy {
        Public | SignedIn => true,
        Requires(p) => actor.can(p),
        AnyOf(ps) => ps.iter().any(|p| actor.can(*p)),
    }
}

/// Every documented operation without a policy, as `METHOD path` (empty when covered).
pub fn uncovered(doc: &utoipa::openapi::OpenApi) -> Vec<String> {
    let mut out = Vec::new();
    for (path, item) in &doc.paths.paths {
        for method in operations(item) {
            if policy_of(method, path).is_none() {
                out.push(format!("{method} {path}"));
            }
        }
    }
    out
}

/// The HTTP methods with an operation on this path item.
pub fn operations(item: &utoipa::openapi::path::PathItem) -> Vec<&'static str> {
    let mut m = Vec::new();
    if item.get.is_some() {
        m.push("GET");
    }
    if item.post.is_some() {
        m.push("POST");
    }
    if item.put.is_some() {
        m.push("PUT");
    }
    if item.patch.is_some() {
        m.push("PATCH");
    }
    if item.delete.is_some() {
        m.push("DELETE");
    }
    m
}

/// The layer: after the session check, before extractors. Deny by default; every
/// refusal of a signed-in actor is audited (`route.denied`, outcome `denied`).
pub async fn enforce(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let Some(path) = req.extensions().get::<MatchedPath>().map(|p| p.as_str().to_owned()) else {
        return ApiError::forbidden().into_response();
    };
    let Some(policy) = policy_of(req.method().as_str(), &path) else {
        tracing::error!(route = %path, "route without an access policy refused");
        return ApiError::forbidden().into_response();
    };
    match req.extensions().get::<Actor>() {
        Some(actor) if allows(actor, policy) => next.run(req).await,
        Some(actor) => {
            let ev = actor
                .audit(state.audit.now(), "route.denied", "route")
                .subject(format!("{} {path}", req.method()))
                .outcome(Outcome::Denied);
            if let Err(e) = state.audit.record_events(&[ev]).await {
                tracing::error!(error = %e, "audit append failed");
            }
            ApiError::forbidden().into_response()
        }
        None if policy == Public => next.run(req).await,
        None => ApiError::unauthenticated().into_response(),
    }
}
