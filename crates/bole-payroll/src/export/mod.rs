//! Payroll exports from a locked run's items: the bank transfer file (CSV / .xlsx), the IIT
//! withholding declaration (.xlsx in the layout of the Natural Person e-Tax withholding client's
//! 正常工资薪金所得 import template), SI/HF contribution lists, the payroll register and cost by org
//! unit. Pure: items in, bytes out.
//!
//! SCAFFOLD: filled in by the exports work package.

use crate::error::PayrollError;
use crate::model::{PayRun, PayRunItem, Payee};
use bole_core::{EmployeeId, OrgUnitId};
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

/// Produce one export. Only successful items are exported.
pub fn export(kind: ExportKind, _input: &ExportInput<'_>) -> Result<ExportFile, PayrollError> {
    Err(PayrollError::Storage(format!("export {kind:?} not implemented yet")))
}
