//! The privacy ports: [`PrivacyStore`] (implemented once in bole-store for both engines)
//! and [`SubjectData`] (what the other domains hold about a person, implemented by the
//! composition root over the people and account services, so this crate depends on
//! neither).
//!
//! Every write method takes the audit events of the change and MUST append them in the
//! same transaction as the change: a consent or request state that changed without its
//! audit record, or the reverse, is not possible.

use crate::error::PrivacyError;
use crate::model::*;
use async_trait::async_trait;
use bole_core::{Actor, AuditEvent, CompanyId, EmployeeId, Page, PageRequest};
use chrono::NaiveDate;

/// The rows of requests an HR handler may see, from the scope of their `PrivacyAdmin` grant.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum RequestScope {
    All,
    /// Requests of employees of these companies (may be empty: nothing).
    Companies(Vec<CompanyId>),
}

impl RequestScope {
    pub fn covers(&self, company: CompanyId) -> bool {
        match self {
            RequestScope::All => true,
            RequestScope::Companies(c) => c.contains(&company),
        }
    }
}

#[async_trait]
pub trait PrivacyStore: Send + Sync {
    // ---- notices
    /// Stores `notice` as the next version (highest + 1, starting at 1, the `version`
    /// field of the argument is ignored) and returns it as stored. MUST return
    /// `NoticeVersionConflict` (nothing written) when a concurrent publish took the number.
    async fn publish_notice(&self, notice: &PrivacyNotice, audit: &[AuditEvent])
    -> Result<PrivacyNotice, PrivacyError>;
    /// The highest version, if any was published.
    async fn current_notice(&self) -> Result<Option<PrivacyNotice>, PrivacyError>;
    /// MUST return `NoticeNotFound` for an unknown version.
    async fn notice(&self, version: i32) -> Result<PrivacyNotice, PrivacyError>;
    /// Every version, newest first, with its acknowledgement count.
    async fn notices(&self) -> Result<Vec<NoticeSummary>, PrivacyError>;

    // ---- acknowledgements
    /// Records the acknowledgement and its audit events. MUST write nothing (audit
    /// included) and return `false` when the employee already acknowledged that notice.
    async fn acknowledge(&self, ack: &Acknowledgement, audit: &[AuditEvent]) -> Result<bool, PrivacyError>;
    /// The employee's acknowledgements, oldest first.
    async fn acknowledgements(&self, employee: EmployeeId) -> Result<Vec<Acknowledgement>, PrivacyError>;

    // ---- consents
    /// Appends a consent record as the `(earlier + 1)`-th record of its (employee, purpose).
    /// MUST return `ConsentChanged` (nothing written) when that position is taken — someone
    /// else decided since the caller read the history.
    async fn append_consent(
        &self,
        record: &ConsentRecord,
        earlier: u32,
        audit: &[AuditEvent],
    ) -> Result<(), PrivacyError>;
    /// The employee's consent history in recording order.
    async fn consents(&self, employee: EmployeeId) -> Result<Vec<ConsentRecord>, PrivacyError>;

    // ---- requests
    /// Writes a new request with its transitions and, for a withdrawal of consent, the
    /// consent record (same position rule and error as [`PrivacyStore::append_consent`]).
    async fn insert_request(
        &self,
        request: &DataSubjectRequest,
        transitions: &[RequestTransition],
        consent: Option<(&ConsentRecord, u32)>,
        audit: &[AuditEvent],
    ) -> Result<(), PrivacyError>;
    /// MUST return `RequestNotFound` for an unknown id.
    async fn request(&self, id: RequestId) -> Result<DataSubjectRequest, PrivacyError>;
    /// The request's status changes, oldest first.
    async fn transitions(&self, id: RequestId) -> Result<Vec<RequestTransition>, PrivacyError>;
    /// The employee's requests, newest first.
    async fn requests_of(&self, employee: EmployeeId) -> Result<Vec<DataSubjectRequest>, PrivacyError>;
    /// One page of requests in scope matching the query: open ones first, each group by due
    /// date, ties by id. `total` counts only requests in scope.
    async fn list_requests(
        &self,
        query: &RequestQuery,
        scope: &RequestScope,
        page: PageRequest,
    ) -> Result<Page<DataSubjectRequest>, PrivacyError>;
    /// Saves the request's new status, resolution and handler if its stored status is still
    /// `expected`, with the transition and audit. MUST return `RequestChanged` (nothing
    /// written) when the status moved meanwhile, `RequestNotFound` for an unknown id.
    async fn update_request(
        &self,
        request: &DataSubjectRequest,
        expected: RequestStatus,
        transition: &RequestTransition,
        audit: &[AuditEvent],
    ) -> Result<(), PrivacyError>;

    // ---- sharing register
    async fn insert_sharing(&self, entry: &SharingEntry, audit: &[AuditEvent]) -> Result<(), PrivacyError>;
    /// MUST return `SharingEntryNotFound` for an unknown id.
    async fn update_sharing(&self, entry: &SharingEntry, audit: &[AuditEvent]) -> Result<(), PrivacyError>;
    /// MUST return `SharingEntryNotFound` for an unknown id.
    async fn delete_sharing(&self, id: SharingEntryId, audit: &[AuditEvent]) -> Result<(), PrivacyError>;
    /// MUST return `SharingEntryNotFound` for an unknown id.
    async fn sharing_entry(&self, id: SharingEntryId) -> Result<SharingEntry, PrivacyError>;
    /// Entries matching the query, by start date then id.
    async fn sharing_entries(&self, query: &SharingQuery) -> Result<Vec<SharingEntry>, PrivacyError>;
}

/// What the rest of Bole holds about one person. Implemented by the composition root over
/// the people service (record, events, contracts) and the account service (sessions).
#[async_trait]
pub trait SubjectData: Send + Sync {
    /// Everything held about `employee`, as a JSON object of sections (`record`, `events`,
    /// `contracts`, `sessions`…), each an object or an array of objects. `actor` is the data
    /// subject: the privacy service has checked `actor.employee_id == Some(employee)`.
    /// MUST return `EmployeeNotFound` for an unknown employee.
    async fn personal_data(&self, actor: &Actor, employee: EmployeeId) -> Result<serde_json::Value, PrivacyError>;
    /// The employment facts on `on` that legal retention depends on.
    /// MUST return `EmployeeNotFound` for an unknown employee.
    async fn employment(&self, employee: EmployeeId, on: NaiveDate) -> Result<EmploymentFacts, PrivacyError>;
}
