//! Attendance through the real router: clocking in as an employee, an employee kept out of
//! others' attendance, a manager's team view limited to direct reports, HR's import, summaries
//! and calendars. "Today" is 2026-03-02 (a Monday), noon Beijing time.
#![expect(clippy::unwrap_used, reason = "tests")]

mod common;

use axum::body::Body;
use axum::http::{Method, Request, StatusCode, header};
use bole_access::RoleGrant;
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

struct Org {
    company: String,
    unit_a: String,
    mgr: String,
    emp_a: String,
    emp_c: String,
    emp_b: String,
}

/// HQ → A → A1, HQ → B; mgr (A) manages emp_a (A1); emp_c in A has no manager; emp_b in B.
async fn build_org(app: &TestApp) -> Org {
    let hr = app.login().await;
    let company =
        post_ok(app, &hr, "/api/v1/companies", json!({"code":"BL","name":"伯乐科技","kind":"enterprise"})).await;
    let unit = |code: &str, parent: Option<&str>| {
        json!({"company_id": company, "code": code, "name": format!("{code}部"),
               "kind": if parent.is_none() {"headquarters"} else {"department"},
               "parent_id": parent, "effective_date": "2020-01-01"})
    };
    let hire = |unit: &str, no: &str, seq: u32, manager: Option<&str>| {
        json!({
            "company_id": company, "employee_no": no, "name": format!("员工{no}"),
            "id_number": id_number(&format!("11010519900101{:03}", seq)),
            "hire_date": "2025-03-01", "probation_months": 3,
            "job": {"org_unit_id": unit, "employment_type": "full_time", "quota_category": "合同制", "manager_id": manager}
        })
    };
    let hq = post_ok(app, &hr, "/api/v1/org-units", unit("HQ", None)).await;
    let unit_a = post_ok(app, &hr, "/api/v1/org-units", unit("A", Some(&hq))).await;
    let unit_a1 = post_ok(app, &hr, "/api/v1/org-units", unit("A1", Some(&unit_a))).await;
    let unit_b = post_ok(app, &hr, "/api/v1/org-units", unit("B", Some(&hq))).await;
    let mgr = post_ok(app, &hr, "/api/v1/employees", hire(&unit_a, "M001", 1, None)).await;
    let emp_a = post_ok(app, &hr, "/api/v1/employees", hire(&unit_a1, "E001", 2, Some(&mgr))).await;
    let emp_c = post_ok(app, &hr, "/api/v1/employees", hire(&unit_a, "E002", 3, None)).await;
    let emp_b = post_ok(app, &hr, "/api/v1/employees", hire(&unit_b, "E003", 4, None)).await;
    Org { company, unit_a, mgr, emp_a, emp_c, emp_b }
}

fn eid(s: &str) -> EmployeeId {
    EmployeeId(Uuid::parse_str(s).unwrap())
}

async fn employee_token(app: &TestApp, name: &str, employee: &str) -> String {
    app.login_with(name, Some(eid(employee)), Role::Employee, DataScope::Own).await
}

#[tokio::test]
async fn an_employee_clocks_in_and_sees_the_month() {
    let app = TestApp::sqlite().await;
    let org = build_org(&app).await;
    let me = employee_token(&app, "zhang", &org.emp_a).await;
    // The server's time is the punch time: noon on Monday 2026-03-02.
    let r = app.post("/api/v1/attendance/punches", &me, json!({"lat": 22.817, "lng": 108.3665, "accuracy": 20})).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    assert_eq!(r.body["employee_id"], json!(org.emp_a));
    assert_eq!(r.body["source"], "app");
    assert_eq!(r.body["local_time"], "2026-03-02T12:00:00");
    assert_eq!(r.body["location"]["lat_micro"], 22_817_000);
    // A client cannot choose the time.
    let r = app.post("/api/v1/attendance/punches", &me, json!({"at": "2026-03-02T09:00:00Z"})).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    let r = app.get("/api/v1/me/attendance?month=2026-03", &me).await.expect(StatusCode::OK);
    let days = r.body["days"].as_array().unwrap();
    assert_eq!(days.len(), 31);
    assert_eq!(days[0]["status"], "rest_day"); // Sunday
    assert_eq!(days[1]["status"], "late"); // today: clocked in at 12:00, the day is not over
    assert_eq!(days[1]["late_minutes"], 180);
    assert_eq!(days[2]["status"], "scheduled");
    assert_eq!(r.body["totals"]["late_count"], 1);
    let mine = format!("/api/v1/attendance/punches?employee_id={}&from=2026-03-01&to=2026-03-31", org.emp_a);
    assert_eq!(app.get(&mine, &me).await.expect(StatusCode::OK).body.as_array().unwrap().len(), 1);
}

#[tokio::test]
async fn an_employee_cannot_read_or_import_others_attendance() {
    let app = TestApp::sqlite().await;
    let org = build_org(&app).await;
    let me = employee_token(&app, "zhang", &org.emp_a).await;
    let other = format!("/api/v1/attendance/punches?employee_id={}&from=2026-03-01&to=2026-03-31", org.emp_b);
    assert_eq!(app.get(&other, &me).await.status, StatusCode::NOT_FOUND);
    let days = format!("/api/v1/attendance/days?employee_id={}&from=2026-03-01&to=2026-03-31", org.emp_b);
    assert_eq!(app.get(&days, &me).await.status, StatusCode::NOT_FOUND);
    // Importing a time-clock file is HR's, even for one's own punches.
    let req = Request::builder()
        .method(Method::POST)
        .uri(format!("/api/v1/attendance/punches/import?company_id={}", org.company))
        .header(header::AUTHORIZATION, format!("Bearer {me}"))
        .header(header::CONTENT_TYPE, "text/csv")
        .body(Body::from("E001,2026-03-02 09:00,A\n"))
        .unwrap();
    assert_eq!(app.send(req).await.status, StatusCode::FORBIDDEN);
    // Summaries and the team view of others are not theirs either.
    let r = app.get("/api/v1/attendance/summaries?month=2026-02", &me).await.expect(StatusCode::OK);
    assert_eq!(r.body["total"], 0);
    assert_eq!(app.post("/api/v1/shifts", &me, json!({})).await.status, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn a_manager_sees_only_direct_reports() {
    let app = TestApp::sqlite().await;
    let org = build_org(&app).await;
    app.add_user(
        "boss",
        Some(eid(&org.mgr)),
        vec![
            RoleGrant::builtin(Role::Employee, DataScope::Own),
            RoleGrant::builtin(Role::Manager, DataScope::DirectReports),
        ],
    )
    .await;
    let boss = app.login_as("boss").await;
    let r = app.get("/api/v1/attendance/team?month=2026-02", &boss).await.expect(StatusCode::OK);
    let members: Vec<&str> =
        r.body["members"].as_array().unwrap().iter().map(|m| m["employee_no"].as_str().unwrap()).collect();
    assert_eq!(members, ["E001"]);
    assert_eq!(r.body["members"][0]["days"].as_array().unwrap().len(), 28);
    // Asking for the whole unit does not widen the scope: the direct report and the manager's own
    // record are in it, the unit's other employee (E002) is not.
    let r = app.get(&format!("/api/v1/attendance/team?month=2026-02&org_unit_id={}", org.unit_a), &boss).await;
    let members: Vec<&str> =
        r.body["members"].as_array().unwrap().iter().map(|m| m["employee_no"].as_str().unwrap()).collect();
    assert_eq!(members, ["E001", "M001"]);
    // A report's days are readable; a non-report's are not.
    let ok = format!("/api/v1/attendance/days?employee_id={}&from=2026-02-02&to=2026-02-06", org.emp_a);
    assert_eq!(app.get(&ok, &boss).await.expect(StatusCode::OK).body.as_array().unwrap().len(), 5);
    let no = format!("/api/v1/attendance/days?employee_id={}&from=2026-02-02&to=2026-02-06", org.emp_c);
    assert_eq!(app.get(&no, &boss).await.status, StatusCode::NOT_FOUND);
    // HR may pass a unit: its whole subtree.
    let hr = app.login().await;
    let r = app.get(&format!("/api/v1/attendance/team?month=2026-02&org_unit_id={}", org.unit_a), &hr).await;
    let members: Vec<&str> =
        r.body["members"].as_array().unwrap().iter().map(|m| m["employee_no"].as_str().unwrap()).collect();
    assert_eq!(members, ["E001", "E002", "M001"]);
}

#[tokio::test]
async fn hr_imports_computes_and_reads_summaries() {
    let app = TestApp::sqlite().await;
    let org = build_org(&app).await;
    let hr = app.login().await;
    let import = |body: &'static str| {
        Request::builder()
            .method(Method::POST)
            .uri(format!("/api/v1/attendance/punches/import?company_id={}", org.company))
            .header(header::AUTHORIZATION, format!("Bearer {hr}"))
            .header(header::CONTENT_TYPE, "text/csv")
            .body(Body::from(body))
            .unwrap()
    };
    let bad = app.send(import("E001,2026-02-02 09:00,A\nNOPE,2026-02-02 18:00,A\n")).await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", bad.body);
    assert_eq!(bad.body["error"]["code"], "punch_import_invalid");
    assert!(bad.body["error"]["fields"]["rows[2].employee_no"].is_array(), "{}", bad.body);
    let ok = app.send(import("E001,2026-02-02 09:20,A\nE001,2026-02-02 18:00,A\n")).await;
    assert_eq!(ok.status, StatusCode::OK, "{}", ok.body);
    assert_eq!(ok.body["inserted"], 2);
    let r = app.post("/api/v1/attendance/summaries/2026-02/compute", &hr, json!(null)).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(r.body["employees"], 4);
    let r = app.get("/api/v1/attendance/summaries?month=2026-02", &hr).await.expect(StatusCode::OK);
    assert_eq!(r.body["total"], 4);
    let e1 = r.body["items"].as_array().unwrap().iter().find(|s| s["employee_no"] == "E001").unwrap();
    // February 2026: 20 weekdays − 6 inside the 春节 block (02-16..20, 02-23) + the make-up
    // Saturdays 02-14 and 02-28 = 16 working days.
    assert_eq!(e1["scheduled_days"], 16);
    assert_eq!(e1["late_minutes"], 20);
    assert_eq!(e1["present_days"], 1);
    assert_eq!(e1["absent_days"], 15);
    let bad_month = app.get("/api/v1/attendance/summaries?month=2026-2", &hr).await;
    assert_eq!(bad_month.status, StatusCode::UNPROCESSABLE_ENTITY);
    // Calendars: the national year with 调休; an unknown year is 404.
    let r = app.get("/api/v1/calendars/2026", &hr).await.expect(StatusCode::OK);
    assert!(r.body["makeup_workdays"].as_array().unwrap().contains(&json!("2026-10-10")));
    assert!(r.body["statutory_holidays"].as_array().unwrap().contains(&json!("2026-10-01")));
    let r = app.get("/api/v1/calendars/2031", &hr).await;
    assert_eq!(
        (r.status, r.body["error"]["code"].as_str()),
        (StatusCode::NOT_FOUND, Some("calendar_year_not_covered"))
    );
}
