//! Audit endpoints through the real router: the auditor searches, exports, verifies and
//! signs a checkpoint; other roles are refused at the route. Runs on SQLite and PostgreSQL.
#![expect(clippy::unwrap_used, reason = "tests")]

mod common;

use axum::http::{Method, StatusCode, header};
use bole_core::{DataScope, Role};
use bole_testkit::TestDb;
use common::TestApp;

async fn the_auditor_reads_and_verifies_the_trail(db: TestDb) {
    let app = TestApp::new(db).await;
    let auditor = app.login_with("auditor1", None, Role::Auditor, DataScope::All).await;

    let r = app.get("/api/v1/audit/records?per_page=5", &auditor).await.expect(StatusCode::OK);
    assert!(r.body["total"].is_u64());
    assert_eq!(r.body["per_page"], 5);

    // The search itself was recorded, with the filter names it used.
    let r = app.get("/api/v1/audit/records?action=audit.search", &auditor).await.expect(StatusCode::OK);
    let first = &r.body["items"][0];
    assert_eq!(first["action"], "audit.search");
    assert_eq!(first["actor_name"], "auditor1");
    assert_eq!(first["outcome"], "success");
    assert_eq!(first["hash"].as_str().unwrap().len(), 64);
    assert!(r.body["total"].as_u64().unwrap() >= 1);
    let r = app.get("/api/v1/audit/records?until_seq=1", &auditor).await.expect(StatusCode::OK);
    assert!(r.body["total"].as_u64().unwrap() <= 1);

    let r = app.get("/api/v1/audit/records?outcome=maybe", &auditor).await.expect(StatusCode::BAD_REQUEST);
    assert_eq!(r.code(), "invalid_query");
    let r = app
        .get("/api/v1/audit/records?from=2026-03-02T00:00:00Z&to=2026-03-01T00:00:00Z", &auditor)
        .await
        .expect(StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(r.code(), "validation_failed");

    let r = app.call(Method::POST, "/api/v1/audit/verify", Some(&auditor), None).await.expect(StatusCode::OK);
    assert_eq!(r.body["ok"], true, "{}", r.body);
    assert!(r.body["broken"].is_null());

    let r = app.call(Method::POST, "/api/v1/audit/checkpoints", Some(&auditor), None).await.expect(StatusCode::CREATED);
    assert_eq!(r.body["signature"].as_str().unwrap().len(), 128);
    let r = app.call(Method::POST, "/api/v1/audit/verify", Some(&auditor), None).await.expect(StatusCode::OK);
    assert_eq!(r.body["checkpoints"], 1, "{}", r.body);

    let r = app.get("/api/v1/audit/export?format=csv&action=audit.", &auditor).await.expect(StatusCode::OK);
    assert_eq!(r.headers[header::CONTENT_TYPE], "text/csv; charset=utf-8");
    assert!(r.headers[header::CONTENT_DISPOSITION].to_str().unwrap().contains("audit-records.csv"));
    assert!(r.body.as_str().unwrap().contains("audit.verify"));
    let r = app.get("/api/v1/audit/export?format=xlsx", &auditor).await.expect(StatusCode::OK);
    assert_eq!(r.headers[header::CONTENT_TYPE], "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet");
    let r = app.get("/api/v1/audit/export?format=pdf", &auditor).await.expect(StatusCode::BAD_REQUEST);
    assert_eq!(r.code(), "invalid_query");
}

async fn only_the_auditor_reads_the_trail(db: TestDb) {
    let app = TestApp::new(db).await;
    let hr = app.login().await;
    let admin = app.login_as(common::ADMIN).await;
    for token in [&hr, &admin] {
        app.get("/api/v1/audit/records", token).await.expect(StatusCode::FORBIDDEN);
        app.get("/api/v1/audit/export?format=csv", token).await.expect(StatusCode::FORBIDDEN);
        app.call(Method::POST, "/api/v1/audit/verify", Some(token), None).await.expect(StatusCode::FORBIDDEN);
        app.call(Method::POST, "/api/v1/audit/checkpoints", Some(token), None).await.expect(StatusCode::FORBIDDEN);
    }
}

mod sqlite {
    #[tokio::test]
    async fn the_auditor_reads_and_verifies_the_trail() {
        super::the_auditor_reads_and_verifies_the_trail(bole_testkit::TestDb::sqlite().await).await
    }
    #[tokio::test]
    async fn only_the_auditor_reads_the_trail() {
        super::only_the_auditor_reads_the_trail(bole_testkit::TestDb::sqlite().await).await
    }
}

mod postgres {
    #[tokio::test]
    async fn the_auditor_reads_and_verifies_the_trail() {
        super::the_auditor_reads_and_verifies_the_trail(bole_testkit::TestDb::postgres().await).await
    }
}
