//! One employee's monthly contributions under a policy: each item's base is the declared base
//! clamped to that item's floor and cap, each side's amount is rounded by the item's rounding
//! mode, the housing fund uses the employer's chosen rates within the policy's range, and the
//! part of the employee's contributions that IIT deducts as 专项扣除 is worked out here too.

use super::{Rounding, SiKind, SiLine, SiPolicy};
use crate::model::SiEnrolment;
use crate::money::round_fen;
use bole_core::{FieldErrors, Msg};
use rust_decimal::{Decimal, RoundingStrategy};
use serde::{Deserialize, Serialize};

/// What an employee declares: bases, housing fund rates chosen by the employer, and enrolment.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SiBases {
    pub si_base: Decimal,
    /// None = the SI base.
    pub hf_base: Option<Decimal>,
    /// None = the policy's default rate.
    pub hf_rate_employee: Option<Decimal>,
    pub hf_rate_employer: Option<Decimal>,
    pub si_enrolled: bool,
    pub hf_enrolled: bool,
}

impl From<&SiEnrolment> for SiBases {
    fn from(e: &SiEnrolment) -> Self {
        Self {
            si_base: e.si_base,
            hf_base: e.hf_base,
            hf_rate_employee: e.hf_rate_employee,
            hf_rate_employer: e.hf_rate_employer,
            si_enrolled: e.si_enrolled,
            hf_enrolled: e.hf_enrolled,
        }
    }
}

/// The month's contributions.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SiResult {
    pub lines: Vec<SiLine>,
    pub employee_si: Decimal,
    pub employer_si: Decimal,
    pub employee_hf: Decimal,
    pub employer_hf: Decimal,
    /// IIT 专项扣除: employee pension + medical (incl. fixed) + unemployment + housing fund (HF above 12% /
    /// above the cap is not deductible)
    pub deductible: Decimal,
}

/// The housing fund rate above which the employee's part is taxable (建金〔2005〕5号, 财税〔2006〕10号).
const HF_DEDUCTIBLE_RATE: Decimal = Decimal::from_parts(12, 0, 0, false, 2);

/// `amount` rounded as `mode` says. Contributions are never negative, so "up" is away from zero.
pub fn round_by(amount: Decimal, mode: Rounding) -> Decimal {
    match mode {
        Rounding::Fen => round_fen(amount),
        Rounding::Jiao => amount.round_dp_with_strategy(1, RoundingStrategy::MidpointAwayFromZero),
        Rounding::Yuan => amount.round_dp_with_strategy(0, RoundingStrategy::MidpointAwayFromZero),
        Rounding::UpJiao => amount.round_dp_with_strategy(1, RoundingStrategy::AwayFromZero),
        Rounding::UpYuan => amount.round_dp_with_strategy(0, RoundingStrategy::AwayFromZero),
    }
}

fn negative(d: Decimal) -> bool {
    d.is_sign_negative() && !d.is_zero()
}

/// Contributions of one employee for one month under `policy`. Refused (field errors): a negative
/// base; a housing fund rate outside the policy's range (`hf_rate_employee` / `hf_rate_employer`).
/// Not enrolled → no lines for that side (SI or HF).
pub fn contributions(policy: &SiPolicy, bases: &SiBases) -> Result<SiResult, FieldErrors> {
    let mut errors = FieldErrors::new();
    if negative(bases.si_base) {
        errors.add("si_base", Msg::new("社保缴费基数不能为负数。", "The SI base cannot be negative."));
    }
    if bases.hf_base.is_some_and(negative) {
        errors.add("hf_base", Msg::new("公积金缴存基数不能为负数。", "The housing fund base cannot be negative."));
    }

    let mut out = SiResult::default();
    for item in &policy.items {
        let is_hf = item.kind == SiKind::HousingFund;
        if (is_hf && !bases.hf_enrolled) || (!is_hf && !bases.si_enrolled) {
            continue;
        }
        let (declared, employee_rate, employer_rate) = if is_hf {
            let chosen = [
                ("hf_rate_employee", bases.hf_rate_employee.unwrap_or(item.employee_rate)),
                ("hf_rate_employer", bases.hf_rate_employer.unwrap_or(item.employer_rate)),
            ];
            let lo = item.min_rate.unwrap_or(Decimal::ZERO);
            let hi = item.max_rate.unwrap_or(Decimal::ONE);
            for (field, r) in chosen {
                if r < lo || r > hi {
                    errors.add(
                        field,
                        Msg::new(
                            format!(
                                "{}的住房公积金缴存比例须在 {}%–{}% 之间，收到 {}%。",
                                policy.name,
                                percent(lo),
                                percent(hi),
                                percent(r)
                            ),
                            format!(
                                "The housing fund rate must be within {}%–{}% under {}; got {}%.",
                                percent(lo),
                                percent(hi),
                                policy.city,
                                percent(r)
                            ),
                        ),
                    );
                }
            }
            (bases.hf_base.unwrap_or(bases.si_base), chosen[0].1, chosen[1].1)
        } else {
            (bases.si_base, item.employee_rate, item.employer_rate)
        };
        let base = declared.clamp(item.floor, item.cap.max(item.floor));
        let employee = round_by(base * employee_rate, item.rounding) + item.employee_fixed;
        let employer = round_by(base * employer_rate, item.rounding);
        if is_hf {
            out.employee_hf += employee;
            out.employer_hf += employer;
            out.deductible += if employee_rate > HF_DEDUCTIBLE_RATE {
                round_by(base * HF_DEDUCTIBLE_RATE, item.rounding) + item.employee_fixed
            } else {
                employee
            };
        } else {
            out.employee_si += employee;
            out.employer_si += employer;
            if matches!(item.kind, SiKind::Pension | SiKind::Medical | SiKind::Unemployment | SiKind::SeriousIllness) {
                out.deductible += employee;
            }
        }
        out.lines.push(SiLine { kind: item.kind, base, employee_rate, employer_rate, employee, employer });
    }
    errors.into_result().map(|()| out)
}

/// 0.12 → "12", 0.005 → "0.5".
fn percent(r: Decimal) -> String {
    (r * Decimal::ONE_HUNDRED).normalize().to_string()
}
