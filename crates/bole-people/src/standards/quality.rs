//! Data-quality rules (数据质量) for one person record: required fields, ID
//! number validity and its agreement with the recorded birth date and gender,
//! contact syntax, and whether coded fields hold standard codes. The same
//! rules back roster import previews and the data-quality report, so a record
//! is judged identically wherever it is looked at.

use bole_core::Msg;
use chrono::NaiveDate;
use serde::Serialize;

use super::contact::{normalize_email, normalize_phone};
use super::dictionaries::{self, Dictionary};
use super::id_number::ResidentId;

/// The facts of one record that the rules look at, as stored (codes, not
/// labels). Borrowed so callers can check a row without copying it.
#[derive(Clone, Copy, Default)]
pub struct PersonFacts<'a> {
    pub name: Option<&'a str>,
    /// `gender` dictionary code (GB/T 2261.1).
    pub gender: Option<&'a str>,
    pub birth_date: Option<NaiveDate>,
    /// `id_document_type` dictionary code; absent means 居民身份证, the
    /// document nearly every record carries.
    pub id_type: Option<&'a str>,
    pub id_number: Option<&'a str>,
    pub phone: Option<&'a str>,
    pub email: Option<&'a str>,
    pub ethnicity: Option<&'a str>,
    pub political_status: Option<&'a str>,
    pub education_level: Option<&'a str>,
}

/// One problem with one field. `field` is the wire name, `code` a stable
/// snake_case code the report groups by.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct QualityIssue {
    pub field: &'static str,
    pub code: &'static str,
    pub message: Msg,
}

/// Code of the resident identity card in the `id_document_type` dictionary.
const RESIDENT_ID_CARD: &str = "111";

/// Every issue of the record, in field order; empty when the record is clean.
/// Blank strings count as missing.
pub fn check(facts: &PersonFacts) -> Vec<QualityIssue> {
    let mut issues = Vec::new();
    let name = present(facts.name);
    let gender = present(facts.gender);
    let id_type = present(facts.id_type);
    let id_number = present(facts.id_number);

    if name.is_none() {
        issues.push(missing("name", "姓名", "name"));
    }
    match gender {
        None => issues.push(missing("gender", "性别", "gender")),
        Some(value) => issues.extend(not_standard("gender", &dictionaries::GENDER, value)),
    }
    if facts.birth_date.is_none() {
        issues.push(missing("birth_date", "出生日期", "birth date"));
    }
    if let Some(value) = id_type {
        issues.extend(not_standard("id_type", &dictionaries::ID_DOCUMENT_TYPE, value));
    }

    // A non-standard spelling of the type ("身份证") is reported above, but the
    // number is still checked as what the clerk evidently meant.
    let is_resident_card =
        id_type.is_none_or(|t| dictionaries::ID_DOCUMENT_TYPE.normalize(t).is_some_and(|e| e.code == RESIDENT_ID_CARD));
    match id_number {
        None => issues.push(missing("id_number", "证件号码", "ID number")),
        Some(number) if is_resident_card => match ResidentId::parse(number) {
            Err(err) => issues.push(QualityIssue { field: "id_number", code: err.code(), message: err.message() }),
            Ok(id) => {
                issues.extend(birth_date_mismatch(facts.birth_date, &id));
                issues.extend(gender_mismatch(gender, &id));
            }
        },
        Some(_) => {}
    }

    if let Some(phone) = present(facts.phone)
        && let Err(err) = normalize_phone(phone)
    {
        issues.push(QualityIssue { field: "phone", code: err.code(), message: err.message() });
    }
    if let Some(email) = present(facts.email)
        && let Err(err) = normalize_email(email)
    {
        issues.push(QualityIssue { field: "email", code: err.code(), message: err.message() });
    }

    for (field, dictionary, value) in [
        ("ethnicity", &dictionaries::ETHNICITY, facts.ethnicity),
        ("political_status", &dictionaries::POLITICAL_STATUS, facts.political_status),
        ("education_level", &dictionaries::EDUCATION_LEVEL, facts.education_level),
    ] {
        if let Some(value) = present(value) {
            issues.extend(not_standard(field, dictionary, value));
        }
    }
    issues
}

fn present(value: Option<&str>) -> Option<&str> {
    value.map(str::trim).filter(|v| !v.is_empty())
}

fn missing(field: &'static str, zh: &str, en: &str) -> QualityIssue {
    QualityIssue {
        field,
        code: "missing_required",
        message: Msg::new(format!("缺少{zh}，请补充"), format!("{en} is missing; please fill it in")),
    }
}

/// `None` when `value` is a code of `dictionary`; otherwise the issue, with the
/// standard value to use when normalisation recognises what was meant.
fn not_standard(field: &'static str, dictionary: &Dictionary, value: &str) -> Option<QualityIssue> {
    if dictionary.by_code(value).is_some() {
        return None;
    }
    let name_zh = dictionary.name_zh;
    let name_en = dictionary.name_en;
    let message = match dictionary.normalize(value) {
        Some(entry) => Msg::new(
            format!("{name_zh}：“{value}”不是标准代码，建议改为“{}”({})", entry.zh, entry.code),
            format!("{name_en}: \"{value}\" is not a standard code; use \"{}\" ({})", entry.en, entry.code),
        ),
        None => Msg::new(
            format!("{name_zh}：“{value}”不是标准代码，请从{name_zh}字典（{}）中选择", dictionary.standard),
            format!(
                "{name_en}: \"{value}\" is not a standard code; pick one from the {name_en} dictionary ({})",
                dictionary.standard
            ),
        ),
    };
    Some(QualityIssue { field, code: "not_standard_code", message })
}

fn birth_date_mismatch(recorded: Option<NaiveDate>, id: &ResidentId) -> Option<QualityIssue> {
    let recorded = recorded?;
    let from_id = id.birth_date();
    (recorded != from_id).then(|| QualityIssue {
        field: "birth_date",
        code: "id_birth_date_mismatch",
        message: Msg::new(
            format!("出生日期（{recorded}）与身份证号码中的出生日期（{from_id}）不一致，请核对"),
            format!("birth date {recorded} differs from the one in the ID number ({from_id}); check both"),
        ),
    })
}

/// Only 男/女 can disagree with the ID; 未知/未说明 are left alone.
fn gender_mismatch(recorded: Option<&str>, id: &ResidentId) -> Option<QualityIssue> {
    let entry = dictionaries::GENDER.normalize(recorded?)?;
    let sex = id.sex();
    let comparable = matches!(entry.code, "1" | "2");
    (comparable && entry.code != sex.gb2261_code()).then(|| QualityIssue {
        field: "gender",
        code: "id_gender_mismatch",
        message: Msg::new(
            format!("性别（{}）与身份证号码显示的性别（{}）不一致，请核对", entry.zh, sex.zh()),
            format!("gender ({}) differs from the one in the ID number ({}); check both", entry.en, sex.en()),
        ),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn clean() -> PersonFacts<'static> {
        PersonFacts {
            name: Some("张三"),
            gender: Some("2"),
            birth_date: NaiveDate::from_ymd_opt(1949, 12, 31),
            id_type: Some("111"),
            id_number: Some("11010519491231002X"),
            phone: Some("13812345678"),
            email: Some("zhangsan@example.com"),
            ethnicity: Some("01"),
            political_status: Some("13"),
            education_level: Some("20"),
        }
    }

    fn codes(issues: &[QualityIssue]) -> Vec<(&'static str, &'static str)> {
        issues.iter().map(|i| (i.field, i.code)).collect()
    }

    #[test]
    fn a_clean_record_has_no_issues() {
        assert_eq!(check(&clean()), []);
        let minimal = PersonFacts {
            id_type: None,
            phone: None,
            email: None,
            ethnicity: None,
            political_status: None,
            education_level: None,
            ..clean()
        };
        assert_eq!(check(&minimal), []);
    }

    #[test]
    fn missing_required_fields() {
        let facts = PersonFacts { name: Some("  "), gender: None, birth_date: None, id_number: Some(""), ..clean() };
        let issues = check(&facts);
        assert_eq!(
            codes(&issues),
            [
                ("name", "missing_required"),
                ("gender", "missing_required"),
                ("birth_date", "missing_required"),
                ("id_number", "missing_required"),
            ]
        );
        assert_eq!(issues[0].message.zh, "缺少姓名，请补充");
    }

    #[test]
    fn invalid_id_number_carries_its_own_code() {
        let facts = PersonFacts { id_number: Some("110105194912310021"), ..clean() };
        let issues = check(&facts);
        assert_eq!(codes(&issues), [("id_number", "id_number_check_digit")]);
        assert!(issues[0].message.zh.contains("校验位错误"));

        let facts = PersonFacts { id_number: Some("11010519490230002X"), ..clean() };
        assert_eq!(codes(&check(&facts)), [("id_number", "id_number_birth_date")]);
    }

    #[test]
    fn birth_date_must_agree_with_the_id() {
        let facts = PersonFacts { birth_date: NaiveDate::from_ymd_opt(1949, 12, 30), ..clean() };
        let issues = check(&facts);
        assert_eq!(codes(&issues), [("birth_date", "id_birth_date_mismatch")]);
        assert_eq!(issues[0].message.zh, "出生日期（1949-12-30）与身份证号码中的出生日期（1949-12-31）不一致，请核对");
    }

    #[test]
    fn gender_must_agree_with_the_id() {
        let facts = PersonFacts { gender: Some("1"), ..clean() };
        let issues = check(&facts);
        assert_eq!(codes(&issues), [("gender", "id_gender_mismatch")]);
        assert!(issues[0].message.zh.contains("性别（男）"));

        for unstated in ["0", "9"] {
            let facts = PersonFacts { gender: Some(unstated), ..clean() };
            assert_eq!(check(&facts), [], "{unstated}");
        }
    }

    #[test]
    fn non_standard_gender_is_reported_and_still_compared() {
        let facts = PersonFacts { gender: Some("男"), ..clean() };
        assert_eq!(codes(&check(&facts)), [("gender", "not_standard_code"), ("gender", "id_gender_mismatch")]);
    }

    #[test]
    fn other_document_types_skip_resident_id_rules() {
        let facts = PersonFacts { id_type: Some("414"), id_number: Some("E12345678"), gender: Some("1"), ..clean() };
        assert_eq!(check(&facts), []);
    }

    #[test]
    fn non_standard_id_type_is_reported_but_the_number_still_checked() {
        let facts = PersonFacts { id_type: Some("身份证"), id_number: Some("110105194912310021"), ..clean() };
        assert_eq!(codes(&check(&facts)), [("id_type", "not_standard_code"), ("id_number", "id_number_check_digit")]);
    }

    #[test]
    fn contact_syntax() {
        let facts = PersonFacts { phone: Some("1381234567"), email: Some("zhangsan@"), ..clean() };
        assert_eq!(codes(&check(&facts)), [("phone", "phone_invalid"), ("email", "email_invalid")]);
        let facts = PersonFacts { phone: Some("0771-5551234"), ..clean() };
        assert_eq!(check(&facts), []);
    }

    #[test]
    fn dictionary_fields_suggest_the_standard_value() {
        let facts = PersonFacts {
            education_level: Some("大学"),
            ethnicity: Some("汉"),
            political_status: Some("党员"),
            ..clean()
        };
        let issues = check(&facts);
        assert_eq!(
            codes(&issues),
            [
                ("ethnicity", "not_standard_code"),
                ("political_status", "not_standard_code"),
                ("education_level", "not_standard_code"),
            ]
        );
        assert_eq!(issues[0].message.zh, "民族：“汉”不是标准代码，建议改为“汉族”(01)");
        assert_eq!(issues[2].message.zh, "学历：“大学”不是标准代码，建议改为“本科”(20)");
        assert_eq!(
            issues[2].message.en,
            "education level: \"大学\" is not a standard code; use \"undergraduate\" (20)"
        );
    }

    #[test]
    fn unrecognised_dictionary_values_name_the_dictionary() {
        let facts = PersonFacts { education_level: Some("幼儿园"), ..clean() };
        let issues = check(&facts);
        assert_eq!(codes(&issues), [("education_level", "not_standard_code")]);
        assert_eq!(issues[0].message.zh, "学历：“幼儿园”不是标准代码，请从学历字典（GB/T 4658-2006）中选择");
    }

    #[test]
    fn issues_serialize() {
        let facts = PersonFacts { name: None, ..clean() };
        let json = serde_json::to_value(check(&facts)).unwrap();
        assert_eq!(json[0]["field"], "name");
        assert_eq!(json[0]["code"], "missing_required");
        assert_eq!(json[0]["message"]["zh"], "缺少姓名，请补充");
    }
}
