//! Pure account rules: what a username and a password must look like, how a
//! password is hashed (argon2id) and checked, and how a session token is made
//! and reduced to the only form the database ever sees (`hex(SM3(token))`).

use argon2::password_hash::{PasswordHasher, PasswordVerifier, phc::PasswordHash};
use argon2::{Algorithm, Argon2, Params, Version};
use bole_core::{FieldErrors, Msg};
use rand::RngCore;
use sm3::{Digest, Sm3};
use std::sync::OnceLock;

/// Two, so short pinyin names (`li`, `wu`) and role logins (`hr`) fit.
pub const USERNAME_MIN: usize = 2;
pub const USERNAME_MAX: usize = 64;
pub const PASSWORD_MIN: usize = 10;
/// Argon2 hashes any length, but an unbounded input lets a client buy CPU time for free.
pub const PASSWORD_MAX: usize = 256;
/// Random bytes in a session token: 256 bits, far beyond guessing.
pub const TOKEN_BYTES: usize = 32;
/// Length of the base64url (no padding) text of [`TOKEN_BYTES`].
pub const TOKEN_LEN: usize = 43;

/// Usernames are compared case-insensitively (people type `Zhang.San` and `zhang.san`
/// for the same account), so they are stored and looked up in this form.
pub fn normalize_username(username: &str) -> String {
    username.trim().to_ascii_lowercase()
}

/// 2–64 ASCII letters, digits or `. _ - @` (so an e-mail address works as a username).
/// ASCII only: look-alike Unicode letters would let two accounts appear identical.
pub fn check_username(field: &str, username: &str, errs: &mut FieldErrors) {
    let n = username.chars().count();
    let ok = (USERNAME_MIN..=USERNAME_MAX).contains(&n)
        && username.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-' | '@'));
    if !ok {
        errs.add(
            field,
            Msg::new(
                "用户名须为2–64位字母、数字或 . _ - @ 字符",
                "username must be 2–64 letters, digits or . _ - @ characters",
            ),
        );
    }
}

/// At least [`PASSWORD_MIN`] characters from at least three of four classes: lower-case,
/// upper-case, digits, other characters (symbols, Chinese characters…). Issue 3 makes the
/// policy configurable; this is the floor until then.
pub fn check_password(field: &str, password: &str, errs: &mut FieldErrors) {
    let n = password.chars().count();
    if n > PASSWORD_MAX {
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
    if n < PASSWORD_MIN || classes.iter().filter(|c| **c).count() < 3 {
        errs.add(
            field,
            Msg::new(
                "密码至少10位，且须包含小写字母、大写字母、数字、符号中的至少三类",
                "password needs at least 10 characters from at least three of: lower-case, upper-case, digits, symbols",
            ),
        );
    }
}

/// The hasher for new passwords: argon2id with the crate's defaults (m=19 MiB, t=2, p=1).
/// Unit tests use tiny parameters; verification always reads the parameters stored in
/// the hash itself, so hashes made either way verify everywhere.
fn hasher() -> Argon2<'static> {
    if cfg!(test) {
        let cheap = Params::new(256, 1, 1, None).unwrap_or_default();
        Argon2::new(Algorithm::Argon2id, Version::V0x13, cheap)
    } else {
        Argon2::default()
    }
}

#[derive(Debug, thiserror::Error)]
#[error("password hashing failed: {0}")]
pub struct HashError(String);

/// Hash a password for storage as a PHC string (`$argon2id$v=19$…`), with a fresh random salt.
pub fn hash_password(password: &str) -> Result<String, HashError> {
    hasher().hash_password(password.as_bytes()).map(|h| h.to_string()).map_err(|e| HashError(e.to_string()))
}

/// True when `password` matches the stored PHC `hash`. A malformed hash never matches.
pub fn verify_password(password: &str, hash: &str) -> bool {
    match PasswordHash::new(hash) {
        Ok(parsed) => Argon2::default().verify_password(password.as_bytes(), &parsed).is_ok(),
        Err(_) => false,
    }
}

/// Spend the same work as a real verification and throw the result away. Login calls it
/// for an unknown username so response time does not reveal which usernames exist.
pub fn dummy_verify(password: &str) {
    static DUMMY: OnceLock<String> = OnceLock::new();
    let hash = DUMMY.get_or_init(|| {
        // Same parameters as real hashes, fixed salt: the value is never compared for real.
        hasher()
            .hash_password_with_salt(b"bole-dummy-password", b"bole-dummy-salt!")
            .map(|h| h.to_string())
            .unwrap_or_default()
    });
    let _ = verify_password(password, hash);
}

/// A new session token: 32 random bytes from a CSPRNG, base64url without padding.
/// This is the bearer secret; it is returned to the client once and never stored.
pub fn new_session_token() -> String {
    let mut bytes = [0u8; TOKEN_BYTES];
    rand::rng().fill_bytes(&mut bytes);
    base64url(&bytes)
}

/// True when `token` has the shape of a token we issue; anything else is refused
/// without a database round trip.
pub fn token_well_formed(token: &str) -> bool {
    token.len() == TOKEN_LEN && token.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

/// Prefix of a personal API token, so a leaked one is recognisable (secret scanners, logs).
pub const API_TOKEN_PREFIX: &str = "bole_pat_";

/// A new personal API token: `bole_pat_` followed by 256 random bits, base64url.
pub fn new_api_token() -> String {
    format!("{API_TOKEN_PREFIX}{}", new_session_token())
}

/// True when `token` has the shape of an API token we issue.
pub fn api_token_well_formed(token: &str) -> bool {
    token.strip_prefix(API_TOKEN_PREFIX).is_some_and(token_well_formed)
}

/// Alphabet of recovery codes: lower-case letters and digits without look-alikes (0/o, 1/l/i).
const RECOVERY_ALPHABET: &[u8; 31] = b"abcdefghjkmnpqrstuvwxyz23456789";

/// A one-time MFA recovery code, `xxxx-xxxx-xxxx`: 12 symbols of 31 ≈ 59 bits, enough that
/// the stored SM3 digests cannot be reversed by trying every code.
pub fn new_recovery_code() -> String {
    let s: String =
        (0..12).map(|_| char::from(RECOVERY_ALPHABET[rand::random_range(0..RECOVERY_ALPHABET.len())])).collect();
    format!("{}-{}-{}", &s[..4], &s[4..8], &s[8..])
}

/// A recovery code as typed (any case, spaces or dashes anywhere) reduced to its 12 symbols.
pub fn normalize_recovery_code(code: &str) -> String {
    code.chars().filter(|c| c.is_ascii_alphanumeric()).map(|c| c.to_ascii_lowercase()).collect()
}

/// What the database keeps for a recovery code: `hex(SM3(user id ‖ ':' ‖ code))`, so equal
/// codes of two users hash differently.
pub fn recovery_code_hash(user: bole_core::UserId, code: &str) -> String {
    token_hash(&format!("{user}:{}", normalize_recovery_code(code)))
}

/// What the audit trail records for a username that names no account: its SM3 digest.
/// The attempted name is personal data (often a mistyped real one), so it is not kept in clear.
pub fn username_digest(normalized_username: &str) -> String {
    token_hash(normalized_username)
}

/// What the database keeps for a token: lower-case hex of its SM3 digest (GB/T 32905).
/// A leaked sessions table therefore grants no access.
pub fn token_hash(token: &str) -> String {
    hex(&Sm3::digest(token.as_bytes()))
}

fn hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut s = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        s.push(char::from(DIGITS[usize::from(b >> 4)]));
        s.push(char::from(DIGITS[usize::from(b & 0x0f)]));
    }
    s
}

/// RFC 4648 §5 base64url without padding; small enough to keep a dependency out.
fn base64url(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let b = [chunk[0], chunk.get(1).copied().unwrap_or(0), chunk.get(2).copied().unwrap_or(0)];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        let sextets = [(n >> 18) & 63, (n >> 12) & 63, (n >> 6) & 63, n & 63];
        for s in sextets.iter().take(chunk.len() + 1) {
            out.push(char::from(ALPHABET[*s as usize]));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn username_ok(u: &str) -> bool {
        let mut e = FieldErrors::new();
        check_username("username", u, &mut e);
        e.is_empty()
    }

    fn password_ok(p: &str) -> bool {
        let mut e = FieldErrors::new();
        check_password("password", p, &mut e);
        e.is_empty()
    }

    #[test]
    fn usernames() {
        for ok in ["hr", "abc", "zhang.san", "hr_admin-01", "li.si@example.com", &"a".repeat(64)] {
            assert!(username_ok(ok), "{ok} should be accepted");
        }
        for bad in ["", "a", "张三", "zhang san", "a/b", "ｚｈａｎｇ", &"a".repeat(65)] {
            assert!(!username_ok(bad), "{bad} should be refused");
        }
        assert_eq!(normalize_username("  Zhang.San "), "zhang.san");
    }

    #[test]
    fn passwords_need_length_and_three_classes() {
        assert!(password_ok("Abcdefgh12"));
        assert!(password_ok("abcdefgh1!"));
        assert!(password_ok("ABCDEFGH1!"));
        assert!(password_ok("密码很长很长abc1"), "Chinese characters count as the 'other' class");
        assert!(!password_ok("Abcdefg12"), "9 characters is too short");
        assert!(!password_ok("abcdefghij12"), "two classes only");
        assert!(!password_ok("ABCDEFGHIJ!!"), "two classes only");
        assert!(!password_ok(&format!("Aa1!{}", "x".repeat(300))), "too long");
    }

    #[test]
    fn hash_then_verify() {
        let h = hash_password("Correct-Horse-9").unwrap();
        assert!(h.starts_with("$argon2id$v=19$"), "{h}");
        assert!(verify_password("Correct-Horse-9", &h));
        assert!(!verify_password("correct-horse-9", &h));
        assert!(!verify_password("Correct-Horse-9", "not a phc string"));
        let again = hash_password("Correct-Horse-9").unwrap();
        assert_ne!(h, again, "each hash has its own salt");
        dummy_verify("anything");
    }

    #[test]
    fn default_params_hash_verifies() {
        // What production stores: argon2id with the crate defaults.
        let h = Argon2::default().hash_password(b"Prod-Password-1").unwrap().to_string();
        assert!(h.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"), "{h}");
        assert!(verify_password("Prod-Password-1", &h));
    }

    #[test]
    fn tokens_are_random_base64url_and_stored_as_sm3_hex() {
        let a = new_session_token();
        let b = new_session_token();
        assert_ne!(a, b);
        assert_eq!(a.len(), TOKEN_LEN);
        assert!(token_well_formed(&a));
        assert!(!token_well_formed("short"));
        assert!(!token_well_formed(&format!("{}=", &a[..42])));
        let h = token_hash(&a);
        assert_eq!(h.len(), 64);
        assert!(h.bytes().all(|c| c.is_ascii_hexdigit() && !c.is_ascii_uppercase()));
        assert_ne!(h, token_hash(&b));
        // GB/T 32905-2016 example 1.
        assert_eq!(token_hash("abc"), "66c7f0f462eeedd9d1f2d46bdc10e4e24167c4875cf2f7a2297da02b8f4ba8e0");
    }

    #[test]
    fn api_tokens_and_recovery_codes() {
        let t = new_api_token();
        assert!(t.starts_with("bole_pat_") && api_token_well_formed(&t), "{t}");
        assert!(!token_well_formed(&t), "an API token is not a session token");
        assert!(!api_token_well_formed(&new_session_token()));
        let c = new_recovery_code();
        assert_eq!(c.len(), 14, "{c}");
        assert_eq!(normalize_recovery_code(&c.to_uppercase().replace('-', " ")), c.replace('-', ""));
        let u = bole_core::UserId::new();
        assert_eq!(recovery_code_hash(u, &c), recovery_code_hash(u, &c.to_uppercase()));
        assert_ne!(recovery_code_hash(u, &c), recovery_code_hash(bole_core::UserId::new(), &c));
        assert_eq!(username_digest("abc"), token_hash("abc"));
    }

    #[test]
    fn base64url_matches_rfc4648() {
        assert_eq!(base64url(b""), "");
        assert_eq!(base64url(b"f"), "Zg");
        assert_eq!(base64url(b"fo"), "Zm8");
        assert_eq!(base64url(b"foo"), "Zm9v");
        assert_eq!(base64url(b"foob"), "Zm9vYg");
        assert_eq!(base64url(&[0xfb, 0xff]), "-_8");
        assert_eq!(hex(&[0x00, 0xab, 0xff]), "00abff");
    }
}
