//! The pure leave rules on the shipped calendar: durations (working vs calendar days, halves,
//! hours), overlap, FIFO balances and the year-end plan, annual grants from the working-years
//! basis (the reference's pro-rating example), and the overtime classification of 2026's National
//! Day block.
#![expect(clippy::unwrap_used, reason = "tests")]

use bole_core::{CompanyId, EmployeeId, UserId};
use bole_time::WorkCalendar;
use bole_time::absence::rules::{self, Lots, Span};
use bole_time::absence::*;
use bole_time::leave::AnnualLeavePolicy;
use bole_time::overtime::OvertimeKind;
use chrono::{DateTime, NaiveDate, Utc};

fn d(s: &str) -> NaiveDate {
    s.parse().unwrap()
}

fn types() -> Vec<LeaveType> {
    rules::default_types(CompanyId::new(), DateTime::<Utc>::default())
}

fn of(code: &str) -> LeaveType {
    types().into_iter().find(|t| t.code == code).unwrap()
}

fn request(code: &str, from: &str, to: &str) -> LeaveRequest {
    LeaveRequest {
        employee_id: None,
        leave_type: code.into(),
        start_date: d(from),
        end_date: d(to),
        start_half: None,
        end_half: None,
        hours: None,
        reason: String::new(),
        birth: None,
    }
}

fn minutes(t: &LeaveType, r: &LeaveRequest) -> Result<i64, AbsenceError> {
    let cal = WorkCalendar::national().unwrap();
    let span = rules::span_of(t, r)?;
    let days = rules::covered_days(&span, t.counting, &cal)?;
    rules::duration_minutes(&days, &span)
}

#[test]
fn annual_leave_counts_working_days_only() {
    // 2026-09-28 (Mon) – 2026-10-11 (Sun): 09-28..30 work, 10-01..07 holiday, 10-08/09 work,
    // 10-10 (Sat) is a make-up working day, 10-11 rest → 3 + 2 + 1 = 6 days.
    let annual = of("annual");
    assert_eq!(minutes(&annual, &request("annual", "2026-09-28", "2026-10-11")).unwrap(), 6 * MINUTES_PER_DAY);
    // A range of holidays only is refused.
    let err = minutes(&annual, &request("annual", "2026-10-01", "2026-10-07")).unwrap_err();
    assert!(matches!(err, AbsenceError::ZeroDuration { .. }));
}

#[test]
fn half_days_and_hours() {
    let annual = of("annual");
    let r = LeaveRequest {
        start_half: Some(HalfDay::Pm),
        end_half: Some(HalfDay::Am),
        ..request("annual", "2026-03-09", "2026-03-11")
    };
    assert_eq!(minutes(&annual, &r).unwrap(), 2 * MINUTES_PER_DAY, "Mon pm + Tue + Wed am");
    let wrong = LeaveRequest {
        start_half: Some(HalfDay::Pm),
        end_half: Some(HalfDay::Am),
        ..request("annual", "2026-03-09", "2026-03-09")
    };
    assert!(matches!(minutes(&annual, &wrong), Err(AbsenceError::Invalid(_))));
    let sick = of("sick");
    let r = LeaveRequest { hours: Some("2.5".parse().unwrap()), ..request("sick", "2026-03-09", "2026-03-09") };
    assert_eq!(minutes(&sick, &r).unwrap(), 150);
    let odd = LeaveRequest { hours: Some("0.2".parse().unwrap()), ..request("sick", "2026-03-09", "2026-03-09") };
    assert!(matches!(minutes(&sick, &odd), Err(AbsenceError::Invalid(_))));
    // Marriage leave is taken in whole days.
    let marriage = of("marriage");
    let half = LeaveRequest { end_half: Some(HalfDay::Am), ..request("marriage", "2026-03-09", "2026-03-09") };
    assert!(matches!(minutes(&marriage, &half), Err(AbsenceError::Invalid(_))));
}

#[test]
fn maternity_counts_calendar_days_up_to_the_birth_total() {
    // 女职工劳动保护特别规定 art.7: 98 days, +15 difficult birth, +15 per extra baby, calendar days.
    let m = of("maternity");
    assert_eq!(m.counting, DayCounting::CalendarDays);
    assert_eq!(minutes(&m, &request("maternity", "2026-09-25", "2027-01-01")).unwrap(), 99 * MINUTES_PER_DAY);
    assert_eq!(rules::max_days(&m, None).unwrap(), Some(98.into()));
    let twins_difficult = bole_time::PregnancyOutcome::Birth { babies: 2, difficult: true };
    assert_eq!(rules::max_days(&m, Some(&twins_difficult)).unwrap(), Some(128.into()));
    // A provincial extension is policy: Beijing / Shanghai +60 (🟡) → 158.
    let mut beijing = m.clone();
    beijing.policy.maternity =
        Some(bole_time::ProvincialMaternity { region: "北京市".into(), extension_days: 60, ..Default::default() });
    assert_eq!(rules::max_days(&beijing, None).unwrap(), Some(158.into()));
    // Attendance only needs the working days among the calendar days.
    let cal = WorkCalendar::national().unwrap();
    let span = rules::span_of(&m, &request("maternity", "2026-10-01", "2026-10-11")).unwrap();
    let att = rules::attendance_days(&span, m.counting, &cal).unwrap();
    assert_eq!(att.iter().map(|a| a.day).collect::<Vec<_>>(), vec![d("2026-10-08"), d("2026-10-09"), d("2026-10-10")]);
}

#[test]
fn overlap_uses_half_day_slots() {
    let span = |from: &str, to: &str, sh, eh| Span {
        start: d(from),
        end: d(to),
        start_half: sh,
        end_half: eh,
        hours_minutes: None,
    };
    let hours =
        |day: &str, m| Span { start: d(day), end: d(day), start_half: None, end_half: None, hours_minutes: Some(m) };
    assert!(rules::collides(
        &span("2026-03-09", "2026-03-11", None, None),
        &span("2026-03-11", "2026-03-12", None, None)
    ));
    assert!(!rules::collides(
        &span("2026-03-09", "2026-03-11", None, Some(HalfDay::Am)),
        &span("2026-03-11", "2026-03-12", Some(HalfDay::Pm), None)
    ));
    assert!(rules::collides(&hours("2026-03-10", 120), &span("2026-03-10", "2026-03-10", None, Some(HalfDay::Am))));
    assert!(!rules::collides(&hours("2026-03-10", 240), &hours("2026-03-10", 240)));
    assert!(rules::collides(&hours("2026-03-10", 300), &hours("2026-03-10", 240)));
}

fn sum(kind: LedgerKind, expires: Option<&str>, minutes: i64) -> LedgerSum {
    LedgerSum {
        employee_id: EmployeeId(uuid::Uuid::nil()),
        leave_type_id: LeaveTypeId(uuid::Uuid::nil()),
        kind,
        leave_year: 2026,
        expires_on: expires.map(d),
        positive: minutes.max(0),
        negative: minutes.min(0),
    }
}

#[test]
fn year_end_carries_over_within_the_limit_and_expires_the_rest() {
    let mut annual = of("annual");
    annual.carry_over_max_days = 5.into();
    annual.carry_over_expiry_months = 3;
    let sums = [
        sum(LedgerKind::Grant, Some("2026-12-31"), 10 * MINUTES_PER_DAY),
        sum(LedgerKind::Usage, None, -3 * MINUTES_PER_DAY),
        sum(LedgerKind::Adjustment, None, -MINUTES_PER_DAY),
    ];
    let lots = Lots::from_sums(&sums);
    assert_eq!(lots.balance(), 6 * MINUTES_PER_DAY);
    let plan = rules::year_end(&annual, &lots, 2026, d("2027-01-04")).unwrap();
    assert_eq!(plan.expire, 6 * MINUTES_PER_DAY);
    assert_eq!(plan.carry, 5 * MINUTES_PER_DAY);
    assert_eq!(plan.carry_expires_on, Some(d("2027-03-31")));
    assert_eq!(plan.expire_due, 0);
    // Without a carry-over policy everything unused expires; a second run has nothing to do.
    let plain = of("annual");
    let plan = rules::year_end(&plain, &lots, 2026, d("2027-01-04")).unwrap();
    assert_eq!((plan.expire, plan.carry), (6 * MINUTES_PER_DAY, 0));
    let mut done = lots.clone();
    done.expired += plan.expire;
    assert!(rules::year_end(&plain, &done, 2026, d("2027-01-04")).is_none());
}

#[test]
fn annual_grant_follows_the_reference_examples() {
    let facts = |hire: &str, exit: Option<&str>, start: &str| EmployeeFacts {
        id: EmployeeId::new(),
        company_id: CompanyId::new(),
        gender: "1".into(),
        hire_date: d(hire),
        exit_date: exit.map(d),
        profile: Some(LeaveProfile {
            employee_id: EmployeeId::new(),
            company_id: CompanyId::new(),
            work_start_date: Some(d(start)),
            prior_years: None,
            prior_years_as_of: None,
            updated_at: DateTime::<Utc>::default(),
            updated_by: UserId::new(),
        }),
    };
    let policy = AnnualLeavePolicy::default();
    // Hired 2025-03-15 with 10+ years: 292/365 × 10 = 8 exactly (counting the hire day).
    assert_eq!(rules::annual_grant_days(&facts("2025-03-15", None, "2014-01-01"), 2025, &policy).unwrap(), 8);
    // A whole year at 1–10 years: 5; at 20+: 15.
    assert_eq!(rules::annual_grant_days(&facts("2020-01-01", None, "2020-01-01"), 2025, &policy).unwrap(), 5);
    assert_eq!(rules::annual_grant_days(&facts("2020-01-01", None, "2000-01-01"), 2025, &policy).unwrap(), 15);
    // Left on 2025-06-30 with 5 days a year: 181/365 × 5 = 2.48 → 2 days earned.
    assert_eq!(
        rules::annual_grant_days(&facts("2020-01-01", Some("2025-06-30"), "2018-01-01"), 2025, &policy).unwrap(),
        2
    );
    // Less than a year of work in total: nothing.
    assert_eq!(rules::annual_grant_days(&facts("2025-01-01", None, "2025-01-01"), 2025, &policy).unwrap(), 0);
    let no_basis = EmployeeFacts { profile: None, ..facts("2020-01-01", None, "2015-01-01") };
    assert!(matches!(rules::annual_grant_days(&no_basis, 2025, &policy), Err(AbsenceError::NoAnnualLeaveBasis)));
}

#[test]
fn overtime_kind_on_the_2026_national_day_block() {
    let cal = WorkCalendar::national().unwrap();
    let kind = |day: &str| rules::classify_overtime(&cal, d(day), Compensation::Pay).unwrap();
    assert_eq!(kind("2026-10-01"), OvertimeKind::StatutoryHoliday, "statutory: 300%");
    assert_eq!(kind("2026-10-06"), OvertimeKind::RestDay, "in the block but not statutory: 200% or time off");
    assert_eq!(kind("2026-09-20"), OvertimeKind::Workday, "a make-up Sunday is a working day: 150%");
    assert_eq!(kind("2026-10-11"), OvertimeKind::RestDay);
    let err = rules::classify_overtime(&cal, d("2026-10-01"), Compensation::TimeOff).unwrap_err();
    assert!(matches!(err, AbsenceError::HolidayOvertimeMustBePaid { .. }));
    assert!(rules::classify_overtime(&cal, d("2026-10-06"), Compensation::TimeOff).is_ok());
    assert_eq!(overtime_kind_code(kind("2026-10-01")), "holiday");
    assert_eq!(rules::comp_credit_expiry(d("2026-10-06"), 6), Some(d("2027-04-06")));
}

#[test]
fn leave_type_checks() {
    let mut t = of("annual");
    assert!(rules::check_type(&t).is_ok());
    t.code = "Annual Leave".into();
    t.balance_tracked = false;
    let Err(AbsenceError::Invalid(f)) = rules::check_type(&t) else { panic!("invalid") };
    assert!(f.0.contains_key("code") && f.0.contains_key("balance_tracked"), "{f:?}");
    let mut unpaid = of("personal");
    unpaid.pay_ratio = "0.5".parse().unwrap();
    assert!(rules::check_type(&unpaid).is_err(), "an unpaid type pays nothing");
}
