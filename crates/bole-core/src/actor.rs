//! Who is acting, and the authorisation hook every use case calls.
//!
//! Issue 2 ships one role with full rights plus the hook; the access model of
//! issue 3 (roles, data scopes, 三员分立) plugs into [`Actor::authorize`]
//! without touching call sites, because every service already calls it.

use crate::error::{ErrorKind, Failure, Msg};
use crate::ids::{EmployeeId, UserId};
use serde::{Deserialize, Serialize};

/// An action on a resource type. Services name exactly one per use case.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Permission {
    OrgRead,
    OrgWrite,
    EmployeeRead,
    EmployeeWrite,
    EmployeeImport,
    EmployeeExport,
    ContractRead,
    ContractWrite,
    DataQualityRead,
    UserAdmin,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// 系统管理员.
    SystemAdmin,
    /// 员工 — reads only what issue 3's scopes will grant; here nothing beyond self.
    Employee,
}

impl Role {
    pub fn as_str(&self) -> &'static str {
        match self {
            Role::SystemAdmin => "system_admin",
            Role::Employee => "employee",
        }
    }

    pub fn parse(s: &str) -> Option<Role> {
        match s {
            "system_admin" => Some(Role::SystemAdmin),
            "employee" => Some(Role::Employee),
            _ => None,
        }
    }
}

/// The authenticated principal on whose behalf a use case runs.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Actor {
    pub user_id: UserId,
    pub username: String,
    pub employee_id: Option<EmployeeId>,
    pub roles: Vec<Role>,
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
            roles: vec![Role::SystemAdmin],
        }
    }

    /// The single authorisation hook. Every service method calls it first.
    pub fn authorize(&self, permission: Permission) -> Result<(), Forbidden> {
        if self.roles.contains(&Role::SystemAdmin) { Ok(()) } else { Err(Forbidden(permission)) }
    }
}
