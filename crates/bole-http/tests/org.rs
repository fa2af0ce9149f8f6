//! The organisation API end to end, on SQLite and PostgreSQL: companies, the
//! effective-dated unit tree read as of different days, changes and their
//! conflicts, positions and quotas, and the error codes a client switches on.
#![expect(clippy::unwrap_used, reason = "test helpers: a surprise should fail the test loudly")]

mod common;

use axum::http::StatusCode;
use bole_testkit::{TestDb, both_engines};
use common::TestApp;
use serde_json::{Value, json};

fn id(v: &Value) -> String {
    v["id"].as_str().unwrap().to_string()
}

fn names(v: &Value) -> Vec<String> {
    v.as_array().unwrap().iter().map(|u| u["name"].as_str().unwrap().to_string()).collect()
}

async fn org_flow(t: TestDb) {
    let app = TestApp::new(t).await;
    let tok = app.login().await;
    let tok = tok.as_str();

    // Company, root unit, two departments (today is 2026-03-02).
    let r = app
        .post("/api/v1/companies", tok, json!({"code": "BOLE", "name": "伯乐科技有限公司", "kind": "enterprise"}))
        .await;
    let company = r.expect(StatusCode::CREATED);
    let company_id = id(&company.body);
    assert_eq!(company.headers["location"], format!("/api/v1/companies/{company_id}").as_str());
    app.get(&format!("/api/v1/companies/{company_id}"), tok).await.expect(StatusCode::OK);

    let unit = |code: &str, name: &str, kind: &str, parent: Option<&str>, from: &str| json!({"company_id": company_id, "code": code, "name": name, "kind": kind, "parent_id": parent, "effective_date": from});
    let root = app.post("/api/v1/org-units", tok, unit("HQ", "总部", "headquarters", None, "2026-01-01")).await;
    let root_id = id(&root.expect(StatusCode::CREATED).body);
    let rd =
        app.post("/api/v1/org-units", tok, unit("RD", "研发中心", "department", Some(&root_id), "2026-01-01")).await;
    let rd_id = id(&rd.expect(StatusCode::CREATED).body);
    let hr =
        app.post("/api/v1/org-units", tok, unit("HR", "人力资源部", "department", Some(&root_id), "2026-02-01")).await;
    let hr_id = id(&hr.expect(StatusCode::CREATED).body);

    // Duplicate unit code within the company.
    let dup = app.post("/api/v1/org-units", tok, unit("RD", "重复", "department", Some(&root_id), "2026-01-01")).await;
    assert_eq!(dup.expect(StatusCode::CONFLICT).code(), "duplicate_code");
    let dup = app.post("/api/v1/companies", tok, json!({"code": "BOLE", "name": "另一家", "kind": "enterprise"})).await;
    assert_eq!(dup.expect(StatusCode::CONFLICT).code(), "duplicate_code");

    // Flat list and tree, today and before HR existed.
    let today = app.get(&format!("/api/v1/org-units?company_id={company_id}"), tok).await.expect(StatusCode::OK);
    assert_eq!(names(&today.body), ["总部", "人力资源部", "研发中心"], "ordered by code: HQ, HR, RD");
    let january = app.get("/api/v1/org-units?as_of=2026-01-15", tok).await.expect(StatusCode::OK);
    assert_eq!(names(&january.body), ["总部", "研发中心"]);
    let tree = app.get(&format!("/api/v1/org-units/tree?company_id={company_id}&headcount=true"), tok).await;
    let tree = tree.expect(StatusCode::OK).body;
    assert_eq!(tree.as_array().unwrap().len(), 1);
    assert_eq!(tree[0]["name"], "总部");
    assert_eq!(tree[0]["subtree_headcount"], 0);
    assert_eq!(names(&tree[0]["children"]), ["人力资源部", "研发中心"]);
    insta::assert_json_snapshot!("org_tree", tree, {
        ".**.id" => "[id]", ".**.company_id" => "[company_id]", ".**.parent_id" => insta::dynamic_redaction(|v, _| if v.is_nil() { v } else { "[parent_id]".into() }),
    });

    let path = app.get(&format!("/api/v1/org-units/{rd_id}/path"), tok).await.expect(StatusCode::OK);
    assert_eq!(names(&path.body), ["总部", "研发中心"]);
    let sub = app.get(&format!("/api/v1/org-units?root_id={rd_id}"), tok).await.expect(StatusCode::OK);
    assert_eq!(names(&sub.body), ["研发中心"]);

    // A rename effective next month: absent today, present as of next month.
    let change = json!({"type": "rename", "name": "技术研发中心", "effective_date": "2026-04-01"});
    let r = app.post(&format!("/api/v1/org-units/{rd_id}/changes"), tok, change).await.expect(StatusCode::CREATED);
    assert_eq!(r.body["name"], "技术研发中心");
    assert_eq!(r.body["valid"], json!({"from": "2026-04-01", "to": null}));
    let now = app.get(&format!("/api/v1/org-units/{rd_id}"), tok).await.expect(StatusCode::OK);
    assert_eq!(now.body["name"], "研发中心");
    let later = app.get(&format!("/api/v1/org-units/{rd_id}?as_of=2026-04-01"), tok).await.expect(StatusCode::OK);
    assert_eq!(later.body["name"], "技术研发中心");
    let later_path = app.get(&format!("/api/v1/org-units/{rd_id}/path?as_of=2026-05-01"), tok).await;
    assert_eq!(names(&later_path.expect(StatusCode::OK).body), ["总部", "技术研发中心"]);

    // A change dated before the recorded later change is refused, not rewritten.
    let early = json!({"type": "move", "new_parent_id": hr_id, "effective_date": "2026-03-15"});
    let r = app.post(&format!("/api/v1/org-units/{rd_id}/changes"), tok, early).await.expect(StatusCode::CONFLICT);
    assert_eq!(r.code(), "effective_date_conflict");
    assert!(r.message().contains("2026-04-01"), "{}", r.message());

    // History: both versions and the create + rename records.
    let h = app.get(&format!("/api/v1/org-units/{rd_id}/history"), tok).await.expect(StatusCode::OK);
    assert_eq!(names(&h.body["versions"]), ["研发中心", "技术研发中心"]);
    let kinds: Vec<&str> = h.body["changes"].as_array().unwrap().iter().map(|c| c["kind"].as_str().unwrap()).collect();
    assert_eq!(kinds, ["create", "rename"]);

    // Dissolving a unit that still has sub-units is a conflict.
    let r = app
        .post(
            &format!("/api/v1/org-units/{root_id}/changes"),
            tok,
            json!({"type": "dissolve", "effective_date": "2026-06-01"}),
        )
        .await;
    assert_eq!(r.expect(StatusCode::CONFLICT).code(), "org_unit_not_empty");

    // Unknown ids.
    let missing = uuid::Uuid::now_v7();
    let r = app.get(&format!("/api/v1/org-units/{missing}"), tok).await.expect(StatusCode::NOT_FOUND);
    assert_eq!(r.code(), "org_unit_not_found");
    let r = app.get(&format!("/api/v1/companies/{missing}"), tok).await.expect(StatusCode::NOT_FOUND);
    assert_eq!(r.code(), "company_not_found");
    let r = app
        .post(
            &format!("/api/v1/org-units/{missing}/changes"),
            tok,
            json!({"type": "dissolve", "effective_date": "2026-06-01"}),
        )
        .await;
    assert_eq!(r.expect(StatusCode::NOT_FOUND).code(), "org_unit_not_found");

    // Positions and quotas.
    let p = json!({"org_unit_id": rd_id, "code": "RD-SE", "name": "软件工程师", "job_family": "专业技术", "grade": "P5", "valid_from": "2026-01-01"});
    let pos = app.post("/api/v1/positions", tok, p.clone()).await.expect(StatusCode::CREATED);
    let pos_id = id(&pos.body);
    app.get(&format!("/api/v1/positions/{pos_id}"), tok).await.expect(StatusCode::OK);
    assert_eq!(app.post("/api/v1/positions", tok, p).await.expect(StatusCode::CONFLICT).code(), "duplicate_code");
    let list = app.get(&format!("/api/v1/positions?root_id={root_id}"), tok).await.expect(StatusCode::OK);
    assert_eq!(names(&list.body), ["软件工程师"]);
    let r = app.get(&format!("/api/v1/positions/{missing}"), tok).await.expect(StatusCode::NOT_FOUND);
    assert_eq!(r.code(), "position_not_found");

    let q = json!({"org_unit_id": rd_id, "category": "contract", "amount": 10, "valid_from": "2026-01-01"});
    app.post("/api/v1/quotas", tok, q.clone()).await.expect(StatusCode::CREATED);
    assert_eq!(app.post("/api/v1/quotas", tok, q).await.expect(StatusCode::CONFLICT).code(), "effective_date_overlap");
    let usage = app.get(&format!("/api/v1/quotas?root_id={root_id}"), tok).await.expect(StatusCode::OK);
    assert_eq!(usage.body[0]["amount"], 10);
    assert_eq!((usage.body[0]["occupied"].as_i64(), usage.body[0]["vacant"].as_i64()), (Some(0), Some(10)));
    assert_eq!(usage.body[0]["as_of"], "2026-03-02");
}

both_engines!(org_flow);
