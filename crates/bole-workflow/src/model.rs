//! The workflow's vocabulary: flow definitions (data, serde JSON), the resolved plan an instance
//! keeps, the rows a transition writes, and the read models (instance, task, history, inbox,
//! delegation, unit head, notification) the API returns.

use crate::contract::{DocumentRef, InstanceStatus};
use bole_core::{CompanyId, EmployeeId, OrgUnitId, UserId};
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

// ------------------------------------------------------------------------ definitions

/// A flow definition: the steps a document of one type goes through in one company.
///
/// Stored as JSON per (company, doc type) and versioned; an instance pins the version it started
/// with. Example (the built-in leave flow, see [`crate::defaults`]):
///
/// ```json
/// {
///   "name": "请假审批",
///   "on_unresolved": {"action": "fallback", "role": "hr_admin"},
///   "dedupe_consecutive": true,
///   "steps": [
///     {"name": "直属上级审批", "approvers": [{"kind": "direct_manager"}], "mode": "one_of",
///      "remind_after_hours": 24, "escalate_after_hours": 72},
///     {"name": "部门负责人审批", "condition": {"field": "days", "op": ">", "value": 3},
///      "approvers": [{"kind": "unit_head", "of": "subject_unit"}], "on_unresolved": {"action": "skip"}}
///   ]
/// }
/// ```
///
/// A parallel step holds `branches` instead of `approvers`; every branch must finish:
/// `{"name": "会签", "branches": [{"name": "HRBP", "approvers": [{"kind": "role", "role": "hrbp"}]},
/// {"name": "财务", "approvers": [{"kind": "user", "user_id": "…"}], "mode": "all_of"}]}`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct FlowDefinition {
    pub name: String,
    /// What to do when a step's approvers resolve to nobody (a step may override it).
    #[serde(default)]
    pub on_unresolved: OnUnresolved,
    /// When a step's approvers are exactly the previous step's, pass it automatically.
    #[serde(default = "default_true")]
    pub dedupe_consecutive: bool,
    pub steps: Vec<StepDef>,
}

fn default_true() -> bool {
    true
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct StepDef {
    pub name: String,
    /// The step applies only when the condition holds on the document's fields.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<Object>)]
    pub condition: Option<Condition>,
    /// A sequential step: these approvers (union of the rules).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub approvers: Vec<ApproverRule>,
    #[serde(default)]
    pub mode: Mode,
    /// A parallel step: branches that must all finish (instead of `approvers`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub branches: Vec<BranchDef>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub on_unresolved: Option<OnUnresolved>,
    /// Remind the assignees once after this many hours without a decision.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub remind_after_hours: Option<u32>,
    /// Hand an undecided task to `escalate_to` after this many hours.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub escalate_after_hours: Option<u32>,
    /// Resolved relative to the ASSIGNEE (not the document's subject); default: the assignee's
    /// direct manager (`manager_levels_up` 1).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub escalate_to: Option<ApproverRule>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct BranchDef {
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<Object>)]
    pub condition: Option<Condition>,
    pub approvers: Vec<ApproverRule>,
    #[serde(default)]
    pub mode: Mode,
}

/// How many of a step's (branch's) approvers must approve.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Mode {
    /// 或签: the first approval completes it; the other tasks are superseded.
    #[default]
    OneOf,
    /// 会签: every resolved approver must approve.
    AllOf,
}

/// A condition on document fields: a test, or `and`/`or` lists of conditions.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum Condition {
    And { and: Vec<Condition> },
    Or { or: Vec<Condition> },
    Test { field: String, op: Op, value: serde_json::Value },
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Op {
    #[serde(rename = "==")]
    Eq,
    #[serde(rename = "!=")]
    Ne,
    #[serde(rename = ">")]
    Gt,
    #[serde(rename = ">=")]
    Ge,
    #[serde(rename = "<")]
    Lt,
    #[serde(rename = "<=")]
    Le,
    #[serde(rename = "in")]
    In,
}

/// Who approves, relative to the document's subject.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum ApproverRule {
    /// The subject's manager on their assignment as of today.
    DirectManager,
    /// The manager `levels` up the manager chain (1 = direct manager).
    ManagerLevelsUp { levels: u32 },
    /// The head of a unit (`org_unit_heads`): the subject's unit, its parent, or a named unit.
    UnitHead {
        of: UnitOf,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        unit_id: Option<OrgUnitId>,
    },
    /// Accounts whose grant of `role` covers the subject's unit (e.g. the unit's HRBP).
    Role {
        role: String,
        #[serde(default)]
        scope: RoleScope,
    },
    /// A named account.
    User { user_id: UserId },
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum UnitOf {
    SubjectUnit,
    ParentUnit,
    /// The unit named by `unit_id`.
    Unit,
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum RoleScope {
    /// Grants covering the subject's home unit (a subtree containing it, its company, or all).
    #[default]
    SubjectUnit,
}

/// When a step resolves to nobody.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(tag = "action", rename_all = "snake_case")]
pub enum OnUnresolved {
    /// Leave the step out (history says why).
    Skip,
    /// Give it to a named account or to the holders of a role covering the subject's unit.
    Fallback {
        #[serde(default, skip_serializing_if = "Option::is_none")]
        user_id: Option<UserId>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        role: Option<String>,
    },
    /// Refuse the submission (`approver_unresolved`).
    #[default]
    Fail,
}

/// A stored definition (one version current; older versions are kept for pinned instances).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct DefinitionRecord {
    pub id: Uuid,
    pub company_id: CompanyId,
    pub doc_type: String,
    pub version: i32,
    pub definition: FlowDefinition,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub updated_by: UserId,
}

/// Body of `POST /workflow-definitions`.
#[derive(Clone, Debug, Serialize, Deserialize, utoipa::ToSchema)]
pub struct NewDefinition {
    pub company_id: CompanyId,
    pub doc_type: String,
    pub definition: FlowDefinition,
}

/// Body of `PUT /workflow-definitions/{id}`: the new version's content.
#[derive(Clone, Debug, Serialize, Deserialize, utoipa::ToSchema)]
pub struct DefinitionUpdate {
    /// The version being replaced (optimistic check).
    pub version: i32,
    pub definition: FlowDefinition,
}

// ------------------------------------------------------------------------ the plan of an instance

/// Where a step (or branch) stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum StepStatus {
    Waiting,
    Active,
    Approved,
    /// Left out: condition false, nobody resolved (`skip`), or only the requester resolved.
    Skipped,
    /// Passed without a task: the same approvers as the previous step.
    AutoPassed,
    Rejected,
    Returned,
    /// Closed without a decision (withdrawn, or a sibling branch rejected).
    Cancelled,
}

/// A definition resolved for one document: who approves each step, decided at submission.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Plan {
    pub steps: Vec<PlannedStep>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct PlannedStep {
    pub name: String,
    pub status: StepStatus,
    /// Why a step was skipped or auto-passed: `condition_false`, `unresolved`, `self`, `dedupe`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
    pub branches: Vec<PlannedBranch>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub remind_after_hours: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub escalate_after_hours: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub escalate_to: Option<ApproverRule>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct PlannedBranch {
    pub name: String,
    pub mode: Mode,
    pub status: StepStatus,
    pub approvers: Vec<UserId>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

impl Plan {
    /// The index of the active step, if any.
    pub fn current(&self) -> Option<usize> {
        self.steps.iter().position(|s| s.status == StepStatus::Active)
    }
}

// ------------------------------------------------------------------------ rows a transition writes

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum TaskStatus {
    Open,
    Approved,
    Rejected,
    Returned,
    /// Another approver of a one-of step decided first, or the instance ended elsewhere.
    Superseded,
    /// Handed to someone else after the escalation timeout.
    Escalated,
    /// The requester withdrew the document.
    Cancelled,
}

impl TaskStatus {
    pub fn as_str(&self) -> &'static str {
        match self {
            TaskStatus::Open => "open",
            TaskStatus::Approved => "approved",
            TaskStatus::Rejected => "rejected",
            TaskStatus::Returned => "returned",
            TaskStatus::Superseded => "superseded",
            TaskStatus::Escalated => "escalated",
            TaskStatus::Cancelled => "cancelled",
        }
    }

    pub fn parse(s: &str) -> Option<TaskStatus> {
        [
            TaskStatus::Open,
            TaskStatus::Approved,
            TaskStatus::Rejected,
            TaskStatus::Returned,
            TaskStatus::Superseded,
            TaskStatus::Escalated,
            TaskStatus::Cancelled,
        ]
        .into_iter()
        .find(|t| t.as_str() == s)
    }
}

/// The instance row after a transition (its version is `expected_version + 1`, or 1 when new).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct InstanceRecord {
    pub company_id: CompanyId,
    pub requester: UserId,
    pub title: String,
    pub fields: serde_json::Value,
    pub round: i32,
    pub definition_id: Option<Uuid>,
    pub definition_version: i32,
    pub plan: Plan,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub closed_at: Option<DateTime<Utc>>,
}

/// A task to create (status open).
#[derive(Clone, Debug, PartialEq)]
pub struct TaskRecord {
    pub id: Uuid,
    pub round: i32,
    pub step: i32,
    pub branch: i32,
    pub assignee: UserId,
    /// The approver a delegate acts for.
    pub on_behalf_of: Option<UserId>,
    pub created_at: DateTime<Utc>,
    pub remind_at: Option<DateTime<Utc>>,
    pub escalate_at: Option<DateTime<Utc>>,
    pub escalated_from: Option<Uuid>,
}

/// An open task that closes.
#[derive(Clone, Debug, PartialEq)]
pub struct TaskClose {
    pub id: Uuid,
    pub status: TaskStatus,
    /// Who decided (None when closed as a consequence: superseded, cancelled).
    pub decided_by: Option<UserId>,
    pub comment: Option<String>,
    pub at: DateTime<Utc>,
}

/// What happened, for the append-only history.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum HistoryAction {
    Submitted,
    Resubmitted,
    Assigned,
    Approved,
    Rejected,
    Returned,
    Withdrawn,
    Skipped,
    AutoPassed,
    Reminded,
    Escalated,
    Completed,
}

impl HistoryAction {
    pub fn as_str(&self) -> &'static str {
        match self {
            HistoryAction::Submitted => "submitted",
            HistoryAction::Resubmitted => "resubmitted",
            HistoryAction::Assigned => "assigned",
            HistoryAction::Approved => "approved",
            HistoryAction::Rejected => "rejected",
            HistoryAction::Returned => "returned",
            HistoryAction::Withdrawn => "withdrawn",
            HistoryAction::Skipped => "skipped",
            HistoryAction::AutoPassed => "auto_passed",
            HistoryAction::Reminded => "reminded",
            HistoryAction::Escalated => "escalated",
            HistoryAction::Completed => "completed",
        }
    }

    pub fn parse(s: &str) -> Option<HistoryAction> {
        use HistoryAction::*;
        [
            Submitted,
            Resubmitted,
            Assigned,
            Approved,
            Rejected,
            Returned,
            Withdrawn,
            Skipped,
            AutoPassed,
            Reminded,
            Escalated,
            Completed,
        ]
        .into_iter()
        .find(|a| a.as_str() == s)
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct HistoryRecord {
    pub id: Uuid,
    pub round: i32,
    pub step: Option<i32>,
    pub task_id: Option<Uuid>,
    pub action: HistoryAction,
    /// None: the system (timers, automatic passes).
    pub actor: Option<UserId>,
    pub on_behalf_of: Option<UserId>,
    /// The decision's comment, or for system entries a reason code (`dedupe`, `condition_false`…).
    pub comment: Option<String>,
    pub at: DateTime<Utc>,
}

/// An in-app notification to create (and, per the routing, its outbox deliveries).
#[derive(Clone, Debug, PartialEq)]
pub struct NotificationDraft {
    pub id: Uuid,
    pub user_id: UserId,
    /// `task_assigned`, `approved`, `rejected`, `returned`, `withdrawn`, `reminder`, `escalated`.
    pub kind: String,
    pub title: String,
    pub body: String,
    pub link: Option<String>,
    pub instance_id: Option<Uuid>,
    pub created_at: DateTime<Utc>,
}

// ------------------------------------------------------------------------ read models

/// An instance as the store holds it (without names), for the engine to plan the next transition.
#[derive(Clone, Debug, PartialEq)]
pub struct InstanceState {
    pub id: Uuid,
    pub doc: DocumentRef,
    pub status: InstanceStatus,
    pub version: i64,
    pub record: InstanceRecord,
    /// The tasks of the current round.
    pub tasks: Vec<TaskState>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct TaskState {
    pub id: Uuid,
    pub round: i32,
    pub step: i32,
    pub branch: i32,
    pub assignee: UserId,
    pub on_behalf_of: Option<UserId>,
    pub status: TaskStatus,
    pub created_at: DateTime<Utc>,
}

/// An approval instance with its tasks and full history.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct InstanceView {
    pub id: Uuid,
    pub doc: DocumentRef,
    pub company_id: CompanyId,
    pub subject_name: String,
    pub requester_id: UserId,
    pub requester_name: String,
    pub title: String,
    #[schema(value_type = Object)]
    pub fields: serde_json::Value,
    pub status: InstanceStatus,
    pub version: i64,
    pub round: i32,
    pub definition_id: Option<Uuid>,
    pub definition_version: i32,
    pub steps: Vec<PlannedStep>,
    pub tasks: Vec<TaskView>,
    pub history: Vec<HistoryView>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub closed_at: Option<DateTime<Utc>>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct TaskView {
    pub id: Uuid,
    pub round: i32,
    pub step: i32,
    pub branch: i32,
    pub assignee_id: UserId,
    pub assignee_name: String,
    pub on_behalf_of: Option<UserId>,
    pub on_behalf_of_name: Option<String>,
    pub status: TaskStatus,
    pub created_at: DateTime<Utc>,
    pub decided_by: Option<UserId>,
    pub decided_at: Option<DateTime<Utc>>,
    pub comment: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct HistoryView {
    pub id: Uuid,
    pub round: i32,
    pub step: Option<i32>,
    pub task_id: Option<Uuid>,
    pub action: HistoryAction,
    pub actor_id: Option<UserId>,
    /// Display name (employee name, else the account name); `系统` for the system.
    pub actor_name: String,
    pub on_behalf_of: Option<UserId>,
    pub on_behalf_of_name: Option<String>,
    pub comment: Option<String>,
    pub at: DateTime<Utc>,
    /// One line for people, e.g. `张三 代 李四 审批通过`.
    pub text: String,
}

/// One row of an approver's inbox (or done list).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct InboxItem {
    pub task_id: Uuid,
    pub instance_id: Uuid,
    pub doc_type: String,
    pub doc_id: Uuid,
    pub title: String,
    pub subject_id: EmployeeId,
    pub subject_name: String,
    pub step: i32,
    pub step_name: String,
    pub task_status: TaskStatus,
    pub instance_status: InstanceStatus,
    /// Set when the task is the actor's as a delegate.
    pub on_behalf_of: Option<UserId>,
    pub on_behalf_of_name: Option<String>,
    pub created_at: DateTime<Utc>,
    pub decided_at: Option<DateTime<Utc>>,
}

/// One of my own requests.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct InstanceSummary {
    pub id: Uuid,
    pub doc_type: String,
    pub doc_id: Uuid,
    pub title: String,
    pub subject_id: EmployeeId,
    pub subject_name: String,
    pub status: InstanceStatus,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// A delegation (审批委托): the delegate handles the delegator's approvals in [from, to].
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Delegation {
    pub id: Uuid,
    pub delegator_id: UserId,
    pub delegate_id: UserId,
    pub delegate_name: String,
    /// Inclusive.
    pub valid_from: NaiveDate,
    /// Inclusive.
    pub valid_to: NaiveDate,
    /// Only these document types; None = all.
    pub doc_types: Option<Vec<String>>,
    pub created_at: DateTime<Utc>,
    pub ended_at: Option<DateTime<Utc>>,
}

impl Delegation {
    /// True when it applies on `day` to `doc_type`.
    pub fn covers(&self, day: NaiveDate, doc_type: &str) -> bool {
        self.ended_at.is_none()
            && self.valid_from <= day
            && day <= self.valid_to
            && self.doc_types.as_ref().is_none_or(|t| t.iter().any(|d| d == doc_type))
    }
}

/// Body of `POST /delegations`.
#[derive(Clone, Debug, Serialize, Deserialize, utoipa::ToSchema)]
pub struct NewDelegation {
    pub delegate_id: UserId,
    pub valid_from: NaiveDate,
    pub valid_to: NaiveDate,
    #[serde(default)]
    pub doc_types: Option<Vec<String>>,
}

/// The head of an org unit over a period (部门负责人).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct UnitHead {
    pub org_unit_id: OrgUnitId,
    pub employee_id: EmployeeId,
    pub employee_name: String,
    pub valid_from: NaiveDate,
    /// Exclusive; None = open.
    pub valid_to: Option<NaiveDate>,
}

/// Body of `PUT /org-units/{id}/head`: who heads the unit from `valid_from` (None = nobody).
#[derive(Clone, Debug, Serialize, Deserialize, utoipa::ToSchema)]
pub struct SetUnitHead {
    pub employee_id: Option<EmployeeId>,
    pub valid_from: NaiveDate,
}

/// An in-app notification.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Notification {
    pub id: Uuid,
    pub kind: String,
    pub title: String,
    pub body: String,
    pub link: Option<String>,
    pub instance_id: Option<Uuid>,
    pub created_at: DateTime<Utc>,
    pub read_at: Option<DateTime<Utc>>,
}

/// Facts about a document's subject the approver rules need, as of one day.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct SubjectFacts {
    pub subject: Option<EmployeeId>,
    pub company_id: Option<CompanyId>,
    /// The home unit first, then its parents up to the root.
    pub unit_chain: Vec<OrgUnitId>,
    /// The direct manager first, then theirs, and so on.
    pub manager_chain: Vec<EmployeeId>,
    /// Heads of the units of the chain (and of units named by rules).
    pub unit_heads: std::collections::HashMap<OrgUnitId, EmployeeId>,
    /// Enabled accounts of the employees involved.
    pub accounts: std::collections::HashMap<EmployeeId, Vec<UserId>>,
    /// Enabled accounts holding each role with a grant covering the subject's unit.
    pub role_holders: std::collections::HashMap<String, Vec<UserId>>,
    /// Enabled accounts named by `user` rules that exist.
    pub known_users: std::collections::HashSet<UserId>,
}

/// What `run_timers` did.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct TimerReport {
    pub reminders: u32,
    pub escalations: u32,
    /// Escalations that found nobody to escalate to (recorded once, not retried).
    pub unresolved: u32,
    /// Escalations lost to a concurrent decision (retried on the next run when still due).
    pub conflicts: u32,
}

/// What `deliver_pending` did.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeliveryReport {
    pub claimed: u32,
    pub delivered: u32,
    pub retried: u32,
    pub failed: u32,
}

/// A due outbox row, claimed for sending.
#[derive(Clone, Debug, PartialEq)]
pub struct ClaimedDelivery {
    pub id: Uuid,
    /// Attempts including this one.
    pub attempt: i32,
    pub channel: String,
    pub target: Option<String>,
    /// The recipient's current email, for email deliveries (None when they have none now).
    pub email: Option<String>,
    pub kind: String,
    pub title: String,
    pub body: String,
    pub link: Option<String>,
}

/// The outcome of one delivery attempt.
#[derive(Clone, Debug, PartialEq)]
pub enum DeliveryOutcome {
    Delivered { id: Uuid },
    Retry { id: Uuid, next_attempt_at: DateTime<Utc>, error: String },
    Failed { id: Uuid, error: String },
}
