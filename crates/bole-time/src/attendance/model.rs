//! Attendance entities, inputs and views: punches (raw evidence), shifts and their assignment,
//! stored calendar layers, derived attendance days and the monthly summary.
//!
//! Time: China has one zone (Asia/Shanghai, UTC+8, no daylight saving). Punches are stored as
//! instants (`DateTime<Utc>`, whole seconds); every local date or clock time is derived at +08:00
//! ([`to_local`]). Shift times are local wall-clock times.

use bole_core::{CompanyId, DateRange, EmployeeId, OrgUnitId};
use chrono::{DateTime, FixedOffset, NaiveDate, NaiveDateTime, NaiveTime, SubsecRound, Utc};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use utoipa::ToSchema;
use uuid::Uuid;

/// China Standard Time (UTC+8): the zone every local date and clock time is read in.
pub fn china() -> FixedOffset {
    bole_core::clock::china_offset()
}

/// The local (UTC+8) wall-clock time of an instant.
pub fn to_local(at: DateTime<Utc>) -> NaiveDateTime {
    at.with_timezone(&china()).naive_local()
}

/// The instant of a local (UTC+8) wall-clock time. Total: UTC+8 has no gaps or folds.
pub fn from_local(local: NaiveDateTime) -> DateTime<Utc> {
    local.and_utc() - chrono::TimeDelta::hours(8)
}

/// Where a punch came from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum PunchSource {
    /// Self-service clock in/out (phone or browser); the server's time is the punch time.
    App,
    /// Pushed by a time clock.
    Clock,
    /// A CSV file exported from a time clock.
    Import,
    /// An approved punch correction (补卡).
    Correction,
}

impl PunchSource {
    pub fn as_str(&self) -> &'static str {
        match self {
            PunchSource::App => "app",
            PunchSource::Clock => "clock",
            PunchSource::Import => "import",
            PunchSource::Correction => "correction",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        [PunchSource::App, PunchSource::Clock, PunchSource::Import, PunchSource::Correction]
            .into_iter()
            .find(|p| p.as_str() == s)
    }
}

/// Where the device said it was. Micro-degrees (WGS-84 × 10⁶) keep coordinates exact integers.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct PunchLocation {
    pub lat_micro: i32,
    pub lng_micro: i32,
    /// Reported accuracy radius, metres.
    pub accuracy_m: Option<i32>,
}

/// One raw punch. Inserted, never updated or deleted; attendance days are derived from punches.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Punch {
    pub id: Uuid,
    pub employee_id: EmployeeId,
    /// The instant (UTC, whole seconds). Local date and time are at UTC+8.
    pub at: DateTime<Utc>,
    pub source: PunchSource,
    pub location: Option<PunchLocation>,
    /// Time-clock or device identifier.
    pub device: Option<String>,
    /// The document that caused it (e.g. the punch-correction application), if any.
    pub source_ref: Option<Uuid>,
    pub created_at: DateTime<Utc>,
}

impl Punch {
    /// A punch at `at`, truncated to the second: two punches of one employee at the same second
    /// are the same punch (a re-imported file adds nothing).
    pub fn new(employee_id: EmployeeId, at: DateTime<Utc>, source: PunchSource, created_at: DateTime<Utc>) -> Self {
        Self {
            id: Uuid::now_v7(),
            employee_id,
            at: at.trunc_subsecs(0),
            source,
            location: None,
            device: None,
            source_ref: None,
            created_at,
        }
    }

    pub fn local(&self) -> NaiveDateTime {
        to_local(self.at)
    }

    pub fn local_day(&self) -> NaiveDate {
        self.local().date()
    }
}

/// A punch as lists show it, with its local time.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, ToSchema)]
pub struct PunchView {
    #[serde(flatten)]
    pub punch: Punch,
    /// Local (UTC+8) time, "YYYY-MM-DDTHH:MM:SS".
    #[schema(value_type = String)]
    pub local_time: NaiveDateTime,
}

impl From<Punch> for PunchView {
    fn from(punch: Punch) -> Self {
        let local_time = punch.local();
        Self { punch, local_time }
    }
}

/// Self-service clock in/out. The time is the server's; the client never chooses it.
#[derive(Clone, Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewPunch {
    /// Latitude, decimal degrees (WGS-84).
    pub lat: Option<f64>,
    /// Longitude, decimal degrees (WGS-84).
    pub lng: Option<f64>,
    /// Accuracy radius in metres.
    pub accuracy: Option<f64>,
    pub device: Option<String>,
}

/// The outcome of a punch import.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, ToSchema)]
pub struct PunchImportReport {
    /// Rows read from the file.
    pub rows: u64,
    pub inserted: u64,
    /// Rows identical to a punch already stored (same employee, same second), ignored.
    pub duplicates: u64,
    pub employees: u64,
    /// Employee-days derived again.
    pub days_recomputed: u64,
}

// ---------------------------------------------------------------------------------------------
// Shifts

/// A break inside a shift (local clock times; on a cross-midnight shift a time before the start
/// is on the next day).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ShiftBreak {
    #[schema(value_type = String, example = "12:00")]
    pub start: NaiveTime,
    #[schema(value_type = String, example = "13:00")]
    pub end: NaiveTime,
}

/// Fixed hours, e.g. 09:00–18:00 with a 12:00–13:00 break.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct FixedShift {
    #[schema(value_type = String, example = "09:00")]
    pub start: NaiveTime,
    /// Before or at `start` means the next day, which needs `cross_midnight`.
    #[schema(value_type = String, example = "18:00")]
    pub end: NaiveTime,
    #[serde(default)]
    pub breaks: Vec<ShiftBreak>,
    /// Arriving up to this many minutes late is not late.
    #[serde(default)]
    pub late_grace_minutes: u32,
    /// Leaving up to this many minutes early is not early.
    #[serde(default)]
    pub early_grace_minutes: u32,
    /// Night shifts (22:00–06:00): the shift belongs to the day it starts on.
    #[serde(default)]
    pub cross_midnight: bool,
}

/// Flexible hours (弹性工作制): start between `earliest_start` and `latest_start`, work
/// `required_minutes` (breaks excluded), and be present during the core hours if any.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct FlexibleShift {
    #[schema(value_type = String, example = "08:00")]
    pub earliest_start: NaiveTime,
    #[schema(value_type = String, example = "10:00")]
    pub latest_start: NaiveTime,
    pub required_minutes: u32,
    #[serde(default)]
    pub breaks: Vec<ShiftBreak>,
    #[schema(value_type = Option<String>, example = "10:00")]
    #[serde(default)]
    pub core_start: Option<NaiveTime>,
    #[schema(value_type = Option<String>, example = "16:00")]
    #[serde(default)]
    pub core_end: Option<NaiveTime>,
    #[serde(default)]
    pub late_grace_minutes: u32,
}

/// A repeating cycle (倒班): each entry a fixed or flexible shift code, or `null` for a rest day.
/// Day `anchor` is the cycle's first entry. Rotations ignore the Monday–Friday week and 调休
/// (the cycle gives the rest days); statutory holidays stay holidays — work on them is 300%.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RotatingShift {
    pub anchor: NaiveDate,
    pub cycle: Vec<Option<String>>,
}

/// The period of a comprehensive-hours (综合计算工时) approval.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ComprehensivePeriod {
    Month,
    Quarter,
    Year,
}

impl ComprehensivePeriod {
    pub fn as_str(&self) -> &'static str {
        match self {
            ComprehensivePeriod::Month => "month",
            ComprehensivePeriod::Quarter => "quarter",
            ComprehensivePeriod::Year => "year",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "month" => Some(Self::Month),
            "quarter" => Some(Self::Quarter),
            "year" => Some(Self::Year),
            _ => None,
        }
    }
}

/// Comprehensive hours (综合计算工时工作制), approved by the labour bureau. Days follow the
/// `pattern` shift (fixed, flexible or rotating) for presence; overtime is the period's worked
/// minutes beyond its standard, at 150% — rest-day work is not 200% under this regime — except
/// statutory-holiday work, which is always 300% and is not counted towards the period.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ComprehensiveShift {
    pub period: ComprehensivePeriod,
    /// Standard minutes for the whole period. Default: 480 per national working day of the period.
    #[serde(default)]
    pub standard_minutes: Option<u32>,
    /// The labour bureau's approval (文号), for the record.
    #[serde(default)]
    pub approval: Option<String>,
    /// The daily pattern: code of a fixed, flexible or rotating shift.
    pub pattern: String,
}

/// What a shift is.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum ShiftRule {
    Fixed(FixedShift),
    Flexible(FlexibleShift),
    Rotating(RotatingShift),
    Comprehensive(ComprehensiveShift),
}

impl ShiftRule {
    pub fn kind(&self) -> &'static str {
        match self {
            ShiftRule::Fixed(_) => "fixed",
            ShiftRule::Flexible(_) => "flexible",
            ShiftRule::Rotating(_) => "rotating",
            ShiftRule::Comprehensive(_) => "comprehensive",
        }
    }

    /// The standard day when nothing is assigned: 09:00–18:00, break 12:00–13:00.
    pub fn standard() -> Self {
        let t = |h| NaiveTime::from_hms_opt(h, 0, 0).unwrap_or_default();
        ShiftRule::Fixed(FixedShift {
            start: t(9),
            end: t(18),
            breaks: vec![ShiftBreak { start: t(12), end: t(13) }],
            late_grace_minutes: 0,
            early_grace_minutes: 0,
            cross_midnight: false,
        })
    }
}

/// Code of the built-in default shift.
pub const STANDARD_SHIFT_CODE: &str = "STD";

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Shift {
    pub id: Uuid,
    pub code: String,
    pub name: String,
    pub rule: ShiftRule,
    pub active: bool,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl Shift {
    /// The built-in standard shift (nil id), used when nothing is assigned.
    pub fn standard() -> Self {
        Shift {
            id: Uuid::nil(),
            code: STANDARD_SHIFT_CODE.into(),
            name: "标准工时 09:00-18:00".into(),
            rule: ShiftRule::standard(),
            active: true,
            created_at: DateTime::<Utc>::default(),
            updated_at: DateTime::<Utc>::default(),
        }
    }
}

#[derive(Clone, Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewShift {
    pub code: String,
    pub name: String,
    pub rule: ShiftRule,
}

#[derive(Clone, Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ShiftPatch {
    pub name: Option<String>,
    pub rule: Option<ShiftRule>,
    pub active: Option<bool>,
}

/// Whom a shift assignment targets: one employee (wins) or an org unit (and, by inheritance, the
/// units below it that have none of their own).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum ScheduleTarget {
    Employee { employee_id: EmployeeId },
    OrgUnit { org_unit_id: OrgUnitId },
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct ShiftAssignment {
    pub id: Uuid,
    pub target: ScheduleTarget,
    pub shift_id: Uuid,
    pub shift_code: String,
    pub valid: DateRange,
    pub created_at: DateTime<Utc>,
    pub created_by: String,
}

#[derive(Clone, Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewShiftAssignment {
    pub target: ScheduleTarget,
    pub shift_id: Uuid,
    pub valid_from: NaiveDate,
    /// Exclusive end; absent = open.
    #[serde(default)]
    pub valid_to: Option<NaiveDate>,
}

#[derive(Clone, Debug, Default, Deserialize, ToSchema)]
pub struct AssignmentFilter {
    pub employee_id: Option<EmployeeId>,
    pub org_unit_id: Option<OrgUnitId>,
}

// ---------------------------------------------------------------------------------------------
// Stored calendar layers

/// A company or regional calendar layer as stored: effective-dated day overrides on top of the
/// national calendar. `company_id` None = every company; `region` None = every work location.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, ToSchema)]
pub struct StoredLayer {
    pub id: Uuid,
    pub company_id: Option<CompanyId>,
    pub region: Option<String>,
    #[schema(value_type = Object)]
    pub layer: crate::calendar::CalendarLayer,
    pub created_at: DateTime<Utc>,
    pub created_by: String,
}

#[derive(Clone, Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewCalendarLayer {
    pub name: String,
    #[serde(default)]
    pub company_id: Option<CompanyId>,
    #[serde(default)]
    pub region: Option<String>,
    #[serde(default)]
    pub source: Option<String>,
    pub valid_from: NaiveDate,
    #[serde(default)]
    pub valid_to: Option<NaiveDate>,
    #[serde(default)]
    #[schema(value_type = Vec<Object>)]
    pub days: Vec<crate::calendar::DayOverride>,
}

/// Days added to a layer (a date already in it is refused).
#[derive(Clone, Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewLayerDays {
    #[schema(value_type = Vec<Object>)]
    pub days: Vec<crate::calendar::DayOverride>,
}

// ---------------------------------------------------------------------------------------------
// Inputs written by leave and overtime approval

/// One row of `absence_days`: approved leave covering `minutes` of the day's scheduled work.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct AbsenceMinutes {
    pub leave_type: String,
    pub minutes: u32,
    pub paid: bool,
}

/// How approved overtime is compensated.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Compensation {
    Pay,
    TimeOff,
}

/// One row of `overtime_days`: approved overtime minutes on a day.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct ApprovedOvertime {
    pub minutes: u32,
    pub compensation: Compensation,
}

// ---------------------------------------------------------------------------------------------
// Derived days

/// The verdict on one employee-day.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum DayStatus {
    Present,
    Late,
    EarlyLeave,
    LateAndEarly,
    Absent,
    /// A clock-in or clock-out is missing (补卡 can fix it).
    MissingPunch,
    /// Approved leave covers the whole scheduled day.
    Leave,
    RestDay,
    Holiday,
    /// Before the hire date or after the separation.
    NotEmployed,
    /// A future day (or today, not yet punched) with scheduled work.
    Scheduled,
}

impl DayStatus {
    pub const ALL: [DayStatus; 11] = [
        DayStatus::Present,
        DayStatus::Late,
        DayStatus::EarlyLeave,
        DayStatus::LateAndEarly,
        DayStatus::Absent,
        DayStatus::MissingPunch,
        DayStatus::Leave,
        DayStatus::RestDay,
        DayStatus::Holiday,
        DayStatus::NotEmployed,
        DayStatus::Scheduled,
    ];

    pub fn as_str(&self) -> &'static str {
        match self {
            DayStatus::Present => "present",
            DayStatus::Late => "late",
            DayStatus::EarlyLeave => "early_leave",
            DayStatus::LateAndEarly => "late_and_early",
            DayStatus::Absent => "absent",
            DayStatus::MissingPunch => "missing_punch",
            DayStatus::Leave => "leave",
            DayStatus::RestDay => "rest_day",
            DayStatus::Holiday => "holiday",
            DayStatus::NotEmployed => "not_employed",
            DayStatus::Scheduled => "scheduled",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|d| d.as_str() == s)
    }
}

/// The day kind as stored: `workday`, `rest_day`, `holiday` (a non-statutory day of a holiday
/// block: a rest day for pay) or `statutory_holiday` (300%).
pub fn day_kind_str(kind: crate::DayKind) -> &'static str {
    match kind {
        crate::DayKind::Workday => "workday",
        crate::DayKind::RestDay => "rest_day",
        crate::DayKind::Holiday { statutory: false } => "holiday",
        crate::DayKind::Holiday { statutory: true } => "statutory_holiday",
    }
}

pub fn parse_day_kind(s: &str) -> Option<crate::DayKind> {
    match s {
        "workday" => Some(crate::DayKind::Workday),
        "rest_day" => Some(crate::DayKind::RestDay),
        "holiday" => Some(crate::DayKind::Holiday { statutory: false }),
        "statutory_holiday" => Some(crate::DayKind::Holiday { statutory: true }),
        _ => None,
    }
}

/// The storage word for an overtime kind (matches `overtime_days.kind`).
pub fn overtime_kind_str(kind: crate::OvertimeKind) -> &'static str {
    match kind {
        crate::OvertimeKind::Workday => "workday",
        crate::OvertimeKind::RestDay => "restday",
        crate::OvertimeKind::StatutoryHoliday => "holiday",
    }
}

pub fn parse_overtime_kind(s: &str) -> Option<crate::OvertimeKind> {
    match s {
        "workday" => Some(crate::OvertimeKind::Workday),
        "restday" | "rest_day" => Some(crate::OvertimeKind::RestDay),
        "holiday" | "statutory_holiday" => Some(crate::OvertimeKind::StatutoryHoliday),
        _ => None,
    }
}

/// One derived attendance day (the row of `attendance_days`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct AttendanceDay {
    pub employee_id: EmployeeId,
    pub day: NaiveDate,
    /// The shift that applied (None on a rest day without one, or when not employed).
    pub shift_code: Option<String>,
    pub status: DayStatus,
    /// `workday`, `rest_day`, `holiday` (non-statutory day off) or `statutory_holiday`.
    pub day_kind: String,
    pub scheduled_minutes: u32,
    pub worked_minutes: u32,
    pub late_minutes: u32,
    pub early_minutes: u32,
    /// Scheduled minutes neither worked nor covered by leave, on a day with no punches.
    pub absent_minutes: u32,
    /// Scheduled minutes covered by approved leave.
    pub leave_minutes: u32,
    /// Leave types of the day, comma-separated.
    pub leave_types: Option<String>,
    pub first_in: Option<DateTime<Utc>>,
    pub last_out: Option<DateTime<Utc>>,
    pub missing_in: bool,
    pub missing_out: bool,
    /// `workday` (150%), `restday` (200%) or `holiday` (300%) when there is overtime.
    pub overtime_kind: Option<String>,
    /// Overtime the punches show (beyond the threshold, in whole units), before approval.
    pub punched_overtime_minutes: u32,
    /// Overtime that counts: with `overtime_requires_approval`, min(punched, approved).
    pub overtime_minutes: u32,
    /// The part of `overtime_minutes` compensated by time off rather than pay.
    pub overtime_time_off_minutes: u32,
    /// Set under 综合工时: the period whose excess is the overtime.
    pub comprehensive_period: Option<ComprehensivePeriod>,
    /// This day's share of the 综合工时 period standard.
    pub comprehensive_standard_minutes: u32,
    /// "Today" when derived; a row for a day on or after it is provisional.
    pub as_of: NaiveDate,
    pub computed_at: DateTime<Utc>,
}

/// Knobs of attendance derivation, stored as data (`attendance_settings`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(default, deny_unknown_fields)]
pub struct AttendancePolicy {
    /// When true (default), overtime counts only up to the approved overtime of the day:
    /// overtime minutes = min(punched excess, approved `overtime_days` minutes). When false,
    /// punched excess counts without approval (approved rows still decide pay vs time off).
    pub overtime_requires_approval: bool,
    /// Minutes beyond the shift's end before any workday overtime counts (default 30).
    pub overtime_threshold_minutes: u32,
    /// Overtime counts in whole units of this many minutes, rounded down (default 30).
    pub overtime_unit_minutes: u32,
}

impl Default for AttendancePolicy {
    fn default() -> Self {
        Self { overtime_requires_approval: true, overtime_threshold_minutes: 30, overtime_unit_minutes: 30 }
    }
}

// ---------------------------------------------------------------------------------------------
// Monthly summary

/// Overtime minutes of one kind, split by compensation.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct OvertimeSplit {
    pub pay: u32,
    pub time_off: u32,
}

/// Leave minutes of one type, split by paid/unpaid.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct LeaveSplit {
    pub paid: u32,
    pub unpaid: u32,
}

/// One employee's month: payroll's attendance input.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct MonthlySummary {
    pub employee_id: EmployeeId,
    /// "YYYY-MM".
    pub month: String,
    pub company_id: CompanyId,
    /// Home unit on the last employed day of the month.
    pub org_unit_id: Option<OrgUnitId>,
    pub employee_no: Option<String>,
    pub employee_name: Option<String>,
    pub scheduled_days: u32,
    pub present_days: u32,
    pub absent_days: u32,
    pub leave_days: u32,
    pub late_count: u32,
    pub late_minutes: u32,
    pub early_count: u32,
    pub early_minutes: u32,
    /// Missing clock-ins plus missing clock-outs.
    pub missing_punches: u32,
    pub absent_minutes: u32,
    pub worked_minutes: u32,
    pub leave_minutes: u32,
    pub leave_paid_minutes: u32,
    pub leave_unpaid_minutes: u32,
    pub leave_by_type: BTreeMap<String, LeaveSplit>,
    /// Workday extensions (150%).
    pub overtime_workday: OvertimeSplit,
    /// Rest-day work (200% unless compensated by time off).
    pub overtime_rest_day: OvertimeSplit,
    /// Statutory-holiday work (300%; always paid).
    pub overtime_holiday: OvertimeSplit,
    /// 综合工时: worked minutes beyond the period standard (150%), reported in the period's last month.
    pub comprehensive_excess_minutes: u32,
    pub computed_at: DateTime<Utc>,
}

/// What `compute` did.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, ToSchema)]
pub struct SummaryComputeReport {
    pub month: String,
    pub employees: u64,
    /// Employee-days that had to be derived first.
    pub days_derived: u64,
}

/// A month of one employee's days with the month's totals (self-service calendar).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, ToSchema)]
pub struct MyMonth {
    pub employee_id: EmployeeId,
    pub month: String,
    pub days: Vec<AttendanceDay>,
    pub totals: MonthTotals,
}

/// Totals over a list of days (computed from the days themselves).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, ToSchema)]
pub struct MonthTotals {
    pub scheduled_days: u32,
    pub present_days: u32,
    pub absent_days: u32,
    pub leave_days: u32,
    pub late_count: u32,
    pub late_minutes: u32,
    pub early_count: u32,
    pub early_minutes: u32,
    pub missing_punches: u32,
    pub worked_minutes: u32,
    pub leave_minutes: u32,
    pub overtime_minutes: u32,
}

impl MonthTotals {
    pub fn of(days: &[AttendanceDay]) -> Self {
        let mut t = MonthTotals::default();
        for d in days {
            if d.scheduled_minutes > 0 && d.status != DayStatus::NotEmployed {
                t.scheduled_days += 1;
            }
            match d.status {
                DayStatus::Present | DayStatus::Late | DayStatus::EarlyLeave | DayStatus::LateAndEarly => {
                    t.present_days += 1
                }
                DayStatus::Absent => t.absent_days += 1,
                DayStatus::Leave => t.leave_days += 1,
                _ => {}
            }
            if d.late_minutes > 0 {
                t.late_count += 1;
                t.late_minutes += d.late_minutes;
            }
            if d.early_minutes > 0 {
                t.early_count += 1;
                t.early_minutes += d.early_minutes;
            }
            t.missing_punches += u32::from(d.missing_in) + u32::from(d.missing_out);
            t.worked_minutes += d.worked_minutes;
            t.leave_minutes += d.leave_minutes;
            t.overtime_minutes += d.overtime_minutes;
        }
        t
    }
}

/// A team's days for a month (manager's calendar).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, ToSchema)]
pub struct TeamMonth {
    pub month: String,
    pub members: Vec<TeamMember>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, ToSchema)]
pub struct TeamMember {
    pub employee_id: EmployeeId,
    pub employee_no: String,
    pub name: String,
    pub days: Vec<AttendanceDay>,
    pub totals: MonthTotals,
}

/// A calendar month, "YYYY-MM".
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Month {
    pub year: i32,
    pub month: u32,
}

impl Month {
    pub fn parse(s: &str) -> Option<Self> {
        let (y, m) = s.split_once('-')?;
        if y.len() != 4 || m.len() != 2 {
            return None;
        }
        let month = Month { year: y.parse().ok()?, month: m.parse().ok()? };
        NaiveDate::from_ymd_opt(month.year, month.month, 1)?;
        Some(month)
    }

    pub fn of(day: NaiveDate) -> Self {
        use chrono::Datelike;
        Month { year: day.year(), month: day.month() }
    }

    pub fn first(&self) -> NaiveDate {
        NaiveDate::from_ymd_opt(self.year, self.month, 1).unwrap_or_default()
    }

    pub fn last(&self) -> NaiveDate {
        let (y, m) = if self.month == 12 { (self.year + 1, 1) } else { (self.year, self.month + 1) };
        NaiveDate::from_ymd_opt(y, m, 1).and_then(|d| d.pred_opt()).unwrap_or_default()
    }

    pub fn days(&self) -> impl Iterator<Item = NaiveDate> {
        let last = self.last();
        self.first().iter_days().take_while(move |d| *d <= last)
    }
}

impl std::fmt::Display for Month {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{:04}-{:02}", self.year, self.month)
    }
}
