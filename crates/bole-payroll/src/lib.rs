//! Payroll (薪酬): pay components and structures whose formulas run in a sandboxed expression
//! engine, effective-dated salary assignments (sealed at rest, masked in views), social insurance
//! and housing fund policies per city, China's individual income tax (cumulative withholding for
//! wages, the annual one-off bonus, labour remuneration), pay runs (compute → review → approve
//! through the workflow engine → lock → publish), payslips and the bank / tax / SI exports.
//!
//! Pure rules (`iit`, `si`, `formula`, `compute`) hold no IO and no clock; the service authorises,
//! gathers inputs in bulk through the store port and the attendance service, and hands a whole
//! run to one store transaction so a crash can never leave half a run behind.
//!
//! Money is `rust_decimal::Decimal` in yuan with two decimals (see [`money`]); never a float.

pub mod compute;
pub mod defaults;
pub mod error;
pub mod export;
pub mod formula;
pub mod handlers;
pub mod iit;
pub mod model;
pub mod money;
pub mod service;
pub mod si;
pub mod store;

pub use error::PayrollError;
pub use handlers::PayRunHandler;
pub use model::*;
pub use service::{
    PayRunReview, PayrollPorts, PayrollService, SiPreview, SiPreviewRequest, SubmitRun, TaxProfileInput,
};
pub use store::PayrollStore;

/// The workflow document type of a pay run's approval.
pub const PAY_RUN_DOC: &str = "pay_run";

/// Register the pay-run approval handler on `workflow` and build the service over the result: the
/// composition root's one call. Returns the workflow with the handler (the one every approval
/// endpoint must use) and the service.
pub fn wire(
    ports: PayrollPorts,
    workflow: bole_workflow::WorkflowService,
) -> (bole_workflow::WorkflowService, PayrollService) {
    let handler = PayRunHandler::new(ports.store.clone(), ports.clock.clone());
    let workflow = workflow.with_handler(PAY_RUN_DOC, std::sync::Arc::new(handler));
    let service = PayrollService::new(ports, workflow.clone());
    (workflow, service)
}
