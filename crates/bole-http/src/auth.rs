//! Authentication at the edge: finds the session token (cookie `bole_session`
//! or `Authorization: Bearer`), asks `AccountService::authenticate` for the
//! actor, and makes it available to handlers through [`Authenticated`].
//!
//! [`require_session`] guards every `/api/v1` route except login, so a handler
//! cannot be forgotten open. Authorisation is not decided here: services call
//! `actor.authorize(..)`.

use crate::error::ApiError;
use crate::state::AppState;
use axum::extract::{FromRequestParts, Request, State};
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use bole_core::Actor;

/// Name of the session cookie.
pub const SESSION_COOKIE: &str = "bole_session";

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

/// The bearer token from `Authorization`, else the `bole_session` cookie.
pub fn session_token(headers: &HeaderMap) -> Option<String> {
    let bearer = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split_once(' '))
        .filter(|(scheme, _)| scheme.eq_ignore_ascii_case("bearer"))
        .map(|(_, token)| token.trim().to_string());
    bearer.or_else(|| {
        headers
            .get_all(header::COOKIE)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .flat_map(|v| v.split(';'))
            .filter_map(|pair| pair.trim().split_once('='))
            .find(|(name, _)| *name == SESSION_COOKIE)
            .map(|(_, value)| value.trim().to_string())
    })
}

/// Middleware for protected routes: 401 envelope unless the session is valid.
pub async fn require_session(State(state): State<AppState>, mut req: Request, next: Next) -> Response {
    let Some(token) = session_token(req.headers()) else {
        return ApiError::unauthenticated().into_response();
    };
    match state.accounts.authenticate(&token).await {
        Ok(actor) => {
            tracing::Span::current().record("actor.account_id", tracing::field::display(actor.user_id));
            req.extensions_mut().insert(actor);
            req.extensions_mut().insert(SessionToken(token));
            next.run(req).await
        }
        Err(e) => ApiError::from(e).into_response(),
    }
}

/// True when the client reached us over HTTPS (directly or through a proxy that says so).
/// TODO(issue 3): with Bole's own TLS listener, also trust the connection itself, and only
/// honour `X-Forwarded-Proto` from configured proxies.
fn over_tls(headers: &HeaderMap) -> bool {
    headers
        .get("x-forwarded-proto")
        .and_then(|v| v.to_str().ok())
        .is_some_and(|p| p.trim().eq_ignore_ascii_case("https"))
}

/// `Set-Cookie` for a new session. HttpOnly keeps it from scripts; SameSite=Lax keeps it
/// off cross-site POSTs (with the JSON-only bodies, the CSRF defence until issue 3's token).
pub(crate) fn session_cookie(token: &str, max_age_secs: i64, headers: &HeaderMap) -> HeaderValue {
    let secure = if over_tls(headers) { "; Secure" } else { "" };
    let value = format!("{SESSION_COOKIE}={token}; HttpOnly; SameSite=Lax; Path=/; Max-Age={max_age_secs}{secure}");
    HeaderValue::from_str(&value).unwrap_or_else(|_| HeaderValue::from_static("bole_session=; Max-Age=0; Path=/"))
}

/// `Set-Cookie` that removes the session cookie.
pub(crate) fn clear_cookie(headers: &HeaderMap) -> HeaderValue {
    session_cookie("", 0, headers)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn token_from_bearer_or_cookie() {
        let mut h = HeaderMap::new();
        assert_eq!(session_token(&h), None);
        h.insert(header::COOKIE, "theme=dark; bole_session=abc ; x=y".parse().unwrap());
        assert_eq!(session_token(&h).as_deref(), Some("abc"));
        h.insert(header::AUTHORIZATION, "Bearer xyz".parse().unwrap());
        assert_eq!(session_token(&h).as_deref(), Some("xyz"), "an explicit bearer token wins");
        h.insert(header::AUTHORIZATION, "Basic Zm9vOmJhcg==".parse().unwrap());
        assert_eq!(session_token(&h).as_deref(), Some("abc"));
    }

    #[test]
    fn cookie_attributes() {
        let mut h = HeaderMap::new();
        let c = session_cookie("tok", 43200, &h);
        assert_eq!(c.to_str().unwrap(), "bole_session=tok; HttpOnly; SameSite=Lax; Path=/; Max-Age=43200");
        h.insert("x-forwarded-proto", "https".parse().unwrap());
        assert!(session_cookie("tok", 1, &h).to_str().unwrap().ends_with("; Secure"));
    }
}
