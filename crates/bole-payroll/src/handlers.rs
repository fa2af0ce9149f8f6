//! The pay-run approval handler: the workflow engine's decisions on a `pay_run` document commit
//! with the run's status change in one transaction — approved → `Locked` (approver and time
//! recorded, the run's adjustments become applied); rejected, returned or withdrawn → back to
//! `Computed` so the preparer can fix and resubmit; an intermediate step's approval leaves it
//! pending.
//!
//! The preparer never approves their own run. The engine already gives the submitter no task, but
//! the run's preparer may not be its submitter (a colleague submitted) and may hold the approving
//! role; so the check is repeated here, where every approval path — the pay-run endpoints and the
//! generic approvals inbox — has to pass.

use crate::error::PayrollError;
use crate::model::PayRunStatus;
use crate::store::{PayrollStore, RunDecision};
use async_trait::async_trait;
use bole_core::clock::SharedClock;
use bole_core::{AuditEvent, Outcome, UserId};
use bole_workflow::{DocumentHandler, InstanceStatus, Transition, WorkflowError};
use std::sync::Arc;

/// Commits `pay_run` decisions (register with `WorkflowService::with_handler(PAY_RUN_DOC, …)`).
#[derive(Clone)]
pub struct PayRunHandler {
    store: Arc<dyn PayrollStore>,
    clock: SharedClock,
}

impl std::fmt::Debug for PayRunHandler {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PayRunHandler").finish_non_exhaustive()
    }
}

/// The run's status after an instance transition.
pub fn status_after(status: InstanceStatus) -> PayRunStatus {
    match status {
        InstanceStatus::Approved => PayRunStatus::Locked,
        InstanceStatus::Pending => PayRunStatus::PendingApproval,
        InstanceStatus::Rejected | InstanceStatus::Returned | InstanceStatus::Withdrawn => PayRunStatus::Computed,
    }
}

/// The run an approval is about: `fields.run_id` (a resubmission after a rejection is a new
/// approval document), else the document id (the first round's document is the run itself).
pub fn run_of(t: &Transition) -> uuid::Uuid {
    t.writes
        .instance
        .fields
        .get("run_id")
        .and_then(|v| v.as_str())
        .and_then(|s| uuid::Uuid::parse_str(s).ok())
        .unwrap_or(t.doc.doc_id)
}

/// The account that made a transition (from its audit events).
fn transition_user(t: &Transition) -> Option<UserId> {
    t.audit.iter().find_map(|e| e.actor_id)
}

impl PayRunHandler {
    pub fn new(store: Arc<dyn PayrollStore>, clock: SharedClock) -> Self {
        Self { store, clock }
    }

    fn event(&self, t: &Transition, action: &str, outcome: Outcome) -> AuditEvent {
        let actor = t.audit.first();
        AuditEvent {
            at: self.clock.now(),
            actor_id: actor.and_then(|a| a.actor_id),
            actor_name: actor.map(|a| a.actor_name.clone()).unwrap_or_else(|| "system".into()),
            ip: actor.and_then(|a| a.ip.clone()),
            user_agent: actor.and_then(|a| a.user_agent.clone()),
            action: action.into(),
            subject_type: "pay_run".into(),
            subject_ids: vec![run_of(t).to_string()],
            fields: vec!["status".into()],
            outcome,
        }
    }
}

#[async_trait]
impl DocumentHandler for PayRunHandler {
    async fn commit(&self, t: &Transition) -> Result<(), WorkflowError> {
        let run = self.store.run(run_of(t)).await?;
        let user = transition_user(t);
        let approving = matches!(t.status, InstanceStatus::Approved | InstanceStatus::Pending);
        if approving && user == Some(run.preparer) {
            return Err(PayrollError::SelfApproval.into());
        }
        let to = status_after(t.status);
        let action = match t.status {
            InstanceStatus::Approved => "pay_run.lock",
            InstanceStatus::Pending => "pay_run.approve_step",
            InstanceStatus::Rejected => "pay_run.reject",
            InstanceStatus::Returned => "pay_run.return",
            InstanceStatus::Withdrawn => "pay_run.withdraw",
        };
        let d = RunDecision {
            run_id: run.id,
            from: PayRunStatus::PendingApproval,
            to,
            approved_by: if to == PayRunStatus::Locked { user } else { None },
            at: self.clock.now(),
            audit: vec![self.event(t, action, Outcome::Success)],
        };
        self.store.commit_run_decision(t, &d).await.map_err(Into::into)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decisions_map_to_run_statuses() {
        assert_eq!(status_after(InstanceStatus::Approved), PayRunStatus::Locked);
        assert_eq!(status_after(InstanceStatus::Pending), PayRunStatus::PendingApproval);
        for s in [InstanceStatus::Rejected, InstanceStatus::Returned, InstanceStatus::Withdrawn] {
            assert_eq!(status_after(s), PayRunStatus::Computed);
        }
    }
}
