//! The HTTP edge of Bole: axum routers (one module per domain under `routes`),
//! extractors whose rejections are envelopes, [`ApiError`], session
//! authentication, and the OpenAPI 3.1 document generated from the handlers.
//!
//! It owns no business rules: handlers parse input, take the [`Authenticated`]
//! actor, call a service and shape the response. Services authorise.
//!
//! - [`router`] is the whole app (API, docs, health) with its layers.
//! - [`openapi`] is the document, without a running server (`bole openapi`).

pub mod auth;
pub mod error;
pub mod extract;
pub mod layers;
pub mod limits;
pub mod routes;
pub mod state;

pub use auth::{Authenticated, SESSION_COOKIE};
pub use error::ApiError;
pub use state::{AppState, ReadyCheck, Services, ready_check};

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::http::{HeaderValue, header};
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::limit::RequestBodyLimitLayer;
use tower_http::set_header::SetResponseHeaderLayer;
use tower_http::trace::TraceLayer;
use utoipa::openapi::security::{ApiKey, ApiKeyValue, HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};
use utoipa_axum::router::OpenApiRouter;
use utoipa_swagger_ui::SwaggerUi;

/// Where the OpenAPI document is served.
pub const OPENAPI_PATH: &str = "/api/openapi.json";
/// Where the interactive docs (Swagger UI, embedded) are served.
pub const DOCS_PATH: &str = "/api/docs";

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Bole 伯乐 HR API",
        description = "伯乐人力资源平台 REST API。错误统一为 `{\"error\":{\"code\",\"message\",\"fields\"}}`，\
                       消息语言随 `Accept-Language`（默认 zh-CN）。\n\n\
                       The Bole HR platform REST API. Every error uses one envelope; messages follow \
                       `Accept-Language` (zh-CN by default, `en` for English). Conventions: docs/API-DESIGN.md."
    ),
    modifiers(&SecuritySchemes),
    security(("session_cookie" = []), ("bearer" = [])),
    tags(
        (name = "health", description = "存活与就绪检查 — liveness and readiness"),
        (name = "auth", description = "登录与会话 — sign-in and sessions"),
        (name = "org", description = "组织、岗位与编制 — companies, org units, positions, headcount quotas"),
        (name = "people", description = "员工档案、人事事件、劳动合同、花名册与数据标准 — employee records, lifecycle events, contracts, rosters, data standards"),
    ),
    components(schemas(bole_api_types::ErrorEnvelope, bole_api_types::ErrorBody))
)]
struct ApiDoc;

/// The two ways to present a session: the browser cookie and a bearer token.
struct SecuritySchemes;

impl Modify for SecuritySchemes {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "session_cookie",
            SecurityScheme::ApiKey(ApiKey::Cookie(ApiKeyValue::with_description(
                SESSION_COOKIE,
                "登录后浏览器自动携带的会话 Cookie — the session cookie set by login",
            ))),
        );
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .description(Some("登录返回的令牌 — the token returned by login"))
                    .build(),
            ),
        );
    }
}

/// Routes and spec in one: the document cannot drift from what is served, because both
/// come from the same `routes!` registrations. With `state`, the protected routes are
/// wrapped in the session check; without, this only builds the document.
fn api(state: Option<&AppState>) -> OpenApiRouter<AppState> {
    let mut protected = routes::protected();
    if let Some(state) = state {
        protected = protected.route_layer(axum::middleware::from_fn_with_state(state.clone(), auth::require_session));
    }
    let v1 = routes::public()
        .merge(protected)
        // Personnel data must not sit in shared or browser caches.
        .layer(SetResponseHeaderLayer::if_not_present(header::CACHE_CONTROL, HeaderValue::from_static("no-store")));
    OpenApiRouter::with_openapi(ApiDoc::openapi()).merge(routes::operational()).nest("/api/v1", v1)
}

/// The OpenAPI 3.1 document of the API, built without a server or database.
pub fn openapi() -> utoipa::openapi::OpenApi {
    let mut doc = api(None).into_openapi();
    doc.info.version = env!("CARGO_PKG_VERSION").to_string();
    doc
}

/// The complete application: `/api/v1`, `/api/openapi.json`, `/api/docs`, `/healthz`, `/readyz`.
pub fn router(state: AppState) -> Router {
    let (api_router, mut doc) = api(Some(&state)).split_for_parts();
    doc.info.version = env!("CARGO_PKG_VERSION").to_string();
    let [nosniff, referrer, frame, csp] = layers::security_headers();
    // `Router::layer` wraps each route, so later layers run first: request id, the trace
    // span (which sees the matched route template), security headers, error rendering
    // (outside everything that can answer early: panics, the hard body cap), then limits.
    api_router
        .merge(SwaggerUi::new(DOCS_PATH).url(OPENAPI_PATH, doc))
        .fallback(|| async { ApiError::route_not_found() })
        .layer(DefaultBodyLimit::max(limits::BODY_LIMIT))
        .layer(RequestBodyLimitLayer::new(limits::LARGE_BODY_LIMIT))
        .layer(CatchPanicLayer::custom(layers::panic_response))
        .layer(axum::middleware::from_fn(error::render_errors))
        .layer(SetResponseHeaderLayer::if_not_present(nosniff.0, nosniff.1))
        .layer(SetResponseHeaderLayer::if_not_present(referrer.0, referrer.1))
        .layer(SetResponseHeaderLayer::if_not_present(frame.0, frame.1))
        .layer(SetResponseHeaderLayer::if_not_present(csp.0, csp.1))
        .layer(
            TraceLayer::new_for_http()
                .make_span_with(layers::make_span)
                .on_request(())
                .on_response(layers::on_response)
                .on_failure(()),
        )
        .layer(axum::middleware::from_fn(layers::request_id))
        .with_state(state)
}
