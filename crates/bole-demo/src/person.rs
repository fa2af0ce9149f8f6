//! Turns a planned person into the import API's input: personal data drawn from
//! a per-person RNG (so any chunk can be produced on its own, reproducibly), the
//! first placement, and the later lifecycle events.

use crate::names::{self, REGIONS};
use crate::plan::{Person, Step, age_on};
use crate::structure::Built;
use bole_core::CompanyId;
use bole_org::CompanyKind;
use bole_people::standards::synthesize;
use bole_people::{Contact, ContactKind, Education, EventKind, JobPlacement, NewEmployee, NewEvent, PersonalData};
use chrono::{Datelike, NaiveDate};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

/// SplitMix64: decorrelates the per-person seeds of neighbouring indices.
fn mix(seed: u64, index: u64) -> u64 {
    let mut z = seed.wrapping_add(index.wrapping_add(1).wrapping_mul(0x9E37_79B9_7F4A_7C15));
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

pub(crate) fn employee_no(built: &Built, p: &Person) -> String {
    format!("{}{:06}", built.companies[p.company].employee_prefix, p.seq)
}

fn weighted_code(rng: &mut StdRng, table: &[(&'static str, u32)]) -> &'static str {
    table[names::weighted(rng, table, |e| e.1)].0
}

fn date(y: i32, m: u32, d: u32) -> Option<NaiveDate> {
    NaiveDate::from_ymd_opt(y, m, d)
}

/// The highest 学历 (GB/T 4658 code), its 学位 and the 学习经历 behind it.
fn education(
    rng: &mut StdRng,
    kind: CompanyKind,
    birth: NaiveDate,
    hire: NaiveDate,
) -> (String, Option<String>, Vec<Education>) {
    // (level, degree, age at graduation, share in percent by company kind)
    let table: &[(&str, &str, u32)] = match kind {
        CompanyKind::Enterprise => &[("10", "3", 15), ("20", "4", 55), ("30", "0", 20), ("40", "0", 6), ("60", "0", 4)],
        CompanyKind::PublicInstitution => &[("10", "3", 20), ("20", "4", 60), ("30", "0", 15), ("60", "0", 5)],
        CompanyKind::Government => &[("10", "3", 25), ("20", "4", 70), ("30", "0", 5)],
    };
    let i = names::weighted(rng, table, |e| e.2);
    let grad_age = |level: &str| match level {
        "10" => 25,
        "20" => 22,
        "30" => 21,
        "40" => 19,
        _ => 18,
    };
    // Nobody graduates after starting work here: step down until the dates fit.
    let mut k = i;
    while k + 1 < table.len() && birth.year() + grad_age(table[k].0) > hire.year() {
        k += 1;
    }
    let (level, degree, _) = table[k];
    let doctor = level == "10" && rng.random_ratio(1, 8);
    let y = birth.year();
    let mut list = Vec::new();
    let major = names::pick(rng, names::MAJORS).to_string();
    let entry = |school: &str, level: &str, degree: Option<&str>, from: i32, to: i32, major: &str| Education {
        school: school.to_string(),
        major: Some(major.to_string()),
        education_level: level.to_string(),
        degree: degree.map(str::to_string),
        start_date: date(from, 9, 1),
        end_date: date(to, 7, 1),
        full_time: true,
    };
    match level {
        "10" => {
            let uni = names::pick(rng, names::SCHOOLS_UNIVERSITY);
            list.push(entry(uni, "20", Some("4"), y + 18, y + 22, &major));
            let grad = names::pick(rng, names::SCHOOLS_UNIVERSITY);
            list.push(entry(grad, "10", Some("3"), y + 22, y + 25, &major));
            if doctor {
                list.push(entry(grad, "10", Some("2"), y + 25, y + 29, &major));
            }
        }
        "20" => list.push(entry(names::pick(rng, names::SCHOOLS_UNIVERSITY), "20", Some("4"), y + 18, y + 22, &major)),
        "30" => list.push(entry(names::pick(rng, names::SCHOOLS_COLLEGE), "30", None, y + 18, y + 21, &major)),
        "40" => list.push(entry(names::pick(rng, names::SCHOOLS_SECONDARY), "40", None, y + 15, y + 18, "计算机应用")),
        _ => {}
    }
    // Studies that would end after the hire date are left out of the history.
    list.retain(|e| e.end_date.is_none_or(|d| d <= hire));
    let degree = if doctor && list.len() == 3 { "2" } else { degree };
    (level.to_string(), Some(degree.to_string()), list)
}

/// The import row and the later events of one planned person.
pub(crate) fn materialize(
    built: &Built,
    company_id: CompanyId,
    p: &Person,
    index: u64,
    seed: u64,
    today: NaiveDate,
) -> (NewEmployee, Vec<NewEvent>) {
    let mut rng = StdRng::seed_from_u64(mix(seed, index));
    let rng = &mut rng;
    let kind = built.companies[p.company].kind;
    let region = &REGIONS[p.region];
    let surname = names::surname(rng);
    let name = format!("{surname}{}", names::given_name(rng, p.male));
    let id_number = synthesize(region.code, p.birth, p.id_seq).unwrap_or_default();
    let ethnicity = if region.guangxi {
        weighted_code(rng, &[("01", 68), ("08", 25), ("13", 3), ("12", 2), ("06", 2)])
    } else {
        weighted_code(rng, &[("01", 95), ("03", 2), ("11", 2), ("15", 1)])
    };
    let age = age_on(p.birth, today);
    let party = match kind {
        CompanyKind::Enterprise => 15,
        CompanyKind::PublicInstitution => 40,
        CompanyKind::Government => 70,
    };
    let political = match rng.random_range(0..100) {
        x if x < party => "01",
        x if x < party + 2 => "02",
        x if x < party + 3 && kind == CompanyKind::PublicInstitution => "05",
        _ if age < 28 && rng.random_ratio(1, 2) => "03",
        _ => "13",
    };
    let marital = match age {
        0..25 => weighted_code(rng, &[("10", 90), ("20", 10)]),
        25..33 => weighted_code(rng, &[("10", 45), ("20", 55)]),
        _ => weighted_code(rng, &[("10", 8), ("20", 84), ("40", 6), ("30", 2)]),
    };
    let (education_level, degree, educations) = education(rng, kind, p.birth, p.hire);
    let no = employee_no(built, p);
    let street = names::pick(rng, names::STREETS);
    let address = format!("{}{street}{}号", region.name, rng.random_range(1..300));
    let mut contacts = Vec::new();
    if marital == "20" {
        let spouse = format!("{}{}", names::surname(rng), names::given_name(rng, !p.male));
        contacts.push(Contact {
            kind: ContactKind::Emergency,
            name: spouse,
            relation: "配偶".into(),
            phone: Some(names::mobile(rng)),
            workplace: None,
        });
    } else {
        let father = rng.random_ratio(1, 2);
        contacts.push(Contact {
            kind: ContactKind::Emergency,
            name: format!("{surname}{}", names::given_name(rng, father)),
            relation: if father { "父亲" } else { "母亲" }.into(),
            phone: Some(names::mobile(rng)),
            workplace: None,
        });
    }
    if marital == "20" && age > 32 && rng.random_ratio(1, 3) {
        let son = rng.random_ratio(1, 2);
        contacts.push(Contact {
            kind: ContactKind::Family,
            name: format!("{surname}{}", names::given_name(rng, son)),
            relation: if son { "儿子" } else { "女儿" }.into(),
            phone: None,
            workplace: None,
        });
    }
    let unit = &built.units[p.unit];
    let employee = NewEmployee {
        company_id,
        employee_no: no.clone(),
        person: PersonalData {
            name,
            gender: Some(if p.male { "1" } else { "2" }.into()),
            birth_date: Some(p.birth),
            id_type: Some("111".into()),
            id_number,
            ethnicity: Some(ethnicity.into()),
            political_status: Some(political.into()),
            marital_status: Some(marital.into()),
            native_place: Some(region.name.into()),
            education_level: Some(education_level),
            degree,
            phone: Some(names::mobile(rng)),
            email: Some(format!("{}@bole-demo.cn", no.to_ascii_lowercase())),
            address: Some(address),
            bank_name: None,
            bank_account: None,
        },
        hire_date: p.hire,
        job: JobPlacement {
            org_unit_id: unit.id,
            position_id: Some(built.positions[p.position].id),
            manager_id: None,
            employment_type: p.employment,
            quota_category: p.category.as_str().into(),
            work_location: Some(unit.location.into()),
        },
        probation_months: p.probation_months,
        educations,
        contacts,
    };
    let events = p.events.iter().map(|e| event(built, e.date, &e.step)).collect();
    (employee, events)
}

fn event(built: &Built, date: NaiveDate, step: &Step) -> NewEvent {
    let (kind, reason) = match step {
        Step::Confirm => (EventKind::Confirm, None),
        Step::Transfer { unit, position } => (
            EventKind::Transfer {
                org_unit_id: built.units[*unit].id,
                position_id: Some(built.positions[*position].id),
                manager_id: None,
                work_location: Some(built.units[*unit].location.into()),
            },
            Some("工作需要调岗"),
        ),
        Step::Promote { position } => {
            let pos = &built.positions[*position];
            (
                EventKind::Promote { position_id: pos.id, org_unit_id: Some(built.units[pos.unit].id) },
                Some("年度考核优秀，晋升"),
            )
        }
        Step::Second { host } => {
            (EventKind::Second { host_org_unit_id: built.units[*host].id }, Some("借调支援重点项目"))
        }
        Step::EndSecondment => (EventKind::EndSecondment, Some("借调期满返回原单位")),
        Step::Leave => (EventKind::LeaveOfAbsence, Some("个人原因申请停薪留职")),
        Step::Return => (EventKind::ReturnFromLeave, Some("停薪留职期满复职")),
        Step::Separate { reason } => {
            (EventKind::Separate { reason: *reason, last_day: date.pred_opt().unwrap_or(date) }, Some("办理离职手续"))
        }
        Step::Retire => (EventKind::Retire, Some("达到法定退休年龄")),
        Step::Rehire { unit, position, employment, category } => {
            let u = &built.units[*unit];
            let reason =
                if *employment == bole_people::EmploymentType::RetireeRehire { "退休返聘" } else { "再次入职" };
            (
                EventKind::Rehire {
                    job: JobPlacement {
                        org_unit_id: u.id,
                        position_id: Some(built.positions[*position].id),
                        manager_id: None,
                        employment_type: *employment,
                        quota_category: category.as_str().into(),
                        work_location: Some(u.location.into()),
                    },
                },
                Some(reason),
            )
        }
    };
    NewEvent { effective_date: Some(date), kind, reason: reason.map(str::to_string) }
}
