//! The approval engine as the leave service sees it: plan a start or a resubmission (the service
//! writes the planned transition with its document in one transaction), withdraw (committed by the
//! engine through our document handler), and read an instance for the application's detail page.
//! `bole_workflow::WorkflowService` implements it; tests may plug in a scripted engine.
//! Also the [`Calendars`] port: the working calendar of a company (national data plus the
//! company's and region's layers, which attendance stores).

use crate::calendar::WorkCalendar;
use async_trait::async_trait;
use bole_core::{Actor, CompanyId};
use bole_workflow::{DocumentRef, Submission, Transition, WorkflowError};

#[async_trait]
pub trait Approvals: Send + Sync {
    /// Plan a new instance for `submission` (nothing written).
    async fn plan_start(&self, actor: &Actor, submission: Submission) -> Result<Transition, WorkflowError>;

    /// Plan a restart of the document's instance after it was returned or amended.
    async fn plan_resubmit(
        &self,
        actor: &Actor,
        doc: &DocumentRef,
        submission: Submission,
    ) -> Result<Transition, WorkflowError>;

    /// Withdraw the document's open instance; the engine commits it through the document handler.
    async fn withdraw(&self, actor: &Actor, doc: &DocumentRef) -> Result<(), WorkflowError>;

    /// The document's instance with its tasks and history, as the workflow API shows it.
    async fn instance_of(&self, actor: &Actor, doc: &DocumentRef) -> Result<Option<serde_json::Value>, WorkflowError>;
}

#[async_trait]
impl Approvals for bole_workflow::WorkflowService {
    async fn plan_start(&self, actor: &Actor, submission: Submission) -> Result<Transition, WorkflowError> {
        bole_workflow::WorkflowService::plan_start(self, actor, submission).await
    }

    async fn plan_resubmit(
        &self,
        actor: &Actor,
        doc: &DocumentRef,
        submission: Submission,
    ) -> Result<Transition, WorkflowError> {
        bole_workflow::WorkflowService::plan_resubmit(self, actor, doc, submission).await
    }

    async fn withdraw(&self, actor: &Actor, doc: &DocumentRef) -> Result<(), WorkflowError> {
        bole_workflow::WorkflowService::withdraw(self, actor, doc).await.map(|_| ())
    }

    async fn instance_of(&self, actor: &Actor, doc: &DocumentRef) -> Result<Option<serde_json::Value>, WorkflowError> {
        let view = bole_workflow::WorkflowService::instance_of(self, actor, doc).await?;
        view.map(|v| serde_json::to_value(v).map_err(|e| WorkflowError::Storage(format!("encode: {e}")))).transpose()
    }
}

/// The working calendar a company's leave is counted on.
#[async_trait]
pub trait Calendars: Send + Sync {
    async fn calendar_for(&self, company: CompanyId) -> Result<WorkCalendar, crate::error::TimeError>;
}

/// One calendar for every company (the national one, or a fixed layered one).
#[async_trait]
impl Calendars for WorkCalendar {
    async fn calendar_for(&self, _company: CompanyId) -> Result<WorkCalendar, crate::error::TimeError> {
        Ok(self.clone())
    }
}

/// The shipped national calendar as a [`Calendars`]. The data is embedded and tested, so a failure
/// means a broken build: it is logged and every date then answers "year not covered".
pub fn national_calendar() -> std::sync::Arc<dyn Calendars> {
    match WorkCalendar::national() {
        Ok(c) => std::sync::Arc::new(c),
        Err(e) => {
            tracing::error!(error = %e, "embedded national calendar does not load");
            std::sync::Arc::new(WorkCalendar::new(std::sync::Arc::new(crate::calendar::NationalCalendar::default())))
        }
    }
}
