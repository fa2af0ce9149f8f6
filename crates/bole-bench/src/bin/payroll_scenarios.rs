//! The issue-6 benchmark scenario (bench/README.md 6), run on SQLite and, when a server answers,
//! PostgreSQL, each in a fresh database. Prints a Markdown table and writes it to `--out`.
//! Always exits 0 when the scenario ran: the target is reported, never enforced here.
//!
//! 6. A monthly pay run: N employees (SQLite 100,000, PostgreSQL 10,000 by default), each with a
//!    salary assignment (Beijing SI, housing fund 12 %), a monthly attendance summary (absences,
//!    unpaid leave, overtime) and every 20th with a special additional deduction; last month's
//!    run computed, approved and published first, so year-to-date is read like in any month but
//!    January. Then this month's run, its phases timed separately: gathering the inputs, the
//!    parallel computation, persisting (`save_computation`: sealing, one transaction), and the
//!    published payslip views for every employee; the sum is checked against Bole's target of
//!    5 s for 100,000 employees on SQLite. The whole `PayrollService::compute` is timed as well
//!    (a recompute: it also deletes the previous items) and must give the same digest. Finally
//!    100 payslip PDFs, timed one by one.
//!
//! `--profile-sql` also prints, per phase, the statements that took the time; the logging slows
//! the run, so profiled figures are for reading, not for the table.

use bole_access::{AccountStore, RoleGrant, User};
use bole_bench::db::{BenchError, Fresh};
use bole_bench::payroll as kit;
use bole_bench::sqlprof::{Prof, SqlProfile};
use bole_bench::stats::{ms, per_second, percentile, secs, thousands};
use bole_bench::time::{self as timekit, Line, OrgSpec, Rows};
use bole_core::clock::SharedClock;
use bole_core::{Actor, DataScope, EmployeeId, FixedClock, Role, UserId};
use bole_org::OrgService;
use bole_payroll::money::fmt_fen;
use bole_payroll::store::{Computation, PayrollStore};
use bole_payroll::{
    AdditionalKind, DeclarationStatus, DeductionDeclaration, DeductionDetails, NewPayRun, PayRun, PayRunScope,
    PayRunStatus, PayrollPorts, PayrollService, PayslipRenderer, SubmitRun,
};
use bole_people::PeopleService;
use bole_store::{Engine, SqlStore};
use bole_time::absence::national_calendar;
use bole_time::attendance::{AttendanceService, Month};
use bole_workflow::{DecisionAction, WorkflowService};
use chrono::{DateTime, NaiveDate, TimeDelta, Utc};
use rust_decimal::Decimal;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::{Duration, Instant};
use uuid::Uuid;

const USAGE: &str = "usage: payroll_scenarios [--employees N] [--pg-employees N] [--engines sqlite,postgres] \
[--pdfs N] [--no-history] [--out FILE] [--keep] [--profile-sql]";

/// Bole's target (issue 6): compute + persist + payslips for 100,000 employees on SQLite.
const TARGET: Duration = Duration::from_secs(5);
const BENCH_PASSWORD: &str = "Bench-Passw0rd-2026!";
/// The measured month (the built-in Beijing 2025 policy is in force) and the one before it.
const MONTH: Month = Month { year: 2026, month: 3 };
const PREVIOUS: Month = Month { year: 2026, month: 2 };

fn d(y: i32, m: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, day).unwrap_or_default()
}

#[derive(Debug)]
struct Args {
    employees: usize,
    pg_employees: usize,
    engines: Vec<Engine>,
    pdfs: usize,
    history: bool,
    out: Option<String>,
    keep: bool,
    profile_sql: bool,
}

impl Args {
    fn parse(mut it: impl Iterator<Item = String>) -> Result<Args, String> {
        let mut a = Args {
            employees: 100_000,
            pg_employees: 10_000,
            engines: vec![Engine::Sqlite, Engine::Postgres],
            pdfs: 100,
            history: true,
            out: None,
            keep: false,
            profile_sql: false,
        };
        while let Some(flag) = it.next() {
            let mut value = || it.next().ok_or_else(|| format!("{flag} needs a value\n{USAGE}"));
            let num = |v: String| v.replace('_', "").parse::<usize>().map_err(|e| format!("{flag}: {e}\n{USAGE}"));
            match flag.as_str() {
                "--employees" => a.employees = num(value()?)?.max(1),
                "--pg-employees" => a.pg_employees = num(value()?)?.max(1),
                "--pdfs" => a.pdfs = num(value()?)?,
                "--no-history" => a.history = false,
                "--out" => a.out = Some(value()?),
                "--keep" => a.keep = true,
                "--profile-sql" => a.profile_sql = true,
                "--engines" => {
                    a.engines = value()?
                        .split(',')
                        .map(|e| match e.trim() {
                            "sqlite" => Ok(Engine::Sqlite),
                            "postgres" | "postgresql" | "pg" => Ok(Engine::Postgres),
                            other => Err(format!("unknown engine {other}\n{USAGE}")),
                        })
                        .collect::<Result<_, _>>()?
                }
                "-h" | "--help" => return Err(USAGE.to_string()),
                other => return Err(format!("unknown argument {other}\n{USAGE}")),
            }
        }
        Ok(a)
    }

    fn employees(&self, engine: Engine) -> usize {
        match engine {
            Engine::Sqlite => self.employees,
            Engine::Postgres => self.pg_employees,
        }
    }
}

fn main() -> ExitCode {
    let args = match Args::parse(std::env::args().skip(1)) {
        Ok(a) => a,
        Err(e) => {
            eprintln!("{e}");
            return ExitCode::from(2);
        }
    };
    let rt = match tokio::runtime::Builder::new_multi_thread().enable_all().build() {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("cannot start the runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    match rt.block_on(run(args)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("payroll_scenarios failed: {e}");
            ExitCode::FAILURE
        }
    }
}

async fn run(args: Args) -> Result<(), BenchError> {
    let mut rows = Rows::default();
    let prof = Prof(if args.profile_sql { Some(SqlProfile::install()?) } else { None });
    for engine in &args.engines {
        let name = bole_bench::db::engine_name(*engine);
        let fresh = match engine {
            Engine::Sqlite => Some(Fresh::sqlite().await?),
            Engine::Postgres => Fresh::postgres().await?,
        };
        let Some(fresh) = fresh else {
            let why = format!(
                "no PostgreSQL server answered at {}",
                bole_store::db::redact_url(&bole_testkit::pg_admin_url())
            );
            rows.push(Line::not_run("6. (all)", name, why));
            continue;
        };
        eprintln!("== scenario 6, {name} ==");
        let r = pay_run(&args, &fresh, &prof, &mut rows).await;
        if args.keep {
            eprintln!("kept: {}", fresh.keep().await);
        } else {
            fresh.remove().await;
        }
        if let Err(e) = r {
            rows.push(Line::not_run("6. (aborted)", name, e.to_string()));
        }
    }
    let context = format!(
        "Bole issue-6 scenario — a monthly pay run ({MONTH}) of {} employees on SQLite and {} on PostgreSQL{}; {} build; {} CPU(s).",
        thousands(args.employees as u64),
        thousands(args.pg_employees as u64),
        if args.history { ", after a published run of the month before" } else { ", no earlier run this year" },
        if cfg!(debug_assertions) { "debug" } else { "release" },
        std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1),
    );
    let md = timekit::markdown(&context, &rows.0);
    println!("{md}");
    if let Some(out) = &args.out {
        std::fs::write(out, &md)?;
    }
    Ok(())
}

/// An account written through the account store with one precomputed hash (nobody signs in).
async fn account(
    store: &SqlStore,
    username: &str,
    employee: Option<EmployeeId>,
    grants: Vec<RoleGrant>,
    hash: &str,
    at: DateTime<Utc>,
) -> Result<Actor, BenchError> {
    let user = User {
        id: UserId::new(),
        username: username.into(),
        employee_id: employee,
        grants,
        disabled: false,
        created_at: at,
    };
    store.insert_user(&user, hash).await?;
    let access = bole_access::policy::resolve(&user.grants, &[]);
    Ok(user.actor(access))
}

struct People {
    preparer: Actor,
    approver: Actor,
}

/// Create, compute, submit, approve and publish a run through the service; returns it.
async fn full_run(payroll: &PayrollService, who: &People, run: &PayRun) -> Result<PayRun, BenchError> {
    payroll.compute(&who.preparer, run.id).await?;
    payroll.submit(&who.preparer, run.id, SubmitRun { acknowledge_errors: true }).await?;
    payroll.decide(&who.approver, run.id, DecisionAction::Approve, Some("同意".into())).await?;
    Ok(payroll.publish(&who.preparer, run.id).await?)
}

fn new_run(company: bole_core::CompanyId, month: Month) -> NewPayRun {
    let next = month.last() + TimeDelta::days(10);
    NewPayRun {
        company_id: company,
        period: month.to_string(),
        name: None,
        scope: PayRunScope::default(),
        pay_date: next,
    }
}

async fn pay_run(args: &Args, fresh: &Fresh, prof: &Prof, rows: &mut Rows) -> Result<(), BenchError> {
    let engine = fresh.engine_name();
    let n = args.employees(fresh.engine);
    let today = d(2026, 4, 15);
    let clock: SharedClock = Arc::new(FixedClock::on(today));
    let now = clock.now();
    let store = Arc::new(bole_testkit::open_store(&fresh.db).await);
    let org = OrgService::new(store.clone(), clock.clone());
    let people = PeopleService::new(store.clone(), store.clone(), store.clone(), clock.clone());
    let attendance = AttendanceService::new(store.clone(), people.clone(), org.clone(), store.clone(), clock.clone());
    let calendars = national_calendar();
    let ports = PayrollPorts {
        store: store.clone(),
        people_store: store.clone(),
        people: people.clone(),
        attendance: attendance.clone(),
        calendars: calendars.clone(),
        audit: store.clone(),
        clock: clock.clone(),
    };
    let (_workflow, payroll) =
        bole_payroll::wire(ports, WorkflowService::new(store.clone(), store.clone(), clock.clone()));
    let sys = Actor::system();

    // ------------------------------------------------------------------ set-up (not the target)
    prof.start(engine, "6 onboard");
    let t = Instant::now();
    let spec =
        OrgSpec { employees: n, team_size: 0, departments: 100, hire_date: d(2025, 1, 1), founded: d(2020, 1, 1) };
    let built = timekit::build_org(&org, &people, &sys, spec, &|done| {
        if done % 20_000 == 0 {
            eprintln!("  onboarded {done}");
        }
    })
    .await?;
    let onboard_time = t.elapsed();
    prof.end(engine, "6 onboard", n as u64);
    let company = built.company;
    let first_employee = built.employees.first().map(|(e, _)| *e).ok_or("no employees")?;

    let hash = bole_access::rules::hash_password(BENCH_PASSWORD)?;
    let who = People {
        preparer: account(
            &store,
            "bench-payroll",
            Some(first_employee),
            vec![RoleGrant::builtin(Role::PayrollSpecialist, DataScope::All)],
            &hash,
            now,
        )
        .await?,
        approver: account(
            &store,
            "bench-hr",
            None,
            vec![RoleGrant::builtin(Role::HrAdmin, DataScope::All)],
            &hash,
            now,
        )
        .await?,
    };

    let structures = payroll.structures(&who.preparer, Some(company)).await?;
    let standard = structures
        .iter()
        .find(|s| s.code == bole_payroll::defaults::STANDARD_STRUCTURE)
        .ok_or("no standard structure")?
        .id;
    let policies = bole_payroll::si::builtin_policies();
    let pension = bole_payroll::si::policy_for(&policies, "beijing", MONTH.first())
        .and_then(|p| p.items.iter().find(|i| i.kind == bole_payroll::si::SiKind::Pension))
        .map(|i| (i.floor, i.cap))
        .ok_or("no Beijing policy for the month")?;
    let assignments: Vec<_> = built
        .employees
        .iter()
        .enumerate()
        .map(|(i, (e, _))| kit::assignment(i, *e, company, standard, pension, spec.hire_date, now))
        .collect();
    prof.start(engine, "6 bulk salaries");
    let t = Instant::now();
    store.bulk_salary_assignments(&assignments, &[]).await?;
    let salaries_time = t.elapsed();
    prof.end(engine, "6 bulk salaries", n as u64);

    let t = Instant::now();
    let mut declared = 0u64;
    for (e, _) in built.employees.iter().step_by(20) {
        let d = DeductionDeclaration {
            id: Uuid::now_v7(),
            employee_id: *e,
            year: MONTH.year,
            kind: AdditionalKind::ChildEducation,
            details: DeductionDetails {
                children: 1,
                share_percent: 100,
                only_child: false,
                agreed_amount: None,
                rent_tier: None,
                note: None,
            },
            start_month: 1,
            end_month: 12,
            monthly_amount: Decimal::from(2_000),
            status: DeclarationStatus::Active,
            declared_at: now,
        };
        store.add_declaration(&d, &[]).await?;
        declared += 1;
    }
    let declarations_time = t.elapsed();

    let t = Instant::now();
    let previous = if args.history {
        let run = payroll.create_run(&who.preparer, new_run(company, PREVIOUS)).await?;
        Some(full_run(&payroll, &who, &run).await?)
    } else {
        None
    };
    let history_time = t.elapsed();

    let t = Instant::now();
    let scheduled = working_days(MONTH)?;
    let units = &built.units;
    let summaries: Vec<_> = built
        .employees
        .iter()
        .enumerate()
        .map(|(i, (e, _))| kit::summary(i, *e, company, units.get(i % units.len()).copied(), MONTH, scheduled, now))
        .collect();
    kit::write_summaries(&fresh.db, &summaries).await?;
    let summaries_time = t.elapsed();
    drop(summaries);

    rows.push(Line::figure(
        format!("6. pay-run set-up: {} employees", thousands(n as u64)),
        engine,
        format!(
            "onboard_batch {}; {} salary assignments {} (bulk_salary_assignments, {} rows/s); {} declarations {} (one at a time); \
             {} attendance summaries written {}; {}",
            secs(onboard_time),
            thousands(n as u64),
            secs(salaries_time),
            thousands(per_second(n as u64, salaries_time)),
            thousands(declared),
            secs(declarations_time),
            thousands(n as u64),
            secs(summaries_time),
            match &previous {
                Some(p) => format!(
                    "{PREVIOUS} computed, approved and published through the service in {} ({} payslips)",
                    secs(history_time),
                    thousands(u64::from(p.totals.headcount))
                ),
                None => "no earlier run".into(),
            },
        ),
    ));

    // ------------------------------------------------------------------ the measured run
    let run = payroll.create_run(&who.preparer, new_run(company, MONTH)).await?;

    prof.start(engine, "6 gather");
    let t = Instant::now();
    let gathered = kit::gather(&store, &payroll, &attendance, calendars.as_ref(), &who.preparer, &run).await?;
    let gather_time = t.elapsed();
    prof.end(engine, "6 gather", 1);
    let with_attendance = gathered.inputs.iter().filter(|i| i.attendance.is_some()).count();
    let gather_line = gathered.times.line();

    let t = Instant::now();
    let (items, digest, totals, parts) = {
        let (run, g) = (&run, &gathered);
        tokio::task::block_in_place(|| kit::compute_items(run, g))
    };
    let compute_time = t.elapsed();
    let kernels = kit::kernels(&store.keyring(), &items[..items.len().min(1_000)])?;
    let computed = items.iter().filter(|i| i.payslip.is_some()).count();
    let errors = items.len() - computed;
    drop(gathered);

    prof.start(engine, "6 persist");
    let t = Instant::now();
    let computation = Computation {
        run_id: run.id,
        expected_version: run.version,
        items,
        totals: totals.clone(),
        digest: digest.clone(),
        computed_at: now,
        audit: Vec::new(),
    };
    store.save_computation(&computation).await?;
    let persist_time = t.elapsed();
    prof.end(engine, "6 persist", 1);
    drop(computation);

    // The service end to end (a recompute: it also deletes the items just written).
    prof.start(engine, "6 PayrollService::compute");
    let t = Instant::now();
    let report = payroll.compute(&who.preparer, run.id).await?;
    let service_time = t.elapsed();
    prof.end(engine, "6 PayrollService::compute", 1);
    let same = report.digest == digest;

    let t = Instant::now();
    payroll.submit(&who.preparer, run.id, SubmitRun { acknowledge_errors: true }).await?;
    payroll.decide(&who.approver, run.id, DecisionAction::Approve, Some("同意".into())).await?;
    let published = payroll.publish(&who.preparer, run.id).await?;
    let approve_time = t.elapsed();
    if published.status != PayRunStatus::Published {
        return Err(format!("the run is {:?} after publishing", published.status).into());
    }

    prof.start(engine, "6 payslip views");
    let t = Instant::now();
    let (views, all_items_time) = kit::payslip_views(&store, &published).await?;
    let views_time = t.elapsed();
    prof.end(engine, "6 payslip views", views.len() as u64);
    if views.len() != computed {
        return Err(format!("{} payslip views for {computed} computed employees", views.len()).into());
    }

    let total = gather_time + compute_time + persist_time + views_time;
    let per_employee_us = compute_time.as_micros() / (n.max(1) as u128);
    let cores = std::thread::available_parallelism().map(|c| c.get()).unwrap_or(1);
    let scenario = format!("6. monthly pay run of {MONTH}: {} employees", thousands(n as u64));
    let result = format!(
        "**total {}** = gather {} ({}) + compute {} ({} payslips, {} errors, {} µs per employee on {cores} cores: compute_all {}, items {}, digest {}, totals {}) + persist {} \
         (save_computation: seal + one transaction) + payslip views {} ({} published PayslipViews, {} views/s; all_items {}); \
         PayrollService::compute end to end (a recompute, deleting the previous items) {}, digest {}; \
         submit + approve + publish {}; {} with attendance; gross {}, IIT {}, net {} 元",
        secs(total),
        secs(gather_time),
        gather_line,
        secs(compute_time),
        thousands(computed as u64),
        thousands(errors as u64),
        per_employee_us,
        ms(parts.payslips),
        ms(parts.items),
        ms(parts.digest),
        ms(parts.totals),
        secs(persist_time),
        secs(views_time),
        thousands(views.len() as u64),
        thousands(per_second(views.len() as u64, views_time)),
        ms(all_items_time),
        ms(service_time),
        if same { "equal to the phased one" } else { "DIFFERS from the phased one" },
        ms(approve_time),
        thousands(with_attendance as u64),
        fmt_fen(totals.gross),
        fmt_fen(totals.iit),
        fmt_fen(totals.net),
    );
    let checked = fresh.engine == Engine::Sqlite && n >= 100_000;
    rows.push(if checked {
        let target = format!("gather + compute + persist + payslips ≤ {} (100k employees, SQLite)", secs(TARGET));
        Line::checked(scenario, engine, target, result, total <= TARGET && same)
    } else if !same {
        Line::checked(scenario, engine, "digest equal to the service's", result, false)
    } else {
        Line::figure(scenario, engine, result)
    });

    rows.push(Line::figure(
        "6. payslip sealing kernels (where persist, year to date and views spend)",
        engine,
        kernels.line(),
    ));

    // PDFs: `--pdfs` payslips spread over the run, each render timed.
    if let Some(step) = views.len().checked_div(args.pdfs) {
        match bole_pdf::PdfPayslips::discover() {
            Err(e) => rows.push(Line::not_run("6. payslip PDFs", engine, e.to_string())),
            Ok(pdf) => {
                let step = step.max(1);
                let mut samples = Vec::with_capacity(args.pdfs);
                let mut bytes = 0usize;
                for v in views.iter().step_by(step).take(args.pdfs) {
                    let t = Instant::now();
                    let doc = pdf.render(v)?;
                    samples.push(t.elapsed());
                    bytes += doc.len();
                }
                let count = samples.len().max(1);
                rows.push(Line::figure(
                    format!("6. payslip PDF (Chinese text), {} renders", samples.len()),
                    engine,
                    format!(
                        "p50 {}, p95 {}, mean {} per payslip; {} KB on average; font {}",
                        ms(percentile(&samples, 50)),
                        ms(percentile(&samples, 95)),
                        ms(samples.iter().sum::<Duration>() / u32::try_from(count).unwrap_or(1)),
                        bytes / count / 1024,
                        pdf.font_path().display()
                    ),
                ));
            }
        }
    }
    Ok(())
}

fn working_days(month: Month) -> Result<u32, BenchError> {
    let cal = bole_time::WorkCalendar::national()?;
    let mut n = 0;
    let mut day = month.first();
    while day <= month.last() {
        if cal.is_working_day(day)? {
            n += 1;
        }
        day += TimeDelta::days(1);
    }
    Ok(n)
}
