//! Money: yuan as `Decimal` with two decimals. One rounding rule (half away from zero to the fen,
//! 四舍五入), applied once per published figure — never to intermediate products.

use rust_decimal::{Decimal, RoundingStrategy};

/// An amount in yuan (元), two decimals when published.
pub type Money = Decimal;

/// Round to the fen, half away from zero (四舍五入).
pub fn round_fen(d: Decimal) -> Decimal {
    d.round_dp_with_strategy(2, RoundingStrategy::MidpointAwayFromZero)
}

/// Parse an amount as people write it ("30000", "4,500.5", "１２"): digits, one dot, optional
/// thousands separators; at most two decimals. None for anything else.
pub fn parse_money(s: &str) -> Option<Decimal> {
    let cleaned: String = s
        .trim()
        .chars()
        .map(|c| match c {
            '０'..='９' => char::from_u32(c as u32 - '０' as u32 + '0' as u32).unwrap_or(c),
            '．' => '.',
            _ => c,
        })
        .filter(|c| *c != ',' && *c != '，')
        .collect();
    if cleaned.is_empty() || cleaned.starts_with('+') {
        return None;
    }
    let d: Decimal = cleaned.parse().ok()?;
    (d.scale() <= 2).then_some(d)
}

/// "1234.5" → "1234.50": the published form of an amount.
pub fn fmt_fen(d: Decimal) -> String {
    format!("{:.2}", round_fen(d))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::str::FromStr;

    fn d(s: &str) -> Decimal {
        Decimal::from_str(s).unwrap_or_default()
    }

    #[test]
    fn rounds_half_away_from_zero() {
        assert_eq!(round_fen(d("0.005")), d("0.01"));
        assert_eq!(round_fen(d("0.004999")), d("0.00"));
        assert_eq!(round_fen(d("-0.005")), d("-0.01"));
        assert_eq!(fmt_fen(d("555")), "555.00");
    }

    #[test]
    fn parses_what_people_type() {
        assert_eq!(parse_money("30,000"), Some(d("30000")));
        assert_eq!(parse_money("３０００.５"), Some(d("3000.5")));
        assert_eq!(parse_money("1.234"), None);
        assert_eq!(parse_money("abc"), None);
        assert_eq!(parse_money(""), None);
    }
}
