//! The dated figures of individual income tax: the three rate tables (预扣率表一, 月度税率表,
//! 预扣率表二), the basic deduction, the special-additional-deduction amounts by year and the
//! window of the separate annual-bonus method — each with the date it took effect and its source.
//!
//! They are compiled-in constants rather than a data file because every figure here is national
//! law that changes by statute (rarely, and always with a new release of the rules that use it),
//! and constants cannot fail to load: the withholding functions that read them have no error path.
//! A new table is a new entry with a later `valid_from`; old entries stay so past years recompute.

use chrono::{Datelike, NaiveDate};
use rust_decimal::Decimal;

/// One bracket: amounts up to and including `up_to` (None = no upper bound) pay `rate`, less
/// `quick_deduction` (速算扣除数). Upper bounds are inclusive as the tables say ("不超过36000元");
/// the tax is continuous at every bound, so only the separate annual bonus jumps there.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Bracket {
    pub up_to: Option<Decimal>,
    pub rate: Decimal,
    pub quick_deduction: Decimal,
}

/// A rate table in force from `valid_from` until a later entry replaces it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TaxTable {
    pub name: &'static str,
    pub valid_from: NaiveDate,
    pub source: &'static str,
    pub brackets: &'static [Bracket],
}

impl TaxTable {
    /// The bracket `amount` falls in.
    pub fn bracket(&self, amount: Decimal) -> Bracket {
        self.bracket_scaled(amount, Decimal::ONE)
    }

    /// The bracket of `amount ÷ divisor`, compared as `amount ≤ up_to × divisor` so that no
    /// division rounds an amount just above a bound back onto it (36,000.01 ÷ 12 is above 3,000).
    pub fn bracket_scaled(&self, amount: Decimal, divisor: Decimal) -> Bracket {
        self.brackets
            .iter()
            .find(|b| b.up_to.is_none_or(|u| amount <= u * divisor))
            .or(self.brackets.last())
            .copied()
            .unwrap_or(Bracket { up_to: None, rate: Decimal::ZERO, quick_deduction: Decimal::ZERO })
    }
}

/// An amount in force from a date.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct DatedAmount {
    pub amount: Decimal,
    pub valid_from: NaiveDate,
    pub source: &'static str,
}

/// The monthly special-additional-deduction amounts (专项附加扣除标准) in force from a date.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct AdditionalAmounts {
    pub valid_from: NaiveDate,
    pub source: &'static str,
    /// 子女教育, per child per month (100% share).
    pub child_education: Decimal,
    /// 3岁以下婴幼儿照护, per child per month; None before the item existed (2022).
    pub infant_care: Option<Decimal>,
    /// 赡养老人 for an only child.
    pub elderly_only_child: Decimal,
    /// 赡养老人: the most a non-only child may take of the shared amount.
    pub elderly_share_cap: Decimal,
    /// 继续教育（学历）per month.
    pub continuing_degree: Decimal,
    /// 继续教育（职业资格）once, in the year the certificate is obtained.
    pub continuing_certificate: Decimal,
    /// 住房贷款利息 per month.
    pub housing_loan: Decimal,
    /// 住房租金 per month for city tiers 1, 2 and 3.
    pub housing_rent: [Decimal; 3],
}

/// The window in which the annual one-off bonus may be taxed on its own.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Window {
    pub valid_from: NaiveDate,
    /// Last day, inclusive ("执行至2027年12月31日").
    pub valid_through: NaiveDate,
    pub source: &'static str,
}

const fn day(y: i32, m: u32, d: u32) -> NaiveDate {
    match NaiveDate::from_ymd_opt(y, m, d) {
        Some(date) => date,
        None => panic!("invalid date in a tax table"),
    }
}

const fn yuan(n: u32) -> Decimal {
    Decimal::from_parts(n, 0, 0, false, 0)
}

/// A rate in percent, kept with two decimals so it prints as "0.03", "0.10", "0.20".
const fn pct(n: u32) -> Decimal {
    Decimal::from_parts(n, 0, 0, false, 2)
}

const fn bracket(up_to: Option<u32>, rate: u32, quick: u32) -> Bracket {
    let up_to = match up_to {
        Some(u) => Some(yuan(u)),
        None => None,
    };
    Bracket { up_to, rate: pct(rate), quick_deduction: yuan(quick) }
}

const SRC_LAW: &str = "《中华人民共和国个人所得税法》(2018年修正) 附表一; 国家税务总局公告2018年第61号 附件 个人所得税预扣率表一 \
     https://fgk.chinatax.gov.cn/zcfgk/c100012/c5194838/content.html";

/// 预扣率表一 (居民个人工资、薪金所得预扣预缴适用) — the same brackets as the annual comprehensive
/// income table (综合所得税率表), applied to the cumulative taxable amount.
pub static WAGE_TABLES: [TaxTable; 1] = [TaxTable {
    name: "个人所得税预扣率表一（居民个人工资、薪金所得预扣预缴适用）",
    valid_from: day(2019, 1, 1),
    source: SRC_LAW,
    brackets: &[
        bracket(Some(36_000), 3, 0),
        bracket(Some(144_000), 10, 2_520),
        bracket(Some(300_000), 20, 16_920),
        bracket(Some(420_000), 25, 31_920),
        bracket(Some(660_000), 30, 52_920),
        bracket(Some(960_000), 35, 85_920),
        bracket(None, 45, 181_920),
    ],
}];

/// 按月换算后的综合所得税率表 (月度税率表): the separately taxed annual bonus (bonus ÷ 12) and, as
/// 预扣率表三, non-residents' wages.
pub static MONTHLY_TABLES: [TaxTable; 1] = [TaxTable {
    name: "按月换算后的综合所得税率表",
    valid_from: day(2019, 1, 1),
    source: "财税〔2018〕164号 附件; 国家税务总局公告2018年第61号 附件 个人所得税税率表三",
    brackets: &[
        bracket(Some(3_000), 3, 0),
        bracket(Some(12_000), 10, 210),
        bracket(Some(25_000), 20, 1_410),
        bracket(Some(35_000), 25, 2_660),
        bracket(Some(55_000), 30, 4_410),
        bracket(Some(80_000), 35, 7_160),
        bracket(None, 45, 15_160),
    ],
}];

/// 预扣率表二 (居民个人劳务报酬所得预扣预缴适用), applied per payment to the 预扣预缴应纳税所得额.
pub static LABOUR_TABLES: [TaxTable; 1] = [TaxTable {
    name: "个人所得税预扣率表二（居民个人劳务报酬所得预扣预缴适用）",
    valid_from: day(2019, 1, 1),
    source: "国家税务总局公告2018年第61号 第八条 及附件 个人所得税预扣率表二",
    brackets: &[bracket(Some(20_000), 20, 0), bracket(Some(50_000), 30, 2_000), bracket(None, 40, 7_000)],
}];

/// 基本减除费用 per month (累计减除费用 = this × months).
pub static BASIC_DEDUCTION: [DatedAmount; 1] = [DatedAmount {
    amount: yuan(5_000),
    valid_from: day(2019, 1, 1),
    source: "《中华人民共和国个人所得税法》(2018年修正) 第六条; 国家税务总局公告2018年第61号 第六条",
}];

/// 公告2020年第19号: the whole-year deduction taken from January for employees whose previous
/// year's wages here were at most this amount.
pub static PRIOR_YEAR_LOW_INCOME_DEDUCTION: [DatedAmount; 1] =
    [DatedAmount {
        amount: yuan(60_000), valid_from: day(2021, 1, 1), source: "国家税务总局公告2020年第19号"
    }];

/// 专项附加扣除标准 by the year they apply from. 国发〔2023〕13号 was issued in August 2023 and
/// applies from 2023-01-01, so a 2023 recomputation uses the new amounts for every month.
pub static ADDITIONAL_AMOUNTS: [AdditionalAmounts; 3] = [
    AdditionalAmounts {
        valid_from: day(2019, 1, 1),
        source: "国发〔2018〕41号《个人所得税专项附加扣除暂行办法》",
        child_education: yuan(1_000),
        infant_care: None,
        elderly_only_child: yuan(2_000),
        elderly_share_cap: yuan(1_000),
        continuing_degree: yuan(400),
        continuing_certificate: yuan(3_600),
        housing_loan: yuan(1_000),
        housing_rent: [yuan(1_500), yuan(1_100), yuan(800)],
    },
    AdditionalAmounts {
        valid_from: day(2022, 1, 1),
        source: "国发〔2022〕8号《国务院关于设立3岁以下婴幼儿照护个人所得税专项附加扣除的通知》",
        child_education: yuan(1_000),
        infant_care: Some(yuan(1_000)),
        elderly_only_child: yuan(2_000),
        elderly_share_cap: yuan(1_000),
        continuing_degree: yuan(400),
        continuing_certificate: yuan(3_600),
        housing_loan: yuan(1_000),
        housing_rent: [yuan(1_500), yuan(1_100), yuan(800)],
    },
    AdditionalAmounts {
        valid_from: day(2023, 1, 1),
        source: "国发〔2023〕13号《国务院关于提高个人所得税有关专项附加扣除标准的通知》 \
                 https://www.gov.cn/zhengce/content/202308/content_6901206.htm",
        child_education: yuan(2_000),
        infant_care: Some(yuan(2_000)),
        elderly_only_child: yuan(3_000),
        elderly_share_cap: yuan(1_500),
        continuing_degree: yuan(400),
        continuing_certificate: yuan(3_600),
        housing_loan: yuan(1_000),
        housing_rent: [yuan(1_500), yuan(1_100), yuan(800)],
    },
];

/// 全年一次性奖金单独计税 (财税〔2018〕164号, extended by 公告2021年第42号 and 公告2023年第30号).
pub static ANNUAL_BONUS_SEPARATE: Window = Window {
    valid_from: day(2019, 1, 1),
    valid_through: day(2027, 12, 31),
    source: "财税〔2018〕164号; 财政部 税务总局公告2021年第42号; 财政部 税务总局公告2023年第30号 \
             https://www.gov.cn/zhengce/zhengceku/202308/content_6900595.htm",
};

/// The latest entry in force on 1 January of `year`; years before the first entry use the first
/// (the tables only start in 2019, when cumulative withholding itself began).
fn latest<T>(entries: &[T], year: i32, from: impl Fn(&T) -> NaiveDate) -> Option<&T> {
    entries.iter().rev().find(|e| from(e).year() <= year).or(entries.first())
}

/// 预扣率表一 for `year`.
pub fn wage_table(year: i32) -> &'static TaxTable {
    latest(&WAGE_TABLES, year, |t| t.valid_from).unwrap_or(&WAGE_TABLES[0])
}

/// 月度税率表 for `year`.
pub fn monthly_table(year: i32) -> &'static TaxTable {
    latest(&MONTHLY_TABLES, year, |t| t.valid_from).unwrap_or(&MONTHLY_TABLES[0])
}

/// 预扣率表二 for `year`.
pub fn labour_table(year: i32) -> &'static TaxTable {
    latest(&LABOUR_TABLES, year, |t| t.valid_from).unwrap_or(&LABOUR_TABLES[0])
}

/// 基本减除费用 per month in `year`.
pub fn basic_deduction(year: i32) -> Decimal {
    latest(&BASIC_DEDUCTION, year, |a| a.valid_from).unwrap_or(&BASIC_DEDUCTION[0]).amount
}

/// The 公告2020年第19号 whole-year deduction.
pub fn prior_year_low_income_deduction(year: i32) -> Decimal {
    latest(&PRIOR_YEAR_LOW_INCOME_DEDUCTION, year, |a| a.valid_from)
        .unwrap_or(&PRIOR_YEAR_LOW_INCOME_DEDUCTION[0])
        .amount
}

/// The special-additional-deduction amounts of `year`; None before 2019 (the deductions did not exist).
pub fn additional_amounts(year: i32) -> Option<&'static AdditionalAmounts> {
    ADDITIONAL_AMOUNTS.iter().rev().find(|a| a.valid_from.year() <= year)
}

/// Whether the annual one-off bonus may still be taxed on its own in `year`.
pub fn separate_bonus_available(year: i32) -> bool {
    (ANNUAL_BONUS_SEPARATE.valid_from.year()..=ANNUAL_BONUS_SEPARATE.valid_through.year()).contains(&year)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn brackets_are_increasing_and_the_tax_is_continuous_at_every_bound() {
        for table in [&WAGE_TABLES[0], &MONTHLY_TABLES[0]] {
            for pair in table.brackets.windows(2) {
                let (lo, hi) = (pair[0], pair[1]);
                let bound = lo.up_to.unwrap_or_default();
                assert!(hi.up_to.is_none_or(|u| u > bound));
                assert_eq!(bound * lo.rate - lo.quick_deduction, bound * hi.rate - hi.quick_deduction, "{bound}");
            }
        }
    }

    #[test]
    fn rates_print_with_two_decimals() {
        assert_eq!(wage_table(2025).bracket(yuan(37_000)).rate.to_string(), "0.10");
        assert_eq!(wage_table(2025).bracket(yuan(36_000)).rate.to_string(), "0.03");
    }

    #[test]
    fn amounts_follow_their_dates() {
        assert_eq!(additional_amounts(2018), None);
        assert_eq!(additional_amounts(2021).map(|a| a.infant_care), Some(None));
        assert_eq!(additional_amounts(2022).and_then(|a| a.infant_care), Some(yuan(1_000)));
        assert_eq!(additional_amounts(2025).map(|a| a.child_education), Some(yuan(2_000)));
        assert!(separate_bonus_available(2027) && !separate_bonus_available(2028));
        assert_eq!(basic_deduction(2025), yuan(5_000));
    }
}
