//! Statutory paid annual leave (带薪年休假): the entitlement by cumulative working years
//! (《职工带薪年休假条例》 国务院令第514号 art.3), the years in which it is lost (art.4), pro-rating for a
//! new hire (《企业职工带薪年休假实施办法》 人社部令第1号 art.5) and for a leaver with the unused days to
//! pay (art.12), and the pay for those days (条例 art.5, 办法 art.10–11).
//!
//! Pro-rating is exact: days × tier ÷ 365 is kept as an integer numerator over 365 and floored
//! once, because "fractions of a day are not granted" and a float gives 7.999… for 292/365 × 10.
//! Interpretations the regulations leave open are fields of [`AnnualLeavePolicy`], defaulting to
//! the domain reference's reading.

use crate::error::TimeError;
use crate::overtime::{MONTHLY_PAY_DAYS, round_fen};
use bole_core::Msg;
use chrono::NaiveDate;
use rust_decimal::prelude::ToPrimitive;
use rust_decimal::{Decimal, RoundingStrategy};
use serde::{Deserialize, Serialize};

/// The divisor of both pro-rating formulas. It stays 365 in leap years (the result is capped at
/// the full entitlement instead).
const YEAR_DAYS: i64 = 365;

/// Full-year days by tier: < 1 year, 1–<10, 10–<20, ≥ 20 (条例 art.3).
const TIER_DAYS: [u32; 4] = [0, 5, 10, 15];

/// Whether the hire day itself counts among the "remaining calendar days" of a new hire's year.
/// The regulation does not say; the reference reads it inclusively (hired 1 January → 365 days →
/// the full entitlement), which is the default.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum HireDayCounting {
    #[default]
    Inclusive,
    Exclusive,
}

/// What happens when the cumulative working years cross a threshold (1, 10 or 20) during the leave
/// year. Not regulated; practice differs.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ThresholdCrossing {
    /// The higher tier applies from the day the threshold is reached; the year is pro-rated per
    /// segment (Σ days × tier ÷ 365).
    #[default]
    ProRate,
    /// The tier at the start of the year holds; the higher one applies from next year.
    FromNextYear,
    /// The tier reached by the last day of employment in the year applies to the whole year.
    WholeYear,
}

/// Interpretation choices; `Default` is the domain reference's reading.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct AnnualLeavePolicy {
    pub hire_day: HireDayCounting,
    /// Crossing 1 year (becoming eligible at all).
    pub first_year: ThresholdCrossing,
    /// Crossing 10 or 20 years.
    pub higher_tiers: ThresholdCrossing,
}

/// Facts of the year that can cancel the entitlement (条例 art.4, 办法 art.8). The caller counts them.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Exclusions {
    /// Winter/summer vacation enjoyed under law (寒暑假), in days.
    pub winter_summer_vacation_days: Decimal,
    /// Personal leave (事假) in the year for which the employer did NOT deduct pay. Deducted personal
    /// leave does not count.
    pub personal_leave_days_without_deduction: Decimal,
    /// Cumulative sick leave in the year, in months.
    pub sick_leave_months: Decimal,
    /// The employee already took this year's leave and then reached a personal/sick leave threshold
    /// in the same year (办法 art.8): the following year's leave is lost. Set it for that following year.
    pub lost_by_previous_year: bool,
}

/// Why the year's leave is lost.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "reason", rename_all = "snake_case")]
pub enum ExclusionReason {
    /// 寒暑假天数多于年休假天数 (art.4(一)).
    WinterSummerVacation { vacation_days: Decimal, leave_days: u32 },
    /// 事假累计20天以上且单位按照规定不扣工资 (art.4(二)).
    PersonalLeave { days: Decimal },
    /// 病假累计2/3/4个月以上 by tier (art.4(三)–(五)).
    SickLeave { months: Decimal, threshold_months: u32 },
    /// 办法 art.8: lost because of the previous year.
    PreviousYear,
}

/// Everything [`annual_leave_with`] needs.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AnnualLeaveInput {
    pub year: i32,
    pub hire_date: NaiveDate,
    /// Cumulative working years with all employers (累计工作年限, may be fractional), as of the start
    /// of the leave year or, for a new hire, as of the hire date. Thresholds are reached at 365 days
    /// per year from that date.
    pub cumulative_years: Decimal,
    /// Last day of employment, if the employee leaves.
    pub exit_date: Option<NaiveDate>,
    /// Annual leave days already arranged in the year (当年度已安排年休假天数).
    pub taken: Decimal,
    #[serde(default)]
    pub exclusions: Exclusions,
}

/// Which tier applied over which days of the counted period.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct TierSegment {
    pub from: NaiveDate,
    pub to: NaiveDate,
    /// Full-year entitlement of the tier (0, 5, 10 or 15).
    pub days_per_year: u32,
    pub calendar_days: u32,
}

/// The answer, with its working. Dates serialise as "YYYY-MM-DD", decimals as strings.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct AnnualLeaveResult {
    pub year: i32,
    pub cumulative_years: Decimal,
    /// Full-year entitlement (职工本人全年应当享受的年休假天数): the tier in force on the last day of
    /// employment in the year, under the threshold policy.
    pub entitlement: u32,
    /// First and last calendar day counted for this employer in the year (hire-day convention
    /// applied); `None` when no day counts (e.g. hired 31 December, exclusive counting).
    pub counted_from: Option<NaiveDate>,
    pub counted_to: Option<NaiveDate>,
    /// Calendar days from `counted_from` to 31 December (当年度在本单位剩余日历天数).
    pub counted_days: u32,
    pub tiers: Vec<TierSegment>,
    /// The year's days at this employer: counted_days ÷ 365 × entitlement (per tier segment), whole
    /// days rounded down, capped at the entitlement. 0 when excluded.
    pub pro_rated: u32,
    pub taken: Decimal,
    /// pro_rated − taken; negative when more was taken than granted.
    pub balance: Decimal,
    pub exit_date: Option<NaiveDate>,
    /// For a leaver in this year: calendar days from `counted_from` to the exit date (已过日历天数).
    pub elapsed_days: Option<u32>,
    /// For a leaver: elapsed ÷ 365 × entitlement, to 2 decimals for display (the settlement uses
    /// the exact value).
    pub earned_to_exit: Option<Decimal>,
    /// For a leaver: whole days to pay, ⌊earned − taken⌋, never below 0.
    pub unused_to_pay: Option<u32>,
    /// Days taken beyond what was earned (to exit for a leaver, else pro_rated). Not clawed back
    /// (办法 art.12), shown to 2 decimals.
    pub over_taken: Decimal,
    pub excluded: Option<ExclusionReason>,
}

/// Annual leave with the reference's default policy and no exclusions.
pub fn annual_leave(
    year: i32,
    hire_date: NaiveDate,
    cumulative_years: Decimal,
    exit_date: Option<NaiveDate>,
    taken: Decimal,
) -> Result<AnnualLeaveResult, TimeError> {
    let input =
        AnnualLeaveInput { year, hire_date, cumulative_years, exit_date, taken, exclusions: Exclusions::default() };
    annual_leave_with(&input, &AnnualLeavePolicy::default())
}

pub fn annual_leave_with(input: &AnnualLeaveInput, policy: &AnnualLeavePolicy) -> Result<AnnualLeaveResult, TimeError> {
    check_input(input)?;
    let year = input.year;
    let jan1 = NaiveDate::from_ymd_opt(year, 1, 1).ok_or(TimeError::DateOutOfRange)?;
    let dec31 = NaiveDate::from_ymd_opt(year, 12, 31).ok_or(TimeError::DateOutOfRange)?;
    if input.hire_date > dec31 || input.exit_date.is_some_and(|e| e < jan1) {
        return Err(TimeError::NotEmployedInYear { year });
    }

    // The date the cumulative years are stated at, and the first counted day.
    let as_of = input.hire_date.max(jan1);
    let counted_from = if input.hire_date >= jan1 && policy.hire_day == HireDayCounting::Exclusive {
        input.hire_date.succ_opt().ok_or(TimeError::DateOutOfRange)?
    } else {
        as_of
    };
    let leaving = input.exit_date.filter(|e| *e <= dec31);
    let last_employed = leaving.unwrap_or(dec31);

    let thresholds = Thresholds::new(input.cumulative_years, as_of, last_employed, policy);
    let entitlement = thresholds.days_on(last_employed);
    let tiers = segments(&thresholds, counted_from, dec31);
    let cap = i64::from(entitlement) * YEAR_DAYS;
    let year_numerator = numerator_until(&tiers, dec31).min(cap);
    let mut pro_rated = whole_days(year_numerator);

    let excluded = exclusion(&input.exclusions, entitlement, pro_rated);
    let leaver = leaving.map(|exit| {
        let elapsed = days_inclusive(counted_from, exit);
        let earned = if excluded.is_some() { 0 } else { numerator_until(&tiers, exit).min(cap) };
        (elapsed, earned)
    });
    if excluded.is_some() {
        pro_rated = 0;
    }

    let taken = input.taken;
    let earned_days = |numerator: i64| Decimal::from(numerator) / Decimal::from(YEAR_DAYS);
    let (elapsed_days, earned_to_exit, unused_to_pay, over_taken) = match leaver {
        Some((elapsed, earned)) => {
            let unused = Decimal::from(earned) - taken * Decimal::from(YEAR_DAYS);
            let unused = if unused > Decimal::ZERO { floor_div_year(unused) } else { 0 };
            let over = (taken - earned_days(earned)).max(Decimal::ZERO);
            (Some(elapsed), Some(display(earned_days(earned))), Some(unused), display(over))
        }
        None => (None, None, None, display((taken - Decimal::from(pro_rated)).max(Decimal::ZERO))),
    };

    Ok(AnnualLeaveResult {
        year,
        cumulative_years: input.cumulative_years,
        entitlement,
        counted_from: (counted_from <= dec31).then_some(counted_from),
        counted_to: (counted_from <= dec31).then_some(dec31),
        counted_days: days_inclusive(counted_from, dec31),
        tiers,
        pro_rated,
        taken,
        balance: Decimal::from(pro_rated) - taken,
        exit_date: input.exit_date,
        elapsed_days,
        earned_to_exit,
        unused_to_pay,
        over_taken,
        excluded,
    })
}

fn check_input(input: &AnnualLeaveInput) -> Result<(), TimeError> {
    let mut errors = bole_core::FieldErrors::new();
    let negative = |field: &str, errors: &mut bole_core::FieldErrors| {
        errors.add(field, Msg::new("不能为负数。", "Must not be negative."));
    };
    if input.cumulative_years < Decimal::ZERO {
        negative("cumulative_years", &mut errors);
    }
    if input.taken < Decimal::ZERO {
        negative("taken", &mut errors);
    }
    let ex = &input.exclusions;
    if ex.winter_summer_vacation_days < Decimal::ZERO {
        negative("exclusions.winter_summer_vacation_days", &mut errors);
    }
    if ex.personal_leave_days_without_deduction < Decimal::ZERO {
        negative("exclusions.personal_leave_days_without_deduction", &mut errors);
    }
    if ex.sick_leave_months < Decimal::ZERO {
        negative("exclusions.sick_leave_months", &mut errors);
    }
    errors.into_result().map_err(TimeError::Invalid)?;
    if let Some(exit) = input.exit_date
        && exit < input.hire_date
    {
        return Err(TimeError::ExitBeforeHire { hire: input.hire_date, exit });
    }
    Ok(())
}

/// When each threshold (1, 10, 20 years) takes effect in the year: `None` never, `Some(d)` from `d`
/// on (a date at or before the year start means all year).
struct Thresholds([Option<NaiveDate>; 3]);

impl Thresholds {
    fn new(years: Decimal, as_of: NaiveDate, last_employed: NaiveDate, policy: &AnnualLeavePolicy) -> Self {
        let rule = |threshold: i64, crossing: ThresholdCrossing| -> Option<NaiveDate> {
            let threshold = Decimal::from(threshold);
            if years >= threshold {
                return Some(as_of);
            }
            // Reached after ⌈(threshold − years) × 365⌉ days; too far to represent means never.
            let days = ((threshold - years) * Decimal::from(YEAR_DAYS)).ceil();
            let reached =
                i64::try_from(days).ok().and_then(|d| as_of.checked_add_signed(chrono::TimeDelta::try_days(d)?));
            match crossing {
                ThresholdCrossing::ProRate => reached,
                ThresholdCrossing::FromNextYear => None,
                ThresholdCrossing::WholeYear => reached.filter(|r| *r <= last_employed).map(|_| as_of),
            }
        };
        Thresholds([rule(1, policy.first_year), rule(10, policy.higher_tiers), rule(20, policy.higher_tiers)])
    }

    fn days_on(&self, date: NaiveDate) -> u32 {
        let passed = self.0.iter().filter(|t| t.is_some_and(|from| from <= date)).count();
        TIER_DAYS.get(passed).copied().unwrap_or(TIER_DAYS[3])
    }
}

/// Runs of equal tier over `[from, to]`.
fn segments(thresholds: &Thresholds, from: NaiveDate, to: NaiveDate) -> Vec<TierSegment> {
    let mut out: Vec<TierSegment> = Vec::new();
    for date in from.iter_days().take_while(|d| *d <= to) {
        let days_per_year = thresholds.days_on(date);
        match out.last_mut() {
            Some(seg) if seg.days_per_year == days_per_year => {
                seg.to = date;
                seg.calendar_days += 1;
            }
            _ => out.push(TierSegment { from: date, to: date, days_per_year, calendar_days: 1 }),
        }
    }
    out
}

/// Σ calendar days × tier days over the segments up to `end`: the entitlement × 365, exactly.
fn numerator_until(segments: &[TierSegment], end: NaiveDate) -> i64 {
    segments
        .iter()
        .filter(|s| s.from <= end)
        .map(|s| i64::from(days_inclusive(s.from, s.to.min(end))) * i64::from(s.days_per_year))
        .sum()
}

fn whole_days(numerator: i64) -> u32 {
    u32::try_from(numerator.max(0) / YEAR_DAYS).unwrap_or(u32::MAX)
}

/// ⌊x ÷ 365⌋ for a positive decimal, exactly: the quotient is corrected against the product so a
/// division rounded in its 28th digit cannot tip a whole number.
fn floor_div_year(x: Decimal) -> u32 {
    let year = Decimal::from(YEAR_DAYS);
    let mut q = (x / year).floor();
    while q * year > x {
        q -= Decimal::ONE;
    }
    while (q + Decimal::ONE) * year <= x {
        q += Decimal::ONE;
    }
    q.to_u32().unwrap_or(0)
}

fn days_inclusive(from: NaiveDate, to: NaiveDate) -> u32 {
    u32::try_from((to - from).num_days() + 1).unwrap_or(0)
}

fn display(days: Decimal) -> Decimal {
    let mut d = days.round_dp_with_strategy(2, RoundingStrategy::MidpointAwayFromZero);
    d.rescale(2);
    d
}

fn exclusion(ex: &Exclusions, entitlement: u32, pro_rated: u32) -> Option<ExclusionReason> {
    if ex.lost_by_previous_year {
        return Some(ExclusionReason::PreviousYear);
    }
    if ex.winter_summer_vacation_days > Decimal::from(pro_rated) {
        return Some(ExclusionReason::WinterSummerVacation {
            vacation_days: ex.winter_summer_vacation_days,
            leave_days: pro_rated,
        });
    }
    if ex.personal_leave_days_without_deduction >= Decimal::from(20) {
        return Some(ExclusionReason::PersonalLeave { days: ex.personal_leave_days_without_deduction });
    }
    // 1–<10 years: 2 months; 10–<20: 3; ≥ 20: 4. Under 1 year there is nothing to lose.
    let threshold_months = match entitlement {
        5 => 2,
        10 => 3,
        15 => 4,
        _ => return None,
    };
    (ex.sick_leave_months >= Decimal::from(threshold_months))
        .then_some(ExclusionReason::SickLeave { months: ex.sick_leave_months, threshold_months })
}

/// How unused leave is paid. 条例 art.5 / 办法 art.10: 300% of the daily wage per day, which
/// includes the 100% already paid for working that day, so the employer owes an extra 200%.
/// 机关事业单位 follow a different rule (not reviewed): set the rates for them.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct UnusedLeavePayRule {
    pub total_rate: Decimal,
    pub included_normal_rate: Decimal,
}

impl Default for UnusedLeavePayRule {
    fn default() -> Self {
        Self { total_rate: Decimal::from(3), included_normal_rate: Decimal::ONE }
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct UnusedLeavePay {
    pub days: Decimal,
    /// Average monthly wage of the previous 12 months, overtime excluded (办法 art.11); the caller
    /// computes it.
    pub monthly_wage: Decimal,
    /// monthly_wage ÷ 21.75, 4 decimals, display only.
    pub daily_wage: Decimal,
    pub total_rate: Decimal,
    pub included_normal_rate: Decimal,
    pub extra_rate: Decimal,
    /// days × monthly_wage × extra_rate ÷ 21.75, rounded once, half up, to the fen: what to pay.
    pub extra_pay: Decimal,
}

pub fn unused_leave_pay(days: Decimal, monthly_wage: Decimal) -> Result<UnusedLeavePay, TimeError> {
    unused_leave_pay_with(days, monthly_wage, &UnusedLeavePayRule::default())
}

pub fn unused_leave_pay_with(
    days: Decimal,
    monthly_wage: Decimal,
    rule: &UnusedLeavePayRule,
) -> Result<UnusedLeavePay, TimeError> {
    if days < Decimal::ZERO {
        return Err(TimeError::field("days", Msg::new("天数不能为负数。", "Days must not be negative.")));
    }
    if monthly_wage < Decimal::ZERO {
        return Err(TimeError::field(
            "monthly_wage",
            Msg::new("月工资不能为负数。", "The monthly wage cannot be negative."),
        ));
    }
    let extra_rate = rule.total_rate - rule.included_normal_rate;
    let numerator = days.checked_mul(monthly_wage).and_then(|x| x.checked_mul(extra_rate)).ok_or_else(|| {
        TimeError::field("monthly_wage", Msg::new("金额过大，无法计算。", "The amount is too large to compute."))
    })?;
    Ok(UnusedLeavePay {
        days,
        monthly_wage,
        daily_wage: (monthly_wage / MONTHLY_PAY_DAYS).round_dp_with_strategy(4, RoundingStrategy::MidpointAwayFromZero),
        total_rate: rule.total_rate,
        included_normal_rate: rule.included_normal_rate,
        extra_rate,
        extra_pay: round_fen(numerator / MONTHLY_PAY_DAYS),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn floor_div_is_exact_at_whole_days() {
        assert_eq!(floor_div_year(Decimal::from(365 * 8)), 8);
        assert_eq!(floor_div_year(Decimal::from(365 * 8 - 1)), 7);
        assert_eq!(floor_div_year(Decimal::new(36499, 2)), 0);
    }

    #[test]
    fn tiers_follow_article_3() {
        let on = |years: i64| {
            let as_of = NaiveDate::from_ymd_opt(2025, 1, 1).unwrap();
            Thresholds::new(Decimal::from(years), as_of, as_of, &AnnualLeavePolicy::default()).days_on(as_of)
        };
        assert_eq!([on(0), on(1), on(9), on(10), on(19), on(20), on(40)], [0, 5, 5, 10, 10, 15, 15]);
    }
}
