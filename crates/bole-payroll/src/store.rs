//! The payroll store port. Every write appends the given audit events in the SAME transaction.
//! Salary assignments, payslips (item payloads) and declaration notes are sealed at rest by the
//! implementation; the port speaks plain domain types.
//!
//! Errors each method MUST return are named on it; anything else is `Storage`.

use crate::error::PayrollError;
use crate::model::*;
use crate::si::SiPolicy;
use async_trait::async_trait;
use bole_core::{AuditEvent, CompanyId, EmployeeId, Page, PageRequest, UserId};
use bole_people::RowScope;
use bole_workflow::Transition;
use chrono::{DateTime, NaiveDate, Utc};
use std::collections::HashMap;
use uuid::Uuid;

/// Filter for a run's items / review rows.
#[derive(Clone, Debug, Default)]
pub struct ItemFilter {
    /// Only items whose employee the reader may see (HR scopes).
    pub scope: Option<RowScope>,
    pub status: Option<ItemStatus>,
    /// Matches employee number or name (substring).
    pub search: Option<String>,
}

/// What the workflow handler writes with a pay-run decision.
#[derive(Clone, Debug)]
pub struct RunDecision {
    pub run_id: Uuid,
    /// The run must be in this status (`PendingApproval`), else `PayRunWrongStatus`.
    pub from: PayRunStatus,
    /// `Locked` on approval; `Computed` when rejected, returned or withdrawn.
    pub to: PayRunStatus,
    /// On approval: the approver and when.
    pub approved_by: Option<UserId>,
    pub at: DateTime<Utc>,
    pub audit: Vec<AuditEvent>,
}

/// A whole computation, written in ONE transaction: the run's previous items are replaced, the
/// run becomes `Computed` with the totals and digest. Refused (`PayRunConflict`) when the run's
/// version is not `expected_version` or its status is not Draft/Computed (`PayRunWrongStatus`).
#[derive(Clone, Debug)]
pub struct Computation {
    pub run_id: Uuid,
    pub expected_version: i64,
    pub items: Vec<PayRunItem>,
    pub totals: RunTotals,
    pub digest: String,
    pub computed_at: DateTime<Utc>,
    pub audit: Vec<AuditEvent>,
}

#[async_trait]
pub trait PayrollStore: Send + Sync {
    // --- components and structures -------------------------------------------------------------

    async fn components(&self, company: CompanyId) -> Result<Vec<PayComponent>, PayrollError>;
    /// `DuplicateComponentCode` when the code exists in the company.
    async fn create_component(&self, c: &PayComponent, audit: &[AuditEvent]) -> Result<(), PayrollError>;
    /// `ComponentNotFound`.
    async fn update_component(&self, c: &PayComponent, audit: &[AuditEvent]) -> Result<(), PayrollError>;
    async fn component(&self, id: Uuid) -> Result<PayComponent, PayrollError>;

    async fn structures(&self, company: CompanyId) -> Result<Vec<PayStructure>, PayrollError>;
    /// `StructureNotFound`.
    async fn structure(&self, id: Uuid) -> Result<PayStructure, PayrollError>;
    /// `DuplicateStructureCode`.
    async fn create_structure(&self, s: &PayStructure, audit: &[AuditEvent]) -> Result<(), PayrollError>;
    /// Optimistic on `expected_version` (`PayrollConflict`); stores `s.version` = expected + 1.
    async fn update_structure(
        &self,
        s: &PayStructure,
        expected_version: i64,
        audit: &[AuditEvent],
    ) -> Result<(), PayrollError>;

    // --- salary assignments --------------------------------------------------------------------

    /// Every assignment of the employee, oldest first.
    async fn salary_history(&self, employee: EmployeeId) -> Result<Vec<SalaryAssignment>, PayrollError>;
    /// Close the open assignment the day before `a.valid_from` and insert `a`, in one transaction.
    /// `EffectiveDateConflict` when an assignment starts on or after `a.valid_from`.
    async fn add_salary_assignment(&self, a: &SalaryAssignment, audit: &[AuditEvent]) -> Result<(), PayrollError>;
    /// Bulk: for each employee, the assignment in force on their `on` date (one query + unseal).
    async fn salaries_on(
        &self,
        wanted: &[(EmployeeId, NaiveDate)],
    ) -> Result<HashMap<EmployeeId, SalaryAssignment>, PayrollError>;

    // --- SI/HF policies entered by administrators (built-ins ship as data) ----------------------

    async fn si_policies(&self) -> Result<Vec<SiPolicy>, PayrollError>;
    /// `DuplicateSiPolicy` when the city already has a policy starting that day.
    async fn add_si_policy(&self, p: &SiPolicy, audit: &[AuditEvent]) -> Result<(), PayrollError>;

    // --- tax profiles and declarations ---------------------------------------------------------

    async fn tax_profile(&self, employee: EmployeeId, year: i32) -> Result<Option<TaxProfile>, PayrollError>;
    async fn set_tax_profile(&self, p: &TaxProfile, audit: &[AuditEvent]) -> Result<(), PayrollError>;
    async fn tax_profiles(&self, year: i32, employees: &[EmployeeId]) -> Result<Vec<TaxProfile>, PayrollError>;
    async fn declarations(&self, employee: EmployeeId, year: i32) -> Result<Vec<DeductionDeclaration>, PayrollError>;
    /// Active declarations of these employees for the year (bulk).
    async fn declarations_for(
        &self,
        year: i32,
        employees: &[EmployeeId],
    ) -> Result<Vec<DeductionDeclaration>, PayrollError>;
    async fn add_declaration(&self, d: &DeductionDeclaration, audit: &[AuditEvent]) -> Result<(), PayrollError>;
    /// `DeclarationNotFound` (also when it belongs to another employee than `employee`).
    async fn withdraw_declaration(
        &self,
        employee: EmployeeId,
        id: Uuid,
        audit: &[AuditEvent],
    ) -> Result<(), PayrollError>;

    // --- adjustments ---------------------------------------------------------------------------

    async fn create_adjustment(&self, a: &PayAdjustment, audit: &[AuditEvent]) -> Result<(), PayrollError>;
    /// `AdjustmentNotFound`; `AdjustmentApplied` when it is in a locked run.
    async fn cancel_adjustment(&self, id: Uuid, audit: &[AuditEvent]) -> Result<PayAdjustment, PayrollError>;
    async fn adjustments(
        &self,
        company: CompanyId,
        period: Option<&str>,
        page: PageRequest,
    ) -> Result<Page<PayAdjustment>, PayrollError>;
    /// Open adjustments of a company's period (the compute input).
    async fn open_adjustments(&self, company: CompanyId, period: &str) -> Result<Vec<PayAdjustment>, PayrollError>;

    // --- runs ----------------------------------------------------------------------------------

    /// `DuplicatePayRun` when the company already has a run for the period whose scope overlaps
    /// (the simple rule: one regular run per company and period with an empty scope).
    async fn create_run(&self, run: &PayRun, audit: &[AuditEvent]) -> Result<(), PayrollError>;
    /// `PayRunNotFound`.
    async fn run(&self, id: Uuid) -> Result<PayRun, PayrollError>;
    async fn runs(&self, company: Option<CompanyId>, page: PageRequest) -> Result<Page<PayRun>, PayrollError>;
    /// Everyone to pay: employed (any employed status) by the company on at least one day of
    /// `[first, last]`, within `scope` (subtrees of the listed units on `last`, or the listed
    /// employees) and within `rows` (the actor's row scope). One set-based query.
    async fn population(
        &self,
        company: CompanyId,
        first: NaiveDate,
        last: NaiveDate,
        scope: &PayRunScope,
        rows: &RowScope,
    ) -> Result<Vec<PayPerson>, PayrollError>;
    /// Year to date per employee from items of LOCKED runs of `company` in `year` whose period is
    /// before `period` (bulk; unseals the latest item per employee).
    async fn year_to_date(
        &self,
        company: CompanyId,
        year: i32,
        period: &str,
        employees: &[EmployeeId],
    ) -> Result<HashMap<EmployeeId, YearToDate>, PayrollError>;
    /// Write a computation (see [`Computation`]).
    async fn save_computation(&self, c: &Computation) -> Result<(), PayrollError>;
    async fn items(
        &self,
        run_id: Uuid,
        filter: &ItemFilter,
        page: PageRequest,
    ) -> Result<Page<PayRunItem>, PayrollError>;
    /// Every item of a run (exports, review), unsealed.
    async fn all_items(&self, run_id: Uuid) -> Result<Vec<PayRunItem>, PayrollError>;
    /// `PayslipNotFound`.
    async fn item(&self, id: Uuid) -> Result<(PayRun, PayRunItem), PayrollError>;
    /// The latest LOCKED run of the company before `period` (for the review's differences).
    async fn previous_run(&self, company: CompanyId, period: &str) -> Result<Option<PayRun>, PayrollError>;
    /// Write the submission (run → PendingApproval, approval id) and the workflow transition in
    /// one transaction; `PayRunConflict` on a stale version.
    async fn submit_run(
        &self,
        run_id: Uuid,
        expected_version: i64,
        transition: &Transition,
        audit: &[AuditEvent],
    ) -> Result<(), PayrollError>;
    /// The approval handler's commit: the transition and the run's change in one transaction.
    /// On `Locked`: adjustments included in the run become `Applied`.
    async fn commit_run_decision(&self, transition: &Transition, d: &RunDecision) -> Result<(), PayrollError>;
    /// Locked → Published (`PayRunWrongStatus` otherwise).
    async fn publish_run(&self, run_id: Uuid, at: DateTime<Utc>, audit: &[AuditEvent]) -> Result<(), PayrollError>;
    /// Identity documents and bank accounts for an export (bulk, unsealed).
    async fn payees(&self, employees: &[EmployeeId]) -> Result<HashMap<EmployeeId, Payee>, PayrollError>;
    /// Org unit names as of `on` (bulk), for reports and payslips.
    async fn unit_names(
        &self,
        units: &[bole_core::OrgUnitId],
        on: NaiveDate,
    ) -> Result<HashMap<bole_core::OrgUnitId, String>, PayrollError>;
    /// `CompanyNotFound`.
    async fn company_name(&self, company: CompanyId) -> Result<String, PayrollError>;
    /// Published payslips of an employee, newest first.
    async fn payslips_of(&self, employee: EmployeeId) -> Result<Vec<PayslipSummary>, PayrollError>;
}
