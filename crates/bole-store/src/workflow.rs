//! Storage of approval definitions, instances, tasks, history, delegations, unit heads and
//! notifications (bole_workflow), the in-transaction writer document stores call
//! ([`write_transition`]), and the approver [`Directory`] over assignments, the org structure,
//! accounts and their grants.
//!
//! An instance's row carries a version: every transition is an UPDATE guarded by the version the
//! engine planned against, so two approvers deciding at once cannot both win (the second gets
//! `Conflict`). History rows are append-only (database triggers refuse UPDATE/DELETE).

use crate::audit::append_in_tx;
use crate::db::{Tx, is_foreign_key_violation, is_unique_violation};
use crate::org::placeholders;
use crate::{SqlStore, on_db, on_tx};
use async_trait::async_trait;
use bole_core::{AuditEvent, CompanyId, EmployeeId, OrgUnitId, Page, PageRequest, UserId};
use bole_workflow::notify::NotifyRouting;
use bole_workflow::store::{DelegatedFrom, Directory, DueTask, Needs, Reminder, WorkflowStore};
use bole_workflow::*;
use chrono::{DateTime, NaiveDate, Utc};
use sqlx::{AssertSqlSafe, QueryBuilder};
use std::collections::{HashMap, HashSet};
use std::future::Future;
use std::pin::Pin;
use uuid::Uuid;

/// Rows per multi-row INSERT.
const BATCH: usize = 400;

fn st(e: sqlx::Error) -> WorkflowError {
    // sqlx errors name constraints and SQL, never bound values.
    tracing::error!(error = %e, "workflow store failure");
    WorkflowError::Storage(e.to_string())
}

fn decode_err(what: &str, id: Uuid) -> WorkflowError {
    tracing::error!(workflow.row = %id, column = what, "workflow row does not decode");
    WorkflowError::Storage(format!("{what} of {id} does not decode"))
}

fn to_json<T: serde::Serialize>(v: &T) -> Result<String, WorkflowError> {
    serde_json::to_string(v).map_err(|e| WorkflowError::Storage(format!("encode: {e}")))
}

fn field_error(field: &str, zh: &str, en: &str) -> WorkflowError {
    let mut f = bole_core::FieldErrors::new();
    f.add(field, bole_core::Msg::new(zh, en));
    WorkflowError::Invalid(f)
}

// ------------------------------------------------------------------------ the transition writer

/// Write a planned transition inside a document store's transaction (optimistic check on the
/// instance version; `Conflict` when it moved). Document stores call this, then write their effects.
///
/// Writes: the instance row (insert when new, else a version-guarded update), closes the tasks
/// it closes (each must still be open), opens the new tasks, appends the history, creates the
/// notifications and their outbox deliveries, and appends the transition's audit events.
pub(crate) async fn write_transition(tx: &mut Tx, t: &Transition) -> Result<(), WorkflowError> {
    let w = &t.writes;
    let i = &w.instance;
    let plan = to_json(&i.plan)?;
    let fields = to_json(&i.fields)?;
    match t.expected_version {
        None => {
            let res = on_tx!(tx, c => {
                sqlx::query(
                    "INSERT INTO workflow_instances (id, company_id, doc_type, doc_id, subject_id, requester_id, title, fields, status, version, round, \
                     definition_id, definition_version, plan, created_at, updated_at, closed_at) \
                     VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,1,$10,$11,$12,$13,$14,$15,$16)",
                )
                .bind(t.instance_id)
                .bind(i.company_id.0)
                .bind(&t.doc.doc_type)
                .bind(t.doc.doc_id)
                .bind(t.doc.subject.0)
                .bind(i.requester.0)
                .bind(&i.title)
                .bind(&fields)
                .bind(t.status.as_str())
                .bind(i.round)
                .bind(i.definition_id)
                .bind(i.definition_version)
                .bind(&plan)
                .bind(i.created_at)
                .bind(i.updated_at)
                .bind(i.closed_at)
                .execute(&mut *c)
                .await
                .map(|r| r.rows_affected())
            });
            match res {
                Ok(_) => {}
                // Another submission of the same document got there first.
                Err(e) if is_unique_violation(&e) => return Err(WorkflowError::Conflict),
                Err(e) if is_foreign_key_violation(&e) => return Err(WorkflowError::SubjectUnknown),
                Err(e) => return Err(st(e)),
            }
        }
        Some(expected) => {
            let n = on_tx!(tx, c => {
                sqlx::query(
                    "UPDATE workflow_instances SET status = $1, version = version + 1, title = $2, fields = $3, round = $4, \
                     definition_id = $5, definition_version = $6, plan = $7, updated_at = $8, closed_at = $9 \
                     WHERE id = $10 AND version = $11",
                )
                .bind(t.status.as_str())
                .bind(&i.title)
                .bind(&fields)
                .bind(i.round)
                .bind(i.definition_id)
                .bind(i.definition_version)
                .bind(&plan)
                .bind(i.updated_at)
                .bind(i.closed_at)
                .bind(t.instance_id)
                .bind(expected)
                .execute(&mut *c)
                .await
                .map(|r| r.rows_affected())
            })
            .map_err(st)?;
            if n != 1 {
                return Err(WorkflowError::Conflict);
            }
        }
    }

    for close in &w.closed_tasks {
        let escalated_at = (close.status == TaskStatus::Escalated).then_some(close.at);
        let n = on_tx!(tx, c => {
            sqlx::query(
                "UPDATE workflow_tasks SET status = $1, decided_by = $2, decided_at = $3, comment = $4, \
                 escalated_at = COALESCE($5, escalated_at) \
                 WHERE id = $6 AND instance_id = $7 AND status = 'open'",
            )
            .bind(close.status.as_str())
            .bind(close.decided_by.map(|u| u.0))
            .bind(close.at)
            .bind(&close.comment)
            .bind(escalated_at)
            .bind(close.id)
            .bind(t.instance_id)
            .execute(&mut *c)
            .await
            .map(|r| r.rows_affected())
        })
        .map_err(st)?;
        if n != 1 {
            return Err(WorkflowError::Conflict);
        }
    }

    for chunk in w.new_tasks.chunks(BATCH) {
        on_tx!(tx, c => {
            let mut qb = QueryBuilder::new(
                "INSERT INTO workflow_tasks (id, instance_id, round, step, branch, doc_type, assignee_id, on_behalf_of, status, \
                 created_at, remind_at, escalate_at, escalated_from) ",
            );
            qb.push_values(chunk.iter(), |mut b, k| {
                b.push_bind(k.id)
                    .push_bind(t.instance_id)
                    .push_bind(k.round)
                    .push_bind(k.step)
                    .push_bind(k.branch)
                    .push_bind(t.doc.doc_type.clone())
                    .push_bind(k.assignee.0)
                    .push_bind(k.on_behalf_of.map(|u| u.0))
                    .push_bind("open")
                    .push_bind(k.created_at)
                    .push_bind(k.remind_at)
                    .push_bind(k.escalate_at)
                    .push_bind(k.escalated_from);
            });
            qb.build().execute(&mut *c).await.map(|r| r.rows_affected())
        })
        .map_err(st)?;
    }

    insert_history(tx, t.instance_id, &w.history).await?;
    insert_notifications(tx, &w.notifications, &w.routing).await?;
    append_in_tx(tx, &t.audit).await.map_err(st)?;
    Ok(())
}

async fn insert_history(tx: &mut Tx, instance_id: Uuid, rows: &[HistoryRecord]) -> Result<(), WorkflowError> {
    for chunk in rows.chunks(BATCH) {
        on_tx!(tx, c => {
            let mut qb = QueryBuilder::new(
                "INSERT INTO workflow_history (id, instance_id, round, step, task_id, action, actor_id, on_behalf_of, comment, at) ",
            );
            qb.push_values(chunk.iter(), |mut b, h| {
                b.push_bind(h.id)
                    .push_bind(instance_id)
                    .push_bind(h.round)
                    .push_bind(h.step)
                    .push_bind(h.task_id)
                    .push_bind(h.action.as_str())
                    .push_bind(h.actor.map(|u| u.0))
                    .push_bind(h.on_behalf_of.map(|u| u.0))
                    .push_bind(h.comment.clone())
                    .push_bind(h.at);
            });
            qb.build().execute(&mut *c).await.map(|r| r.rows_affected())
        })
        .map_err(st)?;
    }
    Ok(())
}

/// An outbox row: id, notification, channel, webhook name, due at.
type Outbox = (Uuid, Uuid, &'static str, Option<String>, DateTime<Utc>);

/// In-app rows, then one outbox row per channel: email only for recipients whose employee
/// record has an address now (the address itself is read again at delivery time).
async fn insert_notifications(
    tx: &mut Tx,
    rows: &[NotificationDraft],
    routing: &NotifyRouting,
) -> Result<(), WorkflowError> {
    if rows.is_empty() {
        return Ok(());
    }
    for chunk in rows.chunks(BATCH) {
        on_tx!(tx, c => {
            let mut qb = QueryBuilder::new(
                "INSERT INTO notifications (id, user_id, kind, title, body, link, instance_id, created_at) ",
            );
            qb.push_values(chunk.iter(), |mut b, n| {
                b.push_bind(n.id)
                    .push_bind(n.user_id.0)
                    .push_bind(n.kind.clone())
                    .push_bind(n.title.clone())
                    .push_bind(n.body.clone())
                    .push_bind(n.link.clone())
                    .push_bind(n.instance_id)
                    .push_bind(n.created_at);
            });
            qb.build().execute(&mut *c).await.map(|r| r.rows_affected())
        })
        .map_err(st)?;
    }
    let with_email: HashSet<Uuid> = if routing.email {
        let users: Vec<Uuid> = rows.iter().map(|n| n.user_id.0).collect::<HashSet<_>>().into_iter().collect();
        let mut found = HashSet::new();
        for chunk in users.chunks(BATCH) {
            let sql = format!(
                "SELECT u.id FROM users u JOIN employees e ON e.id = u.employee_id \
                 WHERE u.id IN ({}) AND e.email IS NOT NULL AND e.email <> ''",
                placeholders(1, chunk.len())
            );
            let ids: Vec<Uuid> = on_tx!(tx, c => {
                let mut q = sqlx::query_scalar(AssertSqlSafe(sql.clone()));
                for u in chunk {
                    q = q.bind(*u);
                }
                q.fetch_all(&mut *c).await
            })
            .map_err(st)?;
            found.extend(ids);
        }
        found
    } else {
        HashSet::new()
    };
    let mut deliveries: Vec<Outbox> = Vec::new();
    for n in rows {
        if with_email.contains(&n.user_id.0) {
            deliveries.push((Uuid::now_v7(), n.id, "email", None, n.created_at));
        }
        for hook in &routing.webhooks {
            deliveries.push((Uuid::now_v7(), n.id, "webhook", Some(hook.clone()), n.created_at));
        }
    }
    for chunk in deliveries.chunks(BATCH) {
        on_tx!(tx, c => {
            let mut qb = QueryBuilder::new(
                "INSERT INTO notification_deliveries (id, notification_id, channel, target, status, attempts, next_attempt_at, created_at) ",
            );
            qb.push_values(chunk.iter(), |mut b, (id, nid, channel, target, at)| {
                b.push_bind(*id)
                    .push_bind(*nid)
                    .push_bind(*channel)
                    .push_bind(target.clone())
                    .push_bind("pending")
                    .push_bind(0_i32)
                    .push_bind(*at)
                    .push_bind(*at);
            });
            qb.build().execute(&mut *c).await.map(|r| r.rows_affected())
        })
        .map_err(st)?;
    }
    Ok(())
}

/// A document's effect, run inside the transaction after the transition is written.
pub type Effect<'a> = Box<
    dyn for<'t> FnOnce(&'t mut Tx) -> Pin<Box<dyn Future<Output = Result<(), WorkflowError>> + Send + 't>> + Send + 'a,
>;

impl SqlStore {
    /// Write `t` and then run `effect` in the same transaction; commit only when both succeed.
    /// This is what a [`DocumentHandler`] does; it is public so the atomicity can be tested (and
    /// used by handlers that need no store of their own).
    pub async fn commit_transition_with(&self, t: &Transition, effect: Effect<'_>) -> Result<(), WorkflowError> {
        let mut tx = self.db.begin().await.map_err(st)?;
        write_transition(&mut tx, t).await?;
        effect(&mut tx).await?;
        tx.commit().await.map_err(st)
    }
}

// ------------------------------------------------------------------------ rows

#[derive(sqlx::FromRow)]
struct InstanceRow {
    id: Uuid,
    company_id: Uuid,
    doc_type: String,
    doc_id: Uuid,
    subject_id: Uuid,
    requester_id: Uuid,
    title: String,
    fields: String,
    status: String,
    version: i32,
    round: i32,
    definition_id: Option<Uuid>,
    definition_version: i32,
    plan: String,
    created_at: DateTime<Utc>,
    updated_at: DateTime<Utc>,
    closed_at: Option<DateTime<Utc>>,
}

const INSTANCE_COLS: &str = "id, company_id, doc_type, doc_id, subject_id, requester_id, title, fields, status, version, round, \
     definition_id, definition_version, plan, created_at, updated_at, closed_at";

fn parse_status(s: &str) -> Option<InstanceStatus> {
    [
        InstanceStatus::Pending,
        InstanceStatus::Approved,
        InstanceStatus::Rejected,
        InstanceStatus::Returned,
        InstanceStatus::Withdrawn,
    ]
    .into_iter()
    .find(|x| x.as_str() == s)
}

impl InstanceRow {
    fn doc(&self) -> DocumentRef {
        DocumentRef { doc_type: self.doc_type.clone(), doc_id: self.doc_id, subject: EmployeeId(self.subject_id) }
    }

    fn record(&self) -> Result<InstanceRecord, WorkflowError> {
        Ok(InstanceRecord {
            company_id: CompanyId(self.company_id),
            requester: UserId(self.requester_id),
            title: self.title.clone(),
            fields: serde_json::from_str(&self.fields).map_err(|_| decode_err("fields", self.id))?,
            round: self.round,
            definition_id: self.definition_id,
            definition_version: self.definition_version,
            plan: serde_json::from_str(&self.plan).map_err(|_| decode_err("plan", self.id))?,
            created_at: self.created_at,
            updated_at: self.updated_at,
            closed_at: self.closed_at,
        })
    }

    fn status(&self) -> Result<InstanceStatus, WorkflowError> {
        parse_status(&self.status).ok_or_else(|| decode_err("status", self.id))
    }
}

#[derive(sqlx::FromRow)]
struct TaskRow {
    id: Uuid,
    round: i32,
    step: i32,
    branch: i32,
    assignee_id: Uuid,
    on_behalf_of: Option<Uuid>,
    status: String,
    created_at: DateTime<Utc>,
    decided_by: Option<Uuid>,
    decided_at: Option<DateTime<Utc>>,
    comment: Option<String>,
}

const TASK_COLS: &str =
    "id, round, step, branch, assignee_id, on_behalf_of, status, created_at, decided_by, decided_at, comment";

fn task_status(id: Uuid, s: &str) -> Result<TaskStatus, WorkflowError> {
    TaskStatus::parse(s).ok_or_else(|| decode_err("task status", id))
}

#[derive(sqlx::FromRow)]
struct HistoryRow {
    id: Uuid,
    round: i32,
    step: Option<i32>,
    task_id: Option<Uuid>,
    action: String,
    actor_id: Option<Uuid>,
    on_behalf_of: Option<Uuid>,
    comment: Option<String>,
    at: DateTime<Utc>,
}

#[derive(sqlx::FromRow)]
struct DefinitionRow {
    id: Uuid,
    company_id: Uuid,
    doc_type: String,
    version: i32,
    body: String,
    created_at: DateTime<Utc>,
    updated_at: DateTime<Utc>,
    updated_by: Uuid,
}

const DEFINITION_COLS: &str = "id, company_id, doc_type, version, body, created_at, updated_at, updated_by";

impl TryFrom<DefinitionRow> for DefinitionRecord {
    type Error = WorkflowError;
    fn try_from(r: DefinitionRow) -> Result<Self, WorkflowError> {
        Ok(DefinitionRecord {
            definition: serde_json::from_str(&r.body).map_err(|_| decode_err("body", r.id))?,
            id: r.id,
            company_id: CompanyId(r.company_id),
            doc_type: r.doc_type,
            version: r.version,
            created_at: r.created_at,
            updated_at: r.updated_at,
            updated_by: UserId(r.updated_by),
        })
    }
}

#[derive(sqlx::FromRow)]
struct DelegationRow {
    id: Uuid,
    delegator_id: Uuid,
    delegate_id: Uuid,
    delegate_name: String,
    valid_from: NaiveDate,
    valid_to: NaiveDate,
    doc_types: Option<String>,
    created_at: DateTime<Utc>,
    ended_at: Option<DateTime<Utc>>,
}

const DELEGATION_SELECT: &str = "SELECT d.id, d.delegator_id, d.delegate_id, COALESCE(e.name, u.username) AS delegate_name, \
     d.valid_from, d.valid_to, d.doc_types, d.created_at, d.ended_at \
     FROM workflow_delegations d JOIN users u ON u.id = d.delegate_id LEFT JOIN employees e ON e.id = u.employee_id";

impl From<DelegationRow> for Delegation {
    fn from(r: DelegationRow) -> Self {
        Delegation {
            id: r.id,
            delegator_id: UserId(r.delegator_id),
            delegate_id: UserId(r.delegate_id),
            delegate_name: r.delegate_name,
            valid_from: r.valid_from,
            valid_to: r.valid_to,
            // Unreadable type lists apply to nothing rather than to everything.
            doc_types: r.doc_types.map(|t| serde_json::from_str(&t).unwrap_or_default()),
            created_at: r.created_at,
            ended_at: r.ended_at,
        }
    }
}

#[derive(sqlx::FromRow)]
struct InboxRow {
    task_id: Uuid,
    instance_id: Uuid,
    doc_type: String,
    doc_id: Uuid,
    title: String,
    subject_id: Uuid,
    subject_name: String,
    step: i32,
    plan: String,
    task_status: String,
    instance_status: String,
    assignee_id: Uuid,
    on_behalf_of: Option<Uuid>,
    created_at: DateTime<Utc>,
    decided_at: Option<DateTime<Utc>>,
}

const INBOX_SELECT: &str = "SELECT t.id AS task_id, t.instance_id, t.doc_type, i.doc_id, i.title, i.subject_id, e.name AS subject_name, \
     t.step, i.plan, t.status AS task_status, i.status AS instance_status, t.assignee_id, t.on_behalf_of, t.created_at, t.decided_at \
     FROM workflow_tasks t JOIN workflow_instances i ON i.id = t.instance_id JOIN employees e ON e.id = i.subject_id";

#[derive(sqlx::FromRow)]
struct SummaryRow {
    id: Uuid,
    doc_type: String,
    doc_id: Uuid,
    title: String,
    subject_id: Uuid,
    subject_name: String,
    status: String,
    created_at: DateTime<Utc>,
    updated_at: DateTime<Utc>,
}

#[derive(sqlx::FromRow)]
struct DueRow {
    id: Uuid,
    instance_id: Uuid,
    doc_type: String,
    title: String,
    assignee_id: Uuid,
    round: i32,
    step: i32,
}

#[derive(sqlx::FromRow)]
struct NotificationRow {
    id: Uuid,
    kind: String,
    title: String,
    body: String,
    link: Option<String>,
    instance_id: Option<Uuid>,
    created_at: DateTime<Utc>,
    read_at: Option<DateTime<Utc>>,
}

#[derive(sqlx::FromRow)]
struct ClaimRow {
    id: Uuid,
    attempts: i32,
    channel: String,
    target: Option<String>,
    email: Option<String>,
    kind: String,
    title: String,
    body: String,
    link: Option<String>,
}

#[derive(sqlx::FromRow)]
struct HeadRow {
    org_unit_id: Uuid,
    employee_id: Uuid,
    employee_name: String,
    valid_from: NaiveDate,
    valid_to: Option<NaiveDate>,
}

fn action_text(a: HistoryAction) -> &'static str {
    match a {
        HistoryAction::Submitted => "提交申请",
        HistoryAction::Resubmitted => "修改后重新提交",
        HistoryAction::Assigned => "分派审批",
        HistoryAction::Approved => "审批通过",
        HistoryAction::Rejected => "驳回",
        HistoryAction::Returned => "退回修改",
        HistoryAction::Withdrawn => "撤回申请",
        HistoryAction::Skipped => "跳过环节",
        HistoryAction::AutoPassed => "自动通过",
        HistoryAction::Reminded => "催办提醒",
        HistoryAction::Escalated => "超时升级",
        HistoryAction::Completed => "审批完成",
    }
}

fn step_name(plan: &str, step: i32) -> String {
    serde_json::from_str::<Plan>(plan)
        .ok()
        .and_then(|p| usize::try_from(step).ok().and_then(|s| p.steps.get(s).map(|s| s.name.clone())))
        .unwrap_or_default()
}

fn page_of<T>(items: Vec<T>, total: i64, page: PageRequest) -> Page<T> {
    Page { items, total: u64::try_from(total).unwrap_or(0), page: page.page, per_page: page.per_page }
}

fn dedup(ids: impl IntoIterator<Item = Uuid>) -> Vec<Uuid> {
    let mut seen = HashSet::new();
    ids.into_iter().filter(|i| seen.insert(*i)).collect()
}

impl SqlStore {
    /// Display names of accounts: the employee's name, else the account name.
    async fn display_names(&self, users: &[Uuid]) -> Result<HashMap<Uuid, String>, WorkflowError> {
        let users = dedup(users.iter().copied());
        let mut out = HashMap::new();
        for chunk in users.chunks(BATCH) {
            let sql = format!(
                "SELECT u.id, COALESCE(e.name, u.username) FROM users u LEFT JOIN employees e ON e.id = u.employee_id WHERE u.id IN ({})",
                placeholders(1, chunk.len())
            );
            let rows: Vec<(Uuid, String)> = on_db!(&self.db, p => {
                let mut q = sqlx::query_as(AssertSqlSafe(sql.clone()));
                for u in chunk {
                    q = q.bind(*u);
                }
                q.fetch_all(p).await
            })
            .map_err(st)?;
            out.extend(rows);
        }
        Ok(out)
    }

    async fn instance_row(
        &self,
        sql_where: &str,
        a: Uuid,
        b: Option<&str>,
    ) -> Result<Option<InstanceRow>, WorkflowError> {
        let sql = format!("SELECT {INSTANCE_COLS} FROM workflow_instances WHERE {sql_where}");
        on_db!(&self.db, p => {
            let mut q = sqlx::query_as::<_, InstanceRow>(AssertSqlSafe(sql.clone()));
            if let Some(b) = b {
                q = q.bind(b.to_string());
            }
            q.bind(a).fetch_optional(p).await
        })
        .map_err(st)
    }

    async fn state_of_row(&self, row: InstanceRow) -> Result<InstanceState, WorkflowError> {
        let tasks: Vec<TaskRow> = on_db!(&self.db, p => {
            sqlx::query_as(AssertSqlSafe(format!(
                "SELECT {TASK_COLS} FROM workflow_tasks WHERE instance_id = $1 AND round = $2 ORDER BY step, branch, created_at"
            )))
            .bind(row.id)
            .bind(row.round)
            .fetch_all(p)
            .await
        })
        .map_err(st)?;
        let tasks = tasks
            .into_iter()
            .map(|t| {
                Ok(TaskState {
                    status: task_status(t.id, &t.status)?,
                    id: t.id,
                    round: t.round,
                    step: t.step,
                    branch: t.branch,
                    assignee: UserId(t.assignee_id),
                    on_behalf_of: t.on_behalf_of.map(UserId),
                    created_at: t.created_at,
                })
            })
            .collect::<Result<Vec<_>, WorkflowError>>()?;
        Ok(InstanceState {
            id: row.id,
            doc: row.doc(),
            status: row.status()?,
            version: i64::from(row.version),
            record: row.record()?,
            tasks,
        })
    }

    async fn inbox_items(&self, rows: Vec<InboxRow>, user: UserId) -> Result<Vec<InboxItem>, WorkflowError> {
        // A task of someone who delegated to me is on their behalf.
        let behalf = |r: &InboxRow| if r.assignee_id == user.0 { r.on_behalf_of } else { Some(r.assignee_id) };
        let names = self.display_names(&rows.iter().filter_map(behalf).collect::<Vec<_>>()).await?;
        rows.into_iter()
            .map(|r| {
                let on_behalf_of = behalf(&r);
                Ok(InboxItem {
                    step_name: step_name(&r.plan, r.step),
                    task_status: task_status(r.task_id, &r.task_status)?,
                    instance_status: parse_status(&r.instance_status)
                        .ok_or_else(|| decode_err("status", r.instance_id))?,
                    on_behalf_of_name: on_behalf_of.and_then(|u| names.get(&u).cloned()),
                    on_behalf_of: on_behalf_of.map(UserId),
                    task_id: r.task_id,
                    instance_id: r.instance_id,
                    doc_type: r.doc_type,
                    doc_id: r.doc_id,
                    title: r.title,
                    subject_id: EmployeeId(r.subject_id),
                    subject_name: r.subject_name,
                    step: r.step,
                    created_at: r.created_at,
                    decided_at: r.decided_at,
                })
            })
            .collect()
    }
}

enum Bind {
    Id(Uuid),
    Text(String),
}

macro_rules! bind_all {
    ($q:ident, $binds:expr) => {
        for b in $binds {
            $q = match b {
                Bind::Id(u) => $q.bind(*u),
                Bind::Text(t) => $q.bind(t.clone()),
            };
        }
    };
}

#[async_trait]
impl WorkflowStore for SqlStore {
    async fn definition_for(
        &self,
        company: CompanyId,
        doc_type: &str,
    ) -> Result<Option<DefinitionRecord>, WorkflowError> {
        let row: Option<DefinitionRow> = on_db!(&self.db, p => {
            sqlx::query_as(AssertSqlSafe(format!(
                "SELECT {DEFINITION_COLS} FROM workflow_definitions WHERE company_id = $1 AND doc_type = $2"
            )))
            .bind(company.0)
            .bind(doc_type)
            .fetch_optional(p)
            .await
        })
        .map_err(st)?;
        row.map(TryInto::try_into).transpose()
    }

    async fn definition(&self, id: Uuid) -> Result<Option<DefinitionRecord>, WorkflowError> {
        let row: Option<DefinitionRow> = on_db!(&self.db, p => {
            sqlx::query_as(AssertSqlSafe(format!("SELECT {DEFINITION_COLS} FROM workflow_definitions WHERE id = $1")))
                .bind(id)
                .fetch_optional(p)
                .await
        })
        .map_err(st)?;
        row.map(TryInto::try_into).transpose()
    }

    async fn definition_version(&self, id: Uuid, version: i32) -> Result<Option<FlowDefinition>, WorkflowError> {
        let body: Option<String> = on_db!(&self.db, p => {
            sqlx::query_scalar("SELECT body FROM workflow_definition_versions WHERE definition_id = $1 AND version = $2")
                .bind(id)
                .bind(version)
                .fetch_optional(p)
                .await
        })
        .map_err(st)?;
        body.map(|b| serde_json::from_str(&b).map_err(|_| decode_err("version body", id))).transpose()
    }

    async fn list_definitions(&self, company: Option<CompanyId>) -> Result<Vec<DefinitionRecord>, WorkflowError> {
        let rows: Vec<DefinitionRow> = on_db!(&self.db, p => {
            match company {
                Some(c) => sqlx::query_as(AssertSqlSafe(format!(
                    "SELECT {DEFINITION_COLS} FROM workflow_definitions WHERE company_id = $1 ORDER BY doc_type"
                )))
                .bind(c.0)
                .fetch_all(p)
                .await,
                None => sqlx::query_as(AssertSqlSafe(format!(
                    "SELECT {DEFINITION_COLS} FROM workflow_definitions ORDER BY company_id, doc_type"
                )))
                .fetch_all(p)
                .await,
            }
        })
        .map_err(st)?;
        rows.into_iter().map(TryInto::try_into).collect()
    }

    async fn create_definition(&self, d: &DefinitionRecord, events: &[AuditEvent]) -> Result<(), WorkflowError> {
        let body = to_json(&d.definition)?;
        let mut tx = self.db.begin().await.map_err(st)?;
        let res = on_tx!(&mut tx, c => {
            sqlx::query(
                "INSERT INTO workflow_definitions (id, company_id, doc_type, name, version, body, created_at, updated_at, updated_by) \
                 VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9)",
            )
            .bind(d.id)
            .bind(d.company_id.0)
            .bind(&d.doc_type)
            .bind(&d.definition.name)
            .bind(d.version)
            .bind(&body)
            .bind(d.created_at)
            .bind(d.updated_at)
            .bind(d.updated_by.0)
            .execute(&mut *c)
            .await
            .map(|r| r.rows_affected())
        });
        match res {
            Ok(_) => {}
            Err(e) if is_unique_violation(&e) => return Err(WorkflowError::DefinitionExists),
            Err(e) if is_foreign_key_violation(&e) => {
                return Err(field_error("company_id", "公司不存在。", "No such company."));
            }
            Err(e) => return Err(st(e)),
        }
        insert_version(&mut tx, d, &body).await?;
        append_in_tx(&mut tx, events).await.map_err(st)?;
        tx.commit().await.map_err(st)
    }

    async fn update_definition(&self, d: &DefinitionRecord, events: &[AuditEvent]) -> Result<(), WorkflowError> {
        let body = to_json(&d.definition)?;
        let mut tx = self.db.begin().await.map_err(st)?;
        let n = on_tx!(&mut tx, c => {
            sqlx::query(
                "UPDATE workflow_definitions SET name = $1, version = $2, body = $3, updated_at = $4, updated_by = $5 \
                 WHERE id = $6 AND version = $7",
            )
            .bind(&d.definition.name)
            .bind(d.version)
            .bind(&body)
            .bind(d.updated_at)
            .bind(d.updated_by.0)
            .bind(d.id)
            .bind(d.version - 1)
            .execute(&mut *c)
            .await
            .map(|r| r.rows_affected())
        })
        .map_err(st)?;
        if n != 1 {
            let exists: Option<i32> = on_tx!(&mut tx, c => {
                sqlx::query_scalar("SELECT version FROM workflow_definitions WHERE id = $1").bind(d.id).fetch_optional(&mut *c).await
            })
            .map_err(st)?;
            return Err(if exists.is_some() { WorkflowError::Conflict } else { WorkflowError::NotFound });
        }
        insert_version(&mut tx, d, &body).await?;
        append_in_tx(&mut tx, events).await.map_err(st)?;
        tx.commit().await.map_err(st)
    }

    async fn instance_state(&self, id: Uuid) -> Result<Option<InstanceState>, WorkflowError> {
        match self.instance_row("id = $1", id, None).await? {
            Some(r) => Ok(Some(self.state_of_row(r).await?)),
            None => Ok(None),
        }
    }

    async fn instance_state_of(&self, doc_type: &str, doc_id: Uuid) -> Result<Option<InstanceState>, WorkflowError> {
        match self.instance_row("doc_type = $1 AND doc_id = $2", doc_id, Some(doc_type)).await? {
            Some(r) => Ok(Some(self.state_of_row(r).await?)),
            None => Ok(None),
        }
    }

    async fn task_instance(&self, task_id: Uuid) -> Result<Option<Uuid>, WorkflowError> {
        on_db!(&self.db, p => {
            sqlx::query_scalar("SELECT instance_id FROM workflow_tasks WHERE id = $1").bind(task_id).fetch_optional(p).await
        })
        .map_err(st)
    }

    async fn commit(&self, t: &Transition) -> Result<(), WorkflowError> {
        let mut tx = self.db.begin().await.map_err(st)?;
        write_transition(&mut tx, t).await?;
        tx.commit().await.map_err(st)
    }

    async fn instance_view(&self, id: Uuid) -> Result<Option<InstanceView>, WorkflowError> {
        let Some(row) = self.instance_row("id = $1", id, None).await? else { return Ok(None) };
        let subject_name: String = on_db!(&self.db, p => {
            sqlx::query_scalar("SELECT name FROM employees WHERE id = $1").bind(row.subject_id).fetch_optional(p).await
        })
        .map_err(st)?
        .unwrap_or_default();
        let tasks: Vec<TaskRow> = on_db!(&self.db, p => {
            sqlx::query_as(AssertSqlSafe(format!(
                "SELECT {TASK_COLS} FROM workflow_tasks WHERE instance_id = $1 ORDER BY round, step, branch, created_at"
            )))
            .bind(id)
            .fetch_all(p)
            .await
        })
        .map_err(st)?;
        let history: Vec<HistoryRow> = on_db!(&self.db, p => {
            sqlx::query_as(
                "SELECT id, round, step, task_id, action, actor_id, on_behalf_of, comment, at FROM workflow_history \
                 WHERE instance_id = $1 ORDER BY at, id",
            )
            .bind(id)
            .fetch_all(p)
            .await
        })
        .map_err(st)?;
        let mut people = vec![row.requester_id];
        for t in &tasks {
            people.push(t.assignee_id);
            people.extend(t.on_behalf_of);
        }
        for h in &history {
            people.extend(h.actor_id);
            people.extend(h.on_behalf_of);
        }
        let names = self.display_names(&people).await?;
        let name = |u: Uuid| names.get(&u).cloned().unwrap_or_default();
        let record = row.record()?;
        let tasks = tasks
            .into_iter()
            .map(|t| {
                Ok(TaskView {
                    status: task_status(t.id, &t.status)?,
                    id: t.id,
                    round: t.round,
                    step: t.step,
                    branch: t.branch,
                    assignee_id: UserId(t.assignee_id),
                    assignee_name: name(t.assignee_id),
                    on_behalf_of: t.on_behalf_of.map(UserId),
                    on_behalf_of_name: t.on_behalf_of.map(name),
                    created_at: t.created_at,
                    decided_by: t.decided_by.map(UserId),
                    decided_at: t.decided_at,
                    comment: t.comment,
                })
            })
            .collect::<Result<Vec<_>, WorkflowError>>()?;
        let history = history
            .into_iter()
            .map(|h| {
                let action = HistoryAction::parse(&h.action).ok_or_else(|| decode_err("history action", h.id))?;
                let actor_name = h.actor_id.map_or_else(|| "系统".to_string(), name);
                let behalf_name = h.on_behalf_of.map(name);
                let mut text = actor_name.clone();
                match (&behalf_name, action) {
                    (Some(b), HistoryAction::Escalated) => {
                        text.push_str(&format!(" {}（原审批人 {b}）", action_text(action)))
                    }
                    (Some(b), _) => text.push_str(&format!(" 代 {b} {}", action_text(action))),
                    (None, _) => text.push_str(&format!(" {}", action_text(action))),
                }
                if let Some(c) = &h.comment
                    && h.actor_id.is_some()
                {
                    text.push_str(&format!("：{c}"));
                }
                Ok(HistoryView {
                    id: h.id,
                    round: h.round,
                    step: h.step,
                    task_id: h.task_id,
                    action,
                    actor_id: h.actor_id.map(UserId),
                    actor_name,
                    on_behalf_of: h.on_behalf_of.map(UserId),
                    on_behalf_of_name: behalf_name,
                    comment: h.comment,
                    at: h.at,
                    text,
                })
            })
            .collect::<Result<Vec<_>, WorkflowError>>()?;
        Ok(Some(InstanceView {
            id: row.id,
            doc: row.doc(),
            company_id: CompanyId(row.company_id),
            subject_name,
            requester_id: UserId(row.requester_id),
            requester_name: name(row.requester_id),
            title: row.title.clone(),
            fields: record.fields,
            status: row.status()?,
            version: i64::from(row.version),
            round: row.round,
            definition_id: row.definition_id,
            definition_version: row.definition_version,
            steps: record.plan.steps,
            tasks,
            history,
            created_at: row.created_at,
            updated_at: row.updated_at,
            closed_at: row.closed_at,
        }))
    }

    async fn participants(&self, id: Uuid) -> Result<Vec<UserId>, WorkflowError> {
        let ids: Vec<Uuid> = on_db!(&self.db, p => {
            sqlx::query_scalar(
                "SELECT requester_id FROM workflow_instances WHERE id = $1 \
                 UNION SELECT u.id FROM users u JOIN workflow_instances i ON u.employee_id = i.subject_id WHERE i.id = $1 \
                 UNION SELECT assignee_id FROM workflow_tasks WHERE instance_id = $1 \
                 UNION SELECT on_behalf_of FROM workflow_tasks WHERE instance_id = $1 AND on_behalf_of IS NOT NULL",
            )
            .bind(id)
            .fetch_all(p)
            .await
        })
        .map_err(st)?;
        Ok(ids.into_iter().map(UserId).collect())
    }

    async fn inbox(
        &self,
        user: UserId,
        delegated: &[DelegatedFrom],
        page: PageRequest,
    ) -> Result<Page<InboxItem>, WorkflowError> {
        let mut binds = vec![Bind::Id(user.0)];
        let mut who = String::from("t.assignee_id = $1");
        for d in delegated {
            binds.push(Bind::Id(d.delegator.0));
            let n = binds.len();
            match &d.doc_types {
                None => who.push_str(&format!(" OR t.assignee_id = ${n}")),
                Some(types) if types.is_empty() => {}
                Some(types) => {
                    who.push_str(&format!(
                        " OR (t.assignee_id = ${n} AND t.doc_type IN ({}))",
                        placeholders(n + 1, types.len())
                    ));
                    binds.extend(types.iter().map(|t| Bind::Text(t.clone())));
                }
            }
        }
        let filter = format!(" WHERE t.status = 'open' AND ({who})");
        let n = binds.len();
        let sql =
            format!("{INBOX_SELECT}{filter} ORDER BY t.created_at DESC, t.id DESC LIMIT ${} OFFSET ${}", n + 1, n + 2);
        let count_sql = format!("SELECT COUNT(*) FROM workflow_tasks t{filter}");
        let (rows, total): (Vec<InboxRow>, i64) = on_db!(&self.db, p => {
            let mut q = sqlx::query_as::<_, InboxRow>(AssertSqlSafe(sql.clone()));
            bind_all!(q, &binds);
            let rows = q.bind(page.limit()).bind(page.offset()).fetch_all(p).await;
            let mut c = sqlx::query_scalar::<_, i64>(AssertSqlSafe(count_sql.clone()));
            bind_all!(c, &binds);
            match rows {
                Ok(r) => c.fetch_one(p).await.map(|t| (r, t)),
                Err(e) => Err(e),
            }
        })
        .map_err(st)?;
        Ok(page_of(self.inbox_items(rows, user).await?, total, page))
    }

    async fn done(&self, user: UserId, page: PageRequest) -> Result<Page<InboxItem>, WorkflowError> {
        let sql =
            format!("{INBOX_SELECT} WHERE t.decided_by = $1 ORDER BY t.decided_at DESC, t.id DESC LIMIT $2 OFFSET $3");
        let (rows, total): (Vec<InboxRow>, i64) = on_db!(&self.db, p => {
            let rows = sqlx::query_as::<_, InboxRow>(AssertSqlSafe(sql.clone()))
                .bind(user.0)
                .bind(page.limit())
                .bind(page.offset())
                .fetch_all(p)
                .await;
            match rows {
                Ok(r) => sqlx::query_scalar::<_, i64>("SELECT COUNT(*) FROM workflow_tasks WHERE decided_by = $1")
                    .bind(user.0)
                    .fetch_one(p)
                    .await
                    .map(|t| (r, t)),
                Err(e) => Err(e),
            }
        })
        .map_err(st)?;
        Ok(page_of(self.inbox_items(rows, user).await?, total, page))
    }

    async fn mine(&self, user: UserId, page: PageRequest) -> Result<Page<InstanceSummary>, WorkflowError> {
        let (rows, total): (Vec<SummaryRow>, i64) = on_db!(&self.db, p => {
            let rows = sqlx::query_as::<_, SummaryRow>(
                "SELECT i.id, i.doc_type, i.doc_id, i.title, i.subject_id, e.name AS subject_name, i.status, i.created_at, i.updated_at \
                 FROM workflow_instances i JOIN employees e ON e.id = i.subject_id WHERE i.requester_id = $1 \
                 ORDER BY i.created_at DESC, i.id DESC LIMIT $2 OFFSET $3",
            )
            .bind(user.0)
            .bind(page.limit())
            .bind(page.offset())
            .fetch_all(p)
            .await;
            match rows {
                Ok(r) => sqlx::query_scalar::<_, i64>("SELECT COUNT(*) FROM workflow_instances WHERE requester_id = $1")
                    .bind(user.0)
                    .fetch_one(p)
                    .await
                    .map(|t| (r, t)),
                Err(e) => Err(e),
            }
        })
        .map_err(st)?;
        let items = rows
            .into_iter()
            .map(|r| {
                Ok(InstanceSummary {
                    status: parse_status(&r.status).ok_or_else(|| decode_err("status", r.id))?,
                    id: r.id,
                    doc_type: r.doc_type,
                    doc_id: r.doc_id,
                    title: r.title,
                    subject_id: EmployeeId(r.subject_id),
                    subject_name: r.subject_name,
                    created_at: r.created_at,
                    updated_at: r.updated_at,
                })
            })
            .collect::<Result<Vec<_>, WorkflowError>>()?;
        Ok(page_of(items, total, page))
    }

    async fn delegations_of(&self, user: UserId) -> Result<Vec<Delegation>, WorkflowError> {
        let rows: Vec<DelegationRow> = on_db!(&self.db, p => {
            sqlx::query_as(AssertSqlSafe(format!("{DELEGATION_SELECT} WHERE d.delegator_id = $1 ORDER BY d.created_at DESC")))
                .bind(user.0)
                .fetch_all(p)
                .await
        })
        .map_err(st)?;
        Ok(rows.into_iter().map(Into::into).collect())
    }

    async fn active_delegations_from(
        &self,
        delegators: &[UserId],
        on: NaiveDate,
    ) -> Result<Vec<Delegation>, WorkflowError> {
        let mut out = Vec::new();
        for chunk in delegators.chunks(BATCH) {
            let sql = format!(
                "{DELEGATION_SELECT} WHERE d.ended_at IS NULL AND d.valid_from <= $1 AND d.valid_to >= $1 AND d.delegator_id IN ({}) \
                 ORDER BY d.created_at",
                placeholders(2, chunk.len())
            );
            let rows: Vec<DelegationRow> = on_db!(&self.db, p => {
                let mut q = sqlx::query_as(AssertSqlSafe(sql.clone())).bind(on);
                for u in chunk {
                    q = q.bind(u.0);
                }
                q.fetch_all(p).await
            })
            .map_err(st)?;
            out.extend(rows.into_iter().map(Delegation::from));
        }
        Ok(out)
    }

    async fn active_delegations_to(&self, delegate: UserId, on: NaiveDate) -> Result<Vec<Delegation>, WorkflowError> {
        let rows: Vec<DelegationRow> = on_db!(&self.db, p => {
            sqlx::query_as(AssertSqlSafe(format!(
                "{DELEGATION_SELECT} WHERE d.delegate_id = $1 AND d.ended_at IS NULL AND d.valid_from <= $2 AND d.valid_to >= $2"
            )))
            .bind(delegate.0)
            .bind(on)
            .fetch_all(p)
            .await
        })
        .map_err(st)?;
        Ok(rows.into_iter().map(Into::into).collect())
    }

    async fn create_delegation(&self, d: &Delegation, events: &[AuditEvent]) -> Result<(), WorkflowError> {
        let types = d.doc_types.as_ref().map(to_json).transpose()?;
        let mut tx = self.db.begin().await.map_err(st)?;
        let res = on_tx!(&mut tx, c => {
            sqlx::query(
                "INSERT INTO workflow_delegations (id, delegator_id, delegate_id, valid_from, valid_to, doc_types, created_at) \
                 VALUES ($1,$2,$3,$4,$5,$6,$7)",
            )
            .bind(d.id)
            .bind(d.delegator_id.0)
            .bind(d.delegate_id.0)
            .bind(d.valid_from)
            .bind(d.valid_to)
            .bind(&types)
            .bind(d.created_at)
            .execute(&mut *c)
            .await
            .map(|r| r.rows_affected())
        });
        match res {
            Ok(_) => {}
            Err(e) if is_foreign_key_violation(&e) => {
                return Err(field_error("delegate_id", "被委托人账号不存在。", "No such account to delegate to."));
            }
            Err(e) => return Err(st(e)),
        }
        append_in_tx(&mut tx, events).await.map_err(st)?;
        tx.commit().await.map_err(st)
    }

    async fn end_delegation(
        &self,
        id: Uuid,
        delegator: UserId,
        at: DateTime<Utc>,
        events: &[AuditEvent],
    ) -> Result<(), WorkflowError> {
        let mut tx = self.db.begin().await.map_err(st)?;
        let n = on_tx!(&mut tx, c => {
            sqlx::query("UPDATE workflow_delegations SET ended_at = $1 WHERE id = $2 AND delegator_id = $3 AND ended_at IS NULL")
                .bind(at)
                .bind(id)
                .bind(delegator.0)
                .execute(&mut *c)
                .await
                .map(|r| r.rows_affected())
        })
        .map_err(st)?;
        if n != 1 {
            return Err(WorkflowError::DelegationNotFound);
        }
        append_in_tx(&mut tx, events).await.map_err(st)?;
        tx.commit().await.map_err(st)
    }

    async fn unit_heads(&self, unit: OrgUnitId) -> Result<Vec<UnitHead>, WorkflowError> {
        let rows: Vec<HeadRow> = on_db!(&self.db, p => {
            sqlx::query_as(
                "SELECT h.org_unit_id, h.employee_id, e.name AS employee_name, h.valid_from, h.valid_to \
                 FROM org_unit_heads h JOIN employees e ON e.id = h.employee_id WHERE h.org_unit_id = $1 ORDER BY h.valid_from",
            )
            .bind(unit.0)
            .fetch_all(p)
            .await
        })
        .map_err(st)?;
        Ok(rows
            .into_iter()
            .map(|r| UnitHead {
                org_unit_id: OrgUnitId(r.org_unit_id),
                employee_id: EmployeeId(r.employee_id),
                employee_name: r.employee_name,
                valid_from: r.valid_from,
                valid_to: r.valid_to,
            })
            .collect())
    }

    async fn set_unit_head(
        &self,
        unit: OrgUnitId,
        head: Option<EmployeeId>,
        from: NaiveDate,
        events: &[AuditEvent],
    ) -> Result<(), WorkflowError> {
        let mut tx = self.db.begin().await.map_err(st)?;
        let exists: Option<Uuid> = on_tx!(&mut tx, c => {
            sqlx::query_scalar("SELECT id FROM org_units WHERE id = $1").bind(unit.0).fetch_optional(&mut *c).await
        })
        .map_err(st)?;
        if exists.is_none() {
            return Err(WorkflowError::UnitNotFound);
        }
        if let Some(e) = head {
            let found: Option<Uuid> = on_tx!(&mut tx, c => {
                sqlx::query_scalar("SELECT id FROM employees WHERE id = $1").bind(e.0).fetch_optional(&mut *c).await
            })
            .map_err(st)?;
            if found.is_none() {
                return Err(field_error("employee_id", "员工不存在。", "No such employee."));
            }
        }
        let later: i64 = on_tx!(&mut tx, c => {
            sqlx::query_scalar("SELECT COUNT(*) FROM org_unit_heads WHERE org_unit_id = $1 AND valid_from > $2")
                .bind(unit.0)
                .bind(from)
                .fetch_one(&mut *c)
                .await
        })
        .map_err(st)?;
        if later > 0 {
            return Err(field_error(
                "valid_from",
                "该单元已有更晚开始的负责人记录，请先调整那一条。",
                "A later head period exists; change that one first.",
            ));
        }
        on_tx!(&mut tx, c => {
            let closed = sqlx::query(
                "UPDATE org_unit_heads SET valid_to = $1 WHERE org_unit_id = $2 AND valid_from < $1 AND (valid_to IS NULL OR valid_to > $1)",
            )
            .bind(from)
            .bind(unit.0)
            .execute(&mut *c)
            .await;
            match closed {
                Ok(_) => sqlx::query("DELETE FROM org_unit_heads WHERE org_unit_id = $1 AND valid_from = $2")
                    .bind(unit.0)
                    .bind(from)
                    .execute(&mut *c)
                    .await
                    .map(|r| r.rows_affected()),
                Err(e) => Err(e),
            }
        })
        .map_err(st)?;
        if let Some(e) = head {
            on_tx!(&mut tx, c => {
                sqlx::query("INSERT INTO org_unit_heads (org_unit_id, valid_from, valid_to, employee_id) VALUES ($1,$2,NULL,$3)")
                    .bind(unit.0)
                    .bind(from)
                    .bind(e.0)
                    .execute(&mut *c)
                    .await
                    .map(|r| r.rows_affected())
            })
            .map_err(st)?;
        }
        append_in_tx(&mut tx, events).await.map_err(st)?;
        tx.commit().await.map_err(st)
    }

    async fn due_reminders(&self, now: DateTime<Utc>, limit: u32) -> Result<Vec<DueTask>, WorkflowError> {
        due(self, "remind_at", "reminded_at", now, limit).await
    }

    async fn due_escalations(&self, now: DateTime<Utc>, limit: u32) -> Result<Vec<DueTask>, WorkflowError> {
        due(self, "escalate_at", "escalated_at", now, limit).await
    }

    async fn record_reminders(
        &self,
        reminders: &[Reminder],
        routing: &NotifyRouting,
        at: DateTime<Utc>,
    ) -> Result<u32, WorkflowError> {
        let mut tx = self.db.begin().await.map_err(st)?;
        let mut done = 0_u32;
        for r in reminders {
            let n = on_tx!(&mut tx, c => {
                sqlx::query("UPDATE workflow_tasks SET reminded_at = $1 WHERE id = $2 AND status = 'open' AND reminded_at IS NULL")
                    .bind(at)
                    .bind(r.task_id)
                    .execute(&mut *c)
                    .await
                    .map(|r| r.rows_affected())
            })
            .map_err(st)?;
            if n == 1 {
                insert_history(&mut tx, r.instance_id, std::slice::from_ref(&r.history)).await?;
                insert_notifications(&mut tx, std::slice::from_ref(&r.notification), routing).await?;
                done += 1;
            }
        }
        tx.commit().await.map_err(st)?;
        Ok(done)
    }

    async fn mark_escalation_unresolved(
        &self,
        task_id: Uuid,
        history: &HistoryRecord,
        instance_id: Uuid,
    ) -> Result<bool, WorkflowError> {
        let mut tx = self.db.begin().await.map_err(st)?;
        let n = on_tx!(&mut tx, c => {
            sqlx::query("UPDATE workflow_tasks SET escalated_at = $1 WHERE id = $2 AND status = 'open' AND escalated_at IS NULL")
                .bind(history.at)
                .bind(task_id)
                .execute(&mut *c)
                .await
                .map(|r| r.rows_affected())
        })
        .map_err(st)?;
        if n == 1 {
            insert_history(&mut tx, instance_id, std::slice::from_ref(history)).await?;
        }
        tx.commit().await.map_err(st)?;
        Ok(n == 1)
    }

    async fn notifications(&self, user: UserId, page: PageRequest) -> Result<Page<Notification>, WorkflowError> {
        let (rows, total): (Vec<NotificationRow>, i64) = on_db!(&self.db, p => {
            let rows = sqlx::query_as::<_, NotificationRow>(
                "SELECT id, kind, title, body, link, instance_id, created_at, read_at FROM notifications WHERE user_id = $1 \
                 ORDER BY CASE WHEN read_at IS NULL THEN 0 ELSE 1 END, created_at DESC, id DESC LIMIT $2 OFFSET $3",
            )
            .bind(user.0)
            .bind(page.limit())
            .bind(page.offset())
            .fetch_all(p)
            .await;
            match rows {
                Ok(r) => sqlx::query_scalar::<_, i64>("SELECT COUNT(*) FROM notifications WHERE user_id = $1")
                    .bind(user.0)
                    .fetch_one(p)
                    .await
                    .map(|t| (r, t)),
                Err(e) => Err(e),
            }
        })
        .map_err(st)?;
        let items = rows
            .into_iter()
            .map(|r| Notification {
                id: r.id,
                kind: r.kind,
                title: r.title,
                body: r.body,
                link: r.link,
                instance_id: r.instance_id,
                created_at: r.created_at,
                read_at: r.read_at,
            })
            .collect();
        Ok(page_of(items, total, page))
    }

    async fn unread_count(&self, user: UserId) -> Result<u64, WorkflowError> {
        let n: i64 = on_db!(&self.db, p => {
            sqlx::query_scalar("SELECT COUNT(*) FROM notifications WHERE user_id = $1 AND read_at IS NULL")
                .bind(user.0)
                .fetch_one(p)
                .await
        })
        .map_err(st)?;
        Ok(u64::try_from(n).unwrap_or(0))
    }

    async fn mark_read(&self, user: UserId, id: Uuid, at: DateTime<Utc>) -> Result<(), WorkflowError> {
        let n = on_db!(&self.db, p => {
            sqlx::query("UPDATE notifications SET read_at = COALESCE(read_at, $1) WHERE id = $2 AND user_id = $3")
                .bind(at)
                .bind(id)
                .bind(user.0)
                .execute(p)
                .await
                .map(|r| r.rows_affected())
        })
        .map_err(st)?;
        if n == 1 { Ok(()) } else { Err(WorkflowError::NotificationNotFound) }
    }

    async fn mark_all_read(&self, user: UserId, at: DateTime<Utc>) -> Result<u64, WorkflowError> {
        on_db!(&self.db, p => {
            sqlx::query("UPDATE notifications SET read_at = $1 WHERE user_id = $2 AND read_at IS NULL")
                .bind(at)
                .bind(user.0)
                .execute(p)
                .await
                .map(|r| r.rows_affected())
        })
        .map_err(st)
    }

    async fn claim_deliveries(
        &self,
        now: DateTime<Utc>,
        lease_until: DateTime<Utc>,
        limit: u32,
    ) -> Result<Vec<ClaimedDelivery>, WorkflowError> {
        // One statement: pick due rows and push their next attempt past the lease. PostgreSQL
        // skips rows another claimer holds; SQLite has a single writer, so the UPDATE is atomic.
        let lock = match self.db.engine() {
            crate::Engine::Postgres => " FOR UPDATE SKIP LOCKED",
            crate::Engine::Sqlite => "",
        };
        let sql = format!(
            "UPDATE notification_deliveries SET attempts = attempts + 1, next_attempt_at = $1 \
             WHERE id IN (SELECT id FROM notification_deliveries WHERE status = 'pending' AND next_attempt_at <= $2 \
             ORDER BY next_attempt_at LIMIT $3{lock}) AND status = 'pending' AND next_attempt_at <= $2 RETURNING id"
        );
        let ids: Vec<Uuid> = on_db!(&self.db, p => {
            sqlx::query_scalar(AssertSqlSafe(sql.clone())).bind(lease_until).bind(now).bind(i64::from(limit)).fetch_all(p).await
        })
        .map_err(st)?;
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        let sql = format!(
            "SELECT d.id, d.attempts, d.channel, d.target, e.email, n.kind, n.title, n.body, n.link \
             FROM notification_deliveries d JOIN notifications n ON n.id = d.notification_id \
             JOIN users u ON u.id = n.user_id LEFT JOIN employees e ON e.id = u.employee_id \
             WHERE d.id IN ({}) ORDER BY d.next_attempt_at, d.id",
            placeholders(1, ids.len())
        );
        let rows: Vec<ClaimRow> = on_db!(&self.db, p => {
            let mut q = sqlx::query_as(AssertSqlSafe(sql.clone()));
            for i in &ids {
                q = q.bind(*i);
            }
            q.fetch_all(p).await
        })
        .map_err(st)?;
        Ok(rows
            .into_iter()
            .map(|r| ClaimedDelivery {
                id: r.id,
                attempt: r.attempts,
                channel: r.channel,
                target: r.target,
                email: r.email.filter(|e| !e.trim().is_empty()),
                kind: r.kind,
                title: r.title,
                body: r.body,
                link: r.link,
            })
            .collect())
    }

    async fn finish_deliveries(&self, outcomes: &[DeliveryOutcome], now: DateTime<Utc>) -> Result<(), WorkflowError> {
        let mut tx = self.db.begin().await.map_err(st)?;
        for o in outcomes {
            on_tx!(&mut tx, c => {
                match o {
                    DeliveryOutcome::Delivered { id } => sqlx::query(
                        "UPDATE notification_deliveries SET status = 'delivered', delivered_at = $1, last_error = NULL WHERE id = $2 AND status = 'pending'",
                    )
                    .bind(now)
                    .bind(*id)
                    .execute(&mut *c)
                    .await,
                    DeliveryOutcome::Retry { id, next_attempt_at, error } => sqlx::query(
                        "UPDATE notification_deliveries SET next_attempt_at = $1, last_error = $2 WHERE id = $3 AND status = 'pending'",
                    )
                    .bind(*next_attempt_at)
                    .bind(error)
                    .bind(*id)
                    .execute(&mut *c)
                    .await,
                    DeliveryOutcome::Failed { id, error } => sqlx::query(
                        "UPDATE notification_deliveries SET status = 'failed', last_error = $1 WHERE id = $2 AND status = 'pending'",
                    )
                    .bind(error)
                    .bind(*id)
                    .execute(&mut *c)
                    .await,
                }
                .map(|r| r.rows_affected())
            })
            .map_err(st)?;
        }
        tx.commit().await.map_err(st)
    }
}

async fn insert_version(tx: &mut Tx, d: &DefinitionRecord, body: &str) -> Result<(), WorkflowError> {
    on_tx!(tx, c => {
        sqlx::query(
            "INSERT INTO workflow_definition_versions (definition_id, version, body, created_at, created_by) VALUES ($1,$2,$3,$4,$5)",
        )
        .bind(d.id)
        .bind(d.version)
        .bind(body)
        .bind(d.updated_at)
        .bind(d.updated_by.0)
        .execute(&mut *c)
        .await
        .map(|r| r.rows_affected())
    })
    .map_err(|e| if is_unique_violation(&e) { WorkflowError::Conflict } else { st(e) })?;
    Ok(())
}

async fn due(
    store: &SqlStore,
    at_col: &str,
    done_col: &str,
    now: DateTime<Utc>,
    limit: u32,
) -> Result<Vec<DueTask>, WorkflowError> {
    let sql = format!(
        "SELECT t.id, t.instance_id, t.doc_type, i.title, t.assignee_id, t.round, t.step \
         FROM workflow_tasks t JOIN workflow_instances i ON i.id = t.instance_id \
         WHERE t.status = 'open' AND t.{at_col} <= $1 AND t.{done_col} IS NULL ORDER BY t.{at_col} LIMIT $2"
    );
    let rows: Vec<DueRow> = on_db!(&store.db, p => {
        sqlx::query_as(AssertSqlSafe(sql.clone())).bind(now).bind(i64::from(limit)).fetch_all(p).await
    })
    .map_err(st)?;
    Ok(rows
        .into_iter()
        .map(|r| DueTask {
            task_id: r.id,
            instance_id: r.instance_id,
            doc_type: r.doc_type,
            title: r.title,
            assignee: UserId(r.assignee_id),
            round: r.round,
            step: r.step,
        })
        .collect())
}

// ------------------------------------------------------------------------ directory

/// Does an account's grant of some role cover a unit of `chain` in `company`?
fn grant_covers(scope: &bole_core::DataScope, company: Uuid, chain: &[OrgUnitId]) -> bool {
    use bole_core::DataScope as D;
    match scope {
        D::All => true,
        D::Companies { companies } => companies.iter().any(|c| c.0 == company),
        D::Subtrees { units } => units.iter().any(|u| chain.contains(u)),
        D::Own | D::DirectReports => false,
    }
}

/// The grants of an account row: the JSON column, or a legacy row's role codes with default
/// scopes (as the account store reads them). Unreadable grants grant nothing.
fn row_grants(grants: Option<&str>, roles: &str) -> Vec<bole_access::RoleGrant> {
    match grants {
        Some(json) => serde_json::from_str(json).unwrap_or_default(),
        None => roles
            .split(',')
            .filter_map(|r| bole_core::Role::parse(r.trim()))
            .map(|r| bole_access::RoleGrant::builtin(r, bole_access::policy::default_scope(r)))
            .collect(),
    }
}

#[async_trait]
impl Directory for SqlStore {
    async fn subject_facts(
        &self,
        subject: EmployeeId,
        on: NaiveDate,
        needs: &Needs,
    ) -> Result<SubjectFacts, WorkflowError> {
        let home: Option<(Uuid, Uuid)> = on_db!(&self.db, p => {
            sqlx::query_as(
                "SELECT a.org_unit_id, e.company_id FROM assignments a JOIN employees e ON e.id = a.employee_id \
                 WHERE a.employee_id = $1 AND a.valid_from <= $2 AND (a.valid_to IS NULL OR a.valid_to > $2)",
            )
            .bind(subject.0)
            .bind(on)
            .fetch_optional(p)
            .await
        })
        .map_err(st)?;
        let Some((unit, company)) = home else { return Err(WorkflowError::SubjectUnknown) };
        // The unit chain as of `on`, in one recursive query (depth-bounded against bad data).
        let chain: Vec<Uuid> = on_db!(&self.db, p => {
            sqlx::query_scalar(
                "WITH RECURSIVE chain(unit_id, depth) AS ( \
                   SELECT v.unit_id, 0 FROM org_unit_versions v WHERE v.unit_id = $1 AND v.valid_from <= $2 AND (v.valid_to IS NULL OR v.valid_to > $2) \
                   UNION ALL \
                   SELECT v.parent_id, c.depth + 1 FROM chain c JOIN org_unit_versions v ON v.unit_id = c.unit_id \
                     AND v.valid_from <= $2 AND (v.valid_to IS NULL OR v.valid_to > $2) \
                   WHERE v.parent_id IS NOT NULL AND c.depth < 64) \
                 SELECT unit_id FROM chain ORDER BY depth",
            )
            .bind(unit)
            .bind(on)
            .fetch_all(p)
            .await
        })
        .map_err(st)?;
        let mut unit_chain: Vec<OrgUnitId> = dedup(chain).into_iter().map(OrgUnitId).collect();
        if unit_chain.is_empty() {
            unit_chain.push(OrgUnitId(unit));
        }
        let manager_chain: Vec<EmployeeId> = if needs.manager_levels == 0 {
            Vec::new()
        } else {
            let levels = i32::try_from(needs.manager_levels).unwrap_or(16);
            let rows: Vec<(Uuid, i32)> = on_db!(&self.db, p => {
                sqlx::query_as(
                    "WITH RECURSIVE m(emp, depth) AS ( \
                       SELECT a.manager_id, 1 FROM assignments a WHERE a.employee_id = $1 AND a.manager_id IS NOT NULL \
                         AND a.valid_from <= $2 AND (a.valid_to IS NULL OR a.valid_to > $2) \
                       UNION ALL \
                       SELECT a.manager_id, m.depth + 1 FROM m JOIN assignments a ON a.employee_id = m.emp \
                         AND a.valid_from <= $2 AND (a.valid_to IS NULL OR a.valid_to > $2) \
                       WHERE a.manager_id IS NOT NULL AND m.depth < $3) \
                     SELECT emp, depth FROM m ORDER BY depth",
                )
                .bind(subject.0)
                .bind(on)
                .bind(levels)
                .fetch_all(p)
                .await
            })
            .map_err(st)?;
            rows.into_iter().map(|(e, _)| EmployeeId(e)).collect()
        };
        let head_units = dedup(unit_chain.iter().map(|u| u.0).chain(needs.units.iter().map(|u| u.0)));
        let heads: Vec<(Uuid, Uuid)> = {
            let sql = format!(
                "SELECT org_unit_id, employee_id FROM org_unit_heads WHERE valid_from <= $1 AND (valid_to IS NULL OR valid_to > $1) \
                 AND org_unit_id IN ({})",
                placeholders(2, head_units.len())
            );
            on_db!(&self.db, p => {
                let mut q = sqlx::query_as(AssertSqlSafe(sql.clone())).bind(on);
                for u in &head_units {
                    q = q.bind(*u);
                }
                q.fetch_all(p).await
            })
            .map_err(st)?
        };
        let unit_heads: HashMap<OrgUnitId, EmployeeId> =
            heads.into_iter().map(|(u, e)| (OrgUnitId(u), EmployeeId(e))).collect();
        let people = dedup(
            std::iter::once(subject.0).chain(manager_chain.iter().map(|e| e.0)).chain(unit_heads.values().map(|e| e.0)),
        );
        let mut accounts: HashMap<EmployeeId, Vec<UserId>> = HashMap::new();
        for chunk in people.chunks(BATCH) {
            let sql = format!(
                "SELECT employee_id, id FROM users WHERE disabled = $1 AND employee_id IN ({}) ORDER BY created_at",
                placeholders(2, chunk.len())
            );
            let rows: Vec<(Uuid, Uuid)> = on_db!(&self.db, p => {
                let mut q = sqlx::query_as(AssertSqlSafe(sql.clone())).bind(false);
                for e in chunk {
                    q = q.bind(*e);
                }
                q.fetch_all(p).await
            })
            .map_err(st)?;
            for (e, u) in rows {
                accounts.entry(EmployeeId(e)).or_default().push(UserId(u));
            }
        }
        let mut role_holders: HashMap<String, Vec<UserId>> = HashMap::new();
        for role in &needs.roles {
            // A cheap text filter first (grants is a short JSON array); the exact check is below.
            // `_` stays: as a LIKE wildcard it still matches itself (role codes such as hr_admin).
            let pattern = format!("%\"role\":\"{}\"%", role.replace(['%', '"', '\\'], ""));
            let legacy = format!("%{}%", role.replace(['%', '"', '\\'], ""));
            let rows: Vec<(Uuid, Option<String>, String)> = on_db!(&self.db, p => {
                sqlx::query_as(
                    "SELECT id, grants, roles FROM users WHERE disabled = $1 \
                     AND (grants LIKE $2 OR (grants IS NULL AND roles LIKE $3)) ORDER BY created_at",
                )
                .bind(false)
                .bind(&pattern)
                .bind(&legacy)
                .fetch_all(p)
                .await
            })
            .map_err(st)?;
            let holders: Vec<UserId> = rows
                .into_iter()
                .filter(|(_, grants, roles)| {
                    row_grants(grants.as_deref(), roles)
                        .iter()
                        .any(|g| g.role == *role && grant_covers(&g.scope, company, &unit_chain))
                })
                .map(|(u, _, _)| UserId(u))
                .collect();
            role_holders.insert(role.clone(), holders);
        }
        let mut known_users = HashSet::new();
        let named = dedup(needs.users.iter().map(|u| u.0));
        for chunk in named.chunks(BATCH) {
            let sql = format!("SELECT id FROM users WHERE disabled = $1 AND id IN ({})", placeholders(2, chunk.len()));
            let rows: Vec<Uuid> = on_db!(&self.db, p => {
                let mut q = sqlx::query_scalar(AssertSqlSafe(sql.clone())).bind(false);
                for u in chunk {
                    q = q.bind(*u);
                }
                q.fetch_all(p).await
            })
            .map_err(st)?;
            known_users.extend(rows.into_iter().map(UserId));
        }
        Ok(SubjectFacts {
            subject: Some(subject),
            company_id: Some(CompanyId(company)),
            unit_chain,
            manager_chain,
            unit_heads,
            accounts,
            role_holders,
            known_users,
        })
    }

    async fn employee_of(&self, user: UserId) -> Result<Option<EmployeeId>, WorkflowError> {
        let e: Option<Option<Uuid>> = on_db!(&self.db, p => {
            sqlx::query_scalar("SELECT employee_id FROM users WHERE id = $1").bind(user.0).fetch_optional(p).await
        })
        .map_err(st)?;
        Ok(e.flatten().map(EmployeeId))
    }

    async fn company_of(&self, employee: EmployeeId) -> Result<CompanyId, WorkflowError> {
        let c: Option<Uuid> = on_db!(&self.db, p => {
            sqlx::query_scalar("SELECT company_id FROM employees WHERE id = $1").bind(employee.0).fetch_optional(p).await
        })
        .map_err(st)?;
        c.map(CompanyId).ok_or(WorkflowError::SubjectUnknown)
    }

    async fn accounts_of(&self, employee: EmployeeId) -> Result<Vec<UserId>, WorkflowError> {
        let ids: Vec<Uuid> = on_db!(&self.db, p => {
            sqlx::query_scalar("SELECT id FROM users WHERE employee_id = $1 AND disabled = $2")
                .bind(employee.0)
                .bind(false)
                .fetch_all(p)
                .await
        })
        .map_err(st)?;
        Ok(ids.into_iter().map(UserId).collect())
    }
}
