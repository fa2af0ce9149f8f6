//! The working-time calculators as HR staff run them: `bole calendar`, `bole calc
//! annual-leave`, `bole calc overtime` (issue 5 items 1, 3, 4), checked against the domain
//! reference's figures.
#![expect(clippy::expect_used, reason = "tests")]

use serde_json::Value;
use std::process::Command;

fn bole_json(args: &[&str]) -> Value {
    let out = Command::new(env!("CARGO_BIN_EXE_bole")).args(args).env("BOLE_LOG", "warn").output().expect("run bole");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    serde_json::from_slice(&out.stdout).expect("JSON")
}

fn dates(v: &Value) -> Vec<String> {
    v.as_array().expect("array").iter().map(|d| d.as_str().expect("date").to_string()).collect()
}

#[test]
fn calendar_2026_lists_days_off_makeup_days_and_the_13_statutory_days() {
    let v = bole_json(&["calendar", "2026", "--json"]);
    assert_eq!(v["year"], 2026);
    let off = dates(&v["days_off"]);
    let makeup = dates(&v["makeup_workdays"]);
    let statutory = dates(&v["statutory_holidays"]);
    assert_eq!((off.len(), makeup.len(), statutory.len()), (33, 6, 13));
    assert!(makeup.contains(&"2026-01-04".to_string()), "{makeup:?}");
    assert!(statutory.contains(&"2026-02-16".to_string()) && !statutory.contains(&"2026-02-15".to_string()));
    assert!(off.contains(&"2026-02-15".to_string()));
}

#[test]
fn calendar_for_a_year_without_a_notice_fails_clearly() {
    let out = Command::new(env!("CARGO_BIN_EXE_bole")).args(["calendar", "2031", "--json"]).output().expect("run");
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("2031"));
}

#[test]
fn annual_leave_for_a_new_hire_and_a_leaver() {
    // 10 days a year (12 working years), hired 15 March: 292/365 × 10 = 8 whole days.
    let v =
        bole_json(&["calc", "annual-leave", "--year", "2025", "--hire-date", "2025-03-15", "--years", "12", "--json"]);
    assert_eq!(v["entitlement"], 10);
    assert_eq!(v["pro_rated"], 8);
    let v = bole_json(&[
        "calc",
        "annual-leave",
        "--year",
        "2025",
        "--hire-date",
        "2025-03-15",
        "--years",
        "12",
        "--exit-date",
        "2025-09-30",
        "--taken",
        "1",
        "--json",
    ]);
    assert_eq!(v["unused_to_pay"], 4);
}

#[test]
fn overtime_pay_uses_the_21_75_day_hourly_base() {
    // 8,700 a month: 400 a day, 50 an hour; 3 hours at 150/200/300%.
    for (kind, pay) in [("workday", "225.00"), ("restday", "300.00"), ("holiday", "450.00")] {
        let v = bole_json(&["calc", "overtime", "--monthly-wage", "8700", "--hours", "3", "--kind", kind, "--json"]);
        assert_eq!(v["pay"], pay, "{kind}");
        let base: f64 = v["hourly_base"].as_str().expect("decimal string").parse().expect("number");
        assert!((base - 50.0).abs() < 1e-9, "{kind}: {base}");
    }
}
