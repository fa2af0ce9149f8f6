//! The contract between the workflow engine and the domains whose documents it approves.
//!
//! A domain submits a [`Submission`]; the engine plans a [`Transition`] (the new instance, its first
//! tasks, history and notifications) without writing anything. The domain's store writes the document
//! and the transition in ONE transaction. Every later decision (approve, reject, return, withdraw) is
//! again a planned [`Transition`] handed to the document type's [`DocumentHandler::commit`], which writes
//! it together with the document's effects (ledger postings, attendance recomputation…) atomically:
//! when an effect fails, the decision is rolled back with it.

use crate::error::WorkflowError;
use async_trait::async_trait;
use bole_core::{AuditEvent, EmployeeId, UserId};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// Which document an instance approves.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct DocumentRef {
    /// Document type code: `leave`, `overtime`, `punch_correction`, later `pay_run`…
    pub doc_type: String,
    pub doc_id: Uuid,
    /// The employee the document is about (approvers are resolved relative to them).
    pub subject: EmployeeId,
}

/// A request to start approval of a document.
#[derive(Clone, Debug)]
pub struct Submission {
    pub doc: DocumentRef,
    /// The account that submitted (usually the subject's own account).
    pub requester: UserId,
    /// Fields that flow conditions may test, e.g. `{"days": 3.5, "leave_type": "annual"}`.
    pub fields: serde_json::Value,
    /// A short summary for inboxes and notifications, free of personal data beyond the subject's
    /// name, e.g. "年假 3 天（2026-12-01 至 2026-12-03）".
    pub title: String,
}

/// Where an instance stands after a transition.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum InstanceStatus {
    /// Waiting for one or more approvers.
    Pending,
    /// Every step approved: the document's effects apply.
    Approved,
    /// An approver rejected: the document is closed without effects.
    Rejected,
    /// An approver sent it back to the requester for changes; resubmission restarts the flow.
    Returned,
    /// The requester withdrew it before a final decision.
    Withdrawn,
}

impl InstanceStatus {
    pub fn as_str(&self) -> &'static str {
        match self {
            InstanceStatus::Pending => "pending",
            InstanceStatus::Approved => "approved",
            InstanceStatus::Rejected => "rejected",
            InstanceStatus::Returned => "returned",
            InstanceStatus::Withdrawn => "withdrawn",
        }
    }

    /// True when the instance can no longer change.
    pub fn is_final(&self) -> bool {
        matches!(self, InstanceStatus::Approved | InstanceStatus::Rejected | InstanceStatus::Withdrawn)
    }
}

/// A planned change to one approval instance: everything the store must write, computed by the
/// engine without IO. The store writes it with an optimistic check on `expected_version` and MUST
/// return [`WorkflowError::Conflict`] when another decision got there first.
#[derive(Clone, Debug)]
pub struct Transition {
    pub instance_id: Uuid,
    pub doc: DocumentRef,
    /// The instance's version before this transition (`None` for a new instance).
    pub expected_version: Option<i64>,
    /// Status after the transition. Effects apply when it becomes `Approved`.
    pub status: InstanceStatus,
    /// Audit events describing the transition, appended in the same transaction.
    pub audit: Vec<AuditEvent>,
    /// The rows to write (instance, tasks, history, notifications), opaque to document domains.
    pub writes: crate::contract::TransitionWrites,
}

/// The rows a transition writes. Filled in by the engine; document domains pass it through.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct TransitionWrites {
    /// The instance row after the transition.
    pub instance: crate::model::InstanceRecord,
    /// Tasks to open.
    pub new_tasks: Vec<crate::model::TaskRecord>,
    /// Open tasks to close (the store refuses, as a conflict, to close one that is not open).
    pub closed_tasks: Vec<crate::model::TaskClose>,
    /// Append-only history entries.
    pub history: Vec<crate::model::HistoryRecord>,
    /// In-app notifications; each also gets outbox deliveries per `routing`.
    pub notifications: Vec<crate::model::NotificationDraft>,
    pub routing: crate::notify::NotifyRouting,
}

/// Implemented by each document type's domain (bole-time for leave, overtime and punch corrections).
#[async_trait]
pub trait DocumentHandler: Send + Sync {
    /// Write `transition` and, when it makes the instance `Approved` (or closes it otherwise), the
    /// document's own changes — in ONE transaction. An `Err` MUST leave nothing written, the
    /// transition included. Domain failures (e.g. insufficient balance) are returned as
    /// [`WorkflowError::Effect`].
    async fn commit(&self, transition: &Transition) -> Result<(), WorkflowError>;
}
