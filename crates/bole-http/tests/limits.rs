//! Building blocks a route module uses: opting into the import body limit (32 MiB
//! by default, configurable), and a panicking handler still answering with a 500 envelope.
#![expect(clippy::unwrap_used, reason = "test helpers: a surprise should fail the test loudly")]

use axum::Router;
use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use bole_http::extract::Json;
use bole_http::{error, layers, limits};
use http_body_util::BodyExt;
use serde_json::Value;
use tower::ServiceExt;
use tower_http::catch_panic::CatchPanicLayer;
use utoipa_axum::router::OpenApiRouter;

async fn echo_len(Json(v): Json<Value>) -> Json<usize> {
    Json(v.as_str().map_or(0, str::len))
}

async fn send(app: &Router, uri: &str, body: String) -> (StatusCode, Value) {
    let req = Request::post(uri).header(header::CONTENT_TYPE, "application/json").body(Body::from(body)).unwrap();
    let res = app.clone().oneshot(req).await.unwrap();
    let status = res.status();
    let bytes = res.into_body().collect().await.unwrap().to_bytes();
    (status, serde_json::from_slice(&bytes).unwrap_or(Value::Null))
}

#[tokio::test]
async fn a_route_can_opt_into_the_large_body_limit() {
    let import = OpenApiRouter::<()>::new().route("/import", axum::routing::post(echo_len));
    let normal = OpenApiRouter::<()>::new().route("/normal", axum::routing::post(echo_len));
    let (app, _) = OpenApiRouter::new().merge(limits::large_body(import)).merge(normal).split_for_parts();
    let app = limits::apply(app, limits::BodyLimits::default());
    let two_mib = serde_json::to_string(&"x".repeat(2 << 20)).unwrap();

    let (status, body) = send(&app, "/import", two_mib.clone()).await;
    assert_eq!((status, body), (StatusCode::OK, Value::from(2 << 20)));

    let (status, body) = send(&app, "/normal", two_mib).await;
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE);
    assert_eq!(body["error"]["message"], "请求体超过 1 MiB 上限");

    let over = serde_json::to_string(&"x".repeat((32 << 20) + 1)).unwrap();
    let (status, body) = send(&app, "/import", over).await;
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE);
    assert_eq!(body["error"]["message"], "请求体超过 32 MiB 上限");
}

#[tokio::test]
async fn limits_come_from_the_settings() {
    let import = OpenApiRouter::<()>::new().route("/import", axum::routing::post(echo_len));
    let normal = OpenApiRouter::<()>::new().route("/normal", axum::routing::post(echo_len));
    let (app, _) = OpenApiRouter::new().merge(limits::large_body(import)).merge(normal).split_for_parts();
    let app = limits::apply(app, limits::BodyLimits { json: 1 << 20, import: 2 << 20 });
    let body = |n: usize| serde_json::to_string(&"x".repeat(n)).unwrap();

    let (status, _) = send(&app, "/import", body((1 << 20) + 10)).await;
    assert_eq!(status, StatusCode::OK, "over the JSON limit but within the import limit");
    let (status, body_) = send(&app, "/import", body((2 << 20) + 10)).await;
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE);
    assert_eq!(body_["error"]["message"], "请求体超过 2 MiB 上限");
    let (status, body_) = send(&app, "/normal", body((1 << 20) + 10)).await;
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE);
    assert_eq!(body_["error"]["message"], "请求体超过 1 MiB 上限");
}

#[tokio::test]
async fn a_panicking_handler_answers_500_with_the_envelope() {
    async fn boom() -> &'static str {
        panic!("handler bug")
    }
    let app: Router = Router::new()
        .route("/boom", axum::routing::get(boom))
        .layer(CatchPanicLayer::custom(layers::panic_response))
        .layer(axum::middleware::from_fn(error::render_errors));
    let req = Request::get("/boom").header(error::REQUEST_ID, "req-42").body(Body::empty()).unwrap();
    let res = app.oneshot(req).await.unwrap();
    assert_eq!(res.status(), StatusCode::INTERNAL_SERVER_ERROR);
    let body: Value = serde_json::from_slice(&res.into_body().collect().await.unwrap().to_bytes()).unwrap();
    assert_eq!(body["error"]["code"], "internal");
    let message = body["error"]["message"].as_str().unwrap();
    assert!(message.ends_with("请求编号：req-42") && !message.contains("handler bug"), "{message}");
}
