//! The keyring: every data key by id (one active), the blind-index key, and the
//! sealed-value format.
//!
//! A **sealed value** is self-describing binary, stored as BLOB (SQLite) / BYTEA (PostgreSQL):
//!
//! ```text
//! 0x01 ‖ key_id: u32 big-endian ‖ nonce: 12 random bytes ‖ SM4-GCM ciphertext ‖ tag: 16
//! ```
//!
//! (33 bytes of overhead.) The associated data is chosen by the caller and MUST name
//! where the value lives — table, column and row id, e.g. `employees.id_number:<uuid>` —
//! so a ciphertext copied into another row or column fails to open. The version and key
//! id are authenticated too (they are prefixed to the associated data).

use crate::aead::{KEY_LEN, NONCE_LEN, Sm4Gcm, TAG_LEN, open_with, seal_with};
use crate::hash::hmac_sm3_parts;
use crate::keys::{DataKey, IndexKey};
use crate::{CryptoError, random_bytes};
use aes_gcm::aead::KeyInit;
use std::collections::BTreeMap;
use std::fmt;

pub const SEALED_VERSION: u8 = 1;
const HEADER_LEN: usize = 1 + 4 + NONCE_LEN;
/// Bytes a sealed value adds to its plaintext.
pub const SEALED_OVERHEAD: usize = HEADER_LEN + TAG_LEN;

/// The key id a sealed value was written under (without opening it).
pub fn sealed_key_id(sealed: &[u8]) -> Result<u32, CryptoError> {
    if sealed.len() < SEALED_OVERHEAD || sealed[0] != SEALED_VERSION {
        return Err(CryptoError::Format { what: "sealed value" });
    }
    Ok(u32::from_be_bytes([sealed[1], sealed[2], sealed[3], sealed[4]]))
}

/// A data key with its cipher ready (key schedule and GHASH key computed once).
#[derive(Clone)]
struct Slot {
    _key: DataKey,
    cipher: Sm4Gcm,
}

impl Slot {
    fn new(key: DataKey) -> Self {
        let cipher = Sm4Gcm::new((&key.key).into());
        Self { _key: key, cipher }
    }
}

/// Data keys by id, the active one, and the blind-index key.
#[derive(Clone)]
pub struct Keyring {
    keys: BTreeMap<u32, Slot>,
    active: u32,
    index: IndexKey,
}

impl fmt::Debug for Keyring {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Keyring")
            .field("keys", &self.keys.keys().collect::<Vec<_>>())
            .field("active", &self.active)
            .finish()
    }
}

impl Keyring {
    /// `keys` must contain `active`.
    pub fn new(keys: impl IntoIterator<Item = DataKey>, active: u32, index: IndexKey) -> Result<Self, CryptoError> {
        let keys: BTreeMap<u32, Slot> = keys.into_iter().map(|k| (k.id, Slot::new(k))).collect();
        if !keys.contains_key(&active) {
            return Err(CryptoError::UnknownKey(active));
        }
        Ok(Self { keys, active, index })
    }

    /// A deterministic keyring (data key 1 active) derived from `seed`. For tests and
    /// fixtures only: anyone who knows the seed can read the data.
    pub fn fixed_for_tests(seed: &str) -> Self {
        let d = crate::hmac_sm3(seed.as_bytes(), b"data");
        let mut key = [0u8; KEY_LEN];
        key.copy_from_slice(&d[..KEY_LEN]);
        let index = IndexKey::from_bytes(crate::hmac_sm3(seed.as_bytes(), b"index"));
        let data = DataKey::from_bytes(1, key);
        Self { keys: BTreeMap::from([(1, Slot::new(data))]), active: 1, index }
    }

    pub fn active_id(&self) -> u32 {
        self.active
    }

    pub fn key_ids(&self) -> impl Iterator<Item = u32> + '_ {
        self.keys.keys().copied()
    }

    pub fn contains(&self, id: u32) -> bool {
        self.keys.contains_key(&id)
    }

    /// Add (or replace) a data key; it becomes active when `activate`.
    pub fn insert(&mut self, key: DataKey, activate: bool) {
        let id = key.id;
        self.keys.insert(id, Slot::new(key));
        if activate {
            self.active = id;
        }
    }

    /// Drop a retired key. The active key cannot be removed.
    pub fn remove(&mut self, id: u32) -> Result<(), CryptoError> {
        if id == self.active {
            return Err(CryptoError::UnknownKey(id));
        }
        self.keys.remove(&id);
        Ok(())
    }

    /// Encrypt `plaintext` under the active key, bound to `aad`.
    pub fn seal(&self, aad: &[u8], plaintext: &[u8]) -> Result<Vec<u8>, CryptoError> {
        let slot = self.keys.get(&self.active).ok_or(CryptoError::UnknownKey(self.active))?;
        let mut nonce = [0u8; NONCE_LEN];
        random_bytes(&mut nonce)?;
        let mut out = Vec::with_capacity(SEALED_OVERHEAD + plaintext.len());
        out.push(SEALED_VERSION);
        out.extend_from_slice(&self.active.to_be_bytes());
        out.extend_from_slice(&nonce);
        let body = seal_with(&slot.cipher, &nonce, &full_aad(&out[..5], aad), plaintext)?;
        out.extend_from_slice(&body);
        Ok(out)
    }

    /// Decrypt a sealed value with whichever key it names; `aad` must be what it was sealed with.
    pub fn open(&self, aad: &[u8], sealed: &[u8]) -> Result<Vec<u8>, CryptoError> {
        let id = sealed_key_id(sealed)?;
        let slot = self.keys.get(&id).ok_or(CryptoError::UnknownKey(id))?;
        let mut nonce = [0u8; NONCE_LEN];
        nonce.copy_from_slice(&sealed[5..HEADER_LEN]);
        open_with(&slot.cipher, &nonce, &full_aad(&sealed[..5], aad), &sealed[HEADER_LEN..])
    }

    pub fn seal_str(&self, aad: &str, plaintext: &str) -> Result<Vec<u8>, CryptoError> {
        self.seal(aad.as_bytes(), plaintext.as_bytes())
    }

    pub fn open_str(&self, aad: &str, sealed: &[u8]) -> Result<String, CryptoError> {
        String::from_utf8(self.open(aad.as_bytes(), sealed)?).map_err(|_| CryptoError::Format { what: "UTF-8 text" })
    }

    /// True when `sealed` was written under a key other than the active one (rotation must re-seal it).
    pub fn is_stale(&self, sealed: &[u8]) -> bool {
        sealed_key_id(sealed).map(|id| id != self.active).unwrap_or(true)
    }

    /// Open under its old key and seal again under the active key.
    pub fn reseal(&self, aad: &[u8], sealed: &[u8]) -> Result<Vec<u8>, CryptoError> {
        let mut plain = self.open(aad, sealed)?;
        let out = self.seal(aad, &plain);
        zeroize::Zeroize::zeroize(&mut plain);
        out
    }

    /// The blind index of `value` in `field`: HMAC-SM3 under the index key over
    /// `"bole/bidx/v1/" ‖ field ‖ 0x00 ‖ normalise(value)`. Equal values (after normalisation)
    /// give equal indexes; the field is part of the input, so an ID number and a phone
    /// with the same digits do not collide.
    pub fn blind_index(&self, field: BlindField, value: &str) -> [u8; 32] {
        let normal = field.normalise(value);
        hmac_sm3_parts(&self.index.0, &[b"bole/bidx/v1/", field.label().as_bytes(), &[0], normal.as_bytes()])
    }

    /// [`Keyring::blind_index`] as 64 lowercase hex characters.
    pub fn blind_index_hex(&self, field: BlindField, value: &str) -> String {
        hex::encode(self.blind_index(field, value))
    }
}

fn full_aad(header: &[u8], aad: &[u8]) -> Vec<u8> {
    let mut v = Vec::with_capacity(header.len() + aad.len());
    v.extend_from_slice(header);
    v.extend_from_slice(aad);
    v
}

/// A kind of value that gets a blind index, with its normalisation.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum BlindField {
    /// Identity document numbers: trimmed, inner spaces removed, ASCII upper-cased (`x` → `X`).
    IdNumber,
    /// Phone numbers: trimmed, spaces and dashes removed.
    Phone,
    /// Bank card / account numbers: digits only.
    BankAccount,
}

impl BlindField {
    pub fn label(self) -> &'static str {
        match self {
            Self::IdNumber => "id_number",
            Self::Phone => "phone",
            Self::BankAccount => "bank_account",
        }
    }

    pub fn normalise(self, value: &str) -> String {
        match self {
            Self::IdNumber => value.chars().filter(|c| !c.is_whitespace()).map(|c| c.to_ascii_uppercase()).collect(),
            Self::Phone => value.chars().filter(|c| !c.is_whitespace() && *c != '-').collect(),
            Self::BankAccount => value.chars().filter(char::is_ascii_digit).collect(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::MasterKey;

    const AAD: &str = "employees.id_number:0190a0b0-0000-7000-8000-000000000001";

    #[test]
    fn seal_open_round_trip_and_format() {
        let ring = Keyring::fixed_for_tests("t");
        let sealed = ring.seal_str(AAD, "11010119900307123X").unwrap();
        assert_eq!(sealed.len(), 18 + SEALED_OVERHEAD);
        assert_eq!(sealed[0], SEALED_VERSION);
        assert_eq!(sealed_key_id(&sealed).unwrap(), 1);
        assert_eq!(ring.open_str(AAD, &sealed).unwrap(), "11010119900307123X");
        // Fresh nonce each time.
        assert_ne!(ring.seal_str(AAD, "11010119900307123X").unwrap(), sealed);
        assert!(!sealed.windows(6).any(|w| w == b"110101"));
    }

    #[test]
    fn rejects_other_row_tampering_and_malformed_input() {
        let ring = Keyring::fixed_for_tests("t");
        let sealed = ring.seal_str(AAD, "13800138000").unwrap();
        assert!(matches!(ring.open_str("employees.id_number:other-row", &sealed), Err(CryptoError::Open)));
        assert!(matches!(
            ring.open_str("employees.phone:0190a0b0-0000-7000-8000-000000000001", &sealed),
            Err(CryptoError::Open)
        ));
        for i in 0..sealed.len() {
            let mut bad = sealed.clone();
            bad[i] ^= 0x80;
            assert!(ring.open_str(AAD, &bad).is_err(), "flipping byte {i} must be detected");
        }
        assert!(matches!(ring.open_str(AAD, &sealed[..20]), Err(CryptoError::Format { .. })));
        assert!(matches!(ring.open_str(AAD, b"13800138000"), Err(CryptoError::Format { .. })));
        // A key id the ring does not hold.
        let mut other = sealed.clone();
        other[4] = 9;
        assert!(matches!(ring.open_str(AAD, &other), Err(CryptoError::UnknownKey(9))));
        // Another keyring (other data key) cannot open it.
        assert!(Keyring::fixed_for_tests("u").open_str(AAD, &sealed).is_err());
    }

    #[test]
    fn rotation_keeps_old_values_readable_and_reseals_under_the_new_key() {
        let mut ring = Keyring::fixed_for_tests("t");
        let old = ring.seal_str(AAD, "6222020200112233445").unwrap();
        let bidx = ring.blind_index(BlindField::BankAccount, "6222020200112233445");
        ring.insert(DataKey::generate(2).unwrap(), true);
        assert_eq!(ring.active_id(), 2);
        assert!(ring.is_stale(&old));
        let new = ring.reseal(AAD.as_bytes(), &old).unwrap();
        assert_eq!(sealed_key_id(&new).unwrap(), 2);
        assert!(!ring.is_stale(&new));
        assert_eq!(ring.open_str(AAD, &old).unwrap(), "6222020200112233445");
        assert_eq!(ring.open_str(AAD, &new).unwrap(), "6222020200112233445");
        assert_eq!(ring.blind_index(BlindField::BankAccount, "6222020200112233445"), bidx, "index survives rotation");
        assert!(ring.remove(2).is_err(), "the active key stays");
        ring.remove(1).unwrap();
        assert!(matches!(ring.open_str(AAD, &old), Err(CryptoError::UnknownKey(1))));
        assert_eq!(ring.open_str(AAD, &new).unwrap(), "6222020200112233445");
    }

    #[test]
    fn keyring_from_wrapped_keys() {
        let master = MasterKey::generate().unwrap();
        let (k1, k2, ik) =
            (DataKey::generate(1).unwrap(), DataKey::generate(2).unwrap(), IndexKey::generate().unwrap());
        let stored = [(1, master.wrap_data_key(&k1).unwrap()), (2, master.wrap_data_key(&k2).unwrap())];
        let wrapped_index = master.wrap_index_key(&ik).unwrap();
        let keys = stored.iter().map(|(id, w)| master.unwrap_data_key(*id, w)).collect::<Result<Vec<_>, _>>().unwrap();
        let ring = Keyring::new(keys, 2, master.unwrap_index_key(&wrapped_index).unwrap()).unwrap();
        assert_eq!(ring.key_ids().collect::<Vec<_>>(), [1, 2]);
        let sealed = ring.seal_str(AAD, "x").unwrap();
        assert_eq!(sealed_key_id(&sealed).unwrap(), 2);
        assert!(Keyring::new(Vec::new(), 1, ik).is_err());
    }

    #[test]
    fn blind_index_is_deterministic_normalised_and_field_separated() {
        let ring = Keyring::fixed_for_tests("t");
        let a = ring.blind_index(BlindField::IdNumber, "11010119900307123X");
        assert_eq!(a, ring.blind_index(BlindField::IdNumber, " 11010119900307123x "));
        assert_ne!(a, ring.blind_index(BlindField::IdNumber, "110101199003071234"));
        assert_eq!(ring.blind_index_hex(BlindField::IdNumber, "11010119900307123X"), hex::encode(a));
        assert_eq!(
            ring.blind_index(BlindField::Phone, "138-0013-8000"),
            ring.blind_index(BlindField::Phone, "13800138000")
        );
        assert_ne!(
            ring.blind_index(BlindField::Phone, "13800138000"),
            ring.blind_index(BlindField::IdNumber, "13800138000")
        );
        assert_eq!(
            ring.blind_index(BlindField::BankAccount, "6222 0202 0011 2233 445"),
            ring.blind_index(BlindField::BankAccount, "6222020200112233445")
        );
        // Another index key gives unrelated indexes.
        assert_ne!(a, Keyring::fixed_for_tests("u").blind_index(BlindField::IdNumber, "11010119900307123X"));
    }
}
