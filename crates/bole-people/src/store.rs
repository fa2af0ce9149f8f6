//! The people store port. Implemented once in bole-store for both engines and
//! held to this contract by the conformance suite. Every write takes the audit
//! events that describe it and MUST append them in the same transaction; reads
//! that can return other people's records take a [`RowScope`] and MUST NOT return
//! a row outside it.

use crate::error::PeopleError;
use crate::model::*;
use crate::rules::ValidPerson;
use async_trait::async_trait;
use bole_core::{AuditEvent, CompanyId, EmployeeId, OrgUnitId, Page, PageRequest};
use bole_org::{OrgChangeRecord, UnitVersionWrite};
use chrono::{DateTime, NaiveDate, Utc};
use std::collections::HashMap;

/// A complete new employee as written: record, history and derived assignments.
#[derive(Clone, Debug)]
pub struct NewEmployeeRecord {
    pub employee: Employee,
    pub educations: Vec<Education>,
    pub contacts: Vec<Contact>,
    pub events: Vec<EventRecord>,
    pub assignments: Vec<Assignment>,
}

/// New events for one employee and the full recomputed assignment list.
#[derive(Clone, Debug)]
pub struct EmployeeChange {
    pub employee_id: EmployeeId,
    pub new_events: Vec<EventRecord>,
    pub assignments: Vec<Assignment>,
}

/// "Does (unit, category) still fit its 编制 on this date?"
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct QuotaCheck {
    pub org_unit_id: OrgUnitId,
    pub category: String,
    pub date: NaiveDate,
}

/// Personal data for the quality scan.
#[derive(Clone, Debug)]
pub struct PersonRow {
    pub id: EmployeeId,
    pub employee_no: String,
    pub name: String,
    pub gender: String,
    pub birth_date: Option<NaiveDate>,
    pub id_type: String,
    pub id_number: String,
    pub phone: Option<String>,
    pub email: Option<String>,
    pub ethnicity: Option<String>,
    pub political_status: Option<String>,
    pub education_level: Option<String>,
}

#[async_trait]
pub trait PeopleStore: Send + Sync {
    /// Writes all records with their events and assignments in ONE transaction,
    /// then checks every quota. MUST return `DuplicateEmployeeNo`,
    /// `DuplicateIdNumber` or `QuotaExceeded` (with nothing written) when they apply.
    async fn insert_employees(
        &self,
        batch: &[NewEmployeeRecord],
        quota_checks: &[QuotaCheck],
        audit: &[AuditEvent],
    ) -> Result<(), PeopleError>;
    /// MUST return `EmployeeNotFound` for an unknown id.
    async fn employee(&self, id: EmployeeId) -> Result<(Employee, Vec<Education>, Vec<Contact>), PeopleError>;
    /// Replaces personal data (and, when given, educations/contacts).
    /// MUST return `EmployeeNotFound` or `DuplicateIdNumber`.
    async fn update_person(
        &self,
        id: EmployeeId,
        person: &ValidPerson,
        educations: Option<&[Education]>,
        contacts: Option<&[Contact]>,
        at: DateTime<Utc>,
        audit: &[AuditEvent],
    ) -> Result<(), PeopleError>;
    async fn events(&self, id: EmployeeId) -> Result<Vec<EventRecord>, PeopleError>;
    async fn assignments(&self, id: EmployeeId) -> Result<Vec<Assignment>, PeopleError>;
    /// Appends events, replaces each employee's assignments, applies org changes
    /// when given, then checks quotas — all in ONE transaction.
    /// MUST return `QuotaExceeded` (nothing written) when a check fails.
    async fn record_events(
        &self,
        changes: &[EmployeeChange],
        quota_checks: &[QuotaCheck],
        org_changes: Option<(&[UnitVersionWrite], &[OrgChangeRecord])>,
        audit: &[AuditEvent],
    ) -> Result<(), PeopleError>;
    /// One page of employees with their assignment on `as_of`.
    async fn list(
        &self,
        filter: &EmployeeFilter,
        scope: &RowScope,
        as_of: NaiveDate,
        page: PageRequest,
    ) -> Result<Page<EmployeeSummary>, PeopleError>;
    /// Of `ids`, those inside `scope` (one query, whatever the number of ids).
    async fn in_scope(&self, scope: &RowScope, ids: &[EmployeeId]) -> Result<Vec<EmployeeId>, PeopleError>;
    /// Every employee and all their events, for employees with an assignment in
    /// the units on or after `from` (used to move staff when units merge).
    async fn events_of_staff(
        &self,
        units: &[OrgUnitId],
        from: NaiveDate,
    ) -> Result<HashMap<EmployeeId, Vec<EventRecord>>, PeopleError>;
    /// Resolve employee numbers within a company (imports, manager references).
    async fn ids_by_employee_no(
        &self,
        company: CompanyId,
        nos: &[String],
    ) -> Result<HashMap<String, EmployeeId>, PeopleError>;
    /// Of the given resident/other ID numbers, those already used in the company.
    async fn taken_id_numbers(&self, company: CompanyId, numbers: &[String]) -> Result<Vec<String>, PeopleError>;
    /// The employee of `company` holding this ID document (exact match after normalisation:
    /// trimmed, `x` upper-cased), or `None`. ID numbers are stored sealed, so implementations
    /// MUST find it through a blind index, never by decrypting rows.
    async fn employee_by_id_number(
        &self,
        company: CompanyId,
        id_type: &str,
        id_number: &str,
    ) -> Result<Option<EmployeeId>, PeopleError>;
    /// Every employee of a company with the assignment in force on `as_of` (bulk read
    /// for exports: two queries, no per-employee reads).
    async fn employees_as_of(
        &self,
        company: CompanyId,
        as_of: NaiveDate,
    ) -> Result<Vec<(Employee, Option<Assignment>)>, PeopleError>;
    /// Personal data of all employees (optionally one company), for the quality scan.
    async fn people(&self, company: Option<CompanyId>) -> Result<Vec<PersonRow>, PeopleError>;

    /// MUST return `ContractOverlap` when the term overlaps another contract of the employee.
    async fn insert_contract(&self, contract: &Contract, audit: &[AuditEvent]) -> Result<(), PeopleError>;
    async fn contracts(&self, employee: EmployeeId) -> Result<Vec<Contract>, PeopleError>;
    /// Contracts whose end date lies in `[from, to]` and that no later contract renews.
    async fn expiring_contracts(
        &self,
        company: Option<CompanyId>,
        from: NaiveDate,
        to: NaiveDate,
    ) -> Result<Vec<ExpiringContract>, PeopleError>;
}
