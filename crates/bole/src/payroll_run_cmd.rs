//! The operator's pay-run commands: `bole payroll create` (a company's regular run of a month),
//! `bole payroll run` (create it, or take the open one, and compute it) and `bole payroll compute
//! --run <id>` (compute or recompute a run). They act as the system actor, like `import` and
//! `demo`; approving and publishing stay with people (preparer ≠ approver), in the web console.
//!
//! A compute is one service call: every input read in bulk, computed on every core, written in
//! one transaction — so an interrupted command (Ctrl-C, kill -9, a crash) leaves the run exactly
//! as it was and the command can simply be run again (crates/bole/tests/payroll_crash.rs).

use crate::cli::DataArgs;
use crate::commands::{clock, load, runtime};
use bole_app::{App, AppError};
use bole_core::{Actor, CompanyId, Failure, PageRequest};
use bole_payroll::money::fmt_fen;
use bole_payroll::{ComputeReport, NewPayRun, PayRun, PayRunScope, PayRunStatus, PayrollError, PayrollService};
use chrono::{Datelike, NaiveDate};
use clap::{Args, Subcommand};
use indicatif::ProgressBar;
use std::process::ExitCode;
use uuid::Uuid;

#[derive(Debug, Subcommand)]
pub enum PayrollCommand {
    /// 创建并核算某单位某月的薪资批次（已有未提交的批次则重新核算）/
    /// Create a company's pay run for a month and compute it (an open run of that month is recomputed).
    Run(RunArgs),
    /// 只创建薪资批次（草稿）/ Create the pay run only (draft).
    Create(RunArgs),
    /// 核算（或重新核算）一个薪资批次 / Compute (or recompute) a pay run.
    Compute(ComputeArgs),
}

#[derive(Debug, Args)]
pub struct RunArgs {
    #[command(flatten)]
    pub data: DataArgs,
    /// 单位编码或 ID / Company code or id.
    #[arg(long, value_name = "CODE|ID")]
    pub company: String,
    /// 薪资期间 / The pay period.
    #[arg(long, value_name = "YYYY-MM", value_parser = parse_period)]
    pub period: NaiveDate,
    /// 发薪日（默认次月10日）/ Pay date (default: the 10th of the following month).
    #[arg(long, value_name = "YYYY-MM-DD")]
    pub pay_date: Option<NaiveDate>,
    /// 以 JSON 输出 / Print the result as JSON.
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct ComputeArgs {
    #[command(flatten)]
    pub data: DataArgs,
    /// 薪资批次 ID / The pay run's id.
    #[arg(long = "run", value_name = "ID")]
    pub run: Uuid,
    /// 以 JSON 输出 / Print the report as JSON.
    #[arg(long)]
    pub json: bool,
}

fn parse_period(s: &str) -> Result<NaiveDate, String> {
    NaiveDate::parse_from_str(&format!("{}-01", s.trim()), "%Y-%m-%d")
        .map_err(|_| "期间格式为 YYYY-MM，如 2025-07 / the period is YYYY-MM, e.g. 2025-07".into())
}

fn period_text(first: NaiveDate) -> String {
    format!("{:04}-{:02}", first.year(), first.month())
}

fn failure(e: &dyn Failure) -> AppError {
    let m = e.message();
    let (mut zh, mut en) = (m.zh, m.en);
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

fn json_out<T: serde::Serialize>(v: &T) -> Result<(), AppError> {
    let text = serde_json::to_string_pretty(v)
        .map_err(|e| AppError::failure(format!("无法输出 JSON：{e}"), format!("cannot print JSON: {e}")))?;
    println!("{text}");
    Ok(())
}

pub fn run(command: PayrollCommand) -> Result<ExitCode, AppError> {
    match command {
        PayrollCommand::Run(args) => create_or_run(args, true),
        PayrollCommand::Create(args) => create_or_run(args, false),
        PayrollCommand::Compute(args) => compute_cmd(args),
    }
}

async fn company(app: &App, actor: &Actor, code_or_id: &str) -> Result<CompanyId, AppError> {
    let companies = app.services.org.companies(actor).await.map_err(|e| failure(&e))?;
    let wanted = code_or_id.trim();
    companies
        .into_iter()
        .find(|c| c.code == wanted || c.id.0.to_string().eq_ignore_ascii_case(wanted))
        .map(|c| c.id)
        .ok_or_else(|| {
            AppError::failure(
                format!("找不到编码或 ID 为“{wanted}”的单位"),
                format!("no company with code or id \"{wanted}\""),
            )
        })
}

/// The company's regular run (empty scope) of the period, if there is one.
async fn regular_run(
    payroll: &PayrollService,
    actor: &Actor,
    company: CompanyId,
    period: &str,
) -> Result<Option<PayRun>, AppError> {
    let mut page = PageRequest::new(Some(1), Some(100));
    loop {
        let runs = payroll.runs(actor, Some(company), page).await.map_err(|e| failure(&e))?;
        if let Some(r) = runs.items.iter().find(|r| r.period == period && r.scope == PayRunScope::default()) {
            return Ok(Some(r.clone()));
        }
        if runs.items.is_empty() || u64::from(page.page) * u64::from(page.per_page) >= runs.total {
            return Ok(None);
        }
        page.page += 1;
    }
}

fn create_or_run(args: RunArgs, compute: bool) -> Result<ExitCode, AppError> {
    let settings = load(&args.data, None)?;
    let clock = clock(&settings);
    let period = period_text(args.period);
    let pay_date = args.pay_date.unwrap_or_else(|| {
        args.period.checked_add_months(chrono::Months::new(1)).unwrap_or(args.period) + chrono::Days::new(9)
    });
    let (run, report) = runtime()?.block_on(async {
        let app = App::build(settings, clock).await?;
        let r = async {
            let actor = Actor::system();
            let payroll = &app.services.payroll;
            let company = company(&app, &actor, &args.company).await?;
            let existing = if compute { regular_run(payroll, &actor, company, &period).await? } else { None };
            let run = match existing {
                Some(r) if matches!(r.status, PayRunStatus::Draft | PayRunStatus::Computed) => r,
                Some(r) => return Err(failure(&PayrollError::PayRunWrongStatus(r.status.as_str()))),
                None => {
                    let input = NewPayRun {
                        company_id: company,
                        period: period.clone(),
                        name: None,
                        scope: PayRunScope::default(),
                        pay_date,
                    };
                    payroll.create_run(&actor, input).await.map_err(|e| failure(&e))?
                }
            };
            let report = if compute { Some(compute_with_spinner(payroll, &actor, run.id).await?) } else { None };
            Ok((run, report))
        }
        .await;
        app.db.close().await;
        r
    })?;
    match (report, args.json) {
        (Some(report), true) => json_out(&report)?,
        (Some(report), false) => print_report(&run, &report),
        (None, true) => json_out(&run)?,
        (None, false) => {
            println!("已创建薪资批次 / pay run created: {}", run.name);
            println!("  ID: {}", run.id);
            println!(
                "  期间 period: {}，发薪日 pay date: {}，状态 status: {}",
                run.period,
                run.pay_date,
                run.status.as_str()
            );
        }
    }
    Ok(ExitCode::SUCCESS)
}

fn compute_cmd(args: ComputeArgs) -> Result<ExitCode, AppError> {
    let settings = load(&args.data, None)?;
    let clock = clock(&settings);
    let (run, report) = runtime()?.block_on(async {
        let app = App::build(settings, clock).await?;
        let r = async {
            let actor = Actor::system();
            let payroll = &app.services.payroll;
            let run = payroll.run(&actor, args.run).await.map_err(|e| failure(&e))?;
            let report = compute_with_spinner(payroll, &actor, run.id).await?;
            Ok((run, report))
        }
        .await;
        app.db.close().await;
        r
    })?;
    if args.json {
        json_out(&report)?
    } else {
        print_report(&run, &report)
    }
    Ok(ExitCode::SUCCESS)
}

/// One compute call with a spinner on stderr (the service reports no progress of its own: it is
/// a handful of bulk reads, one parallel computation and one transaction).
async fn compute_with_spinner(payroll: &PayrollService, actor: &Actor, run: Uuid) -> Result<ComputeReport, AppError> {
    let spinner = ProgressBar::new_spinner();
    spinner.set_message("核算中：读取数据、计算、写入… / computing: reading inputs, computing, writing…");
    spinner.enable_steady_tick(std::time::Duration::from_millis(120));
    let r = payroll.compute(actor, run).await;
    spinner.finish_and_clear();
    r.map_err(|e| failure(&e))
}

fn print_report(run: &PayRun, r: &ComputeReport) {
    let t = &r.totals;
    println!("薪资批次已核算 / pay run computed: {}", run.name);
    println!("  ID: {}", r.run_id);
    println!("  员工 employees: {}，成功 computed: {}，错误 errors: {}", r.employees, r.computed, r.errors.len());
    println!(
        "  应发 gross {}；个人社保 employee SI {}；个人公积金 employee HF {}；个税 IIT {}；实发 net {}；单位人工成本 employer cost {}",
        fmt_fen(t.gross),
        fmt_fen(t.employee_si),
        fmt_fen(t.employee_hf),
        fmt_fen(t.iit),
        fmt_fen(t.net),
        fmt_fen(t.employer_cost)
    );
    println!("  摘要 digest: {}", r.digest);
    println!("  用时 took: {} ms", r.millis);
    const SHOWN: usize = 20;
    for e in r.errors.iter().take(SHOWN) {
        println!("  ✗ {} {}：{}（{}）", e.employee_no, e.employee_name, e.error.message, e.error.code);
    }
    if r.errors.len() > SHOWN {
        println!("  …另有 {} 条错误 / {} more errors", r.errors.len() - SHOWN, r.errors.len() - SHOWN);
    }
}
