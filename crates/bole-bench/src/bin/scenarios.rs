//! End-to-end benchmark scenarios (bench/README.md), run on SQLite and, when a
//! server answers, PostgreSQL. Prints a Markdown table with PASS/MISS per target
//! and writes it to `--out`. Always exits 0 when the scenarios ran: targets are
//! reported, never enforced here.
//!
//! 1. Import N employees (default 100,000) with lifecycle history through
//!    `PeopleService::import_with_history` (the demo generator, 2,000 per call,
//!    over ~1,000 org units) — rows/s.
//! 2. As-of headcount by org unit over the whole tree (`OrgService::tree` with
//!    headcount), today and a year ago, plus 编制 occupancy — p50/p95.
//! 3. The employee list API through the real router on a loopback port, with a
//!    bounded keep-alive load generator — req/s and p50/p95/p99.

use bole_bench::db::{BenchError, Fresh};
use bole_bench::http::{self, Conn, LoadResult};
use bole_bench::report::{self, Row};
use bole_bench::stats::{ms, per_second, percentile, secs, thousands};
use bole_core::clock::SharedClock;
use bole_core::{Actor, Clock, FixedClock, SystemClock};
use bole_demo::{DemoOptions, Layout};
use bole_org::OrgService;
use bole_people::PeopleService;
use bole_store::Engine;
use chrono::{Days, NaiveDate};
use std::process::ExitCode;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

const USAGE: &str = "usage: scenarios [--employees N] [--units N] [--runs N] [--requests N] [--concurrency N] \
[--max-seconds N] [--engines sqlite,postgres] [--seed N] [--out FILE] [--keep]";

const IMPORT_TARGET: u64 = 5_000;
const HEADCOUNT_P95: Duration = Duration::from_millis(200);
const API_RPS: u64 = 1_000;
const API_P95: Duration = Duration::from_millis(50);
const BENCH_USER: &str = "bench-admin";
const BENCH_PASSWORD: &str = "Bench-Passw0rd-2026!";

/// The results so far; each row is also echoed to stderr as it is measured.
#[derive(Default)]
struct Rows(Vec<Row>);

impl Rows {
    fn push(&mut self, row: Row) {
        let verdict = match &row.verdict {
            report::Verdict::Pass => "PASS".to_string(),
            report::Verdict::Miss => "MISS".to_string(),
            report::Verdict::NotRun(why) => format!("not run: {why}"),
        };
        eprintln!("  {} [{}]: {} — {verdict}", row.scenario, row.engine, row.result);
        self.0.push(row);
    }
}

#[derive(Debug)]
struct Args {
    employees: u32,
    units: u32,
    runs: usize,
    requests: u64,
    concurrency: usize,
    /// Each load run also stops issuing requests after this long.
    max_seconds: u64,
    engines: Vec<Engine>,
    seed: u64,
    out: Option<String>,
    /// Leave the databases in place afterwards (to inspect query plans).
    keep: bool,
}

impl Args {
    fn parse(mut it: impl Iterator<Item = String>) -> Result<Args, String> {
        let mut a = Args {
            employees: 100_000,
            units: 1_000,
            runs: 30,
            requests: 20_000,
            concurrency: 32,
            max_seconds: 60,
            engines: vec![Engine::Sqlite, Engine::Postgres],
            seed: DemoOptions::DEFAULT_SEED,
            out: None,
            keep: false,
        };
        while let Some(flag) = it.next() {
            let mut value = || it.next().ok_or_else(|| format!("{flag} needs a value\n{USAGE}"));
            let num = |v: String| v.replace('_', "").parse::<u64>().map_err(|e| format!("{flag}: {e}\n{USAGE}"));
            match flag.as_str() {
                "--employees" => a.employees = u32::try_from(num(value()?)?).map_err(|e| e.to_string())?,
                "--units" => a.units = u32::try_from(num(value()?)?).map_err(|e| e.to_string())?,
                "--runs" => a.runs = num(value()?)?.max(1) as usize,
                "--requests" => a.requests = num(value()?)?,
                "--concurrency" => a.concurrency = num(value()?)?.clamp(1, 1024) as usize,
                "--seed" => a.seed = num(value()?)?,
                "--max-seconds" => a.max_seconds = num(value()?)?.max(1),
                "--out" => a.out = Some(value()?),
                "--keep" => a.keep = true,
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
            eprintln!("scenarios failed: {e}");
            ExitCode::FAILURE
        }
    }
}

async fn run(args: Args) -> Result<(), BenchError> {
    let today = SystemClock::default().today();
    let mut rows = Rows::default();
    for engine in &args.engines {
        let fresh = match engine {
            Engine::Sqlite => Some(Fresh::sqlite().await?),
            Engine::Postgres => Fresh::postgres().await?,
        };
        let Some(fresh) = fresh else {
            let why = format!(
                "no PostgreSQL server answered at {}",
                bole_store::db::redact_url(&bole_testkit::pg_admin_url())
            );
            for (s, t) in [("1. import", "-"), ("2. as-of headcount", "-"), ("3. employee list API", "-")] {
                rows.push(Row::not_run(s, "PostgreSQL", t, why.clone()));
            }
            continue;
        };
        eprintln!("== {} ==", fresh.engine_name());
        let r = run_engine(&args, &fresh, today, &mut rows).await;
        if args.keep {
            eprintln!("kept: {}", fresh.keep().await);
        } else {
            fresh.remove().await;
        }
        if let Err(e) = r {
            rows.push(Row::not_run("(aborted)", bole_bench::db::engine_name(*engine), "-", e.to_string()));
        }
    }
    let context = format!(
        "Bole end-to-end scenarios — {} employees, ≥ {} org units, {} runs per query, {} API requests at concurrency {}; \
         {} build; {} CPU(s); measured {today}.",
        thousands(u64::from(args.employees)),
        thousands(u64::from(args.units)),
        args.runs,
        thousands(args.requests),
        args.concurrency,
        if cfg!(debug_assertions) { "debug" } else { "release" },
        std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1),
    );
    let md = report::markdown(&context, &rows.0);
    println!("{md}");
    if let Some(out) = &args.out {
        std::fs::write(out, &md)?;
    }
    Ok(())
}

async fn run_engine(args: &Args, fresh: &Fresh, today: NaiveDate, rows: &mut Rows) -> Result<(), BenchError> {
    let engine = fresh.engine_name();
    let clock: SharedClock = Arc::new(FixedClock::on(today));
    let store = Arc::new(bole_testkit::open_store(&fresh.db).await);
    let org = OrgService::new(store.clone(), clock.clone());
    let people = PeopleService::new(store.clone(), store.clone(), store.clone(), clock.clone());
    let actor = Actor::system();

    // 1. Import.
    let marks: Mutex<(Option<Instant>, Option<Instant>)> = Mutex::new((None, None));
    let progress = |done: u64, total: u64| {
        let now = Instant::now();
        if let Ok(mut m) = marks.lock() {
            if done == 0 {
                m.0 = Some(now);
            } else {
                m.1 = Some(now);
            }
        }
        if done == total || (done > 0 && done.is_multiple_of(20_000)) {
            let since =
                marks.lock().ok().and_then(|m| m.0).map(|s| secs(now.saturating_duration_since(s))).unwrap_or_default();
            eprintln!("  import {done}/{total} at {since}");
        }
    };
    let opts = DemoOptions { employees: args.employees, seed: args.seed, today };
    let t0 = Instant::now();
    let summary =
        bole_demo::seed_with(&org, &people, &actor, &opts, Layout { min_org_units: args.units }, &progress).await?;
    let (start, end) = marks.lock().map(|m| *m).map_err(|e| e.to_string())?;
    let start = start.unwrap_or(t0);
    let import = end.unwrap_or(start).saturating_duration_since(start);
    let setup = start.saturating_duration_since(t0);
    let rate = per_second(summary.employees, import);
    rows.push(Row::new(
        format!("1. import {} employees with history (import_with_history, 2,000/call)", thousands(summary.employees)),
        engine,
        format!("≥ {} rows/s", thousands(IMPORT_TARGET)),
        format!(
            "**{} rows/s** ({} employees + {} events in {}; {} events/s); structure of {} units, {} positions, {} quotas set up in {}",
            thousands(rate),
            thousands(summary.employees),
            thousands(summary.events),
            secs(import),
            thousands(per_second(summary.events, import)),
            thousands(summary.org_units),
            thousands(summary.positions),
            thousands(summary.quotas),
            secs(setup),
        ),
        rate >= IMPORT_TARGET,
    ));

    // 2. As-of headcount over the whole tree, today and a year ago; then 编制 occupancy.
    let year_ago = today.checked_sub_days(Days::new(365)).unwrap_or(today);
    for (label, day) in [("today", today), ("a year ago", year_ago)] {
        let mut employed = 0;
        let mut lat = Vec::with_capacity(args.runs);
        for i in 0..args.runs + 2 {
            let t = Instant::now();
            let tree = org.tree(&actor, None, None, day, true).await?;
            let took = t.elapsed();
            employed = tree.iter().filter_map(|n| n.subtree_headcount).sum::<i64>();
            // Two warm-up runs are not counted.
            if i >= 2 {
                lat.push(took);
            }
        }
        let p95 = percentile(&lat, 95);
        rows.push(Row::new(
            format!("2. as-of headcount by org unit, {label}"),
            engine,
            "p95 ≤ 200 ms",
            format!(
                "p50 {}, **p95 {}** over {} runs ({} units, {} employed on {day})",
                ms(percentile(&lat, 50)),
                ms(p95),
                lat.len(),
                thousands(summary.org_units),
                thousands(employed.max(0) as u64),
            ),
            p95 <= HEADCOUNT_P95,
        ));
    }
    let mut lat = Vec::with_capacity(args.runs);
    let mut lines = 0;
    for i in 0..args.runs + 2 {
        let t = Instant::now();
        let usage = org.quota_usage(&actor, None, today).await?;
        if i >= 2 {
            lat.push(t.elapsed());
        }
        lines = usage.len();
    }
    let p95 = percentile(&lat, 95);
    rows.push(Row::new(
        "2. 编制 occupancy of every quota, today",
        engine,
        "p95 ≤ 200 ms",
        format!(
            "p50 {}, **p95 {}** over {} runs ({} quota lines)",
            ms(percentile(&lat, 50)),
            ms(p95),
            lat.len(),
            thousands(lines as u64)
        ),
        p95 <= HEADCOUNT_P95,
    ));

    // 3. The list API through the real router.
    let rd = org.units(&actor, None, None, today).await?.into_iter().find(|u| u.name == "研发中心").map(|u| u.id);
    if let Err(e) = list_api(args, fresh, clock, rd, rows).await {
        rows.push(Row::not_run("3. employee list API", engine, api_target(), e.to_string()));
    }
    Ok(())
}

fn api_target() -> String {
    "≥ 1,000 req/s, p95 ≤ 50 ms".to_string()
}

async fn list_api(
    args: &Args,
    fresh: &Fresh,
    clock: SharedClock,
    subtree: Option<bole_core::OrgUnitId>,
    rows: &mut Rows,
) -> Result<(), BenchError> {
    let engine = fresh.engine_name();
    // The load generator is an HR administrator over everything (三员: the system
    // administrator reads no employees) signing in without a second factor.
    let mut settings = fresh.settings.clone();
    settings.security.mfa_required_for_privileged = false;
    let app = bole_app::App::build(settings, clock).await?;
    app.services
        .accounts
        .bootstrap_user(bole_access::NewUser {
            username: BENCH_USER.into(),
            password: BENCH_PASSWORD.into(),
            employee_id: None,
            grants: vec![bole_access::RoleGrant::builtin(bole_core::Role::HrAdmin, bole_core::DataScope::All)],
        })
        .await?;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let addr = listener.local_addr()?;
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let server = tokio::spawn(app.serve_on(listener, async move {
        let _ = stopped.await;
    }));
    let result = drive(args, addr, subtree, engine, rows).await;
    let _ = stop.send(());
    let _ = server.await;
    result
}

async fn drive(
    args: &Args,
    addr: std::net::SocketAddr,
    subtree: Option<bole_core::OrgUnitId>,
    engine: &str,
    rows: &mut Rows,
) -> Result<(), BenchError> {
    let token = http::login(addr, BENCH_USER, BENCH_PASSWORD).await?;
    let mut variants = vec![("all employees".to_string(), String::new())];
    if let Some(u) = subtree {
        variants.push(("研发中心 subtree".to_string(), format!("&org_unit_id={u}&include_subunits=true")));
    }
    for (label, filter) in variants {
        let scenario = format!("3. GET /api/v1/employees?per_page=50, {label}, c={}", args.concurrency);
        // Probe: the route must exist and tell how many pages there are.
        let mut c = Conn::open(addr, Some(token.clone())).await?;
        let probe = c.get(&format!("/api/v1/employees?page=1&per_page=50{filter}")).await?;
        if probe.status != 200 {
            let body: String = String::from_utf8_lossy(&probe.body).chars().take(160).collect();
            rows.push(Row::not_run(scenario, engine, api_target(), format!("probe answered {} {body}", probe.status)));
            continue;
        }
        let total = serde_json::from_slice::<serde_json::Value>(&probe.body)
            .ok()
            .and_then(|v| v.get("total").and_then(serde_json::Value::as_u64))
            .unwrap_or(50);
        // Spread over the first pages (up to 200, i.e. offsets to 10,000), as people page.
        let pages = total.div_ceil(50).clamp(1, 200);
        let f = filter.clone();
        let r: LoadResult = http::load(
            addr,
            &token,
            args.requests,
            args.concurrency,
            Duration::from_secs(args.max_seconds),
            move |i| format!("/api/v1/employees?page={}&per_page=50{f}", i % pages + 1),
        )
        .await?;
        let rps = per_second(r.requests, r.elapsed);
        let p95 = percentile(&r.latencies, 95);
        let mut result = format!(
            "**{} req/s**, p50 {}, **p95 {}**, p99 {}; {} requests in {}{}, {} errors ({} matching rows)",
            thousands(rps),
            ms(percentile(&r.latencies, 50)),
            ms(p95),
            ms(percentile(&r.latencies, 99)),
            thousands(r.requests),
            secs(r.elapsed),
            if r.requests < args.requests { " (stopped at the time limit)" } else { "" },
            r.errors,
            thousands(total),
        );
        if let Some(e) = &r.first_error {
            result.push_str(&format!("; first error: {e}"));
        }
        rows.push(Row::new(scenario, engine, api_target(), result, rps >= API_RPS && p95 <= API_P95 && r.errors == 0));
    }
    Ok(())
}
