//! Leave and overtime endpoints: leave types, annual-leave profiles, HR adjustments and the grant /
//! year-end jobs, balances and the ledger, leave applications with live quotes, amend and cancel,
//! overtime applications and punch corrections (补卡). Decisions (approve, reject, return) go
//! through the approval endpoints (routes/workflow.rs); their effects are committed by the leave
//! domain's document handlers. Handlers translate HTTP to service calls; the service authorises
//! (own record by default, HR and managers over their scope; 404 outside it) and audits.

use crate::auth::Authenticated;
use crate::error::ApiError;
use crate::extract::{Json, Path, Query};
use crate::routes::{BodyErrors, CommonErrors, created};
use crate::state::AppState;
use axum::extract::State;
use axum::response::Response;
use bole_api_types::ErrorEnvelope;
use bole_core::{CompanyId, EmployeeId, PageRequest};
use bole_time::absence::Decimal;
use bole_time::absence::{
    ApplicationQuery, ApplicationStatus, BalanceSheet, GrantReport, LeaveApplicationDetail, LeaveApplicationId,
    LeaveApplicationView, LeaveProfile, LeaveProfileInput, LeaveQuote, LeaveRequest, LeaveType, LeaveTypeId,
    LeaveTypePatch, LedgerEntryView, NewAdjustment, NewLeaveType, OvertimeApplication, OvertimeId, OvertimeRequest,
    PunchCorrection, PunchCorrectionRequest, YearEndReport,
};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub(crate) fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_leave_types, create_leave_type))
        .routes(routes!(update_leave_type))
        .routes(routes!(set_leave_profile))
        .routes(routes!(create_leave_adjustment))
        .routes(routes!(create_annual_grant))
        .routes(routes!(create_year_end))
        .routes(routes!(create_leave_quote))
        .routes(routes!(list_leave_balances))
        .routes(routes!(list_leave_ledger))
        .routes(routes!(list_leave_applications, create_leave_application))
        .routes(routes!(get_leave_application, update_leave_application))
        .routes(routes!(cancel_leave_application))
        .routes(routes!(list_overtime_applications, create_overtime_application))
        .routes(routes!(get_overtime_application))
        .routes(routes!(cancel_overtime_application))
        .routes(routes!(list_punch_corrections, create_punch_correction))
}

// ------------------------------------------------------------------ leave types

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct CompanyQuery {
    /// 公司，默认本人所在公司 — the company (default: the caller's)
    pub company_id: Option<CompanyId>,
}

/// 假期类型 — The company's leave types (the defaults are created on first use).
#[utoipa::path(
    get,
    path = "/leave-types",
    tag = "leave",
    params(CompanyQuery),
    responses(
        (status = 200, description = "假期类型 — leave types", body = Vec<LeaveType>),
        (status = 422, description = "未指定公司（`validation_failed`） — no company named", body = ErrorEnvelope),
        CommonErrors,
    )
)]
pub async fn list_leave_types(
    State(s): State<AppState>,
    Authenticated(actor): Authenticated,
    Query(q): Query<CompanyQuery>,
) -> Result<Json<Vec<LeaveType>>, ApiError> {
    Ok(Json(s.absence.leave_types(&actor, q.company_id).await?))
}

/// 新增假期类型 — Add a leave type to a company.
#[utoipa::path(
    post,
    path = "/leave-types",
    tag = "leave",
    request_body = NewLeaveType,
    responses(
        (status = 201, description = "已创建 — created", body = LeaveType),
        (status = 409, description = "代码重复（`duplicate_leave_type_code`） — code taken", body = ErrorEnvelope),
        BodyErrors,
        CommonErrors,
    )
)]
pub async fn create_leave_type(
    State(s): State<AppState>,
    Authenticated(actor): Authenticated,
    Json(body): Json<NewLeaveType>,
) -> Result<Response, ApiError> {
    let t = s.absence.create_leave_type(&actor, body).await?;
    Ok(created(format!("/api/v1/leave-types/{}", t.id), t))
}

/// 修改假期类型 — Change a leave type (the code never changes; `active: false` retires it).
#[utoipa::path(
    put,
    path = "/leave-types/{id}",
    tag = "leave",
    params(("id" = String, Path, description = "假期类型编号 — leave type id")),
    request_body = LeaveTypePatch,
    responses(
        (status = 200, description = "已修改 — updated", body = LeaveType),
        (status = 404, description = "不存在（`leave_type_not_found`） — no such type", body = ErrorEnvelope),
        BodyErrors,
        CommonErrors,
    )
)]
pub async fn update_leave_type(
    State(s): State<AppState>,
    Authenticated(actor): Authenticated,
    Path(id): Path<LeaveTypeId>,
    Json(body): Json<LeaveTypePatch>,
) -> Result<Json<LeaveType>, ApiError> {
    Ok(Json(s.absence.update_leave_type(&actor, id, body).await?))
}

// ------------------------------------------------------------------ profiles, adjustments, jobs

/// 设置年休假档案 — Set an employee's first working date or cumulative working years (the basis of
/// statutory annual leave).
#[utoipa::path(
    put,
    path = "/leave/profiles/{employee_id}",
    tag = "leave",
    params(("employee_id" = String, Path, description = "员工编号 — employee id")),
    request_body = LeaveProfileInput,
    responses(
        (status = 200, description = "已保存 — saved", body = LeaveProfile),
        (status = 404, description = "员工不存在（`employee_not_found`） — no such employee", body = ErrorEnvelope),
        BodyErrors,
        CommonErrors,
    )
)]
pub async fn set_leave_profile(
    State(s): State<AppState>,
    Authenticated(actor): Authenticated,
    Path(employee_id): Path<EmployeeId>,
    Json(body): Json<LeaveProfileInput>,
) -> Result<Json<LeaveProfile>, ApiError> {
    Ok(Json(s.absence.set_profile(&actor, employee_id, body).await?))
}

/// 调整假期余额 — Post an HR correction to a balance (with a reason; audited).
#[utoipa::path(
    post,
    path = "/leave/adjustments",
    tag = "leave",
    request_body = NewAdjustment,
    responses(
        (status = 201, description = "已记账 — posted", body = LedgerEntryView),
        (status = 404, description = "员工或假期类型不存在 — no such employee or type", body = ErrorEnvelope),
        BodyErrors,
        CommonErrors,
    )
)]
pub async fn create_leave_adjustment(
    State(s): State<AppState>,
    Authenticated(actor): Authenticated,
    Json(body): Json<NewAdjustment>,
) -> Result<Response, ApiError> {
    let e = s.absence.adjust(&actor, body).await?;
    let location = format!("/api/v1/leave/ledger?employee_id={}", e.entry.employee_id);
    Ok(created(location, e))
}

/// The year a job runs for.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct JobRequest {
    pub year: i32,
    /// 只处理该公司 — only this company (default: every company in the caller's scope)
    pub company_id: Option<CompanyId>,
}

/// 发放法定年休假 — Post each employee's statutory annual leave (and fixed entitlements) for a year.
/// Idempotent: a re-run posts only differences.
#[utoipa::path(
    post,
    path = "/leave/grants/annual",
    tag = "leave",
    request_body = JobRequest,
    responses(
        (status = 200, description = "发放结果 — what was posted", body = GrantReport),
        BodyErrors,
        CommonErrors,
    )
)]
pub async fn create_annual_grant(
    State(s): State<AppState>,
    Authenticated(actor): Authenticated,
    Json(body): Json<JobRequest>,
) -> Result<Json<GrantReport>, ApiError> {
    Ok(Json(s.absence.grant_annual(&actor, body.year, body.company_id).await?))
}

/// 年末结转 — Close a leave year: carry over within each type's limit, expire the rest and every
/// credit past its date. Idempotent.
#[utoipa::path(
    post,
    path = "/leave/year-end",
    tag = "leave",
    request_body = JobRequest,
    responses(
        (status = 200, description = "结转结果 — what was posted", body = YearEndReport),
        BodyErrors,
        CommonErrors,
    )
)]
pub async fn create_year_end(
    State(s): State<AppState>,
    Authenticated(actor): Authenticated,
    Json(body): Json<JobRequest>,
) -> Result<Json<YearEndReport>, ApiError> {
    Ok(Json(s.absence.year_end(&actor, body.year, body.company_id).await?))
}

// ------------------------------------------------------------------ balances and ledger

/// 请假试算 — Duration, balance, pending, available and what remains after, before submitting.
#[utoipa::path(
    post,
    path = "/leave/quote",
    tag = "leave",
    request_body = LeaveRequest,
    responses(
        (status = 200, description = "试算结果 — the quote", body = LeaveQuote),
        (status = 422, description = "全为休息日、超过上限、不符合条件 — zero duration, over the maximum, not eligible", body = ErrorEnvelope),
        BodyErrors,
        CommonErrors,
    )
)]
pub async fn create_leave_quote(
    State(s): State<AppState>,
    Authenticated(actor): Authenticated,
    Json(body): Json<LeaveRequest>,
) -> Result<Json<LeaveQuote>, ApiError> {
    Ok(Json(s.absence.quote(&actor, body).await?))
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct BalanceQuery {
    /// 员工，默认本人 — the employee (default: the caller)
    pub employee_id: Option<EmployeeId>,
    /// 时点，默认全部记账 — count postings valid on or before this day (default: all)
    pub as_of: Option<NaiveDate>,
    /// 离职员工：月工资（计算未休年假工资） — for a leaver: the monthly wage for the unused-leave pay
    #[param(value_type = Option<String>)]
    pub monthly_wage: Option<Decimal>,
}

/// 假期余额 — Per type: granted, used, expired, balance, pending, available and expiring soon; for a
/// separated employee, the unused annual leave to pay.
#[utoipa::path(
    get,
    path = "/leave/balances",
    tag = "leave",
    params(BalanceQuery),
    responses(
        (status = 200, description = "余额 — balances", body = BalanceSheet),
        (status = 404, description = "员工不存在或不在权限范围 — no such employee in scope", body = ErrorEnvelope),
        CommonErrors,
    )
)]
pub async fn list_leave_balances(
    State(s): State<AppState>,
    Authenticated(actor): Authenticated,
    Query(q): Query<BalanceQuery>,
) -> Result<Json<BalanceSheet>, ApiError> {
    Ok(Json(s.absence.balances(&actor, q.employee_id, q.as_of, q.monthly_wage).await?))
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct LedgerQuery {
    /// 员工，默认本人 — the employee (default: the caller)
    pub employee_id: Option<EmployeeId>,
    /// 假期类型代码 — leave type code
    pub leave_type: Option<String>,
    pub page: Option<u32>,
    pub per_page: Option<u32>,
}

/// One page of ledger rows.
#[derive(Debug, Serialize, ToSchema)]
pub struct LedgerPage {
    pub items: Vec<LedgerEntryView>,
    pub total: u64,
    pub page: u32,
    pub per_page: u32,
}

/// 假期台账 — The ledger rows behind a balance, newest first.
#[utoipa::path(
    get,
    path = "/leave/ledger",
    tag = "leave",
    params(LedgerQuery),
    responses(
        (status = 200, description = "台账 — ledger rows", body = LedgerPage),
        (status = 404, description = "员工或假期类型不存在 — no such employee or type", body = ErrorEnvelope),
        CommonErrors,
    )
)]
pub async fn list_leave_ledger(
    State(s): State<AppState>,
    Authenticated(actor): Authenticated,
    Query(q): Query<LedgerQuery>,
) -> Result<Json<LedgerPage>, ApiError> {
    let p = s.absence.ledger(&actor, q.employee_id, q.leave_type, PageRequest::new(q.page, q.per_page)).await?;
    Ok(Json(LedgerPage { items: p.items, total: p.total, page: p.page, per_page: p.per_page }))
}

// ------------------------------------------------------------------ leave applications

/// Whose applications a list shows.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ListScope {
    /// 本人 — the caller's own
    #[default]
    Mine,
    /// 权限范围内所有人 — everyone in the caller's scope (team, unit, company)
    All,
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ApplicationsQuery {
    /// 员工 — one employee (in the caller's scope)
    pub employee_id: Option<EmployeeId>,
    /// `mine`（默认）或 `all` — the caller's own (default) or everyone in scope
    #[param(inline)]
    pub scope: Option<ListScope>,
    pub status: Option<ApplicationStatus>,
    /// 结束日期不早于 — ending on or after
    pub from: Option<NaiveDate>,
    /// 开始日期不晚于 — starting on or before
    pub to: Option<NaiveDate>,
    pub page: Option<u32>,
    pub per_page: Option<u32>,
}

impl ApplicationsQuery {
    fn split(self) -> (ApplicationQuery, bool, PageRequest) {
        (
            ApplicationQuery { employee_id: self.employee_id, status: self.status, from: self.from, to: self.to },
            self.scope.unwrap_or_default() == ListScope::All,
            PageRequest::new(self.page, self.per_page),
        )
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct LeaveApplicationPage {
    pub items: Vec<LeaveApplicationView>,
    pub total: u64,
    pub page: u32,
    pub per_page: u32,
}

/// 请假申请列表 — Leave applications: the caller's own, one employee's, or everyone in scope.
#[utoipa::path(
    get,
    path = "/leave/applications",
    tag = "leave",
    params(ApplicationsQuery),
    responses(
        (status = 200, description = "一页申请 — one page", body = LeaveApplicationPage),
        (status = 400, description = "查询参数有误（`invalid_query`） — bad query parameter", body = ErrorEnvelope),
        CommonErrors,
    )
)]
pub async fn list_leave_applications(
    State(s): State<AppState>,
    Authenticated(actor): Authenticated,
    Query(q): Query<ApplicationsQuery>,
) -> Result<Json<LeaveApplicationPage>, ApiError> {
    let (query, all, page) = q.split();
    let p = s.absence.applications(&actor, query, all, page).await?;
    Ok(Json(LeaveApplicationPage { items: p.items, total: p.total, page: p.page, per_page: p.per_page }))
}

/// 申请请假 — Apply for leave (for oneself, or HR on behalf of someone in scope); starts approval.
#[utoipa::path(
    post,
    path = "/leave/applications",
    tag = "leave",
    request_body = LeaveRequest,
    responses(
        (status = 201, description = "已提交审批 — submitted for approval", body = LeaveApplicationView),
        (status = 409, description = "时间重叠或余额不足（`leave_overlaps`, `insufficient_balance`） — overlap or balance", body = ErrorEnvelope),
        (status = 422, description = "全为休息日、超过上限、不符合条件（`leave_zero_duration`, `leave_exceeds_maximum`, `leave_not_eligible`） — invalid", body = ErrorEnvelope),
        BodyErrors,
        CommonErrors,
    )
)]
pub async fn create_leave_application(
    State(s): State<AppState>,
    Authenticated(actor): Authenticated,
    Json(body): Json<LeaveRequest>,
) -> Result<Response, ApiError> {
    let v = s.absence.apply(&actor, body).await?;
    Ok(created(format!("/api/v1/leave/applications/{}", v.application.id), v))
}

/// 请假申请详情 — One application with its approval instance and history.
#[utoipa::path(
    get,
    path = "/leave/applications/{id}",
    tag = "leave",
    params(("id" = String, Path, description = "申请编号 — application id")),
    responses(
        (status = 200, description = "申请 — the application", body = LeaveApplicationDetail),
        (status = 404, description = "不存在或无权查看（`leave_application_not_found`） — not found", body = ErrorEnvelope),
        CommonErrors,
    )
)]
pub async fn get_leave_application(
    State(s): State<AppState>,
    Authenticated(actor): Authenticated,
    Path(id): Path<LeaveApplicationId>,
) -> Result<Json<LeaveApplicationDetail>, ApiError> {
    Ok(Json(s.absence.application(&actor, id).await?))
}

/// 修改请假申请 — Amend an application in approval (pending or returned); approval restarts.
#[utoipa::path(
    put,
    path = "/leave/applications/{id}",
    tag = "leave",
    params(("id" = String, Path, description = "申请编号 — application id")),
    request_body = LeaveRequest,
    responses(
        (status = 200, description = "已重新提交 — resubmitted", body = LeaveApplicationView),
        (status = 404, description = "不存在（`leave_application_not_found`） — not found", body = ErrorEnvelope),
        (status = 409, description = "状态不允许、重叠或余额不足 — status, overlap or balance", body = ErrorEnvelope),
        BodyErrors,
        CommonErrors,
    )
)]
pub async fn update_leave_application(
    State(s): State<AppState>,
    Authenticated(actor): Authenticated,
    Path(id): Path<LeaveApplicationId>,
    Json(body): Json<LeaveRequest>,
) -> Result<Json<LeaveApplicationView>, ApiError> {
    Ok(Json(s.absence.amend(&actor, id, body).await?))
}

/// Why an approved leave is cancelled (optional).
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CancelRequest {
    pub reason: Option<String>,
}

/// 撤回或销假 — Withdraw an application in approval, or cancel an approved one (balance and
/// attendance restored). An approved leave that has started is cancelled by HR only.
#[utoipa::path(
    post,
    path = "/leave/applications/{id}/cancel",
    tag = "leave",
    params(("id" = String, Path, description = "申请编号 — application id")),
    request_body = CancelRequest,
    responses(
        (status = 200, description = "已撤回或取消 — withdrawn or cancelled", body = LeaveApplicationView),
        (status = 404, description = "不存在（`leave_application_not_found`） — not found", body = ErrorEnvelope),
        (status = 409, description = "已开始或状态不允许（`leave_already_started`, `application_status_conflict`） — started or closed", body = ErrorEnvelope),
        BodyErrors,
        CommonErrors,
    )
)]
pub async fn cancel_leave_application(
    State(s): State<AppState>,
    Authenticated(actor): Authenticated,
    Path(id): Path<LeaveApplicationId>,
    Json(body): Json<CancelRequest>,
) -> Result<Json<LeaveApplicationView>, ApiError> {
    Ok(Json(s.absence.cancel(&actor, id, body.reason).await?))
}

// ------------------------------------------------------------------ overtime

#[derive(Debug, Serialize, ToSchema)]
pub struct OvertimePage {
    pub items: Vec<OvertimeApplication>,
    pub total: u64,
    pub page: u32,
    pub per_page: u32,
}

/// 加班申请列表 — Overtime applications: own, one employee's, or everyone in scope.
#[utoipa::path(
    get,
    path = "/overtime/applications",
    tag = "leave",
    params(ApplicationsQuery),
    responses(
        (status = 200, description = "一页申请 — one page", body = OvertimePage),
        (status = 400, description = "查询参数有误（`invalid_query`） — bad query parameter", body = ErrorEnvelope),
        CommonErrors,
    )
)]
pub async fn list_overtime_applications(
    State(s): State<AppState>,
    Authenticated(actor): Authenticated,
    Query(q): Query<ApplicationsQuery>,
) -> Result<Json<OvertimePage>, ApiError> {
    let (query, all, page) = q.split();
    let p = s.absence.overtime_applications(&actor, query, all, page).await?;
    Ok(Json(OvertimePage { items: p.items, total: p.total, page: p.page, per_page: p.per_page }))
}

/// 申请加班 — Apply for overtime, paid (150/200/300% by the calendar) or as time off (调休; not for
/// statutory holidays).
#[utoipa::path(
    post,
    path = "/overtime/applications",
    tag = "leave",
    request_body = OvertimeRequest,
    responses(
        (status = 201, description = "已提交审批 — submitted", body = OvertimeApplication),
        (status = 422, description = "法定节假日须支付加班费（`holiday_overtime_must_be_paid`） — holiday overtime is paid", body = ErrorEnvelope),
        BodyErrors,
        CommonErrors,
    )
)]
pub async fn create_overtime_application(
    State(s): State<AppState>,
    Authenticated(actor): Authenticated,
    Json(body): Json<OvertimeRequest>,
) -> Result<Response, ApiError> {
    let o = s.absence.apply_overtime(&actor, body).await?;
    Ok(created(format!("/api/v1/overtime/applications/{}", o.id), o))
}

/// 加班申请详情 — One overtime application.
#[utoipa::path(
    get,
    path = "/overtime/applications/{id}",
    tag = "leave",
    params(("id" = String, Path, description = "申请编号 — application id")),
    responses(
        (status = 200, description = "申请 — the application", body = OvertimeApplication),
        (status = 404, description = "不存在（`overtime_application_not_found`） — not found", body = ErrorEnvelope),
        CommonErrors,
    )
)]
pub async fn get_overtime_application(
    State(s): State<AppState>,
    Authenticated(actor): Authenticated,
    Path(id): Path<OvertimeId>,
) -> Result<Json<OvertimeApplication>, ApiError> {
    Ok(Json(s.absence.overtime_application(&actor, id).await?))
}

/// 撤回或取消加班 — Withdraw overtime in approval, or cancel approved overtime (its 调休 credit is
/// taken back; refused when already used).
#[utoipa::path(
    post,
    path = "/overtime/applications/{id}/cancel",
    tag = "leave",
    params(("id" = String, Path, description = "申请编号 — application id")),
    responses(
        (status = 200, description = "已撤回或取消 — withdrawn or cancelled", body = OvertimeApplication),
        (status = 404, description = "不存在（`overtime_application_not_found`） — not found", body = ErrorEnvelope),
        (status = 409, description = "状态不允许或调休已使用 — closed, or the time off was used", body = ErrorEnvelope),
        CommonErrors,
    )
)]
pub async fn cancel_overtime_application(
    State(s): State<AppState>,
    Authenticated(actor): Authenticated,
    Path(id): Path<OvertimeId>,
) -> Result<Json<OvertimeApplication>, ApiError> {
    Ok(Json(s.absence.cancel_overtime(&actor, id).await?))
}

// ------------------------------------------------------------------ punch corrections

#[derive(Debug, Serialize, ToSchema)]
pub struct PunchCorrectionPage {
    pub items: Vec<PunchCorrection>,
    pub total: u64,
    pub page: u32,
    pub per_page: u32,
}

/// 补卡申请列表 — Punch corrections: own, one employee's, or everyone in scope.
#[utoipa::path(
    get,
    path = "/punch-corrections",
    tag = "leave",
    params(ApplicationsQuery),
    responses(
        (status = 200, description = "一页申请 — one page", body = PunchCorrectionPage),
        (status = 400, description = "查询参数有误（`invalid_query`） — bad query parameter", body = ErrorEnvelope),
        CommonErrors,
    )
)]
pub async fn list_punch_corrections(
    State(s): State<AppState>,
    Authenticated(actor): Authenticated,
    Query(q): Query<ApplicationsQuery>,
) -> Result<Json<PunchCorrectionPage>, ApiError> {
    let (query, all, page) = q.split();
    let p = s.absence.punch_corrections(&actor, query, all, page).await?;
    Ok(Json(PunchCorrectionPage { items: p.items, total: p.total, page: p.page, per_page: p.per_page }))
}

/// 申请补卡 — Ask for a missed punch to be recorded (monthly limit per employee).
#[utoipa::path(
    post,
    path = "/punch-corrections",
    tag = "leave",
    request_body = PunchCorrectionRequest,
    responses(
        (status = 201, description = "已提交审批 — submitted", body = PunchCorrection),
        (status = 409, description = "本月次数已满（`punch_correction_limit`） — monthly limit reached", body = ErrorEnvelope),
        BodyErrors,
        CommonErrors,
    )
)]
pub async fn create_punch_correction(
    State(s): State<AppState>,
    Authenticated(actor): Authenticated,
    Json(body): Json<PunchCorrectionRequest>,
) -> Result<Response, ApiError> {
    let p = s.absence.apply_punch_correction(&actor, body).await?;
    Ok(created("/api/v1/punch-corrections".into(), p))
}
