//! The pure pay computation: a full month with Beijing's 2025-07 policy, the official IIT example
//! through twelve consecutive runs, proration on paid days, attendance deductions and overtime,
//! adjustments and the annual bonus, per-employee error isolation, and a deterministic parallel run.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use bole_core::{CompanyId, EmployeeId, UserId};
use bole_payroll::PayrollError;
use bole_payroll::compute::{CompiledRun, compute_all, compute_employee, digest, prepare, totals};
use bole_payroll::defaults::{default_components, default_structure};
use bole_payroll::iit::WithholdingRule;
use bole_payroll::model::*;
use bole_payroll::si::{self, SiItem, SiKind, SiPolicy};
use bole_time::DayKind;
use bole_time::attendance::{MonthlySummary, OvertimeSplit};
use chrono::{DateTime, Datelike, NaiveDate, Utc};
use rust_decimal::Decimal;
use std::collections::BTreeMap;
use std::str::FromStr;
use uuid::Uuid;

fn d(s: &str) -> Decimal {
    Decimal::from_str(s).unwrap()
}

fn date(y: i32, m: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, day).unwrap()
}

fn last_day(y: i32, m: u32) -> NaiveDate {
    let (ny, nm) = if m == 12 { (y + 1, 1) } else { (y, m + 1) };
    date(ny, nm, 1).pred_opt().unwrap()
}

/// Weekdays work, weekends rest, then the exceptions.
fn calendar(y: i32, m: u32, exceptions: &[(u32, DayKind)]) -> Vec<(NaiveDate, DayKind)> {
    let mut out = Vec::new();
    let mut day = date(y, m, 1);
    while day <= last_day(y, m) {
        let kind = exceptions
            .iter()
            .find(|(n, _)| *n == day.day())
            .map(|(_, k)| *k)
            .unwrap_or(if day.weekday().number_from_monday() <= 5 { DayKind::Workday } else { DayKind::RestDay });
        out.push((day, kind));
        day = day.succ_opt().unwrap();
    }
    out
}

struct World {
    company: CompanyId,
    structure: PayStructure,
}

impl World {
    fn new() -> Self {
        let company = CompanyId::new();
        World { company, structure: default_structure(company, date(2019, 1, 1)) }
    }

    fn ctx(&self, y: i32, m: u32, structures: Vec<PayStructure>, policies: Vec<SiPolicy>) -> RunContext {
        let days = if (y, m) == (2025, 10) {
            // 国办发明电〔2024〕12号: 10-01..08 off (1–3 and 6 statutory), 10-11 (Sat) worked.
            let hol = |s| DayKind::Holiday { statutory: s };
            calendar(
                2025,
                10,
                &[
                    (1, hol(true)),
                    (2, hol(true)),
                    (3, hol(true)),
                    (4, hol(false)),
                    (5, hol(false)),
                    (6, hol(true)),
                    (7, hol(false)),
                    (8, hol(false)),
                    (11, DayKind::Workday),
                ],
            )
        } else {
            calendar(y, m, &[])
        };
        RunContext {
            company_id: self.company,
            period: format!("{y:04}-{m:02}"),
            year: y,
            month: m,
            first_day: date(y, m, 1),
            last_day: last_day(y, m),
            days,
            components: default_components(self.company),
            structures,
            si_policies: policies,
        }
    }

    fn run(&self, y: i32, m: u32) -> CompiledRun {
        prepare(self.ctx(y, m, vec![self.structure.clone()], si::builtin_policies())).unwrap()
    }

    fn employee(&self, y: i32, m: u32, base: &str, fixed: &[(&str, &str)], si: Option<&str>) -> EmployeeInput {
        let employee_id = EmployeeId::new();
        EmployeeInput {
            person: PayPerson {
                employee_id,
                employee_no: "E0001".into(),
                employee_name: "张三".into(),
                company_id: self.company,
                org_unit_id: None,
                position_id: None,
                grade: None,
                employed_from: date(y, m, 1),
                employed_to: last_day(y, m),
            },
            salary: Some(SalaryAssignment {
                id: Uuid::now_v7(),
                employee_id,
                company_id: self.company,
                structure_id: self.structure.id,
                base_salary: d(base),
                fixed: fixed.iter().map(|(c, a)| (c.to_string(), d(a))).collect(),
                si: SiEnrolment {
                    city: si.unwrap_or("beijing").into(),
                    si_base: d(base),
                    hf_base: None,
                    hf_rate_employee: None,
                    hf_rate_employer: None,
                    si_enrolled: si.is_some(),
                    hf_enrolled: si.is_some(),
                },
                valid_from: date(2019, 1, 1),
                valid_to: None,
                reason: None,
                created_by: UserId::new(),
                created_at: DateTime::<Utc>::from_timestamp(0, 0).unwrap(),
            }),
            attendance: None,
            ytd: YearToDate::default(),
            declarations: Vec::new(),
            tax_profile: None,
            adjustments: Vec::new(),
        }
    }
}

fn declaration(who: EmployeeId, year: i32, kind: AdditionalKind, monthly: &str) -> DeductionDeclaration {
    DeductionDeclaration {
        id: Uuid::now_v7(),
        employee_id: who,
        year,
        kind,
        details: DeductionDetails {
            children: 1,
            share_percent: 100,
            only_child: true,
            agreed_amount: None,
            rent_tier: None,
            note: None,
        },
        start_month: 1,
        end_month: 12,
        monthly_amount: d(monthly),
        status: DeclarationStatus::Active,
        declared_at: DateTime::<Utc>::from_timestamp(0, 0).unwrap(),
    }
}

fn summary(input: &EmployeeInput, month: &str) -> MonthlySummary {
    MonthlySummary {
        employee_id: input.person.employee_id,
        month: month.into(),
        company_id: input.person.company_id,
        org_unit_id: None,
        employee_no: None,
        employee_name: None,
        scheduled_days: 23,
        present_days: 23,
        absent_days: 0,
        leave_days: 0,
        late_count: 0,
        late_minutes: 0,
        early_count: 0,
        early_minutes: 0,
        missing_punches: 0,
        absent_minutes: 0,
        worked_minutes: 23 * 480,
        leave_minutes: 0,
        leave_paid_minutes: 0,
        leave_unpaid_minutes: 0,
        leave_by_type: BTreeMap::new(),
        overtime_workday: OvertimeSplit::default(),
        overtime_rest_day: OvertimeSplit::default(),
        overtime_holiday: OvertimeSplit::default(),
        comprehensive_excess_minutes: 0,
        computed_at: DateTime::<Utc>::from_timestamp(0, 0).unwrap(),
    }
}

fn adjustment(input: &EmployeeInput, code: &str, amount: &str) -> PayAdjustment {
    PayAdjustment {
        id: Uuid::now_v7(),
        employee_id: input.person.employee_id,
        company_id: input.person.company_id,
        period: "2025-07".into(),
        component_code: code.into(),
        amount: d(amount),
        reason: "test".into(),
        corrects_run_id: None,
        status: AdjustmentStatus::Open,
        applied_run_id: None,
        created_by: UserId::new(),
        created_at: DateTime::<Utc>::from_timestamp(0, 0).unwrap(),
    }
}

fn line<'a>(p: &'a Payslip, code: &str) -> &'a PayLine {
    p.lines.iter().find(|l| l.code == code).unwrap_or_else(|| panic!("no line {code}: {:?}", codes(p)))
}

fn amount(p: &Payslip, code: &str) -> Decimal {
    line(p, code).amount
}

fn codes(p: &Payslip) -> Vec<&str> {
    p.lines.iter().map(|l| l.code.as_str()).collect()
}

/// Carry a month's tax working into the next month's year-to-date, as the store does.
fn carry(ytd: &YearToDate, period: &str, p: &Payslip) -> YearToDate {
    let t = &p.tax;
    let mut periods = ytd.periods.clone();
    periods.push(period.to_string());
    YearToDate {
        months_here: t.months_here,
        income: t.cumulative_income,
        exempt: t.cumulative_exempt,
        special: t.cumulative_special,
        additional: t.cumulative_additional,
        additional_by_kind: t.cumulative_additional_by_kind.clone(),
        other: t.cumulative_other,
        withheld: ytd.withheld + t.withhold,
        annual_bonus_used: ytd.annual_bonus_used || t.annual_bonus.is_some(),
        periods,
    }
}

#[test]
fn a_full_month_at_30000_in_beijing_2025_07() {
    let w = World::new();
    let run = w.run(2025, 7);
    let mut e = w.employee(2025, 7, "30000", &[("MEAL", "500"), ("TRANSPORT", "300")], Some("beijing"));
    let who = e.person.employee_id;
    e.declarations = vec![
        declaration(who, 2025, AdditionalKind::ChildEducation, "2000"),
        declaration(who, 2025, AdditionalKind::ElderlySupport, "3000"),
    ];
    let p = compute_employee(&run, &e).unwrap();

    // Earnings: BASE from the base salary, POSITION has no amount, PERFORMANCE = 20 % of base.
    assert_eq!(amount(&p, "BASE"), d("30000.00"));
    assert_eq!(amount(&p, "POSITION"), d("0.00"));
    assert_eq!(amount(&p, "PERFORMANCE"), d("6000.00"));
    assert_eq!(amount(&p, "MEAL"), d("500.00"));
    assert_eq!(amount(&p, "TRANSPORT"), d("300.00"));
    assert_eq!(p.gross, d("36800.00"));

    // Beijing 2025-07 (base 30,000 within 7,162–35,811): 8 % / 2 % + 3 / 0.5 % / HF 12 %.
    assert_eq!(amount(&p, "SI_PENSION"), d("2400.00"));
    assert_eq!(amount(&p, "SI_MEDICAL"), d("603.00"));
    assert_eq!(amount(&p, "SI_UNEMPLOYMENT"), d("150.00"));
    assert_eq!(amount(&p, "HF"), d("3600.00"));
    assert_eq!(line(&p, "SI_PENSION").note.as_deref(), Some("基数 30,000.00 × 8%"));
    assert_eq!(line(&p, "SI_PENSION").kind, ComponentKind::Deduction);
    assert_eq!(line(&p, "HF").category, ComponentCategory::HousingFund);
    assert_eq!(p.employee_si, d("3153.00"));
    assert_eq!(p.employee_hf, d("3600.00"));
    assert_eq!(amount(&p, "ER_SI_PENSION"), d("4800.00"));
    assert_eq!(amount(&p, "ER_SI_MEDICAL"), d("2940.00"));
    assert_eq!(amount(&p, "ER_SI_UNEMPLOYMENT"), d("150.00"));
    assert_eq!(amount(&p, "ER_SI_INJURY"), d("60.00"));
    assert_eq!(amount(&p, "ER_HF"), d("3600.00"));
    assert_eq!(line(&p, "ER_HF").kind, ComponentKind::EmployerCost);
    assert_eq!(p.employer_si, d("7950.00"));
    assert_eq!(p.employer_hf, d("3600.00"));
    assert_eq!(p.employer_cost, d("48350.00"));
    assert_eq!(p.si_lines.len(), 5);
    assert_eq!(p.facts.si_city.as_deref(), Some("beijing"));

    // IIT month 1: 36,800 − 5,000 − 6,753 (special) − 5,000 (additional) = 20,047 at 3 %.
    let t = &p.tax;
    assert_eq!(t.rule, Some(WithholdingRule::Standard));
    assert_eq!(t.income, d("36800.00"));
    assert_eq!(t.special, d("6753.00"));
    assert_eq!(t.additional.get(&AdditionalKind::ChildEducation), Some(&d("2000.00")));
    assert_eq!(t.additional.get(&AdditionalKind::ElderlySupport), Some(&d("3000.00")));
    assert_eq!(t.cumulative_additional, d("5000.00"));
    assert_eq!(t.cumulative_additional_by_kind.get(&AdditionalKind::ElderlySupport), Some(&d("3000.00")));
    assert_eq!(t.cumulative_basic_deduction, d("5000.00"));
    assert_eq!(t.cumulative_taxable, d("20047.00"));
    assert_eq!(t.rate, d("0.03"));
    assert_eq!(t.withhold, d("601.41"));
    assert_eq!(t.months_here, 1);
    assert_eq!(amount(&p, "IIT"), d("601.41"));
    assert_eq!(p.iit, d("601.41"));

    assert_eq!(p.net, d("29445.59"));
    assert_eq!(p.net, p.gross - p.employee_si - p.employee_hf - p.iit - p.other_deductions);
    assert!(!p.facts.attendance);
    assert_eq!(p.facts.employed_days, 31);
    assert_eq!(p.facts.paid_days, d("23"));
    // Every amount has exactly two decimals.
    assert!(p.lines.iter().all(|l| l.amount.scale() == 2));
}

/// A policy whose employee items add up to exactly 15 % of the base (8 + 2 + 0.5 + 4.5), so a
/// 30,000 base gives the 4,500 三险一金 of the official 61号 example.
fn example_policy() -> SiPolicy {
    let item = |kind, ee: &str| SiItem {
        kind,
        floor: Decimal::ZERO,
        cap: d("100000"),
        employer_rate: Decimal::ZERO,
        employee_rate: d(ee),
        employee_fixed: Decimal::ZERO,
        rounding: si::Rounding::Fen,
        min_rate: None,
        max_rate: None,
    };
    SiPolicy {
        city: "example".into(),
        name: "61号解读示例".into(),
        valid_from: date(2019, 1, 1),
        valid_to: None,
        source_url: "https://fgk.chinatax.gov.cn/".into(),
        confidence: "test".into(),
        items: vec![
            item(SiKind::Pension, "0.08"),
            item(SiKind::Medical, "0.02"),
            item(SiKind::Unemployment, "0.005"),
            item(SiKind::HousingFund, "0.045"),
        ],
    }
}

#[test]
fn the_official_example_over_twelve_runs() {
    // 公告2018年第61号 解读: 30,000 a month, 三险一金 4,500, 专项附加扣除 2,000.
    let mut w = World::new();
    w.structure.items.truncate(1); // BASE only: income 30,000.
    let mut e = w.employee(2019, 1, "30000", &[], Some("example"));
    let who = e.person.employee_id;
    e.declarations = vec![declaration(who, 2019, AdditionalKind::ChildEducation, "2000")];
    let expected = ["555", "625", "1850", "1850", "1850", "1850", "1850", "2250", "3700", "3700", "3700", "3700"];
    let mut total = Decimal::ZERO;
    for m in 1..=12u32 {
        let run = prepare(w.ctx(2019, m, vec![w.structure.clone()], vec![example_policy()])).unwrap();
        e.person.employed_from = date(2019, m, 1);
        e.person.employed_to = last_day(2019, m);
        let p = compute_employee(&run, &e).unwrap();
        assert_eq!(p.gross, d("30000.00"));
        assert_eq!(p.tax.special, d("4500.00"), "month {m}");
        assert_eq!(p.tax.months_here, m);
        assert_eq!(p.tax.withhold, d(expected[m as usize - 1]), "month {m}");
        assert_eq!(p.iit, d(expected[m as usize - 1]));
        total += p.iit;
        e.ytd = carry(&e.ytd, &run.ctx.period, &p);
    }
    assert_eq!(total, d("27480"));
    assert_eq!(e.ytd.income, d("360000.00"));
    assert_eq!(e.ytd.additional_by_kind.get(&AdditionalKind::ChildEducation), Some(&d("24000.00")));

    // A second run in a month already counted does not add a month of basic deduction.
    let mut again = e.clone();
    again.ytd.periods = vec!["2019-12".into()];
    again.ytd.months_here = 12;
    let run = prepare(w.ctx(2019, 12, vec![w.structure.clone()], vec![example_policy()])).unwrap();
    let p = compute_employee(&run, &again).unwrap();
    assert_eq!(p.tax.months_here, 12);
    assert_eq!(p.tax.cumulative_basic_deduction, d("60000.00"));
}

#[test]
fn a_joiner_on_the_15th_is_prorated_on_paid_days() {
    let w = World::new();
    let run = w.run(2025, 7);
    let mut e = w.employee(2025, 7, "21750", &[("MEAL", "435"), ("POSITION", "4350")], None);
    e.person.employed_from = date(2025, 7, 15);
    let p = compute_employee(&run, &e).unwrap();
    // July 15–31, 2025: 13 working days; 13 / 21.75 of the month.
    assert_eq!(p.facts.paid_days, d("13"));
    assert_eq!(p.facts.employed_days, 17);
    assert_eq!(amount(&p, "BASE"), d("13000.00"));
    assert_eq!(amount(&p, "POSITION"), d("2600.00"));
    assert_eq!(amount(&p, "MEAL"), d("260.00"));
    // The formula prorates itself: round(base × 0.2 × proration).
    assert_eq!(amount(&p, "PERFORMANCE"), d("2600.00"));
    assert_eq!(line(&p, "BASE").note.as_deref(), Some("按计薪天数折算 13/21.75 天"));
    assert_eq!(p.gross, d("18460.00"));
    // Not enrolled: no SI lines, no policy needed.
    assert_eq!(p.employee_si, d("0.00"));
    assert!(p.si_lines.is_empty());
    assert_eq!(p.facts.si_city, None);

    // A leaver on 2025-10-15: statutory holidays are paid days, the other holiday days are not,
    // the make-up Saturday (10-11) is: 1, 2, 3, 6 + 9, 10, 11, 13, 14, 15 = 10 days.
    let run = w.run(2025, 10);
    let mut e = w.employee(2025, 10, "21750", &[], None);
    e.person.employed_to = date(2025, 10, 15);
    let p = compute_employee(&run, &e).unwrap();
    assert_eq!(p.facts.paid_days, d("10"));
    assert_eq!(amount(&p, "BASE"), d("10000.00"));

    // More paid days than 21.75 never pays more than the month.
    let run = w.run(2025, 7);
    let mut e = w.employee(2025, 7, "21750", &[], None);
    e.person.employed_from = date(2025, 7, 2);
    let p = compute_employee(&run, &e).unwrap();
    assert_eq!(p.facts.paid_days, d("22"));
    assert_eq!(amount(&p, "BASE"), d("21750.00"));
}

#[test]
fn unpaid_leave_absence_and_overtime_at_150_200_300() {
    let w = World::new();
    let run = w.run(2025, 7);
    // Base 21,750: daily wage 1,000, hourly 125.
    let mut e = w.employee(2025, 7, "21750", &[], None);
    let mut a = summary(&e, "2025-07");
    a.leave_unpaid_minutes = 960;
    a.absent_days = 1;
    a.overtime_workday = OvertimeSplit { pay: 240, time_off: 0 };
    a.overtime_rest_day = OvertimeSplit { pay: 480, time_off: 480 };
    a.overtime_holiday = OvertimeSplit { pay: 480, time_off: 0 };
    e.attendance = Some(a);
    let p = compute_employee(&run, &e).unwrap();
    // 4 h × 125 × 1.5 + 8 h × 125 × 2 + 8 h × 125 × 3 = 750 + 2,000 + 3,000.
    assert_eq!(amount(&p, "OVERTIME"), d("5750.00"));
    assert_eq!(
        line(&p, "OVERTIME").note.as_deref(),
        Some("工作日 4 小时 × 150%；休息日 8 小时 × 200%；法定节假日 8 小时 × 300%")
    );
    assert_eq!(amount(&p, "UNPAID_LEAVE"), d("2000.00"));
    assert_eq!(line(&p, "UNPAID_LEAVE").kind, ComponentKind::PreTaxDeduction);
    assert_eq!(amount(&p, "ABSENCE"), d("1000.00"));
    // BASE 21,750 + PERFORMANCE 4,350 + overtime 5,750 − 2,000 − 1,000.
    assert_eq!(p.gross, d("28850.00"));
    assert_eq!(p.tax.income, d("28850.00"));
    assert!(p.facts.attendance);
    assert_eq!(p.facts.unpaid_leave_days, d("2"));
    assert_eq!(p.facts.overtime_rest_day_hours, d("8"));

    // Awkward minutes are rounded once, at the end: 25 min at 150 % = 125 × 1.5 × 25/60 = 78.125.
    let mut a2 = summary(&e, "2025-07");
    a2.overtime_workday = OvertimeSplit { pay: 25, time_off: 0 };
    e.attendance = Some(a2);
    assert_eq!(amount(&compute_employee(&run, &e).unwrap(), "OVERTIME"), d("78.13"));

    // A structure that defines OVERTIME itself replaces the system line.
    let mut w2 = World::new();
    w2.structure.items.push(StructureItem {
        component_code: "OVERTIME".into(),
        source: ItemSource::Formula { formula: "round(overtime_workday_hours * hourly_wage * 2)".into() },
    });
    let run2 = w2.run(2025, 7);
    let mut e2 = w2.employee(2025, 7, "21750", &[], None);
    let mut a3 = summary(&e2, "2025-07");
    a3.overtime_workday = OvertimeSplit { pay: 240, time_off: 0 };
    e2.attendance = Some(a3);
    let p2 = compute_employee(&run2, &e2).unwrap();
    assert_eq!(amount(&p2, "OVERTIME"), d("1000.00"));
    assert_eq!(p2.lines.iter().filter(|l| l.code == "OVERTIME").count(), 1);

    // Without attendance, no system lines at all.
    e.attendance = None;
    let p3 = compute_employee(&run, &e).unwrap();
    assert!(!codes(&p3).contains(&"OVERTIME") && !codes(&p3).contains(&"ABSENCE"));
}

#[test]
fn adjustments_and_the_annual_bonus() {
    let w = World::new();
    let run = w.run(2025, 7);
    let mut e = w.employee(2025, 7, "10000", &[], None);
    let bonus = adjustment(&e, "BONUS", "1000");
    let fix = adjustment(&e, "BASE", "-500");
    let annual = adjustment(&e, "ANNUAL_BONUS", "36000");
    let mut cancelled = adjustment(&e, "BONUS", "99999");
    cancelled.status = AdjustmentStatus::Cancelled;
    e.adjustments = vec![bonus.clone(), fix.clone(), annual.clone(), cancelled];
    let p = compute_employee(&run, &e).unwrap();
    assert_eq!(amount(&p, "BASE"), d("9500.00"));
    assert_eq!(amount(&p, "BONUS"), d("1000.00"));
    assert_eq!(line(&p, "BONUS").category, ComponentCategory::Bonus);
    assert_eq!(amount(&p, "ANNUAL_BONUS"), d("36000.00"));
    assert_eq!(p.adjustment_ids, vec![bonus.id, fix.id, annual.id]);
    // Wages: 9,500 + 2,000 (performance) + 1,000 = 12,500 → (12,500 − 5,000) × 3 % = 225.
    assert_eq!(p.tax.income, d("12500.00"));
    assert_eq!(p.tax.withhold, d("225.00"));
    // The bonus taxed on its own: 36,000 ÷ 12 = 3,000 → 3 % → 1,080.
    assert_eq!(p.tax.annual_bonus, Some(d("36000.00")));
    assert_eq!(p.tax.annual_bonus_tax, Some(d("1080.00")));
    assert_eq!(p.iit, d("1305.00"));
    assert_eq!(p.gross, d("48500.00"));
    assert_eq!(p.net, d("47195.00"));

    // A second annual bonus in the same year is merged into wages.
    let mut second = e.clone();
    second.ytd = carry(&YearToDate::default(), "2025-07", &p);
    second.person.employed_from = date(2025, 8, 1);
    second.person.employed_to = date(2025, 8, 31);
    let run8 = w.run(2025, 8);
    second.adjustments = vec![adjustment(&e, "ANNUAL_BONUS", "36000")];
    let p2 = compute_employee(&run8, &second).unwrap();
    assert_eq!(p2.tax.annual_bonus, None);
    assert_eq!(p2.tax.annual_bonus_tax, None);
    // Cumulative: 12,500 + (10,000 + 2,000 + 36,000) = 60,500 − 10,000 = 50,500 → 10 % − 2,520
    // = 2,530 − 225 already withheld.
    assert_eq!(p2.tax.cumulative_income, d("60500.00"));
    assert_eq!(p2.tax.withhold, d("2305.00"));
    assert_eq!(p2.iit, d("2305.00"));

    // The employee chose to merge this year: merged from the first bonus.
    let mut merged = e.clone();
    merged.tax_profile = Some(TaxProfile {
        employee_id: e.person.employee_id,
        year: 2025,
        rule: WithholdingRule::Standard,
        merge_annual_bonus: true,
    });
    let p3 = compute_employee(&run, &merged).unwrap();
    assert_eq!(p3.tax.annual_bonus, None);
    assert_eq!(p3.tax.income, d("48500.00"));

    // After 2027 the separate method is gone: merged.
    let run28 = w.run(2028, 1);
    let mut later = w.employee(2028, 1, "10000", &[], None);
    later.adjustments = vec![adjustment(&later, "ANNUAL_BONUS", "36000")];
    let p4 = compute_employee(&run28, &later).unwrap();
    assert_eq!(p4.tax.annual_bonus, None);
    assert_eq!(p4.tax.income, d("48000.00"));

    // An adjustment to an unknown component stops that employee.
    let mut bad = w.employee(2025, 7, "10000", &[], None);
    bad.adjustments = vec![adjustment(&bad, "NOPE", "1")];
    assert_eq!(compute_employee(&run, &bad).unwrap_err().code, "adjustment_invalid");
}

#[test]
fn errors_are_per_employee() {
    let mut w = World::new();
    // Fails only when base is exactly 20,000.
    w.structure.items.push(StructureItem {
        component_code: "BONUS".into(),
        source: ItemSource::Formula { formula: "round(1000000 / (base - 20000))".into() },
    });
    let run = w.run(2025, 7);
    let good = w.employee(2025, 7, "30000", &[], Some("beijing"));
    let failing = w.employee(2025, 7, "20000", &[], Some("beijing"));
    let mut no_salary = w.employee(2025, 7, "30000", &[], None);
    no_salary.salary = None;
    let nowhere = w.employee(2025, 7, "30000", &[], Some("atlantis"));
    let mut lost = w.employee(2025, 7, "30000", &[], None);
    lost.salary.as_mut().unwrap().structure_id = Uuid::now_v7();
    let results = compute_all(&run, &[good, failing, no_salary, nowhere, lost]);
    assert!(results[0].is_ok());
    let e = results[1].as_ref().unwrap_err();
    assert_eq!(e.code, "formula_failed");
    assert!(
        e.message.contains("BONUS") && e.message.contains("奖金") && e.message.contains("除数为零"),
        "{}",
        e.message
    );
    assert!(!e.message.contains("20000"), "{}", e.message);
    assert_eq!(results[2].as_ref().unwrap_err().code, "no_salary_assignment");
    let e = results[3].as_ref().unwrap_err();
    assert_eq!(e.code, "si_policy_missing");
    assert!(e.message.contains("atlantis"));
    assert_eq!(results[4].as_ref().unwrap_err().code, "structure_missing");
}

#[test]
fn prepare_refuses_formulas_that_do_not_compile() {
    let mut w = World::new();
    w.structure.items[2].source = ItemSource::Formula { formula: "base * bogus".into() };
    let err = prepare(w.ctx(2025, 7, vec![w.structure.clone()], vec![])).unwrap_err();
    let PayrollError::FormulaInvalid(fields) = err else { panic!("{err:?}") };
    let key = "structures[STANDARD].items[2].formula";
    assert!(fields.0[key][0].zh.contains("未知变量 bogus"), "{:?}", fields);
}

fn items_of(inputs: &[EmployeeInput], results: Vec<Result<Payslip, ItemError>>) -> Vec<PayRunItem> {
    inputs
        .iter()
        .zip(results)
        .map(|(i, r)| PayRunItem {
            id: Uuid::now_v7(),
            run_id: Uuid::nil(),
            employee_id: i.person.employee_id,
            employee_no: i.person.employee_no.clone(),
            employee_name: i.person.employee_name.clone(),
            org_unit_id: None,
            status: if r.is_ok() { ItemStatus::Ok } else { ItemStatus::Error },
            error: r.as_ref().err().cloned(),
            payslip: r.ok(),
        })
        .collect()
}

#[test]
fn compute_all_keeps_order_and_is_deterministic() {
    let w = World::new();
    let run = w.run(2025, 7);
    let mut inputs: Vec<EmployeeInput> = (0..500)
        .map(|n| {
            let base = format!("{}", 8000 + n * 37);
            let mut e = w.employee(2025, 7, &base, &[("MEAL", "300")], Some("beijing"));
            let mut a = summary(&e, "2025-07");
            a.overtime_workday = OvertimeSplit { pay: (n % 7) * 30, time_off: 0 };
            e.attendance = Some(a);
            e
        })
        .collect();
    inputs[123].salary = None;

    let results = compute_all(&run, &inputs);
    assert_eq!(results.len(), 500);
    for (i, r) in inputs.iter().zip(&results) {
        assert_eq!(r, &compute_employee(&run, i), "order is kept");
    }
    let items = items_of(&inputs, results);
    let t = totals(&items);
    assert_eq!(t.headcount, 499);
    assert_eq!(t.errors, 1);
    assert_eq!(t.net, items.iter().filter_map(|i| i.payslip.as_ref()).map(|p| p.net).sum::<Decimal>());

    let first = digest(&items);
    assert_eq!(first.len(), 64);
    let again = digest(&items_of(&inputs, compute_all(&run, &inputs)));
    assert_eq!(first, again, "same inputs, same digest (new item ids do not matter)");
    let mut reversed = items.clone();
    reversed.reverse();
    assert_eq!(digest(&reversed), first, "order of items does not matter");

    inputs[7].salary.as_mut().unwrap().base_salary += Decimal::ONE;
    let changed = digest(&items_of(&inputs, compute_all(&run, &inputs)));
    assert_ne!(changed, first);
}
