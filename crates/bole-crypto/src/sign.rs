//! SM2 signatures (GB/T 32918.2, SM3 digest, distinguishing identifier) for
//! audit-chain checkpoints and other evidence that must be verifiable offline.
//!
//! Signatures are 64 bytes `r ‖ s` ([`Sm2Signer::sign`]) or ASN.1 DER
//! ([`Sm2Signer::sign_der`], what OpenSSL's `pkeyutl -verify … -digest sm3 -pkeyopt
//! distid:1234567812345678` checks). Public keys export as SEC1 uncompressed hex or SPKI PEM.

use crate::CryptoError;
use sm2::dsa::signature::{Signer, Verifier};
use sm2::dsa::{Signature, SigningKey, VerifyingKey};
use sm2::elliptic_curve::Generate;
use sm2::pkcs8::{DecodePublicKey, EncodePublicKey, LineEnding};
use std::fmt;
use zeroize::Zeroize;

/// The distinguishing identifier GB/T 35276 recommends when none is agreed.
pub const DEFAULT_DISTID: &str = "1234567812345678";

/// An SM2 private key able to sign.
#[derive(Clone)]
pub struct Sm2Signer {
    key: SigningKey,
}

impl fmt::Debug for Sm2Signer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Sm2Signer").field("public_key", &self.public_key_hex()).finish_non_exhaustive()
    }
}

impl Sm2Signer {
    /// A new random key pair with the default distinguishing identifier.
    pub fn generate() -> Result<Self, CryptoError> {
        let secret = sm2::SecretKey::try_generate().map_err(|_| CryptoError::Rng)?;
        let key = SigningKey::new(DEFAULT_DISTID, &secret).map_err(|_| CryptoError::Sm2)?;
        Ok(Self { key })
    }

    /// From the 32-byte secret scalar as hex (what [`Sm2Signer::secret_hex`] returns).
    pub fn from_secret_hex(hex_text: &str) -> Result<Self, CryptoError> {
        let mut bytes = [0u8; 32];
        hex::decode_to_slice(hex_text.trim(), &mut bytes).map_err(|_| CryptoError::Sm2)?;
        let key = SigningKey::from_slice(DEFAULT_DISTID, &bytes).map_err(|_| CryptoError::Sm2);
        bytes.zeroize();
        Ok(Self { key: key? })
    }

    /// The secret scalar as hex. Key material: store it wrapped or in a 0600 file, never log it.
    pub fn secret_hex(&self) -> String {
        hex::encode(self.key.to_bytes())
    }

    /// Sign `message` (SM3 with the signer's Z value, per the standard). Deterministic (RFC 6979 nonce).
    pub fn sign(&self, message: &[u8]) -> [u8; 64] {
        let sig: Signature = self.key.sign(message);
        sig.to_bytes().into()
    }

    /// Sign and encode as ASN.1 DER (`SEQUENCE { r INTEGER, s INTEGER }`).
    pub fn sign_der(&self, message: &[u8]) -> Vec<u8> {
        let sig: Signature = self.key.sign(message);
        sig.to_der().as_bytes().to_vec()
    }

    pub fn verifier(&self) -> Sm2Verifier {
        Sm2Verifier { key: self.key.verifying_key().clone() }
    }

    /// SEC1 uncompressed point (`04 ‖ x ‖ y`), hex.
    pub fn public_key_hex(&self) -> String {
        self.verifier().public_key_hex()
    }

    /// SubjectPublicKeyInfo PEM (`-----BEGIN PUBLIC KEY-----`), readable by OpenSSL.
    pub fn public_key_pem(&self) -> Result<String, CryptoError> {
        self.verifier().public_key_pem()
    }
}

/// An SM2 public key able to verify.
#[derive(Clone, Debug)]
pub struct Sm2Verifier {
    key: VerifyingKey,
}

impl Sm2Verifier {
    pub fn from_public_key_hex(hex_text: &str) -> Result<Self, CryptoError> {
        let bytes = hex::decode(hex_text.trim()).map_err(|_| CryptoError::Sm2)?;
        let key = VerifyingKey::from_sec1_bytes(DEFAULT_DISTID, &bytes).map_err(|_| CryptoError::Sm2)?;
        Ok(Self { key })
    }

    pub fn from_public_key_pem(pem: &str) -> Result<Self, CryptoError> {
        let public = sm2::PublicKey::from_public_key_pem(pem.trim()).map_err(|_| CryptoError::Sm2)?;
        let key = VerifyingKey::new(DEFAULT_DISTID, public).map_err(|_| CryptoError::Sm2)?;
        Ok(Self { key })
    }

    pub fn public_key_hex(&self) -> String {
        hex::encode(self.key.to_sec1_bytes())
    }

    pub fn public_key_pem(&self) -> Result<String, CryptoError> {
        self.key.to_public_key_pem(LineEnding::LF).map_err(|_| CryptoError::Sm2)
    }

    /// True when `signature` (64-byte `r ‖ s` or DER) is valid for `message`.
    pub fn verify(&self, message: &[u8], signature: &[u8]) -> bool {
        let sig = if signature.len() == Signature::BYTE_SIZE {
            Signature::from_slice(signature)
        } else {
            Signature::from_der(signature)
        };
        sig.is_ok_and(|sig| self.key.verify(message, &sig).is_ok())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sign_verify_and_reject_tampering() {
        let signer = Sm2Signer::generate().unwrap();
        let msg = b"audit checkpoint 42: sm3 chain head 66c7f0f4";
        let sig = signer.sign(msg);
        let v = signer.verifier();
        assert!(v.verify(msg, &sig));
        assert!(!v.verify(b"audit checkpoint 43: sm3 chain head 66c7f0f4", &sig));
        let mut bad = sig;
        bad[10] ^= 1;
        assert!(!v.verify(msg, &bad));
        assert!(!v.verify(msg, &sig[..63]));
        // Another key does not verify it.
        assert!(!Sm2Signer::generate().unwrap().verifier().verify(msg, &sig));
        // DER form verifies too.
        let der = signer.sign_der(msg);
        assert_eq!(der[0], 0x30);
        assert!(v.verify(msg, &der));
    }

    #[test]
    fn keys_export_and_import() {
        let signer = Sm2Signer::generate().unwrap();
        let again = Sm2Signer::from_secret_hex(&signer.secret_hex()).unwrap();
        assert_eq!(again.public_key_hex(), signer.public_key_hex());
        let hex_pub = signer.public_key_hex();
        assert_eq!(hex_pub.len(), 130);
        assert!(hex_pub.starts_with("04"));
        let pem = signer.public_key_pem().unwrap();
        assert!(pem.starts_with("-----BEGIN PUBLIC KEY-----"));
        let msg = b"m";
        let sig = signer.sign(msg);
        assert!(Sm2Verifier::from_public_key_hex(&hex_pub).unwrap().verify(msg, &sig));
        assert!(Sm2Verifier::from_public_key_pem(&pem).unwrap().verify(msg, &sig));
        assert!(Sm2Signer::from_secret_hex("00").is_err());
        assert!(!format!("{signer:?}").contains(&signer.secret_hex()));
    }
}
