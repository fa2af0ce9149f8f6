//! Request body limits, from the settings (`[limits] json_body_bytes`,
//! `import_body_bytes`; 1 MiB and 32 MiB by default). A body may be at most the
//! JSON limit; a route that needs more (roster import) opts in with
//! [`large_body`] and gets the import limit. Every request is also hard-capped at
//! the import limit before any handler runs, so a body nobody reads cannot grow
//! without bound either. [`apply`] installs both on a router.

use axum::Extension;
use axum::extract::DefaultBodyLimit;
use tower_http::limit::RequestBodyLimitLayer;
use utoipa_axum::router::OpenApiRouter;

/// Default limit for a request body: 1 MiB.
pub const BODY_LIMIT: usize = 1 << 20;
/// Default limit for routes wrapped in [`large_body`], and the hard cap for every request: 32 MiB.
pub const LARGE_BODY_LIMIT: usize = 32 << 20;

/// The limits in force, in the request extensions (so the `Json` extractor can word its 413).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct BodyLimits {
    pub json: usize,
    pub import: usize,
}

impl Default for BodyLimits {
    fn default() -> Self {
        Self { json: BODY_LIMIT, import: LARGE_BODY_LIMIT }
    }
}

/// Marks a request routed to a [`large_body`] route.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct LargeBody;

/// The limit that applies to a request with these extensions.
pub fn limit_for(extensions: &axum::http::Extensions) -> usize {
    let limits = extensions.get::<BodyLimits>().copied().unwrap_or_default();
    if extensions.get::<LargeBody>().is_some() { limits.import } else { limits.json }
}

/// Raise the body limit of every route in `router` to the import limit:
///
/// ```text
/// OpenApiRouter::new().merge(limits::large_body(OpenApiRouter::new().routes(routes!(import_roster))))
/// ```
///
/// The route's own limit is lifted; the hard cap that [`apply`] puts on every request
/// (the import limit) is what bounds it.
pub fn large_body<S: Clone + Send + Sync + 'static>(router: OpenApiRouter<S>) -> OpenApiRouter<S> {
    // Layers added later run first; both only set request extensions, read by the extractors.
    router.layer(DefaultBodyLimit::disable()).layer(Extension(LargeBody))
}

/// Install the limits on a whole router: the JSON limit by default, the import limit as
/// the hard cap of every request (and the limit of [`large_body`] routes).
pub fn apply<S: Clone + Send + Sync + 'static>(router: axum::Router<S>, limits: BodyLimits) -> axum::Router<S> {
    router
        .layer(DefaultBodyLimit::max(limits.json))
        .layer(RequestBodyLimitLayer::new(limits.import))
        .layer(Extension(limits))
}
