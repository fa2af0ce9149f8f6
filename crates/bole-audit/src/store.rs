//! The port the audit service reads and maintains the trail through. Appending
//! is [`bole_core::AuditLog`] (a supertrait): domain writes append inside their
//! own transaction through the adapter directly; everything else goes through
//! `AuditLog::append`, which MUST link into the same chain under the same lock.

use crate::chain::{ChainHash, ChainHead, StoredRecord};
use crate::error::AuditError;
use crate::sign::{Anchor, Checkpoint};
use crate::verify::ChainItem;
use async_trait::async_trait;
use bole_core::{AuditEvent, AuditLog, Outcome, Page, PageRequest, UserId};
use chrono::{DateTime, Utc};

/// Which records a search or an export covers. Every filter is optional; they combine with AND.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct AuditFilter {
    /// At or after this instant.
    pub from: Option<DateTime<Utc>>,
    /// Before this instant.
    pub to: Option<DateTime<Utc>>,
    pub actor_id: Option<UserId>,
    /// Actions starting with this text (`employee.` matches `employee.update`).
    pub action_prefix: Option<String>,
    /// Records naming this subject id.
    pub subject_id: Option<String>,
    pub outcome: Option<Outcome>,
    /// Only records up to this seq: pins a result set while paging, since every search is
    /// itself audited and would otherwise push the pages down by one.
    pub until_seq: Option<i64>,
}

impl AuditFilter {
    /// The names of the filters in use (what the audit event of a search records; never their values).
    pub fn names(&self) -> Vec<&'static str> {
        let mut n = Vec::new();
        if self.from.is_some() {
            n.push("from");
        }
        if self.to.is_some() {
            n.push("to");
        }
        if self.actor_id.is_some() {
            n.push("actor_id");
        }
        if self.action_prefix.is_some() {
            n.push("action");
        }
        if self.subject_id.is_some() {
            n.push("subject_id");
        }
        if self.outcome.is_some() {
            n.push("outcome");
        }
        if self.until_seq.is_some() {
            n.push("until_seq");
        }
        n
    }
}

/// Storage of the trail. Every method is atomic; errors other than those named are `Storage`.
#[async_trait]
pub trait AuditStore: AuditLog {
    /// One page of matching records, newest first (seq descending), with the total.
    /// A row that does not decode MUST be reported as `AuditError::Unreadable { seq }`.
    async fn search(&self, filter: &AuditFilter, page: PageRequest) -> Result<Page<StoredRecord>, AuditError>;

    /// Up to `limit` matching records with `seq < before` (all when None), newest first: the
    /// export cursor. Undecodable rows as in [`AuditStore::search`].
    async fn search_before(
        &self,
        filter: &AuditFilter,
        before: Option<i64>,
        limit: u32,
    ) -> Result<Vec<StoredRecord>, AuditError>;

    /// Up to `limit` rows with `after < seq <= upto`, ascending, exactly as stored. A row whose
    /// columns no longer decode MUST come back as `ChainItem::Unreadable`, never as an error.
    async fn chain_batch(&self, after: i64, upto: i64, limit: u32) -> Result<Vec<ChainItem>, AuditError>;

    /// The smallest seq greater than `after`, if any row has one.
    async fn first_seq_after(&self, after: i64) -> Result<Option<i64>, AuditError>;

    /// The committed head: the last appended seq and its hash (seq 0 and genesis when empty).
    async fn head(&self) -> Result<ChainHead, AuditError>;

    /// The stored hash of record `seq`, if the row exists and its hash decodes.
    async fn record_hash(&self, seq: i64) -> Result<Option<ChainHash>, AuditError>;

    /// Where the chain starts after a purge, if one happened.
    async fn anchor(&self) -> Result<Option<Anchor>, AuditError>;

    /// Every stored checkpoint, ascending by seq. Rows that do not decode are skipped.
    async fn checkpoints(&self) -> Result<Vec<Checkpoint>, AuditError>;

    /// Store a checkpoint. One already stored at the same seq is kept (creation is idempotent).
    async fn insert_checkpoint(&self, checkpoint: &Checkpoint) -> Result<(), AuditError>;

    /// The last record a purge of everything older than `before` may remove, with its hash:
    /// the highest seq such that every record up to it is older than `before`. None when
    /// no record qualifies.
    async fn purge_boundary(&self, before: DateTime<Utc>) -> Result<Option<(i64, ChainHash)>, AuditError>;

    /// In one transaction: delete every record and checkpoint with `seq <= anchor.seq`, store
    /// `anchor` (replacing an older one), and append `event` to the chain. Returns the number
    /// of records deleted. MUST fail with `AuditError::Concurrent`, changing nothing, when the
    /// record at `anchor.seq` is no longer there with `anchor.hash`.
    async fn purge(&self, anchor: &Anchor, event: &AuditEvent) -> Result<u64, AuditError>;
}
