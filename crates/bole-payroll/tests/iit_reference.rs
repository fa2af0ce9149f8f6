//! Individual income tax against the domain reference (china-hr-rules.md §1): the official
//! 30,000-a-month example of 公告2018年第61号 解读 and its full year, the 2020年第13号 and 第19号
//! options, no refund within the year, the annual bonus and labour remuneration figures with the
//! bracket edges, the special additional deductions, and twelve steady months reproducing the
//! annual-table tax (the acceptance item).
#![allow(clippy::unwrap_used, clippy::expect_used)]

use bole_payroll::iit::{
    self, Cumulative, MonthIncome, WithholdingRule, additional_for_month, additional_monthly, annual_bonus,
    cumulative_year, labour_remuneration, validate_declarations, withhold_month,
};
use bole_payroll::model::{AdditionalKind, DeclarationStatus, DeductionDeclaration, DeductionDetails, NewDeclaration};
use bole_payroll::money::round_fen;
use chrono::{TimeZone, Utc};
use rust_decimal::Decimal;
use std::str::FromStr;

fn d(s: &str) -> Decimal {
    Decimal::from_str(s).unwrap()
}

fn month(m: u32, income: &str, special: &str, additional: &str) -> MonthIncome {
    MonthIncome { month: m, income: d(income), special: d(special), additional: d(additional), ..Default::default() }
}

/// Tax on a year's comprehensive income by the annual table (综合所得税率表 = 预扣率表一).
fn annual_table_tax(taxable: Decimal) -> Decimal {
    let b = iit::tables::wage_table(2025).bracket(taxable);
    round_fen(taxable * b.rate - b.quick_deduction)
}

#[test]
fn official_example_withholds_555_625_1850_then_the_whole_year_to_27480() {
    let months: Vec<_> = (1..=12).map(|m| month(m, "30000", "4500", "2000")).collect();
    let year = cumulative_year(2019, WithholdingRule::Standard, &months);
    let got: Vec<(String, String, String, String)> = year
        .months
        .iter()
        .map(|m| {
            (m.cumulative_taxable.to_string(), m.rate.to_string(), m.cumulative_tax.to_string(), m.withhold.to_string())
        })
        .collect();
    // §1.7: months 1–3 official, 4–12 computed.
    let want = [
        ("18500", "0.03", "555.00", "555.00"),
        ("37000", "0.10", "1180.00", "625.00"),
        ("55500", "0.10", "3030.00", "1850.00"),
        ("74000", "0.10", "4880.00", "1850.00"),
        ("92500", "0.10", "6730.00", "1850.00"),
        ("111000", "0.10", "8580.00", "1850.00"),
        ("129500", "0.10", "10430.00", "1850.00"),
        ("148000", "0.20", "12680.00", "2250.00"),
        ("166500", "0.20", "16380.00", "3700.00"),
        ("185000", "0.20", "20080.00", "3700.00"),
        ("203500", "0.20", "23780.00", "3700.00"),
        ("222000", "0.20", "27480.00", "3700.00"),
    ];
    for (i, (g, w)) in got.iter().zip(want).enumerate() {
        assert_eq!(Decimal::from_str(&g.0).unwrap(), d(w.0), "month {} taxable", i + 1);
        assert_eq!(g.1, w.1, "month {} rate", i + 1);
        assert_eq!(Decimal::from_str(&g.2).unwrap(), d(w.2), "month {} cumulative tax", i + 1);
        assert_eq!(Decimal::from_str(&g.3).unwrap(), d(w.3), "month {} withhold", i + 1);
    }
    assert_eq!(year.year_total, d("27480"));
    assert_eq!(year.year_total, annual_table_tax(d("222000")));
    let dec = &year.months[11];
    assert_eq!((dec.months_here, dec.cumulative_basic_deduction), (12, d("60000")));
    assert_eq!((dec.cumulative_special, dec.cumulative_additional), (d("54000"), d("24000")));
    assert_eq!(dec.withheld_before, d("23780"));
    assert_eq!(dec.quick_deduction, d("16920"));
}

#[test]
fn month_by_month_carries_what_was_withheld() {
    let (jan, after_jan) =
        withhold_month(2025, WithholdingRule::Standard, &Cumulative::default(), &month(1, "30000", "4500", "2000"));
    assert_eq!(jan.withhold, d("555"));
    assert_eq!(after_jan.months_here, 1);
    assert_eq!(after_jan.withheld, d("555"));
    let (feb, after_feb) =
        withhold_month(2025, WithholdingRule::Standard, &after_jan, &month(2, "30000", "4500", "2000"));
    assert_eq!((feb.withheld_before, feb.withhold), (d("555"), d("625")));
    assert_eq!(
        after_feb,
        Cumulative {
            months_here: 2,
            income: d("60000"),
            exempt: d("0"),
            special: d("9000"),
            additional: d("4000"),
            other: d("0"),
            withheld: d("1180"),
        }
    );
}

#[test]
fn joining_in_july_counts_months_here_unless_rule_13_applies() {
    let months: Vec<_> = (7..=12).map(|m| month(m, "10000", "0", "0")).collect();
    let standard = cumulative_year(2025, WithholdingRule::Standard, &months);
    assert_eq!(standard.months[0].cumulative_basic_deduction, d("5000"));
    assert_eq!(standard.months[0].withhold, d("150"));
    // 6 months × 5,000 deducted from 60,000: 30,000 × 3%.
    assert_eq!(standard.year_total, d("900"));

    let first_job = cumulative_year(2025, WithholdingRule::FirstJob2020_13, &months);
    let july = &first_job.months[0];
    assert_eq!((july.months_here, july.cumulative_basic_deduction), (1, d("35000")));
    assert_eq!(july.cumulative_taxable, d("0"));
    assert_eq!(first_job.months[5].cumulative_basic_deduction, d("60000"));
    assert_eq!(first_job.year_total, d("0"));
}

#[test]
fn rule_19_withholds_nothing_until_income_passes_60000() {
    let months: Vec<_> = (1..=12).map(|m| month(m, "8000", "0", "0")).collect();
    let year = cumulative_year(2025, WithholdingRule::PriorYearLe60000_2020_19, &months);
    for m in &year.months[..7] {
        assert_eq!(m.cumulative_basic_deduction, d("60000"), "month {}", m.month);
        assert_eq!(m.withhold, d("0"), "month {}", m.month);
    }
    // August: 64,000 − 60,000 = 4,000 × 3% = 120; September 12,000 × 3% = 360 → 240 more.
    assert_eq!((year.months[7].cumulative_taxable, year.months[7].withhold), (d("4000"), d("120")));
    assert_eq!(year.months[8].withhold, d("240"));
    // 96,000 − 60,000 = 36,000 × 3%.
    assert_eq!(year.year_total, d("1080"));
    let standard = cumulative_year(2025, WithholdingRule::Standard, &months);
    assert_eq!(standard.months[0].withhold, d("90"));
}

#[test]
fn no_refund_within_the_year_and_later_months_still_come_out_right() {
    let months = [month(1, "30000", "0", "0"), month(2, "0", "0", "0"), month(3, "30000", "0", "0")];
    let year = cumulative_year(2025, WithholdingRule::Standard, &months);
    // January 25,000 × 3% = 750; February's cumulative tax falls to 600 but nothing is refunded.
    assert_eq!(year.months[0].withhold, d("750"));
    assert_eq!((year.months[1].cumulative_tax, year.months[1].withhold), (d("600"), d("0")));
    // March: 45,000 × 10% − 2,520 = 1,980, less the 750 actually withheld.
    assert_eq!((year.months[2].withheld_before, year.months[2].withhold), (d("750"), d("1230")));
    assert_eq!(year.year_total, d("1980"));

    // A deduction that turns cumulative taxable negative gives 0, not a negative figure.
    let (m, _) = withhold_month(2025, WithholdingRule::Standard, &Cumulative::default(), &month(1, "3000", "0", "0"));
    assert_eq!((m.cumulative_taxable, m.cumulative_tax, m.withhold), (d("0"), d("0"), d("0")));
}

#[test]
fn wage_table_is_continuous_at_its_bounds() {
    for (taxable, tax) in [
        ("36000", "1080"),
        ("36000.01", "1080.00"),
        ("36001", "1080.10"),
        ("144000", "11880"),
        ("144001", "11880.20"),
        ("960000", "250080"),
        ("960001", "250080.45"),
    ] {
        assert_eq!(annual_table_tax(d(taxable)), d(tax), "{taxable}");
    }
}

#[test]
fn twelve_steady_months_reproduce_the_annual_table_tax() {
    let mut checked = 0;
    let mut income = d("3000");
    while income < d("400000") {
        for (special, additional) in [("0", "0"), ("1234.56", "3000"), ("4500", "2000")] {
            let months: Vec<_> =
                (1..=12).map(|m| MonthIncome { income, ..month(m, "0", special, additional) }).collect();
            let year = cumulative_year(2025, WithholdingRule::Standard, &months);
            let annual_taxable = (income * Decimal::from(12)
                - d("60000")
                - d(special) * Decimal::from(12)
                - d(additional) * Decimal::from(12))
            .max(Decimal::ZERO);
            assert_eq!(year.year_total, annual_table_tax(annual_taxable), "income {income} special {special}");
            assert_eq!(year.months[11].cumulative_tax, year.year_total);
            assert!(year.months.iter().all(|m| m.withhold >= Decimal::ZERO));
            checked += 1;
        }
        income += d("1733.37");
    }
    assert!(checked > 600);
}

#[test]
fn annual_bonus_examples_and_the_jumps_at_each_bound() {
    let b = annual_bonus(2025, d("36000")).unwrap();
    assert_eq!((b.monthly_equivalent, b.rate, b.quick_deduction, b.tax), (d("3000"), d("0.03"), d("0"), d("1080.00")));
    let b = annual_bonus(2025, d("36001")).unwrap();
    assert_eq!(
        (b.monthly_equivalent, b.rate, b.quick_deduction, b.tax),
        (d("3000.08"), d("0.10"), d("210"), d("3390.10"))
    );
    assert_eq!(annual_bonus(2025, d("36000.01")).unwrap().rate, d("0.10"));

    // §1.8: above each bound the bonus after tax is lower than at the bound, until the end of
    // the listed range.
    let after = |x: &str| {
        let amount = d(x);
        amount - annual_bonus(2025, amount).unwrap().tax
    };
    for (bound, end) in [
        ("36000", "38566.67"),
        ("144000", "160500"),
        ("300000", "318333.33"),
        ("420000", "447500"),
        ("660000", "706538.46"),
        ("960000", "1120000"),
    ] {
        let at_bound = after(bound);
        let step = d("0.01");
        assert!(after(&(d(bound) + step).to_string()) < at_bound, "just above {bound}");
        assert!(after(&(d(end) - step).to_string()) < at_bound, "just below {end}");
        // The listed ends are rounded to the fen (318,333.33 stands for 318,333.333…).
        assert!(after(&(d(end) + Decimal::ONE).to_string()) > at_bound, "above {end}");
    }
}

#[test]
fn annual_bonus_outside_its_window_is_refused() {
    assert!(annual_bonus(2027, d("10000")).is_ok());
    let e = annual_bonus(2028, d("10000")).unwrap_err();
    assert!(e.0.contains_key("year"));
    assert!(annual_bonus(2025, d("-1")).unwrap_err().0.contains_key("amount"));
    assert!(iit::separate_bonus_available(2027) && !iit::separate_bonus_available(2028));
}

#[test]
fn labour_remuneration_per_payment() {
    let l = labour_remuneration(d("2000"));
    assert_eq!((l.taxable, l.rate, l.quick_deduction, l.tax), (d("1200"), d("0.20"), d("0"), d("240.00")));
    let l = labour_remuneration(d("25001"));
    assert_eq!((l.taxable, l.rate, l.quick_deduction, l.tax), (d("20000.80"), d("0.30"), d("2000"), d("4000.24")));
    let l = labour_remuneration(d("4000"));
    assert_eq!((l.taxable, l.tax), (d("3200"), d("640")));
    assert_eq!(labour_remuneration(d("4000.01")).taxable, d("3200.01"));
    assert_eq!(labour_remuneration(d("800")).tax, d("0"));
    assert_eq!(labour_remuneration(d("500")).taxable, d("0"));
    // Table two is continuous at 20,000 and 50,000 of taxable income.
    assert_eq!(labour_remuneration(d("25000")).tax, d("4000"));
    assert_eq!(labour_remuneration(d("62500")).tax, d("13000"));
    assert_eq!(labour_remuneration(d("62500.01")).rate, d("0.40"));
    assert_eq!(labour_remuneration(d("62500.01")).tax, d("13000.00"));
}

fn details() -> DeductionDetails {
    DeductionDetails {
        children: 0,
        share_percent: 100,
        only_child: false,
        agreed_amount: None,
        rent_tier: None,
        note: None,
    }
}

#[test]
fn additional_deduction_amounts_follow_the_2023_rules() {
    let kids = |n, share| DeductionDetails { children: n, share_percent: share, ..details() };
    assert_eq!(additional_monthly(AdditionalKind::ChildEducation, &kids(2, 100), 2025).unwrap(), d("4000"));
    assert_eq!(additional_monthly(AdditionalKind::ChildEducation, &kids(1, 50), 2025).unwrap(), d("1000"));
    assert_eq!(additional_monthly(AdditionalKind::ChildEducation, &kids(1, 100), 2022).unwrap(), d("1000"));
    assert_eq!(additional_monthly(AdditionalKind::InfantCare, &kids(1, 100), 2023).unwrap(), d("2000"));
    assert_eq!(additional_monthly(AdditionalKind::InfantCare, &kids(1, 100), 2022).unwrap(), d("1000"));
    assert!(additional_monthly(AdditionalKind::InfantCare, &kids(1, 100), 2021).unwrap_err().0.contains_key("kind"));
    let e = additional_monthly(AdditionalKind::ChildEducation, &kids(0, 60), 2025).unwrap_err();
    assert!(e.0.contains_key("details.children") && e.0.contains_key("details.share_percent"));

    let only = DeductionDetails { only_child: true, ..details() };
    assert_eq!(additional_monthly(AdditionalKind::ElderlySupport, &only, 2025).unwrap(), d("3000"));
    assert_eq!(additional_monthly(AdditionalKind::ElderlySupport, &only, 2022).unwrap(), d("2000"));
    let agreed = |a: &str| DeductionDetails { agreed_amount: Some(d(a)), ..details() };
    assert_eq!(additional_monthly(AdditionalKind::ElderlySupport, &agreed("1500"), 2025).unwrap(), d("1500"));
    assert!(additional_monthly(AdditionalKind::ElderlySupport, &agreed("1500.01"), 2025).is_err());
    assert!(additional_monthly(AdditionalKind::ElderlySupport, &agreed("1200"), 2022).is_err());
    let half = DeductionDetails { share_percent: 50, ..details() };
    assert_eq!(additional_monthly(AdditionalKind::ElderlySupport, &half, 2025).unwrap(), d("1500"));
    assert!(
        additional_monthly(AdditionalKind::ElderlySupport, &details(), 2025)
            .unwrap_err()
            .0
            .contains_key("details.agreed_amount")
    );

    let rent = |t| DeductionDetails { rent_tier: Some(t), ..details() };
    assert_eq!(additional_monthly(AdditionalKind::HousingRent, &rent(1), 2025).unwrap(), d("1500"));
    assert_eq!(additional_monthly(AdditionalKind::HousingRent, &rent(2), 2025).unwrap(), d("1100"));
    assert_eq!(additional_monthly(AdditionalKind::HousingRent, &rent(3), 2025).unwrap(), d("800"));
    assert!(
        additional_monthly(AdditionalKind::HousingRent, &rent(4), 2025)
            .unwrap_err()
            .0
            .contains_key("details.rent_tier")
    );
    assert_eq!(additional_monthly(AdditionalKind::HousingLoan, &details(), 2025).unwrap(), d("1000"));
    assert_eq!(additional_monthly(AdditionalKind::ContinuingEducationDegree, &details(), 2025).unwrap(), d("400"));
    assert_eq!(
        additional_monthly(AdditionalKind::ContinuingEducationCertificate, &details(), 2025).unwrap(),
        d("3600")
    );
    assert!(additional_monthly(AdditionalKind::HousingLoan, &details(), 2018).unwrap_err().0.contains_key("year"));
}

fn declaration(kind: AdditionalKind, d_: DeductionDetails, from: u32, to: u32, amount: &str) -> DeductionDeclaration {
    DeductionDeclaration {
        id: uuid::Uuid::nil(),
        employee_id: bole_core::EmployeeId::from(uuid::Uuid::nil()),
        year: 2025,
        kind,
        details: d_,
        start_month: from,
        end_month: to,
        monthly_amount: d(amount),
        status: DeclarationStatus::Active,
        declared_at: Utc.with_ymd_and_hms(2025, 1, 5, 0, 0, 0).unwrap(),
    }
}

#[test]
fn housing_loan_and_rent_in_one_year_are_refused() {
    let loan = declaration(AdditionalKind::HousingLoan, details(), 1, 12, "1000");
    let new_rent = NewDeclaration {
        year: 2025,
        kind: AdditionalKind::HousingRent,
        details: DeductionDetails { rent_tier: Some(1), ..details() },
        start_month: 7,
        end_month: 12,
    };
    let e = validate_declarations(std::slice::from_ref(&loan), &new_rent).unwrap_err();
    assert!(e.0.contains_key("kind"), "{e:?}");
    // A withdrawn loan or one of another year does not block rent.
    let withdrawn = DeductionDeclaration { status: DeclarationStatus::Withdrawn, ..loan.clone() };
    assert_eq!(validate_declarations(&[withdrawn], &new_rent).unwrap(), d("1500"));
    let last_year = DeductionDeclaration { year: 2024, ..loan.clone() };
    assert_eq!(validate_declarations(&[last_year], &new_rent).unwrap(), d("1500"));

    // A second overlapping loan is refused; the certificate is one month only; months in range.
    let new_loan = NewDeclaration { kind: AdditionalKind::HousingLoan, details: details(), ..new_rent.clone() };
    assert!(validate_declarations(std::slice::from_ref(&loan), &new_loan).unwrap_err().0.contains_key("start_month"));
    let cert = NewDeclaration {
        kind: AdditionalKind::ContinuingEducationCertificate,
        details: details(),
        start_month: 9,
        end_month: 10,
        ..new_rent.clone()
    };
    assert!(validate_declarations(&[], &cert).unwrap_err().0.contains_key("end_month"));
    assert_eq!(validate_declarations(&[], &NewDeclaration { end_month: 9, ..cert }).unwrap(), d("3600"));
    let bad_months = NewDeclaration { start_month: 0, end_month: 13, ..new_loan };
    assert!(validate_declarations(&[], &bad_months).unwrap_err().0.contains_key("start_month"));
}

#[test]
fn a_months_additional_deductions_sum_the_active_declarations_covering_it() {
    let kids = DeductionDetails { children: 1, ..details() };
    let decls = [
        declaration(AdditionalKind::ChildEducation, kids.clone(), 1, 12, "2000"),
        declaration(AdditionalKind::ChildEducation, kids, 9, 12, "2000"),
        declaration(AdditionalKind::HousingRent, DeductionDetails { rent_tier: Some(1), ..details() }, 1, 6, "1500"),
        declaration(AdditionalKind::ContinuingEducationCertificate, details(), 10, 10, "3600"),
        DeductionDeclaration {
            status: DeclarationStatus::Withdrawn,
            ..declaration(AdditionalKind::ElderlySupport, details(), 1, 12, "3000")
        },
    ];
    let march = additional_for_month(&decls, 2025, 3);
    assert_eq!(march.len(), 2);
    assert_eq!(march[&AdditionalKind::ChildEducation], d("2000"));
    assert_eq!(march[&AdditionalKind::HousingRent], d("1500"));
    let october = additional_for_month(&decls, 2025, 10);
    assert_eq!(october[&AdditionalKind::ChildEducation], d("4000"));
    assert_eq!(october[&AdditionalKind::ContinuingEducationCertificate], d("3600"));
    assert!(!october.contains_key(&AdditionalKind::HousingRent));
    assert!(additional_for_month(&decls, 2024, 3).is_empty());
}
