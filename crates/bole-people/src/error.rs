//! People failures, each an HR fact with a stable code.

use bole_core::{ErrorKind, Failure, FieldErrors, Msg};
use chrono::NaiveDate;

#[derive(Debug, thiserror::Error)]
pub enum PeopleError {
    #[error("invalid input")]
    Invalid(FieldErrors),
    #[error("employee not found")]
    EmployeeNotFound,
    #[error("event not found")]
    EventNotFound,
    #[error("contract not found")]
    ContractNotFound,
    #[error("duplicate employee number")]
    DuplicateEmployeeNo(String),
    #[error("duplicate id number")]
    DuplicateIdNumber,
    #[error("lifecycle transition not allowed")]
    Transition { event: &'static str, status: Option<&'static str>, date: NaiveDate },
    #[error("quota exceeded")]
    QuotaExceeded { category: String, amount: i64, occupied: i64, date: NaiveDate },
    #[error("contract overlaps")]
    ContractOverlap { existing_start: NaiveDate },
    #[error("event already cancelled")]
    AlreadyCancelled,
    #[error(transparent)]
    Org(#[from] bole_org::OrgError),
    #[error(transparent)]
    Forbidden(#[from] bole_core::actor::Forbidden),
    #[error("storage failure: {0}")]
    Storage(String),
}

fn status_zh(s: Option<&str>) -> &'static str {
    match s {
        Some("probation") => "试用",
        Some("regular") => "正式",
        Some("seconded") => "借调中",
        Some("leave_of_absence") => "停薪留职",
        Some("separated") => "已离职",
        Some("retired") => "已退休",
        _ => "未入职",
    }
}

impl Failure for PeopleError {
    fn code(&self) -> &'static str {
        match self {
            PeopleError::Invalid(_) => "validation_failed",
            PeopleError::EmployeeNotFound => "employee_not_found",
            PeopleError::EventNotFound => "event_not_found",
            PeopleError::ContractNotFound => "contract_not_found",
            PeopleError::DuplicateEmployeeNo(_) => "duplicate_employee_no",
            PeopleError::DuplicateIdNumber => "duplicate_id_number",
            PeopleError::Transition { .. } => "lifecycle_transition_invalid",
            PeopleError::QuotaExceeded { .. } => "quota_exceeded",
            PeopleError::ContractOverlap { .. } => "effective_date_overlap",
            PeopleError::AlreadyCancelled => "event_already_cancelled",
            PeopleError::Org(e) => e.code(),
            PeopleError::Forbidden(f) => f.code(),
            PeopleError::Storage(_) => "internal",
        }
    }

    fn kind(&self) -> ErrorKind {
        match self {
            PeopleError::Invalid(_) => ErrorKind::Invalid,
            PeopleError::EmployeeNotFound | PeopleError::EventNotFound | PeopleError::ContractNotFound => {
                ErrorKind::NotFound
            }
            PeopleError::DuplicateEmployeeNo(_)
            | PeopleError::DuplicateIdNumber
            | PeopleError::Transition { .. }
            | PeopleError::QuotaExceeded { .. }
            | PeopleError::ContractOverlap { .. }
            | PeopleError::AlreadyCancelled => ErrorKind::Conflict,
            PeopleError::Org(e) => e.kind(),
            PeopleError::Forbidden(_) => ErrorKind::Forbidden,
            PeopleError::Storage(_) => ErrorKind::Internal,
        }
    }

    fn message(&self) -> Msg {
        match self {
            PeopleError::Invalid(_) => {
                Msg::new("输入有误，请按字段提示修改。", "Some fields are invalid; see the field messages.")
            }
            PeopleError::EmployeeNotFound => {
                Msg::new("找不到该员工，请检查员工ID。", "Employee not found; check the employee id.")
            }
            PeopleError::EventNotFound => Msg::new("找不到该人事事件。", "Lifecycle event not found."),
            PeopleError::ContractNotFound => Msg::new("找不到该劳动合同。", "Contract not found."),
            PeopleError::DuplicateEmployeeNo(no) => Msg::new(
                format!("工号“{no}”已存在，请使用其他工号。"),
                format!("Employee number \"{no}\" already exists; use another."),
            ),
            PeopleError::DuplicateIdNumber => Msg::new(
                "该证件号码已登记在本单位的其他员工名下，请核对；再次入职请使用“返聘/再入职”。",
                "This ID number is already registered to another employee of this company; for a returning employee use rehire.",
            ),
            PeopleError::Transition { event, status, date } => Msg::new(
                format!("员工在 {date} 的状态为“{}”，不能办理该事项（{event}）。", status_zh(*status)),
                format!(
                    "On {date} the employee is {}; '{event}' is not allowed in that state.",
                    status.unwrap_or("not yet hired")
                ),
            ),
            PeopleError::QuotaExceeded { category, amount, occupied, date } => Msg::new(
                format!(
                    "编制已满：该组织“{category}”编制 {amount} 人，{date} 已占用 {occupied} 人。请先调整编制或选择其他组织。"
                ),
                format!(
                    "Headcount quota exceeded: the unit's '{category}' quota is {amount} and {occupied} are assigned on {date}. Raise the quota or choose another unit."
                ),
            ),
            PeopleError::ContractOverlap { existing_start } => Msg::new(
                format!("与自 {existing_start} 起的劳动合同期限重叠，请调整起止日期。"),
                format!("Overlaps the contract starting {existing_start}; adjust the dates."),
            ),
            PeopleError::AlreadyCancelled => {
                Msg::new("该事件已被更正撤销，不能重复撤销。", "That event was already cancelled.")
            }
            PeopleError::Org(e) => e.message(),
            PeopleError::Forbidden(f) => f.message(),
            PeopleError::Storage(_) => Msg::new(
                "系统内部错误，请稍后重试或联系管理员。",
                "Internal error; try again later or contact the administrator.",
            ),
        }
    }

    fn fields(&self) -> Option<&FieldErrors> {
        match self {
            PeopleError::Invalid(f) => Some(f),
            PeopleError::Org(e) => e.fields(),
            _ => None,
        }
    }
}

impl From<FieldErrors> for PeopleError {
    fn from(f: FieldErrors) -> Self {
        PeopleError::Invalid(f)
    }
}
