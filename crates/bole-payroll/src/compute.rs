//! The pure computation of one employee's pay for a run, and of a whole run in parallel:
//! earnings by structure (fixed amounts and formulas), proration for joiners and leavers on the
//! 21.75 计薪日 base, unpaid-leave and absence deductions, overtime at 150 / 200 / 300 % of the
//! hourly base, adjustments, SI/HF by city policy, IIT cumulative withholding with declared
//! special additional deductions and the separately-taxed annual bonus, net pay.
//! Deterministic: the same inputs give byte-identical payslips (the idempotence of a recompute).
//!
//! Order for one employee:
//! 1. structure items in order — `Fixed`: the assignment's amount for the code (the structure's
//!    first Base-category fixed item falls back to `base_salary`), prorated when its category is
//!    Base or Allowance; `Formula`: evaluated over the month's variables and the lines above;
//! 2. system lines from attendance (`OVERTIME`, `UNPAID_LEAVE`, `ABSENCE`) unless the structure
//!    has an item of that code, and only when an attendance summary exists;
//! 3. adjustments, added to the line of their component (created when absent);
//! 4. gross = earnings − pre-tax deductions;
//! 5. SI/HF from the city policy in force on the period's first day;
//! 6. IIT: cumulative withholding on the month's wages (the annual bonus aside when taxed
//!    separately) plus the separate bonus tax;
//! 7. net = gross − every after-tax deduction (employee SI, HF, IIT, others).
//!
//! Rounding: every line is rounded once, to the fen, half away from zero; totals are sums of
//! rounded lines, so a payslip always adds up. Proration, overtime and deductions are computed
//! from minutes and the monthly base in one expression and rounded at the end.
//!
//! Error messages never contain salary figures (they go to reports and logs).

use crate::defaults::{self, ABSENCE, OVERTIME, UNPAID_LEAVE};
use crate::error::PayrollError;
use crate::formula::{self, CompiledFormula, FormulaEngine, Vars};
use crate::iit::{self, Cumulative, MonthIncome};
use crate::model::*;
use crate::money::round_fen;
use crate::si::{self, SiBases};
use bole_core::{FieldErrors, Msg};
use bole_time::DayKind;
use chrono::{Datelike, NaiveDate};
use rayon::prelude::*;
use rust_decimal::Decimal;
use std::collections::{BTreeMap, HashMap};
use uuid::Uuid;

/// 月计薪天数 (人社部发〔2025〕2号): the divisor of daily and hourly wages and of proration.
const PAY_DAYS: Decimal = Decimal::from_parts(2175, 0, 0, false, 2);
/// A working day in minutes (8 hours), as attendance counts leave.
const DAY_MINUTES: u32 = 480;

fn dec(n: u32) -> Decimal {
    Decimal::from(n)
}

/// Round to the fen and show two decimals ("555.00"), so serialised payslips are uniform.
fn fen(d: Decimal) -> Decimal {
    let mut r = round_fen(d);
    r.rescale(2);
    r
}

/// What a line needs to know about its component.
#[derive(Clone, Debug)]
struct ComponentInfo {
    name: String,
    kind: ComponentKind,
    category: ComponentCategory,
    taxable: bool,
    on_payslip: bool,
}

impl From<&PayComponent> for ComponentInfo {
    fn from(c: &PayComponent) -> Self {
        ComponentInfo {
            name: c.name.clone(),
            kind: c.kind,
            category: c.category,
            taxable: c.taxable,
            on_payslip: c.on_payslip,
        }
    }
}

#[derive(Debug)]
enum CompiledSource {
    Fixed,
    Formula(CompiledFormula),
}

#[derive(Debug)]
struct CompiledItem {
    code: String,
    info: ComponentInfo,
    source: CompiledSource,
    /// The structure's base item: falls back to the assignment's base salary.
    is_base: bool,
}

#[derive(Debug)]
struct CompiledStructure {
    items: Vec<CompiledItem>,
}

/// A run's structures compiled once (formulas parsed to ASTs), with its context.
pub struct CompiledRun {
    pub ctx: RunContext,
    structures: HashMap<Uuid, CompiledStructure>,
    /// The company's components by code, completed by the defaults for system codes.
    components: HashMap<String, ComponentInfo>,
    engine: &'static FormulaEngine,
    /// Per day of the period: is it a paid day (计薪日: workday or statutory holiday)?
    paid_day: BTreeMap<NaiveDate, bool>,
}

impl std::fmt::Debug for CompiledRun {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CompiledRun").field("period", &self.ctx.period).finish_non_exhaustive()
    }
}

/// Compile every structure of the context; `FormulaInvalid` names the structure and item
/// (`structures[CODE].items[N].formula`). A structure that no assignment points to still has to
/// compile: it is in force this month. Missing structures are per-employee errors instead.
pub fn prepare(ctx: RunContext) -> Result<CompiledRun, PayrollError> {
    let mut components: HashMap<String, ComponentInfo> =
        defaults::default_components(ctx.company_id).iter().map(|c| (c.code.clone(), ComponentInfo::from(c))).collect();
    for c in &ctx.components {
        components.insert(c.code.clone(), ComponentInfo::from(c));
    }

    let month_vars = formula::month_variable_names();
    let mut errors = FieldErrors::new();
    let mut structures = HashMap::new();
    for s in &ctx.structures {
        let mut items = Vec::with_capacity(s.items.len());
        let mut above: Vec<&str> = Vec::new();
        let mut base_taken = false;
        for (n, item) in s.items.iter().enumerate() {
            let code = item.component_code.as_str();
            let Some(info) = components.get(code).cloned() else {
                errors.add(
                    format!("structures[{}].items[{n}].component_code", s.code),
                    Msg::new(
                        format!("薪资结构 {} 的项目 {code} 不存在。", s.code),
                        format!("Structure {}: the component {code} does not exist.", s.code),
                    ),
                );
                continue;
            };
            let source = match &item.source {
                ItemSource::Fixed => CompiledSource::Fixed,
                ItemSource::Formula { formula: src } => {
                    let vars: Vec<&str> = month_vars.iter().copied().chain(above.iter().copied()).collect();
                    match formula::compile(src, &vars) {
                        Ok(f) => CompiledSource::Formula(f),
                        Err(m) => {
                            errors.add(
                                format!("structures[{}].items[{n}].formula", s.code),
                                Msg::new(
                                    format!("薪资结构 {} 的项目 {code}：{}", s.code, m.zh),
                                    format!("Structure {}, item {code}: {}", s.code, m.en),
                                ),
                            );
                            continue;
                        }
                    }
                }
            };
            let is_base = !base_taken
                && matches!(source, CompiledSource::Fixed)
                && info.category == ComponentCategory::Base
                && info.kind == ComponentKind::Earning;
            base_taken |= is_base;
            items.push(CompiledItem { code: code.to_string(), info, source, is_base });
            above.push(code);
        }
        structures.insert(s.id, CompiledStructure { items });
    }
    if !errors.is_empty() {
        return Err(PayrollError::FormulaInvalid(errors));
    }

    let mut paid_day = BTreeMap::new();
    let mut d = ctx.first_day;
    while d <= ctx.last_day {
        paid_day.insert(d, is_weekday(d));
        match d.succ_opt() {
            Some(next) => d = next,
            None => break,
        }
    }
    for (day, kind) in &ctx.days {
        if paid_day.contains_key(day) {
            paid_day.insert(*day, matches!(kind, DayKind::Workday | DayKind::Holiday { statutory: true }));
        }
    }
    Ok(CompiledRun { ctx, structures, components, engine: formula::shared(), paid_day })
}

/// Without a calendar entry, Monday to Friday are the paid days.
fn is_weekday(d: NaiveDate) -> bool {
    d.weekday().number_from_monday() <= 5
}

fn item_error(code: &str, zh: String) -> ItemError {
    ItemError { code: code.to_string(), message: zh }
}

/// The payslip's lines, merged by code in first-seen order.
#[derive(Default)]
struct Lines {
    lines: Vec<PayLine>,
    /// Component flags the totals need, parallel to `lines`.
    taxable: Vec<bool>,
    /// Only informational helpers are dropped from the payslip: a hidden line that moved money
    /// would leave a payslip whose lines do not add up to its totals.
    hidden: Vec<bool>,
    index: HashMap<String, usize>,
}

impl Lines {
    fn has(&self, code: &str) -> bool {
        self.index.contains_key(code)
    }

    /// Add `amount` (rounded) to the line `code`, creating it with `info` when absent.
    fn add(&mut self, code: &str, info: &ComponentInfo, amount: Decimal, note: Option<String>) {
        match self.index.get(code) {
            Some(&i) => {
                let l = &mut self.lines[i];
                l.amount = fen(l.amount + amount);
                if l.note.is_none() {
                    l.note = note;
                }
            }
            None => {
                self.index.insert(code.to_string(), self.lines.len());
                self.lines.push(PayLine {
                    code: code.to_string(),
                    name: info.name.clone(),
                    kind: info.kind,
                    category: info.category,
                    amount: fen(amount),
                    note,
                });
                self.taxable.push(info.taxable);
                self.hidden.push(!info.on_payslip && info.kind == ComponentKind::Info);
            }
        }
    }

    fn amount(&self, code: &str) -> Decimal {
        self.index.get(code).map_or(Decimal::ZERO, |&i| self.lines[i].amount)
    }

    fn sum(&self, pred: impl Fn(&PayLine, bool) -> bool) -> Decimal {
        self.lines.iter().zip(&self.taxable).filter(|(l, t)| pred(l, **t)).map(|(l, _)| l.amount).sum()
    }
}

/// "7162" → "7,162.00".
fn fmt_money(d: Decimal) -> String {
    let s = format!("{:.2}", d.abs());
    let (int, frac) = s.split_once('.').unwrap_or((&s, "00"));
    let mut out = String::new();
    for (i, ch) in int.chars().enumerate() {
        if i > 0 && (int.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(ch);
    }
    format!("{}{out}.{frac}", if d.is_sign_negative() && !d.is_zero() { "-" } else { "" })
}

/// 0.005 → "0.5%".
fn fmt_rate(r: Decimal) -> String {
    format!("{}%", (r * Decimal::ONE_HUNDRED).normalize())
}

/// "12.5" without trailing zeros.
fn fmt_num(d: Decimal) -> String {
    d.round_dp(2).normalize().to_string()
}

/// The month's facts, before money.
struct Month {
    employed_days: u32,
    days_in_month: u32,
    paid_days: u32,
    full_paid_days: u32,
    whole_month: bool,
    proration: Decimal,
    months_here: u32,
    period_counted: bool,
}

fn month_facts(run: &CompiledRun, input: &EmployeeInput) -> Month {
    let ctx = &run.ctx;
    let from = input.person.employed_from.max(ctx.first_day);
    let to = input.person.employed_to.min(ctx.last_day);
    let employed_days = if to >= from { (to - from).num_days() as u32 + 1 } else { 0 };
    let days_in_month = (ctx.last_day - ctx.first_day).num_days() as u32 + 1;
    let full_paid_days = run.paid_day.values().filter(|p| **p).count() as u32;
    let paid_days = if to >= from { run.paid_day.range(from..=to).filter(|(_, p)| **p).count() as u32 } else { 0 };
    let whole_month = from <= ctx.first_day && to >= ctx.last_day;
    let proration = if whole_month { Decimal::ONE } else { (dec(paid_days) / PAY_DAYS).min(Decimal::ONE) };
    let period_counted = input.ytd.periods.iter().any(|p| p == &ctx.period);
    let months_here = input.ytd.months_here + u32::from(!period_counted);
    Month {
        employed_days,
        days_in_month,
        paid_days,
        full_paid_days,
        whole_month,
        proration,
        months_here,
        period_counted,
    }
}

/// One employee's payslip, or why they cannot be paid.
pub fn compute_employee(run: &CompiledRun, input: &EmployeeInput) -> Result<Payslip, ItemError> {
    let ctx = &run.ctx;
    let Some(salary) = &input.salary else {
        return Err(item_error("no_salary_assignment", "本月没有有效的薪资档案，请先为该员工建立薪资档案。".into()));
    };
    let Some(structure) = run.structures.get(&salary.structure_id) else {
        return Err(item_error(
            "structure_missing",
            "薪资档案引用的薪资结构在本月不存在或未生效，请检查薪资档案或薪资结构。".into(),
        ));
    };
    let m = month_facts(run, input);
    let base = salary.base_salary;
    let att = input.attendance.as_ref();

    // Attendance quantities stay in minutes until the final product so nothing is rounded early.
    let unpaid_minutes = att.map_or(0, |a| a.leave_unpaid_minutes);
    let absent_days = att.map_or(0, |a| a.absent_days);
    let (ot_wd, ot_rest, ot_hol, ot_comp) = att.map_or((0, 0, 0, 0), |a| {
        (a.overtime_workday.pay, a.overtime_rest_day.pay, a.overtime_holiday.pay, a.comprehensive_excess_minutes)
    });
    let hours = |min: u32| dec(min) / dec(60);

    let mut vars = Vars::new();
    vars.set_decimal("base", base)
        .set_decimal("daily_wage", base / PAY_DAYS)
        .set_decimal("hourly_wage", base / PAY_DAYS / dec(8))
        .set_decimal("paid_days", dec(m.paid_days))
        .set_decimal("full_paid_days", dec(m.full_paid_days))
        .set_decimal("proration", m.proration)
        .set_int("employed_days", i64::from(m.employed_days))
        .set_int("days_in_month", i64::from(m.days_in_month))
        .set_int("scheduled_days", i64::from(att.map_or(0, |a| a.scheduled_days)))
        .set_int("present_days", i64::from(att.map_or(0, |a| a.present_days)))
        .set_int("absent_days", i64::from(absent_days))
        .set_int("late_count", i64::from(att.map_or(0, |a| a.late_count)))
        .set_int("late_minutes", i64::from(att.map_or(0, |a| a.late_minutes)))
        .set_int("early_count", i64::from(att.map_or(0, |a| a.early_count)))
        .set_int("missing_punches", i64::from(att.map_or(0, |a| a.missing_punches)))
        .set_decimal("unpaid_leave_days", dec(unpaid_minutes) / dec(DAY_MINUTES))
        .set_decimal("overtime_workday_hours", hours(ot_wd))
        .set_decimal("overtime_rest_day_hours", hours(ot_rest))
        .set_decimal("overtime_holiday_hours", hours(ot_hol))
        .set_int("months_here", i64::from(m.months_here));

    // (1) structure items.
    let mut lines = Lines::default();
    for item in &structure.items {
        let (amount, note) = match &item.source {
            CompiledSource::Fixed => {
                let raw = salary.fixed.get(&item.code).copied().or(item.is_base.then_some(base)).unwrap_or_default();
                let prorate = matches!(item.info.category, ComponentCategory::Base | ComponentCategory::Allowance);
                if prorate && !m.whole_month {
                    let note = format!("按计薪天数折算 {}/21.75 天", m.paid_days);
                    (raw * m.proration, Some(note))
                } else {
                    (raw, None)
                }
            }
            CompiledSource::Formula(f) => {
                let v = f.eval(run.engine, &mut vars).map_err(|e| {
                    item_error(
                        "formula_failed",
                        format!("薪资项目 {}（{}）的公式计算失败：{}", item.code, item.info.name, e.zh),
                    )
                })?;
                (v, None)
            }
        };
        lines.add(&item.code, &item.info, amount, note);
        let shown = lines.amount(&item.code);
        vars.set_decimal(&item.code, shown);
    }

    // (2) system lines from attendance.
    if att.is_some() {
        let ot_units = Decimal::new(15, 1) * dec(ot_wd + ot_comp) + dec(2) * dec(ot_rest) + dec(3) * dec(ot_hol);
        if !lines.has(OVERTIME) && !ot_units.is_zero() {
            let amount = base * ot_units / (PAY_DAYS * dec(8) * dec(60));
            let mut parts = Vec::new();
            if ot_wd + ot_comp > 0 {
                parts.push(format!("工作日 {} 小时 × 150%", fmt_num(hours(ot_wd + ot_comp))));
            }
            if ot_rest > 0 {
                parts.push(format!("休息日 {} 小时 × 200%", fmt_num(hours(ot_rest))));
            }
            if ot_hol > 0 {
                parts.push(format!("法定节假日 {} 小时 × 300%", fmt_num(hours(ot_hol))));
            }
            lines.add(OVERTIME, &run.info(OVERTIME), amount, Some(parts.join("；")));
        }
        if !lines.has(UNPAID_LEAVE) && unpaid_minutes > 0 {
            let amount = base * dec(unpaid_minutes) / (PAY_DAYS * dec(DAY_MINUTES));
            let note = format!("{} 天 × 日工资", fmt_num(dec(unpaid_minutes) / dec(DAY_MINUTES)));
            lines.add(UNPAID_LEAVE, &run.info(UNPAID_LEAVE), amount, Some(note));
        }
        if !lines.has(ABSENCE) && absent_days > 0 {
            let amount = base * dec(absent_days) / PAY_DAYS;
            lines.add(ABSENCE, &run.info(ABSENCE), amount, Some(format!("{absent_days} 天 × 日工资")));
        }
    }

    // (3) adjustments.
    let mut adjustment_ids = Vec::new();
    for adj in input.adjustments.iter().filter(|a| a.status != AdjustmentStatus::Cancelled) {
        let Some(info) = run.components.get(&adj.component_code) else {
            return Err(item_error(
                "adjustment_invalid",
                format!("薪资调整引用的薪资项目 {} 不存在，请修改或取消该调整。", adj.component_code),
            ));
        };
        lines.add(&adj.component_code, info, adj.amount, None);
        adjustment_ids.push(adj.id);
    }

    // (4) gross.
    let earnings = lines.sum(|l, _| l.kind == ComponentKind::Earning);
    let pre_tax = lines.sum(|l, _| l.kind == ComponentKind::PreTaxDeduction);
    let gross = earnings - pre_tax;

    // (5) SI/HF.
    let enrol = &salary.si;
    let mut special = Decimal::ZERO;
    let mut si_lines = Vec::new();
    if enrol.si_enrolled || enrol.hf_enrolled {
        let Some(policy) = si::policy_for(&ctx.si_policies, &enrol.city, ctx.first_day) else {
            return Err(item_error(
                "si_policy_missing",
                format!("没有城市 {} 在本月生效的社保公积金政策，请先在“社保政策”中录入。", enrol.city),
            ));
        };
        let bases = SiBases::from(enrol);
        let result = si::contributions(policy, &bases).map_err(|e| {
            let detail = e.0.values().flatten().next().map(|m| m.zh.clone()).unwrap_or_default();
            item_error("si_enrolment_invalid", format!("社保公积金参保信息有误：{detail}"))
        })?;
        for l in &result.lines {
            let (ee, er) = defaults::si_codes(l.kind);
            if !l.employee.is_zero() {
                let note = (!l.employee_rate.is_zero())
                    .then(|| format!("基数 {} × {}", fmt_money(l.base), fmt_rate(l.employee_rate)));
                lines.add(ee, &run.info(ee), l.employee, note);
            }
            if !l.employer.is_zero() {
                let note = (!l.employer_rate.is_zero())
                    .then(|| format!("基数 {} × {}", fmt_money(l.base), fmt_rate(l.employer_rate)));
                lines.add(er, &run.info(er), l.employer, note);
            }
        }
        special = result.deductible;
        si_lines = result.lines;
    }

    // (6) IIT.
    let profile = input.tax_profile.as_ref().filter(|p| p.year == ctx.year);
    let rule = profile.map(|p| p.rule).unwrap_or_default();
    let bonus_total =
        lines.sum(|l, _| l.kind == ComponentKind::Earning && l.category == ComponentCategory::AnnualBonus);
    let separate_bonus = bonus_total > Decimal::ZERO
        && iit::separate_bonus_available(ctx.year)
        && !profile.is_some_and(|p| p.merge_annual_bonus)
        && !input.ytd.annual_bonus_used;
    let wage = |l: &PayLine| {
        l.kind == ComponentKind::Earning && !(separate_bonus && l.category == ComponentCategory::AnnualBonus)
    };
    // 61号: 累计收入 − 累计免税收入 — exempt pay is counted in income and taken out again.
    let income = lines.sum(|l, _| wage(l)) - pre_tax;
    let exempt = lines.sum(|l, taxable| wage(l) && (!taxable || l.category == ComponentCategory::TaxExempt));
    let additional = iit::additional_for_month(&input.declarations, ctx.year, ctx.month);
    let additional_sum: Decimal = additional.values().copied().sum();
    let ytd = &input.ytd;
    let before = Cumulative {
        // A second run in a month already counted must not add a month of basic deduction.
        months_here: if m.period_counted { ytd.months_here.saturating_sub(1) } else { ytd.months_here },
        income: ytd.income,
        exempt: ytd.exempt,
        special: ytd.special,
        additional: ytd.additional,
        other: ytd.other,
        withheld: ytd.withheld,
    };
    let this =
        MonthIncome { month: ctx.month, income, exempt, special, additional: additional_sum, other: Decimal::ZERO };
    let (w, _) = iit::withhold_month(ctx.year, rule, &before, &this);
    let bonus = if separate_bonus {
        let b = iit::annual_bonus(ctx.year, bonus_total).map_err(|_| {
            item_error("annual_bonus_invalid", "全年一次性奖金无法单独计税，请在个税设置中选择并入综合所得。".into())
        })?;
        Some(b)
    } else {
        None
    };
    let bonus_tax = bonus.as_ref().map_or(Decimal::ZERO, |b| b.tax);
    let iit_note = bonus.as_ref().map(|_| "含全年一次性奖金单独计税".to_string());
    lines.add(defaults::IIT, &run.info(defaults::IIT), w.withhold + bonus_tax, iit_note);

    let mut cumulative_by_kind = ytd.additional_by_kind.clone();
    for (k, v) in &additional {
        *cumulative_by_kind.entry(*k).or_insert(Decimal::ZERO) += *v;
    }
    let tax = TaxWorking {
        rule: Some(rule),
        income: fen(income),
        exempt: fen(exempt),
        special: fen(special),
        additional: additional.iter().map(|(k, v)| (*k, fen(*v))).collect(),
        other: fen(Decimal::ZERO),
        cumulative_income: fen(w.cumulative_income),
        cumulative_exempt: fen(w.cumulative_exempt),
        cumulative_basic_deduction: fen(w.cumulative_basic_deduction),
        cumulative_special: fen(w.cumulative_special),
        cumulative_additional: fen(w.cumulative_additional),
        cumulative_additional_by_kind: cumulative_by_kind.into_iter().map(|(k, v)| (k, fen(v))).collect(),
        cumulative_other: fen(w.cumulative_other),
        cumulative_taxable: fen(w.cumulative_taxable),
        rate: w.rate,
        quick_deduction: fen(w.quick_deduction),
        cumulative_tax: fen(w.cumulative_tax),
        withheld_before: fen(w.withheld_before),
        withhold: fen(w.withhold),
        months_here: w.months_here,
        annual_bonus: separate_bonus.then(|| fen(bonus_total)),
        annual_bonus_tax: bonus.as_ref().map(|b| fen(b.tax)),
    };

    // (7) net and employer cost, from the rounded lines.
    let is_ded = |l: &PayLine| l.kind == ComponentKind::Deduction;
    let employee_si = lines.sum(|l, _| is_ded(l) && l.category == ComponentCategory::SocialInsurance);
    let employee_hf = lines.sum(|l, _| is_ded(l) && l.category == ComponentCategory::HousingFund);
    let iit_total = lines.sum(|l, _| is_ded(l) && l.category == ComponentCategory::Tax);
    let other_deductions = lines.sum(|l, _| is_ded(l)) - employee_si - employee_hf - iit_total;
    let net = gross - employee_si - employee_hf - iit_total - other_deductions;
    let is_er = |l: &PayLine| l.kind == ComponentKind::EmployerCost;
    let employer_si = lines.sum(|l, _| is_er(l) && l.category == ComponentCategory::SocialInsurance);
    let employer_hf = lines.sum(|l, _| is_er(l) && l.category == ComponentCategory::HousingFund);
    let employer_cost = gross + lines.sum(|l, _| is_er(l));

    let facts = PayFacts {
        employed_days: m.employed_days,
        paid_days: dec(m.paid_days),
        scheduled_days: att.map_or(0, |a| a.scheduled_days),
        present_days: att.map_or(0, |a| a.present_days),
        absent_days,
        late_count: att.map_or(0, |a| a.late_count),
        unpaid_leave_days: (dec(unpaid_minutes) / dec(DAY_MINUTES)).round_dp(2),
        overtime_workday_hours: hours(ot_wd).round_dp(2),
        overtime_rest_day_hours: hours(ot_rest).round_dp(2),
        overtime_holiday_hours: hours(ot_hol).round_dp(2),
        attendance: att.is_some(),
        si_city: (enrol.si_enrolled || enrol.hf_enrolled).then(|| enrol.city.clone()),
    };

    let Lines { lines, hidden, .. } = lines;
    let lines = lines.into_iter().zip(hidden).filter(|(_, h)| !h).map(|(l, _)| l).collect();
    Ok(Payslip {
        lines,
        gross: fen(gross),
        employee_si: fen(employee_si),
        employee_hf: fen(employee_hf),
        iit: fen(iit_total),
        other_deductions: fen(other_deductions),
        net: fen(net),
        employer_si: fen(employer_si),
        employer_hf: fen(employer_hf),
        employer_cost: fen(employer_cost),
        tax,
        facts,
        si_lines,
        adjustment_ids,
    })
}

impl CompiledRun {
    /// A system code's component: the company's own when it has one, else the default. System
    /// codes always have a default, so the fallback only names an unexpected code.
    fn info(&self, code: &str) -> ComponentInfo {
        self.components.get(code).cloned().unwrap_or(ComponentInfo {
            name: code.to_string(),
            kind: ComponentKind::Info,
            category: ComponentCategory::Other,
            taxable: false,
            on_payslip: true,
        })
    }
}

/// Every employee, in parallel; results in input order.
pub fn compute_all(run: &CompiledRun, inputs: &[EmployeeInput]) -> Vec<Result<Payslip, ItemError>> {
    // Chunks of 64 keep rayon's task overhead small against a few microseconds per employee.
    inputs.par_iter().with_min_len(64).map(|i| compute_employee(run, i)).collect()
}

/// Sums over the successful items.
pub fn totals(items: &[PayRunItem]) -> RunTotals {
    let mut t = RunTotals::default();
    for i in items {
        match &i.payslip {
            Some(p) => {
                t.headcount += 1;
                t.gross += p.gross;
                t.employee_si += p.employee_si;
                t.employee_hf += p.employee_hf;
                t.iit += p.iit;
                t.net += p.net;
                t.employer_cost += p.employer_cost;
            }
            None => t.errors += 1,
        }
    }
    t
}

/// A stable fingerprint of a run's results (employee, status, error, payslip), independent of
/// item ids, order and timestamps: equal digests ⇔ identical payslips. Each item is one canonical
/// JSON document (serde_json of fixed-order structs and BTreeMaps is canonical) hashed with SM3;
/// the run's digest is SM3 over the item hashes in employee-id order, lowercase hex. Hashing per
/// item keeps memory flat and spreads over the cores for a 100,000-employee run.
pub fn digest(items: &[PayRunItem]) -> String {
    let mut sorted: Vec<&PayRunItem> = items.iter().collect();
    sorted.sort_by_key(|i| i.employee_id);
    let hashes: Vec<[u8; 32]> = sorted
        .par_iter()
        .with_min_len(256)
        .map(|i| {
            // Serialising these plain data types cannot fail; an empty document would still differ.
            let doc = serde_json::to_vec(&(&i.employee_id, &i.status, &i.error, &i.payslip)).unwrap_or_default();
            bole_crypto::sm3_digest(&doc)
        })
        .collect();
    bole_crypto::sm3_digest(&hashes.concat()).iter().map(|b| format!("{b:02x}")).collect()
}
