//! Organisation endpoints: companies (法人单位), the effective-dated org-unit
//! tree (组织), positions (岗位) and headcount quotas (编制). Every read that
//! depends on time takes `as_of` (default: today in the organisation's zone);
//! every structural change takes an `effective_date`.

use crate::auth::Authenticated;
use crate::error::ApiError;
use crate::extract::{Json, Path, Query};
use crate::routes::{BodyErrors, CommonErrors, created};
use crate::state::AppState;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use bole_api_types::ErrorEnvelope;
use bole_core::{CompanyId, OrgUnitId, PositionId};
use bole_org::{
    Company, HeadcountQuota, NewCompany, NewOrgUnit, NewPosition, NewQuota, OrgChange, OrgChangeRecord, OrgTreeNode,
    OrgUnitView, Position, QuotaUsage,
};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub(crate) fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_companies, create_company))
        .routes(routes!(get_company))
        .routes(routes!(list_org_units, create_org_unit))
        .routes(routes!(get_org_unit_tree))
        .routes(routes!(get_org_unit))
        .routes(routes!(get_org_unit_path))
        .routes(routes!(get_org_unit_history))
        .routes(routes!(create_org_unit_change))
        .routes(routes!(list_positions, create_position))
        .routes(routes!(get_position))
        .routes(routes!(list_quotas, create_quota))
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct AsOfQuery {
    /// 时点（YYYY-MM-DD），默认今天 — the day to evaluate on (default: today)
    pub as_of: Option<NaiveDate>,
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct UnitsQuery {
    /// 只看该单位 — only units of this company
    pub company_id: Option<CompanyId>,
    /// 只看该组织及其全部下级 — only this unit and everything below it
    pub root_id: Option<OrgUnitId>,
    /// 时点（YYYY-MM-DD），默认今天 — the day to evaluate on (default: today)
    pub as_of: Option<NaiveDate>,
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct TreeQuery {
    /// 只看该单位 — only units of this company
    pub company_id: Option<CompanyId>,
    /// 以该组织为根 — the subtree under this unit
    pub root_id: Option<OrgUnitId>,
    /// 时点（YYYY-MM-DD），默认今天 — the day to evaluate on (default: today)
    pub as_of: Option<NaiveDate>,
    /// 是否统计在岗人数 — include headcount per unit and subtree
    #[serde(default)]
    pub headcount: bool,
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct QuotasQuery {
    /// 只看该组织及其下级 — only quotas of this unit and everything below it
    pub root_id: Option<OrgUnitId>,
    /// 时点（YYYY-MM-DD），默认今天 — the day occupancy is counted on (default: today)
    pub as_of: Option<NaiveDate>,
}

/// Every version of an org unit and the change records that produced them.
#[derive(Debug, Serialize, ToSchema)]
pub struct OrgUnitHistory {
    /// Versions, oldest first; consecutive ranges meet without gaps.
    pub versions: Vec<OrgUnitView>,
    /// The evidence trail: create, rename, move, merge, dissolve.
    pub changes: Vec<OrgChangeRecord>,
}

/// 单位列表 — List companies (legal entities).
#[utoipa::path(
    get,
    path = "/companies",
    tag = "org",
    responses((status = 200, description = "全部单位，按编码排序 — all companies by code", body = Vec<Company>), CommonErrors)
)]
pub async fn list_companies(
    State(s): State<AppState>,
    Authenticated(actor): Authenticated,
) -> Result<Json<Vec<Company>>, ApiError> {
    Ok(Json(s.org.companies(&actor).await?))
}

/// 新建单位 — Create a company (legal entity).
#[utoipa::path(
    post,
    path = "/companies",
    tag = "org",
    request_body = NewCompany,
    responses(
        (status = 201, description = "已创建 — created", body = Company),
        (status = 409, description = "编码已被使用（`duplicate_code`） — the code is taken", body = ErrorEnvelope),
        BodyErrors,
        CommonErrors,
    )
)]
pub async fn create_company(
    State(s): State<AppState>,
    Authenticated(actor): Authenticated,
    Json(input): Json<NewCompany>,
) -> Result<Response, ApiError> {
    let company = s.org.create_company(&actor, input).await?;
    Ok(created(format!("/api/v1/companies/{}", company.id), company))
}

/// 单位详情 — One company.
#[utoipa::path(
    get,
    path = "/companies/{id}",
    tag = "org",
    params(("id" = CompanyId, Path, description = "单位ID — company id")),
    responses(
        (status = 200, description = "单位 — the company", body = Company),
        (status = 400, description = "ID格式不正确（`invalid_id`） — not a UUID", body = ErrorEnvelope),
        (status = 404, description = "单位不存在（`company_not_found`） — no such company", body = ErrorEnvelope),
        CommonErrors,
    )
)]
pub async fn get_company(
    State(s): State<AppState>,
    Authenticated(actor): Authenticated,
    Path(id): Path<CompanyId>,
) -> Result<Json<Company>, ApiError> {
    Ok(Json(s.org.company(&actor, id).await?))
}

/// 组织列表（时点） — Org units in force on a day, as a flat list.
#[utoipa::path(
    get,
    path = "/org-units",
    tag = "org",
    params(UnitsQuery),
    responses(
        (status = 200, description = "该日有效的组织，按编码排序 — units in force, by code", body = Vec<OrgUnitView>),
        (status = 400, description = "查询参数有误（`invalid_query`） — bad query parameter", body = ErrorEnvelope),
        (status = 404, description = "根组织不存在（`org_unit_not_found`） — no such root unit", body = ErrorEnvelope),
        (status = 422, description = "根组织在该日无效（`org_unit_not_in_force`） — root not in force that day", body = ErrorEnvelope),
        CommonErrors,
    )
)]
pub async fn list_org_units(
    State(s): State<AppState>,
    Authenticated(actor): Authenticated,
    Query(q): Query<UnitsQuery>,
) -> Result<Json<Vec<OrgUnitView>>, ApiError> {
    let as_of = q.as_of.unwrap_or_else(|| s.clock.today());
    Ok(Json(s.org.units(&actor, q.company_id, q.root_id, as_of).await?))
}

/// 组织树（时点） — The org tree on a day, optionally with headcount.
#[utoipa::path(
    get,
    path = "/org-units/tree",
    tag = "org",
    params(TreeQuery),
    responses(
        (status = 200, description = "各单位的组织树（每个根一棵） — one tree per root", body = Vec<OrgTreeNode>),
        (status = 400, description = "查询参数有误（`invalid_query`） — bad query parameter", body = ErrorEnvelope),
        (status = 404, description = "根组织不存在（`org_unit_not_found`） — no such root unit", body = ErrorEnvelope),
        (status = 422, description = "根组织在该日无效（`org_unit_not_in_force`） — root not in force that day", body = ErrorEnvelope),
        CommonErrors,
    )
)]
pub async fn get_org_unit_tree(
    State(s): State<AppState>,
    Authenticated(actor): Authenticated,
    Query(q): Query<TreeQuery>,
) -> Result<Json<Vec<OrgTreeNode>>, ApiError> {
    let as_of = q.as_of.unwrap_or_else(|| s.clock.today());
    Ok(Json(s.org.tree(&actor, q.company_id, q.root_id, as_of, q.headcount).await?))
}

/// 新建组织 — Create an org unit, effective from a date.
#[utoipa::path(
    post,
    path = "/org-units",
    tag = "org",
    request_body = NewOrgUnit,
    responses(
        (status = 201, description = "已创建 — created", body = OrgUnitView),
        (status = 404, description = "单位或上级组织不存在（`company_not_found`、`org_unit_not_found`） — no such company or parent", body = ErrorEnvelope),
        (status = 409, description = "编码已被使用（`duplicate_code`） — the code is taken", body = ErrorEnvelope),
        BodyErrors,
        CommonErrors,
    )
)]
pub async fn create_org_unit(
    State(s): State<AppState>,
    Authenticated(actor): Authenticated,
    Json(input): Json<NewOrgUnit>,
) -> Result<Response, ApiError> {
    let unit = s.org.create_unit(&actor, input).await?;
    Ok(created(format!("/api/v1/org-units/{}", unit.id), unit))
}

/// 组织详情（时点） — One org unit as it stood on a day.
#[utoipa::path(
    get,
    path = "/org-units/{id}",
    tag = "org",
    params(("id" = OrgUnitId, Path, description = "组织ID — org unit id"), AsOfQuery),
    responses(
        (status = 200, description = "该日的组织版本 — the version in force that day", body = OrgUnitView),
        (status = 400, description = "ID或查询参数有误（`invalid_id`、`invalid_query`） — bad id or query", body = ErrorEnvelope),
        (status = 404, description = "组织不存在（`org_unit_not_found`） — no such unit", body = ErrorEnvelope),
        (status = 422, description = "该日组织尚未设立或已撤销（`org_unit_not_in_force`） — not in force that day", body = ErrorEnvelope),
        CommonErrors,
    )
)]
pub async fn get_org_unit(
    State(s): State<AppState>,
    Authenticated(actor): Authenticated,
    Path(id): Path<OrgUnitId>,
    Query(q): Query<AsOfQuery>,
) -> Result<Json<OrgUnitView>, ApiError> {
    let as_of = q.as_of.unwrap_or_else(|| s.clock.today());
    Ok(Json(s.org.unit(&actor, id, as_of).await?))
}

/// 组织路径（时点） — The unit's path from its company root down to itself.
#[utoipa::path(
    get,
    path = "/org-units/{id}/path",
    tag = "org",
    params(("id" = OrgUnitId, Path, description = "组织ID — org unit id"), AsOfQuery),
    responses(
        (status = 200, description = "自根到该组织 — root first, the unit last", body = Vec<OrgUnitView>),
        (status = 400, description = "ID或查询参数有误（`invalid_id`、`invalid_query`） — bad id or query", body = ErrorEnvelope),
        (status = 404, description = "组织不存在（`org_unit_not_found`） — no such unit", body = ErrorEnvelope),
        (status = 422, description = "该日组织无效（`org_unit_not_in_force`） — not in force that day", body = ErrorEnvelope),
        CommonErrors,
    )
)]
pub async fn get_org_unit_path(
    State(s): State<AppState>,
    Authenticated(actor): Authenticated,
    Path(id): Path<OrgUnitId>,
    Query(q): Query<AsOfQuery>,
) -> Result<Json<Vec<OrgUnitView>>, ApiError> {
    let as_of = q.as_of.unwrap_or_else(|| s.clock.today());
    Ok(Json(s.org.path(&actor, id, as_of).await?))
}

/// 组织沿革 — Every version of an org unit and the changes that made them.
#[utoipa::path(
    get,
    path = "/org-units/{id}/history",
    tag = "org",
    params(("id" = OrgUnitId, Path, description = "组织ID — org unit id")),
    responses(
        (status = 200, description = "版本与变更记录 — versions and change records", body = OrgUnitHistory),
        (status = 400, description = "ID格式不正确（`invalid_id`） — not a UUID", body = ErrorEnvelope),
        (status = 404, description = "组织不存在（`org_unit_not_found`） — no such unit", body = ErrorEnvelope),
        CommonErrors,
    )
)]
pub async fn get_org_unit_history(
    State(s): State<AppState>,
    Authenticated(actor): Authenticated,
    Path(id): Path<OrgUnitId>,
) -> Result<Json<OrgUnitHistory>, ApiError> {
    let (versions, changes) = s.org.unit_history(&actor, id).await?;
    Ok(Json(OrgUnitHistory { versions, changes }))
}

/// 组织变更（更名、调整隶属、撤销） — Rename, move or dissolve a unit from a date.
///
/// 生效日期早于或等于已记录的后续变更时拒绝（`effective_date_conflict`），不改写历史。
/// A change dated on or before an already recorded later change is refused rather than rewriting history.
#[utoipa::path(
    post,
    path = "/org-units/{id}/changes",
    tag = "org",
    params(("id" = OrgUnitId, Path, description = "组织ID — org unit id")),
    request_body = OrgChange,
    responses(
        (status = 201, description = "自生效日起的新版本 — the new version from the effective date", body = OrgUnitView),
        (status = 404, description = "组织不存在（`org_unit_not_found`） — no such unit", body = ErrorEnvelope),
        (status = 409, description = "与已有变更冲突（`effective_date_conflict`、`org_unit_not_empty`） — clashes with recorded changes or remaining sub-units", body = ErrorEnvelope),
        BodyErrors,
        CommonErrors,
    )
)]
pub async fn create_org_unit_change(
    State(s): State<AppState>,
    Authenticated(actor): Authenticated,
    Path(id): Path<OrgUnitId>,
    Json(change): Json<OrgChange>,
) -> Result<Response, ApiError> {
    let version = s.org.change_unit(&actor, id, change).await?;
    Ok((StatusCode::CREATED, Json(version)).into_response())
}

/// 岗位列表（时点） — Positions in force on a day.
#[utoipa::path(
    get,
    path = "/positions",
    tag = "org",
    params(UnitsQuery),
    responses(
        (status = 200, description = "该日有效的岗位，按编码排序 — positions in force, by code", body = Vec<Position>),
        (status = 400, description = "查询参数有误（`invalid_query`） — bad query parameter", body = ErrorEnvelope),
        (status = 404, description = "根组织不存在（`org_unit_not_found`） — no such root unit", body = ErrorEnvelope),
        CommonErrors,
    )
)]
pub async fn list_positions(
    State(s): State<AppState>,
    Authenticated(actor): Authenticated,
    Query(q): Query<UnitsQuery>,
) -> Result<Json<Vec<Position>>, ApiError> {
    let as_of = q.as_of.unwrap_or_else(|| s.clock.today());
    Ok(Json(s.org.positions(&actor, q.company_id, q.root_id, as_of).await?))
}

/// 新建岗位 — Create a position in an org unit.
#[utoipa::path(
    post,
    path = "/positions",
    tag = "org",
    request_body = NewPosition,
    responses(
        (status = 201, description = "已创建 — created", body = Position),
        (status = 404, description = "组织不存在（`org_unit_not_found`） — no such unit", body = ErrorEnvelope),
        (status = 409, description = "编码已被使用（`duplicate_code`） — the code is taken", body = ErrorEnvelope),
        BodyErrors,
        CommonErrors,
    )
)]
pub async fn create_position(
    State(s): State<AppState>,
    Authenticated(actor): Authenticated,
    Json(input): Json<NewPosition>,
) -> Result<Response, ApiError> {
    let position = s.org.create_position(&actor, input).await?;
    Ok(created(format!("/api/v1/positions/{}", position.id), position))
}

/// 岗位详情 — One position.
#[utoipa::path(
    get,
    path = "/positions/{id}",
    tag = "org",
    params(("id" = PositionId, Path, description = "岗位ID — position id")),
    responses(
        (status = 200, description = "岗位 — the position", body = Position),
        (status = 400, description = "ID格式不正确（`invalid_id`） — not a UUID", body = ErrorEnvelope),
        (status = 404, description = "岗位不存在（`position_not_found`） — no such position", body = ErrorEnvelope),
        CommonErrors,
    )
)]
pub async fn get_position(
    State(s): State<AppState>,
    Authenticated(actor): Authenticated,
    Path(id): Path<PositionId>,
) -> Result<Json<Position>, ApiError> {
    Ok(Json(s.org.position(&actor, id).await?))
}

/// 编制使用情况（时点） — Headcount quotas (编制) with occupied and vacant counts on a day.
#[utoipa::path(
    get,
    path = "/quotas",
    tag = "org",
    params(QuotasQuery),
    responses(
        (status = 200, description = "编制及占编、空编数 — quotas with occupied and vacant", body = Vec<QuotaUsage>),
        (status = 400, description = "查询参数有误（`invalid_query`） — bad query parameter", body = ErrorEnvelope),
        (status = 404, description = "根组织不存在（`org_unit_not_found`） — no such root unit", body = ErrorEnvelope),
        CommonErrors,
    )
)]
pub async fn list_quotas(
    State(s): State<AppState>,
    Authenticated(actor): Authenticated,
    Query(q): Query<QuotasQuery>,
) -> Result<Json<Vec<QuotaUsage>>, ApiError> {
    let as_of = q.as_of.unwrap_or_else(|| s.clock.today());
    Ok(Json(s.org.quota_usage(&actor, q.root_id, as_of).await?))
}

/// 新建编制 — Create a headcount quota for a unit and staffing category.
#[utoipa::path(
    post,
    path = "/quotas",
    tag = "org",
    request_body = NewQuota,
    responses(
        (status = 201, description = "已创建 — created", body = HeadcountQuota),
        (status = 404, description = "组织不存在（`org_unit_not_found`） — no such unit", body = ErrorEnvelope),
        (status = 409, description = "有效期与已有编制重叠（`effective_date_overlap`） — overlaps an existing quota", body = ErrorEnvelope),
        BodyErrors,
        CommonErrors,
    )
)]
pub async fn create_quota(
    State(s): State<AppState>,
    Authenticated(actor): Authenticated,
    Json(input): Json<NewQuota>,
) -> Result<Response, ApiError> {
    let quota = s.org.create_quota(&actor, input).await?;
    Ok((StatusCode::CREATED, Json(quota)).into_response())
}
