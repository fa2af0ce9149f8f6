//! Account use cases: create accounts, grants and custom roles. Login, sessions and
//! tokens are in [`crate::login`]; passwords, MFA and account administration in
//! [`crate::manage`] — all methods of the one [`AccountService`].
//!
//! Sessions end after 30 minutes without use (idle) or 12 hours after login
//! (absolute), whichever comes first. Argon2 is deliberately slow (tens of
//! milliseconds); it runs only at login, password changes and account creation.

use crate::error::AccessError;
use crate::model::{CustomRole, NewUser, RoleGrant, User};
use crate::policy;
use crate::rules;
use crate::security::SecurityPolicy;
use crate::store::AccountStore;
use bole_core::clock::SharedClock;
use bole_core::{Actor, AuditEvent, AuditLog, DataScope, FieldErrors, Msg, Permission, Role, UserId};
use chrono::TimeDelta;
use std::sync::Arc;

/// Sessions unused this long end.
pub const DEFAULT_IDLE: TimeDelta = TimeDelta::minutes(30);
/// Sessions end this long after login, however busy.
pub const DEFAULT_ABSOLUTE: TimeDelta = TimeDelta::hours(12);
/// `last_seen_at` is written at most this often, so an active session does not cost a
/// database write per request; idle expiry is therefore precise to within this much.
pub const TOUCH_EVERY: TimeDelta = TimeDelta::minutes(1);

#[derive(Clone)]
pub struct AccountService {
    pub(crate) store: Arc<dyn AccountStore>,
    pub(crate) clock: SharedClock,
    pub(crate) idle: TimeDelta,
    pub(crate) absolute: TimeDelta,
    pub(crate) policy: SecurityPolicy,
    /// Where security events go (logins, lockouts, password and MFA changes, tokens,
    /// session revocations). None only in tests and tools that run without an audit trail.
    pub(crate) audit: Option<Arc<dyn AuditLog>>,
}

impl std::fmt::Debug for AccountService {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AccountService")
            .field("idle", &self.idle)
            .field("absolute", &self.absolute)
            .field("policy", &self.policy)
            .field("audit", &self.audit.is_some())
            .finish_non_exhaustive()
    }
}

impl AccountService {
    pub fn new(store: Arc<dyn AccountStore>, clock: SharedClock) -> Self {
        Self {
            store,
            clock,
            idle: DEFAULT_IDLE,
            absolute: DEFAULT_ABSOLUTE,
            policy: SecurityPolicy::default(),
            audit: None,
        }
    }

    /// Password, lockout and MFA policy (configuration, tests).
    pub fn with_policy(mut self, policy: SecurityPolicy) -> Self {
        self.policy = policy;
        self
    }

    /// Record security events in this audit trail.
    pub fn with_audit(mut self, audit: Arc<dyn AuditLog>) -> Self {
        self.audit = Some(audit);
        self
    }

    pub fn policy(&self) -> &SecurityPolicy {
        &self.policy
    }

    /// Append events to the audit trail. A trail that cannot be written fails the use case:
    /// a security event must not go unrecorded.
    pub(crate) async fn record(&self, events: &[AuditEvent]) -> Result<(), AccessError> {
        match &self.audit {
            Some(a) => a.append(events).await.map_err(|e| AccessError::Storage(e.to_string())),
            None => Ok(()),
        }
    }

    /// Override the session lifetimes (configuration, tests).
    pub fn with_session_lifetimes(mut self, idle: TimeDelta, absolute: TimeDelta) -> Self {
        self.idle = idle;
        self.absolute = absolute;
        self
    }

    /// How long a session lasts at most; the HTTP layer uses it as the cookie's Max-Age.
    pub fn absolute_lifetime(&self) -> TimeDelta {
        self.absolute
    }

    /// Create a system administrator without an acting user: the operator's own
    /// commands (`bole demo`, `bole admin create`) run before anyone can log in.
    pub async fn bootstrap_admin(&self, username: &str, password: &str) -> Result<User, AccessError> {
        self.insert(NewUser {
            username: username.to_string(),
            password: password.to_string(),
            employee_id: None,
            grants: vec![RoleGrant::builtin(Role::SystemAdmin, DataScope::All)],
        })
        .await
    }

    /// Create an account as the operator, with any grants (demo seeding, `bole admin create`).
    pub async fn bootstrap_user(&self, input: NewUser) -> Result<User, AccessError> {
        self.insert(input).await
    }

    /// Create an account. Needs `UserAdmin`; granting more than the employee's own
    /// self-service also needs `RoleAdmin` (三员分立: the system administrator opens
    /// accounts, the security administrator decides what they may do).
    pub async fn create_user(&self, actor: &Actor, input: NewUser) -> Result<User, AccessError> {
        actor.authorize(Permission::UserAdmin)?;
        if input.grants.iter().any(|g| g.role != Role::Employee.as_str()) {
            actor.authorize(Permission::RoleAdmin)?;
        }
        let user = self.insert(input).await?;
        let ev = actor.audit(self.clock.now(), "account.create", "user").subject(user.id.0).fields([
            "username",
            "grants",
            "employee_id",
        ]);
        self.record(&[ev]).await?;
        Ok(user)
    }

    /// Replace the grants of an account (安全保密管理员). Nobody changes their own grants.
    pub async fn set_grants(&self, actor: &Actor, user: UserId, grants: Vec<RoleGrant>) -> Result<User, AccessError> {
        actor.authorize(Permission::RoleAdmin)?;
        if actor.user_id == user {
            return Err(AccessError::Forbidden(bole_core::Forbidden(Permission::RoleAdmin)));
        }
        let custom = self.store.custom_roles().await?;
        let mut errs = FieldErrors::new();
        policy::check_grants("grants", &grants, &custom, &mut errs);
        errs.into_result()?;
        let Some(mut found) = self.store.user(user).await? else {
            return Err(AccessError::UserNotFound);
        };
        self.store.set_grants(user, &grants).await?;
        let ev = actor.audit(self.clock.now(), "account.grants", "user").subject(user.0).fields(["grants"]);
        self.record(&[ev]).await?;
        found.grants = grants;
        Ok(found)
    }

    pub async fn custom_roles(&self, actor: &Actor) -> Result<Vec<CustomRole>, AccessError> {
        actor.authorize(Permission::RoleAdmin)?;
        self.store.custom_roles().await
    }

    /// Define a custom role from permissions (never the administrators' own permissions).
    pub async fn create_custom_role(
        &self,
        actor: &Actor,
        code: &str,
        name: &str,
        permissions: Vec<Permission>,
    ) -> Result<CustomRole, AccessError> {
        actor.authorize(Permission::RoleAdmin)?;
        let code = code.trim().to_ascii_lowercase();
        let mut errs = FieldErrors::new();
        let code_ok = (2..=40).contains(&code.len())
            && code.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
            && Role::parse(&code).is_none();
        if !code_ok {
            errs.add(
                "code",
                Msg::new(
                    "角色代码须为2–40位小写字母、数字或下划线，且不能与内置角色重名",
                    "code must be 2–40 lower-case letters, digits or underscores and differ from built-in roles",
                ),
            );
        }
        if name.trim().is_empty() {
            errs.add("name", Msg::new("请填写角色名称", "name is required"));
        }
        let mut perms = permissions;
        perms.sort();
        perms.dedup();
        policy::check_custom_permissions("permissions", &perms, &mut errs);
        errs.into_result()?;
        let role = CustomRole { code, name: name.trim().to_string(), permissions: perms, created_at: self.clock.now() };
        self.store.insert_custom_role(&role).await?;
        let ev = actor.audit(self.clock.now(), "role.create", "role").subject(&role.code).fields(["permissions"]);
        self.record(&[ev]).await?;
        Ok(role)
    }

    /// The access an account's grants resolve to (custom role definitions loaded only when used).
    pub async fn access_of(&self, user: &User) -> Result<bole_core::AccessMap, AccessError> {
        let custom = if user.has_custom_grants() { self.store.custom_roles().await? } else { Vec::new() };
        Ok(policy::resolve(&user.grants, &custom))
    }

    /// Number of accounts, so first-run setup can tell whether an administrator exists.
    pub async fn count_users(&self) -> Result<u64, AccessError> {
        self.store.count_users().await
    }

    async fn insert(&self, input: NewUser) -> Result<User, AccessError> {
        let username = rules::normalize_username(&input.username);
        let mut errs = FieldErrors::new();
        rules::check_username("username", &username, &mut errs);
        self.policy.password.check("password", &input.password, &mut errs);
        // No grants is allowed: under 三员分立 the system administrator creates an account and
        // the security administrator then grants its role; until then it can only sign in.
        let custom = if input.grants.iter().any(|g| Role::parse(&g.role).is_none()) {
            self.store.custom_roles().await?
        } else {
            Vec::new()
        };
        policy::check_grants("grants", &input.grants, &custom, &mut errs);
        if input.employee_id.is_none()
            && input.grants.iter().any(|g| matches!(g.scope, DataScope::Own | DataScope::DirectReports))
        {
            errs.add(
                "employee_id",
                Msg::new("员工或经理角色须关联员工档案", "employee and manager roles need a linked employee record"),
            );
        }
        errs.into_result()?;
        let hash = rules::hash_password(&input.password).map_err(|e| AccessError::Storage(e.to_string()))?;
        let mut grants: Vec<RoleGrant> = Vec::with_capacity(input.grants.len());
        for g in input.grants {
            if !grants.contains(&g) {
                grants.push(g);
            }
        }
        let user = User {
            id: UserId::new(),
            username,
            employee_id: input.employee_id,
            grants,
            disabled: false,
            created_at: self.clock.now(),
        };
        self.store.insert_user(&user, &hash).await?;
        Ok(user)
    }
}
