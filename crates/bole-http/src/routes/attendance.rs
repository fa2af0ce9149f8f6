//! Attendance endpoints: calendars, shifts and schedules, punches (clock in/out, CSV import), attendance days, team calendar, monthly summaries, punch corrections.
//! Handlers only translate HTTP to service calls; the attendance service authorises.

use crate::auth::Authenticated;
use crate::error::ApiError;
use crate::extract::{Json, Path, Query};
use crate::routes::{BodyErrors, CommonErrors, created};
use crate::state::AppState;
use axum::extract::State;
use axum::response::Response;
use bole_api_types::ErrorEnvelope;
use bole_core::{CompanyId, EmployeeId, OrgUnitId, PageRequest};
use bole_time::attendance::{
    AssignmentFilter, AttendanceDay, AttendanceError, AttendancePolicy, CalendarYearView, Month, MonthlySummary,
    MyMonth, NewCalendarLayer, NewLayerDays, NewPunch, NewShift, NewShiftAssignment, PunchImportReport, PunchView,
    Shift, ShiftAssignment, ShiftPatch, StoredLayer, SummaryComputeReport, SummaryFilter, TeamMonth,
};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use uuid::Uuid;

pub(crate) fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(get_calendar_year))
        .routes(routes!(list_calendar_layers, create_calendar_layer))
        .routes(routes!(add_calendar_layer_days))
        .routes(routes!(list_shifts, create_shift))
        .routes(routes!(update_shift))
        .routes(routes!(list_shift_assignments, create_shift_assignment))
        .routes(routes!(list_punches, create_punch))
        .routes(routes!(list_attendance_days))
        .routes(routes!(get_my_attendance))
        .routes(routes!(get_team_attendance))
        .routes(routes!(compute_summaries))
        .routes(routes!(list_summaries))
        .routes(routes!(get_attendance_policy, update_attendance_policy))
        .merge(crate::limits::large_body(OpenApiRouter::new().routes(routes!(import_punches))))
}

fn month_param(field: &str, s: &str) -> Result<Month, ApiError> {
    Month::parse(s).ok_or_else(|| {
        AttendanceError::field(
            field,
            bole_core::Msg::new(format!("月份“{s}”须为 YYYY-MM 格式"), format!("month \"{s}\" must be YYYY-MM")),
        )
        .into()
    })
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct CalendarQuery {
    /// 叠加该单位的日历层 — apply this company's layers
    pub company_id: Option<CompanyId>,
    /// 叠加该工作地点的地区日历层 — apply the regional layers of this work location
    pub region: Option<String>,
}

/// 工作日历 — The year's calendar: national holidays and 调休 with the stored layers applied.
#[utoipa::path(
    get,
    path = "/calendars/{year}",
    tag = "attendance",
    params(("year" = i32, Path, description = "年份 — year"), CalendarQuery),
    responses(
        (status = 200, description = "日历 — the year (days_off, makeup_workdays, statutory_holidays, layer_days)", body = CalendarYearView),
        (status = 404, description = "尚无该年国务院通知（`calendar_year_not_covered`） — year not covered", body = ErrorEnvelope),
        CommonErrors,
    )
)]
pub async fn get_calendar_year(
    State(s): State<AppState>,
    Authenticated(actor): Authenticated,
    Path(year): Path<i32>,
    Query(q): Query<CalendarQuery>,
) -> Result<Json<CalendarYearView>, ApiError> {
    Ok(Json(s.attendance.calendar_year(&actor, year, q.company_id, q.region.as_deref()).await?))
}

/// 日历层列表 — Company and regional calendar layers.
#[utoipa::path(get, path = "/calendar-layers", tag = "attendance",
    responses((status = 200, description = "日历层 — layers", body = Vec<StoredLayer>), CommonErrors))]
pub async fn list_calendar_layers(
    State(s): State<AppState>,
    Authenticated(actor): Authenticated,
) -> Result<Json<Vec<StoredLayer>>, ApiError> {
    Ok(Json(s.attendance.calendar_layers(&actor).await?))
}

/// 新建日历层 — Create a company or regional calendar layer (extra days off, extra workdays).
#[utoipa::path(post, path = "/calendar-layers", tag = "attendance", request_body = NewCalendarLayer,
    responses(
        (status = 201, description = "已创建 — created", body = StoredLayer),
        (status = 422, description = "输入有误（`validation_failed`，`calendar_data_invalid`） — invalid", body = ErrorEnvelope),
        BodyErrors, CommonErrors,
    ))]
pub async fn create_calendar_layer(
    State(s): State<AppState>,
    Authenticated(actor): Authenticated,
    Json(body): Json<NewCalendarLayer>,
) -> Result<Response, ApiError> {
    let layer = s.attendance.create_layer(&actor, body).await?;
    Ok(created(format!("/api/v1/calendar-layers/{}", layer.id), layer))
}

/// 日历层添加日期 — Add days to a calendar layer.
#[utoipa::path(post, path = "/calendar-layers/{id}/days", tag = "attendance", request_body = NewLayerDays,
    params(("id" = Uuid, Path, description = "日历层 — layer id")),
    responses(
        (status = 200, description = "更新后的日历层 — the layer", body = StoredLayer),
        (status = 404, description = "日历层不存在（`calendar_layer_not_found`） — no such layer", body = ErrorEnvelope),
        (status = 409, description = "该日期已设置（`calendar_layer_day_exists`） — date already set", body = ErrorEnvelope),
        BodyErrors, CommonErrors,
    ))]
pub async fn add_calendar_layer_days(
    State(s): State<AppState>,
    Authenticated(actor): Authenticated,
    Path(id): Path<Uuid>,
    Json(body): Json<NewLayerDays>,
) -> Result<Json<StoredLayer>, ApiError> {
    Ok(Json(s.attendance.add_layer_days(&actor, id, body.days).await?))
}

/// 班次列表 — Shifts (the built-in standard shift STD first).
#[utoipa::path(get, path = "/shifts", tag = "attendance",
    responses((status = 200, description = "班次 — shifts", body = Vec<Shift>), CommonErrors))]
pub async fn list_shifts(
    State(s): State<AppState>,
    Authenticated(actor): Authenticated,
) -> Result<Json<Vec<Shift>>, ApiError> {
    Ok(Json(s.attendance.shifts(&actor).await?))
}

/// 新建班次 — Create a shift: fixed, flexible, rotating or comprehensive hours (综合工时).
#[utoipa::path(post, path = "/shifts", tag = "attendance", request_body = NewShift,
    responses(
        (status = 201, description = "已创建 — created", body = Shift),
        (status = 409, description = "代码已被使用（`duplicate_shift_code`） — code taken", body = ErrorEnvelope),
        (status = 422, description = "班次规则有误（`validation_failed`） — invalid rule", body = ErrorEnvelope),
        BodyErrors, CommonErrors,
    ))]
pub async fn create_shift(
    State(s): State<AppState>,
    Authenticated(actor): Authenticated,
    Json(body): Json<NewShift>,
) -> Result<Response, ApiError> {
    let shift = s.attendance.create_shift(&actor, body).await?;
    Ok(created(format!("/api/v1/shifts/{}", shift.id), shift))
}

/// 修改班次 — Change a shift from today on (earlier days keep their verdict).
#[utoipa::path(put, path = "/shifts/{id}", tag = "attendance", request_body = ShiftPatch,
    params(("id" = Uuid, Path, description = "班次 — shift id")),
    responses(
        (status = 200, description = "已修改 — updated", body = Shift),
        (status = 404, description = "班次不存在（`shift_not_found`） — no such shift", body = ErrorEnvelope),
        BodyErrors, CommonErrors,
    ))]
pub async fn update_shift(
    State(s): State<AppState>,
    Authenticated(actor): Authenticated,
    Path(id): Path<Uuid>,
    Json(body): Json<ShiftPatch>,
) -> Result<Json<Shift>, ApiError> {
    Ok(Json(s.attendance.update_shift(&actor, id, body).await?))
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct AssignmentQuery {
    /// 该员工的排班 — one employee's schedule
    pub employee_id: Option<EmployeeId>,
    /// 该组织的排班 — one unit's schedule
    pub org_unit_id: Option<OrgUnitId>,
}

/// 排班列表 — Shift assignments (employee or org unit, effective-dated).
#[utoipa::path(get, path = "/shift-assignments", tag = "attendance", params(AssignmentQuery),
    responses((status = 200, description = "排班 — assignments", body = Vec<ShiftAssignment>), CommonErrors))]
pub async fn list_shift_assignments(
    State(s): State<AppState>,
    Authenticated(actor): Authenticated,
    Query(q): Query<AssignmentQuery>,
) -> Result<Json<Vec<ShiftAssignment>>, ApiError> {
    let filter = AssignmentFilter { employee_id: q.employee_id, org_unit_id: q.org_unit_id };
    Ok(Json(s.attendance.shift_assignments(&actor, filter).await?))
}

/// 排班 — Assign a shift to an employee or an org unit from a date (an employee's own assignment wins;
/// units inherit from the nearest ancestor with one).
#[utoipa::path(post, path = "/shift-assignments", tag = "attendance", request_body = NewShiftAssignment,
    responses(
        (status = 201, description = "已排班 — assigned", body = ShiftAssignment),
        (status = 404, description = "班次、员工或组织不存在 — no such shift, employee or unit", body = ErrorEnvelope),
        BodyErrors, CommonErrors,
    ))]
pub async fn create_shift_assignment(
    State(s): State<AppState>,
    Authenticated(actor): Authenticated,
    Json(body): Json<NewShiftAssignment>,
) -> Result<Response, ApiError> {
    let a = s.attendance.assign_shift(&actor, body).await?;
    Ok(created(format!("/api/v1/shift-assignments/{}", a.id), a))
}

/// 打卡 — Clock in or out for myself, at the server's time (optional location; send `{}` without one).
#[utoipa::path(post, path = "/attendance/punches", tag = "attendance", request_body = NewPunch,
    responses(
        (status = 201, description = "已打卡 — punched", body = PunchView),
        (status = 403, description = "账号未关联员工档案（`no_employee_record`） — no employee record", body = ErrorEnvelope),
        BodyErrors, CommonErrors,
    ))]
pub async fn create_punch(
    State(s): State<AppState>,
    Authenticated(actor): Authenticated,
    Json(body): Json<NewPunch>,
) -> Result<Response, ApiError> {
    let punch = s.attendance.clock(&actor, body).await?;
    Ok(created(format!("/api/v1/attendance/punches?employee_id={}", punch.punch.employee_id), punch))
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ImportPunchesQuery {
    /// 工号所属单位 — the company the employee numbers belong to
    pub company_id: CompanyId,
}

/// 导入考勤机打卡 — Import punches from a time clock's CSV (`employee_no,time,device`, time
/// `YYYY-MM-DD HH:MM[:SS]` Beijing time; UTF-8 or GBK). Any bad row → nothing is written and every
/// error comes back in `fields` (`rows[12].time`); punches already stored are skipped and counted.
#[utoipa::path(post, path = "/attendance/punches/import", tag = "attendance", params(ImportPunchesQuery),
    request_body(content = Vec<u8>, content_type = "text/csv", description = "CSV 文件内容 — the file's bytes"),
    responses(
        (status = 200, description = "已导入 — imported", body = PunchImportReport),
        (status = 413, description = "文件超过32 MiB — file too large", body = ErrorEnvelope),
        (status = 422, description = "逐行错误（`punch_import_invalid`） — row errors in `fields`", body = ErrorEnvelope),
        CommonErrors,
    ))]
pub async fn import_punches(
    State(s): State<AppState>,
    Authenticated(actor): Authenticated,
    Query(q): Query<ImportPunchesQuery>,
    body: axum::body::Bytes,
) -> Result<Json<PunchImportReport>, ApiError> {
    Ok(Json(s.attendance.import_punches(&actor, q.company_id, &body).await?))
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct RangeQuery {
    /// 员工 — the employee
    pub employee_id: EmployeeId,
    /// 起始日期（含） — from (inclusive)
    pub from: NaiveDate,
    /// 截止日期（含） — to (inclusive)
    pub to: NaiveDate,
}

/// 打卡记录 — An employee's raw punches (local dates from..to).
#[utoipa::path(get, path = "/attendance/punches", tag = "attendance", params(RangeQuery),
    responses(
        (status = 200, description = "打卡 — punches", body = Vec<PunchView>),
        (status = 404, description = "员工不存在或不在权限范围内（`employee_not_found`） — not found", body = ErrorEnvelope),
        CommonErrors,
    ))]
pub async fn list_punches(
    State(s): State<AppState>,
    Authenticated(actor): Authenticated,
    Query(q): Query<RangeQuery>,
) -> Result<Json<Vec<PunchView>>, ApiError> {
    Ok(Json(s.attendance.punches(&actor, q.employee_id, q.from, q.to).await?))
}

/// 考勤日 — An employee's attendance days (derived on demand).
#[utoipa::path(get, path = "/attendance/days", tag = "attendance", params(RangeQuery),
    responses(
        (status = 200, description = "考勤日 — days", body = Vec<AttendanceDay>),
        (status = 404, description = "员工不存在或不在权限范围内（`employee_not_found`） — not found", body = ErrorEnvelope),
        CommonErrors,
    ))]
pub async fn list_attendance_days(
    State(s): State<AppState>,
    Authenticated(actor): Authenticated,
    Query(q): Query<RangeQuery>,
) -> Result<Json<Vec<AttendanceDay>>, ApiError> {
    Ok(Json(s.attendance.days(&actor, q.employee_id, q.from, q.to).await?))
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct MonthQuery {
    /// 月份 YYYY-MM，默认本月 — month (default: this month)
    pub month: Option<String>,
}

/// 我的考勤 — My attendance month (each day's status for the calendar, plus totals).
#[utoipa::path(get, path = "/me/attendance", tag = "attendance", params(MonthQuery),
    responses(
        (status = 200, description = "本月考勤 — my month", body = MyMonth),
        (status = 403, description = "账号未关联员工档案（`no_employee_record`） — no employee record", body = ErrorEnvelope),
        CommonErrors,
    ))]
pub async fn get_my_attendance(
    State(s): State<AppState>,
    Authenticated(actor): Authenticated,
    Query(q): Query<MonthQuery>,
) -> Result<Json<MyMonth>, ApiError> {
    let month = match q.month.as_deref() {
        Some(m) => month_param("month", m)?,
        None => Month::of(s.attendance.today()),
    };
    Ok(Json(s.attendance.my_month(&actor, month).await?))
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct TeamQuery {
    /// 月份 YYYY-MM，默认本月 — month (default: this month)
    pub month: Option<String>,
    /// 该组织及下级（默认：我的直接下属） — this unit's subtree (default: my direct reports)
    pub org_unit_id: Option<OrgUnitId>,
}

/// 团队考勤 — My team's attendance month: direct reports, or a unit within my scope.
#[utoipa::path(get, path = "/attendance/team", tag = "attendance", params(TeamQuery),
    responses((status = 200, description = "团队考勤 — team month", body = TeamMonth), CommonErrors))]
pub async fn get_team_attendance(
    State(s): State<AppState>,
    Authenticated(actor): Authenticated,
    Query(q): Query<TeamQuery>,
) -> Result<Json<TeamMonth>, ApiError> {
    let month = match q.month.as_deref() {
        Some(m) => month_param("month", m)?,
        None => Month::of(s.attendance.today()),
    };
    Ok(Json(s.attendance.team_month(&actor, month, q.org_unit_id).await?))
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ComputeQuery {
    /// 只计算该组织及下级 — only this unit's subtree
    pub org_unit_id: Option<OrgUnitId>,
}

/// 计算月度考勤汇总 — Compute the month's summaries for everyone in my scope (derives missing days
/// first; idempotent).
#[utoipa::path(post, path = "/attendance/summaries/{month}/compute", tag = "attendance",
    params(("month" = String, Path, description = "月份 YYYY-MM — month"), ComputeQuery),
    responses(
        (status = 200, description = "已计算 — computed", body = SummaryComputeReport),
        (status = 422, description = "月份格式有误 — bad month", body = ErrorEnvelope),
        CommonErrors,
    ))]
pub async fn compute_summaries(
    State(s): State<AppState>,
    Authenticated(actor): Authenticated,
    Path(month): Path<String>,
    Query(q): Query<ComputeQuery>,
) -> Result<Json<SummaryComputeReport>, ApiError> {
    let month = month_param("month", &month)?;
    let filter = SummaryFilter { org_unit_id: q.org_unit_id };
    Ok(Json(s.attendance.compute_summaries(&actor, month, filter).await?))
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct SummaryQuery {
    /// 月份 YYYY-MM — month
    pub month: String,
    /// 该组织及下级 — this unit's subtree
    pub org_unit_id: Option<OrgUnitId>,
    /// 页码，从1开始 — page number, from 1
    pub page: Option<u32>,
    /// 每页条数（1–500，默认50） — rows per page
    pub per_page: Option<u32>,
}

/// One page of monthly summaries.
#[derive(Debug, Serialize, ToSchema)]
pub struct SummaryPage {
    pub items: Vec<MonthlySummary>,
    pub total: u64,
    pub page: u32,
    pub per_page: u32,
}

/// 月度考勤汇总 — The month's summaries (payroll's input) within my scope.
#[utoipa::path(get, path = "/attendance/summaries", tag = "attendance", params(SummaryQuery),
    responses((status = 200, description = "一页汇总 — one page", body = SummaryPage), CommonErrors))]
pub async fn list_summaries(
    State(s): State<AppState>,
    Authenticated(actor): Authenticated,
    Query(q): Query<SummaryQuery>,
) -> Result<Json<SummaryPage>, ApiError> {
    let month = month_param("month", &q.month)?;
    let filter = SummaryFilter { org_unit_id: q.org_unit_id };
    let p = s.attendance.summaries(&actor, month, filter, PageRequest::new(q.page, q.per_page)).await?;
    Ok(Json(SummaryPage { items: p.items, total: p.total, page: p.page, per_page: p.per_page }))
}

/// 考勤规则 — The attendance policy (overtime approval, threshold, unit).
#[utoipa::path(get, path = "/attendance/policy", tag = "attendance",
    responses((status = 200, description = "考勤规则 — policy", body = AttendancePolicy), CommonErrors))]
pub async fn get_attendance_policy(
    State(s): State<AppState>,
    Authenticated(actor): Authenticated,
) -> Result<Json<AttendancePolicy>, ApiError> {
    Ok(Json(s.attendance.policy(&actor).await?))
}

/// 修改考勤规则 — Change the attendance policy (days are derived again on their next read).
#[utoipa::path(put, path = "/attendance/policy", tag = "attendance", request_body = AttendancePolicy,
    responses((status = 200, description = "已修改 — updated", body = AttendancePolicy), BodyErrors, CommonErrors))]
pub async fn update_attendance_policy(
    State(s): State<AppState>,
    Authenticated(actor): Authenticated,
    Json(body): Json<AttendancePolicy>,
) -> Result<Json<AttendancePolicy>, ApiError> {
    Ok(Json(s.attendance.set_policy(&actor, body).await?))
}
