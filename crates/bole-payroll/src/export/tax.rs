//! The IIT withholding declaration (个人所得税扣缴申报) as the Natural Person e-Tax withholding
//! client (自然人电子税务局扣缴客户端) imports it: 综合所得申报 → 正常工资薪金所得 → 导入 → 标准模板.
//!
//! Layout source. The tax bureau publishes the template only inside the client, so the header
//! row was taken from public code that fills the client's current template and checked across two
//! independent projects (found with the search tool, 2026): a C# `TemplateFiller` (NPOI) that
//! writes sheet "正常工资薪金收入" with 29 columns ending 协定减免, 备注, and its 全年一次性奖金
//! template with 11 columns; and a Python 增减员 tool whose `ZERO_HEADERS` is commented
//! "正常工资薪金所得 29 列" with the identical list. Older copies of the template (before 2022/2023)
//! lack 累计3岁以下婴幼儿照护 and 累计个人养老金; the client's import matches columns by header
//! text, which is why the headers must be exact, including the leading `*` on required columns.
//!
//! What goes where (figures of this month unless the header says 累计):
//! - 本期收入 / 本期免税收入 — `TaxWorking::income` / `exempt` (income includes exempt income, as
//!   the client subtracts the second from the first).
//! - 基本养老保险费 / 基本医疗保险费 / 失业保险费 — the employee's SI lines of that kind (医疗
//!   includes a fixed 大额医疗 amount, which is deductible with it).
//! - 住房公积金 — the deductible part: `special` − the three above. It differs from the HF line
//!   only when the employee rate exceeds 12% (the excess is taxable), so the four columns always
//!   add up to the 专项扣除 the withholding used.
//! - 累计子女教育 … 累计3岁以下婴幼儿照护 — `cumulative_additional_by_kind` (both kinds of
//!   continuing education go to 累计继续教育).
//! - 其他 — `TaxWorking::other`; 减免税额 — 0. Columns Bole does not model (个人养老金, 年金,
//!   商业健康保险, 税延养老保险, 公务交通/通讯/律师办案费用, 西藏附加减除费用, 捐赠, 协定减免) are
//!   left empty, which the client reads as 0.
//!
//! The annual one-off bonus taxed separately is declared under its own income item: a second
//! sheet "全年一次性奖金收入" in that template's layout, present only when the run has one.

use super::{ExportFile, ExportInput, Formats, paid_items};
use crate::error::PayrollError;
use crate::model::{AdditionalKind, PayRunItem, Payee, Payslip};
use crate::si::SiKind;
use rust_decimal::Decimal;
use rust_xlsxwriter::{Worksheet, XlsxError};

/// Sheet name of the 正常工资薪金所得 template.
pub const WAGE_SHEET: &str = "正常工资薪金收入";

/// The header row of the 正常工资薪金所得 import template, in order.
pub const WAGE_HEADERS: [&str; 29] = [
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

/// Sheet name for the separately taxed annual bonus.
pub const BONUS_SHEET: &str = "全年一次性奖金收入";

/// The header row of the 全年一次性奖金收入 import template, in order.
pub const BONUS_HEADERS: [&str; 11] = [
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

const TITLE: &str = "个税扣缴申报（正常工资薪金所得）";

pub(super) fn xlsx(input: &ExportInput<'_>) -> Result<ExportFile, PayrollError> {
    let rows = paid_items(input);
    let f = Formats::new();
    let mut book = super::new_book(input, TITLE);
    write_wages(book.add_worksheet(), input, &rows, &f).map_err(super::xlsx_failed)?;
    let bonuses: Vec<_> = rows.iter().filter(|(_, p)| p.tax.annual_bonus.is_some()).copied().collect();
    if !bonuses.is_empty() {
        write_bonuses(book.add_worksheet(), input, &bonuses, &f).map_err(super::xlsx_failed)?;
    }
    super::finish(&mut book, super::filename(input.run, TITLE, "xlsx"))
}

fn write_identity(
    ws: &mut Worksheet,
    r: usize,
    item: &PayRunItem,
    payee: Option<&Payee>,
    f: &Formats,
) -> Result<(), XlsxError> {
    super::write_text(ws, r, 0, &item.employee_no, f)?;
    super::write_text(ws, r, 1, &item.employee_name, f)?;
    super::write_text(ws, r, 2, id_type_name(payee.map(|p| p.id_type.as_str()).unwrap_or("")), f)?;
    super::write_text(ws, r, 3, payee.and_then(|p| p.id_number.as_deref()).unwrap_or(""), f)?;
    Ok(())
}

fn write_wages(
    ws: &mut Worksheet,
    input: &ExportInput<'_>,
    rows: &[(&PayRunItem, &Payslip)],
    f: &Formats,
) -> Result<(), XlsxError> {
    ws.set_name(WAGE_SHEET)?;
    let headers: Vec<String> = WAGE_HEADERS.iter().map(|h| h.to_string()).collect();
    super::write_header(ws, &headers, f)?;
    ws.set_column_width(3, 22)?;
    for (n, (item, p)) in rows.iter().enumerate() {
        let r = n + 1;
        write_identity(ws, r, item, input.payees.get(&item.employee_id), f)?;
        let t = &p.tax;
        let employee = |kinds: &[SiKind]| -> Decimal {
            p.si_lines.iter().filter(|l| kinds.contains(&l.kind)).map(|l| l.employee).sum()
        };
        let pension = employee(&[SiKind::Pension]);
        let medical = employee(&[SiKind::Medical, SiKind::SeriousIllness]);
        let unemployment = employee(&[SiKind::Unemployment]);
        let housing = (t.special - pension - medical - unemployment).max(Decimal::ZERO);
        let cumulative = |kinds: &[AdditionalKind]| -> Decimal {
            kinds.iter().filter_map(|k| t.cumulative_additional_by_kind.get(k)).copied().sum()
        };
        let money = [
            (4, t.income),
            (5, t.exempt),
            (6, pension),
            (7, medical),
            (8, unemployment),
            (9, housing),
            (10, cumulative(&[AdditionalKind::ChildEducation])),
            (
                11,
                cumulative(&[
                    AdditionalKind::ContinuingEducationDegree,
                    AdditionalKind::ContinuingEducationCertificate,
                ]),
            ),
            (12, cumulative(&[AdditionalKind::HousingLoan])),
            (13, cumulative(&[AdditionalKind::HousingRent])),
            (14, cumulative(&[AdditionalKind::ElderlySupport])),
            (15, cumulative(&[AdditionalKind::InfantCare])),
            (24, t.other),
            (26, Decimal::ZERO),
        ];
        for (c, d) in money {
            super::write_money(ws, r, c, d, f)?;
        }
    }
    ws.set_freeze_panes(1, 2)?;
    Ok(())
}

fn write_bonuses(
    ws: &mut Worksheet,
    input: &ExportInput<'_>,
    rows: &[(&PayRunItem, &Payslip)],
    f: &Formats,
) -> Result<(), XlsxError> {
    ws.set_name(BONUS_SHEET)?;
    let headers: Vec<String> = BONUS_HEADERS.iter().map(|h| h.to_string()).collect();
    super::write_header(ws, &headers, f)?;
    ws.set_column_width(3, 22)?;
    for (n, (item, p)) in rows.iter().enumerate() {
        let r = n + 1;
        write_identity(ws, r, item, input.payees.get(&item.employee_id), f)?;
        super::write_money(ws, r, 4, p.tax.annual_bonus.unwrap_or_default(), f)?;
        super::write_money(ws, r, 8, Decimal::ZERO, f)?;
    }
    ws.set_freeze_panes(1, 2)?;
    Ok(())
}

/// The client's name for a GA/T 517 document type code (the people module stores codes; absent
/// means 居民身份证). The client itself distinguishes 中国护照 from 外国护照, which a bare 414
/// cannot tell: it is written as 护照 for HR to settle in the client.
fn id_type_name(code: &str) -> &str {
    let code = code.trim();
    if code.is_empty() {
        return "居民身份证";
    }
    let types = &bole_people::standards::dictionaries::ID_DOCUMENT_TYPE;
    match types.by_code(code).or_else(|| types.normalize(code)) {
        Some(e) => e.zh,
        None => code,
    }
}
