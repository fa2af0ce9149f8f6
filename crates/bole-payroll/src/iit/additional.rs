//! Special additional deductions (专项附加扣除) withheld monthly: the amount each declaration is
//! worth (国发〔2018〕41号, 〔2022〕8号, 〔2023〕13号 — amounts in `tables::ADDITIONAL_AMOUNTS`), the
//! checks a new declaration must pass against the employee's others, and the sum per item that
//! a month's withholding deducts. 大病医疗 is settled only at the annual reconciliation, so it is
//! not an item here.
//!
//! The certificate of 继续教育（职业资格）is 3,600 once, in the year it is obtained; it is modelled
//! as a declaration covering a single month (start_month = end_month) worth 3,600 that month.

use super::tables::{self, AdditionalAmounts};
use crate::model::{AdditionalKind, DeclarationStatus, DeductionDeclaration, DeductionDetails, NewDeclaration};
use bole_core::{FieldErrors, Msg};
use rust_decimal::Decimal;
use std::collections::BTreeMap;

fn amounts_for(year: i32, errors: &mut FieldErrors) -> Option<&'static AdditionalAmounts> {
    let found = tables::additional_amounts(year);
    if found.is_none() {
        errors.add(
            "year",
            Msg::new(
                format!("专项附加扣除自 2019 年起实施，{year} 年不适用。"),
                format!("Special additional deductions exist from 2019; {year} has none."),
            ),
        );
    }
    found
}

/// 100% to one parent, or 50% to each.
fn child_share(per_child: Decimal, details: &DeductionDetails, errors: &mut FieldErrors) -> Decimal {
    if details.children == 0 {
        errors.add("details.children", Msg::new("子女人数至少为 1。", "At least one child is required."));
    }
    if details.share_percent != 100 && details.share_percent != 50 {
        errors.add(
            "details.share_percent",
            Msg::new(
                format!("扣除比例只能为 100 或 50（父母一方全额或双方各 50%），收到 {}。", details.share_percent),
                format!("The share must be 100 or 50, got {}.", details.share_percent),
            ),
        );
    }
    per_child * Decimal::from(details.children) * Decimal::from(details.share_percent) / Decimal::from(100)
}

/// Elderly support: an only child takes the whole amount; a non-only child takes the share agreed
/// among the siblings (an amount, or a percentage of the whole), at most the per-person cap.
fn elderly(a: &AdditionalAmounts, details: &DeductionDetails, errors: &mut FieldErrors) -> Decimal {
    if details.only_child {
        return a.elderly_only_child;
    }
    let amount = match details.agreed_amount {
        Some(v) => v,
        None if details.share_percent > 0 && details.share_percent < 100 => {
            a.elderly_only_child * Decimal::from(details.share_percent) / Decimal::from(100)
        }
        None => {
            errors.add(
                "details.agreed_amount",
                Msg::new(
                    format!("非独生子女须填写与兄弟姐妹约定的每月分摊金额（不超过 {} 元）。", a.elderly_share_cap),
                    format!("A non-only child must give the agreed monthly share (at most {}).", a.elderly_share_cap),
                ),
            );
            return Decimal::ZERO;
        }
    };
    if amount <= Decimal::ZERO || amount.normalize().scale() > 2 {
        errors.add(
            "details.agreed_amount",
            Msg::new("分摊金额须为大于 0、最多两位小数的金额。", "The share must be a positive amount in fen."),
        );
    } else if amount > a.elderly_share_cap {
        errors.add(
            "details.agreed_amount",
            Msg::new(
                format!("非独生子女每月分摊的赡养老人扣除不能超过 {} 元，收到 {amount}。", a.elderly_share_cap),
                format!("A non-only child's share is at most {} a month, got {amount}.", a.elderly_share_cap),
            ),
        );
    }
    amount
}

/// The monthly amount a declaration of `kind` with `details` is worth in `year` (for the
/// certificate item: the one-off amount, for the month it is declared for).
pub fn additional_monthly(kind: AdditionalKind, details: &DeductionDetails, year: i32) -> Result<Decimal, FieldErrors> {
    let mut errors = FieldErrors::new();
    let Some(a) = amounts_for(year, &mut errors) else {
        return Err(errors);
    };
    let amount = match kind {
        AdditionalKind::ChildEducation => child_share(a.child_education, details, &mut errors),
        AdditionalKind::InfantCare => match a.infant_care {
            Some(per_child) => child_share(per_child, details, &mut errors),
            None => {
                errors.add(
                    "kind",
                    Msg::new(
                        "3岁以下婴幼儿照护专项附加扣除自 2022 年起实施（国发〔2022〕8号）。",
                        "Infant care is deductible from 2022 (国发〔2022〕8号).",
                    ),
                );
                Decimal::ZERO
            }
        },
        AdditionalKind::ContinuingEducationDegree => a.continuing_degree,
        AdditionalKind::ContinuingEducationCertificate => a.continuing_certificate,
        AdditionalKind::HousingLoan => a.housing_loan,
        AdditionalKind::HousingRent => match details.rent_tier {
            Some(t @ 1..=3) => a.housing_rent[usize::from(t - 1)],
            other => {
                errors.add(
                    "details.rent_tier",
                    Msg::new(
                        format!(
                            "请选择城市类别 1（直辖市、省会、计划单列市：1,500 元）、2（户籍人口超过 100 万：1,100 元）或 3（800 元）{}。",
                            other.map(|t| format!("，收到 {t}")).unwrap_or_default()
                        ),
                        "Choose the city tier: 1 (1,500), 2 (1,100) or 3 (800).",
                    ),
                );
                Decimal::ZERO
            }
        },
        AdditionalKind::ElderlySupport => elderly(a, details, &mut errors),
    };
    errors.into_result().map(|()| amount)
}

/// Kinds at most one declaration may cover in any month (children and certificates may repeat:
/// one declaration per child, one per certificate).
fn single_per_month(kind: AdditionalKind) -> bool {
    matches!(
        kind,
        AdditionalKind::ContinuingEducationDegree
            | AdditionalKind::HousingLoan
            | AdditionalKind::HousingRent
            | AdditionalKind::ElderlySupport
    )
}

fn kind_zh(kind: AdditionalKind) -> &'static str {
    match kind {
        AdditionalKind::ChildEducation => "子女教育",
        AdditionalKind::InfantCare => "3岁以下婴幼儿照护",
        AdditionalKind::ContinuingEducationDegree => "继续教育（学历）",
        AdditionalKind::ContinuingEducationCertificate => "继续教育（职业资格）",
        AdditionalKind::HousingLoan => "住房贷款利息",
        AdditionalKind::HousingRent => "住房租金",
        AdditionalKind::ElderlySupport => "赡养老人",
    }
}

/// Check a new declaration against the employee's `existing` ones (withdrawn ones are ignored)
/// and return the monthly amount it is worth. Refused: months outside 1–12 or reversed; a
/// certificate spanning more than one month; housing loan and rent in the same year (国发〔2018〕41号
/// 第十七条: 不能同时分别享受); a second loan, rent, elderly-support or degree declaration
/// overlapping an existing one; any failure of [`additional_monthly`].
pub fn validate_declarations(existing: &[DeductionDeclaration], new: &NewDeclaration) -> Result<Decimal, FieldErrors> {
    let amount = additional_monthly(new.kind, &new.details, new.year);
    let mut errors = amount.as_ref().err().cloned().unwrap_or_default();
    let months_ok = (1..=12).contains(&new.start_month) && (1..=12).contains(&new.end_month);
    if !months_ok {
        errors.add("start_month", Msg::new("起止月份须为 1–12。", "Months must be 1–12."));
    } else if new.start_month > new.end_month {
        errors.add("end_month", Msg::new("结束月份不能早于开始月份。", "The end month is before the start month."));
    } else if new.kind == AdditionalKind::ContinuingEducationCertificate && new.start_month != new.end_month {
        errors.add(
            "end_month",
            Msg::new(
                "职业资格继续教育在取得证书的当年一次性扣除 3,600 元，请只选择一个月份（起止月份相同）。",
                "A professional certificate is deducted once: choose a single month (start = end).",
            ),
        );
    }
    let active = existing.iter().filter(|d| d.status == DeclarationStatus::Active && d.year == new.year);
    for d in active {
        let housing_pair = matches!(
            (d.kind, new.kind),
            (AdditionalKind::HousingLoan, AdditionalKind::HousingRent)
                | (AdditionalKind::HousingRent, AdditionalKind::HousingLoan)
        );
        if housing_pair {
            errors.add(
                "kind",
                Msg::new(
                    format!("{} 年已申报{}，住房贷款利息和住房租金不能在同一年度同时扣除。", new.year, kind_zh(d.kind)),
                    "Housing loan interest and rent cannot both be deducted in the same year.",
                ),
            );
        } else if d.kind == new.kind
            && single_per_month(new.kind)
            && months_ok
            && d.start_month <= new.end_month
            && new.start_month <= d.end_month
        {
            errors.add(
                "start_month",
                Msg::new(
                    format!(
                        "{} 在 {}–{} 月已有申报，月份不能重叠；请先撤回或修改原申报。",
                        kind_zh(new.kind),
                        d.start_month,
                        d.end_month
                    ),
                    "An active declaration of this item already covers some of these months; withdraw or change it first.",
                ),
            );
        }
    }
    match amount {
        Ok(a) if errors.is_empty() => Ok(a),
        _ => Err(errors),
    }
}

/// The special additional deductions of one month, per item: the active declarations of `year`
/// that cover `month`, summed by kind. Items with nothing declared are absent.
pub fn additional_for_month(
    decls: &[DeductionDeclaration],
    year: i32,
    month: u32,
) -> BTreeMap<AdditionalKind, Decimal> {
    let mut out = BTreeMap::new();
    for d in decls {
        if d.status == DeclarationStatus::Active && d.year == year && d.start_month <= month && month <= d.end_month {
            *out.entry(d.kind).or_insert(Decimal::ZERO) += d.monthly_amount;
        }
    }
    out
}
