//! Authentication at the edge: finds the credential (`Authorization: Bearer` —
//! a session token or a `bole_pat_…` API token — else the `bole_session`
//! cookie), asks `AccountService::authenticate` for the principal, and makes the
//! actor available to handlers through [`Authenticated`].
//!
//! [`require_session`] guards every `/api/v1` route except login, so a handler
//! cannot be forgotten open. On top of authentication it enforces, before any
//! handler runs:
//!
//! - **CSRF** (double submit): a POST/PUT/PATCH/DELETE authenticated by the
//!   *cookie* must carry `X-CSRF-Token` equal to the session's CSRF token (login
//!   returns it and sets it as the readable `bole_csrf` cookie; the server keeps only
//!   its SM3 hash). Bearer requests are exempt: a browser never adds that header on
//!   its own. Otherwise 403 `csrf_failed`.
//! - **Session restrictions**: a session whose password must change can only reach
//!   `/auth/password`, one whose privileged role lacks MFA only `/auth/mfa/totp*`
//!   (both: `/auth/me` and logout too). Otherwise 403 `password_change_required` /
//!   `mfa_enrollment_required`.
//! - **API tokens** cannot manage the account (`/auth/*` other than `/auth/me`):
//!   403 `session_required`, so a leaked token cannot mint tokens or change the password.
//!
//! Authorisation is not decided here: services call `actor.authorize(..)`.

use crate::edge::ClientMeta;
use crate::error::ApiError;
use crate::state::AppState;
use axum::extract::{FromRequestParts, OriginalUri, Request, State};
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use bole_access::{AccessError, Authentication, Credential, Restriction, rules};
use bole_core::{Actor, Msg};

/// Name of the session cookie (HttpOnly).
pub const SESSION_COOKIE: &str = "bole_session";
/// Name of the CSRF cookie (readable by the page's scripts, so they can echo it).
pub const CSRF_COOKIE: &str = "bole_csrf";
/// The header a cookie-authenticated write must echo the CSRF token in.
pub const CSRF_HEADER: &str = "x-csrf-token";

/// The session token of the request, kept in request extensions so logout can end it.
/// Opaque outside this crate: the secret is never handed to handlers that do not need it.
#[derive(Clone)]
pub struct SessionToken(pub(crate) String);

impl std::fmt::Debug for SessionToken {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SessionToken(..)")
    }
}

/// The authenticated actor of the request. Rejects with a 401 envelope when the
/// route is not behind [`require_session`] (a wiring mistake) or nobody signed in.
#[derive(Clone, Debug)]
pub struct Authenticated(pub Actor);

impl<S: Send + Sync> FromRequestParts<S> for Authenticated {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, ApiError> {
        parts.extensions.get::<Actor>().cloned().map(Authenticated).ok_or_else(ApiError::unauthenticated)
    }
}

/// The whole authentication of the request: actor, credential (session id or token id)
/// and restrictions.
#[derive(Clone, Debug)]
pub struct Auth(pub Authentication);

impl<S: Send + Sync> FromRequestParts<S> for Auth {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, ApiError> {
        parts.extensions.get::<Authentication>().cloned().map(Auth).ok_or_else(ApiError::unauthenticated)
    }
}

/// Where the credential came from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Source {
    Bearer,
    Cookie,
}

/// The bearer token from `Authorization`, else the `bole_session` cookie.
pub fn session_token(headers: &HeaderMap) -> Option<String> {
    credential(headers).map(|(t, _)| t)
}

/// The credential and where it came from; an explicit bearer token wins over the cookie.
pub fn credential(headers: &HeaderMap) -> Option<(String, Source)> {
    let bearer = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split_once(' '))
        .filter(|(scheme, _)| scheme.eq_ignore_ascii_case("bearer"))
        .map(|(_, token)| (token.trim().to_string(), Source::Bearer));
    bearer.or_else(|| cookie(headers, SESSION_COOKIE).map(|t| (t, Source::Cookie)))
}

/// The value of a cookie.
pub fn cookie(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(n, _)| *n == name)
        .map(|(_, value)| value.trim().to_string())
}

/// The request path below `/api/v1` (routes are nested, so the full URI is the original one).
fn api_path(req: &Request) -> String {
    let full =
        req.extensions().get::<OriginalUri>().map_or_else(|| req.uri().path().to_string(), |u| u.path().to_string());
    full.strip_prefix("/api/v1").map_or(full.clone(), str::to_string)
}

fn is_write(method: &Method) -> bool {
    !matches!(*method, Method::GET | Method::HEAD | Method::OPTIONS)
}

/// 403 `csrf_failed`.
pub fn csrf_failed() -> ApiError {
    ApiError::new(
        StatusCode::FORBIDDEN,
        "csrf_failed",
        Msg::new(
            "请求缺少有效的 CSRF 令牌（X-CSRF-Token），请刷新页面后重试",
            "The request lacks a valid CSRF token (X-CSRF-Token); reload the page and try again.",
        ),
    )
}

/// True when the header echoes the token whose SM3 hash the session keeps.
fn csrf_ok(headers: &HeaderMap, csrf_hash: &str) -> bool {
    let Some(sent) = headers.get(CSRF_HEADER).and_then(|v| v.to_str().ok()) else {
        return false;
    };
    !csrf_hash.is_empty() && bole_crypto::ct_eq(rules::token_hash(sent.trim()).as_bytes(), csrf_hash.as_bytes())
}

/// What a restricted session may still reach (paths below `/api/v1`).
fn allowed_while(restriction: Restriction, method: &Method, path: &str) -> bool {
    let always = (method == Method::GET && path == "/auth/me") || (method == Method::POST && path == "/auth/logout");
    always
        || match restriction {
            Restriction::PasswordChange => method == Method::POST && path == "/auth/password",
            Restriction::MfaEnrollment => {
                method == Method::POST && (path == "/auth/mfa/totp" || path == "/auth/mfa/totp/confirm")
            }
        }
}

/// The restriction that refuses this request, if any (a request any one allows is allowed).
pub fn blocking_restriction(restrictions: &[Restriction], method: &Method, path: &str) -> Option<Restriction> {
    let first = *restrictions.first()?;
    if restrictions.iter().any(|r| allowed_while(*r, method, path)) { None } else { Some(first) }
}

/// Middleware for protected routes: 401 envelope unless the credential is valid; then CSRF,
/// token and restriction checks (module docs).
pub async fn require_session(State(state): State<AppState>, mut req: Request, next: Next) -> Response {
    let Some((token, source)) = credential(req.headers()) else {
        return ApiError::unauthenticated().into_response();
    };
    let meta = req.extensions().get::<ClientMeta>().cloned().unwrap_or_default();
    let auth = match state.accounts.authenticate(&token, meta.request_meta()).await {
        Ok(a) => a,
        Err(e) => return ApiError::from(e).into_response(),
    };
    let path = api_path(&req);
    match &auth.credential {
        // An API token is a bearer credential only.
        Credential::ApiToken { .. } if source == Source::Cookie => return ApiError::unauthenticated().into_response(),
        Credential::ApiToken { .. } if path.starts_with("/auth/") && path != "/auth/me" => {
            return ApiError::from(AccessError::SessionRequired).into_response();
        }
        Credential::Session { csrf_hash, .. }
            if source == Source::Cookie && is_write(req.method()) && !csrf_ok(req.headers(), csrf_hash) =>
        {
            tracing::warn!(actor.account_id = %auth.actor.user_id, "CSRF token missing or wrong");
            return csrf_failed().into_response();
        }
        _ => {}
    }
    if let Some(r) = blocking_restriction(&auth.restrictions, req.method(), &path) {
        let e = match r {
            Restriction::PasswordChange => AccessError::PasswordChangeRequired,
            Restriction::MfaEnrollment => AccessError::MfaEnrollmentRequired,
        };
        return ApiError::from(e).into_response();
    }
    tracing::Span::current().record("actor.account_id", tracing::field::display(auth.actor.user_id));
    req.extensions_mut().insert(auth.actor.clone());
    req.extensions_mut().insert(auth);
    req.extensions_mut().insert(SessionToken(token));
    next.run(req).await
}

fn cookie_header(text: String, fallback: &'static str) -> HeaderValue {
    HeaderValue::from_str(&text).unwrap_or_else(|_| HeaderValue::from_static(fallback))
}

/// `Set-Cookie` for a new session. HttpOnly keeps it from scripts; SameSite=Lax keeps it off
/// cross-site subrequests and POSTs; Secure under HTTPS.
pub(crate) fn session_cookie(token: &str, max_age_secs: i64, secure: bool) -> HeaderValue {
    let secure = if secure { "; Secure" } else { "" };
    cookie_header(
        format!("{SESSION_COOKIE}={token}; HttpOnly; SameSite=Lax; Path=/; Max-Age={max_age_secs}{secure}"),
        "bole_session=; Max-Age=0; Path=/",
    )
}

/// `Set-Cookie` for the CSRF token: readable by the page (it must echo it), same lifetime.
pub(crate) fn csrf_cookie(token: &str, max_age_secs: i64, secure: bool) -> HeaderValue {
    let secure = if secure { "; Secure" } else { "" };
    cookie_header(
        format!("{CSRF_COOKIE}={token}; SameSite=Lax; Path=/; Max-Age={max_age_secs}{secure}"),
        "bole_csrf=; Max-Age=0; Path=/",
    )
}

/// The two `Set-Cookie` values that remove the session and CSRF cookies.
pub(crate) fn clear_cookies(secure: bool) -> [HeaderValue; 2] {
    [session_cookie("", 0, secure), csrf_cookie("", 0, secure)]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn token_from_bearer_or_cookie() {
        let mut h = HeaderMap::new();
        assert_eq!(session_token(&h), None);
        h.insert(header::COOKIE, "theme=dark; bole_session=abc ; bole_csrf=c".parse().unwrap());
        assert_eq!(credential(&h), Some(("abc".into(), Source::Cookie)));
        assert_eq!(cookie(&h, CSRF_COOKIE).as_deref(), Some("c"));
        h.insert(header::AUTHORIZATION, "Bearer xyz".parse().unwrap());
        assert_eq!(credential(&h), Some(("xyz".into(), Source::Bearer)), "an explicit bearer token wins");
        h.insert(header::AUTHORIZATION, "Basic Zm9vOmJhcg==".parse().unwrap());
        assert_eq!(session_token(&h).as_deref(), Some("abc"));
    }

    #[test]
    fn cookie_attributes() {
        let c = session_cookie("tok", 43200, false);
        assert_eq!(c.to_str().unwrap(), "bole_session=tok; HttpOnly; SameSite=Lax; Path=/; Max-Age=43200");
        assert!(session_cookie("tok", 1, true).to_str().unwrap().ends_with("; Secure"));
        let c = csrf_cookie("c", 60, true);
        assert_eq!(c.to_str().unwrap(), "bole_csrf=c; SameSite=Lax; Path=/; Max-Age=60; Secure");
        assert!(!c.to_str().unwrap().contains("HttpOnly"));
    }

    #[test]
    fn restrictions_allow_only_their_way_out() {
        let pw = [Restriction::PasswordChange];
        assert_eq!(blocking_restriction(&pw, &Method::POST, "/auth/password"), None);
        assert_eq!(blocking_restriction(&pw, &Method::GET, "/auth/me"), None);
        assert_eq!(blocking_restriction(&pw, &Method::POST, "/auth/logout"), None);
        assert_eq!(blocking_restriction(&pw, &Method::GET, "/employees"), Some(Restriction::PasswordChange));
        assert_eq!(blocking_restriction(&pw, &Method::POST, "/auth/mfa/totp"), Some(Restriction::PasswordChange));
        let mfa = [Restriction::MfaEnrollment];
        assert_eq!(blocking_restriction(&mfa, &Method::POST, "/auth/mfa/totp/confirm"), None);
        assert_eq!(blocking_restriction(&mfa, &Method::GET, "/auth/sessions"), Some(Restriction::MfaEnrollment));
        let both = [Restriction::PasswordChange, Restriction::MfaEnrollment];
        assert_eq!(blocking_restriction(&both, &Method::POST, "/auth/mfa/totp"), None);
        assert_eq!(blocking_restriction(&both, &Method::GET, "/org/units"), Some(Restriction::PasswordChange));
        assert_eq!(blocking_restriction(&[], &Method::GET, "/org/units"), None);
    }

    #[test]
    fn csrf_compares_hashes() {
        let mut h = HeaderMap::new();
        let hash = rules::token_hash("the-token");
        assert!(!csrf_ok(&h, &hash));
        h.insert(CSRF_HEADER, "wrong".parse().unwrap());
        assert!(!csrf_ok(&h, &hash));
        h.insert(CSRF_HEADER, "the-token".parse().unwrap());
        assert!(csrf_ok(&h, &hash));
        assert!(!csrf_ok(&h, ""), "a session without a CSRF hash accepts nothing");
    }
}
