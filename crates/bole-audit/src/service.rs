//! The auditor's use cases: search, export, verify, checkpoint, purge. Each
//! authorises first (`AuditRead`, or `AuditPurge` for purging — only the 安全审计员
//! role holds them), and each is itself recorded in the trail, refusals included:
//! who looked at the audit records is audit-worthy too.

use crate::chain::{ChainHash, StoredRecord};
use crate::error::AuditError;
use crate::export::{ExportFormat, render};
use crate::sign::{Anchor, Checkpoint, Signer, TrustedKeys};
use crate::store::{AuditFilter, AuditStore};
use crate::verify::{ChainVerifier, VerifyReport};
use bole_core::clock::SharedClock;
use bole_core::{Actor, AuditEvent, FieldErrors, Msg, Outcome, Page, PageRequest, Permission};
use chrono::{DateTime, TimeDelta, Utc};
use serde::Serialize;
use std::sync::Arc;

/// Records kept at least this long (网络安全法 第二十一条: network logs at least six months).
pub const DEFAULT_RETENTION_DAYS: u32 = 180;
/// A signed checkpoint every this many records.
pub const DEFAULT_CHECKPOINT_EVERY: u32 = 1000;
/// The most records one export may hold (an .xlsx sheet holds 1,048,576 rows).
pub const MAX_EXPORT_ROWS: u64 = 1_000_000;
/// Rows read per round trip while verifying or exporting.
const BATCH: u32 = 2000;
const SUBJECT: &str = "audit_log";

/// What a purge did.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct PurgeReport {
    /// Records removed.
    pub purged: u64,
    /// The signed anchor verification now starts from.
    pub anchor: Anchor,
}

#[derive(Clone)]
pub struct AuditService {
    store: Arc<dyn AuditStore>,
    clock: SharedClock,
    signer: Arc<Signer>,
    trusted: TrustedKeys,
    retention_days: u32,
    checkpoint_every: u32,
}

impl std::fmt::Debug for AuditService {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AuditService")
            .field("signer", &self.signer)
            .field("retention_days", &self.retention_days)
            .field("checkpoint_every", &self.checkpoint_every)
            .finish_non_exhaustive()
    }
}

impl AuditService {
    /// Trusts `signer`'s own public key; add earlier keys with [`AuditService::trusting`].
    pub fn new(store: Arc<dyn AuditStore>, clock: SharedClock, signer: Signer) -> Self {
        Self {
            store,
            clock,
            trusted: TrustedKeys::of(&signer),
            signer: Arc::new(signer),
            retention_days: DEFAULT_RETENTION_DAYS,
            checkpoint_every: DEFAULT_CHECKPOINT_EVERY,
        }
    }

    /// Append events outside any domain write (e.g. refusals by the route policy layer).
    pub async fn record_events(&self, events: &[AuditEvent]) -> Result<(), bole_core::AuditUnavailable> {
        self.store.append(events).await
    }

    /// "Now" on the service clock, for events built by callers.
    pub fn now(&self) -> DateTime<Utc> {
        self.clock.now()
    }

    pub fn with_retention_days(mut self, days: u32) -> Self {
        self.retention_days = days;
        self
    }

    /// Checkpoint every `n` records (at least 1).
    pub fn with_checkpoint_every(mut self, n: u32) -> Self {
        self.checkpoint_every = n.max(1);
        self
    }

    /// Also accept signatures by this public key (hex SEC1), e.g. the key before a rotation.
    pub fn trusting(mut self, public_key_hex: &str) -> Self {
        self.trusted = self.trusted.with(public_key_hex);
        self
    }

    pub fn public_key_hex(&self) -> String {
        self.signer.public_key_hex()
    }

    pub fn retention_days(&self) -> u32 {
        self.retention_days
    }

    /// Authorise, recording a refusal in the trail before returning it.
    async fn authorize(&self, actor: &Actor, permission: Permission, action: &str) -> Result<(), AuditError> {
        match actor.authorize(permission) {
            Ok(_) => Ok(()),
            Err(denied) => {
                let event = actor.audit(self.clock.now(), action, SUBJECT).outcome(Outcome::Denied);
                self.store.append(&[event]).await?;
                Err(denied.into())
            }
        }
    }

    /// Record a completed use case. Fail-closed: an auditor's read that cannot be recorded fails.
    async fn record(&self, event: AuditEvent) -> Result<(), AuditError> {
        self.store.append(&[event]).await.map_err(Into::into)
    }

    fn check_filter(filter: &AuditFilter) -> Result<(), AuditError> {
        let mut errs = FieldErrors::new();
        if let (Some(from), Some(to)) = (filter.from, filter.to)
            && from >= to
        {
            errs.add("to", Msg::new("结束时间须晚于开始时间", "must be after `from`"));
        }
        if filter.action_prefix.as_deref().is_some_and(|a| a.len() > 200) {
            errs.add("action", Msg::new("过长（最多200个字符）", "too long (at most 200 characters)"));
        }
        if filter.subject_id.as_deref().is_some_and(|a| a.len() > 200) {
            errs.add("subject_id", Msg::new("过长（最多200个字符）", "too long (at most 200 characters)"));
        }
        errs.into_result().map_err(AuditError::Invalid)
    }

    /// Records matching `filter`, newest first, one page at a time.
    pub async fn search(
        &self,
        actor: &Actor,
        filter: &AuditFilter,
        page: PageRequest,
    ) -> Result<Page<StoredRecord>, AuditError> {
        self.authorize(actor, Permission::AuditRead, "audit.search").await?;
        Self::check_filter(filter)?;
        let found = self.store.search(filter, page).await?;
        self.record(actor.audit(self.clock.now(), "audit.search", SUBJECT).fields(filter.names())).await?;
        Ok(found)
    }

    /// Every record matching `filter` (newest first) as a CSV or .xlsx file.
    pub async fn export(
        &self,
        actor: &Actor,
        filter: &AuditFilter,
        format: ExportFormat,
    ) -> Result<Vec<u8>, AuditError> {
        self.authorize(actor, Permission::AuditRead, "audit.export").await?;
        Self::check_filter(filter)?;
        // Pin the set first: the records appended while exporting (this export's own event
        // among them) are not part of it.
        let head = self.store.head().await?;
        let mut pinned = filter.clone();
        pinned.until_seq = Some(filter.until_seq.map_or(head.seq, |u| u.min(head.seq)));
        let total = self.store.search(&pinned, PageRequest::new(Some(1), Some(1))).await?.total;
        if total > MAX_EXPORT_ROWS {
            return Err(AuditError::ExportTooLarge { rows: total, max: MAX_EXPORT_ROWS });
        }
        let mut records = Vec::with_capacity(usize::try_from(total).unwrap_or(0));
        let mut before = None;
        loop {
            let batch = self.store.search_before(&pinned, before, BATCH).await?;
            let Some(last) = batch.last() else { break };
            before = Some(last.seq);
            records.extend(batch);
        }
        let bytes = render(format, &records).map_err(|e| AuditError::Storage(e.to_string()))?;
        let mut fields = filter.names();
        fields.push(match format {
            ExportFormat::Csv => "format:csv",
            ExportFormat::Xlsx => "format:xlsx",
        });
        self.record(actor.audit(self.clock.now(), "audit.export", SUBJECT).fields(fields)).await?;
        Ok(bytes)
    }

    /// Check the whole chain (from the purge anchor, if any) and every checkpoint.
    pub async fn verify(&self, actor: &Actor) -> Result<VerifyReport, AuditError> {
        self.authorize(actor, Permission::AuditRead, "audit.verify").await?;
        let report = self.verify_chain().await?;
        let outcome = if report.ok { Outcome::Success } else { Outcome::Failed };
        let mut event = actor.audit(self.clock.now(), "audit.verify", SUBJECT).outcome(outcome);
        if let Some(b) = &report.broken {
            event = event.subject(b.seq);
        }
        match self.record(event).await {
            Ok(()) => Ok(report),
            // A tampered trail may refuse the append (a forged row holding the next seq):
            // the finding matters more than recording that it was looked for.
            Err(_) if !report.ok => Ok(report),
            Err(e) => Err(e),
        }
    }

    /// The verification itself, unaudited (the purge and tests use it).
    pub async fn verify_chain(&self) -> Result<VerifyReport, AuditError> {
        // Order matters for appends running concurrently: checkpoints before the head (a
        // checkpoint never names a seq past the head read after it), records bounded by that
        // head, and the head re-read *after* looking beyond it.
        let checkpoints = self.store.checkpoints().await?;
        let anchor = self.store.anchor().await?;
        let head = self.store.head().await?;
        let mut v = ChainVerifier::new(anchor.as_ref(), head, checkpoints, self.trusted.clone());
        // From the very bottom, so a row left (or slipped in) below the anchor is seen.
        let mut after = i64::MIN;
        'read: while !v.is_broken() {
            let batch = self.store.chain_batch(after, head.seq, BATCH).await?;
            let Some(last) = batch.last() else { break };
            after = last.seq();
            for item in &batch {
                if !v.push_item(item) {
                    break 'read;
                }
            }
        }
        if !v.is_broken()
            && let Some(seq) = self.store.first_seq_after(head.seq).await?
        {
            let now = self.store.head().await?;
            if seq > now.seq {
                v.beyond_head(seq);
            }
        }
        Ok(v.finish())
    }

    /// Sign the chain at its head now (on demand). Records since the previous checkpoint
    /// are verified first: a broken chain is never signed.
    pub async fn checkpoint(&self, actor: &Actor) -> Result<Checkpoint, AuditError> {
        self.authorize(actor, Permission::AuditRead, "audit.checkpoint").await?;
        self.checkpoint_if_due().await?;
        let head = self.store.head().await?;
        let cp = self.sign_at(head.seq).await?;
        self.record(actor.audit(self.clock.now(), "audit.checkpoint", SUBJECT).subject(cp.seq)).await?;
        Ok(cp)
    }

    /// Create the periodic checkpoints that are due: one at every `checkpoint_every` records
    /// after the previous checkpoint, up to the head. Run by a background job; idempotent.
    pub async fn checkpoint_if_due(&self) -> Result<Vec<Checkpoint>, AuditError> {
        let head = self.store.head().await?;
        let mut made = Vec::new();
        loop {
            let (last, _) = self.last_trusted_position().await?;
            let next = last + i64::from(self.checkpoint_every);
            if next > head.seq {
                return Ok(made);
            }
            made.push(self.sign_at(next).await?);
        }
    }

    /// The newest checkpoint (or the anchor, or genesis) the chain can be resumed from.
    async fn last_trusted_position(&self) -> Result<(i64, ChainHash), AuditError> {
        let checkpoints = self.store.checkpoints().await?;
        if let Some(cp) = checkpoints.iter().rev().find(|c| c.signature_valid(&self.trusted)) {
            return Ok((cp.seq, cp.hash));
        }
        Ok(match self.store.anchor().await? {
            Some(a) => (a.seq, a.hash),
            None => (0, crate::chain::genesis()),
        })
    }

    /// Verify the records after the last trusted position up to `seq`, then sign `seq`.
    async fn sign_at(&self, seq: i64) -> Result<Checkpoint, AuditError> {
        let (from, from_hash) = self.last_trusted_position().await?;
        if seq < from {
            return Err(AuditError::Concurrent);
        }
        let head = self.store.head().await?;
        let target = crate::chain::ChainHead {
            seq,
            // A missing or unreadable record gets a hash nothing matches; the verifier names it.
            hash: if seq == from {
                from_hash
            } else {
                self.store.record_hash(seq).await?.unwrap_or(ChainHash([0; 32]))
            },
        };
        let mut v = ChainVerifier::resume(from, from_hash, target);
        let mut after = from;
        'read: while !v.is_broken() {
            let batch = self.store.chain_batch(after, seq, BATCH).await?;
            let Some(last) = batch.last() else { break };
            after = last.seq();
            for item in &batch {
                if !v.push_item(item) {
                    break 'read;
                }
            }
        }
        let report = v.finish();
        if let Some(b) = report.broken {
            return Err(AuditError::ChainBroken(Box::new(b)));
        }
        if seq > head.seq {
            return Err(AuditError::Concurrent);
        }
        let cp = self.signer.checkpoint(seq, target.hash, self.clock.now());
        self.store.insert_checkpoint(&cp).await?;
        Ok(cp)
    }

    /// Remove every record older than `before`, which must be at least the retention period ago.
    /// The chain is verified first (a broken chain is evidence and is not purged); the last
    /// removed record's position and hash stay behind as a signed anchor, and the purge is
    /// itself recorded in the chain, in the same transaction.
    pub async fn purge(&self, actor: &Actor, before: DateTime<Utc>) -> Result<PurgeReport, AuditError> {
        self.authorize(actor, Permission::AuditPurge, "audit.purge").await?;
        let result = self.purge_authorized(actor, before).await;
        if result.is_err() {
            // A refused purge is worth knowing about; the refusal itself is what is returned.
            let event = actor.audit(self.clock.now(), "audit.purge", SUBJECT).outcome(Outcome::Failed);
            let _ = self.store.append(&[event]).await;
        }
        result
    }

    async fn purge_authorized(&self, actor: &Actor, before: DateTime<Utc>) -> Result<PurgeReport, AuditError> {
        let now = self.clock.now();
        let latest_allowed = now - TimeDelta::days(i64::from(self.retention_days));
        if before > latest_allowed {
            return Err(AuditError::RetentionNotReached {
                cutoff: before,
                latest_allowed,
                retention_days: self.retention_days,
            });
        }
        let report = self.verify_chain().await?;
        if let Some(b) = report.broken {
            return Err(AuditError::ChainBroken(Box::new(b)));
        }
        let Some((seq, hash)) = self.store.purge_boundary(before).await? else {
            return Err(AuditError::NothingToPurge { before });
        };
        let anchor = self.signer.anchor(seq, hash, before, now);
        let event = actor.audit(now, "audit.purge", SUBJECT).subject(seq);
        let purged = self.store.purge(&anchor, &event).await?;
        Ok(PurgeReport { purged, anchor })
    }
}
