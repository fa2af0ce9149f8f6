//! Annual and maternity leave against the domain reference (china-hr-rules.md §3.3, §3.4). The
//! reference's own worked examples are marked "reference"; the others are computed by hand from its
//! formulas, with the arithmetic in the comment.

#![expect(clippy::unwrap_used, reason = "test helpers: a surprise should fail the test loudly")]

use bole_core::Failure;
use bole_time::TimeError;
use bole_time::calendar::WorkCalendar;
use bole_time::leave::{
    AnnualLeaveInput, AnnualLeavePolicy, ExclusionReason, Exclusions, HireDayCounting, LeaveDayCounting,
    PregnancyOutcome, ProvincialMaternity, ThresholdCrossing, annual_leave, annual_leave_with, leave_end_date,
    maternity_leave, unused_leave_pay,
};
use chrono::NaiveDate;
use rust_decimal::Decimal;
use std::str::FromStr;

fn d(s: &str) -> NaiveDate {
    s.parse().unwrap()
}

fn dec(s: &str) -> Decimal {
    Decimal::from_str(s).unwrap()
}

fn input(year: i32, hire: &str, years: &str) -> AnnualLeaveInput {
    AnnualLeaveInput {
        year,
        hire_date: d(hire),
        cumulative_years: dec(years),
        exit_date: None,
        taken: Decimal::ZERO,
        exclusions: Exclusions::default(),
    }
}

const NEXT_YEAR: AnnualLeavePolicy = AnnualLeavePolicy {
    hire_day: HireDayCounting::Inclusive,
    first_year: ThresholdCrossing::FromNextYear,
    higher_tiers: ThresholdCrossing::FromNextYear,
};

#[test]
fn entitlement_by_cumulative_years() {
    // 条例 art.3: <1 → 0; 1–<10 → 5; 10–<20 → 10; ≥20 → 15 (years may be fractional).
    for (years, days) in
        [("0", 0), ("0.99", 0), ("1", 5), ("9.99", 5), ("10", 10), ("19.99", 10), ("20", 15), ("35.5", 15)]
    {
        let r = annual_leave_with(&input(2025, "2010-01-01", years), &NEXT_YEAR).unwrap();
        assert_eq!((r.entitlement, r.pro_rated), (days, days), "{years} years");
        assert_eq!(r.counted_days, 365);
    }
    // With the default policy too, when no threshold is crossed in the year.
    for (years, days) in [("0", 0), ("5", 5), ("12", 10), ("25", 15)] {
        let r = annual_leave(2025, d("2010-01-01"), dec(years), None, Decimal::ZERO).unwrap();
        assert_eq!((r.entitlement, r.pro_rated), (days, days), "{years} years");
    }
}

#[test]
fn new_hire_example_from_the_reference() {
    // Reference: hire 2025-03-15, 10-day entitlement: 292/365 × 10 = 8 exactly (inclusive), 7 if exclusive.
    let r = annual_leave(2025, d("2025-03-15"), dec("12"), None, Decimal::ZERO).unwrap();
    assert_eq!(r.entitlement, 10);
    assert_eq!(r.counted_days, 292);
    assert_eq!(r.counted_from, Some(d("2025-03-15")));
    assert_eq!(r.pro_rated, 8, "exact arithmetic: a float gives 7.999…");
    assert_eq!(r.balance, dec("8"));

    let exclusive = AnnualLeavePolicy { hire_day: HireDayCounting::Exclusive, ..AnnualLeavePolicy::default() };
    let r = annual_leave_with(&input(2025, "2025-03-15", "12"), &exclusive).unwrap();
    assert_eq!((r.counted_days, r.pro_rated), (291, 7));
}

#[test]
fn hired_on_the_first_of_january_gets_the_full_year() {
    // Reference: hire 01-01 → 365 days → full entitlement (why inclusive counting is the default).
    let r = annual_leave(2025, d("2025-01-01"), dec("3"), None, Decimal::ZERO).unwrap();
    assert_eq!((r.counted_days, r.pro_rated), (365, 5));
    let exclusive = AnnualLeavePolicy { hire_day: HireDayCounting::Exclusive, ..AnnualLeavePolicy::default() };
    let r = annual_leave_with(&input(2025, "2025-01-01", "3"), &exclusive).unwrap();
    assert_eq!((r.counted_days, r.pro_rated), (364, 4), "the unintended result the reference warns about");
}

#[test]
fn leap_years_keep_the_365_divisor_and_cap() {
    // Reference: 366/365 × 5 = 5.01 → 5.
    let r = annual_leave(2024, d("2024-01-01"), dec("5"), None, Decimal::ZERO).unwrap();
    assert_eq!((r.counted_days, r.pro_rated), (366, 5));
    // A leaver on 31 December of a leap year earned exactly the entitlement, not 5.01.
    let r = annual_leave(2024, d("2020-01-01"), dec("5"), Some(d("2024-12-31")), Decimal::ZERO).unwrap();
    assert_eq!(r.earned_to_exit, Some(dec("5.00")));
    assert_eq!(r.unused_to_pay, Some(5));
}

#[test]
fn leaver_is_paid_whole_unused_days() {
    // 办法 art.12: 181/365 × 10 − taken; 181 = 2025-01-01..06-30; 181 × 10 / 365 = 4.9589…
    let leave =
        |taken: &str| annual_leave(2025, d("2015-06-01"), dec("12"), Some(d("2025-06-30")), dec(taken)).unwrap();
    let r = leave("2");
    assert_eq!(r.elapsed_days, Some(181));
    assert_eq!(r.earned_to_exit, Some(dec("4.96")));
    assert_eq!(r.unused_to_pay, Some(2), "⌊4.9589 − 2⌋");
    assert_eq!(r.over_taken, dec("0.00"));
    assert_eq!(r.pro_rated, 10, "the year's figure is still shown");
    assert_eq!(leave("0").unused_to_pay, Some(4));
    assert_eq!(leave("0.5").unused_to_pay, Some(4), "⌊4.4589⌋: the fraction is dropped after subtracting");
    assert_eq!(leave("2.5").unused_to_pay, Some(2));
    // Over-taken days are not clawed back.
    let r = leave("6");
    assert_eq!(r.unused_to_pay, Some(0));
    assert_eq!(r.over_taken, dec("1.04"));
}

#[test]
fn hired_and_leaving_in_the_same_year() {
    // 2025-03-15..09-30 = 200 days; 200 × 10 / 365 = 5.479 → 5.
    let r = annual_leave(2025, d("2025-03-15"), dec("12"), Some(d("2025-09-30")), Decimal::ZERO).unwrap();
    assert_eq!((r.pro_rated, r.elapsed_days, r.unused_to_pay), (8, Some(200), Some(5)));
    // Leaving after the year: no settlement this year.
    let r = annual_leave(2025, d("2020-01-01"), dec("12"), Some(d("2026-02-01")), Decimal::ZERO).unwrap();
    assert_eq!((r.pro_rated, r.unused_to_pay), (10, None));
}

#[test]
fn crossing_a_tier_threshold_follows_the_policy() {
    // 9.5 years on 2025-01-01: 10 years reached after ⌈0.5 × 365⌉ = 183 days, on 2025-07-03.
    let base = input(2025, "2015-07-01", "9.5");
    let r = annual_leave_with(&base, &AnnualLeavePolicy::default()).unwrap();
    // Pro-rated per segment: (183 × 5 + 182 × 10) / 365 = 2735 / 365 = 7.49 → 7.
    assert_eq!(r.tiers.len(), 2);
    assert_eq!((r.tiers[0].from, r.tiers[0].to, r.tiers[0].days_per_year), (d("2025-01-01"), d("2025-07-02"), 5));
    assert_eq!((r.tiers[1].from, r.tiers[1].calendar_days, r.tiers[1].days_per_year), (d("2025-07-03"), 182, 10));
    assert_eq!((r.entitlement, r.pro_rated), (10, 7));

    let next = AnnualLeavePolicy { higher_tiers: ThresholdCrossing::FromNextYear, ..AnnualLeavePolicy::default() };
    let r = annual_leave_with(&base, &next).unwrap();
    assert_eq!((r.entitlement, r.pro_rated), (5, 5));

    let whole = AnnualLeavePolicy { higher_tiers: ThresholdCrossing::WholeYear, ..AnnualLeavePolicy::default() };
    let r = annual_leave_with(&base, &whole).unwrap();
    assert_eq!((r.entitlement, r.pro_rated), (10, 10));
    // …unless the employee leaves before reaching the threshold.
    let leaving = AnnualLeaveInput { exit_date: Some(d("2025-06-30")), ..base };
    let r = annual_leave_with(&leaving, &whole).unwrap();
    assert_eq!(r.entitlement, 5);
    assert_eq!(r.unused_to_pay, Some(2), "181 × 5 / 365 = 2.48");
}

#[test]
fn becoming_eligible_during_the_year() {
    // 0.5 years on 2025-01-01: 12 months reached on 2025-07-03, then 182 × 5 / 365 = 2.49 → 2.
    let r = annual_leave(2025, d("2024-07-01"), dec("0.5"), None, Decimal::ZERO).unwrap();
    assert_eq!((r.entitlement, r.pro_rated), (5, 2));
    let strict = AnnualLeavePolicy { first_year: ThresholdCrossing::FromNextYear, ..AnnualLeavePolicy::default() };
    let r = annual_leave_with(&input(2025, "2024-07-01", "0.5"), &strict).unwrap();
    assert_eq!((r.entitlement, r.pro_rated), (0, 0));
}

#[test]
fn exclusions_of_article_4() {
    let with = |years: &str, exclusions: Exclusions| {
        let input = AnnualLeaveInput { exclusions, ..input(2025, "2000-01-01", years) };
        annual_leave_with(&input, &AnnualLeavePolicy::default()).unwrap()
    };
    let none = Exclusions::default();
    // 事假 ≥ 20 days without pay deduction.
    let r = with("12", Exclusions { personal_leave_days_without_deduction: dec("20"), ..none });
    assert_eq!(r.excluded, Some(ExclusionReason::PersonalLeave { days: dec("20") }));
    assert_eq!((r.entitlement, r.pro_rated), (10, 0));
    assert_eq!(with("12", Exclusions { personal_leave_days_without_deduction: dec("19.5"), ..none }).excluded, None);
    // Sick leave: 2 months (1–10 years), 3 (10–20), 4 (≥ 20).
    let sick = |years: &str, months: &str| {
        with(years, Exclusions { sick_leave_months: dec(months), ..none }).excluded.map(|r| match r {
            ExclusionReason::SickLeave { threshold_months, .. } => threshold_months,
            _ => 0,
        })
    };
    assert_eq!(sick("5", "2"), Some(2));
    assert_eq!(sick("5", "1.9"), None);
    assert_eq!(sick("12", "2.5"), None);
    assert_eq!(sick("12", "3"), Some(3));
    assert_eq!(sick("25", "3.9"), None);
    assert_eq!(sick("25", "4"), Some(4));
    // 寒暑假 longer than the leave.
    assert!(with("12", Exclusions { winter_summer_vacation_days: dec("11"), ..none }).excluded.is_some());
    assert!(with("12", Exclusions { winter_summer_vacation_days: dec("10"), ..none }).excluded.is_none());
    // 办法 art.8: lost because of last year.
    let r = with("12", Exclusions { lost_by_previous_year: true, ..none });
    assert_eq!(r.excluded, Some(ExclusionReason::PreviousYear));
    // An excluded leaver is owed nothing.
    let input = AnnualLeaveInput {
        exit_date: Some(d("2025-06-30")),
        exclusions: Exclusions { lost_by_previous_year: true, ..none },
        ..input(2025, "2000-01-01", "12")
    };
    let r = annual_leave_with(&input, &AnnualLeavePolicy::default()).unwrap();
    assert_eq!(r.unused_to_pay, Some(0));
}

#[test]
fn inputs_outside_the_employment_are_errors() {
    let err = annual_leave(2025, d("2026-01-01"), dec("3"), None, Decimal::ZERO).unwrap_err();
    assert_eq!(err, TimeError::NotEmployedInYear { year: 2025 });
    assert_eq!(err.code(), "not_employed_in_year");
    let err = annual_leave(2025, d("2020-01-01"), dec("3"), Some(d("2024-12-31")), Decimal::ZERO).unwrap_err();
    assert_eq!(err, TimeError::NotEmployedInYear { year: 2025 });
    let err = annual_leave(2025, d("2025-05-01"), dec("3"), Some(d("2025-04-30")), Decimal::ZERO).unwrap_err();
    assert!(matches!(err, TimeError::ExitBeforeHire { .. }));
    let err = annual_leave(2025, d("2020-01-01"), dec("-1"), None, dec("-2")).unwrap_err();
    let fields = err.fields().unwrap();
    assert!(fields.0.contains_key("cumulative_years") && fields.0.contains_key("taken"));
}

#[test]
fn result_serialises_for_the_cli() {
    let r = annual_leave(2025, d("2025-03-15"), dec("12"), Some(d("2025-09-30")), dec("1")).unwrap();
    let json = serde_json::to_value(&r).unwrap();
    assert_eq!(json["entitlement"], 10);
    assert_eq!(json["pro_rated"], 8);
    assert_eq!(json["unused_to_pay"], 4);
    assert_eq!(json["taken"], "1");
    assert_eq!(json["counted_from"], "2025-03-15");
    assert_eq!(json["exit_date"], "2025-09-30");
    assert_eq!(json["excluded"], serde_json::Value::Null);
}

#[test]
fn unused_leave_is_paid_an_extra_200_percent() {
    // 条例 art.5 / 办法 art.10: 300% of the daily wage, 100% of which was already paid → extra 200%.
    // 8,700 / 21.75 = 400 a day; 3 days × 400 × 2 = 2,400.00.
    let pay = unused_leave_pay(dec("3"), dec("8700")).unwrap();
    assert_eq!(pay.daily_wage, dec("400"));
    assert_eq!((pay.total_rate, pay.included_normal_rate, pay.extra_rate), (dec("3"), dec("1"), dec("2")));
    assert_eq!(pay.extra_pay.to_string(), "2400.00");
    // 10,000 / 21.75 × 2 × 1 = 919.5402… → 919.54.
    assert_eq!(unused_leave_pay(dec("1"), dec("10000")).unwrap().extra_pay, dec("919.54"));
    assert!(unused_leave_pay(dec("-1"), dec("10000")).is_err());
}

#[test]
fn maternity_leave_national_days() {
    // 国务院令第619号 art.7: 98 days; difficult birth +15; +15 per extra baby; miscarriage 15 / 42.
    let national = ProvincialMaternity::default();
    let days = |outcome| maternity_leave(outcome, &national).unwrap().total_days;
    assert_eq!(days(PregnancyOutcome::Birth { babies: 1, difficult: false }), 98);
    assert_eq!(days(PregnancyOutcome::Birth { babies: 1, difficult: true }), 113);
    assert_eq!(days(PregnancyOutcome::Birth { babies: 2, difficult: false }), 113);
    assert_eq!(days(PregnancyOutcome::Birth { babies: 3, difficult: true }), 143);
    assert_eq!(days(PregnancyOutcome::Miscarriage { four_months_or_more: false }), 15);
    assert_eq!(days(PregnancyOutcome::Miscarriage { four_months_or_more: true }), 42);
    let leave = maternity_leave(PregnancyOutcome::Birth { babies: 1, difficult: false }, &national).unwrap();
    assert_eq!(leave.prenatal_days_allowed, 15);
    assert!(maternity_leave(PregnancyOutcome::Birth { babies: 0, difficult: false }, &national).is_err());
}

#[test]
fn maternity_leave_with_provincial_extensions() {
    // Reference (🟡): Beijing +60 → 158, Shanghai +60 → 158, Guangdong +80 → 178, Guangdong difficult +30.
    let province = |region: &str, extension_days, difficult_birth_extra_days| ProvincialMaternity {
        region: region.into(),
        source: None,
        extension_days,
        difficult_birth_extra_days,
    };
    let normal = PregnancyOutcome::Birth { babies: 1, difficult: false };
    assert_eq!(maternity_leave(normal, &province("北京市", 60, 0)).unwrap().total_days, 158);
    assert_eq!(maternity_leave(normal, &province("上海市", 60, 0)).unwrap().total_days, 158);
    let guangdong = province("广东省", 80, 30);
    assert_eq!(maternity_leave(normal, &guangdong).unwrap().total_days, 178);
    let hard = maternity_leave(PregnancyOutcome::Birth { babies: 1, difficult: true }, &guangdong).unwrap();
    assert_eq!((hard.difficult_birth_days, hard.provincial_days, hard.total_days), (15, 110, 223));
    // The extension is for births; miscarriage leave stays national.
    let early = PregnancyOutcome::Miscarriage { four_months_or_more: false };
    assert_eq!(maternity_leave(early, &guangdong).unwrap().total_days, 15);
}

#[test]
fn maternity_leave_end_date() {
    // 98 calendar days from 2025-01-01 (day 1) end on 2025-04-08 (31 + 28 + 31 + 8).
    assert_eq!(leave_end_date(d("2025-01-01"), 98, LeaveDayCounting::CalendarDays).unwrap(), d("2025-04-08"));
    // Where statutory holidays do not count, the 6 in the way (01-01, 01-28..31, 04-04) extend it.
    let cal = WorkCalendar::national().unwrap();
    let end = leave_end_date(d("2025-01-01"), 98, LeaveDayCounting::ExcludingStatutoryHolidays(&cal)).unwrap();
    assert_eq!(end, d("2025-04-14"));
    assert!(leave_end_date(d("2025-01-01"), 0, LeaveDayCounting::CalendarDays).is_err());
}
