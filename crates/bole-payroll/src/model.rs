//! Payroll entities, inputs and views. Amounts are yuan `Decimal`s serialised as strings
//! ("555.00"); periods are "YYYY-MM"; effective ranges are half-open `[valid_from, valid_to)`.

use crate::iit::WithholdingRule;
use crate::si::SiPolicy;
use bole_core::{CompanyId, EmployeeId, OrgUnitId, PositionId, UserId};
use chrono::{DateTime, NaiveDate, Utc};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use utoipa::ToSchema;
use uuid::Uuid;

// ---------------------------------------------------------------------------------------------
// Components and structures

/// What a component does to pay.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ComponentKind {
    /// Adds to gross pay (应发).
    Earning,
    /// Subtracted from pay after tax (e.g. 工会会费, 餐费扣款).
    Deduction,
    /// Subtracted before tax (e.g. 事假扣款, 缺勤扣款) — reduces taxable income.
    PreTaxDeduction,
    /// Paid by the employer, not part of the employee's pay (单位社保、公积金).
    EmployerCost,
    /// A figure shown on the payslip that moves no money (e.g. 计薪天数).
    Info,
}

/// The category a component belongs to, for reports and for the rules that treat categories
/// specially (the annual bonus is taxed on its own; overtime has its own base).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ComponentCategory {
    /// 基本工资 / 岗位工资 / 薪级工资.
    Base,
    /// 津贴补贴.
    Allowance,
    /// 绩效 / 奖金 (monthly).
    Bonus,
    /// 全年一次性奖金: taxed separately to 2027-12-31 unless the employee merges it.
    AnnualBonus,
    /// 加班费.
    Overtime,
    /// 假勤扣款.
    Attendance,
    /// 社会保险 (employee or employer part).
    SocialInsurance,
    /// 住房公积金.
    HousingFund,
    /// 个人所得税.
    Tax,
    /// 免税收入 (e.g. 独生子女费): paid but excluded from taxable income.
    TaxExempt,
    Other,
}

/// A pay component (薪资项目) of a company.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct PayComponent {
    pub id: Uuid,
    pub company_id: CompanyId,
    /// Unique per company, `[A-Za-z][A-Za-z0-9_]*` (a formula refers to it by this name).
    pub code: String,
    pub name: String,
    pub kind: ComponentKind,
    pub category: ComponentCategory,
    /// Part of taxable wage income (工资薪金所得). Earnings default true, TaxExempt false.
    pub taxable: bool,
    /// Shown on payslips (a hidden helper component still computes).
    pub on_payslip: bool,
    pub description: Option<String>,
    pub active: bool,
}

#[derive(Clone, Debug, Deserialize, ToSchema)]
pub struct NewPayComponent {
    pub company_id: CompanyId,
    pub code: String,
    pub name: String,
    pub kind: ComponentKind,
    pub category: ComponentCategory,
    #[serde(default)]
    pub taxable: Option<bool>,
    #[serde(default)]
    pub on_payslip: Option<bool>,
    #[serde(default)]
    pub description: Option<String>,
}

#[derive(Clone, Debug, Default, Deserialize, ToSchema)]
pub struct PayComponentUpdate {
    pub name: Option<String>,
    pub taxable: Option<bool>,
    pub on_payslip: Option<bool>,
    pub description: Option<String>,
    pub active: Option<bool>,
}

/// How one line of a structure gets its amount.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(tag = "source", rename_all = "snake_case")]
pub enum ItemSource {
    /// The amount on the employee's salary assignment for this component (0 when absent).
    Fixed,
    /// A formula (see `formula`) over the variables of the month and the lines above it.
    Formula { formula: String },
}

/// One line of a pay structure, evaluated in `order`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct StructureItem {
    pub component_code: String,
    #[serde(flatten)]
    pub source: ItemSource,
}

/// A pay structure (薪资结构): the ordered components paid to employees of some grades or
/// positions, effective-dated. Its formulas are compiled once per run.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct PayStructure {
    pub id: Uuid,
    pub company_id: CompanyId,
    pub code: String,
    pub name: String,
    /// Grades (职级) it applies to by default; empty = any.
    pub grades: Vec<String>,
    pub position_ids: Vec<PositionId>,
    pub items: Vec<StructureItem>,
    pub valid_from: NaiveDate,
    pub valid_to: Option<NaiveDate>,
    /// Optimistic concurrency for updates.
    pub version: i64,
}

#[derive(Clone, Debug, Deserialize, ToSchema)]
pub struct NewPayStructure {
    pub company_id: CompanyId,
    pub code: String,
    pub name: String,
    #[serde(default)]
    pub grades: Vec<String>,
    #[serde(default)]
    pub position_ids: Vec<PositionId>,
    pub items: Vec<StructureItem>,
    pub valid_from: NaiveDate,
    #[serde(default)]
    pub valid_to: Option<NaiveDate>,
}

#[derive(Clone, Debug, Deserialize, ToSchema)]
pub struct PayStructureUpdate {
    pub name: Option<String>,
    pub grades: Option<Vec<String>>,
    pub position_ids: Option<Vec<PositionId>>,
    pub items: Option<Vec<StructureItem>>,
    pub valid_to: Option<NaiveDate>,
    pub version: i64,
}

// ---------------------------------------------------------------------------------------------
// Salary assignments (sealed at rest)

/// Social insurance and housing fund enrolment on a salary assignment.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct SiEnrolment {
    /// Policy city code (`beijing`, `shanghai`, `national`, or one an administrator added).
    pub city: String,
    /// Declared base for social insurance (clamped to each item's floor and cap).
    #[schema(value_type = String)]
    pub si_base: Decimal,
    /// Declared base for the housing fund; None = the SI base.
    #[schema(value_type = Option<String>)]
    pub hf_base: Option<Decimal>,
    /// Housing fund rates chosen by the employer within the policy's range; None = policy default.
    #[schema(value_type = Option<String>)]
    pub hf_rate_employee: Option<Decimal>,
    #[schema(value_type = Option<String>)]
    pub hf_rate_employer: Option<Decimal>,
    /// False for someone not enrolled here (e.g. a retiree rehired, 返聘).
    pub si_enrolled: bool,
    pub hf_enrolled: bool,
}

/// An employee's salary for a period (薪资档案): structure, monthly base and fixed amounts,
/// SI/HF enrolment. Amounts are sealed in one blob per row and masked in views unless the viewer
/// holds `sensitive_read`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct SalaryAssignment {
    pub id: Uuid,
    pub employee_id: EmployeeId,
    pub company_id: CompanyId,
    pub structure_id: Uuid,
    /// Monthly base salary (月薪); also the overtime and leave-deduction base unless the structure
    /// says otherwise.
    #[schema(value_type = String)]
    pub base_salary: Decimal,
    /// Fixed monthly amounts per component code (allowances and the like).
    #[schema(value_type = BTreeMap<String, String>)]
    pub fixed: BTreeMap<String, Decimal>,
    pub si: SiEnrolment,
    pub valid_from: NaiveDate,
    pub valid_to: Option<NaiveDate>,
    pub reason: Option<String>,
    pub created_by: UserId,
    pub created_at: DateTime<Utc>,
}

#[derive(Clone, Debug, Deserialize, ToSchema)]
pub struct NewSalaryAssignment {
    pub structure_id: Uuid,
    #[schema(value_type = String)]
    pub base_salary: Decimal,
    #[serde(default)]
    #[schema(value_type = BTreeMap<String, String>)]
    pub fixed: BTreeMap<String, Decimal>,
    pub si: SiEnrolment,
    /// Starts here; the open assignment before it is closed the day before (a change on or before
    /// an existing later assignment is refused: `effective_date_conflict`).
    pub valid_from: NaiveDate,
    #[serde(default)]
    pub reason: Option<String>,
}

/// A salary assignment as a viewer sees it: amounts in clear only with `sensitive_read`
/// (or for the employee themself), otherwise "****".
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct SalaryAssignmentView {
    pub id: Uuid,
    pub employee_id: EmployeeId,
    pub structure_id: Uuid,
    pub structure_name: Option<String>,
    pub base_salary: String,
    pub fixed: BTreeMap<String, String>,
    pub si_city: String,
    pub si_base: String,
    pub hf_base: Option<String>,
    pub si_enrolled: bool,
    pub hf_enrolled: bool,
    pub valid_from: NaiveDate,
    pub valid_to: Option<NaiveDate>,
    pub reason: Option<String>,
    pub masked: bool,
}

// ---------------------------------------------------------------------------------------------
// Tax profile and special additional deductions (declared in self-service)

/// An employee's withholding options for a tax year.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct TaxProfile {
    pub employee_id: EmployeeId,
    pub year: i32,
    pub rule: WithholdingRule,
    /// True: annual one-off bonuses are merged into wages this year instead of taxed separately.
    pub merge_annual_bonus: bool,
}

/// 专项附加扣除 items withheld monthly (大病医疗 is only at annual reconciliation).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum AdditionalKind {
    /// 子女教育: 2,000 per child per month (2023+), 100% or 50%.
    ChildEducation,
    /// 3岁以下婴幼儿照护: 2,000 per child per month, 100% or 50%.
    InfantCare,
    /// 继续教育（学历）: 400 per month, at most 48 months.
    ContinuingEducationDegree,
    /// 继续教育（职业资格）: 3,600 in the year the certificate is obtained.
    ContinuingEducationCertificate,
    /// 住房贷款利息: 1,000 per month (not together with rent).
    HousingLoan,
    /// 住房租金: 1,500 / 1,100 / 800 by city tier.
    HousingRent,
    /// 赡养老人: 3,000 only child; otherwise a share ≤ 1,500.
    ElderlySupport,
}

/// What an employee declares for one item and year. The monthly amount is computed by the rules
/// (`iit::additional`), never typed in.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct DeductionDetails {
    /// Children (education / infant care).
    #[serde(default)]
    pub children: u32,
    /// Percent taken by this employee: 100 or 50 (children), or the elderly-support share.
    #[serde(default = "hundred")]
    pub share_percent: u32,
    /// Elderly support: only child (独生子女).
    #[serde(default)]
    pub only_child: bool,
    /// Elderly support for a non-only child: the monthly amount agreed among siblings (≤ 1,500).
    #[serde(default)]
    #[schema(value_type = Option<String>)]
    pub agreed_amount: Option<Decimal>,
    /// Rent: city tier 1 (1,500), 2 (1,100) or 3 (800).
    #[serde(default)]
    pub rent_tier: Option<u8>,
    /// Free text the employee adds (school, landlord, certificate…); stored sealed.
    #[serde(default)]
    pub note: Option<String>,
}

fn hundred() -> u32 {
    100
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum DeclarationStatus {
    Active,
    Withdrawn,
}

/// One declaration (专项附加扣除信息) for a tax year, from `start_month` to `end_month`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct DeductionDeclaration {
    pub id: Uuid,
    pub employee_id: EmployeeId,
    pub year: i32,
    pub kind: AdditionalKind,
    pub details: DeductionDetails,
    pub start_month: u32,
    pub end_month: u32,
    /// The monthly amount the rules derive from the details.
    #[schema(value_type = String)]
    pub monthly_amount: Decimal,
    pub status: DeclarationStatus,
    pub declared_at: DateTime<Utc>,
}

#[derive(Clone, Debug, Deserialize, ToSchema)]
pub struct NewDeclaration {
    pub year: i32,
    pub kind: AdditionalKind,
    pub details: DeductionDetails,
    pub start_month: u32,
    pub end_month: u32,
}

// ---------------------------------------------------------------------------------------------
// Adjustments (one-off entries and corrections of locked runs)

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum AdjustmentStatus {
    /// Waiting for the next computed run of its period.
    Open,
    /// Included in a locked run; frozen.
    Applied,
    Cancelled,
}

/// A one-off amount for one employee in a period (奖金、补发、补扣): corrections to a locked run are
/// adjustments in a later run, never edits of the locked one.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct PayAdjustment {
    pub id: Uuid,
    pub employee_id: EmployeeId,
    pub company_id: CompanyId,
    /// "YYYY-MM": the run period it is paid in.
    pub period: String,
    pub component_code: String,
    /// Positive adds to the component, negative takes away.
    #[schema(value_type = String)]
    pub amount: Decimal,
    pub reason: String,
    /// The locked run it corrects, when it is a correction.
    pub corrects_run_id: Option<Uuid>,
    pub status: AdjustmentStatus,
    pub applied_run_id: Option<Uuid>,
    pub created_by: UserId,
    pub created_at: DateTime<Utc>,
}

#[derive(Clone, Debug, Deserialize, ToSchema)]
pub struct NewAdjustment {
    pub employee_id: EmployeeId,
    pub period: String,
    pub component_code: String,
    #[schema(value_type = String)]
    pub amount: Decimal,
    pub reason: String,
    #[serde(default)]
    pub corrects_run_id: Option<Uuid>,
}

// ---------------------------------------------------------------------------------------------
// Pay runs

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum PayRunStatus {
    /// Created, not computed (or its inputs changed and it must be recomputed).
    Draft,
    /// Computed; can be recomputed, reviewed, submitted.
    Computed,
    /// Submitted for approval; computing again is refused until it is returned or rejected.
    PendingApproval,
    /// Approved and locked: immutable.
    Locked,
    /// Locked and payslips visible to employees.
    Published,
}

impl PayRunStatus {
    pub fn as_str(&self) -> &'static str {
        match self {
            PayRunStatus::Draft => "draft",
            PayRunStatus::Computed => "computed",
            PayRunStatus::PendingApproval => "pending_approval",
            PayRunStatus::Locked => "locked",
            PayRunStatus::Published => "published",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Some(match s {
            "draft" => PayRunStatus::Draft,
            "computed" => PayRunStatus::Computed,
            "pending_approval" => PayRunStatus::PendingApproval,
            "locked" => PayRunStatus::Locked,
            "published" => PayRunStatus::Published,
            _ => return None,
        })
    }

    pub fn is_locked(&self) -> bool {
        matches!(self, PayRunStatus::Locked | PayRunStatus::Published)
    }
}

/// Who a run pays: everyone employed by the company in the period, optionally narrowed to some
/// org-unit subtrees or named employees.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct PayRunScope {
    #[serde(default)]
    pub org_units: Vec<OrgUnitId>,
    #[serde(default)]
    pub employees: Vec<EmployeeId>,
}

/// Totals of a computed run (sums over its successful items).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct RunTotals {
    pub headcount: u32,
    pub errors: u32,
    #[schema(value_type = String)]
    pub gross: Decimal,
    #[schema(value_type = String)]
    pub employee_si: Decimal,
    #[schema(value_type = String)]
    pub employee_hf: Decimal,
    #[schema(value_type = String)]
    pub iit: Decimal,
    #[schema(value_type = String)]
    pub net: Decimal,
    #[schema(value_type = String)]
    pub employer_cost: Decimal,
}

/// A pay run (薪资核算批次) for one company and month.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct PayRun {
    pub id: Uuid,
    pub company_id: CompanyId,
    /// "YYYY-MM".
    pub period: String,
    pub name: String,
    pub scope: PayRunScope,
    /// The date salaries are paid (发薪日), printed on payslips and the bank file.
    pub pay_date: NaiveDate,
    pub status: PayRunStatus,
    pub totals: RunTotals,
    /// The account that created and computes the run (制单人); never its approver.
    pub preparer: UserId,
    pub approved_by: Option<UserId>,
    pub created_at: DateTime<Utc>,
    pub computed_at: Option<DateTime<Utc>>,
    pub locked_at: Option<DateTime<Utc>>,
    pub published_at: Option<DateTime<Utc>>,
    /// The approval instance, once submitted.
    pub approval_id: Option<Uuid>,
    /// SHA-free fingerprint of the computed items (hex of a stable hash), equal across
    /// recomputations with the same inputs.
    pub digest: Option<String>,
    pub version: i64,
}

#[derive(Clone, Debug, Deserialize, ToSchema)]
pub struct NewPayRun {
    pub company_id: CompanyId,
    pub period: String,
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    pub scope: PayRunScope,
    pub pay_date: NaiveDate,
}

/// One line of a payslip.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct PayLine {
    pub code: String,
    pub name: String,
    pub kind: ComponentKind,
    pub category: ComponentCategory,
    #[schema(value_type = String)]
    pub amount: Decimal,
    /// e.g. "基数 7,162.00 × 8%" or "12 小时 × 150%".
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

/// The IIT working of one month (the payslip shows it; the tax declaration export uses it).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct TaxWorking {
    pub rule: Option<WithholdingRule>,
    /// Taxable wage income this month (本期收入).
    #[schema(value_type = String)]
    pub income: Decimal,
    #[schema(value_type = String)]
    pub exempt: Decimal,
    /// 专项扣除 this month (employee pension + medical + unemployment + housing fund).
    #[schema(value_type = String)]
    pub special: Decimal,
    /// 专项附加扣除 this month, by kind.
    #[schema(value_type = BTreeMap<String, String>)]
    pub additional: BTreeMap<AdditionalKind, Decimal>,
    #[schema(value_type = String)]
    pub other: Decimal,
    /// Year to date, this month included.
    #[schema(value_type = String)]
    pub cumulative_income: Decimal,
    #[schema(value_type = String)]
    pub cumulative_exempt: Decimal,
    #[schema(value_type = String)]
    pub cumulative_basic_deduction: Decimal,
    #[schema(value_type = String)]
    pub cumulative_special: Decimal,
    #[schema(value_type = String)]
    pub cumulative_additional: Decimal,
    /// The same by kind (the e-Tax withholding template has one cumulative column per item).
    #[schema(value_type = BTreeMap<String, String>)]
    pub cumulative_additional_by_kind: BTreeMap<AdditionalKind, Decimal>,
    #[schema(value_type = String)]
    pub cumulative_other: Decimal,
    #[schema(value_type = String)]
    pub cumulative_taxable: Decimal,
    #[schema(value_type = String)]
    pub rate: Decimal,
    #[schema(value_type = String)]
    pub quick_deduction: Decimal,
    #[schema(value_type = String)]
    pub cumulative_tax: Decimal,
    /// Withheld in earlier months of the year (here).
    #[schema(value_type = String)]
    pub withheld_before: Decimal,
    /// This month's wage withholding (本期应预扣预缴税额), ≥ 0.
    #[schema(value_type = String)]
    pub withhold: Decimal,
    /// Months employed here this year, this one included (累计减除费用的月份数).
    pub months_here: u32,
    /// The annual one-off bonus taxed separately this month, and its tax.
    #[schema(value_type = Option<String>)]
    pub annual_bonus: Option<Decimal>,
    #[schema(value_type = Option<String>)]
    pub annual_bonus_tax: Option<Decimal>,
}

/// Attendance facts the month's pay used (copied onto the payslip).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct PayFacts {
    /// Days of the month employed (calendar days).
    pub employed_days: u32,
    /// 计薪天数 within employment (workdays + statutory holidays), for proration.
    #[schema(value_type = String)]
    pub paid_days: Decimal,
    pub scheduled_days: u32,
    pub present_days: u32,
    pub absent_days: u32,
    pub late_count: u32,
    #[schema(value_type = String)]
    pub unpaid_leave_days: Decimal,
    #[schema(value_type = String)]
    pub overtime_workday_hours: Decimal,
    #[schema(value_type = String)]
    pub overtime_rest_day_hours: Decimal,
    #[schema(value_type = String)]
    pub overtime_holiday_hours: Decimal,
    /// False when no attendance summary was found (pay computed without attendance).
    pub attendance: bool,
    /// The SI/HF policy city the contributions used (`SiEnrolment::city`, e.g. `beijing`); the
    /// contribution list export shows it. None when not enrolled.
    #[serde(default)]
    pub si_city: Option<String>,
}

/// An employee's computed pay for a run: what a payslip shows.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Payslip {
    pub lines: Vec<PayLine>,
    /// 应发合计.
    #[schema(value_type = String)]
    pub gross: Decimal,
    #[schema(value_type = String)]
    pub employee_si: Decimal,
    #[schema(value_type = String)]
    pub employee_hf: Decimal,
    #[schema(value_type = String)]
    pub iit: Decimal,
    /// Other deductions after tax.
    #[schema(value_type = String)]
    pub other_deductions: Decimal,
    /// 实发合计.
    #[schema(value_type = String)]
    pub net: Decimal,
    #[schema(value_type = String)]
    pub employer_si: Decimal,
    #[schema(value_type = String)]
    pub employer_hf: Decimal,
    /// Gross + employer SI/HF (人工成本).
    #[schema(value_type = String)]
    pub employer_cost: Decimal,
    pub tax: TaxWorking,
    pub facts: PayFacts,
    /// SI/HF contribution lines (for the contribution lists).
    pub si_lines: Vec<crate::si::SiLine>,
    /// Adjustments included.
    pub adjustment_ids: Vec<Uuid>,
}

/// Why one employee could not be paid in a run; the rest of the run still computes.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct ItemError {
    /// Stable code, e.g. `no_salary_assignment`, `formula_failed`, `si_policy_missing`.
    pub code: String,
    pub message: String,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ItemStatus {
    Ok,
    Error,
}

/// One employee's row in a run. The payslip is sealed at rest; identity columns are plain so
/// lists can be filtered without opening every row.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct PayRunItem {
    pub id: Uuid,
    pub run_id: Uuid,
    pub employee_id: EmployeeId,
    pub employee_no: String,
    pub employee_name: String,
    pub org_unit_id: Option<OrgUnitId>,
    pub status: ItemStatus,
    pub error: Option<ItemError>,
    pub payslip: Option<Payslip>,
}

/// Review flags on an item.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Anomaly {
    /// Net pay differs from last month's by more than the threshold (default 20%).
    NetChangedSharply,
    NegativeNet,
    /// Net pay below the local minimum wage (when the policy has one).
    BelowMinimumWage,
    /// In this run but not last month's (joiner) / in last month's but not this one (leaver).
    NewInRun,
    MissingFromRun,
    NoAttendance,
    ComputeError,
}

/// A row of the review table: this month against the employee's last locked run.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct ReviewRow {
    pub item_id: Option<Uuid>,
    pub employee_id: EmployeeId,
    pub employee_no: String,
    pub employee_name: String,
    pub org_unit_id: Option<OrgUnitId>,
    #[schema(value_type = Option<String>)]
    pub gross: Option<Decimal>,
    #[schema(value_type = Option<String>)]
    pub net: Option<Decimal>,
    #[schema(value_type = Option<String>)]
    pub iit: Option<Decimal>,
    #[schema(value_type = Option<String>)]
    pub previous_gross: Option<Decimal>,
    #[schema(value_type = Option<String>)]
    pub previous_net: Option<Decimal>,
    #[schema(value_type = Option<String>)]
    pub net_change: Option<Decimal>,
    pub anomalies: Vec<Anomaly>,
    pub error: Option<ItemError>,
}

/// What a compute did.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct ComputeReport {
    pub run_id: Uuid,
    pub employees: u32,
    pub computed: u32,
    pub errors: Vec<ComputeErrorRow>,
    pub totals: RunTotals,
    pub digest: String,
    pub millis: u64,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct ComputeErrorRow {
    pub employee_id: EmployeeId,
    pub employee_no: String,
    pub employee_name: String,
    pub error: ItemError,
}

/// A payslip as its reader gets it (self-service or HR).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct PayslipView {
    pub id: Uuid,
    pub run_id: Uuid,
    pub period: String,
    pub pay_date: NaiveDate,
    pub company_id: CompanyId,
    pub company_name: Option<String>,
    pub employee_id: EmployeeId,
    pub employee_no: String,
    pub employee_name: String,
    pub org_unit_name: Option<String>,
    pub payslip: Payslip,
}

/// A line of my payslip list.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct PayslipSummary {
    pub id: Uuid,
    pub run_id: Uuid,
    pub period: String,
    pub pay_date: NaiveDate,
    pub run_name: String,
    #[schema(value_type = String)]
    pub gross: Decimal,
    #[schema(value_type = String)]
    pub net: Decimal,
}

// ---------------------------------------------------------------------------------------------
// Inputs the service gathers for a compute (one bulk read each)

/// One person to pay: identity and employment within the period (from assignments).
#[derive(Clone, Debug, PartialEq)]
pub struct PayPerson {
    pub employee_id: EmployeeId,
    pub employee_no: String,
    pub employee_name: String,
    pub company_id: CompanyId,
    pub org_unit_id: Option<OrgUnitId>,
    pub position_id: Option<PositionId>,
    pub grade: Option<String>,
    /// First and last day employed within the period (inclusive).
    pub employed_from: NaiveDate,
    pub employed_to: NaiveDate,
}

/// The employee's year to date before this run, from their items in LOCKED runs of the same
/// company and tax year (cumulation is per employer and calendar year).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct YearToDate {
    pub months_here: u32,
    pub income: Decimal,
    pub exempt: Decimal,
    pub special: Decimal,
    pub additional: Decimal,
    /// `additional` by kind (from the latest item's `cumulative_additional_by_kind`).
    pub additional_by_kind: BTreeMap<AdditionalKind, Decimal>,
    pub other: Decimal,
    /// Wage tax actually withheld (not the theoretical cumulative tax).
    pub withheld: Decimal,
    /// The separate annual-bonus method was already used this year.
    pub annual_bonus_used: bool,
    /// Periods already counted (a second run in the same month does not add a month).
    pub periods: Vec<String>,
}

/// Everything the pure computation needs for one employee.
#[derive(Clone, Debug)]
pub struct EmployeeInput {
    pub person: PayPerson,
    pub salary: Option<SalaryAssignment>,
    pub attendance: Option<bole_time::attendance::MonthlySummary>,
    pub ytd: YearToDate,
    pub declarations: Vec<DeductionDeclaration>,
    pub tax_profile: Option<TaxProfile>,
    pub adjustments: Vec<PayAdjustment>,
}

/// Run-wide inputs: the period's calendar and the policies in force.
#[derive(Clone, Debug)]
pub struct RunContext {
    pub company_id: CompanyId,
    pub period: String,
    pub year: i32,
    pub month: u32,
    /// First and last day of the period.
    pub first_day: NaiveDate,
    pub last_day: NaiveDate,
    /// Each day of the month: workday / rest day / statutory holiday (company calendar).
    pub days: Vec<(NaiveDate, bole_time::DayKind)>,
    pub components: Vec<PayComponent>,
    pub structures: Vec<PayStructure>,
    /// SI/HF policies in force on the first day of the period, per city.
    pub si_policies: Vec<SiPolicy>,
}

/// What the bank file and the tax declaration need about a payee (unsealed by the store for the
/// export only; never logged).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Payee {
    pub id_type: String,
    pub id_number: Option<String>,
    pub bank_account: Option<String>,
    pub bank_name: Option<String>,
}

/// Renders a payslip as a PDF with Chinese text (implemented by `bole-pdf`).
pub trait PayslipRenderer: Send + Sync {
    fn render(&self, slip: &PayslipView) -> Result<Vec<u8>, crate::PayrollError>;
}
