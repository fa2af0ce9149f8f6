//! Where a request comes from: the client address (the TCP peer, or the
//! forwarding header when the peer is a trusted proxy), the user agent, and
//! whether the client reached us over HTTPS. [`client_meta`] computes it once per
//! request; handlers read it with the [`Client`] extractor, the session check puts
//! it on the `Actor` for the audit trail, the rate limiter keys on the address.
//!
//! `X-Forwarded-For` and `X-Forwarded-Proto` are honoured only when the TCP peer is
//! listed in `[http] trusted_proxies`; otherwise any client could claim any address.
//! The client is the first hop counted from the right that is not itself a trusted
//! proxy — with one proxy that overwrites the header this is its first (only) hop, and
//! with a proxy that appends to a header the client sent, a forged left-most entry is
//! not believed.

use axum::extract::{ConnectInfo, FromRequestParts, Request, State};
use axum::http::HeaderMap;
use axum::http::request::Parts;
use axum::middleware::Next;
use axum::response::Response;
use bole_core::RequestMeta;
use std::convert::Infallible;
use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;

/// User agents are kept for the audit trail and the session list, cut to this many characters.
pub const USER_AGENT_MAX: usize = 200;

/// Requests per minute per client address on the sensitive endpoints; 0 turns a limit off.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RateLimits {
    /// `POST /auth/login`.
    pub login_per_minute: u32,
    /// `POST /auth/login/mfa` and `/auth/mfa/*`.
    pub mfa_per_minute: u32,
    /// `/auth/tokens*`.
    pub tokens_per_minute: u32,
}

impl Default for RateLimits {
    fn default() -> Self {
        Self { login_per_minute: 10, mfa_per_minute: 10, tokens_per_minute: 30 }
    }
}

impl RateLimits {
    /// No limits (in-process tests that log in many times from one "address").
    pub fn disabled() -> Self {
        Self { login_per_minute: 0, mfa_per_minute: 0, tokens_per_minute: 0 }
    }
}

/// Settings of the HTTP edge, from `[http]`, `[limits]` and `[security.rate_limit]`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HttpSettings {
    pub trusted_proxies: TrustedProxies,
    /// Bole terminates TLS itself (`[http.tls]`): every request is HTTPS.
    pub tls: bool,
    /// Mark cookies `Secure` even on plain HTTP (TLS ends at a proxy that does not send
    /// `X-Forwarded-Proto`).
    pub secure_cookies: bool,
    pub rate_limits: RateLimits,
    /// Largest JSON body.
    pub json_body_bytes: usize,
    /// Largest upload on routes that opt in with `limits::large_body`, and the hard cap for all.
    pub import_body_bytes: usize,
    /// Serve the web app from this directory instead of the embedded build (`[http] web_dir`).
    pub web_dir: Option<std::path::PathBuf>,
}

impl Default for HttpSettings {
    fn default() -> Self {
        Self {
            trusted_proxies: TrustedProxies::default(),
            tls: false,
            secure_cookies: false,
            rate_limits: RateLimits::default(),
            json_body_bytes: crate::limits::BODY_LIMIT,
            import_body_bytes: crate::limits::LARGE_BODY_LIMIT,
            web_dir: None,
        }
    }
}

/// Addresses and CIDR ranges (`10.0.0.0/8`, `::1`) of reverse proxies whose forwarding
/// headers are believed.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct TrustedProxies(Vec<(IpAddr, u8)>);

impl TrustedProxies {
    /// Parse each entry; the error names the first one that is not an address or CIDR range.
    pub fn parse<S: AsRef<str>>(entries: &[S]) -> Result<Self, String> {
        let mut nets = Vec::with_capacity(entries.len());
        for e in entries {
            let e = e.as_ref().trim();
            let (addr, prefix) = match e.split_once('/') {
                Some((a, p)) => (a, Some(p)),
                None => (e, None),
            };
            let ip: IpAddr = addr.parse().map_err(|_| e.to_string())?;
            let max = if ip.is_ipv4() { 32 } else { 128 };
            let prefix = match prefix {
                Some(p) => p.parse::<u8>().ok().filter(|p| *p <= max).ok_or_else(|| e.to_string())?,
                None => max,
            };
            nets.push((ip, prefix));
        }
        Ok(Self(nets))
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn contains(&self, ip: IpAddr) -> bool {
        let ip = canonical(ip);
        self.0.iter().any(|(net, prefix)| match (canonical(*net), ip) {
            (IpAddr::V4(n), IpAddr::V4(a)) => prefix_eq(&n.octets(), &a.octets(), *prefix),
            (IpAddr::V6(n), IpAddr::V6(a)) => prefix_eq(&n.octets(), &a.octets(), *prefix),
            _ => false,
        })
    }
}

/// IPv4-mapped IPv6 (`::ffff:10.0.0.1`, what a dual-stack socket reports) as IPv4.
fn canonical(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V6(v6) => v6.to_ipv4_mapped().map_or(ip, IpAddr::V4),
        v4 => v4,
    }
}

fn prefix_eq(a: &[u8], b: &[u8], prefix: u8) -> bool {
    let full = usize::from(prefix / 8);
    let rest = prefix % 8;
    if a[..full] != b[..full] {
        return false;
    }
    if rest == 0 {
        return true;
    }
    let mask = 0xffu8 << (8 - rest);
    (a[full] & mask) == (b[full] & mask)
}

/// Where a request came from, as far as Bole can tell.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ClientMeta {
    /// None only when the server was not given peer addresses (in-process tests).
    pub ip: Option<IpAddr>,
    pub user_agent: Option<String>,
    /// The client reached us over HTTPS (our TLS, or a trusted proxy's `X-Forwarded-Proto`).
    pub https: bool,
    /// Cookies get the `Secure` attribute.
    pub secure_cookies: bool,
}

impl ClientMeta {
    /// The form the domain records (audit trail, session list).
    pub fn request_meta(&self) -> RequestMeta {
        RequestMeta { ip: self.ip.map(|ip| canonical(ip).to_string()), user_agent: self.user_agent.clone() }
    }

    /// Work it out from the peer address and the headers.
    pub fn from_parts(peer: Option<IpAddr>, headers: &HeaderMap, settings: &HttpSettings) -> Self {
        let trusted_peer = peer.is_some_and(|p| settings.trusted_proxies.contains(p));
        let ip = match peer {
            Some(p) if trusted_peer => Some(forwarded_client(p, headers, &settings.trusted_proxies)),
            other => other,
        };
        let forwarded_https = trusted_peer
            && headers
                .get("x-forwarded-proto")
                .and_then(|v| v.to_str().ok())
                .is_some_and(|p| p.split(',').next().is_some_and(|p| p.trim().eq_ignore_ascii_case("https")));
        let https = settings.tls || forwarded_https;
        let user_agent = headers
            .get(axum::http::header::USER_AGENT)
            .and_then(|v| v.to_str().ok())
            .map(|ua| ua.chars().filter(|c| !c.is_control()).take(USER_AGENT_MAX).collect::<String>())
            .filter(|ua| !ua.is_empty());
        ClientMeta { ip, user_agent, https, secure_cookies: https || settings.secure_cookies }
    }
}

/// The client behind a trusted proxy: walk `X-Forwarded-For` from the right past trusted proxies.
fn forwarded_client(peer: IpAddr, headers: &HeaderMap, trusted: &TrustedProxies) -> IpAddr {
    let hops: Vec<&str> =
        headers.get_all("x-forwarded-for").iter().filter_map(|v| v.to_str().ok()).flat_map(|v| v.split(',')).collect();
    let mut client = peer;
    for hop in hops.iter().rev() {
        // An entry that is not an address ends the walk: what lies left of it is unverifiable.
        let Some(hop) = parse_hop(hop.trim()) else { break };
        client = hop;
        if !trusted.contains(hop) {
            break;
        }
    }
    client
}

/// `1.2.3.4`, `1.2.3.4:5678`, `::1` or `[::1]:5678`.
fn parse_hop(h: &str) -> Option<IpAddr> {
    if let Ok(ip) = h.parse() {
        return Some(ip);
    }
    if let Ok(sa) = h.parse::<SocketAddr>() {
        return Some(sa.ip());
    }
    None
}

/// Middleware: compute [`ClientMeta`] once and put it in the request extensions.
pub async fn client_meta(State(settings): State<Arc<HttpSettings>>, mut req: Request, next: Next) -> Response {
    let peer = req.extensions().get::<ConnectInfo<SocketAddr>>().map(|c| c.0.ip());
    let meta = ClientMeta::from_parts(peer, req.headers(), &settings);
    req.extensions_mut().insert(meta);
    next.run(req).await
}

/// The request's [`ClientMeta`] (empty when the middleware did not run).
#[derive(Clone, Debug, Default)]
pub struct Client(pub ClientMeta);

impl<S: Send + Sync> FromRequestParts<S> for Client {
    type Rejection = Infallible;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Infallible> {
        Ok(Client(parts.extensions.get::<ClientMeta>().cloned().unwrap_or_default()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    #[test]
    fn cidr_ranges() {
        let t = TrustedProxies::parse(&["10.0.0.0/8", "192.168.1.7", "fd00::/8"]).unwrap();
        assert!(t.contains(ip("10.1.2.3")));
        assert!(t.contains(ip("::ffff:10.1.2.3")), "IPv4-mapped addresses count as IPv4");
        assert!(!t.contains(ip("11.0.0.1")));
        assert!(t.contains(ip("192.168.1.7")));
        assert!(!t.contains(ip("192.168.1.8")));
        assert!(t.contains(ip("fd12::1")));
        assert!(!t.contains(ip("fe80::1")));
        let odd = TrustedProxies::parse(&["172.16.0.0/12"]).unwrap();
        assert!(odd.contains(ip("172.31.255.255")));
        assert!(!odd.contains(ip("172.32.0.0")));
        assert_eq!(TrustedProxies::parse(&["10.0.0.0/33"]), Err("10.0.0.0/33".into()));
        assert_eq!(TrustedProxies::parse(&["proxy.local"]), Err("proxy.local".into()));
    }

    #[test]
    fn forwarded_headers_only_from_trusted_proxies() {
        let mut h = HeaderMap::new();
        h.insert("x-forwarded-for", "203.0.113.9".parse().unwrap());
        h.insert("x-forwarded-proto", "https".parse().unwrap());
        h.insert("user-agent", format!("Mozilla/5.0 {}", "x".repeat(300)).parse().unwrap());
        let untrusted = HttpSettings::default();
        let m = ClientMeta::from_parts(Some(ip("10.0.0.5")), &h, &untrusted);
        assert_eq!(m.ip, Some(ip("10.0.0.5")), "a header from anyone is not believed");
        assert!(!m.https && !m.secure_cookies);
        assert_eq!(m.user_agent.as_ref().unwrap().chars().count(), USER_AGENT_MAX);

        let trusting = HttpSettings {
            trusted_proxies: TrustedProxies::parse(&["10.0.0.0/8"]).unwrap(),
            ..HttpSettings::default()
        };
        let m = ClientMeta::from_parts(Some(ip("10.0.0.5")), &h, &trusting);
        assert_eq!(m.ip, Some(ip("203.0.113.9")));
        assert!(m.https && m.secure_cookies);

        // A client-forged left-most entry behind an appending proxy is not believed.
        h.insert("x-forwarded-for", "1.1.1.1, 203.0.113.9".parse().unwrap());
        assert_eq!(ClientMeta::from_parts(Some(ip("10.0.0.5")), &h, &trusting).ip, Some(ip("203.0.113.9")));
        // Two proxies deep.
        h.insert("x-forwarded-for", "203.0.113.9, 10.0.0.4".parse().unwrap());
        assert_eq!(ClientMeta::from_parts(Some(ip("10.0.0.5")), &h, &trusting).ip, Some(ip("203.0.113.9")));
        // No header: the proxy itself.
        h.remove("x-forwarded-for");
        assert_eq!(ClientMeta::from_parts(Some(ip("10.0.0.5")), &h, &trusting).ip, Some(ip("10.0.0.5")));

        let tls = HttpSettings { tls: true, ..HttpSettings::default() };
        assert!(ClientMeta::from_parts(None, &HeaderMap::new(), &tls).https);
        let forced = HttpSettings { secure_cookies: true, ..HttpSettings::default() };
        let m = ClientMeta::from_parts(None, &HeaderMap::new(), &forced);
        assert!(!m.https && m.secure_cookies);
    }
}
