//! The policy engine: which role grants which permission over which rows, the
//! 三员分立 rules, custom roles, and the MFA requirement.
//!
//! A user holds [`RoleGrant`]s (a role plus the data scope it applies to). [`resolve`]
//! turns them into the [`AccessMap`] an [`bole_core::Actor`] carries, so evaluation
//! at request time is a map lookup and the row filter is the returned scope. The
//! table below is the single place where a role's rights are written down; the
//! route × role matrix test in bole-http checks every route against it.

use crate::model::{CustomRole, RoleGrant};
use bole_core::{AccessMap, DataScope, FieldErrors, Msg, Permission, Role};

/// How far a role's permission reaches.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Reach {
    /// The actor's own record.
    Own,
    /// The actor's direct reports.
    DirectReports,
    /// The scope written on the grant (subtrees, companies or all).
    Granted,
    /// Everything (structure data such as the org chart, or admin functions).
    All,
}

use Permission as P;
use Reach::{All, DirectReports, Granted, Own};

const EMPLOYEE: &[(Permission, Reach)] = &[
    (P::OrgRead, All),
    (P::EmployeeRead, Own),
    (P::ContractRead, Own),
    (P::SensitiveReveal, Own),
    (P::PayrollRead, Own),
    (P::LearningRead, Own),
    (P::TimeRead, Own),
    (P::TimeWrite, Own),
];
// Managers see their team's attendance and leave (team calendar); they approve through
// workflow tasks assigned to them, which needs no permission beyond being the assignee.
const MANAGER: &[(Permission, Reach)] =
    &[(P::OrgRead, All), (P::EmployeeRead, DirectReports), (P::TimeRead, DirectReports)];
const HRBP: &[(Permission, Reach)] = &[
    (P::OrgRead, All),
    (P::EmployeeRead, Granted),
    (P::EmployeeWrite, Granted),
    (P::EmployeeImport, Granted),
    (P::EmployeeExport, Granted),
    (P::ContractRead, Granted),
    (P::ContractWrite, Granted),
    (P::DataQualityRead, Granted),
    (P::SensitiveReveal, Granted),
    (P::TimeRead, Granted),
    (P::TimeWrite, Granted),
];
const HR_ADMIN: &[(Permission, Reach)] = &[
    (P::OrgRead, All),
    (P::OrgWrite, Granted),
    (P::EmployeeRead, Granted),
    (P::EmployeeWrite, Granted),
    (P::EmployeeImport, Granted),
    (P::EmployeeExport, Granted),
    (P::ContractRead, Granted),
    (P::ContractWrite, Granted),
    (P::DataQualityRead, Granted),
    (P::SensitiveReveal, Granted),
    (P::PrivacyAdmin, Granted),
    (P::TimeRead, Granted),
    (P::TimeWrite, Granted),
    (P::TimeAdmin, Granted),
    (P::WorkflowAdmin, Granted),
    // HR administrators approve pay runs (the preparer is the payroll specialist), so they read
    // runs and payslips; they do not compute or change pay.
    (P::PayrollRead, Granted),
];
const PAYROLL: &[(Permission, Reach)] = &[
    (P::OrgRead, All),
    (P::EmployeeRead, Granted),
    (P::ContractRead, Granted),
    (P::SensitiveRead, Granted),
    (P::SensitiveReveal, Granted),
    (P::PayrollRead, Granted),
    (P::PayrollWrite, Granted),
    // The monthly attendance summary is payroll's input.
    (P::TimeRead, Granted),
];
const RECRUITER: &[(Permission, Reach)] =
    &[(P::OrgRead, All), (P::RecruitmentRead, Granted), (P::RecruitmentWrite, Granted)];
const TRAINER: &[(Permission, Reach)] =
    &[(P::OrgRead, All), (P::EmployeeRead, Granted), (P::LearningRead, Granted), (P::LearningWrite, Granted)];
const SYSTEM_ADMIN: &[(Permission, Reach)] = &[(P::OrgRead, All), (P::UserAdmin, All)];
const SECURITY_ADMIN: &[(Permission, Reach)] = &[(P::OrgRead, All), (P::RoleAdmin, All)];
const AUDITOR: &[(Permission, Reach)] = &[(P::AuditRead, All), (P::AuditPurge, All)];

/// The permissions of a built-in role and how far each reaches.
pub fn role_permissions(role: Role) -> &'static [(Permission, Reach)] {
    match role {
        Role::Employee => EMPLOYEE,
        Role::Manager => MANAGER,
        Role::Hrbp => HRBP,
        Role::HrAdmin => HR_ADMIN,
        Role::PayrollSpecialist => PAYROLL,
        Role::Recruiter => RECRUITER,
        Role::Trainer => TRAINER,
        Role::SystemAdmin => SYSTEM_ADMIN,
        Role::SecurityAdmin => SECURITY_ADMIN,
        Role::Auditor => AUDITOR,
    }
}

/// Permissions only the 三员 may hold; a custom role can never include them.
pub const ADMIN_ONLY: [Permission; 4] = [P::UserAdmin, P::RoleAdmin, P::AuditRead, P::AuditPurge];

/// The scope a grant of `role` gets when the administrator names none.
pub fn default_scope(role: Role) -> DataScope {
    match role {
        Role::Employee => DataScope::Own,
        Role::Manager => DataScope::DirectReports,
        _ => DataScope::All,
    }
}

/// Resolve a user's grants into the access an actor carries. Unknown custom role codes
/// grant nothing (a role deleted after the grant was made stops working at once).
pub fn resolve(grants: &[RoleGrant], custom: &[CustomRole]) -> AccessMap {
    let mut map = AccessMap::default();
    for g in grants {
        if let Some(role) = Role::parse(&g.role) {
            for (perm, reach) in role_permissions(role) {
                let scope = match reach {
                    Own => DataScope::Own,
                    DirectReports => DataScope::DirectReports,
                    Granted => g.scope.clone(),
                    All => DataScope::All,
                };
                map.grant(*perm, scope);
            }
        } else if let Some(c) = custom.iter().find(|c| c.code == g.role) {
            for perm in &c.permissions {
                if !ADMIN_ONLY.contains(perm) {
                    map.grant(*perm, g.scope.clone());
                }
            }
        }
    }
    map
}

/// Roles whose holders must sign in with a second factor.
pub fn is_privileged(role: Role) -> bool {
    matches!(role, Role::SystemAdmin | Role::SecurityAdmin | Role::Auditor | Role::HrAdmin | Role::PayrollSpecialist)
}

/// True when any grant is privileged (built-in) or a custom role carries sensitive reads.
pub fn requires_mfa(grants: &[RoleGrant], custom: &[CustomRole]) -> bool {
    grants.iter().any(|g| match Role::parse(&g.role) {
        Some(r) => is_privileged(r),
        None => custom.iter().find(|c| c.code == g.role).is_some_and(|c| c.permissions.contains(&P::SensitiveRead)),
    })
}

/// Check a complete set of grants for one user: known roles, a scope each role accepts,
/// and 三员分立 (at most one of system, security and audit administrator, and none of
/// them together with business roles that read personal data).
pub fn check_grants(field: &str, grants: &[RoleGrant], custom: &[CustomRole], errs: &mut FieldErrors) {
    let mut triad: Vec<Role> = Vec::new();
    for (i, g) in grants.iter().enumerate() {
        let f = format!("{field}[{i}]");
        let Some(role) = Role::parse(&g.role) else {
            if !custom.iter().any(|c| c.code == g.role) {
                errs.add(format!("{f}.role"), Msg::new("角色不存在", "unknown role"));
            }
            continue;
        };
        if role.is_admin_triad() {
            triad.push(role);
        }
        let ok = match (role, &g.scope) {
            (Role::Employee, DataScope::Own) | (Role::Manager, DataScope::DirectReports) => true,
            (Role::Employee | Role::Manager, _) => false,
            (Role::Hrbp, DataScope::Subtrees { units }) => !units.is_empty(),
            (Role::Hrbp, _) => false,
            (r, DataScope::All) if r.is_admin_triad() => true,
            (r, _) if r.is_admin_triad() => false,
            (_, DataScope::Own | DataScope::DirectReports) => false,
            (_, DataScope::Subtrees { units }) => !units.is_empty(),
            (_, DataScope::Companies { companies }) => !companies.is_empty(),
            (_, DataScope::All) => true,
        };
        if !ok {
            errs.add(
                format!("{f}.scope"),
                Msg::new(
                    "该角色不能使用此数据范围：员工为本人，经理为直接下属，HRBP为组织子树，三员为全部",
                    "scope not allowed for this role: employee = own, manager = direct reports, HRBP = org subtrees, \
                     administrators = all",
                ),
            );
        }
    }
    triad.sort();
    triad.dedup();
    if triad.len() > 1 {
        errs.add(
            field,
            Msg::new(
                "三员分立：系统管理员、安全保密管理员、安全审计员不能由同一账号兼任",
                "separation of duties: system, security and audit administrator must be different accounts",
            ),
        );
    }
    if !triad.is_empty()
        && grants.iter().any(|g| Role::parse(&g.role).is_none_or(|r| !r.is_admin_triad() && r != Role::Employee))
    {
        errs.add(
            field,
            Msg::new(
                "三员账号不能同时持有业务角色（员工本人除外）",
                "an administrator account cannot also hold business roles (other than employee)",
            ),
        );
    }
}

/// Check a custom role's permission set: non-empty, and none of the administrators' own.
pub fn check_custom_permissions(field: &str, permissions: &[Permission], errs: &mut FieldErrors) {
    if permissions.is_empty() {
        errs.add(field, Msg::new("至少选择一项权限", "choose at least one permission"));
    }
    if permissions.iter().any(|p| ADMIN_ONLY.contains(p)) {
        errs.add(
            field,
            Msg::new(
                "自定义角色不能包含账号管理、授权管理或审计权限（三员专有）",
                "custom roles cannot include account, role or audit administration (reserved for the three administrators)",
            ),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use bole_core::{OrgUnitId, Scope};

    fn g(role: Role, scope: DataScope) -> RoleGrant {
        RoleGrant { role: role.as_str().into(), scope }
    }

    fn ok(grants: &[RoleGrant]) -> bool {
        let mut e = FieldErrors::new();
        check_grants("grants", grants, &[], &mut e);
        e.is_empty()
    }

    #[test]
    fn only_the_auditor_reads_audit_records() {
        for role in Role::ALL {
            let access = resolve(&[g(role, default_scope(role))], &[]);
            assert_eq!(access.holds(P::AuditRead), role == Role::Auditor, "{role:?}");
        }
    }

    #[test]
    fn triad_roles_are_mutually_exclusive() {
        assert!(ok(&[g(Role::SystemAdmin, DataScope::All)]));
        assert!(!ok(&[g(Role::SystemAdmin, DataScope::All), g(Role::Auditor, DataScope::All)]));
        assert!(!ok(&[g(Role::SecurityAdmin, DataScope::All), g(Role::HrAdmin, DataScope::All)]));
        assert!(ok(&[g(Role::Auditor, DataScope::All), g(Role::Employee, DataScope::Own)]));
    }

    #[test]
    fn scopes_fit_roles() {
        let unit = OrgUnitId::new();
        assert!(ok(&[g(Role::Hrbp, DataScope::Subtrees { units: vec![unit] })]));
        assert!(!ok(&[g(Role::Hrbp, DataScope::All)]));
        assert!(!ok(&[g(Role::Hrbp, DataScope::Subtrees { units: vec![] })]));
        assert!(!ok(&[g(Role::Employee, DataScope::All)]));
        assert!(!ok(&[g(Role::Auditor, DataScope::Own)]));
        assert!(!ok(&[RoleGrant { role: "nope".into(), scope: DataScope::All }]));
    }

    #[test]
    fn resolve_unions_roles_and_uses_the_granted_scope() {
        let unit = OrgUnitId::new();
        let access = resolve(
            &[
                g(Role::Employee, DataScope::Own),
                g(Role::Manager, DataScope::DirectReports),
                g(Role::Hrbp, DataScope::Subtrees { units: vec![unit] }),
            ],
            &[],
        );
        assert_eq!(
            access.scope(P::EmployeeRead),
            Some(Scope::Limited(vec![
                DataScope::Own,
                DataScope::DirectReports,
                DataScope::Subtrees { units: vec![unit] }
            ]))
        );
        assert_eq!(access.scope(P::OrgRead), Some(Scope::All));
        assert!(!access.holds(P::UserAdmin));
    }

    #[test]
    fn custom_roles_never_carry_admin_permissions() {
        let c = CustomRole {
            code: "x".into(),
            name: "X".into(),
            permissions: vec![P::EmployeeRead, P::AuditRead],
            created_at: chrono::DateTime::UNIX_EPOCH,
        };
        let access = resolve(&[RoleGrant { role: "x".into(), scope: DataScope::All }], std::slice::from_ref(&c));
        assert!(access.holds(P::EmployeeRead));
        assert!(!access.holds(P::AuditRead));
        let mut e = FieldErrors::new();
        check_custom_permissions("permissions", &c.permissions, &mut e);
        assert!(!e.is_empty());
    }

    #[test]
    fn privileged_roles_need_mfa() {
        assert!(requires_mfa(&[g(Role::HrAdmin, DataScope::All)], &[]));
        assert!(!requires_mfa(&[g(Role::Employee, DataScope::Own), g(Role::Manager, DataScope::DirectReports)], &[]));
    }
}
