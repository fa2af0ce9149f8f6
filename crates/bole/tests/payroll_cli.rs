//! The payroll calculators as HR staff run them (issue 6 items 2 and 3): `bole calc iit` with the
//! official 30,000-a-month example, `bole calc si` for Beijing, `bole calc bonus`, `bole calc
//! labor`, and bad input ending with exit code 2 and the field named.
#![expect(clippy::expect_used, reason = "tests")]

use serde_json::{Value, json};
use std::io::Write as _;
use std::process::{Command, Output, Stdio};

fn bole(args: &[&str], stdin: Option<&str>) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_bole"))
        .args(args)
        .env("BOLE_LOG", "warn")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run bole");
    {
        let mut pipe = child.stdin.take().expect("stdin");
        if let Some(text) = stdin {
            pipe.write_all(text.as_bytes()).expect("write stdin");
        }
    }
    child.wait_with_output().expect("wait")
}

fn bole_json(args: &[&str], stdin: Option<&str>) -> Value {
    let out = bole(args, stdin);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    serde_json::from_slice(&out.stdout).expect("JSON")
}

const OFFICIAL: &str = r#"{"year":2019,"rule":"standard","months":[
  {"month":1,"income":"30000","exempt":"0","special":"4500","additional":"2000","other":"0"},
  {"month":2,"income":"30000","special":"4500","additional":"2000"},
  {"month":3,"income":30000,"special":4500,"additional":2000}]}"#;

#[test]
fn calc_iit_reproduces_the_official_example_exactly() {
    let out = bole(&["calc", "iit", "--json"], Some(OFFICIAL));
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let text = String::from_utf8(out.stdout).expect("utf-8");
    let expected = json!({"months":[
        {"month":1,"cumulative_basic_deduction":"5000.00","cumulative_taxable":"18500.00","rate":"0.03",
         "quick_deduction":"0.00","cumulative_tax":"555.00","withhold":"555.00"},
        {"month":2,"cumulative_basic_deduction":"10000.00","cumulative_taxable":"37000.00","rate":"0.10",
         "quick_deduction":"2520.00","cumulative_tax":"1180.00","withhold":"625.00"},
        {"month":3,"cumulative_basic_deduction":"15000.00","cumulative_taxable":"55500.00","rate":"0.10",
         "quick_deduction":"2520.00","cumulative_tax":"3030.00","withhold":"1850.00"}],
        "year_total":"3030.00"});
    assert_eq!(serde_json::from_str::<Value>(&text).expect("JSON"), expected);
    // Field order as documented: month first, year_total last.
    assert!(text.starts_with(r#"{"months":[{"month":1,"cumulative_basic_deduction":"5000.00","#), "{text}");
    assert!(text.trim_end().ends_with(r#""year_total":"3030.00"}"#), "{text}");
}

#[test]
fn calc_iit_reads_a_file_and_prints_a_table_without_json() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("in.json");
    std::fs::write(&path, OFFICIAL).expect("write");
    let v = bole_json(&["calc", "iit", "--file", path.to_str().expect("path"), "--json"], None);
    assert_eq!(v["months"][2]["withhold"], "1850.00");

    let out = bole(&["calc", "iit", "--file", path.to_str().expect("path")], None);
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).expect("utf-8");
    assert!(text.contains("本月应预扣") && text.contains("1850.00") && text.contains("3030.00"), "{text}");
}

#[test]
fn calc_si_beijing_2025_07_base_5000() {
    let v = bole_json(&["calc", "si", "--city", "beijing", "--month", "2025-07", "--base", "5000", "--json"], None);
    assert_eq!(v["month"], "2025-07");
    assert_eq!(v["policy"]["valid_from"], "2025-07-01");
    assert!(v["policy"]["source_url"].as_str().expect("url").starts_with("https://"));
    assert!(v["policy"]["confidence"].as_str().expect("confidence").contains('🟡'));
    let lines = v["lines"].as_array().expect("lines");
    let pension = lines.iter().find(|l| l["kind"] == "pension").expect("pension");
    assert_eq!(
        pension,
        &json!({"kind":"pension","name":"养老保险","base":"7162.00","employee_rate":"0.08","employer_rate":"0.16",
                "employee":"572.96","employer":"1145.92"})
    );
    let medical = lines.iter().find(|l| l["kind"] == "medical").expect("medical");
    assert_eq!((&medical["employee"], &medical["employer_rate"]), (&json!("146.24"), &json!("0.098")));
    assert_eq!(v["totals"]["employee_si"], "755.01");
    assert_eq!(v["totals"]["employee_hf"], "600.00");
    assert_eq!(v["totals"]["employee"], "1355.01");

    let v = bole_json(
        &["calc", "si", "--city", "beijing", "--month", "2025-07", "--base", "50000", "--hf-rate", "0.05", "--json"],
        None,
    );
    let hf = v["lines"].as_array().expect("lines").iter().find(|l| l["kind"] == "housing_fund").expect("hf").clone();
    assert_eq!((&hf["base"], &hf["employee"]), (&json!("35811.00"), &json!("1790.55")));
}

#[test]
fn calc_si_unknown_city_or_month_lists_the_known_cities() {
    for args in [
        ["calc", "si", "--city", "shenzhen", "--month", "2025-07", "--base", "5000"],
        ["calc", "si", "--city", "beijing", "--month", "2023-07", "--base", "5000"],
    ] {
        let out = bole(&args, None);
        assert_eq!(out.status.code(), Some(2));
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains("已知城市") && err.contains("beijing") && err.contains("shanghai"), "{err}");
    }
    let out =
        bole(&["calc", "si", "--city", "shanghai", "--month", "2025-07", "--base", "9000", "--hf-rate", "0.12"], None);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("hf_rate_employee"));
}

#[test]
fn calc_bonus_and_labor() {
    let v = bole_json(&["calc", "bonus", "36001", "--year", "2025", "--json"], None);
    assert_eq!(v, json!({"monthly_equivalent":"3000.08","rate":"0.10","quick_deduction":"210.00","tax":"3390.10"}));
    // Without --year the current year applies (the separate method is refused after 2027).
    let v = bole_json(&["calc", "bonus", "36001", "--json"], None);
    assert_eq!(v["tax"], "3390.10");
    let v = bole_json(&["calc", "labor", "25001", "--json"], None);
    assert_eq!(v, json!({"taxable":"20000.80","rate":"0.30","quick_deduction":"2000.00","tax":"4000.24"}));
    let out = bole(&["calc", "bonus", "10000", "--year", "2028", "--json"], None);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("2027"));
}

#[test]
fn bad_input_exits_2_and_names_the_field() {
    let out = bole(
        &["calc", "iit", "--json"],
        Some(r#"{"year":2025,"months":[{"month":1,"income":"30000"},{"month":2,"income":"三万"}]}"#),
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(out.stdout.is_empty());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("months[1].income") && err.contains("三万"), "{err}");

    let out = bole(&["calc", "iit", "--json"], Some("{\"year\":2025,\"rule\":\"first_job\",\"months\":[]}"));
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("rule") && err.contains("months"), "{err}");

    let out = bole(&["calc", "labor", "abc"], None);
    assert_eq!(out.status.code(), Some(2));
}
