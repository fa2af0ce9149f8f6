//! The data commands: `demo` (seed a demo organisation, then serve), `import` and
//! `export` of 花名册 rosters. Long runs draw a progress bar on stderr and end
//! with a summary on stdout.

use crate::cli::{DemoArgs, ExportArgs, ImportArgs};
use crate::commands::{clock, load, runtime, strong_password};
use bole_app::{App, AppError};
use bole_core::{Actor, CompanyId, Failure};
use bole_demo::{DemoOptions, seed};
use indicatif::{ProgressBar, ProgressStyle};
use std::process::ExitCode;

/// Where `demo` keeps the administrator login it generated, so later starts can point at it.
const CREDENTIALS_FILE: &str = "demo-credentials.txt";

fn failure(e: &dyn Failure) -> AppError {
    let m = e.message();
    let mut zh = m.zh;
    let mut en = m.en;
    if let Some(fields) = e.fields() {
        for (f, msgs) in &fields.0 {
            for msg in msgs {
                zh.push_str(&format!("\n  {f}：{}", msg.zh));
                en.push_str(&format!("\n  {f}: {}", msg.en));
            }
        }
    }
    AppError::failure(zh, en)
}

async fn company_by_code(app: &App, actor: &Actor, code: &str) -> Result<CompanyId, AppError> {
    let companies = app.services.org.companies(actor).await.map_err(|e| failure(&e))?;
    companies.into_iter().find(|c| c.code == code).map(|c| c.id).ok_or_else(|| {
        AppError::failure(
            format!("找不到编码为“{code}”的单位；`bole serve` 后可在 /api/v1/companies 查看全部单位编码"),
            format!("no company with code \"{code}\"; list companies at /api/v1/companies"),
        )
    })
}

pub fn demo(args: DemoArgs) -> Result<ExitCode, AppError> {
    let settings = load(&args.data, args.listen.clone())?;
    let listen = settings.listen;
    let data_dir = settings.data_dir.clone();
    let clock = clock(&settings);
    let today = clock.today();
    runtime()?.block_on(async move {
        let app = App::build(settings, clock).await?;
        let actor = Actor::system();
        let empty = app.services.org.companies(&actor).await.map_err(|e| failure(&e))?.is_empty();
        let cred_path = data_dir.join(CREDENTIALS_FILE);
        if empty {
            let mut opts = DemoOptions::new(today);
            opts.employees = args.employees;
            if let Some(s) = args.seed {
                opts.seed = s;
            }
            let bar = ProgressBar::new(u64::from(opts.employees));
            bar.set_style(
                ProgressStyle::with_template("{spinner} 生成演示数据 {bar:40} {pos}/{len} 名员工 ({per_sec}, 剩余 {eta})")
                    .unwrap_or_else(|_| ProgressStyle::default_bar()),
            );
            let progress = |done: u64, total: u64| {
                bar.set_length(total);
                bar.set_position(done);
            };
            let summary = seed(&app.services.org, &app.services.people, &actor, &opts, &progress).await.map_err(|e| {
                let m = e.message().unwrap_or_else(|| bole_core::Msg::new(e.to_string(), e.to_string()));
                AppError::failure(format!("演示数据生成失败：{}（{e}）", m.zh), format!("demo seeding failed: {} ({e})", m.en))
            })?;
            bar.finish_and_clear();
            println!(
                "演示组织已生成 / demo organisation seeded: {} 个单位 companies, {} 个组织 org units, {} 个岗位 positions, {} 条编制 quotas, {} 名员工 employees, {} 条人事事件 events",
                summary.companies, summary.org_units, summary.positions, summary.quotas, summary.employees, summary.events
            );
            let extras = demo_extras(&app, &actor, today).await?;
            println!(
                "演示隐私政策已发布，{} 份劳动合同 / privacy notice published, {} labour contracts",
                extras, extras
            );
            let password = std::env::var("BOLE_ADMIN_PASSWORD").unwrap_or_else(|_| strong_password());
            let (accounts, team) = demo_accounts(&app, &actor, &password, today).await?;
            let (profiles, postings) = demo_time(&app, &actor, today, team.as_ref()).await?;
            println!(
                "假期类型、{profiles} 名员工的参加工作日期和今年的年假（{postings} 笔）已生成 / leave types, {profiles} \
                 working-years profiles and this year's leave ({postings} postings) seeded"
            );
            let mut accounts = accounts;
            let all_clocked = profiles < DEMO_CLOCKED_UP_TO;
            let pay = demo_payroll(&app, &actor, &password, today, opts.seed, team.as_ref(), all_clocked).await?;
            accounts.push(("payroll", "薪酬专员（全部单位）payroll specialist (all companies)"));
            println!(
                "薪资项目与标准薪资结构、{} 份薪资档案、本人的专项附加扣除已生成；{} 工资已审批发布（{} 张工资条，{} ms）\
                 / pay components, the standard structure, {} salary assignments and the employee's declarations \
                 seeded; {} payroll approved and published ({} payslips, {} ms)",
                pay.assignments, pay.period, pay.payslips, pay.millis, pay.assignments, pay.period, pay.payslips, pay.millis
            );
            let mut text = format!(
                "密码（所有演示账号相同）password (all demo accounts): {password}\n\
                 三员、HR管理员首次登录须绑定验证器（TOTP）/ administrators and HR sign in with an authenticator (TOTP), enrolled at first sign-in\n"
            );
            for (user, what) in &accounts {
                text.push_str(&format!("  {user:<10} {what}\n"));
            }
            write_private(&cred_path, &text);
            println!("演示账号 / demo accounts:\n{text}（已保存到 / saved to {}）", cred_path.display());
        } else {
            println!("数据目录已有数据，跳过演示数据生成 / data already present; not seeding again.");
            if cred_path.exists() {
                println!("演示管理员登录见 / the demo login is in {}", cred_path.display());
            }
        }
        println!("打开 / open http://{listen}/api/docs");
        if args.no_serve {
            app.db.close().await;
            return Ok(());
        }
        app.serve(listen).await
    })?;
    Ok(ExitCode::SUCCESS)
}

/// One account per kind of user, so every role can be tried: the three administrators
/// (三员), an HR administrator, an HRBP over one department, a manager with a few
/// direct reports and an ordinary employee (both linked to their records).
async fn demo_accounts(
    app: &App,
    actor: &Actor,
    password: &str,
    today: chrono::NaiveDate,
) -> Result<(Vec<(&'static str, &'static str)>, Option<DemoTeam>), AppError> {
    use bole_access::{NewUser, RoleGrant};
    use bole_core::{DataScope, Role};
    use bole_people::{EventKind, ListQuery, NewEvent};
    let accounts = &app.services.accounts;
    let new = |username: &str, employee_id, grants: Vec<RoleGrant>| NewUser {
        username: username.into(),
        password: password.into(),
        employee_id,
        grants,
    };
    accounts.bootstrap_admin("admin", password).await.map_err(|e| failure(&e))?;
    let all = |r: Role| vec![RoleGrant::builtin(r, DataScope::All)];
    for (name, role) in [("security", Role::SecurityAdmin), ("auditor", Role::Auditor), ("hr", Role::HrAdmin)] {
        accounts.bootstrap_user(new(name, None, all(role))).await.map_err(|e| failure(&e))?;
    }
    let mut out = vec![
        ("admin", "系统管理员 system administrator"),
        ("security", "安全保密管理员 security administrator"),
        ("auditor", "安全审计员 auditor"),
        ("hr", "HR管理员（全部单位）HR administrator (all companies)"),
    ];
    // The first department with several people gives the manager, their team and the HRBP's subtree.
    let page = app
        .services
        .people
        .list(actor, ListQuery { page: bole_core::PageRequest { page: 1, per_page: 200 }, ..Default::default() })
        .await
        .map_err(|e| failure(&e))?;
    let mut by_unit: std::collections::BTreeMap<bole_core::OrgUnitId, Vec<bole_core::EmployeeId>> = Default::default();
    for e in page.items.iter().filter(|e| e.status.is_some_and(|s| s.employed())) {
        if let Some(u) = e.org_unit_id {
            by_unit.entry(u).or_default().push(e.id);
        }
    }
    let Some((unit, people)) = by_unit.into_iter().max_by_key(|(_, p)| p.len()) else { return Ok((out, None)) };
    let (manager, team) = (people[0], &people[1..people.len().min(6)]);
    for member in team {
        let ev = NewEvent {
            effective_date: Some(today),
            kind: EventKind::Transfer {
                org_unit_id: unit,
                position_id: None,
                manager_id: Some(manager),
                work_location: None,
            },
            reason: Some("演示：设置直接上级 / demo: set the line manager".into()),
        };
        app.services.people.record_event(actor, *member, ev).await.map_err(|e| failure(&e))?;
    }
    let hrbp = vec![RoleGrant::builtin(Role::Hrbp, DataScope::Subtrees { units: vec![unit] })];
    accounts.bootstrap_user(new("hrbp", None, hrbp)).await.map_err(|e| failure(&e))?;
    let own = RoleGrant::builtin(Role::Employee, DataScope::Own);
    let mgr = vec![own.clone(), RoleGrant::builtin(Role::Manager, DataScope::DirectReports)];
    accounts.bootstrap_user(new("manager", Some(manager), mgr)).await.map_err(|e| failure(&e))?;
    if let Some(member) = team.first() {
        accounts.bootstrap_user(new("employee", Some(*member), vec![own])).await.map_err(|e| failure(&e))?;
        out.push(("employee", "员工（本人）employee (self-service)"));
    }
    out.push(("manager", "经理（直接下属）manager (direct reports)"));
    out.push(("hrbp", "HRBP（一个部门）HRBP (one department)"));
    Ok((out, Some(DemoTeam { unit, manager })))
}

/// The demo manager's unit and the manager (who heads it).
struct DemoTeam {
    unit: bole_core::OrgUnitId,
    manager: bole_core::EmployeeId,
}

/// How many employees `demo_time` clocks in and out (profiles and punches); the rest have no
/// attendance, so last month's summaries are computed only when nobody was left out.
const DEMO_CLOCKED_UP_TO: u32 = 2_000;

/// What [`demo_payroll`] seeded.
struct DemoPay {
    assignments: u64,
    period: String,
    payslips: u32,
    millis: u128,
}

/// Monthly base salary (元) for a position grade of the demo organisation (enterprise P/M/S
/// ladders, 事业单位 职员/专技/工勤 grades, 公务员 ranks), 6,000–40,000; unknown grades get 8,000.
fn demo_base_for_grade(grade: Option<&str>) -> u32 {
    match grade.unwrap_or("") {
        "S3" | "普通工" => 6_000,
        "S2" | "技术工三级" | "二级科员" | "二级行政执法员" => 6_500,
        "专技十二级" | "一级科员" | "一级行政执法员" | "九级职员" => 7_500,
        "P3" | "专技十级" | "八级职员" => 8_500,
        "二级主办" | "四级主任科员" => 9_500,
        "P4" | "七级职员" | "一级主办" => 10_500,
        "专技七级" | "副科级" | "一级主任科员" | "四级高级主办" => 12_000,
        "P5" | "六级职员" | "正科级" => 13_500,
        "五级职员" => 16_000,
        "P6" => 17_000,
        "M1" => 19_000,
        "P7" => 22_000,
        "M2" => 25_000,
        "P8" => 29_000,
        "M3" => 33_000,
        "M4" => 40_000,
        _ => 8_000,
    }
}

/// The grade's base moved by 0–10 % in steps of 100 元, fixed per seed and employee number, then
/// kept within 6,000–40,000.
fn demo_base_salary(seed: u64, employee_no: &str, grade: Option<&str>) -> u32 {
    let mut data = seed.to_be_bytes().to_vec();
    data.extend_from_slice(employee_no.as_bytes());
    let h = bole_crypto::sm3_digest(&data);
    let base = demo_base_for_grade(grade);
    let step = u32::from(u16::from_be_bytes([h[0], h[1]])) % 11;
    (base + base * step / 100 / 100 * 100).clamp(6_000, 40_000)
}

/// Payroll on day one: a `payroll` account (payroll specialist over all companies, linked to an
/// employee record so it can submit runs), each company's default components and standard
/// structure (through the service), a salary assignment for everyone employed since the first of
/// last month (bulk, one transaction: base by grade, MEAL/TRANSPORT allowances, Beijing SI on the
/// base clamped to the policy, housing fund 12 %), the self-service employee's special additional
/// deductions, and last month's pay run of every company computed by `payroll`, approved by `hr`
/// and published, so self-service shows a payslip. Last month's attendance summaries go in first
/// when every employee clocked (`all_clocked`); otherwise pay is computed without attendance.
async fn demo_payroll(
    app: &App,
    actor: &Actor,
    password: &str,
    today: chrono::NaiveDate,
    seed: u64,
    team: Option<&DemoTeam>,
    all_clocked: bool,
) -> Result<DemoPay, AppError> {
    use bole_access::{AccountStore, NewUser, RoleGrant};
    use bole_core::{DataScope, Role};
    use bole_payroll::store::PayrollStore;
    use bole_payroll::{AdditionalKind, DeductionDetails, NewDeclaration, NewPayRun, PayRunScope, SalaryAssignment};
    use bole_time::attendance::{Month, SummaryFilter};
    use chrono::Datelike;
    use rust_decimal::Decimal;
    let started = std::time::Instant::now();
    let payroll = &app.services.payroll;
    let store_err = |e: bole_access::AccessError| failure(&e);
    let month_of = |d: chrono::NaiveDate| Month { year: d.year(), month: d.month() };
    let this_month = today.with_day(1).unwrap_or(today);
    let last = this_month.checked_sub_months(chrono::Months::new(1)).unwrap_or(this_month);
    let period = month_of(last);

    let companies = app.services.org.companies(actor).await.map_err(|e| failure(&e))?;
    let mut policies = bole_payroll::si::builtin_policies();
    // The shipped Beijing figures end on a fixed day; a demo run after it carries the latest
    // figures forward as an entered policy, named so nobody mistakes it for the official notice.
    let latest = policies.iter().filter(|p| p.city == "beijing").max_by_key(|p| p.valid_from).cloned();
    if let Some(mut p) = latest
        && let Some(end) = p.valid_to
        && end <= today
    {
        p.valid_from = end;
        p.valid_to = None;
        p.name = format!("{}（演示：沿用至今，请按当年官方通知更新 / demo: carried forward)", p.name);
        let entered = payroll.add_si_policy(actor, p).await.map_err(|e| failure(&e))?;
        policies.push(entered);
    }
    let beijing = bole_payroll::si::policy_for(&policies, "beijing", last).cloned();
    let clamp = |kind: bole_payroll::si::SiKind, base: Decimal| match &beijing {
        Some(p) => p.items.iter().find(|i| i.kind == kind).map_or(base, |i| base.clamp(i.floor, i.cap)),
        None => base,
    };
    let rate = Decimal::new(12, 2);
    let mut assignments = Vec::new();
    let mut preparer_employee = None;
    for c in &companies {
        let structures = payroll.structures(actor, Some(c.id)).await.map_err(|e| failure(&e))?;
        let Some(standard) = structures.iter().find(|s| s.code == bole_payroll::defaults::STANDARD_STRUCTURE) else {
            continue;
        };
        let people = app
            .store
            .population(c.id, last, today, &PayRunScope::default(), &bole_people::RowScope::everything())
            .await
            .map_err(|e| failure(&e))?;
        for p in people {
            let base = Decimal::from(demo_base_salary(seed, &p.employee_no, p.grade.as_deref()));
            // Someone outside the demo team prepares pay (the team's members have their own accounts).
            if preparer_employee.is_none() && team.is_none_or(|t| p.org_unit_id != Some(t.unit)) {
                preparer_employee = Some(p.employee_id);
            }
            assignments.push(SalaryAssignment {
                id: uuid::Uuid::now_v7(),
                employee_id: p.employee_id,
                company_id: c.id,
                structure_id: standard.id,
                base_salary: base,
                fixed: [("MEAL", 500), ("TRANSPORT", 300)].map(|(k, v)| (k.to_string(), Decimal::from(v))).into(),
                si: bole_payroll::SiEnrolment {
                    city: "beijing".into(),
                    si_base: clamp(bole_payroll::si::SiKind::Pension, base),
                    hf_base: Some(clamp(bole_payroll::si::SiKind::HousingFund, base)),
                    hf_rate_employee: Some(rate),
                    hf_rate_employer: Some(rate),
                    si_enrolled: true,
                    hf_enrolled: true,
                },
                valid_from: p.employed_from,
                valid_to: None,
                reason: Some("演示定薪 / demo salary".into()),
                created_by: actor.user_id,
                created_at: app.services.clock.now(),
            });
        }
    }
    let ev = actor.audit(app.services.clock.now(), "payroll.salary.bulk", "employee").fields([
        format!("employees={}", assignments.len()),
        "base_salary".into(),
        "fixed".into(),
        "si".into(),
    ]);
    let written = app.store.bulk_salary_assignments(&assignments, &[ev]).await.map_err(|e| failure(&e))?;

    let accounts = &app.services.accounts;
    let grants = vec![RoleGrant::builtin(Role::PayrollSpecialist, DataScope::All)];
    let user =
        NewUser { username: "payroll".into(), password: password.into(), employee_id: preparer_employee, grants };
    let user = accounts.bootstrap_user(user).await.map_err(|e| failure(&e))?;
    let preparer = user.actor(bole_access::policy::resolve(&user.grants, &[]));
    let (hr, _) = app.store.user_with_hash("hr").await.map_err(store_err)?.ok_or_else(|| {
        AppError::failure("演示账号 hr 不存在".to_string(), "the demo account hr is missing".to_string())
    })?;
    let approver = hr.actor(bole_access::policy::resolve(&hr.grants, &[]));

    // The self-service employee declares one child in education (100 %) and, as an only child,
    // elderly support, for last month's year and this one.
    if let Some((me, _)) = app.store.user_with_hash("employee").await.map_err(store_err)? {
        let me = me.actor(bole_access::policy::resolve(&me.grants, &[]));
        let mut years = vec![last.year()];
        if today.year() != last.year() {
            years.push(today.year());
        }
        for year in years {
            let child = DeductionDetails {
                children: 1,
                share_percent: 100,
                only_child: false,
                agreed_amount: None,
                rent_tier: None,
                note: Some("演示：一名子女就读小学 / demo: one child at primary school".into()),
            };
            let elderly = DeductionDetails { children: 0, only_child: true, note: None, ..child.clone() };
            for (kind, details) in [(AdditionalKind::ChildEducation, child), (AdditionalKind::ElderlySupport, elderly)]
            {
                let d = NewDeclaration { year, kind, details, start_month: 1, end_month: 12 };
                payroll.declare(&me, d).await.map_err(|e| failure(&e))?;
            }
        }
    }

    if all_clocked {
        app.services
            .attendance
            .compute_summaries(actor, period, SummaryFilter::default())
            .await
            .map_err(|e| failure(&e))?;
    }
    let pay_date = this_month.with_day(10).unwrap_or(this_month).min(today);
    let mut payslips = 0u32;
    for c in &companies {
        let input = NewPayRun {
            company_id: c.id,
            period: period.to_string(),
            name: None,
            scope: PayRunScope::default(),
            pay_date,
        };
        let run = payroll.create_run(&preparer, input).await.map_err(|e| failure(&e))?;
        let report = payroll.compute(&preparer, run.id).await.map_err(|e| failure(&e))?;
        if report.employees == 0 {
            continue;
        }
        let submit = bole_payroll::SubmitRun { acknowledge_errors: true };
        payroll.submit(&preparer, run.id, submit).await.map_err(|e| failure(&e))?;
        let comment = Some("演示：核对无误 / demo: checked".to_string());
        payroll
            .decide(&approver, run.id, bole_workflow::DecisionAction::Approve, comment)
            .await
            .map_err(|e| failure(&e))?;
        payroll.publish(&preparer, run.id).await.map_err(|e| failure(&e))?;
        payslips += report.computed;
    }
    Ok(DemoPay { assignments: written, period: period.to_string(), payslips, millis: started.elapsed().as_millis() })
}

/// Time and leave on day one: each company's leave types, every employee's 参加工作日期 (the basis
/// of statutory annual leave; the first [`PROFILES_UP_TO`] employees, like contracts) and this
/// year's annual leave granted; the demo manager heads their department (the leave flow's second
/// step). Returns (profiles, ledger postings).
async fn demo_time(
    app: &App,
    actor: &Actor,
    today: chrono::NaiveDate,
    team: Option<&DemoTeam>,
) -> Result<(u32, u32), AppError> {
    use bole_people::ListQuery;
    use bole_time::absence::{Decimal, LeaveProfileInput};
    use chrono::Datelike;
    const PROFILES_UP_TO: u32 = DEMO_CLOCKED_UP_TO;
    let absence = &app.services.absence;
    let mut companies = std::collections::BTreeSet::new();
    let mut staff = Vec::new();
    let mut profiles = 0u32;
    let mut page = 1;
    'pages: loop {
        let q = ListQuery { page: bole_core::PageRequest { page, per_page: 500 }, ..Default::default() };
        let batch = app.services.people.list(actor, q).await.map_err(|e| failure(&e))?;
        if batch.items.is_empty() {
            break;
        }
        for e in &batch.items {
            if companies.insert(e.company_id) {
                absence.seed_leave_types(actor, e.company_id).await.map_err(|e| failure(&e))?;
            }
            if profiles >= PROFILES_UP_TO {
                break 'pages;
            }
            if !e.status.is_some_and(|s| s.employed()) {
                continue;
            }
            // Years worked elsewhere before joining: 0–19, fixed per employee number, so the demo
            // shows all three statutory tiers (5 / 10 / 15 days).
            let before: u32 = e.employee_no.bytes().map(u32::from).sum::<u32>() % 20;
            let start = e.hire_date.with_year(e.hire_date.year() - before as i32).unwrap_or(e.hire_date);
            let input = LeaveProfileInput {
                work_start_date: Some(start),
                prior_years: None::<Decimal>,
                prior_years_as_of: None,
            };
            absence.set_profile(actor, e.id, input).await.map_err(|e| failure(&e))?;
            staff.push(DemoClocker {
                company: e.company_id,
                employee_no: e.employee_no.clone(),
                hire_date: e.hire_date,
            });
            profiles += 1;
        }
        page += 1;
    }
    let grants = absence.grant_annual(actor, today.year(), None).await.map_err(|e| failure(&e))?;
    if let Some(t) = team {
        let head = bole_workflow::model::SetUnitHead { employee_id: Some(t.manager), valid_from: today };
        app.services.workflow.set_unit_head(actor, t.unit, head).await.map_err(|e| failure(&e))?;
    }
    demo_punches(app, actor, today, &staff).await?;
    Ok((profiles, grants.postings))
}

/// Who the demo time clock knows.
struct DemoClocker {
    company: bole_core::CompanyId,
    employee_no: String,
    hire_date: chrono::NaiveDate,
}

/// A time clock's file for the demo staff: in and out on every working day from the first of last
/// month (or the hire date) to yesterday, mostly on time, now and then late or leaving early, and one
/// forgotten punch a month — so the attendance pages and summaries have content.
async fn demo_punches(
    app: &App,
    actor: &Actor,
    today: chrono::NaiveDate,
    staff: &[DemoClocker],
) -> Result<(), AppError> {
    use chrono::Datelike;
    let calendar = bole_time::WorkCalendar::national().map_err(|e| failure(&e))?;
    let first = today.with_day(1).and_then(|d| d.checked_sub_months(chrono::Months::new(1))).unwrap_or(today);
    let mut by_company: std::collections::BTreeMap<bole_core::CompanyId, String> = Default::default();
    for (i, who) in staff.iter().enumerate() {
        let csv = by_company.entry(who.company).or_insert_with(|| "employee_no,time,device\n".into());
        let no = &who.employee_no;
        let mut day = first.max(who.hire_date);
        let mut n = 0u32;
        while day < today {
            if calendar.is_working_day(day).unwrap_or(false) {
                n += 1;
                // Deterministic variety: minutes past 08:40 and past 18:00.
                let k = (n * 7 + i as u32 * 13) % 40;
                let (in_h, in_m) = if k == 39 { (9, 12) } else { (8, 40 + k % 20) };
                let (out_h, out_m) = if k == 17 { (17, 41) } else { (18, (k * 3) % 60) };
                csv.push_str(&format!("{no},{day} {in_h:02}:{in_m:02}:00,大厅闸机-1\n"));
                if (n + i as u32) % 23 != 5 {
                    csv.push_str(&format!("{no},{day} {out_h:02}:{out_m:02}:00,大厅闸机-1\n"));
                }
            }
            day = day.succ_opt().unwrap_or(today);
        }
    }
    for (company, csv) in by_company {
        app.services.attendance.import_punches(actor, company, csv.as_bytes()).await.map_err(|e| failure(&e))?;
    }
    Ok(())
}

/// What a real organisation has on day one besides people: a published privacy notice
/// (so self-service can ask for acknowledgement and consents) and labour contracts — each
/// employee's first three-year fixed-term contract from the hire date, renewed (续签) until
/// the one in force today. Only the first [`CONTRACTS_UP_TO`] employees get contracts, so a
/// benchmark-sized demo stays quick to seed. Returns the number of contracts.
async fn demo_extras(app: &App, actor: &Actor, today: chrono::NaiveDate) -> Result<u64, AppError> {
    use bole_people::{ContractKind, ListQuery, NewContract};
    use bole_privacy::{DataCategory as C, LegalBasis, NewNotice, ProcessingKind, Purpose};
    const CONTRACTS_UP_TO: u32 = 2_000;
    let purpose = |code: &str, zh: &str, en: &str, kind, basis, cats: Vec<C>, recipient: Option<&str>| Purpose {
        code: code.into(),
        name_zh: zh.into(),
        name_en: en.into(),
        description: None,
        kind,
        legal_basis: basis,
        data_categories: cats,
        recipient: recipient.map(Into::into),
        retention: Some("劳动关系解除或终止后二年 / two years after the employment ends".into()),
    };
    let notice = NewNotice {
        title: "员工个人信息处理规则 / Employee personal information notice".into(),
        body: "本单位依据《中华人民共和国个人信息保护法》处理员工个人信息，仅用于人力资源管理、薪酬发放、\
               依法履行社保与个税义务等目的。您可以在“隐私中心”查阅、复制、更正或请求删除您的个人信息，\
               也可以撤回基于同意的处理。联系人：人力资源部 hr@example.cn。\n\n\
               We process employees' personal information under the PIPL only for HR management, payroll and \
               statutory social-insurance and tax duties. Use the privacy centre to access, copy, correct or ask \
               to delete your data, and to withdraw consent. Contact: HR, hr@example.cn."
            .into(),
        changes: None,
        purposes: vec![
            purpose(
                "hr_management",
                "人力资源管理",
                "HR management",
                ProcessingKind::Internal,
                LegalBasis::HrManagement,
                vec![C::Identity, C::Contact, C::Education, C::Employment, C::LabourContract],
                None,
            ),
            purpose(
                "payroll",
                "薪酬发放与个税、社保申报",
                "Payroll, income tax and social insurance filings",
                ProcessingKind::Internal,
                LegalBasis::LegalObligation,
                vec![C::Identity, C::Payroll, C::FinancialAccount],
                None,
            ),
            purpose(
                "health_check",
                "年度健康体检",
                "Annual health check",
                ProcessingKind::ThirdPartyProvision,
                LegalBasis::Consent,
                vec![C::Identity, C::Contact, C::Health],
                Some("合作体检机构 / the contracted clinic"),
            ),
        ],
    };
    app.services.privacy.publish_notice(actor, notice).await.map_err(|e| failure(&e))?;

    let people = &app.services.people;
    let mut contracts = 0u64;
    let mut page = 1;
    'pages: loop {
        let q = ListQuery { page: bole_core::PageRequest { page, per_page: 500 }, ..Default::default() };
        let batch = people.list(actor, q).await.map_err(|e| failure(&e))?;
        if batch.items.is_empty() {
            break;
        }
        for (i, e) in batch.items.iter().enumerate() {
            if (page - 1) * 500 + i as u32 >= CONTRACTS_UP_TO {
                break 'pages;
            }
            if !e.status.is_some_and(|s| s.employed()) {
                continue;
            }
            let (mut start, mut renews) = (e.hire_date, None);
            loop {
                let end = start.checked_add_months(chrono::Months::new(36)).and_then(|d| d.pred_opt()).unwrap_or(start);
                let input = NewContract {
                    kind: ContractKind::FixedTerm,
                    start_date: start,
                    end_date: Some(end),
                    signed_on: Some(start),
                    renews,
                };
                let c = people.add_contract(actor, e.id, input).await.map_err(|err| failure(&err))?;
                contracts += 1;
                if end >= today {
                    break;
                }
                (start, renews) = (end.succ_opt().unwrap_or(end), Some(c.id));
            }
        }
        page += 1;
    }
    Ok(contracts)
}

/// The demo's login, readable by the owner only.
fn write_private(path: &std::path::Path, text: &str) {
    use std::io::Write;
    #[cfg(unix)]
    let file = {
        use std::os::unix::fs::OpenOptionsExt;
        std::fs::OpenOptions::new().write(true).create(true).truncate(true).mode(0o600).open(path)
    };
    #[cfg(not(unix))]
    let file = std::fs::File::create(path);
    if let Ok(mut f) = file {
        let _ = f.write_all(text.as_bytes());
    }
}

pub fn import(args: ImportArgs) -> Result<ExitCode, AppError> {
    let bytes = std::fs::read(&args.file).map_err(|e| {
        AppError::failure(
            format!("无法读取文件 {}：{e}", args.file.display()),
            format!("cannot read {}: {e}", args.file.display()),
        )
    })?;
    let settings = load(&args.data, None)?;
    let clock = clock(&settings);
    let name = args.file.file_name().map(|n| n.to_string_lossy().into_owned());
    let n = runtime()?.block_on(async move {
        let app = App::build(settings, clock).await?;
        let actor = Actor::system();
        let company = company_by_code(&app, &actor, &args.company).await?;
        let spinner = ProgressBar::new_spinner();
        spinner.set_message("校验并导入花名册… / validating and importing…");
        spinner.enable_steady_tick(std::time::Duration::from_millis(120));
        let r = app.services.people.import_roster(&actor, company, name.as_deref(), &bytes).await;
        spinner.finish_and_clear();
        app.db.close().await;
        r.map_err(|e| failure(&e))
    })?;
    println!("已导入 {n} 名员工 / imported {n} employees");
    Ok(ExitCode::SUCCESS)
}

pub fn export(args: ExportArgs) -> Result<ExitCode, AppError> {
    let settings = load(&args.data, None)?;
    let clock = clock(&settings);
    let bytes = runtime()?.block_on(async {
        let app = App::build(settings, clock).await?;
        let actor = Actor::system();
        let company = company_by_code(&app, &actor, &args.company).await?;
        let r = app.services.people.export_roster(&actor, company, args.as_of).await;
        app.db.close().await;
        r.map_err(|e| failure(&e))
    })?;
    std::fs::write(&args.file, &bytes).map_err(|e| {
        AppError::failure(
            format!("无法写入 {}：{e}", args.file.display()),
            format!("cannot write {}: {e}", args.file.display()),
        )
    })?;
    println!("已导出花名册 / roster exported: {} ({} bytes)", args.file.display(), bytes.len());
    Ok(ExitCode::SUCCESS)
}
