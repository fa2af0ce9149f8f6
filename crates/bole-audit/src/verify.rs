//! Verification of a stored chain: fed the records in `seq` order (in batches,
//! never all at once), it names the **first** broken link and what broke it.
//!
//! At each step the verifier expects record `E` chained to `P` (the stored hash
//! of the record before, or the anchor's, or genesis). What it finds decides:
//!
//! | found | kind | seq named |
//! |---|---|---|
//! | `seq < E` (a duplicate, or a record before the anchor) | inserted | that seq |
//! | `seq > E`, with `E` inside the head | deleted | `E` (the first missing) |
//! | `seq` beyond the committed head (`audit_head`) | inserted | that seq |
//! | content does not give the stored hash, the next record chains to `P` | inserted | `E` (the next one skips it) |
//! | content does not give the stored hash, otherwise | edited | `E` |
//! | hash fine, `prev_hash ≠ P` but equal to the previous record's own `prev_hash` | inserted | `E − 1` |
//! | `prev_hash ≠ P` otherwise (with or without a hash mismatch: renumbered after a deletion, or the record before was replaced) | deleted | `E` |
//! | the stream ends before the head, or a valid checkpoint lies beyond it | deleted | first missing |
//! | the last hash differs from the head's | edited | head seq |
//! | a checkpoint whose signature fails or whose key is not trusted | bad signature | its seq |
//! | a valid checkpoint whose hash differs from the (self-consistent) chain | rewritten | after the last good checkpoint, up to it |
//!
//! The last row is why checkpoints exist: whoever can write the database can
//! edit a record and recompute every later hash and the head; only a signature
//! made with a key outside the database then disagrees. Records after the newest
//! checkpoint are protected by the chain alone until the next checkpoint.

use crate::chain::{ChainHash, ChainHead, StoredRecord, genesis};
use crate::sign::{Anchor, Checkpoint, TrustedKeys};
use bole_core::Msg;
use serde::{Deserialize, Serialize};

/// What broke a link.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum BreakKind {
    /// The record's content no longer produces its hash.
    Edited,
    /// A record is missing: a gap in the sequence, or a record chained to one that is gone.
    Deleted,
    /// A record that was never appended: a duplicate, or beyond the chain head.
    Inserted,
    /// The chain agrees with itself but not with a signed checkpoint: records were rewritten.
    Rewritten,
    /// A checkpoint or the purge anchor whose signature fails or whose key is not trusted.
    BadSignature,
}

impl BreakKind {
    pub fn as_str(&self) -> &'static str {
        match self {
            BreakKind::Edited => "edited",
            BreakKind::Deleted => "deleted",
            BreakKind::Inserted => "inserted",
            BreakKind::Rewritten => "rewritten",
            BreakKind::BadSignature => "bad_signature",
        }
    }
}

/// The first broken link.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct ChainBreak {
    /// The first record that is not what the chain says (for `rewritten`: the first that may be).
    pub seq: i64,
    pub kind: BreakKind,
    /// For `rewritten`: the signed checkpoint that disagrees; the rewrite lies in `seq..=checkpoint_seq`.
    pub checkpoint_seq: Option<i64>,
    /// What happened, in both languages.
    pub message: Msg,
}

impl ChainBreak {
    fn new(seq: i64, kind: BreakKind, checkpoint_seq: Option<i64>) -> Self {
        let message = match kind {
            BreakKind::Edited => Msg::new(
                format!("第 {seq} 条审计记录被修改：内容与其哈希不符"),
                format!("audit record {seq} was edited: its content no longer matches its hash"),
            ),
            BreakKind::Deleted => Msg::new(
                format!("第 {seq} 条审计记录被删除：序号断档，或后一条记录链接到已不存在的记录"),
                format!(
                    "audit record {seq} was deleted: the sequence has a gap there, or the next record is chained to a record that is gone"
                ),
            ),
            BreakKind::Inserted => Msg::new(
                format!("第 {seq} 条审计记录是插入的：它不属于审计链"),
                format!("audit record {seq} was inserted: it is not part of the chain"),
            ),
            BreakKind::Rewritten => {
                let to = checkpoint_seq.unwrap_or(seq);
                Msg::new(
                    format!("第 {seq}–{to} 条审计记录被改写：审计链与第 {to} 条的签名检查点不符"),
                    format!(
                        "audit records {seq}–{to} were rewritten: the chain no longer matches the signed checkpoint at {to}"
                    ),
                )
            }
            BreakKind::BadSignature => Msg::new(
                format!("第 {seq} 条处的检查点签名无效，或签名密钥不受信任"),
                format!("the signature of the checkpoint at {seq} is invalid or made with an untrusted key"),
            ),
        };
        Self { seq, kind, checkpoint_seq, message }
    }
}

/// The outcome of a verification.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct VerifyReport {
    /// True when every link and every checkpoint checked out.
    pub ok: bool,
    /// Records checked.
    pub records: u64,
    pub first_seq: Option<i64>,
    pub last_seq: Option<i64>,
    /// The head the verification ran against.
    pub head: ChainHead,
    /// Where the chain starts after a purge (records up to it were removed).
    pub anchor_seq: Option<i64>,
    /// Signed checkpoints whose signature and hash were confirmed.
    pub checkpoints: u64,
    /// The newest confirmed checkpoint: note it outside Bole to pin the chain.
    pub last_checkpoint_seq: Option<i64>,
    pub broken: Option<ChainBreak>,
}

#[derive(Clone, Copy, Debug)]
struct Pending {
    seq: i64,
    expected_prev: ChainHash,
}

/// A streaming verifier: [`push`](ChainVerifier::push) each record in `seq` order,
/// then [`finish`](ChainVerifier::finish).
#[derive(Debug)]
pub struct ChainVerifier {
    trusted: TrustedKeys,
    head: ChainHead,
    anchor_seq: Option<i64>,
    expected: i64,
    prev: ChainHash,
    /// `prev_hash` of the last accepted record: a record chained to the same predecessor
    /// exposes the accepted one as an insertion.
    prev_prev: Option<ChainHash>,
    pending: Option<Pending>,
    /// Checkpoints after the start, ascending; `next_cp` indexes the first not yet reached.
    checkpoints: Vec<Checkpoint>,
    next_cp: usize,
    last_good_cp: i64,
    confirmed: u64,
    records: u64,
    first_seq: Option<i64>,
    beyond: Option<i64>,
    broken: Option<ChainBreak>,
}

/// One stored row as the store hands it to verification.
#[derive(Clone, Debug, PartialEq, Eq)]
#[expect(clippy::large_enum_variant, reason = "nearly every row is a Record; boxing would allocate per row")]
pub enum ChainItem {
    Record(StoredRecord),
    /// A row whose columns no longer decode (bad JSON, unknown outcome, malformed hash):
    /// it was changed in the database. Stores MUST return these, not fail.
    Unreadable {
        seq: i64,
    },
}

impl ChainItem {
    pub fn seq(&self) -> i64 {
        match self {
            ChainItem::Record(r) => r.seq,
            ChainItem::Unreadable { seq } => *seq,
        }
    }
}

impl ChainVerifier {
    /// Start after `anchor` (or at genesis), against the committed `head`.
    pub fn new(anchor: Option<&Anchor>, head: ChainHead, checkpoints: Vec<Checkpoint>, trusted: TrustedKeys) -> Self {
        let (start, prev) = anchor.map_or((0, genesis()), |a| (a.seq, a.hash));
        let mut v = ChainVerifier {
            trusted,
            head,
            anchor_seq: anchor.map(|a| a.seq),
            expected: start + 1,
            prev,
            prev_prev: None,
            pending: None,
            checkpoints: Vec::new(),
            next_cp: 0,
            last_good_cp: start,
            confirmed: 0,
            records: 0,
            first_seq: None,
            beyond: None,
            broken: None,
        };
        if let Some(a) = anchor
            && !a.signature_valid(&v.trusted)
        {
            v.broken = Some(ChainBreak::new(a.seq, BreakKind::BadSignature, None));
            return v;
        }
        let mut cps = checkpoints;
        cps.sort_by_key(|c| c.seq);
        for cp in cps {
            if cp.seq > start {
                v.checkpoints.push(cp);
                continue;
            }
            // At or before the anchor: the records are gone; the signature and, at the anchor
            // itself, the hash can still be checked.
            if !cp.signature_valid(&v.trusted) {
                v.broken = Some(ChainBreak::new(cp.seq, BreakKind::BadSignature, None));
                return v;
            }
            if cp.seq == start && cp.hash != prev {
                v.broken = Some(ChainBreak::new(start, BreakKind::Rewritten, Some(start)));
                return v;
            }
        }
        v
    }

    /// Resume from a position already trusted (the newest checkpoint) to check the records
    /// after it, e.g. before signing the next checkpoint. No signature is involved.
    pub fn resume(seq: i64, hash: ChainHash, head: ChainHead) -> Self {
        let mut v = Self::new(None, head, Vec::new(), TrustedKeys::default());
        v.expected = seq + 1;
        v.prev = hash;
        v.last_good_cp = seq;
        v
    }

    /// True once a break was found; further records change nothing.
    pub fn is_broken(&self) -> bool {
        self.broken.is_some()
    }

    fn fail(&mut self, seq: i64, kind: BreakKind) {
        self.broken = Some(ChainBreak::new(seq, kind, None));
    }

    /// Check the next stored row in seq order. Returns false once the chain is known to be broken.
    pub fn push_item(&mut self, item: &ChainItem) -> bool {
        match item {
            ChainItem::Record(r) => self.push(r),
            ChainItem::Unreadable { seq } => {
                if self.placed(*seq, None) {
                    // A row that no longer decodes was changed in the database.
                    self.fail(*seq, BreakKind::Edited);
                }
                false
            }
        }
    }

    /// Resolve a pending mismatch and check that `seq` is the expected position.
    /// Returns false (with the break recorded) when it is not.
    fn placed(&mut self, seq: i64, prev_hash: Option<ChainHash>) -> bool {
        if self.broken.is_some() {
            return false;
        }
        if let Some(p) = self.pending.take() {
            let kind = if prev_hash == Some(p.expected_prev) { BreakKind::Inserted } else { BreakKind::Edited };
            self.fail(p.seq, kind);
            return false;
        }
        let e = self.expected;
        if seq < e {
            self.fail(seq, BreakKind::Inserted);
            return false;
        }
        if seq > e && e <= self.head.seq {
            self.fail(e, BreakKind::Deleted);
            return false;
        }
        if seq > self.head.seq {
            self.fail(seq, BreakKind::Inserted);
            return false;
        }
        true
    }

    /// A row at `seq` exists beyond the head as it stands *now* (read after the row):
    /// no append committed it, so it was inserted behind the chain's back.
    pub fn beyond_head(&mut self, seq: i64) {
        self.beyond.get_or_insert(seq);
    }

    /// Check the next record in seq order. Returns false once the chain is known to be broken.
    pub fn push(&mut self, r: &StoredRecord) -> bool {
        if !self.placed(r.seq, Some(r.prev_hash)) {
            return false;
        }
        let e = self.expected;
        let prev_ok = r.prev_hash == self.prev;
        if !prev_ok && self.prev_prev == Some(r.prev_hash) {
            self.fail(e - 1, BreakKind::Inserted);
            return false;
        }
        if !r.hash_matches() {
            if prev_ok {
                // Edited, or a forged record the next one skips: the next record tells.
                self.pending = Some(Pending { seq: e, expected_prev: self.prev });
                return true;
            }
            self.fail(e, BreakKind::Deleted);
            return false;
        }
        if !prev_ok {
            self.fail(e, BreakKind::Deleted);
            return false;
        }
        self.records += 1;
        self.first_seq.get_or_insert(r.seq);
        self.prev_prev = Some(r.prev_hash);
        self.prev = r.hash;
        self.expected = e + 1;
        self.reach_checkpoints(r.seq, r.hash);
        self.broken.is_none()
    }

    fn reach_checkpoints(&mut self, seq: i64, hash: ChainHash) {
        while let Some(cp) = self.checkpoints.get(self.next_cp) {
            if cp.seq > seq {
                break;
            }
            self.next_cp += 1;
            if !cp.signature_valid(&self.trusted) {
                self.broken = Some(ChainBreak::new(cp.seq, BreakKind::BadSignature, None));
                return;
            }
            if cp.hash != hash {
                self.broken = Some(ChainBreak::new(self.last_good_cp + 1, BreakKind::Rewritten, Some(cp.seq)));
                return;
            }
            self.last_good_cp = cp.seq;
            self.confirmed += 1;
        }
    }

    /// After the last record: the tail, the head and checkpoints beyond the records.
    pub fn finish(mut self) -> VerifyReport {
        if self.broken.is_none() {
            if let Some(p) = self.pending.take() {
                self.fail(p.seq, BreakKind::Edited);
            } else if self.expected <= self.head.seq {
                self.fail(self.expected, BreakKind::Deleted);
            } else if self.prev != self.head.hash {
                self.fail(self.head.seq, BreakKind::Edited);
            } else if let Some(seq) = self.beyond {
                self.fail(seq, BreakKind::Inserted);
            } else if let Some(cp) = self.checkpoints.get(self.next_cp).cloned() {
                // A checkpoint past the last record: if genuine, records up to it existed.
                let kind = if cp.signature_valid(&self.trusted) { BreakKind::Deleted } else { BreakKind::BadSignature };
                let seq = if kind == BreakKind::Deleted { self.expected } else { cp.seq };
                self.fail(seq, kind);
            }
        }
        let last_seq = (self.records > 0).then_some(self.expected - 1);
        VerifyReport {
            ok: self.broken.is_none(),
            records: self.records,
            first_seq: self.first_seq,
            last_seq,
            head: self.head,
            anchor_seq: self.anchor_seq,
            checkpoints: self.confirmed,
            last_checkpoint_seq: (self.confirmed > 0).then_some(self.last_good_cp),
            broken: self.broken,
        }
    }
}

/// Verify a whole chain held in memory (tests, small exports).
pub fn verify_records<'a>(
    anchor: Option<&Anchor>,
    head: ChainHead,
    checkpoints: Vec<Checkpoint>,
    trusted: TrustedKeys,
    records: impl IntoIterator<Item = &'a StoredRecord>,
) -> VerifyReport {
    let mut v = ChainVerifier::new(anchor, head, checkpoints, trusted);
    for r in records {
        if !v.push(r) {
            break;
        }
    }
    v.finish()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::chain::extend;
    use crate::chain::tests::event;
    use crate::sign::Signer;
    use chrono::{DateTime, Utc};

    fn now() -> DateTime<Utc> {
        DateTime::from_timestamp(1_740_000_000, 0).unwrap()
    }

    struct Fixture {
        signer: Signer,
        records: Vec<StoredRecord>,
        checkpoints: Vec<Checkpoint>,
    }

    impl Fixture {
        /// `n` records with a checkpoint every `every`.
        fn new(n: u32, every: i64) -> Self {
            let signer = Signer::generate().unwrap();
            let events: Vec<_> = (1..=n).map(event).collect();
            let records = extend(0, genesis(), &events);
            let checkpoints = records
                .iter()
                .filter(|r| r.seq % every == 0)
                .map(|r| signer.checkpoint(r.seq, r.hash, now()))
                .collect();
            Fixture { signer, records, checkpoints }
        }

        fn head(&self) -> ChainHead {
            self.records
                .last()
                .map_or(ChainHead { seq: 0, hash: genesis() }, |r| ChainHead { seq: r.seq, hash: r.hash })
        }

        fn verify(&self, records: &[StoredRecord]) -> VerifyReport {
            self.verify_with_head(records, self.head())
        }

        fn verify_with_head(&self, records: &[StoredRecord], head: ChainHead) -> VerifyReport {
            verify_records(None, head, self.checkpoints.clone(), TrustedKeys::of(&self.signer), records)
        }
    }

    fn broken(r: &VerifyReport) -> (i64, BreakKind) {
        let b = r.broken.as_ref().expect("a break");
        (b.seq, b.kind)
    }

    /// Recompute every hash from `from` on, as an attacker with database access would.
    fn rechain(records: &mut [StoredRecord], from: usize) {
        for i in from..records.len() {
            if i > 0 {
                records[i].prev_hash = records[i - 1].hash;
            }
            records[i].hash = crate::chain::link(&records[i].prev_hash, records[i].seq, &records[i].event);
        }
    }

    fn head_of(records: &[StoredRecord]) -> ChainHead {
        let last = records.last().unwrap();
        ChainHead { seq: last.seq, hash: last.hash }
    }

    #[test]
    fn an_intact_chain_verifies() {
        let f = Fixture::new(25, 10);
        let r = f.verify(&f.records);
        assert!(r.ok, "{r:?}");
        assert_eq!((r.records, r.first_seq, r.last_seq), (25, Some(1), Some(25)));
        assert_eq!((r.checkpoints, r.last_checkpoint_seq), (2, Some(20)));

        let empty = verify_records(None, ChainHead { seq: 0, hash: genesis() }, vec![], TrustedKeys::default(), []);
        assert!(empty.ok);
        assert_eq!(empty.records, 0);
    }

    #[test]
    fn an_edited_record_is_named() {
        let f = Fixture::new(25, 10);
        let mut recs = f.records.clone();
        recs[6].event.action = "employee.read".into();
        assert_eq!(broken(&f.verify(&recs)), (7, BreakKind::Edited));

        // The last record: nothing follows to tell, still an edit.
        let mut recs = f.records.clone();
        recs[24].event.fields.clear();
        assert_eq!(broken(&f.verify(&recs)), (25, BreakKind::Edited));

        // Edited and its own hash recomputed: the next link breaks.
        let mut recs = f.records.clone();
        recs[6].event.actor_name = "someone.else".into();
        recs[6].hash = crate::chain::link(&recs[6].prev_hash, 7, &recs[6].event);
        assert_eq!(broken(&f.verify(&recs)), (8, BreakKind::Deleted));

        // ... and if it is the last record, the head disagrees.
        let mut recs = f.records.clone();
        recs[24].event.actor_name = "someone.else".into();
        rechain(&mut recs, 24);
        assert_eq!(broken(&f.verify(&recs)), (25, BreakKind::Edited));
    }

    #[test]
    fn a_deleted_record_is_named() {
        let f = Fixture::new(25, 10);
        let mut recs = f.records.clone();
        recs.remove(11);
        assert_eq!(broken(&f.verify(&recs)), (12, BreakKind::Deleted));

        // The tail, head untouched.
        let mut recs = f.records.clone();
        recs.truncate(22);
        assert_eq!(broken(&f.verify(&recs)), (23, BreakKind::Deleted));

        // Deleted and the rest renumbered: the renumbered record no longer hashes, nor links.
        let mut recs = f.records.clone();
        recs.remove(11);
        for r in &mut recs[11..] {
            r.seq -= 1;
        }
        let head = ChainHead { seq: 24, hash: recs[23].hash };
        assert_eq!(broken(&f.verify_with_head(&recs, head)), (12, BreakKind::Deleted));

        // Tail deleted and the head rewound: the signed checkpoint at 20 proves records existed.
        let mut recs = f.records.clone();
        recs.truncate(15);
        assert_eq!(broken(&f.verify_with_head(&recs, head_of(&recs))), (16, BreakKind::Deleted));
    }

    #[test]
    fn an_inserted_record_is_named() {
        let f = Fixture::new(25, 10);
        // Appended beyond the head, even with a correct hash.
        let mut recs = f.records.clone();
        let extra = extend(25, recs[24].hash, &[event(99)]);
        recs.extend(extra);
        assert_eq!(broken(&f.verify(&recs)), (26, BreakKind::Inserted));

        // A duplicate seq (only possible where the key was dropped).
        let mut recs = f.records.clone();
        let dup = recs[4].clone();
        recs.insert(5, dup);
        assert_eq!(broken(&f.verify(&recs)), (5, BreakKind::Inserted));

        // Slipped into the middle with the rest renumbered: the next record skips it.
        let mut recs = f.records.clone();
        let forged = extend(4, recs[3].hash, &[event(77)]).remove(0);
        recs.insert(4, forged);
        for r in &mut recs[5..] {
            r.seq += 1;
        }
        let head = ChainHead { seq: 26, hash: recs[25].hash };
        assert_eq!(broken(&f.verify_with_head(&recs, head)), (5, BreakKind::Inserted));

        // The same with a carelessly made hash.
        let mut recs = f.records.clone();
        let mut forged = extend(4, recs[3].hash, &[event(77)]).remove(0);
        forged.hash = ChainHash([9; 32]);
        recs.insert(4, forged);
        for r in &mut recs[5..] {
            r.seq += 1;
        }
        assert_eq!(broken(&f.verify_with_head(&recs, head)), (5, BreakKind::Inserted));
    }

    #[test]
    fn a_consistent_rewrite_is_caught_by_the_signed_checkpoint() {
        let f = Fixture::new(25, 10);
        let mut recs = f.records.clone();
        recs[14].event.action = "employee.read".into();
        rechain(&mut recs, 14);
        let r = f.verify_with_head(&recs, head_of(&recs));
        assert_eq!(broken(&r), (11, BreakKind::Rewritten));
        assert_eq!(r.broken.as_ref().unwrap().checkpoint_seq, Some(20));
        assert!(r.broken.as_ref().unwrap().message.en.contains("11–20"));

        // Without checkpoints the same rewrite is invisible: that is what they are for.
        let bare = verify_records(None, head_of(&recs), vec![], TrustedKeys::of(&f.signer), &recs);
        assert!(bare.ok);
    }

    #[test]
    fn forged_checkpoints_are_refused() {
        let f = Fixture::new(25, 10);
        let mut recs = f.records.clone();
        recs[14].event.action = "employee.read".into();
        rechain(&mut recs, 14);
        // The attacker re-signs with their own key.
        let attacker = Signer::generate().unwrap();
        let cps: Vec<_> =
            recs.iter().filter(|r| r.seq % 10 == 0).map(|r| attacker.checkpoint(r.seq, r.hash, now())).collect();
        let r = verify_records(None, head_of(&recs), cps, TrustedKeys::of(&f.signer), &recs);
        assert_eq!(broken(&r), (10, BreakKind::BadSignature));
    }

    #[test]
    fn verification_starts_at_a_signed_anchor() {
        let f = Fixture::new(25, 10);
        let anchor = f.signer.anchor(10, f.records[9].hash, now(), now());
        let rest = &f.records[10..];
        let cps: Vec<_> = f.checkpoints.iter().filter(|c| c.seq > 10).cloned().collect();
        let r = verify_records(Some(&anchor), f.head(), cps.clone(), TrustedKeys::of(&f.signer), rest);
        assert!(r.ok, "{r:?}");
        assert_eq!((r.records, r.first_seq, r.anchor_seq), (15, Some(11), Some(10)));

        // A forged anchor (an attacker "purging" evidence) is refused.
        let attacker = Signer::generate().unwrap();
        let fake = attacker.anchor(12, f.records[11].hash, now(), now());
        let r = verify_records(Some(&fake), f.head(), cps.clone(), TrustedKeys::of(&f.signer), &f.records[12..]);
        assert_eq!(broken(&r), (12, BreakKind::BadSignature));

        // Records older than the anchor left behind are not part of the chain.
        let r = verify_records(Some(&anchor), f.head(), cps, TrustedKeys::of(&f.signer), &f.records[9..]);
        assert_eq!(broken(&r), (10, BreakKind::Inserted));
    }

    #[test]
    fn batches_give_the_same_answer_as_one_pass() {
        let f = Fixture::new(25, 10);
        let mut recs = f.records.clone();
        recs[16].event.subject_ids.push("x".into());
        let mut v = ChainVerifier::new(None, f.head(), f.checkpoints.clone(), TrustedKeys::of(&f.signer));
        for batch in recs.chunks(4) {
            if !batch.iter().all(|r| v.push(r)) {
                break;
            }
        }
        assert_eq!(broken(&v.finish()), (17, BreakKind::Edited));
    }
}
