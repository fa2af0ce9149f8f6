//! Approval workflows and notifications. Owns: flow definitions (data, per document type), the pure
//! engine that moves an instance from step to step, approver resolution through the [`Directory`]
//! port, the approver inbox, delegation, reminders and escalation, and the notification inbox and
//! outbox. Does not own the documents being approved (leave, overtime, pay runs…): their domains
//! implement [`DocumentHandler`] so that a final decision and the document's effects commit in one
//! transaction.

pub mod contract;
pub mod defaults;
pub mod engine;
pub mod error;
pub mod model;
pub mod notify;
pub mod service;
pub mod store;

pub use contract::{DocumentHandler, DocumentRef, InstanceStatus, Submission, Transition, TransitionWrites};
pub use engine::{Decision, DecisionAction};
pub use error::WorkflowError;
pub use model::*;
pub use notify::NotifyRouting;
pub use service::WorkflowService;
pub use store::{Directory, WorkflowStore};
