#![expect(clippy::unwrap_used, reason = "tests")]
//! The pure engine: conditions, resolution (skip self, unresolved handling, dedupe), and the
//! transitions of one_of / all_of / parallel steps, reject, return and withdraw.

use bole_core::{Actor, CompanyId, EmployeeId, OrgUnitId, UserId};
use bole_workflow::engine::{self, Ctx, DefinitionPin};
use bole_workflow::*;
use chrono::{NaiveDate, TimeZone, Utc};
use serde_json::json;
use std::collections::HashSet;
use uuid::Uuid;

fn cond(v: serde_json::Value) -> Condition {
    serde_json::from_value(v).unwrap()
}

#[test]
fn conditions_on_document_fields() {
    let f = json!({"days": 3.5, "leave_type": "annual", "nested": {"hours": 2}});
    assert!(engine::eval(&cond(json!({"field": "days", "op": ">", "value": 3})), &f));
    assert!(!engine::eval(&cond(json!({"field": "days", "op": ">", "value": 3.5})), &f));
    assert!(engine::eval(&cond(json!({"field": "days", "op": ">=", "value": 3.5})), &f));
    assert!(engine::eval(&cond(json!({"field": "days", "op": "<", "value": 4})), &f));
    assert!(engine::eval(&cond(json!({"field": "days", "op": "<=", "value": 3.5})), &f));
    assert!(engine::eval(&cond(json!({"field": "days", "op": "==", "value": 3.50})), &f));
    assert!(engine::eval(&cond(json!({"field": "leave_type", "op": "in", "value": ["annual", "sick"]})), &f));
    assert!(!engine::eval(&cond(json!({"field": "leave_type", "op": "in", "value": ["sick"]})), &f));
    assert!(engine::eval(&cond(json!({"field": "leave_type", "op": "!=", "value": "sick"})), &f));
    assert!(engine::eval(&cond(json!({"field": "nested.hours", "op": "==", "value": 2})), &f));
    // A missing field satisfies only `!=`.
    assert!(!engine::eval(&cond(json!({"field": "missing", "op": "==", "value": 1})), &f));
    assert!(engine::eval(&cond(json!({"field": "missing", "op": "!=", "value": 1})), &f));
    let and = cond(
        json!({"and": [{"field": "days", "op": ">", "value": 3}, {"field": "leave_type", "op": "==", "value": "sick"}]}),
    );
    let or = cond(
        json!({"or": [{"field": "days", "op": ">", "value": 3}, {"field": "leave_type", "op": "==", "value": "sick"}]}),
    );
    assert!(!engine::eval(&and, &f));
    assert!(engine::eval(&or, &f));
}

#[test]
fn validation_names_the_offending_fields() {
    let def: FlowDefinition = serde_json::from_value(json!({
        "name": "",
        "on_unresolved": {"action": "fallback"},
        "steps": [
            {"name": "a", "approvers": [{"kind": "manager_levels_up", "levels": 0}]},
            {"name": "b"},
            {"name": "c", "condition": {"field": "t", "op": "in", "value": 1},
             "approvers": [{"kind": "unit_head", "of": "unit"}], "remind_after_hours": 5, "escalate_after_hours": 5}
        ]
    }))
    .unwrap();
    let e = engine::validate(&def).unwrap_err();
    let keys: Vec<&str> = e.0.keys().map(String::as_str).collect();
    for k in [
        "name",
        "on_unresolved",
        "steps[0].approvers[0].levels",
        "steps[1].approvers",
        "steps[2].condition.value",
        "steps[2].approvers[0].unit_id",
        "steps[2].remind_after_hours",
    ] {
        assert!(keys.contains(&k), "{k} missing from {keys:?}");
    }
    engine::validate(&defaults::builtin("leave")).unwrap();
}

// ------------------------------------------------------------------ a small organisation

struct Org {
    facts: SubjectFacts,
    subject: EmployeeId,
    subject_user: UserId,
    manager_user: UserId,
    head_user: UserId,
    director_user: UserId,
    hr_user: UserId,
}

/// subject → manager → director; the subject's unit is headed by `head`, its parent by the director.
fn org() -> Org {
    let (subject, manager, director, head) =
        (EmployeeId::new(), EmployeeId::new(), EmployeeId::new(), EmployeeId::new());
    let (unit, parent) = (OrgUnitId::new(), OrgUnitId::new());
    let users = [UserId::new(), UserId::new(), UserId::new(), UserId::new(), UserId::new()];
    let mut f = SubjectFacts {
        subject: Some(subject),
        company_id: Some(CompanyId::new()),
        unit_chain: vec![unit, parent],
        manager_chain: vec![manager, director],
        ..Default::default()
    };
    f.unit_heads.insert(unit, head);
    f.unit_heads.insert(parent, director);
    f.accounts.insert(subject, vec![users[0]]);
    f.accounts.insert(manager, vec![users[1]]);
    f.accounts.insert(head, vec![users[2]]);
    f.accounts.insert(director, vec![users[3]]);
    f.role_holders.insert("hr_admin".into(), vec![users[4]]);
    f.role_holders.insert("hrbp".into(), vec![]);
    Org {
        facts: f,
        subject,
        subject_user: users[0],
        manager_user: users[1],
        head_user: users[2],
        director_user: users[3],
        hr_user: users[4],
    }
}

fn def(v: serde_json::Value) -> FlowDefinition {
    serde_json::from_value(v).unwrap()
}

fn excluded(o: &Org) -> HashSet<UserId> {
    [o.subject_user].into_iter().collect()
}

fn approvers(p: &Plan) -> Vec<(StepStatus, Vec<UserId>)> {
    p.steps.iter().map(|s| (s.status, s.branches.iter().flat_map(|b| b.approvers.clone()).collect())).collect()
}

#[test]
fn default_leave_flow_adds_the_unit_head_beyond_three_days() {
    let o = org();
    let d = defaults::builtin("leave");
    let short = engine::resolve_plan(&d, &json!({"days": 3}), &o.facts, &excluded(&o)).unwrap();
    assert_eq!(approvers(&short), vec![(StepStatus::Waiting, vec![o.manager_user]), (StepStatus::Skipped, vec![])]);
    assert_eq!(short.steps[1].note.as_deref(), Some("condition_false"));
    let long = engine::resolve_plan(&d, &json!({"days": 3.5}), &o.facts, &excluded(&o)).unwrap();
    assert_eq!(
        approvers(&long),
        vec![(StepStatus::Waiting, vec![o.manager_user]), (StepStatus::Waiting, vec![o.head_user])]
    );
}

#[test]
fn the_requester_never_approves_their_own_document() {
    let mut o = org();
    // The subject heads their own unit: the unit-head rule climbs to the parent's head.
    let unit = o.facts.unit_chain[0];
    o.facts.unit_heads.insert(unit, o.subject);
    let d = def(json!({"name": "x", "dedupe_consecutive": false, "steps": [
        {"name": "head", "approvers": [{"kind": "unit_head", "of": "subject_unit"}]},
        {"name": "named", "approvers": [{"kind": "user", "user_id": o.subject_user}]}
    ]}));
    o.facts.known_users.insert(o.subject_user);
    let p = engine::resolve_plan(&d, &json!({}), &o.facts, &excluded(&o)).unwrap();
    assert_eq!(approvers(&p)[0], (StepStatus::Waiting, vec![o.director_user]));
    // Only the requester matched: the step is skipped, not unresolved.
    assert_eq!(p.steps[1].status, StepStatus::Skipped);
    assert_eq!(p.steps[1].note.as_deref(), Some("self"));

    // HR submits for the subject, and HR is the manager's account: the next level approves.
    let ex: HashSet<UserId> = [o.subject_user, o.manager_user].into_iter().collect();
    let p = engine::resolve_plan(&defaults::builtin("overtime"), &json!({}), &o.facts, &ex).unwrap();
    assert_eq!(approvers(&p)[0].1, vec![o.director_user]);
}

#[test]
fn unresolved_steps_skip_fall_back_or_fail() {
    let o = org();
    let base = |policy: serde_json::Value| {
        def(json!({"name": "x", "on_unresolved": policy, "steps": [
            {"name": "HRBP", "approvers": [{"kind": "role", "role": "hrbp"}]},
            {"name": "经理", "approvers": [{"kind": "direct_manager"}]}
        ]}))
    };
    let p = engine::resolve_plan(&base(json!({"action": "skip"})), &json!({}), &o.facts, &excluded(&o)).unwrap();
    assert_eq!(p.steps[0].status, StepStatus::Skipped);
    assert_eq!(p.steps[0].note.as_deref(), Some("unresolved"));
    let p = engine::resolve_plan(
        &base(json!({"action": "fallback", "role": "hr_admin"})),
        &json!({}),
        &o.facts,
        &excluded(&o),
    )
    .unwrap();
    assert_eq!(approvers(&p)[0], (StepStatus::Waiting, vec![o.hr_user]));
    let e = engine::resolve_plan(&base(json!({"action": "fail"})), &json!({}), &o.facts, &excluded(&o)).unwrap_err();
    assert!(matches!(e, WorkflowError::ApproverUnresolved(ref s) if s == "HRBP"), "{e:?}");
    assert_eq!(bole_core::Failure::code(&e), "approver_unresolved");
    // Nobody to fall back to either: fail.
    let e =
        engine::resolve_plan(&base(json!({"action": "fallback", "role": "hrbp"})), &json!({}), &o.facts, &excluded(&o))
            .unwrap_err();
    assert!(matches!(e, WorkflowError::ApproverUnresolved(_)));
}

#[test]
fn the_same_approver_in_consecutive_steps_passes_automatically() {
    let o = org();
    let d = |dedupe: bool| {
        def(json!({"name": "x", "dedupe_consecutive": dedupe, "steps": [
            {"name": "经理", "approvers": [{"kind": "direct_manager"}]},
            {"name": "再次经理", "approvers": [{"kind": "manager_levels_up", "levels": 1}]},
            {"name": "总监", "approvers": [{"kind": "manager_levels_up", "levels": 2}]}
        ]}))
    };
    let p = engine::resolve_plan(&d(true), &json!({}), &o.facts, &excluded(&o)).unwrap();
    let st: Vec<StepStatus> = p.steps.iter().map(|s| s.status).collect();
    assert_eq!(st, vec![StepStatus::Waiting, StepStatus::AutoPassed, StepStatus::Waiting]);
    let p = engine::resolve_plan(&d(false), &json!({}), &o.facts, &excluded(&o)).unwrap();
    assert!(p.steps.iter().all(|s| s.status == StepStatus::Waiting));
}

// ------------------------------------------------------------------ transitions

fn actor(u: UserId) -> Actor {
    Actor { user_id: u, username: u.to_string(), ..Actor::system() }
}

fn now() -> chrono::DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 3, 2, 2, 0, 0).unwrap()
}

struct Run {
    state: InstanceState,
}

impl Run {
    /// Apply a planned transition to the in-memory state, as the store would.
    fn apply(&mut self, t: &Transition) {
        self.state.version += 1;
        self.state.status = t.status;
        self.state.record = t.writes.instance.clone();
        for c in &t.writes.closed_tasks {
            let task = self.state.tasks.iter_mut().find(|x| x.id == c.id).unwrap();
            assert_eq!(task.status, TaskStatus::Open, "closing a closed task");
            task.status = c.status;
        }
        for n in &t.writes.new_tasks {
            self.state.tasks.push(TaskState {
                id: n.id,
                round: n.round,
                step: n.step,
                branch: n.branch,
                assignee: n.assignee,
                on_behalf_of: n.on_behalf_of,
                status: TaskStatus::Open,
                created_at: n.created_at,
            });
        }
    }

    fn open_of(&self, u: UserId) -> Uuid {
        self.state.tasks.iter().find(|t| t.assignee == u && t.status == TaskStatus::Open).unwrap().id
    }
}

fn ctx<'a>(routing: &'a NotifyRouting, dels: &'a [Delegation], ex: &'a HashSet<UserId>) -> Ctx<'a> {
    Ctx { now: now(), today: NaiveDate::from_ymd_opt(2026, 3, 2).unwrap(), routing, delegations: dels, excluded: ex }
}

fn started(o: &Org, d: &FlowDefinition, dels: &[Delegation]) -> (Run, Transition) {
    let ex = excluded(o);
    let plan = engine::resolve_plan(d, &json!({"days": 5}), &o.facts, &ex).unwrap();
    let sub = Submission {
        doc: DocumentRef { doc_type: "leave".into(), doc_id: Uuid::now_v7(), subject: o.subject },
        requester: o.subject_user,
        fields: json!({"days": 5}),
        title: "年假 5 天".into(),
    };
    let routing = NotifyRouting::default();
    let id = Uuid::now_v7();
    let t = engine::start(
        &actor(o.subject_user),
        &sub,
        CompanyId::new(),
        DefinitionPin { id: None, version: 0 },
        plan,
        None,
        id,
        ctx(&routing, dels, &ex),
    );
    let mut run = Run {
        state: InstanceState {
            id,
            doc: sub.doc.clone(),
            status: t.status,
            version: 0,
            record: t.writes.instance.clone(),
            tasks: vec![],
        },
    };
    run.apply(&t);
    (run, t)
}

fn decide(
    o: &Org,
    run: &mut Run,
    who: UserId,
    action: DecisionAction,
    comment: Option<&str>,
) -> Result<Transition, WorkflowError> {
    let ex = excluded(o);
    let routing = NotifyRouting::default();
    let task = run.open_of(who);
    let t = engine::decide(
        &actor(who),
        &run.state,
        task,
        &Decision { action, comment: comment.map(String::from) },
        ctx(&routing, &[], &ex),
    )?;
    run.apply(&t);
    Ok(t)
}

#[test]
fn sequential_steps_then_approval() {
    let o = org();
    let (mut run, t) = started(&o, &defaults::builtin("leave"), &[]);
    assert_eq!(t.expected_version, None);
    assert_eq!(t.status, InstanceStatus::Pending);
    assert_eq!(t.writes.new_tasks.len(), 1);
    assert_eq!(t.writes.notifications[0].user_id, o.manager_user);
    assert_eq!(t.writes.notifications[0].kind, "task_assigned");
    assert!(t.writes.new_tasks[0].remind_at.is_some());
    let t = decide(&o, &mut run, o.manager_user, DecisionAction::Approve, None).unwrap();
    assert_eq!(t.status, InstanceStatus::Pending);
    assert_eq!(t.writes.new_tasks[0].assignee, o.head_user);
    assert_eq!(t.expected_version, Some(1));
    let t = decide(&o, &mut run, o.head_user, DecisionAction::Approve, Some("同意")).unwrap();
    assert_eq!(t.status, InstanceStatus::Approved);
    assert!(t.writes.instance.closed_at.is_some());
    assert!(t.writes.notifications.iter().any(|n| n.user_id == o.subject_user && n.kind == "approved"));
    assert_eq!(t.audit[0].action, "approval.approve");
}

#[test]
fn one_of_supersedes_siblings_and_all_of_waits_for_everyone() {
    let o = org();
    let users = |mode: &str| {
        def(json!({"name": "x", "steps": [{"name": "s", "mode": mode, "approvers": [
            {"kind": "user", "user_id": o.manager_user}, {"kind": "user", "user_id": o.head_user}]}]}))
    };
    let mut o2 = org();
    o2.facts = o.facts.clone();
    o2.facts.known_users.extend([o.manager_user, o.head_user]);
    let o = Org { facts: o2.facts, ..o };

    let (mut run, _) = started(&o, &users("one_of"), &[]);
    let head_task = run.open_of(o.head_user);
    let t = decide(&o, &mut run, o.manager_user, DecisionAction::Approve, None).unwrap();
    assert_eq!(t.status, InstanceStatus::Approved);
    assert!(t.writes.closed_tasks.iter().any(|c| c.id == head_task && c.status == TaskStatus::Superseded));

    let (mut run, _) = started(&o, &users("all_of"), &[]);
    let t = decide(&o, &mut run, o.manager_user, DecisionAction::Approve, None).unwrap();
    assert_eq!(t.status, InstanceStatus::Pending);
    assert!(t.writes.closed_tasks.len() == 1);
    let t = decide(&o, &mut run, o.head_user, DecisionAction::Approve, None).unwrap();
    assert_eq!(t.status, InstanceStatus::Approved);
}

#[test]
fn parallel_branches_must_all_finish_and_a_reject_ends_everything() {
    let mut o = org();
    o.facts.known_users.extend([o.head_user, o.hr_user]);
    let d = def(json!({"name": "x", "steps": [
        {"name": "会签", "branches": [
            {"name": "经理", "approvers": [{"kind": "direct_manager"}]},
            {"name": "HR", "approvers": [{"kind": "role", "role": "hr_admin"}]}
        ]},
        {"name": "负责人", "approvers": [{"kind": "user", "user_id": o.head_user}]}
    ]}));
    let (mut run, t) = started(&o, &d, &[]);
    assert_eq!(t.writes.new_tasks.len(), 2);
    let t = decide(&o, &mut run, o.hr_user, DecisionAction::Approve, None).unwrap();
    assert!(t.writes.new_tasks.is_empty(), "the other branch is still open");
    let t = decide(&o, &mut run, o.manager_user, DecisionAction::Approve, None).unwrap();
    assert_eq!(t.writes.new_tasks[0].assignee, o.head_user);

    let (mut run, _) = started(&o, &d, &[]);
    let e = decide(&o, &mut run, o.hr_user, DecisionAction::Reject, Some("  ")).unwrap_err();
    assert!(matches!(e, WorkflowError::Invalid(ref f) if f.0.contains_key("comment")));
    let mgr_task = run.open_of(o.manager_user);
    let t = decide(&o, &mut run, o.hr_user, DecisionAction::Reject, Some("材料不全")).unwrap();
    assert_eq!(t.status, InstanceStatus::Rejected);
    assert!(t.writes.closed_tasks.iter().any(|c| c.id == mgr_task && c.status == TaskStatus::Superseded));
    // The closed task cannot be decided again.
    let ex = excluded(&o);
    let routing = NotifyRouting::default();
    let again = engine::decide(
        &actor(o.manager_user),
        &run.state,
        mgr_task,
        &Decision { action: DecisionAction::Approve, comment: None },
        ctx(&routing, &[], &ex),
    )
    .unwrap_err();
    assert!(matches!(again, WorkflowError::TaskClosed));
}

#[test]
fn return_then_withdraw() {
    let o = org();
    let (mut run, _) = started(&o, &defaults::builtin("leave"), &[]);
    let t = decide(&o, &mut run, o.manager_user, DecisionAction::Return, Some("请补充说明")).unwrap();
    assert_eq!(t.status, InstanceStatus::Returned);
    assert!(t.writes.notifications.iter().any(|n| n.kind == "returned" && n.user_id == o.subject_user));
    let ex = excluded(&o);
    let routing = NotifyRouting::default();
    let e = engine::withdraw(&actor(o.manager_user), &run.state, ctx(&routing, &[], &ex)).unwrap_err();
    assert!(matches!(e, WorkflowError::Forbidden));
    let t = engine::withdraw(&actor(o.subject_user), &run.state, ctx(&routing, &[], &ex)).unwrap();
    assert_eq!(t.status, InstanceStatus::Withdrawn);
}

#[test]
fn delegation_sends_new_tasks_to_the_delegate() {
    let o = org();
    let deputy = UserId::new();
    let d = Delegation {
        id: Uuid::now_v7(),
        delegator_id: o.manager_user,
        delegate_id: deputy,
        delegate_name: "代理人".into(),
        valid_from: NaiveDate::from_ymd_opt(2026, 3, 1).unwrap(),
        valid_to: NaiveDate::from_ymd_opt(2026, 3, 5).unwrap(),
        doc_types: Some(vec!["leave".into()]),
        created_at: now(),
        ended_at: None,
    };
    let (_, t) = started(&o, &defaults::builtin("leave"), std::slice::from_ref(&d));
    assert_eq!(t.writes.new_tasks[0].assignee, deputy);
    assert_eq!(t.writes.new_tasks[0].on_behalf_of, Some(o.manager_user));
    // Another doc type is not delegated.
    let other = Delegation { doc_types: Some(vec!["overtime".into()]), ..d };
    let (_, t) = started(&o, &defaults::builtin("leave"), &[other]);
    assert_eq!(t.writes.new_tasks[0].assignee, o.manager_user);
}
