//! The personal-data copy as an .xlsx workbook: a 说明 sheet listing the sections, then one
//! sheet per section. A list of records becomes a table (nested objects flattened into
//! dotted columns, lists of values joined); a single record becomes field/value rows.
//! Every value is written as text or a number, never as a formula.

use crate::model::DataCopy;
use rust_xlsxwriter::{Format, Workbook, Worksheet, XlsxError};
use serde_json::{Map, Value};

/// Sheet title of a known section, Chinese first.
fn title_of(section: &str) -> &'static str {
    match section {
        "record" => "员工档案",
        "events" => "人事事件",
        "timeline" => "档案时间线",
        "assignments" => "任职记录",
        "contracts" => "劳动合同",
        "account" => "账号",
        "sessions" => "登录会话",
        "api_tokens" => "接口令牌",
        "consents" => "同意状态",
        "consent_history" => "同意记录",
        "notices_acknowledged" => "隐私政策确认",
        "requests" => "权利请求",
        "sharing" => "对外提供与出境",
        _ => "",
    }
}

/// A valid, unique sheet name (≤ 31 characters, none of `[]:*?/\`).
fn sheet_name(section: &str, taken: &mut Vec<String>) -> String {
    let title = title_of(section);
    let raw = if title.is_empty() { section.to_string() } else { format!("{title} {section}") };
    let clean: String = raw.chars().filter(|c| !"[]:*?/\\'".contains(*c)).take(28).collect();
    let mut name = if clean.trim().is_empty() { "section".to_string() } else { clean };
    let mut n = 2;
    while taken.iter().any(|t| t.eq_ignore_ascii_case(&name)) {
        let base: String = name.chars().take(26).collect();
        name = format!("{base}~{n}");
        n += 1;
    }
    taken.push(name.clone());
    name
}

/// Flatten an object into dotted keys; arrays of scalars are joined, other arrays kept as JSON.
fn flatten(prefix: &str, value: &Value, out: &mut Vec<(String, Value)>) {
    match value {
        Value::Object(m) => {
            for (k, v) in m {
                let key = if prefix.is_empty() { k.clone() } else { format!("{prefix}.{k}") };
                flatten(&key, v, out);
            }
        }
        Value::Array(items) if items.iter().all(|i| !i.is_object() && !i.is_array()) => {
            let joined: Vec<String> = items.iter().map(scalar_text).collect();
            out.push((prefix.to_string(), Value::String(joined.join(", "))));
        }
        other => out.push((prefix.to_string(), other.clone())),
    }
}

fn scalar_text(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        Value::Null => String::new(),
        other => other.to_string(),
    }
}

fn write_cell(ws: &mut Worksheet, row: u32, col: u16, v: &Value) -> Result<(), XlsxError> {
    match v {
        Value::Null => Ok(()),
        Value::Bool(b) => ws.write_boolean(row, col, *b).map(|_| ()),
        // Integers that fit i32 are exact in Excel; anything else (big ids, decimals) stays text.
        Value::Number(n) => match n.as_i64().and_then(|i| i32::try_from(i).ok()) {
            Some(i) => ws.write_number(row, col, i).map(|_| ()),
            None => ws.write_string(row, col, n.to_string()).map(|_| ()),
        },
        Value::String(s) => ws.write_string(row, col, s).map(|_| ()),
        other => ws.write_string(row, col, other.to_string()).map(|_| ()),
    }
}

fn write_table(ws: &mut Worksheet, rows: &[Value], header: &Format) -> Result<usize, XlsxError> {
    let flat: Vec<Vec<(String, Value)>> = rows
        .iter()
        .map(|r| {
            let mut out = Vec::new();
            match r {
                Value::Object(_) => flatten("", r, &mut out),
                other => out.push(("value".to_string(), other.clone())),
            }
            out
        })
        .collect();
    let mut columns: Vec<String> = Vec::new();
    for row in &flat {
        for (k, _) in row {
            if !columns.contains(k) {
                columns.push(k.clone());
            }
        }
    }
    for (c, name) in columns.iter().enumerate() {
        let col = u16::try_from(c).map_err(|_| XlsxError::ParameterError("too many columns".into()))?;
        ws.write_string_with_format(0, col, name, header)?;
        ws.set_column_width(col, 18)?;
    }
    for (r, row) in flat.iter().enumerate() {
        let line = u32::try_from(r + 1).map_err(|_| XlsxError::ParameterError("too many rows".into()))?;
        for (k, v) in row {
            if let Some(c) = columns.iter().position(|x| x == k) {
                let col = u16::try_from(c).map_err(|_| XlsxError::ParameterError("too many columns".into()))?;
                write_cell(ws, line, col, v)?;
            }
        }
    }
    if !columns.is_empty() {
        ws.set_freeze_panes(1, 0)?;
    }
    Ok(flat.len())
}

fn write_record(ws: &mut Worksheet, record: &Map<String, Value>, header: &Format) -> Result<usize, XlsxError> {
    ws.write_string_with_format(0, 0, "字段 field", header)?;
    ws.write_string_with_format(0, 1, "值 value", header)?;
    ws.set_column_width(0, 28)?;
    ws.set_column_width(1, 48)?;
    let mut flat = Vec::new();
    flatten("", &Value::Object(record.clone()), &mut flat);
    for (i, (k, v)) in flat.iter().enumerate() {
        let row = u32::try_from(i + 1).map_err(|_| XlsxError::ParameterError("too many rows".into()))?;
        ws.write_string(row, 0, k)?;
        write_cell(ws, row, 1, v)?;
    }
    Ok(1)
}

/// The workbook bytes.
pub fn to_xlsx(copy: &DataCopy) -> Result<Vec<u8>, XlsxError> {
    let mut book = Workbook::new();
    let header = Format::new().set_bold().set_background_color(0xD9E1F2);
    let mut taken = vec!["说明 about".to_string()];
    let plan: Vec<(&String, String, usize)> = copy
        .sections
        .iter()
        .map(|(section, value)| {
            let n = match value {
                Value::Array(rows) => rows.len(),
                Value::Null => 0,
                _ => 1,
            };
            (section, sheet_name(section, &mut taken), n)
        })
        .collect();
    let about = book.add_worksheet();
    about.set_name("说明 about")?;
    about.write_string_with_format(0, 0, "个人信息副本 personal data copy", &header)?;
    about.write_string(1, 0, "员工ID employee id")?;
    about.write_string(1, 1, copy.employee_id.to_string())?;
    about.write_string(2, 0, "生成时间 generated at (UTC)")?;
    about.write_string(2, 1, copy.generated_at.to_rfc3339())?;
    about.write_string_with_format(4, 0, "部分 section", &header)?;
    about.write_string_with_format(4, 1, "工作表 sheet", &header)?;
    about.write_string_with_format(4, 2, "记录数 records", &header)?;
    about.set_column_width(0, 28)?;
    about.set_column_width(1, 32)?;
    for (i, (section, sheet, n)) in plan.iter().enumerate() {
        let row = u32::try_from(i + 5).map_err(|_| XlsxError::ParameterError("too many sections".into()))?;
        about.write_string(row, 0, *section)?;
        about.write_string(row, 1, sheet)?;
        about.write_number(row, 2, u32::try_from(*n).unwrap_or(u32::MAX))?;
    }
    for (section, name) in plan.iter().map(|(s, n, _)| (*s, n)) {
        let ws = book.add_worksheet();
        ws.set_name(name)?;
        match &copy.sections[section] {
            Value::Array(rows) => write_table(ws, rows, &header)?,
            Value::Object(m) => write_record(ws, m, &header)?,
            Value::Null => 0,
            other => write_table(ws, std::slice::from_ref(other), &header)?,
        };
    }
    book.save_to_buffer()
}

#[cfg(test)]
mod tests {
    use super::*;
    use bole_core::EmployeeId;
    use calamine::{Reader, Xlsx};
    use chrono::{TimeZone, Utc};

    #[test]
    fn one_sheet_per_section_with_the_overview_first() {
        let mut sections = Map::new();
        sections.insert(
            "record".into(),
            serde_json::json!({"name": "张三", "phone": "13800138000", "assignment": {"status": "regular"}}),
        );
        sections.insert(
            "events".into(),
            serde_json::json!([
                {"type": "onboard", "effective_date": "2024-01-01", "org_unit_id": "u1"},
                {"type": "separate", "effective_date": "2025-01-01", "reason": "resignation", "tags": ["a", "b"]},
            ]),
        );
        sections.insert("sessions".into(), serde_json::json!([]));
        sections.insert("odd/name:*".into(), serde_json::json!(["x", 12, true]));
        let copy = DataCopy {
            employee_id: EmployeeId(uuid::Uuid::nil()),
            generated_at: Utc.with_ymd_and_hms(2026, 3, 2, 4, 0, 0).unwrap(),
            sections,
        };
        let bytes = to_xlsx(&copy).unwrap();
        let mut book: Xlsx<_> = Xlsx::new(std::io::Cursor::new(bytes)).unwrap();
        let names = book.sheet_names();
        assert_eq!(names[0], "说明 about");
        assert!(names.contains(&"员工档案 record".to_string()), "{names:?}");
        assert!(names.contains(&"人事事件 events".to_string()));
        assert!(names.contains(&"登录会话 sessions".to_string()));
        assert!(names.contains(&"oddname".to_string()), "{names:?}");
        let record = book.worksheet_range("员工档案 record").unwrap();
        let cells: Vec<String> = record.rows().map(|r| format!("{}={}", r[0], r[1])).collect();
        assert!(cells.contains(&"assignment.status=regular".to_string()), "{cells:?}");
        assert!(cells.contains(&"phone=13800138000".to_string()));
        let events = book.worksheet_range("人事事件 events").unwrap();
        let header: Vec<String> = events.rows().next().unwrap().iter().map(|c| c.to_string()).collect();
        // serde_json maps are sorted by key; columns follow first appearance.
        assert_eq!(header, ["effective_date", "org_unit_id", "type", "reason", "tags"]);
        assert_eq!(events.get((2, 4)).unwrap().to_string(), "a, b");
    }

    #[test]
    fn sheet_names_are_unique_and_short() {
        let mut taken = Vec::new();
        let a = sheet_name("a_very_long_section_name_that_goes_on_and_on", &mut taken);
        let b = sheet_name("a_very_long_section_name_that_goes_on_and_on", &mut taken);
        assert!(a.chars().count() <= 31 && b.chars().count() <= 31);
        assert_ne!(a, b);
    }
}
