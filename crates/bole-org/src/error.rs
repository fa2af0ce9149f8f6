//! Organisation failures, each an HR fact with a stable code.

use bole_core::{ErrorKind, Failure, FieldErrors, Msg};
use chrono::NaiveDate;

#[derive(Debug, thiserror::Error)]
pub enum OrgError {
    #[error("invalid input")]
    Invalid(FieldErrors),
    #[error("company not found")]
    CompanyNotFound,
    #[error("org unit not found")]
    UnitNotFound,
    #[error("org unit not in force on {0}")]
    UnitNotInForce(NaiveDate),
    #[error("position not found")]
    PositionNotFound,
    #[error("quota not found")]
    QuotaNotFound,
    #[error("duplicate code {0}")]
    DuplicateCode(String),
    #[error("a later change exists from {later}")]
    LaterChangeExists { later: NaiveDate },
    #[error("move would create a cycle")]
    Cycle,
    #[error("unit still has sub-units")]
    HasChildren,
    #[error("quota overlaps an existing quota")]
    QuotaOverlap { existing_from: NaiveDate },
    #[error("units belong to different companies")]
    CrossCompany,
    #[error(transparent)]
    Forbidden(#[from] bole_core::actor::Forbidden),
    #[error("storage failure: {0}")]
    Storage(String),
}

impl Failure for OrgError {
    fn code(&self) -> &'static str {
        match self {
            OrgError::Invalid(_) => "validation_failed",
            OrgError::CompanyNotFound => "company_not_found",
            OrgError::UnitNotFound => "org_unit_not_found",
            OrgError::UnitNotInForce(_) => "org_unit_not_in_force",
            OrgError::PositionNotFound => "position_not_found",
            OrgError::QuotaNotFound => "quota_not_found",
            OrgError::DuplicateCode(_) => "duplicate_code",
            OrgError::LaterChangeExists { .. } => "effective_date_conflict",
            OrgError::Cycle => "org_cycle",
            OrgError::HasChildren => "org_unit_not_empty",
            OrgError::QuotaOverlap { .. } => "effective_date_overlap",
            OrgError::CrossCompany => "cross_company",
            OrgError::Forbidden(f) => f.code(),
            OrgError::Storage(_) => "internal",
        }
    }

    fn kind(&self) -> ErrorKind {
        match self {
            OrgError::Invalid(_) => ErrorKind::Invalid,
            OrgError::CompanyNotFound
            | OrgError::UnitNotFound
            | OrgError::PositionNotFound
            | OrgError::QuotaNotFound => ErrorKind::NotFound,
            OrgError::UnitNotInForce(_) | OrgError::CrossCompany | OrgError::Cycle => ErrorKind::Invalid,
            OrgError::DuplicateCode(_)
            | OrgError::LaterChangeExists { .. }
            | OrgError::HasChildren
            | OrgError::QuotaOverlap { .. } => ErrorKind::Conflict,
            OrgError::Forbidden(_) => ErrorKind::Forbidden,
            OrgError::Storage(_) => ErrorKind::Internal,
        }
    }

    fn message(&self) -> Msg {
        match self {
            OrgError::Invalid(_) => {
                Msg::new("输入有误，请按字段提示修改。", "Some fields are invalid; see the field messages.")
            }
            OrgError::CompanyNotFound => {
                Msg::new("找不到该单位（法人主体），请检查单位ID。", "Company not found; check the company id.")
            }
            OrgError::UnitNotFound => {
                Msg::new("找不到该组织单元，请检查组织ID或编码。", "Org unit not found; check the unit id or code.")
            }
            OrgError::UnitNotInForce(d) => Msg::new(
                format!("该组织单元在 {d} 不存在（尚未设立或已撤销），请选择有效的组织或日期。"),
                format!(
                    "The org unit does not exist on {d} (not yet created or already dissolved); choose another unit or date."
                ),
            ),
            OrgError::PositionNotFound => {
                Msg::new("找不到该岗位，请检查岗位ID。", "Position not found; check the position id.")
            }
            OrgError::QuotaNotFound => Msg::new("找不到该编制记录。", "Headcount quota not found."),
            OrgError::DuplicateCode(c) => Msg::new(
                format!("编码“{c}”已被使用，请换一个编码。"),
                format!("Code \"{c}\" is already in use; pick another."),
            ),
            OrgError::LaterChangeExists { later } => Msg::new(
                format!("该组织在 {later} 已有生效的变更，新变更的生效日期须晚于该日期。"),
                format!(
                    "This unit already has a change effective {later}; the new change must take effect after that date."
                ),
            ),
            OrgError::Cycle => Msg::new(
                "不能把组织移动到其自身或其下级组织之下。",
                "A unit cannot be moved under itself or one of its sub-units.",
            ),
            OrgError::HasChildren => Msg::new(
                "该组织下仍有在用的下级组织或在职人员，请先调整或合并后再撤销。",
                "The unit still has active sub-units or staff; move or merge them before dissolving it.",
            ),
            OrgError::QuotaOverlap { existing_from } => Msg::new(
                format!("该组织该类别已有自 {existing_from} 起的编制，有效期不能重叠；请先结束原编制。"),
                format!(
                    "A quota for this unit and category already applies from {existing_from}; end it before adding an overlapping one."
                ),
            ),
            OrgError::CrossCompany => {
                Msg::new("不能跨法人单位调整组织。", "Units cannot be moved or merged across companies.")
            }
            OrgError::Forbidden(f) => f.message(),
            OrgError::Storage(_) => Msg::new(
                "系统内部错误，请稍后重试或联系管理员。",
                "Internal error; try again later or contact the administrator.",
            ),
        }
    }

    fn fields(&self) -> Option<&FieldErrors> {
        match self {
            OrgError::Invalid(f) => Some(f),
            _ => None,
        }
    }
}

impl From<FieldErrors> for OrgError {
    fn from(f: FieldErrors) -> Self {
        OrgError::Invalid(f)
    }
}
