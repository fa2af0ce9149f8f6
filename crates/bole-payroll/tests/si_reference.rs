//! Social insurance and housing fund against the domain reference (china-hr-rules.md §2): the
//! shipped policies parse and validate, the policy in force is chosen by date, bases are clamped
//! per item, housing fund rates must lie in the policy's range, each rounding mode, and the part
//! IIT deducts as 专项扣除.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use bole_payroll::si::{
    Rounding, SiBases, SiKind, SiLine, SiPolicy, builtin_policies, contributions, policy_for, round_by, validate_policy,
};
use chrono::NaiveDate;
use rust_decimal::Decimal;
use std::str::FromStr;

fn d(s: &str) -> Decimal {
    Decimal::from_str(s).unwrap()
}

fn day(s: &str) -> NaiveDate {
    NaiveDate::from_str(s).unwrap()
}

fn enrolled(base: &str) -> SiBases {
    SiBases { si_base: d(base), si_enrolled: true, hf_enrolled: true, ..Default::default() }
}

fn policy(city: &str, on: &str) -> SiPolicy {
    policy_for(&builtin_policies(), city, day(on)).cloned().expect("policy")
}

fn line(lines: &[SiLine], kind: SiKind) -> &SiLine {
    lines.iter().find(|l| l.kind == kind).expect("line")
}

#[test]
fn shipped_policies_parse_validate_and_carry_sources() {
    let all = builtin_policies();
    assert_eq!(all.len(), 5);
    for p in &all {
        validate_policy(p).unwrap();
        assert!(p.source_url.starts_with("https://"), "{}", p.name);
        assert!(["✅", "🟡", "❌"].iter().any(|m| p.confidence.contains(m)), "{}", p.name);
    }
    let national = policy("national", "2030-01-01");
    assert!(national.confidence.contains('❌'));
    assert!(national.name.contains("管理员"));
    let hf = national.items.iter().find(|i| i.kind == SiKind::HousingFund).unwrap();
    assert_eq!((hf.min_rate, hf.max_rate), (Some(d("0.05")), Some(d("0.12"))));
    assert!(policy_for(&all, "shenzhen", day("2025-07-01")).is_none());
    assert!(policy_for(&all, "beijing", day("2026-07-01")).is_none());
    assert!(policy_for(&all, "beijing", day("2024-06-30")).is_none());
    assert_eq!(policy("BeiJing", "2025-07-01").city, "beijing");
}

#[test]
fn beijing_2025_07_clamps_5000_up_to_7162() {
    let p = policy("beijing", "2025-07-15");
    assert_eq!(p.valid_from, day("2025-07-01"));
    let r = contributions(&p, &enrolled("5000")).unwrap();
    let pension = line(&r.lines, SiKind::Pension);
    assert_eq!((pension.base, pension.employee, pension.employer), (d("7162"), d("572.96"), d("1145.92")));
    let medical = line(&r.lines, SiKind::Medical);
    // 2% + 3 元 大额医疗互助; employer 9.8% incl. maternity: 701.876 → 701.88.
    assert_eq!((medical.employee, medical.employer), (d("146.24"), d("701.88")));
    let unemployment = line(&r.lines, SiKind::Unemployment);
    assert_eq!((unemployment.employee, unemployment.employer), (d("35.81"), d("35.81")));
    let injury = line(&r.lines, SiKind::Injury);
    assert_eq!((injury.employee, injury.employer), (d("0"), d("14.32")));
    // The housing fund has its own floor (2,540): the declared 5,000 stands.
    let hf = line(&r.lines, SiKind::HousingFund);
    assert_eq!((hf.base, hf.employee, hf.employer), (d("5000"), d("600"), d("600")));

    assert_eq!((r.employee_si, r.employer_si), (d("755.01"), d("1897.93")));
    assert_eq!((r.employee_hf, r.employer_hf), (d("600"), d("600")));
    assert_eq!(r.deductible, d("1355.01"));
}

#[test]
fn beijing_base_50000_is_capped_at_35811() {
    let r = contributions(&policy("beijing", "2025-07-01"), &enrolled("50000")).unwrap();
    for l in &r.lines {
        assert_eq!(l.base, d("35811"), "{:?}", l.kind);
    }
    let pension = line(&r.lines, SiKind::Pension);
    assert_eq!((pension.employee, pension.employer), (d("2864.88"), d("5729.76")));
    assert_eq!(line(&r.lines, SiKind::HousingFund).employee, d("4297.32"));
}

#[test]
fn june_2025_uses_the_2024_07_policy() {
    let p = policy("beijing", "2025-06-01");
    assert_eq!(p.valid_from, day("2024-07-01"));
    let r = contributions(&p, &enrolled("5000")).unwrap();
    let pension = line(&r.lines, SiKind::Pension);
    assert_eq!((pension.base, pension.employee), (d("6821"), d("545.68")));
    assert_eq!(line(&r.lines, SiKind::Pension).base, d("6821"));
    let capped = contributions(&p, &enrolled("40000")).unwrap();
    assert_eq!(line(&capped.lines, SiKind::Medical).base, d("35283"));
}

#[test]
fn shanghai_2025_has_separate_maternity_and_a_7_percent_housing_fund() {
    let p = policy("shanghai", "2025-09-01");
    let r = contributions(&p, &enrolled("10000")).unwrap();
    let get = |k| {
        let l = line(&r.lines, k);
        (l.employee, l.employer)
    };
    assert_eq!(get(SiKind::Pension), (d("800"), d("1600")));
    assert_eq!(get(SiKind::Medical), (d("200"), d("900")));
    assert_eq!(get(SiKind::Maternity), (d("0"), d("100")));
    assert_eq!(get(SiKind::Unemployment), (d("50"), d("50")));
    assert_eq!(get(SiKind::HousingFund), (d("700"), d("700")));
    assert_eq!(r.deductible, d("1750"));
    let low = contributions(&p, &enrolled("1000")).unwrap();
    assert_eq!(line(&low.lines, SiKind::Pension).base, d("7460"));
    assert_eq!(line(&low.lines, SiKind::HousingFund).base, d("2690"));
    let high = contributions(&p, &enrolled("99999")).unwrap();
    assert_eq!(line(&high.lines, SiKind::HousingFund).base, d("37302"));
    let earlier = policy("shanghai", "2025-06-30");
    assert_eq!(earlier.items.iter().find(|i| i.kind == SiKind::Pension).map(|i| i.floor), Some(d("7384")));
}

#[test]
fn housing_fund_rates_outside_the_range_are_refused() {
    let bj = policy("beijing", "2025-07-01");
    let ok = SiBases { hf_rate_employee: Some(d("0.05")), hf_rate_employer: Some(d("0.05")), ..enrolled("10000") };
    let r = contributions(&bj, &ok).unwrap();
    assert_eq!(line(&r.lines, SiKind::HousingFund).employee, d("500"));
    let low = SiBases { hf_rate_employee: Some(d("0.04")), ..enrolled("10000") };
    assert!(contributions(&bj, &low).unwrap_err().0.contains_key("hf_rate_employee"));
    let sh = policy("shanghai", "2025-07-01");
    let high = SiBases { hf_rate_employer: Some(d("0.12")), ..enrolled("10000") };
    let e = contributions(&sh, &high).unwrap_err();
    assert!(e.0.contains_key("hf_rate_employer"));
    assert!(e.0["hf_rate_employer"][0].zh.contains("5%–7%"), "{:?}", e.0);
    assert!(contributions(&bj, &enrolled("-1")).unwrap_err().0.contains_key("si_base"));
}

#[test]
fn separate_housing_fund_base_and_enrolment() {
    let bj = policy("beijing", "2025-07-01");
    let r = contributions(&bj, &SiBases { hf_base: Some(d("20000")), ..enrolled("8000") }).unwrap();
    assert_eq!(line(&r.lines, SiKind::Pension).base, d("8000"));
    assert_eq!(line(&r.lines, SiKind::HousingFund).employee, d("2400"));
    let hf_only = contributions(&bj, &SiBases { si_enrolled: false, ..enrolled("8000") }).unwrap();
    assert_eq!(hf_only.lines.len(), 1);
    assert_eq!((hf_only.employee_si, hf_only.employee_hf), (d("0"), d("960")));
    let none = contributions(&bj, &SiBases { si_enrolled: false, hf_enrolled: false, ..enrolled("8000") }).unwrap();
    assert!(none.lines.is_empty() && none.deductible.is_zero());
}

#[test]
fn rounding_modes() {
    let x = d("12.345");
    assert_eq!(round_by(x, Rounding::Fen), d("12.35"));
    assert_eq!(round_by(x, Rounding::Jiao), d("12.3"));
    assert_eq!(round_by(x, Rounding::Yuan), d("12"));
    assert_eq!(round_by(x, Rounding::UpJiao), d("12.4"));
    assert_eq!(round_by(x, Rounding::UpYuan), d("13"));
    assert_eq!(round_by(d("12.05"), Rounding::Jiao), d("12.1"));
    assert_eq!(round_by(d("12.5"), Rounding::Yuan), d("13"));
    assert_eq!(round_by(d("12.00"), Rounding::UpYuan), d("12"));

    // A housing fund centre that rounds to the yuan: 5,123 × 12% = 614.76 → 615.
    let mut p = policy("beijing", "2025-07-01");
    for it in &mut p.items {
        if it.kind == SiKind::HousingFund {
            it.rounding = Rounding::Yuan;
        }
    }
    let r = contributions(&p, &enrolled("5123")).unwrap();
    assert_eq!(line(&r.lines, SiKind::HousingFund).employee, d("615"));
    assert_eq!(line(&r.lines, SiKind::Pension).employee, d("572.96"));
}

#[test]
fn housing_fund_above_12_percent_is_not_deductible() {
    let mut p = policy("national", "2025-01-01");
    for it in &mut p.items {
        if it.kind == SiKind::HousingFund {
            it.max_rate = Some(d("0.15"));
        }
    }
    let bases = SiBases { hf_rate_employee: Some(d("0.15")), ..enrolled("10000") };
    let r = contributions(&p, &bases).unwrap();
    assert_eq!(r.employee_hf, d("1500"));
    // 800 + 200 + 50 + 1,200 (12%).
    assert_eq!(r.deductible, d("2250"));
}

#[test]
fn invalid_policies_name_their_fields() {
    let good = policy("beijing", "2025-07-01");
    assert!(validate_policy(&good).is_ok());
    let mut bad = good.clone();
    bad.city = "Bei Jing".into();
    bad.source_url = String::new();
    bad.valid_to = Some(bad.valid_from);
    bad.items[0].employer_rate = d("1.5");
    bad.items[1].floor = d("50000");
    bad.items[4].employee_rate = d("0.2");
    let e = validate_policy(&bad).unwrap_err();
    for key in ["city", "source_url", "valid_to", "items[0].employer_rate", "items[1].cap", "items[4].employee_rate"] {
        assert!(e.0.contains_key(key), "{key} in {:?}", e.0.keys().collect::<Vec<_>>());
    }
    let mut dup = good;
    dup.items.push(dup.items[0].clone());
    assert!(validate_policy(&dup).unwrap_err().0.contains_key("items[5].kind"));
}
