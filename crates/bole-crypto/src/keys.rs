//! Envelope keys.
//!
//! - The **master key** (32 random bytes, 64 hex characters) lives outside the
//!   database: in the environment variable [`MASTER_KEY_ENV`] or a key file
//!   (default `<data_dir>/master.key`, created with mode 0600 on first start).
//!   It never encrypts data itself; it only wraps the keys below, through a
//!   wrapping key derived from it: `HMAC-SM3(master, "bole/kdf/v1/key-wrap")[..16]`.
//! - **Data keys** (16 random bytes each, SM4) encrypt field values. Several may
//!   exist, identified by a `u32` id; one is active for new writes.
//! - The **index key** (32 random bytes) keys the HMAC-SM3 blind indexes. It is
//!   separate from the data keys so rotating data keys leaves every index valid,
//!   and it is wrapped (not derived) so replacing the master key leaves them valid too.
//!
//! Wrapped key format: `0x01 ‖ nonce:12 ‖ SM4-GCM(key) ‖ tag:16`, with the key's
//! purpose and id as associated data (`bole/key/data/<id>`, `bole/key/index`),
//! so a wrapped key cannot be moved into another slot.

use crate::aead::{KEY_LEN, NONCE_LEN, TAG_LEN, sm4_gcm_open, sm4_gcm_seal};
use crate::{CryptoError, hmac_sm3, random_bytes};
use std::fmt;
use std::io::Write;
use std::path::Path;
use zeroize::Zeroize;

/// The environment variable that may carry the master key (hex); it wins over the key file.
pub const MASTER_KEY_ENV: &str = "BOLE_MASTER_KEY";
const WRAP_VERSION: u8 = 1;
const WRAPPED_DATA_LEN: usize = 1 + NONCE_LEN + KEY_LEN + TAG_LEN;
const WRAPPED_INDEX_LEN: usize = 1 + NONCE_LEN + 32 + TAG_LEN;

/// The key-encryption key. Debug output never shows it.
#[derive(Clone)]
pub struct MasterKey([u8; 32]);

impl Drop for MasterKey {
    fn drop(&mut self) {
        self.0.zeroize();
    }
}

impl fmt::Debug for MasterKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "MasterKey(fingerprint {})", self.fingerprint())
    }
}

impl MasterKey {
    pub fn from_bytes(bytes: [u8; 32]) -> Self {
        Self(bytes)
    }

    /// 64 hex characters; surrounding whitespace (a trailing newline in a file) is ignored.
    pub fn from_hex(text: &str) -> Result<Self, CryptoError> {
        let text = text.trim();
        let mut key = [0u8; 32];
        hex::decode_to_slice(text, &mut key)
            .map_err(|_| CryptoError::MasterKey("expected 64 hexadecimal characters (32 bytes)".into()))?;
        if key.iter().all(|b| *b == 0) {
            return Err(CryptoError::MasterKey("the all-zero key is not a key".into()));
        }
        Ok(Self(key))
    }

    pub fn generate() -> Result<Self, CryptoError> {
        let mut key = [0u8; 32];
        random_bytes(&mut key)?;
        Ok(Self(key))
    }

    /// The key as it is written to a key file (64 lowercase hex characters).
    pub fn to_hex(&self) -> String {
        hex::encode(self.0)
    }

    /// A short, non-secret identifier of this key (first 8 bytes of SM3 over a derived value), for logs and CLI output.
    pub fn fingerprint(&self) -> String {
        let check = hmac_sm3(&self.0, b"bole/kdf/v1/fingerprint");
        hex::encode(&crate::sm3_digest(&check)[..8])
    }

    /// The master key from [`MASTER_KEY_ENV`] if set, else `None`.
    pub fn from_env() -> Option<Result<Self, CryptoError>> {
        let value = std::env::var(MASTER_KEY_ENV).ok().filter(|v| !v.trim().is_empty())?;
        Some(Self::from_hex(&value))
    }

    /// Read a key file.
    pub fn load(path: &Path) -> Result<Self, CryptoError> {
        let text = std::fs::read_to_string(path)
            .map_err(|source| CryptoError::MasterKeyFile { path: path.to_path_buf(), source })?;
        Self::from_hex(&text)
    }

    /// Read the key file at `path`, or create it (parent directories too) with a new random key,
    /// readable by the owner only. Returns the key and whether it was created.
    pub fn load_or_create(path: &Path) -> Result<(Self, bool), CryptoError> {
        if path.exists() {
            return Ok((Self::load(path)?, false));
        }
        let key = Self::generate()?;
        key.write_new(path)?;
        Ok((key, true))
    }

    /// [`MASTER_KEY_ENV`] when set, otherwise [`MasterKey::load_or_create`] on `path`.
    pub fn resolve(path: &Path) -> Result<(Self, bool), CryptoError> {
        match Self::from_env() {
            Some(key) => Ok((key?, false)),
            None => Self::load_or_create(path),
        }
    }

    /// Write this key to a file that must not exist yet (mode 0600 on Unix).
    pub fn write_new(&self, path: &Path) -> Result<(), CryptoError> {
        let err = |source| CryptoError::MasterKeyFile { path: path.to_path_buf(), source };
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir).map_err(err)?;
        }
        let mut options = std::fs::OpenOptions::new();
        options.write(true).create_new(true);
        #[cfg(unix)]
        {
            use std::os::unix::fs::OpenOptionsExt;
            options.mode(0o600);
        }
        let mut file = options.open(path).map_err(err)?;
        let mut text = self.to_hex();
        text.push('\n');
        let written = file.write_all(text.as_bytes()).and_then(|()| file.sync_all());
        text.zeroize();
        written.map_err(err)
    }

    /// Replace the key file at `path` with this key, atomically: written to a sibling
    /// temporary file (mode 0600), synced, then renamed over `path`.
    pub fn write_replacing(&self, path: &Path) -> Result<(), CryptoError> {
        let mut tmp = path.as_os_str().to_owned();
        tmp.push(".new");
        let tmp = std::path::PathBuf::from(tmp);
        let _ = std::fs::remove_file(&tmp);
        self.write_new(&tmp)?;
        std::fs::rename(&tmp, path).map_err(|source| CryptoError::MasterKeyFile { path: path.to_path_buf(), source })
    }

    fn wrapping_key(&self) -> [u8; KEY_LEN] {
        let mut derived = hmac_sm3(&self.0, b"bole/kdf/v1/key-wrap");
        let mut key = [0u8; KEY_LEN];
        key.copy_from_slice(&derived[..KEY_LEN]);
        derived.zeroize();
        key
    }

    fn wrap(&self, aad: &[u8], secret: &[u8]) -> Result<Vec<u8>, CryptoError> {
        let mut nonce = [0u8; NONCE_LEN];
        random_bytes(&mut nonce)?;
        let mut kek = self.wrapping_key();
        let sealed = sm4_gcm_seal(&kek, &nonce, aad, secret);
        kek.zeroize();
        let mut out = Vec::with_capacity(1 + NONCE_LEN + secret.len() + TAG_LEN);
        out.push(WRAP_VERSION);
        out.extend_from_slice(&nonce);
        out.extend_from_slice(&sealed?);
        Ok(out)
    }

    fn unwrap(&self, aad: &[u8], wrapped: &[u8], len: usize) -> Result<Vec<u8>, CryptoError> {
        if wrapped.len() != len || wrapped[0] != WRAP_VERSION {
            return Err(CryptoError::Format { what: "wrapped key" });
        }
        let mut nonce = [0u8; NONCE_LEN];
        nonce.copy_from_slice(&wrapped[1..1 + NONCE_LEN]);
        let mut kek = self.wrapping_key();
        let opened = sm4_gcm_open(&kek, &nonce, aad, &wrapped[1 + NONCE_LEN..]);
        kek.zeroize();
        // A wrong master key is by far the likeliest cause; say so.
        opened.map_err(|_| CryptoError::MasterKey("it does not unwrap this database's keys (wrong master key?)".into()))
    }

    pub fn wrap_data_key(&self, key: &DataKey) -> Result<Vec<u8>, CryptoError> {
        self.wrap(data_key_aad(key.id).as_bytes(), &key.key)
    }

    pub fn unwrap_data_key(&self, id: u32, wrapped: &[u8]) -> Result<DataKey, CryptoError> {
        let mut plain = self.unwrap(data_key_aad(id).as_bytes(), wrapped, WRAPPED_DATA_LEN)?;
        let mut key = [0u8; KEY_LEN];
        key.copy_from_slice(&plain);
        plain.zeroize();
        Ok(DataKey { id, key })
    }

    pub fn wrap_index_key(&self, key: &IndexKey) -> Result<Vec<u8>, CryptoError> {
        self.wrap(INDEX_KEY_AAD, &key.0)
    }

    pub fn unwrap_index_key(&self, wrapped: &[u8]) -> Result<IndexKey, CryptoError> {
        let mut plain = self.unwrap(INDEX_KEY_AAD, wrapped, WRAPPED_INDEX_LEN)?;
        let mut key = [0u8; 32];
        key.copy_from_slice(&plain);
        plain.zeroize();
        Ok(IndexKey(key))
    }
}

const INDEX_KEY_AAD: &[u8] = b"bole/key/index";

fn data_key_aad(id: u32) -> String {
    format!("bole/key/data/{id}")
}

/// One SM4 data key and its id.
#[derive(Clone)]
pub struct DataKey {
    pub(crate) id: u32,
    pub(crate) key: [u8; KEY_LEN],
}

impl Drop for DataKey {
    fn drop(&mut self) {
        self.key.zeroize();
    }
}

impl fmt::Debug for DataKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("DataKey").field("id", &self.id).finish_non_exhaustive()
    }
}

impl DataKey {
    pub fn generate(id: u32) -> Result<Self, CryptoError> {
        let mut key = [0u8; KEY_LEN];
        random_bytes(&mut key)?;
        Ok(Self { id, key })
    }

    /// A fixed key, for tests and reproducible fixtures only.
    pub fn from_bytes(id: u32, key: [u8; KEY_LEN]) -> Self {
        Self { id, key }
    }

    pub fn id(&self) -> u32 {
        self.id
    }
}

/// The blind-index key.
#[derive(Clone)]
pub struct IndexKey(pub(crate) [u8; 32]);

impl Drop for IndexKey {
    fn drop(&mut self) {
        self.0.zeroize();
    }
}

impl fmt::Debug for IndexKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("IndexKey(..)")
    }
}

impl IndexKey {
    pub fn generate() -> Result<Self, CryptoError> {
        let mut key = [0u8; 32];
        random_bytes(&mut key)?;
        Ok(Self(key))
    }

    /// A fixed key, for tests and reproducible fixtures only.
    pub fn from_bytes(key: [u8; 32]) -> Self {
        Self(key)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn master(b: u8) -> MasterKey {
        MasterKey::from_bytes([b; 32])
    }

    #[test]
    fn hex_round_trip_and_rejects_bad_text() {
        let k = MasterKey::generate().unwrap();
        let again = MasterKey::from_hex(&format!("  {}\n", k.to_hex())).unwrap();
        assert_eq!(again.to_hex(), k.to_hex());
        assert!(MasterKey::from_hex("abcd").is_err());
        assert!(MasterKey::from_hex(&"zz".repeat(32)).is_err());
        assert!(MasterKey::from_hex(&"00".repeat(32)).is_err());
        assert!(!format!("{k:?}").contains(&k.to_hex()));
    }

    #[test]
    fn wrap_unwrap_data_and_index_keys() {
        let m = master(7);
        let dk = DataKey::generate(3).unwrap();
        let wrapped = m.wrap_data_key(&dk).unwrap();
        assert_eq!(wrapped.len(), WRAPPED_DATA_LEN);
        assert_eq!(m.unwrap_data_key(3, &wrapped).unwrap().key, dk.key);
        // Bound to its id: the same bytes do not unwrap as key 4.
        assert!(m.unwrap_data_key(4, &wrapped).is_err());
        // Another master key cannot unwrap it.
        assert!(matches!(master(8).unwrap_data_key(3, &wrapped), Err(CryptoError::MasterKey(_))));
        let ik = IndexKey::generate().unwrap();
        let w = m.wrap_index_key(&ik).unwrap();
        assert_eq!(m.unwrap_index_key(&w).unwrap().0, ik.0);
        assert!(m.unwrap_index_key(&wrapped).is_err());
        // Two wraps of one key differ (fresh nonce) and both unwrap.
        let w2 = m.wrap_data_key(&dk).unwrap();
        assert_ne!(w2, wrapped);
        assert_eq!(m.unwrap_data_key(3, &w2).unwrap().key, dk.key);
    }

    #[test]
    fn load_or_create_writes_an_owner_only_file_once() {
        let dir = std::env::temp_dir().join(format!(
            "bole-crypto-{}-{}",
            std::process::id(),
            hex::encode(crate::sm3_digest(b"lc"))
        ));
        let _ = std::fs::remove_dir_all(&dir);
        let path = dir.join("sub").join("master.key");
        let (k1, created) = MasterKey::load_or_create(&path).unwrap();
        assert!(created);
        let (k2, created) = MasterKey::load_or_create(&path).unwrap();
        assert!(!created);
        assert_eq!(k1.to_hex(), k2.to_hex());
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&path).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
        }
        assert!(k1.write_new(&path).is_err(), "never overwrites an existing key file");
        let k3 = MasterKey::generate().unwrap();
        k3.write_replacing(&path).unwrap();
        assert_eq!(MasterKey::load(&path).unwrap().to_hex(), k3.to_hex());
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            assert_eq!(std::fs::metadata(&path).unwrap().permissions().mode() & 0o777, 0o600);
        }
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
