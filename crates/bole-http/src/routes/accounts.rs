//! Account administration for the system administrator (`user_admin`, 系统管理员):
//! list accounts, unlock, disable/enable, reset a password, end every session of
//! an account, reset its MFA. Never a password hash or a secret in an answer.

use crate::auth::Authenticated;
use crate::error::ApiError;
use crate::extract::{Json, Path};
use crate::routes::CommonErrors;
use crate::state::AppState;
use axum::extract::State;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use bole_access::AccountView;
use bole_api_types::{ErrorEnvelope, TemporaryPasswordView};
use bole_core::UserId;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub(crate) fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_accounts))
        .routes(routes!(unlock_account))
        .routes(routes!(disable_account))
        .routes(routes!(enable_account))
        .routes(routes!(reset_account_password))
        .routes(routes!(revoke_account_sessions))
        .routes(routes!(reset_account_mfa))
}

/// 账号列表 — Every account (no hashes, no secrets).
///
/// 需要 `user_admin` 或 `role_admin`（安全保密管理员为账号授权时须看到账号）。`locked_until`
/// 仅在账号因多次密码错误被锁定期间出现。
/// Needs `user_admin` or `role_admin` (the security administrator grants roles to accounts).
/// `locked_until` is present only while the account is locked by failures.
#[utoipa::path(
    get,
    path = "/accounts",
    tag = "accounts",
    responses((status = 200, description = "账号 — accounts", body = [AccountView]), CommonErrors)
)]
pub async fn list_accounts(
    State(s): State<AppState>,
    Authenticated(actor): Authenticated,
) -> Result<Json<Vec<AccountView>>, ApiError> {
    Ok(Json(s.accounts.list_accounts(&actor).await?))
}

/// 解锁账号 — Lift a lockout before it ends by itself.
#[utoipa::path(
    post,
    path = "/accounts/{id}/unlock",
    tag = "accounts",
    params(("id" = String, Path, description = "账号ID — account id")),
    responses(
        (status = 204, description = "已解锁 — unlocked"),
        (status = 404, description = "账号不存在（`user_not_found`） — no such account", body = ErrorEnvelope),
        CommonErrors,
    )
)]
pub async fn unlock_account(
    State(s): State<AppState>,
    Authenticated(actor): Authenticated,
    Path(id): Path<UserId>,
) -> Result<StatusCode, ApiError> {
    s.accounts.unlock(&actor, id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// 停用账号 — Disable an account (its sessions end; its API tokens stop working).
#[utoipa::path(
    post,
    path = "/accounts/{id}/disable",
    tag = "accounts",
    params(("id" = String, Path, description = "账号ID — account id")),
    responses(
        (status = 204, description = "已停用 — disabled"),
        (status = 404, description = "账号不存在（`user_not_found`） — no such account", body = ErrorEnvelope),
        (status = 422, description = "不能停用自己（`validation_failed`） — not your own account", body = ErrorEnvelope),
        CommonErrors,
    )
)]
pub async fn disable_account(
    State(s): State<AppState>,
    Authenticated(actor): Authenticated,
    Path(id): Path<UserId>,
) -> Result<StatusCode, ApiError> {
    s.accounts.set_disabled(&actor, id, true).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// 启用账号 — Re-enable a disabled account.
#[utoipa::path(
    post,
    path = "/accounts/{id}/enable",
    tag = "accounts",
    params(("id" = String, Path, description = "账号ID — account id")),
    responses(
        (status = 204, description = "已启用 — enabled"),
        (status = 404, description = "账号不存在（`user_not_found`） — no such account", body = ErrorEnvelope),
        CommonErrors,
    )
)]
pub async fn enable_account(
    State(s): State<AppState>,
    Authenticated(actor): Authenticated,
    Path(id): Path<UserId>,
) -> Result<StatusCode, ApiError> {
    s.accounts.set_disabled(&actor, id, false).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// 重置密码 — Reset a password to a generated one, to be changed at the next login.
///
/// 返回的临时密码只显示这一次；该账号的所有会话随即结束。
/// The temporary password is shown only now; every session of the account ends.
#[utoipa::path(
    post,
    path = "/accounts/{id}/password-reset",
    tag = "accounts",
    params(("id" = String, Path, description = "账号ID — account id")),
    responses(
        (status = 200, description = "临时密码 — the temporary password", body = TemporaryPasswordView),
        (status = 404, description = "账号不存在（`user_not_found`） — no such account", body = ErrorEnvelope),
        CommonErrors,
    )
)]
pub async fn reset_account_password(
    State(s): State<AppState>,
    Authenticated(actor): Authenticated,
    Path(id): Path<UserId>,
) -> Result<Response, ApiError> {
    let temporary_password = s.accounts.reset_password(&actor, id).await?;
    let mut res = Json(TemporaryPasswordView { temporary_password }).into_response();
    res.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    Ok(res)
}

/// 结束账号的所有会话 — End every session of an account.
#[utoipa::path(
    delete,
    path = "/accounts/{id}/sessions",
    tag = "accounts",
    params(("id" = String, Path, description = "账号ID — account id")),
    responses(
        (status = 204, description = "已结束 — ended"),
        (status = 404, description = "账号不存在（`user_not_found`） — no such account", body = ErrorEnvelope),
        CommonErrors,
    )
)]
pub async fn revoke_account_sessions(
    State(s): State<AppState>,
    Authenticated(actor): Authenticated,
    Path(id): Path<UserId>,
) -> Result<StatusCode, ApiError> {
    s.accounts.revoke_sessions_of(&actor, id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// 重置双因素认证 — Clear an account's MFA so its owner can enrol a new device.
#[utoipa::path(
    delete,
    path = "/accounts/{id}/mfa",
    tag = "accounts",
    params(("id" = String, Path, description = "账号ID — account id")),
    responses(
        (status = 204, description = "已重置 — reset"),
        (status = 404, description = "账号不存在（`user_not_found`） — no such account", body = ErrorEnvelope),
        CommonErrors,
    )
)]
pub async fn reset_account_mfa(
    State(s): State<AppState>,
    Authenticated(actor): Authenticated,
    Path(id): Path<UserId>,
) -> Result<StatusCode, ApiError> {
    s.accounts.reset_mfa(&actor, id).await?;
    Ok(StatusCode::NO_CONTENT)
}
