//! Masking: how a value is shown to a viewer whose clearance does not reach its
//! field's level ([`crate::classify`]). Pure functions of the [`MaskKind`] and the text.
//!
//! Everything counts characters, not bytes, so Chinese names and addresses mask
//! cleanly. A value too short to keep its visible parts without giving the whole
//! thing away is starred completely.

use crate::classify::MaskKind;

const STAR: char = '*';

/// Mask `value` for display. [`MaskKind::None`] returns it unchanged.
pub fn mask(kind: MaskKind, value: &str) -> String {
    match kind {
        MaskKind::None => value.to_owned(),
        MaskKind::IdNumber => keep_ends(value, 6, 4),
        MaskKind::Phone => keep_ends(value, 3, 4),
        MaskKind::BankCard => bank_card(value),
        MaskKind::Address => address(value),
        MaskKind::Email => email(value),
        MaskKind::Hidden => "***".to_owned(),
        MaskKind::Name => name(value),
    }
}

/// Keep the first `head` and last `tail` characters, star the middle (one star per
/// character, so the length stays recognisable: 110101********1234). Values with no
/// middle to hide are starred entirely.
fn keep_ends(value: &str, head: usize, tail: usize) -> String {
    let chars: Vec<char> = value.trim().chars().collect();
    let n = chars.len();
    if n <= head + tail {
        return stars(n.max(1));
    }
    let mut out = String::with_capacity(value.len());
    out.extend(&chars[..head]);
    out.extend(std::iter::repeat_n(STAR, n - head - tail));
    out.extend(&chars[n - tail..]);
    out
}

/// `****1234`: only the last four digits, whatever the length (card lengths vary 12–19).
fn bank_card(value: &str) -> String {
    let digits: Vec<char> = value.chars().filter(|c| !c.is_whitespace() && *c != '-').collect();
    if digits.len() <= 4 {
        return stars(4);
    }
    let mut out = stars(4);
    out.extend(&digits[digits.len() - 4..]);
    out
}

/// First six characters (province, city, district in a Chinese address) then `****`.
fn address(value: &str) -> String {
    let chars: Vec<char> = value.trim().chars().collect();
    if chars.len() <= 6 {
        return stars(4);
    }
    let mut out: String = chars[..6].iter().collect();
    out.push_str("****");
    out
}

/// `z***@example.com`: first character of the local part, then the domain.
fn email(value: &str) -> String {
    let value = value.trim();
    match value.rsplit_once('@') {
        Some((local, domain)) if !local.is_empty() && !domain.is_empty() => {
            let first = local.chars().next().map(String::from).unwrap_or_default();
            format!("{first}***@{domain}")
        }
        _ => "***".to_owned(),
    }
}

/// `张**`: the first character (the family name for most Chinese names), one star per
/// remaining character. A one-character value is starred.
fn name(value: &str) -> String {
    let chars: Vec<char> = value.trim().chars().collect();
    match chars.len() {
        0 | 1 => stars(1),
        n => {
            let mut out = String::new();
            out.push(chars[0]);
            out.extend(std::iter::repeat_n(STAR, n - 1));
            out
        }
    }
}

fn stars(n: usize) -> String {
    std::iter::repeat_n(STAR, n).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use MaskKind::*;

    #[test]
    fn id_number() {
        assert_eq!(mask(IdNumber, "110101199003071234"), "110101********1234");
        assert_eq!(mask(IdNumber, "11010119900307123X"), "110101********123X");
        assert_eq!(mask(IdNumber, "110101900307123"), "110101*****7123");
        assert_eq!(mask(IdNumber, "E12345678"), "*********");
        assert_eq!(mask(IdNumber, ""), "*");
    }

    #[test]
    fn phone() {
        assert_eq!(mask(Phone, "13812345678"), "138****5678");
        assert_eq!(mask(Phone, "010-62345678"), "010*****5678");
        assert_eq!(mask(Phone, "1234567"), "*******");
    }

    #[test]
    fn bank_card() {
        assert_eq!(mask(BankCard, "6222020200112233445"), "****3445");
        assert_eq!(mask(BankCard, "6222 0202 0011 2233 445"), "****3445");
        assert_eq!(mask(BankCard, "1234"), "****");
        assert_eq!(mask(BankCard, ""), "****");
    }

    #[test]
    fn address() {
        assert_eq!(mask(Address, "北京市海淀区中关村大街27号"), "北京市海淀区****");
        assert_eq!(mask(Address, "北京市海淀区"), "****");
        assert_eq!(mask(Address, "12 Main Street"), "12 Mai****");
    }

    #[test]
    fn email() {
        assert_eq!(mask(Email, "zhangsan@example.com"), "z***@example.com");
        assert_eq!(mask(Email, "张三@例子.中国"), "张***@例子.中国");
        assert_eq!(mask(Email, "not-an-email"), "***");
        assert_eq!(mask(Email, "@example.com"), "***");
    }

    #[test]
    fn name() {
        assert_eq!(mask(Name, "张三丰"), "张**");
        assert_eq!(mask(Name, "张三"), "张*");
        assert_eq!(mask(Name, "欧阳娜娜"), "欧***");
        assert_eq!(mask(Name, "王"), "*");
        assert_eq!(mask(Name, "Ada Lovelace"), "A***********");
    }

    #[test]
    fn hidden_and_none() {
        assert_eq!(mask(Hidden, "25000.00"), "***");
        assert_eq!(mask(Hidden, ""), "***");
        assert_eq!(mask(None, "研发部"), "研发部");
    }

    #[test]
    fn never_reveals_a_short_value_whole() {
        for kind in [IdNumber, Phone, BankCard, Address, Email, Hidden, Name] {
            for v in ["1", "12", "1234", "张"] {
                assert_ne!(mask(kind, v), v, "{kind:?} of {v:?}");
            }
        }
    }
}
