//! Payroll exports from a locked run's items: the bank transfer file (CSV / .xlsx), the IIT
//! withholding declaration (.xlsx in the layout of the Natural Person e-Tax withholding client's
//! 正常工资薪金所得 import template), SI/HF contribution lists, the payroll register and cost by org
//! unit. Pure: items in, bytes out.
//!
//! Only items with `ItemStatus::Ok` and a payslip are exported; rows are ordered by employee
//! number. Amounts are written as numbers in `#,##0.00` format (an .xlsx number is an IEEE
//! double: we write the double nearest to the fen-rounded figure, which Excel shows exactly);
//! totals rows are sums in `Decimal`, not spreadsheet formulas, so they equal the run's totals
//! to the fen whatever program opens the file. Identifiers (employee numbers, ID and account
//! numbers) are text cells, so an 18- or 19-digit number keeps every digit.

mod bank;
mod contributions;
mod cost;
mod register;
mod tax;

pub use tax::{BONUS_HEADERS, BONUS_SHEET, WAGE_HEADERS, WAGE_SHEET};

use crate::error::PayrollError;
use crate::model::{ItemStatus, PayRun, PayRunItem, Payee, Payslip};
use crate::money::fmt_fen;
use bole_core::{EmployeeId, OrgUnitId};
use rust_decimal::Decimal;
use rust_xlsxwriter::{DocProperties, Format, FormatBorder, Workbook, Worksheet, XlsxError};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;

/// Which file.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ExportKind {
    /// 银行代发文件 (CSV, UTF-8 with BOM).
    BankCsv,
    /// 银行代发文件 (.xlsx).
    BankXlsx,
    /// 个人所得税扣缴申报表 — 正常工资薪金所得 import template (.xlsx).
    IitXlsx,
    /// 社保公积金缴费明细 (.xlsx).
    SiXlsx,
    /// 工资表 / payroll register (.xlsx).
    RegisterXlsx,
    /// 人工成本按部门汇总 (.xlsx).
    CostXlsx,
}

/// What every export reads.
#[derive(Clone, Copy, Debug)]
pub struct ExportInput<'a> {
    pub run: &'a PayRun,
    pub company_name: &'a str,
    pub items: &'a [PayRunItem],
    pub payees: &'a HashMap<EmployeeId, Payee>,
    pub unit_names: &'a HashMap<OrgUnitId, String>,
}

/// A produced file.
#[derive(Clone, Debug)]
pub struct ExportFile {
    pub filename: String,
    pub content_type: &'static str,
    pub bytes: Vec<u8>,
}

pub const XLSX_CONTENT_TYPE: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";
pub const CSV_CONTENT_TYPE: &str = "text/csv; charset=utf-8";

/// Produce one export. Only successful items are exported.
pub fn export(kind: ExportKind, input: &ExportInput<'_>) -> Result<ExportFile, PayrollError> {
    match kind {
        ExportKind::BankCsv => bank::csv(input),
        ExportKind::BankXlsx => bank::xlsx(input),
        ExportKind::IitXlsx => tax::xlsx(input),
        ExportKind::SiXlsx => contributions::xlsx(input),
        ExportKind::RegisterXlsx => register::xlsx(input),
        ExportKind::CostXlsx => cost::xlsx(input),
    }
}

// ---------------------------------------------------------------------------------------------
// Shared by the exports

/// The exported rows: successful items with a payslip, by employee number.
fn paid_items<'a>(input: &ExportInput<'a>) -> Vec<(&'a PayRunItem, &'a Payslip)> {
    let mut rows: Vec<_> = input
        .items
        .iter()
        .filter(|i| i.status == ItemStatus::Ok)
        .filter_map(|i| i.payslip.as_ref().map(|p| (i, p)))
        .collect();
    rows.sort_by(|(a, _), (b, _)| a.employee_no.cmp(&b.employee_no).then(a.employee_id.cmp(&b.employee_id)));
    rows
}

/// "2026-02 工资表.xlsx".
fn filename(run: &PayRun, title: &str, ext: &str) -> String {
    format!("{} {title}.{ext}", run.period)
}

/// "2026-02" → "2026年02月".
fn period_zh(period: &str) -> String {
    match period.split_once('-') {
        Some((y, m)) => format!("{y}年{m}月"),
        None => period.to_string(),
    }
}

/// The double nearest to the fen-rounded amount (what an .xlsx number cell can hold).
fn num(d: Decimal) -> f64 {
    fmt_fen(d).parse().unwrap_or(0.0)
}

fn xlsx_failed(e: XlsxError) -> PayrollError {
    PayrollError::Storage(format!("xlsx writer: {e}"))
}

/// Cell formats shared by the workbooks.
struct Formats {
    header: Format,
    text: Format,
    money: Format,
    total_label: Format,
    total_money: Format,
}

impl Formats {
    fn new() -> Self {
        let header = Format::new().set_bold().set_background_color(0xD9E1F2).set_border(FormatBorder::Thin);
        Formats {
            header,
            // "@" is Excel's Text format: typed digits stay text.
            text: Format::new().set_num_format("@"),
            money: Format::new().set_num_format("#,##0.00"),
            total_label: Format::new().set_bold().set_border_top(FormatBorder::Thin),
            total_money: Format::new().set_bold().set_num_format("#,##0.00").set_border_top(FormatBorder::Thin),
        }
    }
}

fn new_book(input: &ExportInput<'_>, title: &str) -> Workbook {
    let mut book = Workbook::new();
    let props = DocProperties::new()
        .set_title(format!("{} {title}", input.run.period))
        .set_company(input.company_name)
        .set_author("Bole 伯乐");
    book.set_properties(&props);
    book
}

/// Column index as the writer wants it (sheets here are far below Excel's 16,384 columns).
fn col(i: usize) -> u16 {
    u16::try_from(i).unwrap_or(u16::MAX)
}

/// Row index (a run is far below Excel's 1,048,576 rows; the service pages nothing here).
fn row(i: usize) -> u32 {
    u32::try_from(i).unwrap_or(u32::MAX)
}

/// One header row at row 0 with widths (in characters; a CJK character counts about 2).
fn write_header(ws: &mut Worksheet, headers: &[String], f: &Formats) -> Result<(), XlsxError> {
    for (i, h) in headers.iter().enumerate() {
        let width = h.chars().map(|c| if c.is_ascii() { 1.0 } else { 2.0 }).sum::<f64>() + 2.0;
        ws.set_column_width(col(i), width.max(10.0))?;
        ws.write_string_with_format(0, col(i), h, &f.header)?;
    }
    Ok(())
}

fn write_text(ws: &mut Worksheet, r: usize, c: usize, s: &str, f: &Formats) -> Result<(), XlsxError> {
    ws.write_string_with_format(row(r), col(c), s, &f.text)?;
    Ok(())
}

fn write_money(ws: &mut Worksheet, r: usize, c: usize, d: Decimal, f: &Formats) -> Result<(), XlsxError> {
    ws.write_number_with_format(row(r), col(c), num(d), &f.money)?;
    Ok(())
}

fn write_total(ws: &mut Worksheet, r: usize, c: usize, d: Decimal, f: &Formats) -> Result<(), XlsxError> {
    ws.write_number_with_format(row(r), col(c), num(d), &f.total_money)?;
    Ok(())
}

fn finish(book: &mut Workbook, filename: String) -> Result<ExportFile, PayrollError> {
    let bytes = book.save_to_buffer().map_err(xlsx_failed)?;
    Ok(ExportFile { filename, content_type: XLSX_CONTENT_TYPE, bytes })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn amounts_become_the_nearest_double_of_the_fen_figure() {
        assert_eq!(num(Decimal::new(123_456, 2)), 1234.56);
        assert_eq!(num(Decimal::new(5, 3)), 0.01);
        assert_eq!(period_zh("2026-02"), "2026年02月");
    }
}
