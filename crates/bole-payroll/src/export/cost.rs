//! Labour cost by org unit (人工成本按部门汇总): per unit the run placed people in (the item's
//! unit, snapshotted at compute time), headcount, gross pay, employer SI, employer HF and total
//! cost (gross + employer SI/HF, `Payslip::employer_cost`); sorted by unit name; a totals row.
//! A unit missing from `unit_names` shows its id, people without a unit show as 未分配部门.

use super::{ExportFile, ExportInput, Formats, paid_items};
use crate::error::PayrollError;
use rust_decimal::Decimal;
use std::collections::BTreeMap;

const TITLE: &str = "人工成本按部门汇总";
const SHEET: &str = "人工成本";
const HEADERS: [&str; 6] = ["部门", "人数", "应发合计", "单位社保", "单位公积金", "人工成本合计"];

#[derive(Default)]
struct UnitCost {
    headcount: u32,
    gross: Decimal,
    employer_si: Decimal,
    employer_hf: Decimal,
    cost: Decimal,
}

pub(super) fn xlsx(input: &ExportInput<'_>) -> Result<ExportFile, PayrollError> {
    let mut units: BTreeMap<String, UnitCost> = BTreeMap::new();
    for (item, p) in paid_items(input) {
        let name = match item.org_unit_id {
            Some(id) => input.unit_names.get(&id).cloned().unwrap_or_else(|| id.to_string()),
            None => "（未分配部门）".to_string(),
        };
        let u = units.entry(name).or_default();
        u.headcount += 1;
        u.gross += p.gross;
        u.employer_si += p.employer_si;
        u.employer_hf += p.employer_hf;
        u.cost += p.employer_cost;
    }

    let f = Formats::new();
    let mut book = super::new_book(input, TITLE);
    let ws = book.add_worksheet();
    let write = |ws: &mut rust_xlsxwriter::Worksheet| -> Result<(), rust_xlsxwriter::XlsxError> {
        ws.set_name(SHEET)?;
        let headers: Vec<String> = HEADERS.iter().map(|h| h.to_string()).collect();
        super::write_header(ws, &headers, &f)?;
        ws.set_column_width(0, 28)?;
        let mut total = UnitCost::default();
        for (n, (name, u)) in units.iter().enumerate() {
            let r = n + 1;
            super::write_text(ws, r, 0, name, &f)?;
            ws.write_number(super::row(r), 1, f64::from(u.headcount))?;
            for (c, d) in [(2, u.gross), (3, u.employer_si), (4, u.employer_hf), (5, u.cost)] {
                super::write_money(ws, r, c, d, &f)?;
            }
            total.headcount += u.headcount;
            total.gross += u.gross;
            total.employer_si += u.employer_si;
            total.employer_hf += u.employer_hf;
            total.cost += u.cost;
        }
        let r = units.len() + 1;
        ws.write_string_with_format(super::row(r), 0, "合计", &f.total_label)?;
        ws.write_number_with_format(super::row(r), 1, f64::from(total.headcount), &f.total_label)?;
        for (c, d) in [(2, total.gross), (3, total.employer_si), (4, total.employer_hf), (5, total.cost)] {
            super::write_total(ws, r, c, d, &f)?;
        }
        ws.set_freeze_panes(1, 1)?;
        Ok(())
    };
    write(ws).map_err(super::xlsx_failed)?;
    super::finish(&mut book, super::filename(input.run, TITLE, "xlsx"))
}
