//! Audit trail endpoints (审计日志), for the 安全审计员: search, export (CSV or
//! .xlsx), chain verification and on-demand signed checkpoints. Purging is
//! deliberately CLI-only (`bole audit purge`). The service authorises and records
//! each of these calls in the trail itself.

use crate::auth::Authenticated;
use crate::error::ApiError;
use crate::extract::{Json, Query};
use crate::routes::CommonErrors;
use crate::state::AppState;
use axum::extract::State;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use bole_api_types::ErrorEnvelope;
use bole_audit::{AuditFilter, Checkpoint, ExportFormat, StoredRecord, VerifyReport};
use bole_core::{Outcome, PageRequest, UserId};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub(crate) fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_audit_records))
        .routes(routes!(export_audit_records))
        .routes(routes!(verify_audit_chain))
        .routes(routes!(create_audit_checkpoint))
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct AuditRecordsQuery {
    /// 起始时间（含，RFC 3339） — at or after this instant (RFC 3339)
    pub from: Option<DateTime<Utc>>,
    /// 截止时间（不含，RFC 3339） — before this instant (RFC 3339)
    pub to: Option<DateTime<Utc>>,
    /// 操作人账号ID — the acting account
    pub actor_id: Option<UserId>,
    /// 操作前缀，如 `employee.` — action prefix, e.g. `employee.`
    pub action: Option<String>,
    /// 涉及的对象ID — a subject id the record names
    pub subject_id: Option<String>,
    /// 结果 — outcome
    pub outcome: Option<Outcome>,
    /// 只看序号不大于此值的记录（翻页时固定结果集） — only records up to this seq (pins the set while paging)
    pub until_seq: Option<i64>,
    /// 页码，从1开始 — page number, from 1
    pub page: Option<u32>,
    /// 每页条数（1–500，默认50） — rows per page (1–500, default 50)
    pub per_page: Option<u32>,
}

/// One page of audit records, newest first.
#[derive(Debug, Serialize, ToSchema)]
pub struct AuditRecordPage {
    pub items: Vec<StoredRecord>,
    /// Records matching the filters, over all pages.
    pub total: u64,
    pub page: u32,
    pub per_page: u32,
}

/// 审计记录查询 — Search the audit trail (newest first). The search is itself audited.
#[utoipa::path(
    get,
    path = "/audit/records",
    tag = "audit",
    params(AuditRecordsQuery),
    responses(
        (status = 200, description = "一页审计记录 — one page of records", body = AuditRecordPage),
        (status = 400, description = "查询参数有误（`invalid_query`） — bad query parameter", body = ErrorEnvelope),
        (status = 409, description = "记录已无法读取（`audit_record_unreadable`），请校验审计链 — a record no longer decodes; verify the chain", body = ErrorEnvelope),
        (status = 422, description = "筛选条件有误（`validation_failed`） — invalid filter", body = ErrorEnvelope),
        CommonErrors,
    )
)]
pub async fn list_audit_records(
    State(s): State<AppState>,
    Authenticated(actor): Authenticated,
    Query(q): Query<AuditRecordsQuery>,
) -> Result<Json<AuditRecordPage>, ApiError> {
    let filter = AuditFilter {
        from: q.from,
        to: q.to,
        actor_id: q.actor_id,
        action_prefix: q.action,
        subject_id: q.subject_id,
        outcome: q.outcome,
        until_seq: q.until_seq,
    };
    let page = s.audit.search(&actor, &filter, PageRequest::new(q.page, q.per_page)).await?;
    Ok(Json(AuditRecordPage { items: page.items, total: page.total, page: page.page, per_page: page.per_page }))
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct AuditExportQuery {
    /// 文件格式 — file format
    pub format: ExportFormat,
    /// 起始时间（含，RFC 3339） — at or after this instant (RFC 3339)
    pub from: Option<DateTime<Utc>>,
    /// 截止时间（不含，RFC 3339） — before this instant (RFC 3339)
    pub to: Option<DateTime<Utc>>,
    /// 操作人账号ID — the acting account
    pub actor_id: Option<UserId>,
    /// 操作前缀，如 `employee.` — action prefix, e.g. `employee.`
    pub action: Option<String>,
    /// 涉及的对象ID — a subject id the record names
    pub subject_id: Option<String>,
    /// 结果 — outcome
    pub outcome: Option<Outcome>,
}

/// 审计记录导出 — Export matching audit records as CSV or .xlsx (newest first, hashes included).
#[utoipa::path(
    get,
    path = "/audit/export",
    tag = "audit",
    params(AuditExportQuery),
    responses(
        (status = 200, description = "CSV 或 .xlsx 文件 — the file", content((Vec<u8> = "text/csv"), (Vec<u8> = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"))),
        (status = 400, description = "查询参数有误（`invalid_query`） — bad query parameter", body = ErrorEnvelope),
        (status = 409, description = "记录已无法读取（`audit_record_unreadable`） — a record no longer decodes", body = ErrorEnvelope),
        (status = 422, description = "筛选条件有误或超过导出上限（`validation_failed`, `audit_export_too_large`） — invalid filter or too many records", body = ErrorEnvelope),
        CommonErrors,
    )
)]
pub async fn export_audit_records(
    State(s): State<AppState>,
    Authenticated(actor): Authenticated,
    Query(q): Query<AuditExportQuery>,
) -> Result<Response, ApiError> {
    let filter = AuditFilter {
        from: q.from,
        to: q.to,
        actor_id: q.actor_id,
        action_prefix: q.action,
        subject_id: q.subject_id,
        outcome: q.outcome,
        until_seq: None,
    };
    let bytes = s.audit.export(&actor, &filter, q.format).await?;
    let mut res = (StatusCode::OK, bytes).into_response();
    res.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static(q.format.content_type()));
    let disposition = format!("attachment; filename=\"audit-records.{}\"", q.format.extension());
    if let Ok(v) = HeaderValue::from_str(&disposition) {
        res.headers_mut().insert(header::CONTENT_DISPOSITION, v);
    }
    Ok(res)
}

/// 审计链校验 — Verify the hash chain and the signed checkpoints; names the first broken link.
///
/// Answers 200 either way: `ok` says whether the chain is intact, `broken` where and how not.
#[utoipa::path(
    post,
    path = "/audit/verify",
    tag = "audit",
    responses(
        (status = 200, description = "校验结果 — the verification report", body = VerifyReport),
        CommonErrors,
    )
)]
pub async fn verify_audit_chain(
    State(s): State<AppState>,
    Authenticated(actor): Authenticated,
) -> Result<Json<VerifyReport>, ApiError> {
    Ok(Json(s.audit.verify(&actor).await?))
}

/// 生成签名检查点 — Sign the chain at its head now (SM2), after checking the records since the last checkpoint.
#[utoipa::path(
    post,
    path = "/audit/checkpoints",
    tag = "audit",
    responses(
        (status = 201, description = "已签名的检查点 — the signed checkpoint", body = Checkpoint),
        (status = 409, description = "审计链校验未通过，拒绝签名（`audit_chain_broken`） — the chain does not verify; nothing was signed", body = ErrorEnvelope),
        CommonErrors,
    )
)]
pub async fn create_audit_checkpoint(
    State(s): State<AppState>,
    Authenticated(actor): Authenticated,
) -> Result<Response, ApiError> {
    let cp = s.audit.checkpoint(&actor).await?;
    Ok((StatusCode::CREATED, Json(cp)).into_response())
}
