//! The audit trail (审计日志): who did what to which records, when, from where,
//! and with what outcome — linked into a tamper-evident chain.
//!
//! Owns the canonical encoding of a stored record and its SM3 hash chain
//! ([`chain`]), SM2-signed checkpoints and purge anchors ([`sign`]), the verifier
//! that names the first broken link ([`verify`]), CSV/.xlsx exports ([`export`]),
//! the store port ([`AuditStore`]) and the auditor's use cases ([`AuditService`]).
//! The event itself and the append port (`AuditEvent`, `AuditLog`) live in
//! `bole-core` so every domain can emit events without depending on this crate.
//! It does no IO: the adapter (bole-store) stores, the composition root keeps the key file.

pub mod chain;
pub mod error;
pub mod export;
pub mod service;
pub mod sign;
pub mod store;
pub mod verify;

pub use chain::{ChainHash, ChainHead, GENESIS_HEX, StoredRecord, genesis};
pub use error::AuditError;
pub use export::ExportFormat;
pub use service::{AuditService, DEFAULT_CHECKPOINT_EVERY, DEFAULT_RETENTION_DAYS, MAX_EXPORT_ROWS, PurgeReport};
pub use sign::{Anchor, Checkpoint, KeyError, Signer, TrustedKeys};
pub use store::{AuditFilter, AuditStore};
pub use verify::{BreakKind, ChainBreak, ChainItem, ChainVerifier, VerifyReport, verify_records};
