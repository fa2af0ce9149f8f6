//! Who is acting, what they may do, and over which rows.
//!
//! An [`Actor`] carries its *resolved* access: for each [`Permission`] the union of
//! data scopes granted by its roles. The policy itself (which role grants which
//! permission over which scope, 三员分立) lives in `bole-access::policy`; this module
//! only evaluates the result, so every domain crate can call the single hook
//! [`Actor::authorize`] without depending on the policy engine. The [`Scope`] it
//! returns is what stores turn into a row filter.

use crate::error::{ErrorKind, Failure, Msg};
use crate::ids::{CompanyId, EmployeeId, OrgUnitId, UserId};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::sync::Arc;

/// An action on a resource type. Services name exactly one per use case.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Permission {
    OrgRead,
    OrgWrite,
    EmployeeRead,
    EmployeeWrite,
    EmployeeImport,
    EmployeeExport,
    /// See sensitive fields (ID number, phone, address, bank card) unmasked in every response.
    SensitiveRead,
    /// Reveal one masked field of one record on request; each reveal is audited.
    SensitiveReveal,
    ContractRead,
    ContractWrite,
    DataQualityRead,
    PayrollRead,
    PayrollWrite,
    RecruitmentRead,
    RecruitmentWrite,
    LearningRead,
    LearningWrite,
    /// Accounts: create, disable, unlock, reset MFA, revoke sessions (系统管理员).
    UserAdmin,
    /// Roles, grants, custom roles, password and MFA policy (安全保密管理员).
    RoleAdmin,
    /// Search, export and verify the audit trail (安全审计员).
    AuditRead,
    /// Purge audit records older than the retention period (安全审计员).
    AuditPurge,
    /// Handle PIPL requests, privacy notices and the sharing register.
    PrivacyAdmin,
    /// Attendance days, punches, leave balances and applications, monthly summaries.
    TimeRead,
    /// Clock in/out, apply for leave or overtime (own); import punches, correct records (HR).
    TimeWrite,
    /// Calendars, shifts and schedules, leave types and policies, balance adjustments.
    TimeAdmin,
    /// Approval flow definitions, unit heads, and oversight of every approval instance.
    WorkflowAdmin,
}

impl Permission {
    pub const ALL: [Permission; 26] = [
        Permission::OrgRead,
        Permission::OrgWrite,
        Permission::EmployeeRead,
        Permission::EmployeeWrite,
        Permission::EmployeeImport,
        Permission::EmployeeExport,
        Permission::SensitiveRead,
        Permission::SensitiveReveal,
        Permission::ContractRead,
        Permission::ContractWrite,
        Permission::DataQualityRead,
        Permission::PayrollRead,
        Permission::PayrollWrite,
        Permission::RecruitmentRead,
        Permission::RecruitmentWrite,
        Permission::LearningRead,
        Permission::LearningWrite,
        Permission::UserAdmin,
        Permission::RoleAdmin,
        Permission::AuditRead,
        Permission::AuditPurge,
        Permission::PrivacyAdmin,
        Permission::TimeRead,
        Permission::TimeWrite,
        Permission::TimeAdmin,
        Permission::WorkflowAdmin,
    ];

    pub fn as_str(&self) -> &'static str {
        match self {
            Permission::OrgRead => "org_read",
            Permission::OrgWrite => "org_write",
            Permission::EmployeeRead => "employee_read",
            Permission::EmployeeWrite => "employee_write",
            Permission::EmployeeImport => "employee_import",
            Permission::EmployeeExport => "employee_export",
            Permission::SensitiveRead => "sensitive_read",
            Permission::SensitiveReveal => "sensitive_reveal",
            Permission::ContractRead => "contract_read",
            Permission::ContractWrite => "contract_write",
            Permission::DataQualityRead => "data_quality_read",
            Permission::PayrollRead => "payroll_read",
            Permission::PayrollWrite => "payroll_write",
            Permission::RecruitmentRead => "recruitment_read",
            Permission::RecruitmentWrite => "recruitment_write",
            Permission::LearningRead => "learning_read",
            Permission::LearningWrite => "learning_write",
            Permission::UserAdmin => "user_admin",
            Permission::RoleAdmin => "role_admin",
            Permission::AuditRead => "audit_read",
            Permission::AuditPurge => "audit_purge",
            Permission::PrivacyAdmin => "privacy_admin",
            Permission::TimeRead => "time_read",
            Permission::TimeWrite => "time_write",
            Permission::TimeAdmin => "time_admin",
            Permission::WorkflowAdmin => "workflow_admin",
        }
    }

    pub fn parse(s: &str) -> Option<Permission> {
        Permission::ALL.into_iter().find(|p| p.as_str() == s)
    }
}

/// The built-in roles. Custom roles (bole-access) are named permission sets on top.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// 员工: self-service over their own record.
    Employee,
    /// 经理: their direct reports.
    Manager,
    /// HRBP: HR work within the org subtrees of the grant.
    Hrbp,
    /// HR管理员: HR work across the companies of the grant (or all).
    HrAdmin,
    /// 薪酬专员.
    PayrollSpecialist,
    /// 招聘专员.
    Recruiter,
    /// 培训专员.
    Trainer,
    /// 系统管理员 (三员之一): accounts and system operation, no business data.
    SystemAdmin,
    /// 安全保密管理员 (三员之一): roles, grants and security policy.
    SecurityAdmin,
    /// 安全审计员 (三员之一): the only reader of the audit trail.
    Auditor,
}

impl Role {
    pub const ALL: [Role; 10] = [
        Role::Employee,
        Role::Manager,
        Role::Hrbp,
        Role::HrAdmin,
        Role::PayrollSpecialist,
        Role::Recruiter,
        Role::Trainer,
        Role::SystemAdmin,
        Role::SecurityAdmin,
        Role::Auditor,
    ];

    pub fn as_str(&self) -> &'static str {
        match self {
            Role::Employee => "employee",
            Role::Manager => "manager",
            Role::Hrbp => "hrbp",
            Role::HrAdmin => "hr_admin",
            Role::PayrollSpecialist => "payroll_specialist",
            Role::Recruiter => "recruiter",
            Role::Trainer => "trainer",
            Role::SystemAdmin => "system_admin",
            Role::SecurityAdmin => "security_admin",
            Role::Auditor => "auditor",
        }
    }

    pub fn parse(s: &str) -> Option<Role> {
        Role::ALL.into_iter().find(|r| r.as_str() == s)
    }

    /// The 三员: system, security and audit administrators. One person holds at most one.
    pub fn is_admin_triad(&self) -> bool {
        matches!(self, Role::SystemAdmin | Role::SecurityAdmin | Role::Auditor)
    }
}

/// Which rows a grant covers. Subtrees are resolved on the org structure as of the
/// date of the query, so a unit moved under a granted subtree is covered from the
/// day of the move.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum DataScope {
    /// Only the actor's own employee record.
    Own,
    /// The actor's direct reports (assignments whose manager is the actor).
    DirectReports,
    /// Everyone whose home unit lies in one of these subtrees (roots included).
    Subtrees { units: Vec<OrgUnitId> },
    /// Everyone employed by one of these companies.
    Companies { companies: Vec<CompanyId> },
    /// Every row.
    All,
}

/// The rows an authorised call may touch: everything, or the union of some scopes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Scope {
    All,
    /// Never empty: an empty union is a refusal, not a scope.
    Limited(Vec<DataScope>),
}

impl Scope {
    pub fn is_all(&self) -> bool {
        matches!(self, Scope::All)
    }

    /// The scopes of a limited union, or None for all rows.
    pub fn limited(&self) -> Option<&[DataScope]> {
        match self {
            Scope::All => None,
            Scope::Limited(s) => Some(s),
        }
    }
}

/// Resolved access: for each permission held, the scopes over which it holds.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct AccessMap {
    grants: BTreeMap<Permission, Vec<DataScope>>,
}

impl AccessMap {
    /// Everything over everything: the operator's own CLI and jobs.
    pub fn everything() -> Self {
        Self { grants: Permission::ALL.into_iter().map(|p| (p, vec![DataScope::All])).collect() }
    }

    /// Add `permission` over `scope` (a union with what is already held).
    pub fn grant(&mut self, permission: Permission, scope: DataScope) {
        let scopes = self.grants.entry(permission).or_default();
        if scopes.contains(&DataScope::All) {
            return;
        }
        if scope == DataScope::All {
            scopes.clear();
        }
        if !scopes.contains(&scope) {
            scopes.push(scope);
            scopes.sort();
        }
    }

    pub fn holds(&self, permission: Permission) -> bool {
        self.grants.contains_key(&permission)
    }

    pub fn permissions(&self) -> impl Iterator<Item = Permission> + '_ {
        self.grants.keys().copied()
    }

    pub fn scope(&self, permission: Permission) -> Option<Scope> {
        let scopes = self.grants.get(&permission)?;
        if scopes.is_empty() {
            return None;
        }
        Some(if scopes.contains(&DataScope::All) { Scope::All } else { Scope::Limited(scopes.clone()) })
    }

    /// Keep only the listed permissions (an API token's scopes narrow its owner's access).
    pub fn restrict_to(&self, allowed: &[Permission]) -> AccessMap {
        AccessMap {
            grants: self.grants.iter().filter(|(p, _)| allowed.contains(p)).map(|(p, s)| (*p, s.clone())).collect(),
        }
    }
}

/// Where a request came from, for the audit trail. Values only, never parsed for decisions.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct RequestMeta {
    pub ip: Option<String>,
    pub user_agent: Option<String>,
}

/// The authenticated principal on whose behalf a use case runs.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Actor {
    pub user_id: UserId,
    pub username: String,
    pub employee_id: Option<EmployeeId>,
    /// Role codes held (built-in codes or custom role codes), for display and audit.
    pub roles: Vec<String>,
    pub access: Arc<AccessMap>,
    pub meta: RequestMeta,
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
#[error("forbidden: {0:?}")]
pub struct Forbidden(pub Permission);

impl Failure for Forbidden {
    fn code(&self) -> &'static str {
        "forbidden"
    }
    fn kind(&self) -> ErrorKind {
        ErrorKind::Forbidden
    }
    fn message(&self) -> Msg {
        Msg::new(
            "您没有执行此操作的权限，请联系管理员授权。",
            "You are not allowed to do this; ask an administrator for access.",
        )
    }
}

impl Actor {
    /// A system identity for CLI commands and jobs run by the operator.
    pub fn system() -> Self {
        Self {
            user_id: UserId(uuid::Uuid::nil()),
            username: "system".into(),
            employee_id: None,
            roles: vec!["system".into()],
            access: Arc::new(AccessMap::everything()),
            meta: RequestMeta::default(),
        }
    }

    /// The single authorisation hook. Every service method calls it first and applies the
    /// returned scope (stores turn it into a row filter).
    pub fn authorize(&self, permission: Permission) -> Result<Scope, Forbidden> {
        self.access.scope(permission).ok_or(Forbidden(permission))
    }

    pub fn can(&self, permission: Permission) -> bool {
        self.access.holds(permission)
    }

    /// The same actor seen from another request (source address and user agent).
    pub fn with_meta(mut self, meta: RequestMeta) -> Self {
        self.meta = meta;
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scopes_union_and_all_absorbs() {
        let mut m = AccessMap::default();
        m.grant(Permission::EmployeeRead, DataScope::Own);
        m.grant(Permission::EmployeeRead, DataScope::DirectReports);
        m.grant(Permission::EmployeeRead, DataScope::Own);
        assert_eq!(
            m.scope(Permission::EmployeeRead),
            Some(Scope::Limited(vec![DataScope::Own, DataScope::DirectReports]))
        );
        m.grant(Permission::EmployeeRead, DataScope::All);
        m.grant(Permission::EmployeeRead, DataScope::Own);
        assert_eq!(m.scope(Permission::EmployeeRead), Some(Scope::All));
        assert_eq!(m.scope(Permission::OrgWrite), None);
        let r = m.restrict_to(&[Permission::OrgRead]);
        assert!(!r.holds(Permission::EmployeeRead));
    }

    #[test]
    fn authorize_refuses_what_is_not_held() {
        let mut a = Actor::system();
        assert_eq!(a.authorize(Permission::AuditRead), Ok(Scope::All));
        a.access = Arc::new(AccessMap::default());
        assert_eq!(a.authorize(Permission::AuditRead), Err(Forbidden(Permission::AuditRead)));
    }

    #[test]
    fn codes_round_trip() {
        for p in Permission::ALL {
            assert_eq!(Permission::parse(p.as_str()), Some(p));
        }
        for r in Role::ALL {
            assert_eq!(Role::parse(r.as_str()), Some(r));
        }
        assert_eq!(Role::ALL.iter().filter(|r| r.is_admin_triad()).count(), 3);
    }
}
