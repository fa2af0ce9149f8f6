//! Liveness and readiness probes for load balancers and orchestrators.

use crate::error::ApiError;
use crate::extract::Json;
use crate::state::AppState;
use axum::extract::State;
use axum::http::StatusCode;
use bole_api_types::{ErrorEnvelope, Health};
use bole_core::Msg;
use std::time::Duration;

/// A readiness check that takes longer than this counts as "not ready".
const READY_TIMEOUT: Duration = Duration::from_secs(3);

fn health(status: &str) -> Health {
    Health { status: status.to_string(), version: env!("CARGO_PKG_VERSION").to_string() }
}

/// 存活检查 — Liveness: the process is serving.
#[utoipa::path(
    get,
    path = "/healthz",
    tag = "health",
    security(()),
    responses((status = 200, description = "服务运行中 — serving", body = Health))
)]
pub async fn healthz() -> Json<Health> {
    Json(health("ok"))
}

/// 就绪检查 — Readiness: the database answers.
#[utoipa::path(
    get,
    path = "/readyz",
    tag = "health",
    security(()),
    responses(
        (status = 200, description = "可以接收请求 — ready for traffic", body = Health),
        (status = 503, description = "数据库不可用（`not_ready`） — the database does not answer", body = ErrorEnvelope),
    )
)]
pub async fn readyz(State(s): State<AppState>) -> Result<Json<Health>, ApiError> {
    match tokio::time::timeout(READY_TIMEOUT, (s.ready)()).await {
        Ok(true) => Ok(Json(health("ready"))),
        _ => {
            tracing::warn!("readiness check failed");
            Err(ApiError::new(
                StatusCode::SERVICE_UNAVAILABLE,
                "not_ready",
                Msg::new("服务暂不可用：数据库未就绪。", "Service unavailable: the database is not ready."),
            ))
        }
    }
}
