//! The payroll register (工资表): one row per employee, one column per pay line code present in
//! the run, grouped in the order pay is built — earnings, pre-tax deductions, SI/HF (employee
//! part), IIT, after-tax deductions — then 应发合计 and 实发合计. Within a group, codes keep the
//! order of their first appearance on the payslips (the structures' order). Employer costs and
//! information-only lines are not part of anyone's pay and are left to the cost and SI exports.
//! The header row and the identity columns are frozen; a totals row closes the sheet.

use super::{ExportFile, ExportInput, Formats, paid_items};
use crate::error::PayrollError;
use crate::model::{ComponentCategory, ComponentKind, PayLine};
use rust_decimal::Decimal;
use std::collections::{HashMap, HashSet};

const TITLE: &str = "工资表";

/// Which group a line belongs to; None = not a register column.
fn group(line: &PayLine) -> Option<u8> {
    match line.kind {
        ComponentKind::EmployerCost | ComponentKind::Info => None,
        ComponentKind::Earning => Some(0),
        _ if matches!(line.category, ComponentCategory::SocialInsurance | ComponentCategory::HousingFund) => Some(2),
        _ if line.category == ComponentCategory::Tax => Some(3),
        ComponentKind::PreTaxDeduction => Some(1),
        ComponentKind::Deduction => Some(4),
    }
}

pub(super) fn xlsx(input: &ExportInput<'_>) -> Result<ExportFile, PayrollError> {
    let rows = paid_items(input);

    // Columns: (group, first appearance) order; the name of the first line seen for the code.
    let mut columns: Vec<(u8, usize, &str, &str)> = Vec::new();
    let mut seen = HashSet::new();
    for (_, p) in &rows {
        for line in &p.lines {
            if let Some(g) = group(line)
                && seen.insert(line.code.as_str())
            {
                columns.push((g, columns.len(), line.code.as_str(), line.name.as_str()));
            }
        }
    }
    columns.sort_by_key(|(g, order, _, _)| (*g, *order));
    let mut name_count: HashMap<&str, usize> = HashMap::new();
    for (_, _, _, name) in &columns {
        *name_count.entry(name).or_default() += 1;
    }
    let at: HashMap<&str, usize> = columns.iter().enumerate().map(|(i, (_, _, code, _))| (*code, 3 + i)).collect();

    let f = Formats::new();
    let mut book = super::new_book(input, TITLE);
    let ws = book.add_worksheet();
    let write = |ws: &mut rust_xlsxwriter::Worksheet| -> Result<(), rust_xlsxwriter::XlsxError> {
        ws.set_name(TITLE)?;
        let mut headers: Vec<String> = ["工号", "姓名", "部门"].iter().map(|s| s.to_string()).collect();
        for (_, _, code, name) in &columns {
            // Two codes with one name would make two identical headers: say which is which.
            headers.push(if name_count[name] > 1 { format!("{name}（{code}）") } else { name.to_string() });
        }
        headers.push("应发合计".into());
        headers.push("实发合计".into());
        super::write_header(ws, &headers, &f)?;
        let gross_at = 3 + columns.len();
        let mut sums = vec![Decimal::ZERO; columns.len() + 2];
        for (n, (item, p)) in rows.iter().enumerate() {
            let r = n + 1;
            super::write_text(ws, r, 0, &item.employee_no, &f)?;
            super::write_text(ws, r, 1, &item.employee_name, &f)?;
            let unit = item.org_unit_id.and_then(|u| input.unit_names.get(&u)).map(String::as_str).unwrap_or("");
            super::write_text(ws, r, 2, unit, &f)?;
            let mut amounts: HashMap<usize, Decimal> = HashMap::new();
            for line in &p.lines {
                if let Some(c) = at.get(line.code.as_str()) {
                    *amounts.entry(*c).or_default() += line.amount;
                }
            }
            for (c, amount) in &amounts {
                super::write_money(ws, r, *c, *amount, &f)?;
                sums[c - 3] += *amount;
            }
            super::write_money(ws, r, gross_at, p.gross, &f)?;
            super::write_money(ws, r, gross_at + 1, p.net, &f)?;
            sums[columns.len()] += p.gross;
            sums[columns.len() + 1] += p.net;
        }
        let r = rows.len() + 1;
        ws.write_string_with_format(super::row(r), 0, "合计", &f.total_label)?;
        ws.write_string_with_format(super::row(r), 1, format!("{} 人", rows.len()), &f.total_label)?;
        for (i, sum) in sums.iter().enumerate() {
            super::write_total(ws, r, 3 + i, *sum, &f)?;
        }
        ws.set_freeze_panes(1, 3)?;
        Ok(())
    };
    write(ws).map_err(super::xlsx_failed)?;
    super::finish(&mut book, super::filename(input.run, TITLE, "xlsx"))
}
