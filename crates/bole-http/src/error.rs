//! The one error type of the HTTP layer and the one envelope every error body
//! uses: `{"error":{"code":"…","message":"…","fields":{"…":["…"]}}}`.
//!
//! Any domain error converts into [`ApiError`] through `bole_core::Failure`, so
//! handlers just use `?`. Messages are bilingual ([`Msg`]): the error travels
//! in the response extensions and [`render_errors`] writes the body in the
//! language of the request's `Accept-Language` (zh-CN unless it prefers `en`).
//! The same middleware gives bare framework errors (405 from the router, 413
//! from the body limit) the envelope, so no error leaves without it.

use axum::body::Body;
use axum::extract::Request;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use bole_api_types::{ErrorBody, ErrorEnvelope};
use bole_core::{ErrorKind, Failure, FieldErrors, Msg};
use std::borrow::Cow;
use std::collections::BTreeMap;

/// The request header carrying the request id (docs/LOGGING.md).
pub const REQUEST_ID: &str = "x-request-id";

/// The language an error message is written in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Lang {
    Zh,
    En,
}

impl Lang {
    /// zh-CN unless the most preferred language in `Accept-Language` is English.
    pub fn from_headers(headers: &HeaderMap) -> Lang {
        headers.get(header::ACCEPT_LANGUAGE).and_then(|v| v.to_str().ok()).map_or(Lang::Zh, Lang::from_accept_language)
    }

    pub fn from_accept_language(value: &str) -> Lang {
        let mut best: Option<(&str, u16)> = None;
        for item in value.split(',') {
            let mut parts = item.split(';');
            let tag = parts.next().unwrap_or("").trim();
            let q = parts.find_map(|p| p.trim().strip_prefix("q=")).map_or(1000, parse_q);
            if tag.is_empty() || q == 0 {
                continue;
            }
            // Strictly greater: on a tie the earlier entry wins, as the header lists preference first.
            if best.is_none_or(|(_, bq)| q > bq) {
                best = Some((tag, q));
            }
        }
        match best {
            Some((tag, _)) if tag.split('-').next().is_some_and(|p| p.eq_ignore_ascii_case("en")) => Lang::En,
            _ => Lang::Zh,
        }
    }
}

/// A quality value (`0`, `0.8`, `1.000`) in thousandths; integers keep floats out (clippy.toml).
fn parse_q(q: &str) -> u16 {
    let (int, frac) = q.split_once('.').unwrap_or((q, ""));
    let int = match int {
        "1" => return 1000,
        "0" => 0,
        _ => return 0,
    };
    let digits: String = frac.chars().take(3).collect();
    if !digits.chars().all(|c| c.is_ascii_digit()) {
        return 0;
    }
    let padded = format!("{digits:0<3}");
    int + padded.parse::<u16>().unwrap_or(0)
}

/// What an error says, kept until the response language is known.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ErrorPayload {
    pub code: Cow<'static, str>,
    pub message: Msg,
    pub fields: Option<BTreeMap<String, Vec<Msg>>>,
}

impl ErrorPayload {
    /// The envelope in one language. 500s name the request id so a user can quote it.
    pub fn render(&self, lang: Lang, request_id: Option<&str>) -> ErrorEnvelope {
        let english = lang == Lang::En;
        let mut message = self.message.pick(english).to_string();
        if self.code == "internal"
            && let Some(id) = request_id
        {
            message.push_str(if english { " Request id: " } else { "请求编号：" });
            message.push_str(id);
        }
        let fields = self.fields.as_ref().map(|f| {
            f.iter().map(|(k, msgs)| (k.clone(), msgs.iter().map(|m| m.pick(english).to_string()).collect())).collect()
        });
        ErrorEnvelope { error: ErrorBody { code: self.code.to_string(), message, fields } }
    }
}

/// An error response: a status and a payload rendered as the envelope.
#[derive(Clone, Debug)]
pub struct ApiError {
    pub status: StatusCode,
    pub payload: ErrorPayload,
}

impl ApiError {
    pub fn new(status: StatusCode, code: impl Into<Cow<'static, str>>, message: Msg) -> Self {
        Self { status, payload: ErrorPayload { code: code.into(), message, fields: None } }
    }

    pub fn with_fields(mut self, fields: &FieldErrors) -> Self {
        self.payload.fields = Some(fields.0.clone());
        self
    }

    pub fn code(&self) -> &str {
        &self.payload.code
    }

    /// 500 with a generic message; the caller has logged the cause.
    pub fn internal() -> Self {
        Self::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "internal",
            Msg::new(
                "服务器内部错误，请稍后重试；如问题持续，请联系管理员并提供请求编号。",
                "Internal server error; try again later. If it persists, contact the administrator with the request id.",
            ),
        )
    }

    /// No route has this path.
    pub fn route_not_found() -> Self {
        Self::new(
            StatusCode::NOT_FOUND,
            "not_found",
            Msg::new("请求的接口不存在，请检查地址。", "No such API endpoint; check the URL."),
        )
    }

    pub fn unauthenticated() -> Self {
        bole_access::AccessError::Unauthenticated.into()
    }

    /// Refused by the route policy layer (the same envelope services use).
    pub fn forbidden() -> Self {
        Self::new(
            StatusCode::FORBIDDEN,
            "forbidden",
            Msg::new(
                "您没有执行此操作的权限，请联系管理员授权。",
                "You are not allowed to do this; ask an administrator for access.",
            ),
        )
    }

    /// The body is over the route's limit (`limit` bytes).
    pub fn payload_too_large(limit: usize) -> Self {
        // Limits are configurable: whole MiB, else whole KiB, else bytes.
        let size = if limit >= 1 << 20 && limit.is_multiple_of(1 << 20) {
            format!("{} MiB", limit >> 20)
        } else if limit >= 1 << 10 {
            format!("{} KiB", limit >> 10)
        } else {
            format!("{limit} B")
        };
        Self::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            "payload_too_large",
            Msg::new(format!("请求体超过 {size} 上限"), format!("The request body exceeds the {size} limit.")),
        )
    }

    /// A default envelope for an error response some framework layer produced without one.
    pub(crate) fn for_bare_status(status: StatusCode) -> Self {
        match status {
            StatusCode::NOT_FOUND => Self::route_not_found(),
            StatusCode::METHOD_NOT_ALLOWED => Self::new(
                status,
                "method_not_allowed",
                Msg::new("该接口不支持此请求方法。", "This endpoint does not support this HTTP method."),
            ),
            StatusCode::PAYLOAD_TOO_LARGE => Self::new(
                status,
                "payload_too_large",
                Msg::new("请求体超过上限", "The request body exceeds the limit."),
            ),
            StatusCode::UNSUPPORTED_MEDIA_TYPE => unsupported_media_type(),
            s if s.is_server_error() => Self { status: s, ..Self::internal() },
            s => Self::new(s, "bad_request", Msg::new("请求无效。", "Bad request.")),
        }
    }
}

pub(crate) fn unsupported_media_type() -> ApiError {
    ApiError::new(
        StatusCode::UNSUPPORTED_MEDIA_TYPE,
        "unsupported_media_type",
        Msg::new(
            "请求体须为 JSON（Content-Type: application/json）。",
            "The request body must be JSON (Content-Type: application/json).",
        ),
    )
}

/// The status for a kind of failure (docs/API-DESIGN.md "Errors").
pub fn status_for(kind: ErrorKind, code: &str) -> StatusCode {
    match kind {
        ErrorKind::Invalid if code == "malformed_json" => StatusCode::BAD_REQUEST,
        ErrorKind::Invalid => StatusCode::UNPROCESSABLE_ENTITY,
        ErrorKind::NotFound => StatusCode::NOT_FOUND,
        ErrorKind::Conflict => StatusCode::CONFLICT,
        ErrorKind::Forbidden => StatusCode::FORBIDDEN,
        ErrorKind::Unauthenticated => StatusCode::UNAUTHORIZED,
        ErrorKind::TooLarge if code == "too_many_requests" => StatusCode::TOO_MANY_REQUESTS,
        ErrorKind::TooLarge => StatusCode::PAYLOAD_TOO_LARGE,
        ErrorKind::Internal => StatusCode::INTERNAL_SERVER_ERROR,
    }
}

impl<E: Failure> From<E> for ApiError {
    fn from(e: E) -> Self {
        let kind = e.kind();
        if kind == ErrorKind::Internal {
            // The one place a 500's cause is logged (docs/LOGGING.md). Domain errors' Display
            // carries codes and ids, not personal data; the client sees a generic message.
            tracing::error!(error.code = e.code(), error = %e, "request failed with an internal error");
            return ApiError::internal();
        }
        let mut err = ApiError::new(status_for(kind, e.code()), e.code(), e.message());
        if let Some(f) = e.fields() {
            err = err.with_fields(f);
        }
        err
    }
}

fn json_response(status: StatusCode, envelope: &ErrorEnvelope) -> Response {
    let body = serde_json::to_vec(envelope).unwrap_or_default();
    let mut res = (status, body).into_response();
    res.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static("application/json"));
    res
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        // Rendered in zh-CN here so the body is right even without the middleware;
        // `render_errors` re-renders it in the request's language.
        let mut res = json_response(self.status, &self.payload.render(Lang::Zh, None));
        if self.status == StatusCode::UNAUTHORIZED {
            res.headers_mut().insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer realm=\"bole\""));
        }
        res.extensions_mut().insert(self.payload);
        res
    }
}

/// Middleware: writes every error body in the request's language, and wraps error
/// responses that framework layers produced without an envelope.
pub async fn render_errors(req: Request, next: Next) -> Response {
    let lang = Lang::from_headers(req.headers());
    let request_id = req.headers().get(REQUEST_ID).and_then(|v| v.to_str().ok()).map(str::to_owned);
    let mut res = next.run(req).await;
    let payload = match res.extensions_mut().remove::<ErrorPayload>() {
        Some(p) => p,
        None if is_bare_error(&res) => ApiError::for_bare_status(res.status()).payload,
        None => return res,
    };
    let (mut parts, _) = res.into_parts();
    let body = serde_json::to_vec(&payload.render(lang, request_id.as_deref())).unwrap_or_default();
    parts.headers.insert(header::CONTENT_TYPE, HeaderValue::from_static("application/json"));
    parts.headers.remove(header::CONTENT_LENGTH);
    Response::from_parts(parts, Body::from(body))
}

fn is_bare_error(res: &Response) -> bool {
    let status = res.status();
    let json = res
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|ct| ct.starts_with("application/json"));
    (status.is_client_error() || status.is_server_error()) && !json
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accept_language() {
        assert_eq!(Lang::from_accept_language("en"), Lang::En);
        assert_eq!(Lang::from_accept_language("en-US,en;q=0.9,zh-CN;q=0.8"), Lang::En);
        assert_eq!(Lang::from_accept_language("zh-CN,zh;q=0.9,en;q=0.8"), Lang::Zh);
        assert_eq!(Lang::from_accept_language("zh-CN;q=0.5, en-GB;q=0.7"), Lang::En);
        assert_eq!(Lang::from_accept_language("EN-us"), Lang::En);
        assert_eq!(Lang::from_accept_language("en;q=0, zh"), Lang::Zh);
        assert_eq!(Lang::from_accept_language("fr, en;q=0.5"), Lang::Zh, "unsupported first choice: the default");
        assert_eq!(Lang::from_accept_language("*"), Lang::Zh);
        assert_eq!(Lang::from_accept_language(""), Lang::Zh);
        assert_eq!(parse_q("0.85"), 850);
        assert_eq!(parse_q("1.000"), 1000);
        assert_eq!(parse_q("0"), 0);
        assert_eq!(parse_q("x"), 0);
    }

    #[test]
    fn statuses() {
        assert_eq!(status_for(ErrorKind::Invalid, "validation_failed"), StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(status_for(ErrorKind::Invalid, "malformed_json"), StatusCode::BAD_REQUEST);
        assert_eq!(status_for(ErrorKind::TooLarge, "payload_too_large"), StatusCode::PAYLOAD_TOO_LARGE);
        assert_eq!(status_for(ErrorKind::TooLarge, "too_many_requests"), StatusCode::TOO_MANY_REQUESTS);
        assert_eq!(status_for(ErrorKind::Unauthenticated, "unauthenticated"), StatusCode::UNAUTHORIZED);
    }

    #[test]
    fn internal_errors_are_generic_and_name_the_request_id() {
        let e: ApiError = bole_access::AccessError::Storage("database error 08006".into()).into();
        assert_eq!(e.status, StatusCode::INTERNAL_SERVER_ERROR);
        let body = e.payload.render(Lang::En, Some("req-1"));
        assert_eq!(body.error.code, "internal");
        assert!(!body.error.message.contains("08006"));
        assert!(body.error.message.ends_with("Request id: req-1"), "{}", body.error.message);
    }

    #[test]
    fn field_messages_follow_the_language() {
        let mut f = FieldErrors::new();
        f.add("code", Msg::new("编码有误", "bad code"));
        let e: ApiError = bole_org::OrgError::Invalid(f).into();
        assert_eq!(e.status, StatusCode::UNPROCESSABLE_ENTITY);
        let en = e.payload.render(Lang::En, None);
        assert_eq!(en.error.fields.unwrap()["code"], vec!["bad code".to_string()]);
        let zh = e.payload.render(Lang::Zh, None);
        assert_eq!(zh.error.fields.unwrap()["code"], vec!["编码有误".to_string()]);
    }
}
