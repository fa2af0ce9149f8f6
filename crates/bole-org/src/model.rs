//! Organisation entities and the inputs that create or change them.
//!
//! Inputs (`New*`, change commands) arrive with plain fields and are checked by
//! `rules`; views (`*View`) are what reads return, always "as of" a date.

use bole_core::{CompanyId, DateRange, OrgUnitId, PositionId, QuotaId};
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// The kind of legal entity; it decides defaults such as whether 编制 applies.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum CompanyKind {
    /// 企业
    Enterprise,
    /// 事业单位
    PublicInstitution,
    /// 机关单位
    Government,
}

impl CompanyKind {
    pub fn as_str(&self) -> &'static str {
        match self {
            CompanyKind::Enterprise => "enterprise",
            CompanyKind::PublicInstitution => "public_institution",
            CompanyKind::Government => "government",
        }
    }
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "enterprise" => Some(Self::Enterprise),
            "public_institution" => Some(Self::PublicInstitution),
            "government" => Some(Self::Government),
            _ => None,
        }
    }
}

/// A legal entity (法人单位).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, ToSchema)]
pub struct Company {
    pub id: CompanyId,
    pub code: String,
    pub name: String,
    pub kind: CompanyKind,
    /// 统一社会信用代码 (GB 32100), checked when given.
    pub credit_code: Option<String>,
    pub created_at: DateTime<Utc>,
}

#[derive(Clone, Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewCompany {
    pub code: String,
    pub name: String,
    pub kind: CompanyKind,
    #[serde(default)]
    pub credit_code: Option<String>,
}

/// What kind of unit this is in the hierarchy.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum UnitKind {
    /// 公司/单位本部 — the root of a company's tree.
    Headquarters,
    /// 事业部/分公司
    Division,
    /// 部门 / 处室
    Department,
    /// 科室 / 小组
    Team,
}

impl UnitKind {
    pub fn as_str(&self) -> &'static str {
        match self {
            UnitKind::Headquarters => "headquarters",
            UnitKind::Division => "division",
            UnitKind::Department => "department",
            UnitKind::Team => "team",
        }
    }
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "headquarters" => Some(Self::Headquarters),
            "division" => Some(Self::Division),
            "department" => Some(Self::Department),
            "team" => Some(Self::Team),
            _ => None,
        }
    }
}

/// One org unit as it stood on a date (or over one of its versions).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, ToSchema)]
pub struct OrgUnitView {
    pub id: OrgUnitId,
    pub company_id: CompanyId,
    pub code: String,
    pub name: String,
    pub kind: UnitKind,
    pub parent_id: Option<OrgUnitId>,
    /// The version's effective range; `to` is exclusive.
    pub valid: DateRange,
}

/// A node of the as-of tree, with its own and its subtree's headcount when asked.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct OrgTreeNode {
    #[serde(flatten)]
    pub unit: OrgUnitView,
    /// Employed people assigned directly to this unit on the date.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub headcount: Option<i64>,
    /// Employed people in this unit and all units below it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub subtree_headcount: Option<i64>,
    #[schema(no_recursion)]
    pub children: Vec<OrgTreeNode>,
}

#[derive(Clone, Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewOrgUnit {
    pub company_id: CompanyId,
    pub code: String,
    pub name: String,
    pub kind: UnitKind,
    /// None only for a company's root unit.
    #[serde(default)]
    pub parent_id: Option<OrgUnitId>,
    pub effective_date: NaiveDate,
}

/// A structural change to one unit, effective from `effective_date`.
#[derive(Clone, Debug, Deserialize, Serialize, ToSchema, PartialEq, Eq)]
#[serde(tag = "type", rename_all = "snake_case", deny_unknown_fields)]
pub enum OrgChange {
    /// 更名
    Rename { name: String, effective_date: NaiveDate },
    /// 调整隶属关系
    Move { new_parent_id: OrgUnitId, effective_date: NaiveDate },
    /// 撤销 — refused while sub-units or staff remain.
    Dissolve { effective_date: NaiveDate },
}

impl OrgChange {
    pub fn effective_date(&self) -> NaiveDate {
        match self {
            OrgChange::Rename { effective_date, .. }
            | OrgChange::Move { effective_date, .. }
            | OrgChange::Dissolve { effective_date } => *effective_date,
        }
    }
    pub fn kind(&self) -> &'static str {
        match self {
            OrgChange::Rename { .. } => "rename",
            OrgChange::Move { .. } => "move",
            OrgChange::Dissolve { .. } => "dissolve",
        }
    }
}

/// The new state of a unit from a date on, as the store writes it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UnitVersionWrite {
    pub unit_id: OrgUnitId,
    pub from: NaiveDate,
    /// None when the change ends the unit (dissolve, merge away).
    pub next: Option<UnitState>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UnitState {
    pub name: String,
    pub kind: UnitKind,
    pub parent_id: Option<OrgUnitId>,
}

/// One entry of a unit's change log.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct OrgChangeRecord {
    pub unit_id: OrgUnitId,
    pub kind: String,
    pub effective_date: NaiveDate,
    #[schema(value_type = Object)]
    pub details: serde_json::Value,
    pub recorded_at: DateTime<Utc>,
    pub recorded_by: String,
}

/// A position (岗位).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, ToSchema)]
pub struct Position {
    pub id: PositionId,
    pub company_id: CompanyId,
    pub org_unit_id: OrgUnitId,
    pub code: String,
    pub name: String,
    /// 职族/序列, e.g. 管理 / 专业技术 / 技能.
    pub job_family: String,
    /// 职级, e.g. P5, M2, 七级职员.
    pub grade: String,
    /// 关键岗位 — drives succession planning.
    pub is_key: bool,
    pub valid: DateRange,
}

#[derive(Clone, Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewPosition {
    pub org_unit_id: OrgUnitId,
    pub code: String,
    pub name: String,
    pub job_family: String,
    pub grade: String,
    #[serde(default)]
    pub is_key: bool,
    pub valid_from: NaiveDate,
    #[serde(default)]
    pub valid_to: Option<NaiveDate>,
}

/// A headcount quota (编制) for one unit and staffing category over a period.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, ToSchema)]
pub struct HeadcountQuota {
    pub id: QuotaId,
    pub org_unit_id: OrgUnitId,
    /// Dictionary `quota_category`: administrative 行政编制, public_institution 事业编制, contract 合同制, other.
    pub category: String,
    pub amount: i64,
    /// When true, assignments beyond `amount` are allowed (and reported as overrun).
    pub allow_overrun: bool,
    pub valid: DateRange,
}

#[derive(Clone, Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewQuota {
    pub org_unit_id: OrgUnitId,
    pub category: String,
    pub amount: i64,
    #[serde(default)]
    pub allow_overrun: bool,
    pub valid_from: NaiveDate,
    #[serde(default)]
    pub valid_to: Option<NaiveDate>,
}

/// Quota line with its occupancy on a date.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct QuotaUsage {
    #[serde(flatten)]
    pub quota: HeadcountQuota,
    pub as_of: NaiveDate,
    pub occupied: i64,
    /// May be negative when overrun is allowed and used.
    pub vacant: i64,
}

pub const QUOTA_CATEGORIES: &[&str] = &["administrative", "public_institution", "contract", "other"];
