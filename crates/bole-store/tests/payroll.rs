//! Conformance suite for the payroll store (`bole_payroll::PayrollStore`) on SQLite and PostgreSQL:
//! round trips of every entity, the sealed columns, atomic computations, year to date from locked
//! runs, the population of a period, and the approval path through the real workflow engine.
//! The 100,000-item timing is an ignored test (run it in release mode, see its note).
#![expect(clippy::unwrap_used, reason = "tests")]

use async_trait::async_trait;
use bole_access::{AccountService, NewUser, RoleGrant};
use bole_core::{Actor, CompanyId, DataScope, EmployeeId, Failure, OrgUnitId, PageRequest, Role, UserId};
use bole_org::{CompanyKind, NewCompany, NewOrgUnit, OrgService, UnitKind};
use bole_payroll::PayrollError;
use bole_payroll::iit::WithholdingRule;
use bole_payroll::model::*;
use bole_payroll::si::{Rounding, SiItem, SiKind, SiLine, SiPolicy};
use bole_payroll::store::{Computation, ItemFilter, PayrollStore, RunDecision};
use bole_people::{
    EmploymentType, EventKind, JobPlacement, NewEmployee, NewEvent, PeopleService, PersonalData, RowScope,
    SeparationReason,
};
use bole_store::{Db, SqlStore, on_db};
use bole_testkit::{TestDb, admin, both_engines, clock_on, d};
use bole_workflow::{
    Decision, DecisionAction, DocumentHandler, DocumentRef, InstanceStatus, Submission, TaskStatus, Transition,
    WorkflowError, WorkflowService,
};
use chrono::{DateTime, Utc};
use rust_decimal::Decimal;
use std::collections::BTreeMap;
use std::sync::Arc;
use uuid::Uuid;

// ---------------------------------------------------------------------------------------------
// Fixture

fn at(s: &str) -> DateTime<Utc> {
    s.parse().unwrap()
}

fn dec(s: &str) -> Decimal {
    s.parse().unwrap()
}

/// A valid GB 11643 number (born 1990-01-01 in 110105) for sequence `seq`.
fn id_number(seq: u32) -> String {
    let body = format!("11010519900101{:03}", seq % 1000);
    const W: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
    let sum: u32 = body.chars().zip(W).map(|(c, w)| c.to_digit(10).unwrap() * w).sum();
    let check = b"10X98765432"[(sum % 11) as usize] as char;
    format!("{body}{check}")
}

struct Fx {
    company: CompanyId,
    other_company: CompanyId,
    dept_a: OrgUnitId,
    team_a1: OrgUnitId,
    dept_b: OrgUnitId,
    hr_emp: EmployeeId,
    a1: EmployeeId,
    b1: EmployeeId,
    joiner: EmployeeId,
    leaver: EmployeeId,
    gone: EmployeeId,
    mover: EmployeeId,
    preparer: Actor,
    approver: Actor,
    structure: Uuid,
}

async fn account(t: &TestDb, name: &str, employee: Option<EmployeeId>) -> Actor {
    let grants = vec![RoleGrant::builtin(Role::HrAdmin, DataScope::All)];
    let accounts = AccountService::new(t.store.clone(), clock_on("2025-07-01"));
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
        roles: vec![Role::HrAdmin.as_str().into()],
        access: Arc::new(bole_access::policy::resolve(&grants, &[])),
        meta: Default::default(),
    }
}

async fn unit(
    org: &OrgService,
    company: CompanyId,
    code: &str,
    kind: UnitKind,
    parent: Option<OrgUnitId>,
) -> OrgUnitId {
    let input = NewOrgUnit {
        company_id: company,
        code: code.into(),
        name: format!("单元{code}"),
        kind,
        parent_id: parent,
        effective_date: d("2020-01-01"),
    };
    org.create_unit(&admin(), input).await.unwrap().id
}

/// 伯乐科技: HQ → 部门A → 小组A1, HQ → 部门B; staff hired 2024-03-01 unless noted:
/// the HR preparer (HQ), a1 (A1), b1 (B), a joiner (A, 2025-07-10), a leaver (B, last day
/// 2025-07-20), someone gone before July (last day 2025-06-30) and a mover (A1 → B on 2025-07-16).
async fn fixture(t: &TestDb) -> Fx {
    let clock = clock_on("2025-06-01");
    let org = OrgService::new(t.store.clone(), clock.clone());
    let people = PeopleService::new(t.store.clone(), t.store.clone(), t.store.clone(), clock);
    let sys = admin();
    let mut companies = Vec::new();
    for (code, name) in [("BL", "伯乐科技"), ("QT", "其他公司")] {
        let c = NewCompany { code: code.into(), name: name.into(), kind: CompanyKind::Enterprise, credit_code: None };
        companies.push(org.create_company(&sys, c).await.unwrap().id);
    }
    let company = companies[0];
    let hq = unit(&org, company, "HQ", UnitKind::Headquarters, None).await;
    let dept_a = unit(&org, company, "A", UnitKind::Department, Some(hq)).await;
    let team_a1 = unit(&org, company, "A1", UnitKind::Team, Some(dept_a)).await;
    let dept_b = unit(&org, company, "B", UnitKind::Department, Some(hq)).await;
    let mut seq = 0;
    let mut hire = async |no: &str, unit: OrgUnitId, hired: &str| {
        seq += 1;
        let e = NewEmployee {
            company_id: company,
            employee_no: no.into(),
            person: PersonalData {
                name: format!("员工{no}"),
                id_number: id_number(seq),
                bank_name: Some("中国工商银行".into()),
                bank_account: Some(format!("62220202001122{seq:05}")),
                ..Default::default()
            },
            hire_date: d(hired),
            job: JobPlacement {
                org_unit_id: unit,
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
        people.onboard(&sys, e).await.unwrap().employee.id
    };
    let hr_emp = hire("H001", hq, "2024-03-01").await;
    let a1 = hire("E001", team_a1, "2024-03-01").await;
    let b1 = hire("E002", dept_b, "2024-03-01").await;
    let joiner = hire("E003", dept_a, "2025-07-10").await;
    let leaver = hire("E004", dept_b, "2024-03-01").await;
    let gone = hire("E005", dept_b, "2024-03-01").await;
    let mover = hire("E006", team_a1, "2024-03-01").await;
    let separate = |last_day: &str| NewEvent {
        effective_date: None,
        kind: EventKind::Separate { reason: SeparationReason::Resignation, last_day: d(last_day) },
        reason: None,
    };
    people.record_event(&sys, leaver, separate("2025-07-20")).await.unwrap();
    people.record_event(&sys, gone, separate("2025-06-30")).await.unwrap();
    let transfer = NewEvent {
        effective_date: Some(d("2025-07-16")),
        kind: EventKind::Transfer { org_unit_id: dept_b, position_id: None, manager_id: None, work_location: None },
        reason: None,
    };
    people.record_event(&sys, mover, transfer).await.unwrap();
    let preparer = account(t, "hr", Some(hr_emp)).await;
    let approver = account(t, "hr2", None).await;
    let structure = structure(company, "STD");
    t.store.create_structure(&structure, &[]).await.unwrap();
    Fx {
        company,
        other_company: companies[1],
        dept_a,
        team_a1,
        dept_b,
        hr_emp,
        a1,
        b1,
        joiner,
        leaver,
        gone,
        mover,
        preparer,
        approver,
        structure: structure.id,
    }
}

fn structure(company: CompanyId, code: &str) -> PayStructure {
    PayStructure {
        id: Uuid::now_v7(),
        company_id: company,
        code: code.into(),
        name: "标准薪资结构".into(),
        grades: vec!["P5".into(), "P6".into()],
        position_ids: vec![],
        items: vec![
            StructureItem { component_code: "base".into(), source: ItemSource::Fixed },
            StructureItem {
                component_code: "meal".into(),
                source: ItemSource::Formula { formula: "paid_days * 30".into() },
            },
        ],
        valid_from: d("2025-01-01"),
        valid_to: None,
        version: 1,
    }
}

fn component(company: CompanyId, code: &str) -> PayComponent {
    PayComponent {
        id: Uuid::now_v7(),
        company_id: company,
        code: code.into(),
        name: "基本工资".into(),
        kind: ComponentKind::Earning,
        category: ComponentCategory::Base,
        taxable: true,
        on_payslip: true,
        description: Some("月薪".into()),
        active: true,
    }
}

fn salary(fx: &Fx, employee: EmployeeId, base: &str, from: &str) -> SalaryAssignment {
    SalaryAssignment {
        id: Uuid::now_v7(),
        employee_id: employee,
        company_id: fx.company,
        structure_id: fx.structure,
        base_salary: dec(base),
        fixed: BTreeMap::from([("meal".to_string(), dec("660.00")), ("housing".to_string(), dec("1500.00"))]),
        si: SiEnrolment {
            city: "beijing".into(),
            si_base: dec(base),
            hf_base: None,
            hf_rate_employee: Some(dec("0.12")),
            hf_rate_employer: None,
            si_enrolled: true,
            hf_enrolled: true,
        },
        valid_from: d(from),
        valid_to: None,
        reason: Some("定薪".into()),
        created_by: fx.preparer.user_id,
        created_at: at("2025-01-02T09:00:00Z"),
    }
}

/// The tax working of a month: `months` here, `income` a month, `withhold` this month.
fn tax(months: u32, income: &str, withheld_before: &str, withhold: &str, bonus: Option<&str>) -> TaxWorking {
    let m = Decimal::from(months);
    TaxWorking {
        rule: Some(WithholdingRule::Standard),
        income: dec(income),
        special: dec("4500.00"),
        additional: BTreeMap::from([(AdditionalKind::ChildEducation, dec("2000.00"))]),
        cumulative_income: dec(income) * m,
        cumulative_basic_deduction: dec("5000.00") * m,
        cumulative_special: dec("4500.00") * m,
        cumulative_additional: dec("2000.00") * m,
        cumulative_additional_by_kind: BTreeMap::from([(AdditionalKind::ChildEducation, dec("2000.00") * m)]),
        rate: dec("0.03"),
        withheld_before: dec(withheld_before),
        withhold: dec(withhold),
        months_here: months,
        annual_bonus: bonus.map(dec),
        annual_bonus_tax: bonus.map(|_| dec("300.00")),
        ..Default::default()
    }
}

fn payslip(gross: &str, tax: TaxWorking) -> Payslip {
    let gross = dec(gross);
    let line = |code: &str, name: &str, amount: Decimal| PayLine {
        code: code.into(),
        name: name.into(),
        kind: ComponentKind::Earning,
        category: ComponentCategory::Base,
        amount,
        note: Some("21.75 天计薪".into()),
    };
    let si_line = |kind| SiLine {
        kind,
        base: dec("10000.00"),
        employee_rate: dec("0.08"),
        employer_rate: dec("0.16"),
        employee: dec("800.00"),
        employer: dec("1600.00"),
    };
    Payslip {
        lines: vec![line("base", "基本工资", gross - dec("660.00")), line("meal", "餐补", dec("660.00"))],
        gross,
        employee_si: dec("1022.00"),
        employee_hf: dec("1200.00"),
        iit: tax.withhold,
        other_deductions: Decimal::ZERO,
        net: gross - dec("2222.00") - tax.withhold,
        employer_si: dec("2630.00"),
        employer_hf: dec("1200.00"),
        employer_cost: gross + dec("3830.00"),
        tax,
        facts: PayFacts { employed_days: 31, paid_days: dec("21.75"), attendance: true, ..Default::default() },
        si_lines: vec![si_line(SiKind::Pension), si_line(SiKind::Medical), si_line(SiKind::HousingFund)],
        adjustment_ids: vec![],
    }
}

fn item(run: &PayRun, employee: EmployeeId, no: &str, slip: Option<Payslip>) -> PayRunItem {
    let ok = slip.is_some();
    PayRunItem {
        id: Uuid::now_v7(),
        run_id: run.id,
        employee_id: employee,
        employee_no: no.into(),
        employee_name: format!("员工{no}"),
        org_unit_id: None,
        status: if ok { ItemStatus::Ok } else { ItemStatus::Error },
        error: (!ok).then(|| ItemError { code: "no_salary_assignment".into(), message: "没有薪资档案".into() }),
        payslip: slip,
    }
}

fn new_run(fx: &Fx, period: &str, scope: PayRunScope) -> PayRun {
    PayRun {
        id: Uuid::now_v7(),
        company_id: fx.company,
        period: period.into(),
        name: format!("{period} 工资"),
        scope,
        pay_date: d(&format!("{period}-28")),
        status: PayRunStatus::Draft,
        totals: RunTotals::default(),
        preparer: fx.preparer.user_id,
        approved_by: None,
        created_at: at("2025-01-01T08:00:00Z"),
        computed_at: None,
        locked_at: None,
        published_at: None,
        approval_id: None,
        digest: None,
        version: 1,
    }
}

fn computation(run: &PayRun, items: Vec<PayRunItem>, digest: &str) -> Computation {
    let totals = RunTotals {
        headcount: u32::try_from(items.len()).unwrap(),
        gross: items.iter().filter_map(|i| i.payslip.as_ref()).map(|p| p.gross).sum(),
        ..Default::default()
    };
    Computation {
        run_id: run.id,
        expected_version: run.version,
        items,
        totals,
        digest: digest.into(),
        computed_at: at("2025-07-31T10:00:00Z"),
        audit: vec![admin().audit(at("2025-07-31T10:00:00Z"), "pay_run.compute", "pay_run")],
    }
}

async fn count(t: &TestDb, sql: &str) -> i64 {
    on_db!(&t.db, p => sqlx::query_scalar::<_, i64>(sqlx::AssertSqlSafe(sql.to_owned())).fetch_one(p).await.unwrap())
}

async fn blobs(t: &TestDb, sql: &str) -> Vec<Vec<u8>> {
    on_db!(&t.db, p => sqlx::query_scalar::<_, Vec<u8>>(sqlx::AssertSqlSafe(sql.to_owned())).fetch_all(p).await.unwrap())
}

fn contains(hay: &[u8], needle: &str) -> bool {
    hay.windows(needle.len()).any(|w| w == needle.as_bytes())
}

fn code_of<T>(r: Result<T, PayrollError>) -> String {
    match r {
        Ok(_) => "ok".into(),
        Err(e) => e.code().into(),
    }
}

// ---------------------------------------------------------------------------------------------
// The approval path: the engine plans, a pay-run handler commits through the store

/// What the payroll service's handler does, reduced to the store call.
struct RunHandler {
    store: Arc<SqlStore>,
    approver: UserId,
}

#[async_trait]
impl DocumentHandler for RunHandler {
    async fn commit(&self, t: &Transition) -> Result<(), WorkflowError> {
        let to = match t.status {
            InstanceStatus::Approved => PayRunStatus::Locked,
            InstanceStatus::Pending => {
                return self.store.commit_transition_with(t, Box::new(|_| Box::pin(async { Ok(()) }))).await;
            }
            InstanceStatus::Rejected | InstanceStatus::Returned | InstanceStatus::Withdrawn => PayRunStatus::Computed,
        };
        let decision = RunDecision {
            run_id: t.doc.doc_id,
            from: PayRunStatus::PendingApproval,
            to,
            approved_by: (to == PayRunStatus::Locked).then_some(self.approver),
            at: at("2025-08-01T09:00:00Z"),
            audit: vec![admin().audit(at("2025-08-01T09:00:00Z"), "pay_run.decide", "pay_run")],
        };
        Ok(self.store.commit_run_decision(t, &decision).await?)
    }
}

fn workflow(t: &TestDb, fx: &Fx) -> WorkflowService {
    let handler = RunHandler { store: t.store.clone(), approver: fx.approver.user_id };
    WorkflowService::new(t.store.clone(), t.store.clone(), clock_on("2025-08-01"))
        .with_handler(bole_payroll::PAY_RUN_DOC, Arc::new(handler))
}

fn doc(fx: &Fx, run: Uuid) -> DocumentRef {
    DocumentRef { doc_type: bole_payroll::PAY_RUN_DOC.into(), doc_id: run, subject: fx.hr_emp }
}

async fn plan_submission(wf: &WorkflowService, fx: &Fx, run: &PayRun) -> Transition {
    let submission = Submission {
        doc: doc(fx, run.id),
        requester: fx.preparer.user_id,
        fields: serde_json::json!({"headcount": run.totals.headcount}),
        title: format!("{} 工资审批", run.period),
    };
    wf.plan_start(&fx.preparer, submission).await.unwrap()
}

async fn decide(wf: &WorkflowService, fx: &Fx, run: Uuid, action: DecisionAction) {
    try_decide(wf, fx, run, action).await.unwrap();
}

async fn try_decide(wf: &WorkflowService, fx: &Fx, run: Uuid, action: DecisionAction) -> Result<(), String> {
    let view = wf.instance_of(&fx.approver, &doc(fx, run)).await.unwrap().unwrap();
    let task =
        view.tasks.iter().find(|t| t.status == TaskStatus::Open && t.assignee_id == fx.approver.user_id).unwrap();
    let decision = Decision { action, comment: Some("同意".into()) };
    wf.decide(&fx.approver, task.id, decision).await.map(|_| ()).map_err(|e| e.code().to_string())
}

/// Create, compute, submit and approve a run of `period` with `items` (built for the run).
async fn locked_run(
    t: &TestDb,
    fx: &Fx,
    wf: &WorkflowService,
    period: &str,
    items: impl Fn(&PayRun) -> Vec<PayRunItem>,
) -> PayRun {
    let run = new_run(fx, period, PayRunScope::default());
    t.store.create_run(&run, &[]).await.unwrap();
    t.store.save_computation(&computation(&run, items(&run), period)).await.unwrap();
    let run = t.store.run(run.id).await.unwrap();
    let tr = plan_submission(wf, fx, &run).await;
    t.store.submit_run(run.id, run.version, &tr, &[]).await.unwrap();
    decide(wf, fx, run.id, DecisionAction::Approve).await;
    let run = t.store.run(run.id).await.unwrap();
    assert_eq!(run.status, PayRunStatus::Locked);
    run
}

// ---------------------------------------------------------------------------------------------
// Tests

both_engines!(
    components_and_structures_round_trip,
    salary_assignments_are_effective_dated_and_sealed,
    policies_profiles_and_declarations_round_trip,
    adjustments_round_trip,
    runs_are_unique_per_company_and_period,
    computations_replace_items_atomically,
    year_to_date_counts_locked_runs_only,
    population_of_a_month,
    approval_locks_and_publication_shows_payslips,
    payees_units_and_company,
    key_rotation_reseals_payroll_columns,
);

async fn components_and_structures_round_trip(t: TestDb) {
    let fx = fixture(&t).await;
    let s = &t.store;
    let base = component(fx.company, "base");
    let audit = [admin().audit(at("2025-01-01T00:00:00Z"), "pay_component.create", "pay_component")];
    s.create_component(&base, &audit).await.unwrap();
    let mut meal = component(fx.company, "meal");
    meal.kind = ComponentKind::PreTaxDeduction;
    meal.category = ComponentCategory::TaxExempt;
    meal.description = None;
    s.create_component(&meal, &[]).await.unwrap();
    assert_eq!(code_of(s.create_component(&component(fx.company, "base"), &[]).await), "duplicate_component_code");
    // The same code in another company is another component.
    s.create_component(&component(fx.other_company, "base"), &[]).await.unwrap();
    assert_eq!(s.components(fx.company).await.unwrap(), vec![base.clone(), meal.clone()]);
    assert_eq!(s.component(meal.id).await.unwrap(), meal);

    let mut changed = base.clone();
    changed.name = "岗位工资".into();
    changed.active = false;
    changed.taxable = false;
    s.update_component(&changed, &[]).await.unwrap();
    assert_eq!(s.component(base.id).await.unwrap(), changed);
    let mut missing = base.clone();
    missing.id = Uuid::now_v7();
    assert_eq!(code_of(s.update_component(&missing, &[]).await), "pay_component_not_found");
    assert_eq!(code_of(s.component(missing.id).await), "pay_component_not_found");
    assert_eq!(count(&t, "SELECT COUNT(*) FROM audit_log WHERE action = 'pay_component.create'").await, 1);

    let st = s.structure(fx.structure).await.unwrap();
    assert_eq!(st.items.len(), 2);
    assert_eq!(st.items[1].source, ItemSource::Formula { formula: "paid_days * 30".into() });
    assert_eq!(code_of(s.create_structure(&structure(fx.company, "STD"), &[]).await), "duplicate_structure_code");
    let mut next = st.clone();
    next.name = "新结构".into();
    next.grades = vec!["P7".into()];
    next.valid_to = Some(d("2026-01-01"));
    s.update_structure(&next, 1, &[]).await.unwrap();
    let stored = s.structure(st.id).await.unwrap();
    assert_eq!(stored.version, 2);
    assert_eq!(stored.name, "新结构");
    assert_eq!(stored.valid_to, Some(d("2026-01-01")));
    assert_eq!(code_of(s.update_structure(&next, 1, &[]).await), "payroll_conflict");
    next.id = Uuid::now_v7();
    assert_eq!(code_of(s.update_structure(&next, 2, &[]).await), "pay_structure_not_found");
    assert_eq!(code_of(s.structure(next.id).await), "pay_structure_not_found");
    assert_eq!(s.structures(fx.company).await.unwrap().len(), 1);
}

async fn salary_assignments_are_effective_dated_and_sealed(t: TestDb) {
    let fx = fixture(&t).await;
    let s = &t.store;
    let first = salary(&fx, fx.a1, "12345.67", "2025-01-01");
    s.add_salary_assignment(&first, &[]).await.unwrap();
    let raise = salary(&fx, fx.a1, "15000.00", "2025-07-01");
    s.add_salary_assignment(&raise, &[]).await.unwrap();
    let history = s.salary_history(fx.a1).await.unwrap();
    assert_eq!(history.len(), 2);
    // The open assignment was closed the day before the raise: [2025-01-01, 2025-07-01).
    assert_eq!(history[0], SalaryAssignment { valid_to: Some(d("2025-07-01")), ..first.clone() });
    assert_eq!(history[1], raise);
    for on in ["2025-07-01", "2025-06-30"] {
        let mut late = salary(&fx, fx.a1, "1.00", on);
        assert_eq!(code_of(s.add_salary_assignment(&late, &[]).await), "effective_date_conflict", "{on}");
        late.valid_from = d("2024-12-01");
        assert_eq!(code_of(s.add_salary_assignment(&late, &[]).await), "effective_date_conflict");
    }
    let mut bad = salary(&fx, fx.b1, "1.00", "2025-01-01");
    bad.structure_id = Uuid::now_v7();
    assert_eq!(code_of(s.add_salary_assignment(&bad, &[]).await), "pay_structure_not_found");
    s.add_salary_assignment(&salary(&fx, fx.b1, "9000.00", "2025-03-01"), &[]).await.unwrap();

    let on = s.salaries_on(&[(fx.a1, d("2025-06-30")), (fx.b1, d("2025-02-28")), (fx.joiner, d("2025-07-31"))]).await;
    let on = on.unwrap();
    assert_eq!(on.len(), 1, "b1 had no salary in February, the joiner none at all");
    assert_eq!(on[&fx.a1].base_salary, dec("12345.67"));
    // The long-list path (one scan, filtered before opening) answers the same.
    let mut wanted: Vec<(EmployeeId, chrono::NaiveDate)> =
        (0..4100).map(|_| (EmployeeId(Uuid::now_v7()), d("2025-07-15"))).collect();
    wanted.push((fx.a1, d("2025-07-15")));
    wanted.push((fx.b1, d("2025-07-15")));
    let many = s.salaries_on(&wanted).await.unwrap();
    assert_eq!(many.len(), 2);
    assert_eq!(many[&fx.a1], raise);
    assert_eq!(many[&fx.b1].base_salary, dec("9000.00"));

    for blob in blobs(&t, "SELECT amounts_enc FROM salary_assignments").await {
        for plain in ["12345.67", "15000", "base_salary", "beijing", "housing"] {
            assert!(!contains(&blob, plain), "{plain} in the clear");
        }
    }
}

async fn policies_profiles_and_declarations_round_trip(t: TestDb) {
    let fx = fixture(&t).await;
    let s = &t.store;
    let policy = SiPolicy {
        city: "hangzhou".into(),
        name: "杭州 2025".into(),
        valid_from: d("2025-01-01"),
        valid_to: Some(d("2026-01-01")),
        source_url: "https://example.gov.cn/si".into(),
        confidence: "admin".into(),
        items: vec![SiItem {
            kind: SiKind::Pension,
            floor: dec("4462.00"),
            cap: dec("24930.00"),
            employer_rate: dec("0.14"),
            employee_rate: dec("0.08"),
            employee_fixed: Decimal::ZERO,
            rounding: Rounding::Fen,
            min_rate: None,
            max_rate: None,
        }],
    };
    s.add_si_policy(&policy, &[]).await.unwrap();
    let open = SiPolicy { valid_from: d("2026-01-01"), valid_to: None, ..policy.clone() };
    s.add_si_policy(&open, &[]).await.unwrap();
    assert_eq!(code_of(s.add_si_policy(&policy, &[]).await), "duplicate_si_policy");
    assert_eq!(s.si_policies().await.unwrap(), vec![policy, open]);

    assert_eq!(s.tax_profile(fx.a1, 2025).await.unwrap(), None);
    let mut profile = TaxProfile {
        employee_id: fx.a1,
        year: 2025,
        rule: WithholdingRule::FirstJob2020_13,
        merge_annual_bonus: false,
    };
    s.set_tax_profile(&profile, &[]).await.unwrap();
    profile.merge_annual_bonus = true;
    profile.rule = WithholdingRule::PriorYearLe60000_2020_19;
    s.set_tax_profile(&profile, &[]).await.unwrap();
    assert_eq!(s.tax_profile(fx.a1, 2025).await.unwrap(), Some(profile.clone()));
    assert_eq!(s.tax_profile(fx.a1, 2026).await.unwrap(), None);
    assert_eq!(s.tax_profiles(2025, &[fx.a1, fx.b1]).await.unwrap(), vec![profile]);
    let ghost =
        TaxProfile { employee_id: EmployeeId(Uuid::now_v7()), ..s.tax_profile(fx.a1, 2025).await.unwrap().unwrap() };
    assert_eq!(code_of(s.set_tax_profile(&ghost, &[]).await), "employee_not_found");

    let children = DeductionDeclaration {
        id: Uuid::now_v7(),
        employee_id: fx.a1,
        year: 2025,
        kind: AdditionalKind::ChildEducation,
        details: DeductionDetails {
            children: 2,
            share_percent: 50,
            only_child: false,
            agreed_amount: None,
            rent_tier: None,
            note: Some("北京市第一实验小学".into()),
        },
        start_month: 1,
        end_month: 12,
        monthly_amount: dec("2000.00"),
        status: DeclarationStatus::Active,
        declared_at: at("2025-01-05T08:00:00Z"),
    };
    s.add_declaration(&children, &[]).await.unwrap();
    let elderly = DeductionDeclaration {
        id: Uuid::now_v7(),
        kind: AdditionalKind::ElderlySupport,
        details: DeductionDetails {
            children: 0,
            share_percent: 100,
            only_child: false,
            agreed_amount: Some(dec("1500.00")),
            rent_tier: None,
            note: None,
        },
        monthly_amount: dec("1500.00"),
        declared_at: at("2025-01-06T08:00:00Z"),
        ..children.clone()
    };
    s.add_declaration(&elderly, &[]).await.unwrap();
    let other = DeductionDeclaration { id: Uuid::now_v7(), employee_id: fx.b1, ..children.clone() };
    s.add_declaration(&other, &[]).await.unwrap();
    assert_eq!(s.declarations(fx.a1, 2025).await.unwrap(), vec![children.clone(), elderly.clone()]);
    assert_eq!(code_of(s.withdraw_declaration(fx.b1, elderly.id, &[]).await), "declaration_not_found");
    s.withdraw_declaration(fx.a1, elderly.id, &[]).await.unwrap();
    let mine = s.declarations(fx.a1, 2025).await.unwrap();
    assert_eq!(mine[1].status, DeclarationStatus::Withdrawn);
    assert_eq!(s.declarations_for(2025, &[fx.a1, fx.b1]).await.unwrap(), vec![children.clone(), other]);
    let mut bulk: Vec<EmployeeId> = (0..4100).map(|_| EmployeeId(Uuid::now_v7())).collect();
    bulk.push(fx.a1);
    assert_eq!(s.declarations_for(2025, &bulk).await.unwrap(), vec![children]);
    assert!(s.declarations_for(2026, &[fx.a1]).await.unwrap().is_empty());
    for blob in blobs(&t, "SELECT details_enc FROM deduction_declarations").await {
        assert!(!contains(&blob, "实验小学") && !contains(&blob, "share_percent"));
    }
}

async fn adjustments_round_trip(t: TestDb) {
    let fx = fixture(&t).await;
    let s = &t.store;
    let adj = |period: &str, amount: &str| PayAdjustment {
        id: Uuid::now_v7(),
        employee_id: fx.a1,
        company_id: fx.company,
        period: period.into(),
        component_code: "bonus".into(),
        amount: dec(amount),
        reason: "补发6月加班费".into(),
        corrects_run_id: None,
        status: AdjustmentStatus::Open,
        applied_run_id: None,
        created_by: fx.preparer.user_id,
        created_at: at("2025-07-02T08:00:00Z"),
    };
    let (a, b, c) = (adj("2025-07", "1234.56"), adj("2025-07", "-200.00"), adj("2025-08", "88.00"));
    for x in [&a, &b, &c] {
        s.create_adjustment(x, &[]).await.unwrap();
    }
    let ghost = PayAdjustment { id: Uuid::now_v7(), corrects_run_id: Some(Uuid::now_v7()), ..a.clone() };
    assert_eq!(code_of(s.create_adjustment(&ghost, &[]).await), "pay_run_not_found");
    let ghost = PayAdjustment { id: Uuid::now_v7(), employee_id: EmployeeId(Uuid::now_v7()), ..a.clone() };
    assert_eq!(code_of(s.create_adjustment(&ghost, &[]).await), "employee_not_found");
    assert_eq!(s.open_adjustments(fx.company, "2025-07").await.unwrap(), vec![a.clone(), b.clone()]);
    let page = s.adjustments(fx.company, None, PageRequest::new(Some(1), Some(2))).await.unwrap();
    assert_eq!((page.total, page.items.len()), (3, 2));
    assert_eq!(page.items[0], c);
    let july = s.adjustments(fx.company, Some("2025-07"), PageRequest::new(None, None)).await.unwrap();
    assert_eq!(july.total, 2);
    let cancelled = s.cancel_adjustment(b.id, &[]).await.unwrap();
    assert_eq!(cancelled, PayAdjustment { status: AdjustmentStatus::Cancelled, ..b });
    assert_eq!(s.open_adjustments(fx.company, "2025-07").await.unwrap(), vec![a]);
    assert_eq!(code_of(s.cancel_adjustment(Uuid::now_v7(), &[]).await), "adjustment_not_found");
    for blob in blobs(&t, "SELECT details_enc FROM pay_adjustments").await {
        assert!(!contains(&blob, "1234.56") && !contains(&blob, "加班费"));
    }
}

async fn runs_are_unique_per_company_and_period(t: TestDb) {
    let fx = fixture(&t).await;
    let s = &t.store;
    let july = new_run(&fx, "2025-07", PayRunScope::default());
    s.create_run(&july, &[]).await.unwrap();
    assert_eq!(s.run(july.id).await.unwrap(), july);
    let again = new_run(&fx, "2025-07", PayRunScope::default());
    assert_eq!(code_of(s.create_run(&again, &[]).await), "duplicate_pay_run");
    // A supplementary run for named employees is not the regular run.
    let extra = new_run(&fx, "2025-07", PayRunScope { org_units: vec![], employees: vec![fx.a1] });
    s.create_run(&extra, &[]).await.unwrap();
    assert_eq!(s.run(extra.id).await.unwrap().scope.employees, vec![fx.a1]);
    let mut other = new_run(&fx, "2025-07", PayRunScope::default());
    other.company_id = fx.other_company;
    s.create_run(&other, &[]).await.unwrap();
    let mut ghost = new_run(&fx, "2025-08", PayRunScope::default());
    ghost.company_id = CompanyId(Uuid::now_v7());
    assert_eq!(code_of(s.create_run(&ghost, &[]).await), "company_not_found");
    let page = s.runs(Some(fx.company), PageRequest::new(None, None)).await.unwrap();
    assert_eq!(page.total, 2);
    assert_eq!(s.runs(None, PageRequest::new(None, None)).await.unwrap().total, 3);
    assert_eq!(code_of(s.run(Uuid::now_v7()).await), "pay_run_not_found");
    assert_eq!(s.previous_run(fx.company, "2025-08").await.unwrap(), None, "nothing locked yet");
}

async fn computations_replace_items_atomically(t: TestDb) {
    let fx = fixture(&t).await;
    let s = &t.store;
    let run = new_run(&fx, "2025-07", PayRunScope::default());
    s.create_run(&run, &[]).await.unwrap();
    let first = vec![
        item(&run, fx.a1, "E001", Some(payslip("30000.00", tax(7, "30000.00", "3000.00", "555.00", None)))),
        item(&run, fx.b1, "E002", None),
    ];
    s.save_computation(&computation(&run, first.clone(), "d1")).await.unwrap();
    let after = s.run(run.id).await.unwrap();
    assert_eq!((after.status, after.version, after.digest.as_deref()), (PayRunStatus::Computed, 2, Some("d1")));
    assert_eq!(after.totals.gross, dec("30000.00"));
    assert_eq!(after.computed_at, Some(at("2025-07-31T10:00:00Z")));
    assert_eq!(s.all_items(run.id).await.unwrap(), first);

    // Stale version: refused, nothing changes.
    assert_eq!(code_of(s.save_computation(&computation(&run, vec![], "stale")).await), "pay_run_conflict");
    // Recompute: the items are replaced.
    let second = vec![
        item(&after, fx.a1, "E001", Some(payslip("31000.00", tax(7, "31000.00", "3000.00", "585.00", None)))),
        item(&after, fx.b1, "E002", Some(payslip("9000.00", tax(7, "9000.00", "0.00", "0.00", Some("12000.00"))))),
        item(&after, fx.mover, "E006", None),
    ];
    s.save_computation(&computation(&after, second.clone(), "d2")).await.unwrap();
    let after = s.run(run.id).await.unwrap();
    assert_eq!((after.version, after.digest.as_deref()), (3, Some("d2")));
    assert_eq!(s.all_items(run.id).await.unwrap(), second);
    assert_eq!(count(&t, "SELECT COUNT(*) FROM pay_run_items").await, 3);
    assert_eq!(count(&t, "SELECT COUNT(*) FROM audit_log WHERE action = 'pay_run.compute'").await, 2);

    // A failure inside the transaction (the same item id twice) leaves everything as it was.
    let mut broken = vec![
        item(&after, fx.a1, "E001", Some(payslip("1.00", tax(7, "1.00", "0", "0", None)))),
        item(&after, fx.b1, "E002", None),
    ];
    broken[1].id = broken[0].id;
    assert_eq!(code_of(s.save_computation(&computation(&after, broken, "d3")).await), "internal");
    let still = s.run(run.id).await.unwrap();
    assert_eq!((still.status, still.version, still.digest.as_deref()), (PayRunStatus::Computed, 3, Some("d2")));
    assert_eq!(s.all_items(run.id).await.unwrap(), second);
    assert_eq!(count(&t, "SELECT COUNT(*) FROM audit_log WHERE action = 'pay_run.compute'").await, 2);
    // An employee the database does not know.
    let ghost = vec![item(&after, EmployeeId(Uuid::now_v7()), "X", None)];
    assert_eq!(code_of(s.save_computation(&computation(&after, ghost, "d4")).await), "employee_not_found");
    assert_eq!(s.all_items(run.id).await.unwrap(), second);

    // Reads: one item with its run, filtered and paged lists.
    let (r, one) = s.item(second[1].id).await.unwrap();
    assert_eq!((r.id, one), (run.id, second[1].clone()));
    assert_eq!(code_of(s.item(Uuid::now_v7()).await), "payslip_not_found");
    let all = PageRequest::new(None, None);
    let errors = ItemFilter { status: Some(ItemStatus::Error), ..Default::default() };
    assert_eq!(s.items(run.id, &errors, all).await.unwrap().items, vec![second[2].clone()]);
    let search = ItemFilter { search: Some("E00".into()), ..Default::default() };
    let paged = s.items(run.id, &search, PageRequest::new(Some(2), Some(2))).await.unwrap();
    assert_eq!((paged.total, paged.items), (3, vec![second[2].clone()]));
    let by_name = ItemFilter { search: Some("员工E002".into()), ..Default::default() };
    assert_eq!(s.items(run.id, &by_name, all).await.unwrap().items, vec![second[1].clone()]);
    let wildcard = ItemFilter { search: Some("%".into()), ..Default::default() };
    assert_eq!(s.items(run.id, &wildcard, all).await.unwrap().total, 0);
    // Row scope: HR of 部门B (on 2025-07-31) sees b1 and the mover (moved there on the 16th).
    let dept_b = RowScope { units: vec![fx.dept_b], on: Some(d("2025-07-31")), ..Default::default() };
    let scoped = ItemFilter { scope: Some(dept_b), ..Default::default() };
    let seen: Vec<EmployeeId> =
        s.items(run.id, &scoped, all).await.unwrap().items.iter().map(|i| i.employee_id).collect();
    assert_eq!(seen, vec![fx.b1, fx.mover]);
    let nobody = ItemFilter { scope: Some(RowScope::default()), ..Default::default() };
    assert_eq!(s.items(run.id, &nobody, all).await.unwrap().total, 0);

    // Payslips are sealed: no figure, name or note of them is in the clear.
    let mut sealed = blobs(&t, "SELECT payslip_enc FROM pay_run_items WHERE payslip_enc IS NOT NULL").await;
    sealed.extend(blobs(&t, "SELECT ytd_enc FROM pay_run_items WHERE ytd_enc IS NOT NULL").await);
    assert_eq!(sealed.len(), 4);
    for blob in sealed {
        for plain in ["31000", "gross", "基本工资", "21.75", "cumulative", "months_here", "217000"] {
            assert!(!contains(&blob, plain), "{plain} in the clear");
        }
    }
}

async fn year_to_date_counts_locked_runs_only(t: TestDb) {
    let fx = fixture(&t).await;
    let s = &t.store;
    let wf = workflow(&t, &fx);
    let jan = locked_run(&t, &fx, &wf, "2025-01", |r| {
        vec![
            item(r, fx.a1, "E001", Some(payslip("30000.00", tax(1, "30000.00", "0.00", "555.00", Some("20000.00"))))),
            item(r, fx.b1, "E002", None),
        ]
    })
    .await;
    locked_run(&t, &fx, &wf, "2025-02", |r| {
        vec![
            item(r, fx.a1, "E001", Some(payslip("30000.00", tax(2, "30000.00", "555.00", "625.00", None)))),
            item(r, fx.b1, "E002", Some(payslip("8000.00", tax(1, "8000.00", "0.00", "0.00", None)))),
        ]
    })
    .await;
    // March is computed but not locked: it must not count.
    let march = new_run(&fx, "2025-03", PayRunScope::default());
    s.create_run(&march, &[]).await.unwrap();
    let slip = payslip("30000.00", tax(3, "30000.00", "1180.00", "1850.00", None));
    s.save_computation(&computation(&march, vec![item(&march, fx.a1, "E001", Some(slip))], "m")).await.unwrap();

    let ytd = s.year_to_date(fx.company, 2025, "2025-04", &[fx.a1, fx.b1, fx.joiner]).await.unwrap();
    assert_eq!(ytd.len(), 2, "the joiner has nothing yet");
    let a1 = &ytd[&fx.a1];
    assert_eq!(
        *a1,
        YearToDate {
            months_here: 2,
            income: dec("60000.00"),
            exempt: Decimal::ZERO,
            special: dec("9000.00"),
            additional: dec("4000.00"),
            additional_by_kind: BTreeMap::from([(AdditionalKind::ChildEducation, dec("4000.00"))]),
            other: Decimal::ZERO,
            withheld: dec("1180.00"),
            annual_bonus_used: true,
            periods: vec!["2025-01".into(), "2025-02".into()],
        }
    );
    let b1 = &ytd[&fx.b1];
    assert_eq!((b1.months_here, b1.annual_bonus_used, b1.periods.clone()), (1, false, vec!["2025-02".to_string()]));
    // Before February only January counts.
    let feb = s.year_to_date(fx.company, 2025, "2025-02", &[fx.a1]).await.unwrap();
    assert_eq!((feb[&fx.a1].months_here, feb[&fx.a1].withheld), (1, dec("555.00")));
    // Other years and other companies see nothing.
    assert!(s.year_to_date(fx.company, 2026, "2026-02", &[fx.a1]).await.unwrap().is_empty());
    assert!(s.year_to_date(fx.other_company, 2025, "2025-04", &[fx.a1]).await.unwrap().is_empty());
    // The long-list path answers the same.
    let mut many: Vec<EmployeeId> = (0..4100).map(|_| EmployeeId(Uuid::now_v7())).collect();
    many.push(fx.a1);
    let bulk = s.year_to_date(fx.company, 2025, "2025-04", &many).await.unwrap();
    assert_eq!(bulk.len(), 1);
    assert_eq!(bulk[&fx.a1], *a1);
    assert_eq!(s.previous_run(fx.company, "2025-04").await.unwrap().unwrap().period, "2025-02");
    assert_eq!(s.previous_run(fx.company, "2025-02").await.unwrap().unwrap().id, jan.id);
}

async fn population_of_a_month(t: TestDb) {
    let fx = fixture(&t).await;
    let s = &t.store;
    let (first, last) = (d("2025-07-01"), d("2025-07-31"));
    let everyone = RowScope::everything();
    let all = s.population(fx.company, first, last, &PayRunScope::default(), &everyone).await.unwrap();
    let ids: Vec<EmployeeId> = all.iter().map(|p| p.employee_id).collect();
    assert_eq!(ids, vec![fx.a1, fx.b1, fx.joiner, fx.leaver, fx.mover, fx.hr_emp], "by employee number");
    assert!(!ids.contains(&fx.gone), "left before July");
    let person = |id: EmployeeId| all.iter().find(|p| p.employee_id == id).unwrap().clone();
    let joiner = person(fx.joiner);
    assert_eq!((joiner.employed_from, joiner.employed_to), (d("2025-07-10"), last));
    assert_eq!((joiner.employee_no.as_str(), joiner.employee_name.as_str()), ("E003", "员工E003"));
    assert_eq!(joiner.company_id, fx.company);
    let leaver = person(fx.leaver);
    assert_eq!((leaver.employed_from, leaver.employed_to), (first, d("2025-07-20")));
    let mover = person(fx.mover);
    assert_eq!((mover.employed_from, mover.employed_to), (first, last));
    assert_eq!(mover.org_unit_id, Some(fx.dept_b), "the unit of the last employed day");
    assert_eq!(person(fx.a1).org_unit_id, Some(fx.team_a1));
    assert_eq!((person(fx.a1).position_id, person(fx.a1).grade.clone()), (None, None));
    // June: the gone employee is there to the end, the joiner is not yet.
    let june = s.population(fx.company, d("2025-06-01"), d("2025-06-30"), &PayRunScope::default(), &everyone).await;
    let june: Vec<EmployeeId> = june.unwrap().iter().map(|p| p.employee_id).collect();
    assert!(june.contains(&fx.gone) && !june.contains(&fx.joiner));

    // Scope: the subtree of 部门A (on the 31st: a1 in A1, the joiner in A; the mover has left it).
    let sub = PayRunScope { org_units: vec![fx.dept_a], employees: vec![] };
    let got: Vec<EmployeeId> =
        s.population(fx.company, first, last, &sub, &everyone).await.unwrap().iter().map(|p| p.employee_id).collect();
    assert_eq!(got, vec![fx.a1, fx.joiner]);
    let named = PayRunScope { org_units: vec![fx.team_a1], employees: vec![fx.b1, fx.gone] };
    let got: Vec<EmployeeId> =
        s.population(fx.company, first, last, &named, &everyone).await.unwrap().iter().map(|p| p.employee_id).collect();
    assert_eq!(got, vec![fx.a1, fx.b1], "a named employee not employed in the month is not paid");
    // The reader's row scope: HR of 部门B as of the 15th (b1, the leaver; the mover arrives on the 16th).
    let hr_b = RowScope { units: vec![fx.dept_b], on: Some(d("2025-07-15")), ..Default::default() };
    let got: Vec<EmployeeId> = s
        .population(fx.company, first, last, &PayRunScope::default(), &hr_b)
        .await
        .unwrap()
        .iter()
        .map(|p| p.employee_id)
        .collect();
    assert_eq!(got, vec![fx.b1, fx.leaver]);
    let elsewhere = RowScope { companies: vec![fx.other_company], ..Default::default() };
    assert!(s.population(fx.company, first, last, &PayRunScope::default(), &elsewhere).await.unwrap().is_empty());
    assert!(
        s.population(fx.company, first, last, &PayRunScope::default(), &RowScope::default()).await.unwrap().is_empty()
    );
}

async fn approval_locks_and_publication_shows_payslips(t: TestDb) {
    let fx = fixture(&t).await;
    let s = &t.store;
    let wf = workflow(&t, &fx);
    let adjustment = PayAdjustment {
        id: Uuid::now_v7(),
        employee_id: fx.a1,
        company_id: fx.company,
        period: "2025-07".into(),
        component_code: "bonus".into(),
        amount: dec("500.00"),
        reason: "项目奖".into(),
        corrects_run_id: None,
        status: AdjustmentStatus::Open,
        applied_run_id: None,
        created_by: fx.preparer.user_id,
        created_at: at("2025-07-02T08:00:00Z"),
    };
    s.create_adjustment(&adjustment, &[]).await.unwrap();
    let run = new_run(&fx, "2025-07", PayRunScope::default());
    s.create_run(&run, &[]).await.unwrap();
    // A draft run cannot be submitted.
    let tr = plan_submission(&wf, &fx, &run).await;
    assert_eq!(code_of(s.submit_run(run.id, 1, &tr, &[]).await), "pay_run_wrong_status");
    let mut slip = payslip("30500.00", tax(7, "30500.00", "3000.00", "570.00", None));
    slip.adjustment_ids = vec![adjustment.id];
    let items = vec![item(&run, fx.a1, "E001", Some(slip)), item(&run, fx.b1, "E002", None)];
    s.save_computation(&computation(&run, items.clone(), "d")).await.unwrap();
    let run = s.run(run.id).await.unwrap();

    // Submission: the run and the approval instance in one transaction; a stale version writes neither.
    let tr = plan_submission(&wf, &fx, &run).await;
    assert_eq!(code_of(s.submit_run(run.id, run.version - 1, &tr, &[]).await), "pay_run_conflict");
    assert!(wf.instance_of(&fx.approver, &doc(&fx, run.id)).await.unwrap().is_none());
    assert_eq!(code_of(s.submit_run(Uuid::now_v7(), 1, &tr, &[]).await), "pay_run_not_found");
    let audit = [fx.preparer.audit(at("2025-07-31T11:00:00Z"), "pay_run.submit", "pay_run")];
    s.submit_run(run.id, run.version, &tr, &audit).await.unwrap();
    let pending = s.run(run.id).await.unwrap();
    assert_eq!((pending.status, pending.approval_id), (PayRunStatus::PendingApproval, Some(tr.instance_id)));
    assert_eq!(code_of(s.save_computation(&computation(&pending, vec![], "x")).await), "pay_run_wrong_status");

    // Returned: back to Computed, recomputable; resubmitted and approved: Locked.
    decide(&wf, &fx, run.id, DecisionAction::Return).await;
    let returned = s.run(run.id).await.unwrap();
    assert_eq!(returned.status, PayRunStatus::Computed);
    let again = Submission {
        doc: doc(&fx, run.id),
        requester: fx.preparer.user_id,
        fields: serde_json::json!({}),
        title: "2025-07 工资审批（重提）".into(),
    };
    let tr = wf.plan_resubmit(&fx.preparer, &doc(&fx, run.id), again).await.unwrap();
    s.submit_run(run.id, returned.version, &tr, &[]).await.unwrap();
    decide(&wf, &fx, run.id, DecisionAction::Approve).await;
    let locked = s.run(run.id).await.unwrap();
    assert_eq!(locked.status, PayRunStatus::Locked);
    assert_eq!(locked.approved_by, Some(fx.approver.user_id));
    assert_eq!(locked.locked_at, Some(at("2025-08-01T09:00:00Z")));
    let view = wf.instance_of(&fx.approver, &doc(&fx, run.id)).await.unwrap().unwrap();
    assert_eq!(view.status, InstanceStatus::Approved);
    assert_eq!(count(&t, "SELECT COUNT(*) FROM audit_log WHERE action = 'pay_run.decide'").await, 2);
    assert_eq!(count(&t, "SELECT COUNT(*) FROM audit_log WHERE action = 'pay_run.submit'").await, 1);

    // Locked: immutable; the included adjustment is applied and can no longer be cancelled.
    assert_eq!(code_of(s.save_computation(&computation(&locked, vec![], "x")).await), "pay_run_wrong_status");
    let applied = s.adjustments(fx.company, Some("2025-07"), PageRequest::new(None, None)).await.unwrap();
    assert_eq!((applied.items[0].status, applied.items[0].applied_run_id), (AdjustmentStatus::Applied, Some(run.id)));
    assert_eq!(code_of(s.cancel_adjustment(adjustment.id, &[]).await), "adjustment_applied");
    assert!(s.open_adjustments(fx.company, "2025-07").await.unwrap().is_empty());

    // Only published runs' payslips reach their employee.
    assert!(s.payslips_of(fx.a1).await.unwrap().is_empty());
    s.publish_run(run.id, at("2025-08-02T09:00:00Z"), &[]).await.unwrap();
    let published = s.run(run.id).await.unwrap();
    assert_eq!((published.status, published.published_at), (PayRunStatus::Published, Some(at("2025-08-02T09:00:00Z"))));
    assert_eq!(code_of(s.publish_run(run.id, at("2025-08-02T09:00:00Z"), &[]).await), "pay_run_wrong_status");
    assert_eq!(code_of(s.publish_run(Uuid::now_v7(), at("2025-08-02T09:00:00Z"), &[]).await), "pay_run_not_found");
    let mine = s.payslips_of(fx.a1).await.unwrap();
    assert_eq!(
        mine,
        vec![PayslipSummary {
            id: items[0].id,
            run_id: run.id,
            period: "2025-07".into(),
            pay_date: d("2025-07-28"),
            run_name: "2025-07 工资".into(),
            gross: dec("30500.00"),
            net: dec("27708.00"),
        }]
    );
    assert!(s.payslips_of(fx.b1).await.unwrap().is_empty(), "an error item is no payslip");

    // A rejected run goes back to Computed and stays unlocked.
    let aug = new_run(&fx, "2025-08", PayRunScope::default());
    s.create_run(&aug, &[]).await.unwrap();
    s.save_computation(&computation(&aug, vec![item(&aug, fx.a1, "E001", None)], "a")).await.unwrap();
    let aug = s.run(aug.id).await.unwrap();
    let tr = plan_submission(&wf, &fx, &aug).await;
    s.submit_run(aug.id, aug.version, &tr, &[]).await.unwrap();
    decide(&wf, &fx, aug.id, DecisionAction::Reject).await;
    assert_eq!(s.run(aug.id).await.unwrap().status, PayRunStatus::Computed);
    // An approval whose effect fails (the run is no longer pending: changed underneath) rolls back
    // with it — the instance stays pending with its task open, the run unlocked.
    let sep = new_run(&fx, "2025-09", PayRunScope::default());
    s.create_run(&sep, &[]).await.unwrap();
    s.save_computation(&computation(&sep, vec![], "s")).await.unwrap();
    let sep = s.run(sep.id).await.unwrap();
    let tr = plan_submission(&wf, &fx, &sep).await;
    s.submit_run(sep.id, sep.version, &tr, &[]).await.unwrap();
    let sql = "UPDATE pay_runs SET status = 'computed' WHERE id = $1";
    on_db!(&t.db, p => sqlx::query(sql).bind(sep.id).execute(p).await.unwrap().rows_affected());
    let refused = try_decide(&wf, &fx, sep.id, DecisionAction::Approve).await;
    assert!(refused.is_err(), "{refused:?}");
    let view = wf.instance_of(&fx.approver, &doc(&fx, sep.id)).await.unwrap().unwrap();
    assert_eq!(view.status, InstanceStatus::Pending);
    assert!(view.tasks.iter().any(|t| t.status == TaskStatus::Open));
    assert_eq!(s.run(sep.id).await.unwrap().status, PayRunStatus::Computed);
}

async fn payees_units_and_company(t: TestDb) {
    let fx = fixture(&t).await;
    let s = &t.store;
    let payees = s.payees(&[fx.a1, fx.b1, EmployeeId(Uuid::now_v7())]).await.unwrap();
    assert_eq!(payees.len(), 2);
    let a1 = &payees[&fx.a1];
    assert_eq!(a1.id_number.as_deref(), Some(id_number(2).as_str()));
    assert_eq!(a1.bank_account.as_deref(), Some("6222020200112200002"));
    assert_eq!(a1.bank_name.as_deref(), Some("中国工商银行"));
    assert!(!a1.id_type.is_empty());
    let names = s.unit_names(&[fx.dept_a, fx.dept_b, OrgUnitId(Uuid::now_v7())], d("2025-07-31")).await.unwrap();
    assert_eq!(names.len(), 2);
    assert_eq!(names[&fx.dept_a], "单元A");
    assert!(s.unit_names(&[fx.dept_a], d("2019-12-31")).await.unwrap().is_empty(), "before the unit existed");
    assert_eq!(s.company_name(fx.company).await.unwrap(), "伯乐科技");
    assert_eq!(code_of(s.company_name(CompanyId(Uuid::now_v7())).await), "company_not_found");
}

/// The payroll columns are in `SEALED_FIELDS`: a data-key rotation re-seals them and they still open.
async fn key_rotation_reseals_payroll_columns(t: TestDb) {
    let fx = fixture(&t).await;
    let s = &t.store;
    let pay = salary(&fx, fx.a1, "12345.67", "2025-01-01");
    s.add_salary_assignment(&pay, &[]).await.unwrap();
    let run = new_run(&fx, "2025-07", PayRunScope::default());
    s.create_run(&run, &[]).await.unwrap();
    let items = vec![item(&run, fx.a1, "E001", Some(payslip("30000.00", tax(7, "30000.00", "0", "555.00", None))))];
    s.save_computation(&computation(&run, items.clone(), "d")).await.unwrap();
    let before = blobs(&t, "SELECT payslip_enc FROM pay_run_items").await;
    let report = s.rotate_data_key().await.unwrap();
    assert_eq!(report.remaining, 0);
    assert!(report.resealed >= 2, "{report:?}");
    assert_ne!(blobs(&t, "SELECT payslip_enc FROM pay_run_items").await, before);
    assert_eq!(s.all_items(run.id).await.unwrap(), items);
    assert_eq!(s.salary_history(fx.a1).await.unwrap(), vec![pay]);
}

// ---------------------------------------------------------------------------------------------
// Timing (ignored): `cargo test --release -p bole-store --test payroll hundred_thousand -- --ignored --nocapture`

/// Employees (with their onboarding event and assignment in `unit`) written with plain SQL: the
/// people services are not what is measured.
async fn seed_employees(db: &Db, company: CompanyId, unit: OrgUnitId, n: usize) -> Vec<EmployeeId> {
    let ids: Vec<EmployeeId> = (0..n).map(|_| EmployeeId(Uuid::now_v7())).collect();
    for (c, chunk) in ids.chunks(500).enumerate() {
        on_db!(db, p => {
            let mut qb = sqlx::QueryBuilder::new(
                "INSERT INTO employees (id, company_id, employee_no, name, gender, id_type, id_number, employment_type, \
                 hire_date, created_at, updated_at) ",
            );
            qb.push_values(chunk.iter().enumerate(), |mut b, (i, e)| {
                b.push_bind(e.0)
                    .push_bind(company.0)
                    .push_bind(format!("B{:06}", c * 500 + i))
                    .push_bind(format!("员工{}", c * 500 + i))
                    .push_bind("1")
                    .push_bind("1")
                    .push_bind(format!("sealed:{}", e.0.simple()))
                    .push_bind("full_time")
                    .push_bind(d("2024-01-01"))
                    .push_bind(at("2024-01-01T00:00:00Z"))
                    .push_bind(at("2024-01-01T00:00:00Z"));
            });
            qb.build().execute(p).await.unwrap();
            let events: Vec<(Uuid, EmployeeId)> = chunk.iter().map(|e| (Uuid::now_v7(), *e)).collect();
            let mut qb = sqlx::QueryBuilder::new(
                "INSERT INTO employee_events (id, employee_id, kind, effective_date, payload, recorded_at, recorded_by) ",
            );
            qb.push_values(&events, |mut b, (ev, e)| {
                b.push_bind(*ev)
                    .push_bind(e.0)
                    .push_bind("onboard")
                    .push_bind(d("2024-01-01"))
                    .push_bind("{}")
                    .push_bind(at("2024-01-01T00:00:00Z"))
                    .push_bind("bench");
            });
            qb.build().execute(p).await.unwrap();
            let mut qb = sqlx::QueryBuilder::new(
                "INSERT INTO assignments (employee_id, valid_from, status, employed, org_unit_id, employment_type, \
                 quota_category, event_id) ",
            );
            qb.push_values(&events, |mut b, (ev, e)| {
                b.push_bind(e.0)
                    .push_bind(d("2024-01-01"))
                    .push_bind("regular")
                    .push_bind(true)
                    .push_bind(unit.0)
                    .push_bind("full_time")
                    .push_bind("合同制")
                    .push_bind(*ev);
            });
            qb.build().execute(p).await.unwrap().rows_affected()
        });
    }
    ids
}

/// A payslip as the computation produces it: 12 lines, 6 contribution lines, the full tax working.
fn full_payslip(n: usize) -> Payslip {
    let mut slip = payslip(&format!("{}.00", 12000 + n % 9000), tax(7, "15000.00", "2100.50", "345.60", None));
    let names = [
        "岗位工资",
        "薪级工资",
        "绩效奖金",
        "交通补贴",
        "通讯补贴",
        "住房补贴",
        "加班费",
        "事假扣款",
        "高温补贴",
        "独生子女费",
    ];
    for (i, name) in names.iter().enumerate() {
        slip.lines.push(PayLine {
            code: format!("c{i}"),
            name: (*name).into(),
            kind: ComponentKind::Earning,
            category: ComponentCategory::Allowance,
            amount: Decimal::new(i64::try_from(n % 5000 + i * 37).unwrap() * 100 + 55, 2),
            note: (i % 3 == 0).then(|| format!("{} 小时 × 150%", i + 4)),
        });
    }
    let kinds = [
        SiKind::Pension,
        SiKind::Medical,
        SiKind::Unemployment,
        SiKind::Injury,
        SiKind::Maternity,
        SiKind::HousingFund,
    ];
    slip.si_lines = kinds
        .into_iter()
        .map(|kind| SiLine {
            kind,
            base: Decimal::new(i64::try_from(10000 + n % 7000).unwrap() * 100, 2),
            employee_rate: dec("0.08"),
            employer_rate: dec("0.16"),
            employee: dec("812.34"),
            employer: dec("1624.68"),
        })
        .collect();
    slip.tax.additional.insert(AdditionalKind::HousingRent, dec("1500.00"));
    slip.tax.cumulative_additional_by_kind.insert(AdditionalKind::HousingRent, dec("10500.00"));
    slip.tax.cumulative_tax = dec("2446.10");
    slip.tax.cumulative_taxable = dec("38200.00");
    slip.facts.si_city = Some("beijing".into());
    slip
}

/// CPU seconds this process has used (all threads): the machine is shared, so wall time alone
/// says little about the code.
fn cpu_seconds() -> f64 {
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    let after = stat.rsplit_once(')').map(|(_, r)| r).unwrap_or("");
    let f: Vec<f64> = after.split_whitespace().map(|x| x.parse().unwrap_or(0.0)).collect();
    // Fields 14 and 15 (utime, stime) are the 12th and 13th after the command name; 100 ticks/s.
    (f.get(11).copied().unwrap_or(0.0) + f.get(12).copied().unwrap_or(0.0)) / 100.0
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "timing: run in release mode with --ignored"]
async fn hundred_thousand_items_on_sqlite() {
    timing(TestDb::sqlite().await, 100_000).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "timing: run in release mode with --ignored"]
async fn ten_thousand_items_on_postgres() {
    timing(TestDb::postgres().await, 10_000).await;
}

/// Save a computation of `n` payslips, recompute it, read it back, and read the year to date.
async fn timing(t: TestDb, n: usize) {
    use std::time::Instant;
    let org = OrgService::new(t.store.clone(), clock_on("2025-06-01"));
    let c =
        NewCompany { code: "BIG".into(), name: "大公司".into(), kind: CompanyKind::Enterprise, credit_code: None };
    let company = org.create_company(&admin(), c).await.unwrap().id;
    let hq = unit(&org, company, "HQ", UnitKind::Headquarters, None).await;
    let employees = seed_employees(&t.db, company, hq, n).await;
    let mut phases: Vec<(&str, (std::time::Duration, f64))> = Vec::new();
    let (started, cpu) = (Instant::now(), cpu_seconds());
    let people = t
        .store
        .population(company, d("2025-07-01"), d("2025-07-31"), &PayRunScope::default(), &RowScope::everything())
        .await
        .unwrap();
    phases.push(("population", (started.elapsed(), cpu_seconds() - cpu)));
    assert_eq!(people.len(), n);
    let st = structure(company, "STD");
    t.store.create_structure(&st, &[]).await.unwrap();
    let salaries: Vec<SalaryAssignment> = employees
        .iter()
        .map(|e| SalaryAssignment {
            id: Uuid::now_v7(),
            employee_id: *e,
            company_id: company,
            structure_id: st.id,
            base_salary: dec("15000.00"),
            fixed: BTreeMap::from([("meal".to_string(), dec("660.00"))]),
            si: SiEnrolment {
                city: "beijing".into(),
                si_base: dec("15000.00"),
                hf_base: None,
                hf_rate_employee: None,
                hf_rate_employer: None,
                si_enrolled: true,
                hf_enrolled: true,
            },
            valid_from: d("2025-01-01"),
            valid_to: None,
            reason: None,
            created_by: UserId(Uuid::now_v7()),
            created_at: at("2025-01-01T00:00:00Z"),
        })
        .collect();
    t.store.bulk_salary_assignments(&salaries, &[]).await.unwrap();
    let wanted: Vec<(EmployeeId, chrono::NaiveDate)> = people.iter().map(|p| (p.employee_id, p.employed_to)).collect();
    let (started, cpu) = (Instant::now(), cpu_seconds());
    assert_eq!(t.store.salaries_on(&wanted).await.unwrap().len(), n);
    phases.push(("salaries_on", (started.elapsed(), cpu_seconds() - cpu)));
    let fx_run = new_run_for(company, "2025-07");
    t.store.create_run(&fx_run, &[]).await.unwrap();
    let items: Vec<PayRunItem> = employees
        .iter()
        .enumerate()
        .map(|(n, e)| item(&fx_run, *e, &format!("B{n:06}"), Some(full_payslip(n))))
        .collect();
    let json_bytes: usize = items.iter().map(|i| serde_json::to_vec(&i.payslip).unwrap().len()).sum();
    let comp = computation(&fx_run, items, "bench");

    let (started, cpu) = (Instant::now(), cpu_seconds());
    t.store.save_computation(&comp).await.unwrap();
    let save = (started.elapsed(), cpu_seconds() - cpu);
    // Recompute: the 100,000 previous items are deleted in the same transaction.
    let run = t.store.run(fx_run.id).await.unwrap();
    let again = Computation { expected_version: run.version, ..comp };
    let (started, cpu) = (Instant::now(), cpu_seconds());
    t.store.save_computation(&again).await.unwrap();
    let resave = (started.elapsed(), cpu_seconds() - cpu);
    let (started, cpu) = (Instant::now(), cpu_seconds());
    let all = t.store.all_items(fx_run.id).await.unwrap();
    let read = (started.elapsed(), cpu_seconds() - cpu);
    assert_eq!(all.len(), n);
    on_db!(&t.db, p => sqlx::query("UPDATE pay_runs SET status = 'locked', locked_at = created_at").execute(p).await.unwrap().rows_affected());
    let (started, cpu) = (Instant::now(), cpu_seconds());
    let ytd = t.store.year_to_date(company, 2025, "2025-08", &employees).await.unwrap();
    let ytd_time = (started.elapsed(), cpu_seconds() - cpu);
    assert_eq!(ytd.len(), n);
    let stored: i64 = count(&t, "SELECT SUM(LENGTH(payslip_enc)) FROM pay_run_items").await;
    println!(
        "{n} payslips on {:?}: {} MB of JSON, {} MB sealed; wall time / CPU seconds (2 cores):",
        t.engine,
        json_bytes / 1_000_000,
        stored / 1_000_000
    );
    phases.extend([
        ("save_computation", save),
        ("recompute (delete + insert)", resave),
        ("all_items", read),
        ("year_to_date", ytd_time),
    ]);
    for (what, (wall, cpu)) in phases {
        println!("  {what:<28} {wall:>8.2?} / {cpu:.2} s CPU");
    }
}

fn new_run_for(company: CompanyId, period: &str) -> PayRun {
    PayRun {
        id: Uuid::now_v7(),
        company_id: company,
        period: period.into(),
        name: format!("{period} 工资"),
        scope: PayRunScope::default(),
        pay_date: d(&format!("{period}-28")),
        status: PayRunStatus::Draft,
        totals: RunTotals::default(),
        preparer: UserId(Uuid::now_v7()),
        approved_by: None,
        created_at: at("2025-01-01T08:00:00Z"),
        computed_at: None,
        locked_at: None,
        published_at: None,
        approval_id: None,
        digest: None,
        version: 1,
    }
}
