//! Payroll over HTTP, end to end: salaries, a pay run computed (report, totals, idempotent digest),
//! reviewed, submitted by its preparer, refused to the preparer (`pay_run_self_approval`, audited),
//! approved by HR and locked (compute then refused), published; the employee reads their payslip
//! (JSON and PDF), another employee is refused (403, audited), every view is in the audit trail; a
//! special additional deduction declared in self-service changes the next month's tax; approval
//! through the generic inbox and the handler's own self-approval refusal. The key flow runs on
//! SQLite and PostgreSQL.
#![expect(clippy::unwrap_used, reason = "tests")]

mod common;

use axum::http::{Method, StatusCode, header};
use bole_access::RoleGrant;
use bole_core::{DataScope, EmployeeId, Role};
use bole_testkit::TestDb;
use bole_time::absence::Decimal;
use common::{Options, TestApp};
use serde_json::{Value, json};
use uuid::Uuid;

fn id_number(body17: &str) -> String {
    const W: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
    let sum: u32 = body17.chars().zip(W).map(|(c, w)| c.to_digit(10).unwrap() * w).sum();
    let check = b"10X98765432"[(sum % 11) as usize] as char;
    format!("{body17}{check}")
}

async fn post_ok(app: &TestApp, token: &str, uri: &str, body: Value) -> Value {
    let r = app.post(uri, token, body).await;
    assert_eq!(r.status, StatusCode::CREATED, "{uri}: {}", r.body);
    r.body
}

fn eid(s: &str) -> EmployeeId {
    EmployeeId(Uuid::parse_str(s).unwrap())
}

struct Shop {
    company: String,
    unit: String,
    /// HR administrator over everything (approves pay runs); no employee record.
    hr: String,
    /// The payroll specialist who prepares runs, linked to employee P001.
    payroll: String,
    /// Employee E001 (self-service) and a colleague E002.
    emp: String,
    emp2: String,
    auditor: String,
    e001: String,
    e003: String,
}

/// A company, one unit, four employees (E003 without a salary), the payroll specialist P001 and
/// salaries in Beijing.
async fn shop(app: &TestApp) -> Shop {
    let hr = app.login().await;
    let company = post_ok(app, &hr, "/api/v1/companies", json!({"code":"BL","name":"伯乐科技","kind":"enterprise"}))
        .await["id"]
        .as_str()
        .unwrap()
        .to_string();
    let unit = post_ok(
        app,
        &hr,
        "/api/v1/org-units",
        json!({"company_id": company, "code": "HQ", "name": "总部", "kind": "headquarters", "effective_date": "2020-01-01"}),
    )
    .await["id"]
        .as_str()
        .unwrap()
        .to_string();
    let mut ids = Vec::new();
    for (seq, no) in ["P001", "E001", "E002", "E003"].iter().enumerate() {
        let body = json!({
            "company_id": company, "employee_no": no, "name": format!("员工{no}"),
            "id_number": id_number(&format!("11010519900101{:03}", seq + 1)),
            "hire_date": "2024-03-01", "probation_months": 0,
            "bank_name": "中国工商银行", "bank_account": format!("62220200000000{:05}", seq + 1),
            "job": {"org_unit_id": unit, "employment_type": "full_time", "quota_category": "合同制"}
        });
        let r = post_ok(app, &hr, "/api/v1/employees", body).await;
        ids.push(r["employee"]["id"].as_str().or(r["id"].as_str()).unwrap().to_string());
    }
    let own = RoleGrant::builtin(Role::Employee, DataScope::Own);
    app.add_user(
        "payroll",
        Some(eid(&ids[0])),
        vec![own.clone(), RoleGrant::builtin(Role::PayrollSpecialist, DataScope::All)],
    )
    .await;
    let payroll = app.login_as("payroll").await;
    let emp = app.login_with("emp", Some(eid(&ids[1])), Role::Employee, DataScope::Own).await;
    let emp2 = app.login_with("emp2", Some(eid(&ids[2])), Role::Employee, DataScope::Own).await;
    let auditor = app.login_with("auditor1", None, Role::Auditor, DataScope::All).await;

    let structures =
        app.get(&format!("/api/v1/payroll/structures?company_id={company}"), &payroll).await.expect(StatusCode::OK);
    let structure = structures.body[0]["id"].as_str().unwrap().to_string();
    for id in &ids[..3] {
        let salary = json!({
            "structure_id": structure, "base_salary": "30000",
            "si": {"city": "beijing", "si_base": "30000", "si_enrolled": true, "hf_enrolled": true},
            "valid_from": "2025-01-01", "reason": "定薪"
        });
        let r = post_ok(app, &payroll, &format!("/api/v1/employees/{id}/salary"), salary).await;
        assert_eq!(r["base_salary"], "30000.00", "the payroll specialist holds sensitive_read: {r}");
    }
    Shop { company, unit, hr, payroll, emp, emp2, auditor, e001: ids[1].clone(), e003: ids[3].clone() }
}

async fn create_run(app: &TestApp, token: &str, company: &str, period: &str, pay_date: &str) -> String {
    let r =
        post_ok(app, token, "/api/v1/pay-runs", json!({"company_id": company, "period": period, "pay_date": pay_date}))
            .await;
    assert_eq!(r["status"], "draft");
    r["id"].as_str().unwrap().to_string()
}

async fn compute(app: &TestApp, token: &str, run: &str) -> Value {
    app.post(&format!("/api/v1/pay-runs/{run}/compute"), token, json!({})).await.expect(StatusCode::OK).body
}

/// The item (with its payslip) of one employee number in a run, as the payroll specialist sees it.
async fn item_of(app: &TestApp, token: &str, run: &str, no: &str) -> Value {
    let r = app.get(&format!("/api/v1/pay-runs/{run}/items?search={no}"), token).await.expect(StatusCode::OK);
    assert_eq!(r.body["total"], 1, "{}", r.body);
    r.body["items"][0].clone()
}

async fn audit(app: &TestApp, auditor: &str, query: &str) -> Vec<Value> {
    let r = app.get(&format!("/api/v1/audit/records?per_page=100&{query}"), auditor).await.expect(StatusCode::OK);
    r.body["items"].as_array().unwrap().clone()
}

fn dec(v: &Value) -> Decimal {
    v.as_str().unwrap_or_else(|| panic!("not an amount: {v}")).parse().unwrap()
}

async fn pay_run_lifecycle(db: TestDb) {
    let app = TestApp::new(db).await;
    let s = shop(&app).await;

    // Salaries are masked for HR administrators without sensitive_read, clear for the employee.
    let masked = app.get(&format!("/api/v1/employees/{}/salary", s.e001), &s.hr).await.expect(StatusCode::OK);
    assert_eq!(masked.body[0]["base_salary"], "****");
    assert_eq!(masked.body[0]["masked"], true);
    let mine = app.get(&format!("/api/v1/employees/{}/salary", s.e001), &s.emp).await.expect(StatusCode::OK);
    assert_eq!(mine.body[0]["base_salary"], "30000.00");
    let other = app.get(&format!("/api/v1/employees/{}/salary", s.e001), &s.emp2).await;
    assert_eq!((other.status, other.code()), (StatusCode::NOT_FOUND, "employee_not_found"));

    // February: compute — one employee has no salary and becomes an error row; the rest computes.
    let feb = create_run(&app, &s.payroll, &s.company, "2026-02", "2026-03-10").await;
    let report = compute(&app, &s.payroll, &feb).await;
    assert_eq!(report["employees"], 4, "{report}");
    assert_eq!(report["computed"], 3, "{report}");
    let errors = report["errors"].as_array().unwrap();
    assert_eq!(errors.len(), 1);
    assert_eq!(errors[0]["employee_id"], s.e003.as_str());
    assert_eq!(report["totals"]["headcount"], 3);
    assert_eq!(report["totals"]["errors"], 1);
    let digest = report["digest"].as_str().unwrap().to_string();
    assert!(!digest.is_empty());
    let totals = &report["totals"];
    assert_eq!(
        dec(&totals["net"]),
        dec(&totals["gross"]) - dec(&totals["employee_si"]) - dec(&totals["employee_hf"]) - dec(&totals["iit"])
    );
    // Recomputing with unchanged inputs gives the same digest.
    let again = compute(&app, &s.payroll, &feb).await;
    assert_eq!(again["digest"], digest.as_str());
    assert_eq!(again["totals"], report["totals"]);

    let e1 = item_of(&app, &s.payroll, &feb, "E001").await;
    let slip = &e1["payslip"];
    assert_eq!(e1["status"], "ok");
    assert!(dec(&slip["gross"]) > dec(&slip["net"]), "{slip}");
    assert!(dec(&slip["iit"]) > Decimal::ZERO, "{slip}");
    assert!(slip["tax"]["additional"].as_object().unwrap().is_empty(), "nothing declared yet: {slip}");
    let feb_item = e1["id"].as_str().unwrap().to_string();
    let errors_only = app.get(&format!("/api/v1/pay-runs/{feb}/items?status=error"), &s.payroll).await;
    assert_eq!(errors_only.body["total"], 1);

    // Review: no earlier locked run; nobody has attendance summaries; the error row is flagged.
    let review = app.get(&format!("/api/v1/pay-runs/{feb}/review"), &s.payroll).await.expect(StatusCode::OK);
    assert!(review.body["previous_run_id"].is_null());
    let rows = review.body["rows"].as_array().unwrap();
    assert_eq!(rows.len(), 4);
    assert_eq!(rows[0]["anomalies"], json!(["compute_error"]), "error rows come first");
    assert!(rows.iter().skip(1).all(|r| r["anomalies"] == json!(["no_attendance"])), "{rows:?}");

    // Submit: the error row must be acknowledged; an account without an employee record cannot submit.
    let refused = app.post(&format!("/api/v1/pay-runs/{feb}/submit"), &s.payroll, json!({})).await;
    assert_eq!((refused.status, refused.code()), (StatusCode::CONFLICT, "pay_run_has_errors"), "{}", refused.body);
    let clerk = app.login_with("payroll2", None, Role::PayrollSpecialist, DataScope::All).await;
    let r = app.post(&format!("/api/v1/pay-runs/{feb}/submit"), &clerk, json!({"acknowledge_errors": true})).await;
    assert_eq!((r.status, r.code()), (StatusCode::FORBIDDEN, "no_employee_record"), "{}", r.body);
    let submitted = app
        .post(&format!("/api/v1/pay-runs/{feb}/submit"), &s.payroll, json!({"acknowledge_errors": true}))
        .await
        .expect(StatusCode::OK);
    assert_eq!(submitted.body["status"], "pending_approval");
    assert!(submitted.body["approval_id"].is_string());

    // The preparer cannot approve (refused before anything else, audited as denied).
    let own = app.post(&format!("/api/v1/pay-runs/{feb}/approve"), &s.payroll, json!({})).await;
    assert_eq!((own.status, own.code()), (StatusCode::FORBIDDEN, "pay_run_self_approval"), "{}", own.body);
    let denied = audit(&app, &s.auditor, &format!("action=pay_run.approve&subject_id={feb}")).await;
    assert_eq!(denied.len(), 1);
    assert_eq!(denied[0]["outcome"], "denied");
    // Pending approval: computing again is refused.
    let r = app.post(&format!("/api/v1/pay-runs/{feb}/compute"), &s.payroll, json!({})).await;
    assert_eq!((r.status, r.code()), (StatusCode::CONFLICT, "pay_run_wrong_status"));
    // An employee is neither preparer nor approver.
    let r = app.post(&format!("/api/v1/pay-runs/{feb}/approve"), &s.emp, json!({})).await;
    assert_eq!((r.status, r.code()), (StatusCode::NOT_FOUND, "pay_run_not_found"));

    // HR approves: the run locks.
    let approved = app
        .post(&format!("/api/v1/pay-runs/{feb}/approve"), &s.hr, json!({"comment": "同意"}))
        .await
        .expect(StatusCode::OK);
    assert_eq!(approved.body["status"], "locked", "{}", approved.body);
    assert!(approved.body["approved_by"].is_string());
    assert!(approved.body["locked_at"].is_string());
    let r = app.post(&format!("/api/v1/pay-runs/{feb}/compute"), &s.payroll, json!({})).await;
    assert_eq!((r.status, r.code()), (StatusCode::CONFLICT, "pay_run_wrong_status"));
    let r = app.post(&format!("/api/v1/pay-runs/{feb}/submit"), &s.payroll, json!({})).await;
    assert_eq!((r.status, r.code()), (StatusCode::CONFLICT, "pay_run_wrong_status"));

    // Locked but not published: HR reads the payslip, the employee does not see it yet.
    app.get(&format!("/api/v1/payslips/{feb_item}"), &s.hr).await.expect(StatusCode::OK);
    let r = app.get(&format!("/api/v1/payslips/{feb_item}"), &s.emp).await;
    assert_eq!((r.status, r.code()), (StatusCode::NOT_FOUND, "payslip_not_found"));
    let listed = app.get("/api/v1/me/payslips", &s.emp).await.expect(StatusCode::OK);
    assert_eq!(listed.body, json!([]));

    // Exports of the locked run: the register for HR; the bank file needs sensitive_read.
    let reg = app.get(&format!("/api/v1/pay-runs/{feb}/exports/register_xlsx"), &s.hr).await.expect(StatusCode::OK);
    let disposition = reg.headers[header::CONTENT_DISPOSITION].to_str().unwrap();
    assert!(
        disposition.starts_with("attachment; filename=\"") && disposition.contains("filename*=UTF-8''"),
        "{disposition}"
    );
    let r = app.get(&format!("/api/v1/pay-runs/{feb}/exports/bank_csv"), &s.hr).await;
    assert_eq!((r.status, r.code()), (StatusCode::FORBIDDEN, "forbidden"));
    let bank = app.get(&format!("/api/v1/pay-runs/{feb}/exports/bank_csv"), &s.payroll).await.expect(StatusCode::OK);
    assert!(bank.headers[header::CONTENT_TYPE].to_str().unwrap().starts_with("text/csv"));
    assert_eq!(audit(&app, &s.auditor, &format!("action=pay_run.export&subject_id={feb}")).await.len(), 2);

    // Publish: the employee lists and reads the payslip; a colleague is refused with 403.
    let published =
        app.post(&format!("/api/v1/pay-runs/{feb}/publish"), &s.payroll, json!({})).await.expect(StatusCode::OK);
    assert_eq!(published.body["status"], "published");
    let listed = app.get("/api/v1/me/payslips", &s.emp).await.expect(StatusCode::OK);
    assert_eq!(listed.body.as_array().unwrap().len(), 1);
    assert_eq!(listed.body[0]["id"], feb_item.as_str());
    assert_eq!(listed.body[0]["period"], "2026-02");
    let view = app.get(&format!("/api/v1/payslips/{feb_item}"), &s.emp).await.expect(StatusCode::OK);
    assert_eq!(view.body["employee_no"], "E001");
    assert_eq!(view.body["company_name"], "伯乐科技");
    assert_eq!(view.body["org_unit_name"], "总部");
    assert_eq!(view.body["payslip"]["net"], slip["net"]);
    let r = app.get(&format!("/api/v1/payslips/{feb_item}"), &s.emp2).await;
    assert_eq!((r.status, r.code()), (StatusCode::FORBIDDEN, "forbidden"), "{}", r.body);
    let r = app.get(&format!("/api/v1/payslips/{feb_item}/pdf"), &s.emp2).await;
    assert_eq!((r.status, r.code()), (StatusCode::FORBIDDEN, "forbidden"));
    let r = app.get(&format!("/api/v1/payslips/{}", Uuid::now_v7()), &s.emp).await;
    assert_eq!((r.status, r.code()), (StatusCode::NOT_FOUND, "payslip_not_found"));

    // Every view is in the trail (HR's, the employee's), the refusals as denied.
    let views = audit(&app, &s.auditor, &format!("action=payslip.view&subject_id={feb_item}")).await;
    let ok = views.iter().filter(|v| v["outcome"] == "success").count();
    let refused = views.iter().filter(|v| v["outcome"] == "denied").count();
    assert_eq!((ok, refused), (2, 2), "{views:?}");

    // The employee declares 子女教育 from March: the March run deducts it.
    let mar = create_run(&app, &s.payroll, &s.company, "2026-03", "2026-04-10").await;
    compute(&app, &s.payroll, &mar).await;
    let before = item_of(&app, &s.payroll, &mar, "E001").await["payslip"].clone();
    let declared = post_ok(
        &app,
        &s.emp,
        "/api/v1/me/deductions",
        json!({"year": 2026, "kind": "child_education", "details": {"children": 1, "share_percent": 100},
               "start_month": 3, "end_month": 12}),
    )
    .await;
    assert_eq!(declared["monthly_amount"], "2000.00");
    assert_eq!(declared["employee_id"], s.e001.as_str());
    let mine = app.get("/api/v1/me/deductions", &s.emp).await.expect(StatusCode::OK);
    assert_eq!(mine.body.as_array().unwrap().len(), 1);
    let hr_view = app.get(&format!("/api/v1/employees/{}/deductions?year=2026", s.e001), &s.hr).await;
    assert_eq!(hr_view.expect(StatusCode::OK).body.as_array().unwrap().len(), 1);
    // Housing loan and rent together are refused.
    let loan = json!({"year": 2026, "kind": "housing_loan", "details": {}, "start_month": 1, "end_month": 12});
    post_ok(&app, &s.emp, "/api/v1/me/deductions", loan).await;
    let rent =
        json!({"year": 2026, "kind": "housing_rent", "details": {"rent_tier": 1}, "start_month": 1, "end_month": 12});
    let r = app.post("/api/v1/me/deductions", &s.emp, rent).await;
    assert_eq!((r.status, r.code()), (StatusCode::UNPROCESSABLE_ENTITY, "validation_failed"), "{}", r.body);
    let loan_id = app
        .get("/api/v1/me/deductions", &s.emp)
        .await
        .body
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["kind"] == "housing_loan")
        .unwrap()["id"]
        .as_str()
        .unwrap()
        .to_string();
    app.call(Method::POST, &format!("/api/v1/me/deductions/{loan_id}/withdraw"), Some(&s.emp), None)
        .await
        .expect(StatusCode::NO_CONTENT);
    let r = app.call(Method::POST, &format!("/api/v1/me/deductions/{loan_id}/withdraw"), Some(&s.emp2), None).await;
    assert_eq!((r.status, r.code()), (StatusCode::NOT_FOUND, "declaration_not_found"));

    let first = compute(&app, &s.payroll, &mar).await;
    let after = item_of(&app, &s.payroll, &mar, "E001").await["payslip"].clone();
    assert_eq!(after["tax"]["additional"]["child_education"], "2000.00", "{after}");
    assert_eq!(dec(&after["tax"]["cumulative_additional"]), "2000".parse().unwrap());
    assert!(
        dec(&after["iit"]) < dec(&before["iit"]),
        "the declaration lowers the tax: {} → {}",
        before["iit"],
        after["iit"]
    );
    assert_eq!(dec(&after["tax"]["withheld_before"]), dec(&slip["iit"]), "February's withholding counts");
    // Recomputing with unchanged inputs: the same digest.
    let second = compute(&app, &s.payroll, &mar).await;
    assert_eq!(first["digest"], second["digest"]);
    let review = app.get(&format!("/api/v1/pay-runs/{mar}/review"), &s.payroll).await.expect(StatusCode::OK);
    assert_eq!(review.body["previous_period"], "2026-02");
    let e1_row = review.body["rows"].as_array().unwrap().iter().find(|r| r["employee_no"] == "E001").unwrap().clone();
    assert_eq!(e1_row["previous_net"], slip["net"]);
}

/// Approval through the generic approvals inbox; the handler refuses a preparer who holds the
/// approving role when a colleague submitted the run (the engine gave the preparer a task).
async fn inbox_approval_and_the_handlers_own_refusal(db: TestDb) {
    let app = TestApp::new(db).await;
    let s = shop(&app).await;
    // L001: a payroll lead who is also an HR administrator, and prepares the run.
    let hr = &s.hr;
    let lead_emp = post_ok(
        &app,
        hr,
        "/api/v1/employees",
        json!({"company_id": s.company, "employee_no": "L001", "name": "主管L001",
               "id_number": id_number("11010519900101099"), "hire_date": "2024-03-01", "probation_months": 0,
               "job": {"org_unit_id": s.unit, "employment_type": "full_time", "quota_category": "合同制"}}),
    )
    .await;
    let lead_id = lead_emp["employee"]["id"].as_str().or(lead_emp["id"].as_str()).unwrap().to_string();
    app.add_user(
        "lead",
        Some(eid(&lead_id)),
        vec![
            RoleGrant::builtin(Role::Employee, DataScope::Own),
            RoleGrant::builtin(Role::PayrollSpecialist, DataScope::All),
            RoleGrant::builtin(Role::HrAdmin, DataScope::All),
        ],
    )
    .await;
    let lead = app.login_as("lead").await;
    let run = create_run(&app, &lead, &s.company, "2026-02", "2026-03-10").await;
    compute(&app, &lead, &run).await;
    app.post(&format!("/api/v1/pay-runs/{run}/submit"), &s.payroll, json!({"acknowledge_errors": true}))
        .await
        .expect(StatusCode::OK);

    // The lead holds a task (hr_admin) but is the run's preparer: refused by the handler.
    let inbox = app.get("/api/v1/approvals/inbox", &lead).await.expect(StatusCode::OK);
    let task = inbox.body["items"][0]["task_id"].as_str().unwrap().to_string();
    let r = app.post(&format!("/api/v1/approval-tasks/{task}/approve"), &lead, json!({})).await;
    assert_eq!((r.status, r.code()), (StatusCode::FORBIDDEN, "pay_run_self_approval"), "{}", r.body);
    let still = app.get(&format!("/api/v1/pay-runs/{run}"), &s.payroll).await.expect(StatusCode::OK);
    assert_eq!(still.body["status"], "pending_approval");

    // HR rejects (back to computed); the rejected approval is closed, so the resubmission is a new
    // approval document naming the run in its fields.
    let inbox = app.get("/api/v1/approvals/inbox", hr).await.expect(StatusCode::OK);
    assert_eq!(inbox.body["items"][0]["doc_id"], run.as_str(), "the first round's document is the run");
    let r = app.post(&format!("/api/v1/pay-runs/{run}/reject"), hr, json!({"comment": "数据有误"})).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(r.body["status"], "computed");
    let first_approval = r.body["approval_id"].clone();
    let r = app.post(&format!("/api/v1/pay-runs/{run}/submit"), &s.payroll, json!({"acknowledge_errors": true})).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_ne!(r.body["approval_id"], first_approval);
    let approval = app
        .get(&format!("/api/v1/approvals/{}", r.body["approval_id"].as_str().unwrap()), &s.payroll)
        .await
        .expect(StatusCode::OK);
    assert_eq!(approval.body["fields"]["run_id"], run.as_str());

    // HR returns it through the inbox (back to computed), the submitter resubmits, HR approves.
    let inbox = app.get("/api/v1/approvals/inbox", hr).await.expect(StatusCode::OK);
    let task = inbox.body["items"][0]["task_id"].as_str().unwrap().to_string();
    app.post(&format!("/api/v1/approval-tasks/{task}/return"), hr, json!({"comment": "请核对"}))
        .await
        .expect(StatusCode::OK);
    let back = app.get(&format!("/api/v1/pay-runs/{run}"), &s.payroll).await.expect(StatusCode::OK);
    assert_eq!(back.body["status"], "computed");
    compute(&app, &lead, &run).await;
    let r = app.post(&format!("/api/v1/pay-runs/{run}/submit"), &s.payroll, json!({"acknowledge_errors": true})).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let inbox = app.get("/api/v1/approvals/inbox", hr).await.expect(StatusCode::OK);
    let task = inbox.body["items"][0]["task_id"].as_str().unwrap().to_string();
    app.post(&format!("/api/v1/approval-tasks/{task}/approve"), hr, json!({})).await.expect(StatusCode::OK);
    let locked = app.get(&format!("/api/v1/pay-runs/{run}"), &s.payroll).await.expect(StatusCode::OK);
    assert_eq!(locked.body["status"], "locked", "{}", locked.body);
}

#[tokio::test]
async fn payslip_pdf_has_chinese_text_when_a_font_is_installed() {
    let Ok(pdf) = bole_pdf::PdfPayslips::discover() else {
        eprintln!("no CJK font installed: the PDF check is skipped");
        return;
    };
    let options = Options { payslips: Some(std::sync::Arc::new(pdf)), ..Options::default() };
    let app = TestApp::with(TestDb::sqlite().await, options).await;
    let s = shop(&app).await;
    let run = create_run(&app, &s.payroll, &s.company, "2026-02", "2026-03-10").await;
    compute(&app, &s.payroll, &run).await;
    app.post(&format!("/api/v1/pay-runs/{run}/submit"), &s.payroll, json!({"acknowledge_errors": true}))
        .await
        .expect(StatusCode::OK);
    app.post(&format!("/api/v1/pay-runs/{run}/approve"), &s.hr, json!({})).await.expect(StatusCode::OK);
    app.post(&format!("/api/v1/pay-runs/{run}/publish"), &s.payroll, json!({})).await.expect(StatusCode::OK);
    let slip = app.get("/api/v1/me/payslips", &s.emp).await.body[0]["id"].as_str().unwrap().to_string();
    let r = app.get(&format!("/api/v1/payslips/{slip}/pdf"), &s.emp).await.expect(StatusCode::OK);
    assert_eq!(r.headers[header::CONTENT_TYPE], "application/pdf");
    assert!(
        r.headers[header::CONTENT_DISPOSITION]
            .to_str()
            .unwrap()
            .contains("filename*=UTF-8''%E5%B7%A5%E8%B5%84%E6%9D%A1")
    );
    assert!(r.body.as_str().unwrap_or_default().starts_with("%PDF"), "a PDF body");
    let views = audit(&app, &s.auditor, &format!("action=payslip.view&subject_id={slip}")).await;
    assert_eq!(views.len(), 1);
}

#[tokio::test]
async fn without_a_renderer_the_pdf_is_unavailable_and_json_still_works() {
    let app = TestApp::sqlite().await;
    let s = shop(&app).await;
    let run = create_run(&app, &s.payroll, &s.company, "2026-02", "2026-03-10").await;
    compute(&app, &s.payroll, &run).await;
    app.post(&format!("/api/v1/pay-runs/{run}/submit"), &s.payroll, json!({"acknowledge_errors": true}))
        .await
        .expect(StatusCode::OK);
    app.post(&format!("/api/v1/pay-runs/{run}/approve"), &s.hr, json!({})).await.expect(StatusCode::OK);
    let item = item_of(&app, &s.payroll, &run, "E001").await["id"].as_str().unwrap().to_string();
    app.get(&format!("/api/v1/payslips/{item}"), &s.hr).await.expect(StatusCode::OK);
    let r = app.get(&format!("/api/v1/payslips/{item}/pdf"), &s.hr).await;
    assert_eq!(r.status, StatusCode::INTERNAL_SERVER_ERROR, "{}", r.body);
}

#[tokio::test]
async fn configuration_validates_formulas_and_codes() {
    let app = TestApp::sqlite().await;
    let s = shop(&app).await;
    let components =
        app.get(&format!("/api/v1/payroll/components?company_id={}", s.company), &s.emp).await.expect(StatusCode::OK);
    assert!(components.body.as_array().unwrap().iter().any(|c| c["code"] == "BASE"), "{}", components.body);
    let c = json!({"company_id": s.company, "code": "HOUSING", "name": "住房补贴", "kind": "earning", "category": "allowance"});
    let created = post_ok(&app, &s.payroll, "/api/v1/payroll/components", c.clone()).await;
    assert_eq!(created["taxable"], true);
    let r = app.post("/api/v1/payroll/components", &s.payroll, c).await;
    assert_eq!((r.status, r.code()), (StatusCode::CONFLICT, "duplicate_component_code"));
    let r = app
        .post(
            "/api/v1/payroll/components",
            &s.payroll,
            json!({"company_id": s.company, "code": "住房", "name": "x", "kind": "earning", "category": "allowance"}),
        )
        .await;
    assert_eq!((r.status, r.code()), (StatusCode::UNPROCESSABLE_ENTITY, "validation_failed"));
    let patched = app
        .call(
            Method::PATCH,
            &format!("/api/v1/payroll/components/{}", created["id"].as_str().unwrap()),
            Some(&s.payroll),
            Some(json!({"name": "住房补助", "active": false})),
        )
        .await
        .expect(StatusCode::OK);
    assert_eq!((patched.body["name"].as_str(), patched.body["active"].as_bool()), (Some("住房补助"), Some(false)));

    let bad = json!({"company_id": s.company, "code": "SALES", "name": "销售岗", "valid_from": "2026-01-01",
                     "items": [{"component_code": "BASE", "source": "fixed"},
                               {"component_code": "BONUS", "source": "formula", "formula": "base * "}]});
    let r = app.post("/api/v1/payroll/structures", &s.payroll, bad).await;
    assert_eq!((r.status, r.code()), (StatusCode::UNPROCESSABLE_ENTITY, "formula_invalid"), "{}", r.body);
    assert!(r.body["error"]["fields"]["items[1].formula"].is_array(), "{}", r.body);
    let good = json!({"company_id": s.company, "code": "SALES", "name": "销售岗", "valid_from": "2026-01-01",
                      "items": [{"component_code": "BASE", "source": "fixed"},
                                {"component_code": "BONUS", "source": "formula", "formula": "round(base * 0.1)"}]});
    let st = post_ok(&app, &s.payroll, "/api/v1/payroll/structures", good).await;
    let id = st["id"].as_str().unwrap();
    let r = app
        .call(
            Method::PATCH,
            &format!("/api/v1/payroll/structures/{id}"),
            Some(&s.payroll),
            Some(json!({"name": "销售", "version": 7})),
        )
        .await;
    assert_eq!((r.status, r.code()), (StatusCode::CONFLICT, "payroll_conflict"));
    let r = app
        .call(
            Method::PATCH,
            &format!("/api/v1/payroll/structures/{id}"),
            Some(&s.payroll),
            Some(json!({"name": "销售", "version": 1})),
        )
        .await
        .expect(StatusCode::OK);
    assert_eq!(r.body["version"], 2);

    // SI: the built-in policies and the calculator.
    let policies = app.get("/api/v1/payroll/si-policies", &s.payroll).await.expect(StatusCode::OK);
    assert!(policies.body.as_array().unwrap().iter().any(|p| p["city"] == "shanghai"));
    let preview = app
        .post(
            "/api/v1/payroll/si-preview",
            &s.payroll,
            json!({"city": "beijing", "month": "2025-07", "si_base": "5000"}),
        )
        .await
        .expect(StatusCode::OK);
    assert!(!preview.body["lines"].as_array().unwrap().is_empty());
    assert_eq!(
        dec(&preview.body["employee_total"]),
        dec(&preview.body["employee_si"]) + dec(&preview.body["employee_hf"])
    );
    let r = app
        .post(
            "/api/v1/payroll/si-preview",
            &s.payroll,
            json!({"city": "atlantis", "month": "2025-07", "si_base": "5000"}),
        )
        .await;
    assert_eq!((r.status, r.code()), (StatusCode::NOT_FOUND, "si_policy_not_found"));

    // Tax profile and adjustments.
    let tp = app
        .call(
            Method::PUT,
            &format!("/api/v1/employees/{}/tax-profile/2026", s.e001),
            Some(&s.payroll),
            Some(json!({"rule": "first_job_2020_13"})),
        )
        .await
        .expect(StatusCode::OK);
    assert_eq!(tp.body["rule"], "first_job_2020_13");
    let tp = app.get(&format!("/api/v1/employees/{}/tax-profile/2026", s.e001), &s.hr).await.expect(StatusCode::OK);
    assert_eq!(tp.body["rule"], "first_job_2020_13");
    let adj = post_ok(
        &app,
        &s.payroll,
        "/api/v1/payroll/adjustments",
        json!({"employee_id": s.e001, "period": "2026-03", "component_code": "BONUS", "amount": "1000", "reason": "项目奖"}),
    )
    .await;
    let list = app
        .get(&format!("/api/v1/payroll/adjustments?company_id={}&period=2026-03", s.company), &s.payroll)
        .await
        .expect(StatusCode::OK);
    assert_eq!(list.body["total"], 1);
    let cancelled = app
        .post(&format!("/api/v1/payroll/adjustments/{}/cancel", adj["id"].as_str().unwrap()), &s.payroll, json!({}))
        .await
        .expect(StatusCode::OK);
    assert_eq!(cancelled.body["status"], "cancelled");
    // An employee sees no runs and none of the company's adjustments but their own.
    let runs = app.get("/api/v1/pay-runs", &s.emp).await.expect(StatusCode::OK);
    assert_eq!(runs.body["total"], 0);
    let list = app.get("/api/v1/payroll/adjustments?period=2026-03", &s.emp2).await.expect(StatusCode::OK);
    assert_eq!(list.body["items"], json!([]));
    let r = app
        .post(
            "/api/v1/pay-runs",
            &s.payroll,
            json!({"company_id": s.company, "period": "2026-13", "pay_date": "2026-03-10"}),
        )
        .await;
    assert_eq!((r.status, r.code()), (StatusCode::UNPROCESSABLE_ENTITY, "validation_failed"));
    create_run(&app, &s.payroll, &s.company, "2026-02", "2026-03-10").await;
    let r = app
        .post(
            "/api/v1/pay-runs",
            &s.payroll,
            json!({"company_id": s.company, "period": "2026-02", "pay_date": "2026-03-10"}),
        )
        .await;
    assert_eq!((r.status, r.code()), (StatusCode::CONFLICT, "duplicate_pay_run"));
}

mod sqlite {
    use super::*;

    #[tokio::test]
    async fn pay_run_lifecycle() {
        super::pay_run_lifecycle(TestDb::sqlite().await).await;
    }

    #[tokio::test]
    async fn inbox_approval_and_the_handlers_own_refusal() {
        super::inbox_approval_and_the_handlers_own_refusal(TestDb::sqlite().await).await;
    }
}

mod postgres {
    use super::*;

    #[tokio::test]
    async fn pay_run_lifecycle() {
        super::pay_run_lifecycle(TestDb::postgres().await).await;
    }
}
