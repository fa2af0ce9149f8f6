//! Payroll endpoints: pay components and structures, salary assignments, SI/HF policies and the
//! contribution calculator, tax profiles, special additional deduction declarations (self-service
//! and HR), adjustments, pay runs (create → compute → review → submit → approve / reject / return →
//! publish), payslips (self-service and HR, JSON and PDF) and the run exports.
//!
//! Handlers translate HTTP to service calls; the service authorises (company-wide grants for pay
//! runs and configuration, row scopes for one employee's records: 404 outside them) and audits
//! every write and every read of pay data. Approval decisions can also be made through the
//! generic approval endpoints (routes/workflow.rs); the pay-run handler commits them either way.

use crate::auth::Authenticated;
use crate::error::ApiError;
use crate::extract::{Json, Path, Query};
use crate::routes::{BodyErrors, CommonErrors, created};
use crate::state::AppState;
use axum::extract::State;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use bole_api_types::ErrorEnvelope;
use bole_core::{CompanyId, EmployeeId, PageRequest};
use bole_payroll::export::ExportKind;
use bole_payroll::si::SiPolicy;
use bole_payroll::{
    ComputeReport, DeductionDeclaration, ItemStatus, NewAdjustment, NewDeclaration, NewPayComponent, NewPayRun,
    NewPayStructure, NewSalaryAssignment, PayAdjustment, PayComponent, PayComponentUpdate, PayRun, PayRunItem,
    PayRunReview, PayStructure, PayStructureUpdate, PayslipSummary, PayslipView, SalaryAssignmentView, SiPreview,
    SiPreviewRequest, SubmitRun, TaxProfile, TaxProfileInput,
};
use bole_workflow::DecisionAction;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use uuid::Uuid;

pub(crate) fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_pay_components, create_pay_component))
        .routes(routes!(update_pay_component))
        .routes(routes!(list_pay_structures, create_pay_structure))
        .routes(routes!(get_pay_structure, update_pay_structure))
        .routes(routes!(list_si_policies, create_si_policy))
        .routes(routes!(create_si_preview))
        .routes(routes!(list_salary_assignments, create_salary_assignment))
        .routes(routes!(get_tax_profile, set_tax_profile))
        .routes(routes!(list_employee_deductions))
        .routes(routes!(list_my_deductions, create_my_deduction))
        .routes(routes!(withdraw_my_deduction))
        .routes(routes!(list_pay_adjustments, create_pay_adjustment))
        .routes(routes!(cancel_pay_adjustment))
        .routes(routes!(list_pay_runs, create_pay_run))
        .routes(routes!(get_pay_run))
        .routes(routes!(compute_pay_run))
        .routes(routes!(list_pay_run_items))
        .routes(routes!(get_pay_run_review))
        .routes(routes!(submit_pay_run))
        .routes(routes!(approve_pay_run))
        .routes(routes!(reject_pay_run))
        .routes(routes!(return_pay_run))
        .routes(routes!(publish_pay_run))
        .routes(routes!(export_pay_run))
        .routes(routes!(list_my_payslips))
        .routes(routes!(get_payslip))
        .routes(routes!(get_payslip_pdf))
}

const XLSX: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

// ------------------------------------------------------------------ components and structures

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct PayrollCompanyQuery {
    /// 单位，默认本人所在单位 — the company (default: the caller's)
    pub company_id: Option<CompanyId>,
}

/// 薪资项目列表 — A company's pay components (the standard set is created on first use).
#[utoipa::path(
    get,
    path = "/payroll/components",
    tag = "payroll",
    params(PayrollCompanyQuery),
    responses(
        (status = 200, description = "薪资项目 — components", body = Vec<PayComponent>),
        (status = 422, description = "未指定单位（`validation_failed`） — no company named", body = ErrorEnvelope),
        CommonErrors,
    )
)]
pub async fn list_pay_components(
    State(s): State<AppState>,
    Authenticated(actor): Authenticated,
    Query(q): Query<PayrollCompanyQuery>,
) -> Result<Json<Vec<PayComponent>>, ApiError> {
    Ok(Json(s.payroll.components(&actor, q.company_id).await?))
}

/// 新增薪资项目 — Add a pay component (its code is how formulas refer to it).
#[utoipa::path(
    post,
    path = "/payroll/components",
    tag = "payroll",
    request_body = NewPayComponent,
    responses(
        (status = 201, description = "已创建 — created", body = PayComponent),
        (status = 409, description = "代码重复（`duplicate_component_code`） — code taken", body = ErrorEnvelope),
        BodyErrors,
        CommonErrors,
    )
)]
pub async fn create_pay_component(
    State(s): State<AppState>,
    Authenticated(actor): Authenticated,
    Json(body): Json<NewPayComponent>,
) -> Result<Response, ApiError> {
    let c = s.payroll.create_component(&actor, body).await?;
    Ok(created(format!("/api/v1/payroll/components/{}", c.id), c))
}

/// 修改薪资项目 — Rename, retire or re-flag a component (code, kind and category never change).
#[utoipa::path(
    patch,
    path = "/payroll/components/{id}",
    tag = "payroll",
    params(("id" = Uuid, Path, description = "薪资项目编号 — component id")),
    request_body = PayComponentUpdate,
    responses(
        (status = 200, description = "已修改 — updated", body = PayComponent),
        (status = 404, description = "不存在（`pay_component_not_found`） — no such component", body = ErrorEnvelope),
        BodyErrors,
        CommonErrors,
    )
)]
pub async fn update_pay_component(
    State(s): State<AppState>,
    Authenticated(actor): Authenticated,
    Path(id): Path<Uuid>,
    Json(body): Json<PayComponentUpdate>,
) -> Result<Json<PayComponent>, ApiError> {
    Ok(Json(s.payroll.update_component(&actor, id, body).await?))
}

/// 薪资结构列表 — A company's pay structures (a standard monthly structure is created on first use).
#[utoipa::path(
    get,
    path = "/payroll/structures",
    tag = "payroll",
    params(PayrollCompanyQuery),
    responses(
        (status = 200, description = "薪资结构 — structures", body = Vec<PayStructure>),
        (status = 422, description = "未指定单位（`validation_failed`） — no company named", body = ErrorEnvelope),
        CommonErrors,
    )
)]
pub async fn list_pay_structures(
    State(s): State<AppState>,
    Authenticated(actor): Authenticated,
    Query(q): Query<PayrollCompanyQuery>,
) -> Result<Json<Vec<PayStructure>>, ApiError> {
    Ok(Json(s.payroll.structures(&actor, q.company_id).await?))
}

/// 新增薪资结构 — Add a pay structure; every formula is compiled and checked before it is saved.
#[utoipa::path(
    post,
    path = "/payroll/structures",
    tag = "payroll",
    request_body = NewPayStructure,
    responses(
        (status = 201, description = "已创建 — created", body = PayStructure),
        (status = 409, description = "代码重复（`duplicate_structure_code`） — code taken", body = ErrorEnvelope),
        BodyErrors,
        CommonErrors,
        (status = 422, description = "公式有误（`formula_invalid`，字段 `items[N].formula`）或其他字段有误 — a formula or field is invalid", body = ErrorEnvelope),
    )
)]
pub async fn create_pay_structure(
    State(s): State<AppState>,
    Authenticated(actor): Authenticated,
    Json(body): Json<NewPayStructure>,
) -> Result<Response, ApiError> {
    let st = s.payroll.create_structure(&actor, body).await?;
    Ok(created(format!("/api/v1/payroll/structures/{}", st.id), st))
}

/// 薪资结构详情 — One pay structure with its ordered items and formulas.
#[utoipa::path(
    get,
    path = "/payroll/structures/{id}",
    tag = "payroll",
    params(("id" = Uuid, Path, description = "薪资结构编号 — structure id")),
    responses(
        (status = 200, description = "薪资结构 — the structure", body = PayStructure),
        (status = 404, description = "不存在（`pay_structure_not_found`） — no such structure", body = ErrorEnvelope),
        CommonErrors,
    )
)]
pub async fn get_pay_structure(
    State(s): State<AppState>,
    Authenticated(actor): Authenticated,
    Path(id): Path<Uuid>,
) -> Result<Json<PayStructure>, ApiError> {
    Ok(Json(s.payroll.structure(&actor, id).await?))
}

/// 修改薪资结构 — Change a structure (optimistic on `version`; formulas are checked again).
#[utoipa::path(
    patch,
    path = "/payroll/structures/{id}",
    tag = "payroll",
    params(("id" = Uuid, Path, description = "薪资结构编号 — structure id")),
    request_body = PayStructureUpdate,
    responses(
        (status = 200, description = "已修改 — updated", body = PayStructure),
        (status = 404, description = "不存在（`pay_structure_not_found`） — no such structure", body = ErrorEnvelope),
        (status = 409, description = "已被他人修改（`payroll_conflict`） — changed meanwhile", body = ErrorEnvelope),
        BodyErrors,
        CommonErrors,
    )
)]
pub async fn update_pay_structure(
    State(s): State<AppState>,
    Authenticated(actor): Authenticated,
    Path(id): Path<Uuid>,
    Json(body): Json<PayStructureUpdate>,
) -> Result<Json<PayStructure>, ApiError> {
    Ok(Json(s.payroll.update_structure(&actor, id, body).await?))
}

// ------------------------------------------------------------------ SI / HF

/// 社保公积金政策 — Every city policy: the built-in ones (national, Beijing, Shanghai) and those entered.
#[utoipa::path(
    get,
    path = "/payroll/si-policies",
    tag = "payroll",
    responses((status = 200, description = "政策 — policies", body = Vec<SiPolicy>), CommonErrors)
)]
pub async fn list_si_policies(
    State(s): State<AppState>,
    Authenticated(actor): Authenticated,
) -> Result<Json<Vec<SiPolicy>>, ApiError> {
    Ok(Json(s.payroll.si_policies(&actor).await?))
}

/// 录入社保公积金政策 — Enter a city's policy for a period (floors, caps, rates, rounding, source).
#[utoipa::path(
    post,
    path = "/payroll/si-policies",
    tag = "payroll",
    request_body = SiPolicy,
    responses(
        (status = 201, description = "已录入 — entered", body = SiPolicy),
        (status = 409, description = "该城市同日已有政策（`duplicate_si_policy`） — the city has a policy starting that day", body = ErrorEnvelope),
        BodyErrors,
        CommonErrors,
    )
)]
pub async fn create_si_policy(
    State(s): State<AppState>,
    Authenticated(actor): Authenticated,
    Json(body): Json<SiPolicy>,
) -> Result<Response, ApiError> {
    let p = s.payroll.add_si_policy(&actor, body).await?;
    Ok(created(format!("/api/v1/payroll/si-policies?city={}", p.city), p))
}

/// 社保公积金试算 — Each contribution line for employee and employer on a base, under the city's
/// policy in force that month.
#[utoipa::path(
    post,
    path = "/payroll/si-preview",
    tag = "payroll",
    request_body = SiPreviewRequest,
    responses(
        (status = 200, description = "试算结果 — the lines and totals", body = SiPreview),
        (status = 404, description = "该城市当月无政策（`si_policy_not_found`） — no policy in force", body = ErrorEnvelope),
        BodyErrors,
        CommonErrors,
    )
)]
pub async fn create_si_preview(
    State(s): State<AppState>,
    Authenticated(actor): Authenticated,
    Json(body): Json<SiPreviewRequest>,
) -> Result<Json<SiPreview>, ApiError> {
    Ok(Json(s.payroll.si_preview(&actor, body).await?))
}

// ------------------------------------------------------------------ salary, tax profile, deductions

/// 薪资档案 — An employee's salary history, oldest first. Amounts are masked (`****`) unless the
/// reader holds `sensitive_read` over the employee or reads their own; reading in clear is audited.
#[utoipa::path(
    get,
    path = "/employees/{id}/salary",
    tag = "payroll",
    params(("id" = Uuid, Path, description = "员工编号 — employee id")),
    responses(
        (status = 200, description = "薪资档案 — salary assignments", body = Vec<SalaryAssignmentView>),
        (status = 404, description = "员工不存在或不在权限范围内（`employee_not_found`） — no such employee in scope", body = ErrorEnvelope),
        CommonErrors,
    )
)]
pub async fn list_salary_assignments(
    State(s): State<AppState>,
    Authenticated(actor): Authenticated,
    Path(id): Path<EmployeeId>,
) -> Result<Json<Vec<SalaryAssignmentView>>, ApiError> {
    Ok(Json(s.payroll.salary_history(&actor, id).await?))
}

/// 调整薪资 — A new salary from `valid_from`; the open assignment closes the day before.
#[utoipa::path(
    post,
    path = "/employees/{id}/salary",
    tag = "payroll",
    params(("id" = Uuid, Path, description = "员工编号 — employee id")),
    request_body = NewSalaryAssignment,
    responses(
        (status = 201, description = "已保存 — saved", body = SalaryAssignmentView),
        (status = 404, description = "员工不存在或不在权限范围内（`employee_not_found`） — no such employee in scope", body = ErrorEnvelope),
        (status = 409, description = "该日期或之后已有变更（`effective_date_conflict`） — a later change exists", body = ErrorEnvelope),
        BodyErrors,
        CommonErrors,
    )
)]
pub async fn create_salary_assignment(
    State(s): State<AppState>,
    Authenticated(actor): Authenticated,
    Path(id): Path<EmployeeId>,
    Json(body): Json<NewSalaryAssignment>,
) -> Result<Response, ApiError> {
    let v = s.payroll.add_salary(&actor, id, body).await?;
    Ok(created(format!("/api/v1/employees/{id}/salary"), v))
}

/// 个税扣缴设置 — An employee's withholding rule for a year (default: standard, bonus taxed separately).
#[utoipa::path(
    get,
    path = "/employees/{id}/tax-profile/{year}",
    tag = "payroll",
    params(
        ("id" = Uuid, Path, description = "员工编号 — employee id"),
        ("year" = i32, Path, description = "纳税年度 — tax year"),
    ),
    responses(
        (status = 200, description = "设置 — the profile", body = TaxProfile),
        (status = 404, description = "员工不存在或不在权限范围内（`employee_not_found`） — no such employee in scope", body = ErrorEnvelope),
        CommonErrors,
    )
)]
pub async fn get_tax_profile(
    State(s): State<AppState>,
    Authenticated(actor): Authenticated,
    Path((id, year)): Path<(EmployeeId, i32)>,
) -> Result<Json<TaxProfile>, ApiError> {
    Ok(Json(s.payroll.tax_profile(&actor, id, year).await?))
}

/// 设置个税扣缴 — Choose the 2020年第13号 / 第19号 option or merging the annual bonus for a year.
#[utoipa::path(
    put,
    path = "/employees/{id}/tax-profile/{year}",
    tag = "payroll",
    params(
        ("id" = Uuid, Path, description = "员工编号 — employee id"),
        ("year" = i32, Path, description = "纳税年度 — tax year"),
    ),
    request_body = TaxProfileInput,
    responses(
        (status = 200, description = "已保存 — saved", body = TaxProfile),
        (status = 404, description = "员工不存在或不在权限范围内（`employee_not_found`） — no such employee in scope", body = ErrorEnvelope),
        BodyErrors,
        CommonErrors,
    )
)]
pub async fn set_tax_profile(
    State(s): State<AppState>,
    Authenticated(actor): Authenticated,
    Path((id, year)): Path<(EmployeeId, i32)>,
    Json(body): Json<TaxProfileInput>,
) -> Result<Json<TaxProfile>, ApiError> {
    Ok(Json(s.payroll.set_tax_profile(&actor, id, year, body).await?))
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct YearQuery {
    /// 纳税年度，默认今年 — tax year (default: this year)
    pub year: Option<i32>,
}

/// 员工专项附加扣除 — An employee's special additional deduction declarations of a year (HR; audited).
#[utoipa::path(
    get,
    path = "/employees/{id}/deductions",
    tag = "payroll",
    params(("id" = Uuid, Path, description = "员工编号 — employee id"), YearQuery),
    responses(
        (status = 200, description = "申报 — declarations", body = Vec<DeductionDeclaration>),
        (status = 404, description = "员工不存在或不在权限范围内（`employee_not_found`） — no such employee in scope", body = ErrorEnvelope),
        CommonErrors,
    )
)]
pub async fn list_employee_deductions(
    State(s): State<AppState>,
    Authenticated(actor): Authenticated,
    Path(id): Path<EmployeeId>,
    Query(q): Query<YearQuery>,
) -> Result<Json<Vec<DeductionDeclaration>>, ApiError> {
    Ok(Json(s.payroll.employee_declarations(&actor, id, q.year).await?))
}

/// 我的专项附加扣除 — My special additional deduction declarations of a year.
#[utoipa::path(
    get,
    path = "/me/deductions",
    tag = "payroll",
    params(YearQuery),
    responses(
        (status = 200, description = "申报 — declarations", body = Vec<DeductionDeclaration>),
        CommonErrors,
        (status = 403, description = "账号未关联员工档案（`no_employee_record`）或无权（`forbidden`） — no employee record, or not allowed", body = ErrorEnvelope),
    )
)]
pub async fn list_my_deductions(
    State(s): State<AppState>,
    Authenticated(actor): Authenticated,
    Query(q): Query<YearQuery>,
) -> Result<Json<Vec<DeductionDeclaration>>, ApiError> {
    Ok(Json(s.payroll.my_declarations(&actor, q.year).await?))
}

/// 申报专项附加扣除 — Declare a special additional deduction (子女教育、婴幼儿照护、继续教育、住房贷款利息、
/// 住房租金、赡养老人). The monthly amount is derived from what is declared; combinations (e.g. housing
/// loan with rent) are refused.
#[utoipa::path(
    post,
    path = "/me/deductions",
    tag = "payroll",
    request_body = NewDeclaration,
    responses(
        (status = 201, description = "已申报 — declared", body = DeductionDeclaration),
        BodyErrors,
        CommonErrors,
        (status = 403, description = "账号未关联员工档案（`no_employee_record`）或无权（`forbidden`） — no employee record, or not allowed", body = ErrorEnvelope),
    )
)]
pub async fn create_my_deduction(
    State(s): State<AppState>,
    Authenticated(actor): Authenticated,
    Json(body): Json<NewDeclaration>,
) -> Result<Response, ApiError> {
    let d = s.payroll.declare(&actor, body).await?;
    Ok(created(format!("/api/v1/me/deductions?year={}", d.year), d))
}

/// 撤回专项附加扣除 — Withdraw one of my declarations (months already withheld stay as they were).
#[utoipa::path(
    post,
    path = "/me/deductions/{id}/withdraw",
    tag = "payroll",
    params(("id" = Uuid, Path, description = "申报编号 — declaration id")),
    responses(
        (status = 204, description = "已撤回 — withdrawn"),
        (status = 404, description = "不存在（`declaration_not_found`） — no such declaration of mine", body = ErrorEnvelope),
        CommonErrors,
        (status = 403, description = "账号未关联员工档案（`no_employee_record`）或无权（`forbidden`） — no employee record, or not allowed", body = ErrorEnvelope),
    )
)]
pub async fn withdraw_my_deduction(
    State(s): State<AppState>,
    Authenticated(actor): Authenticated,
    Path(id): Path<Uuid>,
) -> Result<StatusCode, ApiError> {
    s.payroll.withdraw_declaration(&actor, id).await?;
    Ok(StatusCode::NO_CONTENT)
}

// ------------------------------------------------------------------ adjustments

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct AdjustmentsQuery {
    /// 单位，默认本人所在单位 — the company (default: the caller's)
    pub company_id: Option<CompanyId>,
    /// 期间（YYYY-MM） — the period
    pub period: Option<String>,
    pub page: Option<u32>,
    pub per_page: Option<u32>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct PayAdjustmentPage {
    pub items: Vec<PayAdjustment>,
    pub total: u64,
    pub page: u32,
    pub per_page: u32,
}

/// 薪资调整列表 — One-off amounts and corrections of a company, newest first.
#[utoipa::path(
    get,
    path = "/payroll/adjustments",
    tag = "payroll",
    params(AdjustmentsQuery),
    responses(
        (status = 200, description = "一页调整 — one page", body = PayAdjustmentPage),
        (status = 422, description = "期间格式有误或未指定单位（`validation_failed`） — bad period or no company", body = ErrorEnvelope),
        CommonErrors,
    )
)]
pub async fn list_pay_adjustments(
    State(s): State<AppState>,
    Authenticated(actor): Authenticated,
    Query(q): Query<AdjustmentsQuery>,
) -> Result<Json<PayAdjustmentPage>, ApiError> {
    let p = s.payroll.adjustments(&actor, q.company_id, q.period, PageRequest::new(q.page, q.per_page)).await?;
    Ok(Json(PayAdjustmentPage { items: p.items, total: p.total, page: p.page, per_page: p.per_page }))
}

/// 新增薪资调整 — A one-off amount (奖金、补发、补扣) for an employee in a period; corrections of a locked
/// run are adjustments in a later run.
#[utoipa::path(
    post,
    path = "/payroll/adjustments",
    tag = "payroll",
    request_body = NewAdjustment,
    responses(
        (status = 201, description = "已创建 — created", body = PayAdjustment),
        (status = 404, description = "员工不存在或不在权限范围内（`employee_not_found`） — no such employee in scope", body = ErrorEnvelope),
        BodyErrors,
        CommonErrors,
    )
)]
pub async fn create_pay_adjustment(
    State(s): State<AppState>,
    Authenticated(actor): Authenticated,
    Json(body): Json<NewAdjustment>,
) -> Result<Response, ApiError> {
    let a = s.payroll.create_adjustment(&actor, body).await?;
    Ok(created(format!("/api/v1/payroll/adjustments?period={}", a.period), a))
}

/// 取消薪资调整 — Cancel an adjustment not yet part of a locked run.
#[utoipa::path(
    post,
    path = "/payroll/adjustments/{id}/cancel",
    tag = "payroll",
    params(("id" = Uuid, Path, description = "调整编号 — adjustment id")),
    responses(
        (status = 200, description = "已取消 — cancelled", body = PayAdjustment),
        (status = 404, description = "不存在（`adjustment_not_found`） — no such adjustment", body = ErrorEnvelope),
        (status = 409, description = "已计入锁定批次（`adjustment_applied`） — part of a locked run", body = ErrorEnvelope),
        CommonErrors,
    )
)]
pub async fn cancel_pay_adjustment(
    State(s): State<AppState>,
    Authenticated(actor): Authenticated,
    Path(id): Path<Uuid>,
) -> Result<Json<PayAdjustment>, ApiError> {
    Ok(Json(s.payroll.cancel_adjustment(&actor, id).await?))
}

// ------------------------------------------------------------------ pay runs

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct PayRunsQuery {
    /// 单位 — only this company
    pub company_id: Option<CompanyId>,
    pub page: Option<u32>,
    pub per_page: Option<u32>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct PayRunPage {
    pub items: Vec<PayRun>,
    pub total: u64,
    pub page: u32,
    pub per_page: u32,
}

/// 薪资批次列表 — Pay runs, newest period first.
#[utoipa::path(
    get,
    path = "/pay-runs",
    tag = "payroll",
    params(PayRunsQuery),
    responses((status = 200, description = "一页批次 — one page", body = PayRunPage), CommonErrors)
)]
pub async fn list_pay_runs(
    State(s): State<AppState>,
    Authenticated(actor): Authenticated,
    Query(q): Query<PayRunsQuery>,
) -> Result<Json<PayRunPage>, ApiError> {
    let p = s.payroll.runs(&actor, q.company_id, PageRequest::new(q.page, q.per_page)).await?;
    Ok(Json(PayRunPage { items: p.items, total: p.total, page: p.page, per_page: p.per_page }))
}

/// 新建薪资批次 — Create a company's run for a month ("YYYY-MM") with its pay date; the creator is its
/// preparer (制单人) and can never approve it.
#[utoipa::path(
    post,
    path = "/pay-runs",
    tag = "payroll",
    request_body = NewPayRun,
    responses(
        (status = 201, description = "已创建 — created", body = PayRun),
        (status = 404, description = "单位不存在（`company_not_found`） — no such company", body = ErrorEnvelope),
        (status = 409, description = "该期间已有批次（`duplicate_pay_run`） — the period has a run", body = ErrorEnvelope),
        BodyErrors,
        CommonErrors,
    )
)]
pub async fn create_pay_run(
    State(s): State<AppState>,
    Authenticated(actor): Authenticated,
    Json(body): Json<NewPayRun>,
) -> Result<Response, ApiError> {
    let r = s.payroll.create_run(&actor, body).await?;
    Ok(created(format!("/api/v1/pay-runs/{}", r.id), r))
}

/// 薪资批次详情 — One run: status, totals, digest, approval.
#[utoipa::path(
    get,
    path = "/pay-runs/{id}",
    tag = "payroll",
    params(("id" = Uuid, Path, description = "批次编号 — pay run id")),
    responses(
        (status = 200, description = "批次 — the run", body = PayRun),
        (status = 404, description = "不存在（`pay_run_not_found`） — no such run", body = ErrorEnvelope),
        CommonErrors,
    )
)]
pub async fn get_pay_run(
    State(s): State<AppState>,
    Authenticated(actor): Authenticated,
    Path(id): Path<Uuid>,
) -> Result<Json<PayRun>, ApiError> {
    Ok(Json(s.payroll.run(&actor, id).await?))
}

/// 核算 — Compute (or recompute) a draft or computed run: attendance, proration, overtime, SI/HF, IIT.
/// Per-employee failures are listed in the report and the rest still computes; the same inputs
/// give the same digest. All or nothing: a failure leaves the run as it was.
#[utoipa::path(
    post,
    path = "/pay-runs/{id}/compute",
    tag = "payroll",
    params(("id" = Uuid, Path, description = "批次编号 — pay run id")),
    responses(
        (status = 200, description = "核算报告 — the report", body = ComputeReport),
        (status = 404, description = "不存在（`pay_run_not_found`） — no such run", body = ErrorEnvelope),
        (status = 409, description = "状态不允许（`pay_run_wrong_status`，如已锁定）或被他人同时核算（`pay_run_conflict`） — wrong status or concurrent compute", body = ErrorEnvelope),
        (status = 422, description = "公式有误（`formula_invalid`）或工作日历未覆盖该年（`validation_failed`） — formula or calendar problem", body = ErrorEnvelope),
        CommonErrors,
    )
)]
pub async fn compute_pay_run(
    State(s): State<AppState>,
    Authenticated(actor): Authenticated,
    Path(id): Path<Uuid>,
) -> Result<Json<ComputeReport>, ApiError> {
    Ok(Json(s.payroll.compute(&actor, id).await?))
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct PayRunItemsQuery {
    /// `ok` 或 `error` — only computed or only failed items
    pub status: Option<ItemStatus>,
    /// 工号或姓名（包含） — employee number or name contains
    pub search: Option<String>,
    pub page: Option<u32>,
    pub per_page: Option<u32>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct PayRunItemPage {
    pub items: Vec<PayRunItem>,
    pub total: u64,
    pub page: u32,
    pub per_page: u32,
}

/// 批次明细 — One page of a run's items (employees in the reader's scope), with their payslips; audited.
#[utoipa::path(
    get,
    path = "/pay-runs/{id}/items",
    tag = "payroll",
    params(("id" = Uuid, Path, description = "批次编号 — pay run id"), PayRunItemsQuery),
    responses(
        (status = 200, description = "一页明细 — one page", body = PayRunItemPage),
        (status = 404, description = "不存在（`pay_run_not_found`） — no such run", body = ErrorEnvelope),
        CommonErrors,
    )
)]
pub async fn list_pay_run_items(
    State(s): State<AppState>,
    Authenticated(actor): Authenticated,
    Path(id): Path<Uuid>,
    Query(q): Query<PayRunItemsQuery>,
) -> Result<Json<PayRunItemPage>, ApiError> {
    let p = s.payroll.items(&actor, id, q.status, q.search, PageRequest::new(q.page, q.per_page)).await?;
    Ok(Json(PayRunItemPage { items: p.items, total: p.total, page: p.page, per_page: p.per_page }))
}

/// 核对 — The run against the company's last locked run: gross and net differences and anomaly flags
/// (净额变动超过 20%、实发为负、新进、离开、无考勤、核算失败).
#[utoipa::path(
    get,
    path = "/pay-runs/{id}/review",
    tag = "payroll",
    params(("id" = Uuid, Path, description = "批次编号 — pay run id")),
    responses(
        (status = 200, description = "核对表 — the review", body = PayRunReview),
        (status = 404, description = "不存在（`pay_run_not_found`） — no such run", body = ErrorEnvelope),
        CommonErrors,
    )
)]
pub async fn get_pay_run_review(
    State(s): State<AppState>,
    Authenticated(actor): Authenticated,
    Path(id): Path<Uuid>,
) -> Result<Json<PayRunReview>, ApiError> {
    Ok(Json(s.payroll.review(&actor, id).await?))
}

/// 提交审批 — Submit a computed run for approval (an HR administrator other than the submitter). A run
/// with error items needs `acknowledge_errors: true` (those employees are left out of it).
#[utoipa::path(
    post,
    path = "/pay-runs/{id}/submit",
    tag = "payroll",
    params(("id" = Uuid, Path, description = "批次编号 — pay run id")),
    request_body = SubmitRun,
    responses(
        (status = 200, description = "已提交 — submitted", body = PayRun),
        (status = 404, description = "不存在（`pay_run_not_found`） — no such run", body = ErrorEnvelope),
        (status = 409, description = "状态不允许（`pay_run_wrong_status`）、有核算失败的员工（`pay_run_has_errors`）或已被他人更新（`pay_run_conflict`） — wrong status, error items, or changed meanwhile", body = ErrorEnvelope),
        BodyErrors,
        CommonErrors,
        (status = 403, description = "账号未关联员工档案（`no_employee_record`）或无权（`forbidden`） — no employee record, or not allowed", body = ErrorEnvelope),
        (status = 422, description = "无人可审批（`approver_unresolved`）或字段有误（`validation_failed`） — nobody can approve, or invalid fields", body = ErrorEnvelope),
    )
)]
pub async fn submit_pay_run(
    State(s): State<AppState>,
    Authenticated(actor): Authenticated,
    Path(id): Path<Uuid>,
    Json(body): Json<SubmitRun>,
) -> Result<Json<PayRun>, ApiError> {
    Ok(Json(s.payroll.submit(&actor, id, body).await?))
}

/// A comment with a decision.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PayRunDecisionBody {
    /// 审批意见 — comment
    #[serde(default)]
    pub comment: Option<String>,
}

/// 审批通过 — Approve a submitted run (the caller's open approval task on it); the last approval locks
/// it. The preparer is refused (`pay_run_self_approval`).
#[utoipa::path(
    post,
    path = "/pay-runs/{id}/approve",
    tag = "payroll",
    params(("id" = Uuid, Path, description = "批次编号 — pay run id")),
    request_body = PayRunDecisionBody,
    responses(
        (status = 200, description = "已审批 — decided", body = PayRun),
        (status = 404, description = "不存在（`pay_run_not_found`） — no such run", body = ErrorEnvelope),
        (status = 409, description = "未在审批中（`pay_run_wrong_status`）或被他人抢先处理（`approval_conflict`, `task_closed`） — not pending, or decided meanwhile", body = ErrorEnvelope),
        BodyErrors,
        CommonErrors,
        (status = 403, description = "制单人不能审批（`pay_run_self_approval`）或不是审批人（`forbidden`） — the preparer, or not an approver", body = ErrorEnvelope),
    )
)]
pub async fn approve_pay_run(
    State(s): State<AppState>,
    Authenticated(actor): Authenticated,
    Path(id): Path<Uuid>,
    Json(body): Json<PayRunDecisionBody>,
) -> Result<Json<PayRun>, ApiError> {
    Ok(Json(s.payroll.decide(&actor, id, DecisionAction::Approve, body.comment).await?))
}

/// 驳回 — Reject a submitted run; it goes back to computed.
#[utoipa::path(
    post,
    path = "/pay-runs/{id}/reject",
    tag = "payroll",
    params(("id" = Uuid, Path, description = "批次编号 — pay run id")),
    request_body = PayRunDecisionBody,
    responses(
        (status = 200, description = "已驳回 — rejected", body = PayRun),
        (status = 404, description = "不存在（`pay_run_not_found`） — no such run", body = ErrorEnvelope),
        (status = 409, description = "未在审批中（`pay_run_wrong_status`） — not pending", body = ErrorEnvelope),
        BodyErrors,
        CommonErrors,
        (status = 403, description = "制单人（`pay_run_self_approval`）或不是审批人（`forbidden`） — the preparer, or not an approver", body = ErrorEnvelope),
    )
)]
pub async fn reject_pay_run(
    State(s): State<AppState>,
    Authenticated(actor): Authenticated,
    Path(id): Path<Uuid>,
    Json(body): Json<PayRunDecisionBody>,
) -> Result<Json<PayRun>, ApiError> {
    Ok(Json(s.payroll.decide(&actor, id, DecisionAction::Reject, body.comment).await?))
}

/// 退回修改 — Return a submitted run to its preparer for changes; it goes back to computed.
#[utoipa::path(
    post,
    path = "/pay-runs/{id}/return",
    tag = "payroll",
    params(("id" = Uuid, Path, description = "批次编号 — pay run id")),
    request_body = PayRunDecisionBody,
    responses(
        (status = 200, description = "已退回 — returned", body = PayRun),
        (status = 404, description = "不存在（`pay_run_not_found`） — no such run", body = ErrorEnvelope),
        (status = 409, description = "未在审批中（`pay_run_wrong_status`） — not pending", body = ErrorEnvelope),
        BodyErrors,
        CommonErrors,
        (status = 403, description = "制单人（`pay_run_self_approval`）或不是审批人（`forbidden`） — the preparer, or not an approver", body = ErrorEnvelope),
    )
)]
pub async fn return_pay_run(
    State(s): State<AppState>,
    Authenticated(actor): Authenticated,
    Path(id): Path<Uuid>,
    Json(body): Json<PayRunDecisionBody>,
) -> Result<Json<PayRun>, ApiError> {
    Ok(Json(s.payroll.decide(&actor, id, DecisionAction::Return, body.comment).await?))
}

/// 发布工资条 — Publish a locked run: its employees see their payslips.
#[utoipa::path(
    post,
    path = "/pay-runs/{id}/publish",
    tag = "payroll",
    params(("id" = Uuid, Path, description = "批次编号 — pay run id")),
    responses(
        (status = 200, description = "已发布 — published", body = PayRun),
        (status = 404, description = "不存在（`pay_run_not_found`） — no such run", body = ErrorEnvelope),
        (status = 409, description = "未锁定（`pay_run_wrong_status`） — not locked", body = ErrorEnvelope),
        CommonErrors,
    )
)]
pub async fn publish_pay_run(
    State(s): State<AppState>,
    Authenticated(actor): Authenticated,
    Path(id): Path<Uuid>,
) -> Result<Json<PayRun>, ApiError> {
    Ok(Json(s.payroll.publish(&actor, id).await?))
}

/// `attachment` with an ASCII fallback name and the UTF-8 name (RFC 6266 / RFC 5987), so browsers
/// save Chinese file names intact.
fn attachment(filename: &str) -> Option<HeaderValue> {
    let ascii: String =
        filename.chars().map(|c| if c.is_ascii_graphic() && c != '"' && c != '\\' { c } else { '_' }).collect();
    let mut encoded = String::new();
    for b in filename.bytes() {
        let keep = b.is_ascii_alphanumeric() || b"!#$&+-.^_`|~".contains(&b);
        if keep {
            encoded.push(char::from(b));
        } else {
            encoded.push_str(&format!("%{b:02X}"));
        }
    }
    HeaderValue::from_str(&format!("attachment; filename=\"{ascii}\"; filename*=UTF-8''{encoded}")).ok()
}

fn download(bytes: Vec<u8>, content_type: &str, filename: &str) -> Response {
    let mut res = (StatusCode::OK, bytes).into_response();
    if let Ok(v) = HeaderValue::from_str(content_type) {
        res.headers_mut().insert(header::CONTENT_TYPE, v);
    }
    if let Some(v) = attachment(filename) {
        res.headers_mut().insert(header::CONTENT_DISPOSITION, v);
    }
    res
}

/// 导出 — A file from a locked or published run: `bank_csv` / `bank_xlsx` 银行代发, `iit_xlsx` 个税扣缴申报
/// (正常工资薪金所得 template), `si_xlsx` 社保公积金明细, `register_xlsx` 工资表, `cost_xlsx` 人工成本按部门.
/// The bank and tax files need `sensitive_read`; every export is audited.
#[utoipa::path(
    get,
    path = "/pay-runs/{id}/exports/{kind}",
    tag = "payroll",
    params(
        ("id" = Uuid, Path, description = "批次编号 — pay run id"),
        ("kind" = inline(ExportKind), Path, description = "文件类型 — which file"),
    ),
    responses(
        (status = 200, description = "文件 — the file", content((Vec<u8> = "text/csv"), (Vec<u8> = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"))),
        (status = 404, description = "不存在（`pay_run_not_found`） — no such run", body = ErrorEnvelope),
        (status = 409, description = "未锁定（`pay_run_wrong_status`） — not locked", body = ErrorEnvelope),
        CommonErrors,
    )
)]
pub async fn export_pay_run(
    State(s): State<AppState>,
    Authenticated(actor): Authenticated,
    Path((id, kind)): Path<(Uuid, ExportKind)>,
) -> Result<Response, ApiError> {
    let f = s.payroll.export(&actor, id, kind).await?;
    let content_type = if f.content_type.is_empty() { XLSX } else { f.content_type };
    Ok(download(f.bytes, content_type, &f.filename))
}

// ------------------------------------------------------------------ payslips

/// 我的工资条 — My published payslips, newest first (audited).
#[utoipa::path(
    get,
    path = "/me/payslips",
    tag = "payroll",
    responses(
        (status = 200, description = "工资条 — payslips", body = Vec<PayslipSummary>),
        CommonErrors,
        (status = 403, description = "账号未关联员工档案（`no_employee_record`）或无权（`forbidden`） — no employee record, or not allowed", body = ErrorEnvelope),
    )
)]
pub async fn list_my_payslips(
    State(s): State<AppState>,
    Authenticated(actor): Authenticated,
) -> Result<Json<Vec<PayslipSummary>>, ApiError> {
    Ok(Json(s.payroll.my_payslips(&actor).await?))
}

/// 工资条 — One payslip: the employee's own once published, or HR over the employee once the run is
/// locked. Someone else's payslip is refused (403, audited); every view is audited.
#[utoipa::path(
    get,
    path = "/payslips/{id}",
    tag = "payroll",
    params(("id" = Uuid, Path, description = "工资条编号 — payslip id")),
    responses(
        (status = 200, description = "工资条 — the payslip", body = PayslipView),
        (status = 404, description = "不存在或未发布（`payslip_not_found`） — no such payslip, or not published", body = ErrorEnvelope),
        CommonErrors,
    )
)]
pub async fn get_payslip(
    State(s): State<AppState>,
    Authenticated(actor): Authenticated,
    Path(id): Path<Uuid>,
) -> Result<Json<PayslipView>, ApiError> {
    Ok(Json(s.payroll.payslip(&actor, id).await?))
}

/// 工资条 PDF — The same payslip as a PDF with Chinese text (same rules; audited).
#[utoipa::path(
    get,
    path = "/payslips/{id}/pdf",
    tag = "payroll",
    params(("id" = Uuid, Path, description = "工资条编号 — payslip id")),
    responses(
        (status = 200, description = "PDF 文件 — the PDF", content_type = "application/pdf", body = Vec<u8>),
        (status = 404, description = "不存在或未发布（`payslip_not_found`） — no such payslip, or not published", body = ErrorEnvelope),
        CommonErrors,
    )
)]
pub async fn get_payslip_pdf(
    State(s): State<AppState>,
    Authenticated(actor): Authenticated,
    Path(id): Path<Uuid>,
) -> Result<Response, ApiError> {
    let (name, bytes) = s.payroll.payslip_pdf(&actor, id).await?;
    Ok(download(bytes, "application/pdf", &name))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chinese_file_names_survive_in_content_disposition() {
        let v = attachment("工资条-2026-03-E001.pdf").unwrap();
        let s = v.to_str().unwrap_or_default();
        assert!(s.starts_with("attachment; filename=\""), "{s}");
        assert!(
            s.contains("-2026-03-E001.pdf\"; filename*=UTF-8''%E5%B7%A5%E8%B5%84%E6%9D%A1-2026-03-E001.pdf"),
            "{s}"
        );
    }
}
