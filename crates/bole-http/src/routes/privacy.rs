//! PIPL endpoints (个人信息保护). Self-service under `/me/privacy/…` acts on the caller's own
//! employee record: the current privacy notice and its acknowledgement, consents (同意 /
//! 撤回同意), data-subject requests and the personal-data copy (JSON or .xlsx). HR under
//! `/privacy/…` (PrivacyAdmin) publishes notice versions, handles requests (including the
//! overdue list) and keeps the sharing / cross-border register, which auditors may read.
//! Handlers translate HTTP to service calls; the service authorises and audits.

use crate::auth::Authenticated;
use crate::error::ApiError;
use crate::extract::{Json, Path, Query};
use crate::routes::{BodyErrors, CommonErrors, created};
use crate::state::AppState;
use axum::extract::State;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use bole_api_types::ErrorEnvelope;
use bole_core::{EmployeeId, PageRequest};
use bole_privacy::{
    Acknowledgement, ConsentRecord, ConsentState, DataCopy, DataSubjectRequest, MyNotice, NewNotice, NewRequest,
    NewSharingEntry, NewTransition, NoticeSummary, NoticeView, RequestDetail, RequestId, RequestKind, RequestQuery,
    RequestStatus, RequestSummary, SharingEntry, SharingEntryId, SharingKind, SharingQuery,
};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub(crate) fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(get_my_privacy_notice))
        .routes(routes!(create_notice_acknowledgement))
        .routes(routes!(list_my_consents, create_consent))
        .routes(routes!(list_my_consent_history))
        .routes(routes!(create_consent_withdrawal))
        .routes(routes!(list_my_privacy_requests, create_privacy_request))
        .routes(routes!(get_my_privacy_request))
        .routes(routes!(get_my_data_copy))
        .routes(routes!(list_privacy_notices, create_privacy_notice))
        .routes(routes!(get_privacy_notice))
        .routes(routes!(list_privacy_requests))
        .routes(routes!(list_overdue_privacy_requests))
        .routes(routes!(get_privacy_request))
        .routes(routes!(create_privacy_request_transition))
        .routes(routes!(list_sharing_entries, create_sharing_entry))
        .routes(routes!(get_sharing_entry, update_sharing_entry, delete_sharing_entry))
}

// ------------------------------------------------------------------ self-service

/// 现行隐私政策 — The current privacy notice, its purposes (with what each needs: separate
/// consent, consent at all) and whether the caller has acknowledged it.
#[utoipa::path(
    get,
    path = "/me/privacy/notice",
    tag = "privacy",
    responses(
        (status = 200, description = "现行版本 — the current version", body = MyNotice),
        (status = 403, description = "账号未关联员工（`not_an_employee`） — the account has no employee record", body = ErrorEnvelope),
        (status = 404, description = "尚未发布（`privacy_notice_not_found`） — none published yet", body = ErrorEnvelope),
        CommonErrors,
    )
)]
pub async fn get_my_privacy_notice(
    State(s): State<AppState>,
    Authenticated(actor): Authenticated,
) -> Result<Json<MyNotice>, ApiError> {
    Ok(Json(s.privacy.my_notice(&actor).await?))
}

/// Which notice version the caller has read.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AcknowledgeNotice {
    /// 现行版本号 — the current version number
    pub version: i32,
}

/// 确认已阅读隐私政策 — Acknowledge the current notice version (again: returns the first acknowledgement).
#[utoipa::path(
    post,
    path = "/me/privacy/acknowledgements",
    tag = "privacy",
    request_body = AcknowledgeNotice,
    responses(
        (status = 201, description = "已确认 — acknowledged", body = Acknowledgement),
        (status = 403, description = "账号未关联员工（`not_an_employee`） — the account has no employee record", body = ErrorEnvelope),
        (status = 404, description = "尚未发布（`privacy_notice_not_found`） — none published yet", body = ErrorEnvelope),
        (status = 409, description = "不是现行版本（`privacy_notice_outdated`） — not the current version", body = ErrorEnvelope),
        BodyErrors,
        CommonErrors,
    )
)]
pub async fn create_notice_acknowledgement(
    State(s): State<AppState>,
    Authenticated(actor): Authenticated,
    Json(body): Json<AcknowledgeNotice>,
) -> Result<Response, ApiError> {
    let ack = s.privacy.acknowledge_notice(&actor, body.version).await?;
    Ok(created("/api/v1/me/privacy/notice".into(), ack))
}

/// 我的同意 — The caller's consent on each purpose of the current notice.
#[utoipa::path(
    get,
    path = "/me/privacy/consents",
    tag = "privacy",
    responses(
        (status = 200, description = "每个处理目的一项 — one per purpose", body = Vec<ConsentState>),
        (status = 403, description = "账号未关联员工（`not_an_employee`） — the account has no employee record", body = ErrorEnvelope),
        CommonErrors,
    )
)]
pub async fn list_my_consents(
    State(s): State<AppState>,
    Authenticated(actor): Authenticated,
) -> Result<Json<Vec<ConsentState>>, ApiError> {
    Ok(Json(s.privacy.my_consents(&actor).await?))
}

/// A purpose of the current notice.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PurposeRef {
    /// 处理目的代码 — the purpose code
    pub purpose_code: String,
}

/// 同意 — Consent to a purpose of the current notice (a separate consent, 单独同意, when the
/// purpose needs one). The current notice must have been acknowledged.
#[utoipa::path(
    post,
    path = "/me/privacy/consents",
    tag = "privacy",
    request_body = PurposeRef,
    responses(
        (status = 201, description = "已同意 — consent recorded", body = ConsentState),
        (status = 403, description = "账号未关联员工（`not_an_employee`） — the account has no employee record", body = ErrorEnvelope),
        (status = 404, description = "无此目的或尚未发布（`privacy_purpose_not_found`, `privacy_notice_not_found`） — no such purpose", body = ErrorEnvelope),
        (status = 409, description = "无需同意、已同意、未确认隐私政策（`consent_not_applicable`, `consent_unchanged`, `privacy_notice_not_acknowledged`, `consent_changed`） — conflict", body = ErrorEnvelope),
        BodyErrors,
        CommonErrors,
    )
)]
pub async fn create_consent(
    State(s): State<AppState>,
    Authenticated(actor): Authenticated,
    Json(body): Json<PurposeRef>,
) -> Result<Response, ApiError> {
    let state = s.privacy.give_consent(&actor, &body.purpose_code).await?;
    Ok(created("/api/v1/me/privacy/consents".into(), state))
}

/// 同意记录 — Every consent given and withdrawn by the caller, oldest first.
#[utoipa::path(
    get,
    path = "/me/privacy/consents/history",
    tag = "privacy",
    responses(
        (status = 200, description = "按记录顺序 — in recording order", body = Vec<ConsentRecord>),
        (status = 403, description = "账号未关联员工（`not_an_employee`） — the account has no employee record", body = ErrorEnvelope),
        CommonErrors,
    )
)]
pub async fn list_my_consent_history(
    State(s): State<AppState>,
    Authenticated(actor): Authenticated,
) -> Result<Json<Vec<ConsentRecord>>, ApiError> {
    Ok(Json(s.privacy.my_consent_history(&actor).await?))
}

/// 撤回同意 — Withdraw consent from a purpose; effective at once, processing done before is
/// unaffected (个人信息保护法第十五条).
#[utoipa::path(
    post,
    path = "/me/privacy/consent-withdrawals",
    tag = "privacy",
    request_body = PurposeRef,
    responses(
        (status = 201, description = "已撤回 — withdrawal recorded", body = ConsentRecord),
        (status = 403, description = "账号未关联员工（`not_an_employee`） — the account has no employee record", body = ErrorEnvelope),
        (status = 404, description = "无此目的（`privacy_purpose_not_found`） — no such purpose", body = ErrorEnvelope),
        (status = 409, description = "当前未同意（`consent_unchanged`, `consent_changed`） — nothing to withdraw", body = ErrorEnvelope),
        BodyErrors,
        CommonErrors,
    )
)]
pub async fn create_consent_withdrawal(
    State(s): State<AppState>,
    Authenticated(actor): Authenticated,
    Json(body): Json<PurposeRef>,
) -> Result<Response, ApiError> {
    let record = s.privacy.withdraw_consent(&actor, &body.purpose_code).await?;
    Ok(created("/api/v1/me/privacy/consents/history".into(), record))
}

/// 我的权利请求 — The caller's data-subject requests, newest first.
#[utoipa::path(
    get,
    path = "/me/privacy/requests",
    tag = "privacy",
    responses(
        (status = 200, description = "最新在前 — newest first", body = Vec<DataSubjectRequest>),
        (status = 403, description = "账号未关联员工（`not_an_employee`） — the account has no employee record", body = ErrorEnvelope),
        CommonErrors,
    )
)]
pub async fn list_my_privacy_requests(
    State(s): State<AppState>,
    Authenticated(actor): Authenticated,
) -> Result<Json<Vec<DataSubjectRequest>>, ApiError> {
    Ok(Json(s.privacy.my_requests(&actor).await?))
}

/// 提交个人信息权利请求 — Submit a request: access/copy, correction (fields and proposed
/// values, routed to HR), deletion or consent withdrawal (checked against legal retention at
/// once: refused with the legal reason, or accepted for HR to execute). Due in 15 days by default.
#[utoipa::path(
    post,
    path = "/me/privacy/requests",
    tag = "privacy",
    request_body = NewRequest,
    responses(
        (status = 201, description = "已提交（删除/撤回已完成法定保存期限检查） — submitted (deletion/withdrawal already checked)", body = DataSubjectRequest),
        (status = 403, description = "账号未关联员工（`not_an_employee`） — the account has no employee record", body = ErrorEnvelope),
        (status = 404, description = "无此处理目的（`privacy_purpose_not_found`） — no such purpose", body = ErrorEnvelope),
        (status = 409, description = "同意状态刚刚变化（`consent_changed`） — consent changed meanwhile", body = ErrorEnvelope),
        BodyErrors,
        CommonErrors,
    )
)]
pub async fn create_privacy_request(
    State(s): State<AppState>,
    Authenticated(actor): Authenticated,
    Json(input): Json<NewRequest>,
) -> Result<Response, ApiError> {
    let request = s.privacy.submit_request(&actor, input).await?;
    Ok(created(format!("/api/v1/me/privacy/requests/{}", request.id), request))
}

/// 我的权利请求详情 — One of the caller's requests with its status history.
#[utoipa::path(
    get,
    path = "/me/privacy/requests/{id}",
    tag = "privacy",
    params(("id" = RequestId, Path, description = "请求ID — request id")),
    responses(
        (status = 200, description = "请求及其状态变化 — the request and its history", body = RequestDetail),
        (status = 400, description = "ID格式不正确（`invalid_id`） — not a UUID", body = ErrorEnvelope),
        (status = 403, description = "账号未关联员工（`not_an_employee`） — the account has no employee record", body = ErrorEnvelope),
        (status = 404, description = "无此请求（`privacy_request_not_found`） — no such request of yours", body = ErrorEnvelope),
        CommonErrors,
    )
)]
pub async fn get_my_privacy_request(
    State(s): State<AppState>,
    Authenticated(actor): Authenticated,
    Path(id): Path<RequestId>,
) -> Result<Json<RequestDetail>, ApiError> {
    Ok(Json(s.privacy.my_request(&actor, id).await?))
}

#[derive(Clone, Copy, Debug, Default, Deserialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum CopyFormat {
    #[default]
    Json,
    Xlsx,
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct DataCopyQuery {
    /// `json`（默认）或 `xlsx` — `json` (default) or `xlsx`
    #[param(inline)]
    pub format: Option<CopyFormat>,
}

const XLSX: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

/// 个人信息副本 — Everything held about the caller (record, events, contracts, sessions,
/// consents, acknowledgements, requests, third-party recipients), as JSON or as an .xlsx
/// workbook with one sheet per section (个人信息保护法第四十五条). Every copy is audited.
#[utoipa::path(
    get,
    path = "/me/privacy/data-copy",
    tag = "privacy",
    params(DataCopyQuery),
    responses(
        (status = 200, description = "副本：JSON，或 format=xlsx 时为 .xlsx 工作簿 — the copy: JSON, or an .xlsx workbook with format=xlsx",
            content((DataCopy = "application/json"), (Vec<u8> = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"))),
        (status = 400, description = "查询参数有误（`invalid_query`） — bad format", body = ErrorEnvelope),
        (status = 403, description = "账号未关联员工（`not_an_employee`） — the account has no employee record", body = ErrorEnvelope),
        CommonErrors,
    )
)]
pub async fn get_my_data_copy(
    State(s): State<AppState>,
    Authenticated(actor): Authenticated,
    Query(q): Query<DataCopyQuery>,
) -> Result<Response, ApiError> {
    match q.format.unwrap_or_default() {
        CopyFormat::Json => Ok(Json(s.privacy.data_copy(&actor).await?).into_response()),
        CopyFormat::Xlsx => {
            let bytes = s.privacy.data_copy_xlsx(&actor).await?;
            let mut res = (StatusCode::OK, bytes).into_response();
            res.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static(XLSX));
            res.headers_mut().insert(
                header::CONTENT_DISPOSITION,
                HeaderValue::from_static("attachment; filename=\"personal-data-copy.xlsx\""),
            );
            Ok(res)
        }
    }
}

// ------------------------------------------------------------------ HR: notices

/// 隐私政策版本列表 — Every published version, newest first, with acknowledgement counts.
#[utoipa::path(
    get,
    path = "/privacy/notices",
    tag = "privacy",
    responses((status = 200, description = "最新在前 — newest first", body = Vec<NoticeSummary>), CommonErrors)
)]
pub async fn list_privacy_notices(
    State(s): State<AppState>,
    Authenticated(actor): Authenticated,
) -> Result<Json<Vec<NoticeSummary>>, ApiError> {
    Ok(Json(s.privacy.notices(&actor).await?))
}

/// 发布隐私政策新版本 — Publish a new notice version; it is current at once. Purposes that
/// provide, transfer abroad or disclose name their recipient.
#[utoipa::path(
    post,
    path = "/privacy/notices",
    tag = "privacy",
    request_body = NewNotice,
    responses(
        (status = 201, description = "已发布 — published", body = NoticeView),
        (status = 409, description = "同时发布了其他版本（`privacy_notice_version_conflict`） — concurrent publish", body = ErrorEnvelope),
        BodyErrors,
        CommonErrors,
    )
)]
pub async fn create_privacy_notice(
    State(s): State<AppState>,
    Authenticated(actor): Authenticated,
    Json(input): Json<NewNotice>,
) -> Result<Response, ApiError> {
    let notice = s.privacy.publish_notice(&actor, input).await?;
    Ok(created(format!("/api/v1/privacy/notices/{}", notice.version), notice))
}

/// 隐私政策某一版本 — One published version in full.
#[utoipa::path(
    get,
    path = "/privacy/notices/{version}",
    tag = "privacy",
    params(("version" = i32, Path, description = "版本号 — version number")),
    responses(
        (status = 200, description = "该版本 — the version", body = NoticeView),
        (status = 404, description = "无此版本（`privacy_notice_not_found`） — no such version", body = ErrorEnvelope),
        CommonErrors,
    )
)]
pub async fn get_privacy_notice(
    State(s): State<AppState>,
    Authenticated(actor): Authenticated,
    Path(version): Path<i32>,
) -> Result<Json<NoticeView>, ApiError> {
    Ok(Json(s.privacy.notice(&actor, version).await?))
}

// ------------------------------------------------------------------ HR: requests

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct RequestsQuery {
    /// 状态 — status: submitted, in_progress, completed, rejected
    pub status: Option<RequestStatus>,
    /// 类型 — kind: access, correction, deletion, consent_withdrawal
    pub kind: Option<RequestKind>,
    /// 只看该员工 — only this employee's requests
    pub employee_id: Option<EmployeeId>,
    /// 页码，从1开始 — page number, from 1
    pub page: Option<u32>,
    /// 每页条数（1–500，默认50） — rows per page (1–500, default 50)
    pub per_page: Option<u32>,
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct PageQuery {
    /// 页码，从1开始 — page number, from 1
    pub page: Option<u32>,
    /// 每页条数（1–500，默认50） — rows per page (1–500, default 50)
    pub per_page: Option<u32>,
}

/// One page of requests.
#[derive(Debug, Serialize, ToSchema)]
pub struct RequestPage {
    pub items: Vec<RequestSummary>,
    pub total: u64,
    pub page: u32,
    pub per_page: u32,
}

impl From<bole_core::Page<RequestSummary>> for RequestPage {
    fn from(p: bole_core::Page<RequestSummary>) -> Self {
        Self { items: p.items, total: p.total, page: p.page, per_page: p.per_page }
    }
}

/// 权利请求列表 — Requests in the caller's scope (open ones first, by due date); summaries
/// only — proposed values and free text are read one request at a time.
#[utoipa::path(
    get,
    path = "/privacy/requests",
    tag = "privacy",
    params(RequestsQuery),
    responses(
        (status = 200, description = "一页请求 — one page", body = RequestPage),
        (status = 400, description = "查询参数有误（`invalid_query`） — bad query parameter", body = ErrorEnvelope),
        CommonErrors,
    )
)]
pub async fn list_privacy_requests(
    State(s): State<AppState>,
    Authenticated(actor): Authenticated,
    Query(q): Query<RequestsQuery>,
) -> Result<Json<RequestPage>, ApiError> {
    let query = RequestQuery { status: q.status, kind: q.kind, employee_id: q.employee_id, due_before: None };
    let page = s.privacy.requests(&actor, query, PageRequest::new(q.page, q.per_page)).await?;
    Ok(Json(page.into()))
}

/// 逾期请求 — Open requests past their due date, the most overdue first.
#[utoipa::path(
    get,
    path = "/privacy/requests/overdue",
    tag = "privacy",
    params(PageQuery),
    responses(
        (status = 200, description = "一页逾期请求 — one page of overdue requests", body = RequestPage),
        (status = 400, description = "查询参数有误（`invalid_query`） — bad query parameter", body = ErrorEnvelope),
        CommonErrors,
    )
)]
pub async fn list_overdue_privacy_requests(
    State(s): State<AppState>,
    Authenticated(actor): Authenticated,
    Query(q): Query<PageQuery>,
) -> Result<Json<RequestPage>, ApiError> {
    Ok(Json(s.privacy.overdue_requests(&actor, PageRequest::new(q.page, q.per_page)).await?.into()))
}

/// 权利请求详情 — One request in full, proposed values included (an audited read).
#[utoipa::path(
    get,
    path = "/privacy/requests/{id}",
    tag = "privacy",
    params(("id" = RequestId, Path, description = "请求ID — request id")),
    responses(
        (status = 200, description = "请求及其状态变化 — the request and its history", body = RequestDetail),
        (status = 400, description = "ID格式不正确（`invalid_id`） — not a UUID", body = ErrorEnvelope),
        (status = 404, description = "无此请求或不在权限范围（`privacy_request_not_found`） — no such request in scope", body = ErrorEnvelope),
        CommonErrors,
    )
)]
pub async fn get_privacy_request(
    State(s): State<AppState>,
    Authenticated(actor): Authenticated,
    Path(id): Path<RequestId>,
) -> Result<Json<RequestDetail>, ApiError> {
    Ok(Json(s.privacy.request(&actor, id).await?))
}

/// 办理权利请求 — Accept (`in_progress`), complete with the outcome, or reject with the reason.
/// A correction is applied through the employee record by HR; completing records the outcome.
#[utoipa::path(
    post,
    path = "/privacy/requests/{id}/transitions",
    tag = "privacy",
    params(("id" = RequestId, Path, description = "请求ID — request id")),
    request_body = NewTransition,
    responses(
        (status = 201, description = "已变更 — moved on", body = RequestDetail),
        (status = 404, description = "无此请求（`privacy_request_not_found`） — no such request in scope", body = ErrorEnvelope),
        (status = 409, description = "状态不允许或已被他人处理（`privacy_request_transition_invalid`, `privacy_request_changed`） — not allowed now", body = ErrorEnvelope),
        BodyErrors,
        CommonErrors,
    )
)]
pub async fn create_privacy_request_transition(
    State(s): State<AppState>,
    Authenticated(actor): Authenticated,
    Path(id): Path<RequestId>,
    Json(input): Json<NewTransition>,
) -> Result<Response, ApiError> {
    let detail = s.privacy.transition(&actor, id, input).await?;
    Ok(created(format!("/api/v1/privacy/requests/{id}"), detail))
}

// ------------------------------------------------------------------ HR: sharing register

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct SharingEntriesQuery {
    /// 类型 — third_party, entrusted, cross_border
    pub kind: Option<SharingKind>,
    /// 只看该日有效的 — only arrangements in force on this day
    pub active_on: Option<NaiveDate>,
}

/// 对外提供与出境登记 — The register of third-party provision, entrusted processing and
/// cross-border transfers (PrivacyAdmin and auditors).
#[utoipa::path(
    get,
    path = "/privacy/sharing-entries",
    tag = "privacy",
    params(SharingEntriesQuery),
    responses(
        (status = 200, description = "按开始日期 — by start date", body = Vec<SharingEntry>),
        (status = 400, description = "查询参数有误（`invalid_query`） — bad query parameter", body = ErrorEnvelope),
        CommonErrors,
    )
)]
pub async fn list_sharing_entries(
    State(s): State<AppState>,
    Authenticated(actor): Authenticated,
    Query(q): Query<SharingEntriesQuery>,
) -> Result<Json<Vec<SharingEntry>>, ApiError> {
    Ok(Json(s.privacy.sharing_entries(&actor, SharingQuery { kind: q.kind, active_on: q.active_on }).await?))
}

/// 新增对外提供登记 — Record a provision or transfer; a cross-border one names the country and
/// its legal mechanism, and every one needs a prior impact assessment.
#[utoipa::path(
    post,
    path = "/privacy/sharing-entries",
    tag = "privacy",
    request_body = NewSharingEntry,
    responses((status = 201, description = "已登记 — recorded", body = SharingEntry), BodyErrors, CommonErrors)
)]
pub async fn create_sharing_entry(
    State(s): State<AppState>,
    Authenticated(actor): Authenticated,
    Json(input): Json<NewSharingEntry>,
) -> Result<Response, ApiError> {
    let entry = s.privacy.add_sharing_entry(&actor, input).await?;
    Ok(created(format!("/api/v1/privacy/sharing-entries/{}", entry.id), entry))
}

/// 对外提供登记详情 — One register entry.
#[utoipa::path(
    get,
    path = "/privacy/sharing-entries/{id}",
    tag = "privacy",
    params(("id" = SharingEntryId, Path, description = "登记ID — entry id")),
    responses(
        (status = 200, description = "登记 — the entry", body = SharingEntry),
        (status = 400, description = "ID格式不正确（`invalid_id`） — not a UUID", body = ErrorEnvelope),
        (status = 404, description = "无此登记（`sharing_entry_not_found`） — no such entry", body = ErrorEnvelope),
        CommonErrors,
    )
)]
pub async fn get_sharing_entry(
    State(s): State<AppState>,
    Authenticated(actor): Authenticated,
    Path(id): Path<SharingEntryId>,
) -> Result<Json<SharingEntry>, ApiError> {
    Ok(Json(s.privacy.sharing_entry(&actor, id).await?))
}

/// 修改对外提供登记 — Replace a register entry (e.g. record its end date).
#[utoipa::path(
    put,
    path = "/privacy/sharing-entries/{id}",
    tag = "privacy",
    params(("id" = SharingEntryId, Path, description = "登记ID — entry id")),
    request_body = NewSharingEntry,
    responses(
        (status = 200, description = "已更新 — updated", body = SharingEntry),
        (status = 404, description = "无此登记（`sharing_entry_not_found`） — no such entry", body = ErrorEnvelope),
        BodyErrors,
        CommonErrors,
    )
)]
pub async fn update_sharing_entry(
    State(s): State<AppState>,
    Authenticated(actor): Authenticated,
    Path(id): Path<SharingEntryId>,
    Json(input): Json<NewSharingEntry>,
) -> Result<Json<SharingEntry>, ApiError> {
    Ok(Json(s.privacy.update_sharing_entry(&actor, id, input).await?))
}

/// 删除对外提供登记 — Remove an entry recorded by mistake (an ended arrangement gets an end date instead).
#[utoipa::path(
    delete,
    path = "/privacy/sharing-entries/{id}",
    tag = "privacy",
    params(("id" = SharingEntryId, Path, description = "登记ID — entry id")),
    responses(
        (status = 204, description = "已删除 — removed"),
        (status = 404, description = "无此登记（`sharing_entry_not_found`） — no such entry", body = ErrorEnvelope),
        CommonErrors,
    )
)]
pub async fn delete_sharing_entry(
    State(s): State<AppState>,
    Authenticated(actor): Authenticated,
    Path(id): Path<SharingEntryId>,
) -> Result<StatusCode, ApiError> {
    s.privacy.delete_sharing_entry(&actor, id).await?;
    Ok(StatusCode::NO_CONTENT)
}
