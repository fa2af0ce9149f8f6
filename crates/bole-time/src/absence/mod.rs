//! Leave types, the leave ledger and balances, leave and overtime applications, punch corrections
//! (补卡), and their approval handlers.
//!
//! - `model`: the vocabulary (amounts in minutes, 480 per day) and the API's inputs and views;
//! - `rules`: pure rules (duration, overlap, FIFO balances and expiry, annual grant, defaults);
//! - `store`: the port, with what each write MUST check inside its transaction;
//! - `service`: the use cases, authorised by `TimeRead` / `TimeWrite` / `TimeAdmin` scopes;
//! - `handlers`: the workflow document handlers that commit decisions with their effects;
//! - `approvals`: the approval engine as the service uses it.

pub mod approvals;
pub mod error;
pub mod handlers;
pub mod model;
pub mod rules;
pub mod service;
pub mod store;

pub use approvals::{Approvals, Calendars, national_calendar};
pub use error::AbsenceError;
pub use handlers::{AbsenceHandlers, LeaveHandler, OvertimeHandler, PunchCorrectionHandler};
pub use model::*;
/// Amounts in the API (days, ratios, wages) are decimals; re-exported for the HTTP layer.
pub use rust_decimal::Decimal;
pub use service::{AbsencePolicy, AbsenceService, DOC_LEAVE, DOC_OVERTIME, DOC_PUNCH_CORRECTION};
pub use store::*;

/// Register the leave, overtime and punch-correction handlers on `workflow` and build the service
/// over the result: the composition root's one call.
pub fn wire(
    store: std::sync::Arc<dyn AbsenceStore>,
    workflow: bole_workflow::WorkflowService,
    calendars: std::sync::Arc<dyn Calendars>,
    clock: bole_core::clock::SharedClock,
) -> (bole_workflow::WorkflowService, AbsenceService) {
    let handlers = AbsenceHandlers::new(store.clone(), calendars.clone(), clock.clone());
    let workflow = handlers.all().into_iter().fold(workflow, |w, (doc_type, h)| w.with_handler(doc_type, h));
    let service = AbsenceService::new(store, std::sync::Arc::new(workflow.clone()), calendars, clock);
    (workflow, service)
}
