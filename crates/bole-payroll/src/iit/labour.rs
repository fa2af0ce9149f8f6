//! Labour remuneration (劳务报酬所得) withheld per payment (国家税务总局公告2018年第61号 art.8), not
//! cumulatively: 收入额 = payment − 800 up to 4,000, payment × 80% above (both 3,200 at exactly
//! 4,000), then 预扣率表二 (20% / 30% − 2,000 / 40% − 7,000). Continuous income from one source
//! within a month is one payment; adding such payments up is the caller's job.

use super::tables;
use crate::money::round_fen;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

/// The withholding on one labour payment.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct LabourTax {
    /// 预扣预缴应纳税所得额, rounded to the fen for display (the tax uses the exact figure).
    pub taxable: Decimal,
    pub rate: Decimal,
    pub quick_deduction: Decimal,
    pub tax: Decimal,
}

/// Withholding on one payment of labour remuneration. A payment of zero or less owes nothing.
pub fn labour_remuneration(payment: Decimal) -> LabourTax {
    let four_thousand = Decimal::from(4_000);
    let taxable = if payment <= four_thousand {
        (payment - Decimal::from(800)).max(Decimal::ZERO)
    } else {
        payment * Decimal::new(8, 1)
    };
    // The labour table has had one version since 2019; the year does not matter.
    let bracket = tables::LABOUR_TABLES[0].bracket(taxable);
    LabourTax {
        taxable: round_fen(taxable),
        rate: bracket.rate,
        quick_deduction: bracket.quick_deduction,
        tax: round_fen(taxable * bracket.rate - bracket.quick_deduction).max(Decimal::ZERO),
    }
}
