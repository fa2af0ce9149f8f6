//! Leave and overtime endpoints: leave types, balances and ledger, applications with live quotes, cancel and amend, overtime applications.

use crate::state::AppState;
use utoipa_axum::router::OpenApiRouter;

pub(crate) fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
}
