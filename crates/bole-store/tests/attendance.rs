//! Conformance suite for the attendance port, through the service so rules and adapter are
//! exercised together: punches re-derive their days, imports are all-or-nothing, calendars and
//! schedules invalidate what they change, monthly summaries are idempotent. SQLite and PostgreSQL.
#![expect(clippy::unwrap_used, reason = "tests")]

use bole_core::{Actor, CompanyId, Failure, OrgUnitId, PageRequest};
use bole_org::*;
use bole_people::*;
use bole_testkit::{TestDb, admin, both_engines, clock_on, d};
use bole_time::attendance::*;
use bole_time::calendar::{DayOverride, OverrideKind};
use chrono::NaiveTime;

struct Fx {
    att: AttendanceService,
    actor: Actor,
    company: CompanyId,
    hq: OrgUnitId,
    e1: bole_core::EmployeeId,
    e2: bole_core::EmployeeId,
}

/// Today is 2026-11-21; E001 was hired 2026-01-01, E002 on 2026-03-16.
async fn fixture(t: &TestDb) -> Fx {
    let clock = clock_on("2026-11-21");
    let org = OrgService::new(t.store.clone(), clock.clone());
    let people = PeopleService::new(t.store.clone(), t.store.clone(), t.store.clone(), clock.clone());
    let actor = admin();
    let company = org
        .create_company(
            &actor,
            NewCompany {
                code: "BL".into(), name: "伯乐科技".into(), kind: CompanyKind::Enterprise, credit_code: None
            },
        )
        .await
        .unwrap()
        .id;
    let hq = org
        .create_unit(
            &actor,
            NewOrgUnit {
                company_id: company,
                code: "HQ".into(),
                name: "总部".into(),
                kind: UnitKind::Headquarters,
                parent_id: None,
                effective_date: d("2020-01-01"),
            },
        )
        .await
        .unwrap()
        .id;
    let hire = |no: &str, id_number: &str, date: &str| NewEmployee {
        company_id: company,
        employee_no: no.into(),
        person: PersonalData { name: format!("员工{no}"), id_number: id_number.into(), ..Default::default() },
        hire_date: d(date),
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
    };
    let e1 = people.onboard(&actor, hire("E001", "11010519491231002X", "2026-01-01")).await.unwrap().employee.id;
    let e2 = people.onboard(&actor, hire("E002", "440524188001010014", "2026-03-16")).await.unwrap().employee.id;
    let att = AttendanceService::new(t.store.clone(), people, org, t.store.clone(), clock);
    Fx { att, actor, company, hq, e1, e2 }
}

async fn day(fx: &Fx, e: bole_core::EmployeeId, date: &str) -> AttendanceDay {
    fx.att.days(&fx.actor, e, d(date), d(date)).await.unwrap().remove(0)
}

async fn import_recomputes_days_and_ignores_duplicates(t: TestDb) {
    let fx = fixture(&t).await;
    let csv = "工号,时间,设备\nE001,2026-03-02 09:05,大门\nE001,2026-03-02 18:00,大门\nE001,2026-03-03 08:59:30,\nE001,2026-03-03 18:01,\n";
    let r = fx.att.import_punches(&fx.actor, fx.company, csv.as_bytes()).await.unwrap();
    assert_eq!((r.rows, r.inserted, r.duplicates, r.employees), (4, 4, 0, 1));
    assert!(r.days_recomputed >= 2);
    let monday = day(&fx, fx.e1, "2026-03-02").await;
    assert_eq!((monday.status, monday.late_minutes, monday.worked_minutes), (DayStatus::Late, 5, 475));
    assert_eq!(day(&fx, fx.e1, "2026-03-03").await.status, DayStatus::Present);
    // The same file again adds nothing.
    let again = fx.att.import_punches(&fx.actor, fx.company, csv.as_bytes()).await.unwrap();
    assert_eq!((again.inserted, again.duplicates), (0, 4));
    let punches = fx.att.punches(&fx.actor, fx.e1, d("2026-03-02"), d("2026-03-03")).await.unwrap();
    assert_eq!(punches.len(), 4);
    assert_eq!(punches[0].local_time.time(), NaiveTime::from_hms_opt(9, 5, 0).unwrap());
    assert_eq!(punches[0].punch.source, PunchSource::Import);
    // A later punch (a correction, here a second clock-out) re-derives the day it belongs to.
    let csv = "E001,2026-03-02 20:15,\n";
    fx.att.import_punches(&fx.actor, fx.company, csv.as_bytes()).await.unwrap();
    let monday = day(&fx, fx.e1, "2026-03-02").await;
    assert_eq!((monday.worked_minutes, monday.punched_overtime_minutes, monday.overtime_minutes), (610, 120, 0));
}

async fn bad_import_writes_nothing(t: TestDb) {
    let fx = fixture(&t).await;
    let csv = "employee_no,time,device\nE001,2026-03-02 09:00,A\nE001,2026-03-02 25:00,A\nX999,2026-03-02 18:00,A\nE001,2030-01-01 09:00,A\n";
    let err = fx.att.import_punches(&fx.actor, fx.company, csv.as_bytes()).await.unwrap_err();
    assert_eq!(err.code(), "punch_import_invalid");
    let fields = err.fields().unwrap();
    let keys: Vec<&str> = fields.0.keys().map(String::as_str).collect();
    assert_eq!(keys, ["rows[3].time", "rows[4].employee_no", "rows[5].time"]);
    assert!(fx.att.punches(&fx.actor, fx.e1, d("2026-03-01"), d("2026-03-31")).await.unwrap().is_empty());
    // Before any punch the day is derived as an absence.
    assert_eq!(day(&fx, fx.e1, "2026-03-02").await.status, DayStatus::Absent);
}

/// Punches for every working day of March 2026 for E001 (late on the 2nd and 3rd) and from the
/// 16th for E002.
fn march_csv() -> String {
    let cal = bole_time::WorkCalendar::national().unwrap();
    let mut csv = String::from("employee_no,time,device\n");
    for date in Month::parse("2026-03").unwrap().days() {
        if !cal.is_working_day(date).unwrap() {
            continue;
        }
        let start = if date == d("2026-03-02") || date == d("2026-03-03") { "09:10" } else { "08:55" };
        csv.push_str(&format!("E001,{date} {start},A\nE001,{date} 18:05,A\n"));
        if date >= d("2026-03-16") {
            csv.push_str(&format!("E002,{date} 08:50,A\nE002,{date} 18:00,A\n"));
        }
    }
    csv
}

async fn summary_compute_is_idempotent(t: TestDb) {
    let fx = fixture(&t).await;
    fx.att.import_punches(&fx.actor, fx.company, march_csv().as_bytes()).await.unwrap();
    let march = Month::parse("2026-03").unwrap();
    let first = fx.att.compute_summaries(&fx.actor, march, SummaryFilter::default()).await.unwrap();
    assert_eq!(first.employees, 2);
    let page = fx.att.summaries(&fx.actor, march, SummaryFilter::default(), PageRequest::default()).await.unwrap();
    assert_eq!(page.total, 2);
    let s1 = &page.items[0];
    assert_eq!(s1.employee_no.as_deref(), Some("E001"));
    assert_eq!((s1.scheduled_days, s1.present_days, s1.absent_days), (22, 22, 0));
    assert_eq!((s1.late_count, s1.late_minutes), (2, 20));
    let s2 = &page.items[1];
    // E002 joined on the 16th: 12 working days, all present; the days before are not employed.
    assert_eq!((s2.scheduled_days, s2.present_days), (12, 12));
    assert_eq!(s2.org_unit_id, Some(fx.hq));
    let again = fx.att.compute_summaries(&fx.actor, march, SummaryFilter::default()).await.unwrap();
    assert_eq!(again.employees, 2);
    assert_eq!(again.days_derived, 0);
    let page2 = fx.att.summaries(&fx.actor, march, SummaryFilter::default(), PageRequest::default()).await.unwrap();
    let strip = |v: &[MonthlySummary]| {
        v.iter().map(|s| MonthlySummary { computed_at: chrono::DateTime::default(), ..s.clone() }).collect::<Vec<_>>()
    };
    assert_eq!(strip(&page.items), strip(&page2.items));
    // Payroll's read sees the same rows.
    let all = fx.att.monthly_summaries(&fx.actor, march, SummaryFilter::default()).await.unwrap();
    assert_eq!(all.len(), 2);
}

async fn a_month_without_derived_days_still_summarises(t: TestDb) {
    let fx = fixture(&t).await;
    // April: nothing derived, nothing punched → every working day an absence once derived.
    let april = Month::parse("2026-04").unwrap();
    let r = fx.att.compute_summaries(&fx.actor, april, SummaryFilter::default()).await.unwrap();
    assert_eq!(r.days_derived, 60);
    let page = fx.att.summaries(&fx.actor, april, SummaryFilter::default(), PageRequest::default()).await.unwrap();
    // April 2026: 22 weekdays − 04-06 (清明 补假) = 21 working days.
    assert_eq!((page.items[0].scheduled_days, page.items[0].absent_days), (21, 21));
}

async fn calendars_and_schedules_change_days(t: TestDb) {
    let fx = fixture(&t).await;
    assert_eq!(day(&fx, fx.e1, "2026-03-02").await.status, DayStatus::Absent);
    // A company day off on Monday 2026-03-02.
    let layer = fx
        .att
        .create_layer(
            &fx.actor,
            NewCalendarLayer {
                name: "伯乐科技".into(),
                company_id: Some(fx.company),
                region: None,
                source: Some("司庆".into()),
                valid_from: d("2026-01-01"),
                valid_to: None,
                days: vec![DayOverride {
                    date: d("2026-03-02"),
                    kind: OverrideKind::DayOff,
                    note: Some("司庆".into()),
                }],
            },
        )
        .await
        .unwrap();
    let monday = day(&fx, fx.e1, "2026-03-02").await;
    assert_eq!((monday.status, monday.day_kind.as_str()), (DayStatus::Holiday, "holiday"));
    let year = fx.att.calendar_year(&fx.actor, 2026, Some(fx.company), None).await.unwrap();
    assert!(year.summary.days_off.contains(&d("2026-03-02")));
    assert_eq!(year.layer_days.len(), 1);
    // The same date twice in one layer is refused.
    let dup = fx
        .att
        .add_layer_days(
            &fx.actor,
            layer.id,
            vec![DayOverride { date: d("2026-03-02"), kind: OverrideKind::Workday, note: None }],
        )
        .await
        .unwrap_err();
    assert_eq!(dup.code(), "calendar_layer_day_exists");
    assert_eq!(
        fx.att.calendar_year(&fx.actor, 2031, None, None).await.unwrap_err().code(),
        "calendar_year_not_covered"
    );

    // A night shift for the whole unit from 2026-03-09; E001 inherits it.
    let night = fx
        .att
        .create_shift(
            &fx.actor,
            NewShift {
                code: "NIGHT".into(),
                name: "夜班".into(),
                rule: ShiftRule::Fixed(FixedShift {
                    start: "22:00".parse().unwrap(),
                    end: "06:00".parse().unwrap(),
                    breaks: vec![],
                    late_grace_minutes: 0,
                    early_grace_minutes: 0,
                    cross_midnight: true,
                }),
            },
        )
        .await
        .unwrap();
    assert_eq!(day(&fx, fx.e1, "2026-03-10").await.shift_code.as_deref(), Some("STD"));
    fx.att
        .assign_shift(
            &fx.actor,
            NewShiftAssignment {
                target: ScheduleTarget::OrgUnit { org_unit_id: fx.hq },
                shift_id: night.id,
                valid_from: d("2026-03-09"),
                valid_to: None,
            },
        )
        .await
        .unwrap();
    let csv = "E001,2026-03-10 21:58,\nE001,2026-03-11 06:02,\n";
    fx.att.import_punches(&fx.actor, fx.company, csv.as_bytes()).await.unwrap();
    let tuesday = day(&fx, fx.e1, "2026-03-10").await;
    assert_eq!(
        (tuesday.shift_code.as_deref(), tuesday.status, tuesday.worked_minutes),
        (Some("NIGHT"), DayStatus::Present, 482)
    );
    // Before the assignment the standard shift still applies; E002's own assignment wins over the unit's.
    assert_eq!(day(&fx, fx.e1, "2026-03-06").await.shift_code.as_deref(), Some("STD"));
    let std = fx.att.shifts(&fx.actor).await.unwrap().into_iter().find(|s| s.code == "STD").unwrap();
    assert_eq!(std.id, uuid::Uuid::nil());
    let flex = fx
        .att
        .create_shift(
            &fx.actor,
            NewShift {
                code: "FLEX".into(),
                name: "弹性".into(),
                rule: ShiftRule::Flexible(FlexibleShift {
                    earliest_start: "08:00".parse().unwrap(),
                    latest_start: "10:00".parse().unwrap(),
                    required_minutes: 480,
                    breaks: vec![],
                    core_start: None,
                    core_end: None,
                    late_grace_minutes: 0,
                }),
            },
        )
        .await
        .unwrap();
    fx.att
        .assign_shift(
            &fx.actor,
            NewShiftAssignment {
                target: ScheduleTarget::Employee { employee_id: fx.e2 },
                shift_id: flex.id,
                valid_from: d("2026-03-01"),
                valid_to: None,
            },
        )
        .await
        .unwrap();
    assert_eq!(day(&fx, fx.e2, "2026-03-17").await.shift_code.as_deref(), Some("FLEX"));
    assert_eq!(day(&fx, fx.e2, "2026-03-02").await.status, DayStatus::NotEmployed);
}

async fn self_service_punch_is_audited_and_derived(t: TestDb) {
    let fx = fixture(&t).await;
    let mut me = admin();
    me.employee_id = Some(fx.e1);
    let p = fx
        .att
        .clock(&me, NewPunch { lat: Some(22.817), lng: Some(108.3665), accuracy: Some(15.0), device: None })
        .await
        .unwrap();
    assert_eq!(p.punch.source, PunchSource::App);
    assert_eq!(p.punch.location.unwrap().lat_micro, 22_817_000);
    // 2026-11-21 is a Saturday: a rest day with one punch so far.
    let sat = day(&fx, fx.e1, "2026-11-21").await;
    assert_eq!((sat.status, sat.first_in.is_some()), (DayStatus::RestDay, true));
    let sql = "SELECT COUNT(*) FROM audit_log WHERE action = 'attendance.punch'";
    let events: i64 = match &t.db {
        bole_store::Db::Sqlite(p) => sqlx::query_scalar(sql).fetch_one(p).await.unwrap(),
        bole_store::Db::Postgres(p) => sqlx::query_scalar(sql).fetch_one(p).await.unwrap(),
    };
    assert_eq!(events, 1);
    // Without an employee record there is nothing to clock.
    assert_eq!(fx.att.clock(&admin(), NewPunch::default()).await.unwrap_err().code(), "no_employee_record");
}

both_engines!(
    import_recomputes_days_and_ignores_duplicates,
    bad_import_writes_nothing,
    summary_compute_is_idempotent,
    a_month_without_derived_days_still_summarises,
    calendars_and_schedules_change_days,
    self_service_punch_is_audited_and_derived,
);
