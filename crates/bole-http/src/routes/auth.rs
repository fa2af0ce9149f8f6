//! Login, logout and "who am I". Login is the one `/api/v1` route open without
//! a session; the other two sit behind `require_session` like everything else.

use crate::auth::{Authenticated, SessionToken, clear_cookie, session_cookie};
use crate::error::ApiError;
use crate::extract::Json;
use crate::routes::{BodyErrors, CommonErrors};
use crate::state::AppState;
use axum::Extension;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use bole_api_types::{ErrorEnvelope, LoginRequest, LoginResponse, MeView};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub(crate) fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(logout)).routes(routes!(get_me))
}

/// 登录 — Log in with username and password.
///
/// 成功时设置 `bole_session` Cookie（HttpOnly、SameSite=Lax），并在响应体中返回同一令牌，
/// 供 API 客户端以 `Authorization: Bearer <token>` 使用。会话空闲 30 分钟或登录 12 小时后失效。
/// On success sets the `bole_session` cookie and returns the same token for API clients
/// (`Authorization: Bearer <token>`). Sessions end after 30 idle minutes or 12 hours.
#[utoipa::path(
    post,
    path = "/auth/login",
    tag = "auth",
    security(()),
    request_body = LoginRequest,
    responses(
        (status = 200, description = "已登录 — signed in", body = LoginResponse,
            headers(("set-cookie" = String, description = "bole_session=<token>; HttpOnly; SameSite=Lax; Path=/"))),
        (status = 401, description = "用户名或密码错误（`invalid_credentials`） — wrong username or password", body = ErrorEnvelope),
        BodyErrors,
    )
)]
pub async fn login(
    State(s): State<AppState>,
    headers: HeaderMap,
    Json(body): Json<LoginRequest>,
) -> Result<Response, ApiError> {
    let (token, user) = s.accounts.login(&body.username, &body.password).await?;
    tracing::info!(actor.account_id = %user.id, "signed in");
    let max_age = s.accounts.absolute_lifetime().num_seconds();
    let mut res = Json(LoginResponse { user: MeView::from(&user.actor()), token: token.clone() }).into_response();
    res.headers_mut().insert(header::SET_COOKIE, session_cookie(&token, max_age, &headers));
    // The body holds a bearer secret: no cache may keep it.
    res.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    Ok(res)
}

/// 退出登录 — Log out: end this session and clear the cookie.
#[utoipa::path(
    post,
    path = "/auth/logout",
    tag = "auth",
    responses((status = 204, description = "已退出 — signed out"), CommonErrors)
)]
pub async fn logout(
    State(s): State<AppState>,
    headers: HeaderMap,
    Extension(token): Extension<SessionToken>,
) -> Result<Response, ApiError> {
    s.accounts.logout(&token.0).await?;
    Ok((StatusCode::NO_CONTENT, [(header::SET_COOKIE, clear_cookie(&headers))]).into_response())
}

/// 当前用户 — The signed-in account.
#[utoipa::path(
    get,
    path = "/auth/me",
    tag = "auth",
    responses((status = 200, description = "当前账号 — the signed-in account", body = MeView), CommonErrors)
)]
pub async fn get_me(Authenticated(actor): Authenticated) -> Json<MeView> {
    Json(MeView::from(&actor))
}
