//! The bank transfer file (银行代发文件): one row per employee paid a positive net amount, as CSV
//! (UTF-8 with a byte-order mark, so Excel opens the Chinese correctly; CRLF line ends) for upload
//! to the bank, and as .xlsx with a totals row for people to check.
//!
//! An employee due pay without a bank account fails the whole export with
//! `MissingBankAccounts` (409, `bank_account_missing`) naming their employee numbers: a bank file
//! that silently leaves someone out would be paid as if complete. Items with net ≤ 0 have nothing
//! to transfer and are not rows (the review table flags a negative net).

use super::{ExportFile, ExportInput, Formats, paid_items, period_zh};
use crate::error::PayrollError;
use crate::model::{PayRunItem, Payslip};
use crate::money::fmt_fen;
use rust_decimal::Decimal;

pub(super) const HEADERS: [&str; 7] = ["序号", "工号", "姓名", "银行账号", "开户行", "金额", "用途"];
const TITLE: &str = "银行代发";
const SHEET: &str = "代发明细";

struct Transfer<'a> {
    item: &'a PayRunItem,
    payslip: &'a Payslip,
    account: &'a str,
    bank: &'a str,
}

/// The transfers, or every employee number lacking an account.
fn transfers<'a>(input: &ExportInput<'a>) -> Result<Vec<Transfer<'a>>, PayrollError> {
    let mut out = Vec::new();
    let mut missing = Vec::new();
    for (item, payslip) in paid_items(input) {
        if payslip.net <= Decimal::ZERO {
            continue;
        }
        let payee = input.payees.get(&item.employee_id);
        match payee.and_then(|p| p.bank_account.as_deref()).map(str::trim).filter(|a| !a.is_empty()) {
            Some(account) => out.push(Transfer {
                item,
                payslip,
                account,
                bank: payee.and_then(|p| p.bank_name.as_deref()).unwrap_or(""),
            }),
            None => missing.push(item.employee_no.clone()),
        }
    }
    if missing.is_empty() { Ok(out) } else { Err(PayrollError::MissingBankAccounts(missing)) }
}

fn purpose(input: &ExportInput<'_>) -> String {
    format!("{}工资", period_zh(&input.run.period))
}

pub(super) fn csv(input: &ExportInput<'_>) -> Result<ExportFile, PayrollError> {
    let rows = transfers(input)?;
    let purpose = purpose(input);
    let failed = |e: csv::Error| PayrollError::Storage(format!("csv writer: {e}"));
    let mut w = csv::WriterBuilder::new().terminator(csv::Terminator::CRLF).from_writer(b"\xEF\xBB\xBF".to_vec());
    w.write_record(HEADERS).map_err(failed)?;
    for (n, t) in rows.iter().enumerate() {
        w.write_record([
            (n + 1).to_string().as_str(),
            &t.item.employee_no,
            &t.item.employee_name,
            t.account,
            t.bank,
            &fmt_fen(t.payslip.net),
            &purpose,
        ])
        .map_err(failed)?;
    }
    let bytes = w.into_inner().map_err(|e| PayrollError::Storage(format!("csv writer: {e}")))?;
    Ok(ExportFile { filename: super::filename(input.run, TITLE, "csv"), content_type: super::CSV_CONTENT_TYPE, bytes })
}

pub(super) fn xlsx(input: &ExportInput<'_>) -> Result<ExportFile, PayrollError> {
    let rows = transfers(input)?;
    let purpose = purpose(input);
    let f = Formats::new();
    let mut book = super::new_book(input, TITLE);
    let ws = book.add_worksheet();
    let write = |ws: &mut rust_xlsxwriter::Worksheet| -> Result<(), rust_xlsxwriter::XlsxError> {
        ws.set_name(SHEET)?;
        let headers: Vec<String> = HEADERS.iter().map(|h| h.to_string()).collect();
        super::write_header(ws, &headers, &f)?;
        ws.set_column_width(3, 24)?;
        ws.set_column_width(4, 24)?;
        ws.set_column_width(6, 18)?;
        let mut total = Decimal::ZERO;
        for (n, t) in rows.iter().enumerate() {
            let r = n + 1;
            ws.write_number(super::row(r), 0, f64::from(u32::try_from(r).unwrap_or(u32::MAX)))?;
            super::write_text(ws, r, 1, &t.item.employee_no, &f)?;
            super::write_text(ws, r, 2, &t.item.employee_name, &f)?;
            super::write_text(ws, r, 3, t.account, &f)?;
            super::write_text(ws, r, 4, t.bank, &f)?;
            super::write_money(ws, r, 5, t.payslip.net, &f)?;
            super::write_text(ws, r, 6, &purpose, &f)?;
            total += t.payslip.net;
        }
        let r = rows.len() + 1;
        ws.write_string_with_format(super::row(r), 0, "合计", &f.total_label)?;
        ws.write_string_with_format(super::row(r), 1, format!("共 {} 笔", rows.len()), &f.total_label)?;
        super::write_total(ws, r, 5, total, &f)?;
        ws.set_freeze_panes(1, 0)?;
        Ok(())
    };
    write(ws).map_err(super::xlsx_failed)?;
    super::finish(&mut book, super::filename(input.run, TITLE, "xlsx"))
}
