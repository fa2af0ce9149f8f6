//! Conformance suite for leave, overtime and punch corrections, through the services with the real
//! approval engine so the rules, the workflow and the adapter are exercised together. Every test
//! runs on SQLite and on PostgreSQL.
#![expect(clippy::unwrap_used, reason = "tests")]

use bole_access::{AccountService, NewUser, RoleGrant};
use bole_core::{Actor, CompanyId, DataScope, EmployeeId, Failure, OrgUnitId, PageRequest, Role};
use bole_org::*;
use bole_people::*;
use bole_store::on_db;
use bole_testkit::{TestDb, admin, both_engines, clock_on, d};
use bole_time::absence::*;
use bole_workflow::{Decision, DecisionAction, DocumentRef, InstanceStatus, TaskStatus, WorkflowService};
use chrono::{NaiveDate, NaiveTime};
use std::sync::Arc;
use uuid::Uuid;

const EMPLOYEE_ID_NO: &str = "11010519491231002X"; // female
const MANAGER_ID_NO: &str = "110101199003070011"; // male
const OTHER_ID_NO: &str = "440524188001010014"; // male

struct Fx {
    company: CompanyId,
    unit: OrgUnitId,
    hr: Actor,
    emp: Actor,
    mgr: Actor,
    employee: EmployeeId,
    manager: EmployeeId,
    other: EmployeeId,
}

struct Svc {
    absence: AbsenceService,
    workflow: WorkflowService,
}

fn services(t: &TestDb, today: &str) -> Svc {
    let clock = clock_on(today);
    let (workflow, absence) = bole_time::absence::wire(
        t.store.clone(),
        WorkflowService::new(t.store.clone(), t.store.clone(), clock.clone()),
        national_calendar(),
        clock,
    );
    Svc { absence, workflow }
}

fn new_employee(
    company: CompanyId,
    unit: OrgUnitId,
    no: &str,
    id_number: &str,
    manager: Option<EmployeeId>,
) -> NewEmployee {
    NewEmployee {
        company_id: company,
        employee_no: no.into(),
        person: PersonalData { name: format!("员工{no}"), id_number: id_number.into(), ..Default::default() },
        hire_date: d("2024-03-01"),
        job: JobPlacement {
            org_unit_id: unit,
            position_id: None,
            manager_id: manager,
            employment_type: EmploymentType::FullTime,
            quota_category: "合同制".into(),
            work_location: None,
        },
        probation_months: 0,
        educations: vec![],
        contacts: vec![],
    }
}

async fn account(t: &TestDb, name: &str, employee: Option<EmployeeId>, role: Role, scope: DataScope) -> Actor {
    let grants = vec![RoleGrant::builtin(role, scope)];
    let accounts = AccountService::new(t.store.clone(), clock_on("2026-03-02"));
    let user = accounts
        .bootstrap_user(NewUser {
            username: name.into(),
            password: "Bole-Test-2026-pw".into(),
            employee_id: employee,
            grants: grants.clone(),
        })
        .await
        .unwrap();
    Actor {
        user_id: user.id,
        username: name.into(),
        employee_id: employee,
        roles: vec![role.as_str().into()],
        access: Arc::new(bole_access::policy::resolve(&grants, &[])),
        meta: Default::default(),
    }
}

/// A company with a manager, their report (the applicant, 参加工作 2015-07-01 → 10 days a year) and
/// a colleague outside the manager's team.
async fn fixture(t: &TestDb) -> Fx {
    let clock = clock_on("2026-03-02");
    let org = OrgService::new(t.store.clone(), clock.clone());
    let people = PeopleService::new(t.store.clone(), t.store.clone(), t.store.clone(), clock);
    let sys = admin();
    let company = org
        .create_company(
            &sys,
            NewCompany {
                code: "BL".into(), name: "伯乐科技".into(), kind: CompanyKind::Enterprise, credit_code: None
            },
        )
        .await
        .unwrap()
        .id;
    let unit = org
        .create_unit(
            &sys,
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
    let manager =
        people.onboard(&sys, new_employee(company, unit, "M001", MANAGER_ID_NO, None)).await.unwrap().employee.id;
    let employee = people
        .onboard(&sys, new_employee(company, unit, "E001", EMPLOYEE_ID_NO, Some(manager)))
        .await
        .unwrap()
        .employee
        .id;
    // The colleague reports to the applicant (whose own scope still does not reach them).
    let other = people
        .onboard(&sys, new_employee(company, unit, "E002", OTHER_ID_NO, Some(employee)))
        .await
        .unwrap()
        .employee
        .id;
    let hr = account(t, "hr", None, Role::HrAdmin, DataScope::All).await;
    let emp = account(t, "emp", Some(employee), Role::Employee, DataScope::Own).await;
    let mgr = account(t, "mgr", Some(manager), Role::Manager, DataScope::DirectReports).await;
    let svc = services(t, "2026-03-02");
    svc.absence
        .set_profile(
            &hr,
            employee,
            LeaveProfileInput { work_start_date: Some(d("2015-07-01")), prior_years: None, prior_years_as_of: None },
        )
        .await
        .unwrap();
    Fx { company, unit, hr, emp, mgr, employee, manager, other }
}

fn leave(code: &str, from: &str, to: &str) -> LeaveRequest {
    LeaveRequest {
        employee_id: None,
        leave_type: code.into(),
        start_date: d(from),
        end_date: d(to),
        start_half: None,
        end_half: None,
        hours: None,
        reason: "家中有事".into(),
        birth: None,
    }
}

fn available(sheet: &BalanceSheet, code: &str) -> Decimal {
    sheet.balances.iter().find(|b| b.leave_type_code == code).unwrap().available
}

fn balance(sheet: &BalanceSheet, code: &str) -> Decimal {
    sheet.balances.iter().find(|b| b.leave_type_code == code).unwrap().balance
}

fn days(s: &str) -> Decimal {
    s.parse().unwrap()
}

/// The manager's open task on a document.
async fn task_of(svc: &Svc, who: &Actor, doc_type: &str, doc_id: Uuid, subject: EmployeeId) -> Uuid {
    let doc = DocumentRef { doc_type: doc_type.into(), doc_id, subject };
    let view = svc.workflow.instance_of(who, &doc).await.unwrap().unwrap();
    view.tasks.iter().find(|t| t.status == TaskStatus::Open && t.assignee_id == who.user_id).unwrap().id
}

async fn approve(svc: &Svc, who: &Actor, doc_type: &str, doc_id: Uuid, subject: EmployeeId) -> Result<(), String> {
    let task = task_of(svc, who, doc_type, doc_id, subject).await;
    svc.workflow
        .decide(who, task, Decision { action: DecisionAction::Approve, comment: Some("同意".into()) })
        .await
        .map(|_| ())
        .map_err(|e| e.code().to_string())
}

async fn absence_rows(t: &TestDb, employee: EmployeeId) -> i64 {
    on_db!(&t.db, p => {
        sqlx::query_scalar::<_, i64>("SELECT COUNT(*) FROM absence_days WHERE employee_id = $1")
            .bind(employee.0)
            .fetch_one(p)
            .await
            .unwrap()
    })
}

async fn attendance(t: &TestDb, employee: EmployeeId, from: &str, to: &str) -> Vec<(NaiveDate, String, i64)> {
    on_db!(&t.db, p => {
        sqlx::query_as::<_, (NaiveDate, String, i64)>(
            "SELECT day, status, CAST(leave_minutes AS BIGINT) FROM attendance_days WHERE employee_id = $1 AND day >= $2 AND day <= $3 ORDER BY day",
        )
        .bind(employee.0)
        .bind(d(from))
        .bind(d(to))
        .fetch_all(p)
        .await
        .unwrap()
    })
}

async fn usage_rows(t: &TestDb, employee: EmployeeId) -> i64 {
    on_db!(&t.db, p => {
        sqlx::query_scalar::<_, i64>("SELECT COUNT(*) FROM leave_ledger WHERE employee_id = $1 AND kind = 'usage'")
            .bind(employee.0)
            .fetch_one(p)
            .await
            .unwrap()
    })
}

// ------------------------------------------------------------------------ acceptance

async fn approval_effect_failure_rolls_back_the_approval(t: TestDb) {
    let fx = fixture(&t).await;
    let svc = services(&t, "2026-03-02");
    let report = svc.absence.grant_annual(&fx.hr, 2026, Some(fx.company)).await.unwrap();
    assert_eq!(report.missing_basis.len(), 2, "manager and colleague have no working-years basis");
    let sheet = svc.absence.balances(&fx.emp, None, None, None).await.unwrap();
    assert_eq!(balance(&sheet, "annual"), days("10.00"));

    // Mon 9 – Wed 11 March 2026: three working days, within the balance.
    let app = svc.absence.apply(&fx.emp, leave("annual", "2026-03-09", "2026-03-11")).await.unwrap();
    assert_eq!(app.days, days("3.00"));
    assert_eq!(app.application.status, ApplicationStatus::Pending);
    let sheet = svc.absence.balances(&fx.emp, None, None, None).await.unwrap();
    assert_eq!(available(&sheet, "annual"), days("7.00"), "pending days are reserved");

    // HR takes 8 days away: 2 left, so posting 3 would go negative.
    let adj = NewAdjustment {
        employee_id: fx.employee,
        leave_type: "annual".into(),
        days: Some(days("-8")),
        minutes: None,
        reason: "核减重复发放".into(),
        leave_year: None,
        expires_on: None,
    };
    svc.absence.adjust(&fx.hr, adj.clone()).await.unwrap();
    let attendance_before = attendance(&t, fx.employee, "2026-03-09", "2026-03-11").await;

    let err = approve(&svc, &fx.mgr, DOC_LEAVE, app.application.id.0, fx.employee).await.unwrap_err();
    assert_eq!(err, "insufficient_balance");

    // Nothing of the approval stayed: instance pending at the same step with the task open, the
    // application pending, no usage, no absence days, attendance unchanged.
    let doc = DocumentRef { doc_type: DOC_LEAVE.into(), doc_id: app.application.id.0, subject: fx.employee };
    let view = svc.workflow.instance_of(&fx.mgr, &doc).await.unwrap().unwrap();
    assert_eq!(view.status, InstanceStatus::Pending);
    assert!(view.tasks.iter().any(|t| t.status == TaskStatus::Open && t.assignee_id == fx.mgr.user_id));
    let detail = svc.absence.application(&fx.emp, app.application.id).await.unwrap();
    assert_eq!(detail.view.application.status, ApplicationStatus::Pending);
    assert_eq!(usage_rows(&t, fx.employee).await, 0);
    assert_eq!(absence_rows(&t, fx.employee).await, 0);
    assert_eq!(attendance(&t, fx.employee, "2026-03-09", "2026-03-11").await, attendance_before);

    // Balance restored: the same approval now goes through with its effects.
    svc.absence.adjust(&fx.hr, NewAdjustment { days: Some(days("8")), reason: "恢复".into(), ..adj }).await.unwrap();
    approve(&svc, &fx.mgr, DOC_LEAVE, app.application.id.0, fx.employee).await.unwrap();
    let view = svc.workflow.instance_of(&fx.mgr, &doc).await.unwrap().unwrap();
    assert_eq!(view.status, InstanceStatus::Approved);
    let detail = svc.absence.application(&fx.emp, app.application.id).await.unwrap();
    assert_eq!(detail.view.application.status, ApplicationStatus::Approved);
    assert!(detail.approval.is_some(), "the detail carries the approval history");
    let sheet = svc.absence.balances(&fx.emp, None, None, None).await.unwrap();
    assert_eq!(balance(&sheet, "annual"), days("7.00"));
    assert_eq!(available(&sheet, "annual"), days("7.00"));
    assert_eq!(usage_rows(&t, fx.employee).await, 1);
    assert_eq!(absence_rows(&t, fx.employee).await, 3);
    let after = attendance(&t, fx.employee, "2026-03-09", "2026-03-11").await;
    assert_ne!(after, attendance_before, "attendance recomputed with the leave");
    assert!(after.iter().all(|(_, _, leave)| *leave == 480), "{after:?}");
}

async fn overlapping_leave_is_refused(t: TestDb) {
    let fx = fixture(&t).await;
    let svc = services(&t, "2026-03-02");
    svc.absence.grant_annual(&fx.hr, 2026, Some(fx.company)).await.unwrap();
    let first = svc.absence.apply(&fx.emp, leave("annual", "2026-03-09", "2026-03-11")).await.unwrap();

    // Full and partial overlaps are refused, naming the other application's dates.
    for (from, to) in [("2026-03-09", "2026-03-11"), ("2026-03-11", "2026-03-12"), ("2026-03-06", "2026-03-09")] {
        let err = svc.absence.apply(&fx.emp, leave("annual", from, to)).await.unwrap_err();
        assert_eq!(err.code(), "leave_overlaps", "{from}..{to}");
        assert_eq!(err.kind(), bole_core::ErrorKind::Conflict);
        assert!(err.message().zh.contains("2026-03-09 至 2026-03-11"), "{}", err.message().zh);
    }
    // Another type on the same days is refused too (one person, one absence at a time).
    let err = svc.absence.apply(&fx.emp, leave("marriage", "2026-03-10", "2026-03-10")).await.unwrap_err();
    assert_eq!(err.code(), "leave_overlaps");

    // Morning and afternoon of the same day are two half days that do not collide.
    let am = LeaveRequest { end_half: Some(HalfDay::Am), ..leave("annual", "2026-03-16", "2026-03-16") };
    let pm = LeaveRequest { start_half: Some(HalfDay::Pm), ..leave("annual", "2026-03-16", "2026-03-16") };
    let a = svc.absence.apply(&fx.emp, am).await.unwrap();
    assert_eq!(a.days, days("0.50"));
    svc.absence.apply(&fx.emp, pm).await.unwrap();
    let err = svc.absence.apply(&fx.emp, leave("annual", "2026-03-16", "2026-03-16")).await.unwrap_err();
    assert_eq!(err.code(), "leave_overlaps");

    // A withdrawn application no longer blocks its dates; nor does a rejected one.
    svc.absence.cancel(&fx.emp, first.application.id, None).await.unwrap();
    let again = svc.absence.apply(&fx.emp, leave("annual", "2026-03-09", "2026-03-11")).await.unwrap();
    let task = task_of(&svc, &fx.mgr, DOC_LEAVE, again.application.id.0, fx.employee).await;
    let no = Decision { action: DecisionAction::Reject, comment: Some("项目上线期间".into()) };
    svc.workflow.decide(&fx.mgr, task, no).await.unwrap();
    let rejected = svc.absence.application(&fx.emp, again.application.id).await.unwrap();
    assert_eq!(rejected.view.application.status, ApplicationStatus::Rejected);
    svc.absence.apply(&fx.emp, leave("annual", "2026-03-10", "2026-03-10")).await.unwrap();

    // A range of rest days only is refused with its own error.
    let err = svc.absence.apply(&fx.emp, leave("annual", "2026-03-07", "2026-03-08")).await.unwrap_err();
    assert_eq!(err.code(), "leave_zero_duration");
    // More than the balance.
    let err = svc.absence.apply(&fx.emp, leave("annual", "2026-04-13", "2026-04-30")).await.unwrap_err();
    assert_eq!(err.code(), "insufficient_balance");
    assert!(err.message().zh.contains("本次申请 14.00 天"), "{}", err.message().zh);
}

async fn annual_grant_is_prorated_and_idempotent(t: TestDb) {
    let fx = fixture(&t).await;
    let svc = services(&t, "2026-03-02");
    // 参加工作 2015-07-01: 10.5 years on 1 Jan 2026 → 10 days; hired 2024 → the whole year.
    let first = svc.absence.grant_annual(&fx.hr, 2026, None).await.unwrap();
    assert_eq!(first.postings, 1, "{first:?}");
    assert_eq!(first.minutes, 10 * MINUTES_PER_DAY);
    let again = svc.absence.grant_annual(&fx.hr, 2026, None).await.unwrap();
    assert_eq!(again.postings, 0, "a re-run posts nothing new");
    // The reference's example: hired 2025-03-15 with a 10-day entitlement → 292/365 × 10 = 8 days.
    let sys = admin();
    let people = PeopleService::new(t.store.clone(), t.store.clone(), t.store.clone(), clock_on("2026-03-02"));
    let mut hire = new_employee(fx.company, fx.unit, "E003", "450102200001011237", None);
    hire.hire_date = d("2025-03-15");
    let newcomer = people.onboard(&sys, hire).await.unwrap().employee.id;
    svc.absence
        .set_profile(
            &fx.hr,
            newcomer,
            LeaveProfileInput {
                work_start_date: None,
                prior_years: Some(days("12")),
                prior_years_as_of: Some(d("2025-03-15")),
            },
        )
        .await
        .unwrap();
    svc.absence.grant_annual(&fx.hr, 2025, None).await.unwrap();
    let ledger =
        svc.absence.ledger(&fx.hr, Some(newcomer), Some("annual".into()), PageRequest::default()).await.unwrap();
    assert_eq!(ledger.items.len(), 1);
    assert_eq!(ledger.items[0].days, days("8.00"));
    assert_eq!(ledger.items[0].entry.expires_on, Some(d("2025-12-31")));
    // A profile correction (20+ years) is picked up by re-running: only the difference is posted.
    svc.absence
        .set_profile(
            &fx.hr,
            fx.employee,
            LeaveProfileInput { work_start_date: Some(d("2005-01-01")), prior_years: None, prior_years_as_of: None },
        )
        .await
        .unwrap();
    let diff = svc.absence.grant_annual(&fx.hr, 2026, None).await.unwrap();
    assert_eq!(diff.postings, 2, "the newcomer's 2026 grant and the correction");
    assert_eq!(diff.minutes, 10 * MINUTES_PER_DAY + 5 * MINUTES_PER_DAY, "newcomer 10 days; 15 − 10 days");
    let ledger =
        svc.absence.ledger(&fx.hr, Some(fx.employee), Some("annual".into()), PageRequest::default()).await.unwrap();
    let granted_2026: i64 = ledger
        .items
        .iter()
        .filter(|e| e.entry.kind == LedgerKind::Grant && e.entry.leave_year == 2026)
        .map(|e| e.entry.minutes)
        .sum();
    assert_eq!(granted_2026, 15 * MINUTES_PER_DAY);
    // 2025 (run above for everyone): the 10-year threshold was crossed on 2025-07-01, pro-rated
    // per segment: (181 × 5 + 184 × 10) ÷ 365 = 7.52 → 7 days.
    let granted_2025: i64 = ledger.items.iter().filter(|e| e.entry.leave_year == 2025).map(|e| e.entry.minutes).sum();
    assert_eq!(granted_2025, 7 * MINUTES_PER_DAY);
    // An employee may not run the job.
    let err = svc.absence.grant_annual(&fx.emp, 2026, None).await.unwrap_err();
    assert_eq!(err.code(), "forbidden");
}

async fn year_end_carries_over_and_expires(t: TestDb) {
    let fx = fixture(&t).await;
    let svc = services(&t, "2026-03-02");
    let annual = svc.absence.leave_types(&fx.hr, Some(fx.company)).await.unwrap();
    let annual = annual.iter().find(|t| t.code == "annual").unwrap();
    svc.absence
        .update_leave_type(
            &fx.hr,
            annual.id,
            LeaveTypePatch {
                carry_over_max_days: Some(days("5")),
                carry_over_expiry_months: Some(3),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    svc.absence.grant_annual(&fx.hr, 2026, None).await.unwrap();
    let app = svc.absence.apply(&fx.emp, leave("annual", "2026-03-09", "2026-03-11")).await.unwrap();
    approve(&svc, &fx.mgr, DOC_LEAVE, app.application.id.0, fx.employee).await.unwrap();

    // 7 days left at the end of 2026: 5 carried to 31 March 2027, the rest expires.
    let january = services(&t, "2027-01-05");
    let r = january.absence.year_end(&fx.hr, 2026, None).await.unwrap();
    assert_eq!(r.carried_over_minutes, 5 * MINUTES_PER_DAY);
    assert_eq!(r.expired_minutes, 7 * MINUTES_PER_DAY);
    let again = january.absence.year_end(&fx.hr, 2026, None).await.unwrap();
    assert_eq!(again.postings, 0, "idempotent");
    let sheet = january.absence.balances(&fx.emp, None, None, None).await.unwrap();
    let b = sheet.balances.iter().find(|b| b.leave_type_code == "annual").unwrap();
    assert_eq!(b.balance, days("5.00"));
    assert_eq!(b.expiring_soon, days("5.00"));
    assert_eq!(b.expiring_on, Some(d("2027-03-31")));
    // As of 31 December 2026 the year's balance was still 7 (expiry is dated 1 January).
    let dec31 = january.absence.balances(&fx.emp, None, Some(d("2026-12-31")), None).await.unwrap();
    assert_eq!(balance(&dec31, "annual"), days("7.00"));

    // In April the carried days are past their date: the job expires them.
    let april = services(&t, "2027-04-06");
    let r = april.absence.year_end(&fx.hr, 2026, None).await.unwrap();
    assert_eq!(r.expired_minutes, 5 * MINUTES_PER_DAY);
    let sheet = april.absence.balances(&fx.emp, None, None, None).await.unwrap();
    assert_eq!(balance(&sheet, "annual"), days("0.00"));
}

async fn overtime_kind_comes_from_the_calendar(t: TestDb) {
    let fx = fixture(&t).await;
    let svc = services(&t, "2026-03-02");
    let ot = |date: &str, compensation| OvertimeRequest {
        employee_id: None,
        date: d(date),
        start_time: NaiveTime::from_hms_opt(9, 0, 0).unwrap(),
        end_time: NaiveTime::from_hms_opt(12, 0, 0).unwrap(),
        compensation,
        reason: "上线保障".into(),
    };
    // 2026-10-01 is a statutory holiday (300%): time off cannot replace the pay.
    let err = svc.absence.apply_overtime(&fx.emp, ot("2026-10-01", Compensation::TimeOff)).await.unwrap_err();
    assert_eq!(err.code(), "holiday_overtime_must_be_paid");
    assert_eq!(err.kind(), bole_core::ErrorKind::Invalid);
    let paid = svc.absence.apply_overtime(&fx.emp, ot("2026-10-01", Compensation::Pay)).await.unwrap();
    assert_eq!(paid.kind, "holiday");
    // 2026-10-06 is inside the National Day block but not statutory: a rest day (200% or time off).
    let off = svc.absence.apply_overtime(&fx.emp, ot("2026-10-06", Compensation::TimeOff)).await.unwrap();
    assert_eq!(off.kind, "restday");
    assert_eq!(off.minutes, 180);
    // 2026-10-09 is an ordinary Friday (150%).
    let workday = svc.absence.apply_overtime(&fx.emp, ot("2026-10-09", Compensation::Pay)).await.unwrap();
    assert_eq!(workday.kind, "workday");

    // Approved as time off: the overtime row for attendance and a 调休 credit with an expiry.
    approve(&svc, &fx.mgr, DOC_OVERTIME, off.id.0, fx.employee).await.unwrap();
    let o = svc.absence.overtime_application(&fx.emp, off.id).await.unwrap();
    assert_eq!(o.status, ApplicationStatus::Approved);
    let rows: i64 = on_db!(&t.db, p => {
        sqlx::query_scalar("SELECT COUNT(*) FROM overtime_days WHERE source_id = $1 AND kind = 'restday'")
            .bind(off.id.0)
            .fetch_one(p)
            .await
            .unwrap()
    });
    assert_eq!(rows, 1);
    let sheet = svc.absence.balances(&fx.emp, None, None, None).await.unwrap();
    let comp = sheet.balances.iter().find(|b| b.leave_type_code == "compensatory").unwrap();
    assert_eq!(comp.balance_minutes, 180);
    let ledger = svc.absence.ledger(&fx.emp, None, Some("compensatory".into()), PageRequest::default()).await.unwrap();
    assert_eq!(ledger.items[0].entry.kind, LedgerKind::CompCredit);
    assert_eq!(ledger.items[0].entry.expires_on, Some(d("2027-04-06")));
    // The credit can be taken as hours of compensatory leave.
    let take = LeaveRequest { hours: Some(days("3")), ..leave("compensatory", "2026-10-12", "2026-10-12") };
    let q = svc.absence.quote(&fx.emp, take.clone()).await.unwrap();
    assert!(q.sufficient);
    assert_eq!(q.duration_minutes, 180);
    let more = LeaveRequest { hours: Some(days("4")), ..take };
    let err = svc.absence.apply(&fx.emp, more).await.unwrap_err();
    assert_eq!(err.code(), "insufficient_balance");
}

async fn cancelling_approved_leave_restores_balance_and_attendance(t: TestDb) {
    let fx = fixture(&t).await;
    let svc = services(&t, "2026-03-02");
    svc.absence.grant_annual(&fx.hr, 2026, None).await.unwrap();
    // Started today (Monday 2 March).
    let app = svc.absence.apply(&fx.emp, leave("annual", "2026-03-02", "2026-03-03")).await.unwrap();
    approve(&svc, &fx.mgr, DOC_LEAVE, app.application.id.0, fx.employee).await.unwrap();
    assert_eq!(absence_rows(&t, fx.employee).await, 2);
    let err = svc.absence.cancel(&fx.emp, app.application.id, None).await.unwrap_err();
    assert_eq!(err.code(), "leave_already_started");
    assert_eq!(err.kind(), bole_core::ErrorKind::Conflict);
    let v = svc.absence.cancel(&fx.hr, app.application.id, Some("提前返岗".into())).await.unwrap();
    assert_eq!(v.application.status, ApplicationStatus::Cancelled);
    assert_eq!(absence_rows(&t, fx.employee).await, 0);
    let sheet = svc.absence.balances(&fx.emp, None, None, None).await.unwrap();
    assert_eq!(balance(&sheet, "annual"), days("10.00"));
    let ledger = svc.absence.ledger(&fx.emp, None, None, PageRequest::default()).await.unwrap();
    assert!(ledger.items.iter().any(|e| e.entry.kind == LedgerKind::Reversal));
    // A cancelled application cannot be cancelled again.
    let err = svc.absence.cancel(&fx.hr, app.application.id, None).await.unwrap_err();
    assert_eq!(err.code(), "application_status_conflict");
    // The ledger is append-only in the database too.
    let res = on_db!(&t.db, p => {
        sqlx::query("UPDATE leave_ledger SET minutes = 0 WHERE employee_id = $1").bind(fx.employee.0).execute(p).await.map(|_| ())
    });
    assert!(res.is_err(), "ledger rows cannot be edited");
}

async fn amend_pending_and_returned_applications(t: TestDb) {
    let fx = fixture(&t).await;
    let svc = services(&t, "2026-03-02");
    svc.absence.grant_annual(&fx.hr, 2026, None).await.unwrap();
    let app = svc.absence.apply(&fx.emp, leave("annual", "2026-03-09", "2026-03-11")).await.unwrap();
    // Pending: replaced by a new application; its own reservation does not count against it.
    let amended =
        svc.absence.amend(&fx.emp, app.application.id, leave("annual", "2026-03-10", "2026-03-12")).await.unwrap();
    assert_ne!(amended.application.id, app.application.id);
    assert_eq!(amended.application.details.amended_from, Some(app.application.id));
    let old = svc.absence.application(&fx.emp, app.application.id).await.unwrap();
    assert_eq!(old.view.application.status, ApplicationStatus::Withdrawn);
    // Returned: amended in place and resubmitted.
    let task = task_of(&svc, &fx.mgr, DOC_LEAVE, amended.application.id.0, fx.employee).await;
    let back = Decision { action: DecisionAction::Return, comment: Some("请改为一天".into()) };
    svc.workflow.decide(&fx.mgr, task, back).await.unwrap();
    let returned = svc.absence.application(&fx.emp, amended.application.id).await.unwrap();
    assert_eq!(returned.view.application.status, ApplicationStatus::Returned);
    let sheet = svc.absence.balances(&fx.emp, None, None, None).await.unwrap();
    assert_eq!(available(&sheet, "annual"), days("7.00"), "a returned application keeps its reservation");
    let again =
        svc.absence.amend(&fx.emp, amended.application.id, leave("annual", "2026-03-10", "2026-03-10")).await.unwrap();
    assert_eq!(again.application.id, amended.application.id);
    assert_eq!(again.application.status, ApplicationStatus::Pending);
    assert_eq!(again.days, days("1.00"));
    approve(&svc, &fx.mgr, DOC_LEAVE, again.application.id.0, fx.employee).await.unwrap();
    let sheet = svc.absence.balances(&fx.emp, None, None, None).await.unwrap();
    assert_eq!(balance(&sheet, "annual"), days("9.00"));
    // Approved applications are no longer amendable.
    let err = svc
        .absence
        .amend(&fx.emp, again.application.id, leave("annual", "2026-03-13", "2026-03-13"))
        .await
        .unwrap_err();
    assert_eq!(err.code(), "application_status_conflict");
}

async fn records_outside_the_scope_are_not_found(t: TestDb) {
    let fx = fixture(&t).await;
    let svc = services(&t, "2026-03-02");
    // HR applies on behalf of the colleague (sick leave, not balance-tracked).
    let theirs = svc
        .absence
        .apply(
            &fx.hr,
            LeaveRequest {
                employee_id: Some(fx.other),
                hours: Some(days("4")),
                ..leave("sick", "2026-03-04", "2026-03-04")
            },
        )
        .await
        .unwrap();
    let err = svc.absence.application(&fx.emp, theirs.application.id).await.unwrap_err();
    assert_eq!(err.code(), "leave_application_not_found");
    let err = svc.absence.balances(&fx.emp, Some(fx.other), None, None).await.unwrap_err();
    assert_eq!(err.code(), "employee_not_found");
    let on_behalf = LeaveRequest { employee_id: Some(fx.other), ..leave("marriage", "2026-03-05", "2026-03-05") };
    let err = svc.absence.apply(&fx.emp, on_behalf).await.unwrap_err();
    assert_eq!(err.code(), "employee_not_found");
    // The manager sees the team's applications, not the colleague's.
    let mine = svc
        .absence
        .apply(&fx.emp, LeaveRequest { hours: Some(days("2")), ..leave("sick", "2026-03-05", "2026-03-05") })
        .await
        .unwrap();
    let team =
        svc.absence.applications(&fx.mgr, ApplicationQuery::default(), true, PageRequest::default()).await.unwrap();
    assert_eq!(team.items.iter().map(|a| a.application.id).collect::<Vec<_>>(), vec![mine.application.id]);
    let all =
        svc.absence.applications(&fx.hr, ApplicationQuery::default(), true, PageRequest::default()).await.unwrap();
    assert_eq!(all.total, 2);
    let own =
        svc.absence.applications(&fx.emp, ApplicationQuery::default(), false, PageRequest::default()).await.unwrap();
    assert_eq!(own.total, 1);
    let err = svc
        .absence
        .applications(
            &fx.mgr,
            ApplicationQuery { employee_id: Some(fx.other), ..Default::default() },
            false,
            PageRequest::default(),
        )
        .await
        .unwrap_err();
    assert_eq!(err.code(), "employee_not_found");
    // Maternity leave is for women; paternity for men (the applicant is a woman).
    let err = svc.absence.apply(&fx.emp, leave("paternity", "2026-03-16", "2026-03-20")).await.unwrap_err();
    assert_eq!(err.code(), "leave_not_eligible");
    // Maternity counts calendar days: 98 from 2 March ends 7 June; 99 is over the national total.
    let q = svc.absence.quote(&fx.emp, leave("maternity", "2026-03-16", "2026-06-21")).await.unwrap();
    assert_eq!(q.days, days("98.00"));
    let err = svc.absence.quote(&fx.emp, leave("maternity", "2026-03-16", "2026-06-22")).await.unwrap_err();
    assert_eq!(err.code(), "leave_exceeds_maximum");
    let twins = LeaveRequest {
        birth: Some(bole_time::PregnancyOutcome::Birth { babies: 2, difficult: false }),
        ..leave("maternity", "2026-03-16", "2026-07-06")
    };
    assert_eq!(svc.absence.quote(&fx.emp, twins).await.unwrap().days, days("113.00"));
    let _ = fx.manager;
}

async fn punch_corrections_have_a_monthly_limit(t: TestDb) {
    let fx = fixture(&t).await;
    let svc = services(&t, "2026-03-02");
    let fix = |date: &str| PunchCorrectionRequest {
        employee_id: None,
        date: d(date),
        time: NaiveTime::from_hms_opt(9, 0, 0).unwrap(),
        direction: PunchDirection::In,
        reason: "忘记打卡".into(),
    };
    let first = svc.absence.apply_punch_correction(&fx.emp, fix("2026-02-02")).await.unwrap();
    svc.absence.apply_punch_correction(&fx.emp, fix("2026-02-03")).await.unwrap();
    svc.absence.apply_punch_correction(&fx.emp, fix("2026-02-04")).await.unwrap();
    let err = svc.absence.apply_punch_correction(&fx.emp, fix("2026-02-05")).await.unwrap_err();
    assert_eq!(err.code(), "punch_correction_limit");
    assert!(err.message().zh.contains("2026-02"));
    // Another month has its own count; a future date is refused.
    svc.absence.apply_punch_correction(&fx.emp, fix("2026-03-02")).await.unwrap();
    let err = svc.absence.apply_punch_correction(&fx.emp, fix("2026-03-03")).await.unwrap_err();
    assert_eq!(err.code(), "validation_failed");
    // Approval inserts the punch (source correction).
    approve(&svc, &fx.mgr, DOC_PUNCH_CORRECTION, first.id.0, fx.employee).await.unwrap();
    let punches: i64 = on_db!(&t.db, p => {
        sqlx::query_scalar("SELECT COUNT(*) FROM punches WHERE employee_id = $1 AND source = 'correction' AND source_ref = $2")
            .bind(fx.employee.0)
            .bind(first.id.0)
            .fetch_one(p)
            .await
            .unwrap()
    });
    assert_eq!(punches, 1);
    let list = svc
        .absence
        .punch_corrections(&fx.emp, ApplicationQuery::default(), false, PageRequest::default())
        .await
        .unwrap();
    assert_eq!(list.total, 4);
    assert_eq!(list.items.iter().filter(|p| p.status == ApplicationStatus::Approved).count(), 1);
}

/// Two submissions for the same days at the same time: the check inside the transaction (under
/// the employee's lock) lets exactly one through.
async fn concurrent_overlapping_submissions_cannot_both_pass(t: TestDb) {
    let fx = fixture(&t).await;
    let svc = services(&t, "2026-03-02");
    svc.absence.grant_annual(&fx.hr, 2026, None).await.unwrap();
    let (a, b) = tokio::join!(
        svc.absence.apply(&fx.emp, leave("annual", "2026-03-09", "2026-03-10")),
        svc.absence.apply(&fx.emp, leave("annual", "2026-03-10", "2026-03-11")),
    );
    let codes: Vec<String> = [&a, &b].iter().filter_map(|r| r.as_ref().err().map(|e| e.code().to_string())).collect();
    assert_eq!(codes, vec!["leave_overlaps".to_string()], "exactly one passes: {a:?} / {b:?}");
}

both_engines!(
    concurrent_overlapping_submissions_cannot_both_pass,
    approval_effect_failure_rolls_back_the_approval,
    overlapping_leave_is_refused,
    annual_grant_is_prorated_and_idempotent,
    year_end_carries_over_and_expires,
    overtime_kind_comes_from_the_calendar,
    cancelling_approved_leave_restores_balance_and_attendance,
    amend_pending_and_returned_applications,
    records_outside_the_scope_are_not_found,
    punch_corrections_have_a_monthly_limit,
);
