//! The account security policy: what a password must look like and how long it
//! lives, when repeated failures lock an account, and whether privileged roles
//! must use a second factor. Configured by `[security]` in the settings (bole-app);
//! the defaults follow 等保 level 3 practice.

use bole_core::{FieldErrors, Msg};
use chrono::TimeDelta;

/// `[security.password]`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PasswordPolicy {
    /// Fewest characters (Unicode scalar values) a password may have.
    pub min_length: usize,
    /// How many of the four classes (lower-case, upper-case, digits, other) must appear.
    pub required_classes: u8,
    /// A new password may not equal any of the last `history` passwords (the current one
    /// included); 0 checks only against the current password.
    pub history: u32,
    /// A password older than this many days must be changed at the next login; 0 = never.
    pub max_age_days: u32,
}

impl Default for PasswordPolicy {
    fn default() -> Self {
        Self { min_length: crate::rules::PASSWORD_MIN, required_classes: 3, history: 5, max_age_days: 90 }
    }
}

impl PasswordPolicy {
    /// Length and character classes. History is checked by the service (it needs the store).
    pub fn check(&self, field: &str, password: &str, errs: &mut FieldErrors) {
        let n = password.chars().count();
        if n > crate::rules::PASSWORD_MAX {
            errs.add(field, Msg::new("密码不能超过256个字符", "password must be at most 256 characters"));
            return;
        }
        let has = |f: fn(char) -> bool| password.chars().any(f);
        let classes = [
            has(char::is_lowercase),
            has(char::is_uppercase),
            has(|c| c.is_ascii_digit()),
            has(|c| !c.is_lowercase() && !c.is_uppercase() && !c.is_ascii_digit()),
        ];
        let held = classes.iter().filter(|c| **c).count();
        if n < self.min_length || held < usize::from(self.required_classes) {
            let (min, k) = (self.min_length, self.required_classes);
            errs.add(
                field,
                Msg::new(
                    format!("密码至少{min}位，且须包含小写字母、大写字母、数字、符号中的至少{k}类"),
                    format!(
                        "password needs at least {min} characters from at least {k} of: lower-case, upper-case, digits, symbols"
                    ),
                ),
            );
        }
    }

    /// How long a password lives, or None when it never expires.
    pub fn max_age(&self) -> Option<TimeDelta> {
        (self.max_age_days > 0).then(|| TimeDelta::days(i64::from(self.max_age_days)))
    }
}

/// `[security.lockout]`: `max_failures` wrong passwords within `window` lock the account
/// for `lock_for`. The lock ends by itself or by an administrator's unlock.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LockoutPolicy {
    pub max_failures: u32,
    pub window: TimeDelta,
    pub lock_for: TimeDelta,
}

impl Default for LockoutPolicy {
    fn default() -> Self {
        Self { max_failures: 5, window: TimeDelta::minutes(15), lock_for: TimeDelta::minutes(15) }
    }
}

/// Everything `AccountService` is configured with besides its store and clock.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SecurityPolicy {
    pub password: PasswordPolicy,
    pub lockout: LockoutPolicy,
    /// Holders of privileged roles ([`crate::policy::requires_mfa`]) without MFA get a
    /// session that can only enrol MFA (and read `/auth/me`).
    pub mfa_required_for_privileged: bool,
}

impl Default for SecurityPolicy {
    fn default() -> Self {
        Self {
            password: PasswordPolicy::default(),
            lockout: LockoutPolicy::default(),
            mfa_required_for_privileged: true,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ok(p: &PasswordPolicy, pw: &str) -> bool {
        let mut e = FieldErrors::new();
        p.check("password", pw, &mut e);
        e.is_empty()
    }

    #[test]
    fn configurable_length_and_classes() {
        let default = PasswordPolicy::default();
        assert!(ok(&default, "Abcdefgh12"));
        assert!(!ok(&default, "abcdefgh12"));
        let strict = PasswordPolicy { min_length: 14, required_classes: 4, ..PasswordPolicy::default() };
        assert!(!ok(&strict, "Abcdefgh12"), "too short and only three classes");
        assert!(!ok(&strict, "Abcdefghijkl12"), "three classes");
        assert!(ok(&strict, "Abcdefghijk12!"));
        let lax = PasswordPolicy { min_length: 8, required_classes: 1, ..PasswordPolicy::default() };
        assert!(ok(&lax, "abcdefgh"));
        let mut e = FieldErrors::new();
        strict.check("p", "x", &mut e);
        assert!(e.0["p"][0].en.contains("at least 14 characters from at least 4"));
    }

    #[test]
    fn max_age() {
        assert_eq!(PasswordPolicy::default().max_age(), Some(TimeDelta::days(90)));
        assert_eq!(PasswordPolicy { max_age_days: 0, ..PasswordPolicy::default() }.max_age(), None);
    }
}
