//! 国密 cryptography for data at rest: SM3 digests and HMAC-SM3, SM4-GCM
//! authenticated encryption, envelope keys (a master key wrapping data keys),
//! self-describing sealed values bound to their row and column, blind indexes
//! for exact-match lookup, and SM2 signatures.
//!
//! This crate does no IO except reading (and, once, creating) the master key file.
//! Every primitive is a RustCrypto crate pinned to an exact version (see
//! docs/DEPENDENCIES.md); this crate only composes them and states the formats.
//!
//! Formats (all integers big-endian):
//! - sealed value: `0x01 ‖ key_id:u32 ‖ nonce:12 ‖ SM4-GCM(ciphertext ‖ tag:16)` — see [`keyring`];
//! - wrapped key: `0x01 ‖ nonce:12 ‖ SM4-GCM(key ‖ tag:16)` — see [`keys`];
//! - blind index: 32 bytes of HMAC-SM3 — see [`BlindField`].

pub mod aead;
pub mod hash;
pub mod keyring;
pub mod keys;
pub mod sign;

pub use aead::{Sm4Gcm, sm4_gcm_open, sm4_gcm_seal};
pub use hash::{hmac_sm3, sm3_digest};
pub use keyring::{BlindField, Keyring, SEALED_OVERHEAD, SEALED_VERSION, sealed_key_id};
pub use keys::{DataKey, IndexKey, MASTER_KEY_ENV, MasterKey};
pub use sign::{Sm2Signer, Sm2Verifier};

/// Everything that can go wrong here. Messages never contain key material or plaintext.
#[derive(Debug, thiserror::Error)]
pub enum CryptoError {
    /// Wrong key, wrong associated data, or the bytes were altered.
    #[error("decryption failed: the value was altered, moved to another row, or sealed under another key")]
    Open,
    #[error("malformed {what}")]
    Format { what: &'static str },
    #[error("data key {0} is not in the keyring")]
    UnknownKey(u32),
    #[error("the operating system's random number generator failed")]
    Rng,
    #[error("the master key is invalid: {0}")]
    MasterKey(String),
    #[error("cannot read or create the master key file {path}: {source}")]
    MasterKeyFile { path: std::path::PathBuf, source: std::io::Error },
    #[error("invalid SM2 key or signature")]
    Sm2,
}

/// Fill `buf` from the operating system's CSPRNG.
pub fn random_bytes(buf: &mut [u8]) -> Result<(), CryptoError> {
    getrandom::fill(buf).map_err(|_| CryptoError::Rng)
}

/// Compare in constant time (for tags and indexes compared outside the database).
pub fn ct_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}
