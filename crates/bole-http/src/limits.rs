//! Request body limits. The API takes at most [`BODY_LIMIT`] (1 MiB) per body;
//! a route that needs more (roster import) opts in with [`large_body`]. Every
//! request is also hard-capped at [`LARGE_BODY_LIMIT`] before any handler runs,
//! so a body nobody reads cannot grow without bound either.

use axum::Extension;
use axum::extract::DefaultBodyLimit;
use utoipa_axum::router::OpenApiRouter;

/// Default limit for a request body: 1 MiB.
pub const BODY_LIMIT: usize = 1 << 20;
/// Limit for routes wrapped in [`large_body`], and the hard cap for every request: 32 MiB.
pub const LARGE_BODY_LIMIT: usize = 32 << 20;

/// The limit in force for a request, read by the `Json` extractor to word its 413.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct BodyLimit(pub usize);

/// Raise the body limit of every route in `router` to 32 MiB:
///
/// ```text
/// OpenApiRouter::new().merge(limits::large_body(OpenApiRouter::new().routes(routes!(import_roster))))
/// ```
pub fn large_body<S: Clone + Send + Sync + 'static>(router: OpenApiRouter<S>) -> OpenApiRouter<S> {
    // Layers added later run first; both only set request extensions, read by the extractors.
    router.layer(DefaultBodyLimit::max(LARGE_BODY_LIMIT)).layer(Extension(BodyLimit(LARGE_BODY_LIMIT)))
}
