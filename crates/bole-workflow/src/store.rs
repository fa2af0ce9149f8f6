//! The ports the workflow needs: [`WorkflowStore`] (definitions, instances, tasks, history,
//! delegations, unit heads, notifications and the outbox) and [`Directory`] (who manages whom,
//! who heads which unit, who holds which role over the subject's unit). `bole-store` implements
//! both on SQLite and PostgreSQL.

use crate::contract::Transition;
use crate::error::WorkflowError;
use crate::model::*;
use async_trait::async_trait;
use bole_core::{AuditEvent, CompanyId, EmployeeId, OrgUnitId, Page, PageRequest, UserId};
use chrono::{DateTime, NaiveDate, Utc};
use uuid::Uuid;

type R<T> = Result<T, WorkflowError>;

/// An active delegation to the inbox owner: the delegator's open tasks (of `doc_types`, or all).
#[derive(Clone, Debug, PartialEq)]
pub struct DelegatedFrom {
    pub delegator: UserId,
    pub doc_types: Option<Vec<String>>,
}

/// An open task whose reminder or escalation is due.
#[derive(Clone, Debug, PartialEq)]
pub struct DueTask {
    pub task_id: Uuid,
    pub instance_id: Uuid,
    pub doc_type: String,
    pub title: String,
    pub assignee: UserId,
    pub round: i32,
    pub step: i32,
}

/// A reminder to record: the history entry and notification of one due task.
#[derive(Clone, Debug, PartialEq)]
pub struct Reminder {
    pub task_id: Uuid,
    pub instance_id: Uuid,
    pub history: HistoryRecord,
    pub notification: NotificationDraft,
}

#[async_trait]
pub trait WorkflowStore: Send + Sync {
    // --- definitions
    /// The company's definition for a document type, if it has one.
    async fn definition_for(&self, company: CompanyId, doc_type: &str) -> R<Option<DefinitionRecord>>;
    async fn definition(&self, id: Uuid) -> R<Option<DefinitionRecord>>;
    /// One saved version of a definition (instances pin theirs).
    async fn definition_version(&self, id: Uuid, version: i32) -> R<Option<FlowDefinition>>;
    /// Every stored definition, optionally of one company, by company then doc type.
    async fn list_definitions(&self, company: Option<CompanyId>) -> R<Vec<DefinitionRecord>>;
    /// Insert version 1. MUST return `DefinitionExists` when the (company, doc type) has one and
    /// `Invalid` (field `company_id`) when the company does not exist.
    async fn create_definition(&self, d: &DefinitionRecord, events: &[AuditEvent]) -> R<()>;
    /// Store `d` as the next version. MUST return `NotFound` for an unknown id and `Conflict`
    /// when the current version is no longer `d.version - 1`.
    async fn update_definition(&self, d: &DefinitionRecord, events: &[AuditEvent]) -> R<()>;

    // --- instances
    /// The instance with the tasks of its current round.
    async fn instance_state(&self, id: Uuid) -> R<Option<InstanceState>>;
    async fn instance_state_of(&self, doc_type: &str, doc_id: Uuid) -> R<Option<InstanceState>>;
    /// The instance a task belongs to.
    async fn task_instance(&self, task_id: Uuid) -> R<Option<Uuid>>;
    /// Write a transition that has no document effects (escalations, and decisions of document
    /// types without a handler). MUST return `Conflict` when the instance version moved or a
    /// task to close is no longer open; nothing is written then.
    async fn commit(&self, t: &Transition) -> R<()>;
    /// The instance with every task (all rounds) and its history, with display names.
    async fn instance_view(&self, id: Uuid) -> R<Option<InstanceView>>;
    /// Accounts that took part: the requester, the subject's accounts, every assignee and every
    /// approver a delegate acted for.
    async fn participants(&self, id: Uuid) -> R<Vec<UserId>>;
    /// Open tasks of `user`, and of the delegators (for their doc types), newest first.
    async fn inbox(&self, user: UserId, delegated: &[DelegatedFrom], page: PageRequest) -> R<Page<InboxItem>>;
    /// Tasks `user` decided, newest decision first.
    async fn done(&self, user: UserId, page: PageRequest) -> R<Page<InboxItem>>;
    /// Instances `user` requested, newest first.
    async fn mine(&self, user: UserId, page: PageRequest) -> R<Page<InstanceSummary>>;

    // --- delegations
    /// Delegations given by `user` (ended ones included), newest first.
    async fn delegations_of(&self, user: UserId) -> R<Vec<Delegation>>;
    /// Delegations given by `delegators` that are not ended and include `on`.
    async fn active_delegations_from(&self, delegators: &[UserId], on: NaiveDate) -> R<Vec<Delegation>>;
    /// Delegations to `delegate` that are not ended and include `on`.
    async fn active_delegations_to(&self, delegate: UserId, on: NaiveDate) -> R<Vec<Delegation>>;
    /// MUST return `Invalid` (field `delegate_id`) when the delegate account does not exist.
    async fn create_delegation(&self, d: &Delegation, events: &[AuditEvent]) -> R<()>;
    /// End a delegation of `delegator`. MUST return `NotFound` when it is not theirs or already ended.
    async fn end_delegation(&self, id: Uuid, delegator: UserId, at: DateTime<Utc>, events: &[AuditEvent]) -> R<()>;

    // --- unit heads
    async fn unit_heads(&self, unit: OrgUnitId) -> R<Vec<UnitHead>>;
    /// From `from` on, `head` heads the unit (None: nobody): closes the period covering `from`
    /// and opens the next. MUST return `NotFound` for an unknown unit, `Invalid` (field
    /// `employee_id`) for an unknown employee, and `Invalid` (field `valid_from`) when a later
    /// period already starts after `from` (change the later one first).
    async fn set_unit_head(
        &self,
        unit: OrgUnitId,
        head: Option<EmployeeId>,
        from: NaiveDate,
        events: &[AuditEvent],
    ) -> R<()>;

    // --- timers
    /// Open tasks whose reminder is due and not yet sent.
    async fn due_reminders(&self, now: DateTime<Utc>, limit: u32) -> R<Vec<DueTask>>;
    /// Open tasks whose escalation is due and not yet done.
    async fn due_escalations(&self, now: DateTime<Utc>, limit: u32) -> R<Vec<DueTask>>;
    /// Mark each task reminded (only if it still is open and was not reminded) and write its
    /// history and notification; returns how many were recorded. Idempotent.
    async fn record_reminders(
        &self,
        reminders: &[Reminder],
        routing: &crate::notify::NotifyRouting,
        at: DateTime<Utc>,
    ) -> R<u32>;
    /// Mark an escalation as attempted without a target (recorded once, not retried).
    async fn mark_escalation_unresolved(&self, task_id: Uuid, history: &HistoryRecord, instance_id: Uuid) -> R<bool>;

    // --- notifications
    /// Unread first, newest first.
    async fn notifications(&self, user: UserId, page: PageRequest) -> R<Page<Notification>>;
    async fn unread_count(&self, user: UserId) -> R<u64>;
    /// MUST return `NotFound` when the notification is not the user's.
    async fn mark_read(&self, user: UserId, id: Uuid, at: DateTime<Utc>) -> R<()>;
    async fn mark_all_read(&self, user: UserId, at: DateTime<Utc>) -> R<u64>;
    /// Claim up to `limit` due pending deliveries: each gets one more attempt counted and its
    /// next attempt moved to `lease_until`, so a crashed sender's claims come due again.
    /// Concurrent claimers never get the same row.
    async fn claim_deliveries(
        &self,
        now: DateTime<Utc>,
        lease_until: DateTime<Utc>,
        limit: u32,
    ) -> R<Vec<ClaimedDelivery>>;
    async fn finish_deliveries(&self, outcomes: &[DeliveryOutcome], now: DateTime<Utc>) -> R<()>;
}

/// What approver resolution must look up for one subject.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Needs {
    /// How far up the manager chain to read.
    pub manager_levels: u32,
    /// Units named by rules (their heads are read besides the chain's).
    pub units: Vec<OrgUnitId>,
    /// Roles whose holders covering the subject's unit are wanted.
    pub roles: Vec<String>,
    /// Accounts named by rules (checked to exist and be enabled).
    pub users: Vec<UserId>,
}

/// The organisation as approver resolution sees it.
#[async_trait]
pub trait Directory: Send + Sync {
    /// Facts about `subject` as of `on`: company, unit chain, manager chain (up to
    /// `needs.manager_levels`), heads of the chain's and the named units, enabled accounts of
    /// every employee found, role holders covering the subject's unit, known named accounts.
    /// MUST return `SubjectUnknown` when the subject has no assignment on `on`.
    async fn subject_facts(&self, subject: EmployeeId, on: NaiveDate, needs: &Needs) -> R<SubjectFacts>;
    /// The employee record of an account, if it has one.
    async fn employee_of(&self, user: UserId) -> R<Option<EmployeeId>>;
    /// The company that employs `employee`. MUST return `SubjectUnknown` for an unknown employee.
    async fn company_of(&self, employee: EmployeeId) -> R<CompanyId>;
    /// The enabled accounts of an employee.
    async fn accounts_of(&self, employee: EmployeeId) -> R<Vec<UserId>>;
}
