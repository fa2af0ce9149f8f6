//! The workflow use cases: planning and committing transitions, the inbox, instance reads,
//! delegations, definitions, unit heads, timers (reminders, escalation), the notification inbox
//! and the outbox drain.
//!
//! Access: approval reads and actions need no permission beyond taking part — the service checks
//! the actor is the requester, the subject, an assignee (past or present), a delegate of one, or
//! holds `WorkflowAdmin` over the instance's company (reads only); anyone else gets `NotFound`.
//! Definitions and unit heads need `WorkflowAdmin`. Submissions come from document domains that
//! have already authorised the requester (e.g. `TimeWrite` for a leave application).

use crate::contract::{DocumentHandler, DocumentRef, InstanceStatus, Submission, Transition};
use crate::engine::{self, Ctx, Decision, DefinitionPin};
use crate::error::WorkflowError;
use crate::model::*;
use crate::notify::{Destination, NotifyRouting, OutboundMessage, Sender};
use crate::store::{DelegatedFrom, Directory, WorkflowStore};
use bole_core::clock::SharedClock;
use bole_core::{
    Actor, CompanyId, DataScope, EmployeeId, FieldErrors, Msg, OrgUnitId, Page, PageRequest, Permission, Scope, UserId,
};
use chrono::{DateTime, TimeDelta, Utc};
use std::collections::{HashMap, HashSet};
use std::sync::Arc;
use uuid::Uuid;

type R<T> = Result<T, WorkflowError>;

/// Deliveries are tried at most this many times.
pub const MAX_ATTEMPTS: i32 = 8;
/// A claimed delivery comes due again after this long if its sender never reported back.
pub const CLAIM_LEASE_MINUTES: i64 = 5;
/// Timer work per run (the rest waits for the next run).
pub const TIMER_BATCH: u32 = 500;

/// The wait before attempt `attempt + 1`: 1, 2, 4 … minutes, capped at 4 hours.
pub fn backoff(attempt: i32) -> TimeDelta {
    let exp = u32::try_from(attempt.clamp(1, 9) - 1).unwrap_or(0);
    TimeDelta::minutes((1_i64 << exp).min(240))
}

/// Errors from senders may quote addresses (SMTP "550 <a@b> unknown"): keep the reason, not them.
pub fn scrub_error(reason: &str) -> String {
    let cleaned: Vec<String> = reason
        .split_whitespace()
        .map(|w| if w.contains('@') { "<address>".to_string() } else { w.to_string() })
        .collect();
    let mut s = cleaned.join(" ");
    if s.chars().count() > 300 {
        s = s.chars().take(300).collect();
    }
    s
}

fn forbidden(_: bole_core::Forbidden) -> WorkflowError {
    WorkflowError::Forbidden
}

fn invalid(field: &str, zh: &str, en: &str) -> WorkflowError {
    let mut f = FieldErrors::new();
    f.add(field, Msg::new(zh, en));
    WorkflowError::Invalid(f)
}

/// Does a `WorkflowAdmin` scope cover a company?
fn admin_covers(scope: &Scope, company: CompanyId) -> bool {
    match scope {
        Scope::All => true,
        Scope::Limited(s) => s.iter().any(|d| match d {
            DataScope::All => true,
            DataScope::Companies { companies } => companies.contains(&company),
            _ => false,
        }),
    }
}

/// The approval engine's use cases. Cheap to clone.
#[derive(Clone)]
pub struct WorkflowService {
    store: Arc<dyn WorkflowStore>,
    directory: Arc<dyn Directory>,
    clock: SharedClock,
    handlers: Arc<HashMap<String, Arc<dyn DocumentHandler>>>,
    routing: NotifyRouting,
}

impl std::fmt::Debug for WorkflowService {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("WorkflowService")
            .field("handlers", &self.handlers.keys().collect::<Vec<_>>())
            .field("routing", &self.routing)
            .finish_non_exhaustive()
    }
}

impl WorkflowService {
    pub fn new(store: Arc<dyn WorkflowStore>, directory: Arc<dyn Directory>, clock: SharedClock) -> Self {
        Self { store, directory, clock, handlers: Arc::new(HashMap::new()), routing: NotifyRouting::default() }
    }

    /// Register the domain that commits decisions on `doc_type` together with its effects.
    pub fn with_handler(mut self, doc_type: &str, handler: Arc<dyn DocumentHandler>) -> Self {
        Arc::make_mut(&mut self.handlers).insert(doc_type.to_string(), handler);
        self
    }

    /// Which outbox channels notifications get (default: email on, no webhooks).
    pub fn with_routing(mut self, routing: NotifyRouting) -> Self {
        self.routing = routing;
        self
    }

    fn now(&self) -> DateTime<Utc> {
        self.clock.now()
    }

    async fn commit(&self, t: &Transition) -> R<()> {
        match self.handlers.get(&t.doc.doc_type) {
            Some(h) => h.commit(t).await,
            None => self.store.commit(t).await,
        }
    }

    /// The definition a new instance of `doc_type` in `company` uses, and its pin.
    async fn definition_for(&self, company: CompanyId, doc_type: &str) -> R<(FlowDefinition, DefinitionPin)> {
        Ok(match self.store.definition_for(company, doc_type).await? {
            Some(d) => (d.definition, DefinitionPin { id: Some(d.id), version: d.version }),
            None => (crate::defaults::builtin(doc_type), DefinitionPin { id: None, version: 0 }),
        })
    }

    /// The requester's and the subject's accounts: they never approve the document.
    async fn excluded(&self, requester: UserId, subject: EmployeeId) -> R<HashSet<UserId>> {
        let mut ex: HashSet<UserId> = self.directory.accounts_of(subject).await?.into_iter().collect();
        ex.insert(requester);
        Ok(ex)
    }

    async fn delegations_of_plan(&self, plan: &Plan) -> R<Vec<Delegation>> {
        let approvers: Vec<UserId> = plan
            .steps
            .iter()
            .flat_map(|s| s.branches.iter().flat_map(|b| b.approvers.iter().copied()))
            .collect::<HashSet<_>>()
            .into_iter()
            .collect();
        if approvers.is_empty() {
            return Ok(Vec::new());
        }
        self.store.active_delegations_from(&approvers, self.clock.today()).await
    }

    async fn plan_round(
        &self,
        actor: &Actor,
        sub: &Submission,
        def: FlowDefinition,
        pin: DefinitionPin,
        company: CompanyId,
        previous: Option<&InstanceState>,
    ) -> R<Transition> {
        let today = self.clock.today();
        // Fallback approvers are role holders found by reading every account's grants; look them up
        // only when a step actually falls back (the plan is the same either way).
        let (plan, excluded) = match self.resolve(&def, sub, today, &engine::needs_without_fallbacks(&def)).await {
            Err(WorkflowError::ApproverUnresolved(_)) => self.resolve(&def, sub, today, &engine::needs(&def)).await?,
            other => other?,
        };
        let delegations = self.delegations_of_plan(&plan).await?;
        let ctx =
            Ctx { now: self.now(), today, routing: &self.routing, delegations: &delegations, excluded: &excluded };
        let id = previous.map_or_else(Uuid::now_v7, |p| p.id);
        Ok(engine::start(actor, sub, company, pin, plan, previous, id, ctx))
    }

    /// Resolve the plan on the directory facts `needs` asks for; also returns the accounts that may
    /// not approve (the requester's and the subject's).
    async fn resolve(
        &self,
        def: &FlowDefinition,
        sub: &Submission,
        today: chrono::NaiveDate,
        needs: &crate::store::Needs,
    ) -> R<(crate::model::Plan, HashSet<UserId>)> {
        let facts = self.directory.subject_facts(sub.doc.subject, today, needs).await?;
        let mut excluded: HashSet<UserId> =
            facts.accounts.get(&sub.doc.subject).cloned().unwrap_or_default().into_iter().collect();
        excluded.insert(sub.requester);
        let plan = engine::resolve_plan(def, &sub.fields, &facts, &excluded)?;
        Ok((plan, excluded))
    }

    /// Plan a new instance for a document: choose the definition (company custom or built-in default
    /// for the doc type), resolve approvers, skip steps whose condition is false; no writes.
    /// The document's store writes the result with the document (`write_transition`).
    pub async fn plan_start(&self, actor: &Actor, submission: Submission) -> R<Transition> {
        if submission.title.trim().is_empty() {
            return Err(invalid("title", "请填写审批标题。", "Give the approval a title."));
        }
        let company = self.directory.company_of(submission.doc.subject).await?;
        let (def, pin) = self.definition_for(company, &submission.doc.doc_type).await?;
        self.plan_round(actor, &submission, def, pin, company, None).await
    }

    /// Plan restarting a Returned instance after the requester amended the document (new
    /// fields/title). Uses the definition version the instance pinned.
    pub async fn plan_resubmit(&self, actor: &Actor, doc: &DocumentRef, submission: Submission) -> R<Transition> {
        let state = self.store.instance_state_of(&doc.doc_type, doc.doc_id).await?.ok_or(WorkflowError::NotFound)?;
        if actor.user_id != state.record.requester {
            return Err(WorkflowError::Forbidden);
        }
        if state.status != InstanceStatus::Returned {
            return Err(WorkflowError::WrongState(state.status.as_str()));
        }
        let def = match state.record.definition_id {
            Some(id) => self
                .store
                .definition_version(id, state.record.definition_version)
                .await?
                .unwrap_or_else(|| crate::defaults::builtin(&doc.doc_type)),
            None => crate::defaults::builtin(&doc.doc_type),
        };
        let pin = DefinitionPin { id: state.record.definition_id, version: state.record.definition_version };
        let sub = Submission { doc: state.doc.clone(), requester: state.record.requester, ..submission };
        self.plan_round(actor, &sub, def, pin, state.record.company_id, Some(&state)).await
    }

    /// May `actor` see instance `id` (company `company`)?
    async fn visible(&self, actor: &Actor, id: Uuid, company: CompanyId) -> R<bool> {
        if let Ok(scope) = actor.authorize(Permission::WorkflowAdmin)
            && admin_covers(&scope, company)
        {
            return Ok(true);
        }
        let participants = self.store.participants(id).await?;
        if participants.contains(&actor.user_id) {
            return Ok(true);
        }
        let to_me = self.store.active_delegations_to(actor.user_id, self.clock.today()).await?;
        Ok(to_me.iter().any(|d| participants.contains(&d.delegator_id)))
    }

    async fn view_for(&self, actor: &Actor, id: Uuid) -> R<Option<InstanceView>> {
        let Some(view) = self.store.instance_view(id).await? else { return Ok(None) };
        if self.visible(actor, id, view.company_id).await? { Ok(Some(view)) } else { Ok(None) }
    }

    /// The instance (with full history) of a document, if the actor may see it.
    pub async fn instance_of(&self, actor: &Actor, doc: &DocumentRef) -> R<Option<InstanceView>> {
        let Some(state) = self.store.instance_state_of(&doc.doc_type, doc.doc_id).await? else { return Ok(None) };
        self.view_for(actor, state.id).await
    }

    /// An instance by id (404 when missing or not visible).
    pub async fn instance(&self, actor: &Actor, id: Uuid) -> R<InstanceView> {
        self.view_for(actor, id).await?.ok_or(WorkflowError::NotFound)
    }

    async fn ctx_for(&self, state: &InstanceState) -> R<(HashSet<UserId>, Vec<Delegation>)> {
        let excluded = self.excluded(state.record.requester, state.doc.subject).await?;
        let delegations = self.delegations_of_plan(&state.record.plan).await?;
        Ok((excluded, delegations))
    }

    /// Withdraw by the requester (Pending or Returned): plans AND commits through the doc type's handler.
    pub async fn withdraw(&self, actor: &Actor, doc: &DocumentRef) -> R<InstanceView> {
        let state = self.store.instance_state_of(&doc.doc_type, doc.doc_id).await?.ok_or(WorkflowError::NotFound)?;
        self.withdraw_state(actor, state).await
    }

    /// Withdraw by instance id (the HTTP route).
    pub async fn withdraw_instance(&self, actor: &Actor, id: Uuid) -> R<InstanceView> {
        let state = self.store.instance_state(id).await?.ok_or(WorkflowError::NotFound)?;
        self.withdraw_state(actor, state).await
    }

    async fn withdraw_state(&self, actor: &Actor, state: InstanceState) -> R<InstanceView> {
        if actor.user_id != state.record.requester {
            // Someone else's request: say nothing about it unless they may see it.
            return Err(if self.visible(actor, state.id, state.record.company_id).await? {
                WorkflowError::Forbidden
            } else {
                WorkflowError::NotFound
            });
        }
        let (excluded, delegations) = self.ctx_for(&state).await?;
        let ctx = Ctx {
            now: self.now(),
            today: self.clock.today(),
            routing: &self.routing,
            delegations: &delegations,
            excluded: &excluded,
        };
        let t = engine::withdraw(actor, &state, ctx)?;
        self.commit(&t).await?;
        self.store.instance_view(state.id).await?.ok_or(WorkflowError::NotFound)
    }

    /// Approve / reject / return a task assigned (or delegated) to the actor: plans, then commits
    /// through the registered handler (or the WorkflowStore when none is registered). Returns the
    /// instance after. Someone else's task is `NotFound`; a decided one is `TaskClosed`.
    pub async fn decide(&self, actor: &Actor, task_id: Uuid, decision: Decision) -> R<InstanceView> {
        let instance_id = self.store.task_instance(task_id).await?.ok_or(WorkflowError::NotFound)?;
        let state = self.store.instance_state(instance_id).await?.ok_or(WorkflowError::NotFound)?;
        let today = self.clock.today();
        let Some(task) = state.tasks.iter().find(|t| t.id == task_id) else {
            // A task of an earlier round: closed, if the actor may know about it at all.
            return Err(if self.visible(actor, state.id, state.record.company_id).await? {
                WorkflowError::TaskClosed
            } else {
                WorkflowError::NotFound
            });
        };
        let mine = task.assignee == actor.user_id
            || self
                .store
                .active_delegations_to(actor.user_id, today)
                .await?
                .iter()
                .any(|d| d.delegator_id == task.assignee && d.covers(today, &state.doc.doc_type));
        if !mine {
            return Err(if self.visible(actor, state.id, state.record.company_id).await? {
                WorkflowError::Forbidden
            } else {
                WorkflowError::NotFound
            });
        }
        let (excluded, delegations) = self.ctx_for(&state).await?;
        let ctx =
            Ctx { now: self.now(), today, routing: &self.routing, delegations: &delegations, excluded: &excluded };
        let t = engine::decide(actor, &state, task_id, &decision, ctx)?;
        self.commit(&t).await?;
        self.store.instance_view(state.id).await?.ok_or(WorkflowError::NotFound)
    }

    /// My open tasks, including those of people who delegated to me, newest first.
    pub async fn inbox(&self, actor: &Actor, page: PageRequest) -> R<Page<InboxItem>> {
        let delegated: Vec<DelegatedFrom> = self
            .store
            .active_delegations_to(actor.user_id, self.clock.today())
            .await?
            .into_iter()
            .map(|d| DelegatedFrom { delegator: d.delegator_id, doc_types: d.doc_types })
            .collect();
        self.store.inbox(actor.user_id, &delegated, page).await
    }

    /// Tasks I decided.
    pub async fn done(&self, actor: &Actor, page: PageRequest) -> R<Page<InboxItem>> {
        self.store.done(actor.user_id, page).await
    }

    /// Instances I requested.
    pub async fn mine(&self, actor: &Actor, page: PageRequest) -> R<Page<InstanceSummary>> {
        self.store.mine(actor.user_id, page).await
    }

    // ------------------------------------------------------------------ delegations

    pub async fn delegations(&self, actor: &Actor) -> R<Vec<Delegation>> {
        self.store.delegations_of(actor.user_id).await
    }

    /// Delegate my approvals to someone for [from, to] (optionally only some doc types).
    pub async fn delegate(&self, actor: &Actor, input: NewDelegation) -> R<Delegation> {
        let mut e = FieldErrors::new();
        if input.delegate_id == actor.user_id {
            e.add("delegate_id", Msg::new("不能委托给自己。", "You cannot delegate to yourself."));
        }
        if input.valid_to < input.valid_from {
            e.add("valid_to", Msg::new("结束日期不能早于开始日期。", "The end cannot be before the start."));
        }
        if input.valid_to < self.clock.today() {
            e.add("valid_to", Msg::new("结束日期已过。", "The end date has passed."));
        }
        if let Some(t) = &input.doc_types
            && (t.is_empty() || t.iter().any(|d| d.trim().is_empty()))
        {
            e.add("doc_types", Msg::new("请列出单据类型，或不填表示全部。", "List document types, or omit for all."));
        }
        e.into_result().map_err(WorkflowError::Invalid)?;
        let now = self.now();
        let d = Delegation {
            id: Uuid::now_v7(),
            delegator_id: actor.user_id,
            delegate_id: input.delegate_id,
            delegate_name: String::new(),
            valid_from: input.valid_from,
            valid_to: input.valid_to,
            doc_types: input.doc_types,
            created_at: now,
            ended_at: None,
        };
        let event = actor.audit(now, "approval.delegate", "delegation").subject(d.id).subject(d.delegate_id).fields([
            "delegate_id",
            "valid_from",
            "valid_to",
            "doc_types",
        ]);
        self.store.create_delegation(&d, &[event]).await?;
        let all = self.store.delegations_of(actor.user_id).await?;
        all.into_iter().find(|x| x.id == d.id).ok_or(WorkflowError::NotFound)
    }

    /// End one of my delegations now.
    pub async fn end_delegation(&self, actor: &Actor, id: Uuid) -> R<()> {
        let now = self.now();
        let event = actor.audit(now, "approval.delegation_end", "delegation").subject(id).fields(["ended_at"]);
        self.store.end_delegation(id, actor.user_id, now, &[event]).await
    }

    // ------------------------------------------------------------------ definitions

    fn admin(&self, actor: &Actor) -> R<Scope> {
        actor.authorize(Permission::WorkflowAdmin).map_err(forbidden)
    }

    pub async fn definitions(&self, actor: &Actor, company: Option<CompanyId>) -> R<Vec<DefinitionRecord>> {
        let scope = self.admin(actor)?;
        let all = self.store.list_definitions(company).await?;
        Ok(all.into_iter().filter(|d| admin_covers(&scope, d.company_id)).collect())
    }

    pub async fn definition(&self, actor: &Actor, id: Uuid) -> R<DefinitionRecord> {
        let scope = self.admin(actor)?;
        match self.store.definition(id).await? {
            Some(d) if admin_covers(&scope, d.company_id) => Ok(d),
            _ => Err(WorkflowError::DefinitionNotFound),
        }
    }

    fn check_definition(doc_type: &str, def: &FlowDefinition) -> R<()> {
        let mut errors = match engine::validate(def) {
            Ok(()) => FieldErrors::new(),
            Err(e) => e,
        };
        let valid_type = !doc_type.is_empty()
            && doc_type.len() <= 40
            && doc_type.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
        if !valid_type {
            errors.add(
                "doc_type",
                Msg::new("单据类型须为小写字母、数字或下划线。", "Use lower-case letters, digits and _."),
            );
        }
        // Field paths of the definition body are under `definition.`.
        let mut out = FieldErrors::new();
        for (k, msgs) in errors.0 {
            let key = if k == "doc_type" { k } else { format!("definition.{k}") };
            for m in msgs {
                out.add(key.clone(), m);
            }
        }
        out.into_result().map_err(WorkflowError::Invalid)
    }

    /// Save a company's flow for a document type (version 1).
    pub async fn create_definition(&self, actor: &Actor, input: NewDefinition) -> R<DefinitionRecord> {
        let scope = self.admin(actor)?;
        if !admin_covers(&scope, input.company_id) {
            return Err(WorkflowError::Forbidden);
        }
        Self::check_definition(&input.doc_type, &input.definition)?;
        let now = self.now();
        let d = DefinitionRecord {
            id: Uuid::now_v7(),
            company_id: input.company_id,
            doc_type: input.doc_type,
            version: 1,
            definition: input.definition,
            created_at: now,
            updated_at: now,
            updated_by: actor.user_id,
        };
        let event =
            actor.audit(now, "workflow_definition.create", "workflow_definition").subject(d.id).fields(["definition"]);
        self.store.create_definition(&d, &[event]).await?;
        Ok(d)
    }

    /// Save a new version; instances already started keep theirs.
    pub async fn update_definition(&self, actor: &Actor, id: Uuid, input: DefinitionUpdate) -> R<DefinitionRecord> {
        let current = self.definition(actor, id).await?;
        Self::check_definition(&current.doc_type, &input.definition)?;
        if input.version != current.version {
            return Err(WorkflowError::Conflict);
        }
        let now = self.now();
        let d = DefinitionRecord {
            version: current.version + 1,
            definition: input.definition,
            updated_at: now,
            updated_by: actor.user_id,
            ..current
        };
        let event =
            actor.audit(now, "workflow_definition.update", "workflow_definition").subject(d.id).fields(["definition"]);
        self.store.update_definition(&d, &[event]).await?;
        Ok(d)
    }

    // ------------------------------------------------------------------ unit heads

    pub async fn unit_heads(&self, actor: &Actor, unit: OrgUnitId) -> R<Vec<UnitHead>> {
        self.admin(actor)?;
        self.store.unit_heads(unit).await
    }

    pub async fn set_unit_head(&self, actor: &Actor, unit: OrgUnitId, input: SetUnitHead) -> R<Vec<UnitHead>> {
        self.admin(actor)?;
        let now = self.now();
        let event = actor.audit(now, "org_unit.head_set", "org_unit").subject(unit).fields(["head", "valid_from"]);
        self.store.set_unit_head(unit, input.employee_id, input.valid_from, &[event]).await?;
        self.store.unit_heads(unit).await
    }

    // ------------------------------------------------------------------ timers

    /// Send due reminders (once per task) and escalate overdue tasks. Idempotent: run it as
    /// often as you like; each threshold fires once per task.
    pub async fn run_timers(&self, now: DateTime<Utc>) -> R<TimerReport> {
        let mut report = TimerReport::default();
        let due = self.store.due_reminders(now, TIMER_BATCH).await?;
        if !due.is_empty() {
            let reminders: Vec<_> = due.iter().map(|t| engine::reminder(t, now)).collect();
            report.reminders = self.store.record_reminders(&reminders, &self.routing, now).await?;
        }
        let system = Actor::system();
        let today = self.clock.today();
        for task in self.store.due_escalations(now, TIMER_BATCH).await? {
            let Some(state) = self.store.instance_state(task.instance_id).await? else { continue };
            let Some(open) = state.tasks.iter().find(|t| t.id == task.task_id && t.status == TaskStatus::Open) else {
                continue;
            };
            let step = usize::try_from(open.step).ok().and_then(|s| state.record.plan.steps.get(s));
            let rule = step.and_then(|s| s.escalate_to.clone()).unwrap_or(ApproverRule::ManagerLevelsUp { levels: 1 });
            let excluded = self.excluded(state.record.requester, state.doc.subject).await?;
            let mut targets = None;
            if let Some(employee) = self.directory.employee_of(open.assignee).await? {
                let needs = engine::needs_of(std::iter::once(&rule), std::iter::empty());
                match self.directory.subject_facts(employee, today, &needs).await {
                    Ok(facts) => targets = engine::resolve_rules(std::slice::from_ref(&rule), &facts, &excluded),
                    Err(WorkflowError::SubjectUnknown) => {}
                    Err(e) => return Err(e),
                }
            }
            let targets = targets.map(|t| t.into_iter().filter(|u| *u != open.assignee).collect::<Vec<_>>());
            match targets {
                Some(t) if !t.is_empty() => {
                    let delegations = self.store.active_delegations_from(&t, today).await?;
                    let ctx =
                        Ctx { now, today, routing: &self.routing, delegations: &delegations, excluded: &excluded };
                    let tr = engine::escalate(&system, &state, open.id, &t, ctx)?;
                    match self.store.commit(&tr).await {
                        Ok(()) => report.escalations += 1,
                        Err(WorkflowError::Conflict) => report.conflicts += 1,
                        Err(e) => return Err(e),
                    }
                }
                _ => {
                    let h = HistoryRecord {
                        id: Uuid::now_v7(),
                        round: state.record.round,
                        step: Some(open.step),
                        task_id: Some(open.id),
                        action: HistoryAction::Escalated,
                        actor: None,
                        on_behalf_of: Some(open.assignee),
                        comment: Some("unresolved".into()),
                        at: now,
                    };
                    if self.store.mark_escalation_unresolved(open.id, &h, state.id).await? {
                        report.unresolved += 1;
                    }
                }
            }
        }
        Ok(report)
    }

    // ------------------------------------------------------------------ notifications

    pub async fn notifications(&self, actor: &Actor, page: PageRequest) -> R<Page<Notification>> {
        self.store.notifications(actor.user_id, page).await
    }

    pub async fn unread_count(&self, actor: &Actor) -> R<u64> {
        self.store.unread_count(actor.user_id).await
    }

    pub async fn mark_read(&self, actor: &Actor, id: Uuid) -> R<()> {
        self.store.mark_read(actor.user_id, id, self.now()).await
    }

    pub async fn mark_all_read(&self, actor: &Actor) -> R<u64> {
        self.store.mark_all_read(actor.user_id, self.now()).await
    }

    /// Send due outbox deliveries through `sender`: delivered, retried with exponential backoff,
    /// or failed after [`MAX_ATTEMPTS`] (or at once when the sender says retrying cannot help).
    pub async fn deliver_pending(&self, sender: &dyn Sender, now: DateTime<Utc>, limit: u32) -> R<DeliveryReport> {
        let lease = now + TimeDelta::minutes(CLAIM_LEASE_MINUTES);
        let claimed = self.store.claim_deliveries(now, lease, limit).await?;
        let mut report =
            DeliveryReport { claimed: u32::try_from(claimed.len()).unwrap_or(u32::MAX), ..Default::default() };
        let mut outcomes = Vec::with_capacity(claimed.len());
        for d in claimed {
            let channel = match (d.channel.as_str(), &d.email, &d.target) {
                ("email", Some(to), _) => Destination::Email { to: to.clone() },
                ("webhook", _, Some(name)) => Destination::Webhook { name: name.clone() },
                _ => {
                    report.failed += 1;
                    outcomes.push(DeliveryOutcome::Failed { id: d.id, error: "no address".into() });
                    continue;
                }
            };
            let message =
                OutboundMessage { id: d.id, channel, kind: d.kind, title: d.title, body: d.body, link: d.link };
            match sender.send(&message).await {
                Ok(()) => {
                    report.delivered += 1;
                    outcomes.push(DeliveryOutcome::Delivered { id: d.id });
                }
                Err(e) if e.retry && d.attempt < MAX_ATTEMPTS => {
                    report.retried += 1;
                    outcomes.push(DeliveryOutcome::Retry {
                        id: d.id,
                        next_attempt_at: now + backoff(d.attempt),
                        error: scrub_error(&e.reason),
                    });
                }
                Err(e) => {
                    report.failed += 1;
                    outcomes.push(DeliveryOutcome::Failed { id: d.id, error: scrub_error(&e.reason) });
                }
            }
        }
        if !outcomes.is_empty() {
            self.store.finish_deliveries(&outcomes, now).await?;
        }
        Ok(report)
    }
}
