//! Classification of every field the privacy domain serialises (T/GXDSL 9.2.1).
//!
//! A request's free text and proposed corrections are what the person wrote about
//! themselves: sensitive, sealed at rest, never in logs or the audit trail, and shown
//! only to the requester and — one request at a time, audited — to the privacy handler
//! (who needs them in clear to act, so they are not masked). Everything else is internal.
//! A test serialises the view types and fails when a key is not registered here.

use bole_core::classify::{Classification as C, FieldClass, MaskKind as M};

const fn f(entity: &'static str, field: &'static str, level: C, mask: M) -> FieldClass {
    FieldClass::new(entity, field, level, mask)
}

/// Every field of every privacy entity, with its level and mask.
pub const FIELDS: &[FieldClass] = &[
    f("data_subject_request", "details", C::Sensitive, M::None),
    f("data_subject_request", "corrections", C::Sensitive, M::None),
    f("data_subject_request", "*", C::Internal, M::None),
    f("request_summary", "*", C::Internal, M::None),
    f("request_transition", "*", C::Internal, M::None),
    f("privacy_notice", "*", C::Public, M::None),
    f("acknowledgement", "*", C::Internal, M::None),
    f("consent_record", "*", C::Internal, M::None),
    f("consent_state", "*", C::Internal, M::None),
    f("sharing_entry", "*", C::Internal, M::None),
    f("data_copy", "sections", C::Sensitive, M::None),
    f("data_copy", "*", C::Internal, M::None),
];

/// The field class of `entity.field`: its own entry, else the entity's `*` entry.
pub fn class_of(entity: &str, field: &str) -> Option<&'static FieldClass> {
    FIELDS
        .iter()
        .find(|c| c.entity == entity && c.field == field)
        .or_else(|| FIELDS.iter().find(|c| c.entity == entity && c.field == "*"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::*;
    use bole_core::{CompanyId, EmployeeId, UserId};
    use chrono::{TimeZone, Utc};

    fn keys<T: serde::Serialize>(v: &T) -> Vec<String> {
        match serde_json::to_value(v).unwrap() {
            serde_json::Value::Object(m) => m.keys().cloned().collect(),
            _ => Vec::new(),
        }
    }

    #[test]
    fn every_serialised_field_is_classified() {
        let at = Utc.with_ymd_and_hms(2026, 3, 2, 4, 0, 0).unwrap();
        let request = DataSubjectRequest {
            id: RequestId::new(),
            employee_id: EmployeeId::new(),
            company_id: CompanyId::new(),
            kind: RequestKind::Correction,
            status: RequestStatus::Submitted,
            details: Some("x".into()),
            corrections: vec![],
            categories: vec![],
            purpose_code: None,
            retention: None,
            submitted_at: at,
            submitted_by: UserId::new(),
            due_date: at.date_naive(),
            resolution: None,
            handled_by: None,
            closed_at: None,
            updated_at: at,
        };
        let copy = DataCopy { employee_id: EmployeeId::new(), generated_at: at, sections: Default::default() };
        for (entity, fields) in [
            ("data_subject_request", keys(&request)),
            ("request_summary", keys(&request.summary(at.date_naive()))),
            ("data_copy", keys(&copy)),
        ] {
            for field in fields {
                assert!(class_of(entity, &field).is_some(), "{entity}.{field} is not classified");
            }
        }
        assert_eq!(class_of("data_subject_request", "corrections").unwrap().level, C::Sensitive);
        assert_eq!(class_of("data_subject_request", "status").unwrap().level, C::Internal);
        assert!(class_of("nothing", "x").is_none());
    }
}
