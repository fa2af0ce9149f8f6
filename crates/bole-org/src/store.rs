//! The organisation store port. One adapter (bole-store) implements it on
//! SQLite and PostgreSQL; the conformance suite holds both to this contract.

use crate::error::OrgError;
use crate::model::*;
use async_trait::async_trait;
use bole_core::{AuditEvent, CompanyId, OrgUnitId, PositionId};
use chrono::NaiveDate;
use std::collections::HashMap;

#[async_trait]
pub trait OrgStore: Send + Sync {
    /// MUST return `DuplicateCode` when another company has the code.
    async fn insert_company(&self, company: &Company, audit: &[AuditEvent]) -> Result<(), OrgError>;
    async fn companies(&self) -> Result<Vec<Company>, OrgError>;
    /// MUST return `CompanyNotFound` for an unknown id.
    async fn company(&self, id: CompanyId) -> Result<Company, OrgError>;

    /// Creates the unit, its first version and its `create` change record in one
    /// transaction. MUST return `DuplicateCode` when the company already uses the code.
    async fn insert_unit(
        &self,
        unit: &OrgUnitView,
        record: &OrgChangeRecord,
        audit: &[AuditEvent],
    ) -> Result<(), OrgError>;
    /// Units in force on `as_of`, optionally of one company.
    async fn units_as_of(&self, company: Option<CompanyId>, as_of: NaiveDate) -> Result<Vec<OrgUnitView>, OrgError>;
    /// Every version of one unit, oldest first. MUST return `UnitNotFound` for an unknown id.
    async fn unit_versions(&self, id: OrgUnitId) -> Result<Vec<OrgUnitView>, OrgError>;
    /// Every version of every unit of a company (bulk validation without N+1).
    async fn unit_versions_of_company(&self, company: CompanyId) -> Result<Vec<OrgUnitView>, OrgError>;
    /// Every position of a company, whatever its validity.
    async fn positions_of_company(&self, company: CompanyId) -> Result<Vec<Position>, OrgError>;
    /// Resolve a unit code within a company (for imports).
    async fn unit_by_code(&self, company: CompanyId, code: &str) -> Result<Option<OrgUnitId>, OrgError>;
    /// Applies structural changes in one transaction: for each write, the version
    /// in force on `from` is closed at `from` and `next` (if any) opens there.
    /// MUST return `LaterChangeExists` when a version of that unit starts on or after
    /// `from`, and `UnitNotInForce` when no version covers `from`; nothing is written then.
    async fn apply_unit_changes(
        &self,
        writes: &[UnitVersionWrite],
        records: &[OrgChangeRecord],
        audit: &[AuditEvent],
    ) -> Result<(), OrgError>;
    async fn unit_changes(&self, id: OrgUnitId) -> Result<Vec<OrgChangeRecord>, OrgError>;
    /// Of `units`, those with at least one employed person assigned on or after `from`.
    async fn staffed_units(&self, units: &[OrgUnitId], from: NaiveDate) -> Result<Vec<OrgUnitId>, OrgError>;
    /// Employed people per unit on `as_of` (units with nobody are absent).
    async fn headcount_as_of(
        &self,
        company: Option<CompanyId>,
        as_of: NaiveDate,
    ) -> Result<HashMap<OrgUnitId, i64>, OrgError>;

    /// MUST return `DuplicateCode` when the company already uses the code.
    async fn insert_position(&self, position: &Position, audit: &[AuditEvent]) -> Result<(), OrgError>;
    /// MUST return `PositionNotFound` for an unknown id.
    async fn position(&self, id: PositionId) -> Result<Position, OrgError>;
    /// Positions in force on `as_of` in the given units (all units when `units` is None).
    async fn positions_as_of(
        &self,
        company: Option<CompanyId>,
        units: Option<&[OrgUnitId]>,
        as_of: NaiveDate,
    ) -> Result<Vec<Position>, OrgError>;
    async fn position_by_code(&self, company: CompanyId, code: &str) -> Result<Option<PositionId>, OrgError>;

    /// MUST return `QuotaOverlap` when a quota of the same unit and category overlaps in time.
    async fn insert_quota(&self, quota: &HeadcountQuota, audit: &[AuditEvent]) -> Result<(), OrgError>;
    /// Quotas in force on `as_of` for the units, each with its occupancy on that date.
    async fn quota_usage(&self, units: Option<&[OrgUnitId]>, as_of: NaiveDate) -> Result<Vec<QuotaUsage>, OrgError>;
}
