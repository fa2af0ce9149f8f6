//! Cross-cutting layers every response passes through: request ids, one access
//! log line per request, panic recovery, and security headers.
//!
//! Security headers: a strict Content-Security-Policy (`default-src 'self'`, no
//! framing, no plugins, no `<base>` hijack), relaxed only under the Swagger UI
//! (`/api/docs`), whose stylesheet uses inline styles and `data:` images;
//! `X-Content-Type-Options: nosniff`; `Referrer-Policy: no-referrer`;
//! `X-Frame-Options: DENY` for browsers without `frame-ancestors`; a
//! Permissions-Policy that switches off device APIs; and HSTS when the client
//! reached us over HTTPS (never on plain HTTP, where it would be ignored or,
//! behind a misconfigured proxy, lock users out).

use crate::edge::ClientMeta;
use crate::error::{ApiError, REQUEST_ID};
use axum::extract::{MatchedPath, Request};
use axum::http::{HeaderName, HeaderValue};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use std::any::Any;
use std::time::Duration;
use tracing::Span;

/// Middleware: keep the client's `X-Request-Id` if it is a sane token (≤ 64 of
/// `[A-Za-z0-9._-]`), else mint a UUIDv7; put it on the request (for the log span
/// and error bodies) and on the response.
pub async fn request_id(mut req: Request, next: Next) -> Response {
    let incoming = req.headers().get(REQUEST_ID).and_then(|v| v.to_str().ok()).filter(|v| sane_request_id(v));
    let id = match incoming.and_then(|v| HeaderValue::from_str(v).ok()) {
        Some(v) => v,
        None => HeaderValue::from_str(&uuid::Uuid::now_v7().to_string()).unwrap_or(HeaderValue::from_static("-")),
    };
    req.headers_mut().insert(REQUEST_ID, id.clone());
    let mut res = next.run(req).await;
    res.headers_mut().insert(REQUEST_ID, id);
    res
}

fn sane_request_id(v: &str) -> bool {
    !v.is_empty() && v.len() <= 64 && v.bytes().all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-'))
}

/// The request span: method, route template (never the raw path or query string, which
/// can carry names or phone numbers), request id; the actor is recorded once known.
pub fn make_span(req: &Request) -> Span {
    let route = req.extensions().get::<MatchedPath>().map_or("<unmatched>", MatchedPath::as_str);
    let request_id = req.headers().get(REQUEST_ID).and_then(|v| v.to_str().ok()).unwrap_or("-");
    tracing::info_span!(
        "request",
        http.method = %req.method(),
        http.route = route,
        request.id = request_id,
        actor.account_id = tracing::field::Empty,
    )
}

/// The one access-log line per request.
pub fn on_response(res: &Response, latency: Duration, _span: &Span) {
    let ms = u64::try_from(latency.as_millis()).unwrap_or(u64::MAX);
    tracing::info!(http.status = res.status().as_u16(), duration_ms = ms, "request finished");
}

/// A panicking handler becomes a 500 envelope instead of a dropped connection. The panic
/// message is not logged here (the panic hook has printed it, and it may quote data).
pub fn panic_response(_err: Box<dyn Any + Send + 'static>) -> Response {
    tracing::error!("request handler panicked");
    ApiError::internal().into_response()
}

/// The policy of every response except the interactive docs.
pub const CSP: &str =
    "default-src 'self'; frame-ancestors 'none'; object-src 'none'; base-uri 'self'; form-action 'self'";
/// The policy under `/api/docs`: Swagger UI's stylesheet needs inline styles and `data:` images.
pub const DOCS_CSP: &str = "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; \
                            frame-ancestors 'none'; object-src 'none'; base-uri 'self'; form-action 'self'";
/// The policy of the web app's pages and assets (set by [`crate::web`]): scripts stay
/// same-origin only; Element Plus, Vant and ECharts set inline styles, the MFA QR code and
/// the component icons are `data:` images, and downloads are `blob:` URLs.
pub const WEB_CSP: &str = "default-src 'self'; script-src 'self'; img-src 'self' data: blob:; \
                           style-src 'self' 'unsafe-inline'; font-src 'self' data:; connect-src 'self'; \
                           frame-ancestors 'none'; object-src 'none'; base-uri 'self'; form-action 'self'";
/// Device and tracking APIs an HR system never uses.
pub const PERMISSIONS_POLICY: &str =
    "camera=(), microphone=(), geolocation=(), payment=(), usb=(), serial=(), interest-cohort=()";
/// One year, subdomains included (only ever sent over HTTPS).
pub const HSTS: &str = "max-age=31536000; includeSubDomains";

/// Headers every response carries (HSTS is added separately, under HTTPS only).
pub fn security_headers(docs: bool) -> [(HeaderName, HeaderValue); 5] {
    [
        (HeaderName::from_static("x-content-type-options"), HeaderValue::from_static("nosniff")),
        (HeaderName::from_static("referrer-policy"), HeaderValue::from_static("no-referrer")),
        (HeaderName::from_static("x-frame-options"), HeaderValue::from_static("DENY")),
        (HeaderName::from_static("permissions-policy"), HeaderValue::from_static(PERMISSIONS_POLICY)),
        (
            HeaderName::from_static("content-security-policy"),
            HeaderValue::from_static(if docs { DOCS_CSP } else { CSP }),
        ),
    ]
}

/// Middleware: put the security headers on every response (a handler's own value wins).
pub async fn set_security_headers(req: Request, next: Next) -> Response {
    let docs = req.uri().path().starts_with(crate::DOCS_PATH);
    let https = req.extensions().get::<ClientMeta>().is_some_and(|m| m.https);
    let mut res = next.run(req).await;
    let headers = res.headers_mut();
    for (name, value) in security_headers(docs) {
        headers.entry(name).or_insert(value);
    }
    if https {
        headers.entry(HeaderName::from_static("strict-transport-security")).or_insert(HeaderValue::from_static(HSTS));
    }
    res
}

#[cfg(test)]
mod tests {
    use super::sane_request_id;

    #[test]
    fn request_ids() {
        assert!(sane_request_id("0193a1b2-c3d4.e5_f6"));
        assert!(!sane_request_id(""));
        assert!(!sane_request_id("has space"));
        assert!(!sane_request_id("张三"));
        assert!(!sane_request_id(&"a".repeat(65)));
    }
}
