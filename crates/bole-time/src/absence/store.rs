//! The absence store port: leave types, the ledger, annual-leave profiles, applications and their
//! approval commits. Every write appends the given audit events in the SAME transaction. Methods
//! that write an approval transition call the workflow store's in-transaction writer first, then
//! the document's changes, so a failing effect rolls the decision back with it.

use super::error::AbsenceError;
use super::model::*;
use async_trait::async_trait;
use bole_core::{AuditEvent, CompanyId, EmployeeId, OrgUnitId, Page, PageRequest};
use bole_workflow::{Transition, WorkflowError};
use chrono::{DateTime, NaiveDate, NaiveTime, Utc};

/// The employees a call may touch, from the actor's [`bole_core::Scope`]; stores apply it as a
/// row filter (a row qualifies when ANY part matches). Subtrees are expanded by the store on the
/// org structure of `on` (today).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct AbsenceScope {
    pub all: bool,
    pub me: Option<EmployeeId>,
    pub reports_of: Option<EmployeeId>,
    pub subtree_roots: Vec<OrgUnitId>,
    pub companies: Vec<CompanyId>,
    pub on: NaiveDate,
}

impl AbsenceScope {
    pub fn is_empty(&self) -> bool {
        !self.all
            && self.me.is_none()
            && self.reports_of.is_none()
            && self.subtree_roots.is_empty()
            && self.companies.is_empty()
    }
}

/// Checked inside a write transaction after the per-employee lock: no live application of the
/// employee may collide with `span` (except `exclude`, the application being amended), and, when
/// `balance` is set, balance − pending − need must stay ≥ 0.
#[derive(Clone, Debug)]
pub struct LeaveChecks {
    pub employee_id: EmployeeId,
    pub span: super::rules::Span,
    pub exclude: Option<LeaveApplicationId>,
    pub balance: Option<BalanceCheck>,
}

#[derive(Clone, Debug)]
pub struct BalanceCheck {
    pub leave_type_id: LeaveTypeId,
    /// Shown in the error message.
    pub leave_type_name: String,
    pub need_minutes: i64,
}

/// What an approval decision on a leave application writes besides the transition.
#[derive(Clone, Debug)]
pub struct LeaveDecision {
    pub application_id: LeaveApplicationId,
    /// Statuses the application may be in for the decision to apply (otherwise `WrongStatus`).
    pub from: Vec<ApplicationStatus>,
    pub to: ApplicationStatus,
    pub at: DateTime<Utc>,
    /// On approval: the usage posting, the attendance rows and the type code/paid flag for them.
    pub approval: Option<LeaveApproval>,
    pub audit: Vec<AuditEvent>,
}

#[derive(Clone, Debug)]
pub struct LeaveApproval {
    pub usage: LedgerEntry,
    pub days: Vec<AbsenceDay>,
    pub leave_type_code: String,
    pub paid: bool,
    /// When false, the balance after the usage must not be negative (checked in the transaction).
    pub allow_negative: bool,
    pub leave_type_name: String,
    pub today: NaiveDate,
}

/// Undo an approved leave: reversal posting, attendance rows deleted, attendance recomputed.
#[derive(Clone, Debug)]
pub struct LeaveCancellation {
    pub application_id: LeaveApplicationId,
    pub employee_id: EmployeeId,
    pub reversal: LedgerEntry,
    pub from: NaiveDate,
    pub to: NaiveDate,
    pub at: DateTime<Utc>,
    pub by: bole_core::UserId,
    pub reason: Option<String>,
    pub today: NaiveDate,
    pub audit: Vec<AuditEvent>,
}

/// What an approval decision on an overtime application writes besides the transition.
#[derive(Clone, Debug)]
pub struct OvertimeDecision {
    pub overtime_id: OvertimeId,
    pub from: Vec<ApplicationStatus>,
    pub to: ApplicationStatus,
    pub at: DateTime<Utc>,
    /// On approval: the overtime row for attendance and, for time off, the 调休 credit.
    pub approval: Option<OvertimeApproval>,
    pub audit: Vec<AuditEvent>,
}

#[derive(Clone, Debug)]
pub struct OvertimeApproval {
    pub employee_id: EmployeeId,
    pub day: NaiveDate,
    pub minutes: i64,
    pub kind: String,
    pub compensation: Compensation,
    pub credit: Option<LedgerEntry>,
    pub today: NaiveDate,
}

#[derive(Clone, Debug)]
pub struct OvertimeCancellation {
    pub overtime_id: OvertimeId,
    pub employee_id: EmployeeId,
    pub day: NaiveDate,
    /// Takes back a 调休 credit; refused (insufficient balance) when it was already used.
    pub reversal: Option<LedgerEntry>,
    pub leave_type_name: String,
    pub at: DateTime<Utc>,
    pub by: bole_core::UserId,
    pub today: NaiveDate,
    pub audit: Vec<AuditEvent>,
}

#[derive(Clone, Debug)]
pub struct PunchDecision {
    pub correction_id: PunchCorrectionId,
    pub from: Vec<ApplicationStatus>,
    pub to: ApplicationStatus,
    pub at: DateTime<Utc>,
    /// On approval: the punch to insert (source `correction`) and the day to recompute.
    pub punch: Option<CorrectionPunch>,
    pub audit: Vec<AuditEvent>,
}

#[derive(Clone, Debug)]
pub struct CorrectionPunch {
    pub correction_id: PunchCorrectionId,
    pub at: DateTime<Utc>,
    pub employee_id: EmployeeId,
    pub day: NaiveDate,
    pub time: NaiveTime,
    pub direction: PunchDirection,
    pub today: NaiveDate,
}

#[async_trait]
pub trait AbsenceStore: Send + Sync {
    // ---------------------------------------------------------------- employees and scope

    /// Facts (company, gender, hire and exit dates, leave profile) of these employees; unknown
    /// ids are left out.
    async fn employee_facts(&self, ids: &[EmployeeId]) -> Result<Vec<EmployeeFacts>, AbsenceError>;

    /// The subset of `ids` inside `scope`.
    async fn in_scope(&self, scope: &AbsenceScope, ids: &[EmployeeId]) -> Result<Vec<EmployeeId>, AbsenceError>;

    /// Every employee inside `scope` (and `company`, when given) employed at some point of
    /// `[from, to]`, with their facts: the population of the grant and year-end jobs.
    async fn employees_in(
        &self,
        scope: &AbsenceScope,
        company: Option<CompanyId>,
        from: NaiveDate,
        to: NaiveDate,
    ) -> Result<Vec<EmployeeFacts>, AbsenceError>;

    // ---------------------------------------------------------------- leave types

    async fn leave_types(&self, company: CompanyId) -> Result<Vec<LeaveType>, AbsenceError>;

    /// MUST return `LeaveTypeNotFound` for an unknown id.
    async fn leave_type(&self, id: LeaveTypeId) -> Result<LeaveType, AbsenceError>;

    /// Inserts the types. With `skip_existing` a code the company already has is left alone (seeding
    /// the defaults twice is harmless); otherwise it MUST return `DuplicateLeaveTypeCode`.
    async fn insert_leave_types(
        &self,
        types: &[LeaveType],
        skip_existing: bool,
        audit: &[AuditEvent],
    ) -> Result<(), AbsenceError>;

    /// MUST return `LeaveTypeNotFound` when the type does not exist.
    async fn update_leave_type(&self, t: &LeaveType, audit: &[AuditEvent]) -> Result<(), AbsenceError>;

    // ---------------------------------------------------------------- profiles

    async fn upsert_profile(&self, p: &LeaveProfile, audit: &[AuditEvent]) -> Result<(), AbsenceError>;

    // ---------------------------------------------------------------- ledger

    /// Appends the rows (batched). MUST return `EmployeeNotFound` / `LeaveTypeNotFound` for unknown
    /// references.
    async fn post(&self, entries: &[LedgerEntry], audit: &[AuditEvent]) -> Result<(), AbsenceError>;

    /// The ledger of these employees condensed per (employee, type, kind, leave year, expiry), rows
    /// valid on or before `as_of` (all rows when `None`). Set-based: one query for any number of
    /// employees.
    async fn ledger_sums(
        &self,
        employees: &[EmployeeId],
        as_of: Option<NaiveDate>,
    ) -> Result<Vec<LedgerSum>, AbsenceError>;

    /// Minutes reserved by open (pending or returned) applications, per (employee, type).
    async fn pending_minutes(
        &self,
        employees: &[EmployeeId],
    ) -> Result<Vec<(EmployeeId, LeaveTypeId, i64)>, AbsenceError>;

    async fn ledger(
        &self,
        employee: EmployeeId,
        leave_type: Option<LeaveTypeId>,
        page: PageRequest,
    ) -> Result<Page<LedgerEntry>, AbsenceError>;

    // ---------------------------------------------------------------- leave applications

    /// The employee's live and closed applications whose dates touch `[from, to]` (an index
    /// range on (employee_id, start_date, end_date), never a scan).
    async fn applications_touching(
        &self,
        employee: EmployeeId,
        from: NaiveDate,
        to: NaiveDate,
    ) -> Result<Vec<LeaveApplication>, AbsenceError>;

    /// One transaction: lock the employee, run `checks` (MUST return `LeaveOverlaps` /
    /// `InsufficientBalance`), insert the application, write the transition, audit.
    /// `approval` is set when the engine approved on submission (every step skipped or passed):
    /// its effects apply in the same transaction, as in [`AbsenceStore::commit_leave_decision`].
    async fn insert_leave_application(
        &self,
        app: &LeaveApplication,
        checks: &LeaveChecks,
        transition: &Transition,
        approval: Option<&LeaveApproval>,
        audit: &[AuditEvent],
    ) -> Result<(), AbsenceError>;

    /// Amend an open application: the same checks (excluding itself), the new fields and status
    /// pending, the transition. MUST return `WrongStatus` when it is no longer open.
    async fn amend_leave_application(
        &self,
        app: &LeaveApplication,
        checks: &LeaveChecks,
        transition: &Transition,
        approval: Option<&LeaveApproval>,
        audit: &[AuditEvent],
    ) -> Result<(), AbsenceError>;

    /// MUST return `ApplicationNotFound` for an unknown id.
    async fn leave_application(&self, id: LeaveApplicationId) -> Result<LeaveApplication, AbsenceError>;

    async fn list_leave_applications(
        &self,
        q: &ApplicationQuery,
        scope: &AbsenceScope,
        page: PageRequest,
    ) -> Result<Page<LeaveApplication>, AbsenceError>;

    /// One transaction: the transition, the status change (`WrongStatus` unless the application is
    /// in `from`), and on approval the usage posting, absence_days rows and attendance
    /// recomputation, then the balance check (`InsufficientBalance`). Any error writes nothing.
    async fn commit_leave_decision(&self, t: &Transition, d: &LeaveDecision) -> Result<(), WorkflowError>;

    /// One transaction: status approved → cancelled (`WrongStatus` otherwise), the reversal, the
    /// absence_days rows deleted, attendance recomputed.
    async fn cancel_approved_leave(&self, c: &LeaveCancellation) -> Result<(), AbsenceError>;

    // ---------------------------------------------------------------- overtime

    async fn insert_overtime(
        &self,
        o: &OvertimeApplication,
        transition: &Transition,
        approval: Option<&OvertimeApproval>,
        audit: &[AuditEvent],
    ) -> Result<(), AbsenceError>;

    /// MUST return `OvertimeNotFound` for an unknown id.
    async fn overtime(&self, id: OvertimeId) -> Result<OvertimeApplication, AbsenceError>;

    async fn list_overtime(
        &self,
        q: &ApplicationQuery,
        scope: &AbsenceScope,
        page: PageRequest,
    ) -> Result<Page<OvertimeApplication>, AbsenceError>;

    async fn commit_overtime_decision(&self, t: &Transition, d: &OvertimeDecision) -> Result<(), WorkflowError>;

    async fn cancel_approved_overtime(&self, c: &OvertimeCancellation) -> Result<(), AbsenceError>;

    // ---------------------------------------------------------------- punch corrections

    /// One transaction: lock the employee, count their live corrections in the month of the date
    /// (MUST return `PunchCorrectionLimit` at `monthly_limit`), insert, write the transition.
    async fn insert_punch_correction(
        &self,
        p: &PunchCorrection,
        monthly_limit: u32,
        transition: &Transition,
        punch: Option<&CorrectionPunch>,
        audit: &[AuditEvent],
    ) -> Result<(), AbsenceError>;

    /// MUST return `PunchCorrectionNotFound` for an unknown id.
    async fn punch_correction(&self, id: PunchCorrectionId) -> Result<PunchCorrection, AbsenceError>;

    async fn list_punch_corrections(
        &self,
        q: &ApplicationQuery,
        scope: &AbsenceScope,
        page: PageRequest,
    ) -> Result<Page<PunchCorrection>, AbsenceError>;

    async fn commit_punch_decision(&self, t: &Transition, d: &PunchDecision) -> Result<(), WorkflowError>;
}
