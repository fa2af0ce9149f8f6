//! TOTP (RFC 6238) for the second factor: secrets, the `otpauth://` enrolment URI,
//! code checks by time step, and how a secret is kept at rest.
//!
//! Codes are the common authenticator-app profile: HMAC-SHA1, 6 digits, 30-second
//! steps, one step of clock skew either way. A code is accepted only for a step later
//! than the last one accepted (the store keeps it), so a code seen over a shoulder or
//! replayed within its window is refused.
//!
//! At rest the secret is sealed by the store (SM4-GCM under the data keyring, bound to
//! `users.mfa_secret:<user id>`, re-sealed by key rotation): see the `AccountStore` port.

use crate::error::AccessError;
use totp_rs::{Algorithm, Builder, Secret, Totp};

/// The issuer shown in authenticator apps.
pub const ISSUER: &str = "Bole 伯乐";
/// Secret length: 160 bits, as RFC 4226 recommends.
pub const SECRET_BYTES: usize = 20;
/// Seconds per TOTP step.
pub const STEP_SECONDS: u64 = 30;

/// A fresh random TOTP secret.
pub fn new_secret() -> Vec<u8> {
    let mut s = vec![0u8; SECRET_BYTES];
    rand::RngCore::fill_bytes(&mut rand::rng(), &mut s);
    s
}

fn totp(secret: &[u8], account: &str) -> Result<Totp, AccessError> {
    Builder::new()
        .with_algorithm(Algorithm::SHA1)
        .with_digits(6)
        .with_skew(1)
        .with_step_duration(STEP_SECONDS)
        .with_secret(secret.to_vec())
        .with_account_name(account)
        .with_issuer(Some(ISSUER))
        .build()
        .map_err(|e| AccessError::Storage(format!("TOTP setup failed: {e}")))
}

/// The secret in base32 (RFC 4648, no padding), for manual entry in an authenticator app.
pub fn secret_base32(secret: &[u8]) -> String {
    Secret::from(secret.to_vec()).to_base32()
}

/// `otpauth://totp/Bole%20%E4%BC%AF%E4%B9%90:<account>?secret=…&issuer=…`, the text of the QR code.
pub fn otpauth_uri(secret: &[u8], account: &str) -> Result<String, AccessError> {
    totp(secret, account)?.to_url().map_err(|e| AccessError::Storage(format!("otpauth URI failed: {e}")))
}

/// The time step `code` is valid for at `unix_seconds` (±1 step), or None.
pub fn check_code(secret: &[u8], code: &str, unix_seconds: u64) -> Option<u64> {
    let code: String = code.chars().filter(|c| !c.is_whitespace()).collect();
    if code.len() != 6 || !code.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    totp(secret, "x").ok()?.check(&code, unix_seconds)
}

/// The code for `unix_seconds` (tests and the CLI use it; the server only checks).
pub fn code_at(secret: &[u8], unix_seconds: u64) -> Option<String> {
    Some(totp(secret, "x").ok()?.generate(unix_seconds).to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc6238_sha1_vectors() {
        // RFC 6238 appendix B (8-digit values; the 6-digit code is their last six digits).
        let secret = b"12345678901234567890";
        for (t, code) in
            [(59u64, "287082"), (1_111_111_109, "081804"), (1_234_567_890, "005924"), (2_000_000_000, "279037")]
        {
            assert_eq!(code_at(secret, t).as_deref(), Some(code), "t={t}");
            assert_eq!(check_code(secret, code, t), Some(t / STEP_SECONDS));
        }
    }

    #[test]
    fn skew_is_one_step_and_junk_is_refused() {
        let s = new_secret();
        let t = 1_700_000_000;
        let code = code_at(&s, t).unwrap();
        assert_eq!(check_code(&s, &code, t + 30), Some(t / 30));
        assert_eq!(check_code(&s, &code, t + 60), None);
        assert_eq!(check_code(&s, "12345", t), None);
        assert_eq!(check_code(&s, "abcdef", t), None);
        assert_eq!(check_code(&s, &format!("{} {}", &code[..3], &code[3..]), t), Some(t / 30));
    }

    #[test]
    fn uri_names_the_issuer_and_account() {
        let s = new_secret();
        let uri = otpauth_uri(&s, "zhang.san").unwrap();
        assert!(uri.starts_with("otpauth://totp/Bole%20%E4%BC%AF%E4%B9%90:zhang.san?"), "{uri}");
        assert!(uri.contains(&format!("secret={}", secret_base32(&s))), "{uri}");
        assert!(uri.contains("issuer=Bole%20%E4%BC%AF%E4%B9%90"), "{uri}");
    }
}
