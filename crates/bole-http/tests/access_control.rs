//! Access control through the real router, on SQLite and PostgreSQL:
//! - the route × role matrix, generated from the router's own OpenAPI document:
//!   every route has a policy, and every built-in role gets exactly the answer the
//!   policy table and the role table predict;
//! - IDOR: an employee reads only their own record, a manager only their direct
//!   reports, an HRBP only their subtrees — by id, in lists and in writes;
//! - masking by clearance and the audited reveal.
#![expect(clippy::unwrap_used, reason = "tests")]

mod common;

use axum::http::{Method, StatusCode};
use bole_access::policy::{Reach, role_permissions};
use bole_core::{DataScope, EmployeeId, OrgUnitId, Role};
use bole_http::policy::{RoutePolicy, operations, policy_of, uncovered};
use bole_testkit::TestDb;
use common::{Reply, TestApp};
use serde_json::{Value, json};
use std::collections::BTreeMap;
use uuid::Uuid;

/// A valid GB 11643 number from a 17-digit body.
fn id_number(body17: &str) -> String {
    const W: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
    let sum: u32 = body17.chars().zip(W).map(|(c, w)| c.to_digit(10).unwrap() * w).sum();
    let check = b"10X98765432"[(sum % 11) as usize] as char;
    format!("{body17}{check}")
}

struct Org {
    company: String,
    unit_a: String,
    unit_a1: String,
    unit_b: String,
    mgr: String,
    emp_a: String,
    emp_c: String,
    emp_b: String,
}

async fn post_ok(app: &TestApp, token: &str, uri: &str, body: Value) -> String {
    let r = app.post(uri, token, body).await;
    assert_eq!(r.status, StatusCode::CREATED, "{uri}: {}", r.body);
    r.body["id"].as_str().or(r.body["employee"]["id"].as_str()).unwrap().to_string()
}

fn hire(company: &str, unit: &str, no: &str, seq: u32, manager: Option<&str>) -> Value {
    json!({
        "company_id": company, "employee_no": no, "name": format!("员工{no}"),
        "id_number": id_number(&format!("11010519900101{:03}", seq)),
        "phone": format!("1381234{:04}", seq),
        "hire_date": "2025-03-01", "probation_months": 3,
        "job": {"org_unit_id": unit, "employment_type": "full_time", "quota_category": "合同制", "manager_id": manager}
    })
}

/// HQ → A → A1, HQ → B; mgr in A manages emp_a in A1; emp_c in A has no manager; emp_b in B.
async fn build_org(app: &TestApp) -> Org {
    let hr = app.login().await;
    let company =
        post_ok(app, &hr, "/api/v1/companies", json!({"code":"BL","name":"伯乐科技","kind":"enterprise"})).await;
    let unit = |code: &str, parent: Option<&str>| {
        json!({"company_id": company, "code": code, "name": format!("{code}部"),
               "kind": if parent.is_none() {"headquarters"} else {"department"},
               "parent_id": parent, "effective_date": "2020-01-01"})
    };
    let hq = post_ok(app, &hr, "/api/v1/org-units", unit("HQ", None)).await;
    let unit_a = post_ok(app, &hr, "/api/v1/org-units", unit("A", Some(&hq))).await;
    let unit_a1 = post_ok(app, &hr, "/api/v1/org-units", unit("A1", Some(&unit_a))).await;
    let unit_b = post_ok(app, &hr, "/api/v1/org-units", unit("B", Some(&hq))).await;
    let mgr = post_ok(app, &hr, "/api/v1/employees", hire(&company, &unit_a, "M001", 1, None)).await;
    let emp_a = post_ok(app, &hr, "/api/v1/employees", hire(&company, &unit_a1, "E001", 2, Some(&mgr))).await;
    let emp_c = post_ok(app, &hr, "/api/v1/employees", hire(&company, &unit_a, "E002", 3, None)).await;
    let emp_b = post_ok(app, &hr, "/api/v1/employees", hire(&company, &unit_b, "E003", 4, None)).await;
    Org { company, unit_a, unit_a1, unit_b, mgr, emp_a, emp_c, emp_b }
}

fn eid(s: &str) -> EmployeeId {
    EmployeeId(Uuid::parse_str(s).unwrap())
}

fn uid(s: &str) -> OrgUnitId {
    OrgUnitId(Uuid::parse_str(s).unwrap())
}

/// The account each built-in role is tested with, and its grant.
fn grants_for(role: Role, org: &Org) -> (Option<EmployeeId>, Vec<bole_access::RoleGrant>) {
    use bole_access::RoleGrant as G;
    match role {
        Role::Employee => (Some(eid(&org.emp_a)), vec![G::builtin(Role::Employee, DataScope::Own)]),
        Role::Manager => (
            Some(eid(&org.mgr)),
            vec![G::builtin(Role::Employee, DataScope::Own), G::builtin(Role::Manager, DataScope::DirectReports)],
        ),
        Role::Hrbp => (None, vec![G::builtin(Role::Hrbp, DataScope::Subtrees { units: vec![uid(&org.unit_a)] })]),
        other => (None, vec![G::builtin(other, DataScope::All)]),
    }
}

/// What the policy and role tables predict for an account holding these roles.
fn expected_allow(roles: &[Role], policy: RoutePolicy) -> bool {
    let held = |p: &bole_core::Permission| roles.iter().any(|r| role_permissions(*r).iter().any(|(perm, _)| perm == p));
    match policy {
        RoutePolicy::Public | RoutePolicy::SignedIn => true,
        RoutePolicy::Requires(p) => held(&p),
        RoutePolicy::AnyOf(ps) => ps.iter().any(held),
    }
}

/// Fill path parameters with values of the right shape (random ids: the matrix tests the
/// route policy, not the data).
fn concrete(path: &str) -> String {
    let mut out = String::new();
    let mut rest = path;
    while let Some(open) = rest.find('{') {
        out.push_str(&rest[..open]);
        let close = rest[open..].find('}').unwrap() + open;
        let name = &rest[open + 1..close];
        out.push_str(&match name {
            "number" => "11010519491231002X".to_string(),
            "key" | "name" => "gender".to_string(),
            "version" => "1".to_string(),
            _ => Uuid::now_v7().to_string(),
        });
        rest = &rest[close + 1..];
    }
    out.push_str(rest);
    out
}

async fn call(app: &TestApp, method: &str, uri: &str, token: &str) -> Reply {
    let m = Method::from_bytes(method.as_bytes()).unwrap();
    let body = if matches!(method, "POST" | "PUT" | "PATCH") { Some(json!({})) } else { None };
    app.call(m, uri, Some(token), body).await
}

async fn route_role_matrix(app: TestApp) {
    let org = build_org(&app).await;
    let doc = bole_http::openapi();
    assert_eq!(uncovered(&doc), Vec::<String>::new(), "every route needs a policy in bole_http::policy::ROUTES");

    let mut routes: Vec<(String, &'static str)> = Vec::new();
    for (path, item) in &doc.paths.paths {
        for m in operations(item) {
            routes.push((path.clone(), m));
        }
    }
    // Ending sessions last: logout would end the role's session for the rest.
    routes.sort_by_key(|(p, m)| (p.contains("logout") || p.contains("sessions") || *m == "DELETE", p.clone()));

    let mut table = String::from("| route | ");
    table.push_str(&Role::ALL.iter().map(|r| r.as_str()).collect::<Vec<_>>().join(" | "));
    table.push_str(" |\n|---|");
    table.push_str(&"---|".repeat(Role::ALL.len()));
    table.push('\n');
    let mut rows: BTreeMap<String, Vec<&str>> = BTreeMap::new();
    let mut checked = 0usize;
    for role in Role::ALL {
        let username = format!("matrix.{}", role.as_str());
        let (emp, grants) = grants_for(role, &org);
        let held: Vec<Role> = grants.iter().filter_map(|g| Role::parse(&g.role)).collect();
        app.add_user(&username, emp, grants).await;
        let mut token = app.login_as(&username).await;
        for (path, method) in &routes {
            let policy = policy_of(method, path).unwrap();
            let allow = expected_allow(&held, policy);
            let uri = if path.starts_with("/api/") || path == "/healthz" || path == "/readyz" {
                concrete(path)
            } else {
                format!("/api/v1{}", concrete(path))
            };
            let mut r = call(&app, method, &uri, &token).await;
            if r.status == StatusCode::UNAUTHORIZED && policy != RoutePolicy::Public {
                // An earlier call (logout, revoke) ended the session: sign in again.
                token = app.login_as(&username).await;
                r = call(&app, method, &uri, &token).await;
            }
            let refused = r.status == StatusCode::FORBIDDEN && r.code() == "forbidden";
            assert_eq!(
                !refused,
                allow,
                "{method} {path} as {}: expected {}, got {} {}",
                role.as_str(),
                if allow { "allow" } else { "deny" },
                r.status,
                r.body
            );
            assert_ne!(r.status, StatusCode::INTERNAL_SERVER_ERROR, "{method} {path} as {}: {}", role.as_str(), r.body);
            rows.entry(format!("{method} {path}")).or_default().push(if allow { "✓" } else { "·" });
            checked += 1;
        }
    }
    assert_eq!(checked, routes.len() * Role::ALL.len());
    for (route, marks) in &rows {
        table.push_str(&format!("| `{route}` | {} |\n", marks.join(" | ")));
    }
    if app.db.engine == bole_store::Engine::Sqlite {
        insta::assert_snapshot!("route_role_matrix", table);
    }
}

async fn idor_and_scopes(app: TestApp) {
    let org = build_org(&app).await;
    let (e, g) = grants_for(Role::Employee, &org);
    app.add_user("emp", e, g).await;
    let (e, g) = grants_for(Role::Manager, &org);
    app.add_user("mgr", e, g).await;
    let (e, g) = grants_for(Role::Hrbp, &org);
    app.add_user("hrbp", e, g).await;
    let (e, g) = grants_for(Role::SystemAdmin, &org);
    app.add_user("sysadmin", e, g).await;
    let emp = app.login_as("emp").await;
    let mgr = app.login_as("mgr").await;
    let hrbp = app.login_as("hrbp").await;
    let sysadmin = app.login_as("sysadmin").await;
    let status = |r: Reply| r.status;

    // Employee: own record only, masked; others do not exist for them.
    let own = app.get(&format!("/api/v1/employees/{}", org.emp_a), &emp).await.expect(StatusCode::OK);
    let shown = own.body["id_number"].as_str().unwrap_or_else(|| panic!("{}", own.body));
    assert!(shown.starts_with("110105") && shown.contains("********"), "{shown}");
    assert_eq!(own.body["phone"], "138****0002");
    for other in [&org.emp_b, &org.emp_c, &org.mgr] {
        for suffix in ["", "/events", "/timeline", "/assignments", "/contracts"] {
            let r = app.get(&format!("/api/v1/employees/{other}{suffix}"), &emp).await;
            assert_eq!((r.status, r.code()), (StatusCode::NOT_FOUND, "employee_not_found"), "{suffix}: {}", r.body);
        }
    }
    let list = app.get("/api/v1/employees", &emp).await.expect(StatusCode::OK);
    assert_eq!(list.body["total"], 1);
    assert_eq!(list.body["items"][0]["id"], org.emp_a.as_str());
    // The employee may reveal their own data, not anyone else's.
    let rev = app.post(&format!("/api/v1/employees/{}/reveal", org.emp_a), &emp, json!({"fields":["id_number"]})).await;
    assert_eq!(rev.status, StatusCode::OK, "{}", rev.body);
    assert_eq!(rev.body["fields"]["id_number"], id_number("11010519900101002"));
    assert_eq!(rev.headers["cache-control"], "no-store");
    let rev = app.post(&format!("/api/v1/employees/{}/reveal", org.emp_b), &emp, json!({"fields":["id_number"]})).await;
    assert_eq!(rev.status, StatusCode::NOT_FOUND);
    let bad =
        app.post(&format!("/api/v1/employees/{}/reveal", org.emp_a), &emp, json!({"fields":["salary_secret"]})).await;
    assert_eq!((bad.status, bad.code()), (StatusCode::UNPROCESSABLE_ENTITY, "validation_failed"));
    // …and cannot write anything.
    let w = app
        .post(
            &format!("/api/v1/employees/{}/events", org.emp_a),
            &emp,
            json!({"type":"confirm","effective_date":"2025-06-01"}),
        )
        .await;
    assert_eq!((w.status, w.code()), (StatusCode::FORBIDDEN, "forbidden"));

    // Manager: self and direct reports; not a colleague in the same unit, not another unit.
    for (who, ok) in [(&org.mgr, true), (&org.emp_a, true), (&org.emp_c, false), (&org.emp_b, false)] {
        let r = app.get(&format!("/api/v1/employees/{who}"), &mgr).await;
        assert_eq!(r.status, if ok { StatusCode::OK } else { StatusCode::NOT_FOUND }, "manager → {who}");
    }
    assert_eq!(app.get("/api/v1/employees", &mgr).await.body["total"], 2);
    assert_eq!(
        status(app.get(&format!("/api/v1/employees/{}/contracts", org.emp_a), &mgr).await),
        StatusCode::NOT_FOUND,
        "a manager reads only their own contracts, not their reports'"
    );

    // HRBP of subtree A: A and A1 people, not B; writes stay inside the subtree.
    for (who, ok) in [(&org.mgr, true), (&org.emp_a, true), (&org.emp_c, true), (&org.emp_b, false)] {
        let r = app.get(&format!("/api/v1/employees/{who}"), &hrbp).await;
        assert_eq!(r.status, if ok { StatusCode::OK } else { StatusCode::NOT_FOUND }, "hrbp → {who}");
    }
    assert_eq!(app.get("/api/v1/employees", &hrbp).await.body["total"], 3);
    let list_b = app.get(&format!("/api/v1/employees?org_unit_id={}", org.unit_b), &hrbp).await;
    assert_eq!(list_b.body["total"], 0, "filtering on another subtree shows nobody");
    let into_b = app.post("/api/v1/employees", &hrbp, hire(&org.company, &org.unit_b, "E010", 10, None)).await;
    assert_eq!(into_b.status, StatusCode::FORBIDDEN, "{}", into_b.body);
    let into_a1 = app.post("/api/v1/employees", &hrbp, hire(&org.company, &org.unit_a1, "E011", 11, None)).await;
    assert_eq!(into_a1.status, StatusCode::CREATED, "{}", into_a1.body);
    let move_out = app
        .post(
            &format!("/api/v1/employees/{}/events", org.emp_c),
            &hrbp,
            json!({"type":"transfer","org_unit_id": org.unit_b,"effective_date":"2026-04-01"}),
        )
        .await;
    assert_eq!(move_out.status, StatusCode::FORBIDDEN, "{}", move_out.body);
    let write_b = app
        .post(
            &format!("/api/v1/employees/{}/events", org.emp_b),
            &hrbp,
            json!({"type":"confirm","effective_date":"2025-06-01"}),
        )
        .await;
    assert_eq!(write_b.status, StatusCode::NOT_FOUND);
    let export = app.get(&format!("/api/v1/employees/export?company_id={}", org.company), &hrbp).await;
    assert_eq!(export.status, StatusCode::OK);

    // The HR administrator sees everyone, masked; 三员: the system administrator sees nobody.
    let hr = app.login().await;
    let all = app.get("/api/v1/employees", &hr).await.expect(StatusCode::OK);
    assert_eq!(all.body["total"], 5);
    assert!(all.body["items"].as_array().unwrap().iter().all(|e| e["phone"].as_str().unwrap().contains("****")));
    let r = app.get("/api/v1/employees", &sysadmin).await;
    assert_eq!((r.status, r.code()), (StatusCode::FORBIDDEN, "forbidden"));
    let r = app.get(&format!("/api/v1/employees/{}", org.emp_a), &sysadmin).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    let _ = (&org.unit_a1, Reach::Own);

    // The trail: reveals name the fields, never the values; refusals are recorded as denied.
    let (e, g) = grants_for(Role::Auditor, &org);
    app.add_user("auditor", e, g).await;
    let auditor = app.login_as("auditor").await;
    let reveals = app.get("/api/v1/audit/records?action=employee.reveal", &auditor).await.expect(StatusCode::OK);
    let text = reveals.body.to_string();
    assert!(reveals.body["items"].as_array().is_some_and(|a| !a.is_empty()), "{text}");
    assert!(text.contains("id_number") && !text.contains(&id_number("11010519900101002")), "{text}");
    let denied = app.get("/api/v1/audit/records?outcome=denied", &auditor).await.expect(StatusCode::OK);
    assert!(denied.body["items"].as_array().is_some_and(|a| a.len() >= 3), "{}", denied.body);
    let writes = app.get("/api/v1/audit/records?action=employee.onboard", &auditor).await.expect(StatusCode::OK);
    assert!(writes.body["items"].as_array().is_some_and(|a| a.len() >= 5), "{}", writes.body);
    // Only the auditor reads the trail.
    assert_eq!(app.get("/api/v1/audit/records", &hr).await.status, StatusCode::FORBIDDEN);
    assert_eq!(app.get("/api/v1/audit/records", &sysadmin).await.status, StatusCode::FORBIDDEN);
}

/// A subtree grant follows the effective-dated org: a unit moved under the granted
/// subtree is covered once the move is in force.
async fn subtree_follows_org_changes(app: TestApp) {
    let org = build_org(&app).await;
    let (e, g) = grants_for(Role::Hrbp, &org);
    app.add_user("hrbp", e, g).await;
    let hrbp = app.login_as("hrbp").await;
    let hr = app.login().await;
    assert_eq!(app.get(&format!("/api/v1/employees/{}", org.emp_b), &hrbp).await.status, StatusCode::NOT_FOUND);
    // B moves under A today (the test clock's today is 2026-03-02).
    let mv = app
        .post(
            &format!("/api/v1/org-units/{}/changes", org.unit_b),
            &hr,
            json!({"type":"move","new_parent_id": org.unit_a,"effective_date": common::TODAY}),
        )
        .await;
    assert_eq!(mv.status, StatusCode::CREATED, "{}", mv.body);
    assert_eq!(app.get(&format!("/api/v1/employees/{}", org.emp_b), &hrbp).await.status, StatusCode::OK);
}

macro_rules! on_both {
    ($($name:ident),* $(,)?) => {$(
        mod $name {
            #[tokio::test]
            async fn sqlite() {
                super::$name(super::TestApp::new(super::TestDb::sqlite().await).await).await
            }
            #[tokio::test]
            async fn postgres() {
                super::$name(super::TestApp::new(super::TestDb::postgres().await).await).await
            }
        }
    )*};
}

on_both!(route_role_matrix, idor_and_scopes, subtree_follows_org_changes);
