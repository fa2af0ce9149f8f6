//! Criterion benchmarks of pure kernels: resident ID parsing, folding a
//! lifecycle history into assignments, and building a 1,000-unit org tree with
//! headcount roll-up. No database; these bound the CPU cost inside the scenarios.

use bole_core::{CompanyId, DateRange, EmployeeId, EventId, OrgUnitId, PositionId};
use bole_org::{OrgUnitView, UnitKind};
use bole_people::standards::{ResidentId, synthesize};
use bole_people::{EmploymentType, EventKind, EventRecord, JobPlacement, SeparationReason};
use chrono::{DateTime, Days, NaiveDate, Utc};
use criterion::{BatchSize, Criterion, criterion_group, criterion_main};
use std::collections::HashMap;
use std::hint::black_box;

fn day(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap_or_default()
}

/// 10,000 valid resident ID numbers over a few regions and birth dates.
fn ids() -> Vec<String> {
    let regions = ["450102", "450103", "110105", "440305", "310104", "510107"];
    (0..10_000u32)
        .filter_map(|i| {
            let birth = day(1965, 1, 1).checked_add_days(Days::new(u64::from(i * 37 % 14_000)))?;
            synthesize(regions[i as usize % regions.len()], birth, (i % 999) as u16)
        })
        .collect()
}

fn resident_ids(c: &mut Criterion) {
    let ids = ids();
    c.bench_function("resident_id_parse_10k", |b| {
        b.iter(|| {
            let mut ok = 0u32;
            for id in &ids {
                if ResidentId::parse(black_box(id)).is_ok() {
                    ok += 1;
                }
            }
            ok
        })
    });
}

fn history(emp: EmployeeId) -> Vec<EventRecord> {
    let (a, b, c) = (OrgUnitId::new(), OrgUnitId::new(), OrgUnitId::new());
    let job = JobPlacement {
        org_unit_id: a,
        position_id: Some(PositionId::new()),
        manager_id: None,
        employment_type: EmploymentType::FullTime,
        quota_category: "contract".into(),
        work_location: None,
    };
    let kinds = [
        ("2019-03-01", EventKind::Onboard { job, probation_end: Some(day(2019, 8, 31)) }),
        ("2019-09-01", EventKind::Confirm),
        (
            "2021-01-01",
            EventKind::Transfer { org_unit_id: b, position_id: None, manager_id: None, work_location: None },
        ),
        ("2022-01-01", EventKind::Promote { position_id: PositionId::new(), org_unit_id: None }),
        ("2022-06-01", EventKind::Second { host_org_unit_id: c }),
        ("2022-12-01", EventKind::EndSecondment),
        ("2023-06-01", EventKind::LeaveOfAbsence),
        ("2023-12-01", EventKind::ReturnFromLeave),
        (
            "2024-06-01",
            EventKind::Transfer { org_unit_id: c, position_id: None, manager_id: None, work_location: None },
        ),
        ("2025-07-01", EventKind::Separate { reason: SeparationReason::Resignation, last_day: day(2025, 6, 30) }),
    ];
    kinds
        .into_iter()
        .map(|(d, kind)| EventRecord {
            id: EventId::new(),
            employee_id: emp,
            effective_date: d.parse().unwrap_or_default(),
            kind,
            reason: None,
            recorded_at: DateTime::<Utc>::default(),
            recorded_by: "bench".into(),
        })
        .collect()
}

fn lifecycle(c: &mut Criterion) {
    let emp = EmployeeId::new();
    let events = history(emp);
    assert_eq!(bole_people::rules::project(emp, &events).map(|s| s.len()).unwrap_or(0), 10);
    c.bench_function("lifecycle_project_10_events", |b| {
        b.iter(|| bole_people::rules::project(emp, black_box(&events)))
    });
}

/// 1 root, 10 divisions, 100 departments, 889 teams; headcount on every unit.
fn org_units() -> (Vec<OrgUnitView>, HashMap<OrgUnitId, i64>) {
    let company = CompanyId::new();
    let mut units = Vec::new();
    let mut unit = |parent: Option<OrgUnitId>, kind: UnitKind, n: usize| {
        let id = OrgUnitId::new();
        units.push(OrgUnitView {
            id,
            company_id: company,
            code: format!("U{n:04}"),
            name: format!("组织{n}"),
            kind,
            parent_id: parent,
            valid: DateRange::open(day(2015, 1, 1)),
        });
        id
    };
    let root = unit(None, UnitKind::Headquarters, 0);
    let divisions: Vec<OrgUnitId> = (1..=10).map(|n| unit(Some(root), UnitKind::Division, n)).collect();
    let departments: Vec<OrgUnitId> =
        (0..100).map(|n| unit(Some(divisions[n % 10]), UnitKind::Department, 11 + n)).collect();
    for n in 0..889 {
        unit(Some(departments[n % 100]), UnitKind::Team, 111 + n);
    }
    let headcount = units.iter().enumerate().map(|(i, u)| (u.id, (i % 150) as i64)).collect();
    (units, headcount)
}

fn org_tree(c: &mut Criterion) {
    let (units, headcount) = org_units();
    assert_eq!(units.len(), 1_000);
    c.bench_function("org_build_tree_1k_units_with_headcount", |b| {
        b.iter_batched(
            || units.clone(),
            |u| bole_org::rules::build_tree(u, Some(black_box(&headcount))),
            BatchSize::SmallInput,
        )
    });
}

criterion_group!(kernels, resident_ids, lifecycle, org_tree);
criterion_main!(kernels);
