//! SM4-GCM: SM4 (GB/T 32907-2016) in Galois/Counter Mode with a 96-bit nonce and a
//! 128-bit tag, as specified for TLS by RFC 8998. Built from the generic GCM of
//! `aes-gcm` over the `sm4` block cipher.

use crate::CryptoError;
use aes_gcm::aead::consts::U12;
use aes_gcm::aead::{Aead, KeyInit, Payload};

/// SM4-GCM with the standard 12-byte nonce and 16-byte tag.
pub type Sm4Gcm = aes_gcm::AesGcm<sm4::Sm4, U12>;

pub const KEY_LEN: usize = 16;
pub const NONCE_LEN: usize = 12;
pub const TAG_LEN: usize = 16;

/// Encrypt `plaintext`, authenticating `aad` too. Returns `ciphertext ‖ tag`.
///
/// The nonce MUST never repeat under one key; callers here draw it at random
/// (random 96-bit nonces are safe up to 2^32 messages per key, NIST SP 800-38D §8.3 —
/// far beyond an HR database; rotation starts a new key anyway).
pub fn sm4_gcm_seal(
    key: &[u8; KEY_LEN],
    nonce: &[u8; NONCE_LEN],
    aad: &[u8],
    plaintext: &[u8],
) -> Result<Vec<u8>, CryptoError> {
    seal_with(&Sm4Gcm::new(key.into()), nonce, aad, plaintext)
}

/// Decrypt `ciphertext ‖ tag`; fails with [`CryptoError::Open`] unless key, nonce, `aad` and bytes are all as sealed.
pub fn sm4_gcm_open(
    key: &[u8; KEY_LEN],
    nonce: &[u8; NONCE_LEN],
    aad: &[u8],
    sealed: &[u8],
) -> Result<Vec<u8>, CryptoError> {
    open_with(&Sm4Gcm::new(key.into()), nonce, aad, sealed)
}

/// [`sm4_gcm_seal`] with a ready cipher (the key schedule done once per key, not per value).
pub(crate) fn seal_with(
    cipher: &Sm4Gcm,
    nonce: &[u8; NONCE_LEN],
    aad: &[u8],
    plaintext: &[u8],
) -> Result<Vec<u8>, CryptoError> {
    cipher
        .encrypt(nonce.into(), Payload { msg: plaintext, aad })
        .map_err(|_| CryptoError::Format { what: "plaintext (too long)" })
}

pub(crate) fn open_with(
    cipher: &Sm4Gcm,
    nonce: &[u8; NONCE_LEN],
    aad: &[u8],
    sealed: &[u8],
) -> Result<Vec<u8>, CryptoError> {
    cipher.decrypt(nonce.into(), Payload { msg: sealed, aad }).map_err(|_| CryptoError::Open)
}

#[cfg(test)]
mod tests {
    use super::*;
    use sm4::cipher::{BlockCipherDecrypt, BlockCipherEncrypt};

    fn h<const N: usize>(s: &str) -> [u8; N] {
        let mut out = [0u8; N];
        hex::decode_to_slice(s, &mut out).unwrap();
        out
    }

    const GB_KEY: &str = "0123456789abcdeffedcba9876543210";

    /// GB/T 32907-2016 Appendix A, example 1: one block, key = plaintext.
    #[test]
    fn sm4_block_example_1() {
        let cipher = sm4::Sm4::new(&h::<16>(GB_KEY).into());
        let mut block = h::<16>(GB_KEY).into();
        cipher.encrypt_block(&mut block);
        assert_eq!(block.as_slice(), h::<16>("681edf34d206965e86b3e94f536e4246"));
        cipher.decrypt_block(&mut block);
        assert_eq!(block.as_slice(), h::<16>(GB_KEY));
    }

    /// GB/T 32907-2016 Appendix A, example 2: the same block encrypted 1,000,000 times.
    /// (`[profile.dev.package.sm4] opt-level = 3` keeps this well under a second in debug builds.)
    #[test]
    fn sm4_block_example_2_million_rounds() {
        let cipher = sm4::Sm4::new(&h::<16>(GB_KEY).into());
        let mut block = h::<16>(GB_KEY).into();
        for _ in 0..1_000_000 {
            cipher.encrypt_block(&mut block);
        }
        assert_eq!(block.as_slice(), h::<16>("595298c7c6fd271f0402f804c33d3f66"));
    }

    const RFC_PT: &str = "AAAAAAAAAAAAAAAABBBBBBBBBBBBBBBBCCCCCCCCCCCCCCCCDDDDDDDDDDDDDDDD\
                          EEEEEEEEEEEEEEEEFFFFFFFFFFFFFFFFEEEEEEEEEEEEEEEEAAAAAAAAAAAAAAAA";
    const RFC_CT: &str = "17F399F08C67D5EE19D0DC9969C4BB7D5FD46FD3756489069157B282BB200735\
                          D82710CA5C22F0CCFA7CBF93D496AC15A56834CBCF98C397B4024A2691233B8D";
    const RFC_TAG: &str = "83DE3541E4C2B58177E065A9BF7B62EC";
    const RFC_AAD: &str = "FEEDFACEDEADBEEFFEEDFACEDEADBEEFABADDAD2";
    const RFC_IV: &str = "00001234567800000000ABCD";

    /// RFC 8998 Appendix A.1 (SM4-GCM).
    #[test]
    fn sm4_gcm_rfc8998_a1() {
        let key = h::<16>(GB_KEY);
        let nonce = h::<12>(RFC_IV);
        let aad = hex::decode(RFC_AAD).unwrap();
        let pt = hex::decode(RFC_PT).unwrap();
        let sealed = sm4_gcm_seal(&key, &nonce, &aad, &pt).unwrap();
        let expected = hex::decode(format!("{RFC_CT}{RFC_TAG}")).unwrap();
        assert_eq!(hex::encode_upper(&sealed[..pt.len()]), RFC_CT);
        assert_eq!(hex::encode_upper(&sealed[pt.len()..]), RFC_TAG);
        assert_eq!(sealed, expected);
        assert_eq!(sm4_gcm_open(&key, &nonce, &aad, &sealed).unwrap(), pt);
    }

    #[test]
    fn sm4_gcm_rejects_tampering_wrong_aad_wrong_key() {
        let key = h::<16>(GB_KEY);
        let nonce = h::<12>(RFC_IV);
        let sealed = sm4_gcm_seal(&key, &nonce, b"employees.id_number:1", b"110101199003071234").unwrap();
        for i in [0, 5, sealed.len() - 1] {
            let mut bad = sealed.clone();
            bad[i] ^= 1;
            assert!(matches!(sm4_gcm_open(&key, &nonce, b"employees.id_number:1", &bad), Err(CryptoError::Open)));
        }
        assert!(matches!(sm4_gcm_open(&key, &nonce, b"employees.id_number:2", &sealed), Err(CryptoError::Open)));
        let mut other = key;
        other[0] ^= 1;
        assert!(matches!(sm4_gcm_open(&other, &nonce, b"employees.id_number:1", &sealed), Err(CryptoError::Open)));
        assert!(matches!(sm4_gcm_open(&key, &nonce, b"", &sealed[..10]), Err(CryptoError::Open)));
    }
}
