//! Route modules, one per domain. Adding a domain is one line in [`protected`]
//! (and its service in `state::Services`).

pub mod absence;
pub mod accounts;
pub mod attendance;
pub mod audit;
pub mod auth;
pub mod health;
pub mod org;
pub mod payroll;
pub mod people;
pub mod privacy;
pub mod roles;
pub mod workflow;

use crate::extract::Json;
use crate::state::AppState;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use bole_api_types::ErrorEnvelope;
use serde::Serialize;
use utoipa::IntoResponses;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

/// 201 Created with `Location` pointing at the new resource.
pub(crate) fn created<T: Serialize>(location: String, body: T) -> Response {
    let mut res = (StatusCode::CREATED, Json(body)).into_response();
    if let Ok(v) = HeaderValue::from_str(&location) {
        res.headers_mut().insert(header::LOCATION, v);
    }
    res
}

/// Routes outside `/api/v1` that need no session: health and readiness.
pub(crate) fn operational() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(health::healthz)).routes(routes!(health::readyz))
}

/// `/api/v1` routes open to anyone: only login and its MFA step.
pub(crate) fn public() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(auth::login)).routes(routes!(auth::login_mfa))
}

/// `/api/v1` routes that require a session (the caller wraps them in `require_session`).
pub(crate) fn protected() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .merge(auth::routes())
        .merge(accounts::routes())
        .merge(org::routes())
        .merge(people::routes())
        .merge(privacy::routes())
        .merge(audit::routes())
        .merge(roles::routes())
        .merge(attendance::routes())
        .merge(absence::routes())
        .merge(workflow::routes())
        .merge(payroll::routes())
}

/// Errors every protected endpoint may answer with (OpenAPI only; never constructed).
#[derive(IntoResponses)]
#[expect(dead_code, reason = "describes responses in the OpenAPI document; never constructed")]
pub(crate) enum CommonErrors {
    /// 未登录或登录已失效（`unauthenticated`） — not signed in, or the session expired
    #[response(status = 401)]
    Unauthenticated(ErrorEnvelope),
    /// 无权执行此操作（`forbidden`） — the caller may not do this
    #[response(status = 403)]
    Forbidden(ErrorEnvelope),
    /// 服务器内部错误（`internal`），响应中含请求编号 — internal error; the message carries the request id
    #[response(status = 500)]
    Internal(ErrorEnvelope),
}

/// Errors of endpoints that take a JSON body (OpenAPI only; never constructed).
#[derive(IntoResponses)]
#[expect(dead_code, reason = "describes responses in the OpenAPI document; never constructed")]
pub(crate) enum BodyErrors {
    /// 请求体不是合法的 JSON（`malformed_json`） — the body is not valid JSON
    #[response(status = 400)]
    Malformed(ErrorEnvelope),
    /// 请求体超过上限（`payload_too_large`） — the body is over the limit (1 MiB)
    #[response(status = 413)]
    TooLarge(ErrorEnvelope),
    /// 请求体须为 JSON（`unsupported_media_type`） — Content-Type must be application/json
    #[response(status = 415)]
    MediaType(ErrorEnvelope),
    /// 字段校验失败（`validation_failed`），见 `fields` — invalid fields, listed in `fields`
    #[response(status = 422)]
    Invalid(ErrorEnvelope),
}
