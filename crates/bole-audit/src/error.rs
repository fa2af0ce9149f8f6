//! What can go wrong with the audit trail, as facts an auditor can act on.

use crate::verify::ChainBreak;
use bole_core::{ErrorKind, Failure, FieldErrors, Forbidden, Msg};
use chrono::{DateTime, Utc};

#[derive(Debug, thiserror::Error)]
pub enum AuditError {
    #[error(transparent)]
    Forbidden(#[from] Forbidden),
    /// The purge cutoff would remove records younger than the retention period.
    #[error(
        "purge cutoff {cutoff} is younger than the {retention_days}-day retention (latest allowed {latest_allowed})"
    )]
    RetentionNotReached { cutoff: DateTime<Utc>, latest_allowed: DateTime<Utc>, retention_days: u32 },
    /// Refused because the chain does not verify: purging or signing would bury the evidence.
    #[error("the audit chain is broken at seq {}", .0.seq)]
    ChainBroken(Box<ChainBreak>),
    /// The record at this seq no longer decodes (it was changed in the database).
    #[error("audit record {seq} cannot be read")]
    Unreadable { seq: i64 },
    #[error("export of {rows} audit records exceeds the limit of {max}")]
    ExportTooLarge { rows: u64, max: u64 },
    #[error("nothing to purge before {before}")]
    NothingToPurge { before: DateTime<Utc> },
    #[error("another purge or checkpoint changed the chain concurrently")]
    Concurrent,
    #[error("invalid audit query")]
    Invalid(FieldErrors),
    /// The signing key failed (never its value).
    #[error("audit signing failed: {0}")]
    Signing(String),
    #[error("audit storage failure: {0}")]
    Storage(String),
}

impl From<bole_core::AuditUnavailable> for AuditError {
    fn from(e: bole_core::AuditUnavailable) -> Self {
        AuditError::Storage(e.0)
    }
}

fn day(t: &DateTime<Utc>) -> String {
    t.format("%Y-%m-%d %H:%M UTC").to_string()
}

impl Failure for AuditError {
    fn code(&self) -> &'static str {
        match self {
            AuditError::Forbidden(f) => f.code(),
            AuditError::RetentionNotReached { .. } => "audit_retention_not_reached",
            AuditError::ChainBroken(_) => "audit_chain_broken",
            AuditError::Unreadable { .. } => "audit_record_unreadable",
            AuditError::ExportTooLarge { .. } => "audit_export_too_large",
            AuditError::NothingToPurge { .. } => "audit_nothing_to_purge",
            AuditError::Concurrent => "audit_concurrent_change",
            AuditError::Invalid(_) => "validation_failed",
            AuditError::Signing(_) | AuditError::Storage(_) => "internal",
        }
    }

    fn kind(&self) -> ErrorKind {
        match self {
            AuditError::Forbidden(f) => f.kind(),
            AuditError::RetentionNotReached { .. } | AuditError::Invalid(_) | AuditError::ExportTooLarge { .. } => {
                ErrorKind::Invalid
            }
            AuditError::ChainBroken(_)
            | AuditError::Unreadable { .. }
            | AuditError::NothingToPurge { .. }
            | AuditError::Concurrent => ErrorKind::Conflict,
            AuditError::Signing(_) | AuditError::Storage(_) => ErrorKind::Internal,
        }
    }

    fn message(&self) -> Msg {
        match self {
            AuditError::Forbidden(f) => f.message(),
            AuditError::RetentionNotReached { cutoff, latest_allowed, retention_days } => Msg::new(
                format!(
                    "审计记录须至少保留 {retention_days} 天：清除截止时间 {} 太近，最晚只能清除 {} 之前的记录。",
                    day(cutoff),
                    day(latest_allowed)
                ),
                format!(
                    "Audit records must be kept for at least {retention_days} days: a purge cutoff of {} is too recent; the latest allowed is {}.",
                    day(cutoff),
                    day(latest_allowed)
                ),
            ),
            AuditError::ChainBroken(b) => Msg::new(
                format!("审计链校验未通过，已拒绝操作（先调查再处理）：{}", b.message.zh),
                format!("The audit chain does not verify, so this was refused (investigate first): {}", b.message.en),
            ),
            AuditError::Unreadable { seq } => Msg::new(
                format!("第 {seq} 条审计记录无法读取（可能在数据库中被改动），请运行审计链校验。"),
                format!(
                    "Audit record {seq} cannot be read (it may have been altered in the database); run the chain verification."
                ),
            ),
            AuditError::ExportTooLarge { rows, max } => Msg::new(
                format!("符合条件的审计记录有 {rows} 条，超过单次导出上限 {max} 条，请缩小时间范围。"),
                format!("{rows} audit records match, more than the {max} one export may hold; narrow the time range."),
            ),
            AuditError::NothingToPurge { before } => Msg::new(
                format!("{} 之前没有可清除的审计记录。", day(before)),
                format!("There are no audit records to purge before {}.", day(before)),
            ),
            AuditError::Concurrent => Msg::new(
                "审计链在操作期间被并发修改（另一次清除或检查点），请重试。",
                "The audit chain changed during the operation (another purge or checkpoint); try again.",
            ),
            AuditError::Invalid(_) => {
                Msg::new("查询条件有误，请按字段提示修改。", "Some query fields are invalid; see the field messages.")
            }
            AuditError::Signing(_) | AuditError::Storage(_) => {
                Msg::new("审计服务暂不可用，请稍后重试。", "The audit trail is unavailable; try again later.")
            }
        }
    }

    fn fields(&self) -> Option<&FieldErrors> {
        match self {
            AuditError::Invalid(f) => Some(f),
            _ => None,
        }
    }
}
