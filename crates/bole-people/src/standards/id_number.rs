//! The resident identity number (公民身份号码, GB 11643-1999): parsing into a
//! trusted [`ResidentId`], the ISO 7064 MOD 11-2 check digit, conversion of
//! 15-digit legacy numbers, synthetic numbers for demo data, the CLI report and
//! the display mask. Only the mainland 居民身份证 layout lives here; other
//! document types are coded in [`super::dictionaries`].

use std::fmt;
use std::str::FromStr;

use bole_core::{ErrorKind, Failure, Msg};
use chrono::{Datelike, NaiveDate};
use serde::Serialize;

/// Weights for positions 1..=17, i.e. 2^(18−i) mod 11.
const WEIGHTS: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
/// Check character indexed by Σ aᵢ·Wᵢ mod 11.
const CHECK_CHARS: [char; 11] = ['1', '0', 'X', '9', '8', '7', '6', '5', '4', '3', '2'];

/// Sex as encoded in the 17th digit (odd = male, even = female).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Sex {
    Male,
    Female,
}

impl Sex {
    /// The GB/T 2261.1-2003 code, i.e. the `gender` dictionary code.
    pub fn gb2261_code(self) -> &'static str {
        match self {
            Sex::Male => "1",
            Sex::Female => "2",
        }
    }

    pub fn zh(self) -> &'static str {
        match self {
            Sex::Male => "男",
            Sex::Female => "女",
        }
    }

    pub fn en(self) -> &'static str {
        match self {
            Sex::Male => "male",
            Sex::Female => "female",
        }
    }
}

/// Which century a 15-digit legacy number (YYMMDD) was born in.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Legacy15Century {
    /// "19", except sequence codes 996–999 → "18". Those sequences were set
    /// aside for people aged 100+ when the 15-digit cards were issued; this is
    /// common practice among validators, not text of the standard.
    #[default]
    CentenarianSequencesIn1800s,
    /// Always "19".
    Always1900s,
}

/// Knobs for [`ResidentId::parse_with`]; [`ResidentId::parse`] uses the default.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ParseOptions {
    pub legacy_15_century: Legacy15Century,
}

/// Why a string is not a resident identity number. Variants are checked in
/// this order, so a clerk is told the most basic problem first.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum IdNumberError {
    #[error("ID number is empty")]
    Empty,
    #[error("ID number must have 18 characters (or 15 for old cards), found {len}")]
    WrongLength { len: usize },
    /// `position` is 1-based, as a clerk counts.
    #[error("character {position} of the ID number is not allowed")]
    BadCharacter { position: usize },
    /// `code` is the two-digit province prefix.
    #[error("ID number starts with {code}, which is not a province code")]
    UnknownRegion { code: String },
    #[error("the birth date inside the ID number is not a real date")]
    InvalidBirthDate,
    #[error("ID number check digit is {found}, expected {expected}")]
    CheckDigitMismatch { expected: char, found: char },
}

impl IdNumberError {
    /// Stable snake_case code; the UI and import reports switch on it.
    pub fn code(&self) -> &'static str {
        match self {
            IdNumberError::Empty => "id_number_empty",
            IdNumberError::WrongLength { .. } => "id_number_length",
            IdNumberError::BadCharacter { .. } => "id_number_character",
            IdNumberError::UnknownRegion { .. } => "id_number_region",
            IdNumberError::InvalidBirthDate => "id_number_birth_date",
            IdNumberError::CheckDigitMismatch { .. } => "id_number_check_digit",
        }
    }

    /// What the clerk should do, in Chinese first.
    pub fn message(&self) -> Msg {
        match self {
            IdNumberError::Empty => Msg::new("请填写身份证号码", "enter the ID number"),
            IdNumberError::WrongLength { len } => Msg::new(
                format!("身份证号码应为18位（旧版为15位），当前为{len}位，请核对是否漏填或多填"),
                format!(
                    "the ID number must have 18 characters (15 on old cards), this one has {len}; check for missing or extra characters"
                ),
            ),
            IdNumberError::BadCharacter { position } => Msg::new(
                format!("身份证号码第{position}位不是数字（只有最后一位可以是X）"),
                format!("character {position} of the ID number is not a digit (only the last one may be X)"),
            ),
            IdNumberError::UnknownRegion { code } => Msg::new(
                format!("身份证号码前两位“{code}”不是有效的省级行政区划代码，请核对号码"),
                format!("the ID number starts with \"{code}\", which is not a province code; check the number"),
            ),
            IdNumberError::InvalidBirthDate => Msg::new(
                "身份证号码中的出生日期不是有效日期（18位号码为第7–14位），请核对号码",
                "the birth date inside the ID number is not a real date (characters 7–14 of 18); check the number",
            ),
            // Pointing at the expected check digit alone would invite "fixing" the last
            // character, while the usual cause is a mistyped digit elsewhere.
            IdNumberError::CheckDigitMismatch { expected, found } => Msg::new(
                format!("校验位错误（应为 {expected}，实际为 {found}），号码中可能有抄错的数字，请逐位核对"),
                format!(
                    "check digit is wrong (expected {expected}, found {found}); a digit was probably mistyped, check the number digit by digit"
                ),
            ),
        }
    }
}

impl Failure for IdNumberError {
    fn code(&self) -> &'static str {
        IdNumberError::code(self)
    }

    fn kind(&self) -> ErrorKind {
        ErrorKind::Invalid
    }

    fn message(&self) -> Msg {
        IdNumberError::message(self)
    }
}

/// A resident identity number that passed every check, normalised to 18
/// characters with an upper-case `X`.
///
/// `Debug` prints the masked form so a stray `{:?}` in a log leaks nothing.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct ResidentId {
    number: String,
    region_code: String,
    birth_date: NaiveDate,
    sex: Sex,
}

impl ResidentId {
    /// Parses with [`ParseOptions::default`].
    pub fn parse(input: &str) -> Result<ResidentId, IdNumberError> {
        Self::parse_with(input, ParseOptions::default())
    }

    /// Drops whitespace (numbers are often copied grouped, "110105 19491231 002X"),
    /// folds full-width characters and lower-case `x`, and accepts the 18-digit
    /// form and the 15-digit legacy form (converted to 18 digits).
    pub fn parse_with(input: &str, options: ParseOptions) -> Result<ResidentId, IdNumberError> {
        let chars: Vec<char> = input.chars().map(super::half_width).filter(|c| !c.is_whitespace()).collect();
        let (first17, given_check) = match chars.len() {
            0 => return Err(IdNumberError::Empty),
            18 => {
                let mut digits = [0u8; 17];
                for (i, slot) in digits.iter_mut().enumerate() {
                    *slot = digit_at(&chars, i)?;
                }
                let last = match chars.get(17) {
                    Some(c @ '0'..='9') => *c,
                    Some('x' | 'X') => 'X',
                    _ => return Err(IdNumberError::BadCharacter { position: 18 }),
                };
                (digits, Some(last))
            }
            15 => {
                let mut legacy = [0u8; 15];
                for (i, slot) in legacy.iter_mut().enumerate() {
                    *slot = digit_at(&chars, i)?;
                }
                let sequence = u16::from(legacy[12]) * 100 + u16::from(legacy[13]) * 10 + u16::from(legacy[14]);
                let century: [u8; 2] = match options.legacy_15_century {
                    Legacy15Century::CentenarianSequencesIn1800s if sequence >= 996 => [1, 8],
                    _ => [1, 9],
                };
                let mut digits = [0u8; 17];
                digits[..6].copy_from_slice(&legacy[..6]);
                digits[6..8].copy_from_slice(&century);
                digits[8..].copy_from_slice(&legacy[6..]);
                (digits, None)
            }
            len => return Err(IdNumberError::WrongLength { len }),
        };

        let province = format!("{}{}", first17[0], first17[1]);
        if province_name(&province).is_none() {
            return Err(IdNumberError::UnknownRegion { code: province });
        }

        let year = decimal(&first17[6..10]);
        let month = decimal(&first17[10..12]);
        let day = decimal(&first17[12..14]);
        let birth_date = i32::try_from(year)
            .ok()
            .and_then(|y| NaiveDate::from_ymd_opt(y, month, day))
            .filter(|d| birth_date_in_bounds(*d))
            .ok_or(IdNumberError::InvalidBirthDate)?;

        let expected = mod11_2(&first17);
        if let Some(found) = given_check
            && found != expected
        {
            return Err(IdNumberError::CheckDigitMismatch { expected, found });
        }

        let mut number: String = first17.iter().map(|d| char::from(b'0' + d)).collect();
        number.push(expected);
        let sex = if first17[16] % 2 == 1 { Sex::Male } else { Sex::Female };
        Ok(ResidentId { region_code: number[..6].to_owned(), number, birth_date, sex })
    }

    /// The normalised 18-character number.
    pub fn number(&self) -> &str {
        &self.number
    }

    pub fn as_str(&self) -> &str {
        &self.number
    }

    /// The six-digit 地址码 (GB/T 2260) at first issue; it does not follow moves.
    pub fn region_code(&self) -> &str {
        &self.region_code
    }

    pub fn province_code(&self) -> &str {
        &self.region_code[..2]
    }

    pub fn province_name(&self) -> Option<&'static str> {
        province_name(self.province_code())
    }

    pub fn birth_date(&self) -> NaiveDate {
        self.birth_date
    }

    pub fn sex(&self) -> Sex {
        self.sex
    }

    /// The display form, see [`mask`].
    pub fn masked(&self) -> String {
        mask(&self.number)
    }

    pub fn into_string(self) -> String {
        self.number
    }
}

impl fmt::Debug for ResidentId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("ResidentId").field(&self.masked()).finish()
    }
}

impl FromStr for ResidentId {
    type Err = IdNumberError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        ResidentId::parse(s)
    }
}

impl TryFrom<&str> for ResidentId {
    type Error = IdNumberError;

    fn try_from(value: &str) -> Result<Self, Self::Error> {
        ResidentId::parse(value)
    }
}

impl AsRef<str> for ResidentId {
    fn as_ref(&self) -> &str {
        &self.number
    }
}

fn digit_at(chars: &[char], i: usize) -> Result<u8, IdNumberError> {
    let bad = IdNumberError::BadCharacter { position: i + 1 };
    match chars.get(i) {
        Some(c) if c.is_ascii_digit() => u8::try_from(*c).map(|b| b - b'0').map_err(|_| bad),
        _ => Err(bad),
    }
}

fn decimal(digits: &[u8]) -> u32 {
    digits.iter().fold(0, |acc, d| acc * 10 + u32::from(*d))
}

/// No clock here: the bounds only reject nonsense; "born in the future" is
/// the caller's comparison against its `Clock`.
fn birth_date_in_bounds(date: NaiveDate) -> bool {
    let earliest = NaiveDate::from_ymd_opt(1850, 1, 1);
    let latest = NaiveDate::from_ymd_opt(2100, 12, 31);
    earliest.is_some_and(|e| date >= e) && latest.is_some_and(|l| date <= l)
}

fn mod11_2(first17: &[u8; 17]) -> char {
    let sum: u32 = first17.iter().zip(WEIGHTS).map(|(d, w)| u32::from(*d) * w).sum();
    CHECK_CHARS[(sum % 11) as usize]
}

/// The check character for 17 ASCII digits, or `None` if `first17` is not that.
pub fn check_digit(first17: &str) -> Option<char> {
    let bytes = first17.as_bytes();
    if bytes.len() != 17 || !bytes.iter().all(u8::is_ascii_digit) {
        return None;
    }
    let mut digits = [0u8; 17];
    for (slot, b) in digits.iter_mut().zip(bytes) {
        *slot = b - b'0';
    }
    Some(mod11_2(&digits))
}

/// A valid synthetic number for demo data: `region_code` is six digits with a
/// known province prefix, `birth` within 1850-01-01..=2100-12-31 and
/// `sequence` 0..=999 (odd = male, even = female). `None` otherwise.
pub fn synthesize(region_code: &str, birth: NaiveDate, sequence: u16) -> Option<String> {
    let region_ok = region_code.len() == 6 && region_code.bytes().all(|b| b.is_ascii_digit());
    if !region_ok || province_name(&region_code[..2]).is_none() || sequence > 999 {
        return None;
    }
    if !birth_date_in_bounds(birth) {
        return None;
    }
    let mut number = format!("{region_code}{:04}{:02}{:02}{sequence:03}", birth.year(), birth.month(), birth.day());
    number.push(check_digit(&number)?);
    Some(number)
}

/// Province-level divisions (GB/T 2260) by two-digit prefix. 71/81/82 never
/// appear on mainland-issued cards in practice but are valid division codes.
const PROVINCES: [(&str, &str); 34] = [
    ("11", "北京市"),
    ("12", "天津市"),
    ("13", "河北省"),
    ("14", "山西省"),
    ("15", "内蒙古自治区"),
    ("21", "辽宁省"),
    ("22", "吉林省"),
    ("23", "黑龙江省"),
    ("31", "上海市"),
    ("32", "江苏省"),
    ("33", "浙江省"),
    ("34", "安徽省"),
    ("35", "福建省"),
    ("36", "江西省"),
    ("37", "山东省"),
    ("41", "河南省"),
    ("42", "湖北省"),
    ("43", "湖南省"),
    ("44", "广东省"),
    ("45", "广西壮族自治区"),
    ("46", "海南省"),
    ("50", "重庆市"),
    ("51", "四川省"),
    ("52", "贵州省"),
    ("53", "云南省"),
    ("54", "西藏自治区"),
    ("61", "陕西省"),
    ("62", "甘肃省"),
    ("63", "青海省"),
    ("64", "宁夏回族自治区"),
    ("65", "新疆维吾尔自治区"),
    ("71", "台湾省"),
    ("81", "香港特别行政区"),
    ("82", "澳门特别行政区"),
];

/// Chinese name of a province-level division by its two-digit code.
pub fn province_name(code: &str) -> Option<&'static str> {
    PROVINCES.iter().find(|(c, _)| *c == code).map(|(_, name)| *name)
}

/// What `bole calc id <number> --json` prints: either the decoded facts or
/// the error code and message, never both.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct IdReport {
    pub valid: bool,
    /// The normalised 18-character number, when valid.
    pub number: Option<String>,
    pub region_code: Option<String>,
    pub province: Option<&'static str>,
    pub birth_date: Option<NaiveDate>,
    pub sex: Option<Sex>,
    pub error_code: Option<&'static str>,
    pub message: Option<Msg>,
}

pub fn report(input: &str) -> IdReport {
    match ResidentId::parse(input) {
        Ok(id) => IdReport {
            valid: true,
            region_code: Some(id.region_code().to_owned()),
            province: id.province_name(),
            birth_date: Some(id.birth_date()),
            sex: Some(id.sex()),
            number: Some(id.into_string()),
            error_code: None,
            message: None,
        },
        Err(err) => IdReport {
            valid: false,
            number: None,
            region_code: None,
            province: None,
            birth_date: None,
            sex: None,
            error_code: Some(err.code()),
            message: Some(err.message()),
        },
    }
}

/// Display mask (china-hr-rules §6.1): keep the region (first 6) and the last 4
/// of an 18-character number, so the birth date is always hidden —
/// `110105********002X`. A 15-digit number keeps its last 3 (the sequence), as
/// its fourth-last digit is still part of the birth date. Anything else keeps
/// at most its last quarter (up to 4): we cannot know where a birth date sits.
/// Masking is presentation only; it neither validates nor normalises.
pub fn mask(number: &str) -> String {
    let chars: Vec<char> = number.trim().chars().collect();
    let n = chars.len();
    let (head, tail) = match n {
        18 => (6, 4),
        15 => (6, 3),
        _ => (0, (n / 4).min(4)),
    };
    chars.iter().enumerate().map(|(i, c)| if i < head || i >= n - tail { *c } else { '*' }).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn date(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    #[test]
    fn gb_example_beijing_female_1949() {
        let id = ResidentId::parse("11010519491231002X").unwrap();
        assert_eq!(id.number(), "11010519491231002X");
        assert_eq!(id.region_code(), "110105");
        assert_eq!(id.province_name(), Some("北京市"));
        assert_eq!(id.birth_date(), date(1949, 12, 31));
        assert_eq!(id.sex(), Sex::Female);
    }

    #[test]
    fn gb_example_shantou_male_1880() {
        let id = ResidentId::parse("440524188001010014").unwrap();
        assert_eq!(id.region_code(), "440524");
        assert_eq!(id.province_name(), Some("广东省"));
        assert_eq!(id.birth_date(), date(1880, 1, 1));
        assert_eq!(id.sex(), Sex::Male);
    }

    #[test]
    fn other_valid_examples_from_the_rules() {
        for (number, birth, sex) in [
            ("11010219840406970X", date(1984, 4, 6), Sex::Female),
            ("110101199003070011", date(1990, 3, 7), Sex::Male),
            ("450102200001011237", date(2000, 1, 1), Sex::Male),
            ("31010419851231002X", date(1985, 12, 31), Sex::Female),
            ("440305199602294570", date(1996, 2, 29), Sex::Male),
        ] {
            let id = ResidentId::parse(number).unwrap_or_else(|e| panic!("{number}: {e}"));
            assert_eq!(id.birth_date(), birth, "{number}");
            assert_eq!(id.sex(), sex, "{number}");
        }
    }

    #[test]
    fn check_digit_mismatches_from_the_rules() {
        for (number, expected, found) in [
            ("110105194912310021", 'X', '1'),
            ("440524188001010015", '4', '5'),
            ("11020519491231002X", '5', 'X'),
            ("11010219840506970X", '1', 'X'),
            ("440524189001010014", '9', '4'),
        ] {
            let err = ResidentId::parse(number).unwrap_err();
            let IdNumberError::CheckDigitMismatch { expected: e, found: f } = err else {
                panic!("{number}: expected a check-digit mismatch, got {err:?}");
            };
            assert_eq!(f, found, "{number}");
            assert_eq!(e, expected, "{number}");
            assert_eq!(check_digit(&number[..17]), Some(expected));
        }
    }

    #[test]
    fn impossible_date_is_rejected() {
        let err = ResidentId::parse("11010519490230002X").unwrap_err();
        assert_eq!(err, IdNumberError::InvalidBirthDate);
        assert_eq!(err.code(), "id_number_birth_date");
    }

    #[test]
    fn check_digit_message_names_the_expected_digit() {
        let err = ResidentId::parse("110105194912310021").unwrap_err();
        assert_eq!(err.code(), "id_number_check_digit");
        let msg = err.message();
        assert!(msg.zh.starts_with("校验位错误（应为 X"), "{}", msg.zh);
        assert!(msg.en.starts_with("check digit is wrong (expected X"), "{}", msg.en);
    }

    #[test]
    fn lowercase_x_whitespace_and_full_width_are_normalised() {
        for input in [
            "11010519491231002x",
            "  11010519491231002X\t",
            "110105 19491231 002X",
            "１１０１０５１９４９１２３１００２ｘ",
        ] {
            let id = ResidentId::parse(input).unwrap();
            assert_eq!(id.number(), "11010519491231002X");
        }
    }

    #[test]
    fn each_error_has_its_code() {
        let cases: [(&str, IdNumberError, &str); 6] = [
            ("   ", IdNumberError::Empty, "id_number_empty"),
            ("1101051949123100", IdNumberError::WrongLength { len: 16 }, "id_number_length"),
            ("1101051949123100X2", IdNumberError::BadCharacter { position: 17 }, "id_number_character"),
            ("991105194912310021", IdNumberError::UnknownRegion { code: "99".into() }, "id_number_region"),
            ("11010519491331002X", IdNumberError::InvalidBirthDate, "id_number_birth_date"),
            (
                "110105194912310021",
                IdNumberError::CheckDigitMismatch { expected: 'X', found: '1' },
                "id_number_check_digit",
            ),
        ];
        for (input, error, code) in cases {
            let err = ResidentId::parse(input).unwrap_err();
            assert_eq!(err, error, "{input}");
            assert_eq!(err.code(), code);
            assert_eq!(Failure::code(&err), code);
            assert!(!err.message().zh.is_empty());
        }
    }

    #[test]
    fn bad_characters_report_their_position() {
        assert_eq!(ResidentId::parse("X10105194912310021").unwrap_err(), IdNumberError::BadCharacter { position: 1 });
        assert_eq!(ResidentId::parse("11010519491231002Y").unwrap_err(), IdNumberError::BadCharacter { position: 18 });
        assert_eq!(ResidentId::parse("11010549123100X").unwrap_err(), IdNumberError::BadCharacter { position: 15 });
        // Arabic-Indic digits are digits to Unicode, not to GB 11643.
        assert_eq!(ResidentId::parse("١10105194912310021").unwrap_err(), IdNumberError::BadCharacter { position: 1 });
    }

    #[test]
    fn dates_outside_the_plausible_range_are_rejected() {
        let too_old = format!("11010518491231002{}", check_digit("11010518491231002").unwrap());
        assert_eq!(ResidentId::parse(&too_old).unwrap_err(), IdNumberError::InvalidBirthDate);
        let too_new = format!("11010521010101002{}", check_digit("11010521010101002").unwrap());
        assert_eq!(ResidentId::parse(&too_new).unwrap_err(), IdNumberError::InvalidBirthDate);
    }

    #[test]
    fn fifteen_digit_numbers_convert_to_eighteen() {
        let id = ResidentId::parse("110105491231002").unwrap();
        assert_eq!(id.number(), "11010519491231002X");
        assert_eq!(id.birth_date(), date(1949, 12, 31));
        assert_eq!(id.sex(), Sex::Female);

        let id = ResidentId::parse("440524800101001").unwrap();
        assert_eq!(id.number(), "440524198001010013");
        assert_eq!(id.sex(), Sex::Male);
    }

    #[test]
    fn fifteen_digit_centenarian_sequences_follow_the_option() {
        let id = ResidentId::parse("440524800101997").unwrap();
        assert_eq!(id.birth_date(), date(1880, 1, 1));
        assert_eq!(id.sex(), Sex::Male);
        assert_eq!(&id.number()[6..10], "1880");

        let options = ParseOptions { legacy_15_century: Legacy15Century::Always1900s };
        let id = ResidentId::parse_with("440524800101997", options).unwrap();
        assert_eq!(id.birth_date(), date(1980, 1, 1));

        let id = ResidentId::parse("440524800101995").unwrap();
        assert_eq!(id.birth_date(), date(1980, 1, 1));
    }

    #[test]
    fn fifteen_digit_numbers_are_checked_too() {
        assert_eq!(
            ResidentId::parse("990105491231002").unwrap_err(),
            IdNumberError::UnknownRegion { code: "99".into() }
        );
        assert_eq!(ResidentId::parse("110105490230002").unwrap_err(), IdNumberError::InvalidBirthDate);
    }

    #[test]
    fn gb2261_codes() {
        assert_eq!(Sex::Male.gb2261_code(), "1");
        assert_eq!(Sex::Female.gb2261_code(), "2");
        assert_eq!(serde_json::to_value(Sex::Female).unwrap(), "female");
    }

    #[test]
    fn check_digit_rejects_malformed_input() {
        assert_eq!(check_digit("11010519491231002"), Some('X'));
        assert_eq!(check_digit("1101051949123100"), None);
        assert_eq!(check_digit("1101051949123100a"), None);
        assert_eq!(check_digit("１1010519491231002"), None);
    }

    #[test]
    fn synthesize_rejects_bad_arguments() {
        let d = date(1990, 1, 1);
        assert_eq!(synthesize("110105", d, 1000), None);
        assert_eq!(synthesize("990105", d, 1), None);
        assert_eq!(synthesize("11010", d, 1), None);
        assert_eq!(synthesize("11010a", d, 1), None);
        assert_eq!(synthesize("110105", date(1849, 12, 31), 1), None);
        assert_eq!(synthesize("110105", date(1949, 12, 31), 2).as_deref(), Some("11010519491231002X"));
    }

    #[test]
    fn provinces() {
        assert_eq!(province_name("45"), Some("广西壮族自治区"));
        assert_eq!(province_name("82"), Some("澳门特别行政区"));
        assert_eq!(province_name("83"), None);
        assert_eq!(province_name("10"), None);
    }

    #[test]
    fn report_for_valid_and_invalid_numbers() {
        let ok = serde_json::to_value(report("11010519491231002x")).unwrap();
        assert_eq!(
            ok,
            serde_json::json!({
                "valid": true,
                "number": "11010519491231002X",
                "region_code": "110105",
                "province": "北京市",
                "birth_date": "1949-12-31",
                "sex": "female",
                "error_code": null,
                "message": null,
            })
        );
        let bad = report("110105194912310021");
        assert!(!bad.valid);
        assert_eq!(bad.error_code, Some("id_number_check_digit"));
        assert!(bad.message.is_some());
        assert_eq!(bad.number, None);
    }

    #[test]
    fn masking() {
        assert_eq!(mask("11010519491231002X"), "110105********002X");
        assert_eq!(mask(" 110105491231002 "), "110105******002");
        assert_eq!(mask("E12345678"), "*******78");
        assert_eq!(mask("123"), "***");
        assert_eq!(mask(""), "");
        let id = ResidentId::parse("11010519491231002X").unwrap();
        assert_eq!(id.masked(), "110105********002X");
        assert_eq!(format!("{id:?}"), "ResidentId(\"110105********002X\")");
    }

    fn birth_dates() -> impl Strategy<Value = NaiveDate> {
        let first = date(1850, 1, 1);
        let span = (date(2100, 12, 31) - first).num_days();
        (0..=span).prop_map(move |days| first + chrono::Duration::days(days))
    }

    fn region_codes() -> impl Strategy<Value = String> {
        (0..PROVINCES.len(), 0u16..10_000).prop_map(|(p, rest)| format!("{}{rest:04}", PROVINCES[p].0))
    }

    proptest! {
        #[test]
        fn synthesize_round_trips(region in region_codes(), birth in birth_dates(), sequence in 0u16..=999) {
            let number = synthesize(&region, birth, sequence).unwrap();
            let id = ResidentId::parse(&number).unwrap();
            prop_assert_eq!(id.number(), number.as_str());
            prop_assert_eq!(id.region_code(), region.as_str());
            prop_assert_eq!(id.birth_date(), birth);
            let sex = if sequence % 2 == 1 { Sex::Male } else { Sex::Female };
            prop_assert_eq!(id.sex(), sex);
        }

        #[test]
        fn any_single_substitution_is_caught(
            region in region_codes(),
            birth in birth_dates(),
            sequence in 0u16..=999,
            position in 0usize..18,
            replacement in 0usize..11,
        ) {
            let number = synthesize(&region, birth, sequence).unwrap();
            let mut chars: Vec<char> = number.chars().collect();
            let alphabet: &[char] = &['0', '1', '2', '3', '4', '5', '6', '7', '8', '9', 'X'];
            // Only the check position may hold X.
            let alphabet = if position == 17 { alphabet } else { &alphabet[..10] };
            let new = alphabet[replacement % alphabet.len()];
            prop_assume!(new != chars[position]);
            chars[position] = new;
            let mutated: String = chars.into_iter().collect();
            prop_assert!(ResidentId::parse(&mutated).is_err(), "{} accepted", mutated);
        }
    }
}
