//! The SI/HF contribution list (社保公积金缴费明细): one row per employee with contributions —
//! employee number, name, policy city, then for each contribution kind present in the run its
//! base, employee part and employer part, then the employee, employer and overall totals; a
//! totals row at the bottom. Employees without contribution lines (not enrolled) are not rows.

use super::{ExportFile, ExportInput, Formats, paid_items};
use crate::error::PayrollError;
use crate::si::SiKind;
use rust_decimal::Decimal;
use std::collections::BTreeSet;

const TITLE: &str = "社保公积金缴费明细";

/// The list's name for a contribution kind.
pub(super) fn kind_name(kind: SiKind) -> &'static str {
    match kind {
        SiKind::Pension => "养老保险",
        SiKind::Medical => "医疗保险",
        SiKind::Unemployment => "失业保险",
        SiKind::Injury => "工伤保险",
        SiKind::Maternity => "生育保险",
        SiKind::SeriousIllness => "大额医疗互助",
        SiKind::Annuity => "企业(职业)年金",
        SiKind::HousingFund => "住房公积金",
    }
}

/// Chinese names of the built-in policy cities; an administrator's own city code shows as typed.
fn city_name(code: &str) -> &str {
    match code {
        "beijing" => "北京",
        "shanghai" => "上海",
        "national" => "全国默认",
        other => other,
    }
}

pub(super) fn xlsx(input: &ExportInput<'_>) -> Result<ExportFile, PayrollError> {
    let rows: Vec<_> = paid_items(input).into_iter().filter(|(_, p)| !p.si_lines.is_empty()).collect();
    let kinds: Vec<SiKind> =
        rows.iter().flat_map(|(_, p)| p.si_lines.iter().map(|l| l.kind)).collect::<BTreeSet<_>>().into_iter().collect();
    let f = Formats::new();
    let mut book = super::new_book(input, TITLE);
    let ws = book.add_worksheet();
    let write = |ws: &mut rust_xlsxwriter::Worksheet| -> Result<(), rust_xlsxwriter::XlsxError> {
        ws.set_name(TITLE)?;
        let mut headers: Vec<String> = ["工号", "姓名", "城市"].iter().map(|s| s.to_string()).collect();
        for k in &kinds {
            for part in ["基数", "个人", "单位"] {
                headers.push(format!("{}{part}", kind_name(*k)));
            }
        }
        headers.extend(["个人合计", "单位合计", "合计"].iter().map(|s| s.to_string()));
        super::write_header(ws, &headers, &f)?;
        let totals_at = 3 + kinds.len() * 3;
        let mut sums = vec![Decimal::ZERO; kinds.len() * 2 + 3];
        for (n, (item, p)) in rows.iter().enumerate() {
            let r = n + 1;
            super::write_text(ws, r, 0, &item.employee_no, &f)?;
            super::write_text(ws, r, 1, &item.employee_name, &f)?;
            super::write_text(ws, r, 2, p.facts.si_city.as_deref().map(city_name).unwrap_or(""), &f)?;
            let (mut employee, mut employer) = (Decimal::ZERO, Decimal::ZERO);
            for (k, kind) in kinds.iter().enumerate() {
                let lines: Vec<_> = p.si_lines.iter().filter(|l| l.kind == *kind).collect();
                if lines.is_empty() {
                    continue;
                }
                let base = lines.iter().map(|l| l.base).max().unwrap_or_default();
                let ee: Decimal = lines.iter().map(|l| l.employee).sum();
                let er: Decimal = lines.iter().map(|l| l.employer).sum();
                super::write_money(ws, r, 3 + k * 3, base, &f)?;
                super::write_money(ws, r, 4 + k * 3, ee, &f)?;
                super::write_money(ws, r, 5 + k * 3, er, &f)?;
                sums[k * 2] += ee;
                sums[k * 2 + 1] += er;
                employee += ee;
                employer += er;
            }
            super::write_money(ws, r, totals_at, employee, &f)?;
            super::write_money(ws, r, totals_at + 1, employer, &f)?;
            super::write_money(ws, r, totals_at + 2, employee + employer, &f)?;
            let s = sums.len();
            sums[s - 3] += employee;
            sums[s - 2] += employer;
            sums[s - 1] += employee + employer;
        }
        let r = rows.len() + 1;
        ws.write_string_with_format(super::row(r), 0, "合计", &f.total_label)?;
        ws.write_string_with_format(super::row(r), 1, format!("{} 人", rows.len()), &f.total_label)?;
        // Bases do not add up to anything meaningful: their total cells stay empty.
        for k in 0..kinds.len() {
            super::write_total(ws, r, 4 + k * 3, sums[k * 2], &f)?;
            super::write_total(ws, r, 5 + k * 3, sums[k * 2 + 1], &f)?;
        }
        let s = sums.len();
        for i in 0..3 {
            super::write_total(ws, r, totals_at + i, sums[s - 3 + i], &f)?;
        }
        ws.set_freeze_panes(1, 3)?;
        Ok(())
    };
    write(ws).map_err(super::xlsx_failed)?;
    super::finish(&mut book, super::filename(input.run, TITLE, "xlsx"))
}
