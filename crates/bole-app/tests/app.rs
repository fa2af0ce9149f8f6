//! The composition root on both engines: `App::build` connects, migrates and
//! wires every service over one store; the router answers health and
//! readiness (readiness follows the database); `serve_on` stops on its signal.
//! PostgreSQL uses a fresh database on `BOLE_TEST_PG_URL` (the local server by
//! default) and fails, never skips, when none answers.
#![expect(
    clippy::unwrap_used,
    reason = "helpers outside #[test] fns panic on setup failure, like the tests themselves"
)]

use axum::body::Body;
use axum::http::{Request, StatusCode};
use bole_app::{App, SecretUrl, Settings};
use bole_core::FixedClock;
use bole_core::clock::SharedClock;
use bole_store::{Db, Engine};
use std::sync::Arc;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tower::ServiceExt;

fn clock() -> SharedClock {
    Arc::new(FixedClock::on(bole_testkit::d("2026-03-02")))
}

async fn status(app: &App, path: &str) -> StatusCode {
    app.router().oneshot(Request::get(path).body(Body::empty()).unwrap()).await.unwrap().status()
}

/// What must hold on either engine.
async fn assemble_and_use(settings: Settings, engine: Engine) {
    let app = App::build(settings.clone(), clock()).await.unwrap();
    assert_eq!(app.db.engine(), engine);
    assert!(bole_app::migrate(&app.db).await.unwrap().is_empty(), "build already migrated");
    assert!(bole_app::ping(&app.db).await);
    assert_eq!(status(&app, "/healthz").await, StatusCode::OK);
    assert_eq!(status(&app, "/readyz").await, StatusCode::OK);

    // The services share the app's store and clock: an account made through one App is there for
    // the next, and the session lifetimes come from the settings.
    let user = app.services.accounts.bootstrap_admin("Admin", "Correct-Horse-42").await.unwrap();
    assert_eq!(user.created_at, app.services.clock.now());
    assert_eq!(app.services.accounts.absolute_lifetime(), chrono::TimeDelta::hours(2));
    app.db.close().await;

    let again = App::build(settings, clock()).await.unwrap();
    let meta = bole_core::RequestMeta::default();
    let session = again.services.accounts.login("admin", "Correct-Horse-42", &meta).await.unwrap().session().unwrap();
    assert_eq!(session.user.id, user.id);

    // Readiness follows the database: with the pool closed, /readyz says 503 while /healthz stays up.
    again.db.close().await;
    assert!(!bole_app::ping(&again.db).await);
    assert_eq!(status(&again, "/readyz").await, StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(status(&again, "/healthz").await, StatusCode::OK);
}

/// Defaults, but with key files (master key, audit signing key) in a scratch directory
/// instead of `./bole-data` inside the source tree.
fn base_settings() -> Settings {
    let mut s = Settings::default();
    s.session.absolute_hours = 2;
    s.data_dir = std::env::temp_dir().join(format!("bole-app-test-{}", std::process::id()));
    s
}

#[tokio::test]
async fn app_on_sqlite_creates_its_data_dir() {
    let dir = tempfile::tempdir().unwrap();
    let data_dir = dir.path().join("nested").join("data");
    let settings = Settings { data_dir: data_dir.clone(), ..base_settings() };
    assemble_and_use(settings, Engine::Sqlite).await;
    assert!(data_dir.join("bole.db").is_file());
}

#[tokio::test]
async fn app_on_an_explicit_sqlite_url_creates_the_parent_dir() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("elsewhere").join("hr.db");
    let settings =
        Settings { database_url: Some(SecretUrl::new(format!("sqlite://{}", file.display()))), ..base_settings() };
    assemble_and_use(settings, Engine::Sqlite).await;
    assert!(file.is_file());
}

#[tokio::test]
async fn app_on_postgres() {
    let admin_url = bole_testkit::pg_admin_url();
    let admin = Db::connect(&admin_url).await.unwrap_or_else(|e| {
        panic!("PostgreSQL is required for this test and did not answer at BOLE_TEST_PG_URL ({e}); run scripts/ensure-postgres.sh")
    });
    let Db::Postgres(pool) = &admin else { panic!("BOLE_TEST_PG_URL must be a postgres:// URL") };
    // Named like bole-testkit's databases, so its stale-database sweep cleans up after a crash.
    let name = format!("bole_t_{}_app", std::process::id());
    sqlx::query(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}"))).execute(pool).await.unwrap();

    let url = bole_testkit::pg_url_with_db(&admin_url, &name);
    let settings = Settings { database_url: Some(SecretUrl::new(url)), ..base_settings() };
    assert!(settings.database_label().starts_with("PostgreSQL postgres"));
    assemble_and_use(settings, Engine::Postgres).await;

    sqlx::query(sqlx::AssertSqlSafe(format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)")))
        .execute(pool)
        .await
        .unwrap();
    admin.close().await;
}

#[tokio::test]
async fn serve_on_answers_and_stops_on_its_signal() {
    let dir = tempfile::tempdir().unwrap();
    let settings = Settings { data_dir: dir.path().to_path_buf(), ..Settings::default() };
    let app = App::build(settings, clock()).await.unwrap();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let server = tokio::spawn(app.serve_on(listener, async {
        let _ = stopped.await;
    }));

    let mut stream = tokio::net::TcpStream::connect(addr).await.unwrap();
    stream.write_all(b"GET /healthz HTTP/1.1\r\nHost: bole\r\nConnection: close\r\n\r\n").await.unwrap();
    let mut response = String::new();
    stream.read_to_string(&mut response).await.unwrap();
    assert!(response.starts_with("HTTP/1.1 200"), "{response}");

    stop.send(()).unwrap();
    tokio::time::timeout(std::time::Duration::from_secs(10), server).await.unwrap().unwrap().unwrap();
}

#[tokio::test]
async fn serve_reports_a_port_in_use() {
    let dir = tempfile::tempdir().unwrap();
    let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let settings = Settings { data_dir: dir.path().to_path_buf(), ..Settings::default() };
    let app = App::build(settings, clock()).await.unwrap();
    let err = app.serve(taken.local_addr().unwrap()).await.unwrap_err();
    assert_eq!(err.class, bole_app::ErrorClass::Failure);
    assert!(err.msg.zh.contains("无法监听"), "{}", err.msg.zh);
}
