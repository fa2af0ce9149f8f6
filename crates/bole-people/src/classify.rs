//! Classification of every field the people domain serialises (T/GXDSL 9.2.1), and
//! the masking applied to responses and exports by the viewer's clearance.
//!
//! The registry is the source of truth: a test serialises each view type and fails
//! when a key is missing here, so a new field cannot ship unclassified. Masking and
//! reveal are driven by the same table.

use crate::model::{Contact, Employee, EmployeeSummary};
use bole_core::classify::{Classification as C, FieldClass, MaskKind as M};
use bole_core::mask::mask;
use bole_core::{Actor, Classification};
use serde::Serialize;
use std::collections::BTreeMap;

const fn f(entity: &'static str, field: &'static str, level: C, mask: M) -> FieldClass {
    FieldClass::new(entity, field, level, mask)
}

/// Every field of every people entity, with its level and mask.
pub const FIELDS: &[FieldClass] = &[
    f("employee", "id", C::Internal, M::None),
    f("employee", "company_id", C::Internal, M::None),
    f("employee", "employee_no", C::Internal, M::None),
    f("employee", "name", C::Internal, M::None),
    f("employee", "former_name", C::Internal, M::None),
    f("employee", "gender", C::Internal, M::None),
    f("employee", "birth_date", C::Internal, M::None),
    f("employee", "id_type", C::Internal, M::None),
    f("employee", "id_number", C::Sensitive, M::IdNumber),
    f("employee", "ethnicity", C::Sensitive, M::Hidden),
    f("employee", "political_status", C::Sensitive, M::Hidden),
    f("employee", "marital_status", C::Internal, M::None),
    f("employee", "native_place", C::Internal, M::None),
    f("employee", "education_level", C::Internal, M::None),
    f("employee", "degree", C::Internal, M::None),
    f("employee", "phone", C::Sensitive, M::Phone),
    f("employee", "email", C::Internal, M::None),
    f("employee", "address", C::Sensitive, M::Address),
    f("employee", "bank_name", C::Internal, M::None),
    f("employee", "bank_account", C::Important, M::BankCard),
    f("employee", "employment_type", C::Internal, M::None),
    f("employee", "quota_category", C::Internal, M::None),
    f("employee", "hire_date", C::Internal, M::None),
    f("employee", "probation_end", C::Internal, M::None),
    f("employee", "created_at", C::Internal, M::None),
    f("employee", "updated_at", C::Internal, M::None),
    f("employee_summary", "id", C::Internal, M::None),
    f("employee_summary", "company_id", C::Internal, M::None),
    f("employee_summary", "employee_no", C::Internal, M::None),
    f("employee_summary", "name", C::Internal, M::None),
    f("employee_summary", "gender", C::Internal, M::None),
    f("employee_summary", "hire_date", C::Internal, M::None),
    f("employee_summary", "employment_type", C::Internal, M::None),
    f("employee_summary", "status", C::Internal, M::None),
    f("employee_summary", "org_unit_id", C::Internal, M::None),
    f("employee_summary", "org_unit_name", C::Internal, M::None),
    f("employee_summary", "position_id", C::Internal, M::None),
    f("employee_summary", "position_name", C::Internal, M::None),
    f("employee_summary", "phone", C::Sensitive, M::Phone),
    f("contact", "kind", C::Internal, M::None),
    f("contact", "name", C::Sensitive, M::Name),
    f("contact", "relation", C::Internal, M::None),
    f("contact", "phone", C::Sensitive, M::Phone),
    f("contact", "workplace", C::Internal, M::None),
    f("education", "school", C::Internal, M::None),
    f("education", "major", C::Internal, M::None),
    f("education", "education_level", C::Internal, M::None),
    f("education", "degree", C::Internal, M::None),
    f("education", "start_date", C::Internal, M::None),
    f("education", "end_date", C::Internal, M::None),
    f("education", "full_time", C::Internal, M::None),
    f("assignment", "*", C::Internal, M::None),
    f("event", "*", C::Internal, M::None),
    f("contract", "*", C::Internal, M::None),
];

/// The field class of `entity.field`, if registered.
pub fn class_of(entity: &str, field: &str) -> Option<&'static FieldClass> {
    FIELDS.iter().find(|c| c.entity == entity && (c.field == field || c.field == "*"))
}

/// Personal-data fields written by an update (names only, for the audit trail).
pub const PERSONAL_FIELDS: &[&str] = &[
    "name",
    "gender",
    "birth_date",
    "id_type",
    "id_number",
    "ethnicity",
    "political_status",
    "marital_status",
    "native_place",
    "education_level",
    "degree",
    "phone",
    "email",
    "address",
    "bank_name",
    "bank_account",
];

/// Fields written when someone is onboarded or imported.
pub const WRITTEN_ON_ONBOARD: [&str; 5] = ["personal_data", "id_number", "phone", "events", "assignments"];

/// Employee fields that can be revealed one record at a time.
pub const REVEALABLE: &[&str] =
    &["id_number", "phone", "address", "bank_account", "ethnicity", "political_status", "contacts.phone"];

fn masked(actor: &Actor, entity: &str, field: &str, value: &mut Option<String>) {
    if let (Some(class), Some(v)) = (class_of(entity, field), value.as_mut())
        && actor.must_mask(class)
    {
        *v = mask(class.mask, v);
    }
}

/// Mask an employee record for this viewer (in place).
pub fn mask_employee(actor: &Actor, e: &mut Employee) {
    if let Some(class) = class_of("employee", "id_number")
        && actor.must_mask(class)
    {
        e.id_number = mask(class.mask, &e.id_number);
    }
    masked(actor, "employee", "phone", &mut e.phone);
    masked(actor, "employee", "address", &mut e.address);
    masked(actor, "employee", "bank_account", &mut e.bank_account);
    masked(actor, "employee", "ethnicity", &mut e.ethnicity);
    masked(actor, "employee", "political_status", &mut e.political_status);
}

pub fn mask_contacts(actor: &Actor, contacts: &mut [Contact]) {
    for c in contacts {
        masked(actor, "contact", "phone", &mut c.phone);
        if let Some(class) = class_of("contact", "name")
            && actor.must_mask(class)
        {
            c.name = mask(class.mask, &c.name);
        }
    }
}

pub fn mask_summary(actor: &Actor, e: &mut EmployeeSummary) {
    masked(actor, "employee_summary", "phone", &mut e.phone);
}

/// Sensitive employee fields this viewer receives unmasked (empty for most viewers).
/// Important fields are never in bulk responses, so they are not listed.
pub fn unmasked_sensitive(actor: &Actor) -> Vec<&'static str> {
    FIELDS
        .iter()
        .filter(|c| c.entity == "employee" && c.level == Classification::Sensitive && !actor.must_mask(c))
        .map(|c| c.field)
        .collect()
}

/// Field names an export carries, for its audit record.
pub fn exported_fields(actor: &Actor) -> Vec<&'static str> {
    let mut v = vec!["roster"];
    v.extend(unmasked_sensitive(actor));
    v
}

/// Revealed values, by field name (`null` when the record has no value).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct RevealedFields {
    pub fields: BTreeMap<String, Option<String>>,
}

/// The clear values of `fields` (names checked against [`REVEALABLE`] by the caller).
pub fn reveal(e: &Employee, fields: &[String]) -> RevealedFields {
    let mut out = BTreeMap::new();
    for name in fields {
        let v = match name.as_str() {
            "id_number" => Some(e.id_number.clone()),
            "phone" => e.phone.clone(),
            "address" => e.address.clone(),
            "bank_account" => e.bank_account.clone(),
            "ethnicity" => e.ethnicity.clone(),
            "political_status" => e.political_status.clone(),
            _ => None,
        };
        out.insert(name.clone(), v);
    }
    RevealedFields { fields: out }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::EmploymentType;
    use bole_core::{AccessMap, CompanyId, DataScope, EmployeeId, Permission};
    use chrono::NaiveDate;
    use std::sync::Arc;

    fn sample() -> Employee {
        Employee {
            id: EmployeeId::new(),
            company_id: CompanyId::new(),
            employee_no: "E001".into(),
            name: "张三".into(),
            gender: "1".into(),
            birth_date: NaiveDate::from_ymd_opt(1990, 1, 1),
            id_type: "111".into(),
            id_number: "11010519491231002X".into(),
            ethnicity: Some("01".into()),
            political_status: Some("13".into()),
            marital_status: Some("10".into()),
            native_place: Some("北京".into()),
            education_level: Some("21".into()),
            degree: Some("4".into()),
            phone: Some("13812345678".into()),
            email: Some("zhang.san@example.com".into()),
            address: Some("北京市朝阳区建国路88号".into()),
            bank_name: Some("中国银行".into()),
            bank_account: Some("6217000010001234".into()),
            employment_type: EmploymentType::FullTime,
            hire_date: NaiveDate::from_ymd_opt(2020, 1, 1).unwrap_or_default(),
            probation_end: None,
            created_at: chrono::DateTime::UNIX_EPOCH,
            updated_at: chrono::DateTime::UNIX_EPOCH,
        }
    }

    fn viewer(perms: &[Permission]) -> Actor {
        let mut m = AccessMap::default();
        for p in perms {
            m.grant(*p, DataScope::All);
        }
        let mut a = Actor::system();
        a.access = Arc::new(m);
        a
    }

    #[test]
    fn every_serialised_employee_field_is_registered() {
        let json = serde_json::to_value(sample()).unwrap_or_default();
        let obj = json.as_object().cloned().unwrap_or_default();
        assert!(obj.len() > 20);
        for key in obj.keys() {
            assert!(class_of("employee", key).is_some(), "employee.{key} is not classified");
        }
    }

    #[test]
    fn masks_by_clearance() {
        let hr = viewer(&[Permission::EmployeeRead]);
        let mut e = sample();
        mask_employee(&hr, &mut e);
        assert_eq!(e.id_number, "110105********002X");
        assert_eq!(e.phone.as_deref(), Some("138****5678"));
        assert_eq!(e.bank_account.as_deref(), Some("****1234"));
        assert_ne!(e.address.as_deref(), sample().address.as_deref());
        assert_eq!(e.name, "张三", "internal fields are shown");

        let payroll = viewer(&[Permission::EmployeeRead, Permission::SensitiveRead]);
        let mut e = sample();
        mask_employee(&payroll, &mut e);
        assert_eq!(e.id_number, "11010519491231002X", "sensitive clearance sees sensitive fields");
        assert_eq!(e.bank_account.as_deref(), Some("****1234"), "important fields need a reveal");
        assert!(unmasked_sensitive(&payroll).contains(&"id_number"));
        assert!(unmasked_sensitive(&hr).is_empty());
    }

    #[test]
    fn reveal_returns_clear_values() {
        let r = reveal(&sample(), &["id_number".into(), "bank_account".into()]);
        assert_eq!(r.fields["id_number"].as_deref(), Some("11010519491231002X"));
        assert_eq!(r.fields["bank_account"].as_deref(), Some("6217000010001234"));
    }
}
