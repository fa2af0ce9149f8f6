//! Per-client-address rate limits on the endpoints that guess at secrets: login,
//! the MFA step and enrolment, and API tokens. A small in-process GCRA (the
//! "leaky bucket as a meter"): `N` per minute allows a burst of `N` and then one
//! request every `60/N` seconds. The (N+1)th quick request answers 429
//! `rate_limited` with `Retry-After`.
//!
//! In-process means per server: behind a load balancer with several Bole
//! processes the effective limit is multiplied by their number; the account
//! lockout (bole-access) still bounds password guessing per account.

use crate::edge::{ClientMeta, RateLimits};
use crate::error::ApiError;
use axum::extract::{OriginalUri, Request, State};
use axum::http::{HeaderValue, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use bole_core::Msg;
use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// Which limit a request counts against.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Bucket {
    Login,
    Mfa,
    Tokens,
}

impl Bucket {
    /// The bucket of an `/api/v1` request, or None for everything not limited.
    pub fn of(method: &Method, path: &str) -> Option<Bucket> {
        let rest = path.strip_prefix("/api/v1")?;
        match rest {
            "/auth/login" if method == Method::POST => Some(Bucket::Login),
            "/auth/login/mfa" => Some(Bucket::Mfa),
            r if r.starts_with("/auth/mfa") => Some(Bucket::Mfa),
            r if r == "/auth/tokens" || r.starts_with("/auth/tokens/") => Some(Bucket::Tokens),
            _ => None,
        }
    }
}

/// Entries kept before idle ones are swept.
const SWEEP_ABOVE: usize = 10_000;

/// The limiter: one theoretical arrival time per (bucket, client address).
#[derive(Debug)]
pub struct RateLimiter {
    limits: RateLimits,
    state: Mutex<HashMap<(Bucket, Option<IpAddr>), Instant>>,
}

impl RateLimiter {
    pub fn new(limits: RateLimits) -> Self {
        Self { limits, state: Mutex::new(HashMap::new()) }
    }

    fn per_minute(&self, bucket: Bucket) -> u32 {
        match bucket {
            Bucket::Login => self.limits.login_per_minute,
            Bucket::Mfa => self.limits.mfa_per_minute,
            Bucket::Tokens => self.limits.tokens_per_minute,
        }
    }

    /// Count a request at `now`: Ok, or Err with how long to wait.
    pub fn check(&self, bucket: Bucket, client: Option<IpAddr>, now: Instant) -> Result<(), Duration> {
        let n = self.per_minute(bucket);
        if n == 0 {
            return Ok(());
        }
        let interval = Duration::from_secs(60) / n;
        let tolerance = interval * (n - 1);
        // A poisoned lock only means another request panicked mid-update; the map is still usable.
        let mut state = self.state.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        if state.len() > SWEEP_ABOVE {
            state.retain(|_, tat| *tat > now);
        }
        let tat = state.get(&(bucket, client)).copied().filter(|t| *t > now).unwrap_or(now);
        let allowed_from = tat.checked_sub(tolerance).unwrap_or(now);
        if now < allowed_from {
            return Err(allowed_from - now);
        }
        state.insert((bucket, client), tat + interval);
        Ok(())
    }
}

/// Middleware: 429 `rate_limited` with `Retry-After` (whole seconds, at least 1) when over a limit.
pub async fn rate_limit(State(limiter): State<Arc<RateLimiter>>, req: Request, next: Next) -> Response {
    let path =
        req.extensions().get::<OriginalUri>().map_or_else(|| req.uri().path().to_string(), |u| u.path().to_string());
    if let Some(bucket) = Bucket::of(req.method(), &path) {
        let client = req.extensions().get::<ClientMeta>().and_then(|m| m.ip);
        if let Err(wait) = limiter.check(bucket, client, Instant::now()) {
            let secs = wait.as_secs() + u64::from(wait.subsec_nanos() > 0);
            tracing::warn!(rate_limit.bucket = ?bucket, "rate limit exceeded");
            let mut res = ApiError::new(
                StatusCode::TOO_MANY_REQUESTS,
                "rate_limited",
                Msg::new(
                    format!("请求过于频繁，请 {} 秒后再试", secs.max(1)),
                    format!("Too many attempts; try again in {} seconds.", secs.max(1)),
                ),
            )
            .into_response();
            if let Ok(v) = HeaderValue::from_str(&secs.max(1).to_string()) {
                res.headers_mut().insert(header::RETRY_AFTER, v);
            }
            return res;
        }
    }
    next.run(req).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn burst_then_one_per_interval() {
        let l = RateLimiter::new(RateLimits { login_per_minute: 6, ..RateLimits::disabled() });
        let t0 = Instant::now();
        let a: Option<IpAddr> = Some("203.0.113.1".parse().unwrap());
        for _ in 0..6 {
            assert!(l.check(Bucket::Login, a, t0).is_ok());
        }
        let wait = l.check(Bucket::Login, a, t0).unwrap_err();
        assert_eq!(wait, Duration::from_secs(10));
        assert!(l.check(Bucket::Login, Some("203.0.113.2".parse().unwrap()), t0).is_ok(), "per address");
        assert!(l.check(Bucket::Mfa, a, t0).is_ok(), "per bucket; MFA unlimited here");
        assert!(l.check(Bucket::Login, a, t0 + Duration::from_secs(10)).is_ok());
        assert!(l.check(Bucket::Login, a, t0 + Duration::from_secs(10)).is_err());
    }

    #[test]
    fn buckets_by_path() {
        assert_eq!(Bucket::of(&Method::POST, "/api/v1/auth/login"), Some(Bucket::Login));
        assert_eq!(Bucket::of(&Method::GET, "/api/v1/auth/login"), None);
        assert_eq!(Bucket::of(&Method::POST, "/api/v1/auth/login/mfa"), Some(Bucket::Mfa));
        assert_eq!(Bucket::of(&Method::POST, "/api/v1/auth/mfa/totp/confirm"), Some(Bucket::Mfa));
        assert_eq!(Bucket::of(&Method::DELETE, "/api/v1/auth/tokens/0193"), Some(Bucket::Tokens));
        assert_eq!(Bucket::of(&Method::GET, "/api/v1/auth/tokensx"), None);
        assert_eq!(Bucket::of(&Method::GET, "/api/v1/employees"), None);
    }
}
