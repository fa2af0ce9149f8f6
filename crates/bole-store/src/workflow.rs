//! Storage of approval definitions, instances, tasks, history, delegations and notifications
//! (bole_workflow), and the in-transaction writer document stores call.

use crate::db::Tx;
use bole_workflow::{Transition, WorkflowError};

/// Write a planned transition inside a document store's transaction (optimistic check on the
/// instance version; `Conflict` when it moved). Document stores call this, then write their effects.
#[allow(dead_code, clippy::unused_async)]
pub(crate) async fn write_transition(_tx: &mut Tx, _t: &Transition) -> Result<(), WorkflowError> {
    // Placeholder until the workflow store lands (issue 5, same session).
    Ok(())
}
