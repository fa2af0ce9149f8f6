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
    const PROFILES_UP_TO: u32 = 2_000;
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
