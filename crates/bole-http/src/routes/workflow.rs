//! Approval endpoints: my inbox, instances with history, approve/reject/return/withdraw, delegations, flow definitions, unit heads, and the notification inbox.

use crate::state::AppState;
use utoipa_axum::router::OpenApiRouter;

pub(crate) fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
}
