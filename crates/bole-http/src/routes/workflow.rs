//! Approval endpoints: my inbox, instances with history, approve/reject/return/withdraw, delegations, flow definitions, unit heads, and the notification inbox.
//! Handlers only translate HTTP to service calls; the workflow service decides who may see and
//! act on what (instances the caller does not take part in answer 404).

use crate::auth::Authenticated;
use crate::error::ApiError;
use crate::extract::{Json, Path, Query};
use crate::routes::{BodyErrors, CommonErrors, created};
use crate::state::AppState;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use bole_api_types::ErrorEnvelope;
use bole_core::{CompanyId, OrgUnitId, PageRequest};
use bole_workflow::{
    Decision, DecisionAction, DefinitionRecord, DefinitionUpdate, Delegation, InboxItem, InstanceSummary, InstanceView,
    NewDefinition, NewDelegation, Notification, SetUnitHead, UnitHead,
};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use uuid::Uuid;

pub(crate) fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(approval_inbox))
        .routes(routes!(approvals_done))
        .routes(routes!(my_approvals))
        .routes(routes!(get_approval))
        .routes(routes!(withdraw_approval))
        .routes(routes!(approve_task))
        .routes(routes!(reject_task))
        .routes(routes!(return_task))
        .routes(routes!(list_definitions, create_definition))
        .routes(routes!(get_definition, update_definition))
        .routes(routes!(get_unit_head, set_unit_head))
        .routes(routes!(list_delegations, create_delegation))
        .routes(routes!(end_delegation))
        .routes(routes!(list_notifications))
        .routes(routes!(unread_notifications))
        .routes(routes!(read_notification))
        .routes(routes!(read_all_notifications))
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct PageQuery {
    /// 页码，从1开始 — page number, from 1
    pub page: Option<u32>,
    /// 每页条数（1–500，默认50） — rows per page (1–500, default 50)
    pub per_page: Option<u32>,
}

impl PageQuery {
    fn request(&self) -> PageRequest {
        PageRequest::new(self.page, self.per_page)
    }
}

/// One page of approval tasks.
#[derive(Debug, Serialize, ToSchema)]
pub struct TaskPage {
    pub items: Vec<InboxItem>,
    pub total: u64,
    pub page: u32,
    pub per_page: u32,
}

/// One page of my requests.
#[derive(Debug, Serialize, ToSchema)]
pub struct InstancePage {
    pub items: Vec<InstanceSummary>,
    pub total: u64,
    pub page: u32,
    pub per_page: u32,
}

/// One page of notifications.
#[derive(Debug, Serialize, ToSchema)]
pub struct NotificationPage {
    pub items: Vec<Notification>,
    pub total: u64,
    pub page: u32,
    pub per_page: u32,
}

/// 审批意见 — A decision's comment (required to reject or return).
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DecisionBody {
    #[serde(default)]
    pub comment: Option<String>,
}

/// 未读数量 — Unread notifications.
#[derive(Debug, Serialize, ToSchema)]
pub struct UnreadCount {
    pub unread: u64,
}

/// 已读数量 — How many notifications were marked read.
#[derive(Debug, Serialize, ToSchema)]
pub struct MarkedRead {
    pub marked: u64,
}

/// 我的待办审批 — My open approval tasks (including delegated ones), newest first.
#[utoipa::path(
    get,
    path = "/approvals/inbox",
    tag = "approvals",
    params(PageQuery),
    responses((status = 200, description = "一页待办 — one page of open tasks", body = TaskPage), CommonErrors)
)]
pub async fn approval_inbox(
    State(s): State<AppState>,
    Authenticated(actor): Authenticated,
    Query(q): Query<PageQuery>,
) -> Result<Json<TaskPage>, ApiError> {
    let p = s.workflow.inbox(&actor, q.request()).await?;
    Ok(Json(TaskPage { items: p.items, total: p.total, page: p.page, per_page: p.per_page }))
}

/// 我已处理的审批 — Tasks I decided, newest decision first.
#[utoipa::path(
    get,
    path = "/approvals/done",
    tag = "approvals",
    params(PageQuery),
    responses((status = 200, description = "一页已办 — one page of decided tasks", body = TaskPage), CommonErrors)
)]
pub async fn approvals_done(
    State(s): State<AppState>,
    Authenticated(actor): Authenticated,
    Query(q): Query<PageQuery>,
) -> Result<Json<TaskPage>, ApiError> {
    let p = s.workflow.done(&actor, q.request()).await?;
    Ok(Json(TaskPage { items: p.items, total: p.total, page: p.page, per_page: p.per_page }))
}

/// 我发起的审批 — Approvals I requested, newest first.
#[utoipa::path(
    get,
    path = "/approvals/mine",
    tag = "approvals",
    params(PageQuery),
    responses((status = 200, description = "一页申请 — one page of my requests", body = InstancePage), CommonErrors)
)]
pub async fn my_approvals(
    State(s): State<AppState>,
    Authenticated(actor): Authenticated,
    Query(q): Query<PageQuery>,
) -> Result<Json<InstancePage>, ApiError> {
    let p = s.workflow.mine(&actor, q.request()).await?;
    Ok(Json(InstancePage { items: p.items, total: p.total, page: p.page, per_page: p.per_page }))
}

/// 审批详情 — An approval with its steps, tasks and full history.
#[utoipa::path(
    get,
    path = "/approvals/{id}",
    tag = "approvals",
    params(("id" = Uuid, Path, description = "审批实例ID — approval instance id")),
    responses(
        (status = 200, description = "审批 — the approval", body = InstanceView),
        (status = 404, description = "不存在或无权查看（`approval_not_found`） — no such approval, or not yours to see", body = ErrorEnvelope),
        CommonErrors,
    )
)]
pub async fn get_approval(
    State(s): State<AppState>,
    Authenticated(actor): Authenticated,
    Path(id): Path<Uuid>,
) -> Result<Json<InstanceView>, ApiError> {
    Ok(Json(s.workflow.instance(&actor, id).await?))
}

/// 撤回申请 — Withdraw my request (pending or returned).
#[utoipa::path(
    post,
    path = "/approvals/{id}/withdraw",
    tag = "approvals",
    params(("id" = Uuid, Path, description = "审批实例ID — approval instance id")),
    responses(
        (status = 200, description = "已撤回 — withdrawn", body = InstanceView),
        (status = 403, description = "不是申请人（`forbidden`） — not the requester", body = ErrorEnvelope),
        (status = 404, description = "不存在或无权查看（`approval_not_found`） — no such approval", body = ErrorEnvelope),
        (status = 409, description = "已结束或已被处理（`approval_state_conflict`, `approval_conflict`） — already closed", body = ErrorEnvelope),
        CommonErrors,
    )
)]
pub async fn withdraw_approval(
    State(s): State<AppState>,
    Authenticated(actor): Authenticated,
    Path(id): Path<Uuid>,
) -> Result<Json<InstanceView>, ApiError> {
    Ok(Json(s.workflow.withdraw_instance(&actor, id).await?))
}

async fn decide(
    s: AppState,
    actor: bole_core::Actor,
    id: Uuid,
    action: DecisionAction,
    body: DecisionBody,
) -> Result<Json<InstanceView>, ApiError> {
    Ok(Json(s.workflow.decide(&actor, id, Decision { action, comment: body.comment }).await?))
}

/// 审批通过 — Approve a task assigned (or delegated) to me.
#[utoipa::path(
    post,
    path = "/approval-tasks/{id}/approve",
    tag = "approvals",
    params(("id" = Uuid, Path, description = "审批任务ID — task id")),
    request_body = DecisionBody,
    responses(
        (status = 200, description = "处理后的审批 — the approval after the decision", body = InstanceView),
        (status = 404, description = "不存在或不是您的任务（`approval_not_found`） — no such task, or not yours", body = ErrorEnvelope),
        (status = 409, description = "任务已关闭或被他人抢先处理（`task_closed`, `approval_conflict`） — closed or decided meanwhile", body = ErrorEnvelope),
        BodyErrors,
        CommonErrors,
    )
)]
pub async fn approve_task(
    State(s): State<AppState>,
    Authenticated(actor): Authenticated,
    Path(id): Path<Uuid>,
    Json(body): Json<DecisionBody>,
) -> Result<Json<InstanceView>, ApiError> {
    decide(s, actor, id, DecisionAction::Approve, body).await
}

/// 驳回 — Reject a task (comment required); the approval ends rejected.
#[utoipa::path(
    post,
    path = "/approval-tasks/{id}/reject",
    tag = "approvals",
    params(("id" = Uuid, Path, description = "审批任务ID — task id")),
    request_body = DecisionBody,
    responses(
        (status = 200, description = "处理后的审批 — the approval after the decision", body = InstanceView),
        (status = 404, description = "不存在或不是您的任务（`approval_not_found`） — no such task, or not yours", body = ErrorEnvelope),
        (status = 409, description = "任务已关闭（`task_closed`, `approval_conflict`） — closed", body = ErrorEnvelope),
        BodyErrors,
        CommonErrors,
    )
)]
pub async fn reject_task(
    State(s): State<AppState>,
    Authenticated(actor): Authenticated,
    Path(id): Path<Uuid>,
    Json(body): Json<DecisionBody>,
) -> Result<Json<InstanceView>, ApiError> {
    decide(s, actor, id, DecisionAction::Reject, body).await
}

/// 退回修改 — Return to the requester for changes (comment required).
#[utoipa::path(
    post,
    path = "/approval-tasks/{id}/return",
    tag = "approvals",
    params(("id" = Uuid, Path, description = "审批任务ID — task id")),
    request_body = DecisionBody,
    responses(
        (status = 200, description = "处理后的审批 — the approval after the decision", body = InstanceView),
        (status = 404, description = "不存在或不是您的任务（`approval_not_found`） — no such task, or not yours", body = ErrorEnvelope),
        (status = 409, description = "任务已关闭（`task_closed`, `approval_conflict`） — closed", body = ErrorEnvelope),
        BodyErrors,
        CommonErrors,
    )
)]
pub async fn return_task(
    State(s): State<AppState>,
    Authenticated(actor): Authenticated,
    Path(id): Path<Uuid>,
    Json(body): Json<DecisionBody>,
) -> Result<Json<InstanceView>, ApiError> {
    decide(s, actor, id, DecisionAction::Return, body).await
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct DefinitionsQuery {
    /// 只看该单位 — only this company's flows
    pub company_id: Option<CompanyId>,
}

/// 审批流程列表 — Companies' custom flows (document types without one use the built-in flow).
#[utoipa::path(
    get,
    path = "/workflow-definitions",
    tag = "approvals",
    params(DefinitionsQuery),
    responses((status = 200, description = "流程 — the flows", body = Vec<DefinitionRecord>), CommonErrors)
)]
pub async fn list_definitions(
    State(s): State<AppState>,
    Authenticated(actor): Authenticated,
    Query(q): Query<DefinitionsQuery>,
) -> Result<Json<Vec<DefinitionRecord>>, ApiError> {
    Ok(Json(s.workflow.definitions(&actor, q.company_id).await?))
}

/// 新建审批流程 — Save a company's flow for a document type (version 1).
#[utoipa::path(
    post,
    path = "/workflow-definitions",
    tag = "approvals",
    request_body = NewDefinition,
    responses(
        (status = 201, description = "已保存 — saved", body = DefinitionRecord),
        (status = 409, description = "已有该类单据的流程（`workflow_definition_exists`） — exists", body = ErrorEnvelope),
        BodyErrors,
        CommonErrors,
    )
)]
pub async fn create_definition(
    State(s): State<AppState>,
    Authenticated(actor): Authenticated,
    Json(input): Json<NewDefinition>,
) -> Result<Response, ApiError> {
    let d = s.workflow.create_definition(&actor, input).await?;
    Ok(created(format!("/api/v1/workflow-definitions/{}", d.id), d))
}

/// 审批流程详情 — One flow (current version).
#[utoipa::path(
    get,
    path = "/workflow-definitions/{id}",
    tag = "approvals",
    params(("id" = Uuid, Path, description = "流程ID — flow id")),
    responses(
        (status = 200, description = "流程 — the flow", body = DefinitionRecord),
        (status = 404, description = "不存在（`workflow_definition_not_found`） — no such flow", body = ErrorEnvelope),
        CommonErrors,
    )
)]
pub async fn get_definition(
    State(s): State<AppState>,
    Authenticated(actor): Authenticated,
    Path(id): Path<Uuid>,
) -> Result<Json<DefinitionRecord>, ApiError> {
    Ok(Json(s.workflow.definition(&actor, id).await?))
}

/// 修改审批流程 — Save a new version (running approvals keep theirs).
#[utoipa::path(
    put,
    path = "/workflow-definitions/{id}",
    tag = "approvals",
    params(("id" = Uuid, Path, description = "流程ID — flow id")),
    request_body = DefinitionUpdate,
    responses(
        (status = 200, description = "新版本 — the new version", body = DefinitionRecord),
        (status = 404, description = "不存在（`workflow_definition_not_found`） — no such flow", body = ErrorEnvelope),
        (status = 409, description = "版本已变化（`approval_conflict`） — changed meanwhile", body = ErrorEnvelope),
        BodyErrors,
        CommonErrors,
    )
)]
pub async fn update_definition(
    State(s): State<AppState>,
    Authenticated(actor): Authenticated,
    Path(id): Path<Uuid>,
    Json(input): Json<DefinitionUpdate>,
) -> Result<Json<DefinitionRecord>, ApiError> {
    Ok(Json(s.workflow.update_definition(&actor, id, input).await?))
}

/// 部门负责人 — The unit's heads over time.
#[utoipa::path(
    get,
    path = "/org-units/{id}/head",
    tag = "approvals",
    params(("id" = OrgUnitId, Path, description = "组织单元ID — org unit id")),
    responses((status = 200, description = "负责人任期 — head periods", body = Vec<UnitHead>), CommonErrors)
)]
pub async fn get_unit_head(
    State(s): State<AppState>,
    Authenticated(actor): Authenticated,
    Path(id): Path<OrgUnitId>,
) -> Result<Json<Vec<UnitHead>>, ApiError> {
    Ok(Json(s.workflow.unit_heads(&actor, id).await?))
}

/// 设置部门负责人 — Set (or clear) the unit's head from a date.
#[utoipa::path(
    put,
    path = "/org-units/{id}/head",
    tag = "approvals",
    params(("id" = OrgUnitId, Path, description = "组织单元ID — org unit id")),
    request_body = SetUnitHead,
    responses(
        (status = 200, description = "负责人任期 — head periods", body = Vec<UnitHead>),
        (status = 404, description = "组织不存在（`org_unit_not_found`） — no such unit", body = ErrorEnvelope),
        BodyErrors,
        CommonErrors,
    )
)]
pub async fn set_unit_head(
    State(s): State<AppState>,
    Authenticated(actor): Authenticated,
    Path(id): Path<OrgUnitId>,
    Json(input): Json<SetUnitHead>,
) -> Result<Json<Vec<UnitHead>>, ApiError> {
    Ok(Json(s.workflow.set_unit_head(&actor, id, input).await?))
}

/// 我的审批委托 — Delegations I gave (ended ones included).
#[utoipa::path(
    get,
    path = "/delegations",
    tag = "approvals",
    responses((status = 200, description = "委托 — delegations", body = Vec<Delegation>), CommonErrors)
)]
pub async fn list_delegations(
    State(s): State<AppState>,
    Authenticated(actor): Authenticated,
) -> Result<Json<Vec<Delegation>>, ApiError> {
    Ok(Json(s.workflow.delegations(&actor).await?))
}

/// 委托审批 — Delegate my approvals for a period (optionally some document types only).
#[utoipa::path(
    post,
    path = "/delegations",
    tag = "approvals",
    request_body = NewDelegation,
    responses((status = 201, description = "已委托 — delegated", body = Delegation), BodyErrors, CommonErrors)
)]
pub async fn create_delegation(
    State(s): State<AppState>,
    Authenticated(actor): Authenticated,
    Json(input): Json<NewDelegation>,
) -> Result<Response, ApiError> {
    let d = s.workflow.delegate(&actor, input).await?;
    Ok(created(format!("/api/v1/delegations/{}", d.id), d))
}

/// 结束委托 — End one of my delegations now.
#[utoipa::path(
    delete,
    path = "/delegations/{id}",
    tag = "approvals",
    params(("id" = Uuid, Path, description = "委托ID — delegation id")),
    responses(
        (status = 204, description = "已结束 — ended"),
        (status = 404, description = "不存在或已结束（`delegation_not_found`） — no such active delegation of yours", body = ErrorEnvelope),
        CommonErrors,
    )
)]
pub async fn end_delegation(
    State(s): State<AppState>,
    Authenticated(actor): Authenticated,
    Path(id): Path<Uuid>,
) -> Result<StatusCode, ApiError> {
    s.workflow.end_delegation(&actor, id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// 我的通知 — My notifications, unread first, newest first.
#[utoipa::path(
    get,
    path = "/notifications",
    tag = "notifications",
    params(PageQuery),
    responses((status = 200, description = "一页通知 — one page", body = NotificationPage), CommonErrors)
)]
pub async fn list_notifications(
    State(s): State<AppState>,
    Authenticated(actor): Authenticated,
    Query(q): Query<PageQuery>,
) -> Result<Json<NotificationPage>, ApiError> {
    let p = s.workflow.notifications(&actor, q.request()).await?;
    Ok(Json(NotificationPage { items: p.items, total: p.total, page: p.page, per_page: p.per_page }))
}

/// 未读通知数 — How many of my notifications are unread.
#[utoipa::path(
    get,
    path = "/notifications/unread-count",
    tag = "notifications",
    responses((status = 200, description = "未读数 — unread count", body = UnreadCount), CommonErrors)
)]
pub async fn unread_notifications(
    State(s): State<AppState>,
    Authenticated(actor): Authenticated,
) -> Result<Json<UnreadCount>, ApiError> {
    Ok(Json(UnreadCount { unread: s.workflow.unread_count(&actor).await? }))
}

/// 标为已读 — Mark one of my notifications read.
#[utoipa::path(
    post,
    path = "/notifications/{id}/read",
    tag = "notifications",
    params(("id" = Uuid, Path, description = "通知ID — notification id")),
    responses(
        (status = 204, description = "已读 — read"),
        (status = 404, description = "不存在（`notification_not_found`） — no such notification of yours", body = ErrorEnvelope),
        CommonErrors,
    )
)]
pub async fn read_notification(
    State(s): State<AppState>,
    Authenticated(actor): Authenticated,
    Path(id): Path<Uuid>,
) -> Result<StatusCode, ApiError> {
    s.workflow.mark_read(&actor, id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// 全部标为已读 — Mark all my notifications read.
#[utoipa::path(
    post,
    path = "/notifications/read-all",
    tag = "notifications",
    responses((status = 200, description = "已读数量 — how many", body = MarkedRead), CommonErrors)
)]
pub async fn read_all_notifications(
    State(s): State<AppState>,
    Authenticated(actor): Authenticated,
) -> Result<Json<MarkedRead>, ApiError> {
    Ok(Json(MarkedRead { marked: s.workflow.mark_all_read(&actor).await? }))
}
