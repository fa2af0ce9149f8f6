//! Signing in and managing my own credentials: login (one or two steps), logout,
//! "who am I", password change, my sessions, my API tokens, my TOTP second factor.
//! Login and its MFA step are the only `/api/v1` routes open without a session;
//! everything else sits behind `require_session`.

use crate::auth::{Auth, Authenticated, SessionToken, clear_cookies, csrf_cookie, session_cookie};
use crate::edge::{Client, ClientMeta};
use crate::error::ApiError;
use crate::extract::{Json, Path};
use crate::routes::{BodyErrors, CommonErrors};
use crate::state::AppState;
use axum::Extension;
use axum::extract::State;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use bole_access::{ApiToken, ApiTokenId, IssuedSession, LoginOutcome, Restriction, SessionId, SessionView};
use bole_api_types::{
    ChangePasswordRequest, CreateApiTokenRequest, ErrorEnvelope, LoginMfaRequest, LoginRequest, LoginResponse, MeView,
    MfaCodeRequest, RecoveryCodesView, TotpEnrollmentView,
};
use bole_core::Permission;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

/// The protected auth routes (login and its MFA step are in `routes::public`).
pub(crate) fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(logout))
        .routes(routes!(get_me))
        .routes(routes!(change_password))
        .routes(routes!(list_sessions, revoke_all_sessions))
        .routes(routes!(revoke_session))
        .routes(routes!(list_api_tokens, create_api_token))
        .routes(routes!(revoke_api_token))
        .routes(routes!(start_totp_enrollment))
        .routes(routes!(confirm_totp_enrollment))
        .routes(routes!(disable_totp))
}

fn me_view(actor: &bole_core::Actor, restrictions: &[Restriction]) -> MeView {
    let mut me = MeView::from(actor);
    me.password_change_required = restrictions.contains(&Restriction::PasswordChange);
    me.mfa_enrollment_required = restrictions.contains(&Restriction::MfaEnrollment);
    me
}

/// The answer for a newly opened session: body, both cookies, `no-store`.
async fn signed_in(s: &AppState, session: IssuedSession, client: &ClientMeta) -> Result<Response, ApiError> {
    let max_age = s.accounts.absolute_lifetime().num_seconds();
    let actor = session.user.actor(s.accounts.access_of(&session.user).await?);
    tracing::info!(actor.account_id = %actor.user_id, "signed in");
    let body = LoginResponse {
        token: Some(session.token.clone()),
        csrf_token: Some(session.csrf_token.clone()),
        user: Some(me_view(&actor, &session.restrictions)),
        password_change_required: session.restrictions.contains(&Restriction::PasswordChange),
        mfa_enrollment_required: session.restrictions.contains(&Restriction::MfaEnrollment),
        mfa_required: false,
        mfa_token: None,
    };
    let mut res = Json(body).into_response();
    let h = res.headers_mut();
    h.append(header::SET_COOKIE, session_cookie(&session.token, max_age, client.secure_cookies));
    h.append(header::SET_COOKIE, csrf_cookie(&session.csrf_token, max_age, client.secure_cookies));
    // The body holds a bearer secret: no cache may keep it.
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    Ok(res)
}

/// 登录 — Log in with username and password.
///
/// 成功时设置 `bole_session`（HttpOnly）与 `bole_csrf` Cookie，并在响应体中返回令牌与 CSRF 令牌。
/// 浏览器以 Cookie 调用写接口时须在 `X-CSRF-Token` 头中回传 CSRF 令牌；API 客户端使用
/// `Authorization: Bearer <token>`，无需 CSRF 令牌。已启用双因素认证时返回 `mfa_required` 与
/// `mfa_token`（5 分钟有效），再调用 `/auth/login/mfa`。用户名不存在、密码错误、账号锁定或停用
/// 一律返回同一 401 `invalid_credentials`。
/// On success sets the `bole_session` (HttpOnly) and `bole_csrf` cookies and returns the token and
/// the CSRF token. Cookie-authenticated writes must echo the CSRF token in `X-CSRF-Token`; bearer
/// clients need none. With MFA enabled the answer is `mfa_required` + `mfa_token` (5 minutes) for
/// `/auth/login/mfa`. Unknown user, wrong password, locked and disabled accounts all get the same
/// 401 `invalid_credentials`. Rate-limited per client address (429 `rate_limited`).
#[utoipa::path(
    post,
    path = "/auth/login",
    tag = "auth",
    security(()),
    request_body = LoginRequest,
    responses(
        (status = 200, description = "已登录，或需第二步验证 — signed in, or the MFA step is required", body = LoginResponse,
            headers(("set-cookie" = String, description = "bole_session=<token>; HttpOnly; SameSite=Lax; Path=/ and bole_csrf=<csrf>; SameSite=Lax; Path=/"))),
        (status = 401, description = "用户名或密码错误（`invalid_credentials`） — wrong username or password", body = ErrorEnvelope),
        (status = 429, description = "尝试过于频繁（`rate_limited`），见 Retry-After — too many attempts; see Retry-After", body = ErrorEnvelope),
        BodyErrors,
    )
)]
pub async fn login(
    State(s): State<AppState>,
    Client(client): Client,
    Json(body): Json<LoginRequest>,
) -> Result<Response, ApiError> {
    match s.accounts.login(&body.username, &body.password, &client.request_meta()).await? {
        LoginOutcome::Session(session) => signed_in(&s, session, &client).await,
        LoginOutcome::MfaRequired { mfa_token, .. } => {
            let body = LoginResponse { mfa_required: true, mfa_token: Some(mfa_token.0), ..LoginResponse::default() };
            let mut res = Json(body).into_response();
            res.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
            Ok(res)
        }
    }
}

/// 登录第二步 — Second login step: a TOTP code or a recovery code.
///
/// 提交第一步返回的 `mfa_token` 与验证器中的 6 位动态码（同一动态码只能使用一次）或一个未用过的恢复码。
/// Send the `mfa_token` from the first step with the 6-digit code from the authenticator app (each
/// code is accepted once) or an unused recovery code. Wrong codes count towards the lockout.
#[utoipa::path(
    post,
    path = "/auth/login/mfa",
    tag = "auth",
    security(()),
    request_body = LoginMfaRequest,
    responses(
        (status = 200, description = "已登录 — signed in", body = LoginResponse),
        (status = 401, description = "验证码错误、已使用或已过期（`invalid_mfa_code`） — wrong, reused or expired code", body = ErrorEnvelope),
        (status = 429, description = "尝试过于频繁（`rate_limited`） — too many attempts", body = ErrorEnvelope),
        BodyErrors,
    )
)]
pub async fn login_mfa(
    State(s): State<AppState>,
    Client(client): Client,
    Json(body): Json<LoginMfaRequest>,
) -> Result<Response, ApiError> {
    let session = s.accounts.login_mfa(&body.mfa_token, &body.code, &client.request_meta()).await?;
    signed_in(&s, session, &client).await
}

/// 退出登录 — Log out: end this session and clear the cookies.
#[utoipa::path(
    post,
    path = "/auth/logout",
    tag = "auth",
    responses((status = 204, description = "已退出 — signed out"), CommonErrors)
)]
pub async fn logout(
    State(s): State<AppState>,
    Client(client): Client,
    Authenticated(actor): Authenticated,
    Extension(token): Extension<SessionToken>,
) -> Result<Response, ApiError> {
    s.accounts.logout(&actor, &token.0).await?;
    Ok(cleared(client.secure_cookies))
}

fn cleared(secure: bool) -> Response {
    let mut res = StatusCode::NO_CONTENT.into_response();
    for c in clear_cookies(secure) {
        res.headers_mut().append(header::SET_COOKIE, c);
    }
    res
}

/// 当前用户 — The signed-in account.
///
/// `password_change_required` / `mfa_enrollment_required` 为真时，本会话只能修改密码 / 绑定验证器。
/// When `password_change_required` / `mfa_enrollment_required` is true the session can only change
/// the password / enrol an authenticator.
#[utoipa::path(
    get,
    path = "/auth/me",
    tag = "auth",
    responses((status = 200, description = "当前账号 — the signed-in account", body = MeView), CommonErrors)
)]
pub async fn get_me(Auth(auth): Auth) -> Json<MeView> {
    Json(me_view(&auth.actor, &auth.restrictions))
}

/// 修改密码 — Change my password.
///
/// 需提供当前密码；新密码须符合密码策略且不能与最近若干次密码相同。成功后其他会话全部失效，本会话保留。
/// Needs the current password; the new one must satisfy the policy and differ from the recent ones.
/// All my other sessions end; this one stays.
#[utoipa::path(
    post,
    path = "/auth/password",
    tag = "auth",
    request_body = ChangePasswordRequest,
    responses(
        (status = 204, description = "已修改 — changed"),
        (status = 422, description = "当前密码错误（`wrong_password`）或新密码不符合策略（`validation_failed`） — wrong current password or a new one the policy refuses", body = ErrorEnvelope),
        CommonErrors,
    )
)]
pub async fn change_password(
    State(s): State<AppState>,
    Auth(auth): Auth,
    Json(body): Json<ChangePasswordRequest>,
) -> Result<StatusCode, ApiError> {
    s.accounts.change_password(&auth.actor, auth.session_id(), &body.old_password, &body.new_password).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// 我的会话 — My sessions (the current one flagged).
#[utoipa::path(
    get,
    path = "/auth/sessions",
    tag = "auth",
    responses((status = 200, description = "会话列表 — my sessions", body = [SessionView]), CommonErrors)
)]
pub async fn list_sessions(State(s): State<AppState>, Auth(auth): Auth) -> Result<Json<Vec<SessionView>>, ApiError> {
    Ok(Json(s.accounts.my_sessions(&auth.actor, auth.session_id()).await?))
}

/// 退出所有会话 — Sign out everywhere (this session included).
#[utoipa::path(
    delete,
    path = "/auth/sessions",
    tag = "auth",
    responses((status = 204, description = "所有会话已结束 — every session ended"), CommonErrors)
)]
pub async fn revoke_all_sessions(
    State(s): State<AppState>,
    Client(client): Client,
    Authenticated(actor): Authenticated,
) -> Result<Response, ApiError> {
    s.accounts.revoke_my_sessions(&actor).await?;
    Ok(cleared(client.secure_cookies))
}

/// 结束一个会话 — Revoke one of my sessions.
#[utoipa::path(
    delete,
    path = "/auth/sessions/{id}",
    tag = "auth",
    params(("id" = String, Path, description = "会话ID — session id")),
    responses(
        (status = 204, description = "已结束 — ended"),
        (status = 404, description = "没有这个会话（`session_not_found`） — no such session of mine", body = ErrorEnvelope),
        CommonErrors,
    )
)]
pub async fn revoke_session(
    State(s): State<AppState>,
    Authenticated(actor): Authenticated,
    Path(id): Path<SessionId>,
) -> Result<StatusCode, ApiError> {
    s.accounts.revoke_my_session(&actor, id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// A new API token with its secret, shown once.
#[derive(Clone, Serialize, Deserialize, ToSchema)]
pub struct CreatedApiToken {
    #[schema(value_type = String, format = Uuid)]
    pub id: ApiTokenId,
    pub name: String,
    pub permissions: Vec<Permission>,
    pub created_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
    /// `bole_pat_…`: send as `Authorization: Bearer <token>`. Not retrievable later.
    pub token: String,
}

impl std::fmt::Debug for CreatedApiToken {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CreatedApiToken").field("id", &self.id).finish_non_exhaustive()
    }
}

/// 我的 API 令牌 — My API tokens (revoked ones included; never the secret).
#[utoipa::path(
    get,
    path = "/auth/tokens",
    tag = "auth",
    responses((status = 200, description = "令牌列表 — my tokens", body = [ApiToken]), CommonErrors)
)]
pub async fn list_api_tokens(
    State(s): State<AppState>,
    Authenticated(actor): Authenticated,
) -> Result<Json<Vec<ApiToken>>, ApiError> {
    Ok(Json(s.accounts.my_api_tokens(&actor).await?))
}

/// 创建 API 令牌 — Create a personal API token for an integration.
///
/// 令牌以本人身份访问，但仅限所列权限（每项须本人持有），最长 365 天；密钥只返回这一次，服务器只保存其 SM3 摘要。
/// The token acts as me restricted to the listed permissions (each of which I must hold), for at most
/// 365 days. The secret is returned once; the server keeps only its SM3 digest.
#[utoipa::path(
    post,
    path = "/auth/tokens",
    tag = "auth",
    request_body = CreateApiTokenRequest,
    responses(
        (status = 201, description = "已创建 — created", body = CreatedApiToken),
        BodyErrors,
        CommonErrors,
    )
)]
pub async fn create_api_token(
    State(s): State<AppState>,
    Authenticated(actor): Authenticated,
    Json(body): Json<CreateApiTokenRequest>,
) -> Result<Response, ApiError> {
    let issued = s.accounts.create_api_token(&actor, &body.name, body.permissions, body.expires_in_days).await?;
    let t = issued.token;
    let view = CreatedApiToken {
        id: t.id,
        name: t.name,
        permissions: t.permissions,
        created_at: t.created_at,
        expires_at: t.expires_at,
        token: issued.secret,
    };
    let mut res = crate::routes::created(format!("/api/v1/auth/tokens/{}", view.id), view);
    res.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    Ok(res)
}

/// 吊销 API 令牌 — Revoke one of my API tokens.
#[utoipa::path(
    delete,
    path = "/auth/tokens/{id}",
    tag = "auth",
    params(("id" = String, Path, description = "令牌ID — token id")),
    responses(
        (status = 204, description = "已吊销 — revoked"),
        (status = 404, description = "没有这个令牌（`api_token_not_found`） — no such token of mine", body = ErrorEnvelope),
        CommonErrors,
    )
)]
pub async fn revoke_api_token(
    State(s): State<AppState>,
    Authenticated(actor): Authenticated,
    Path(id): Path<ApiTokenId>,
) -> Result<StatusCode, ApiError> {
    s.accounts.revoke_api_token(&actor, id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// An SVG QR code of `text`.
fn qr_svg(text: &str) -> Result<String, ApiError> {
    let code = qrcode::QrCode::new(text.as_bytes()).map_err(|e| {
        tracing::error!(error = %e, "QR code generation failed");
        ApiError::internal()
    })?;
    Ok(code.render::<qrcode::render::svg::Color<'_>>().min_dimensions(200, 200).build())
}

/// 开始绑定验证器 — Start TOTP enrolment.
///
/// 返回密钥、otpauth 链接与二维码（SVG）；在验证器 App 中添加后，用 `/auth/mfa/totp/confirm` 提交一个动态码完成绑定。
/// 重复调用会换一个新密钥。Returns the secret, the otpauth URI and its QR code (SVG); after adding it
/// to an authenticator app, confirm with a code at `/auth/mfa/totp/confirm`. Calling again starts over
/// with a new secret.
#[utoipa::path(
    post,
    path = "/auth/mfa/totp",
    tag = "auth",
    responses(
        (status = 200, description = "待确认的验证器 — the authenticator to add", body = TotpEnrollmentView),
        (status = 409, description = "已启用（`mfa_already_enabled`） — already enabled", body = ErrorEnvelope),
        CommonErrors,
    )
)]
pub async fn start_totp_enrollment(
    State(s): State<AppState>,
    Authenticated(actor): Authenticated,
) -> Result<Response, ApiError> {
    let e = s.accounts.start_totp_enrollment(&actor).await?;
    let view = TotpEnrollmentView { qr_svg: qr_svg(&e.otpauth_uri)?, secret: e.secret, otpauth_uri: e.otpauth_uri };
    let mut res = Json(view).into_response();
    res.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    Ok(res)
}

/// 确认绑定验证器 — Confirm TOTP enrolment with a code; returns the recovery codes.
///
/// 成功后启用双因素认证，并返回 10 个一次性恢复码（只显示这一次，请妥善保存）。
/// Enables two-factor authentication and returns 10 one-time recovery codes (shown only now).
#[utoipa::path(
    post,
    path = "/auth/mfa/totp/confirm",
    tag = "auth",
    request_body = MfaCodeRequest,
    responses(
        (status = 200, description = "已启用；恢复码 — enabled; the recovery codes", body = RecoveryCodesView),
        (status = 409, description = "未开始绑定（`mfa_enrollment_not_started`）或已启用（`mfa_already_enabled`） — not started, or already enabled", body = ErrorEnvelope),
        (status = 422, description = "验证码错误（`invalid_mfa_code`） — wrong code", body = ErrorEnvelope),
        CommonErrors,
    )
)]
pub async fn confirm_totp_enrollment(
    State(s): State<AppState>,
    Authenticated(actor): Authenticated,
    Json(body): Json<MfaCodeRequest>,
) -> Result<Response, ApiError> {
    let codes = s.accounts.confirm_totp(&actor, &body.code).await?;
    let mut res = Json(RecoveryCodesView { recovery_codes: codes }).into_response();
    res.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    Ok(res)
}

/// 停用双因素认证 — Disable TOTP (needs a current code or a recovery code).
#[utoipa::path(
    post,
    path = "/auth/mfa/totp/disable",
    tag = "auth",
    request_body = MfaCodeRequest,
    responses(
        (status = 204, description = "已停用 — disabled"),
        (status = 409, description = "未启用（`mfa_not_enabled`） — not enabled", body = ErrorEnvelope),
        (status = 422, description = "验证码错误（`invalid_mfa_code`） — wrong code", body = ErrorEnvelope),
        CommonErrors,
    )
)]
pub async fn disable_totp(
    State(s): State<AppState>,
    Authenticated(actor): Authenticated,
    Json(body): Json<MfaCodeRequest>,
) -> Result<StatusCode, ApiError> {
    s.accounts.disable_totp(&actor, &body.code).await?;
    Ok(StatusCode::NO_CONTENT)
}
