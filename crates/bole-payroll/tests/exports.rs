//! Exports of a locked run read back as a person or a program would read them: the .xlsx files
//! through calamine (headers, values, totals equal to the run's totals to the fen), the bank CSV
//! as bytes (BOM, CRLF rows), the bank export refusing to leave out someone without an account,
//! and the IIT declaration's header row exactly as the e-Tax client's import template has it.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use bole_core::{CompanyId, EmployeeId, ErrorKind, Failure, OrgUnitId, UserId};
use bole_payroll::compute::totals;
use bole_payroll::export::{CSV_CONTENT_TYPE, ExportFile, ExportInput, ExportKind, XLSX_CONTENT_TYPE, export};
use bole_payroll::si::{SiKind, SiLine};
use bole_payroll::{
    AdditionalKind, ComponentCategory as Cat, ComponentKind as Kind, ItemError, ItemStatus, PayFacts, PayLine, PayRun,
    PayRunItem, PayRunScope, PayRunStatus, Payee, PayrollError, Payslip, RunTotals, TaxWorking,
};
use calamine::{Data, Reader, Xlsx};
use chrono::{NaiveDate, TimeZone, Utc};
use rust_decimal::Decimal;
use std::collections::{BTreeMap, HashMap};
use std::str::FromStr;
use uuid::Uuid;

fn d(s: &str) -> Decimal {
    Decimal::from_str(s).unwrap()
}

fn line(code: &str, name: &str, kind: Kind, category: Cat, amount: &str) -> PayLine {
    PayLine { code: code.into(), name: name.into(), kind, category, amount: d(amount), note: None }
}

fn si(kind: SiKind, base: &str, employee: &str, employer: &str) -> SiLine {
    SiLine {
        kind,
        base: d(base),
        employee_rate: Decimal::ZERO,
        employer_rate: Decimal::ZERO,
        employee: d(employee),
        employer: d(employer),
    }
}

/// A payslip whose totals follow from its lines the way the compute does it.
fn slip(lines: Vec<PayLine>, si_lines: Vec<SiLine>, tax: TaxWorking, city: Option<&str>) -> Payslip {
    let sum = |f: &dyn Fn(&PayLine) -> bool| -> Decimal { lines.iter().filter(|l| f(l)).map(|l| l.amount).sum() };
    let ded = |l: &PayLine, c: Cat| l.kind == Kind::Deduction && l.category == c;
    let gross = sum(&|l| l.kind == Kind::Earning) - sum(&|l| l.kind == Kind::PreTaxDeduction);
    let employee_si = sum(&|l| ded(l, Cat::SocialInsurance));
    let employee_hf = sum(&|l| ded(l, Cat::HousingFund));
    let iit = sum(&|l| ded(l, Cat::Tax));
    let other_deductions = sum(&|l| l.kind == Kind::Deduction) - employee_si - employee_hf - iit;
    let er = |l: &PayLine, c: Cat| l.kind == Kind::EmployerCost && l.category == c;
    let employer_si = sum(&|l| er(l, Cat::SocialInsurance));
    let employer_hf = sum(&|l| er(l, Cat::HousingFund));
    Payslip {
        net: gross - employee_si - employee_hf - iit - other_deductions,
        employer_cost: gross + employer_si + employer_hf,
        lines,
        gross,
        employee_si,
        employee_hf,
        iit,
        other_deductions,
        employer_si,
        employer_hf,
        tax,
        facts: PayFacts { si_city: city.map(str::to_string), ..PayFacts::default() },
        si_lines,
        adjustment_ids: vec![],
    }
}

struct Fixture {
    run: PayRun,
    items: Vec<PayRunItem>,
    payees: HashMap<EmployeeId, Payee>,
    unit_names: HashMap<OrgUnitId, String>,
    totals: RunTotals,
}

impl Fixture {
    fn input(&self) -> ExportInput<'_> {
        ExportInput {
            run: &self.run,
            company_name: "伯乐示范科技有限公司",
            items: &self.items,
            payees: &self.payees,
            unit_names: &self.unit_names,
        }
    }

    fn export(&self, kind: ExportKind) -> ExportFile {
        export(kind, &self.input()).unwrap()
    }

    fn item(&self, no: &str) -> &PayRunItem {
        self.items.iter().find(|i| i.employee_no == no).unwrap()
    }

    fn slip(&self, no: &str) -> &Payslip {
        self.item(no).payslip.as_ref().unwrap()
    }
}

fn item(run: &PayRun, no: &str, name: &str, unit: Option<OrgUnitId>, payslip: Option<Payslip>) -> PayRunItem {
    PayRunItem {
        id: Uuid::now_v7(),
        run_id: run.id,
        employee_id: EmployeeId::new(),
        employee_no: no.into(),
        employee_name: name.into(),
        org_unit_id: unit,
        status: if payslip.is_some() { ItemStatus::Ok } else { ItemStatus::Error },
        error: payslip
            .is_none()
            .then(|| ItemError { code: "no_salary_assignment".into(), message: "没有薪资档案".into() }),
        payslip,
    }
}

/// Four people in February 2026: 张三 (R&D, Beijing SI, child education and housing loan
/// declared, an annual bonus taxed separately, an after-tax deduction), 李四 (finance,
/// Shanghai SI), 王五 (no unit, not enrolled in SI) and 赵六 (could not be computed).
fn fixture() -> Fixture {
    let run = PayRun {
        id: Uuid::now_v7(),
        company_id: CompanyId::new(),
        period: "2026-02".into(),
        name: "2026年2月工资".into(),
        scope: PayRunScope::default(),
        pay_date: NaiveDate::from_ymd_opt(2026, 3, 10).unwrap(),
        status: PayRunStatus::Locked,
        totals: RunTotals::default(),
        preparer: UserId::new(),
        approved_by: Some(UserId::new()),
        created_at: Utc.with_ymd_and_hms(2026, 3, 1, 0, 0, 0).unwrap(),
        computed_at: None,
        locked_at: None,
        published_at: None,
        approval_id: None,
        digest: None,
        version: 3,
    };
    let (rd, finance) = (OrgUnitId::new(), OrgUnitId::new());

    let zhang = slip(
        vec![
            line("BASE", "基本工资", Kind::Earning, Cat::Base, "20000"),
            line("MEAL", "餐补", Kind::Earning, Cat::Allowance, "500"),
            line("ANNUAL_BONUS", "全年一次性奖金", Kind::Earning, Cat::AnnualBonus, "36000"),
            line("UNPAID_LEAVE", "事假扣款", Kind::PreTaxDeduction, Cat::Attendance, "919.54"),
            line("SI_PENSION", "养老保险（个人）", Kind::Deduction, Cat::SocialInsurance, "1600.00"),
            line("SI_MEDICAL", "医疗保险（个人）", Kind::Deduction, Cat::SocialInsurance, "403.00"),
            line("SI_UNEMPLOYMENT", "失业保险（个人）", Kind::Deduction, Cat::SocialInsurance, "100.00"),
            line("HF", "住房公积金（个人）", Kind::Deduction, Cat::HousingFund, "2400.00"),
            line("IIT", "个人所得税", Kind::Deduction, Cat::Tax, "1485.32"),
            line("UNION", "工会会费", Kind::Deduction, Cat::Other, "50.00"),
            line("ER_SI_PENSION", "养老保险（单位）", Kind::EmployerCost, Cat::SocialInsurance, "3200.00"),
            line("ER_SI_MEDICAL", "医疗保险（单位）", Kind::EmployerCost, Cat::SocialInsurance, "1960.00"),
            line("ER_SI_UNEMPLOYMENT", "失业保险（单位）", Kind::EmployerCost, Cat::SocialInsurance, "100.00"),
            line("ER_SI_INJURY", "工伤保险（单位）", Kind::EmployerCost, Cat::SocialInsurance, "80.00"),
            line("ER_HF", "住房公积金（单位）", Kind::EmployerCost, Cat::HousingFund, "2400.00"),
            line("PAID_DAYS", "计薪天数", Kind::Info, Cat::Other, "20.75"),
        ],
        vec![
            si(SiKind::Pension, "20000", "1600.00", "3200.00"),
            si(SiKind::Medical, "20000", "400.00", "1960.00"),
            si(SiKind::SeriousIllness, "0", "3.00", "0"),
            si(SiKind::Unemployment, "20000", "100.00", "100.00"),
            si(SiKind::Injury, "20000", "0", "80.00"),
            si(SiKind::HousingFund, "20000", "2400.00", "2400.00"),
        ],
        TaxWorking {
            income: d("19580.46"),
            exempt: d("0"),
            special: d("4503.00"),
            additional: BTreeMap::from([
                (AdditionalKind::ChildEducation, d("2000")),
                (AdditionalKind::HousingLoan, d("1000")),
            ]),
            cumulative_additional_by_kind: BTreeMap::from([
                (AdditionalKind::ChildEducation, d("4000")),
                (AdditionalKind::HousingLoan, d("2000")),
                (AdditionalKind::ContinuingEducationDegree, d("800")),
            ]),
            cumulative_income: d("39580.46"),
            withhold: d("405.32"),
            annual_bonus: Some(d("36000")),
            annual_bonus_tax: Some(d("1080.00")),
            ..TaxWorking::default()
        },
        Some("beijing"),
    );
    let li = slip(
        vec![
            line("BASE", "基本工资", Kind::Earning, Cat::Base, "12000"),
            line("OVERTIME", "加班费", Kind::Earning, Cat::Overtime, "827.59"),
            line("SI_PENSION", "养老保险（个人）", Kind::Deduction, Cat::SocialInsurance, "960.00"),
            line("SI_MEDICAL", "医疗保险（个人）", Kind::Deduction, Cat::SocialInsurance, "240.00"),
            line("SI_UNEMPLOYMENT", "失业保险（个人）", Kind::Deduction, Cat::SocialInsurance, "60.00"),
            line("HF", "住房公积金（个人）", Kind::Deduction, Cat::HousingFund, "840.00"),
            line("IIT", "个人所得税", Kind::Deduction, Cat::Tax, "81.83"),
            line("ER_SI_PENSION", "养老保险（单位）", Kind::EmployerCost, Cat::SocialInsurance, "1920.00"),
            line("ER_HF", "住房公积金（单位）", Kind::EmployerCost, Cat::HousingFund, "840.00"),
        ],
        vec![
            si(SiKind::Pension, "12000", "960.00", "1920.00"),
            si(SiKind::Medical, "12000", "240.00", "0"),
            si(SiKind::Unemployment, "12000", "60.00", "0"),
            si(SiKind::HousingFund, "12000", "840.00", "840.00"),
        ],
        TaxWorking {
            income: d("12827.59"),
            special: d("2100.00"),
            other: d("0"),
            withhold: d("81.83"),
            ..TaxWorking::default()
        },
        Some("shanghai"),
    );
    let wang = slip(
        vec![
            line("BASE", "基本工资", Kind::Earning, Cat::Base, "6000"),
            line("ONLY_CHILD", "独生子女费", Kind::Earning, Cat::TaxExempt, "10"),
        ],
        vec![],
        TaxWorking { income: d("6010"), exempt: d("10"), ..TaxWorking::default() },
        None,
    );

    let items = vec![
        item(&run, "E003", "王五", None, Some(wang)),
        item(&run, "E001", "张三", Some(rd), Some(zhang)),
        item(&run, "E004", "赵六", Some(rd), None),
        item(&run, "E002", "李四", Some(finance), Some(li)),
    ];
    let payee = |id_type: &str, id: &str, account: Option<&str>, bank: &str| Payee {
        id_type: id_type.into(),
        id_number: Some(id.into()),
        bank_account: account.map(str::to_string),
        bank_name: Some(bank.into()),
    };
    let mut payees = HashMap::new();
    let ids: HashMap<&str, EmployeeId> = items.iter().map(|i| (i.employee_no.as_str(), i.employee_id)).collect();
    payees
        .insert(ids["E001"], payee("111", "110105194912310021", Some("6222020200112233445"), "工商银行北京中关村支行"));
    payees.insert(ids["E002"], payee("", "310101199001011234", Some("6217000010001234567"), "建设银行上海分行"));
    payees.insert(ids["E003"], payee("414", "E12345678", Some("6228480000000000001"), "农业银行"));
    let unit_names = HashMap::from([(rd, "研发部".to_string()), (finance, "财务部".to_string())]);
    let totals = totals(&items);
    Fixture { run, items, payees, unit_names, totals }
}

// ---------------------------------------------------------------------------------------------
// Reading back

fn sheet_names(file: &ExportFile) -> Vec<String> {
    let book: Xlsx<_> = Xlsx::new(std::io::Cursor::new(file.bytes.clone())).unwrap();
    book.sheet_names()
}

fn rows(file: &ExportFile, sheet: &str) -> Vec<Vec<Data>> {
    let mut book: Xlsx<_> = Xlsx::new(std::io::Cursor::new(file.bytes.clone())).unwrap();
    let range = book.worksheet_range(sheet).unwrap();
    assert_eq!(range.start(), Some((0, 0)), "the sheet starts at A1");
    range.rows().map(<[Data]>::to_vec).collect()
}

fn text(c: &Data) -> String {
    match c {
        Data::String(s) => s.clone(),
        Data::Empty => String::new(),
        other => panic!("expected text, got {other:?}"),
    }
}

/// A money cell as the fen figure it stands for; an empty cell is 0.
fn money(c: &Data) -> Decimal {
    match c {
        Data::Float(f) => d(&format!("{f:.2}")),
        Data::Int(i) => Decimal::from(*i),
        Data::Empty => Decimal::ZERO,
        other => panic!("expected a number, got {other:?}"),
    }
}

fn header(rows: &[Vec<Data>]) -> Vec<String> {
    rows[0].iter().map(text).collect()
}

fn column(rows: &[Vec<Data>], name: &str) -> usize {
    header(rows).iter().position(|h| h == name).unwrap_or_else(|| panic!("no column {name}"))
}

fn row_of<'a>(rows: &'a [Vec<Data>], no: &str, key_col: usize) -> &'a [Data] {
    rows.iter().find(|r| text(&r[key_col]) == no).unwrap_or_else(|| panic!("no row {no}"))
}

fn sum_column(rows: &[Vec<Data>], c: usize) -> Decimal {
    rows[1..rows.len() - 1].iter().map(|r| money(&r[c])).sum()
}

// ---------------------------------------------------------------------------------------------
// Bank

#[test]
fn bank_csv_is_utf8_with_bom_crlf_rows_and_every_paid_employee() {
    let fx = fixture();
    let file = fx.export(ExportKind::BankCsv);
    assert_eq!(file.filename, "2026-02 银行代发.csv");
    assert_eq!(file.content_type, CSV_CONTENT_TYPE);
    assert_eq!(&file.bytes[..3], b"\xEF\xBB\xBF", "a BOM so Excel reads UTF-8");
    let body = std::str::from_utf8(&file.bytes[3..]).unwrap();
    assert!(body.ends_with("\r\n"));
    let lines: Vec<&str> = body.trim_end().split("\r\n").collect();
    assert_eq!(lines[0], "序号,工号,姓名,银行账号,开户行,金额,用途");
    let zhang = fx.slip("E001");
    assert_eq!(
        lines[1..],
        [
            format!("1,E001,张三,6222020200112233445,工商银行北京中关村支行,{},2026年02月工资", zhang.net),
            "2,E002,李四,6217000010001234567,建设银行上海分行,10645.76,2026年02月工资".to_string(),
            "3,E003,王五,6228480000000000001,农业银行,6010.00,2026年02月工资".to_string(),
        ]
    );
    let total: Decimal = lines[1..].iter().map(|l| d(l.split(',').nth(5).unwrap())).sum();
    assert_eq!(total, fx.totals.net, "the error item is not paid; everyone else is");
}

#[test]
fn bank_xlsx_has_numbers_text_accounts_and_a_totals_row() {
    let fx = fixture();
    let file = fx.export(ExportKind::BankXlsx);
    assert_eq!(file.filename, "2026-02 银行代发.xlsx");
    assert_eq!(file.content_type, XLSX_CONTENT_TYPE);
    assert_eq!(sheet_names(&file), ["代发明细"]);
    let rows = rows(&file, "代发明细");
    assert_eq!(header(&rows), ["序号", "工号", "姓名", "银行账号", "开户行", "金额", "用途"]);
    assert_eq!(rows.len(), 1 + 3 + 1);
    let li = row_of(&rows, "E002", 1);
    assert_eq!(li[0], Data::Float(2.0));
    assert_eq!(li[3], Data::String("6217000010001234567".into()), "19 digits kept as text");
    assert_eq!(money(&li[5]), d("10645.76"));
    assert_eq!(text(&li[6]), "2026年02月工资");
    let last = rows.last().unwrap();
    assert_eq!(text(&last[0]), "合计");
    assert_eq!(text(&last[1]), "共 3 笔");
    assert_eq!(money(&last[5]), fx.totals.net);
    assert_eq!(sum_column(&rows, 5), fx.totals.net);
}

#[test]
fn bank_export_fails_naming_everyone_without_an_account() {
    let mut fx = fixture();
    let (e2, e3) = (fx.item("E002").employee_id, fx.item("E003").employee_id);
    fx.payees.get_mut(&e2).unwrap().bank_account = None;
    fx.payees.get_mut(&e3).unwrap().bank_account = Some("  ".into());
    for kind in [ExportKind::BankCsv, ExportKind::BankXlsx] {
        let err = export(kind, &fx.input()).unwrap_err();
        assert!(matches!(&err, PayrollError::MissingBankAccounts(nos) if nos == &["E002", "E003"]), "{err:?}");
        assert_eq!(err.code(), "bank_account_missing");
        assert_eq!(err.kind(), ErrorKind::Conflict);
        let msg = err.message();
        assert!(msg.zh.contains("E002、E003"), "{}", msg.zh);
    }
    // A payee record missing altogether is the same fact.
    fx.payees.remove(&e2);
    fx.payees.get_mut(&e3).unwrap().bank_account = Some("6228480000000000001".into());
    let err = export(ExportKind::BankCsv, &fx.input()).unwrap_err();
    assert!(matches!(&err, PayrollError::MissingBankAccounts(nos) if nos == &["E002"]));
    // Other exports do not need accounts.
    export(ExportKind::RegisterXlsx, &fx.input()).unwrap();
}

#[test]
fn nobody_with_nothing_to_transfer_needs_an_account() {
    let mut fx = fixture();
    let e3 = fx.item("E003").employee_id;
    fx.payees.get_mut(&e3).unwrap().bank_account = None;
    let wang = fx.items.iter_mut().find(|i| i.employee_no == "E003").unwrap();
    wang.payslip.as_mut().unwrap().net = Decimal::ZERO;
    let file = fx.export(ExportKind::BankCsv);
    let body = std::str::from_utf8(&file.bytes[3..]).unwrap();
    assert_eq!(body.trim_end().split("\r\n").count(), 1 + 2);
    assert!(!body.contains("E003"));
}

// ---------------------------------------------------------------------------------------------
// IIT declaration

/// The e-Tax withholding client's 正常工资薪金所得 import template header row (source: see
/// `export/tax.rs`), written out here rather than taken from the code under test.
const TEMPLATE_WAGES: [&str; 29] = [
    "工号",
    "*姓名",
    "*证件类型",
    "*证件号码",
    "本期收入",
    "本期免税收入",
    "基本养老保险费",
    "基本医疗保险费",
    "失业保险费",
    "住房公积金",
    "累计子女教育",
    "累计继续教育",
    "累计住房贷款利息",
    "累计住房租金",
    "累计赡养老人",
    "累计3岁以下婴幼儿照护",
    "累计个人养老金",
    "企业(职业)年金",
    "商业健康保险",
    "税延养老保险",
    "公务交通费用",
    "通讯费用",
    "律师办案费用",
    "西藏附加减除费用",
    "其他",
    "准予扣除的捐赠额",
    "减免税额",
    "协定减免",
    "备注",
];

const TEMPLATE_BONUS: [&str; 11] = [
    "工号",
    "*姓名",
    "*证件类型",
    "*证件号码",
    "*全年一次性奖金额",
    "免税收入",
    "其他",
    "准予扣除的捐赠额",
    "减免税额",
    "协定减免",
    "备注",
];

#[test]
fn iit_declaration_follows_the_e_tax_wage_template() {
    let fx = fixture();
    let file = fx.export(ExportKind::IitXlsx);
    assert_eq!(file.filename, "2026-02 个税扣缴申报（正常工资薪金所得）.xlsx");
    assert_eq!(file.content_type, XLSX_CONTENT_TYPE);
    assert_eq!(sheet_names(&file), ["正常工资薪金收入", "全年一次性奖金收入"]);
    let rows = rows(&file, "正常工资薪金收入");
    assert_eq!(header(&rows), TEMPLATE_WAGES);
    assert_eq!(rows.len(), 1 + 3, "one row per computed employee, no totals row (the client would import it)");
    let nos: Vec<String> = rows[1..].iter().map(|r| text(&r[0])).collect();
    assert_eq!(nos, ["E001", "E002", "E003"]);

    let col = |name: &str| column(&rows, name);
    let zhang = row_of(&rows, "E001", 0);
    assert_eq!(text(&zhang[col("*姓名")]), "张三");
    assert_eq!(text(&zhang[col("*证件类型")]), "居民身份证");
    assert_eq!(zhang[col("*证件号码")], Data::String("110105194912310021".into()));
    assert_eq!(money(&zhang[col("本期收入")]), d("19580.46"));
    assert_eq!(money(&zhang[col("本期免税收入")]), d("0"));
    assert_eq!(money(&zhang[col("基本养老保险费")]), d("1600"));
    assert_eq!(money(&zhang[col("基本医疗保险费")]), d("403"), "大额医疗 3 元 is part of medical");
    assert_eq!(money(&zhang[col("失业保险费")]), d("100"));
    assert_eq!(money(&zhang[col("住房公积金")]), d("2400"));
    assert_eq!(money(&zhang[col("累计子女教育")]), d("4000"));
    assert_eq!(money(&zhang[col("累计继续教育")]), d("800"));
    assert_eq!(money(&zhang[col("累计住房贷款利息")]), d("2000"));
    assert_eq!(money(&zhang[col("累计住房租金")]), d("0"));
    assert_eq!(money(&zhang[col("累计赡养老人")]), d("0"));
    assert_eq!(money(&zhang[col("累计3岁以下婴幼儿照护")]), d("0"));
    assert_eq!(money(&zhang[col("其他")]), d("0"));
    assert_eq!(zhang[col("减免税额")], Data::Float(0.0));
    assert_eq!(zhang[col("企业(职业)年金")], Data::Empty, "not modelled: left for the client to read as 0");

    for (no, special) in [("E001", "4503.00"), ("E002", "2100.00"), ("E003", "0")] {
        let r = row_of(&rows, no, 0);
        let four: Decimal =
            ["基本养老保险费", "基本医疗保险费", "失业保险费", "住房公积金"].iter().map(|h| money(&r[col(h)])).sum();
        assert_eq!(four, d(special), "{no}: the four columns are the 专项扣除 withheld on");
    }
    let li = row_of(&rows, "E002", 0);
    assert_eq!(text(&li[col("*证件类型")]), "居民身份证", "no type on record means the resident ID card");
    let wang = row_of(&rows, "E003", 0);
    assert_eq!(text(&wang[col("*证件类型")]), "护照");
    assert_eq!(money(&wang[col("本期免税收入")]), d("10"));
    let income: Decimal = rows[1..].iter().map(|r| money(&r[col("本期收入")])).sum();
    assert_eq!(income, d("38418.05"));

    let bonus = rows_of_bonus(&file);
    assert_eq!(header(&bonus), TEMPLATE_BONUS);
    assert_eq!(bonus.len(), 2);
    assert_eq!(text(&bonus[1][0]), "E001");
    assert_eq!(text(&bonus[1][3]), "110105194912310021");
    assert_eq!(money(&bonus[1][4]), d("36000"));
}

fn rows_of_bonus(file: &ExportFile) -> Vec<Vec<Data>> {
    rows(file, "全年一次性奖金收入")
}

#[test]
fn iit_declaration_has_no_bonus_sheet_without_a_separately_taxed_bonus() {
    let mut fx = fixture();
    let zhang = fx.items.iter_mut().find(|i| i.employee_no == "E001").unwrap();
    zhang.payslip.as_mut().unwrap().tax.annual_bonus = None;
    let file = fx.export(ExportKind::IitXlsx);
    assert_eq!(sheet_names(&file), ["正常工资薪金收入"]);
}

// ---------------------------------------------------------------------------------------------
// SI/HF contributions

#[test]
fn contribution_list_has_each_kind_per_employee_and_totals_equal_the_run() {
    let fx = fixture();
    let file = fx.export(ExportKind::SiXlsx);
    assert_eq!(file.filename, "2026-02 社保公积金缴费明细.xlsx");
    let rows = rows(&file, "社保公积金缴费明细");
    let mut expected = vec!["工号".to_string(), "姓名".into(), "城市".into()];
    for kind in ["养老保险", "医疗保险", "失业保险", "工伤保险", "大额医疗互助", "住房公积金"]
    {
        for part in ["基数", "个人", "单位"] {
            expected.push(format!("{kind}{part}"));
        }
    }
    expected.extend(["个人合计", "单位合计", "合计"].map(String::from));
    assert_eq!(header(&rows), expected);
    assert_eq!(rows.len(), 1 + 2 + 1, "王五 is not enrolled: no row");

    let col = |name: &str| column(&rows, name);
    let zhang = row_of(&rows, "E001", 0);
    assert_eq!(text(&zhang[col("城市")]), "北京");
    assert_eq!(money(&zhang[col("养老保险基数")]), d("20000"));
    assert_eq!(money(&zhang[col("养老保险个人")]), d("1600"));
    assert_eq!(money(&zhang[col("养老保险单位")]), d("3200"));
    assert_eq!(money(&zhang[col("工伤保险单位")]), d("80"));
    assert_eq!(money(&zhang[col("个人合计")]), d("4503"));
    assert_eq!(money(&zhang[col("单位合计")]), d("7740"));
    assert_eq!(money(&zhang[col("合计")]), d("12243"));
    let li = row_of(&rows, "E002", 0);
    assert_eq!(text(&li[col("城市")]), "上海");
    assert_eq!(li[col("工伤保险基数")], Data::Empty);

    let last = rows.last().unwrap();
    assert_eq!(text(&last[0]), "合计");
    let employee = fx.totals.employee_si + fx.totals.employee_hf;
    assert_eq!(money(&last[col("个人合计")]), employee);
    assert_eq!(sum_column(&rows, col("个人合计")), employee);
    let employer: Decimal =
        fx.items.iter().filter_map(|i| i.payslip.as_ref()).map(|p| p.employer_si + p.employer_hf).sum();
    assert_eq!(money(&last[col("单位合计")]), employer);
    assert_eq!(money(&last[col("合计")]), employee + employer);
    assert_eq!(money(&last[col("住房公积金个人")]), fx.totals.employee_hf);
    assert_eq!(last[col("养老保险基数")], Data::Empty, "bases are not summed");
}

// ---------------------------------------------------------------------------------------------
// Register

#[test]
fn register_has_a_column_per_line_code_in_pay_order_and_totals_equal_the_run() {
    let fx = fixture();
    let file = fx.export(ExportKind::RegisterXlsx);
    assert_eq!(file.filename, "2026-02 工资表.xlsx");
    assert_eq!(sheet_names(&file), ["工资表"]);
    let rows = rows(&file, "工资表");
    assert_eq!(
        header(&rows),
        [
            "工号",
            "姓名",
            "部门",
            // earnings, in order of first appearance over the rows (by employee number)
            "基本工资",
            "餐补",
            "全年一次性奖金",
            "加班费",
            "独生子女费",
            // pre-tax deductions
            "事假扣款",
            // SI/HF
            "养老保险（个人）",
            "医疗保险（个人）",
            "失业保险（个人）",
            "住房公积金（个人）",
            // IIT
            "个人所得税",
            // after-tax deductions
            "工会会费",
            "应发合计",
            "实发合计",
        ]
    );
    assert_eq!(rows.len(), 1 + 3 + 1);
    let col = |name: &str| column(&rows, name);
    let zhang = row_of(&rows, "E001", 0);
    assert_eq!(text(&zhang[col("部门")]), "研发部");
    assert_eq!(money(&zhang[col("事假扣款")]), d("919.54"));
    assert_eq!(money(&zhang[col("应发合计")]), fx.slip("E001").gross);
    let wang = row_of(&rows, "E003", 0);
    assert_eq!(text(&wang[col("部门")]), "");
    assert_eq!(wang[col("加班费")], Data::Empty);

    let last = rows.last().unwrap();
    assert_eq!(text(&last[0]), "合计");
    assert_eq!(text(&last[1]), "3 人");
    assert_eq!(money(&last[col("应发合计")]), fx.totals.gross);
    assert_eq!(money(&last[col("实发合计")]), fx.totals.net);
    assert_eq!(money(&last[col("个人所得税")]), fx.totals.iit);
    assert_eq!(money(&last[col("住房公积金（个人）")]), fx.totals.employee_hf);
    let si: Decimal =
        ["养老保险（个人）", "医疗保险（个人）", "失业保险（个人）"].iter().map(|h| money(&last[col(h)])).sum();
    assert_eq!(si, fx.totals.employee_si);
    for (c, total) in last.iter().enumerate().skip(3) {
        assert_eq!(sum_column(&rows, c), money(total), "column {c}: totals row = sum of rows");
    }
}

#[test]
fn register_names_codes_that_share_a_name() {
    let mut fx = fixture();
    let li = fx.items.iter_mut().find(|i| i.employee_no == "E002").unwrap();
    li.payslip.as_mut().unwrap().lines.push(line("BASE2", "基本工资", Kind::Earning, Cat::Base, "0"));
    let rows = rows(&fx.export(ExportKind::RegisterXlsx), "工资表");
    let h = header(&rows);
    assert!(h.contains(&"基本工资（BASE）".to_string()) && h.contains(&"基本工资（BASE2）".to_string()), "{h:?}");
}

// ---------------------------------------------------------------------------------------------
// Cost by org unit

#[test]
fn cost_by_unit_sums_headcount_pay_and_employer_contributions() {
    let fx = fixture();
    let file = fx.export(ExportKind::CostXlsx);
    assert_eq!(file.filename, "2026-02 人工成本按部门汇总.xlsx");
    let rows = rows(&file, "人工成本");
    assert_eq!(header(&rows), ["部门", "人数", "应发合计", "单位社保", "单位公积金", "人工成本合计"]);
    let units: Vec<String> = rows[1..].iter().map(|r| text(&r[0])).collect();
    assert_eq!(units, ["研发部", "财务部", "（未分配部门）", "合计"], "units by name, totals last");
    let rd = row_of(&rows, "研发部", 0);
    assert_eq!(rd[1], Data::Float(1.0), "赵六 could not be computed and is not counted");
    let zhang = fx.slip("E001");
    assert_eq!(money(&rd[2]), zhang.gross);
    assert_eq!(money(&rd[3]), d("5340"));
    assert_eq!(money(&rd[4]), d("2400"));
    assert_eq!(money(&rd[5]), zhang.employer_cost);
    let last = rows.last().unwrap();
    assert_eq!(last[1], Data::Float(3.0));
    assert_eq!(money(&last[2]), fx.totals.gross);
    assert_eq!(money(&last[5]), fx.totals.employer_cost);
    assert_eq!(money(&last[3]) + money(&last[4]) + money(&last[2]), fx.totals.employer_cost);
}
