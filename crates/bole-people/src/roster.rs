//! 花名册 (roster) files: importing employees from an .xlsx or CSV roster, exporting
//! the roster as .xlsx, and the blank template HR fills in.
//!
//! Import is split along the "parse, don't validate" line. [`parse_roster`] owns
//! the file's syntax and references: encodings, header names, cell types, dates,
//! codes resolved to ids through a caller-preloaded [`RosterLookup`], required
//! cells. The data standards (ID check digits, dictionary values, phones,
//! duplicates within the file and against the database) stay with
//! `PeopleService::onboard_batch`, and [`map_batch_errors`] puts its findings
//! back on the file's rows and columns. Everything here is bytes in, bytes out:
//! no paths, no IO, no clock.

use crate::model::{Assignment, Employee, EmployeeStatus, EmploymentType, JobPlacement, NewEmployee, PersonalData};
use crate::rules;
use crate::service::RowErrors;
use crate::standards::dictionaries::{self, Dictionary};
use bole_core::{CompanyId, EmployeeId, ErrorKind, Failure, Msg, OrgUnitId, PositionId};
use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};
use std::borrow::Cow;
use std::collections::{BTreeSet, HashMap, HashSet};
use std::sync::LazyLock;
use utoipa::ToSchema;

/// Most data rows one file may hold; larger rosters are imported in parts.
pub const MAX_ROWS: usize = 200_000;
/// Most columns a header may have.
pub const MAX_COLUMNS: usize = 64;
/// Name of the data sheet in exports and the template; imports prefer it, else the first sheet.
pub const ROSTER_SHEET: &str = "花名册";
/// Name of the template's explanation sheet.
pub const HELP_SHEET: &str = "说明";

/// Rows above the header that may hold a title ("XX单位花名册"), an export date, …
const HEADER_SEARCH_ROWS: usize = 10;

// ---------------------------------------------------------------------------
// Columns
// ---------------------------------------------------------------------------

/// The roster columns. Order here is the order of exports and the template.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
enum Col {
    EmployeeNo,
    Name,
    IdType,
    IdNumber,
    Gender,
    BirthDate,
    Ethnicity,
    PoliticalStatus,
    MaritalStatus,
    NativePlace,
    EducationLevel,
    Degree,
    Phone,
    Email,
    Address,
    HireDate,
    OrgUnitCode,
    OrgUnitName,
    PositionCode,
    PositionName,
    ManagerNo,
    EmploymentType,
    QuotaCategory,
    WorkLocation,
    ProbationMonths,
    Status,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Usage {
    Required,
    Optional,
    /// Written by exports for reading only; recognised and ignored on import, so
    /// an export re-imports unchanged.
    ExportOnly,
}

#[derive(Clone, Copy, Debug)]
enum Kind {
    /// Free text.
    Text,
    /// Identifiers, codes and numbers that must stay text in Excel (leading zeros, 18 digits).
    Code,
    Date,
    /// Coded through a dictionary; exports write the Chinese label.
    Dict(&'static Dictionary),
    Months,
    Status,
}

struct Column {
    col: Col,
    /// Stable key, also accepted as an English header (`employee_no`, `Employee No`).
    key: &'static str,
    /// The header exports and the template write.
    zh: &'static str,
    /// Other header texts that mean this column. No alias may name two columns (tested).
    aliases: &'static [&'static str],
    usage: Usage,
    kind: Kind,
    /// Excel column width in characters.
    width: u8,
    /// One line for the 说明 sheet.
    help: &'static str,
}

#[expect(clippy::too_many_arguments, reason = "one positional row of the column table")]
const fn column(
    col: Col,
    key: &'static str,
    zh: &'static str,
    aliases: &'static [&'static str],
    usage: Usage,
    kind: Kind,
    width: u8,
    help: &'static str,
) -> Column {
    Column { col, key, zh, aliases, usage, kind, width, help }
}

static COLUMNS: [Column; 26] = {
    use Kind::*;
    use Usage::*;
    use dictionaries as d;
    [
        column(
            Col::EmployeeNo,
            "employee_no",
            "工号",
            &["员工编号", "员工工号", "employee number"],
            Required,
            Code,
            12,
            "1–32位字母、数字、- 或 _，本单位内不重复。",
        ),
        column(Col::Name, "name", "姓名", &["员工姓名"], Required, Text, 10, "1–50个字。"),
        column(
            Col::IdType,
            "id_type",
            "证件类型",
            &["证件种类"],
            Optional,
            Dict(&d::ID_DOCUMENT_TYPE),
            16,
            "不填即为居民身份证。",
        ),
        column(
            Col::IdNumber,
            "id_number",
            "身份证号",
            &["证件号码", "证件号", "身份证号码", "身份证", "ID number", "ID No"],
            Required,
            Code,
            22,
            "居民身份证填18位号码（末位X大小写均可）；其他证件填证件号码。该列必须是文本格式，否则Excel会把号码存成数字并丢掉末尾几位。",
        ),
        column(
            Col::Gender,
            "gender",
            "性别",
            &[],
            Optional,
            Dict(&d::GENDER),
            6,
            "居民身份证可不填，按号码推出；填写时须与号码一致。",
        ),
        column(
            Col::BirthDate,
            "birth_date",
            "出生日期",
            &["生日"],
            Optional,
            Date,
            12,
            "居民身份证可不填，按号码推出；填写时须与号码一致。",
        ),
        column(Col::Ethnicity, "ethnicity", "民族", &[], Optional, Dict(&d::ETHNICITY), 10, ""),
        column(Col::PoliticalStatus, "political_status", "政治面貌", &[], Optional, Dict(&d::POLITICAL_STATUS), 16, ""),
        column(
            Col::MaritalStatus,
            "marital_status",
            "婚姻状况",
            &["婚姻状态"],
            Optional,
            Dict(&d::MARITAL_STATUS),
            10,
            "",
        ),
        column(Col::NativePlace, "native_place", "籍贯", &[], Optional, Text, 14, "不超过100个字。"),
        column(
            Col::EducationLevel,
            "education_level",
            "学历",
            &["最高学历"],
            Optional,
            Dict(&d::EDUCATION_LEVEL),
            10,
            "最高学历。",
        ),
        column(Col::Degree, "degree", "学位", &["最高学位"], Optional, Dict(&d::DEGREE), 10, "最高学位。"),
        column(
            Col::Phone,
            "phone",
            "手机号",
            &["联系电话", "手机号码", "手机", "电话", "mobile"],
            Optional,
            Code,
            15,
            "11位手机号或带区号的固定电话。",
        ),
        column(Col::Email, "email", "邮箱", &["电子邮箱", "电子邮件", "邮件"], Optional, Text, 26, ""),
        column(
            Col::Address,
            "address",
            "现住址",
            &["地址", "住址", "现居住地址"],
            Optional,
            Text,
            30,
            "不超过200个字。",
        ),
        column(
            Col::HireDate,
            "hire_date",
            "入职日期",
            &["入职时间", "到岗日期"],
            Required,
            Date,
            12,
            "第一天上班的日期。",
        ),
        column(
            Col::OrgUnitCode,
            "org_unit_code",
            "组织编码",
            &["部门编码", "组织单元编码", "部门代码", "组织代码"],
            Required,
            Code,
            12,
            "组织架构中组织单元的编码，须已存在且在入职日期有效。",
        ),
        column(
            Col::OrgUnitName,
            "org_unit_name",
            "组织名称",
            &["部门名称"],
            ExportOnly,
            Text,
            18,
            "仅导出时参考，导入时不读取（以组织编码为准）。",
        ),
        column(
            Col::PositionCode,
            "position_code",
            "岗位编码",
            &["岗位代码", "职位编码"],
            Optional,
            Code,
            12,
            "须是该组织单元下的岗位。",
        ),
        column(
            Col::PositionName,
            "position_name",
            "岗位名称",
            &["职位名称"],
            ExportOnly,
            Text,
            16,
            "仅导出时参考，导入时不读取（以岗位编码为准）。",
        ),
        column(
            Col::ManagerNo,
            "manager_no",
            "直接上级工号",
            &["上级工号", "汇报对象工号"],
            Optional,
            Code,
            12,
            "上级须已在系统中；同一文件里的新员工不能作为上级，请先导入上级，或导入后再补填。",
        ),
        column(
            Col::EmploymentType,
            "employment_type",
            "用工类型",
            &["用工形式"],
            Required,
            Dict(&d::EMPLOYMENT_TYPE),
            10,
            "",
        ),
        column(
            Col::QuotaCategory,
            "quota_category",
            "编制类别",
            &["编制类型"],
            Required,
            Dict(&d::QUOTA_CATEGORY),
            10,
            "占用所在组织的哪类编制。",
        ),
        column(Col::WorkLocation, "work_location", "工作地点", &["办公地点"], Optional, Text, 14, "不超过100个字。"),
        column(
            Col::ProbationMonths,
            "probation_months",
            "试用期(月)",
            &["试用期", "试用期月数"],
            Optional,
            Months,
            10,
            "0–6的整数，不填为0（无试用期）。",
        ),
        column(
            Col::Status,
            "status",
            "人员状态",
            &["员工状态", "在职状态"],
            ExportOnly,
            Status,
            10,
            "仅导出时参考，导入时不读取。",
        ),
    ]
};

fn spec(col: Col) -> &'static Column {
    // COLUMNS is declared in `Col` order; the fallback keeps this total without a panic path.
    COLUMNS.iter().find(|c| c.col == col).unwrap_or(&COLUMNS[0])
}

/// Header text → column, over the folded forms of every key, label and alias.
static BY_HEADER: LazyLock<HashMap<String, Col>> = LazyLock::new(|| {
    let mut map = HashMap::new();
    for c in &COLUMNS {
        for name in [c.key, c.zh].iter().chain(c.aliases) {
            map.insert(fold_header(name), c.col);
        }
    }
    map
});

/// Full-width ASCII (ＡＢＣ（）) → half-width and the ideographic space → a space.
/// Chinese input methods produce these routinely and a clerk cannot see the difference.
fn half_width(c: char) -> char {
    match c {
        '\u{3000}' => ' ',
        '\u{FF01}'..='\u{FF5E}' => char::from_u32(u32::from(c) - 0xFEE0).unwrap_or(c),
        _ => c,
    }
}

/// Invisible characters Excel and web forms leave around values.
fn is_invisible(c: char) -> bool {
    c.is_whitespace() || matches!(c, '\u{FEFF}' | '\u{200B}' | '\u{200C}' | '\u{200D}')
}

/// The comparable form of a header: half-width, no spaces or `_ - . *`, lower case,
/// without a "(必填)" style marker.
fn fold_header(s: &str) -> String {
    let folded: String = s
        .chars()
        .map(half_width)
        .filter(|c| !is_invisible(*c) && !matches!(c, '_' | '-' | '.' | '*'))
        .collect::<String>()
        .to_lowercase();
    for marker in ["(必填)", "(选填)", "(可选)"] {
        if let Some(stem) = folded.strip_suffix(marker) {
            return stem.to_string();
        }
    }
    folded
}

fn column_of_header(text: &str) -> Option<Col> {
    BY_HEADER.get(&fold_header(text)).copied()
}

/// Spreadsheet column letters for a 0-based index: 0 → A, 26 → AA.
fn column_letters(index: usize) -> String {
    let mut n = index + 1;
    let mut out = Vec::new();
    while n > 0 {
        let rem = (n - 1) % 26;
        out.push(char::from(b'A' + rem as u8));
        n = (n - 1) / 26;
    }
    out.iter().rev().collect()
}

// ---------------------------------------------------------------------------
// Public types
// ---------------------------------------------------------------------------

/// The file formats a roster may come in.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum RosterFormat {
    /// Excel 2007+ workbook.
    Xlsx,
    /// Comma- or tab-separated text in UTF-8 (with or without BOM), UTF-16 with BOM, or GBK/GB18030.
    Csv,
}

impl RosterFormat {
    /// The format a file name's extension names, if any (`.xlsx`, `.xlsm`, `.csv`, `.txt`).
    pub fn from_file_name(name: &str) -> Option<Self> {
        let ext = name.rsplit_once('.').map(|(_, e)| e.trim().to_ascii_lowercase())?;
        match ext.as_str() {
            "xlsx" | "xlsm" => Some(RosterFormat::Xlsx),
            "csv" | "txt" | "tsv" => Some(RosterFormat::Csv),
            _ => None,
        }
    }

    /// The format the bytes themselves show: a zip container (`PK\x03\x04`) is an
    /// .xlsx; anything that is not a known binary format is taken as text.
    pub fn sniff(bytes: &[u8]) -> Option<Self> {
        if bytes.starts_with(b"PK\x03\x04") {
            Some(RosterFormat::Xlsx)
        } else if bytes.starts_with(OLE_MAGIC) || bytes.starts_with(b"%PDF") {
            None
        } else {
            Some(RosterFormat::Csv)
        }
    }

    /// The format of an upload. The bytes win over the name, because a renamed
    /// file is common; the name only explains what went wrong.
    pub fn detect(file_name: Option<&str>, bytes: &[u8]) -> Result<Self, RosterErrors> {
        if bytes.starts_with(OLE_MAGIC) {
            return Err(RosterErrors::file(Msg::new(
                "不支持旧版Excel（.xls）文件：请在Excel中“另存为” .xlsx 或 CSV 后再导入",
                "old Excel files (.xls) are not supported: use Save As .xlsx or CSV in Excel and import that",
            )));
        }
        match Self::sniff(bytes) {
            Some(RosterFormat::Xlsx) => Ok(RosterFormat::Xlsx),
            Some(RosterFormat::Csv) if file_name.and_then(Self::from_file_name) == Some(RosterFormat::Xlsx) => {
                Err(RosterErrors::file(Msg::new(
                    "文件扩展名是 .xlsx，但内容不是Excel工作簿：文件可能已损坏或被改过扩展名",
                    "the file is named .xlsx but is not an Excel workbook: it may be damaged or renamed",
                )))
            }
            Some(RosterFormat::Csv) if bytes.iter().take(4096).any(|b| *b == 0) && !has_utf16_bom(bytes) => {
                Err(RosterErrors::file(Msg::new(
                    "无法识别的文件：请上传 .xlsx 或 CSV 格式的花名册",
                    "unrecognised file: upload the roster as .xlsx or CSV",
                )))
            }
            Some(f) => Ok(f),
            None => Err(RosterErrors::file(Msg::new(
                "无法识别的文件：请上传 .xlsx 或 CSV 格式的花名册",
                "unrecognised file: upload the roster as .xlsx or CSV",
            ))),
        }
    }
}

const OLE_MAGIC: &[u8] = b"\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1";

fn has_utf16_bom(bytes: &[u8]) -> bool {
    bytes.starts_with(b"\xFF\xFE") || bytes.starts_with(b"\xFE\xFF")
}

/// How the file's codes become ids. The caller preloads what the company has
/// (see [`RosterMaps`]); lookups are exact after trimming and folding full-width
/// characters.
pub trait RosterLookup {
    /// The org unit with this code (组织编码) in the company.
    fn org_unit(&self, code: &str) -> Option<OrgUnitId>;
    /// The position with this code (岗位编码) in the company.
    fn position(&self, code: &str) -> Option<PositionId>;
    /// The existing employee with this number (工号) in the company.
    fn employee(&self, employee_no: &str) -> Option<EmployeeId>;
}

/// The usual [`RosterLookup`]: maps the caller fills from the org and people stores.
#[derive(Clone, Debug, Default)]
pub struct RosterMaps {
    pub units: HashMap<String, OrgUnitId>,
    pub positions: HashMap<String, PositionId>,
    pub employees: HashMap<String, EmployeeId>,
}

impl RosterLookup for RosterMaps {
    fn org_unit(&self, code: &str) -> Option<OrgUnitId> {
        self.units.get(code).copied()
    }

    fn position(&self, code: &str) -> Option<PositionId> {
        self.positions.get(code).copied()
    }

    fn employee(&self, employee_no: &str) -> Option<EmployeeId> {
        self.employees.get(employee_no).copied()
    }
}

/// One employee read from the file.
#[derive(Clone, Debug)]
pub struct ParsedRow {
    /// 1-based sheet row number, counting the header: the first data row under a
    /// header on row 1 is 2. For CSV, the line the record starts on.
    pub row: usize,
    pub employee: NewEmployee,
}

/// A problem in one cell (or, with an empty `column`, in one row).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, ToSchema)]
pub struct RowError {
    /// 1-based sheet row number, as Excel shows it.
    pub row: usize,
    /// The header text as written in the file (e.g. `身份证号`); the standard
    /// Chinese header when the file has no such column; empty for a whole-row problem.
    pub column: String,
    /// The column's stable key (`id_number`, `org_unit_code`); for a service
    /// finding with no roster column, the service's field name (`job`).
    pub field: String,
    pub message: Msg,
}

impl RowError {
    /// "第12行 身份证号：校验位错误…" / "Row 12, 身份证号: check digit is wrong…".
    pub fn render(&self) -> Msg {
        let Msg { zh, en } = &self.message;
        if self.column.is_empty() {
            Msg::new(format!("第{}行：{zh}", self.row), format!("Row {}: {en}", self.row))
        } else {
            Msg::new(
                format!("第{}行 {}：{zh}", self.row, self.column),
                format!("Row {}, {}: {en}", self.row, self.column),
            )
        }
    }
}

/// Everything wrong with a roster file. Nothing is imported while any is present.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, ToSchema)]
pub struct RosterErrors {
    /// Problems with the file as a whole: format, encoding, size, header row.
    pub header: Vec<Msg>,
    /// Problems in cells, in row order and, within a row, in column order.
    pub rows: Vec<RowError>,
}

impl RosterErrors {
    fn file(msg: Msg) -> Self {
        RosterErrors { header: vec![msg], rows: Vec::new() }
    }

    pub fn is_empty(&self) -> bool {
        self.header.is_empty() && self.rows.is_empty()
    }

    pub fn len(&self) -> usize {
        self.header.len() + self.rows.len()
    }

    /// Every problem as one line: file-level ones first, then "第N行 列：…".
    pub fn messages(&self) -> Vec<Msg> {
        self.header.iter().cloned().chain(self.rows.iter().map(RowError::render)).collect()
    }
}

impl std::fmt::Display for RosterErrors {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "roster has {} problems", self.len())
    }
}

impl std::error::Error for RosterErrors {}

impl Failure for RosterErrors {
    fn code(&self) -> &'static str {
        "roster_invalid"
    }

    fn kind(&self) -> ErrorKind {
        ErrorKind::Invalid
    }

    fn message(&self) -> Msg {
        let n = self.len();
        Msg::new(
            format!("花名册有{n}处问题，请逐条修改后重新上传；全部无误后才会导入。"),
            format!(
                "The roster has {n} problems; fix them and upload again. Nothing is imported until all rows are valid."
            ),
        )
    }
}

/// The file's header row: which column holds what, under which text.
#[derive(Clone, Debug, Default)]
pub struct HeaderMap {
    /// (0-based sheet column, header text as written, the column it names).
    columns: Vec<(usize, String, Option<Col>)>,
}

impl HeaderMap {
    /// The headers exports and the template write, for messages about input that
    /// did not come from a file.
    pub fn standard() -> Self {
        let columns = COLUMNS
            .iter()
            .filter(|c| c.usage != Usage::ExportOnly)
            .enumerate()
            .map(|(i, c)| (i, c.zh.to_string(), Some(c.col)))
            .collect();
        HeaderMap { columns }
    }

    /// The header row of a roster file (the same one [`parse_roster`] uses).
    /// Fails with the same file and header errors `parse_roster` reports.
    pub fn read(bytes: &[u8], format: RosterFormat) -> Result<Self, RosterErrors> {
        let grid = read_grid(bytes, format)?;
        let (_, headers, errors) = locate_header(&grid)?;
        if errors.is_empty() { Ok(headers) } else { Err(RosterErrors { header: errors, rows: Vec::new() }) }
    }

    /// The header text for a column key (`id_number` → the file's `证件号码`).
    pub fn text_of(&self, key: &str) -> Option<&str> {
        let col = COLUMNS.iter().find(|c| c.key == key)?.col;
        self.entry(col).map(|(_, text)| text)
    }

    fn entry(&self, col: Col) -> Option<(usize, &str)> {
        self.columns.iter().find(|(_, _, c)| *c == Some(col)).map(|(i, t, _)| (*i, t.as_str()))
    }

    /// The text to show for a column: the file's, else the standard header.
    fn label(&self, col: Col) -> String {
        self.entry(col).map_or_else(|| spec(col).zh.to_string(), |(_, t)| t.to_string())
    }

    /// Sort position of a column in the file (unknown ones last).
    fn position(&self, col: Option<Col>) -> usize {
        col.and_then(|c| self.entry(c)).map_or(usize::MAX, |(i, _)| i)
    }

    fn col_at(&self, index: usize) -> Option<Option<Col>> {
        self.columns.iter().find(|(i, _, _)| *i == index).map(|(_, _, c)| *c)
    }
}

// ---------------------------------------------------------------------------
// Reading cells
// ---------------------------------------------------------------------------

/// A cell as the file holds it, before any column's rules apply.
#[derive(Clone, Debug, PartialEq)]
enum Cell {
    Text(String),
    /// A numeric cell; `int` when it is an exact integer.
    Number {
        int: Option<i64>,
        shown: String,
    },
    /// A date-formatted cell; None when Excel's serial is not a calendar date.
    Date(Option<NaiveDate>),
    Bool(bool),
    /// An Excel error value such as `#N/A`.
    Error(String),
}

impl Cell {
    fn text(s: &str) -> Option<Cell> {
        let t = s.trim_matches(is_invisible);
        if t.is_empty() { None } else { Some(Cell::Text(t.to_string())) }
    }

    fn shown(&self) -> String {
        match self {
            Cell::Text(s) => s.clone(),
            Cell::Number { shown, .. } => shown.clone(),
            Cell::Date(Some(d)) => d.to_string(),
            Cell::Date(None) => "#无效日期".to_string(),
            Cell::Bool(b) => if *b { "TRUE" } else { "FALSE" }.to_string(),
            Cell::Error(e) => e.clone(),
        }
    }
}

/// calamine hands every numeric cell over as an f64. Integers below 2^53 are
/// exact and become integers here; anything else is kept only as shown text.
fn number_cell(v: f64) -> Cell {
    const EXACT: f64 = 9_007_199_254_740_992.0;
    if v.is_finite() && v.fract() == 0.0 && v.abs() < EXACT {
        let int = v as i64;
        Cell::Number { int: Some(int), shown: int.to_string() }
    } else {
        Cell::Number { int: None, shown: v.to_string() }
    }
}

/// A non-empty row: its sheet row number and its non-empty cells by 0-based column.
#[derive(Debug)]
struct GridRow {
    number: usize,
    cells: Vec<(usize, Cell)>,
}

fn too_large() -> RosterErrors {
    RosterErrors::file(Msg::new(
        format!("花名册过大：一次最多导入{MAX_ROWS}行、{MAX_COLUMNS}列，请拆分后分批导入"),
        format!(
            "the roster is too large: at most {MAX_ROWS} rows and {MAX_COLUMNS} columns per file; split it and import in parts"
        ),
    ))
}

/// Rows kept while reading: the data limit plus room for the header and a title above it.
const READ_LIMIT: usize = MAX_ROWS + HEADER_SEARCH_ROWS + 1;

fn read_grid(bytes: &[u8], format: RosterFormat) -> Result<Vec<GridRow>, RosterErrors> {
    match format {
        RosterFormat::Xlsx => read_xlsx(bytes),
        RosterFormat::Csv => read_csv(bytes),
    }
}

fn read_xlsx(bytes: &[u8]) -> Result<Vec<GridRow>, RosterErrors> {
    use calamine::{DataRef, Reader, Xlsx};
    let unreadable = |detail: String| {
        RosterErrors::file(Msg::new(
            format!("无法读取该 .xlsx 文件（{detail}）：文件可能已损坏，请在Excel中打开后重新保存"),
            format!("cannot read the .xlsx file ({detail}): it may be damaged; open it in Excel and save it again"),
        ))
    };
    let mut book: Xlsx<_> = Xlsx::new(std::io::Cursor::new(bytes)).map_err(|e| unreadable(e.to_string()))?;
    let names = book.sheet_names();
    let sheet = names
        .iter()
        .find(|n| n.trim() == ROSTER_SHEET)
        .or_else(|| names.first())
        .cloned()
        .ok_or_else(|| unreadable("no worksheet".into()))?;
    let mut reader = book.worksheet_cells_reader(&sheet).map_err(|e| unreadable(e.to_string()))?;
    let mut rows: Vec<GridRow> = Vec::new();
    while let Some(cell) = reader.next_cell().map_err(|e| unreadable(e.to_string()))? {
        let (r, c) = cell.get_position();
        let value = match cell.get_value() {
            DataRef::Empty => None,
            DataRef::String(s) | DataRef::DateTimeIso(s) | DataRef::DurationIso(s) => Cell::text(s),
            DataRef::SharedString(s) => Cell::text(s),
            DataRef::Float(v) => Some(number_cell(*v)),
            DataRef::Int(i) => Some(Cell::Number { int: Some(*i), shown: i.to_string() }),
            DataRef::Bool(b) => Some(Cell::Bool(*b)),
            DataRef::DateTime(dt) if dt.is_duration() => Some(number_cell(dt.as_f64())),
            DataRef::DateTime(dt) => {
                let (y, m, d, ..) = dt.to_ymd_hms_milli();
                Some(Cell::Date(NaiveDate::from_ymd_opt(i32::from(y), u32::from(m), u32::from(d))))
            }
            DataRef::Error(e) => Some(Cell::Error(e.to_string())),
        };
        let Some(value) = value else { continue };
        let number = r as usize + 1;
        match rows.last_mut() {
            Some(last) if last.number == number => last.cells.push((c as usize, value)),
            _ => {
                if rows.len() >= READ_LIMIT {
                    return Err(too_large());
                }
                rows.push(GridRow { number, cells: vec![(c as usize, value)] });
            }
        }
    }
    // Writers emit cells in row-major order; tolerate one that does not.
    if !rows.is_sorted_by_key(|r| r.number) || rows.iter().any(|r| !r.cells.is_sorted_by_key(|(c, _)| *c)) {
        rows.sort_by_key(|r| r.number);
        let mut merged: Vec<GridRow> = Vec::with_capacity(rows.len());
        for row in rows {
            match merged.last_mut() {
                Some(last) if last.number == row.number => last.cells.extend(row.cells),
                _ => merged.push(row),
            }
        }
        for row in &mut merged {
            row.cells.sort_by_key(|(c, _)| *c);
        }
        rows = merged;
    }
    Ok(rows)
}

/// Text of a CSV file: a BOM decides the encoding; otherwise UTF-8 when valid, else
/// GB18030 (a superset of GBK, what Chinese Excel's "CSV" save writes).
fn decode_text(bytes: &[u8]) -> Result<Cow<'_, str>, RosterErrors> {
    let undecodable = || {
        RosterErrors::file(Msg::new(
            "无法识别CSV文件的文字编码：请使用 UTF-8 或 GBK 编码保存",
            "cannot tell the CSV file's text encoding: save it as UTF-8 or GBK",
        ))
    };
    if let Some((encoding, bom)) = encoding_rs::Encoding::for_bom(bytes) {
        let body = bytes.get(bom..).unwrap_or_default();
        return encoding.decode_without_bom_handling_and_without_replacement(body).ok_or_else(undecodable);
    }
    match std::str::from_utf8(bytes) {
        Ok(s) => Ok(Cow::Borrowed(s)),
        Err(_) => {
            encoding_rs::GB18030.decode_without_bom_handling_and_without_replacement(bytes).ok_or_else(undecodable)
        }
    }
}

fn read_csv(bytes: &[u8]) -> Result<Vec<GridRow>, RosterErrors> {
    let text = decode_text(bytes)?;
    // csv counts a CRLF's '\n' towards the next record's line; one terminator keeps line numbers true.
    let text = if text.contains("\r\n") { Cow::Owned(text.replace("\r\n", "\n")) } else { text };
    // Excel's "Unicode text" export is tab-separated; its CSV is comma-separated.
    let first_line = text.lines().next().unwrap_or_default();
    let delimiter = if first_line.matches('\t').count() > first_line.matches(',').count() { b'\t' } else { b',' };
    let mut reader =
        csv::ReaderBuilder::new().has_headers(false).flexible(true).delimiter(delimiter).from_reader(text.as_bytes());
    let mut rows = Vec::new();
    let mut record = csv::StringRecord::new();
    loop {
        match reader.read_record(&mut record) {
            Ok(false) => break,
            Ok(true) => {}
            Err(e) => {
                let line = e.position().map_or(0, csv::Position::line);
                return Err(RosterErrors::file(Msg::new(
                    format!("CSV格式有误（第{line}行附近）：请检查引号是否成对"),
                    format!("malformed CSV near line {line}: check that quotes are paired"),
                )));
            }
        }
        let number = record.position().map_or(rows.len() + 1, |p| p.line() as usize);
        let cells: Vec<(usize, Cell)> = record
            .iter()
            .enumerate()
            .filter_map(|(i, raw)| {
                // `="00123"` is the usual trick to keep Excel from eating leading zeros.
                let raw = raw.trim_matches(is_invisible);
                let raw = raw.strip_prefix("=\"").and_then(|r| r.strip_suffix('"')).unwrap_or(raw);
                Cell::text(raw).map(|c| (i, c))
            })
            .collect();
        if cells.is_empty() {
            continue;
        }
        if rows.len() >= READ_LIMIT {
            return Err(too_large());
        }
        rows.push(GridRow { number, cells });
    }
    Ok(rows)
}

/// Finds the header row: the first of the top rows that names a known column
/// (rows above it are a title or notes), else the first row. Returns its index
/// in `grid`, the map, and non-fatal header problems; fatal ones are the error.
fn locate_header(grid: &[GridRow]) -> Result<(usize, HeaderMap, Vec<Msg>), RosterErrors> {
    let Some(first) = grid.first() else {
        return Err(RosterErrors::file(Msg::new("文件是空的：找不到表头行", "the file is empty: no header row found")));
    };
    let at = grid
        .iter()
        .take(HEADER_SEARCH_ROWS)
        .position(|r| r.cells.iter().any(|(_, c)| column_of_header(&c.shown()).is_some()))
        .unwrap_or(0);
    let row = grid.get(at).unwrap_or(first);
    if row.cells.len() > MAX_COLUMNS {
        return Err(too_large());
    }
    let mut errors = Vec::new();
    let mut columns: Vec<(usize, String, Option<Col>)> = Vec::new();
    for (index, cell) in &row.cells {
        let text = cell.shown();
        let col = column_of_header(&text);
        match col {
            None => errors.push(Msg::new(
                format!("无法识别的列“{text}”（{}列）：请使用模板中的列名，或删除该列", column_letters(*index)),
                format!(
                    "unknown column \"{text}\" (column {}): use the template's column names or remove it",
                    column_letters(*index)
                ),
            )),
            Some(c) => {
                if let Some((_, earlier, _)) = columns.iter().find(|(_, _, o)| *o == Some(c)) {
                    errors.push(Msg::new(
                        format!("列“{text}”与列“{earlier}”是同一项，请只保留一列"),
                        format!("columns \"{earlier}\" and \"{text}\" mean the same thing; keep only one"),
                    ));
                    continue;
                }
            }
        }
        columns.push((*index, text, col));
    }
    for c in COLUMNS.iter().filter(|c| c.usage == Usage::Required) {
        if !columns.iter().any(|(_, _, o)| *o == Some(c.col)) {
            errors.push(Msg::new(
                format!("缺少必填列：{}", c.zh),
                format!("missing required column: {} ({})", c.zh, c.key),
            ));
        }
    }
    Ok((at, HeaderMap { columns }, errors))
}

// ---------------------------------------------------------------------------
// Parsing rows
// ---------------------------------------------------------------------------

/// Reads a roster file into new employees of `company`.
///
/// Every row is checked and every problem reported; the result is all rows or
/// the errors, never part of the file. Checks here are syntax and references
/// only — the data standards are `PeopleService::onboard_batch`'s, whose row
/// findings [`map_batch_errors`] maps back to this file.
pub fn parse_roster(
    bytes: &[u8],
    format: RosterFormat,
    company: CompanyId,
    lookup: &dyn RosterLookup,
) -> Result<Vec<ParsedRow>, RosterErrors> {
    let grid = read_grid(bytes, format)?;
    let (at, headers, mut header_errors) = locate_header(&grid)?;
    let data = grid.get(at + 1..).unwrap_or_default();
    if data.len() > MAX_ROWS {
        return Err(too_large());
    }
    if data.is_empty() {
        header_errors.push(Msg::new(
            "花名册里没有员工数据（表头下面是空的）",
            "the roster has no employee rows below the header",
        ));
        return Err(RosterErrors { header: header_errors, rows: Vec::new() });
    }
    let file_nos: HashSet<String> = match headers.entry(Col::EmployeeNo) {
        Some((index, _)) => data
            .iter()
            .filter_map(|r| r.cells.iter().find(|(i, _)| *i == index).map(|(_, c)| fold_code(&c.shown())))
            .collect(),
        None => HashSet::new(),
    };
    let mut errors: Vec<(usize, RowError)> = Vec::new();
    let mut parsed = Vec::with_capacity(data.len());
    let mut headless: BTreeSet<usize> = BTreeSet::new();
    for row in data {
        headless.extend(row.cells.iter().map(|(i, _)| *i).filter(|i| headers.col_at(*i).is_none()));
        let mut reader = RowReader { row, headers: &headers, errors: Vec::new() };
        let employee = reader.employee(company, lookup, &file_nos);
        if reader.errors.is_empty() {
            if let Some(employee) = employee {
                parsed.push(ParsedRow { row: row.number, employee });
            }
        } else {
            errors.append(&mut reader.errors);
        }
    }
    for index in headless {
        let letters = column_letters(index);
        header_errors.push(Msg::new(
            format!("{letters}列有数据但没有列名：请补上列名或删除该列"),
            format!("column {letters} has data but no header: add a header or remove the column"),
        ));
    }
    if header_errors.is_empty() && errors.is_empty() {
        return Ok(parsed);
    }
    // Rows are already in order; order each row's errors by file column.
    errors.sort_by_key(|(position, e)| (e.row, *position));
    Err(RosterErrors { header: header_errors, rows: errors.into_iter().map(|(_, e)| e).collect() })
}

/// Codes (工号, 组织编码 …) as typed: trimmed and half-width.
fn fold_code(s: &str) -> String {
    s.chars().map(half_width).collect::<String>().trim_matches(is_invisible).to_string()
}

struct RowReader<'a> {
    row: &'a GridRow,
    headers: &'a HeaderMap,
    /// (file column position, error) so a row's errors can be ordered as the file's columns.
    errors: Vec<(usize, RowError)>,
}

impl RowReader<'_> {
    fn fail(&mut self, col: Col, message: Msg) {
        self.errors.push((
            self.headers.position(Some(col)),
            RowError {
                row: self.row.number,
                column: self.headers.label(col),
                field: spec(col).key.to_string(),
                message,
            },
        ));
    }

    /// The cell under `col`; None when the column is absent or the cell empty.
    fn cell(&self, col: Col) -> Option<&Cell> {
        let (index, _) = self.headers.entry(col)?;
        self.row.cells.iter().find(|(i, _)| *i == index).map(|(_, c)| c)
    }

    /// A required cell is reported when empty; a missing required column is a header error already.
    fn require(&mut self, col: Col) -> Option<Cell> {
        let cell = self.cell(col).cloned();
        if cell.is_none() && self.headers.entry(col).is_some() {
            self.fail(col, Msg::new("必填，不能为空", "required; the cell is empty"));
        }
        cell
    }

    fn get(&mut self, col: Col, required: bool) -> Option<Cell> {
        if required { self.require(col) } else { self.cell(col).cloned() }
    }

    /// Text of any cell; an Excel error value is reported.
    fn text(&mut self, col: Col, required: bool) -> Option<String> {
        match self.get(col, required)? {
            Cell::Error(e) => {
                self.fail(
                    col,
                    Msg::new(
                        format!("单元格是错误值 {e}，请改为实际内容"),
                        format!("the cell holds the error value {e}; enter the real value"),
                    ),
                );
                None
            }
            c => Some(c.shown()),
        }
    }

    fn code(&mut self, col: Col, required: bool) -> Option<String> {
        self.text(col, required).map(|s| fold_code(&s))
    }

    fn date(&mut self, col: Col, required: bool) -> Option<NaiveDate> {
        let cell = self.get(col, required)?;
        let date = match &cell {
            Cell::Date(d) => *d,
            Cell::Number { int: Some(n), .. } => date_from_number(*n),
            Cell::Text(s) => parse_date_text(s),
            _ => None,
        };
        if date.is_none() {
            let shown = cell.shown();
            self.fail(
                col,
                Msg::new(
                    format!("“{shown}”不是有效日期，请填写如 2024-03-01、2024/3/1 或 2024年3月1日"),
                    format!("\"{shown}\" is not a valid date; use e.g. 2024-03-01, 2024/3/1 or 2024年3月1日"),
                ),
            );
        }
        date
    }

    fn id_number(&mut self) -> Option<String> {
        let cell = self.require(Col::IdNumber)?;
        let as_number = match &cell {
            Cell::Number { .. } | Cell::Date(_) => true,
            Cell::Text(s) => looks_scientific(s),
            _ => false,
        };
        if as_number {
            // 18 digits do not survive Excel's 15-significant-digit numbers; never guess the lost ones.
            self.fail(
                Col::IdNumber,
                Msg::new(
                    "身份证号被Excel存成了数字，请把该列设为文本后重新填写",
                    "Excel stored the ID number as a number, which loses digits; format the column as Text and enter the numbers again",
                ),
            );
            return None;
        }
        self.text(Col::IdNumber, true)
    }

    fn employment_type(&mut self) -> Option<EmploymentType> {
        let raw = self.text(Col::EmploymentType, true)?;
        let found = dictionaries::EMPLOYMENT_TYPE.normalize(&raw).and_then(|e| EmploymentType::parse(e.code));
        if found.is_none() {
            let allowed = labels(&dictionaries::EMPLOYMENT_TYPE);
            self.fail(
                Col::EmploymentType,
                Msg::new(
                    format!("“{raw}”不是有效的用工类型，可填：{allowed}"),
                    format!("\"{raw}\" is not an employment type; use one of: {allowed}"),
                ),
            );
        }
        found
    }

    fn probation_months(&mut self) -> u8 {
        let Some(cell) = self.get(Col::ProbationMonths, false) else { return 0 };
        let months = match &cell {
            Cell::Number { int: Some(n), .. } => u8::try_from(*n).ok(),
            Cell::Text(s) => {
                let s = fold_code(s);
                let s = s.strip_suffix("个月").or_else(|| s.strip_suffix('月')).unwrap_or(&s).trim();
                if s == "无" { Some(0) } else { s.parse::<u8>().ok() }
            }
            _ => None,
        };
        months.unwrap_or_else(|| {
            let shown = cell.shown();
            self.fail(
                Col::ProbationMonths,
                Msg::new(
                    format!("“{shown}”不是月数，请填写0–6的整数"),
                    format!("\"{shown}\" is not a number of months; use a whole number 0–6"),
                ),
            );
            0
        })
    }

    fn org_unit(&mut self, lookup: &dyn RosterLookup) -> Option<OrgUnitId> {
        let code = self.code(Col::OrgUnitCode, true)?;
        let id = lookup.org_unit(&code);
        if id.is_none() {
            self.fail(
                Col::OrgUnitCode,
                Msg::new(
                    format!("组织编码“{code}”不存在，请对照组织架构填写"),
                    format!("org unit code \"{code}\" does not exist; check the org structure"),
                ),
            );
        }
        id
    }

    fn position(&mut self, lookup: &dyn RosterLookup) -> Option<PositionId> {
        let code = self.code(Col::PositionCode, false)?;
        let id = lookup.position(&code);
        if id.is_none() {
            self.fail(
                Col::PositionCode,
                Msg::new(format!("岗位编码“{code}”不存在"), format!("position code \"{code}\" does not exist")),
            );
        }
        id
    }

    fn manager(
        &mut self,
        lookup: &dyn RosterLookup,
        own_no: Option<&str>,
        file_nos: &HashSet<String>,
    ) -> Option<EmployeeId> {
        let no = self.code(Col::ManagerNo, false)?;
        if own_no == Some(no.as_str()) {
            self.fail(Col::ManagerNo, Msg::new("直接上级不能是本人", "an employee cannot be their own manager"));
            return None;
        }
        let id = lookup.employee(&no);
        if id.is_none() {
            // Managers are resolved before anything is written, so only people already
            // on file can be referenced; say so when the manager is in this same file.
            let message = if file_nos.contains(&no) {
                Msg::new(
                    format!("直接上级“{no}”也在本次导入的文件中：上级须已在系统中，请先导入上级，或导入后再补填上级"),
                    format!(
                        "manager \"{no}\" is also in this file: managers must already exist; import them first, or add the manager after this import"
                    ),
                )
            } else {
                Msg::new(
                    format!("直接上级工号“{no}”不存在：上级须是系统中已有的员工"),
                    format!("manager employee number \"{no}\" does not exist: the manager must already be an employee"),
                )
            };
            self.fail(Col::ManagerNo, message);
        }
        id
    }

    fn employee(
        &mut self,
        company: CompanyId,
        lookup: &dyn RosterLookup,
        file_nos: &HashSet<String>,
    ) -> Option<NewEmployee> {
        let employee_no = self.code(Col::EmployeeNo, true);
        let name = self.text(Col::Name, true);
        let id_type = self.text(Col::IdType, false);
        let id_number = self.id_number();
        let gender = self.text(Col::Gender, false);
        let birth_date = self.date(Col::BirthDate, false);
        let ethnicity = self.text(Col::Ethnicity, false);
        let political_status = self.text(Col::PoliticalStatus, false);
        let marital_status = self.text(Col::MaritalStatus, false);
        let native_place = self.text(Col::NativePlace, false);
        let education_level = self.text(Col::EducationLevel, false);
        let degree = self.text(Col::Degree, false);
        let phone = self.code(Col::Phone, false);
        let email = self.code(Col::Email, false);
        let address = self.text(Col::Address, false);
        let hire_date = self.date(Col::HireDate, true);
        let org_unit_id = self.org_unit(lookup);
        let position_id = self.position(lookup);
        let manager_id = self.manager(lookup, employee_no.as_deref(), file_nos);
        let employment_type = self.employment_type();
        // Normalised and checked against QUOTA_CATEGORY by the service, not twice here.
        let quota_category = self.text(Col::QuotaCategory, true);
        let work_location = self.text(Col::WorkLocation, false);
        let probation_months = self.probation_months();
        let (
            Some(employee_no),
            Some(name),
            Some(id_number),
            Some(hire_date),
            Some(org_unit_id),
            Some(employment_type),
            Some(quota_category),
        ) = (employee_no, name, id_number, hire_date, org_unit_id, employment_type, quota_category)
        else {
            return None;
        };
        Some(NewEmployee {
            company_id: company,
            employee_no,
            person: PersonalData {
                name,
                gender,
                birth_date,
                id_type,
                id_number,
                ethnicity,
                political_status,
                marital_status,
                native_place,
                education_level,
                degree,
                phone,
                email,
                address,
                bank_name: None,
                bank_account: None,
            },
            hire_date,
            job: JobPlacement { org_unit_id, position_id, manager_id, employment_type, quota_category, work_location },
            probation_months,
            educations: Vec::new(),
            contacts: Vec::new(),
        })
    }
}

/// "1.10105E+17": what an ID number becomes after a round trip through Excel as a number.
fn looks_scientific(s: &str) -> bool {
    let upper = s.to_ascii_uppercase();
    let Some((mantissa, exponent)) = upper.split_once("E+") else { return false };
    !mantissa.is_empty()
        && mantissa.chars().all(|c| c.is_ascii_digit() || c == '.')
        && !exponent.is_empty()
        && exponent.chars().all(|c| c.is_ascii_digit())
}

/// A number in a date column: an Excel serial date (a date cell that lost its
/// format) or 20240301 typed without separators.
fn date_from_number(n: i64) -> Option<NaiveDate> {
    match n {
        19_000_101..=99_991_231 => {
            let (y, md) = (n / 10_000, n % 10_000);
            NaiveDate::from_ymd_opt(
                i32::try_from(y).ok()?,
                u32::try_from(md / 100).ok()?,
                u32::try_from(md % 100).ok()?,
            )
        }
        1..=2_958_465 => excel_serial_date(n),
        _ => None,
    }
}

/// Excel's 1900 date system, including its phantom 1900-02-29 (serial 60, not a date).
fn excel_serial_date(serial: i64) -> Option<NaiveDate> {
    let (epoch, days) = match serial {
        1..=59 => (NaiveDate::from_ymd_opt(1899, 12, 31)?, serial),
        61.. => (NaiveDate::from_ymd_opt(1899, 12, 30)?, serial),
        _ => return None,
    };
    epoch.checked_add_days(chrono::Days::new(u64::try_from(days).ok()?))
}

/// 2024-03-01, 2024/3/1, 2024.3.1, 2024年3月1日, 20240301, and any of those
/// followed by a time ("2024-03-01 00:00:00", "2024-03-01T00:00:00").
fn parse_date_text(s: &str) -> Option<NaiveDate> {
    let s = fold_code(s);
    let day_part = s.split([' ', 'T']).next().unwrap_or_default();
    if day_part.len() == 8 && day_part.bytes().all(|b| b.is_ascii_digit()) {
        return date_from_number(day_part.parse().ok()?);
    }
    let parts: Vec<&str> = day_part.split(['-', '/', '.', '年', '月', '日', '号']).filter(|p| !p.is_empty()).collect();
    let [y, m, d] = parts.as_slice() else { return None };
    // Only year-first: 3/1/2024 could be March or January and is refused rather than guessed.
    if y.len() != 4 || m.len() > 2 || d.len() > 2 {
        return None;
    }
    NaiveDate::from_ymd_opt(y.parse().ok()?, m.parse().ok()?, d.parse().ok()?)
}

fn labels(dict: &Dictionary) -> String {
    dict.entries.iter().map(|e| e.zh).collect::<Vec<_>>().join("、")
}

// ---------------------------------------------------------------------------
// Service findings → rows and columns
// ---------------------------------------------------------------------------

/// The roster column a service field name belongs to.
fn column_of_field(field: &str) -> Option<Col> {
    Some(match field {
        "employee_no" => Col::EmployeeNo,
        "name" => Col::Name,
        "id_type" => Col::IdType,
        "id_number" => Col::IdNumber,
        "gender" => Col::Gender,
        "birth_date" => Col::BirthDate,
        "ethnicity" => Col::Ethnicity,
        "political_status" => Col::PoliticalStatus,
        "marital_status" => Col::MaritalStatus,
        "native_place" => Col::NativePlace,
        "education_level" => Col::EducationLevel,
        "degree" => Col::Degree,
        "phone" => Col::Phone,
        "email" => Col::Email,
        "address" => Col::Address,
        "hire_date" => Col::HireDate,
        "probation_months" => Col::ProbationMonths,
        "job.org_unit_id" => Col::OrgUnitCode,
        "job.position_id" => Col::PositionCode,
        "job.manager_id" => Col::ManagerNo,
        "job.employment_type" => Col::EmploymentType,
        "job.quota_category" => Col::QuotaCategory,
        "job.work_location" => Col::WorkLocation,
        _ => return None,
    })
}

/// Drops a leading "身份证号：" / "ID number: " the service put in front of its
/// message, since the rendered line already names the column.
fn strip_label(message: &Msg, col: Option<Col>) -> Msg {
    let Some(col) = col else { return message.clone() };
    let strip = |text: &str, sep: &str| -> String {
        match text.split_once(sep) {
            Some((label, rest)) if column_of_header(label) == Some(col) && !rest.trim().is_empty() => {
                rest.trim().to_string()
            }
            _ => text.to_string(),
        }
    };
    Msg::new(strip(&message.zh, "："), strip(&message.en, ": "))
}

/// Turns `onboard_batch`'s findings (0-based indexes into the employees passed,
/// service field names) into row and column messages on the file they came from.
/// `rows` must be the `parse_roster` result whose employees were passed, in order.
pub fn map_batch_errors(rows: &[ParsedRow], errors: &RowErrors, headers: &HeaderMap) -> RosterErrors {
    let mut out: Vec<(usize, RowError)> = Vec::new();
    for (index, fields) in &errors.0 {
        // Without the parsed row, assume a header on row 1 and no blank rows.
        let row = rows.get(*index).map_or(index + 2, |r| r.row);
        for (field, messages) in &fields.0 {
            let col = column_of_field(field);
            let (column, key) = match col {
                Some(c) => (headers.label(c), spec(c).key.to_string()),
                None => (String::new(), field.clone()),
            };
            for m in messages {
                out.push((
                    headers.position(col),
                    RowError { row, column: column.clone(), field: key.clone(), message: strip_label(m, col) },
                ));
            }
        }
    }
    out.sort_by_key(|(position, e)| (e.row, *position));
    RosterErrors { header: Vec::new(), rows: out.into_iter().map(|(_, e)| e).collect() }
}

// ---------------------------------------------------------------------------
// Export and template
// ---------------------------------------------------------------------------

/// One employee as the export shows them on a day: the master record plus the
/// assignment's placement, with codes and names already looked up.
#[derive(Clone, Debug)]
pub struct RosterExportRow {
    pub employee: Employee,
    /// Home unit (编制 counts there), also for a seconded employee.
    pub org_unit_code: Option<String>,
    pub org_unit_name: Option<String>,
    pub position_code: Option<String>,
    pub position_name: Option<String>,
    /// None when the person has no assignment on the day.
    pub status: Option<EmployeeStatus>,
    pub manager_no: Option<String>,
    /// Dictionary `quota_category` code.
    pub quota_category: Option<String>,
    pub work_location: Option<String>,
}

/// Codes and names the export needs, keyed by id; the caller loads them once
/// from the org store (units and positions as of the export day) and the people store.
#[derive(Clone, Debug, Default)]
pub struct RosterNames {
    /// Unit id → (code, name).
    pub units: HashMap<OrgUnitId, (String, String)>,
    /// Position id → (code, name).
    pub positions: HashMap<PositionId, (String, String)>,
    /// Employee id → 工号, for managers.
    pub employee_nos: HashMap<EmployeeId, String>,
}

impl RosterExportRow {
    /// From the master record and the assignment on the export day
    /// (`EmployeeDetail { employee, assignment, .. }` has both).
    pub fn new(employee: Employee, assignment: Option<&Assignment>, names: &RosterNames) -> Self {
        let unit = assignment.and_then(|a| names.units.get(&a.org_unit_id));
        let position = assignment.and_then(|a| a.position_id).and_then(|p| names.positions.get(&p));
        RosterExportRow {
            employee,
            org_unit_code: unit.map(|(c, _)| c.clone()),
            org_unit_name: unit.map(|(_, n)| n.clone()),
            position_code: position.map(|(c, _)| c.clone()),
            position_name: position.map(|(_, n)| n.clone()),
            status: assignment.map(|a| a.status),
            manager_no: assignment.and_then(|a| a.manager_id).and_then(|m| names.employee_nos.get(&m)).cloned(),
            quota_category: assignment.map(|a| a.quota_category.clone()),
            work_location: assignment.and_then(|a| a.work_location.clone()),
        }
    }
}

/// Writing an .xlsx failed.
#[derive(Debug, thiserror::Error)]
pub enum RosterExportError {
    #[error("too many rows for one worksheet: {0}")]
    TooManyRows(usize),
    #[error("xlsx writer failed: {0}")]
    Writer(#[from] rust_xlsxwriter::XlsxError),
}

impl Failure for RosterExportError {
    fn code(&self) -> &'static str {
        match self {
            RosterExportError::TooManyRows(_) => "roster_too_large",
            RosterExportError::Writer(_) => "internal",
        }
    }

    fn kind(&self) -> ErrorKind {
        match self {
            RosterExportError::TooManyRows(_) => ErrorKind::TooLarge,
            RosterExportError::Writer(_) => ErrorKind::Internal,
        }
    }

    fn message(&self) -> Msg {
        match self {
            RosterExportError::TooManyRows(n) => Msg::new(
                format!("要导出的{n}人超出了一个工作表的上限，请按组织分批导出"),
                format!("{n} people exceed what one worksheet holds; export by org unit in parts"),
            ),
            RosterExportError::Writer(_) => Msg::new(
                "生成Excel文件时出错，请稍后重试或联系管理员。",
                "Could not build the Excel file; try again later or contact the administrator.",
            ),
        }
    }
}

/// Excel's last row (1,048,576) less the header.
const XLSX_MAX_DATA_ROWS: usize = 1_048_575;

/// A dictionary code as its Chinese label; unknown legacy codes are written as they are.
fn label_of(dict: &Dictionary, code: &str) -> String {
    dict.by_code(code).map_or_else(|| code.to_string(), |e| e.zh.to_string())
}

fn status_label(status: EmployeeStatus) -> &'static str {
    match status {
        EmployeeStatus::Probation => "试用",
        EmployeeStatus::Regular => "正式",
        EmployeeStatus::Seconded => "借调",
        EmployeeStatus::LeaveOfAbsence => "停薪留职",
        EmployeeStatus::Separated => "离职",
        EmployeeStatus::Retired => "退休",
    }
}

/// The probation length that gives `end` for `hire` (the inverse of `rules::probation_end`).
fn probation_months_of(hire: NaiveDate, end: Option<NaiveDate>) -> Option<u8> {
    let end = end?;
    (1..=12u8).find(|m| rules::probation_end(hire, *m) == Some(end))
}

enum Out {
    Text(String),
    Date(NaiveDate),
    Int(u8),
}

fn export_value(r: &RosterExportRow, col: Col) -> Option<Out> {
    use dictionaries as d;
    let e = &r.employee;
    let text = |s: &Option<String>| s.clone().filter(|s| !s.is_empty()).map(Out::Text);
    let dict = |dict: &Dictionary, s: &Option<String>| {
        s.as_deref().filter(|s| !s.is_empty()).map(|c| Out::Text(label_of(dict, c)))
    };
    match col {
        Col::EmployeeNo => Some(Out::Text(e.employee_no.clone())),
        Col::Name => Some(Out::Text(e.name.clone())),
        Col::IdType => Some(Out::Text(label_of(&d::ID_DOCUMENT_TYPE, &e.id_type))),
        Col::IdNumber => Some(Out::Text(e.id_number.clone())),
        Col::Gender => Some(Out::Text(label_of(&d::GENDER, &e.gender))).filter(|_| !e.gender.is_empty()),
        Col::BirthDate => e.birth_date.map(Out::Date),
        Col::Ethnicity => dict(&d::ETHNICITY, &e.ethnicity),
        Col::PoliticalStatus => dict(&d::POLITICAL_STATUS, &e.political_status),
        Col::MaritalStatus => dict(&d::MARITAL_STATUS, &e.marital_status),
        Col::NativePlace => text(&e.native_place),
        Col::EducationLevel => dict(&d::EDUCATION_LEVEL, &e.education_level),
        Col::Degree => dict(&d::DEGREE, &e.degree),
        Col::Phone => text(&e.phone),
        Col::Email => text(&e.email),
        Col::Address => text(&e.address),
        Col::HireDate => Some(Out::Date(e.hire_date)),
        Col::OrgUnitCode => text(&r.org_unit_code),
        Col::OrgUnitName => text(&r.org_unit_name),
        Col::PositionCode => text(&r.position_code),
        Col::PositionName => text(&r.position_name),
        Col::ManagerNo => text(&r.manager_no),
        Col::EmploymentType => Some(Out::Text(label_of(&d::EMPLOYMENT_TYPE, e.employment_type.as_str()))),
        Col::QuotaCategory => dict(&d::QUOTA_CATEGORY, &r.quota_category),
        Col::WorkLocation => text(&r.work_location),
        Col::ProbationMonths => Some(Out::Int(probation_months_of(e.hire_date, e.probation_end).unwrap_or(0))),
        Col::Status => r.status.map(|s| Out::Text(status_label(s).to_string())),
    }
}

struct Formats {
    header: rust_xlsxwriter::Format,
    required_header: rust_xlsxwriter::Format,
    text: rust_xlsxwriter::Format,
    date: rust_xlsxwriter::Format,
}

impl Formats {
    fn new() -> Self {
        use rust_xlsxwriter::{Format, FormatBorder};
        let header = Format::new().set_bold().set_background_color(0xD9E1F2).set_border(FormatBorder::Thin);
        Formats {
            required_header: header.clone().set_font_color(0xC00000),
            header,
            // "@" is Excel's Text format: typed digits stay text, so 18-digit IDs keep every digit.
            text: Format::new().set_num_format("@"),
            date: Format::new().set_num_format("yyyy-mm-dd"),
        }
    }
}

fn is_text_column(c: &Column) -> bool {
    !matches!(c.kind, Kind::Date | Kind::Months)
}

/// Writes the header row and column formats of the data sheet.
fn write_roster_header(
    ws: &mut rust_xlsxwriter::Worksheet,
    columns: &[&Column],
    f: &Formats,
) -> Result<(), rust_xlsxwriter::XlsxError> {
    ws.set_name(ROSTER_SHEET)?;
    for (i, c) in columns.iter().enumerate() {
        let col = u16::try_from(i).unwrap_or(u16::MAX);
        ws.set_column_width(col, c.width)?;
        if is_text_column(c) {
            ws.set_column_format(col, &f.text)?;
        } else if matches!(c.kind, Kind::Date) {
            ws.set_column_format(col, &f.date)?;
        }
        let format = if c.usage == Usage::Required { &f.required_header } else { &f.header };
        ws.write_string_with_format(0, col, c.zh, format)?;
    }
    ws.set_freeze_panes(1, 0)?;
    Ok(())
}

/// The roster as an .xlsx: one row per employee under the import headers (so an
/// export re-imports), codes written as Chinese labels, dates as real Excel dates,
/// IDs and phone numbers as text.
pub fn export_roster(rows: &[RosterExportRow]) -> Result<Vec<u8>, RosterExportError> {
    use rust_xlsxwriter::{ExcelDateTime, Workbook};
    if rows.len() > XLSX_MAX_DATA_ROWS {
        return Err(RosterExportError::TooManyRows(rows.len()));
    }
    let f = Formats::new();
    let columns: Vec<&Column> = COLUMNS.iter().collect();
    let mut book = Workbook::new();
    let ws = book.add_worksheet();
    write_roster_header(ws, &columns, &f)?;
    for (i, r) in rows.iter().enumerate() {
        let row = u32::try_from(i + 1).map_err(|_| RosterExportError::TooManyRows(rows.len()))?;
        for (j, c) in columns.iter().enumerate() {
            let col = u16::try_from(j).unwrap_or(u16::MAX);
            match export_value(r, c.col) {
                None => {}
                Some(Out::Text(s)) => {
                    ws.write_string_with_format(row, col, s, &f.text)?;
                }
                // Excel dates start in 1900; older ones (GB 11643's own example was born in
                // 1880) are written as ISO text, which the importer reads back as a date.
                Some(Out::Date(d)) if d.year() < 1900 => {
                    ws.write_string_with_format(row, col, d.format("%Y-%m-%d").to_string(), &f.text)?;
                }
                Some(Out::Date(d)) => {
                    let dt = ExcelDateTime::from_ymd(
                        u16::try_from(d.year()).unwrap_or(1900),
                        u8::try_from(d.month()).unwrap_or(1),
                        u8::try_from(d.day()).unwrap_or(1),
                    )?;
                    ws.write_datetime_with_format(row, col, &dt, &f.date)?;
                }
                Some(Out::Int(n)) => {
                    ws.write_number(row, col, n)?;
                }
            }
        }
    }
    if !rows.is_empty() {
        let last_row = u32::try_from(rows.len()).unwrap_or(u32::MAX);
        ws.autofilter(0, 0, last_row, u16::try_from(columns.len() - 1).unwrap_or(0))?;
    }
    Ok(book.save_to_buffer()?)
}

/// What a column accepts, for the 说明 sheet.
fn allowed_values(c: &Column) -> String {
    match c.kind {
        Kind::Dict(dict) => {
            let values: Vec<String> = dict.entries.iter().map(|e| format!("{}（{}）", e.zh, e.code)).collect();
            let synonyms: Vec<&str> = dict.entries.iter().flat_map(|e| e.synonyms.iter().copied()).collect();
            let mut s = format!("{}。也可填代码", values.join("、"));
            if !synonyms.is_empty() {
                s.push_str(&format!(
                    "或常见写法，如 {}",
                    synonyms.iter().take(6).copied().collect::<Vec<_>>().join("、")
                ));
            }
            s.push('。');
            s
        }
        Kind::Date => "日期：2024-03-01、2024/3/1、2024年3月1日、20240301 或Excel日期均可。".to_string(),
        Kind::Months => "0–6的整数。".to_string(),
        Kind::Status => "试用、正式、借调、停薪留职、离职、退休。".to_string(),
        Kind::Text | Kind::Code => String::new(),
    }
}

/// An empty roster to fill in: the import headers (required ones in red) with
/// text and date formats and drop-downs already set, and a 说明 sheet that
/// explains every column and lists the allowed values from the dictionaries.
pub fn roster_template() -> Result<Vec<u8>, RosterExportError> {
    use rust_xlsxwriter::{DataValidation, DataValidationErrorStyle, Format, Workbook};
    let f = Formats::new();
    let columns: Vec<&Column> = COLUMNS.iter().filter(|c| c.usage != Usage::ExportOnly).collect();
    let mut book = Workbook::new();
    let ws = book.add_worksheet();
    write_roster_header(ws, &columns, &f)?;
    let last_row = u32::try_from(MAX_ROWS).unwrap_or(u32::MAX);
    for (i, c) in columns.iter().enumerate() {
        let Kind::Dict(dict) = c.kind else { continue };
        let options: Vec<&str> = dict.entries.iter().map(|e| e.zh).collect();
        // Excel caps a typed list at 255 characters (ethnicity does not fit; the 说明 sheet lists it).
        // "Information" style lets synonyms such as 大学 through: the import normalises them.
        let Ok(validation) = DataValidation::new().allow_list_strings(&options) else { continue };
        let validation = validation.set_error_style(DataValidationErrorStyle::Information);
        ws.add_data_validation(1, u16::try_from(i).unwrap_or(0), last_row, u16::try_from(i).unwrap_or(0), &validation)?;
    }

    let help = book.add_worksheet();
    help.set_name(HELP_SHEET)?;
    let bold = Format::new().set_bold();
    let wrap = Format::new().set_text_wrap();
    let notes = [
        "填写说明",
        "1. 每行一名员工。请勿修改第1行的列名；列的顺序可以调整，不用的选填列可以删除。",
        "2. 红色列名为必填列。",
        "3. 所有行都检查通过后才会导入；有任何错误时整份文件都不导入，系统会列出“第几行 哪一列”的问题。",
        "4. 身份证号、手机号、工号、各类编码请保持文本格式，不要改成数字或科学计数法。",
        "5. 直接上级须是系统中已有的员工：同一文件中的新员工不能作为上级。",
        "6. 也可以上传CSV文件（UTF-8或GBK编码），列名与本表相同。",
    ];
    let mut row = 0u32;
    for (i, note) in notes.iter().enumerate() {
        if i == 0 {
            help.write_string_with_format(row, 0, *note, &bold)?;
        } else {
            help.write_string(row, 0, *note)?;
        }
        row += 1;
    }
    row += 1;
    for (j, title) in ["列名", "英文列名", "是否必填", "说明", "可填写的值"].iter().enumerate() {
        help.write_string_with_format(row, u16::try_from(j).unwrap_or(0), *title, &f.header)?;
    }
    row += 1;
    for c in &columns {
        let required = if c.usage == Usage::Required { "必填" } else { "选填" };
        let aliases = if c.aliases.is_empty() {
            String::new()
        } else {
            format!("（也可写作：{}）", c.aliases.join("、"))
        };
        help.write_string(row, 0, format!("{}{aliases}", c.zh))?;
        help.write_string(row, 1, c.key)?;
        help.write_string(row, 2, required)?;
        help.write_string_with_format(row, 3, c.help, &wrap)?;
        help.write_string_with_format(row, 4, allowed_values(c), &wrap)?;
        row += 1;
    }
    for (j, width) in [24u8, 18, 10, 48, 70].iter().enumerate() {
        help.set_column_width(u16::try_from(j).unwrap_or(0), *width)?;
    }
    Ok(book.save_to_buffer()?)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::standards::synthesize;
    use bole_core::FieldErrors;
    use calamine::{Data, Reader, Xlsx};
    use chrono::{DateTime, Utc};
    use rust_xlsxwriter::{ExcelDateTime, Format, Workbook, Worksheet};

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    /// A valid resident ID number born on `birth`; odd `seq` = male.
    fn id(birth: &str, seq: u16) -> String {
        synthesize("110105", d(birth), seq).unwrap()
    }

    struct Fixture {
        company: CompanyId,
        maps: RosterMaps,
        sales: OrgUnitId,
        it: OrgUnitId,
        clerk: PositionId,
        boss: EmployeeId,
    }

    fn fixture() -> Fixture {
        let (sales, it, clerk, boss) = (OrgUnitId::new(), OrgUnitId::new(), PositionId::new(), EmployeeId::new());
        let maps = RosterMaps {
            units: [("D001".to_string(), sales), ("D002".to_string(), it)].into(),
            positions: [("P01".to_string(), clerk)].into(),
            employees: [("M001".to_string(), boss)].into(),
        };
        Fixture { company: CompanyId::new(), maps, sales, it, clerk, boss }
    }

    /// An .xlsx whose first sheet holds `rows` as text ("" = no cell); `extra` writes typed cells.
    fn xlsx(rows: &[Vec<&str>], extra: impl FnOnce(&mut Worksheet)) -> Vec<u8> {
        let mut book = Workbook::new();
        let ws = book.add_worksheet();
        for (r, row) in rows.iter().enumerate() {
            for (c, v) in row.iter().enumerate() {
                if !v.is_empty() {
                    ws.write_string(r as u32, c as u16, *v).unwrap();
                }
            }
        }
        extra(ws);
        book.save_to_buffer().unwrap()
    }

    const HEADER: [&str; 8] =
        ["工号", "姓名", "身份证号", "入职日期", "组织编码", "用工类型", "编制类别", "直接上级工号"];

    fn good_rows() -> Vec<Vec<String>> {
        vec![
            HEADER.iter().map(|s| s.to_string()).collect(),
            vec!["E001", "张三", &id("1990-05-17", 11), "2024-03-01", "D001", "全职", "合同制", "M001"]
                .into_iter()
                .map(String::from)
                .collect(),
            vec!["E002", "李四", &id("1988-01-02", 22), "2024/3/1", "D002", "兼职", "contract", ""]
                .into_iter()
                .map(String::from)
                .collect(),
            vec!["E003", "王五", &id("1995-12-31", 33), "2024年3月1日", "D001", "派遣", "编外", ""]
                .into_iter()
                .map(String::from)
                .collect(),
        ]
    }

    fn as_strs(rows: &[Vec<String>]) -> Vec<Vec<&str>> {
        rows.iter().map(|r| r.iter().map(String::as_str).collect()).collect()
    }

    fn csv_of(rows: &[Vec<String>]) -> String {
        rows.iter().map(|r| r.join(",")).collect::<Vec<_>>().join("\r\n")
    }

    fn rendered(errors: &RosterErrors) -> Vec<String> {
        errors.messages().into_iter().map(|m| m.zh).collect()
    }

    #[test]
    fn a_good_three_row_roster_parses() {
        let f = fixture();
        let bytes = xlsx(&as_strs(&good_rows()), |_| {});
        let rows = parse_roster(&bytes, RosterFormat::Xlsx, f.company, &f.maps).unwrap();
        assert_eq!(rows.iter().map(|r| r.row).collect::<Vec<_>>(), [2, 3, 4]);
        let [a, b, c] = [&rows[0].employee, &rows[1].employee, &rows[2].employee];
        assert_eq!((a.employee_no.as_str(), a.person.name.as_str()), ("E001", "张三"));
        assert_eq!(a.person.id_number, id("1990-05-17", 11));
        assert_eq!(a.company_id, f.company);
        for e in [a, b, c] {
            assert_eq!(e.hire_date, d("2024-03-01"));
            assert_eq!(e.probation_months, 0);
            assert_eq!(e.person.gender, None, "left to the service, which derives it from the ID");
        }
        assert_eq!((a.job.org_unit_id, b.job.org_unit_id, c.job.org_unit_id), (f.sales, f.it, f.sales));
        assert_eq!(
            [a.job.employment_type, b.job.employment_type, c.job.employment_type],
            [EmploymentType::FullTime, EmploymentType::PartTime, EmploymentType::Dispatched]
        );
        assert_eq!((a.job.manager_id, b.job.manager_id), (Some(f.boss), None));
        // Passed as written; the service normalises it through QUOTA_CATEGORY.
        assert_eq!(a.job.quota_category, "合同制");
    }

    #[test]
    fn header_synonyms_any_order_and_full_width_forms_are_accepted() {
        let f = fixture();
        let no = id("1990-05-17", 11);
        let text = format!(
            "　用工形式 ,证件号码,Employee No,部门编码,姓名,入职日期,编制类别,联系电话,试用期（月）,岗位编码,性别\n\
             实习,{no},ＥＭＰ００１,Ｄ００２,赵六,20240301,事业编,138 1234 5678,3个月,P01,男\n"
        );
        let rows = parse_roster(text.as_bytes(), RosterFormat::Csv, f.company, &f.maps).unwrap();
        let e = &rows[0].employee;
        assert_eq!(rows[0].row, 2);
        assert_eq!(e.employee_no, "EMP001", "codes are folded to half-width");
        assert_eq!(e.person.id_number, no);
        assert_eq!(e.job.org_unit_id, f.it);
        assert_eq!(e.job.position_id, Some(f.clerk));
        assert_eq!(e.job.employment_type, EmploymentType::Intern);
        assert_eq!(e.hire_date, d("2024-03-01"));
        assert_eq!(e.probation_months, 3);
        assert_eq!(e.person.phone.as_deref(), Some("138 1234 5678"), "the service normalises phones");
        assert_eq!(e.person.gender.as_deref(), Some("男"));
    }

    #[test]
    fn a_missing_required_column_is_a_header_error_naming_it() {
        let f = fixture();
        let mut rows = good_rows();
        for r in &mut rows {
            r.remove(2);
        }
        let err = parse_roster(csv_of(&rows).as_bytes(), RosterFormat::Csv, f.company, &f.maps).unwrap_err();
        assert_eq!(err.header, vec![Msg::new("缺少必填列：身份证号", "missing required column: 身份证号 (id_number)")]);
        assert!(err.rows.is_empty(), "no per-row noise for the missing column: {:?}", err.rows);
    }

    #[test]
    fn unknown_and_unnamed_columns_are_header_errors() {
        let f = fixture();
        let mut rows = good_rows();
        rows[0].push("备注".into());
        rows[1].push("老员工".into());
        rows[1].push("".into());
        rows[2].extend(["".to_string(), "多余".to_string()]);
        let err = parse_roster(csv_of(&rows).as_bytes(), RosterFormat::Csv, f.company, &f.maps).unwrap_err();
        let zh = rendered(&err);
        assert!(zh[0].starts_with("无法识别的列“备注”（I列）"), "{zh:?}");
        assert!(zh[1].starts_with("J列有数据但没有列名"), "{zh:?}");
        assert_eq!(zh.len(), 2, "{zh:?}");
    }

    #[test]
    fn a_bad_row_fails_alone_and_the_file_yields_no_rows() {
        let f = fixture();
        let mut rows = good_rows();
        rows[2][4] = "D999".into();
        let bytes = xlsx(&as_strs(&rows), |_| {});
        let err = parse_roster(&bytes, RosterFormat::Xlsx, f.company, &f.maps).unwrap_err();
        assert!(err.header.is_empty());
        assert_eq!(err.rows.len(), 1, "{:?}", err.rows);
        let e = &err.rows[0];
        assert_eq!((e.row, e.column.as_str(), e.field.as_str()), (3, "组织编码", "org_unit_code"));
        assert_eq!(e.render().zh, "第3行 组织编码：组织编码“D999”不存在，请对照组织架构填写");
        assert_eq!(e.render().en, "Row 3, 组织编码: org unit code \"D999\" does not exist; check the org structure");
    }

    #[test]
    fn bad_dates_and_empty_required_cells_are_reported_per_cell_for_every_row() {
        let f = fixture();
        let mut rows = good_rows();
        rows[1][3] = "2024-02-30".into();
        rows[2][3] = "3/1/2024".into();
        rows[3][1] = "".into();
        rows[3][5] = "外包".into();
        let err = parse_roster(csv_of(&rows).as_bytes(), RosterFormat::Csv, f.company, &f.maps).unwrap_err();
        let zh = rendered(&err);
        assert_eq!(
            zh,
            [
                "第2行 入职日期：“2024-02-30”不是有效日期，请填写如 2024-03-01、2024/3/1 或 2024年3月1日",
                "第3行 入职日期：“3/1/2024”不是有效日期，请填写如 2024-03-01、2024/3/1 或 2024年3月1日",
                "第4行 姓名：必填，不能为空",
                "第4行 用工类型：“外包”不是有效的用工类型，可填：全职、兼职、实习、劳务派遣、退休返聘",
            ]
        );
    }

    #[test]
    fn excel_dates_serials_and_typed_numbers_are_read() {
        let f = fixture();
        let mut rows = good_rows();
        for r in rows.iter_mut().skip(1) {
            r[3] = String::new();
        }
        rows[0].push("试用期(月)".into());
        let bytes = xlsx(&as_strs(&rows), |ws| {
            let date = Format::new().set_num_format("yyyy-mm-dd");
            ws.write_datetime_with_format(1, 3, ExcelDateTime::from_ymd(2024, 3, 1).unwrap(), &date).unwrap();
            ws.write_number(2, 3, 45352).unwrap(); // a date cell that lost its format
            ws.write_number(3, 3, 20240301).unwrap();
            ws.write_number(1, 8, 6).unwrap();
            ws.write_number(2, 0, 1002).unwrap(); // 工号 typed as a number
        });
        let parsed = parse_roster(&bytes, RosterFormat::Xlsx, f.company, &f.maps).unwrap();
        assert!(parsed.iter().all(|r| r.employee.hire_date == d("2024-03-01")));
        assert_eq!(parsed[0].employee.probation_months, 6);
        assert_eq!(parsed[1].employee.employee_no, "1002");
    }

    #[test]
    fn an_id_number_excel_stored_as_a_number_is_refused_not_guessed() {
        let f = fixture();
        let mut rows = good_rows();
        rows[1][2] = String::new();
        let bytes = xlsx(&as_strs(&rows), |ws| {
            ws.write_number(1, 2, 110105199005170115.0).unwrap();
        });
        let err = parse_roster(&bytes, RosterFormat::Xlsx, f.company, &f.maps).unwrap_err();
        assert_eq!(rendered(&err), ["第2行 身份证号：身份证号被Excel存成了数字，请把该列设为文本后重新填写"]);

        // The same number after a trip through Excel's CSV export.
        let mut rows = good_rows();
        rows[3][2] = "1.10105E+17".into();
        let err = parse_roster(csv_of(&rows).as_bytes(), RosterFormat::Csv, f.company, &f.maps).unwrap_err();
        assert_eq!(rendered(&err), ["第4行 身份证号：身份证号被Excel存成了数字，请把该列设为文本后重新填写"]);
    }

    #[test]
    fn csv_in_utf8_with_bom_and_in_gbk_reads_the_same() {
        let f = fixture();
        let text = csv_of(&good_rows());
        let plain = parse_roster(text.as_bytes(), RosterFormat::Csv, f.company, &f.maps).unwrap();
        let bom = [b"\xEF\xBB\xBF".as_slice(), text.as_bytes()].concat();
        let (gbk, _, lossy) = encoding_rs::GB18030.encode(&text);
        assert!(!lossy && std::str::from_utf8(&gbk).is_err(), "the fixture really is GBK");

        let mut utf16le = b"\xFF\xFE".to_vec();
        for unit in text.replace(',', "\t").encode_utf16() {
            utf16le.extend(unit.to_le_bytes());
        }
        for bytes in [bom, gbk.into_owned(), utf16le] {
            let rows = parse_roster(&bytes, RosterFormat::Csv, f.company, &f.maps).unwrap();
            let names: Vec<&str> = rows.iter().map(|r| r.employee.person.name.as_str()).collect();
            assert_eq!(names, ["张三", "李四", "王五"]);
            assert_eq!(rows.len(), plain.len());
        }
        let err = parse_roster(b"\xFF\xFF\xFF\x81", RosterFormat::Csv, f.company, &f.maps).unwrap_err();
        assert!(err.header[0].zh.contains("文字编码"), "{err:?}");
    }

    #[test]
    fn a_title_above_the_header_and_blank_rows_keep_sheet_row_numbers() {
        let f = fixture();
        let mut rows = vec![vec!["某某单位员工花名册".to_string()], vec![]];
        let mut good = good_rows();
        good.insert(2, vec![]);
        good[3][4] = "D404".into();
        rows.extend(good);
        let err = parse_roster(&xlsx(&as_strs(&rows), |_| {}), RosterFormat::Xlsx, f.company, &f.maps).unwrap_err();
        assert!(err.header.is_empty(), "{err:?}");
        assert_eq!(err.rows[0].row, 6, "title 1, blank 2, header 3, data 4, blank 5, data 6");
    }

    #[test]
    fn managers_must_already_exist() {
        let f = fixture();
        let mut rows = good_rows();
        rows[2][7] = "E001".into();
        rows[3][7] = "E003".into();
        rows[1][7] = "M404".into();
        let err = parse_roster(csv_of(&rows).as_bytes(), RosterFormat::Csv, f.company, &f.maps).unwrap_err();
        assert_eq!(
            rendered(&err),
            [
                "第2行 直接上级工号：直接上级工号“M404”不存在：上级须是系统中已有的员工",
                "第3行 直接上级工号：直接上级“E001”也在本次导入的文件中：上级须已在系统中，请先导入上级，或导入后再补填上级",
                "第4行 直接上级工号：直接上级不能是本人",
            ]
        );
    }

    #[test]
    fn size_limits_give_one_clear_error() {
        let f = fixture();
        let wide: Vec<String> = (0..=MAX_COLUMNS).map(|i| format!("列{i}")).collect();
        let err = parse_roster(wide.join(",").as_bytes(), RosterFormat::Csv, f.company, &f.maps).unwrap_err();
        assert_eq!(err.len(), 1);
        assert!(err.header[0].zh.starts_with("花名册过大"), "{err:?}");

        let mut tall = String::from("工号\n");
        for i in 0..=MAX_ROWS {
            tall.push_str(&format!("{i}\n"));
        }
        let err = parse_roster(tall.as_bytes(), RosterFormat::Csv, f.company, &f.maps).unwrap_err();
        assert_eq!(err.len(), 1);
        assert!(err.header[0].zh.starts_with("花名册过大"), "{err:?}");

        let err = parse_roster(HEADER.join(",").as_bytes(), RosterFormat::Csv, f.company, &f.maps).unwrap_err();
        assert_eq!(rendered(&err), ["花名册里没有员工数据（表头下面是空的）"]);
        let err = parse_roster(b"", RosterFormat::Csv, f.company, &f.maps).unwrap_err();
        assert_eq!(rendered(&err), ["文件是空的：找不到表头行"]);
    }

    #[test]
    fn format_detection_trusts_bytes_over_names() {
        let book = xlsx(&[vec!["工号"]], |_| {});
        assert_eq!(RosterFormat::from_file_name("花名册.XLSX"), Some(RosterFormat::Xlsx));
        assert_eq!(RosterFormat::from_file_name("roster.csv"), Some(RosterFormat::Csv));
        assert_eq!(RosterFormat::from_file_name("roster.xls"), None);
        assert_eq!(RosterFormat::detect(Some("export.csv"), &book).unwrap(), RosterFormat::Xlsx);
        assert_eq!(RosterFormat::detect(None, "工号,姓名".as_bytes()).unwrap(), RosterFormat::Csv);
        assert!(
            RosterFormat::detect(Some("a.xlsx"), b"not,a,zip").unwrap_err().header[0].zh.contains("不是Excel工作簿")
        );
        let xls = [OLE_MAGIC, b"rest".as_slice()].concat();
        assert!(RosterFormat::detect(Some("a.xls"), &xls).unwrap_err().header[0].zh.contains(".xls"));
        let err = parse_roster(b"PK\x03\x04garbage", RosterFormat::Xlsx, CompanyId::new(), &RosterMaps::default())
            .unwrap_err();
        assert!(err.header[0].zh.starts_with("无法读取该 .xlsx 文件"), "{err:?}");
    }

    #[test]
    fn service_findings_map_to_the_files_rows_and_columns() {
        let f = fixture();
        let mut rows = good_rows();
        rows[0][2] = "证件号码".into();
        rows[0][4] = "部门编码".into();
        let text = csv_of(&rows);
        let parsed = parse_roster(text.as_bytes(), RosterFormat::Csv, f.company, &f.maps).unwrap();
        let headers = HeaderMap::read(text.as_bytes(), RosterFormat::Csv).unwrap();
        // The service's own wording for a bad check digit, from the real validator.
        let today = d("2026-01-01");
        let bad = PersonalData { name: "张三".into(), id_number: "110105194912310021".into(), ..Default::default() };
        let id_errors = rules::validate_person(&bad, today).unwrap_err();
        let mut job = FieldErrors::new();
        job.add(
            "job.org_unit_id",
            Msg::new("组织单元不存在或在 2024-03-01 不在用", "org unit is not in force on 2024-03-01"),
        );
        job.add("gender", Msg::new("请填写性别", "gender is required"));
        job.add("job", Msg::new("入职事件不合法", "the onboard event is not allowed"));
        let errors = RowErrors(vec![(0, id_errors), (2, job)]);
        let mapped = map_batch_errors(&parsed, &errors, &headers);
        let zh = rendered(&mapped);
        assert_eq!(zh[0], "第2行 证件号码：校验位错误（应为 X，实际为 1），号码中可能有抄错的数字，请逐位核对");
        assert_eq!(
            mapped.rows[0].render().en,
            "Row 2, 证件号码: check digit is wrong (expected X, found 1); a digit was probably mistyped, check the number digit by digit"
        );
        assert_eq!(mapped.rows[0].field, "id_number");
        assert_eq!(
            &zh[1..],
            [
                // The validator cannot derive gender from a broken ID; 性别 is not in this file, so the standard header names it.
                "第2行 性别：请填写性别",
                "第4行 部门编码：组织单元不存在或在 2024-03-01 不在用",
                "第4行 性别：请填写性别",
                "第4行：入职事件不合法",
            ]
        );

        // Row numbers come from the parsed rows, not the indexes: index 0 of a file whose data starts lower.
        let shifted = vec![ParsedRow { row: 12, employee: parsed[0].employee.clone() }];
        let errors = RowErrors(vec![(0, rules::validate_person(&bad, today).unwrap_err())]);
        let mapped = map_batch_errors(&shifted, &errors, &HeaderMap::standard());
        assert_eq!(
            rendered(&mapped)[0],
            "第12行 身份证号：校验位错误（应为 X，实际为 1），号码中可能有抄错的数字，请逐位核对"
        );
    }

    fn employee(no: &str, name: &str, id_number: String, gender: &str, birth: &str) -> Employee {
        Employee {
            id: EmployeeId::new(),
            company_id: CompanyId::new(),
            employee_no: no.into(),
            name: name.into(),
            gender: gender.into(),
            birth_date: Some(d(birth)),
            id_type: "111".into(),
            id_number,
            ethnicity: Some("01".into()),
            political_status: Some("03".into()),
            marital_status: Some("10".into()),
            native_place: Some("浙江杭州".into()),
            education_level: Some("20".into()),
            degree: Some("4".into()),
            phone: Some("13812345678".into()),
            email: Some("zhang@example.cn".into()),
            address: Some("北京市朝阳区".into()),
            bank_name: None,
            bank_account: None,
            employment_type: EmploymentType::FullTime,
            hire_date: d("2024-03-01"),
            probation_end: rules::probation_end(d("2024-03-01"), 3),
            created_at: DateTime::<Utc>::default(),
            updated_at: DateTime::<Utc>::default(),
        }
    }

    #[test]
    fn an_export_re_imports_as_the_same_employees() {
        let f = fixture();
        let mut a = employee("E001", "张三", id("1990-05-17", 11), "1", "1990-05-17");
        a.employment_type = EmploymentType::RetireeRehire;
        let mut b = employee("00042", "李四", id("1988-01-02", 22), "2", "1988-01-02");
        b.ethnicity = None;
        b.phone = Some("010-62345678".into());
        b.probation_end = None;
        let names = RosterNames {
            units: [(f.sales, ("D001".to_string(), "销售部".to_string()))].into(),
            positions: [(f.clerk, ("P01".to_string(), "文员".to_string()))].into(),
            employee_nos: [(f.boss, "M001".to_string())].into(),
        };
        let assignment = |e: &Employee, position, manager| Assignment {
            employee_id: e.id,
            valid: bole_core::DateRange::open(e.hire_date),
            status: EmployeeStatus::Probation,
            org_unit_id: f.sales,
            host_org_unit_id: None,
            position_id: position,
            manager_id: manager,
            employment_type: e.employment_type,
            quota_category: "public_institution".into(),
            work_location: Some("杭州".into()),
            event_id: bole_core::EventId::new(),
        };
        let export = vec![
            RosterExportRow::new(a.clone(), Some(&assignment(&a, Some(f.clerk), Some(f.boss))), &names),
            RosterExportRow::new(b.clone(), Some(&assignment(&b, None, None)), &names),
        ];
        assert_eq!(export[0].org_unit_name.as_deref(), Some("销售部"));
        let bytes = export_roster(&export).unwrap();

        // Excel sees real dates and text IDs, and labels instead of codes.
        let mut book: Xlsx<_> = Xlsx::new(std::io::Cursor::new(bytes.clone())).unwrap();
        assert_eq!(book.sheet_names(), [ROSTER_SHEET]);
        let range = book.worksheet_range(ROSTER_SHEET).unwrap();
        let header: Vec<String> = (0..COLUMNS.len()).map(|c| range.get((0, c)).unwrap().to_string()).collect();
        assert_eq!(header, COLUMNS.iter().map(|c| c.zh).collect::<Vec<_>>());
        let cell = |col: Col| range.get((1, COLUMNS.iter().position(|c| c.col == col).unwrap())).unwrap().clone();
        assert!(matches!(cell(Col::HireDate), Data::DateTime(_)));
        assert_eq!(cell(Col::IdNumber), Data::String(a.id_number.clone()));
        assert_eq!(cell(Col::Phone), Data::String("13812345678".into()));
        assert_eq!(cell(Col::EducationLevel), Data::String("本科".into()));
        assert_eq!(cell(Col::EmploymentType), Data::String("退休返聘".into()));
        assert_eq!(cell(Col::QuotaCategory), Data::String("事业编制".into()));
        assert_eq!(cell(Col::Status), Data::String("试用".into()));

        let parsed = parse_roster(&bytes, RosterFormat::Xlsx, f.company, &f.maps).unwrap();
        assert_eq!(parsed.len(), 2);
        let today = d("2026-01-01");
        for (row, original) in parsed.iter().zip([&a, &b]) {
            let e = &row.employee;
            // What the service would store from the re-imported row.
            let person = rules::validate_person(&e.person, today).unwrap();
            let again = Employee {
                name: person.name,
                gender: person.gender,
                birth_date: person.birth_date,
                id_type: person.id_type,
                id_number: person.id_number,
                ethnicity: person.ethnicity,
                political_status: person.political_status,
                marital_status: person.marital_status,
                native_place: person.native_place,
                education_level: person.education_level,
                degree: person.degree,
                phone: person.phone,
                email: person.email,
                address: person.address,
                employee_no: e.employee_no.clone(),
                employment_type: e.job.employment_type,
                hire_date: e.hire_date,
                probation_end: rules::probation_end(e.hire_date, e.probation_months),
                ..(*original).clone()
            };
            assert_eq!(&again, original);
            assert_eq!(
                dictionaries::QUOTA_CATEGORY.normalize(&e.job.quota_category).unwrap().code,
                "public_institution"
            );
            assert_eq!(e.job.org_unit_id, f.sales);
            assert_eq!(e.job.work_location.as_deref(), Some("杭州"));
        }
        assert_eq!(parsed[0].employee.job.position_id, Some(f.clerk));
        assert_eq!(parsed[0].employee.job.manager_id, Some(f.boss));
        assert_eq!(parsed[1].employee.job.manager_id, None);
    }

    #[test]
    fn the_template_has_the_import_headers_and_explains_every_column() {
        let bytes = roster_template().unwrap();
        let mut book: Xlsx<_> = Xlsx::new(std::io::Cursor::new(bytes.clone())).unwrap();
        assert_eq!(book.sheet_names(), [ROSTER_SHEET, HELP_SHEET]);
        let help = book.worksheet_range(HELP_SHEET).unwrap();
        let text: String = help.rows().flatten().map(|c| c.to_string()).collect::<Vec<_>>().join("\n");
        for needle in
            ["身份证号", "必填", "全职（full_time）", "汉族（01）", "本科（20）", "事业编制（public_institution）"]
        {
            assert!(text.contains(needle), "说明 lacks {needle}");
        }
        // Headers are accepted as they are; the only complaint about an empty template is that it is empty.
        let err = parse_roster(&bytes, RosterFormat::Xlsx, CompanyId::new(), &RosterMaps::default()).unwrap_err();
        assert_eq!(rendered(&err), ["花名册里没有员工数据（表头下面是空的）"]);
        assert!(HeaderMap::read(&bytes, RosterFormat::Xlsx).is_ok());
    }

    #[test]
    fn header_names_are_unambiguous() {
        let mut seen: HashMap<String, Col> = HashMap::new();
        for c in &COLUMNS {
            for name in [c.key, c.zh].iter().chain(c.aliases) {
                let folded = fold_header(name);
                if let Some(other) = seen.insert(folded.clone(), c.col) {
                    assert_eq!(other, c.col, "\"{name}\" names two columns");
                }
                assert_eq!(column_of_header(name), Some(c.col), "{name}");
            }
        }
        assert_eq!(column_of_header(" ＊身份证号（必填） "), Some(Col::IdNumber));
        assert_eq!(column_of_header("Hire-Date"), Some(Col::HireDate));
        assert_eq!(HeaderMap::standard().text_of("id_number"), Some("身份证号"));
        assert_eq!(column_letters(0), "A");
        assert_eq!(column_letters(26), "AA");
    }

    #[test]
    fn dates_in_the_forms_clerks_type() {
        for s in [
            "2024-03-01",
            "2024/3/1",
            "2024.3.1",
            "2024年3月1日",
            "20240301",
            "2024-03-01 00:00:00",
            "2024-03-01T08:00:00",
            "２０２４－０３－０１",
        ] {
            assert_eq!(parse_date_text(s), Some(d("2024-03-01")), "{s}");
        }
        for s in ["3/1/2024", "24/3/1", "2024-13-01", "2024-02-30", "明天", "2024-3"] {
            assert_eq!(parse_date_text(s), None, "{s}");
        }
        assert_eq!(date_from_number(45352), Some(d("2024-03-01")));
        assert_eq!(date_from_number(1), Some(d("1900-01-01")));
        assert_eq!(date_from_number(59), Some(d("1900-02-28")));
        assert_eq!(date_from_number(60), None, "Excel's phantom 1900-02-29");
        assert_eq!(date_from_number(61), Some(d("1900-03-01")));
        assert_eq!(date_from_number(0), None);
        assert!(looks_scientific("1.10105E+17") && !looks_scientific("E+") && !looks_scientific("11010519491231002X"));
    }
}
