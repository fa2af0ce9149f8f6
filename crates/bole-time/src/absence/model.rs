//! The leave vocabulary: leave types (company policy), ledger entries, the annual-leave profile,
//! leave / overtime applications and punch corrections, with the inputs (`New*`, `*Patch`) and
//! read models (`*View`) the API uses.
//!
//! Unit: every amount is in MINUTES. A leave day is [`MINUTES_PER_DAY`] (480, the statutory
//! 8-hour day) and half a day 240, so day, half-day and hour leave add up in one ledger column
//! without rounding; views also show days (minutes ÷ 480, 2 decimals).

use crate::leave::{PregnancyOutcome, ProvincialMaternity};
use bole_core::{CompanyId, EmployeeId, UserId};
use chrono::{DateTime, NaiveDate, NaiveTime, Utc};
use rust_decimal::{Decimal, RoundingStrategy};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

/// One leave day in ledger minutes (8 h, 国务院令第174号).
pub const MINUTES_PER_DAY: i64 = 480;
pub const MINUTES_PER_HALF_DAY: i64 = 240;

macro_rules! absence_id {
    ($($(#[$m:meta])* $name:ident),* $(,)?) => {$(
        $(#[$m])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, ToSchema)]
        #[serde(transparent)]
        #[schema(value_type = String, format = Uuid)]
        pub struct $name(pub Uuid);

        impl $name {
            pub fn new() -> Self {
                Self(Uuid::now_v7())
            }
        }

        impl Default for $name {
            fn default() -> Self {
                Self::new()
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                self.0.fmt(f)
            }
        }
    )*};
}

absence_id!(
    /// A leave type of one company (假期类型).
    LeaveTypeId,
    /// A leave ledger row (假期台账).
    LedgerEntryId,
    /// A leave application (请假申请).
    LeaveApplicationId,
    /// An overtime application (加班申请).
    OvertimeId,
    /// A punch correction (补卡申请).
    PunchCorrectionId,
);

/// Days (2 decimals) from ledger minutes.
pub fn minutes_to_days(minutes: i64) -> Decimal {
    let mut d = (Decimal::from(minutes) / Decimal::from(MINUTES_PER_DAY))
        .round_dp_with_strategy(2, RoundingStrategy::MidpointAwayFromZero);
    d.rescale(2);
    d
}

/// Ledger minutes from days, to the nearest minute.
pub fn days_to_minutes(days: Decimal) -> Option<i64> {
    use rust_decimal::prelude::ToPrimitive;
    (days * Decimal::from(MINUTES_PER_DAY)).round_dp_with_strategy(0, RoundingStrategy::MidpointAwayFromZero).to_i64()
}

// ------------------------------------------------------------------------ leave types

/// The smallest amount an application of the type can ask for.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum LeaveUnit {
    Day,
    HalfDay,
    Hour,
}

impl LeaveUnit {
    pub fn as_str(&self) -> &'static str {
        match self {
            LeaveUnit::Day => "day",
            LeaveUnit::HalfDay => "half_day",
            LeaveUnit::Hour => "hour",
        }
    }
    pub fn parse(s: &str) -> Option<Self> {
        [LeaveUnit::Day, LeaveUnit::HalfDay, LeaveUnit::Hour].into_iter().find(|u| u.as_str() == s)
    }
}

/// Which days of a range count. 年休假: 法定节假日、休息日不计入 (working days); 产假 counts
/// calendar days including holidays (女职工劳动保护特别规定, the reference's reading).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum DayCounting {
    WorkingDays,
    CalendarDays,
}

impl DayCounting {
    pub fn as_str(&self) -> &'static str {
        match self {
            DayCounting::WorkingDays => "working_days",
            DayCounting::CalendarDays => "calendar_days",
        }
    }
    pub fn parse(s: &str) -> Option<Self> {
        [DayCounting::WorkingDays, DayCounting::CalendarDays].into_iter().find(|u| u.as_str() == s)
    }
}

/// Where a type's balance comes from.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Entitlement {
    /// 带薪年休假 by cumulative working years (5/10/15), posted by the annual grant job.
    StatutoryAnnual,
    /// A fixed number of days per leave year, posted by the same job.
    Fixed {
        #[schema(value_type = String)]
        days_per_year: Decimal,
    },
    /// No entitlement (sick, personal, marriage… limited per application, if at all).
    None,
    /// 调休: credited by approved overtime taken as time off.
    CompTime,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Gender {
    Female,
    Male,
}

impl Gender {
    pub fn as_str(&self) -> &'static str {
        match self {
            Gender::Female => "female",
            Gender::Male => "male",
        }
    }
    pub fn parse(s: &str) -> Option<Self> {
        [Gender::Female, Gender::Male].into_iter().find(|g| g.as_str() == s)
    }
    /// The GB/T 2261.1 code stored on employees (1 male, 2 female).
    pub fn matches_code(&self, code: &str) -> bool {
        matches!((self, code), (Gender::Male, "1") | (Gender::Female, "2"))
    }
}

/// Type-specific policy that is data, not law: every figure the domain reference marks 🟡/❌.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(default)]
pub struct LeaveTypePolicy {
    /// 产假: the provincial 生育假/奖励假 on top of the national 98 (+15 difficult, +15 per extra
    /// baby). An application states the birth; its length may not exceed the total.
    #[schema(value_type = Option<Object>)]
    pub maternity: Option<ProvincialMaternity>,
    /// 调休假: months an overtime credit stays usable (not regulated; default 6).
    pub comp_time_validity_months: Option<u32>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct LeaveType {
    pub id: LeaveTypeId,
    pub company_id: CompanyId,
    /// Stable code, e.g. `annual`, `sick`, `compensatory`.
    pub code: String,
    pub name_zh: String,
    pub name_en: String,
    pub unit: LeaveUnit,
    pub paid: bool,
    /// Share of the normal wage paid for a leave day (1 = full pay, 0 = unpaid).
    #[schema(value_type = String)]
    pub pay_ratio: Decimal,
    pub counting: DayCounting,
    /// Applications are checked against the balance (annual, compensatory, fixed quotas).
    pub balance_tracked: bool,
    pub entitlement: Entitlement,
    #[schema(value_type = Option<String>)]
    pub max_days_per_application: Option<Decimal>,
    /// Only employees of this gender may apply (产假 female, 陪产假 male).
    pub gender: Option<Gender>,
    /// Days of a year's unused balance carried into the next year (0: none).
    #[schema(value_type = String)]
    pub carry_over_max_days: Decimal,
    /// Carried-over days expire this many months after the year end (e.g. 3 → 31 March).
    pub carry_over_expiry_months: u32,
    pub allow_negative: bool,
    pub policy: LeaveTypePolicy,
    pub active: bool,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// A new leave type (TimeAdmin).
#[derive(Clone, Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewLeaveType {
    pub company_id: CompanyId,
    pub code: String,
    pub name_zh: String,
    pub name_en: String,
    pub unit: LeaveUnit,
    pub paid: bool,
    #[schema(value_type = Option<String>)]
    pub pay_ratio: Option<Decimal>,
    pub counting: DayCounting,
    pub balance_tracked: bool,
    pub entitlement: Entitlement,
    #[schema(value_type = Option<String>)]
    pub max_days_per_application: Option<Decimal>,
    pub gender: Option<Gender>,
    #[schema(value_type = Option<String>)]
    pub carry_over_max_days: Option<Decimal>,
    pub carry_over_expiry_months: Option<u32>,
    #[serde(default)]
    pub allow_negative: bool,
    #[serde(default)]
    pub policy: LeaveTypePolicy,
}

/// A partial update of a leave type; the code and company never change.
#[derive(Clone, Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LeaveTypePatch {
    pub name_zh: Option<String>,
    pub name_en: Option<String>,
    pub unit: Option<LeaveUnit>,
    pub paid: Option<bool>,
    #[schema(value_type = Option<String>)]
    pub pay_ratio: Option<Decimal>,
    pub counting: Option<DayCounting>,
    pub balance_tracked: Option<bool>,
    pub entitlement: Option<Entitlement>,
    /// `null` is "no change"; send `"0"` to remove the limit.
    #[schema(value_type = Option<String>)]
    pub max_days_per_application: Option<Decimal>,
    pub gender: Option<Gender>,
    #[schema(value_type = Option<String>)]
    pub carry_over_max_days: Option<Decimal>,
    pub carry_over_expiry_months: Option<u32>,
    pub allow_negative: Option<bool>,
    pub policy: Option<LeaveTypePolicy>,
    pub active: Option<bool>,
}

// ------------------------------------------------------------------------ ledger

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum LedgerKind {
    /// Entitlement for a leave year (annual, fixed), positive; a re-run posts the difference.
    Grant,
    /// An approved application, negative.
    Usage,
    /// Undoes a usage (cancelled approved leave), positive.
    Reversal,
    /// HR correction, either sign, with a reason.
    Adjustment,
    /// Unused days moved into the next year, positive, with an expiry.
    CarryOver,
    /// The unused remainder of credits past their date, negative.
    Expiry,
    /// 调休 credit from approved overtime taken as time off, positive, with an expiry.
    CompCredit,
}

impl LedgerKind {
    pub const ALL: [LedgerKind; 7] = [
        LedgerKind::Grant,
        LedgerKind::Usage,
        LedgerKind::Reversal,
        LedgerKind::Adjustment,
        LedgerKind::CarryOver,
        LedgerKind::Expiry,
        LedgerKind::CompCredit,
    ];
    pub fn as_str(&self) -> &'static str {
        match self {
            LedgerKind::Grant => "grant",
            LedgerKind::Usage => "usage",
            LedgerKind::Reversal => "reversal",
            LedgerKind::Adjustment => "adjustment",
            LedgerKind::CarryOver => "carry_over",
            LedgerKind::Expiry => "expiry",
            LedgerKind::CompCredit => "comp_credit",
        }
    }
    pub fn parse(s: &str) -> Option<Self> {
        LedgerKind::ALL.into_iter().find(|k| k.as_str() == s)
    }
}

/// One ledger row. Append-only: the store refuses updates and deletes.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct LedgerEntry {
    pub id: LedgerEntryId,
    pub company_id: CompanyId,
    pub employee_id: EmployeeId,
    pub leave_type_id: LeaveTypeId,
    pub kind: LedgerKind,
    /// Signed minutes (480 = one day).
    pub minutes: i64,
    /// The leave year the row belongs to (grants, carry-over: the year they serve).
    pub leave_year: i32,
    /// The row counts in balances as of this date onwards.
    pub valid_from: NaiveDate,
    /// Credits only: unused minutes expire after this day (the year-end job posts the expiry).
    pub expires_on: Option<NaiveDate>,
    /// The application (leave or overtime) that caused the row.
    pub application_id: Option<Uuid>,
    /// What wrote it: `application`, `overtime`, `job:annual_grant:2026`, `job:year_end:2026`, `user`.
    pub source: String,
    pub reason: Option<String>,
    pub created_at: DateTime<Utc>,
    pub created_by: UserId,
}

/// A ledger row as shown, with days beside the minutes.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct LedgerEntryView {
    #[serde(flatten)]
    pub entry: LedgerEntry,
    pub leave_type_code: String,
    #[schema(value_type = String)]
    pub days: Decimal,
}

/// HR's balance correction (TimeAdmin).
#[derive(Clone, Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewAdjustment {
    pub employee_id: EmployeeId,
    /// Leave type code (e.g. `annual`).
    pub leave_type: String,
    /// Signed days; use `minutes` instead for hour-level corrections.
    #[schema(value_type = Option<String>)]
    pub days: Option<Decimal>,
    pub minutes: Option<i64>,
    /// Required: why the balance changes (shown in the ledger).
    pub reason: String,
    /// The leave year it belongs to (default: the year of today).
    pub leave_year: Option<i32>,
    pub expires_on: Option<NaiveDate>,
}

/// Sum of one employee's rows of one type, one kind, one expiry (what balances are built from).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LedgerSum {
    pub employee_id: EmployeeId,
    pub leave_type_id: LeaveTypeId,
    pub kind: LedgerKind,
    pub leave_year: i32,
    pub expires_on: Option<NaiveDate>,
    /// Positive rows and negative rows are summed apart (a negative adjustment is consumption).
    pub positive: i64,
    pub negative: i64,
}

/// One type's balance for one employee.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct BalanceView {
    pub leave_type_id: LeaveTypeId,
    pub leave_type_code: String,
    pub name_zh: String,
    pub name_en: String,
    pub unit: LeaveUnit,
    pub balance_tracked: bool,
    /// Grants, carry-over and comp credits (and positive adjustments).
    #[schema(value_type = String)]
    pub granted: Decimal,
    /// Usage net of reversals.
    #[schema(value_type = String)]
    pub used: Decimal,
    /// Negative adjustments (positive ones are in `granted`).
    #[schema(value_type = String)]
    pub adjusted_down: Decimal,
    #[schema(value_type = String)]
    pub expired: Decimal,
    /// Σ ledger.
    #[schema(value_type = String)]
    pub balance: Decimal,
    /// Reserved by applications awaiting approval (or returned for changes).
    #[schema(value_type = String)]
    pub pending: Decimal,
    /// balance − pending: what a new application may use.
    #[schema(value_type = String)]
    pub available: Decimal,
    /// Unused days of credits expiring within the next 90 days, and the first such date.
    #[schema(value_type = String)]
    pub expiring_soon: Decimal,
    pub expiring_on: Option<NaiveDate>,
    pub balance_minutes: i64,
    pub pending_minutes: i64,
    pub available_minutes: i64,
}

/// A separated employee's statutory annual leave settlement (实施办法 art.12).
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct LeaverSettlement {
    pub year: i32,
    pub exit_date: NaiveDate,
    /// Earned to the exit date: elapsed ÷ 365 × entitlement, 2 decimals.
    #[schema(value_type = Option<String>)]
    pub earned_to_exit: Option<Decimal>,
    #[schema(value_type = String)]
    pub taken: Decimal,
    /// Whole unused days to pay, never below 0.
    pub unused_days_to_pay: u32,
    /// With `monthly_wage`: the extra 200% owed for those days (条例 art.5).
    #[schema(value_type = Option<Object>)]
    pub pay: Option<crate::leave::UnusedLeavePay>,
}

#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct BalanceSheet {
    pub employee_id: EmployeeId,
    pub as_of: NaiveDate,
    pub balances: Vec<BalanceView>,
    pub leaver: Option<LeaverSettlement>,
}

// ------------------------------------------------------------------------ annual-leave profile

/// The working-years basis of statutory annual leave (累计工作年限, all employers). Either the
/// date the person first started work (参加工作日期), or a number of years as of a date.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct LeaveProfile {
    pub employee_id: EmployeeId,
    pub company_id: CompanyId,
    pub work_start_date: Option<NaiveDate>,
    #[schema(value_type = Option<String>)]
    pub prior_years: Option<Decimal>,
    pub prior_years_as_of: Option<NaiveDate>,
    pub updated_at: DateTime<Utc>,
    pub updated_by: UserId,
}

#[derive(Clone, Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LeaveProfileInput {
    pub work_start_date: Option<NaiveDate>,
    /// Cumulative working years (decimals allowed) as of `prior_years_as_of`.
    #[schema(value_type = Option<String>)]
    pub prior_years: Option<Decimal>,
    pub prior_years_as_of: Option<NaiveDate>,
}

/// What the store knows of an employee that leave rules need.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EmployeeFacts {
    pub id: EmployeeId,
    pub company_id: CompanyId,
    /// GB/T 2261.1 code.
    pub gender: String,
    pub hire_date: NaiveDate,
    /// Last day of employment when currently separated or retired.
    pub exit_date: Option<NaiveDate>,
    pub profile: Option<LeaveProfile>,
}

// ------------------------------------------------------------------------ applications

/// Where an application stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ApplicationStatus {
    Pending,
    /// Sent back for changes; its amount stays reserved until withdrawn or amended.
    Returned,
    Approved,
    Rejected,
    Withdrawn,
    /// An approved application cancelled afterwards (effects reversed).
    Cancelled,
}

impl ApplicationStatus {
    pub const ALL: [ApplicationStatus; 6] = [
        ApplicationStatus::Pending,
        ApplicationStatus::Returned,
        ApplicationStatus::Approved,
        ApplicationStatus::Rejected,
        ApplicationStatus::Withdrawn,
        ApplicationStatus::Cancelled,
    ];
    pub fn as_str(&self) -> &'static str {
        match self {
            ApplicationStatus::Pending => "pending",
            ApplicationStatus::Returned => "returned",
            ApplicationStatus::Approved => "approved",
            ApplicationStatus::Rejected => "rejected",
            ApplicationStatus::Withdrawn => "withdrawn",
            ApplicationStatus::Cancelled => "cancelled",
        }
    }
    pub fn parse(s: &str) -> Option<Self> {
        ApplicationStatus::ALL.into_iter().find(|k| k.as_str() == s)
    }
    /// Blocks other applications on the same dates and reserves balance.
    pub fn is_live(&self) -> bool {
        matches!(self, ApplicationStatus::Pending | ApplicationStatus::Returned | ApplicationStatus::Approved)
    }
    /// Still in approval: holds a reservation.
    pub fn is_open(&self) -> bool {
        matches!(self, ApplicationStatus::Pending | ApplicationStatus::Returned)
    }
}

/// Which half of a day (上午 / 下午).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum HalfDay {
    Am,
    Pm,
}

impl HalfDay {
    pub fn as_str(&self) -> &'static str {
        match self {
            HalfDay::Am => "am",
            HalfDay::Pm => "pm",
        }
    }
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "am" => Some(HalfDay::Am),
            "pm" => Some(HalfDay::Pm),
            _ => None,
        }
    }
}

/// A leave request as the phone form sends it (apply, amend, quote).
#[derive(Clone, Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LeaveRequest {
    /// Default: the caller's own record.
    pub employee_id: Option<EmployeeId>,
    /// Leave type code.
    pub leave_type: String,
    pub start_date: NaiveDate,
    pub end_date: NaiveDate,
    /// Half-day types: the leave starts in the afternoon of `start_date` (`pm`).
    pub start_half: Option<HalfDay>,
    /// Half-day types: the leave ends at noon of `end_date` (`am`).
    pub end_half: Option<HalfDay>,
    /// Hour types: hours on `start_date` (= `end_date`), in steps of half an hour.
    #[schema(value_type = Option<String>)]
    pub hours: Option<Decimal>,
    #[serde(default)]
    pub reason: String,
    /// 产假: the birth, which sets the maximum length.
    #[schema(value_type = Option<Object>)]
    pub birth: Option<PregnancyOutcome>,
}

/// Extra facts kept with an application (JSON column).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct ApplicationDetails {
    pub birth: Option<PregnancyOutcome>,
    /// The pending application this one replaced (amending a pending application withdraws it
    /// and submits this one; a returned one is amended in place).
    pub amended_from: Option<LeaveApplicationId>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct LeaveApplication {
    pub id: LeaveApplicationId,
    pub company_id: CompanyId,
    pub employee_id: EmployeeId,
    pub leave_type_id: LeaveTypeId,
    pub start_date: NaiveDate,
    pub end_date: NaiveDate,
    pub start_half: Option<HalfDay>,
    pub end_half: Option<HalfDay>,
    /// Hour types: the minutes asked for.
    pub hours_minutes: Option<i64>,
    /// What the application uses of the balance (and reserves while pending), in minutes.
    pub duration_minutes: i64,
    pub status: ApplicationStatus,
    pub reason: String,
    #[schema(value_type = Object)]
    pub details: ApplicationDetails,
    /// The approval instance (workflow) deciding it.
    pub instance_id: Option<Uuid>,
    pub submitted_by: UserId,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub decided_at: Option<DateTime<Utc>>,
    pub cancelled_at: Option<DateTime<Utc>>,
    pub cancelled_by: Option<UserId>,
    pub cancel_reason: Option<String>,
}

#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct LeaveApplicationView {
    #[serde(flatten)]
    pub application: LeaveApplication,
    pub leave_type_code: String,
    pub leave_type_name_zh: String,
    pub leave_type_name_en: String,
    #[schema(value_type = String)]
    pub days: Decimal,
}

/// One application with its approval instance and history (the workflow's view, as JSON).
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct LeaveApplicationDetail {
    #[serde(flatten)]
    pub view: LeaveApplicationView,
    #[schema(value_type = Option<Object>)]
    pub approval: Option<serde_json::Value>,
}

/// The live balance for the phone form, before submitting.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct LeaveQuote {
    pub employee_id: EmployeeId,
    pub leave_type: String,
    pub duration_minutes: i64,
    #[schema(value_type = String)]
    pub days: Decimal,
    pub balance_tracked: bool,
    #[schema(value_type = String)]
    pub balance: Decimal,
    #[schema(value_type = String)]
    pub pending: Decimal,
    #[schema(value_type = String)]
    pub available: Decimal,
    /// available − days.
    #[schema(value_type = String)]
    pub after: Decimal,
    /// True when the application would pass the balance check now.
    pub sufficient: bool,
    /// An overlapping live application, if any (the submission would be refused).
    pub overlaps: Option<OverlapInfo>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, ToSchema)]
pub struct OverlapInfo {
    pub application_id: LeaveApplicationId,
    pub start_date: NaiveDate,
    pub end_date: NaiveDate,
    pub status: ApplicationStatus,
}

/// List filter. Without `employee_id` a caller sees their own applications, HR / managers their
/// scope.
#[derive(Clone, Debug, Default)]
pub struct ApplicationQuery {
    pub employee_id: Option<EmployeeId>,
    pub status: Option<ApplicationStatus>,
    /// Applications ending on or after `from` …
    pub from: Option<NaiveDate>,
    /// … and starting on or before `to`.
    pub to: Option<NaiveDate>,
}

/// Covered dates of an approved leave, as attendance reads them (`absence_days`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AbsenceDay {
    pub day: NaiveDate,
    pub minutes: i64,
}

// ------------------------------------------------------------------------ overtime

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Compensation {
    /// 加班费 at the kind's rate.
    Pay,
    /// 调休: minutes credited to the compensatory leave type.
    TimeOff,
}

impl Compensation {
    pub fn as_str(&self) -> &'static str {
        match self {
            Compensation::Pay => "pay",
            Compensation::TimeOff => "time_off",
        }
    }
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "pay" => Some(Compensation::Pay),
            "time_off" => Some(Compensation::TimeOff),
            _ => None,
        }
    }
}

/// The premium class stored for attendance and payroll: `workday` 150%, `restday` 200%,
/// `holiday` 300% (only the 13 statutory days; other days of a holiday block are rest days).
pub fn overtime_kind_code(kind: crate::overtime::OvertimeKind) -> &'static str {
    match kind {
        crate::overtime::OvertimeKind::Workday => "workday",
        crate::overtime::OvertimeKind::RestDay => "restday",
        crate::overtime::OvertimeKind::StatutoryHoliday => "holiday",
    }
}

pub fn parse_overtime_kind(s: &str) -> Option<crate::overtime::OvertimeKind> {
    match s {
        "workday" => Some(crate::overtime::OvertimeKind::Workday),
        "restday" => Some(crate::overtime::OvertimeKind::RestDay),
        "holiday" => Some(crate::overtime::OvertimeKind::StatutoryHoliday),
        _ => None,
    }
}

#[derive(Clone, Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct OvertimeRequest {
    pub employee_id: Option<EmployeeId>,
    pub date: NaiveDate,
    #[schema(value_type = String, example = "18:00")]
    pub start_time: NaiveTime,
    #[schema(value_type = String, example = "21:00")]
    pub end_time: NaiveTime,
    pub compensation: Compensation,
    #[serde(default)]
    pub reason: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct OvertimeApplication {
    pub id: OvertimeId,
    pub company_id: CompanyId,
    pub employee_id: EmployeeId,
    pub date: NaiveDate,
    #[schema(value_type = String)]
    pub start_time: NaiveTime,
    #[schema(value_type = String)]
    pub end_time: NaiveTime,
    pub minutes: i64,
    /// `workday` | `restday` | `holiday`.
    pub kind: String,
    pub compensation: Compensation,
    pub status: ApplicationStatus,
    pub reason: String,
    pub instance_id: Option<Uuid>,
    pub submitted_by: UserId,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub decided_at: Option<DateTime<Utc>>,
    pub cancelled_at: Option<DateTime<Utc>>,
    pub cancelled_by: Option<UserId>,
}

// ------------------------------------------------------------------------ punch corrections

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum PunchDirection {
    In,
    Out,
}

impl PunchDirection {
    pub fn as_str(&self) -> &'static str {
        match self {
            PunchDirection::In => "in",
            PunchDirection::Out => "out",
        }
    }
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "in" => Some(PunchDirection::In),
            "out" => Some(PunchDirection::Out),
            _ => None,
        }
    }
}

#[derive(Clone, Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PunchCorrectionRequest {
    pub employee_id: Option<EmployeeId>,
    pub date: NaiveDate,
    #[schema(value_type = String, example = "09:00")]
    pub time: NaiveTime,
    pub direction: PunchDirection,
    #[serde(default)]
    pub reason: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct PunchCorrection {
    pub id: PunchCorrectionId,
    pub company_id: CompanyId,
    pub employee_id: EmployeeId,
    pub date: NaiveDate,
    #[schema(value_type = String)]
    pub time: NaiveTime,
    pub direction: PunchDirection,
    pub status: ApplicationStatus,
    pub reason: String,
    pub instance_id: Option<Uuid>,
    pub submitted_by: UserId,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub decided_at: Option<DateTime<Utc>>,
}

// ------------------------------------------------------------------------ jobs

#[derive(Clone, Debug, Default, Serialize, ToSchema)]
pub struct GrantReport {
    pub year: i32,
    pub employees: u32,
    /// Rows posted this run (0 on an idempotent re-run).
    pub postings: u32,
    pub minutes: i64,
    /// Employees skipped because no working-years basis is on file (statutory annual only).
    pub missing_basis: Vec<EmployeeId>,
}

#[derive(Clone, Debug, Default, Serialize, ToSchema)]
pub struct YearEndReport {
    pub year: i32,
    pub carried_over_minutes: i64,
    pub expired_minutes: i64,
    pub postings: u32,
}
