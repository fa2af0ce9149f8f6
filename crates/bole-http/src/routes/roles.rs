//! Roles and grants for the security administrator (`role_admin`, 安全保密管理员),
//! and account creation for the system administrator (`user_admin`): the built-in
//! role table with each role's permissions, custom roles, and an account's grants.

use crate::auth::Authenticated;
use crate::error::ApiError;
use crate::extract::{Json, Path};
use crate::routes::{BodyErrors, CommonErrors, created};
use crate::state::AppState;
use axum::extract::State;
use axum::response::Response;
use bole_access::policy::{self, Reach};
use bole_access::{CustomRole, NewUser, RoleGrant, User};
use bole_api_types::ErrorEnvelope;
use bole_core::{EmployeeId, Permission, Role, UserId};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub(crate) fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(create_account))
        .routes(routes!(set_account_grants))
        .routes(routes!(list_roles, create_role))
}

/// A new account. Grants beyond the employee's own self-service also need `role_admin`.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewAccount {
    pub username: String,
    /// Initial password; the policy applies.
    pub password: String,
    #[serde(default)]
    pub employee_id: Option<EmployeeId>,
    /// Omitted or empty: the account can sign in but do nothing until the security
    /// administrator grants it a role (三员分立).
    #[serde(default)]
    pub grants: Vec<RoleGrant>,
}

impl std::fmt::Debug for NewAccount {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("NewAccount").field("grants", &self.grants).finish_non_exhaustive()
    }
}

/// An account as created or changed here.
#[derive(Debug, Serialize, ToSchema)]
pub struct AccountGrants {
    pub id: UserId,
    pub username: String,
    pub employee_id: Option<EmployeeId>,
    pub grants: Vec<RoleGrant>,
}

impl From<User> for AccountGrants {
    fn from(u: User) -> Self {
        AccountGrants { id: u.id, username: u.username, employee_id: u.employee_id, grants: u.grants }
    }
}

/// 新建账号 — Create an account (`user_admin`; grants beyond self-service also need `role_admin`).
#[utoipa::path(
    post,
    path = "/accounts",
    tag = "roles",
    request_body = NewAccount,
    responses(
        (status = 201, description = "已创建 — created", body = AccountGrants),
        (status = 409, description = "用户名已被使用（`duplicate_username`） — username taken", body = ErrorEnvelope),
        BodyErrors,
        CommonErrors,
    )
)]
pub async fn create_account(
    State(s): State<AppState>,
    Authenticated(actor): Authenticated,
    Json(body): Json<NewAccount>,
) -> Result<Response, ApiError> {
    let input = NewUser {
        username: body.username,
        password: body.password,
        employee_id: body.employee_id,
        grants: body.grants,
    };
    let user = s.accounts.create_user(&actor, input).await?;
    Ok(created(format!("/api/v1/accounts/{}", user.id), AccountGrants::from(user)))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct GrantsBody {
    pub grants: Vec<RoleGrant>,
}

/// 设置账号角色 — Replace an account's grants (`role_admin`; 三员分立 and scope rules apply; never your own).
#[utoipa::path(
    put,
    path = "/accounts/{id}/grants",
    tag = "roles",
    params(("id" = UserId, Path, description = "账号ID — account id")),
    request_body = GrantsBody,
    responses(
        (status = 200, description = "新的授权 — the new grants", body = AccountGrants),
        (status = 404, description = "账号不存在（`user_not_found`） — no such account", body = ErrorEnvelope),
        BodyErrors,
        CommonErrors,
    )
)]
pub async fn set_account_grants(
    State(s): State<AppState>,
    Authenticated(actor): Authenticated,
    Path(id): Path<UserId>,
    Json(body): Json<GrantsBody>,
) -> Result<Json<AccountGrants>, ApiError> {
    Ok(Json(s.accounts.set_grants(&actor, id, body.grants).await?.into()))
}

/// One permission of a role and how far it reaches.
#[derive(Debug, Serialize, ToSchema)]
pub struct RolePermission {
    pub permission: Permission,
    /// `own`, `direct_reports`, `granted` (the grant's scope) or `all`.
    pub reach: String,
}

/// A role: built-in (with reach per permission) or custom.
#[derive(Debug, Serialize, ToSchema)]
pub struct RoleView {
    pub code: String,
    pub builtin: bool,
    /// One of the 三员 (mutually exclusive).
    pub admin_triad: bool,
    /// Holders must sign in with a second factor.
    pub requires_mfa: bool,
    pub permissions: Vec<RolePermission>,
}

/// 角色列表 — Built-in and custom roles with their permissions (`role_admin`).
#[utoipa::path(
    get,
    path = "/roles",
    tag = "roles",
    responses((status = 200, description = "角色 — roles", body = [RoleView]), CommonErrors)
)]
pub async fn list_roles(
    State(s): State<AppState>,
    Authenticated(actor): Authenticated,
) -> Result<Json<Vec<RoleView>>, ApiError> {
    let custom = s.accounts.custom_roles(&actor).await?;
    let reach = |r: Reach| match r {
        Reach::Own => "own",
        Reach::DirectReports => "direct_reports",
        Reach::Granted => "granted",
        Reach::All => "all",
    };
    let mut out: Vec<RoleView> = Role::ALL
        .iter()
        .map(|r| RoleView {
            code: r.as_str().into(),
            builtin: true,
            admin_triad: r.is_admin_triad(),
            requires_mfa: policy::is_privileged(*r),
            permissions: policy::role_permissions(*r)
                .iter()
                .map(|(p, rc)| RolePermission { permission: *p, reach: reach(*rc).into() })
                .collect(),
        })
        .collect();
    out.extend(custom.into_iter().map(|c: CustomRole| RoleView {
        code: c.code,
        builtin: false,
        admin_triad: false,
        requires_mfa: c.permissions.contains(&Permission::SensitiveRead),
        permissions:
            c.permissions.into_iter().map(|p| RolePermission { permission: p, reach: "granted".into() }).collect(),
    }));
    Ok(Json(out))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewRole {
    /// Lower-case code, distinct from the built-in roles.
    pub code: String,
    pub name: String,
    pub permissions: Vec<Permission>,
}

/// 新建自定义角色 — Define a custom role from permissions (`role_admin`; never administrator permissions).
#[utoipa::path(
    post,
    path = "/roles",
    tag = "roles",
    request_body = NewRole,
    responses(
        (status = 201, description = "已创建 — created", body = CustomRole),
        (status = 409, description = "角色代码已存在（`duplicate_role`） — code taken", body = ErrorEnvelope),
        BodyErrors,
        CommonErrors,
    )
)]
pub async fn create_role(
    State(s): State<AppState>,
    Authenticated(actor): Authenticated,
    Json(body): Json<NewRole>,
) -> Result<Response, ApiError> {
    let role = s.accounts.create_custom_role(&actor, &body.code, &body.name, body.permissions).await?;
    Ok(created(format!("/api/v1/roles/{}", role.code), role))
}
