//! The approval engine's document handlers for `leave`, `overtime` and `punch_correction`: each
//! turns a planned transition into the document's status change and effects, and hands both to
//! the store to commit in ONE transaction. On approval a leave posts its usage, writes the
//! absence days and recomputes attendance, then the store checks the balance — a failure rolls the
//! approval back. A returned leave keeps its reservation (the applicant usually resubmits); a
//! rejected or withdrawn one releases it (reservations are the open applications themselves).

use super::approvals::Calendars;
use super::error::AbsenceError;
use super::model::*;
use super::rules;
use super::service::{DOC_LEAVE, DOC_OVERTIME, DOC_PUNCH_CORRECTION, comp_months, decision_of, transition_user};
use super::store::*;
use async_trait::async_trait;
use bole_core::clock::SharedClock;
use bole_core::{AuditEvent, Outcome, UserId};
use bole_workflow::{DocumentHandler, InstanceStatus, Transition, WorkflowError};
use chrono::Datelike;
use std::sync::Arc;

/// What every handler needs; cheap to clone.
#[derive(Clone)]
pub struct AbsenceHandlers {
    store: Arc<dyn AbsenceStore>,
    calendar: Arc<dyn Calendars>,
    clock: SharedClock,
}

impl std::fmt::Debug for AbsenceHandlers {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AbsenceHandlers").finish_non_exhaustive()
    }
}

impl AbsenceHandlers {
    pub fn new(store: Arc<dyn AbsenceStore>, calendar: Arc<dyn Calendars>, clock: SharedClock) -> Self {
        Self { store, calendar, clock }
    }

    /// `(doc_type, handler)` pairs to register on the workflow service.
    pub fn all(&self) -> Vec<(&'static str, Arc<dyn DocumentHandler>)> {
        vec![
            (DOC_LEAVE, Arc::new(LeaveHandler(self.clone())) as Arc<dyn DocumentHandler>),
            (DOC_OVERTIME, Arc::new(OvertimeHandler(self.clone())) as Arc<dyn DocumentHandler>),
            (DOC_PUNCH_CORRECTION, Arc::new(PunchCorrectionHandler(self.clone())) as Arc<dyn DocumentHandler>),
        ]
    }

    fn event(&self, t: &Transition, action: &str, subject_type: &str) -> AuditEvent {
        let actor = t.audit.first();
        AuditEvent {
            at: self.clock.now(),
            actor_id: actor.and_then(|a| a.actor_id),
            actor_name: actor.map(|a| a.actor_name.clone()).unwrap_or_else(|| "system".into()),
            ip: actor.and_then(|a| a.ip.clone()),
            user_agent: actor.and_then(|a| a.user_agent.clone()),
            action: action.into(),
            subject_type: subject_type.into(),
            subject_ids: vec![t.doc.doc_id.to_string()],
            fields: vec!["status".into()],
            outcome: Outcome::Success,
        }
    }
}

fn effect(e: AbsenceError) -> WorkflowError {
    e.into_workflow()
}

/// The effects of approving a leave application (usage posting, attendance rows).
pub(crate) async fn leave_approval(
    h: &AbsenceHandlers,
    app: &LeaveApplication,
    user: UserId,
) -> Result<LeaveApproval, AbsenceError> {
    let lt = h.store.leave_type(app.leave_type_id).await?;
    let calendar = h.calendar.calendar_for(app.company_id).await?;
    let days = rules::attendance_days(&app.span(), lt.counting, &calendar)?;
    Ok(LeaveApproval {
        usage: LedgerEntry {
            id: LedgerEntryId::new(),
            company_id: app.company_id,
            employee_id: app.employee_id,
            leave_type_id: app.leave_type_id,
            kind: LedgerKind::Usage,
            minutes: -app.duration_minutes,
            leave_year: app.start_date.year(),
            valid_from: app.start_date,
            expires_on: None,
            application_id: Some(app.id.0),
            source: "application".into(),
            reason: None,
            created_at: h.clock.now(),
            created_by: user,
        },
        days,
        leave_type_code: lt.code.clone(),
        paid: lt.paid,
        allow_negative: lt.allow_negative || !lt.balance_tracked,
        leave_type_name: lt.name_zh.clone(),
        today: h.clock.today(),
    })
}

/// The effects of approving overtime: the overtime row and, for time off, the 调休 credit.
pub(crate) async fn overtime_approval(
    h: &AbsenceHandlers,
    o: &OvertimeApplication,
    user: UserId,
) -> Result<OvertimeApproval, AbsenceError> {
    let credit = if o.compensation == Compensation::TimeOff {
        let comp = h
            .store
            .leave_types(o.company_id)
            .await?
            .into_iter()
            .find(|lt| lt.code == rules::COMP_TIME_CODE)
            .ok_or(AbsenceError::LeaveTypeNotFound)?;
        Some(LedgerEntry {
            id: LedgerEntryId::new(),
            company_id: o.company_id,
            employee_id: o.employee_id,
            leave_type_id: comp.id,
            kind: LedgerKind::CompCredit,
            minutes: o.minutes,
            leave_year: o.date.year(),
            valid_from: o.date,
            expires_on: rules::comp_credit_expiry(o.date, comp_months(&comp)),
            application_id: Some(o.id.0),
            source: "overtime".into(),
            reason: None,
            created_at: h.clock.now(),
            created_by: user,
        })
    } else {
        None
    };
    Ok(OvertimeApproval {
        employee_id: o.employee_id,
        day: o.date,
        minutes: o.minutes,
        kind: o.kind.clone(),
        compensation: o.compensation,
        credit,
        today: h.clock.today(),
    })
}

pub(crate) fn correction_punch(h: &AbsenceHandlers, p: &PunchCorrection) -> CorrectionPunch {
    CorrectionPunch {
        correction_id: p.id,
        at: h.clock.now(),
        employee_id: p.employee_id,
        day: p.date,
        time: p.time,
        direction: p.direction,
        today: h.clock.today(),
    }
}

#[derive(Clone, Debug)]
pub struct LeaveHandler(pub AbsenceHandlers);

#[async_trait]
impl DocumentHandler for LeaveHandler {
    async fn commit(&self, t: &Transition) -> Result<(), WorkflowError> {
        let h = &self.0;
        let id = LeaveApplicationId(t.doc.doc_id);
        let app = h.store.leave_application(id).await.map_err(effect)?;
        let (from, to) = decision_of(t.status);
        let approval = if t.status == InstanceStatus::Approved {
            Some(leave_approval(h, &app, transition_user(t)).await.map_err(effect)?)
        } else {
            None
        };
        let d = LeaveDecision {
            application_id: id,
            from,
            to,
            at: h.clock.now(),
            approval,
            audit: vec![h.event(t, &format!("leave.{}", to.as_str()), "leave_application")],
        };
        h.store.commit_leave_decision(t, &d).await
    }
}

#[derive(Clone, Debug)]
pub struct OvertimeHandler(pub AbsenceHandlers);

#[async_trait]
impl DocumentHandler for OvertimeHandler {
    async fn commit(&self, t: &Transition) -> Result<(), WorkflowError> {
        let h = &self.0;
        let id = OvertimeId(t.doc.doc_id);
        let o = h.store.overtime(id).await.map_err(effect)?;
        let (from, to) = decision_of(t.status);
        let approval = if t.status == InstanceStatus::Approved {
            Some(overtime_approval(h, &o, transition_user(t)).await.map_err(effect)?)
        } else {
            None
        };
        let d = OvertimeDecision {
            overtime_id: id,
            from,
            to,
            at: h.clock.now(),
            approval,
            audit: vec![h.event(t, &format!("overtime.{}", to.as_str()), "overtime_application")],
        };
        h.store.commit_overtime_decision(t, &d).await
    }
}

#[derive(Clone, Debug)]
pub struct PunchCorrectionHandler(pub AbsenceHandlers);

#[async_trait]
impl DocumentHandler for PunchCorrectionHandler {
    async fn commit(&self, t: &Transition) -> Result<(), WorkflowError> {
        let h = &self.0;
        let id = PunchCorrectionId(t.doc.doc_id);
        let p = h.store.punch_correction(id).await.map_err(effect)?;
        let (from, to) = decision_of(t.status);
        let punch = (t.status == InstanceStatus::Approved).then(|| correction_punch(h, &p));
        let d = PunchDecision {
            correction_id: id,
            from,
            to,
            at: h.clock.now(),
            punch,
            audit: vec![h.event(t, &format!("punch_correction.{}", to.as_str()), "punch_correction")],
        };
        h.store.commit_punch_decision(t, &d).await
    }
}
