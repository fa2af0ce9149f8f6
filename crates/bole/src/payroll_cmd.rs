//! The payroll calculators for HR staff: `bole calc iit` (cumulative withholding of wages over a
//! year, from JSON on stdin or a file), `bole calc si` (social insurance and housing fund lines of
//! a city's policy for a month), `bole calc bonus` (annual one-off bonus taxed separately) and
//! `bole calc labor` (labour remuneration per payment). All arithmetic is `bole-payroll`'s; this
//! module reads input, names the field that is wrong, and prints.
//!
//! Bad input ends with exit code 2 (like a bad command line) and a message naming the field.

use bole_app::AppError;
use bole_core::{Clock as _, FieldErrors, SystemClock};
use bole_payroll::iit::{self, MonthIncome, WithholdingRule};
use bole_payroll::money::{fmt_fen, parse_money};
use bole_payroll::si::{self, SiBases, SiPolicy};
use chrono::{Datelike, NaiveDate};
use clap::Args;
use rust_decimal::Decimal;
use serde::Serialize;
use serde_json::Value;
use std::io::Read as _;
use std::path::PathBuf;
use std::process::ExitCode;
use std::str::FromStr;

#[derive(Debug, Args)]
pub struct CalcIitArgs {
    /// 从文件读取输入 JSON（默认读标准输入）/ Read the input JSON from a file (default: stdin).
    #[arg(long, value_name = "FILE")]
    pub file: Option<PathBuf>,
    /// 以 JSON 输出 / Print the result as JSON.
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct CalcSiArgs {
    /// 参保城市代码（如 beijing、shanghai、national）/ City code (beijing, shanghai, national…).
    #[arg(long)]
    pub city: String,
    /// 缴费月份 / The contribution month.
    #[arg(long, value_name = "YYYY-MM", value_parser = parse_month)]
    pub month: NaiveDate,
    /// 社保缴费基数（元，按各险种上下限调整）/ Declared social insurance base in yuan (clamped per item).
    #[arg(long, value_name = "YUAN", value_parser = parse_amount)]
    pub base: Decimal,
    /// 公积金缴存基数（默认同社保基数）/ Housing fund base (default: the SI base).
    #[arg(long, value_name = "YUAN", value_parser = parse_amount)]
    pub hf_base: Option<Decimal>,
    /// 公积金缴存比例（单位和个人，如 0.12）/ Housing fund rate for both sides, e.g. 0.12.
    #[arg(long, value_name = "RATE", value_parser = parse_rate)]
    pub hf_rate: Option<Decimal>,
    /// 单位公积金比例（与个人不同时）/ Employer housing fund rate, when it differs.
    #[arg(long, value_name = "RATE", value_parser = parse_rate)]
    pub hf_rate_employer: Option<Decimal>,
    /// 以 JSON 输出 / Print the result as JSON.
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct CalcBonusArgs {
    /// 全年一次性奖金（元）/ The annual one-off bonus in yuan.
    #[arg(value_name = "AMOUNT", value_parser = parse_amount)]
    pub amount: Decimal,
    /// 发放年度（默认今年；单独计税执行至 2027 年）/ Year paid (default: this year; the method runs to 2027).
    #[arg(long)]
    pub year: Option<i32>,
    /// 以 JSON 输出 / Print the result as JSON.
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct CalcLaborArgs {
    /// 每次劳务报酬收入（元）/ One payment of labour remuneration in yuan.
    #[arg(value_name = "PAYMENT", value_parser = parse_amount)]
    pub payment: Decimal,
    /// 以 JSON 输出 / Print the result as JSON.
    #[arg(long)]
    pub json: bool,
}

// ---------------------------------------------------------------------------------------------
// Argument and input parsing

const AMOUNT_HINT_ZH: &str = "须为不小于 0、最多两位小数的金额，如 30000 或 4500.50";
const AMOUNT_HINT_EN: &str = "must be an amount ≥ 0 with at most two decimals, e.g. 30000 or 4500.50";

fn parse_amount(s: &str) -> Result<Decimal, String> {
    match parse_money(s) {
        Some(d) if !d.is_sign_negative() || d.is_zero() => Ok(d),
        _ => Err(format!("{AMOUNT_HINT_ZH} / {AMOUNT_HINT_EN}")),
    }
}

fn parse_rate(s: &str) -> Result<Decimal, String> {
    match Decimal::from_str(s.trim()) {
        Ok(r) if (Decimal::ZERO..=Decimal::ONE).contains(&r) => Ok(r),
        _ => Err("比例须为 0 到 1 之间的小数，如 0.12 表示 12% / a rate between 0 and 1, e.g. 0.12 for 12%".into()),
    }
}

fn parse_month(s: &str) -> Result<NaiveDate, String> {
    NaiveDate::parse_from_str(&format!("{}-01", s.trim()), "%Y-%m-%d")
        .map_err(|_| "月份格式为 YYYY-MM，如 2025-07 / the month is YYYY-MM, e.g. 2025-07".into())
}

/// Bad input: exit code 2, every field named.
fn input_error(errors: &FieldErrors) -> AppError {
    let (mut zh, mut en) = (Vec::new(), Vec::new());
    for (field, msgs) in &errors.0 {
        for m in msgs {
            zh.push(format!("{field}：{}", m.zh));
            en.push(format!("{field}: {}", m.en));
        }
    }
    AppError::config(format!("输入有误：{}", zh.join("；")), format!("invalid input: {}", en.join("; ")))
}

fn field_error(field: &str, zh: impl Into<String>, en: impl Into<String>) -> AppError {
    let mut errors = FieldErrors::new();
    errors.add(field, bole_core::Msg::new(zh, en));
    input_error(&errors)
}

/// What the value was, briefly, for a message.
fn shown(v: &Value) -> String {
    let s = v.to_string();
    if s.chars().count() > 40 { format!("{}…", s.chars().take(40).collect::<String>()) } else { s }
}

/// An amount given as a JSON string ("30000", "4,500.50") or number (30000, 4500.5); null = 0.
fn json_amount(v: &Value, field: &str, errors: &mut FieldErrors) -> Decimal {
    let parsed = match v {
        Value::Null => Some(Decimal::ZERO),
        Value::String(s) => parse_money(s),
        Value::Number(n) => Decimal::from_str(&n.to_string()).ok().map(|d| d.normalize()).filter(|d| d.scale() <= 2),
        _ => None,
    };
    match parsed {
        Some(d) if !d.is_sign_negative() || d.is_zero() => d,
        _ => {
            errors.add(
                field,
                bole_core::Msg::new(
                    format!("{AMOUNT_HINT_ZH}（字符串或数字），收到 {}。", shown(v)),
                    format!("{AMOUNT_HINT_EN} (string or number), got {}", shown(v)),
                ),
            );
            Decimal::ZERO
        }
    }
}

/// The `calc iit` input: `{"year", "rule"?, "months": [{"month", "income"?, "exempt"?, "special"?,
/// "additional"?, "other"?}]}`. Unknown keys are refused so a misspelt amount is not silently 0.
pub fn parse_iit_input(text: &str) -> Result<(i32, WithholdingRule, Vec<MonthIncome>), AppError> {
    let root: Value = serde_json::from_str(text).map_err(|e| {
        AppError::config(format!("输入不是有效的 JSON：{e}"), format!("the input is not valid JSON: {e}"))
    })?;
    let Some(obj) = root.as_object() else {
        return Err(field_error("(root)", "输入须为 JSON 对象。", "The input must be a JSON object."));
    };
    let mut errors = FieldErrors::new();
    for key in obj.keys().filter(|k| !["year", "rule", "months"].contains(&k.as_str())) {
        errors.add(
            key.as_str(),
            bole_core::Msg::new(
                "未知字段（可用：year、rule、months）。",
                "Unknown field (expected year, rule, months).",
            ),
        );
    }
    let year = match obj.get("year").and_then(Value::as_i64).and_then(|y| i32::try_from(y).ok()) {
        Some(y) if (2019..=2100).contains(&y) => y,
        _ => {
            errors.add(
                "year",
                bole_core::Msg::new(
                    format!(
                        "须为 2019 年（累计预扣法实施）起的年份整数，收到 {}。",
                        obj.get("year").map(shown).unwrap_or_else(|| "（缺失）".into())
                    ),
                    "year is required: an integer from 2019 (when cumulative withholding began)",
                ),
            );
            0
        }
    };
    let rule = match obj.get("rule") {
        None | Some(Value::Null) => WithholdingRule::Standard,
        Some(v) => serde_json::from_value::<WithholdingRule>(v.clone()).unwrap_or_else(|_| {
            errors.add(
                "rule",
                bole_core::Msg::new(
                    format!(
                        "须为 \"standard\"、\"first_job_2020_13\" 或 \"prior_year_le_60000_2020_19\"，收到 {}。",
                        shown(v)
                    ),
                    "rule must be \"standard\", \"first_job_2020_13\" or \"prior_year_le_60000_2020_19\"",
                ),
            );
            WithholdingRule::Standard
        }),
    };
    let mut months = Vec::new();
    match obj.get("months") {
        Some(Value::Array(list)) => {
            if list.is_empty() {
                errors.add("months", bole_core::Msg::new("至少需要一个月份。", "At least one month is required."));
            }
            for (i, m) in list.iter().enumerate() {
                let Some(m) = m.as_object() else {
                    errors.add(format!("months[{i}]"), bole_core::Msg::new("须为对象。", "must be an object"));
                    continue;
                };
                const KEYS: [&str; 6] = ["month", "income", "exempt", "special", "additional", "other"];
                for key in m.keys().filter(|k| !KEYS.contains(&k.as_str())) {
                    errors.add(
                        format!("months[{i}].{key}"),
                        bole_core::Msg::new(
                            "未知字段（可用：month、income、exempt、special、additional、other）。",
                            "Unknown field (expected month, income, exempt, special, additional, other).",
                        ),
                    );
                }
                let month = match m.get("month").and_then(Value::as_u64).and_then(|n| u32::try_from(n).ok()) {
                    Some(n) => n,
                    None => {
                        errors.add(
                            format!("months[{i}].month"),
                            bole_core::Msg::new(
                                format!(
                                    "须为 1–12 的整数，收到 {}。",
                                    m.get("month").map(shown).unwrap_or_else(|| "（缺失）".into())
                                ),
                                "month is required: an integer 1–12",
                            ),
                        );
                        continue;
                    }
                };
                let mut amount =
                    |k: &str| json_amount(m.get(k).unwrap_or(&Value::Null), &format!("months[{i}].{k}"), &mut errors);
                months.push(MonthIncome {
                    month,
                    income: amount("income"),
                    exempt: amount("exempt"),
                    special: amount("special"),
                    additional: amount("additional"),
                    other: amount("other"),
                });
            }
        }
        other => errors.add(
            "months",
            bole_core::Msg::new(
                format!(
                    "须为月份数组（本单位任职的月份），收到 {}。",
                    other.map(shown).unwrap_or_else(|| "（缺失）".into())
                ),
                "months is required: an array of the months employed here",
            ),
        ),
    }
    if !errors.is_empty() {
        return Err(input_error(&errors));
    }
    // Only now: the domain's `months[i]` indexes match the input's when every month parsed.
    iit::validate_months(&months).map_err(|e| input_error(&e))?;
    Ok((year, rule, months))
}

// ---------------------------------------------------------------------------------------------
// Output

fn print_json<T: Serialize>(value: &T) -> Result<(), AppError> {
    let text = serde_json::to_string(value)
        .map_err(|e| AppError::failure(format!("无法输出 JSON：{e}"), format!("cannot print JSON: {e}")))?;
    println!("{text}");
    Ok(())
}

/// A tax rate as the tables print it: "0.03", "0.10", "0.45".
fn fmt_rate(r: Decimal) -> String {
    format!("{r:.2}")
}

/// A contribution rate, as short as exact: "0.16", "0.098", "0.005".
fn fmt_si_rate(r: Decimal) -> String {
    let n = r.normalize();
    if n.scale() < 2 { format!("{n:.2}") } else { n.to_string() }
}

/// Terminal columns a string takes (CJK and full-width characters take two).
fn width(s: &str) -> usize {
    s.chars().map(|c| if c >= '\u{1100}' { 2 } else { 1 }).sum()
}

fn pad(s: &str, w: usize) -> String {
    format!("{}{s}", " ".repeat(w.saturating_sub(width(s))))
}

fn print_table(header: &[&str], rows: &[Vec<String>]) {
    let cols = header.len();
    let widths: Vec<usize> = (0..cols)
        .map(|c| rows.iter().map(|r| r.get(c).map_or(0, |s| width(s))).chain([width(header[c])]).max().unwrap_or(0))
        .collect();
    let line = |cells: Vec<String>| {
        cells.iter().enumerate().map(|(c, s)| pad(s, widths[c])).collect::<Vec<_>>().join("  ").trim_end().to_string()
    };
    println!("{}", line(header.iter().map(|s| s.to_string()).collect()));
    for r in rows {
        println!("{}", line(r.clone()));
    }
}

#[derive(Serialize)]
struct IitMonthOut {
    month: u32,
    cumulative_basic_deduction: String,
    cumulative_taxable: String,
    rate: String,
    quick_deduction: String,
    cumulative_tax: String,
    withhold: String,
}

#[derive(Serialize)]
struct IitOut {
    months: Vec<IitMonthOut>,
    year_total: String,
}

fn rule_zh(rule: WithholdingRule) -> &'static str {
    match rule {
        WithholdingRule::Standard => "标准：累计减除费用 = 5,000 元 × 本年在本单位任职月份数",
        WithholdingRule::FirstJob2020_13 => "公告2020年第13号：年内首次取得工资，累计减除费用自 1 月起计算",
        WithholdingRule::PriorYearLe60000_2020_19 => {
            "公告2020年第19号：上年在本单位各月取得工资且全年不超过 6 万元，累计减除费用自 1 月起按 6 万元"
        }
    }
}

pub fn calc_iit(args: &CalcIitArgs) -> Result<ExitCode, AppError> {
    let text = match &args.file {
        Some(path) => std::fs::read_to_string(path).map_err(|e| {
            AppError::config(
                format!("无法读取输入文件 {}：{e}", path.display()),
                format!("cannot read the input file {}: {e}", path.display()),
            )
        })?,
        None => {
            let mut s = String::new();
            std::io::stdin().read_to_string(&mut s).map_err(|e| {
                AppError::config(format!("无法读取标准输入：{e}"), format!("cannot read standard input: {e}"))
            })?;
            s
        }
    };
    let (year, rule, months) = parse_iit_input(&text)?;
    let result = iit::cumulative_year(year, rule, &months);
    if args.json {
        print_json(&IitOut {
            months: result
                .months
                .iter()
                .map(|m| IitMonthOut {
                    month: m.month,
                    cumulative_basic_deduction: fmt_fen(m.cumulative_basic_deduction),
                    cumulative_taxable: fmt_fen(m.cumulative_taxable),
                    rate: fmt_rate(m.rate),
                    quick_deduction: fmt_fen(m.quick_deduction),
                    cumulative_tax: fmt_fen(m.cumulative_tax),
                    withhold: fmt_fen(m.withhold),
                })
                .collect(),
            year_total: fmt_fen(result.year_total),
        })?;
    } else {
        println!("{year}年 工资薪金个人所得税累计预扣预缴（{}）", rule_zh(rule));
        let header = [
            "月份",
            "累计收入",
            "累计免税收入",
            "累计减除费用",
            "累计专项扣除",
            "累计专项附加扣除",
            "累计其他扣除",
            "累计应纳税所得额",
            "预扣率",
            "速算扣除数",
            "累计应纳税额",
            "累计已预扣",
            "本月应预扣",
        ];
        let rows: Vec<Vec<String>> = result
            .months
            .iter()
            .map(|m| {
                vec![
                    format!("{}月", m.month),
                    fmt_fen(m.cumulative_income),
                    fmt_fen(m.cumulative_exempt),
                    fmt_fen(m.cumulative_basic_deduction),
                    fmt_fen(m.cumulative_special),
                    fmt_fen(m.cumulative_additional),
                    fmt_fen(m.cumulative_other),
                    fmt_fen(m.cumulative_taxable),
                    format!("{}%", (m.rate * Decimal::ONE_HUNDRED).normalize()),
                    fmt_fen(m.quick_deduction),
                    fmt_fen(m.cumulative_tax),
                    fmt_fen(m.withheld_before),
                    fmt_fen(m.withhold),
                ]
            })
            .collect();
        print_table(&header, &rows);
        println!("全年预扣合计：{} 元（余额为负时暂不退税，由年度汇算清缴多退少补）", fmt_fen(result.year_total));
    }
    Ok(ExitCode::SUCCESS)
}

#[derive(Serialize)]
struct SiPolicyOut<'a> {
    city: &'a str,
    name: &'a str,
    valid_from: NaiveDate,
    valid_to: Option<NaiveDate>,
    source_url: &'a str,
    confidence: &'a str,
}

#[derive(Serialize)]
struct SiLineOut {
    kind: &'static str,
    name: &'static str,
    base: String,
    employee_rate: String,
    employer_rate: String,
    employee: String,
    employer: String,
}

#[derive(Serialize)]
struct SiTotalsOut {
    employee_si: String,
    employer_si: String,
    employee_hf: String,
    employer_hf: String,
    employee: String,
    employer: String,
    /// The IIT-deductible part (专项扣除).
    deductible: String,
}

#[derive(Serialize)]
struct SiOut<'a> {
    month: String,
    policy: SiPolicyOut<'a>,
    lines: Vec<SiLineOut>,
    totals: SiTotalsOut,
}

/// "beijing（北京市 2024年度…：2024-07-01 起；…）" for each known city.
fn known_cities(policies: &[SiPolicy]) -> (String, String) {
    let mut cities: Vec<&str> = policies.iter().map(|p| p.city.as_str()).collect();
    cities.dedup();
    let describe = |city: &str| {
        let periods: Vec<String> = policies
            .iter()
            .filter(|p| p.city == city)
            .map(|p| match p.valid_to {
                Some(to) => {
                    format!("{} 至 {}", p.valid_from.format("%Y-%m"), (to - chrono::Days::new(1)).format("%Y-%m"))
                }
                None => format!("{} 起", p.valid_from.format("%Y-%m")),
            })
            .collect();
        format!("{city}（{}）", periods.join("、"))
    };
    let zh = cities.iter().map(|c| describe(c)).collect::<Vec<_>>().join("，");
    let en = cities.join(", ");
    (zh, en)
}

pub fn calc_si(args: &CalcSiArgs) -> Result<ExitCode, AppError> {
    let policies = si::builtin_policies();
    let month = args.month.format("%Y-%m").to_string();
    let Some(policy) = si::policy_for(&policies, &args.city, args.month) else {
        let (zh, en) = known_cities(&policies);
        return Err(AppError::config(
            format!("没有城市 {} 在 {month} 生效的内置社保公积金政策。已知城市：{zh}。", args.city),
            format!("No built-in SI/HF policy for {} in {month}. Known cities: {en}.", args.city),
        ));
    };
    let bases = SiBases {
        si_base: args.base,
        hf_base: args.hf_base,
        hf_rate_employee: args.hf_rate,
        hf_rate_employer: args.hf_rate_employer.or(args.hf_rate),
        si_enrolled: true,
        hf_enrolled: true,
    };
    let r = si::contributions(policy, &bases).map_err(|e| input_error(&e))?;
    if args.json {
        print_json(&SiOut {
            month,
            policy: SiPolicyOut {
                city: &policy.city,
                name: &policy.name,
                valid_from: policy.valid_from,
                valid_to: policy.valid_to,
                source_url: &policy.source_url,
                confidence: &policy.confidence,
            },
            lines: r
                .lines
                .iter()
                .map(|l| SiLineOut {
                    kind: l.kind.code(),
                    name: l.kind.name_zh(),
                    base: fmt_fen(l.base),
                    employee_rate: fmt_si_rate(l.employee_rate),
                    employer_rate: fmt_si_rate(l.employer_rate),
                    employee: fmt_fen(l.employee),
                    employer: fmt_fen(l.employer),
                })
                .collect(),
            totals: SiTotalsOut {
                employee_si: fmt_fen(r.employee_si),
                employer_si: fmt_fen(r.employer_si),
                employee_hf: fmt_fen(r.employee_hf),
                employer_hf: fmt_fen(r.employer_hf),
                employee: fmt_fen(r.employee_si + r.employee_hf),
                employer: fmt_fen(r.employer_si + r.employer_hf),
                deductible: fmt_fen(r.deductible),
            },
        })?;
    } else {
        println!("{}（{} 适用）", policy.name, month);
        let pct = |r: Decimal| format!("{}%", (r * Decimal::ONE_HUNDRED).normalize());
        let rows: Vec<Vec<String>> = r
            .lines
            .iter()
            .map(|l| {
                vec![
                    l.kind.name_zh().to_string(),
                    fmt_fen(l.base),
                    pct(l.employee_rate),
                    fmt_fen(l.employee),
                    pct(l.employer_rate),
                    fmt_fen(l.employer),
                ]
            })
            .collect();
        print_table(&["项目", "缴费基数", "个人比例", "个人缴纳", "单位比例", "单位缴纳"], &rows);
        println!(
            "个人合计：{} 元（社保 {}，公积金 {}）；单位合计：{} 元（社保 {}，公积金 {}）",
            fmt_fen(r.employee_si + r.employee_hf),
            fmt_fen(r.employee_si),
            fmt_fen(r.employee_hf),
            fmt_fen(r.employer_si + r.employer_hf),
            fmt_fen(r.employer_si),
            fmt_fen(r.employer_hf)
        );
        println!("个税专项扣除：{} 元", fmt_fen(r.deductible));
        println!("来源：{}", policy.source_url);
        println!("可信度：{}", policy.confidence);
    }
    Ok(ExitCode::SUCCESS)
}

#[derive(Serialize)]
struct BonusOut {
    monthly_equivalent: String,
    rate: String,
    quick_deduction: String,
    tax: String,
}

pub fn calc_bonus(args: &CalcBonusArgs) -> Result<ExitCode, AppError> {
    let year = args.year.unwrap_or_else(|| SystemClock::default().today().year());
    let b = iit::annual_bonus(year, args.amount).map_err(|e| input_error(&e))?;
    if args.json {
        print_json(&BonusOut {
            monthly_equivalent: fmt_fen(b.monthly_equivalent),
            rate: fmt_rate(b.rate),
            quick_deduction: fmt_fen(b.quick_deduction),
            tax: fmt_fen(b.tax),
        })?;
    } else {
        println!("{year}年 全年一次性奖金单独计税（按月换算后的综合所得税率表）");
        println!("奖金：{} 元，除以 12：{} 元", fmt_fen(args.amount), fmt_fen(b.monthly_equivalent));
        println!(
            "税率：{}%，速算扣除数：{} 元（只减一次）",
            (b.rate * Decimal::ONE_HUNDRED).normalize(),
            fmt_fen(b.quick_deduction)
        );
        println!("应纳税额：{} 元，税后奖金：{} 元", fmt_fen(b.tax), fmt_fen(args.amount - b.tax));
    }
    Ok(ExitCode::SUCCESS)
}

#[derive(Serialize)]
struct LabourOut {
    taxable: String,
    rate: String,
    quick_deduction: String,
    tax: String,
}

pub fn calc_labor(args: &CalcLaborArgs) -> Result<ExitCode, AppError> {
    let l = iit::labour_remuneration(args.payment);
    if args.json {
        print_json(&LabourOut {
            taxable: fmt_fen(l.taxable),
            rate: fmt_rate(l.rate),
            quick_deduction: fmt_fen(l.quick_deduction),
            tax: fmt_fen(l.tax),
        })?;
    } else {
        let rule = if args.payment <= Decimal::from(4_000) { "收入 − 800" } else { "收入 × 80%" };
        println!("劳务报酬（按次预扣，预扣率表二）：收入 {} 元", fmt_fen(args.payment));
        println!("预扣预缴应纳税所得额：{} 元（{rule}）", fmt_fen(l.taxable));
        println!(
            "预扣率：{}%，速算扣除数：{} 元，预扣税额：{} 元",
            (l.rate * Decimal::ONE_HUNDRED).normalize(),
            fmt_fen(l.quick_deduction),
            fmt_fen(l.tax)
        );
    }
    Ok(ExitCode::SUCCESS)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn amounts_may_be_strings_or_numbers_and_absent_fields_are_zero() {
        let (year, rule, months) = parse_iit_input(
            r#"{"year":2025,"months":[{"month":1,"income":"30,000","special":4500.5},{"month":2,"income":30000}]}"#,
        )
        .map_err(|e| e.msg.zh)
        .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!((year, rule), (2025, WithholdingRule::Standard));
        assert_eq!(months[0].income, Decimal::from(30_000));
        assert_eq!(months[0].special, Decimal::new(45_005, 1));
        assert_eq!(months[1].additional, Decimal::ZERO);
    }

    #[test]
    fn bad_input_names_the_field() {
        let err = |text: &str| parse_iit_input(text).err().map(|e| e.msg.zh).unwrap_or_default();
        assert!(err(r#"{"year":2025,"months":[{"month":1,"income":"abc"}]}"#).contains("months[0].income"));
        assert!(err(r#"{"year":2025,"months":[{"month":1,"incom":"1"}]}"#).contains("months[0].incom"));
        assert!(err(r#"{"year":2025,"months":[{"month":13}]}"#).contains("months[0].month"));
        assert!(err(r#"{"year":2025,"months":[{"month":3},{"month":2}]}"#).contains("months[1].month"));
        assert!(err(r#"{"year":2025,"rule":"x","months":[{"month":1}]}"#).contains("rule"));
        assert!(err(r#"{"months":[{"month":1}]}"#).contains("year"));
        assert!(err(r#"{"year":2025,"months":[{"month":1,"income":"1.234"}]}"#).contains("months[0].income"));
        assert!(err(r#"{"year":2025,"months":[{"month":1,"income":-5}]}"#).contains("months[0].income"));
        assert!(err("not json").contains("JSON"));
    }

    #[test]
    fn rates_print_as_the_tables_do() {
        assert_eq!(fmt_rate(Decimal::new(1, 1)), "0.10");
        assert_eq!(fmt_si_rate(Decimal::new(98, 3)), "0.098");
        assert_eq!(fmt_si_rate(Decimal::new(16, 2)), "0.16");
        assert_eq!(fmt_si_rate(Decimal::ZERO), "0.00");
    }
}
