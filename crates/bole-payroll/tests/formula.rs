//! Pay formulas: exact decimals, the helper functions, strict variables, the sandbox's limits and
//! the structure validation the editor relies on.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use bole_core::CompanyId;
use bole_payroll::defaults::{default_components, default_structure};
use bole_payroll::formula::{self, MONTH_VARIABLES, Vars, compile, validate_structure};
use bole_payroll::model::{ItemSource, StructureItem};
use chrono::NaiveDate;
use rust_decimal::Decimal;
use std::str::FromStr;

fn d(s: &str) -> Decimal {
    Decimal::from_str(s).unwrap()
}

/// Evaluate `src` with `vars` (name, value) pairs.
fn eval(src: &str, vars: &[(&str, &str)]) -> Result<Decimal, String> {
    let names: Vec<&str> = vars.iter().map(|(n, _)| *n).collect();
    let f = compile(src, &names).map_err(|m| format!("compile: {}", m.en))?;
    let mut v = Vars::new();
    for (n, val) in vars {
        v.set_decimal(n, d(val));
    }
    f.eval(formula::shared(), &mut v).map_err(|m| m.en)
}

fn ok(src: &str) -> Decimal {
    eval(src, &[]).unwrap()
}

#[test]
fn decimals_are_exact() {
    assert_eq!(ok("if 0.1 + 0.2 == 0.3 { 1 } else { 0 }"), d("1"));
    assert_eq!(ok("0.1 + 0.2"), d("0.3"));
    assert_eq!(ok("1.10 * 3"), d("3.30"));
    // 21.75 × 1,000 and back: no binary-float residue.
    assert_eq!(ok("21750 / 21.75"), d("1000"));
}

#[test]
fn integers_mix_with_decimals() {
    let vars = [("BASE", "21750")];
    assert_eq!(eval("BASE * 2", &vars).unwrap(), d("43500"));
    assert_eq!(eval("BASE / 21.75", &vars).unwrap(), d("1000"));
    assert_eq!(eval("2 * BASE + 0.5", &vars).unwrap(), d("43500.5"));
    assert_eq!(eval("BASE > 20000", &vars).unwrap_err(), "A formula must give a number, not bool.");
    // Integer division is exact, never truncating.
    assert_eq!(ok("1 / 4"), d("0.25"));
    assert_eq!(ok("7 / 2"), d("3.5"));
    assert_eq!(ok("-3 + 1"), d("-2"));
    assert_eq!(eval("-BASE", &vars).unwrap(), d("-21750"));
    assert_eq!(ok("let x = 3; x * 1.5"), d("4.5"));
    assert_eq!(ok("if !(1 > 2) && (2 >= 2 || false) { 10 } else { 20 }"), d("10"));
}

#[test]
fn helper_functions() {
    assert_eq!(ok("round(2.345)"), d("2.35"));
    assert_eq!(ok("round(-2.345)"), d("-2.35"));
    assert_eq!(ok("round(2.344)"), d("2.34"));
    assert_eq!(ok("round(1234.5, 0)"), d("1235"));
    assert_eq!(ok("round(1 / 3, 4)"), d("0.3333"));
    assert_eq!(ok("round(7)"), d("7"));
    assert_eq!(ok("min(3, 2.5)"), d("2.5"));
    assert_eq!(ok("max(3, 2.5)"), d("3"));
    assert_eq!(ok("clamp(50000, 7162, 35811)"), d("35811"));
    assert_eq!(ok("clamp(5000, 7162, 35811)"), d("7162"));
    assert_eq!(ok("clamp(10000.5, 7162, 35811)"), d("10000.5"));
    assert_eq!(ok("abs(-4.2)"), d("4.2"));
    assert_eq!(ok("floor(4.9)"), d("4"));
    assert_eq!(ok("ceil(4.1)"), d("5"));
    assert_eq!(ok("if 3 > 2 { 1.5 } else { 0 }"), d("1.5"));
    assert!(eval("round(1, 11)", &[]).is_err());
    assert!(eval("clamp(1, 5, 2)", &[]).is_err());
}

#[test]
fn strict_variables_name_the_unknown_one() {
    let err = compile("base * 2 + bonus_rate", &["base"]).unwrap_err();
    assert!(err.zh.contains("未知变量 bonus_rate"), "{}", err.zh);
    assert!(err.en.contains("bonus_rate"), "{}", err.en);
    assert!(compile("base * 2", &["base"]).is_ok());
    // Local helpers are fine.
    assert!(compile("let r = 0.1; base * r", &["base"]).is_ok());
    let empty = compile("   ", &[]).unwrap_err();
    assert!(empty.zh.contains("不能为空"));
    let syntax = compile("base * (2", &["base"]).unwrap_err();
    assert!(syntax.zh.contains("语法错误"), "{}", syntax.zh);
}

#[test]
fn variables_are_read_only_and_lets_do_not_leak() {
    let f = compile("base = 0; 1", &["base"]).unwrap();
    let mut v = Vars::new();
    v.set_decimal("base", d("100"));
    let err = f.eval(formula::shared(), &mut v).unwrap_err();
    assert!(err.zh.contains("不能修改变量 base"), "{}", err.zh);
    assert_eq!(v.get("base"), Some(d("100")));

    let f = compile("let tmp = base * 2; tmp", &["base"]).unwrap();
    assert_eq!(f.eval(formula::shared(), &mut v).unwrap(), d("200"));
    assert_eq!(v.get("tmp"), None);
    // And again: a second `let tmp` is not a redefinition.
    assert_eq!(f.eval(formula::shared(), &mut v).unwrap(), d("200"));
}

#[test]
fn results_must_be_numbers() {
    assert!(eval("\"abc\"", &[]).unwrap_err().contains("must give a number"));
    assert!(eval("true", &[]).unwrap_err().contains("must give a number"));
    assert!(eval("1; ()", &[]).is_err());
}

#[test]
fn runtime_errors_carry_no_figures() {
    let err = eval("base / (base - base)", &[("base", "12345.67")]).unwrap_err();
    assert_eq!(err, "Division by zero.");
    let err = eval("base * 100000000000000000000000000", &[("base", "98765.43")]).unwrap_err();
    assert!(!err.contains("98765"), "{err}");
    let err = eval("rond(base)", &[("base", "98765.43")]).unwrap_err();
    assert!(err.contains("rond") && !err.contains("98765"), "{err}");
}

#[test]
fn sandbox_stops_loops_at_the_operation_limit() {
    let err = eval("loop { }", &[]).unwrap_err();
    assert!(err.contains("operation limit"), "{err}");
    let err = eval("let x = 0; while true { x += 1; } x", &[]).unwrap_err();
    assert!(err.contains("operation limit"), "{err}");
}

#[test]
fn sandbox_has_no_eval_io_or_functions() {
    for src in [
        "eval(\"1 + 1\")",
        "print(\"x\"); 1",
        "debug(1); 1",
        "import \"std\" as s; 1",
        "fn f() { 1 } f()",
        "let f = |x| x; f.call(1)",
        "Fn(\"round\").call(1)",
        "throw 1",
        "try { 1 } catch { 2 }",
    ] {
        let err = compile(src, &[]).expect_err(src);
        assert!(err.zh.contains("不允许使用") || err.zh.contains("语法错误"), "{src}: {}", err.zh);
    }
    // No file, network, time or process functions exist at all.
    for src in ["open_file(\"/etc/passwd\")", "http_get(\"http://x\")", "timestamp()", "exit(1)", "sleep(1)"] {
        let f = compile(src, &[]).unwrap();
        let err = f.eval(formula::shared(), &mut Vars::new()).unwrap_err();
        assert!(err.en.starts_with("No function"), "{src}: {}", err.en);
    }
}

#[test]
fn sandbox_refuses_huge_strings_and_deep_nesting() {
    let err = eval("let s = \"x\"; loop { s += s; }", &[]).unwrap_err();
    assert_eq!(err, "Data exceeds the size limit.");
    let long_literal = format!("let s = \"{}\"; 1", "x".repeat(500));
    assert!(compile(&long_literal, &[]).is_err());
    let deep = format!("{}1{}", "(".repeat(200), ")".repeat(200));
    let err = compile(&deep, &[]).unwrap_err();
    assert!(err.zh.contains("嵌套层次过深"), "{}", err.zh);
    let too_long = "1 + ".repeat(600) + "1";
    assert!(compile(&too_long, &[]).unwrap_err().zh.contains("过长"));
}

#[test]
fn compile_once_eval_many() {
    let f = compile("round(base * 0.2 * proration) + late_count * -50", &["base", "proration", "late_count"]).unwrap();
    let engine = formula::shared();
    let mut total = Decimal::ZERO;
    for i in 0..10_000u32 {
        let mut v = Vars::new();
        v.set_decimal("base", Decimal::from(10_000 + i))
            .set_decimal("proration", Decimal::ONE)
            .set_int("late_count", 1);
        total += f.eval(engine, &mut v).unwrap();
    }
    // Σ (2,000 + 0.2·i − 50) over i < 10,000 = 10,000·1,950 + 0.2·(9,999·10,000/2).
    assert_eq!(total, d("19500000") + d("9999000"));
}

#[test]
fn month_variables_are_documented_once() {
    let mut names: Vec<&str> = MONTH_VARIABLES.iter().map(|v| v.name).collect();
    let n = names.len();
    names.sort_unstable();
    names.dedup();
    assert_eq!(names.len(), n);
    for v in MONTH_VARIABLES {
        assert!(!v.zh.is_empty() && !v.en.is_empty());
    }
    for needed in ["base", "daily_wage", "hourly_wage", "paid_days", "proration", "unpaid_leave_days", "months_here"] {
        assert!(names.contains(&needed), "{needed}");
    }
}

fn structure_with(items: Vec<StructureItem>) -> bole_payroll::PayStructure {
    let company = CompanyId::new();
    let mut s = default_structure(company, NaiveDate::from_ymd_opt(2025, 1, 1).unwrap());
    s.items = items;
    s
}

fn fixed(code: &str) -> StructureItem {
    StructureItem { component_code: code.into(), source: ItemSource::Fixed }
}

fn formula_item(code: &str, f: &str) -> StructureItem {
    StructureItem { component_code: code.into(), source: ItemSource::Formula { formula: f.into() } }
}

#[test]
fn the_default_structure_is_valid() {
    let company = CompanyId::new();
    let s = default_structure(company, NaiveDate::from_ymd_opt(2025, 1, 1).unwrap());
    validate_structure(&s, &default_components(company)).unwrap();
}

#[test]
fn validation_finds_each_problem_by_item() {
    let company = CompanyId::new();
    let mut components = default_components(company);
    components.iter_mut().find(|c| c.code == "TRANSPORT").unwrap().active = false;
    let s = structure_with(vec![
        fixed("BASE"),
        // Refers to an item BELOW it.
        formula_item("PERFORMANCE", "round(MEAL * 2)"),
        fixed("MEAL"),
        fixed("NOPE"),
        fixed("MEAL"),
        fixed("TRANSPORT"),
        formula_item("BONUS", "rond(BASE)"),
        formula_item("BACK_PAY", "BASE * 0.1"),
    ]);
    let errors = validate_structure(&s, &components).unwrap_err();
    let keys: Vec<&str> = errors.0.keys().map(String::as_str).collect();
    assert_eq!(
        keys,
        vec![
            "items[1].formula",
            "items[3].component_code",
            "items[4].component_code",
            "items[5].component_code",
            "items[6].formula"
        ]
    );
    assert!(errors.0["items[1].formula"][0].zh.contains("未知变量 MEAL"));
    assert!(errors.0["items[3].component_code"][0].zh.contains("NOPE"));
    assert!(errors.0["items[4].component_code"][0].zh.contains("两次"));
    assert!(errors.0["items[5].component_code"][0].zh.contains("停用"));
    assert!(errors.0["items[6].formula"][0].zh.contains("rond"));
}
