//! Conformance suite for the workflow ports (WorkflowStore, Directory) and the in-transaction
//! transition writer, through the service so the engine and the adapter are exercised together.
//! Every test runs on SQLite and on PostgreSQL.
#![expect(clippy::unwrap_used, reason = "tests")]

use async_trait::async_trait;
use bole_access::{AccountService, NewUser, RoleGrant};
use bole_core::{Actor, CompanyId, EmployeeId, Failure, FixedClock, OrgUnitId, PageRequest, Role, UserId};
use bole_org::*;
use bole_people::*;
use bole_testkit::{TestDb, admin, both_engines, d};
use bole_workflow::engine::{self, Ctx};
use bole_workflow::notify::{OutboundMessage, SendError, Sender};
use bole_workflow::*;
use chrono::TimeDelta;
use serde_json::json;
use std::collections::HashSet;
use std::sync::{Arc, Mutex};

struct Fx {
    wf: WorkflowService,
    store: Arc<bole_store::SqlStore>,
    clock: Arc<FixedClock>,
    rd: OrgUnitId,
    company: CompanyId,
    staff: EmployeeId,
    staff_user: Actor,
    manager_user: Actor,
    director_user: Actor,
    deputy_user: Actor,
}

fn person(
    no: &str,
    name: &str,
    id: &str,
    unit: OrgUnitId,
    company: CompanyId,
    manager: Option<EmployeeId>,
) -> NewEmployee {
    NewEmployee {
        company_id: company,
        employee_no: no.into(),
        person: PersonalData {
            name: name.into(),
            id_number: id.into(),
            email: Some(format!("{no}@example.cn")),
            ..Default::default()
        },
        hire_date: d("2024-03-01"),
        job: JobPlacement {
            org_unit_id: unit,
            position_id: None,
            manager_id: manager,
            employment_type: EmploymentType::FullTime,
            quota_category: "合同制".into(),
            work_location: None,
        },
        probation_months: 0,
        educations: vec![],
        contacts: vec![],
    }
}

fn as_actor(u: &bole_access::User) -> Actor {
    // Plain accounts: approvals need no permission, only taking part.
    Actor {
        user_id: u.id,
        username: u.username.clone(),
        employee_id: u.employee_id,
        access: Arc::new(bole_core::AccessMap::default()),
        ..Actor::system()
    }
}

/// 总部 (director, head of 研发部) ← 研发部: manager (reports to director) ← staff; deputy in 研发部.
async fn fixture(t: &TestDb) -> Fx {
    let clock = bole_testkit::clock_on("2026-03-02");
    let org = OrgService::new(t.store.clone(), clock.clone());
    let people = PeopleService::new(t.store.clone(), t.store.clone(), t.store.clone(), clock.clone());
    let accounts = AccountService::new(t.store.clone(), clock.clone());
    let a = admin();
    let company = org
        .create_company(
            &a,
            NewCompany { code: "BL".into(), name: "伯乐".into(), kind: CompanyKind::Enterprise, credit_code: None },
        )
        .await
        .unwrap()
        .id;
    let unit = |code: &str, name: &str, parent: Option<OrgUnitId>| NewOrgUnit {
        company_id: company,
        code: code.into(),
        name: name.into(),
        kind: if parent.is_none() { UnitKind::Headquarters } else { UnitKind::Department },
        parent_id: parent,
        effective_date: d("2020-01-01"),
    };
    let hq = org.create_unit(&a, unit("HQ", "总部", None)).await.unwrap().id;
    let rd = org.create_unit(&a, unit("RD", "研发部", Some(hq))).await.unwrap().id;
    let on = |x: NewEmployee| {
        let people = people.clone();
        let a = a.clone();
        async move { people.onboard(&a, x).await.unwrap().employee.id }
    };
    let director = on(person("E1", "赵总", "11010519491231002X", hq, company, None)).await;
    let manager = on(person("E2", "钱经理", "440524188001010014", rd, company, Some(director))).await;
    let staff = on(person("E3", "孙员工", "110101199003070011", rd, company, Some(manager))).await;
    let deputy = on(person("E4", "李副手", "450102200001011237", rd, company, Some(manager))).await;
    let user = |name: &str, e: EmployeeId, role: Role| {
        let accounts = accounts.clone();
        let name = name.to_string();
        async move {
            as_actor(
                &accounts
                    .bootstrap_user(NewUser {
                        username: name,
                        password: "Bole-Test-2026!x".into(),
                        employee_id: Some(e),
                        grants: vec![RoleGrant::builtin(role, bole_access::policy::default_scope(role))],
                    })
                    .await
                    .unwrap(),
            )
        }
    };
    let staff_user = user("staff", staff, Role::Employee).await;
    let manager_user = user("manager", manager, Role::Manager).await;
    let director_user = user("director", director, Role::Manager).await;
    let deputy_user = user("deputy", deputy, Role::Employee).await;
    let wf = WorkflowService::new(t.store.clone(), t.store.clone(), clock.clone());
    wf.set_unit_head(&a, rd, SetUnitHead { employee_id: Some(director), valid_from: d("2020-01-01") }).await.unwrap();
    Fx { wf, store: t.store.clone(), clock, rd, company, staff, staff_user, manager_user, director_user, deputy_user }
}

fn leave(fx: &Fx, days: u32) -> Submission {
    Submission {
        doc: DocumentRef { doc_type: "leave".into(), doc_id: uuid::Uuid::now_v7(), subject: fx.staff },
        requester: fx.staff_user.user_id,
        fields: json!({"days": days}),
        title: format!("年假 {days} 天"),
    }
}

async fn inbox(fx: &Fx, who: &Actor) -> Vec<InboxItem> {
    fx.wf.inbox(who, PageRequest::default()).await.unwrap().items
}

async fn leave_passes_manager_then_unit_head(t: TestDb) {
    let fx = fixture(&t).await;
    let sub = leave(&fx, 5);
    let doc = sub.doc.clone();
    let tr = fx.wf.plan_start(&fx.staff_user, sub).await.unwrap();
    assert_eq!(tr.status, InstanceStatus::Pending);
    fx.store.commit(&tr).await.unwrap();
    // A second start of the same document loses.
    assert!(matches!(fx.store.commit(&tr).await, Err(WorkflowError::Conflict)));

    let items = inbox(&fx, &fx.manager_user).await;
    assert_eq!(items.len(), 1);
    assert_eq!(items[0].subject_name, "孙员工");
    assert_eq!(items[0].step_name, "直属上级审批");
    assert!(inbox(&fx, &fx.director_user).await.is_empty());

    // Someone else's task is not found; reject without a comment is invalid.
    let task = items[0].task_id;
    let e = fx.wf.decide(&fx.deputy_user, task, Decision { action: DecisionAction::Approve, comment: None }).await;
    assert!(matches!(e, Err(WorkflowError::NotFound)), "{e:?}");
    let e = fx.wf.decide(&fx.manager_user, task, Decision { action: DecisionAction::Reject, comment: None }).await;
    assert_eq!(e.unwrap_err().code(), "validation_failed");

    let v = fx
        .wf
        .decide(&fx.manager_user, task, Decision { action: DecisionAction::Approve, comment: Some("同意".into()) })
        .await
        .unwrap();
    assert_eq!(v.status, InstanceStatus::Pending);
    let again = fx.wf.decide(&fx.manager_user, task, Decision { action: DecisionAction::Approve, comment: None }).await;
    assert_eq!(again.unwrap_err().code(), "task_closed");
    let head_task = inbox(&fx, &fx.director_user).await[0].task_id;
    let v = fx
        .wf
        .decide(&fx.director_user, head_task, Decision { action: DecisionAction::Approve, comment: None })
        .await
        .unwrap();
    assert_eq!(v.status, InstanceStatus::Approved);
    assert!(v.closed_at.is_some());
    let actions: Vec<HistoryAction> = v.history.iter().map(|h| h.action).collect();
    assert_eq!(
        actions,
        vec![HistoryAction::Submitted, HistoryAction::Approved, HistoryAction::Approved, HistoryAction::Completed]
    );
    assert_eq!(v.history[1].text, "钱经理 审批通过：同意");

    // Reads: the requester and the approvers see it, the deputy does not.
    assert!(fx.wf.instance_of(&fx.staff_user, &doc).await.unwrap().is_some());
    assert!(fx.wf.instance_of(&fx.deputy_user, &doc).await.unwrap().is_none());
    assert_eq!(fx.wf.done(&fx.manager_user, PageRequest::default()).await.unwrap().total, 1);
    assert_eq!(
        fx.wf.mine(&fx.staff_user, PageRequest::default()).await.unwrap().items[0].status,
        InstanceStatus::Approved
    );
    let notes = fx.wf.notifications(&fx.staff_user, PageRequest::default()).await.unwrap();
    assert_eq!(notes.items[0].kind, "approved");
    assert_eq!(fx.wf.unread_count(&fx.staff_user).await.unwrap(), 1);
    fx.wf.mark_read(&fx.staff_user, notes.items[0].id).await.unwrap();
    assert_eq!(fx.wf.unread_count(&fx.staff_user).await.unwrap(), 0);
    assert!(matches!(
        fx.wf.mark_read(&fx.manager_user, notes.items[0].id).await,
        Err(WorkflowError::NotificationNotFound)
    ));
}

async fn stale_decisions_conflict_and_failing_effects_roll_back(t: TestDb) {
    let fx = fixture(&t).await;
    let sub = leave(&fx, 1);
    let doc = sub.doc.clone();

    // A failing effect on submission leaves nothing behind.
    let tr = fx.wf.plan_start(&fx.staff_user, sub.clone()).await.unwrap();
    assert!(
        fx.store
            .commit_transition_with(
                &tr,
                Box::new(|_tx| Box::pin(async { Err(WorkflowError::Storage("effect failed".into())) }))
            )
            .await
            .is_err()
    );
    assert!(fx.store.instance_state_of("leave", doc.doc_id).await.unwrap().is_none());
    assert!(inbox(&fx, &fx.manager_user).await.is_empty());
    assert_eq!(fx.wf.unread_count(&fx.manager_user).await.unwrap(), 0);

    fx.store.commit_transition_with(&tr, Box::new(|_tx| Box::pin(async { Ok(()) }))).await.unwrap();
    let state = fx.store.instance_state_of("leave", doc.doc_id).await.unwrap().unwrap();
    assert_eq!(state.version, 1);
    let task = state.tasks[0].id;

    // Two decisions planned against the same version: the second one conflicts.
    let excluded: HashSet<UserId> = [fx.staff_user.user_id].into_iter().collect();
    let routing = NotifyRouting::default();
    let ctx =
        Ctx { now: fx.clock.now, today: d("2026-03-02"), routing: &routing, delegations: &[], excluded: &excluded };
    let approve = Decision { action: DecisionAction::Approve, comment: None };
    let a = engine::decide(&fx.manager_user, &state, task, &approve, ctx).unwrap();
    let b = engine::decide(
        &fx.manager_user,
        &state,
        task,
        &Decision { action: DecisionAction::Return, comment: Some("x".into()) },
        ctx,
    )
    .unwrap();
    assert_eq!(a.status, InstanceStatus::Approved);

    // The final approval's effect fails: the decision is rolled back with it.
    assert!(
        fx.store
            .commit_transition_with(
                &a,
                Box::new(|_tx| Box::pin(async { Err(WorkflowError::Storage("effect failed".into())) }))
            )
            .await
            .is_err()
    );
    let after = fx.store.instance_state_of("leave", doc.doc_id).await.unwrap().unwrap();
    assert_eq!((after.status, after.version, after.tasks[0].status), (InstanceStatus::Pending, 1, TaskStatus::Open));

    fx.store.commit(&a).await.unwrap();
    assert!(matches!(fx.store.commit(&b).await, Err(WorkflowError::Conflict)));
    let after = fx.store.instance_state_of("leave", doc.doc_id).await.unwrap().unwrap();
    assert_eq!((after.status, after.version), (InstanceStatus::Approved, 2));
}

async fn delegation_reminders_and_escalation(t: TestDb) {
    let fx = fixture(&t).await;
    // The manager is away: the deputy handles leave approvals.
    let del = fx
        .wf
        .delegate(
            &fx.manager_user,
            NewDelegation {
                delegate_id: fx.deputy_user.user_id,
                valid_from: d("2026-03-01"),
                valid_to: d("2026-03-10"),
                doc_types: Some(vec!["leave".into()]),
            },
        )
        .await
        .unwrap();
    assert_eq!(del.delegate_name, "李副手");
    let tr = fx.wf.plan_start(&fx.staff_user, leave(&fx, 1)).await.unwrap();
    fx.store.commit(&tr).await.unwrap();
    let items = inbox(&fx, &fx.deputy_user).await;
    assert_eq!(items.len(), 1);
    assert_eq!(items[0].on_behalf_of, Some(fx.manager_user.user_id));
    assert_eq!(items[0].on_behalf_of_name.as_deref(), Some("钱经理"));
    let v = fx
        .wf
        .decide(&fx.deputy_user, items[0].task_id, Decision { action: DecisionAction::Approve, comment: None })
        .await
        .unwrap();
    assert_eq!(v.status, InstanceStatus::Approved);
    let approved = v.history.iter().find(|h| h.action == HistoryAction::Approved).unwrap();
    assert_eq!(approved.text, "李副手 代 钱经理 审批通过");
    assert_eq!(approved.on_behalf_of, Some(fx.manager_user.user_id));
    assert_eq!(v.history[1].text, "系统 跳过环节", "one day: no unit-head step");
    fx.wf.end_delegation(&fx.manager_user, del.id).await.unwrap();
    assert!(matches!(fx.wf.end_delegation(&fx.manager_user, del.id).await, Err(WorkflowError::DelegationNotFound)));

    // Overtime: remind after 24 h (once), escalate to the manager's manager after 72 h (once).
    let sub = Submission { doc: DocumentRef { doc_type: "overtime".into(), ..leave(&fx, 1).doc }, ..leave(&fx, 1) };
    let tr = fx.wf.plan_start(&fx.staff_user, sub).await.unwrap();
    fx.store.commit(&tr).await.unwrap();
    let t0 = fx.clock.now;
    assert_eq!(fx.wf.run_timers(t0 + TimeDelta::hours(23)).await.unwrap(), TimerReport::default());
    let r = fx.wf.run_timers(t0 + TimeDelta::hours(25)).await.unwrap();
    assert_eq!(r.reminders, 1);
    assert_eq!(fx.wf.run_timers(t0 + TimeDelta::hours(26)).await.unwrap().reminders, 0, "a reminder is sent once");
    let notes = fx.wf.notifications(&fx.manager_user, PageRequest::default()).await.unwrap();
    assert!(notes.items.iter().any(|n| n.kind == "reminder"));
    let r = fx.wf.run_timers(t0 + TimeDelta::hours(73)).await.unwrap();
    assert_eq!((r.escalations, r.reminders), (1, 0));
    assert_eq!(fx.wf.run_timers(t0 + TimeDelta::hours(74)).await.unwrap().escalations, 0, "escalated once");
    let boss = inbox(&fx, &fx.director_user).await;
    assert_eq!(boss.len(), 1);
    assert!(inbox(&fx, &fx.manager_user).await.is_empty());
    let v = fx
        .wf
        .decide(&fx.director_user, boss[0].task_id, Decision { action: DecisionAction::Approve, comment: None })
        .await
        .unwrap();
    assert_eq!(v.status, InstanceStatus::Approved);
    assert!(v.history.iter().any(|h| h.action == HistoryAction::Escalated && h.text.contains("原审批人 钱经理")));
}

#[derive(Default)]
struct Recorder {
    sent: Mutex<Vec<OutboundMessage>>,
    fail_first: Mutex<u32>,
}

#[async_trait]
impl Sender for Recorder {
    async fn send(&self, m: &OutboundMessage) -> Result<(), SendError> {
        let mut f = self.fail_first.lock().unwrap();
        if *f > 0 {
            *f -= 1;
            return Err(SendError { reason: "450 mailbox E2@example.cn busy".into(), retry: true });
        }
        self.sent.lock().unwrap().push(m.clone());
        Ok(())
    }
}

async fn outbox_delivers_retries_and_gives_up(t: TestDb) {
    let fx = fixture(&t).await;
    let wf = fx.wf.clone().with_routing(NotifyRouting { email: true, webhooks: vec!["hr-bot".into()] });
    let tr = wf.plan_start(&fx.staff_user, leave(&fx, 1)).await.unwrap();
    fx.store.commit(&tr).await.unwrap();
    let now = fx.clock.now;
    let rec = Recorder { fail_first: Mutex::new(1), ..Default::default() };
    let r = wf.deliver_pending(&rec, now, 100).await.unwrap();
    assert_eq!((r.claimed, r.delivered, r.retried), (2, 1, 1));
    assert_eq!(wf.deliver_pending(&rec, now, 100).await.unwrap().claimed, 0, "the retry waits its backoff");
    let r = wf.deliver_pending(&rec, now + TimeDelta::minutes(2), 100).await.unwrap();
    assert_eq!((r.claimed, r.delivered), (1, 1));
    assert_eq!(wf.deliver_pending(&rec, now + TimeDelta::hours(9), 100).await.unwrap().claimed, 0, "delivered once");
    let sent = rec.sent.lock().unwrap().clone();
    assert_eq!(sent.len(), 2);
    assert!(sent.iter().any(|m| m.channel == notify::Destination::Email { to: "E2@example.cn".into() }));
    assert!(sent.iter().any(|m| m.channel == notify::Destination::Webhook { name: "hr-bot".into() }));
    assert!(sent.iter().all(|m| m.kind == "task_assigned" && m.title.contains("年假 1 天")));

    // A sender that always fails: given up after 8 attempts, the error kept without the address.
    let tr = wf.plan_start(&fx.staff_user, leave(&fx, 2)).await.unwrap();
    fx.store.commit(&tr).await.unwrap();
    let bad = Recorder { fail_first: Mutex::new(1000), ..Default::default() };
    let mut at = now;
    let mut failed = 0;
    for _ in 0..12 {
        failed += wf.deliver_pending(&bad, at, 100).await.unwrap().failed;
        at += TimeDelta::hours(5);
    }
    assert_eq!(failed, 2);
    let err: String = match &t.db {
        bole_store::Db::Sqlite(p) => {
            sqlx::query_scalar("SELECT last_error FROM notification_deliveries WHERE status = 'failed' LIMIT 1")
                .fetch_one(p)
                .await
                .unwrap()
        }
        bole_store::Db::Postgres(p) => {
            sqlx::query_scalar("SELECT last_error FROM notification_deliveries WHERE status = 'failed' LIMIT 1")
                .fetch_one(p)
                .await
                .unwrap()
        }
    };
    assert!(!err.contains('@'), "{err}");
}

async fn custom_definitions_heads_and_unresolved(t: TestDb) {
    let fx = fixture(&t).await;
    let a = admin();
    let def: FlowDefinition = serde_json::from_value(json!({"name": "请假（研发）", "steps": [
        {"name": "会签", "branches": [
            {"name": "经理", "approvers": [{"kind": "direct_manager"}]},
            {"name": "总监", "approvers": [{"kind": "manager_levels_up", "levels": 2}]}
        ]}
    ]}))
    .unwrap();
    let rec = fx
        .wf
        .create_definition(
            &a,
            NewDefinition { company_id: fx.company, doc_type: "leave".into(), definition: def.clone() },
        )
        .await
        .unwrap();
    let again = fx
        .wf
        .create_definition(
            &a,
            NewDefinition { company_id: fx.company, doc_type: "leave".into(), definition: def.clone() },
        )
        .await;
    assert_eq!(again.unwrap_err().code(), "workflow_definition_exists");
    let bad: FlowDefinition = serde_json::from_value(json!({"name": "x", "steps": []})).unwrap();
    let e = fx.wf.update_definition(&a, rec.id, DefinitionUpdate { version: 1, definition: bad }).await.unwrap_err();
    assert!(e.fields().unwrap().0.contains_key("definition.steps"));

    let tr = fx.wf.plan_start(&fx.staff_user, leave(&fx, 1)).await.unwrap();
    assert_eq!(tr.writes.new_tasks.len(), 2, "two parallel branches");
    assert_eq!(tr.writes.instance.definition_version, 1);
    fx.store.commit(&tr).await.unwrap();

    // A new version does not change the running instance.
    let single: FlowDefinition = serde_json::from_value(
        json!({"name": "v2", "steps": [{"name": "总监", "approvers": [{"kind": "manager_levels_up", "levels": 2}]}]}),
    )
    .unwrap();
    let v2 = fx.wf.update_definition(&a, rec.id, DefinitionUpdate { version: 1, definition: single }).await.unwrap();
    assert_eq!(v2.version, 2);
    assert_eq!(
        fx.wf.update_definition(&a, rec.id, DefinitionUpdate { version: 1, definition: def }).await.unwrap_err().code(),
        "approval_conflict"
    );
    let state = fx.store.instance_state(tr.instance_id).await.unwrap().unwrap();
    assert_eq!(state.record.definition_version, 1);
    assert_eq!(fx.store.definition_version(rec.id, 1).await.unwrap().unwrap().name, "请假（研发）");

    // Unit heads are effective-dated: clearing from a date closes the period.
    fx.wf.set_unit_head(&a, fx.rd, SetUnitHead { employee_id: None, valid_from: d("2026-01-01") }).await.unwrap();
    let heads = fx.wf.unit_heads(&a, fx.rd).await.unwrap();
    assert_eq!(heads.len(), 1);
    assert_eq!(heads[0].valid_to, Some(d("2026-01-01")));
    let director = heads[0].employee_id;
    fx.wf
        .set_unit_head(&a, fx.rd, SetUnitHead { employee_id: Some(director), valid_from: d("2027-01-01") })
        .await
        .unwrap();
    let e = fx
        .wf
        .set_unit_head(&a, fx.rd, SetUnitHead { employee_id: Some(director), valid_from: d("2026-06-01") })
        .await
        .unwrap_err();
    assert!(e.fields().unwrap().0.contains_key("valid_from"));

    // Nobody resolves and no HR administrator covers the company: a clear refusal.
    let fail: FlowDefinition = serde_json::from_value(json!({"name": "x", "on_unresolved": {"action": "fail"},
        "steps": [{"name": "部门负责人", "approvers": [{"kind": "unit_head", "of": "subject_unit"}]}]}))
    .unwrap();
    fx.wf
        .create_definition(
            &a,
            NewDefinition { company_id: fx.company, doc_type: "punch_correction".into(), definition: fail },
        )
        .await
        .unwrap();
    let sub =
        Submission { doc: DocumentRef { doc_type: "punch_correction".into(), ..leave(&fx, 1).doc }, ..leave(&fx, 1) };
    let e = fx.wf.plan_start(&fx.staff_user, sub).await.unwrap_err();
    assert_eq!(e.code(), "approver_unresolved");
}

/// Role approvers are found by their grant, including role codes with an underscore (`hr_admin`:
/// the text pre-filter once stripped it and never matched) and only when the grant covers the unit.
async fn role_approvers_resolve_by_grant_scope(t: TestDb) {
    let fx = fixture(&t).await;
    let a = admin();
    let accounts = AccountService::new(t.store.clone(), fx.clock.clone());
    let hr = accounts
        .bootstrap_user(NewUser {
            username: "hr".into(),
            password: "Bole-Test-2026!x".into(),
            employee_id: None,
            grants: vec![RoleGrant::builtin(Role::HrAdmin, bole_core::DataScope::All)],
        })
        .await
        .unwrap();
    // An HRBP of another subtree does not cover 研发部.
    let elsewhere = OrgUnitId(uuid::Uuid::now_v7());
    accounts
        .bootstrap_user(NewUser {
            username: "hrbp-other".into(),
            password: "Bole-Test-2026!x".into(),
            employee_id: None,
            grants: vec![RoleGrant::builtin(Role::Hrbp, bole_core::DataScope::Subtrees { units: vec![elsewhere] })],
        })
        .await
        .unwrap();
    let def: FlowDefinition = serde_json::from_value(json!({"name": "人事审批", "on_unresolved": {"action": "fail"},
        "steps": [{"name": "HR", "approvers": [{"kind": "role", "role": "hr_admin", "scope": "subject_unit"}]}]}))
    .unwrap();
    fx.wf
        .create_definition(&a, NewDefinition { company_id: fx.company, doc_type: "leave".into(), definition: def })
        .await
        .unwrap();
    let tr = fx.wf.plan_start(&fx.staff_user, leave(&fx, 1)).await.unwrap();
    let assignees: Vec<UserId> = tr.writes.new_tasks.iter().map(|t| t.assignee).collect();
    assert_eq!(assignees, vec![hr.id]);

    let hrbp: FlowDefinition = serde_json::from_value(json!({"name": "HRBP", "on_unresolved": {"action": "fail"},
        "steps": [{"name": "HRBP", "approvers": [{"kind": "role", "role": "hrbp", "scope": "subject_unit"}]}]}))
    .unwrap();
    fx.wf
        .create_definition(&a, NewDefinition { company_id: fx.company, doc_type: "overtime".into(), definition: hrbp })
        .await
        .unwrap();
    let sub = Submission { doc: DocumentRef { doc_type: "overtime".into(), ..leave(&fx, 1).doc }, ..leave(&fx, 1) };
    assert_eq!(fx.wf.plan_start(&fx.staff_user, sub).await.unwrap_err().code(), "approver_unresolved");

    // A step that resolves to nobody falls back to the HR administrators (looked up only then).
    let fallback: FlowDefinition = serde_json::from_value(json!({"name": "补卡",
        "on_unresolved": {"action": "fallback", "role": "hr_admin"},
        "steps": [{"name": "指定人", "approvers": [{"kind": "user", "user_id": uuid::Uuid::now_v7()}]}]}))
    .unwrap();
    fx.wf
        .create_definition(
            &a,
            NewDefinition { company_id: fx.company, doc_type: "punch_correction".into(), definition: fallback },
        )
        .await
        .unwrap();
    let sub =
        Submission { doc: DocumentRef { doc_type: "punch_correction".into(), ..leave(&fx, 1).doc }, ..leave(&fx, 1) };
    let tr = fx.wf.plan_start(&fx.staff_user, sub).await.unwrap();
    assert_eq!(tr.writes.new_tasks.iter().map(|t| t.assignee).collect::<Vec<_>>(), vec![hr.id]);
}

both_engines!(
    role_approvers_resolve_by_grant_scope,
    leave_passes_manager_then_unit_head,
    stale_decisions_conflict_and_failing_effects_roll_back,
    delegation_reminders_and_escalation,
    outbox_delivers_retries_and_gives_up,
    custom_definitions_heads_and_unresolved,
);
