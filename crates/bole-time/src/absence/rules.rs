//! Pure leave rules: how long an application is (working or calendar days, halves, hours), which
//! dates it covers for attendance, when two applications collide, how a balance is built from the
//! ledger (first-expiring credits are used first), what the year-end job posts, how much statutory
//! annual leave an employee gets for a year, the default leave types a company starts with, and
//! the overtime classification. No IO and no clock.

use super::error::AbsenceError;
use super::model::*;
use crate::calendar::WorkCalendar;
use crate::leave::{AnnualLeaveInput, AnnualLeavePolicy, Exclusions, PregnancyOutcome, annual_leave_with};
use crate::overtime::OvertimeKind;
use bole_core::{CompanyId, FieldErrors, Msg};
use chrono::{DateTime, Datelike, Months, NaiveDate, NaiveTime, Utc};
use rust_decimal::Decimal;
use std::collections::BTreeMap;

// ------------------------------------------------------------------------ duration

/// The shape of a request after checking it against its type: what an application covers.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Span {
    pub start: NaiveDate,
    pub end: NaiveDate,
    pub start_half: Option<HalfDay>,
    pub end_half: Option<HalfDay>,
    pub hours_minutes: Option<i64>,
}

/// Check a request's dates, halves and hours against the type's unit.
pub fn span_of(t: &LeaveType, r: &LeaveRequest) -> Result<Span, AbsenceError> {
    let mut errs = FieldErrors::new();
    if r.end_date < r.start_date {
        errs.add("end_date", Msg::new("结束日期不能早于开始日期。", "The end date must not be before the start date."));
    }
    let mut hours_minutes = None;
    match t.unit {
        LeaveUnit::Day => {
            if r.start_half.is_some_and(|h| h == HalfDay::Pm) || r.end_half.is_some_and(|h| h == HalfDay::Am) {
                errs.add(
                    "start_half",
                    Msg::new(
                        format!("{}只能按整天申请。", t.name_zh),
                        format!("{} is taken in whole days.", t.name_en),
                    ),
                );
            }
        }
        LeaveUnit::HalfDay => {
            if r.start_date == r.end_date && r.start_half == Some(HalfDay::Pm) && r.end_half == Some(HalfDay::Am) {
                errs.add(
                    "end_half",
                    Msg::new(
                        "同一天不能从下午请到上午。",
                        "On one day the leave cannot run from afternoon to morning.",
                    ),
                );
            }
        }
        LeaveUnit::Hour => {
            if r.start_date != r.end_date {
                errs.add(
                    "end_date",
                    Msg::new("按小时请假只能在同一天内。", "Leave by the hour must start and end on the same day."),
                );
            }
            match r.hours {
                None => errs.add("hours", Msg::new("请填写小时数。", "Enter the number of hours.")),
                Some(h) => {
                    let half_hours = h * Decimal::from(2);
                    if h <= Decimal::ZERO || h > Decimal::from(8) || half_hours.fract() != Decimal::ZERO {
                        errs.add(
                            "hours",
                            Msg::new(
                                "小时数应在 0.5 到 8 之间，以半小时为单位。",
                                "Hours must be between 0.5 and 8, in steps of half an hour.",
                            ),
                        );
                    } else {
                        use rust_decimal::prelude::ToPrimitive;
                        hours_minutes = (h * Decimal::from(60)).to_i64();
                    }
                }
            }
        }
    }
    if t.unit != LeaveUnit::Hour && r.hours.is_some() {
        errs.add(
            "hours",
            Msg::new(format!("{}不按小时申请。", t.name_zh), format!("{} is not taken by the hour.", t.name_en)),
        );
    }
    errs.into_result().map_err(AbsenceError::Invalid)?;
    let halves = t.unit == LeaveUnit::HalfDay;
    Ok(Span {
        start: r.start_date,
        end: r.end_date,
        start_half: if halves { r.start_half.filter(|h| *h == HalfDay::Pm) } else { None },
        end_half: if halves { r.end_half.filter(|h| *h == HalfDay::Am) } else { None },
        hours_minutes,
    })
}

/// The dates an application covers and the minutes of each: only counted days (working days for
/// working-day types; every calendar day for calendar-day types, e.g. 产假), a half day 240, a full
/// day 480, an hour request its minutes.
pub fn covered_days(
    span: &Span,
    counting: DayCounting,
    calendar: &WorkCalendar,
) -> Result<Vec<AbsenceDay>, AbsenceError> {
    let mut out = Vec::new();
    for day in span.start.iter_days().take_while(|d| *d <= span.end) {
        if counting == DayCounting::WorkingDays && !calendar.is_working_day(day)? {
            continue;
        }
        let minutes = match span.hours_minutes {
            Some(m) => m,
            None => {
                let mut m = MINUTES_PER_DAY;
                if day == span.start && span.start_half == Some(HalfDay::Pm) {
                    m -= MINUTES_PER_HALF_DAY;
                }
                if day == span.end && span.end_half == Some(HalfDay::Am) {
                    m -= MINUTES_PER_HALF_DAY;
                }
                m
            }
        };
        if minutes > 0 {
            out.push(AbsenceDay { day, minutes });
        }
    }
    Ok(out)
}

/// Total minutes of an application; refuses a range without a counted day.
pub fn duration_minutes(days: &[AbsenceDay], span: &Span) -> Result<i64, AbsenceError> {
    let total: i64 = days.iter().map(|d| d.minutes).sum();
    if total <= 0 {
        return Err(AbsenceError::ZeroDuration { start: span.start, end: span.end });
    }
    Ok(total)
}

/// The attendance rows of an approved application. Calendar-day types (产假) count weekends and
/// holidays in their length, but attendance only needs the days someone was expected at work.
pub fn attendance_days(
    span: &Span,
    counting: DayCounting,
    calendar: &WorkCalendar,
) -> Result<Vec<AbsenceDay>, AbsenceError> {
    let days = covered_days(span, counting, calendar)?;
    if counting == DayCounting::WorkingDays {
        return Ok(days);
    }
    let mut out = Vec::with_capacity(days.len());
    for d in days {
        if calendar.is_working_day(d.day)? {
            out.push(d);
        }
    }
    Ok(out)
}

/// The longest an application of the type may be, in days: the type's maximum, and for 产假 the
/// national + provincial total of the stated birth.
pub fn max_days(t: &LeaveType, birth: Option<&PregnancyOutcome>) -> Result<Option<Decimal>, AbsenceError> {
    let mut max = t.max_days_per_application.filter(|m| *m > Decimal::ZERO);
    if let Some(province) = &t.policy.maternity {
        let outcome = birth.copied().unwrap_or(PregnancyOutcome::Birth { babies: 1, difficult: false });
        let total = crate::leave::maternity_leave(outcome, province)?.total_days;
        let total = Decimal::from(total);
        max = Some(max.map_or(total, |m| m.max(total)));
    }
    Ok(max)
}

// ------------------------------------------------------------------------ overlap

/// Half-day slots `[first, last]` an application occupies; an hour request occupies its whole day
/// against day and half-day leave.
fn slots(span: &Span) -> (i64, i64) {
    let base = |d: NaiveDate| i64::from(d.num_days_from_ce()) * 2;
    let first = base(span.start) + i64::from(span.start_half == Some(HalfDay::Pm));
    let last = base(span.end) + if span.end_half == Some(HalfDay::Am) { 0 } else { 1 };
    (first, last)
}

/// True when two applications of one employee cannot both stand. Two hour requests on one day
/// collide only when together they exceed a working day.
pub fn collides(a: &Span, b: &Span) -> bool {
    if let (Some(x), Some(y)) = (a.hours_minutes, b.hours_minutes) {
        return a.start == b.start && x + y > MINUTES_PER_DAY;
    }
    let (a1, a2) = slots(a);
    let (b1, b2) = slots(b);
    a1 <= b2 && b1 <= a2
}

impl LeaveApplication {
    pub fn span(&self) -> Span {
        Span {
            start: self.start_date,
            end: self.end_date,
            start_half: self.start_half,
            end_half: self.end_half,
            hours_minutes: self.hours_minutes,
        }
    }
}

/// The first live application in `others` that collides with `span`.
pub fn first_overlap<'a>(span: &Span, others: &'a [LeaveApplication]) -> Option<&'a LeaveApplication> {
    others.iter().filter(|o| o.status.is_live()).find(|o| collides(span, &o.span()))
}

// ------------------------------------------------------------------------ balances

/// One employee's ledger of one type, condensed: credits by expiry date, and what consumed them.
/// Consumption uses the first-expiring credits first (FIFO by expiry; never-expiring credits
/// last), which is what makes "the unused remainder of an expired credit" well defined.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Lots {
    /// Credits (grants, carry-over, comp credits, positive adjustments) by expiry; `None` never expires.
    pub credits: BTreeMap<Option<NaiveDate>, i64>,
    pub granted: i64,
    /// Usage net of reversals (positive = used).
    pub used: i64,
    /// Negative adjustments (positive number).
    pub adjusted_down: i64,
    /// Expiry postings so far (positive number).
    pub expired: i64,
}

impl Lots {
    pub fn from_sums<'a>(sums: impl IntoIterator<Item = &'a LedgerSum>) -> Lots {
        let mut lots = Lots::default();
        for s in sums {
            match s.kind {
                LedgerKind::Grant | LedgerKind::CarryOver | LedgerKind::CompCredit => {
                    // A negative grant (a re-run lowering an entitlement) reduces its own lot.
                    let net = s.positive + s.negative;
                    *lots.credits.entry(s.expires_on).or_default() += net;
                    lots.granted += net;
                }
                LedgerKind::Adjustment => {
                    *lots.credits.entry(s.expires_on).or_default() += s.positive;
                    lots.granted += s.positive;
                    lots.adjusted_down -= s.negative;
                }
                LedgerKind::Usage | LedgerKind::Reversal => lots.used -= s.positive + s.negative,
                LedgerKind::Expiry => lots.expired -= s.positive + s.negative,
            }
        }
        lots
    }

    pub fn balance(&self) -> i64 {
        self.granted - self.used - self.adjusted_down - self.expired
    }

    /// Unused minutes of credits expiring on or before `day` that no expiry posting has removed yet.
    pub fn unused_expiring_by(&self, day: NaiveDate) -> i64 {
        let due: i64 = self.credits.iter().filter(|(e, _)| e.is_some_and(|e| e <= day)).map(|(_, m)| *m).sum();
        (due - self.used - self.adjusted_down - self.expired).max(0)
    }

    /// The first expiry date after `after` whose credit still has an unused part, within `window`.
    pub fn next_expiry(&self, after: NaiveDate, until: NaiveDate) -> Option<(NaiveDate, i64)> {
        let soon = self.unused_expiring_by(until) - self.unused_expiring_by(after);
        if soon <= 0 {
            return None;
        }
        self.credits.keys().flatten().find(|d| **d > after && **d <= until).map(|d| (*d, soon))
    }
}

/// Expiry and carry-over postings of one employee's type at the end of `year`, and of credits that
/// expired before `today`. Returns rows without ids or audit fields (the caller stamps them).
pub struct YearEndPlan {
    pub expire: i64,
    pub carry: i64,
    pub carry_expires_on: Option<NaiveDate>,
    /// Credits expired before today other than the year's (comp credits, older carry-over).
    pub expire_due: i64,
}

pub fn year_end(t: &LeaveType, lots: &Lots, year: i32, today: NaiveDate) -> Option<YearEndPlan> {
    let dec31 = NaiveDate::from_ymd_opt(year, 12, 31)?;
    let dec30 = NaiveDate::from_ymd_opt(year, 12, 30)?;
    // Earlier lots (e.g. last year's carry-over that ran out in March) expire without carry-over.
    let before = lots.unused_expiring_by(dec30);
    let mut after_before = lots.clone();
    after_before.expired += before;
    let year_lots = after_before.unused_expiring_by(dec31);
    let max = days_to_minutes(t.carry_over_max_days).unwrap_or(0).max(0);
    let carry = if t.carry_over_expiry_months > 0 { year_lots.min(max) } else { 0 };
    let carry_expires_on = (carry > 0)
        .then(|| {
            let first = NaiveDate::from_ymd_opt(year + 1, 1, 1)?;
            first.checked_add_months(Months::new(t.carry_over_expiry_months))?.pred_opt()
        })
        .flatten();
    let mut after_year = after_before;
    after_year.expired += year_lots;
    let expire_due = today.pred_opt().map_or(0, |y| after_year.unused_expiring_by(y));
    let plan = YearEndPlan { expire: before + year_lots, carry, carry_expires_on, expire_due };
    (plan.expire > 0 || plan.expire_due > 0).then_some(plan)
}

// ------------------------------------------------------------------------ annual grant

/// Cumulative working years on `on` from the profile, rounded UP at the 6th decimal so that the
/// annual-leave thresholds (⌈(T − years) × 365⌉ days away) land on the exact anniversary.
pub fn cumulative_years(profile: &LeaveProfile, on: NaiveDate) -> Option<Decimal> {
    let years_between = |from: NaiveDate, to: NaiveDate| -> Decimal {
        let days = (to - from).num_days().max(0);
        (Decimal::from(days) / Decimal::from(365))
            .round_dp_with_strategy(6, rust_decimal::RoundingStrategy::AwayFromZero)
    };
    if let Some(start) = profile.work_start_date {
        return Some(years_between(start, on));
    }
    let years = profile.prior_years?;
    let as_of = profile.prior_years_as_of?;
    Some(if on >= as_of { years + years_between(as_of, on) } else { years })
}

/// The statutory annual leave days to grant for `year`: pro-rated for a new hire; for someone who
/// left during the year, the whole days earned up to the exit (实施办法 art.5, art.12).
pub fn annual_grant_days(e: &EmployeeFacts, year: i32, policy: &AnnualLeavePolicy) -> Result<u32, AbsenceError> {
    let profile = e.profile.as_ref().ok_or(AbsenceError::NoAnnualLeaveBasis)?;
    let jan1 = NaiveDate::from_ymd_opt(year, 1, 1).ok_or(crate::error::TimeError::DateOutOfRange)?;
    let years = cumulative_years(profile, e.hire_date.max(jan1)).ok_or(AbsenceError::NoAnnualLeaveBasis)?;
    let input = AnnualLeaveInput {
        year,
        hire_date: e.hire_date,
        cumulative_years: years,
        exit_date: e.exit_date,
        taken: Decimal::ZERO,
        exclusions: Exclusions::default(),
    };
    let r = annual_leave_with(&input, policy)?;
    Ok(r.unused_to_pay.unwrap_or(r.pro_rated))
}

// ------------------------------------------------------------------------ overtime

/// Minutes between two times of one day; the end must be after the start.
pub fn overtime_minutes(start: NaiveTime, end: NaiveTime) -> Result<i64, AbsenceError> {
    let minutes = (end - start).num_minutes();
    if minutes <= 0 {
        return Err(AbsenceError::field(
            "end_time",
            Msg::new(
                "结束时间应晚于开始时间（跨零点的加班请分两天申请）。",
                "The end time must be after the start time (split overtime past midnight into two days).",
            ),
        ));
    }
    Ok(minutes)
}

/// The premium class of overtime on `day`, refusing time off for statutory holidays.
pub fn classify_overtime(
    calendar: &WorkCalendar,
    day: NaiveDate,
    compensation: Compensation,
) -> Result<OvertimeKind, AbsenceError> {
    let kind = OvertimeKind::for_day(calendar.day_kind(day)?);
    if kind == OvertimeKind::StatutoryHoliday && compensation == Compensation::TimeOff {
        return Err(AbsenceError::HolidayOvertimeMustBePaid { day });
    }
    Ok(kind)
}

/// When a 调休 credit earned on `day` expires.
pub fn comp_credit_expiry(day: NaiveDate, months: u32) -> Option<NaiveDate> {
    day.checked_add_months(Months::new(months.max(1)))
}

/// Default validity of 调休 credits, in months (not regulated; a company policy).
pub const DEFAULT_COMP_TIME_MONTHS: u32 = 6;

/// "2026-03" for the monthly punch-correction limit.
pub fn month_label(day: NaiveDate) -> String {
    format!("{:04}-{:02}", day.year(), day.month())
}

pub fn month_bounds(day: NaiveDate) -> Option<(NaiveDate, NaiveDate)> {
    let first = NaiveDate::from_ymd_opt(day.year(), day.month(), 1)?;
    let last = first.checked_add_months(Months::new(1))?.pred_opt()?;
    Some((first, last))
}

// ------------------------------------------------------------------------ leave types

/// Checks a type's figures (shared by create and update).
pub fn check_type(t: &LeaveType) -> Result<(), AbsenceError> {
    let mut errs = FieldErrors::new();
    let code_ok = !t.code.is_empty()
        && t.code.len() <= 32
        && t.code.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
    if !code_ok {
        errs.add(
            "code",
            Msg::new(
                "代码应为 1–32 位小写字母、数字或下划线。",
                "The code must be 1–32 lowercase letters, digits or underscores.",
            ),
        );
    }
    if t.name_zh.trim().is_empty() {
        errs.add("name_zh", Msg::new("请填写中文名称。", "Enter the Chinese name."));
    }
    if t.name_en.trim().is_empty() {
        errs.add("name_en", Msg::new("请填写英文名称。", "Enter the English name."));
    }
    if t.pay_ratio < Decimal::ZERO || t.pay_ratio > Decimal::from(3) {
        errs.add("pay_ratio", Msg::new("工资比例应在 0 到 3 之间。", "The pay ratio must be between 0 and 3."));
    }
    if !t.paid && t.pay_ratio != Decimal::ZERO {
        errs.add("pay_ratio", Msg::new("无薪假的工资比例应为 0。", "An unpaid type has a pay ratio of 0."));
    }
    if t.max_days_per_application.is_some_and(|m| m < Decimal::ZERO) {
        errs.add("max_days_per_application", Msg::new("不能为负数。", "Must not be negative."));
    }
    if t.carry_over_max_days < Decimal::ZERO {
        errs.add("carry_over_max_days", Msg::new("不能为负数。", "Must not be negative."));
    }
    if let Entitlement::Fixed { days_per_year } = &t.entitlement
        && (*days_per_year <= Decimal::ZERO || *days_per_year > Decimal::from(366))
    {
        errs.add(
            "entitlement.days_per_year",
            Msg::new("每年天数应在 0 到 366 之间。", "Days per year must be between 0 and 366."),
        );
    }
    if matches!(t.entitlement, Entitlement::StatutoryAnnual | Entitlement::Fixed { .. } | Entitlement::CompTime)
        && !t.balance_tracked
    {
        errs.add(
            "balance_tracked",
            Msg::new("有额度的假期类型必须记余额。", "A type with an entitlement must track its balance."),
        );
    }
    errs.into_result().map_err(AbsenceError::Invalid)
}

/// The types a company starts with. Figures the domain reference marks ✅ are law (年假 5/10/15 by
/// working years, 产假 98 + 15 + 15 per extra baby, calendar days); the rest are common national
/// baselines a company must review for its province (❌/🟡): 婚假 3, 丧假 3, 陪产假 15, carry-over
/// of annual leave none (the regulation allows arranging it across years only by agreement).
pub fn default_types(company: CompanyId, now: DateTime<Utc>) -> Vec<LeaveType> {
    let d = Decimal::from;
    let base = |code: &str, zh: &str, en: &str| LeaveType {
        id: LeaveTypeId::new(),
        company_id: company,
        code: code.into(),
        name_zh: zh.into(),
        name_en: en.into(),
        unit: LeaveUnit::HalfDay,
        paid: true,
        pay_ratio: Decimal::ONE,
        counting: DayCounting::WorkingDays,
        balance_tracked: false,
        entitlement: Entitlement::None,
        max_days_per_application: None,
        gender: None,
        carry_over_max_days: Decimal::ZERO,
        carry_over_expiry_months: 0,
        allow_negative: false,
        policy: LeaveTypePolicy::default(),
        active: true,
        created_at: now,
        updated_at: now,
    };
    vec![
        LeaveType {
            balance_tracked: true,
            entitlement: Entitlement::StatutoryAnnual,
            ..base("annual", "年假", "Annual leave")
        },
        // Sick pay is 60–100% by local rule and length of service; 1 is a placeholder to review.
        LeaveType { unit: LeaveUnit::Hour, ..base("sick", "病假", "Sick leave") },
        LeaveType {
            unit: LeaveUnit::Hour,
            paid: false,
            pay_ratio: Decimal::ZERO,
            ..base("personal", "事假", "Personal leave")
        },
        LeaveType {
            unit: LeaveUnit::Day,
            max_days_per_application: Some(d(3)),
            ..base("marriage", "婚假", "Marriage leave")
        },
        LeaveType {
            unit: LeaveUnit::Day,
            counting: DayCounting::CalendarDays,
            gender: Some(Gender::Female),
            max_days_per_application: Some(d(crate::leave::BASE_DAYS)),
            policy: LeaveTypePolicy { maternity: Some(Default::default()), ..Default::default() },
            ..base("maternity", "产假", "Maternity leave")
        },
        LeaveType {
            unit: LeaveUnit::Day,
            gender: Some(Gender::Male),
            max_days_per_application: Some(d(15)),
            ..base("paternity", "陪产假", "Paternity leave")
        },
        LeaveType {
            unit: LeaveUnit::Day,
            max_days_per_application: Some(d(3)),
            ..base("bereavement", "丧假", "Bereavement leave")
        },
        LeaveType {
            unit: LeaveUnit::Hour,
            balance_tracked: true,
            entitlement: Entitlement::CompTime,
            policy: LeaveTypePolicy { comp_time_validity_months: Some(DEFAULT_COMP_TIME_MONTHS), ..Default::default() },
            ..base("compensatory", "调休假", "Compensatory leave")
        },
    ]
}

/// The code of the type overtime taken as time off is credited to.
pub const COMP_TIME_CODE: &str = "compensatory";

/// The type a new-type request describes.
pub fn new_type(n: NewLeaveType, now: DateTime<Utc>) -> LeaveType {
    LeaveType {
        id: LeaveTypeId::new(),
        company_id: n.company_id,
        code: n.code.trim().to_string(),
        name_zh: n.name_zh.trim().to_string(),
        name_en: n.name_en.trim().to_string(),
        unit: n.unit,
        paid: n.paid,
        pay_ratio: n.pay_ratio.unwrap_or(if n.paid { Decimal::ONE } else { Decimal::ZERO }),
        counting: n.counting,
        balance_tracked: n.balance_tracked,
        entitlement: n.entitlement,
        max_days_per_application: n.max_days_per_application,
        gender: n.gender,
        carry_over_max_days: n.carry_over_max_days.unwrap_or_default(),
        carry_over_expiry_months: n.carry_over_expiry_months.unwrap_or(0),
        allow_negative: n.allow_negative,
        policy: n.policy,
        active: true,
        created_at: now,
        updated_at: now,
    }
}

pub fn apply_patch(t: &mut LeaveType, p: LeaveTypePatch, now: DateTime<Utc>) {
    if let Some(v) = p.name_zh {
        t.name_zh = v.trim().to_string();
    }
    if let Some(v) = p.name_en {
        t.name_en = v.trim().to_string();
    }
    if let Some(v) = p.unit {
        t.unit = v;
    }
    if let Some(v) = p.paid {
        t.paid = v;
    }
    if let Some(v) = p.pay_ratio {
        t.pay_ratio = v;
    }
    if let Some(v) = p.counting {
        t.counting = v;
    }
    if let Some(v) = p.balance_tracked {
        t.balance_tracked = v;
    }
    if let Some(v) = p.entitlement {
        t.entitlement = v;
    }
    if let Some(v) = p.max_days_per_application {
        t.max_days_per_application = (v > Decimal::ZERO).then_some(v);
    }
    if let Some(v) = p.gender {
        t.gender = Some(v);
    }
    if let Some(v) = p.carry_over_max_days {
        t.carry_over_max_days = v;
    }
    if let Some(v) = p.carry_over_expiry_months {
        t.carry_over_expiry_months = v;
    }
    if let Some(v) = p.allow_negative {
        t.allow_negative = v;
    }
    if let Some(v) = p.policy {
        t.policy = v;
    }
    if let Some(v) = p.active {
        t.active = v;
    }
    t.updated_at = now;
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    fn span(s: &str, e: &str, sh: Option<HalfDay>, eh: Option<HalfDay>) -> Span {
        Span { start: d(s), end: d(e), start_half: sh, end_half: eh, hours_minutes: None }
    }

    #[test]
    fn half_days_on_one_day_do_not_collide_but_full_days_do() {
        let am = span("2026-03-10", "2026-03-10", None, Some(HalfDay::Am));
        let pm = span("2026-03-10", "2026-03-10", Some(HalfDay::Pm), None);
        let full = span("2026-03-09", "2026-03-10", None, None);
        assert!(!collides(&am, &pm));
        assert!(collides(&am, &full));
        assert!(collides(&pm, &full));
        assert!(!collides(&span("2026-03-11", "2026-03-12", None, None), &full));
    }

    #[test]
    fn fifo_expiry_takes_the_unused_part_of_the_first_expiring_credit() {
        let mut lots = Lots::default();
        lots.credits.insert(Some(d("2026-03-31")), 5 * MINUTES_PER_DAY);
        lots.credits.insert(Some(d("2026-12-31")), 10 * MINUTES_PER_DAY);
        lots.granted = 15 * MINUTES_PER_DAY;
        lots.used = 3 * MINUTES_PER_DAY;
        assert_eq!(lots.unused_expiring_by(d("2026-03-31")), 2 * MINUTES_PER_DAY);
        lots.expired = 2 * MINUTES_PER_DAY;
        assert_eq!(lots.unused_expiring_by(d("2026-03-31")), 0);
        assert_eq!(lots.unused_expiring_by(d("2026-12-31")), 10 * MINUTES_PER_DAY);
        assert_eq!(lots.balance(), 10 * MINUTES_PER_DAY);
    }

    #[test]
    fn cumulative_years_hit_the_anniversary() {
        let p = LeaveProfile {
            employee_id: Default::default(),
            company_id: Default::default(),
            work_start_date: Some(d("2016-06-01")),
            prior_years: None,
            prior_years_as_of: None,
            updated_at: DateTime::<Utc>::default(),
            updated_by: Default::default(),
        };
        let y = cumulative_years(&p, d("2026-01-01")).unwrap();
        assert!(y > Decimal::from(9) && y < Decimal::from(10));
    }
}
