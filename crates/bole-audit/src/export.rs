//! Audit records as a file for the auditor: CSV (UTF-8 with BOM, so Excel opens
//! Chinese text correctly) or .xlsx. Both carry every column, the hashes
//! included, so an exported extract can be re-checked record by record.

use crate::chain::{StoredRecord, format_at};
use serde::{Deserialize, Serialize};

/// The file formats of an export.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ExportFormat {
    Csv,
    Xlsx,
}

impl ExportFormat {
    pub fn parse(s: &str) -> Option<ExportFormat> {
        match s.trim().to_ascii_lowercase().as_str() {
            "csv" => Some(ExportFormat::Csv),
            "xlsx" => Some(ExportFormat::Xlsx),
            _ => None,
        }
    }

    pub fn content_type(&self) -> &'static str {
        match self {
            ExportFormat::Csv => "text/csv; charset=utf-8",
            ExportFormat::Xlsx => "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        }
    }

    pub fn extension(&self) -> &'static str {
        match self {
            ExportFormat::Csv => "csv",
            ExportFormat::Xlsx => "xlsx",
        }
    }
}

/// Column headings: Chinese, then the stable English key.
const COLUMNS: [(&str, &str); 13] = [
    ("序号", "seq"),
    ("时间(UTC)", "at"),
    ("操作人ID", "actor_id"),
    ("操作人", "actor_name"),
    ("来源IP", "ip"),
    ("客户端", "user_agent"),
    ("操作", "action"),
    ("对象类型", "subject_type"),
    ("对象ID", "subject_ids"),
    ("字段", "fields"),
    ("结果", "outcome"),
    ("前一哈希", "prev_hash"),
    ("哈希", "hash"),
];

fn cells(r: &StoredRecord) -> [String; 13] {
    let e = &r.event;
    [
        r.seq.to_string(),
        format_at(e.at),
        e.actor_id.map(|a| a.to_string()).unwrap_or_default(),
        e.actor_name.clone(),
        e.ip.clone().unwrap_or_default(),
        e.user_agent.clone().unwrap_or_default(),
        e.action.clone(),
        e.subject_type.clone(),
        e.subject_ids.join(" "),
        e.fields.join(" "),
        e.outcome.as_str().to_string(),
        r.prev_hash.to_hex(),
        r.hash.to_hex(),
    ]
}

/// Spreadsheets run a cell that starts with `= + - @` (or a tab/CR) as a formula; user agents
/// and names are attacker-controlled, so such CSV cells get a leading apostrophe (OWASP
/// "CSV injection"). The .xlsx export writes plain strings and needs no such escape.
fn defuse(s: String) -> String {
    match s.chars().next() {
        Some('=' | '+' | '-' | '@' | '\t' | '\r') => format!("'{s}"),
        _ => s,
    }
}

#[derive(Debug, thiserror::Error)]
#[error("cannot write the export: {0}")]
pub struct ExportError(pub String);

pub fn to_csv(records: &[StoredRecord]) -> Result<Vec<u8>, ExportError> {
    let mut out = Vec::from("\u{feff}".as_bytes());
    {
        let mut w = csv::Writer::from_writer(&mut out);
        w.write_record(COLUMNS.iter().map(|(zh, en)| format!("{zh} {en}"))).map_err(|e| ExportError(e.to_string()))?;
        for r in records {
            w.write_record(cells(r).map(defuse)).map_err(|e| ExportError(e.to_string()))?;
        }
        w.flush().map_err(|e| ExportError(e.to_string()))?;
    }
    Ok(out)
}

pub fn to_xlsx(records: &[StoredRecord]) -> Result<Vec<u8>, ExportError> {
    use rust_xlsxwriter::{Format, Workbook};
    let err = |e: rust_xlsxwriter::XlsxError| ExportError(e.to_string());
    let mut book = Workbook::new();
    let ws = book.add_worksheet();
    ws.set_name("审计记录").map_err(err)?;
    let header = Format::new().set_bold().set_background_color(0xD9E1F2);
    let widths = [8.0, 28.0, 38.0, 16.0, 16.0, 30.0, 24.0, 14.0, 40.0, 30.0, 10.0, 66.0, 66.0];
    for (col, ((zh, en), width)) in (0u16..).zip(COLUMNS.iter().zip(widths)) {
        ws.set_column_width(col, width).map_err(err)?;
        ws.write_string_with_format(0, col, format!("{zh} {en}"), &header).map_err(err)?;
    }
    for (row, r) in (1u32..).zip(records) {
        ws.write_number(row, 0, r.seq as f64).map_err(err)?;
        for (col, value) in (1u16..).zip(cells(r).into_iter().skip(1)) {
            ws.write_string(row, col, value).map_err(err)?;
        }
    }
    ws.set_freeze_panes(1, 0).map_err(err)?;
    book.save_to_buffer().map_err(err)
}

pub fn render(format: ExportFormat, records: &[StoredRecord]) -> Result<Vec<u8>, ExportError> {
    match format {
        ExportFormat::Csv => to_csv(records),
        ExportFormat::Xlsx => to_xlsx(records),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::chain::tests::event;
    use crate::chain::{extend, genesis};

    #[test]
    fn csv_has_every_column_and_defuses_formulas() {
        let mut e = event(1);
        e.user_agent = Some("=HYPERLINK(\"http://evil\")".into());
        let recs = extend(0, genesis(), &[e, event(2)]);
        let text = String::from_utf8(to_csv(&recs).unwrap()).unwrap();
        let text = text.strip_prefix('\u{feff}').unwrap();
        let mut lines = text.lines();
        assert!(lines.next().unwrap().starts_with("序号 seq,时间(UTC) at,"));
        let first = lines.next().unwrap();
        assert!(
            first.starts_with("1,2025-03-01T08:00:01.000000Z,00000000-0000-0000-0000-000000000007,hr.li,10.0.0.8,")
        );
        assert!(first.contains("\"'=HYPERLINK"), "{first}");
        assert!(first.contains(&recs[0].hash.to_hex()));
        assert_eq!(lines.count(), 1);
    }

    #[test]
    fn xlsx_is_a_zip() {
        let recs = extend(0, genesis(), &[event(1)]);
        let bytes = to_xlsx(&recs).unwrap();
        assert_eq!(&bytes[..2], b"PK");
        assert_eq!(ExportFormat::parse("XLSX"), Some(ExportFormat::Xlsx));
        assert_eq!(ExportFormat::parse("pdf"), None);
    }
}
