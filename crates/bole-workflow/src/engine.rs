//! The pure engine: validates definitions, evaluates conditions, resolves a definition into a
//! [`Plan`] from [`SubjectFacts`], and plans every transition (start, decide, withdraw, escalate)
//! as data. No IO: the service gathers the facts, the store writes the result.
//!
//! Rules HR expects, and where they live:
//! - approvers are resolved once, at submission (the plan is shown to the requester and kept
//!   as evidence); delegation is applied when a step's tasks are created;
//! - the requester and the subject never approve their own document: a manager or unit head who
//!   is one of them is replaced by the next level up; a role or user rule just drops them; a step
//!   left with nobody *because of that* is skipped;
//! - a step resolving to nobody follows `on_unresolved` (step's, else the definition's);
//! - with `dedupe_consecutive`, a step whose approvers equal the previous kept step's passes
//!   automatically;
//! - one reject ends the instance Rejected; one return sends it back (Returned); other open tasks
//!   are superseded.

use crate::contract::{DocumentRef, InstanceStatus, Submission, Transition, TransitionWrites};
use crate::error::WorkflowError;
use crate::model::*;
use crate::notify::NotifyRouting;
use crate::store::Needs;
use bole_core::{Actor, CompanyId, EmployeeId, FieldErrors, Msg, UserId};
use chrono::{DateTime, NaiveDate, TimeDelta, Utc};
use rust_decimal::Decimal;
use std::collections::HashSet;
use std::str::FromStr;
use uuid::Uuid;

/// Limits that keep a definition reviewable and its resolution cheap.
pub const MAX_STEPS: usize = 30;
pub const MAX_LEVELS: u32 = 10;

// ------------------------------------------------------------------------ conditions

fn lookup<'a>(fields: &'a serde_json::Value, path: &str) -> Option<&'a serde_json::Value> {
    path.split('.').try_fold(fields, |v, key| v.get(key)).filter(|v| !v.is_null())
}

/// Numbers compare as decimals (never floats): `3.5 > 3` on days is exact.
fn as_decimal(v: &serde_json::Value) -> Option<Decimal> {
    match v {
        serde_json::Value::Number(n) => {
            let s = n.to_string();
            Decimal::from_str(&s).or_else(|_| Decimal::from_scientific(&s)).ok()
        }
        serde_json::Value::String(s) => Decimal::from_str(s).ok(),
        _ => None,
    }
}

fn equal(a: &serde_json::Value, b: &serde_json::Value) -> bool {
    if (a.is_number() || b.is_number())
        && let (Some(x), Some(y)) = (as_decimal(a), as_decimal(b))
    {
        return x == y;
    }
    a == b
}

fn order(a: &serde_json::Value, b: &serde_json::Value) -> Option<std::cmp::Ordering> {
    match (a, b) {
        (serde_json::Value::String(x), serde_json::Value::String(y)) => Some(x.cmp(y)),
        _ => Some(as_decimal(a)?.cmp(&as_decimal(b)?)),
    }
}

/// Evaluate a condition on document fields. A missing field satisfies only `!=`.
pub fn eval(cond: &Condition, fields: &serde_json::Value) -> bool {
    match cond {
        Condition::And { and } => and.iter().all(|c| eval(c, fields)),
        Condition::Or { or } => or.iter().any(|c| eval(c, fields)),
        Condition::Test { field, op, value } => {
            let Some(actual) = lookup(fields, field) else {
                return *op == Op::Ne;
            };
            use std::cmp::Ordering::*;
            match op {
                Op::Eq => equal(actual, value),
                Op::Ne => !equal(actual, value),
                Op::Gt => order(actual, value) == Some(Greater),
                Op::Ge => matches!(order(actual, value), Some(Greater | Equal)),
                Op::Lt => order(actual, value) == Some(Less),
                Op::Le => matches!(order(actual, value), Some(Less | Equal)),
                Op::In => value.as_array().is_some_and(|vs| vs.iter().any(|v| equal(actual, v))),
            }
        }
    }
}

// ------------------------------------------------------------------------ validation

fn msg(zh: &str, en: &str) -> Msg {
    Msg::new(zh, en)
}

fn check_condition(c: &Condition, at: &str, errors: &mut FieldErrors) {
    match c {
        Condition::And { and: list } | Condition::Or { or: list } => {
            if list.is_empty() {
                errors.add(at, msg("条件列表不能为空。", "A condition list cannot be empty."));
            }
            for (i, c) in list.iter().enumerate() {
                check_condition(c, &format!("{at}[{i}]"), errors);
            }
        }
        Condition::Test { field, op, value } => {
            if field.trim().is_empty() {
                errors.add(format!("{at}.field"), msg("请填写条件字段。", "Name the field to test."));
            }
            match op {
                Op::In if !value.is_array() => errors.add(
                    format!("{at}.value"),
                    msg("in 条件的值必须是列表。", "The value of an `in` test must be a list."),
                ),
                Op::Gt | Op::Ge | Op::Lt | Op::Le if !(value.is_number() || value.is_string()) => errors.add(
                    format!("{at}.value"),
                    msg("大小比较的值必须是数字或日期。", "Ordering tests compare numbers or dates."),
                ),
                _ => {}
            }
        }
    }
}

fn check_rule(r: &ApproverRule, at: &str, errors: &mut FieldErrors) {
    match r {
        ApproverRule::DirectManager => {}
        ApproverRule::ManagerLevelsUp { levels } => {
            if *levels == 0 || *levels > MAX_LEVELS {
                errors.add(format!("{at}.levels"), msg("上级层数须在 1 到 10 之间。", "Levels must be 1 to 10."));
            }
        }
        ApproverRule::UnitHead { of, unit_id } => match (of, unit_id) {
            (UnitOf::Unit, None) => {
                errors.add(format!("{at}.unit_id"), msg("请选择组织单元。", "Choose the unit."));
            }
            (UnitOf::SubjectUnit | UnitOf::ParentUnit, Some(_)) => errors.add(
                format!("{at}.unit_id"),
                msg("只有 of 为 unit 时才指定组织单元。", "Name a unit only when `of` is `unit`."),
            ),
            _ => {}
        },
        ApproverRule::Role { role, .. } => {
            if role.trim().is_empty() {
                errors.add(format!("{at}.role"), msg("请填写角色。", "Name the role."));
            }
        }
        ApproverRule::User { .. } => {}
    }
}

fn check_unresolved(o: &OnUnresolved, at: &str, errors: &mut FieldErrors) {
    if let OnUnresolved::Fallback { user_id: None, role: None } = o {
        errors.add(at, msg("兜底审批人须指定用户或角色。", "A fallback names a user or a role."));
    }
    if let OnUnresolved::Fallback { role: Some(r), .. } = o
        && r.trim().is_empty()
    {
        errors.add(format!("{at}.role"), msg("请填写角色。", "Name the role."));
    }
}

/// Check a definition before it is saved; field paths name the offending part
/// (`steps[1].approvers[0].levels`).
pub fn validate(def: &FlowDefinition) -> Result<(), FieldErrors> {
    let mut e = FieldErrors::new();
    if def.name.trim().is_empty() {
        e.add("name", msg("请填写流程名称。", "Name the flow."));
    }
    if def.steps.is_empty() {
        e.add("steps", msg("流程至少需要一个审批环节。", "A flow needs at least one step."));
    }
    if def.steps.len() > MAX_STEPS {
        e.add("steps", msg("审批环节不能超过 30 个。", "A flow has at most 30 steps."));
    }
    check_unresolved(&def.on_unresolved, "on_unresolved", &mut e);
    for (i, s) in def.steps.iter().enumerate() {
        let at = format!("steps[{i}]");
        if s.name.trim().is_empty() {
            e.add(format!("{at}.name"), msg("请填写环节名称。", "Name the step."));
        }
        if let Some(c) = &s.condition {
            check_condition(c, &format!("{at}.condition"), &mut e);
        }
        match (s.approvers.is_empty(), s.branches.is_empty()) {
            (true, true) => e.add(
                format!("{at}.approvers"),
                msg("请指定审批人或并行分支。", "Give the step approvers or parallel branches."),
            ),
            (false, false) => e.add(
                format!("{at}.branches"),
                msg("一个环节不能同时有审批人和并行分支。", "A step has approvers or branches, not both."),
            ),
            _ => {}
        }
        for (j, r) in s.approvers.iter().enumerate() {
            check_rule(r, &format!("{at}.approvers[{j}]"), &mut e);
        }
        for (j, b) in s.branches.iter().enumerate() {
            let bat = format!("{at}.branches[{j}]");
            if b.name.trim().is_empty() {
                e.add(format!("{bat}.name"), msg("请填写分支名称。", "Name the branch."));
            }
            if b.approvers.is_empty() {
                e.add(format!("{bat}.approvers"), msg("请指定分支的审批人。", "Give the branch approvers."));
            }
            if let Some(c) = &b.condition {
                check_condition(c, &format!("{bat}.condition"), &mut e);
            }
            for (k, r) in b.approvers.iter().enumerate() {
                check_rule(r, &format!("{bat}.approvers[{k}]"), &mut e);
            }
        }
        if let Some(o) = &s.on_unresolved {
            check_unresolved(o, &format!("{at}.on_unresolved"), &mut e);
        }
        if s.remind_after_hours == Some(0) {
            e.add(format!("{at}.remind_after_hours"), msg("提醒时间须大于 0。", "Must be more than 0."));
        }
        if s.escalate_after_hours == Some(0) {
            e.add(format!("{at}.escalate_after_hours"), msg("升级时间须大于 0。", "Must be more than 0."));
        }
        if let (Some(r), Some(x)) = (s.remind_after_hours, s.escalate_after_hours)
            && r >= x
        {
            e.add(
                format!("{at}.remind_after_hours"),
                msg("提醒须早于升级。", "The reminder must come before the escalation."),
            );
        }
        if let Some(r) = &s.escalate_to {
            check_rule(r, &format!("{at}.escalate_to"), &mut e);
        }
    }
    e.into_result()
}

// ------------------------------------------------------------------------ resolution

fn all_rules(def: &FlowDefinition) -> impl Iterator<Item = &ApproverRule> {
    def.steps.iter().flat_map(|s| s.approvers.iter().chain(s.branches.iter().flat_map(|b| b.approvers.iter())))
}

fn fallbacks(def: &FlowDefinition) -> impl Iterator<Item = &OnUnresolved> {
    std::iter::once(&def.on_unresolved).chain(def.steps.iter().filter_map(|s| s.on_unresolved.as_ref()))
}

/// What the directory must look up to resolve `rules` (and the fallbacks).
pub fn needs_of<'a>(
    rules: impl Iterator<Item = &'a ApproverRule>,
    fallbacks: impl Iterator<Item = &'a OnUnresolved>,
) -> Needs {
    let mut n = Needs::default();
    let mut levels = 0;
    let push_role = |n: &mut Needs, r: &str| {
        if !n.roles.iter().any(|x| x == r) {
            n.roles.push(r.to_string());
        }
    };
    for r in rules {
        match r {
            ApproverRule::DirectManager => levels = levels.max(1),
            ApproverRule::ManagerLevelsUp { levels: l } => levels = levels.max(*l),
            ApproverRule::UnitHead { unit_id: Some(u), .. } => n.units.push(*u),
            ApproverRule::UnitHead { .. } => {}
            ApproverRule::Role { role, .. } => push_role(&mut n, role),
            ApproverRule::User { user_id } => n.users.push(*user_id),
        }
    }
    for f in fallbacks {
        if let OnUnresolved::Fallback { user_id, role } = f {
            n.users.extend(user_id.iter().copied());
            if let Some(r) = role {
                push_role(&mut n, r);
            }
        }
    }
    // Headroom: a manager who is the requester is replaced by the next one up.
    n.manager_levels = if levels == 0 { 0 } else { (levels + 3).min(MAX_LEVELS + 3) };
    n
}

/// What the directory must look up to resolve a definition.
pub fn needs(def: &FlowDefinition) -> Needs {
    needs_of(all_rules(def), fallbacks(def))
}

/// The same without the fallback approvers. A plan resolved on these facts is the full plan
/// whenever it succeeds: a step that needed its fallback finds nobody and fails with
/// `ApproverUnresolved`, and only then is the wider lookup worth making.
pub fn needs_without_fallbacks(def: &FlowDefinition) -> Needs {
    needs_of(all_rules(def), std::iter::empty())
}

enum Resolved {
    Users(Vec<UserId>),
    /// Only the requester or the subject matched: the level is skipped, not unresolved.
    OnlySelf,
    Unresolved,
}

struct Resolver<'a> {
    facts: &'a SubjectFacts,
    excluded: &'a HashSet<UserId>,
}

impl Resolver<'_> {
    fn employee_excluded(&self, e: EmployeeId) -> bool {
        self.facts.subject == Some(e)
            || self.facts.accounts.get(&e).is_some_and(|a| a.iter().any(|u| self.excluded.contains(u)))
    }

    fn accounts(&self, e: EmployeeId) -> Resolved {
        match self.facts.accounts.get(&e) {
            Some(a) if !a.is_empty() => Resolved::Users(a.clone()),
            _ => Resolved::Unresolved,
        }
    }

    /// Walk up a chain of people from `start`, passing over the excluded.
    fn climb(&self, chain: impl Iterator<Item = Option<EmployeeId>>) -> Resolved {
        let mut passed_self = false;
        for e in chain {
            match e {
                None => return Resolved::Unresolved,
                Some(e) if self.employee_excluded(e) => passed_self = true,
                Some(e) => return self.accounts(e),
            }
        }
        if passed_self { Resolved::OnlySelf } else { Resolved::Unresolved }
    }

    fn users(&self, users: impl Iterator<Item = UserId>) -> Resolved {
        let all: Vec<UserId> = users.collect();
        if all.is_empty() {
            return Resolved::Unresolved;
        }
        let kept: Vec<UserId> = all.into_iter().filter(|u| !self.excluded.contains(u)).collect();
        if kept.is_empty() { Resolved::OnlySelf } else { Resolved::Users(kept) }
    }

    fn rule(&self, r: &ApproverRule) -> Resolved {
        let f = self.facts;
        match r {
            ApproverRule::DirectManager => self.rule(&ApproverRule::ManagerLevelsUp { levels: 1 }),
            ApproverRule::ManagerLevelsUp { levels } => {
                let start = usize::try_from(levels.saturating_sub(1)).unwrap_or(usize::MAX);
                if start >= f.manager_chain.len() {
                    return Resolved::Unresolved;
                }
                self.climb(f.manager_chain[start..].iter().map(|e| Some(*e)))
            }
            ApproverRule::UnitHead { of, unit_id } => {
                let start = match of {
                    UnitOf::SubjectUnit => Some(0),
                    UnitOf::ParentUnit => Some(1),
                    UnitOf::Unit => unit_id.and_then(|u| f.unit_chain.iter().position(|c| *c == u)),
                };
                match start {
                    Some(i) if i < f.unit_chain.len() => {
                        self.climb(f.unit_chain[i..].iter().map(|u| f.unit_heads.get(u).copied()))
                    }
                    Some(_) => Resolved::Unresolved,
                    // A named unit outside the subject's chain: its head, without climbing.
                    None => self.climb(std::iter::once(unit_id.and_then(|u| f.unit_heads.get(&u).copied()))),
                }
            }
            ApproverRule::Role { role, .. } => self.users(f.role_holders.get(role).into_iter().flatten().copied()),
            ApproverRule::User { user_id } => {
                self.users(std::iter::once(*user_id).filter(|u| f.known_users.contains(u)))
            }
        }
    }

    /// The union of the rules' approvers; Err(true) when nobody and some rule was unresolved,
    /// Err(false) when nobody only because the requester/subject was dropped.
    fn rules(&self, rules: &[ApproverRule]) -> Result<Vec<UserId>, bool> {
        let mut out: Vec<UserId> = Vec::new();
        let mut unresolved = false;
        for r in rules {
            match self.rule(r) {
                Resolved::Users(us) => {
                    for u in us {
                        if !out.contains(&u) {
                            out.push(u);
                        }
                    }
                }
                Resolved::OnlySelf => {}
                Resolved::Unresolved => unresolved = true,
            }
        }
        if out.is_empty() { Err(unresolved) } else { Ok(out) }
    }

    fn fallback(&self, o: &OnUnresolved, step: &str) -> Result<Option<Vec<UserId>>, WorkflowError> {
        match o {
            OnUnresolved::Skip => Ok(None),
            OnUnresolved::Fail => Err(WorkflowError::ApproverUnresolved(step.to_string())),
            OnUnresolved::Fallback { user_id, role } => {
                let mut rules = Vec::new();
                if let Some(u) = user_id {
                    rules.push(ApproverRule::User { user_id: *u });
                }
                if let Some(r) = role {
                    rules.push(ApproverRule::Role { role: r.clone(), scope: RoleScope::SubjectUnit });
                }
                self.rules(&rules).map(Some).map_err(|_| WorkflowError::ApproverUnresolved(step.to_string()))
            }
        }
    }
}

/// Resolve approver rules for one subject (used for escalation targets): the union of the
/// rules' accounts, or None when nobody.
pub fn resolve_rules(rules: &[ApproverRule], facts: &SubjectFacts, excluded: &HashSet<UserId>) -> Option<Vec<UserId>> {
    Resolver { facts, excluded }.rules(rules).ok()
}

/// Resolve a definition for one document: conditions, approvers, skips and automatic passes.
/// `excluded` holds the accounts that may not approve (the requester's and the subject's).
/// Every step starts `Waiting` (or `Skipped` / `AutoPassed`); [`start`] activates the first.
pub fn resolve_plan(
    def: &FlowDefinition,
    fields: &serde_json::Value,
    facts: &SubjectFacts,
    excluded: &HashSet<UserId>,
) -> Result<Plan, WorkflowError> {
    let res = Resolver { facts, excluded };
    let mut steps = Vec::with_capacity(def.steps.len());
    for s in &def.steps {
        let mut planned = PlannedStep {
            name: s.name.clone(),
            status: StepStatus::Waiting,
            note: None,
            branches: Vec::new(),
            remind_after_hours: s.remind_after_hours,
            escalate_after_hours: s.escalate_after_hours,
            escalate_to: s.escalate_to.clone(),
        };
        if s.condition.as_ref().is_some_and(|c| !eval(c, fields)) {
            planned.status = StepStatus::Skipped;
            planned.note = Some("condition_false".into());
            steps.push(planned);
            continue;
        }
        let branches: Vec<(String, Option<&Condition>, &[ApproverRule], Mode)> = if s.branches.is_empty() {
            vec![(s.name.clone(), None, &s.approvers[..], s.mode)]
        } else {
            s.branches.iter().map(|b| (b.name.clone(), b.condition.as_ref(), &b.approvers[..], b.mode)).collect()
        };
        let policy = s.on_unresolved.as_ref().unwrap_or(&def.on_unresolved);
        for (name, cond, rules, mode) in branches {
            let mut b = PlannedBranch { name, mode, status: StepStatus::Waiting, approvers: Vec::new(), note: None };
            if cond.is_some_and(|c| !eval(c, fields)) {
                b.status = StepStatus::Skipped;
                b.note = Some("condition_false".into());
            } else {
                match res.rules(rules) {
                    Ok(users) => b.approvers = users,
                    Err(false) => {
                        b.status = StepStatus::Skipped;
                        b.note = Some("self".into());
                    }
                    Err(true) => match res.fallback(policy, &s.name)? {
                        Some(users) => {
                            b.approvers = users;
                            b.note = Some("fallback".into());
                        }
                        None => {
                            b.status = StepStatus::Skipped;
                            b.note = Some("unresolved".into());
                        }
                    },
                }
            }
            planned.branches.push(b);
        }
        if planned.branches.iter().all(|b| b.status == StepStatus::Skipped) {
            planned.status = StepStatus::Skipped;
            planned.note = planned.branches.first().and_then(|b| b.note.clone());
        }
        steps.push(planned);
    }
    if def.dedupe_consecutive {
        let mut previous: Option<Vec<UserId>> = None;
        for s in &mut steps {
            if s.status == StepStatus::Skipped {
                continue;
            }
            let live: Vec<&PlannedBranch> = s.branches.iter().filter(|b| b.status != StepStatus::Skipped).collect();
            let set = match live.as_slice() {
                [one] => {
                    let mut v = one.approvers.clone();
                    v.sort();
                    Some(v)
                }
                _ => None,
            };
            if set.is_some() && set == previous {
                s.status = StepStatus::AutoPassed;
                s.note = Some("dedupe".into());
                for b in &mut s.branches {
                    if b.status != StepStatus::Skipped {
                        b.status = StepStatus::AutoPassed;
                    }
                }
            }
            previous = set;
        }
    }
    Ok(Plan { steps })
}

// ------------------------------------------------------------------------ transitions

/// What every transition needs besides the instance.
#[derive(Clone, Copy, Debug)]
pub struct Ctx<'a> {
    pub now: DateTime<Utc>,
    pub today: NaiveDate,
    pub routing: &'a NotifyRouting,
    /// Active delegations of the approvers who may get tasks (filtered here by day and type).
    pub delegations: &'a [Delegation],
    /// Accounts that may never get this document's tasks (the requester's, the subject's).
    pub excluded: &'a HashSet<UserId>,
}

/// A human decision on a task.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize, utoipa::ToSchema)]
pub struct Decision {
    pub action: DecisionAction,
    pub comment: Option<String>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum DecisionAction {
    Approve,
    Reject,
    Return,
}

pub fn link(instance_id: Uuid) -> String {
    format!("/me/approvals/{instance_id}")
}

struct Out<'a> {
    instance_id: Uuid,
    round: i32,
    title: String,
    doc_type: String,
    ctx: Ctx<'a>,
    new_tasks: Vec<TaskRecord>,
    closed: Vec<TaskClose>,
    history: Vec<HistoryRecord>,
    notes: Vec<NotificationDraft>,
}

impl<'a> Out<'a> {
    fn new(instance_id: Uuid, round: i32, title: &str, doc_type: &str, ctx: Ctx<'a>) -> Self {
        Self {
            instance_id,
            round,
            title: title.to_string(),
            doc_type: doc_type.to_string(),
            ctx,
            new_tasks: Vec::new(),
            closed: Vec::new(),
            history: Vec::new(),
            notes: Vec::new(),
        }
    }

    fn history(
        &mut self,
        action: HistoryAction,
        step: Option<usize>,
        task: Option<Uuid>,
        actor: Option<UserId>,
        on_behalf_of: Option<UserId>,
        comment: Option<String>,
    ) {
        self.history.push(HistoryRecord {
            id: Uuid::now_v7(),
            round: self.round,
            step: step.and_then(|s| i32::try_from(s).ok()),
            task_id: task,
            action,
            actor,
            on_behalf_of,
            comment,
            at: self.ctx.now,
        });
    }

    fn notify(&mut self, user: UserId, kind: &str, title: String, body: String) {
        self.notes.push(NotificationDraft {
            id: Uuid::now_v7(),
            user_id: user,
            kind: kind.into(),
            title,
            body,
            link: Some(link(self.instance_id)),
            instance_id: Some(self.instance_id),
            created_at: self.ctx.now,
        });
    }

    /// The delegate who gets `approver`'s new task today, if any.
    fn delegate_of(&self, approver: UserId) -> Option<UserId> {
        self.ctx
            .delegations
            .iter()
            .find(|d| {
                d.delegator_id == approver
                    && d.covers(self.ctx.today, &self.doc_type)
                    && !self.ctx.excluded.contains(&d.delegate_id)
            })
            .map(|d| d.delegate_id)
    }

    fn open_task(&mut self, step: &PlannedStep, si: usize, bi: usize, approver: UserId, escalated_from: Option<Uuid>) {
        let (assignee, on_behalf_of) = match self.delegate_of(approver) {
            Some(d) => (d, Some(approver)),
            None => (approver, None),
        };
        let now = self.ctx.now;
        let hours = |h: Option<u32>| h.map(|h| now + TimeDelta::hours(i64::from(h)));
        let id = Uuid::now_v7();
        self.new_tasks.push(TaskRecord {
            id,
            round: self.round,
            step: i32::try_from(si).unwrap_or(i32::MAX),
            branch: i32::try_from(bi).unwrap_or(i32::MAX),
            assignee,
            on_behalf_of,
            created_at: now,
            remind_at: hours(step.remind_after_hours),
            escalate_at: hours(step.escalate_after_hours),
            escalated_from,
        });
        let title = format!("待您审批：{}", self.title);
        let body = match on_behalf_of {
            Some(_) => format!("{}（委托代审）", self.title),
            None => self.title.clone(),
        };
        self.notify(assignee, "task_assigned", title, body);
    }

    /// Activate the first waiting step at or after `from`; false when none is left.
    fn activate_from(&mut self, plan: &mut Plan, from: usize) -> bool {
        for si in from..plan.steps.len() {
            if plan.steps[si].status != StepStatus::Waiting {
                continue;
            }
            plan.steps[si].status = StepStatus::Active;
            let step = plan.steps[si].clone();
            for (bi, b) in step.branches.iter().enumerate() {
                if b.status != StepStatus::Waiting {
                    continue;
                }
                plan.steps[si].branches[bi].status = StepStatus::Active;
                for a in &b.approvers {
                    self.open_task(&step, si, bi, *a, None);
                }
            }
            return true;
        }
        false
    }

    fn finish(self, t: Transition0) -> Transition {
        Transition {
            instance_id: self.instance_id,
            doc: t.doc,
            expected_version: t.expected_version,
            status: t.status,
            audit: t.audit,
            writes: TransitionWrites {
                instance: t.record,
                new_tasks: self.new_tasks,
                closed_tasks: self.closed,
                history: self.history,
                notifications: self.notes,
                routing: self.ctx.routing.clone(),
            },
        }
    }
}

struct Transition0 {
    doc: DocumentRef,
    expected_version: Option<i64>,
    status: InstanceStatus,
    audit: Vec<bole_core::AuditEvent>,
    record: InstanceRecord,
}

fn audit(actor: &Actor, at: DateTime<Utc>, action: &str, instance: Uuid, doc: &DocumentRef) -> bole_core::AuditEvent {
    actor
        .audit(at, action, "approval_instance")
        .subject(instance)
        .fields(["status", "doc_type"])
        .subject(format!("{}:{}", doc.doc_type, doc.doc_id))
}

/// The pinned definition an instance plans with.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct DefinitionPin {
    pub id: Option<Uuid>,
    pub version: i32,
}

/// Record the plan's skips and automatic passes in the history.
fn record_plan(out: &mut Out<'_>, plan: &Plan) {
    for (si, s) in plan.steps.iter().enumerate() {
        match s.status {
            StepStatus::Skipped => out.history(HistoryAction::Skipped, Some(si), None, None, None, s.note.clone()),
            StepStatus::AutoPassed => {
                out.history(HistoryAction::AutoPassed, Some(si), None, None, None, s.note.clone());
            }
            _ => {}
        }
    }
}

/// The first round of a new instance (or a later round when `previous` is given).
#[expect(clippy::too_many_arguments, reason = "one plain call site per use case")]
pub fn start(
    actor: &Actor,
    sub: &Submission,
    company: CompanyId,
    pin: DefinitionPin,
    mut plan: Plan,
    previous: Option<&InstanceState>,
    instance_id: Uuid,
    ctx: Ctx<'_>,
) -> Transition {
    let round = previous.map_or(1, |p| p.record.round + 1);
    let mut out = Out::new(instance_id, round, &sub.title, &sub.doc.doc_type, ctx);
    let action = if previous.is_some() { HistoryAction::Resubmitted } else { HistoryAction::Submitted };
    out.history(action, None, None, Some(sub.requester), None, None);
    record_plan(&mut out, &plan);
    let pending = out.activate_from(&mut plan, 0);
    let status = if pending { InstanceStatus::Pending } else { InstanceStatus::Approved };
    if !pending {
        // Every step was skipped or passed: nothing to wait for.
        out.history(HistoryAction::Completed, None, None, None, None, None);
        out.notify(sub.requester, "approved", format!("审批通过：{}", sub.title), sub.title.clone());
    }
    let verb = if previous.is_some() { "approval.resubmit" } else { "approval.submit" };
    let record = InstanceRecord {
        company_id: company,
        requester: sub.requester,
        title: sub.title.clone(),
        fields: sub.fields.clone(),
        round,
        definition_id: pin.id,
        definition_version: pin.version,
        plan,
        created_at: previous.map_or(ctx.now, |p| p.record.created_at),
        updated_at: ctx.now,
        closed_at: (!pending).then_some(ctx.now),
    };
    let t0 = Transition0 {
        doc: sub.doc.clone(),
        expected_version: previous.map(|p| p.version),
        status,
        audit: vec![audit(actor, ctx.now, verb, instance_id, &sub.doc)],
        record,
    };
    out.finish(t0)
}

fn non_empty(comment: &Option<String>) -> Option<String> {
    comment.as_ref().map(|c| c.trim().to_string()).filter(|c| !c.is_empty())
}

/// Plan a decision on `task_id` by `actor` (the assignee, or `acting_for` is the assignee whose
/// delegate the actor is). The caller has checked the actor may act on the task.
pub fn decide(
    actor: &Actor,
    state: &InstanceState,
    task_id: Uuid,
    decision: &Decision,
    ctx: Ctx<'_>,
) -> Result<Transition, WorkflowError> {
    let comment = non_empty(&decision.comment);
    if decision.action != DecisionAction::Approve && comment.is_none() {
        let mut f = FieldErrors::new();
        f.add("comment", msg("驳回或退回时请填写意见。", "Give a comment when rejecting or returning."));
        return Err(WorkflowError::Invalid(f));
    }
    if state.status != InstanceStatus::Pending {
        return Err(WorkflowError::TaskClosed);
    }
    let task = state.tasks.iter().find(|t| t.id == task_id).ok_or(WorkflowError::NotFound)?;
    if task.status != TaskStatus::Open {
        return Err(WorkflowError::TaskClosed);
    }
    let si = usize::try_from(task.step).map_err(|_| WorkflowError::Storage("task step".into()))?;
    let bi = usize::try_from(task.branch).map_err(|_| WorkflowError::Storage("task branch".into()))?;
    let mut record = state.record.clone();
    if si >= record.plan.steps.len() || bi >= record.plan.steps[si].branches.len() {
        return Err(WorkflowError::Storage(format!("task {task_id} points outside its plan")));
    }
    let mut out = Out::new(state.id, record.round, &record.title, &state.doc.doc_type, ctx);
    // On whose behalf: the task's own delegator, or the assignee when the actor is their delegate.
    let on_behalf_of = if task.assignee == actor.user_id { task.on_behalf_of } else { Some(task.assignee) };
    let (task_status, history_action, verb) = match decision.action {
        DecisionAction::Approve => (TaskStatus::Approved, HistoryAction::Approved, "approval.approve"),
        DecisionAction::Reject => (TaskStatus::Rejected, HistoryAction::Rejected, "approval.reject"),
        DecisionAction::Return => (TaskStatus::Returned, HistoryAction::Returned, "approval.return"),
    };
    out.closed.push(TaskClose {
        id: task.id,
        status: task_status,
        decided_by: Some(actor.user_id),
        comment: comment.clone(),
        at: ctx.now,
    });
    out.history(history_action, Some(si), Some(task.id), Some(actor.user_id), on_behalf_of, comment.clone());
    let others_open: Vec<&TaskState> =
        state.tasks.iter().filter(|t| t.id != task.id && t.status == TaskStatus::Open).collect();
    let supersede = |out: &mut Out<'_>, tasks: &[&TaskState]| {
        for t in tasks {
            out.closed.push(TaskClose {
                id: t.id,
                status: TaskStatus::Superseded,
                decided_by: None,
                comment: None,
                at: ctx.now,
            });
        }
    };
    let title = record.title.clone();
    let status = match decision.action {
        DecisionAction::Reject | DecisionAction::Return => {
            supersede(&mut out, &others_open);
            let (st, kind, head) = if decision.action == DecisionAction::Reject {
                (StepStatus::Rejected, "rejected", "审批被驳回")
            } else {
                (StepStatus::Returned, "returned", "审批被退回修改")
            };
            let step = &mut record.plan.steps[si];
            step.status = st;
            step.branches[bi].status = st;
            for b in &mut step.branches {
                if b.status == StepStatus::Active {
                    b.status = StepStatus::Cancelled;
                }
            }
            let body = format!("{title}。意见：{}", comment.clone().unwrap_or_default());
            out.notify(record.requester, kind, format!("{head}：{title}"), body);
            if decision.action == DecisionAction::Reject {
                record.closed_at = Some(ctx.now);
                InstanceStatus::Rejected
            } else {
                InstanceStatus::Returned
            }
        }
        DecisionAction::Approve => {
            let same_branch: Vec<&TaskState> =
                others_open.iter().copied().filter(|t| t.step == task.step && t.branch == task.branch).collect();
            let branch_done = match record.plan.steps[si].branches[bi].mode {
                Mode::OneOf => {
                    supersede(&mut out, &same_branch);
                    true
                }
                Mode::AllOf => same_branch.is_empty(),
            };
            if branch_done {
                record.plan.steps[si].branches[bi].status = StepStatus::Approved;
            }
            let step_done = record.plan.steps[si]
                .branches
                .iter()
                .all(|b| matches!(b.status, StepStatus::Approved | StepStatus::Skipped | StepStatus::AutoPassed));
            if step_done {
                record.plan.steps[si].status = StepStatus::Approved;
                if out.activate_from(&mut record.plan, si + 1) {
                    InstanceStatus::Pending
                } else {
                    out.history(HistoryAction::Completed, None, None, None, None, None);
                    out.notify(record.requester, "approved", format!("审批通过：{title}"), title.clone());
                    record.closed_at = Some(ctx.now);
                    InstanceStatus::Approved
                }
            } else {
                InstanceStatus::Pending
            }
        }
    };
    record.updated_at = ctx.now;
    let t0 = Transition0 {
        doc: state.doc.clone(),
        expected_version: Some(state.version),
        status,
        audit: vec![audit(actor, ctx.now, verb, state.id, &state.doc)],
        record,
    };
    Ok(out.finish(t0))
}

/// Plan a withdrawal by the requester (Pending or Returned).
pub fn withdraw(actor: &Actor, state: &InstanceState, ctx: Ctx<'_>) -> Result<Transition, WorkflowError> {
    if actor.user_id != state.record.requester {
        return Err(WorkflowError::Forbidden);
    }
    if !matches!(state.status, InstanceStatus::Pending | InstanceStatus::Returned) {
        return Err(WorkflowError::WrongState(state.status.as_str()));
    }
    let mut record = state.record.clone();
    let mut out = Out::new(state.id, record.round, &record.title, &state.doc.doc_type, ctx);
    out.history(HistoryAction::Withdrawn, None, None, Some(actor.user_id), None, None);
    let title = record.title.clone();
    for t in state.tasks.iter().filter(|t| t.status == TaskStatus::Open) {
        out.closed.push(TaskClose {
            id: t.id,
            status: TaskStatus::Cancelled,
            decided_by: None,
            comment: None,
            at: ctx.now,
        });
        out.notify(t.assignee, "withdrawn", format!("申请人已撤回：{title}"), title.clone());
    }
    for s in &mut record.plan.steps {
        if matches!(s.status, StepStatus::Active | StepStatus::Waiting) {
            s.status = StepStatus::Cancelled;
            for b in &mut s.branches {
                if matches!(b.status, StepStatus::Active | StepStatus::Waiting) {
                    b.status = StepStatus::Cancelled;
                }
            }
        }
    }
    record.updated_at = ctx.now;
    record.closed_at = Some(ctx.now);
    let t0 = Transition0 {
        doc: state.doc.clone(),
        expected_version: Some(state.version),
        status: InstanceStatus::Withdrawn,
        audit: vec![audit(actor, ctx.now, "approval.withdraw", state.id, &state.doc)],
        record,
    };
    Ok(out.finish(t0))
}

/// Plan handing an overdue task to `targets` (already resolved; not empty). The old task closes
/// as `escalated`; the new tasks take its place in the same step and branch.
pub fn escalate(
    actor: &Actor,
    state: &InstanceState,
    task_id: Uuid,
    targets: &[UserId],
    ctx: Ctx<'_>,
) -> Result<Transition, WorkflowError> {
    if state.status != InstanceStatus::Pending {
        return Err(WorkflowError::TaskClosed);
    }
    let task = state.tasks.iter().find(|t| t.id == task_id).ok_or(WorkflowError::NotFound)?;
    if task.status != TaskStatus::Open {
        return Err(WorkflowError::TaskClosed);
    }
    let si = usize::try_from(task.step).map_err(|_| WorkflowError::Storage("task step".into()))?;
    let bi = usize::try_from(task.branch).map_err(|_| WorkflowError::Storage("task branch".into()))?;
    let mut record = state.record.clone();
    let step = record.plan.steps.get(si).cloned().ok_or_else(|| WorkflowError::Storage("task step".into()))?;
    let mut out = Out::new(state.id, record.round, &record.title, &state.doc.doc_type, ctx);
    out.closed.push(TaskClose {
        id: task.id,
        status: TaskStatus::Escalated,
        decided_by: None,
        comment: None,
        at: ctx.now,
    });
    out.history(HistoryAction::Escalated, Some(si), Some(task.id), None, Some(task.assignee), None);
    // The new task gets the reminder again but not another escalation (no endless chains).
    let step_for_new = PlannedStep { escalate_after_hours: None, ..step };
    let already: HashSet<UserId> = state
        .tasks
        .iter()
        .filter(|t| t.status == TaskStatus::Open && t.step == task.step && t.branch == task.branch)
        .map(|t| t.assignee)
        .collect();
    for target in targets.iter().filter(|u| !already.contains(u) && !ctx.excluded.contains(u)) {
        out.open_task(&step_for_new, si, bi, *target, Some(task.id));
        if let Some(n) = out.notes.last_mut() {
            n.kind = "escalated".into();
            n.title = format!("超时升级，待您审批：{}", record.title);
        }
    }
    let title = record.title.clone();
    out.notify(task.assignee, "escalated", format!("审批已超时转交：{title}"), title.clone());
    record.updated_at = ctx.now;
    let t0 = Transition0 {
        doc: state.doc.clone(),
        expected_version: Some(state.version),
        status: InstanceStatus::Pending,
        audit: vec![audit(actor, ctx.now, "approval.escalate", state.id, &state.doc)],
        record,
    };
    Ok(out.finish(t0))
}

/// The reminder of one due task.
pub fn reminder(task: &crate::store::DueTask, now: DateTime<Utc>) -> crate::store::Reminder {
    crate::store::Reminder {
        task_id: task.task_id,
        instance_id: task.instance_id,
        history: HistoryRecord {
            id: Uuid::now_v7(),
            round: task.round,
            step: Some(task.step),
            task_id: Some(task.task_id),
            action: HistoryAction::Reminded,
            actor: None,
            on_behalf_of: None,
            comment: None,
            at: now,
        },
        notification: NotificationDraft {
            id: Uuid::now_v7(),
            user_id: task.assignee,
            kind: "reminder".into(),
            title: format!("催办：{} 等待您审批", task.title),
            body: task.title.clone(),
            link: Some(link(task.instance_id)),
            instance_id: Some(task.instance_id),
            created_at: now,
        },
    }
}
