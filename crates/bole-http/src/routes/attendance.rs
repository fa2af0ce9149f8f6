//! Attendance endpoints: calendars, shifts and schedules, punches (clock in/out, CSV import), attendance days, team calendar, monthly summaries, punch corrections.

use crate::state::AppState;
use utoipa_axum::router::OpenApiRouter;

pub(crate) fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
}
