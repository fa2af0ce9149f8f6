//! Overtime pay and wage conversion (china-hr-rules.md §3.1, §3.2). The reference states the rates
//! and the 21.75 divisor but prints no numeric overtime example, so the amounts here are computed by
//! hand, with the arithmetic in the comment.

#![expect(clippy::unwrap_used, reason = "test helpers: a surprise should fail the test loudly")]

use bole_time::overtime::{MONTHLY_PAY_DAYS, OvertimeKind, daily_wage, hourly_wage, overtime_pay, round_fen};
use rust_decimal::Decimal;
use std::str::FromStr;

fn dec(s: &str) -> Decimal {
    Decimal::from_str(s).unwrap()
}

#[test]
fn conversion_uses_21_75_pay_days() {
    // 8,700 / 21.75 = 400 a day; / 8 = 50 an hour.
    assert_eq!(MONTHLY_PAY_DAYS, dec("21.75"));
    assert_eq!(daily_wage(dec("8700")), dec("400"));
    assert_eq!(hourly_wage(dec("8700")), dec("50"));
}

#[test]
fn the_three_premiums() {
    // 50/h × 150% × 10 h = 750; × 200% × 8 h = 800; × 300% × 8 h = 1,200.
    let workday = overtime_pay(dec("8700"), dec("10"), OvertimeKind::Workday).unwrap();
    assert_eq!((workday.hourly_base, workday.rate), (dec("50"), dec("1.5")));
    assert_eq!(workday.pay.to_string(), "750.00");
    assert_eq!(overtime_pay(dec("8700"), dec("8"), OvertimeKind::RestDay).unwrap().pay, dec("800"));
    let holiday = overtime_pay(dec("8700"), dec("8"), OvertimeKind::StatutoryHoliday).unwrap();
    assert_eq!((holiday.rate, holiday.pay), (dec("3"), dec("1200")));
}

#[test]
fn rounding_is_half_up_to_the_fen_once_at_the_end() {
    // 10,000 × 1 × 1.5 / 174 = 86.2068… → 86.21; the hourly base is shown as 57.4713 (57.471264…).
    let pay = overtime_pay(dec("10000"), dec("1"), OvertimeKind::Workday).unwrap();
    assert_eq!((pay.hourly_base, pay.pay), (dec("57.4713"), dec("86.21")));
    // An exact half fen rounds up: 8,700.58 × 1.5 / 174 = 75.005 → 75.01 (banker's rounding gives 75.00).
    assert_eq!(overtime_pay(dec("8700.58"), dec("1"), OvertimeKind::Workday).unwrap().pay, dec("75.01"));
    assert_eq!(round_fen(dec("0.005")), dec("0.01"));
    assert_eq!(round_fen(dec("0.0049")), dec("0.00"));
    // Rounding only at the end: 10,000 × 3 h × 300% / 174 = 517.2413… → 517.24, whereas rounding the
    // hourly wage first (57.47 × 3 × 3) would give 517.23.
    assert_eq!(overtime_pay(dec("10000"), dec("3"), OvertimeKind::StatutoryHoliday).unwrap().pay, dec("517.24"));
    // Half hours are fine: 50 × 1.5 × 0.5 = 37.50.
    assert_eq!(overtime_pay(dec("8700"), dec("0.5"), OvertimeKind::Workday).unwrap().pay.to_string(), "37.50");
}

#[test]
fn json_shape_for_the_cli() {
    let pay = overtime_pay(dec("8700"), dec("8"), OvertimeKind::RestDay).unwrap();
    let json = serde_json::to_value(&pay).unwrap();
    assert_eq!(
        json,
        serde_json::json!({
            "monthly_wage": "8700",
            "hours": "8",
            "kind": "rest_day",
            "hourly_base": "50",
            "rate": "2",
            "pay": "800.00",
        })
    );
    // The CLI's short spellings are accepted on input.
    let kind: OvertimeKind = serde_json::from_str("\"restday\"").unwrap();
    assert_eq!(kind, OvertimeKind::RestDay);
    let kind: OvertimeKind = serde_json::from_str("\"holiday\"").unwrap();
    assert_eq!(kind, OvertimeKind::StatutoryHoliday);
}
