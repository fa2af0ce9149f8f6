//! Data standards (数据标准): the rules every person record is held to, applied
//! at every edge where data enters or is judged — API input, roster import and
//! the data-quality report (T/GXDSL 8.2.3 data governance; seed 003 §1).
//!
//! Owns: resident identity numbers (GB 11643-1999, [`id_number`]), the coded
//! dictionaries with synonym normalisation ([`dictionaries`]), phone and email
//! syntax ([`contact`]) and the per-record quality rules ([`quality`]). Pure
//! functions over strings and dates: no IO, no clock — callers compare dates
//! with "today" through `bole_core::Clock` themselves.

pub mod contact;
pub mod dictionaries;
pub mod id_number;
pub mod quality;

pub use contact::{ContactError, mask_mobile, normalize_email, normalize_mobile, normalize_phone};
pub use dictionaries::{Dictionary, Entry};
pub use id_number::{
    IdNumberError, IdReport, Legacy15Century, ParseOptions, ResidentId, Sex, check_digit, mask as mask_id_number,
    province_name, report as id_report, synthesize,
};
pub use quality::{PersonFacts, QualityIssue, check as check_person};

/// Full-width ASCII (ＡＢＣ１２３＠－) → half-width, and the ideographic space →
/// a plain space. Chinese input methods produce these routinely, and a clerk
/// cannot see the difference on screen, so every standard folds them first.
fn half_width(c: char) -> char {
    match c {
        '\u{3000}' => ' ',
        '\u{FF01}'..='\u{FF5E}' => char::from_u32(u32::from(c) - 0xFEE0).unwrap_or(c),
        _ => c,
    }
}

#[cfg(test)]
mod tests {
    use super::half_width;

    #[test]
    fn half_width_folds_full_width_ascii_only() {
        let folded: String = "１１０１０５ｘ＠Ａ－　中".chars().map(half_width).collect();
        assert_eq!(folded, "110105x@A- 中");
    }
}
