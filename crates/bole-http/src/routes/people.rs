//! People endpoints: the employee record (员工档案) with as-of reads, lifecycle
//! events and corrections, the archive timeline, labour contracts, org-unit
//! merges (staff side), dictionaries, the ID-number checker and the data-quality
//! report. Handlers only translate HTTP to service calls; the services authorise.

use crate::auth::Authenticated;
use crate::error::ApiError;
use crate::extract::{Json, Path, Query};
use crate::routes::{BodyErrors, CommonErrors, created};
use crate::state::AppState;
use axum::extract::State;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use bole_api_types::ErrorEnvelope;
use bole_core::{CompanyId, EmployeeId, EventId, FieldErrors, Msg, OrgUnitId, PageRequest};
use bole_people::standards::{self, IdReport};
use bole_people::{
    Assignment, Contact, Contract, Education, EmployeeDetail, EmployeeStatus, EmployeeSummary, EventRecord,
    ExpiringContract, ListQuery, NewContract, NewEmployee, NewEvent, PeopleError, PersonalData, QualityReport,
    TimelineEntry,
};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub(crate) fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_employees, create_employee))
        .routes(routes!(get_employee))
        .routes(routes!(reveal_fields))
        .routes(routes!(update_personal_data))
        .routes(routes!(list_events, create_event))
        .routes(routes!(cancel_event))
        .routes(routes!(list_assignments))
        .routes(routes!(get_timeline))
        .routes(routes!(list_contracts, create_contract))
        .routes(routes!(list_expiring_contracts))
        .routes(routes!(merge_org_unit))
        .routes(routes!(get_quality_report))
        .routes(routes!(list_dictionaries))
        .routes(routes!(get_dictionary))
        .routes(routes!(check_id_number))
        .routes(routes!(export_roster))
        .routes(routes!(roster_template))
        .merge(crate::limits::large_body(OpenApiRouter::new().routes(routes!(import_roster))))
}

fn invalid(field: &str, zh: impl Into<String>, en: impl Into<String>) -> ApiError {
    let mut f = FieldErrors::new();
    f.add(field, Msg::new(zh, en));
    PeopleError::Invalid(f).into()
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct EmployeesQuery {
    /// 只看该单位 — only employees of this company
    pub company_id: Option<CompanyId>,
    /// 只看该组织（默认含下级） — only people assigned to this unit (and below, by default)
    pub org_unit_id: Option<OrgUnitId>,
    /// 是否包含下级组织，默认 true — include sub-units (default true)
    pub include_subunits: Option<bool>,
    /// 状态，逗号分隔：probation,regular,seconded,leave_of_absence,separated,retired — statuses, comma-separated
    pub status: Option<String>,
    /// 入职日期起（含） — hired on or after
    pub hired_from: Option<NaiveDate>,
    /// 入职日期止（含） — hired on or before
    pub hired_to: Option<NaiveDate>,
    /// 姓名或工号包含 — name or employee number contains
    pub q: Option<String>,
    /// 时点（YYYY-MM-DD），默认今天 — the day to evaluate on (default: today)
    pub as_of: Option<NaiveDate>,
    /// 页码，从1开始 — page number, from 1
    pub page: Option<u32>,
    /// 每页条数（1–500，默认50） — rows per page (1–500, default 50)
    pub per_page: Option<u32>,
}

/// One page of employees.
#[derive(Debug, Serialize, ToSchema)]
pub struct EmployeePage {
    pub items: Vec<EmployeeSummary>,
    /// Rows matching the filters, over all pages.
    pub total: u64,
    pub page: u32,
    pub per_page: u32,
}

fn parse_statuses(s: &str) -> Result<Vec<EmployeeStatus>, ApiError> {
    s.split(',')
        .map(str::trim)
        .filter(|x| !x.is_empty())
        .map(|x| {
            EmployeeStatus::parse(x).ok_or_else(|| {
                invalid(
                    "status",
                    format!("未知状态“{x}”：可选 probation、regular、seconded、leave_of_absence、separated、retired"),
                    format!(
                        "unknown status \"{x}\"; use probation, regular, seconded, leave_of_absence, separated, retired"
                    ),
                )
            })
        })
        .collect()
}

/// 员工列表 — List employees with their situation on a day.
#[utoipa::path(
    get,
    path = "/employees",
    tag = "people",
    params(EmployeesQuery),
    responses(
        (status = 200, description = "一页员工 — one page of employees", body = EmployeePage),
        (status = 400, description = "查询参数有误（`invalid_query`） — bad query parameter", body = ErrorEnvelope),
        (status = 404, description = "组织不存在（`org_unit_not_found`） — no such unit", body = ErrorEnvelope),
        (status = 422, description = "筛选条件有误（`validation_failed`） — invalid filter", body = ErrorEnvelope),
        CommonErrors,
    )
)]
pub async fn list_employees(
    State(s): State<AppState>,
    Authenticated(actor): Authenticated,
    Query(q): Query<EmployeesQuery>,
) -> Result<Json<EmployeePage>, ApiError> {
    let statuses = q.status.as_deref().map(parse_statuses).transpose()?;
    let query = ListQuery {
        company_id: q.company_id,
        org_unit_id: q.org_unit_id,
        include_subunits: q.include_subunits.unwrap_or(true),
        statuses,
        hired_from: q.hired_from,
        hired_to: q.hired_to,
        text: q.q,
        as_of: q.as_of,
        page: PageRequest::new(q.page, q.per_page),
    };
    let page = s.people.list(&actor, query).await?;
    Ok(Json(EmployeePage { items: page.items, total: page.total, page: page.page, per_page: page.per_page }))
}

/// 入职（新增员工） — Onboard a new employee.
#[utoipa::path(
    post,
    path = "/employees",
    tag = "people",
    request_body = NewEmployee,
    responses(
        (status = 201, description = "已入职 — onboarded", body = EmployeeDetail),
        (status = 404, description = "单位不存在（`company_not_found`） — no such company", body = ErrorEnvelope),
        (status = 409, description = "工号/证件号重复或编制已满（`duplicate_employee_no`, `duplicate_id_number`, `quota_exceeded`） — duplicate or over quota", body = ErrorEnvelope),
        BodyErrors,
        CommonErrors,
    )
)]
pub async fn create_employee(
    State(s): State<AppState>,
    Authenticated(actor): Authenticated,
    Json(input): Json<NewEmployee>,
) -> Result<Response, ApiError> {
    let detail = s.people.onboard(&actor, input).await?;
    Ok(created(format!("/api/v1/employees/{}", detail.employee.id), detail))
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct AsOf {
    /// 时点（YYYY-MM-DD），默认今天 — the day to evaluate on (default: today)
    pub as_of: Option<NaiveDate>,
}

/// 员工档案（时点） — One employee's record and situation on a day.
#[utoipa::path(
    get,
    path = "/employees/{id}",
    tag = "people",
    params(("id" = EmployeeId, Path, description = "员工ID — employee id"), AsOf),
    responses(
        (status = 200, description = "员工档案 — the record", body = EmployeeDetail),
        (status = 400, description = "ID格式不正确（`invalid_id`） — not a UUID", body = ErrorEnvelope),
        (status = 404, description = "员工不存在（`employee_not_found`） — no such employee", body = ErrorEnvelope),
        CommonErrors,
    )
)]
pub async fn get_employee(
    State(s): State<AppState>,
    Authenticated(actor): Authenticated,
    Path(id): Path<EmployeeId>,
    Query(q): Query<AsOf>,
) -> Result<Json<EmployeeDetail>, ApiError> {
    Ok(Json(s.people.detail(&actor, id, q.as_of).await?))
}

/// Which masked fields to show in clear.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RevealRequest {
    /// Field names: `id_number`, `phone`, `address`, `bank_account`, `ethnicity`, `political_status`.
    pub fields: Vec<String>,
}

/// 查看明文 — Reveal masked fields of one record (needs `sensitive_reveal` over it; audited).
#[utoipa::path(
    post,
    path = "/employees/{id}/reveal",
    tag = "people",
    params(("id" = EmployeeId, Path, description = "员工ID — employee id")),
    request_body = RevealRequest,
    responses(
        (status = 200, description = "明文字段 — the clear values", body = bole_people::RevealedFields),
        (status = 404, description = "员工不存在或不在权限范围内（`employee_not_found`） — no such employee in your scope", body = ErrorEnvelope),
        (status = 422, description = "字段不可查看（`validation_failed`） — unknown or non-revealable field", body = ErrorEnvelope),
        CommonErrors,
    )
)]
pub async fn reveal_fields(
    State(s): State<AppState>,
    Authenticated(actor): Authenticated,
    Path(id): Path<EmployeeId>,
    Json(body): Json<RevealRequest>,
) -> Result<Response, ApiError> {
    let revealed = s.people.reveal(&actor, id, &body.fields).await?;
    let mut res = Json(revealed).into_response();
    // Clear personal data: no cache may keep it.
    res.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    Ok(res)
}

/// Replacement personal data; educations/contacts are replaced only when present.
#[derive(Debug, Deserialize, ToSchema)]
pub struct PersonalDataUpdate {
    #[serde(flatten)]
    pub person: PersonalData,
    #[serde(default)]
    pub educations: Option<Vec<Education>>,
    #[serde(default)]
    pub contacts: Option<Vec<Contact>>,
}

/// 修改个人信息 — Replace an employee's personal data.
#[utoipa::path(
    put,
    path = "/employees/{id}/personal-data",
    tag = "people",
    params(("id" = EmployeeId, Path, description = "员工ID — employee id")),
    request_body = PersonalDataUpdate,
    responses(
        (status = 200, description = "已更新 — updated", body = EmployeeDetail),
        (status = 404, description = "员工不存在（`employee_not_found`） — no such employee", body = ErrorEnvelope),
        (status = 409, description = "证件号已被占用（`duplicate_id_number`） — ID number in use", body = ErrorEnvelope),
        BodyErrors,
        CommonErrors,
    )
)]
pub async fn update_personal_data(
    State(s): State<AppState>,
    Authenticated(actor): Authenticated,
    Path(id): Path<EmployeeId>,
    Json(body): Json<PersonalDataUpdate>,
) -> Result<Json<EmployeeDetail>, ApiError> {
    Ok(Json(s.people.update_person(&actor, id, body.person, body.educations, body.contacts).await?))
}

/// 人事事件列表 — All lifecycle events of an employee (cancelled ones included).
#[utoipa::path(
    get,
    path = "/employees/{id}/events",
    tag = "people",
    params(("id" = EmployeeId, Path, description = "员工ID — employee id")),
    responses(
        (status = 200, description = "按生效日期排序 — by effective date", body = Vec<EventRecord>),
        (status = 404, description = "员工不存在（`employee_not_found`） — no such employee", body = ErrorEnvelope),
        CommonErrors,
    )
)]
pub async fn list_events(
    State(s): State<AppState>,
    Authenticated(actor): Authenticated,
    Path(id): Path<EmployeeId>,
) -> Result<Json<Vec<EventRecord>>, ApiError> {
    Ok(Json(s.people.events(&actor, id).await?))
}

/// 办理人事事项 — Record a lifecycle event: confirm 转正, transfer 调岗, promote 晋升, demote 降级,
/// second 借调 / end_secondment, leave_of_absence 停薪留职 / return_from_leave, separate 离职, retire 退休, rehire 返聘.
#[utoipa::path(
    post,
    path = "/employees/{id}/events",
    tag = "people",
    params(("id" = EmployeeId, Path, description = "员工ID — employee id")),
    request_body = NewEvent,
    responses(
        (status = 201, description = "已记录 — recorded", body = EventRecord),
        (status = 404, description = "员工不存在（`employee_not_found`） — no such employee", body = ErrorEnvelope),
        (status = 409, description = "状态不允许或编制已满（`lifecycle_transition_invalid`, `quota_exceeded`） — not allowed now", body = ErrorEnvelope),
        BodyErrors,
        CommonErrors,
    )
)]
pub async fn create_event(
    State(s): State<AppState>,
    Authenticated(actor): Authenticated,
    Path(id): Path<EmployeeId>,
    Json(input): Json<NewEvent>,
) -> Result<Response, ApiError> {
    let event = s.people.record_event(&actor, id, input).await?;
    Ok(created(format!("/api/v1/employees/{id}/events"), event))
}

/// A correction: cancel an event, optionally with the event that replaces it.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CancelEvent {
    /// 更正原因 — why the event was wrong
    #[serde(default)]
    pub reason: Option<String>,
    /// 替代事件（可选） — the corrected event, recorded in the same step
    #[serde(default)]
    pub replacement: Option<NewEvent>,
}

/// 更正（撤销）人事事件 — Cancel a wrong event (history keeps both).
#[utoipa::path(
    post,
    path = "/employees/{id}/events/{event_id}/cancel",
    tag = "people",
    params(
        ("id" = EmployeeId, Path, description = "员工ID — employee id"),
        ("event_id" = EventId, Path, description = "被撤销的事件ID — the event to cancel"),
    ),
    request_body = CancelEvent,
    responses(
        (status = 201, description = "撤销记录（及替代事件） — the cancellation (and replacement)", body = Vec<EventRecord>),
        (status = 404, description = "员工或事件不存在 — no such employee or event", body = ErrorEnvelope),
        (status = 409, description = "已撤销或撤销后状态不成立（`event_already_cancelled`, `lifecycle_transition_invalid`） — conflict", body = ErrorEnvelope),
        BodyErrors,
        CommonErrors,
    )
)]
pub async fn cancel_event(
    State(s): State<AppState>,
    Authenticated(actor): Authenticated,
    Path((id, event_id)): Path<(EmployeeId, EventId)>,
    Json(body): Json<CancelEvent>,
) -> Result<Response, ApiError> {
    let events = s.people.cancel_event(&actor, id, event_id, body.reason, body.replacement).await?;
    Ok(created(format!("/api/v1/employees/{id}/events"), events))
}

/// 任职经历 — The employee's assignment segments over time.
#[utoipa::path(
    get,
    path = "/employees/{id}/assignments",
    tag = "people",
    params(("id" = EmployeeId, Path, description = "员工ID — employee id")),
    responses(
        (status = 200, description = "连续的任职区间 — consecutive segments", body = Vec<Assignment>),
        (status = 404, description = "员工不存在（`employee_not_found`） — no such employee", body = ErrorEnvelope),
        CommonErrors,
    )
)]
pub async fn list_assignments(
    State(s): State<AppState>,
    Authenticated(actor): Authenticated,
    Path(id): Path<EmployeeId>,
) -> Result<Json<Vec<Assignment>>, ApiError> {
    Ok(Json(s.people.assignments(&actor, id).await?))
}

/// 人事档案时间线 — The archive timeline: every event and contract, by date.
#[utoipa::path(
    get,
    path = "/employees/{id}/timeline",
    tag = "people",
    params(("id" = EmployeeId, Path, description = "员工ID — employee id")),
    responses(
        (status = 200, description = "时间线 — the timeline", body = Vec<TimelineEntry>),
        (status = 404, description = "员工不存在（`employee_not_found`） — no such employee", body = ErrorEnvelope),
        CommonErrors,
    )
)]
pub async fn get_timeline(
    State(s): State<AppState>,
    Authenticated(actor): Authenticated,
    Path(id): Path<EmployeeId>,
) -> Result<Json<Vec<TimelineEntry>>, ApiError> {
    Ok(Json(s.people.timeline(&actor, id).await?))
}

/// 劳动合同列表 — An employee's labour contracts.
#[utoipa::path(
    get,
    path = "/employees/{id}/contracts",
    tag = "people",
    params(("id" = EmployeeId, Path, description = "员工ID — employee id")),
    responses(
        (status = 200, description = "按起始日期排序 — by start date", body = Vec<Contract>),
        (status = 404, description = "员工不存在（`employee_not_found`） — no such employee", body = ErrorEnvelope),
        CommonErrors,
    )
)]
pub async fn list_contracts(
    State(s): State<AppState>,
    Authenticated(actor): Authenticated,
    Path(id): Path<EmployeeId>,
) -> Result<Json<Vec<Contract>>, ApiError> {
    Ok(Json(s.people.contracts(&actor, id).await?))
}

/// 签订/续签劳动合同 — Sign (or renew) a labour contract.
#[utoipa::path(
    post,
    path = "/employees/{id}/contracts",
    tag = "people",
    params(("id" = EmployeeId, Path, description = "员工ID — employee id")),
    request_body = NewContract,
    responses(
        (status = 201, description = "已签订 — signed", body = Contract),
        (status = 404, description = "员工不存在（`employee_not_found`） — no such employee", body = ErrorEnvelope),
        (status = 409, description = "期限重叠（`effective_date_overlap`） — overlaps another contract", body = ErrorEnvelope),
        BodyErrors,
        CommonErrors,
    )
)]
pub async fn create_contract(
    State(s): State<AppState>,
    Authenticated(actor): Authenticated,
    Path(id): Path<EmployeeId>,
    Json(input): Json<NewContract>,
) -> Result<Response, ApiError> {
    let c = s.people.add_contract(&actor, id, input).await?;
    Ok(created(format!("/api/v1/employees/{id}/contracts"), c))
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ExpiringQuery {
    /// 天数（默认30） — days ahead (default 30)
    pub within_days: Option<u32>,
    /// 只看该单位 — only this company
    pub company_id: Option<CompanyId>,
}

/// 即将到期的劳动合同 — Contracts ending within N days and not yet renewed.
#[utoipa::path(
    get,
    path = "/contracts/expiring",
    tag = "people",
    params(ExpiringQuery),
    responses(
        (status = 200, description = "按到期日排序 — by end date", body = Vec<ExpiringContract>),
        (status = 422, description = "参数有误（`validation_failed`） — invalid parameter", body = ErrorEnvelope),
        CommonErrors,
    )
)]
pub async fn list_expiring_contracts(
    State(s): State<AppState>,
    Authenticated(actor): Authenticated,
    Query(q): Query<ExpiringQuery>,
) -> Result<Json<Vec<ExpiringContract>>, ApiError> {
    Ok(Json(s.people.expiring_contracts(&actor, q.company_id, q.within_days.unwrap_or(30)).await?))
}

/// Merge request: this unit merges into `into` from `effective_date`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MergeRequest {
    pub into: OrgUnitId,
    pub effective_date: NaiveDate,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct MergeResult {
    /// People transferred to the surviving unit.
    pub moved_employees: usize,
}

/// 组织合并 — Merge an org unit into another: sub-units and staff move, the unit ends.
#[utoipa::path(
    post,
    path = "/org-units/{id}/merge",
    tag = "org",
    params(("id" = OrgUnitId, Path, description = "被合并的组织ID — the unit that merges away")),
    request_body = MergeRequest,
    responses(
        (status = 200, description = "已合并 — merged", body = MergeResult),
        (status = 404, description = "组织不存在（`org_unit_not_found`） — no such unit", body = ErrorEnvelope),
        (status = 409, description = "存在更晚的变更或编制不足（`effective_date_conflict`, `quota_exceeded`） — conflict", body = ErrorEnvelope),
        BodyErrors,
        CommonErrors,
    )
)]
pub async fn merge_org_unit(
    State(s): State<AppState>,
    Authenticated(actor): Authenticated,
    Path(id): Path<OrgUnitId>,
    Json(body): Json<MergeRequest>,
) -> Result<Json<MergeResult>, ApiError> {
    let moved = s.people.merge_units(&actor, id, body.into, body.effective_date).await?;
    Ok(Json(MergeResult { moved_employees: moved }))
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct QualityQuery {
    /// 只看该单位 — only this company
    pub company_id: Option<CompanyId>,
    /// 最多返回的问题条数（默认1000） — at most this many findings (default 1000)
    pub limit: Option<usize>,
}

/// 数据质量报告 — Records that break the data standards.
#[utoipa::path(
    get,
    path = "/data-quality/report",
    tag = "people",
    params(QualityQuery),
    responses((status = 200, description = "检查结果 — findings", body = QualityReport), CommonErrors)
)]
pub async fn get_quality_report(
    State(s): State<AppState>,
    Authenticated(actor): Authenticated,
    Query(q): Query<QualityQuery>,
) -> Result<Json<QualityReport>, ApiError> {
    Ok(Json(s.people.quality_report(&actor, q.company_id, q.limit.unwrap_or(1000).min(100_000)).await?))
}

/// A dictionary entry on the wire.
#[derive(Debug, Serialize, ToSchema)]
pub struct DictionaryEntryView {
    pub code: String,
    pub zh: String,
    pub en: String,
    pub synonyms: Vec<String>,
}

/// A data dictionary (数据字典) on the wire.
#[derive(Debug, Serialize, ToSchema)]
pub struct DictionaryView {
    pub key: String,
    pub name_zh: String,
    pub name_en: String,
    /// The national standard it follows, e.g. "GB/T 2261.1-2003".
    pub standard: String,
    pub entries: Vec<DictionaryEntryView>,
}

fn dictionary_view(d: &standards::Dictionary) -> DictionaryView {
    DictionaryView {
        key: d.key.into(),
        name_zh: d.name_zh.into(),
        name_en: d.name_en.into(),
        standard: d.standard.into(),
        entries: d
            .entries
            .iter()
            .map(|e| DictionaryEntryView {
                code: e.code.into(),
                zh: e.zh.into(),
                en: e.en.into(),
                synonyms: e.synonyms.iter().map(|s| (*s).to_string()).collect(),
            })
            .collect(),
    }
}

/// 数据字典列表 — All data dictionaries (data standards).
#[utoipa::path(
    get,
    path = "/dictionaries",
    tag = "people",
    responses((status = 200, description = "全部字典 — every dictionary", body = Vec<DictionaryView>), CommonErrors)
)]
pub async fn list_dictionaries(Authenticated(_actor): Authenticated) -> Json<Vec<DictionaryView>> {
    Json(standards::dictionaries::all().iter().map(|d| dictionary_view(d)).collect())
}

/// 数据字典 — One data dictionary by key (e.g. `ethnicity`, `education_level`).
#[utoipa::path(
    get,
    path = "/dictionaries/{key}",
    tag = "people",
    params(("key" = String, Path, description = "字典键 — dictionary key")),
    responses(
        (status = 200, description = "字典 — the dictionary", body = DictionaryView),
        (status = 404, description = "字典不存在（`dictionary_not_found`） — no such dictionary", body = ErrorEnvelope),
        CommonErrors,
    )
)]
pub async fn get_dictionary(
    Authenticated(_actor): Authenticated,
    Path(key): Path<String>,
) -> Result<Json<DictionaryView>, ApiError> {
    match standards::dictionaries::get(&key) {
        Some(d) => Ok(Json(dictionary_view(d))),
        None => Err(ApiError::new(
            StatusCode::NOT_FOUND,
            "dictionary_not_found",
            Msg::new("字典不存在，请检查字典键", "no such dictionary; check the key"),
        )),
    }
}

/// 身份证号校验 — Check a resident ID number (GB 11643): validity, birth date, sex, region.
#[utoipa::path(
    get,
    path = "/id-numbers/{number}",
    tag = "people",
    params(("number" = String, Path, description = "身份证号码 — resident ID number")),
    responses((status = 200, description = "校验结果 — the report", body = Object), CommonErrors)
)]
pub async fn check_id_number(Authenticated(_actor): Authenticated, Path(number): Path<String>) -> Json<IdReport> {
    Json(standards::id_report(&number))
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ImportQuery {
    /// 导入到该单位 — the company the roster belongs to
    pub company_id: CompanyId,
    /// 原文件名（用于判断格式，可选） — original file name, a format hint
    pub file_name: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ImportResult {
    /// Employees onboarded.
    pub imported: usize,
}

/// 花名册导入 — Import a roster (.xlsx or .csv in the request body, up to 32 MiB). Every row is
/// validated; errors come back per row and column in `fields` (e.g. `rows[12].id_number`:
/// “第12行 身份证号：校验位错误…”) and nothing is imported unless every row is valid.
#[utoipa::path(
    post,
    path = "/employees/import",
    tag = "people",
    params(ImportQuery),
    request_body(content = Vec<u8>, content_type = "application/octet-stream", description = ".xlsx 或 .csv 文件内容 — the file's bytes"),
    responses(
        (status = 200, description = "已全部导入 — all rows imported", body = ImportResult),
        (status = 404, description = "单位不存在（`company_not_found`） — no such company", body = ErrorEnvelope),
        (status = 409, description = "编制已满（`quota_exceeded`） — over quota", body = ErrorEnvelope),
        (status = 413, description = "文件超过32 MiB（`payload_too_large`） — file too large", body = ErrorEnvelope),
        (status = 422, description = "花名册有误（`roster_invalid`），逐行列出 — row errors in `fields`", body = ErrorEnvelope),
        CommonErrors,
    )
)]
pub async fn import_roster(
    State(s): State<AppState>,
    Authenticated(actor): Authenticated,
    Query(q): Query<ImportQuery>,
    body: axum::body::Bytes,
) -> Result<Json<ImportResult>, ApiError> {
    let imported = s.people.import_roster(&actor, q.company_id, q.file_name.as_deref(), &body).await?;
    Ok(Json(ImportResult { imported }))
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ExportQuery {
    /// 导出该单位 — the company to export
    pub company_id: CompanyId,
    /// 时点（YYYY-MM-DD），默认今天 — situation on this day (default: today)
    pub as_of: Option<NaiveDate>,
}

const XLSX: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

fn xlsx_download(bytes: Vec<u8>, file_name: &str) -> Response {
    let disposition = format!("attachment; filename=\"{file_name}\"");
    let mut res = (StatusCode::OK, bytes).into_response();
    res.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static(XLSX));
    if let Ok(v) = HeaderValue::from_str(&disposition) {
        res.headers_mut().insert(header::CONTENT_DISPOSITION, v);
    }
    res
}

/// 花名册导出 — Export a company's roster as .xlsx (re-importable).
#[utoipa::path(
    get,
    path = "/employees/export",
    tag = "people",
    params(ExportQuery),
    responses(
        (status = 200, description = "花名册 .xlsx — the roster", content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", body = Vec<u8>),
        (status = 404, description = "单位不存在（`company_not_found`） — no such company", body = ErrorEnvelope),
        CommonErrors,
    )
)]
pub async fn export_roster(
    State(s): State<AppState>,
    Authenticated(actor): Authenticated,
    Query(q): Query<ExportQuery>,
) -> Result<Response, ApiError> {
    let bytes = s.people.export_roster(&actor, q.company_id, q.as_of).await?;
    Ok(xlsx_download(bytes, "roster.xlsx"))
}

/// 花名册模板 — A blank roster template with a 说明 sheet of allowed values.
#[utoipa::path(
    get,
    path = "/employees/import-template",
    tag = "people",
    responses(
        (status = 200, description = "模板 .xlsx — the template", content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", body = Vec<u8>),
        CommonErrors,
    )
)]
pub async fn roster_template(
    State(s): State<AppState>,
    Authenticated(_actor): Authenticated,
) -> Result<Response, ApiError> {
    Ok(xlsx_download(s.people.roster_template()?, "roster-template.xlsx"))
}
