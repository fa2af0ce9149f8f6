//! The hash chain: one canonical byte encoding per stored record and
//! `hash = SM3(prev_hash ‖ encoding)`, starting from a fixed genesis hash.
//!
//! The encoding is versioned and unambiguous: every variable-length value is
//! length-prefixed (u32, big-endian), optional values carry a presence byte and
//! lists a count, so no two different records encode to the same bytes (no
//! `"ab" + "c"` = `"a" + "bc"` collisions). The instant is RFC 3339 in UTC with
//! exactly six fractional digits, the precision both engines store; events are
//! truncated to it *before* hashing ([`normalize_at`]) so what is stored is what
//! was hashed. Changing anything here invalidates every stored chain: add a new
//! version tag instead.

use bole_core::{AuditEvent, Outcome};
use chrono::{DateTime, SecondsFormat, Timelike, Utc};
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use sm3::{Digest, Sm3};
use std::fmt;

/// Domain-separation tag of the record encoding, version 1.
const RECORD_TAG: &[u8] = b"bole.audit.record.v1";
/// Hashed once to give the fixed predecessor of the first record.
const GENESIS_LABEL: &[u8] = b"bole.audit.genesis.v1";

/// An SM3 digest: a record's hash, its predecessor's, a checkpoint's.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ChainHash(pub [u8; 32]);

impl ChainHash {
    /// Lowercase hex, 64 characters: how hashes are stored and shown.
    pub fn to_hex(&self) -> String {
        hex(&self.0)
    }

    /// Parse 64 hex digits (either case).
    pub fn from_hex(s: &str) -> Option<ChainHash> {
        let bytes = unhex(s)?;
        <[u8; 32]>::try_from(bytes.as_slice()).ok().map(ChainHash)
    }
}

impl fmt::Display for ChainHash {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.to_hex())
    }
}

impl fmt::Debug for ChainHash {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "ChainHash({})", self.to_hex())
    }
}

impl Serialize for ChainHash {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.to_hex())
    }
}

impl<'de> Deserialize<'de> for ChainHash {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        ChainHash::from_hex(&s).ok_or_else(|| serde::de::Error::custom("expected 64 hex digits"))
    }
}

impl utoipa::PartialSchema for ChainHash {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        utoipa::openapi::ObjectBuilder::new()
            .schema_type(utoipa::openapi::schema::Type::String)
            .description(Some("SM3 摘要（64位十六进制） — SM3 digest, 64 lowercase hex digits"))
            .min_length(Some(64))
            .max_length(Some(64))
            .into()
    }
}

impl utoipa::ToSchema for ChainHash {}

/// [`genesis`] in hex, for SQL that seeds `audit_head` (a test keeps them equal).
pub const GENESIS_HEX: &str = "f2cabb70d68a7858b3f3d5145e345561d79021f0209c1a904cadc22aea8e3fc7";

/// Lowercase hex of some bytes.
pub fn hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut s = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        s.push(char::from(DIGITS[usize::from(b >> 4)]));
        s.push(char::from(DIGITS[usize::from(b & 0x0f)]));
    }
    s
}

/// Bytes of an even-length hex string, or None.
pub fn unhex(s: &str) -> Option<Vec<u8>> {
    let s = s.trim().as_bytes();
    if !s.len().is_multiple_of(2) {
        return None;
    }
    fn nibble(c: u8) -> Option<u8> {
        match c {
            b'0'..=b'9' => Some(c - b'0'),
            b'a'..=b'f' => Some(c - b'a' + 10),
            b'A'..=b'F' => Some(c - b'A' + 10),
            _ => None,
        }
    }
    s.chunks(2).map(|p| Some((nibble(p[0])? << 4) | nibble(p[1])?)).collect()
}

/// The fixed predecessor of record 1: `SM3("bole.audit.genesis.v1")`.
pub fn genesis() -> ChainHash {
    ChainHash(Sm3::digest(GENESIS_LABEL).into())
}

/// Truncate an instant to whole microseconds, the precision both engines store.
pub fn normalize_at(at: DateTime<Utc>) -> DateTime<Utc> {
    let nanos = at.nanosecond();
    at.with_nanosecond(nanos - nanos % 1_000).unwrap_or(at)
}

/// The instant as it is encoded: `2025-01-31T08:00:00.123456Z`.
pub fn format_at(at: DateTime<Utc>) -> String {
    normalize_at(at).to_rfc3339_opts(SecondsFormat::Micros, true)
}

/// One record as it is kept: its place in the chain, the event, and both hashes.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct StoredRecord {
    /// Position in the chain, from 1, without gaps.
    pub seq: i64,
    #[serde(flatten)]
    pub event: AuditEvent,
    pub prev_hash: ChainHash,
    pub hash: ChainHash,
}

impl StoredRecord {
    /// True when the record's content still produces its stored hash.
    pub fn hash_matches(&self) -> bool {
        link(&self.prev_hash, self.seq, &self.event) == self.hash
    }
}

fn put_bytes(out: &mut Vec<u8>, b: &[u8]) {
    // A u32 prefix cannot overflow for anything a database column holds; saturate rather than wrap.
    let len = u32::try_from(b.len()).unwrap_or(u32::MAX);
    out.extend_from_slice(&len.to_be_bytes());
    out.extend_from_slice(b);
}

fn put_opt(out: &mut Vec<u8>, v: Option<&str>) {
    match v {
        None => out.push(0),
        Some(s) => {
            out.push(1);
            put_bytes(out, s.as_bytes());
        }
    }
}

fn put_list(out: &mut Vec<u8>, items: &[String]) {
    let n = u32::try_from(items.len()).unwrap_or(u32::MAX);
    out.extend_from_slice(&n.to_be_bytes());
    for i in items {
        put_bytes(out, i.as_bytes());
    }
}

/// The canonical bytes of record `seq` holding `event` (see the module docs).
pub fn encode(seq: i64, event: &AuditEvent) -> Vec<u8> {
    let mut out = Vec::with_capacity(256);
    put_bytes(&mut out, RECORD_TAG);
    out.extend_from_slice(&seq.to_be_bytes());
    put_bytes(&mut out, format_at(event.at).as_bytes());
    put_opt(&mut out, event.actor_id.map(|a| a.0.hyphenated().to_string()).as_deref());
    put_bytes(&mut out, event.actor_name.as_bytes());
    put_opt(&mut out, event.ip.as_deref());
    put_opt(&mut out, event.user_agent.as_deref());
    put_bytes(&mut out, event.action.as_bytes());
    put_bytes(&mut out, event.subject_type.as_bytes());
    put_list(&mut out, &event.subject_ids);
    put_list(&mut out, &event.fields);
    put_bytes(&mut out, outcome_code(event.outcome).as_bytes());
    out
}

fn outcome_code(o: Outcome) -> &'static str {
    o.as_str()
}

/// `SM3(prev ‖ encode(seq, event))`: the hash of record `seq`.
pub fn link(prev: &ChainHash, seq: i64, event: &AuditEvent) -> ChainHash {
    let mut h = Sm3::new();
    h.update(prev.0);
    h.update(encode(seq, event));
    ChainHash(h.finalize().into())
}

/// Link `events` after `(prev_seq, prev)`: the records an append stores, in order.
pub fn extend(prev_seq: i64, prev: ChainHash, events: &[AuditEvent]) -> Vec<StoredRecord> {
    let mut prev = prev;
    let mut out = Vec::with_capacity(events.len());
    for (seq, e) in (prev_seq + 1..).zip(events) {
        let mut event = e.clone();
        event.at = normalize_at(event.at);
        let hash = link(&prev, seq, &event);
        out.push(StoredRecord { seq, event, prev_hash: prev, hash });
        prev = hash;
    }
    out
}

/// The last committed position of the chain (`audit_head`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct ChainHead {
    pub seq: i64,
    pub hash: ChainHash,
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use bole_core::UserId;
    use chrono::TimeZone;

    pub(crate) fn event(i: u32) -> AuditEvent {
        AuditEvent {
            at: Utc.with_ymd_and_hms(2025, 3, 1, 8, 0, 0).single().unwrap() + chrono::TimeDelta::seconds(i64::from(i)),
            actor_id: Some(UserId(uuid::Uuid::from_u128(7))),
            actor_name: "hr.li".into(),
            ip: Some("10.0.0.8".into()),
            user_agent: None,
            action: "employee.update".into(),
            subject_type: "employee".into(),
            subject_ids: vec![format!("e{i}")],
            fields: vec!["phone".into(), "address".into()],
            outcome: Outcome::Success,
        }
    }

    #[test]
    fn sm3_matches_the_standard_vector() {
        // GB/T 32905-2016 Appendix A.1: SM3("abc").
        assert_eq!(hex(&Sm3::digest(b"abc")), "66c7f0f462eeedd9d1f2d46bdc10e4e24167c4875cf2f7a2297da02b8f4ba8e0");
    }

    #[test]
    fn hex_round_trips() {
        let g = genesis();
        assert_eq!(ChainHash::from_hex(&g.to_hex()), Some(g));
        assert_eq!(ChainHash::from_hex(&g.to_hex().to_uppercase()), Some(g));
        assert_eq!(ChainHash::from_hex("abc"), None);
        assert_eq!(ChainHash::from_hex(&"zz".repeat(32)), None);
        assert_eq!(ChainHash::from_hex(&"00".repeat(31)), None);
    }

    #[test]
    fn the_genesis_hash_is_fixed() {
        // bole-store's 0005_audit migration seeds audit_head with this value.
        assert_eq!(genesis().to_hex(), GENESIS_HEX);
        assert_eq!(genesis(), ChainHash(Sm3::digest(b"bole.audit.genesis.v1").into()));
    }

    #[test]
    fn the_encoding_is_unambiguous() {
        let mut a = event(1);
        let mut b = event(1);
        a.subject_ids = vec!["ab".into(), "c".into()];
        b.subject_ids = vec!["a".into(), "bc".into()];
        assert_ne!(encode(1, &a), encode(1, &b));
        a.subject_ids = vec!["x".into()];
        b.subject_ids = vec![];
        b.fields = vec!["x".into(), "phone".into(), "address".into()];
        assert_ne!(encode(1, &a), encode(1, &b));
        let mut c = event(1);
        c.ip = None;
        c.user_agent = Some("10.0.0.8".into());
        assert_ne!(encode(1, &event(1)), encode(1, &c));
        let mut d = event(1);
        d.ip = Some(String::new());
        let mut e = event(1);
        e.ip = None;
        assert_ne!(encode(1, &d), encode(1, &e));
        assert_ne!(encode(1, &event(1)), encode(2, &event(1)));
    }

    #[test]
    fn time_is_hashed_at_microsecond_precision() {
        let mut e = event(1);
        e.at += chrono::TimeDelta::nanoseconds(123_456_789);
        assert_eq!(format_at(e.at), "2025-03-01T08:00:01.123456Z");
        let mut f = e.clone();
        f.at = normalize_at(f.at);
        assert_eq!(link(&genesis(), 1, &e), link(&genesis(), 1, &f));
    }

    #[test]
    fn extend_links_each_record_to_the_previous_one() {
        let recs = extend(0, genesis(), &[event(1), event(2), event(3)]);
        assert_eq!(recs.iter().map(|r| r.seq).collect::<Vec<_>>(), vec![1, 2, 3]);
        assert_eq!(recs[0].prev_hash, genesis());
        assert_eq!(recs[1].prev_hash, recs[0].hash);
        assert_eq!(recs[2].prev_hash, recs[1].hash);
        assert!(recs.iter().all(StoredRecord::hash_matches));
        let mut tampered = recs[1].clone();
        tampered.event.action = "employee.read".into();
        assert!(!tampered.hash_matches());
    }
}
