//! `SqlStore::bulk_salary_assignments` on SQLite and PostgreSQL: the rows it writes open through
//! the payroll port exactly as given (same sealed format as one-by-one assignments), a batch that
//! meets an existing open assignment is refused as a whole, and a missing structure is named.
#![expect(clippy::unwrap_used, reason = "tests")]

use bole_core::{CompanyId, EmployeeId, UserId};
use bole_org::{CompanyKind, NewCompany, NewOrgUnit, OrgService, UnitKind};
use bole_payroll::store::PayrollStore;
use bole_payroll::{PayStructure, PayrollError, SalaryAssignment, SiEnrolment};
use bole_people::{EmploymentType, JobPlacement, NewEmployee, PeopleService, PersonalData};
use bole_testkit::{TestDb, admin, both_engines, clock_on, d};
use rust_decimal::Decimal;
use std::collections::BTreeMap;
use uuid::Uuid;

fn dec(s: &str) -> Decimal {
    s.parse().unwrap()
}

fn id_number(seq: u32) -> String {
    let body = format!("11010519900101{:03}", seq % 1000);
    const W: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
    let sum: u32 = body.chars().zip(W).map(|(c, w)| c.to_digit(10).unwrap() * w).sum();
    format!("{body}{}", b"10X98765432"[(sum % 11) as usize] as char)
}

async fn staff(t: &TestDb, n: u32) -> (CompanyId, Vec<EmployeeId>) {
    let clock = clock_on("2025-01-01");
    let org = OrgService::new(t.store.clone(), clock.clone());
    let people = PeopleService::new(t.store.clone(), t.store.clone(), t.store.clone(), clock);
    let c =
        NewCompany { code: "BL".into(), name: "伯乐科技".into(), kind: CompanyKind::Enterprise, credit_code: None };
    let company = org.create_company(&admin(), c).await.unwrap().id;
    let unit = NewOrgUnit {
        company_id: company,
        code: "HQ".into(),
        name: "总部".into(),
        kind: UnitKind::Headquarters,
        parent_id: None,
        effective_date: d("2020-01-01"),
    };
    let hq = org.create_unit(&admin(), unit).await.unwrap().id;
    let rows: Vec<NewEmployee> = (1..=n)
        .map(|i| NewEmployee {
            company_id: company,
            employee_no: format!("E{i:03}"),
            person: PersonalData { name: format!("员工{i}"), id_number: id_number(i), ..Default::default() },
            hire_date: d("2024-03-01"),
            job: JobPlacement {
                org_unit_id: hq,
                position_id: None,
                manager_id: None,
                employment_type: EmploymentType::FullTime,
                quota_category: "合同制".into(),
                work_location: None,
            },
            probation_months: 0,
            educations: vec![],
            contacts: vec![],
        })
        .collect();
    let ids = people.onboard_batch(&admin(), company, rows).await.map_err(|_| "onboard").unwrap();
    (company, ids)
}

fn structure(company: CompanyId) -> PayStructure {
    let mut s = bole_payroll::defaults::default_structure(company, d("2019-01-01"));
    s.id = Uuid::now_v7();
    s
}

fn assignment(company: CompanyId, structure: Uuid, e: EmployeeId, base: u32) -> SalaryAssignment {
    SalaryAssignment {
        id: Uuid::now_v7(),
        employee_id: e,
        company_id: company,
        structure_id: structure,
        base_salary: Decimal::from(base),
        fixed: BTreeMap::from([("MEAL".to_string(), dec("500.00")), ("TRANSPORT".to_string(), dec("300.00"))]),
        si: SiEnrolment {
            city: "beijing".into(),
            si_base: Decimal::from(base),
            hf_base: None,
            hf_rate_employee: Some(dec("0.12")),
            hf_rate_employer: Some(dec("0.12")),
            si_enrolled: true,
            hf_enrolled: true,
        },
        valid_from: d("2025-01-01"),
        valid_to: None,
        reason: Some("定薪".into()),
        created_by: UserId(Uuid::nil()),
        created_at: "2025-01-01T01:00:00Z".parse().unwrap(),
    }
}

async fn bulk_rows_open_through_the_port_and_conflicts_refuse_the_batch(t: TestDb) {
    let (company, staff) = staff(&t, 900).await;
    let s = structure(company);
    t.store.create_structure(&s, &[]).await.unwrap();
    // 900 rows: more than two INSERT batches.
    let (first, rest) = staff.split_at(850);
    let rows: Vec<SalaryAssignment> =
        first.iter().enumerate().map(|(i, e)| assignment(company, s.id, *e, 6_000 + i as u32 * 10)).collect();
    let ev = admin().audit("2025-01-01T01:00:00Z".parse().unwrap(), "payroll.salary.bulk", "employee");
    assert_eq!(t.store.bulk_salary_assignments(&rows, &[ev]).await.unwrap(), 850);

    for (i, a) in rows.iter().enumerate().step_by(97) {
        let history = t.store.salary_history(a.employee_id).await.unwrap();
        assert_eq!(history, vec![a.clone()], "row {i}");
    }
    let wanted: Vec<(EmployeeId, chrono::NaiveDate)> = staff.iter().map(|e| (*e, d("2025-07-31"))).collect();
    let on = t.store.salaries_on(&wanted).await.unwrap();
    assert_eq!(on.len(), 850);
    assert_eq!(on[&first[849]].base_salary, Decimal::from(6_000 + 849 * 10));

    // One new employee and one who already has an open assignment: nothing is written.
    let mixed = vec![assignment(company, s.id, rest[0], 7_000), assignment(company, s.id, first[0], 8_000)];
    assert!(matches!(t.store.bulk_salary_assignments(&mixed, &[]).await, Err(PayrollError::EffectiveDateConflict)));
    assert!(t.store.salary_history(rest[0]).await.unwrap().is_empty());
    assert_eq!(t.store.salary_history(first[0]).await.unwrap().len(), 1);

    let orphan = vec![assignment(company, Uuid::now_v7(), rest[1], 7_000)];
    assert!(matches!(t.store.bulk_salary_assignments(&orphan, &[]).await, Err(PayrollError::StructureNotFound)));
    let nobody = vec![assignment(company, s.id, EmployeeId(Uuid::now_v7()), 7_000)];
    assert!(matches!(t.store.bulk_salary_assignments(&nobody, &[]).await, Err(PayrollError::EmployeeNotFound)));
    assert_eq!(t.store.bulk_salary_assignments(&[], &[]).await.unwrap(), 0);
}

both_engines!(bulk_rows_open_through_the_port_and_conflicts_refuse_the_batch);
