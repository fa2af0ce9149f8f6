//! SM2 signatures over chain positions: periodic and on-demand checkpoints, and
//! the anchor a purge leaves behind.
//!
//! A hash chain alone proves only that records agree with each other: someone with
//! write access to the database can edit a record and recompute every later hash.
//! A checkpoint signs `(seq, hash)` with a key that lives outside the database
//! (`<data-dir>/audit-signing.key`), so such a rewrite no longer matches the
//! signed hash. Signatures are SM2DSA (GB/T 32918.2) with the default
//! distinguishing identifier of GM/T 0009, deterministic (RFC 6979 nonces), and
//! cover a tagged message so a checkpoint signature cannot be replayed as an anchor.
//! Trust comes from the verifier's list of public keys, never from the key stored
//! next to the signature (an attacker would store their own).

use crate::chain::{ChainHash, hex, unhex};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use sm2::SecretKey;
use sm2::dsa::signature::{Signer as _, Verifier as _};
use sm2::dsa::{Signature, SigningKey, VerifyingKey};
use sm2::elliptic_curve::Generate;

/// GM/T 0009-2012's default user id (ENTL/ID in the Z value).
const DIST_ID: &str = "1234567812345678";
const CHECKPOINT_TAG: &[u8] = b"bole.audit.checkpoint.v1";
const ANCHOR_TAG: &[u8] = b"bole.audit.anchor.v1";

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum KeyError {
    #[error("the audit signing key is not a valid SM2 private key")]
    Invalid,
    #[error("no system randomness to generate an audit signing key: {0}")]
    Random(String),
}

/// The SM2 key that signs checkpoints and anchors. `Debug` never shows the secret.
#[derive(Clone)]
pub struct Signer {
    key: SigningKey,
}

impl std::fmt::Debug for Signer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Signer").field("public_key", &self.public_key_hex()).finish_non_exhaustive()
    }
}

impl Signer {
    /// A fresh key from the operating system's randomness.
    pub fn generate() -> Result<Signer, KeyError> {
        let secret = SecretKey::try_generate().map_err(|e| KeyError::Random(e.to_string()))?;
        Self::from_secret(&secret)
    }

    fn from_secret(secret: &SecretKey) -> Result<Signer, KeyError> {
        SigningKey::new(DIST_ID, secret).map(|key| Signer { key }).map_err(|_| KeyError::Invalid)
    }

    /// The key from its 32-byte big-endian scalar.
    pub fn from_bytes(bytes: &[u8]) -> Result<Signer, KeyError> {
        let secret = SecretKey::from_slice(bytes).map_err(|_| KeyError::Invalid)?;
        Self::from_secret(&secret)
    }

    /// The key file's text: a SEC1 PEM (`-----BEGIN EC PRIVATE KEY-----`, what
    /// `openssl ec` reads) or 64 hex digits.
    pub fn from_text(text: &str) -> Result<Signer, KeyError> {
        let t = text.trim();
        if t.starts_with("-----BEGIN") {
            let secret = SecretKey::from_sec1_pem(t).map_err(|_| KeyError::Invalid)?;
            return Self::from_secret(&secret);
        }
        Self::from_bytes(&unhex(t).ok_or(KeyError::Invalid)?)
    }

    /// The text written to a new key file (SEC1 PEM). Handle like a password.
    pub fn to_pem(&self) -> Result<String, KeyError> {
        let secret = SecretKey::from_bytes(&self.key.to_bytes()).map_err(|_| KeyError::Invalid)?;
        secret
            .to_sec1_pem(sm2::pkcs8::LineEnding::LF)
            .map(|pem| pem.as_str().to_string())
            .map_err(|_| KeyError::Invalid)
    }

    /// SEC1 uncompressed public key (65 bytes, `04‖x‖y`).
    pub fn public_key(&self) -> Vec<u8> {
        self.key.verifying_key().to_sec1_bytes().to_vec()
    }

    pub fn public_key_hex(&self) -> String {
        hex(&self.public_key())
    }

    fn sign(&self, message: &[u8]) -> Vec<u8> {
        let sig: Signature = self.key.sign(message);
        sig.to_bytes().to_vec()
    }

    /// A signed checkpoint of the chain at `(seq, hash)`.
    pub fn checkpoint(&self, seq: i64, hash: ChainHash, at: DateTime<Utc>) -> Checkpoint {
        Checkpoint {
            seq,
            hash,
            signature: hex(&self.sign(&message(CHECKPOINT_TAG, seq, &hash))),
            public_key: self.public_key_hex(),
            created_at: crate::chain::normalize_at(at),
        }
    }

    /// The signed anchor left by a purge that removed every record up to `(seq, hash)`.
    pub fn anchor(&self, seq: i64, hash: ChainHash, purged_before: DateTime<Utc>, at: DateTime<Utc>) -> Anchor {
        Anchor {
            seq,
            hash,
            signature: hex(&self.sign(&message(ANCHOR_TAG, seq, &hash))),
            public_key: self.public_key_hex(),
            purged_before: crate::chain::normalize_at(purged_before),
            created_at: crate::chain::normalize_at(at),
        }
    }
}

fn message(tag: &[u8], seq: i64, hash: &ChainHash) -> Vec<u8> {
    let mut m = Vec::with_capacity(tag.len() + 8 + 32);
    m.extend_from_slice(tag);
    m.extend_from_slice(&seq.to_be_bytes());
    m.extend_from_slice(&hash.0);
    m
}

/// The public keys whose signatures verification accepts (hex SEC1): the current
/// signer's, plus any earlier ones the operator still trusts after a key change.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct TrustedKeys(Vec<String>);

impl TrustedKeys {
    pub fn new(keys: impl IntoIterator<Item = String>) -> Self {
        Self(keys.into_iter().map(|k| k.trim().to_ascii_lowercase()).collect())
    }

    pub fn of(signer: &Signer) -> Self {
        Self(vec![signer.public_key_hex()])
    }

    pub fn with(mut self, key_hex: &str) -> Self {
        self.0.push(key_hex.trim().to_ascii_lowercase());
        self
    }

    fn trusts(&self, key_hex: &str) -> bool {
        self.0.iter().any(|k| k.eq_ignore_ascii_case(key_hex.trim()))
    }

    /// True when `signature_hex` is a valid signature of the tagged `(seq, hash)` by a trusted key.
    fn verify(&self, tag: &[u8], seq: i64, hash: &ChainHash, key_hex: &str, signature_hex: &str) -> bool {
        if !self.trusts(key_hex) {
            return false;
        }
        let (Some(key), Some(sig)) = (unhex(key_hex), unhex(signature_hex)) else { return false };
        let Ok(vk) = VerifyingKey::from_sec1_bytes(DIST_ID, &key) else { return false };
        let Ok(sig) = Signature::from_slice(&sig) else { return false };
        vk.verify(&message(tag, seq, hash), &sig).is_ok()
    }
}

/// A signed statement "the chain's record `seq` has hash `hash`".
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Checkpoint {
    pub seq: i64,
    pub hash: ChainHash,
    /// SM2 signature `r‖s`, hex.
    pub signature: String,
    /// The signer's SEC1 public key, hex (which key; trust is decided by the verifier).
    pub public_key: String,
    pub created_at: DateTime<Utc>,
}

impl Checkpoint {
    pub fn signature_valid(&self, trusted: &TrustedKeys) -> bool {
        trusted.verify(CHECKPOINT_TAG, self.seq, &self.hash, &self.public_key, &self.signature)
    }
}

/// Where the chain starts after a purge: the last purged record's position and hash, signed.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Anchor {
    pub seq: i64,
    pub hash: ChainHash,
    pub signature: String,
    pub public_key: String,
    /// The purge removed records older than this instant.
    pub purged_before: DateTime<Utc>,
    pub created_at: DateTime<Utc>,
}

impl Anchor {
    pub fn signature_valid(&self, trusted: &TrustedKeys) -> bool {
        trusted.verify(ANCHOR_TAG, self.seq, &self.hash, &self.public_key, &self.signature)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::chain::genesis;

    fn now() -> DateTime<Utc> {
        DateTime::from_timestamp(1_740_000_000, 0).unwrap()
    }

    #[test]
    fn checkpoints_verify_only_with_a_trusted_key_and_their_own_values() {
        let signer = Signer::generate().unwrap();
        let trusted = TrustedKeys::of(&signer);
        let cp = signer.checkpoint(1000, genesis(), now());
        assert!(cp.signature_valid(&trusted));
        assert_eq!(cp.signature.len(), 128);
        assert_eq!(cp.public_key.len(), 130);

        let mut moved = cp.clone();
        moved.seq = 999;
        assert!(!moved.signature_valid(&trusted));
        let mut rehashed = cp.clone();
        rehashed.hash = ChainHash([1; 32]);
        assert!(!rehashed.signature_valid(&trusted));

        // An attacker's own key signs fine but is not trusted.
        let other = Signer::generate().unwrap();
        let forged = other.checkpoint(1000, genesis(), now());
        assert!(!forged.signature_valid(&trusted));
        assert!(forged.signature_valid(&TrustedKeys::of(&other)));
        assert!(forged.signature_valid(&trusted.clone().with(&other.public_key_hex())));

        let mut garbage = cp.clone();
        garbage.signature = "zz".into();
        assert!(!garbage.signature_valid(&trusted));
    }

    #[test]
    fn an_anchor_signature_is_not_a_checkpoint_signature() {
        let signer = Signer::generate().unwrap();
        let trusted = TrustedKeys::of(&signer);
        let anchor = signer.anchor(10, genesis(), now(), now());
        assert!(anchor.signature_valid(&trusted));
        let as_checkpoint = Checkpoint {
            seq: anchor.seq,
            hash: anchor.hash,
            signature: anchor.signature.clone(),
            public_key: anchor.public_key.clone(),
            created_at: now(),
        };
        assert!(!as_checkpoint.signature_valid(&trusted));
    }

    #[test]
    fn the_key_file_round_trips_and_signing_is_deterministic() {
        let signer = Signer::generate().unwrap();
        let pem = signer.to_pem().unwrap();
        assert!(pem.starts_with("-----BEGIN EC PRIVATE KEY-----"), "{pem}");
        let back = Signer::from_text(&pem).unwrap();
        assert_eq!(back.public_key(), signer.public_key());
        assert_eq!(back.checkpoint(5, genesis(), now()), signer.checkpoint(5, genesis(), now()));
        assert!(!format!("{signer:?}").contains(&pem));

        let hexkey = Signer::from_text(&"11".repeat(32)).unwrap();
        assert_eq!(hexkey.public_key().len(), 65);
        assert_eq!(Signer::from_text("not a key").unwrap_err(), KeyError::Invalid);
        assert_eq!(Signer::from_bytes(&[0; 32]).unwrap_err(), KeyError::Invalid);
    }

    #[test]
    fn verifies_the_rustcrypto_sm2_vector() {
        // sm2 crate's openssl-made vector, with its own distinguishing id: proves our
        // verification path (SEC1 key, r‖s signature) reads what other tools produce.
        let key = unhex("0408D77AE04C01CC4C1104360DD8AF6B6F7DF334283D7C1A6AFD5652407B87BEE5014E2A57C36C150D16324DC664E31E6432359609C4E79847A5B161C8C7364C8A").unwrap();
        let sig = unhex("d1dcccedd9fb785e0f67c16b7c52901625c0b69de9bca2144acc7be713cad2fcf7d1eae6e3a157b36c65f672f738ca8b46298bf149a6510072c431b49cd88b1c").unwrap();
        let vk = VerifyingKey::from_sec1_bytes("example@rustcrypto.org", &key).unwrap();
        let sig = Signature::from_slice(&sig).unwrap();
        assert!(vk.verify(b"testing", &sig).is_ok());
        assert!(vk.verify(b"testinG", &sig).is_err());
    }
}
