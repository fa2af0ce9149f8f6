//! The `[security]` and `[http]` settings: password policy, lockout, MFA
//! requirement, rate limits, trusted proxies, secure cookies and optional TLS.
//! Kept apart from `settings.rs` so that file only lists them; this module owns
//! their defaults, checks, sample text and conversion into the policies the
//! services and the HTTP edge take.

use bole_access::{LockoutPolicy, PasswordPolicy, SecurityPolicy};
use bole_http::{HttpSettings, RateLimits, TrustedProxies};
use chrono::TimeDelta;
use serde::{Deserialize, Serialize};
use std::path::PathBuf;

pub const DEFAULT_PASSWORD_MIN_LENGTH: u32 = 10;
pub const DEFAULT_PASSWORD_REQUIRED_CLASSES: u8 = 3;
pub const DEFAULT_PASSWORD_HISTORY: u32 = 5;
pub const DEFAULT_PASSWORD_MAX_AGE_DAYS: u32 = 90;
pub const DEFAULT_LOCKOUT_MAX_FAILURES: u32 = 5;
pub const DEFAULT_LOCKOUT_WINDOW_MINUTES: u32 = 15;
pub const DEFAULT_LOCKOUT_LOCK_MINUTES: u32 = 15;
pub const DEFAULT_LOGIN_PER_MINUTE: u32 = 10;
pub const DEFAULT_MFA_PER_MINUTE: u32 = 10;
pub const DEFAULT_TOKENS_PER_MINUTE: u32 = 30;

/// `[security]`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct SecuritySettings {
    /// Privileged roles (HR administrator, payroll, the three administrators) must enrol TOTP
    /// before their session can do anything else.
    pub mfa_required_for_privileged: bool,
    pub password: PasswordSettings,
    pub lockout: LockoutSettings,
    pub rate_limit: RateLimitSettings,
}

impl Default for SecuritySettings {
    fn default() -> Self {
        Self {
            mfa_required_for_privileged: true,
            password: PasswordSettings::default(),
            lockout: LockoutSettings::default(),
            rate_limit: RateLimitSettings::default(),
        }
    }
}

/// `[security.password]`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct PasswordSettings {
    pub min_length: u32,
    pub required_classes: u8,
    pub history: u32,
    pub max_age_days: u32,
}

impl Default for PasswordSettings {
    fn default() -> Self {
        Self {
            min_length: DEFAULT_PASSWORD_MIN_LENGTH,
            required_classes: DEFAULT_PASSWORD_REQUIRED_CLASSES,
            history: DEFAULT_PASSWORD_HISTORY,
            max_age_days: DEFAULT_PASSWORD_MAX_AGE_DAYS,
        }
    }
}

/// `[security.lockout]`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct LockoutSettings {
    pub max_failures: u32,
    pub window_minutes: u32,
    pub lock_minutes: u32,
}

impl Default for LockoutSettings {
    fn default() -> Self {
        Self {
            max_failures: DEFAULT_LOCKOUT_MAX_FAILURES,
            window_minutes: DEFAULT_LOCKOUT_WINDOW_MINUTES,
            lock_minutes: DEFAULT_LOCKOUT_LOCK_MINUTES,
        }
    }
}

/// `[security.rate_limit]`: requests per minute per client address; 0 turns one off.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct RateLimitSettings {
    pub login_per_minute: u32,
    pub mfa_per_minute: u32,
    pub tokens_per_minute: u32,
}

impl Default for RateLimitSettings {
    fn default() -> Self {
        Self {
            login_per_minute: DEFAULT_LOGIN_PER_MINUTE,
            mfa_per_minute: DEFAULT_MFA_PER_MINUTE,
            tokens_per_minute: DEFAULT_TOKENS_PER_MINUTE,
        }
    }
}

/// `[http]`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct HttpConfig {
    /// Reverse proxies (addresses or CIDR ranges) whose `X-Forwarded-For` / `X-Forwarded-Proto`
    /// are believed.
    pub trusted_proxies: Vec<String>,
    /// Mark cookies `Secure` even on plain HTTP (TLS ends at a proxy).
    pub secure_cookies: bool,
    /// Serve HTTPS from these PEM files instead of plain HTTP.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tls: Option<TlsSettings>,
    /// Serve the web app from this directory instead of the one built into the binary.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub web_dir: Option<PathBuf>,
}

/// `[http.tls]`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TlsSettings {
    /// The certificate chain, PEM.
    pub cert_file: PathBuf,
    /// The private key (PKCS#8, PKCS#1 or SEC1), PEM.
    pub key_file: PathBuf,
}

impl SecuritySettings {
    /// The policy `AccountService` enforces.
    pub fn policy(&self) -> SecurityPolicy {
        SecurityPolicy {
            password: PasswordPolicy {
                min_length: usize::try_from(self.password.min_length).unwrap_or(usize::MAX),
                required_classes: self.password.required_classes,
                history: self.password.history,
                max_age_days: self.password.max_age_days,
            },
            lockout: LockoutPolicy {
                max_failures: self.lockout.max_failures,
                window: TimeDelta::minutes(i64::from(self.lockout.window_minutes)),
                lock_for: TimeDelta::minutes(i64::from(self.lockout.lock_minutes)),
            },
            mfa_required_for_privileged: self.mfa_required_for_privileged,
        }
    }

    /// Problems serde cannot see, in both languages.
    pub fn check(&self, zh: &mut Vec<String>, en: &mut Vec<String>) {
        let p = &self.password;
        if !(8..=128).contains(&p.min_length) {
            zh.push(format!("密码最短长度 security.password.min_length = {} 须在 8 到 128 之间", p.min_length));
            en.push(format!("security.password.min_length = {} is outside 8..=128", p.min_length));
        }
        if !(1..=4).contains(&p.required_classes) {
            zh.push(format!("security.password.required_classes = {} 须在 1 到 4 之间", p.required_classes));
            en.push(format!("security.password.required_classes = {} is outside 1..=4", p.required_classes));
        }
        if p.history > 24 {
            zh.push(format!("security.password.history = {} 不能超过 24", p.history));
            en.push(format!("security.password.history = {} exceeds 24", p.history));
        }
        let l = &self.lockout;
        if l.max_failures > 0 && (l.window_minutes == 0 || l.lock_minutes == 0) {
            zh.push("启用锁定时 security.lockout.window_minutes 与 lock_minutes 必须大于 0".into());
            en.push(
                "security.lockout.window_minutes and lock_minutes must be greater than 0 when lockout is on".into(),
            );
        }
    }
}

impl HttpConfig {
    /// Problems serde cannot see, in both languages.
    pub fn check(&self, zh: &mut Vec<String>, en: &mut Vec<String>) {
        if let Err(bad) = TrustedProxies::parse(&self.trusted_proxies) {
            zh.push(format!("http.trusted_proxies 中的“{bad}”不是 IP 地址或 CIDR 网段"));
            en.push(format!("http.trusted_proxies: `{bad}` is not an IP address or CIDR range"));
        }
        if let Some(tls) = &self.tls {
            for (key, path) in [("cert_file", &tls.cert_file), ("key_file", &tls.key_file)] {
                if path.as_os_str().is_empty() {
                    zh.push(format!("http.tls.{key} 不能为空"));
                    en.push(format!("http.tls.{key} must not be empty"));
                }
            }
        }
    }

    /// The edge settings the router takes.
    pub fn edge(&self, security: &SecuritySettings, json_body_bytes: u64, import_body_bytes: u64) -> HttpSettings {
        let r = &security.rate_limit;
        HttpSettings {
            trusted_proxies: TrustedProxies::parse(&self.trusted_proxies).unwrap_or_default(),
            tls: self.tls.is_some(),
            secure_cookies: self.secure_cookies,
            rate_limits: RateLimits {
                login_per_minute: r.login_per_minute,
                mfa_per_minute: r.mfa_per_minute,
                tokens_per_minute: r.tokens_per_minute,
            },
            json_body_bytes: usize::try_from(json_body_bytes).unwrap_or(usize::MAX),
            import_body_bytes: usize::try_from(import_body_bytes).unwrap_or(usize::MAX),
            web_dir: self.web_dir.clone(),
        }
    }
}

/// The `[security]` and `[http]` part of `bole config default`.
pub fn sample() -> String {
    format!(
        r#"
[security]
# 持有特权角色（HR 管理员、薪酬专员、系统管理员、安全保密管理员、安全审计员）的账号必须先绑定
# 验证器（TOTP 双因素认证），否则登录后只能进行绑定。
# Accounts holding a privileged role (HR administrator, payroll specialist, the three administrators)
# must enrol an authenticator (TOTP) before their session can do anything else.
mfa_required_for_privileged = true

[security.password]
# 密码最短长度（8–128）。 Shortest password (8–128).
min_length = {DEFAULT_PASSWORD_MIN_LENGTH}
# 须包含的字符类别数（小写、大写、数字、其他，1–4）。 Character classes required (lower, upper, digit, other; 1–4).
required_classes = {DEFAULT_PASSWORD_REQUIRED_CLASSES}
# 新密码不能与最近几次的密码相同（含当前密码，0–24）。 The new password must differ from this many recent ones (0–24).
history = {DEFAULT_PASSWORD_HISTORY}
# 密码有效期（天），到期后下次登录须先修改；0 = 不过期。 Days a password lives; then it must be changed at login (0 = never).
max_age_days = {DEFAULT_PASSWORD_MAX_AGE_DAYS}

[security.lockout]
# 在 window_minutes 分钟内连续输错 max_failures 次后锁定 lock_minutes 分钟（到期自动解锁，管理员也可解锁）；
# 锁定期间登录的回答与密码错误完全相同。max_failures = 0 关闭锁定。
# max_failures wrong passwords within window_minutes lock the account for lock_minutes (it unlocks by itself, or an
# administrator unlocks it); while locked, login answers exactly as for a wrong password. max_failures = 0: no lockout.
max_failures = {DEFAULT_LOCKOUT_MAX_FAILURES}
window_minutes = {DEFAULT_LOCKOUT_WINDOW_MINUTES}
lock_minutes = {DEFAULT_LOCKOUT_LOCK_MINUTES}

[security.rate_limit]
# 每个客户端地址每分钟的请求上限（登录、双因素验证、API 令牌接口）；0 = 不限制。超出时返回 429。
# Requests per minute per client address on login, MFA and API-token endpoints; 0 = unlimited. Over it: 429.
login_per_minute = {DEFAULT_LOGIN_PER_MINUTE}
mfa_per_minute = {DEFAULT_MFA_PER_MINUTE}
tokens_per_minute = {DEFAULT_TOKENS_PER_MINUTE}

[http]
# 可信反向代理（IP 或 CIDR）。只有来自它们的 X-Forwarded-For / X-Forwarded-Proto 才被采信。
# Trusted reverse proxies (IPs or CIDR ranges): only their X-Forwarded-For / X-Forwarded-Proto are believed.
trusted_proxies = []
# 即使以 HTTP 提供服务也给 Cookie 加 Secure（TLS 由不发送 X-Forwarded-Proto 的代理终结时）。
# Mark cookies Secure even over plain HTTP (TLS ends at a proxy that sends no X-Forwarded-Proto).
secure_cookies = false
# 从此目录提供网页应用，而不是程序内置的版本（前端开发、定制构建时使用）。
# Serve the web app from this directory instead of the copy built into the binary (front-end work, custom builds).
# web_dir = "/opt/bole/web/dist"

# 由 Bole 直接提供 HTTPS（rustls）：证书链与私钥，PEM 格式。启用后 Cookie 带 Secure 并发送 HSTS。
# Serve HTTPS directly (rustls) from a PEM certificate chain and private key; cookies become Secure and HSTS is sent.
# [http.tls]
# cert_file = "/etc/bole/tls/cert.pem"
# key_file = "/etc/bole/tls/key.pem"
"#
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_make_the_documented_policy() {
        let p = SecuritySettings::default().policy();
        assert_eq!(p, SecurityPolicy::default());
        let edge = HttpConfig::default().edge(&SecuritySettings::default(), 1 << 20, 32 << 20);
        assert_eq!(edge, HttpSettings::default());
    }

    #[test]
    #[expect(clippy::result_large_err, reason = "figment::Jail fixes the closure's error type to figment::Error")]
    fn loaded_from_file_and_environment() {
        use crate::settings::{Overrides, Settings};
        figment::Jail::expect_with(|jail| {
            jail.clear_env();
            jail.create_file(
                "site.toml",
                "[security]\nmfa_required_for_privileged = false\n[security.lockout]\nmax_failures = 3\n\
                 [http]\ntrusted_proxies = [\"10.0.0.0/8\"]\n[http.tls]\ncert_file = \"c.pem\"\nkey_file = \"k.pem\"\n",
            )?;
            jail.set_env("BOLE_SECURITY__PASSWORD__MIN_LENGTH", "14");
            jail.set_env("BOLE_SECURITY__RATE_LIMIT__LOGIN_PER_MINUTE", "0");
            let flags = Overrides { config_file: Some("site.toml".into()), ..Overrides::default() };
            let s = Settings::load(&flags).unwrap();
            let p = s.security.policy();
            assert!(!p.mfa_required_for_privileged);
            assert_eq!((p.password.min_length, p.lockout.max_failures), (14, 3));
            let edge = s.http.edge(&s.security, s.limits.json_body_bytes, s.limits.import_body_bytes);
            assert!(edge.tls && edge.trusted_proxies.contains("10.1.1.1".parse().unwrap()));
            assert_eq!(edge.rate_limits.login_per_minute, 0);

            jail.set_env("BOLE_SECURITY__PASSWORD__REQUIRED_CLASSES", "9");
            let err = Settings::load(&flags).unwrap_err();
            assert!(err.msg.en.contains("required_classes"), "{}", err.msg.en);
            Ok(())
        });
    }

    #[test]
    fn checks() {
        let (mut zh, mut en) = (Vec::new(), Vec::new());
        let mut s = SecuritySettings::default();
        s.password.min_length = 4;
        s.password.required_classes = 5;
        s.check(&mut zh, &mut en);
        let h = HttpConfig { trusted_proxies: vec!["10.0.0.0/8".into(), "proxy".into()], ..HttpConfig::default() };
        h.check(&mut zh, &mut en);
        assert_eq!(en.len(), 3, "{en:?}");
        assert!(en[2].contains("`proxy`"), "{en:?}");
    }
}
