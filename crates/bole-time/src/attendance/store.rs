//! The attendance storage port. Every write appends its audit events in the same transaction.
//! Writes that change an input of attendance days (punches, schedules, calendars) MUST re-derive
//! or invalidate the affected days in that transaction, so a read never sees a stale verdict.
//! Reads that can return other people's rows take a [`RowScope`] and MUST NOT return rows
//! outside it.

use super::error::AttendanceError;
use super::model::*;
use async_trait::async_trait;
use bole_core::{AuditEvent, CompanyId, EmployeeId, OrgUnitId, Page, PageRequest};
use bole_people::RowScope;
use chrono::{DateTime, NaiveDate, Utc};
use std::collections::HashMap;
use uuid::Uuid;

/// An employee as attendance lists show them.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EmployeeRef {
    pub id: EmployeeId,
    pub company_id: CompanyId,
    pub employee_no: String,
    pub name: String,
}

/// Which employees a team or summary read covers, besides the scope.
#[derive(Clone, Debug, Default)]
pub struct EmployeeSelection {
    /// Home units (subtrees already expanded); None = any.
    pub units: Option<Vec<OrgUnitId>>,
    /// Direct reports of this employee only.
    pub reports_of: Option<EmployeeId>,
}

#[async_trait]
pub trait AttendanceStore: Send + Sync {
    /// Every stored calendar layer with its days, in the order they are laid (company-less layers
    /// first, then company layers, then regional ones; by creation within each).
    async fn calendar_layers(&self) -> Result<Vec<StoredLayer>, AttendanceError>;

    /// Stores a layer and its days; attendance days on those dates are invalidated.
    async fn insert_layer(&self, layer: &StoredLayer, audit: &[AuditEvent]) -> Result<(), AttendanceError>;

    /// Adds days to a layer. MUST return `LayerNotFound` for an unknown layer and
    /// `DuplicateLayerDay` when the layer already sets one of the dates (nothing written).
    async fn add_layer_days(
        &self,
        layer: Uuid,
        days: &[crate::calendar::DayOverride],
        audit: &[AuditEvent],
    ) -> Result<(), AttendanceError>;

    /// Every shift, by code.
    async fn shifts(&self) -> Result<Vec<Shift>, AttendanceError>;

    /// MUST return `DuplicateShiftCode` when the code is taken.
    async fn insert_shift(&self, shift: &Shift, audit: &[AuditEvent]) -> Result<(), AttendanceError>;

    /// Replaces name, rule and active flag. MUST return `ShiftNotFound`. The change applies from
    /// `from` on: days on or after it that used the shift are invalidated; earlier days keep the
    /// verdict derived under the old rule (to change the past, assign another shift dated back).
    async fn update_shift(&self, shift: &Shift, from: NaiveDate, audit: &[AuditEvent]) -> Result<(), AttendanceError>;

    async fn shift_assignments(&self, filter: &AssignmentFilter) -> Result<Vec<ShiftAssignment>, AttendanceError>;

    /// MUST return `ShiftNotFound`, `EmployeeNotFound` or `OrgUnitNotFound` for a missing
    /// reference. Days of the affected employees inside the validity are invalidated.
    async fn insert_shift_assignment(
        &self,
        assignment: &ShiftAssignment,
        audit: &[AuditEvent],
    ) -> Result<(), AttendanceError>;

    /// Appends punches (duplicates of a stored punch — same employee, same second — ignored)
    /// and re-derives the affected employee-days in the same transaction. Returns
    /// (inserted, days recomputed).
    async fn record_punches(
        &self,
        punches: &[Punch],
        today: NaiveDate,
        audit: &[AuditEvent],
    ) -> Result<(u64, u64), AttendanceError>;

    /// Punches of one employee with local dates in [from, to], by time.
    async fn punches(
        &self,
        employee: EmployeeId,
        from: NaiveDate,
        to: NaiveDate,
    ) -> Result<Vec<Punch>, AttendanceError>;

    /// Employee ids by employee number within a company (set-based, for imports).
    async fn ids_by_employee_no(
        &self,
        company: CompanyId,
        nos: &[String],
    ) -> Result<HashMap<String, EmployeeId>, AttendanceError>;

    /// The employees of `ids` inside `scope` (one query per chunk).
    async fn in_scope(&self, scope: &RowScope, ids: &[EmployeeId]) -> Result<Vec<EmployeeId>, AttendanceError>;

    /// Employees inside `scope` and `selection` employed on at least one day of [from, to],
    /// by employee number.
    async fn employees(
        &self,
        scope: &RowScope,
        selection: &EmployeeSelection,
        from: NaiveDate,
        to: NaiveDate,
    ) -> Result<Vec<EmployeeRef>, AttendanceError>;

    /// Derives the days of [from, to] that are missing or provisional (derived before they had
    /// passed) for these employees. Returns how many were derived.
    async fn ensure_days(
        &self,
        employees: &[EmployeeId],
        from: NaiveDate,
        to: NaiveDate,
        today: NaiveDate,
    ) -> Result<u64, AttendanceError>;

    /// Stored days of these employees in [from, to], by employee and day.
    async fn days(
        &self,
        employees: &[EmployeeId],
        from: NaiveDate,
        to: NaiveDate,
    ) -> Result<Vec<AttendanceDay>, AttendanceError>;

    /// Replaces the month's summary rows of these employees from their (already derived) days,
    /// set-based. Idempotent. Returns the rows written.
    async fn compute_summaries(
        &self,
        employees: &[EmployeeId],
        month: Month,
        at: DateTime<Utc>,
        audit: &[AuditEvent],
    ) -> Result<u64, AttendanceError>;

    /// Stored summaries of the month inside `scope` and `selection`, by employee number.
    async fn summaries(
        &self,
        month: Month,
        scope: &RowScope,
        selection: &EmployeeSelection,
        page: PageRequest,
    ) -> Result<Page<MonthlySummary>, AttendanceError>;

    /// Every stored summary of the month inside `scope` and `selection`, by employee number, in
    /// one query (payroll's bulk read: no count, no offset paging).
    async fn all_summaries(
        &self,
        month: Month,
        scope: &RowScope,
        selection: &EmployeeSelection,
    ) -> Result<Vec<MonthlySummary>, AttendanceError>;

    /// The attendance policy (defaults when never set).
    async fn policy(&self) -> Result<AttendancePolicy, AttendanceError>;

    async fn set_policy(
        &self,
        policy: &AttendancePolicy,
        at: DateTime<Utc>,
        audit: &[AuditEvent],
    ) -> Result<(), AttendanceError>;
}
