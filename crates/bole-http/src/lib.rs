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
pub mod edge;
pub mod error;
pub mod extract;
pub mod layers;
pub mod limits;
pub mod policy;
pub mod ratelimit;
pub mod routes;
pub mod state;
pub mod subject;
pub mod web;

pub use auth::{Authenticated, CSRF_COOKIE, CSRF_HEADER, SESSION_COOKIE};
pub use edge::{HttpSettings, RateLimits, TrustedProxies};
pub use error::ApiError;
pub use state::{AppState, ReadyCheck, Services, ready_check};

use axum::Router;
use axum::http::{HeaderValue, header};
use std::sync::Arc;
use tower_http::catch_panic::CatchPanicLayer;
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
        (name = "accounts", description = "账号管理（系统管理员） — account administration (system administrator)"),
        (name = "roles", description = "角色与授权（安全保密管理员）：内置角色、自定义角色、数据范围 — roles and grants (security administrator): built-in and custom roles, data scopes"),
        (name = "org", description = "组织、岗位与编制 — companies, org units, positions, headcount quotas"),
        (name = "audit", description = "审计日志：查询、导出、审计链校验与签名检查点 — audit trail: search, export, chain verification, signed checkpoints"),
        (name = "people", description = "员工档案、人事事件、劳动合同、花名册与数据标准 — employee records, lifecycle events, contracts, rosters, data standards"),
        (name = "privacy", description = "个人信息保护：隐私政策、同意、权利请求、个人信息副本、对外提供与出境登记 — PIPL: privacy notices, consents, data-subject requests, personal-data copy, sharing and cross-border register"),
        (name = "payroll", description = "薪酬：薪资项目与结构、薪资档案、社保公积金、个税、薪资批次、工资条、导出 — payroll: pay components and structures, salaries, social insurance and housing fund, individual income tax, pay runs, payslips, exports"),
    ),
    components(schemas(bole_api_types::ErrorEnvelope, bole_api_types::ErrorBody, bole_audit::ExportFormat))
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
        // Layers added later run first: the session check, then the route policy.
        protected = protected
            .route_layer(axum::middleware::from_fn_with_state(state.clone(), policy::enforce))
            .route_layer(axum::middleware::from_fn_with_state(state.clone(), auth::require_session));
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

/// The complete application: `/api/v1`, `/api/openapi.json`, `/api/docs`, `/healthz`, `/readyz`,
/// and the web app at `/`.
pub fn router(state: AppState) -> Router {
    router_with(state, HttpSettings::default())
}

/// [`router`] with the edge settings: trusted proxies, TLS, cookie security, rate limits
/// and body limits.
pub fn router_with(state: AppState, http: HttpSettings) -> Router {
    let (api_router, mut doc) = api(Some(&state)).split_for_parts();
    doc.info.version = env!("CARGO_PKG_VERSION").to_string();
    // Every route must have a policy (the matrix test checks it in every build profile).
    debug_assert!(policy::uncovered(&doc).is_empty(), "routes without a policy: {:?}", policy::uncovered(&doc));
    let body_limits = limits::BodyLimits { json: http.json_body_bytes, import: http.import_body_bytes };
    let limiter = Arc::new(ratelimit::RateLimiter::new(http.rate_limits));
    let web_app = web::WebApp::new(http.web_dir.clone());
    let http = Arc::new(http);
    let app = api_router
        .merge(SwaggerUi::new(DOCS_PATH).url(OPENAPI_PATH, doc))
        .fallback(move |method, uri| web_app.clone().serve(method, uri));
    // `Router::layer` wraps each route, so later layers run first: request id, the trace
    // span (which sees the matched route template), the client's address and scheme,
    // security headers, error rendering (outside everything that can answer early:
    // panics, rate limits, the hard body cap), then limits.
    limits::apply(app, body_limits)
        .layer(axum::middleware::from_fn_with_state(limiter, ratelimit::rate_limit))
        .layer(CatchPanicLayer::custom(layers::panic_response))
        .layer(axum::middleware::from_fn(error::render_errors))
        .layer(axum::middleware::from_fn(layers::set_security_headers))
        .layer(axum::middleware::from_fn_with_state(http, edge::client_meta))
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
