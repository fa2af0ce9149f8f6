//! The issue-5 benchmark scenarios (bench/README.md 4–5), run on SQLite and, when a server
//! answers, PostgreSQL, each in a fresh database. Prints a Markdown table and writes it to
//! `--out`. Always exits 0 when the scenarios ran: targets are reported, never enforced here.
//!
//! 4. Leave at scale: an organisation of N employees (default 10,000), each with a line manager
//!    who has an account, a leave profile and a granted annual-leave balance; then one leave
//!    application per employee submitted by the employee's own actor (`AbsenceService::apply`)
//!    and approved by the manager through the inbox and `WorkflowService::decide`. Latency per
//!    bucket of 1,000 operations; PASS when the last bucket's p50 ≤ 1.5 × the first's.
//! 5. Monthly attendance for N employees (default 100,000) × 22 working days: the time-clock
//!    CSV through `AttendanceService::import_punches` in chunks, the month's days derived,
//!    summaries computed and read back, each measured on its own.
//!
//! `--profile-sql` also prints, per phase, the statements that took the time (sqlx's statement
//! log summed per statement shape); the logging slows the run, so profiled figures are for
//! reading, not for the table.

use bole_access::{AccountStore, RoleGrant, User};
use bole_bench::db::{BenchError, Fresh};
use bole_bench::sqlprof::{Prof, SqlProfile};
use bole_bench::stats::{ms, per_second, percentile, secs, thousands};
use bole_bench::time::{self as kit, Line, OrgSpec, Rows};
use bole_core::clock::SharedClock;
use bole_core::{Actor, DataScope, EmployeeId, FixedClock, PageRequest, Role, UserId};
use bole_org::OrgService;
use bole_people::{PeopleService, RowScope};
use bole_store::{Db, Engine, SqlStore};
use bole_time::absence::{ApplicationStatus, LeaveProfileInput, LeaveRequest, national_calendar};
use bole_time::attendance::{AttendanceService, AttendanceStore, EmployeeSelection, Month, SummaryFilter};
use bole_workflow::{Decision, DecisionAction, InstanceStatus, WorkflowService};
use chrono::{NaiveDate, TimeDelta};
use std::process::ExitCode;
use std::sync::Arc;
use std::time::{Duration, Instant};

const USAGE: &str = "usage: time_scenarios [--scenarios 4,5] [--applications N] [--leave-employees N] \
[--team N] [--bucket N] [--employees N] [--pg-employees N] [--punch-chunk N] [--engines sqlite,postgres] \
[--analyze-every N] [--out FILE] [--keep] [--profile-sql]";

/// Bole's own target for scenario 5 (bench/README.md): derive + compute for 100k employees.
const SUMMARY_TARGET: Duration = Duration::from_secs(60);
const BENCH_PASSWORD: &str = "Bench-Passw0rd-2026!";

/// The leave scenario's "today": the first Monday of 2026; applications fall on the year's
/// remaining working days.
fn leave_today() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 1, 5).unwrap_or_default()
}

/// The attendance month (22 working days, no holiday) and the day the summaries are made.
const MONTH: Month = Month { year: 2026, month: 3 };
fn attendance_today() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 4, 15).unwrap_or_default()
}

fn d(y: i32, m: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, day).unwrap_or_default()
}

#[derive(Debug)]
struct Args {
    scenarios: Vec<u8>,
    applications: usize,
    leave_employees: usize,
    team: usize,
    bucket: usize,
    employees: usize,
    /// Scenario 5 on PostgreSQL (default: `employees`).
    pg_employees: Option<usize>,
    /// Employees per `import_punches` call.
    punch_chunk: usize,
    /// PostgreSQL: `ANALYZE` after every N import calls and before derivation (0 = never), what
    /// autovacuum would do on a server where it runs.
    analyze_every: usize,
    engines: Vec<Engine>,
    out: Option<String>,
    keep: bool,
    profile_sql: bool,
}

impl Args {
    fn parse(mut it: impl Iterator<Item = String>) -> Result<Args, String> {
        let mut a = Args {
            scenarios: vec![4, 5],
            applications: 10_000,
            leave_employees: 10_000,
            team: 10,
            bucket: 1_000,
            employees: 100_000,
            pg_employees: None,
            punch_chunk: 1_000,
            analyze_every: 0,
            engines: vec![Engine::Sqlite, Engine::Postgres],
            out: None,
            keep: false,
            profile_sql: false,
        };
        while let Some(flag) = it.next() {
            let mut value = || it.next().ok_or_else(|| format!("{flag} needs a value\n{USAGE}"));
            let num = |v: String| v.replace('_', "").parse::<usize>().map_err(|e| format!("{flag}: {e}\n{USAGE}"));
            match flag.as_str() {
                "--applications" => a.applications = num(value()?)?.max(1),
                "--leave-employees" => a.leave_employees = num(value()?)?.max(1),
                "--team" => a.team = num(value()?)?.max(1),
                "--bucket" => a.bucket = num(value()?)?.max(1),
                "--employees" => a.employees = num(value()?)?.max(1),
                "--pg-employees" => a.pg_employees = Some(num(value()?)?.max(1)),
                "--punch-chunk" => a.punch_chunk = num(value()?)?.max(1),
                "--analyze-every" => a.analyze_every = num(value()?)?,
                "--out" => a.out = Some(value()?),
                "--keep" => a.keep = true,
                "--profile-sql" => a.profile_sql = true,
                "--scenarios" => {
                    a.scenarios = value()?
                        .split(',')
                        .map(|s| match s.trim() {
                            "4" | "leave" => Ok(4),
                            "5" | "attendance" => Ok(5),
                            other => Err(format!("unknown scenario {other}\n{USAGE}")),
                        })
                        .collect::<Result<_, _>>()?
                }
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
        if a.applications.div_ceil(a.leave_employees) > 15 {
            return Err(format!(
                "--applications {} over --leave-employees {} is more than 15 a person (the annual balance)\n{USAGE}",
                a.applications, a.leave_employees
            ));
        }
        Ok(a)
    }

    fn attendance_employees(&self, engine: Engine) -> usize {
        match engine {
            Engine::Sqlite => self.employees,
            Engine::Postgres => self.pg_employees.unwrap_or(self.employees),
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
            eprintln!("time_scenarios failed: {e}");
            ExitCode::FAILURE
        }
    }
}

async fn fresh(engine: Engine) -> Result<Option<Fresh>, BenchError> {
    match engine {
        Engine::Sqlite => Ok(Some(Fresh::sqlite().await?)),
        Engine::Postgres => Fresh::postgres().await,
    }
}

async fn run(args: Args) -> Result<(), BenchError> {
    let mut rows = Rows::default();
    let prof = Prof(if args.profile_sql { Some(SqlProfile::install()?) } else { None });
    for engine in &args.engines {
        let name = bole_bench::db::engine_name(*engine);
        for scenario in &args.scenarios {
            let Some(fresh) = fresh(*engine).await? else {
                let why = format!(
                    "no PostgreSQL server answered at {}",
                    bole_store::db::redact_url(&bole_testkit::pg_admin_url())
                );
                rows.push(Line::not_run(format!("{scenario}. (all)"), name, why));
                continue;
            };
            eprintln!("== scenario {scenario}, {name} ==");
            let r = match scenario {
                4 => leave(&args, &fresh, &prof, &mut rows).await,
                _ => attendance(&args, &fresh, &prof, &mut rows).await,
            };
            if args.keep {
                eprintln!("kept: {}", fresh.keep().await);
            } else {
                fresh.remove().await;
            }
            if let Err(e) = r {
                rows.push(Line::not_run(format!("{scenario}. (aborted)"), name, e.to_string()));
            }
        }
    }
    let context = format!(
        "Bole issue-5 scenarios — leave: {} applications by {} employees (teams of {}), buckets of {}; \
         attendance: {} employees × the working days of {MONTH}; {} build; {} CPU(s).",
        thousands(args.applications as u64),
        thousands(args.leave_employees as u64),
        args.team,
        thousands(args.bucket as u64),
        thousands(args.employees as u64),
        if cfg!(debug_assertions) { "debug" } else { "release" },
        std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1),
    );
    let md = kit::markdown(&context, &rows.0);
    println!("{md}");
    if let Some(out) = &args.out {
        std::fs::write(out, &md)?;
    }
    Ok(())
}

/// Accounts are written through the account store with one precomputed hash: creating them
/// through `AccountService` costs one argon2id hash each (~20–40 ms), setup time that says
/// nothing about leave. Nobody signs in during the scenario.
async fn account(
    store: &SqlStore,
    username: String,
    employee: Option<EmployeeId>,
    grants: Vec<RoleGrant>,
    hash: &str,
    clock: &SharedClock,
) -> Result<Actor, BenchError> {
    let user =
        User { id: UserId::new(), username, employee_id: employee, grants, disabled: false, created_at: clock.now() };
    store.insert_user(&user, hash).await?;
    let access = bole_access::policy::resolve(&user.grants, &[]);
    Ok(user.actor(access))
}

fn working_days(from: NaiveDate, to: NaiveDate) -> Result<Vec<NaiveDate>, BenchError> {
    let cal = bole_time::WorkCalendar::national()?;
    let mut out = Vec::new();
    let mut day = from;
    while day <= to {
        if cal.is_working_day(day)? {
            out.push(day);
        }
        day += TimeDelta::days(1);
    }
    Ok(out)
}

fn flat_row(scenario: String, engine: &str, samples: &[Duration], bucket: usize, extra: String) -> Line {
    let b = kit::buckets(samples, bucket);
    let (first, last) = (b.first().map(|x| x.p50).unwrap_or_default(), b.last().map(|x| x.p50).unwrap_or_default());
    let ratio = if first.is_zero() { 0 } else { last.as_micros() * 100 / first.as_micros() };
    let total: Duration = samples.iter().sum();
    Line::checked(
        scenario,
        engine,
        "flat: last bucket p50 ≤ 1.5 × first",
        format!(
            "**p50 {} → {}** (first → last bucket, {}.{:02}×); overall p50 {}, p95 {}, p99 {}; {} ops in {} ({} ops/s){extra}; \
             p50/p95 per {}: {}",
            ms(first),
            ms(last),
            ratio / 100,
            ratio % 100,
            ms(percentile(samples, 50)),
            ms(percentile(samples, 95)),
            ms(percentile(samples, 99)),
            thousands(samples.len() as u64),
            secs(total),
            thousands(per_second(samples.len() as u64, total)),
            thousands(bucket as u64),
            kit::bucket_line(&b),
        ),
        kit::flat(&b),
    )
}

// ------------------------------------------------------------------------------------ 4. leave

async fn leave(args: &Args, fresh: &Fresh, prof: &Prof, rows: &mut Rows) -> Result<(), BenchError> {
    let engine = fresh.engine_name();
    let today = leave_today();
    let clock: SharedClock = Arc::new(FixedClock::on(today));
    let store = Arc::new(bole_testkit::open_store(&fresh.db).await);
    let org = OrgService::new(store.clone(), clock.clone());
    let people = PeopleService::new(store.clone(), store.clone(), store.clone(), clock.clone());
    let (workflow, absence) = bole_time::absence::wire(
        store.clone(),
        WorkflowService::new(store.clone(), store.clone(), clock.clone()),
        national_calendar(),
        clock.clone(),
    );
    let sys = Actor::system();
    let n = args.leave_employees;

    // The organisation: line managers first, then their teams.
    prof.start(engine, "4 onboard");
    let t = Instant::now();
    let spec = OrgSpec {
        employees: n,
        team_size: args.team,
        departments: 100,
        hire_date: d(2024, 3, 1),
        founded: d(2020, 1, 1),
    };
    let built = kit::build_org(&org, &people, &sys, spec, &|done| {
        if done % 10_000 == 0 {
            eprintln!("  onboarded {done}");
        }
    })
    .await?;
    let onboard_time = t.elapsed();
    prof.end(engine, "4 onboard", (n + built.managers.len()) as u64);

    // Accounts: an HR administrator, each manager (manager over direct reports + own record),
    // each employee (own record).
    prof.start(engine, "4 accounts");
    let t = Instant::now();
    let hash = bole_access::rules::hash_password(BENCH_PASSWORD)?;
    let hr = account(
        &store,
        "bench-hr".into(),
        None,
        vec![RoleGrant::builtin(Role::HrAdmin, DataScope::All)],
        &hash,
        &clock,
    )
    .await?;
    let mut managers = Vec::with_capacity(built.managers.len());
    for (i, m) in built.managers.iter().enumerate() {
        let grants = vec![
            RoleGrant::builtin(Role::Manager, DataScope::DirectReports),
            RoleGrant::builtin(Role::Employee, DataScope::Own),
        ];
        managers.push(account(&store, format!("m{i:06}"), Some(*m), grants, &hash, &clock).await?);
    }
    let mut staff = Vec::with_capacity(n);
    for (i, (e, _)) in built.employees.iter().enumerate() {
        let grants = vec![RoleGrant::builtin(Role::Employee, DataScope::Own)];
        staff.push(account(&store, format!("e{i:06}"), Some(*e), grants, &hash, &clock).await?);
    }
    let accounts_time = t.elapsed();
    prof.end(engine, "4 accounts", (1 + n + built.managers.len()) as u64);

    // Leave profiles (参加工作 2000-07 → 15 days a year): one call each, there is no bulk path.
    prof.start(engine, "4 set_profile");
    let t = Instant::now();
    for (e, _) in &built.employees {
        absence
            .set_profile(
                &hr,
                *e,
                LeaveProfileInput { work_start_date: Some(d(2000, 7, 1)), prior_years: None, prior_years_as_of: None },
            )
            .await?;
    }
    let profiles_time = t.elapsed();
    prof.end(engine, "4 set_profile", n as u64);
    prof.start(engine, "4 grant_annual");
    let t = Instant::now();
    let grant = absence.grant_annual(&hr, 2026, Some(built.company)).await?;
    let grant_time = t.elapsed();
    prof.end(engine, "4 grant_annual", 1);
    rows.push(Line::figure(
        format!(
            "4. leave set-up: {} employees + {} line managers",
            thousands(n as u64),
            thousands(built.managers.len() as u64)
        ),
        engine,
        format!(
            "onboard_batch {}; {} accounts {} (account store, one shared hash); set_profile × {} **{}** ({} per call, no bulk path); \
             grant_annual {} ({} postings for {} employees, {} without a profile)",
            secs(onboard_time),
            thousands(1 + (built.managers.len() + n) as u64),
            secs(accounts_time),
            thousands(n as u64),
            secs(profiles_time),
            ms(profiles_time / u32::try_from(n).unwrap_or(u32::MAX).max(1)),
            secs(grant_time),
            thousands(u64::from(grant.postings)),
            thousands(u64::from(grant.employees)),
            thousands(grant.missing_basis.len() as u64),
        ),
    ));

    // Submissions, each by the employee's own actor, one working day each.
    let days = working_days(today + TimeDelta::days(1), d(2026, 12, 31))?;
    let mut submit = Vec::with_capacity(args.applications);
    let mut apps = Vec::with_capacity(args.applications);
    prof.start(engine, "4 submit");
    let started = Instant::now();
    for i in 0..args.applications {
        let (e, round) = (i % n, i / n);
        let day = kit::leave_day(&days, e, round).ok_or("more than 15 applications a person")?;
        let req = LeaveRequest {
            employee_id: None,
            leave_type: "annual".into(),
            start_date: day,
            end_date: day,
            start_half: None,
            end_half: None,
            hours: None,
            reason: "家中有事".into(),
            birth: None,
        };
        let t = Instant::now();
        let v = absence.apply(&staff[e], req).await?;
        submit.push(t.elapsed());
        if v.application.status != ApplicationStatus::Pending {
            return Err(format!("application {i} is {:?} after submission, not pending", v.application.status).into());
        }
        apps.push((v.application.id.0, e));
        if (i + 1) % args.bucket == 0 {
            eprintln!("  submitted {} at {}", i + 1, secs(started.elapsed()));
        }
    }
    prof.end(engine, "4 submit", apps.len() as u64);
    rows.push(flat_row(
        format!("4. submit {} leave applications (AbsenceService::apply, own actor)", thousands(apps.len() as u64)),
        engine,
        &submit,
        args.bucket,
        String::new(),
    ));

    // Approvals: the manager opens the inbox, finds the task and approves it.
    let mut approve = Vec::with_capacity(apps.len());
    let mut decide_only = Vec::with_capacity(apps.len());
    prof.start(engine, "4 approve (inbox + decide)");
    let started = Instant::now();
    for (i, (doc_id, e)) in apps.iter().enumerate() {
        let mgr = &managers[e / args.team];
        let t = Instant::now();
        let mut page = PageRequest::new(Some(1), Some(50));
        let task = loop {
            let inbox = workflow.inbox(mgr, page).await?;
            if let Some(item) = inbox.items.iter().find(|x| x.doc_id == *doc_id) {
                break item.task_id;
            }
            if u64::from(page.page) * u64::from(page.per_page) >= inbox.total {
                return Err(format!("application {i} is not in its manager's inbox").into());
            }
            page.page += 1;
        };
        let td = Instant::now();
        let view = workflow
            .decide(mgr, task, Decision { action: DecisionAction::Approve, comment: Some("同意".into()) })
            .await?;
        decide_only.push(td.elapsed());
        approve.push(t.elapsed());
        if view.status != InstanceStatus::Approved {
            return Err(format!("application {i} is {:?} after approval", view.status).into());
        }
        if (i + 1) % args.bucket == 0 {
            eprintln!("  approved {} at {}", i + 1, secs(started.elapsed()));
        }
    }
    prof.end(engine, "4 approve (inbox + decide)", apps.len() as u64);
    // What the approvals did: every application approved, the balance used.
    let approved = absence
        .applications(
            &hr,
            bole_time::absence::ApplicationQuery { status: Some(ApplicationStatus::Approved), ..Default::default() },
            true,
            PageRequest::new(Some(1), Some(1)),
        )
        .await?
        .total;
    let first = built.employees.first().map(|(e, _)| *e).ok_or("no employees")?;
    let sheet = absence.balances(&hr, Some(first), None, None).await?;
    let used = sheet.balances.iter().find(|b| b.leave_type_code == "annual").map(|b| b.used).unwrap_or_default();
    let decide_total: Duration = decide_only.iter().sum();
    let b = kit::buckets(&decide_only, args.bucket);
    rows.push(flat_row(
        format!(
            "4. approve {} applications (manager's inbox + WorkflowService::decide)",
            thousands(approve.len() as u64)
        ),
        engine,
        &approve,
        args.bucket,
        format!(
            "; decide alone p50 {} → {} (first → last bucket), {} in total; {} applications approved, annual leave used by the first employee {} d",
            ms(b.first().map(|x| x.p50).unwrap_or_default()),
            ms(b.last().map(|x| x.p50).unwrap_or_default()),
            secs(decide_total),
            thousands(approved),
            used.normalize(),
        ),
    ));
    if approved != apps.len() as u64 {
        return Err(format!("{approved} applications approved, {} submitted", apps.len()).into());
    }
    Ok(())
}

// ------------------------------------------------------------------------------- 5. attendance

async fn attendance(args: &Args, fresh: &Fresh, prof: &Prof, rows: &mut Rows) -> Result<(), BenchError> {
    let engine = fresh.engine_name();
    let n = args.attendance_employees(fresh.engine);
    let today = attendance_today();
    let clock: SharedClock = Arc::new(FixedClock::on(today));
    let store = Arc::new(bole_testkit::open_store(&fresh.db).await);
    let org = OrgService::new(store.clone(), clock.clone());
    let people = PeopleService::new(store.clone(), store.clone(), store.clone(), clock.clone());
    let service = AttendanceService::new(store.clone(), people.clone(), org.clone(), store.clone(), clock.clone());
    let sys = Actor::system();

    prof.start(engine, "5 onboard");
    let t = Instant::now();
    let spec =
        OrgSpec { employees: n, team_size: 0, departments: 100, hire_date: d(2025, 1, 1), founded: d(2020, 1, 1) };
    let built = kit::build_org(&org, &people, &sys, spec, &|done| {
        if done % 20_000 == 0 {
            eprintln!("  onboarded {done}");
        }
    })
    .await?;
    let onboard_time = t.elapsed();
    prof.end(engine, "5 onboard", n as u64);

    let days = working_days(MONTH.first(), MONTH.last())?;
    let nos: Vec<String> = built.employees.iter().map(|(_, no)| no.clone()).collect();
    let mut import_time = Duration::ZERO;
    let mut generate_time = Duration::ZERO;
    let (mut csv_rows, mut inserted, mut recomputed) = (0u64, 0u64, 0u64);
    let mut calls = 0u64;
    let mut per_call = Vec::new();
    let mut analyze_time = Duration::ZERO;
    let autovacuum = autovacuum(&fresh.db).await;
    prof.start(engine, "5 import_punches");
    let started = Instant::now();
    for (k, chunk) in nos.chunks(args.punch_chunk).enumerate() {
        let t = Instant::now();
        let (csv, count) = kit::punch_csv(chunk, k * args.punch_chunk, &days);
        generate_time += t.elapsed();
        let t = Instant::now();
        let r = service.import_punches(&sys, built.company, csv.as_bytes()).await?;
        per_call.push(t.elapsed());
        import_time += t.elapsed();
        if args.analyze_every > 0 && (k + 1) % args.analyze_every == 0 {
            analyze_time += analyze(&fresh.db).await?;
        }
        csv_rows += count;
        inserted += r.inserted;
        recomputed += r.days_recomputed;
        calls += 1;
        if (k + 1) % 10 == 0 {
            eprintln!("  imported {} punches at {}", thousands(csv_rows), secs(started.elapsed()));
        }
    }
    prof.end(engine, "5 import_punches", calls);
    rows.push(Line::figure(
        format!(
            "5. punch import: {} employees × {} working days (import_punches, CSV of {} employees a call)",
            thousands(n as u64),
            days.len(),
            thousands(args.punch_chunk as u64)
        ),
        engine,
        format!(
            "**{} rows/s** ({} rows, {} inserted, in {} over {} calls; the same transactions derive the {} employee-days the punches touch); \
             per call: first 10 {}, last 10 {} (mean); CSV generation {} not counted; {} employees onboarded first in {}{}",
            thousands(per_second(csv_rows, import_time)),
            thousands(csv_rows),
            thousands(inserted),
            secs(import_time),
            thousands(calls),
            thousands(recomputed),
            ms(mean(per_call.iter().take(10))),
            ms(mean(per_call.iter().rev().take(10))),
            secs(generate_time),
            thousands(n as u64),
            secs(onboard_time),
            pg_note(&autovacuum, args.analyze_every, analyze_time),
        ),
    ));

    // The import derived the days already (the store's contract). To time derivation on its own,
    // drop them — as a calendar change invalidates days — and let the store derive the month again.
    let (first, last) = (MONTH.first(), MONTH.last());
    invalidate_days(&fresh.db).await?;
    if args.analyze_every > 0 {
        analyze(&fresh.db).await?;
    }
    let ids: Vec<EmployeeId> =
        AttendanceStore::employees(&*store, &RowScope::everything(), &EmployeeSelection::default(), first, last)
            .await?
            .into_iter()
            .map(|e| e.id)
            .collect();
    prof.start(engine, "5 derive (ensure_days)");
    let t = Instant::now();
    let derived = AttendanceStore::ensure_days(&*store, &ids, first, last, today).await?;
    let derive_time = t.elapsed();
    prof.end(engine, "5 derive (ensure_days)", 1);

    prof.start(engine, "5 compute_summaries");
    let t = Instant::now();
    let report = service.compute_summaries(&sys, MONTH, SummaryFilter::default()).await?;
    let compute_time = t.elapsed();
    prof.end(engine, "5 compute_summaries", 1);

    prof.start(engine, "5 monthly_summaries (read)");
    let t = Instant::now();
    let summaries = service.monthly_summaries(&sys, MONTH, SummaryFilter::default()).await?;
    let read_time = t.elapsed();
    prof.end(engine, "5 monthly_summaries (read)", 1);
    let present: u64 = summaries.iter().map(|s| u64::from(s.present_days)).sum();
    let late: u64 = summaries.iter().map(|s| u64::from(s.late_count)).sum();
    let missing: u64 = summaries.iter().map(|s| u64::from(s.missing_punches)).sum();
    if summaries.len() != n || report.employees != n as u64 {
        return Err(format!("{} summaries read, {} computed, {n} employees", summaries.len(), report.employees).into());
    }

    let total = derive_time + compute_time;
    // Bole's target is for 100k employees on SQLite; elsewhere the figures stand on their own.
    let checked = fresh.engine == Engine::Sqlite && n >= 100_000;
    let scenario = format!("5. monthly summaries of {MONTH}: {} employees", thousands(n as u64));
    let result = format!(
        "**derive + compute {}**: day derivation {} ({} employee-days, {} days/s); summary compute {} ({} summaries, {} days left to derive); \
             read back {} ({} rows through monthly_summaries, {} rows/s); totals: {} present days, {} late arrivals, {} missing punches",
        secs(total),
        secs(derive_time),
        thousands(derived),
        thousands(per_second(derived, derive_time)),
        secs(compute_time),
        thousands(report.employees),
        thousands(report.days_derived),
        secs(read_time),
        thousands(summaries.len() as u64),
        thousands(per_second(summaries.len() as u64, read_time)),
        thousands(present),
        thousands(late),
        thousands(missing),
    );
    rows.push(if checked {
        let target = format!("derive + compute ≤ {} (100k employees, SQLite)", secs(SUMMARY_TARGET));
        Line::checked(scenario, engine, target, result, total <= SUMMARY_TARGET)
    } else {
        Line::figure(scenario, engine, result)
    });
    Ok(())
}

fn mean<'a>(d: impl Iterator<Item = &'a Duration>) -> Duration {
    let (sum, n) = d.fold((Duration::ZERO, 0u32), |(s, n), x| (s + *x, n + 1));
    sum / n.max(1)
}

/// PostgreSQL's `autovacuum` setting ("on"/"off"); None on SQLite.
async fn autovacuum(db: &Db) -> Option<String> {
    match db {
        Db::Sqlite(_) => None,
        Db::Postgres(p) => sqlx::query_scalar::<_, String>("SHOW autovacuum").fetch_one(p).await.ok(),
    }
}

/// Refresh the planner's statistics (PostgreSQL; a no-op on SQLite). Returns the time it took.
async fn analyze(db: &Db) -> Result<Duration, BenchError> {
    let t = Instant::now();
    if let Db::Postgres(p) = db {
        sqlx::query("ANALYZE").execute(p).await?;
    }
    Ok(t.elapsed())
}

/// What the PostgreSQL server did for the planner's statistics during the import.
fn pg_note(autovacuum: &Option<String>, every: usize, took: Duration) -> String {
    match (autovacuum, every) {
        (None, _) => String::new(),
        (Some(av), 0) => format!("; server autovacuum={av}, no ANALYZE by the bench"),
        (Some(av), k) => {
            format!("; server autovacuum={av}, ANALYZE after every {k} calls ({} in all, not counted)", secs(took))
        }
    }
}

/// Every derived attendance day goes; the next read derives them again (what a calendar layer
/// or shift change does to the days it touches).
async fn invalidate_days(db: &Db) -> Result<(), BenchError> {
    match db {
        Db::Sqlite(p) => sqlx::query("DELETE FROM attendance_days").execute(p).await.map(|_| ())?,
        Db::Postgres(p) => sqlx::query("DELETE FROM attendance_days").execute(p).await.map(|_| ())?,
    }
    Ok(())
}
