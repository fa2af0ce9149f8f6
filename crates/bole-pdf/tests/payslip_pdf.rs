//! Payslip PDFs read back with poppler's `pdftotext` (as a person's PDF reader would extract
//! them): the Chinese text and the amounts come out, the file is small (the font is subset), a
//! long payslip continues on a second page, and a missing or unusable font is `PdfUnavailable`.
//! Needs a CJK font (fonts-wqy-microhei) and poppler-utils; `make test-rust` installs both.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use bole_core::{CompanyId, EmployeeId, Failure};
use bole_payroll::iit::WithholdingRule;
use bole_payroll::{
    AdditionalKind, ComponentCategory as Cat, ComponentKind as Kind, PayFacts, PayLine, PayrollError, Payslip,
    PayslipRenderer, PayslipView, TaxWorking,
};
use bole_pdf::PdfPayslips;
use chrono::NaiveDate;
use rust_decimal::Decimal;
use std::collections::BTreeMap;
use std::path::PathBuf;
use std::process::Command;
use std::str::FromStr;
use uuid::Uuid;

fn d(s: &str) -> Decimal {
    Decimal::from_str(s).unwrap()
}

fn line(code: &str, name: &str, kind: Kind, category: Cat, amount: &str) -> PayLine {
    PayLine { code: code.into(), name: name.into(), kind, category, amount: d(amount), note: None }
}

/// The domain reference's worked example, month 2: 30,000 a month, 4,500 special deductions,
/// 2,000 child education; plus a meal allowance, leave deduction and union fee.
fn view(lines: Vec<PayLine>) -> PayslipView {
    let payslip = Payslip {
        lines,
        gross: d("30000.00"),
        employee_si: d("2100.00"),
        employee_hf: d("2400.00"),
        iit: d("625.00"),
        other_deductions: d("50.00"),
        net: d("24825.00"),
        employer_si: d("4920.00"),
        employer_hf: d("2400.00"),
        employer_cost: d("37320.00"),
        tax: TaxWorking {
            rule: Some(WithholdingRule::Standard),
            income: d("30000"),
            special: d("4500"),
            additional: BTreeMap::from([(AdditionalKind::ChildEducation, d("2000"))]),
            cumulative_income: d("60000.00"),
            cumulative_basic_deduction: d("10000.00"),
            cumulative_special: d("9000.00"),
            cumulative_additional: d("4000.00"),
            cumulative_additional_by_kind: BTreeMap::from([(AdditionalKind::ChildEducation, d("4000"))]),
            cumulative_taxable: d("37000.00"),
            rate: d("0.10"),
            quick_deduction: d("2520.00"),
            cumulative_tax: d("1180.00"),
            withheld_before: d("555.00"),
            withhold: d("625.00"),
            months_here: 2,
            ..TaxWorking::default()
        },
        facts: PayFacts::default(),
        si_lines: vec![],
        adjustment_ids: vec![],
    };
    PayslipView {
        id: Uuid::now_v7(),
        run_id: Uuid::now_v7(),
        period: "2026-02".into(),
        pay_date: NaiveDate::from_ymd_opt(2026, 3, 10).unwrap(),
        company_id: CompanyId::new(),
        company_name: Some("伯乐示范科技有限公司".into()),
        employee_id: EmployeeId::new(),
        employee_no: "E0001".into(),
        employee_name: "张三".into(),
        org_unit_name: Some("研发部".into()),
        payslip,
    }
}

fn standard_lines() -> Vec<PayLine> {
    vec![
        line("BASE", "基本工资", Kind::Earning, Cat::Base, "29500.00"),
        line("MEAL", "餐补", Kind::Earning, Cat::Allowance, "500.00"),
        line("SI_PENSION", "养老保险（个人）", Kind::Deduction, Cat::SocialInsurance, "1600.00"),
        line("SI_MEDICAL", "医疗保险（个人）", Kind::Deduction, Cat::SocialInsurance, "400.00"),
        line("SI_UNEMPLOYMENT", "失业保险（个人）", Kind::Deduction, Cat::SocialInsurance, "100.00"),
        line("HF", "住房公积金（个人）", Kind::Deduction, Cat::HousingFund, "2400.00"),
        line("IIT", "个人所得税", Kind::Deduction, Cat::Tax, "625.00"),
        line("UNION", "工会会费", Kind::Deduction, Cat::Other, "50.00"),
        line("ER_SI_PENSION", "养老保险（单位）", Kind::EmployerCost, Cat::SocialInsurance, "3200.00"),
        line("PAID_DAYS", "计薪天数", Kind::Info, Cat::Other, "21.75"),
    ]
}

fn renderer() -> PdfPayslips {
    PdfPayslips::discover().expect("a CJK font: apt-get install fonts-wqy-microhei")
}

/// Writes the PDF to a temporary file and runs a poppler tool on it.
fn poppler(tool: &str, pdf: &[u8], args: &[&str]) -> String {
    let path: PathBuf = std::env::temp_dir().join(format!("bole-payslip-{}.pdf", Uuid::now_v7()));
    std::fs::write(&path, pdf).unwrap();
    let out = Command::new(tool)
        .args(args)
        .arg(&path)
        .args(if tool == "pdftotext" { &["-"][..] } else { &[][..] })
        .output()
        .unwrap_or_else(|e| panic!("{tool} (poppler-utils) is needed: {e}"));
    std::fs::remove_file(&path).ok();
    assert!(out.status.success(), "{tool}: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).unwrap()
}

fn pages(pdf: &[u8]) -> usize {
    let info = poppler("pdfinfo", pdf, &[]);
    let line = info.lines().find(|l| l.starts_with("Pages:")).unwrap();
    line.trim_start_matches("Pages:").trim().parse().unwrap()
}

#[test]
fn a_payslip_pdf_carries_its_chinese_text_and_amounts() {
    let pdf = renderer().render(&view(standard_lines())).unwrap();
    assert!(pdf.starts_with(b"%PDF-"));
    assert!(pdf.len() < 100 * 1024, "font subset: {} bytes", pdf.len());
    assert_eq!(pages(&pdf), 1);

    let text = poppler("pdftotext", &pdf, &["-layout", "-enc", "UTF-8"]);
    for expected in [
        "伯乐示范科技有限公司",
        "工资条 2026年02月",
        "工号：E0001",
        "姓名：张三",
        "部门：研发部",
        "发薪日：2026-03-10",
        "应发项目",
        "扣除项目",
        "基本工资",
        "29,500.00",
        "餐补",
        "养老保险（个人）",
        "1,600.00",
        "住房公积金（个人）",
        "工会会费",
        "应发合计",
        "30,000.00",
        "社保公积金个人部分",
        "4,500.00",
        "个人所得税",
        "625.00",
        "实发合计",
        "24,825.00",
        "计薪天数：21.75",
        "累计收入",
        "60,000.00",
        "累计减除费用",
        "累计专项扣除",
        "累计专项附加扣除",
        "累计应纳税所得额",
        "37,000.00",
        "10% / 2,520.00",
        "累计应纳税额",
        "1,180.00",
        "已预缴",
        "555.00",
        "本期预扣",
        "本工资条仅供本人查阅",
    ] {
        assert!(text.contains(expected), "{expected:?} missing from:\n{text}");
    }
    // Employer costs are not the employee's pay.
    assert!(!text.contains("养老保险（单位）"));
    // Amounts are right-aligned: both columns' amounts end at the same place on their rows.
    let row = text.lines().find(|l| l.contains("基本工资")).unwrap();
    assert!(row.contains("养老保险（个人）"), "earnings and deductions share a row: {row}");
}

#[test]
fn a_long_payslip_continues_on_another_page_with_the_footer_on_each() {
    let mut lines = standard_lines();
    for i in 0..60 {
        lines.push(line(&format!("ALLOW{i}"), &format!("专项补贴{i:02}"), Kind::Earning, Cat::Allowance, "10.00"));
    }
    let pdf = renderer().render(&view(lines)).unwrap();
    let n = pages(&pdf);
    assert!(n >= 2, "{n} pages");
    let text = poppler("pdftotext", &pdf, &["-enc", "UTF-8"]);
    assert!(text.contains("专项补贴00") && text.contains("专项补贴59"));
    assert_eq!(text.matches("本工资条仅供本人查阅").count(), n);
    assert!(text.contains("实发合计"));
}

#[test]
fn a_missing_or_unusable_font_is_pdf_unavailable() {
    let err = PdfPayslips::from_font("/nonexistent/fonts/wqy-microhei.ttc", 0).unwrap_err();
    assert!(matches!(err, PayrollError::PdfUnavailable(_)), "{err:?}");
    assert_eq!(err.code(), "pdf_unavailable");

    let not_a_font = concat!(env!("CARGO_MANIFEST_DIR"), "/Cargo.toml");
    let err = PdfPayslips::from_font(not_a_font, 0).unwrap_err();
    assert!(matches!(err, PayrollError::PdfUnavailable(_)), "{err:?}");
}

#[test]
fn discovery_finds_a_well_known_font() {
    let r = renderer();
    assert!(bole_pdf::WELL_KNOWN_FONTS.iter().any(|(p, _)| r.font_path() == std::path::Path::new(p)));
}
