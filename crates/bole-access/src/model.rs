//! Accounts and sessions as the domain sees them. Password hashes and session
//! token hashes never live on these types: the store hands a hash over only
//! where a use case needs it (`user_with_hash` for login).

use bole_core::{AccessMap, Actor, DataScope, EmployeeId, Permission, RequestMeta, Role, UserId};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use std::sync::Arc;

/// A role held over a data scope: `{"role":"hrbp","scope":{"kind":"subtrees","units":[…]}}`.
/// `role` is a built-in code ([`Role::as_str`]) or a custom role's code.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct RoleGrant {
    pub role: String,
    pub scope: DataScope,
}

impl RoleGrant {
    pub fn builtin(role: Role, scope: DataScope) -> Self {
        Self { role: role.as_str().into(), scope }
    }
}

/// A named set of permissions defined by the security administrator (自定义角色).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct CustomRole {
    /// Lower-case code, distinct from every built-in role code.
    pub code: String,
    pub name: String,
    pub permissions: Vec<Permission>,
    pub created_at: DateTime<Utc>,
}

/// A login account (账号). The username is stored normalised (see [`crate::rules::normalize_username`]).
/// `Debug` leaves the username out: login names are personal data and must not reach logs.
#[derive(Clone, PartialEq, Eq)]
pub struct User {
    pub id: UserId,
    pub username: String,
    /// The employee this account belongs to, for self-service; None for operators.
    pub employee_id: Option<EmployeeId>,
    /// Roles held, each over its data scope.
    pub grants: Vec<RoleGrant>,
    /// A disabled account cannot log in and its sessions stop working.
    pub disabled: bool,
    pub created_at: DateTime<Utc>,
}

impl std::fmt::Debug for User {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("User")
            .field("id", &self.id)
            .field("employee_id", &self.employee_id)
            .field("grants", &self.grants)
            .field("disabled", &self.disabled)
            .field("created_at", &self.created_at)
            .finish_non_exhaustive()
    }
}

impl User {
    /// The principal a request runs as once this user is authenticated, with the access
    /// resolved by [`crate::policy::resolve`].
    pub fn actor(&self, access: AccessMap) -> Actor {
        Actor {
            user_id: self.id,
            username: self.username.clone(),
            employee_id: self.employee_id,
            roles: self.grants.iter().map(|g| g.role.clone()).collect(),
            access: Arc::new(access),
            meta: RequestMeta::default(),
        }
    }

    /// True when some grant is a custom role (its definition must be loaded to resolve access).
    pub fn has_custom_grants(&self) -> bool {
        self.grants.iter().any(|g| Role::parse(&g.role).is_none())
    }
}

/// Input for a new account. `Debug` hides the password so the value can never reach a log.
#[derive(Clone)]
pub struct NewUser {
    pub username: String,
    pub password: String,
    /// The employee this account belongs to (self-service), if any.
    pub employee_id: Option<EmployeeId>,
    pub grants: Vec<RoleGrant>,
}

impl std::fmt::Debug for NewUser {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("NewUser")
            .field("grants", &self.grants)
            .field("employee_id", &self.employee_id)
            .finish_non_exhaustive()
    }
}

/// A stored session with the account it belongs to.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SessionRow {
    /// The non-secret id a user sees in their session list and revokes by.
    pub id: SessionId,
    pub user: User,
    /// The account's security state, from which a session's restrictions follow.
    pub security: AccountSecurity,
    pub created_at: DateTime<Utc>,
    /// Absolute end of the session, fixed at login.
    pub expires_at: DateTime<Utc>,
    /// Last time the session was used (updated at most once a minute).
    pub last_seen_at: DateTime<Utc>,
    pub ip: Option<String>,
    pub user_agent: Option<String>,
    /// `hex(SM3(csrf token))`; None only for an MFA-pending session.
    pub csrf_hash: Option<String>,
    /// The first step of a two-step login: good only for `login_mfa`, never for requests.
    pub mfa_pending: bool,
}

macro_rules! local_id {
    ($(#[$m:meta])* $name:ident) => {
        $(#[$m])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, utoipa::ToSchema)]
        #[serde(transparent)]
        #[schema(value_type = String, format = Uuid)]
        pub struct $name(pub uuid::Uuid);

        impl $name {
            /// A fresh, time-ordered id.
            pub fn new() -> Self {
                Self(uuid::Uuid::now_v7())
            }
        }

        impl Default for $name {
            fn default() -> Self {
                Self::new()
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                self.0.fmt(f)
            }
        }
    };
}

local_id!(
    /// A session's public id (the token is the secret; this is not).
    SessionId
);
local_id!(
    /// A personal API token's public id.
    ApiTokenId
);

/// Password age, lockout and MFA state of an account. Never carries a hash or a secret.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct AccountSecurity {
    /// When the current password was set; None only for rows the 0004 migration could not date.
    pub password_changed_at: Option<DateTime<Utc>>,
    /// Set by an administrator's reset: the next session can only change the password.
    pub must_change_password: bool,
    /// Wrong passwords since `first_failed_at` (the lockout window).
    pub failed_count: u32,
    pub first_failed_at: Option<DateTime<Utc>>,
    /// Logins are refused until then (the answer does not say so).
    pub locked_until: Option<DateTime<Utc>>,
    /// TOTP confirmed and required at login.
    pub mfa_enabled: bool,
}

impl AccountSecurity {
    pub fn locked_at(&self, now: DateTime<Utc>) -> bool {
        self.locked_until.is_some_and(|until| now < until)
    }
}

/// An account and its security state: what the login and admin use cases work on.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Account {
    pub user: User,
    pub security: AccountSecurity,
}

/// What a session may do besides `/auth/me` and logout, when it may not do everything.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Restriction {
    /// The password expired or was reset: only changing it is allowed.
    PasswordChange,
    /// A privileged role without MFA: only enrolling TOTP is allowed.
    MfaEnrollment,
}

impl Restriction {
    pub fn as_str(&self) -> &'static str {
        match self {
            Restriction::PasswordChange => "password_change_required",
            Restriction::MfaEnrollment => "mfa_enrollment_required",
        }
    }
}

/// A new session row. The token and CSRF secrets are hashed by the service before this is built.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewSession {
    pub id: SessionId,
    pub token_hash: String,
    pub user: UserId,
    pub created_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
    pub ip: Option<String>,
    pub user_agent: Option<String>,
    pub csrf_hash: Option<String>,
    pub mfa_pending: bool,
}

/// One of my sessions, as listed to me.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct SessionView {
    pub id: SessionId,
    pub created_at: DateTime<Utc>,
    pub last_seen_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
    pub ip: Option<String>,
    pub user_agent: Option<String>,
    /// True for the session this request came with.
    #[serde(default)]
    pub current: bool,
}

/// A personal API token (never its secret).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct ApiToken {
    pub id: ApiTokenId,
    #[serde(skip)]
    pub user_id: UserId,
    pub name: String,
    /// The token acts as its owner restricted to these permissions.
    pub permissions: Vec<Permission>,
    pub created_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
    pub last_used_at: Option<DateTime<Utc>>,
    pub revoked_at: Option<DateTime<Utc>>,
}

/// An account as the system administrator sees it: no hash, no secret.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct AccountView {
    pub id: UserId,
    pub username: String,
    pub employee_id: Option<EmployeeId>,
    pub grants: Vec<RoleGrant>,
    pub disabled: bool,
    /// Locked by repeated failures until this instant (absent when not locked).
    pub locked_until: Option<DateTime<Utc>>,
    pub mfa_enabled: bool,
    pub must_change_password: bool,
    pub password_changed_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
}

impl AccountView {
    pub fn of(account: &Account, now: DateTime<Utc>) -> Self {
        let u = &account.user;
        let s = &account.security;
        AccountView {
            id: u.id,
            username: u.username.clone(),
            employee_id: u.employee_id,
            grants: u.grants.clone(),
            disabled: u.disabled,
            locked_until: s.locked_until.filter(|until| now < *until),
            mfa_enabled: s.mfa_enabled,
            must_change_password: s.must_change_password,
            password_changed_at: s.password_changed_at,
            created_at: u.created_at,
        }
    }
}
