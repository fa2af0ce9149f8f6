//! The working-time calculators for HR staff: `bole calendar <year>` (national holidays and
//! 调休), `bole calc annual-leave` (statutory entitlement and pro-rating) and `bole calc
//! overtime` (21.75-day hourly base and 150/200/300% pay). All arithmetic is `bole-time`'s.

use bole_app::AppError;
use bole_core::Failure as _;
use bole_time::calendar::WorkCalendar;
use bole_time::leave::{AnnualLeaveInput, AnnualLeavePolicy, Exclusions, HireDayCounting, ThresholdCrossing};
use bole_time::overtime::OvertimeKind;
use clap::Args;
use rust_decimal::Decimal;
use std::process::ExitCode;

#[derive(Debug, Args)]
pub struct CalendarArgs {
    /// 年份（已载入国务院办公厅通知的年份）/ The year (one with a loaded State Council notice).
    pub year: i32,
    /// 以 JSON 输出 / Print the summary as JSON.
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct CalcAnnualLeaveArgs {
    /// 年度 / The leave year.
    #[arg(long)]
    pub year: i32,
    /// 入本单位日期 / Hire date with this employer.
    #[arg(long, value_name = "YYYY-MM-DD")]
    pub hire_date: chrono::NaiveDate,
    /// 累计工作年限（可含小数；年初或当年入职日的值）/ Cumulative working years, as of 1 January or the hire date.
    #[arg(long = "years", value_name = "N")]
    pub cumulative_years: Decimal,
    /// 离职日期（最后工作日）/ Exit date (last day of employment).
    #[arg(long, value_name = "YYYY-MM-DD")]
    pub exit_date: Option<chrono::NaiveDate>,
    /// 当年度已安排年休假天数（默认 0）/ Annual leave days already taken this year (default 0).
    #[arg(long, value_name = "T")]
    pub taken: Option<Decimal>,
    /// 入职当天是否计入剩余日历天数（默认计入）/ Whether the hire day counts (default: inclusive).
    #[arg(long, value_enum)]
    pub hire_day: Option<HireDayArg>,
    /// 年中跨越 1/10/20 年门槛的处理（默认按段折算）/ Tier threshold crossed mid-year (default: pro-rate).
    #[arg(long, value_enum)]
    pub crossing: Option<CrossingArg>,
    /// 以 JSON 输出 / Print the result as JSON.
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Clone, Copy, clap::ValueEnum)]
pub enum HireDayArg {
    Inclusive,
    Exclusive,
}

#[derive(Debug, Clone, Copy, clap::ValueEnum)]
pub enum CrossingArg {
    ProRate,
    FromNextYear,
    WholeYear,
}

#[derive(Debug, Args)]
pub struct CalcOvertimeArgs {
    /// 加班工资计算基数（月工资，元）/ Monthly wage used as the overtime base, in yuan.
    #[arg(long, value_name = "YUAN")]
    pub monthly_wage: Decimal,
    /// 加班小时数 / Overtime hours.
    #[arg(long, value_name = "H")]
    pub hours: Decimal,
    /// 工作日延时 150% / 休息日 200% / 法定节假日 300%.
    #[arg(long, value_enum)]
    pub kind: OvertimeKindArg,
    /// 以 JSON 输出 / Print the result as JSON.
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Clone, Copy, clap::ValueEnum)]
pub enum OvertimeKindArg {
    Workday,
    Restday,
    Holiday,
}

/// A domain error in both languages, as `main` prints every failure.
fn time_failure(e: bole_time::TimeError) -> AppError {
    let msg = e.message();
    AppError::failure(msg.zh, msg.en)
}

fn print_json<T: serde::Serialize>(value: &T) -> Result<(), AppError> {
    let text = serde_json::to_string_pretty(value)
        .map_err(|e| AppError::failure(format!("无法输出 JSON：{e}"), format!("cannot print JSON: {e}")))?;
    println!("{text}");
    Ok(())
}

pub fn calendar(args: &CalendarArgs) -> Result<ExitCode, AppError> {
    let summary = WorkCalendar::national().and_then(|c| c.year_summary(args.year)).map_err(time_failure)?;
    if args.json {
        print_json(&summary)?;
    } else {
        let list = |dates: &[chrono::NaiveDate]| {
            dates.iter().map(|d| d.format("%m-%d").to_string()).collect::<Vec<_>>().join(" ")
        };
        println!("{}年 依据：{}（{}）", summary.year, summary.notice, summary.source);
        println!("放假（{}天）：{}", summary.days_off.len(), list(&summary.days_off));
        println!("调休上班（{}天）：{}", summary.makeup_workdays.len(), list(&summary.makeup_workdays));
        println!("法定节假日（{}天，300%）：{}", summary.statutory_holidays.len(), list(&summary.statutory_holidays));
        println!("全年工作日：{}天", summary.working_days);
    }
    Ok(ExitCode::SUCCESS)
}

pub fn calc_annual_leave(args: &CalcAnnualLeaveArgs) -> Result<ExitCode, AppError> {
    let crossing = match args.crossing {
        None | Some(CrossingArg::ProRate) => ThresholdCrossing::ProRate,
        Some(CrossingArg::FromNextYear) => ThresholdCrossing::FromNextYear,
        Some(CrossingArg::WholeYear) => ThresholdCrossing::WholeYear,
    };
    let policy = AnnualLeavePolicy {
        hire_day: match args.hire_day {
            None | Some(HireDayArg::Inclusive) => HireDayCounting::Inclusive,
            Some(HireDayArg::Exclusive) => HireDayCounting::Exclusive,
        },
        first_year: crossing,
        higher_tiers: crossing,
    };
    let input = AnnualLeaveInput {
        year: args.year,
        hire_date: args.hire_date,
        cumulative_years: args.cumulative_years,
        exit_date: args.exit_date,
        taken: args.taken.unwrap_or(Decimal::ZERO),
        exclusions: Exclusions::default(),
    };
    let r = bole_time::leave::annual_leave_with(&input, &policy).map_err(time_failure)?;
    if args.json {
        print_json(&r)?;
    } else {
        println!("全年应休：{}天（累计工作年限 {}）", r.entitlement, r.cumulative_years);
        println!("本单位当年折算：{}天（剩余日历天数 {}）", r.pro_rated, r.counted_days);
        println!("已休：{}天，余额：{}天", r.taken, r.balance);
        if let (Some(elapsed), Some(earned), Some(unused)) = (r.elapsed_days, r.earned_to_exit, r.unused_to_pay) {
            println!("离职折算：已过 {elapsed} 天，应休 {earned} 天，应付未休 {unused} 天（另付日工资 200%）");
        }
    }
    Ok(ExitCode::SUCCESS)
}

pub fn calc_overtime(args: &CalcOvertimeArgs) -> Result<ExitCode, AppError> {
    let kind = match args.kind {
        OvertimeKindArg::Workday => OvertimeKind::Workday,
        OvertimeKindArg::Restday => OvertimeKind::RestDay,
        OvertimeKindArg::Holiday => OvertimeKind::StatutoryHoliday,
    };
    let pay = bole_time::overtime::overtime_pay(args.monthly_wage, args.hours, kind).map_err(time_failure)?;
    if args.json {
        print_json(&pay)?;
    } else {
        println!("小时工资基数：{} 元（月工资 ÷ 21.75 ÷ 8）", pay.hourly_base);
        println!("倍数：{}，时数：{}，加班工资：{} 元", pay.rate, pay.hours, pay.pay);
    }
    Ok(ExitCode::SUCCESS)
}
