//! Pure people rules: personal data held to the data standards, and the
//! lifecycle state machine that folds dated events into assignment segments.

use crate::error::PeopleError;
use crate::model::*;
use crate::standards::{self, ResidentId, dictionaries};
use bole_core::{DateRange, EmployeeId, EventId, FieldErrors, Msg, OrgUnitId, PositionId};
use chrono::NaiveDate;

/// 居民身份证 in dictionary `id_document_type` (GA/T 517).
pub const RESIDENT_ID: &str = "111";

/// Personal data after validation: every coded field holds a standard code.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ValidPerson {
    pub name: String,
    pub gender: String,
    pub birth_date: Option<NaiveDate>,
    pub id_type: String,
    pub id_number: String,
    pub ethnicity: Option<String>,
    pub political_status: Option<String>,
    pub marital_status: Option<String>,
    pub native_place: Option<String>,
    pub education_level: Option<String>,
    pub degree: Option<String>,
    pub phone: Option<String>,
    pub email: Option<String>,
    pub address: Option<String>,
    pub bank_name: Option<String>,
    /// Digits only.
    pub bank_account: Option<String>,
}

fn blank_to_none(v: &Option<String>) -> Option<&str> {
    v.as_deref().map(str::trim).filter(|s| !s.is_empty())
}

/// Normalise a coded field through its dictionary; an unknown value is an error
/// naming the dictionary.
fn coded(
    field: &str,
    dict: &'static dictionaries::Dictionary,
    value: Option<&str>,
    errs: &mut FieldErrors,
) -> Option<String> {
    let v = value?;
    match dict.normalize(v) {
        Some(e) => Some(e.code.to_string()),
        None => {
            errs.add(
                field,
                Msg::new(
                    format!("“{v}”不是{}（{}）中的有效值", dict.name_zh, dict.standard),
                    format!("\"{v}\" is not a valid value of {} ({})", dict.name_en, dict.standard),
                ),
            );
            None
        }
    }
}

/// Check personal data against the data standards. `today` bounds birth dates.
pub fn validate_person(p: &PersonalData, today: NaiveDate) -> Result<ValidPerson, FieldErrors> {
    let mut errs = FieldErrors::new();
    let name = p.name.trim().to_string();
    let n = name.chars().count();
    if n == 0 || n > 50 {
        errs.add("name", Msg::new("姓名不能为空且不超过50个字", "name must be 1–50 characters"));
    }
    let id_type =
        coded("id_type", &dictionaries::ID_DOCUMENT_TYPE, blank_to_none(&p.id_type).or(Some(RESIDENT_ID)), &mut errs)
            .unwrap_or_else(|| RESIDENT_ID.to_string());
    let mut gender = coded("gender", &dictionaries::GENDER, blank_to_none(&p.gender), &mut errs);
    let mut birth_date = p.birth_date;
    let raw_id = p.id_number.trim();
    let mut id_number = raw_id.to_string();
    if raw_id.is_empty() {
        errs.add("id_number", Msg::new("证件号码不能为空", "ID number is required"));
    } else if id_type == RESIDENT_ID {
        match ResidentId::parse(raw_id) {
            Ok(rid) => {
                id_number = rid.number().to_string();
                let sex_code = rid.sex().gb2261_code().to_string();
                match &gender {
                    Some(g) if (g == "1" || g == "2") && *g != sex_code => errs.add(
                        "gender",
                        Msg::new(
                            format!("性别与身份证号码不一致（号码显示为{}）", rid.sex().zh()),
                            format!("gender does not match the ID number (which says {})", rid.sex().en()),
                        ),
                    ),
                    Some(_) => {}
                    None => gender = Some(sex_code),
                }
                match birth_date {
                    Some(b) if b != rid.birth_date() => errs.add(
                        "birth_date",
                        Msg::new(
                            format!("出生日期与身份证号码不一致（号码显示为 {}）", rid.birth_date()),
                            format!("birth date does not match the ID number (which says {})", rid.birth_date()),
                        ),
                    ),
                    Some(_) => {}
                    None => birth_date = Some(rid.birth_date()),
                }
                if rid.birth_date() > today {
                    errs.add(
                        "id_number",
                        Msg::new("身份证号码中的出生日期晚于今天", "the ID number's birth date is in the future"),
                    );
                }
            }
            Err(e) => {
                let m = e.message();
                errs.add("id_number", Msg::new(format!("身份证号：{}", m.zh), format!("ID number: {}", m.en)));
            }
        }
    } else if raw_id.chars().count() > 32 {
        errs.add("id_number", Msg::new("证件号码过长（最多32位）", "ID number is too long (at most 32 characters)"));
    }
    if let Some(b) = birth_date
        && b > today
    {
        errs.add("birth_date", Msg::new("出生日期不能晚于今天", "birth date cannot be in the future"));
    }
    let gender = gender.unwrap_or_else(|| {
        errs.add("gender", Msg::new("请填写性别", "gender is required"));
        String::new()
    });
    let ethnicity = coded("ethnicity", &dictionaries::ETHNICITY, blank_to_none(&p.ethnicity), &mut errs);
    let political_status =
        coded("political_status", &dictionaries::POLITICAL_STATUS, blank_to_none(&p.political_status), &mut errs);
    let marital_status =
        coded("marital_status", &dictionaries::MARITAL_STATUS, blank_to_none(&p.marital_status), &mut errs);
    let education_level =
        coded("education_level", &dictionaries::EDUCATION_LEVEL, blank_to_none(&p.education_level), &mut errs);
    let degree = coded("degree", &dictionaries::DEGREE, blank_to_none(&p.degree), &mut errs);
    let phone = match blank_to_none(&p.phone) {
        None => None,
        Some(v) => match standards::normalize_phone(v) {
            Ok(n) => Some(n),
            Err(e) => {
                errs.add("phone", e.message());
                None
            }
        },
    };
    let email = match blank_to_none(&p.email) {
        None => None,
        Some(v) => match standards::normalize_email(v) {
            Ok(n) => Some(n),
            Err(e) => {
                errs.add("email", e.message());
                None
            }
        },
    };
    let bank_account = match blank_to_none(&p.bank_account) {
        None => None,
        Some(v) => {
            let digits: String = v.chars().filter(|c| !c.is_whitespace() && *c != '-').collect();
            if (12..=19).contains(&digits.len()) && digits.chars().all(|c| c.is_ascii_digit()) {
                Some(digits)
            } else {
                errs.add("bank_account", Msg::new("银行卡号须为12–19位数字", "bank card number must be 12–19 digits"));
                None
            }
        }
    };
    for (field, v, max) in [
        ("native_place", &p.native_place, 100usize),
        ("address", &p.address, 200usize),
        ("bank_name", &p.bank_name, 100usize),
    ] {
        if blank_to_none(v).is_some_and(|s| s.chars().count() > max) {
            errs.add(field, Msg::new(format!("不超过{max}个字"), format!("at most {max} characters")));
        }
    }
    errs.into_result()?;
    Ok(ValidPerson {
        name,
        gender,
        birth_date,
        id_type,
        id_number,
        ethnicity,
        political_status,
        marital_status,
        native_place: blank_to_none(&p.native_place).map(str::to_string),
        education_level,
        degree,
        phone,
        email,
        address: blank_to_none(&p.address).map(str::to_string),
        bank_name: blank_to_none(&p.bank_name).map(str::to_string),
        bank_account,
    })
}

/// 工号: what clerks type and payroll files carry — short and unambiguous.
pub fn check_employee_no(no: &str, errs: &mut FieldErrors) {
    let ok = !no.is_empty() && no.len() <= 32 && no.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
    if !ok {
        errs.add(
            "employee_no",
            Msg::new("工号须为1–32位字母、数字、- 或 _", "employee number must be 1–32 letters, digits, - or _"),
        );
    }
}

pub fn check_quota_category(field: &str, category: &str, errs: &mut FieldErrors) -> String {
    match dictionaries::QUOTA_CATEGORY.normalize(category) {
        Some(e) => e.code.to_string(),
        None => {
            errs.add(
                field,
                Msg::new(
                    "编制类别须为 行政编制 / 事业编制 / 合同制 / 其他",
                    "quota category must be administrative, public_institution, contract or other",
                ),
            );
            category.to_string()
        }
    }
}

/// The probation end for a hire date and a number of months (劳动合同法 第十九条:
/// at most six months). The day before the same calendar day N months later.
pub fn probation_end(hire: NaiveDate, months: u8) -> Option<NaiveDate> {
    if months == 0 {
        return None;
    }
    hire.checked_add_months(chrono::Months::new(u32::from(months))).and_then(|d| d.pred_opt())
}

/// The employee's situation between two events.
#[derive(Clone, Debug, PartialEq, Eq)]
struct Situation {
    status: EmployeeStatus,
    /// Status to return to after a secondment or leave of absence.
    resume: EmployeeStatus,
    org_unit_id: OrgUnitId,
    host_org_unit_id: Option<OrgUnitId>,
    position_id: Option<PositionId>,
    manager_id: Option<bole_core::EmployeeId>,
    employment_type: EmploymentType,
    quota_category: String,
    work_location: Option<String>,
}

fn from_job(job: &JobPlacement, status: EmployeeStatus) -> Situation {
    Situation {
        status,
        resume: status,
        org_unit_id: job.org_unit_id,
        host_org_unit_id: None,
        position_id: job.position_id,
        manager_id: job.manager_id,
        employment_type: job.employment_type,
        quota_category: job.quota_category.clone(),
        work_location: job.work_location.clone(),
    }
}

/// Apply one event to the situation before it.
fn apply(before: Option<&Situation>, kind: &EventKind, date: NaiveDate) -> Result<Situation, PeopleError> {
    use EmployeeStatus as S;
    let refuse = || PeopleError::Transition { event: kind.code(), status: before.map(|b| b.status.as_str()), date };
    let status = before.map(|b| b.status);
    let active = matches!(status, Some(S::Probation | S::Regular));
    let employed = status.is_some_and(|s| s.employed());
    let mut next = match (before, kind) {
        (None, EventKind::Onboard { job, probation_end }) => {
            let s = if probation_end.is_some_and(|p| p >= date) { S::Probation } else { S::Regular };
            return Ok(from_job(job, s));
        }
        (Some(_), EventKind::Rehire { job }) if matches!(status, Some(S::Separated | S::Retired)) => {
            return Ok(from_job(job, S::Regular));
        }
        (Some(b), _) => b.clone(),
        (None, _) => return Err(refuse()),
    };
    match kind {
        EventKind::Onboard { .. } | EventKind::Rehire { .. } | EventKind::Cancel { .. } => return Err(refuse()),
        EventKind::Confirm if status == Some(S::Probation) => {
            next.status = S::Regular;
            next.resume = S::Regular;
        }
        EventKind::Transfer { org_unit_id, position_id, manager_id, work_location } if employed => {
            next.org_unit_id = *org_unit_id;
            next.position_id = *position_id;
            if manager_id.is_some() {
                next.manager_id = *manager_id;
            }
            if work_location.is_some() {
                next.work_location = work_location.clone();
            }
        }
        EventKind::Promote { position_id, org_unit_id } | EventKind::Demote { position_id, org_unit_id }
            if employed =>
        {
            next.position_id = Some(*position_id);
            if let Some(u) = org_unit_id {
                next.org_unit_id = *u;
            }
        }
        EventKind::Second { host_org_unit_id } if active => {
            next.resume = next.status;
            next.status = S::Seconded;
            next.host_org_unit_id = Some(*host_org_unit_id);
        }
        EventKind::EndSecondment if status == Some(S::Seconded) => {
            next.status = next.resume;
            next.host_org_unit_id = None;
        }
        EventKind::LeaveOfAbsence if active => {
            next.resume = next.status;
            next.status = S::LeaveOfAbsence;
        }
        EventKind::ReturnFromLeave if status == Some(S::LeaveOfAbsence) => next.status = next.resume,
        EventKind::Separate { .. } if employed => {
            next.status = S::Separated;
            next.host_org_unit_id = None;
        }
        EventKind::Retire if employed => {
            next.status = S::Retired;
            next.host_org_unit_id = None;
        }
        _ => return Err(refuse()),
    }
    Ok(next)
}

/// Events that still count: not cancelled and not themselves cancellations,
/// in effective order (date, then recording order — ids are time-ordered).
pub fn effective_events(events: &[EventRecord]) -> Vec<&EventRecord> {
    let cancelled: std::collections::HashSet<EventId> = events
        .iter()
        .filter_map(|e| match e.kind {
            EventKind::Cancel { event_id } => Some(event_id),
            _ => None,
        })
        .collect();
    let mut list: Vec<&EventRecord> =
        events.iter().filter(|e| !matches!(e.kind, EventKind::Cancel { .. }) && !cancelled.contains(&e.id)).collect();
    list.sort_by(|a, b| a.effective_date.cmp(&b.effective_date).then(a.id.cmp(&b.id)));
    list
}

/// Fold the events into consecutive assignment segments. Fails with the first
/// event that is not allowed in the state before it.
pub fn project(employee_id: EmployeeId, events: &[EventRecord]) -> Result<Vec<Assignment>, PeopleError> {
    let mut out: Vec<Assignment> = Vec::new();
    let mut state: Option<Situation> = None;
    for e in effective_events(events) {
        let next = apply(state.as_ref(), &e.kind, e.effective_date)?;
        if let Some(last) = out.last_mut() {
            if last.valid.from == e.effective_date {
                // Two events on one day: the later-recorded one decides that day.
                out.pop();
            } else {
                last.valid.to = Some(e.effective_date);
            }
        }
        out.push(Assignment {
            employee_id,
            valid: DateRange::open(e.effective_date),
            status: next.status,
            org_unit_id: next.org_unit_id,
            host_org_unit_id: next.host_org_unit_id,
            position_id: next.position_id,
            manager_id: next.manager_id,
            employment_type: next.employment_type,
            quota_category: next.quota_category.clone(),
            work_location: next.work_location.clone(),
            event_id: e.id,
        });
        state = Some(next);
    }
    // A popped same-day segment can leave its predecessor's end pointing at it; re-link.
    for i in 1..out.len() {
        let from = out[i].valid.from;
        out[i - 1].valid.to = Some(from);
    }
    Ok(out)
}

/// The segment covering `day`, if any.
pub fn as_of(assignments: &[Assignment], day: NaiveDate) -> Option<&Assignment> {
    assignments.iter().find(|a| a.valid.contains(day))
}

/// The (unit, category, date) pairs whose 编制 the new events may fill: every
/// segment that starts an employed stay in a unit/category on or after `from`.
pub fn quota_checks(assignments: &[Assignment], from: NaiveDate) -> Vec<(OrgUnitId, String, NaiveDate)> {
    let mut out = Vec::new();
    let mut prev: Option<&Assignment> = None;
    for a in assignments {
        let entering = a.status.employed()
            && prev.is_none_or(|p| {
                !p.status.employed() || p.org_unit_id != a.org_unit_id || p.quota_category != a.quota_category
            });
        if entering && a.valid.from >= from {
            out.push((a.org_unit_id, a.quota_category.clone(), a.valid.from));
        }
        prev = Some(a);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{DateTime, Utc};

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    fn job(unit: OrgUnitId) -> JobPlacement {
        JobPlacement {
            org_unit_id: unit,
            position_id: None,
            manager_id: None,
            employment_type: EmploymentType::FullTime,
            quota_category: "contract".into(),
            work_location: None,
        }
    }

    fn ev(emp: EmployeeId, date: &str, kind: EventKind) -> EventRecord {
        EventRecord {
            id: EventId::new(),
            employee_id: emp,
            effective_date: d(date),
            kind,
            reason: None,
            recorded_at: DateTime::<Utc>::default(),
            recorded_by: "test".into(),
        }
    }

    #[test]
    fn lifecycle_folds_into_segments() {
        let emp = EmployeeId::new();
        let (a, b) = (OrgUnitId::new(), OrgUnitId::new());
        let events = vec![
            ev(emp, "2024-01-01", EventKind::Onboard { job: job(a), probation_end: Some(d("2024-03-31")) }),
            ev(emp, "2024-04-01", EventKind::Confirm),
            ev(
                emp,
                "2025-01-01",
                EventKind::Transfer { org_unit_id: b, position_id: None, manager_id: None, work_location: None },
            ),
            ev(emp, "2025-06-01", EventKind::Second { host_org_unit_id: a }),
            ev(emp, "2025-09-01", EventKind::EndSecondment),
            ev(
                emp,
                "2026-01-01",
                EventKind::Separate { reason: SeparationReason::Resignation, last_day: d("2025-12-31") },
            ),
        ];
        let segs = project(emp, &events).unwrap();
        let statuses: Vec<_> = segs.iter().map(|s| s.status).collect();
        use EmployeeStatus::*;
        assert_eq!(statuses, vec![Probation, Regular, Regular, Seconded, Regular, Separated]);
        assert_eq!(as_of(&segs, d("2024-12-31")).unwrap().org_unit_id, a);
        assert_eq!(as_of(&segs, d("2025-01-01")).unwrap().org_unit_id, b);
        assert_eq!(as_of(&segs, d("2025-07-01")).unwrap().host_org_unit_id, Some(a));
        assert!(as_of(&segs, d("2023-12-31")).is_none());
        assert!(!as_of(&segs, d("2026-01-01")).unwrap().status.employed());
        for w in segs.windows(2) {
            assert_eq!(w[0].valid.to, Some(w[1].valid.from), "segments meet without gaps");
        }
    }

    #[test]
    fn illegal_transitions_are_refused() {
        let emp = EmployeeId::new();
        let a = OrgUnitId::new();
        let onboard = ev(emp, "2024-01-01", EventKind::Onboard { job: job(a), probation_end: None });
        let cases = [
            vec![ev(emp, "2024-01-01", EventKind::Confirm)],
            vec![onboard.clone(), ev(emp, "2024-02-01", EventKind::Confirm)],
            vec![onboard.clone(), ev(emp, "2024-02-01", EventKind::Onboard { job: job(a), probation_end: None })],
            vec![onboard.clone(), ev(emp, "2024-02-01", EventKind::EndSecondment)],
            vec![onboard.clone(), ev(emp, "2024-02-01", EventKind::Rehire { job: job(a) })],
            vec![
                onboard.clone(),
                ev(emp, "2024-02-01", EventKind::Retire),
                ev(
                    emp,
                    "2024-03-01",
                    EventKind::Transfer { org_unit_id: a, position_id: None, manager_id: None, work_location: None },
                ),
            ],
            vec![ev(emp, "2023-06-01", EventKind::Retire), onboard.clone()],
        ];
        for (i, c) in cases.iter().enumerate() {
            assert!(matches!(project(emp, c), Err(PeopleError::Transition { .. })), "case {i} must be refused");
        }
    }

    #[test]
    fn a_cancelled_event_no_longer_counts_but_stays_in_history() {
        let emp = EmployeeId::new();
        let (a, b, c) = (OrgUnitId::new(), OrgUnitId::new(), OrgUnitId::new());
        let wrong = ev(
            emp,
            "2025-01-01",
            EventKind::Transfer { org_unit_id: b, position_id: None, manager_id: None, work_location: None },
        );
        let events = vec![
            ev(emp, "2024-01-01", EventKind::Onboard { job: job(a), probation_end: None }),
            wrong.clone(),
            ev(emp, "2025-01-01", EventKind::Cancel { event_id: wrong.id }),
            ev(
                emp,
                "2025-01-01",
                EventKind::Transfer { org_unit_id: c, position_id: None, manager_id: None, work_location: None },
            ),
        ];
        let segs = project(emp, &events).unwrap();
        assert_eq!(segs.len(), 2);
        assert_eq!(as_of(&segs, d("2025-02-01")).unwrap().org_unit_id, c);
        assert_eq!(effective_events(&events).len(), 2);
    }

    #[test]
    fn rehire_after_separation_and_quota_entry_points() {
        let emp = EmployeeId::new();
        let (a, b) = (OrgUnitId::new(), OrgUnitId::new());
        let events = vec![
            ev(emp, "2020-01-01", EventKind::Onboard { job: job(a), probation_end: None }),
            ev(
                emp,
                "2021-01-01",
                EventKind::Separate { reason: SeparationReason::Resignation, last_day: d("2020-12-31") },
            ),
            ev(emp, "2022-01-01", EventKind::Rehire { job: job(b) }),
            ev(emp, "2022-06-01", EventKind::LeaveOfAbsence),
            ev(emp, "2022-09-01", EventKind::ReturnFromLeave),
        ];
        let segs = project(emp, &events).unwrap();
        assert_eq!(segs.last().unwrap().status, EmployeeStatus::Regular);
        let checks = quota_checks(&segs, d("2020-01-01"));
        assert_eq!(
            checks,
            vec![(a, "contract".to_string(), d("2020-01-01")), (b, "contract".to_string(), d("2022-01-01"))]
        );
        assert_eq!(quota_checks(&segs, d("2021-06-01")).len(), 1);
    }

    #[test]
    fn probation_end_is_the_day_before_the_monthiversary() {
        assert_eq!(probation_end(d("2026-01-15"), 3), Some(d("2026-04-14")));
        assert_eq!(probation_end(d("2026-01-31"), 1), Some(d("2026-02-27")));
        assert_eq!(probation_end(d("2026-01-15"), 0), None);
    }

    #[test]
    fn personal_data_is_normalised_and_checked() {
        let today = d("2026-11-21");
        let p = PersonalData {
            name: " 张三 ".into(),
            id_number: "11010519491231002x".into(),
            education_level: Some("大学".into()),
            phone: Some("138 1234 5678".into()),
            ethnicity: Some("汉".into()),
            ..Default::default()
        };
        let v = validate_person(&p, today).unwrap();
        assert_eq!(v.name, "张三");
        assert_eq!(v.id_number, "11010519491231002X");
        assert_eq!(v.gender, "2");
        assert_eq!(v.birth_date, Some(d("1949-12-31")));
        assert_eq!(v.education_level.as_deref(), Some("20"));
        assert_eq!(v.phone.as_deref(), Some("13812345678"));

        let bad = PersonalData {
            name: "李四".into(),
            gender: Some("男".into()),
            id_number: "11010519491231002X".into(),
            birth_date: Some(d("1950-01-01")),
            email: Some("not-an-email".into()),
            ..Default::default()
        };
        let errs = validate_person(&bad, today).unwrap_err();
        for f in ["gender", "birth_date", "email"] {
            assert!(errs.0.contains_key(f), "{f} must be reported: {errs:?}");
        }
        let bad_id =
            PersonalData { name: "王五".into(), id_number: "110105194912310021".into(), ..Default::default() };
        let errs = validate_person(&bad_id, today).unwrap_err();
        assert!(errs.0["id_number"][0].zh.contains("校验位"), "{errs:?}");
    }

    #[test]
    fn bank_account_is_12_to_19_digits() {
        let today = d("2026-11-21");
        let with = |card: &str| PersonalData {
            name: "张三".into(),
            id_number: "11010519491231002X".into(),
            bank_name: Some(" 中国工商银行 ".into()),
            bank_account: Some(card.into()),
            ..Default::default()
        };
        let v = validate_person(&with("6222 0202 0011 2233 445"), today).unwrap();
        assert_eq!(v.bank_account.as_deref(), Some("6222020200112233445"));
        assert_eq!(v.bank_name.as_deref(), Some("中国工商银行"));
        assert!(validate_person(&with("622202020011"), today).is_ok());
        for bad in ["62220202001", "62220202001122334455", "6222O20200112233"] {
            let errs = validate_person(&with(bad), today).unwrap_err();
            assert!(errs.0.contains_key("bank_account"), "{bad}: {errs:?}");
        }
        assert_eq!(validate_person(&with("  "), today).unwrap().bank_account, None);
    }
}
