//! Contact details: mainland mobile and landline numbers and email addresses,
//! normalised to one stored form so duplicates can be found and SMS or mail
//! reach the person; plus the mobile display mask. Syntax only — whether a
//! number or mailbox exists is not knowable here.

use bole_core::{ErrorKind, Failure, Msg};
use email_address::{EmailAddress, Options};

#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ContactError {
    #[error("not a mainland mobile number")]
    InvalidMobile,
    #[error("not a mainland mobile or landline number")]
    InvalidPhone,
    #[error("not an email address")]
    InvalidEmail,
}

impl ContactError {
    /// Stable snake_case code; mobile and phone share one, as the UI treats them alike.
    pub fn code(&self) -> &'static str {
        match self {
            ContactError::InvalidMobile | ContactError::InvalidPhone => "phone_invalid",
            ContactError::InvalidEmail => "email_invalid",
        }
    }

    pub fn message(&self) -> Msg {
        match self {
            ContactError::InvalidMobile => Msg::new(
                "手机号格式不正确：应为11位数字，以1开头",
                "the mobile number is malformed: it must be 11 digits starting with 1",
            ),
            ContactError::InvalidPhone => Msg::new(
                "电话号码格式不正确：应为11位手机号，或带区号的固定电话（如 010-62345678、0771-5551234-801）",
                "the phone number is malformed: give an 11-digit mobile number or a landline with its area code (e.g. 010-62345678, 0771-5551234-801)",
            ),
            ContactError::InvalidEmail => Msg::new(
                "电子邮箱格式不正确，应类似 name@example.com",
                "the email address is malformed; it should look like name@example.com",
            ),
        }
    }
}

impl Failure for ContactError {
    fn code(&self) -> &'static str {
        ContactError::code(self)
    }

    fn kind(&self) -> ErrorKind {
        ErrorKind::Invalid
    }

    fn message(&self) -> Msg {
        ContactError::message(self)
    }
}

/// A mainland mobile number as its 11 digits. Spaces and dashes are ignored,
/// as is a leading `+86`, `0086` or `86` country code.
pub fn normalize_mobile(input: &str) -> Result<String, ContactError> {
    let cleaned: String = input.chars().map(super::half_width).filter(|c| !c.is_whitespace() && *c != '-').collect();
    let national = strip_country_code(&cleaned);
    let national = match national.strip_prefix("86") {
        Some(rest) if national.len() == 13 => rest,
        _ => national,
    };
    let b = national.as_bytes();
    let well_formed =
        b.len() == 11 && b.iter().all(u8::is_ascii_digit) && b[0] == b'1' && (b'3'..=b'9').contains(&b[1]);
    if well_formed { Ok(national.to_owned()) } else { Err(ContactError::InvalidMobile) }
}

/// A mobile number (as [`normalize_mobile`]) or a landline, stored as
/// `0AA-NNNNNNNN` or `0AAA-NNNNNNN[N]`, with `-EXT` when an extension
/// (1–6 digits, written `-123` or `转123`) is given.
pub fn normalize_phone(input: &str) -> Result<String, ContactError> {
    normalize_mobile(input).ok().or_else(|| normalize_landline(input)).ok_or(ContactError::InvalidPhone)
}

fn strip_country_code(s: &str) -> &str {
    s.strip_prefix("+86").or_else(|| s.strip_prefix("0086")).unwrap_or(s)
}

fn normalize_landline(input: &str) -> Option<String> {
    let cleaned: String = input
        .chars()
        .map(super::half_width)
        .filter(|c| !c.is_whitespace() && !matches!(c, '(' | ')'))
        .map(|c| if c == '转' { '-' } else { c })
        .collect();
    let mut national = strip_country_code(&cleaned).to_owned();
    if national.len() < cleaned.len() {
        // International form drops the trunk 0: +86 10 1234 5678.
        national = national.trim_start_matches('-').to_owned();
        if !national.starts_with('0') {
            national.insert(0, '0');
        }
    }

    let parts: Vec<&str> = national.split('-').collect();
    if parts.iter().any(|p| p.is_empty() || !p.bytes().all(|b| b.is_ascii_digit())) {
        return None;
    }
    let (given_area, rest, extension) = match parts.as_slice() {
        [all] => (None, *all, None),
        [area, number] if area.len() <= 4 => (Some(*area), *number, None),
        [all, extension] => (None, *all, Some(*extension)),
        [area, number, extension] => (Some(*area), *number, Some(*extension)),
        _ => return None,
    };
    let digits = format!("{}{rest}", given_area.unwrap_or(""));

    // Beijing (010) and the 02X cities have two-digit area codes; every other
    // area code has three. So the split is decided by the digit after the 0.
    let area_len = match digits.as_bytes().get(..2)? {
        [b'0', b'1' | b'2'] => 3,
        [b'0', b'3'..=b'9'] => 4,
        _ => return None,
    };
    if given_area.is_some_and(|a| a.len() != area_len) {
        return None;
    }
    let (area, local) = digits.split_at(area_len);
    // Local numbers start 2–9: 0 is the trunk prefix and 1 opens service numbers.
    let local_ok = (7..=8).contains(&local.len()) && !local.starts_with(['0', '1']);
    let extension_ok = extension.is_none_or(|e| (1..=6).contains(&e.len()));
    if !local_ok || !extension_ok {
        return None;
    }
    Some(match extension {
        Some(e) => format!("{area}-{local}-{e}"),
        None => format!("{area}-{local}"),
    })
}

/// An email address with its domain lower-cased (the local part is left
/// alone: servers may treat it case-sensitively). Display names ("张三
/// <a@b.cn>"), IP-literal domains and dotless domains are refused — none is a
/// mailbox a person gives on a form.
pub fn normalize_email(input: &str) -> Result<String, ContactError> {
    let folded: String = input.chars().map(super::half_width).collect();
    let options = Options::default().with_required_tld().without_domain_literal().without_display_text();
    let address = EmailAddress::parse_with_options(folded.trim(), options).map_err(|_| ContactError::InvalidEmail)?;
    Ok(format!("{}@{}", address.local_part(), address.domain().to_lowercase()))
}

/// Display mask (china-hr-rules §6.1): first 3 and last 4 digits of a mobile
/// number, `138****5678`. Input that is not a mobile number keeps its first 3
/// and last 4 characters when it has at least 8, and is fully masked otherwise.
pub fn mask_mobile(input: &str) -> String {
    let value = normalize_mobile(input).unwrap_or_else(|_| input.trim().to_owned());
    let chars: Vec<char> = value.chars().collect();
    let n = chars.len();
    if n < 8 {
        return "*".repeat(n);
    }
    chars.iter().enumerate().map(|(i, c)| if i < 3 || i >= n - 4 { *c } else { '*' }).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mobile_numbers_normalise_to_eleven_digits() {
        for input in [
            "13812345678",
            " 138 1234 5678 ",
            "138-1234-5678",
            "+8613812345678",
            "+86 138 1234 5678",
            "008613812345678",
            "8613812345678",
            "１３８１２３４５６７８",
        ] {
            assert_eq!(normalize_mobile(input).as_deref(), Ok("13812345678"), "{input}");
        }
        assert_eq!(normalize_mobile("19912345678").as_deref(), Ok("19912345678"));
    }

    #[test]
    fn malformed_mobile_numbers_are_refused() {
        for input in [
            "",
            "1381234567",
            "138123456789",
            "12812345678",
            "23812345678",
            "1381234567a",
            "+8512812345678",
            "86138123456",
        ] {
            assert_eq!(normalize_mobile(input), Err(ContactError::InvalidMobile), "{input}");
        }
        let err = ContactError::InvalidMobile;
        assert_eq!(err.code(), "phone_invalid");
        assert_eq!(err.message().zh, "手机号格式不正确：应为11位数字，以1开头");
    }

    #[test]
    fn phones_accept_mobiles_and_landlines() {
        for (input, expected) in [
            ("13812345678", "13812345678"),
            ("+86 138 1234 5678", "13812345678"),
            ("010-62345678", "010-62345678"),
            ("01062345678", "010-62345678"),
            ("(010) 6234 5678", "010-62345678"),
            ("021-87654321", "021-87654321"),
            ("0771-5551234", "0771-5551234"),
            ("07715551234", "0771-5551234"),
            ("0755-88889999", "0755-88889999"),
            ("0771-5551234-801", "0771-5551234-801"),
            ("0771-5551234转801", "0771-5551234-801"),
            ("07715551234-801", "0771-5551234-801"),
            ("+86 10 62345678", "010-62345678"),
            ("+86-771-5551234", "0771-5551234"),
            ("０１０－６２３４５６７８", "010-62345678"),
        ] {
            assert_eq!(normalize_phone(input).as_deref(), Ok(expected), "{input}");
        }
    }

    #[test]
    fn malformed_phones_are_refused() {
        for input in [
            "",
            "12345678",
            "010-123456",
            "010-623456789",
            "0771-0551234",
            "010-12345678",
            "01-12345678",
            "0771-55512-34",
            "0101-2345678",
            "0771-5551234-1234567",
            "0771--5551234",
            "0771-555123a",
            "00-12345678",
            "1-2-3-4",
        ] {
            assert_eq!(normalize_phone(input), Err(ContactError::InvalidPhone), "{input}");
        }
        assert_eq!(ContactError::InvalidPhone.code(), "phone_invalid");
    }

    #[test]
    fn emails_lowercase_only_the_domain() {
        assert_eq!(normalize_email(" Zhang.San@Example.COM ").as_deref(), Ok("Zhang.San@example.com"));
        assert_eq!(normalize_email("hr+roster@bole.gov.cn").as_deref(), Ok("hr+roster@bole.gov.cn"));
        assert_eq!(normalize_email("zhangsan＠example．com").as_deref(), Ok("zhangsan@example.com"));
    }

    #[test]
    fn malformed_emails_are_refused() {
        for input in [
            "",
            "zhangsan",
            "zhangsan@",
            "@example.com",
            "zhang san@example.com",
            "a@localhost",
            "a@[127.0.0.1]",
            "张三 <a@example.com>",
            "a@@example.com",
            "a@example..com",
        ] {
            assert_eq!(normalize_email(input), Err(ContactError::InvalidEmail), "{input}");
        }
        let err = ContactError::InvalidEmail;
        assert_eq!(err.code(), "email_invalid");
        assert!(err.message().zh.contains("电子邮箱"));
    }

    #[test]
    fn mobile_mask() {
        assert_eq!(mask_mobile("13812345678"), "138****5678");
        assert_eq!(mask_mobile("+86 138 1234 5678"), "138****5678");
        assert_eq!(mask_mobile("010-62345678"), "010*****5678");
        assert_eq!(mask_mobile("1234567"), "*******");
        assert_eq!(mask_mobile(""), "");
    }
}
