//! PIPL endpoints through the real router: an employee reads and acknowledges the privacy
//! notice, gives and withdraws consent, submits requests (a deletion refused under legal
//! retention), downloads their data copy; HR handles the requests and keeps the sharing
//! register, which the auditor may read. The main flow runs on SQLite and PostgreSQL.
#![expect(clippy::unwrap_used, reason = "tests")]

mod common;

use axum::http::{Method, StatusCode, header};
use bole_core::{DataScope, EmployeeId, Role};
use bole_testkit::TestDb;
use common::TestApp;
use serde_json::{Value, json};

/// A company, a unit and one employee hired 2025-03-01; returns the employee id.
async fn hire(app: &TestApp, hr: &str, no: &str, id_number: &str) -> String {
    let c = app
        .post("/api/v1/companies", hr, json!({"code": format!("C{no}"), "name": "伯乐科技", "kind": "enterprise"}))
        .await;
    let company = c.body["id"].as_str().unwrap().to_string();
    let u = json!({"company_id": company, "code": "HQ", "name": "总部", "kind": "headquarters", "effective_date": "2020-01-01"});
    let unit = app.post("/api/v1/org-units", hr, u).await.body["id"].as_str().unwrap().to_string();
    let e = json!({
        "company_id": company, "employee_no": no, "name": "张三", "id_number": id_number, "phone": "13812345678",
        "hire_date": "2025-03-01",
        "job": {"org_unit_id": unit, "employment_type": "full_time", "quota_category": "合同制"}
    });
    let r = app.post("/api/v1/employees", hr, e).await.expect(StatusCode::CREATED);
    let id = r.body["id"].as_str().unwrap().to_string();
    let contract = json!({"kind": "fixed_term", "start_date": "2025-03-01", "end_date": "2028-02-29"});
    app.post(&format!("/api/v1/employees/{id}/contracts"), hr, contract).await.expect(StatusCode::CREATED);
    id
}

fn notice() -> Value {
    json!({
        "title": "员工个人信息处理告知书",
        "body": "伯乐科技作为个人信息处理者……",
        "purposes": [
            {"code": "payroll", "name_zh": "薪酬发放", "name_en": "payroll", "kind": "internal",
             "legal_basis": "hr_management", "data_categories": ["identity", "payroll"]},
            {"code": "salary_card", "name_zh": "工资卡代发", "name_en": "salary card", "kind": "third_party_provision",
             "legal_basis": "consent", "data_categories": ["identity", "financial_account"], "recipient": "某银行"},
            {"code": "group_hr", "name_zh": "集团人力资源管理", "name_en": "group HR", "kind": "cross_border_transfer",
             "legal_basis": "hr_management", "data_categories": ["identity", "employment"], "recipient": "Group HQ (SG)"}
        ]
    })
}

async fn employee_login(app: &TestApp, username: &str, id: &str) -> String {
    let id: EmployeeId = id.parse().unwrap();
    app.login_with(username, Some(id), Role::Employee, DataScope::Own).await
}

async fn self_service_and_hr_handling(app: TestApp) {
    let hr = app.login().await;
    let id = hire(&app, &hr, "E001", "11010519491231002X").await;
    let me = employee_login(&app, "zhangsan", &id).await;

    let none = app.get("/api/v1/me/privacy/notice", &me).await.expect(StatusCode::NOT_FOUND);
    assert_eq!(none.code(), "privacy_notice_not_found");
    app.post("/api/v1/privacy/notices", &me, notice()).await.expect(StatusCode::FORBIDDEN);
    let v1 = app.post("/api/v1/privacy/notices", &hr, notice()).await.expect(StatusCode::CREATED);
    assert_eq!(v1.headers[header::LOCATION], "/api/v1/privacy/notices/1");
    assert_eq!(v1.body["purposes"][1]["separate_consent_reasons"], json!(["sensitive_data", "third_party_provision"]));
    assert_eq!(v1.body["purposes"][2]["separate_consent"], true);

    let mine = app.get("/api/v1/me/privacy/notice", &me).await.expect(StatusCode::OK);
    assert_eq!((mine.body["version"].clone(), mine.body["acknowledged_at"].clone()), (json!(1), Value::Null));
    let early = app.post("/api/v1/me/privacy/consents", &me, json!({"purpose_code": "salary_card"})).await;
    assert_eq!((early.status, early.code()), (StatusCode::CONFLICT, "privacy_notice_not_acknowledged"));
    app.post("/api/v1/me/privacy/acknowledgements", &me, json!({"version": 1})).await.expect(StatusCode::CREATED);
    let given = app
        .post("/api/v1/me/privacy/consents", &me, json!({"purpose_code": "salary_card"}))
        .await
        .expect(StatusCode::CREATED);
    assert_eq!(given.body["status"], "given");
    let na = app.post("/api/v1/me/privacy/consents", &me, json!({"purpose_code": "payroll"})).await;
    assert_eq!((na.status, na.code()), (StatusCode::CONFLICT, "consent_not_applicable"));
    let consents = app.get("/api/v1/me/privacy/consents", &me).await.expect(StatusCode::OK);
    let statuses: Vec<&str> = consents.body.as_array().unwrap().iter().map(|c| c["status"].as_str().unwrap()).collect();
    assert_eq!(statuses, ["not_required", "given", "not_given"]);
    app.post("/api/v1/me/privacy/consent-withdrawals", &me, json!({"purpose_code": "salary_card"}))
        .await
        .expect(StatusCode::CREATED);
    let history = app.get("/api/v1/me/privacy/consents/history", &me).await.expect(StatusCode::OK);
    assert_eq!(history.body.as_array().unwrap().len(), 2);

    let correction = json!({"kind": "correction", "details": "手机号换了",
        "corrections": [{"field": "phone", "proposed_value": "13987654321"}]});
    let c = app.post("/api/v1/me/privacy/requests", &me, correction).await.expect(StatusCode::CREATED);
    assert_eq!((c.body["status"].clone(), c.body["due_date"].clone()), (json!("submitted"), json!("2026-03-17")));
    let request_id = c.body["id"].as_str().unwrap().to_string();
    let deletion = json!({"kind": "deletion", "categories": ["labour_contract"]});
    let d = app.post("/api/v1/me/privacy/requests", &me, deletion).await.expect(StatusCode::CREATED);
    assert_eq!(d.body["status"], "rejected");
    assert!(d.body["resolution"].as_str().unwrap().contains("《劳动合同法》第五十条"), "{}", d.body);
    let bad = json!({"kind": "correction", "corrections": [{"field": "salary", "proposed_value": "99999"}]});
    let r = app.post("/api/v1/me/privacy/requests", &me, bad).await.expect(StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.body["error"]["fields"]["corrections[0].field"].is_array(), "{}", r.body);

    // HR: summaries in the list (no proposed values), the full request on its own (audited).
    app.get("/api/v1/privacy/requests", &me).await.expect(StatusCode::FORBIDDEN);
    let list = app.get("/api/v1/privacy/requests?status=submitted", &hr).await.expect(StatusCode::OK);
    assert_eq!(list.body["total"], 1);
    assert_eq!(list.body["items"][0]["correction_fields"], json!(["phone"]));
    assert!(!list.body.to_string().contains("13987654321"));
    let overdue = app.get("/api/v1/privacy/requests/overdue", &hr).await.expect(StatusCode::OK);
    assert_eq!(overdue.body["total"], 0);
    let one = app.get(&format!("/api/v1/privacy/requests/{request_id}"), &hr).await.expect(StatusCode::OK);
    assert_eq!(one.body["corrections"][0]["proposed_value"], "13987654321");
    let path = format!("/api/v1/privacy/requests/{request_id}/transitions");
    let skip = app.post(&path, &hr, json!({"to": "completed", "note": "done"})).await;
    assert_eq!((skip.status, skip.code()), (StatusCode::CONFLICT, "privacy_request_transition_invalid"));
    app.post(&path, &hr, json!({"to": "in_progress"})).await.expect(StatusCode::CREATED);
    let done = app.post(&path, &hr, json!({"to": "completed", "note": "已在员工档案中更正手机号"})).await;
    let done = done.expect(StatusCode::CREATED);
    assert_eq!(done.body["status"], "completed");
    assert_eq!(done.body["transitions"].as_array().unwrap().len(), 3);
    let mine = app.get(&format!("/api/v1/me/privacy/requests/{request_id}"), &me).await.expect(StatusCode::OK);
    assert_eq!(mine.body["resolution"], "已在员工档案中更正手机号");
    let all_mine = app.get("/api/v1/me/privacy/requests", &me).await.expect(StatusCode::OK);
    assert_eq!(all_mine.body.as_array().unwrap().len(), 2);

    // Another employee sees none of it; the system administrator has no self-service.
    let other = hire(&app, &hr, "E002", "440524188001010014").await;
    let lisi = employee_login(&app, "lisi", &other).await;
    let r = app.get(&format!("/api/v1/me/privacy/requests/{request_id}"), &lisi).await;
    assert_eq!((r.status, r.code()), (StatusCode::NOT_FOUND, "privacy_request_not_found"));
    assert_eq!(app.get("/api/v1/me/privacy/requests", &lisi).await.body, json!([]));
    let admin = app.login_as(common::ADMIN).await;
    let r = app.get("/api/v1/me/privacy/consents", &admin).await;
    assert_eq!((r.status, r.code()), (StatusCode::FORBIDDEN, "not_an_employee"));
    let notices = app.get("/api/v1/privacy/notices", &hr).await.expect(StatusCode::OK);
    assert_eq!(notices.body[0]["acknowledgements"], 1);
}

#[tokio::test]
async fn self_service_and_hr_handling_sqlite() {
    self_service_and_hr_handling(TestApp::sqlite().await).await;
}

#[tokio::test]
async fn self_service_and_hr_handling_postgres() {
    self_service_and_hr_handling(TestApp::new(TestDb::postgres().await).await).await;
}

#[tokio::test]
async fn data_copy_as_json_and_xlsx() {
    let app = TestApp::sqlite().await;
    let hr = app.login().await;
    let id = hire(&app, &hr, "E001", "11010519491231002X").await;
    let me = employee_login(&app, "zhangsan", &id).await;
    app.post("/api/v1/privacy/notices", &hr, notice()).await.expect(StatusCode::CREATED);
    app.post("/api/v1/me/privacy/acknowledgements", &me, json!({"version": 1})).await.expect(StatusCode::CREATED);

    let copy = app.get("/api/v1/me/privacy/data-copy", &me).await.expect(StatusCode::OK);
    let s = &copy.body["sections"];
    assert_eq!(copy.body["employee_id"], id.as_str());
    assert_eq!(s["record"]["id"], id.as_str());
    assert_eq!(s["record"]["name"], "张三");
    // The person's own copy is complete: the ID number is not masked.
    assert_eq!(s["record"]["id_number"], "11010519491231002X");
    assert_eq!(s["events"][0]["type"], "onboard");
    assert_eq!(s["contracts"][0]["kind"], "fixed_term");
    assert_eq!(s["account"]["username"], "zhangsan");
    assert_eq!(s["notices_acknowledged"][0]["version"], 1);
    assert_eq!(s["consents"].as_array().unwrap().len(), 3);

    let xlsx = app.get("/api/v1/me/privacy/data-copy?format=xlsx", &me).await.expect(StatusCode::OK);
    assert_eq!(xlsx.headers[header::CONTENT_TYPE], "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet");
    assert!(xlsx.headers[header::CONTENT_DISPOSITION].to_str().unwrap().contains("personal-data-copy.xlsx"));
    let bad = app.get("/api/v1/me/privacy/data-copy?format=pdf", &me).await;
    assert_eq!((bad.status, bad.code()), (StatusCode::BAD_REQUEST, "invalid_query"));
    let hr_copy = app.get("/api/v1/me/privacy/data-copy", &hr).await;
    assert_eq!((hr_copy.status, hr_copy.code()), (StatusCode::FORBIDDEN, "not_an_employee"));
}

#[tokio::test]
async fn sharing_register_for_hr_and_auditors() {
    let app = TestApp::sqlite().await;
    let hr = app.login().await;
    let entry = json!({
        "kind": "cross_border", "recipient": "Group HQ Pte. Ltd.", "country": "SG",
        "purpose": "集团跨境人力资源管理", "data_categories": ["identity", "employment"],
        "legal_basis": "hr_management", "safeguards": ["hr_exemption", "separate_consent"],
        "start_date": "2026-01-01"
    });
    let r =
        app.post("/api/v1/privacy/sharing-entries", &hr, entry.clone()).await.expect(StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.body["error"]["fields"]["safeguards"][0].as_str().unwrap().contains("第五十五条"), "{}", r.body);
    let mut entry = entry;
    entry["safeguards"] = json!(["hr_exemption", "separate_consent", "impact_assessment"]);
    let created = app.post("/api/v1/privacy/sharing-entries", &hr, entry.clone()).await.expect(StatusCode::CREATED);
    let id = created.body["id"].as_str().unwrap().to_string();
    let path = format!("/api/v1/privacy/sharing-entries/{id}");
    assert_eq!(created.headers[header::LOCATION], path.as_str());
    entry["end_date"] = json!("2026-02-28");
    let updated = app.call(Method::PUT, &path, Some(&hr), Some(entry)).await.expect(StatusCode::OK);
    assert_eq!(updated.body["end_date"], "2026-02-28");
    let active = app.get("/api/v1/privacy/sharing-entries?active_on=2026-03-02", &hr).await.expect(StatusCode::OK);
    assert_eq!(active.body, json!([]));

    let auditor = app.login_with("auditor", None, Role::Auditor, DataScope::All).await;
    let list = app.get("/api/v1/privacy/sharing-entries?kind=cross_border", &auditor).await.expect(StatusCode::OK);
    assert_eq!(list.body.as_array().unwrap().len(), 1);
    app.get(&path, &auditor).await.expect(StatusCode::OK);
    app.call(Method::DELETE, &path, Some(&auditor), None).await.expect(StatusCode::FORBIDDEN);
    app.get("/api/v1/privacy/requests", &auditor).await.expect(StatusCode::FORBIDDEN);

    app.call(Method::DELETE, &path, Some(&hr), None).await.expect(StatusCode::NO_CONTENT);
    let gone = app.get(&path, &hr).await.expect(StatusCode::NOT_FOUND);
    assert_eq!(gone.code(), "sharing_entry_not_found");
}
