//! Cumulative withholding of residents' wages (累计预扣法, 国家税务总局公告2018年第61号 art.6), with
//! the basic-deduction options of 公告2020年第13号 and 第19号:
//!
//! ```text
//! 累计预扣预缴应纳税所得额 = 累计收入 − 累计免税收入 − 累计减除费用 − 累计专项扣除
//!                          − 累计专项附加扣除 − 累计依法确定的其他扣除
//! 本期应预扣预缴税额 = (累计预扣预缴应纳税所得额 × 预扣率 − 速算扣除数) − 累计已预扣预缴税额
//! ```
//!
//! "余额为负值时，暂不退税": a month never withholds less than zero, and what later months subtract
//! is what was actually withheld, not the theoretical cumulative tax. 累计减免税额 (tax relief) is
//! not modelled: wages of ordinary employees have none.

use super::tables;
use super::{MonthIncome, WithholdingRule};
use crate::money::round_fen;
use bole_core::{FieldErrors, Msg};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

/// State carried from earlier months of the same year and employer.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Cumulative {
    /// Months already counted this year here (the basic deduction's month count).
    pub months_here: u32,
    pub income: Decimal,
    pub exempt: Decimal,
    pub special: Decimal,
    pub additional: Decimal,
    pub other: Decimal,
    /// Tax actually withheld so far (累计已预扣预缴税额).
    pub withheld: Decimal,
}

/// This month's withholding (the figures a payslip and the declaration show).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct MonthWithholding {
    pub month: u32,
    /// Months counted this year here, this one included.
    pub months_here: u32,
    pub cumulative_income: Decimal,
    pub cumulative_exempt: Decimal,
    pub cumulative_basic_deduction: Decimal,
    pub cumulative_special: Decimal,
    pub cumulative_additional: Decimal,
    pub cumulative_other: Decimal,
    /// Never negative.
    pub cumulative_taxable: Decimal,
    pub rate: Decimal,
    pub quick_deduction: Decimal,
    /// Rounded to the fen.
    pub cumulative_tax: Decimal,
    pub withheld_before: Decimal,
    /// 本期应预扣预缴税额, ≥ 0.
    pub withhold: Decimal,
}

/// A whole year's months, as `bole calc iit` prints them.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct YearResult {
    pub months: Vec<MonthWithholding>,
    /// The sum of the monthly withholdings.
    pub year_total: Decimal,
}

/// 累计减除费用 for this month under `rule`.
fn basic_deduction(year: i32, rule: WithholdingRule, months_here: u32, month: u32) -> Decimal {
    match rule {
        WithholdingRule::Standard => tables::basic_deduction(year) * Decimal::from(months_here),
        // 13号: first wages of the year → the months since January count, not only those here.
        WithholdingRule::FirstJob2020_13 => tables::basic_deduction(year) * Decimal::from(month),
        // 19号: "累计减除费用自1月份起直接按照全年6万元计算扣除".
        WithholdingRule::PriorYearLe60000_2020_19 => tables::prior_year_low_income_deduction(year),
    }
}

/// One month of cumulative withholding: the figures of the month and the state to carry on.
pub fn withhold_month(
    year: i32,
    rule: WithholdingRule,
    before: &Cumulative,
    this: &MonthIncome,
) -> (MonthWithholding, Cumulative) {
    let months_here = before.months_here + 1;
    let income = before.income + this.income;
    let exempt = before.exempt + this.exempt;
    let special = before.special + this.special;
    let additional = before.additional + this.additional;
    let other = before.other + this.other;
    let basic = basic_deduction(year, rule, months_here, this.month);

    let taxable = (income - exempt - basic - special - additional - other).max(Decimal::ZERO);
    let bracket = tables::wage_table(year).bracket(taxable);
    // 19号: no withholding at all while cumulative income stays within 60,000 — the deduction
    // already covers it, but the rule is stated on income, so it is checked on income.
    let exempt_by_19 = rule == WithholdingRule::PriorYearLe60000_2020_19 && income <= basic;
    let cumulative_tax = if exempt_by_19 {
        Decimal::ZERO
    } else {
        round_fen(taxable * bracket.rate - bracket.quick_deduction).max(Decimal::ZERO)
    };
    // No refund within the year: a negative balance waits for the annual reconciliation.
    let withhold = (cumulative_tax - before.withheld).max(Decimal::ZERO);

    let month = MonthWithholding {
        month: this.month,
        months_here,
        cumulative_income: income,
        cumulative_exempt: exempt,
        cumulative_basic_deduction: basic,
        cumulative_special: special,
        cumulative_additional: additional,
        cumulative_other: other,
        cumulative_taxable: taxable,
        rate: bracket.rate,
        quick_deduction: bracket.quick_deduction,
        cumulative_tax,
        withheld_before: before.withheld,
        withhold,
    };
    let after =
        Cumulative { months_here, income, exempt, special, additional, other, withheld: before.withheld + withhold };
    (month, after)
}

/// Every month of a year at one employer; `months` are the months employed here, in order.
pub fn cumulative_year(year: i32, rule: WithholdingRule, months: &[MonthIncome]) -> YearResult {
    let mut state = Cumulative::default();
    let mut out = Vec::with_capacity(months.len());
    for m in months {
        let (month, next) = withhold_month(year, rule, &state, m);
        out.push(month);
        state = next;
    }
    YearResult { months: out, year_total: state.withheld }
}

/// The checks a list of months must pass before [`cumulative_year`] means anything: months
/// 1–12, strictly increasing, amounts not negative. Keys are `months[i].field`.
pub fn validate_months(months: &[MonthIncome]) -> Result<(), FieldErrors> {
    let mut errors = FieldErrors::new();
    if months.is_empty() {
        errors.add("months", Msg::new("至少需要一个月份。", "At least one month is required."));
    }
    let mut last = 0;
    for (i, m) in months.iter().enumerate() {
        if !(1..=12).contains(&m.month) {
            errors.add(
                format!("months[{i}].month"),
                Msg::new(format!("月份须为 1–12，收到 {}。", m.month), format!("month must be 1–12, got {}", m.month)),
            );
        } else if m.month <= last {
            errors.add(
                format!("months[{i}].month"),
                Msg::new(
                    format!("月份须按时间顺序且不重复（{} 在 {} 之后）。", m.month, last),
                    format!("months must increase without repeats ({} after {})", m.month, last),
                ),
            );
        }
        last = last.max(m.month);
        for (name, value) in [
            ("income", m.income),
            ("exempt", m.exempt),
            ("special", m.special),
            ("additional", m.additional),
            ("other", m.other),
        ] {
            if value.is_sign_negative() && !value.is_zero() {
                errors
                    .add(format!("months[{i}].{name}"), Msg::new("金额不能为负数。", "The amount cannot be negative."));
            }
        }
    }
    errors.into_result()
}
