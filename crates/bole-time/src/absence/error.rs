//! Leave, overtime and punch-correction failures, each an HR fact with a stable code, a kind that
//! maps to an HTTP status and a bilingual message the applicant or HR can act on.

use crate::error::TimeError;
use bole_core::{ErrorKind, Failure, FieldErrors, Msg};
use bole_workflow::WorkflowError;
use chrono::NaiveDate;
use rust_decimal::Decimal;

#[derive(Debug, thiserror::Error)]
pub enum AbsenceError {
    #[error("invalid input")]
    Invalid(FieldErrors),
    #[error(transparent)]
    Forbidden(#[from] bole_core::Forbidden),
    /// The account has no employee record, and the request names nobody else.
    #[error("account has no employee record")]
    NotAnEmployee,
    #[error("employee not found")]
    EmployeeNotFound,
    #[error("leave type not found")]
    LeaveTypeNotFound,
    #[error("leave type inactive")]
    LeaveTypeInactive { code: String },
    #[error("duplicate leave type code")]
    DuplicateLeaveTypeCode { code: String },
    #[error("leave application not found")]
    ApplicationNotFound,
    #[error("overtime application not found")]
    OvertimeNotFound,
    #[error("punch correction not found")]
    PunchCorrectionNotFound,
    /// Another pending or approved application of the same employee covers part of the range.
    #[error("leave overlaps another application")]
    LeaveOverlaps { start: NaiveDate, end: NaiveDate, status: String },
    /// Not enough balance: the numbers are days.
    #[error("insufficient balance")]
    InsufficientBalance { leave_type: String, balance: Decimal, pending: Decimal, requested: Decimal },
    /// The range holds no working day (weekends and holidays only).
    #[error("leave has zero duration")]
    ZeroDuration { start: NaiveDate, end: NaiveDate },
    #[error("leave exceeds the maximum per application")]
    ExceedsMaximum { leave_type: String, max_days: Decimal, requested: Decimal },
    /// The leave type is limited to one gender (maternity, paternity) by law.
    #[error("employee not eligible for this leave type")]
    NotEligible { leave_type: String },
    /// The document's status does not allow the action (e.g. amending an approved leave).
    #[error("status does not allow this")]
    WrongStatus { status: String },
    /// Cancelling an approved leave that has started is HR's decision.
    #[error("leave already started")]
    AlreadyStarted { start: NaiveDate },
    /// 法定节假日加班 must be paid at 300%; time off does not replace it (劳动法 art.44).
    #[error("holiday overtime must be paid")]
    HolidayOvertimeMustBePaid { day: NaiveDate },
    #[error("punch correction limit reached")]
    PunchCorrectionLimit { limit: u32, month: String },
    /// The employee has no 参加工作日期 / cumulative years on file for statutory annual leave.
    #[error("no working-years basis")]
    NoAnnualLeaveBasis,
    #[error(transparent)]
    Calendar(#[from] TimeError),
    #[error(transparent)]
    Workflow(#[from] WorkflowError),
    #[error("storage failure: {0}")]
    Storage(String),
}

impl AbsenceError {
    /// One field problem, the common case of request checks.
    pub fn field(field: &str, msg: Msg) -> Self {
        let mut errors = FieldErrors::new();
        errors.add(field, msg);
        AbsenceError::Invalid(errors)
    }

    /// Wrap for the workflow engine, so the code and message reach the client unchanged.
    pub fn into_workflow(self) -> WorkflowError {
        match self {
            AbsenceError::Workflow(w) => w,
            other => WorkflowError::Effect(std::sync::Arc::new(other)),
        }
    }
}

fn status_zh(s: &str) -> &'static str {
    match s {
        "pending" => "审批中",
        "returned" => "已退回",
        "approved" => "已批准",
        "rejected" => "已驳回",
        "withdrawn" => "已撤回",
        "cancelled" => "已取消",
        _ => "未知",
    }
}

impl Failure for AbsenceError {
    fn code(&self) -> &'static str {
        match self {
            AbsenceError::Invalid(_) => "validation_failed",
            AbsenceError::Forbidden(f) => f.code(),
            AbsenceError::NotAnEmployee => "not_an_employee",
            AbsenceError::EmployeeNotFound => "employee_not_found",
            AbsenceError::LeaveTypeNotFound => "leave_type_not_found",
            AbsenceError::LeaveTypeInactive { .. } => "leave_type_inactive",
            AbsenceError::DuplicateLeaveTypeCode { .. } => "duplicate_leave_type_code",
            AbsenceError::ApplicationNotFound => "leave_application_not_found",
            AbsenceError::OvertimeNotFound => "overtime_application_not_found",
            AbsenceError::PunchCorrectionNotFound => "punch_correction_not_found",
            AbsenceError::LeaveOverlaps { .. } => "leave_overlaps",
            AbsenceError::InsufficientBalance { .. } => "insufficient_balance",
            AbsenceError::ZeroDuration { .. } => "leave_zero_duration",
            AbsenceError::ExceedsMaximum { .. } => "leave_exceeds_maximum",
            AbsenceError::NotEligible { .. } => "leave_not_eligible",
            AbsenceError::WrongStatus { .. } => "application_status_conflict",
            AbsenceError::AlreadyStarted { .. } => "leave_already_started",
            AbsenceError::HolidayOvertimeMustBePaid { .. } => "holiday_overtime_must_be_paid",
            AbsenceError::PunchCorrectionLimit { .. } => "punch_correction_limit",
            AbsenceError::NoAnnualLeaveBasis => "annual_leave_basis_missing",
            AbsenceError::Calendar(e) => e.code(),
            AbsenceError::Workflow(e) => e.code(),
            AbsenceError::Storage(_) => "internal",
        }
    }

    fn kind(&self) -> ErrorKind {
        match self {
            AbsenceError::Invalid(_)
            | AbsenceError::ZeroDuration { .. }
            | AbsenceError::ExceedsMaximum { .. }
            | AbsenceError::NotEligible { .. }
            | AbsenceError::LeaveTypeInactive { .. }
            | AbsenceError::HolidayOvertimeMustBePaid { .. } => ErrorKind::Invalid,
            AbsenceError::Forbidden(_) | AbsenceError::NotAnEmployee => ErrorKind::Forbidden,
            AbsenceError::EmployeeNotFound
            | AbsenceError::LeaveTypeNotFound
            | AbsenceError::ApplicationNotFound
            | AbsenceError::OvertimeNotFound
            | AbsenceError::PunchCorrectionNotFound => ErrorKind::NotFound,
            AbsenceError::DuplicateLeaveTypeCode { .. }
            | AbsenceError::LeaveOverlaps { .. }
            | AbsenceError::InsufficientBalance { .. }
            | AbsenceError::WrongStatus { .. }
            | AbsenceError::AlreadyStarted { .. }
            | AbsenceError::PunchCorrectionLimit { .. }
            | AbsenceError::NoAnnualLeaveBasis => ErrorKind::Conflict,
            AbsenceError::Calendar(e) => e.kind(),
            AbsenceError::Workflow(e) => e.kind(),
            AbsenceError::Storage(_) => ErrorKind::Internal,
        }
    }

    fn message(&self) -> Msg {
        match self {
            AbsenceError::Invalid(_) => {
                Msg::new("输入有误，请按字段提示修改。", "Some fields are invalid; see the field messages.")
            }
            AbsenceError::Forbidden(f) => f.message(),
            AbsenceError::NotAnEmployee => Msg::new(
                "您的账号未关联员工档案，请指定员工或联系人事部门。",
                "Your account is not linked to an employee record; name the employee or contact HR.",
            ),
            AbsenceError::EmployeeNotFound => {
                Msg::new("员工不存在或您无权查看。", "No such employee, or you may not see them.")
            }
            AbsenceError::LeaveTypeNotFound => Msg::new(
                "假期类型不存在，请在假期设置中查看可用的类型。",
                "No such leave type; see the leave settings for the available types.",
            ),
            AbsenceError::LeaveTypeInactive { code } => Msg::new(
                format!("假期类型 {code} 已停用，不能再申请。"),
                format!("Leave type {code} is no longer in use."),
            ),
            AbsenceError::DuplicateLeaveTypeCode { code } => Msg::new(
                format!("假期类型代码 {code} 已存在，请换一个代码。"),
                format!("Leave type code {code} already exists; choose another."),
            ),
            AbsenceError::ApplicationNotFound => {
                Msg::new("请假申请不存在或您无权查看。", "No such leave application, or you may not see it.")
            }
            AbsenceError::OvertimeNotFound => {
                Msg::new("加班申请不存在或您无权查看。", "No such overtime application, or you may not see it.")
            }
            AbsenceError::PunchCorrectionNotFound => {
                Msg::new("补卡申请不存在或您无权查看。", "No such punch correction, or you may not see it.")
            }
            AbsenceError::LeaveOverlaps { start, end, status } => Msg::new(
                format!(
                    "与已有的请假申请（{start} 至 {end}，{}）时间重叠，请调整日期或先撤回那一份。",
                    status_zh(status)
                ),
                format!(
                    "This overlaps another leave application ({start} to {end}, {status}); change the dates or \
                     withdraw that one first."
                ),
            ),
            AbsenceError::InsufficientBalance { leave_type, balance, pending, requested } => Msg::new(
                format!("{leave_type}余额不足：余额 {balance} 天，审批中 {pending} 天，本次申请 {requested} 天。"),
                format!(
                    "Not enough {leave_type} balance: {balance} days, {pending} days pending approval, \
                     {requested} days requested."
                ),
            ),
            AbsenceError::ZeroDuration { start, end } => Msg::new(
                format!("{start} 至 {end} 都是休息日或节假日，无需请假。"),
                format!("{start} to {end} contains only rest days and holidays; there is nothing to apply for."),
            ),
            AbsenceError::ExceedsMaximum { leave_type, max_days, requested } => Msg::new(
                format!("{leave_type}每次最多 {max_days} 天，本次申请 {requested} 天。"),
                format!("{leave_type} allows at most {max_days} days per application; {requested} requested."),
            ),
            AbsenceError::NotEligible { leave_type } => Msg::new(
                format!("该员工不符合{leave_type}的申请条件。"),
                format!("The employee is not eligible for {leave_type}."),
            ),
            AbsenceError::WrongStatus { status } => Msg::new(
                format!("申请当前状态为“{}”，不能执行此操作。", status_zh(status)),
                format!("The application is {status}; this action is not possible now."),
            ),
            AbsenceError::AlreadyStarted { start } => Msg::new(
                format!("该假期已于 {start} 开始，取消需由人事部门办理。"),
                format!("This leave started on {start}; only HR can cancel it now."),
            ),
            AbsenceError::HolidayOvertimeMustBePaid { day } => Msg::new(
                format!("{day} 是法定节假日，加班须按 300% 支付加班费，不能以调休代替。"),
                format!("{day} is a statutory holiday: overtime must be paid at 300% and cannot be taken as time off."),
            ),
            AbsenceError::PunchCorrectionLimit { limit, month } => Msg::new(
                format!("{month} 的补卡次数已达上限（每月 {limit} 次）。"),
                format!("The punch-correction limit for {month} is reached ({limit} per month)."),
            ),
            AbsenceError::NoAnnualLeaveBasis => Msg::new(
                "尚未登记该员工的参加工作日期或累计工作年限，请先在假期档案中填写。",
                "The employee's first working date or cumulative working years is not on file; set the leave profile first.",
            ),
            AbsenceError::Calendar(e) => e.message(),
            AbsenceError::Workflow(e) => e.message(),
            AbsenceError::Storage(_) => Msg::new("服务器内部错误。", "Internal error."),
        }
    }

    fn fields(&self) -> Option<&FieldErrors> {
        match self {
            AbsenceError::Invalid(f) => Some(f),
            AbsenceError::Calendar(e) => e.fields(),
            AbsenceError::Workflow(e) => e.fields(),
            _ => None,
        }
    }
}
