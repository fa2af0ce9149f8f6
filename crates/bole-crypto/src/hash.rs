//! SM3 (GB/T 32905-2016) and HMAC-SM3 (RFC 2104 over SM3, GM/T 0042-2015).

use hmac::{KeyInit, Mac};
use sm3::{Digest, Sm3};

/// SM3 of `data`.
pub fn sm3_digest(data: &[u8]) -> [u8; 32] {
    Sm3::digest(data).into()
}

/// HMAC-SM3 of `message` under `key` (any length; longer than 64 bytes is hashed first, per RFC 2104).
pub fn hmac_sm3(key: &[u8], message: &[u8]) -> [u8; 32] {
    hmac_sm3_parts(key, &[message])
}

/// HMAC-SM3 over the concatenation of `parts`, without building it.
pub fn hmac_sm3_parts(key: &[u8], parts: &[&[u8]]) -> [u8; 32] {
    // `Hmac::new_from_slice` accepts every key length; the error arm cannot happen.
    let Ok(mut mac) = hmac::Hmac::<Sm3>::new_from_slice(key) else { unreachable!("HMAC takes keys of any length") };
    for p in parts {
        mac.update(p);
    }
    mac.finalize().into_bytes().into()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hex32(s: &str) -> [u8; 32] {
        let mut out = [0u8; 32];
        hex::decode_to_slice(s, &mut out).unwrap();
        out
    }

    /// GB/T 32905-2016 Appendix A, example 1.
    #[test]
    fn sm3_abc() {
        assert_eq!(sm3_digest(b"abc"), hex32("66c7f0f462eeedd9d1f2d46bdc10e4e24167c4875cf2f7a2297da02b8f4ba8e0"));
    }

    /// GB/T 32905-2016 Appendix A, example 2: "abcd" repeated 16 times (512 bits).
    #[test]
    fn sm3_abcd_x16() {
        let msg = b"abcd".repeat(16);
        assert_eq!(sm3_digest(&msg), hex32("debe9ff92275b8a138604889c18e5a4d6fdb70e5387e5765293dcba39c0c5732"));
    }

    /// GM/T 0042-2015 Appendix D.3: 37-byte key 01..25, message 0xcd × 50.
    #[test]
    fn hmac_sm3_gmt_0042() {
        let key: Vec<u8> = (1u8..=0x25).collect();
        let msg = [0xcdu8; 50];
        assert_eq!(hmac_sm3(&key, &msg), hex32("220bf579ded555393f0159f66c99877822a3ecf610d1552154b41d44b94db3ae"));
    }

    /// RFC 4231 test case 1 inputs with SM3 (the value OpenSSL and Bouncy Castle give).
    #[test]
    fn hmac_sm3_hi_there() {
        let key = [0x0bu8; 20];
        assert_eq!(
            hmac_sm3(&key, b"Hi There"),
            hex32("51b00d1fb49832bfb01c3ce27848e59f871d9ba938dc563b338ca964755cce70")
        );
    }

    /// A key longer than the 64-byte block is hashed first; parts equal the whole.
    #[test]
    fn hmac_sm3_long_key_and_parts() {
        let key = [0x61u8; 100];
        let whole = hmac_sm3(&key, b"hello world");
        assert_eq!(hmac_sm3_parts(&key, &[b"hello", b" ", b"world"]), whole);
        assert_eq!(hmac_sm3(&sm3_digest(&key), b"hello world"), whole);
    }
}
