//! The annual one-off bonus (全年一次性奖金) taxed on its own (财税〔2018〕164号, extended to
//! 2027-12-31 by 财政部 税务总局公告2023年第30号): bonus ÷ 12 picks the rate in the 月度税率表, and
//! the tax is `bonus × rate − quick deduction`, the quick deduction taken once, not twelve times.
//!
//! The method jumps at each bound ("多发一元多缴几千": 36,000 → 1,080.00, 36,001 → 3,390.10); that is
//! the law, not a bug. Outside its window (before 2019, after 2027) the function refuses with a
//! `year` field error rather than guessing: from 2028 the bonus is merged into wages unless a new
//! notice extends the method (add it to `tables::ANNUAL_BONUS_SEPARATE`).

use super::tables;
use crate::money::round_fen;
use bole_core::{FieldErrors, Msg};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

/// The separate tax on an annual bonus.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct BonusTax {
    /// Bonus ÷ 12, rounded to the fen for display (the bracket is chosen on the exact quotient).
    pub monthly_equivalent: Decimal,
    pub rate: Decimal,
    pub quick_deduction: Decimal,
    pub tax: Decimal,
}

/// Tax on an annual one-off bonus paid in `year`, taxed separately.
pub fn annual_bonus(year: i32, amount: Decimal) -> Result<BonusTax, FieldErrors> {
    let mut errors = FieldErrors::new();
    if !tables::separate_bonus_available(year) {
        let w = &tables::ANNUAL_BONUS_SEPARATE;
        errors.add(
            "year",
            Msg::new(
                format!(
                    "{year} 年不适用全年一次性奖金单独计税（政策期间 {} 至 {}，{}），请并入当年综合所得计税。",
                    w.valid_from, w.valid_through, w.source
                ),
                format!(
                    "The separate annual-bonus method does not apply in {year} (in force {} to {}); merge the bonus into wages.",
                    w.valid_from, w.valid_through
                ),
            ),
        );
    }
    if amount.is_sign_negative() && !amount.is_zero() {
        errors.add("amount", Msg::new("奖金金额不能为负数。", "The bonus cannot be negative."));
    }
    errors.into_result()?;
    let twelve = Decimal::from(12);
    let bracket = tables::monthly_table(year).bracket_scaled(amount, twelve);
    Ok(BonusTax {
        monthly_equivalent: round_fen(amount / twelve),
        rate: bracket.rate,
        quick_deduction: bracket.quick_deduction,
        tax: round_fen(amount * bracket.rate - bracket.quick_deduction).max(Decimal::ZERO),
    })
}
