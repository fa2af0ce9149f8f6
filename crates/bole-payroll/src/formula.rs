//! Pay formulas: a restricted rhai engine (no IO, no modules, no closures, no floats — numbers
//! with a decimal point are `Decimal`), with operation, depth and string-size limits. A
//! structure's formulas are compiled ONCE per run into ASTs and evaluated per employee with the
//! month's variables and the values of the lines above.
//!
//! # The language HR staff write
//!
//! Expressions over numbers: `+ - * / % **`, comparisons, `&&` `||` `!`, `if c { a } else { b }`,
//! `let x = …;` for a helper value, and these functions:
//!
//! | function | result |
//! | --- | --- |
//! | `round(x)` | `x` to the fen, half away from zero (四舍五入) |
//! | `round(x, dp)` | `x` to `dp` decimals (0–10), half away from zero |
//! | `floor(x)`, `ceil(x)` | whole yuan down / up |
//! | `abs(x)` | absolute value |
//! | `min(a, b)`, `max(a, b)` | the smaller / larger |
//! | `clamp(x, lo, hi)` | `x` limited to `[lo, hi]` |
//!
//! `0.1 + 0.2 == 0.3` holds (decimal arithmetic), and integers mix with decimals (`BASE * 2`,
//! `BASE / 21.75`). Dividing two integers also gives the exact decimal (`1 / 4` is 0.25), because
//! a script integer division that truncates would silently lose money. A formula's result must be
//! a number. Nothing else exists: no `eval`, `print`, `import`, function definitions, closures,
//! `throw`, files, network or time; runaway loops stop at the operation limit.
//!
//! # Variables of the month
//!
//! [`MONTH_VARIABLES`] lists them with their meaning (the structure editor shows that list). Money
//! and day quantities are decimals, counts are integers. Besides these, a formula may use the code
//! of every item ABOVE it in the structure (its amount on the payslip, rounded to the fen).
//! Variables cannot be assigned to; a formula gets raw values and prorates itself (`proration`).

use crate::model::{ItemSource, PayComponent, PayStructure};
use bole_core::{FieldErrors, Msg};
use rhai::{AST, Dynamic, Engine, EvalAltResult, INT, LexError, OptimizationLevel, ParseErrorType, Position, Scope};
use rust_decimal::{Decimal, RoundingStrategy};
use serde::Serialize;
use std::collections::HashSet;
use std::sync::LazyLock;

/// A variable every formula may read.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct MonthVariable {
    pub name: &'static str,
    /// What it means, for the structure editor (zh-CN / en-US).
    pub zh: &'static str,
    pub en: &'static str,
}

const fn var(name: &'static str, zh: &'static str, en: &'static str) -> MonthVariable {
    MonthVariable { name, zh, en }
}

/// The variables of the month, in the order the editor lists them.
pub const MONTH_VARIABLES: &[MonthVariable] = &[
    var("base", "月基本工资（薪资档案的月薪）", "Monthly base salary from the salary assignment"),
    var("daily_wage", "日工资 = 月薪 ÷ 21.75", "Daily wage = base ÷ 21.75"),
    var("hourly_wage", "小时工资 = 月薪 ÷ 21.75 ÷ 8", "Hourly wage = base ÷ 21.75 ÷ 8"),
    var(
        "paid_days",
        "本月在职期间的计薪天数（工作日 + 法定节假日）",
        "Paid days while employed this month (workdays + statutory holidays)",
    ),
    var(
        "full_paid_days",
        "全月计薪天数（工作日 + 法定节假日）",
        "Paid days of the whole month (workdays + statutory holidays)",
    ),
    var(
        "proration",
        "折算比例：全月在职为 1，否则计薪天数 ÷ 21.75（最多为 1）",
        "Proration: 1 when employed all month, else paid_days ÷ 21.75 (at most 1)",
    ),
    var("employed_days", "本月在职日历天数", "Calendar days employed this month"),
    var("days_in_month", "本月日历天数", "Calendar days of the month"),
    var("scheduled_days", "应出勤天数", "Scheduled working days"),
    var("present_days", "实际出勤天数", "Days present"),
    var("absent_days", "缺勤（旷工）天数", "Days absent"),
    var("late_count", "迟到次数", "Times late"),
    var("late_minutes", "迟到分钟数", "Minutes late"),
    var("early_count", "早退次数", "Times left early"),
    var("missing_punches", "缺卡次数", "Missing clock-ins and clock-outs"),
    var("unpaid_leave_days", "无薪假（事假）天数（480 分钟 = 1 天）", "Unpaid leave days (480 minutes = 1 day)"),
    var("overtime_workday_hours", "工作日加班小时数（计薪部分）", "Paid workday overtime hours"),
    var("overtime_rest_day_hours", "休息日加班小时数（计薪部分）", "Paid rest-day overtime hours"),
    var("overtime_holiday_hours", "法定节假日加班小时数", "Statutory-holiday overtime hours"),
    var("months_here", "本年在本单位任职月数（含本月）", "Months employed here this year, this one included"),
];

/// The names of [`MONTH_VARIABLES`].
pub fn month_variable_names() -> Vec<&'static str> {
    MONTH_VARIABLES.iter().map(|v| v.name).collect()
}

/// Longest formula accepted (characters); a pay formula is a line or two.
pub const MAX_FORMULA_CHARS: usize = 2_000;
/// Operations one evaluation may take; a formula needs a few dozen, a runaway loop hits this.
pub const MAX_OPERATIONS: u64 = 50_000;

/// The configured engine. Build it once ([`shared`]) and evaluate from any thread.
pub struct FormulaEngine {
    engine: Engine,
}

impl std::fmt::Debug for FormulaEngine {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("FormulaEngine").finish_non_exhaustive()
    }
}

impl Default for FormulaEngine {
    fn default() -> Self {
        Self::new()
    }
}

type RhaiResult<T> = Result<T, Box<EvalAltResult>>;

fn arith_err(msg: &str) -> Box<EvalAltResult> {
    EvalAltResult::ErrorArithmetic(msg.to_string(), Position::NONE).into()
}

fn to_decimal(v: &Dynamic) -> RhaiResult<Decimal> {
    if let Ok(i) = v.as_int() {
        return Ok(Decimal::from(i));
    }
    v.as_decimal().map_err(|t| EvalAltResult::ErrorMismatchDataType("number".into(), t.into(), Position::NONE).into())
}

fn round_dp(x: Decimal, dp: INT) -> RhaiResult<Decimal> {
    let dp = u32::try_from(dp).ok().filter(|d| *d <= 10).ok_or_else(|| arith_err("round: decimals out of range"))?;
    Ok(x.round_dp_with_strategy(dp, RoundingStrategy::MidpointAwayFromZero))
}

impl FormulaEngine {
    /// A raw engine (no standard packages) with only what pay formulas need.
    pub fn new() -> Self {
        let mut e = Engine::new_raw();
        // Constant folding would evaluate with the built-in integer division and bypass our exact
        // one; formulas are tiny, so the optimizer buys nothing.
        e.set_optimization_level(OptimizationLevel::None);
        e.set_strict_variables(true);
        // Overloads of built-in operators (integer `/`) must win over the fast paths.
        e.set_fast_operators(false);
        e.set_max_operations(MAX_OPERATIONS);
        e.set_max_expr_depths(32, 32);
        e.set_max_call_levels(8);
        e.set_max_string_size(256);
        e.set_max_array_size(64);
        e.set_max_map_size(64);
        e.set_max_variables(256);
        e.set_max_functions(0);
        e.set_allow_anonymous_fn(false);
        e.set_allow_shadowing(false);
        // Keyword functions live in the evaluator itself, not in packages: switch them off by name.
        // `throw`/`try` would let a formula put a salary figure into an error message.
        for kw in [
            "eval",
            "print",
            "debug",
            "fn",
            "Fn",
            "call",
            "curry",
            "is_def_var",
            "is_def_fn",
            "is_shared",
            "throw",
            "try",
            "catch",
            "import",
            "export",
            "global",
            "this",
        ] {
            e.disable_symbol(kw);
        }
        e.on_print(|_| {});
        e.on_debug(|_, _, _| {});

        e.register_fn("-", |x: INT| x.checked_neg().ok_or_else(|| arith_err("overflow")));
        e.register_fn("-", |x: Decimal| -x);
        e.register_fn("+", |x: INT| x);
        e.register_fn("+", |x: Decimal| x);
        e.register_fn("!", |x: bool| !x);
        e.register_fn("/", |x: INT, y: INT| -> RhaiResult<Decimal> {
            Decimal::from(x).checked_div(Decimal::from(y)).ok_or_else(|| arith_err("division by zero"))
        });

        e.register_fn("round", |x: Dynamic| -> RhaiResult<Decimal> { round_dp(to_decimal(&x)?, 2) });
        e.register_fn("round", |x: Dynamic, dp: INT| -> RhaiResult<Decimal> { round_dp(to_decimal(&x)?, dp) });
        e.register_fn("floor", |x: Dynamic| -> RhaiResult<Decimal> { Ok(to_decimal(&x)?.floor()) });
        e.register_fn("ceil", |x: Dynamic| -> RhaiResult<Decimal> { Ok(to_decimal(&x)?.ceil()) });
        e.register_fn("abs", |x: Dynamic| -> RhaiResult<Decimal> { Ok(to_decimal(&x)?.abs()) });
        e.register_fn("min", |a: Dynamic, b: Dynamic| -> RhaiResult<Decimal> {
            Ok(to_decimal(&a)?.min(to_decimal(&b)?))
        });
        e.register_fn("max", |a: Dynamic, b: Dynamic| -> RhaiResult<Decimal> {
            Ok(to_decimal(&a)?.max(to_decimal(&b)?))
        });
        e.register_fn("clamp", |x: Dynamic, lo: Dynamic, hi: Dynamic| -> RhaiResult<Decimal> {
            let (x, lo, hi) = (to_decimal(&x)?, to_decimal(&lo)?, to_decimal(&hi)?);
            if lo > hi {
                return Err(arith_err("clamp: lower bound above upper bound"));
            }
            Ok(x.max(lo).min(hi))
        });
        FormulaEngine { engine: e }
    }
}

/// The engine every compile uses; evaluation may use it or any other [`FormulaEngine`].
pub fn shared() -> &'static FormulaEngine {
    static ENGINE: LazyLock<FormulaEngine> = LazyLock::new(FormulaEngine::new);
    &ENGINE
}

/// A formula parsed once, evaluated many times.
#[derive(Clone, Debug)]
pub struct CompiledFormula {
    ast: AST,
}

/// The values a formula reads: the month's variables, then each item's amount as it is computed.
/// Values are constants to the script (a formula cannot change what the next one sees).
#[derive(Debug, Default)]
pub struct Vars {
    scope: Scope<'static>,
}

impl Vars {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn set_decimal(&mut self, name: &str, value: Decimal) -> &mut Self {
        self.scope.push_constant(name, value);
        self
    }

    pub fn set_int(&mut self, name: &str, value: i64) -> &mut Self {
        self.scope.push_constant(name, value);
        self
    }

    /// The current value of a variable (the latest set), as a decimal.
    pub fn get(&self, name: &str) -> Option<Decimal> {
        self.scope.get(name).and_then(|v| to_decimal(v).ok())
    }
}

/// Compile `src` for a context where exactly `variables` exist. The error is a bilingual
/// message for the structure editor (it names an unknown variable).
pub fn compile(src: &str, variables: &[&str]) -> Result<CompiledFormula, Msg> {
    compile_with(shared(), src, variables)
}

/// [`compile`] with an explicit engine.
pub fn compile_with(engine: &FormulaEngine, src: &str, variables: &[&str]) -> Result<CompiledFormula, Msg> {
    if src.trim().is_empty() {
        return Err(Msg::new("公式不能为空。", "The formula is empty."));
    }
    if src.chars().count() > MAX_FORMULA_CHARS {
        return Err(Msg::new(
            format!("公式过长（最多 {MAX_FORMULA_CHARS} 个字符）。"),
            format!("The formula is too long (at most {MAX_FORMULA_CHARS} characters)."),
        ));
    }
    let mut scope = Scope::new();
    for v in variables {
        scope.push_constant(v.to_string(), Dynamic::UNIT);
    }
    engine.engine.compile_with_scope(&scope, src).map(|ast| CompiledFormula { ast }).map_err(|e| {
        let pos = e.position();
        let at_zh =
            pos.line().map(|l| format!("（第 {l} 行第 {} 列）", pos.position().unwrap_or(0))).unwrap_or_default();
        let at_en =
            pos.line().map(|l| format!(" at line {l}, column {}", pos.position().unwrap_or(0))).unwrap_or_default();
        match e.err_type() {
            ParseErrorType::VariableUndefined(name) => Msg::new(
                format!("公式使用了未知变量 {name}：只能使用本月变量和排在本项目上面的项目代码。"),
                format!(
                    "Unknown variable {name}: only the month's variables and the items above this one may be used."
                ),
            ),
            ParseErrorType::Reserved(sym) | ParseErrorType::BadInput(LexError::ImproperSymbol(sym, _)) => Msg::new(
                format!("公式中不允许使用 {sym}{at_zh}。"),
                format!("{sym} is not allowed in formulas{at_en}."),
            ),
            ParseErrorType::ExprTooDeep => Msg::new(
                "公式嵌套层次过深，请拆成几个项目。",
                "The formula nests too deeply; split it into several items.",
            ),
            ParseErrorType::LiteralTooLarge(..) => {
                Msg::new("公式中的字符串或列表过长。", "A string or list in the formula is too large.")
            }
            other => Msg::new(format!("公式语法错误{at_zh}：{other}"), format!("Syntax error{at_en}: {other}")),
        }
    })
}

/// Why an evaluation failed, in words that never contain a value (no salary figures).
fn runtime_msg(e: &EvalAltResult) -> Msg {
    use EvalAltResult as E;
    match e {
        E::ErrorInFunctionCall(_, _, inner, _) => runtime_msg(inner),
        E::ErrorTooManyOperations(_) => Msg::new(
            "公式运算次数超过上限（可能是死循环）。",
            "The formula exceeded the operation limit (a loop that never ends?).",
        ),
        E::ErrorArithmetic(m, _) if m.to_lowercase().contains("zero") => Msg::new("除数为零。", "Division by zero."),
        E::ErrorArithmetic(..) => Msg::new("数值溢出或运算无效。", "Numeric overflow or invalid arithmetic."),
        E::ErrorDataTooLarge(..) => Msg::new("数据超过大小上限。", "Data exceeds the size limit."),
        E::ErrorStackOverflow(_) => Msg::new("调用层次过深。", "Calls nest too deeply."),
        E::ErrorTooManyVariables(_) => Msg::new("变量过多。", "Too many variables."),
        // The signature names the function and argument TYPES only.
        E::ErrorFunctionNotFound(sig, _) => Msg::new(
            format!("函数 {sig} 不存在或参数类型不对。"),
            format!("No function {sig} (unknown name or wrong argument types)."),
        ),
        E::ErrorAssignmentToConstant(name, _) => {
            Msg::new(format!("公式不能修改变量 {name}。"), format!("A formula cannot change {name}."))
        }
        E::ErrorVariableNotFound(name, _) => {
            Msg::new(format!("未知变量 {name}。"), format!("Unknown variable {name}."))
        }
        E::ErrorMismatchDataType(..) | E::ErrorMismatchOutputType(..) => {
            Msg::new("数据类型不匹配（需要数字）。", "Type mismatch (a number is needed).")
        }
        _ => Msg::new("公式计算失败。", "The formula failed."),
    }
}

impl CompiledFormula {
    /// Evaluate with `vars`; the result is the formula's number (integer or decimal), unrounded.
    /// `let` bindings of the formula do not leak into `vars`.
    pub fn eval(&self, engine: &FormulaEngine, vars: &mut Vars) -> Result<Decimal, Msg> {
        let mark = vars.scope.len();
        let result = engine.engine.eval_ast_with_scope::<Dynamic>(&mut vars.scope, &self.ast);
        vars.scope.rewind(mark);
        let value = result.map_err(|e| runtime_msg(&e))?;
        to_decimal(&value).map_err(|_| {
            Msg::new(
                format!("公式结果必须是数字，实际是 {}。", value.type_name()),
                format!("A formula must give a number, not {}.", value.type_name()),
            )
        })
    }
}

/// Check a structure before it is saved: every item's component exists and is active, no code
/// twice, formulas compile and use only the month's variables and the items above them, and a
/// dry run with sample values finds no unknown function or assignment. Keys: `items`,
/// `items[N].component_code`, `items[N].formula`.
pub fn validate_structure(s: &PayStructure, components: &[PayComponent]) -> Result<(), FieldErrors> {
    let mut errors = FieldErrors::new();
    if s.items.is_empty() {
        errors.add("items", Msg::new("薪资结构至少需要一个项目。", "A pay structure needs at least one item."));
    }
    let month = month_variable_names();
    let mut seen: HashSet<&str> = HashSet::new();
    let mut above: Vec<&str> = Vec::new();
    let mut sample = sample_vars();
    for (n, item) in s.items.iter().enumerate() {
        let code = item.component_code.as_str();
        let key = format!("items[{n}].component_code");
        match components.iter().find(|c| c.code == code) {
            None => errors.add(
                &key,
                Msg::new(format!("薪资项目 {code} 不存在。"), format!("The pay component {code} does not exist.")),
            ),
            Some(c) if !c.active => errors.add(
                &key,
                Msg::new(format!("薪资项目 {code} 已停用。"), format!("The pay component {code} is inactive.")),
            ),
            Some(_) => {}
        }
        if !seen.insert(code) {
            errors.add(
                &key,
                Msg::new(
                    format!("薪资项目 {code} 在结构中出现了两次。"),
                    format!("The component {code} appears twice in the structure."),
                ),
            );
        }
        if month.contains(&code) {
            errors.add(
                &key,
                Msg::new(
                    format!("项目代码 {code} 与本月变量同名，公式无法区分。"),
                    format!("The code {code} is also a month variable name; formulas could not tell them apart."),
                ),
            );
        }
        if let ItemSource::Formula { formula } = &item.source {
            let fkey = format!("items[{n}].formula");
            let vars: Vec<&str> = month.iter().copied().chain(above.iter().copied()).collect();
            match compile(formula, &vars) {
                Err(m) => errors.add(&fkey, m),
                Ok(f) => {
                    if let Err(e) = dry_run(&f, &mut sample) {
                        errors.add(&fkey, e);
                    }
                }
            }
        }
        sample.set_decimal(code, Decimal::from(1000));
        above.push(code);
    }
    errors.into_result()
}

/// Plausible values for a dry run (a full month at 10,000).
fn sample_vars() -> Vars {
    let mut v = Vars::new();
    for m in MONTH_VARIABLES {
        match m.name {
            "base" => v.set_decimal(m.name, Decimal::from(10_000)),
            "daily_wage" => v.set_decimal(m.name, Decimal::new(45977, 2)),
            "hourly_wage" => v.set_decimal(m.name, Decimal::new(5747, 2)),
            "paid_days" | "full_paid_days" => v.set_decimal(m.name, Decimal::from(22)),
            "proration" => v.set_decimal(m.name, Decimal::ONE),
            "employed_days" | "days_in_month" => v.set_int(m.name, 31),
            "scheduled_days" | "present_days" => v.set_int(m.name, 22),
            "months_here" => v.set_int(m.name, 1),
            "unpaid_leave_days" | "overtime_workday_hours" | "overtime_rest_day_hours" | "overtime_holiday_hours" => {
                v.set_decimal(m.name, Decimal::ZERO)
            }
            _ => v.set_int(m.name, 0),
        };
    }
    v
}

/// Errors a dry run can attribute to the formula's text rather than to the sample values.
fn dry_run(f: &CompiledFormula, sample: &mut Vars) -> Result<(), Msg> {
    let mark = sample.scope.len();
    let r = shared().engine.eval_ast_with_scope::<Dynamic>(&mut sample.scope, &f.ast);
    sample.scope.rewind(mark);
    match r {
        Err(e) => {
            let mut inner: &EvalAltResult = &e;
            while let EvalAltResult::ErrorInFunctionCall(_, _, i, _) = inner {
                inner = i;
            }
            match inner {
                EvalAltResult::ErrorFunctionNotFound(..)
                | EvalAltResult::ErrorAssignmentToConstant(..)
                | EvalAltResult::ErrorTooManyOperations(..)
                | EvalAltResult::ErrorStackOverflow(..)
                | EvalAltResult::ErrorDataTooLarge(..) => Err(runtime_msg(inner)),
                _ => Ok(()),
            }
        }
        Ok(v) if v.is_string() || v.is_unit() || v.is_bool() || v.is_array() || v.is_map() => Err(Msg::new(
            format!("公式结果必须是数字，实际是 {}。", v.type_name()),
            format!("A formula must give a number, not {}.", v.type_name()),
        )),
        Ok(_) => Ok(()),
    }
}
