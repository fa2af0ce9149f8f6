//! Approvals and notifications through the real router: the inbox, approve, someone else's
//! task (404), reject without a comment (422), withdraw, delegations, flow definitions, unit
//! heads, and the notification read flow.
#![expect(clippy::unwrap_used, reason = "tests")]

mod common;

use axum::http::{Method, StatusCode};
use bole_core::{DataScope, EmployeeId, Role, UserId};
use bole_workflow::{DocumentRef, Submission, WorkflowService, WorkflowStore};
use common::{TODAY, TestApp};
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

struct World {
    app: TestApp,
    hr: String,
    staff: EmployeeId,
    staff_user: UserId,
    staff_token: String,
    mgr_token: String,
    other_token: String,
    unit: String,
    company: String,
}

fn eid(s: &str) -> EmployeeId {
    EmployeeId(Uuid::parse_str(s).unwrap())
}

async fn user_id(app: &TestApp, token: &str) -> UserId {
    let me = app.get("/api/v1/auth/me", token).await.expect(StatusCode::OK);
    let id = me.body["id"].as_str().or(me.body["user"]["id"].as_str()).unwrap();
    UserId(Uuid::parse_str(id).unwrap())
}

/// HQ → 研发部; 经理 manages 员工; 同事 is someone else.
async fn world() -> World {
    let app = TestApp::sqlite().await;
    let hr = app.login().await;
    let company =
        post_ok(&app, &hr, "/api/v1/companies", json!({"code":"BL","name":"伯乐科技","kind":"enterprise"})).await;
    let unit = |code: &str, parent: Option<&str>| {
        json!({"company_id": company, "code": code, "name": format!("{code}部"),
               "kind": if parent.is_none() {"headquarters"} else {"department"},
               "parent_id": parent, "effective_date": "2020-01-01"})
    };
    let hq = post_ok(&app, &hr, "/api/v1/org-units", unit("HQ", None)).await;
    let rd = post_ok(&app, &hr, "/api/v1/org-units", unit("RD", Some(&hq))).await;
    let hire = |no: &str, name: &str, seq: u32, manager: Option<&str>| {
        json!({"company_id": company, "employee_no": no, "name": name,
               "id_number": id_number(&format!("11010519900101{seq:03}")),
               "hire_date": "2025-03-01", "probation_months": 0,
               "job": {"org_unit_id": rd, "employment_type": "full_time", "quota_category": "合同制", "manager_id": manager}})
    };
    let mgr = post_ok(&app, &hr, "/api/v1/employees", hire("M1", "钱经理", 1, None)).await;
    let staff = post_ok(&app, &hr, "/api/v1/employees", hire("E1", "孙员工", 2, Some(&mgr))).await;
    let other = post_ok(&app, &hr, "/api/v1/employees", hire("E2", "周同事", 3, Some(&mgr))).await;
    let staff_token = app.login_with("staff", Some(eid(&staff)), Role::Employee, DataScope::Own).await;
    let mgr_token = app.login_with("mgr", Some(eid(&mgr)), Role::Manager, DataScope::DirectReports).await;
    let other_token = app.login_with("other", Some(eid(&other)), Role::Employee, DataScope::Own).await;
    let staff_user = user_id(&app, &staff_token).await;
    World { app, hr, staff: eid(&staff), staff_user, staff_token, mgr_token, other_token, unit: rd, company }
}

fn service(w: &World) -> WorkflowService {
    WorkflowService::new(w.app.db.store.clone(), w.app.db.store.clone(), bole_testkit::clock_on(TODAY))
}

/// Submit an approval as a document domain would (plan, then write). `certificate` has no
/// registered handler, so decisions commit through the workflow store alone.
async fn submit(w: &World, days: u32) -> Uuid {
    let wf = service(w);
    let actor = bole_core::Actor { user_id: w.staff_user, ..bole_core::Actor::system() };
    let t = wf
        .plan_start(
            &actor,
            Submission {
                doc: DocumentRef { doc_type: "certificate".into(), doc_id: Uuid::now_v7(), subject: w.staff },
                requester: w.staff_user,
                fields: json!({"days": days}),
                title: format!("年假 {days} 天"),
            },
        )
        .await
        .unwrap();
    WorkflowStore::commit(w.app.db.store.as_ref(), &t).await.unwrap();
    t.instance_id
}

#[tokio::test]
async fn inbox_approve_and_notifications() {
    let w = world().await;
    let id = submit(&w, 2).await;
    let inbox = w.app.get("/api/v1/approvals/inbox", &w.mgr_token).await.expect(StatusCode::OK);
    assert_eq!(inbox.body["total"], 1);
    let item = &inbox.body["items"][0];
    assert_eq!(item["subject_name"], "孙员工");
    assert_eq!(item["title"], "年假 2 天");
    let task = item["task_id"].as_str().unwrap().to_string();

    // Someone else's task and instance: 404; a reject without a comment: 422.
    let r = w.app.post(&format!("/api/v1/approval-tasks/{task}/approve"), &w.other_token, json!({})).await;
    r.expect(StatusCode::NOT_FOUND);
    w.app.get(&format!("/api/v1/approvals/{id}"), &w.other_token).await.expect(StatusCode::NOT_FOUND);
    let r = w.app.post(&format!("/api/v1/approval-tasks/{task}/reject"), &w.mgr_token, json!({"comment": " "})).await;
    assert_eq!(r.expect(StatusCode::UNPROCESSABLE_ENTITY).code(), "validation_failed");

    let r =
        w.app.post(&format!("/api/v1/approval-tasks/{task}/approve"), &w.mgr_token, json!({"comment": "同意"})).await;
    let r = r.expect(StatusCode::OK);
    assert_eq!(r.body["status"], "approved");
    let r = w.app.post(&format!("/api/v1/approval-tasks/{task}/approve"), &w.mgr_token, json!({})).await;
    assert_eq!(r.expect(StatusCode::CONFLICT).code(), "task_closed");

    let v = w.app.get(&format!("/api/v1/approvals/{id}"), &w.staff_token).await.expect(StatusCode::OK);
    assert_eq!(v.body["history"][1]["text"], "钱经理 审批通过：同意");
    let done = w.app.get("/api/v1/approvals/done", &w.mgr_token).await.expect(StatusCode::OK);
    assert_eq!(done.body["total"], 1);
    let mine = w.app.get("/api/v1/approvals/mine", &w.staff_token).await.expect(StatusCode::OK);
    assert_eq!(mine.body["items"][0]["status"], "approved");
    assert_eq!(w.app.get("/api/v1/approvals/inbox", &w.mgr_token).await.body["total"], 0);

    // Notifications: the requester was told; read one, then all.
    let n = w.app.get("/api/v1/notifications/unread-count", &w.staff_token).await.expect(StatusCode::OK);
    assert_eq!(n.body["unread"], 1);
    let list = w.app.get("/api/v1/notifications", &w.staff_token).await.expect(StatusCode::OK);
    let nid = list.body["items"][0]["id"].as_str().unwrap().to_string();
    assert_eq!(list.body["items"][0]["kind"], "approved");
    w.app
        .post(&format!("/api/v1/notifications/{nid}/read"), &w.other_token, json!({}))
        .await
        .expect(StatusCode::NOT_FOUND);
    w.app
        .post(&format!("/api/v1/notifications/{nid}/read"), &w.staff_token, json!({}))
        .await
        .expect(StatusCode::NO_CONTENT);
    assert_eq!(w.app.get("/api/v1/notifications/unread-count", &w.staff_token).await.body["unread"], 0);
    let mgr_unread =
        w.app.get("/api/v1/notifications/unread-count", &w.mgr_token).await.body["unread"].as_u64().unwrap();
    assert!(mgr_unread >= 1, "the manager was told about the task");
    let r = w.app.post("/api/v1/notifications/read-all", &w.mgr_token, json!({})).await.expect(StatusCode::OK);
    assert_eq!(r.body["marked"], mgr_unread);
}

#[tokio::test]
async fn withdraw_delegations_definitions_and_heads() {
    let w = world().await;
    let id = submit(&w, 1).await;
    w.app
        .post(&format!("/api/v1/approvals/{id}/withdraw"), &w.other_token, json!({}))
        .await
        .expect(StatusCode::NOT_FOUND);
    w.app
        .post(&format!("/api/v1/approvals/{id}/withdraw"), &w.mgr_token, json!({}))
        .await
        .expect(StatusCode::FORBIDDEN);
    let r =
        w.app.post(&format!("/api/v1/approvals/{id}/withdraw"), &w.staff_token, json!({})).await.expect(StatusCode::OK);
    assert_eq!(r.body["status"], "withdrawn");
    assert_eq!(w.app.get("/api/v1/approvals/inbox", &w.mgr_token).await.body["total"], 0);

    // Delegations: mine only.
    let other_user = user_id(&w.app, &w.other_token).await;
    let r = w
        .app
        .post(
            "/api/v1/delegations",
            &w.mgr_token,
            json!({"delegate_id": other_user, "valid_from": TODAY, "valid_to": "2026-03-09"}),
        )
        .await
        .expect(StatusCode::CREATED);
    let del = r.body["id"].as_str().unwrap().to_string();
    assert_eq!(r.body["delegate_name"], "周同事");
    let id2 = submit(&w, 1).await;
    let inbox = w.app.get("/api/v1/approvals/inbox", &w.other_token).await.expect(StatusCode::OK);
    assert_eq!(inbox.body["items"][0]["instance_id"], id2.to_string());
    assert_eq!(inbox.body["items"][0]["on_behalf_of_name"], "钱经理");
    w.app
        .call(Method::DELETE, &format!("/api/v1/delegations/{del}"), Some(&w.other_token), None)
        .await
        .expect(StatusCode::NOT_FOUND);
    w.app
        .call(Method::DELETE, &format!("/api/v1/delegations/{del}"), Some(&w.mgr_token), None)
        .await
        .expect(StatusCode::NO_CONTENT);
    let r = w
        .app
        .post(
            "/api/v1/delegations",
            &w.mgr_token,
            json!({"delegate_id": other_user, "valid_from": "2026-03-09", "valid_to": TODAY}),
        )
        .await;
    assert_eq!(r.expect(StatusCode::UNPROCESSABLE_ENTITY).code(), "validation_failed");

    // Definitions and unit heads need WorkflowAdmin (HR administrator).
    let def = json!({"company_id": w.company, "doc_type": "overtime", "definition": {"name": "加班", "steps": [
        {"name": "负责人", "approvers": [{"kind": "unit_head", "of": "subject_unit"}]}]}});
    w.app.post("/api/v1/workflow-definitions", &w.mgr_token, def.clone()).await.expect(StatusCode::FORBIDDEN);
    let d = post_ok(&w.app, &w.hr, "/api/v1/workflow-definitions", def.clone()).await;
    let r = w.app.post("/api/v1/workflow-definitions", &w.hr, def).await;
    assert_eq!(r.expect(StatusCode::CONFLICT).code(), "workflow_definition_exists");
    let bad = json!({"version": 1, "definition": {"name": "x", "steps": [{"name": "s"}]}});
    let r = w.app.call(Method::PUT, &format!("/api/v1/workflow-definitions/{d}"), Some(&w.hr), Some(bad)).await;
    let r = r.expect(StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.body["error"]["fields"]["definition.steps[0].approvers"].is_array(), "{}", r.body);
    let list = w.app.get("/api/v1/workflow-definitions", &w.hr).await.expect(StatusCode::OK);
    assert_eq!(list.body.as_array().unwrap().len(), 1);

    let mgr_emp = w.app.get("/api/v1/auth/me", &w.mgr_token).await.body["employee_id"].clone();
    let r = w
        .app
        .call(
            Method::PUT,
            &format!("/api/v1/org-units/{}/head", w.unit),
            Some(&w.hr),
            Some(json!({"employee_id": mgr_emp, "valid_from": "2020-01-01"})),
        )
        .await
        .expect(StatusCode::OK);
    assert_eq!(r.body[0]["employee_name"], "钱经理");
    w.app.get(&format!("/api/v1/org-units/{}/head", w.unit), &w.staff_token).await.expect(StatusCode::FORBIDDEN);
}
