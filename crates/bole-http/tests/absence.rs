//! Leave and overtime over HTTP: the phone flow (quote → apply → manager approves in the inbox →
//! balance and attendance change), the approval that an effect rolls back, overlap and holiday
//! overtime errors as the client sees them, and who may call what.
#![expect(clippy::unwrap_used, reason = "tests")]

mod common;

use axum::http::{Method, StatusCode};
use bole_core::{DataScope, EmployeeId, Role};
use common::TestApp;
use serde_json::{Value, json};
use uuid::Uuid;

fn id_number(body17: &str) -> String {
    const W: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
    let sum: u32 = body17.chars().zip(W).map(|(c, w)| c.to_digit(10).unwrap() * w).sum();
    let check = b"10X98765432"[(sum % 11) as usize] as char;
    format!("{body17}{check}")
}

async fn post_ok(app: &TestApp, token: &str, uri: &str, body: Value) -> String {
    let r = app.post(uri, token, body).await;
    assert_eq!(r.status, StatusCode::CREATED, "{uri}: {}", r.body);
    r.body["id"].as_str().or(r.body["employee"]["id"].as_str()).unwrap().to_string()
}

struct Team {
    hr: String,
    emp: String,
    mgr: String,
    employee: String,
}

/// A company with a manager and their report (参加工作 2015-07-01: 10 days of annual leave).
async fn team(app: &TestApp) -> Team {
    let hr = app.login().await;
    let company =
        post_ok(app, &hr, "/api/v1/companies", json!({"code":"BL","name":"伯乐科技","kind":"enterprise"})).await;
    let unit = post_ok(
        app,
        &hr,
        "/api/v1/org-units",
        json!({"company_id": company, "code": "HQ", "name": "总部", "kind": "headquarters", "effective_date": "2020-01-01"}),
    )
    .await;
    let hire = |no: &str, seq: u32, manager: Option<&str>| {
        json!({
            "company_id": company, "employee_no": no, "name": format!("员工{no}"),
            "id_number": id_number(&format!("11010519900101{seq:03}")),
            "hire_date": "2024-03-01", "probation_months": 0,
            "job": {"org_unit_id": unit, "employment_type": "full_time", "quota_category": "合同制", "manager_id": manager}
        })
    };
    let manager = post_ok(app, &hr, "/api/v1/employees", hire("M001", 1, None)).await;
    let employee = post_ok(app, &hr, "/api/v1/employees", hire("E001", 2, Some(&manager))).await;
    let eid = |s: &str| EmployeeId(Uuid::parse_str(s).unwrap());
    let emp = app.login_with("emp", Some(eid(&employee)), Role::Employee, DataScope::Own).await;
    let mgr = app.login_with("mgr", Some(eid(&manager)), Role::Manager, DataScope::DirectReports).await;
    app.call(
        Method::PUT,
        &format!("/api/v1/leave/profiles/{employee}"),
        Some(&hr),
        Some(json!({"work_start_date": "2015-07-01"})),
    )
    .await
    .expect(StatusCode::OK);
    let grant = app.post("/api/v1/leave/grants/annual", &hr, json!({"year": 2026})).await.expect(StatusCode::OK);
    assert_eq!(grant.body["postings"], 1, "{}", grant.body);
    Team { hr, emp, mgr, employee }
}

async fn annual(app: &TestApp, token: &str) -> Value {
    let r = app.get("/api/v1/leave/balances", token).await.expect(StatusCode::OK);
    r.body["balances"].as_array().unwrap().iter().find(|b| b["leave_type_code"] == "annual").unwrap().clone()
}

async fn open_task(app: &TestApp, mgr: &str) -> String {
    let inbox = app.get("/api/v1/approvals/inbox", mgr).await.expect(StatusCode::OK);
    inbox.body["items"][0]["task_id"].as_str().unwrap().to_string()
}

#[tokio::test]
async fn leave_applied_on_the_phone_is_approved_and_changes_balance_and_attendance() {
    let app = TestApp::sqlite().await;
    let t = team(&app).await;
    let types = app.get("/api/v1/leave-types", &t.emp).await.expect(StatusCode::OK);
    let codes: Vec<&str> = types.body.as_array().unwrap().iter().map(|t| t["code"].as_str().unwrap()).collect();
    for code in ["annual", "sick", "personal", "marriage", "maternity", "paternity", "bereavement", "compensatory"] {
        assert!(codes.contains(&code), "{code} seeded: {codes:?}");
    }

    let form =
        json!({"leave_type": "annual", "start_date": "2026-03-09", "end_date": "2026-03-11", "reason": "回老家"});
    let quote = app.post("/api/v1/leave/quote", &t.emp, form.clone()).await.expect(StatusCode::OK);
    assert_eq!(quote.body["days"], "3.00");
    assert_eq!(quote.body["available"], "10.00");
    assert_eq!(quote.body["after"], "7.00");
    assert_eq!(quote.body["sufficient"], true);

    let created = app.post("/api/v1/leave/applications", &t.emp, form.clone()).await.expect(StatusCode::CREATED);
    let id = created.body["id"].as_str().unwrap().to_string();
    assert_eq!(created.body["status"], "pending");
    assert_eq!(annual(&app, &t.emp).await["available"], "7.00");

    // The same days again: a clear conflict naming the first application's dates.
    let again = app.post("/api/v1/leave/applications", &t.emp, form).await.expect(StatusCode::CONFLICT);
    assert_eq!(again.code(), "leave_overlaps");
    assert!(again.message().contains("2026-03-09 至 2026-03-11"), "{}", again.message());

    // HR cuts the balance to 2 days: the manager's approval is refused and rolled back.
    let cut = json!({"employee_id": t.employee, "leave_type": "annual", "days": "-8", "reason": "核减"});
    app.post("/api/v1/leave/adjustments", &t.hr, cut).await.expect(StatusCode::CREATED);
    let task = open_task(&app, &t.mgr).await;
    let refused = app
        .post(&format!("/api/v1/approval-tasks/{task}/approve"), &t.mgr, json!({}))
        .await
        .expect(StatusCode::CONFLICT);
    assert_eq!(refused.code(), "insufficient_balance");
    assert_eq!(open_task(&app, &t.mgr).await, task, "the task is still open");
    let detail = app.get(&format!("/api/v1/leave/applications/{id}"), &t.emp).await.expect(StatusCode::OK);
    assert_eq!(detail.body["status"], "pending");
    assert_eq!(detail.body["approval"]["status"], "pending");

    // Restored, the same approval goes through.
    let back = json!({"employee_id": t.employee, "leave_type": "annual", "days": "8", "reason": "恢复"});
    app.post("/api/v1/leave/adjustments", &t.hr, back).await.expect(StatusCode::CREATED);
    app.post(&format!("/api/v1/approval-tasks/{task}/approve"), &t.mgr, json!({"comment": "同意"}))
        .await
        .expect(StatusCode::OK);
    let detail = app.get(&format!("/api/v1/leave/applications/{id}"), &t.emp).await.expect(StatusCode::OK);
    assert_eq!(detail.body["status"], "approved");
    let a = annual(&app, &t.emp).await;
    assert_eq!(a["balance"], "7.00");
    assert_eq!(a["used"], "3.00");
    let ledger = app.get("/api/v1/leave/ledger?leave_type=annual", &t.emp).await.expect(StatusCode::OK);
    assert!(ledger.body["items"].as_array().unwrap().iter().any(|e| e["kind"] == "usage" && e["days"] == "-3.00"));

    // The manager sees the team's application; the employee only their own.
    let list = app.get("/api/v1/leave/applications?scope=all", &t.mgr).await.expect(StatusCode::OK);
    assert_eq!(list.body["total"], 1);
    let bad = app.get("/api/v1/leave/applications?status=nonsense", &t.emp).await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST);

    // Not started yet (today is 2 March): the employee may cancel it; the days come back.
    let cancelled = app
        .post(&format!("/api/v1/leave/applications/{id}/cancel"), &t.emp, json!({"reason": "行程取消"}))
        .await
        .expect(StatusCode::OK);
    assert_eq!(cancelled.body["status"], "cancelled");
    assert_eq!(annual(&app, &t.emp).await["balance"], "10.00");
}

#[tokio::test]
async fn overtime_and_access_errors_reach_the_client() {
    let app = TestApp::sqlite().await;
    let t = team(&app).await;
    let holiday = json!({"date": "2026-10-01", "start_time": "09:00", "end_time": "12:00", "compensation": "time_off"});
    let r = app.post("/api/v1/overtime/applications", &t.emp, holiday).await.expect(StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(r.code(), "holiday_overtime_must_be_paid");
    let rest = json!({"date": "2026-10-06", "start_time": "09:00", "end_time": "12:00", "compensation": "time_off"});
    let r = app.post("/api/v1/overtime/applications", &t.emp, rest).await.expect(StatusCode::CREATED);
    assert_eq!(r.body["kind"], "restday");
    let task = open_task(&app, &t.mgr).await;
    app.post(&format!("/api/v1/approval-tasks/{task}/approve"), &t.mgr, json!({})).await.expect(StatusCode::OK);
    let b = app.get("/api/v1/leave/balances", &t.emp).await.expect(StatusCode::OK);
    let comp = b.body["balances"].as_array().unwrap().iter().find(|b| b["leave_type_code"] == "compensatory").unwrap();
    assert_eq!(comp["balance_minutes"], 180);

    // Employees cannot configure leave or run the jobs; a manager cannot apply for others.
    let r = app
        .post(
            "/api/v1/leave-types",
            &t.emp,
            json!({"company_id": Uuid::nil(), "code": "x", "name_zh": "x", "name_en": "x", "unit": "day", "paid": true,
                   "counting": "working_days", "balance_tracked": false, "entitlement": {"kind": "none"}}),
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    let r = app.post("/api/v1/leave/grants/annual", &t.emp, json!({"year": 2026})).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    let on_behalf = json!({"employee_id": t.employee, "leave_type": "sick", "start_date": "2026-03-10",
                           "end_date": "2026-03-10", "hours": "2"});
    let r = app.post("/api/v1/leave/applications", &t.mgr, on_behalf).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "managers read their team's time, they do not file it");
    // Punch corrections: three a month.
    for day in ["2026-02-02", "2026-02-03", "2026-02-04"] {
        let body = json!({"date": day, "time": "09:00", "direction": "in", "reason": "忘记打卡"});
        app.post("/api/v1/punch-corrections", &t.emp, body).await.expect(StatusCode::CREATED);
    }
    let body = json!({"date": "2026-02-05", "time": "09:00", "direction": "in", "reason": "忘记打卡"});
    let r = app.post("/api/v1/punch-corrections", &t.emp, body).await.expect(StatusCode::CONFLICT);
    assert_eq!(r.code(), "punch_correction_limit");
    let list = app.get("/api/v1/punch-corrections", &t.emp).await.expect(StatusCode::OK);
    assert_eq!(list.body["total"], 3);
}
