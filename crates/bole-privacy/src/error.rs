//! Privacy failures, each a fact about notices, consents, requests or the register, with
//! a stable code.

use bole_core::{ErrorKind, Failure, FieldErrors, Msg};

#[derive(Debug, thiserror::Error)]
pub enum PrivacyError {
    #[error("invalid input")]
    Invalid(FieldErrors),
    #[error(transparent)]
    Forbidden(#[from] bole_core::actor::Forbidden),
    #[error("the account is not linked to an employee")]
    NotAnEmployee,
    #[error("employee not found")]
    EmployeeNotFound,
    #[error("no privacy notice has been published")]
    NoNotice,
    #[error("privacy notice version not found")]
    NoticeNotFound,
    #[error("privacy notice version {given} is not the current one ({current})")]
    NoticeOutdated { given: i32, current: i32 },
    #[error("the current privacy notice was not acknowledged")]
    NoticeNotAcknowledged { version: i32 },
    #[error("another version was published at the same time")]
    NoticeVersionConflict,
    #[error("purpose not found")]
    PurposeNotFound(String),
    #[error("the purpose does not rest on consent")]
    ConsentNotApplicable(String),
    #[error("consent already in that state")]
    ConsentUnchanged { given: bool },
    #[error("consent changed concurrently")]
    ConsentChanged,
    #[error("request not found")]
    RequestNotFound,
    #[error("request transition not allowed")]
    TransitionInvalid { from: &'static str, to: &'static str },
    #[error("request changed concurrently")]
    RequestChanged,
    #[error("sharing register entry not found")]
    SharingEntryNotFound,
    #[error("audit trail unavailable")]
    AuditUnavailable,
    #[error("storage failure: {0}")]
    Storage(String),
}

fn status_zh(s: &str) -> &'static str {
    match s {
        "submitted" => "已提交",
        "in_progress" => "处理中",
        "completed" => "已完成",
        "rejected" => "已拒绝",
        _ => "未知",
    }
}

impl Failure for PrivacyError {
    fn code(&self) -> &'static str {
        match self {
            PrivacyError::Invalid(_) => "validation_failed",
            PrivacyError::Forbidden(f) => f.code(),
            PrivacyError::NotAnEmployee => "not_an_employee",
            PrivacyError::EmployeeNotFound => "employee_not_found",
            PrivacyError::NoNotice | PrivacyError::NoticeNotFound => "privacy_notice_not_found",
            PrivacyError::NoticeOutdated { .. } => "privacy_notice_outdated",
            PrivacyError::NoticeNotAcknowledged { .. } => "privacy_notice_not_acknowledged",
            PrivacyError::NoticeVersionConflict => "privacy_notice_version_conflict",
            PrivacyError::PurposeNotFound(_) => "privacy_purpose_not_found",
            PrivacyError::ConsentNotApplicable(_) => "consent_not_applicable",
            PrivacyError::ConsentUnchanged { .. } => "consent_unchanged",
            PrivacyError::ConsentChanged => "consent_changed",
            PrivacyError::RequestNotFound => "privacy_request_not_found",
            PrivacyError::TransitionInvalid { .. } => "privacy_request_transition_invalid",
            PrivacyError::RequestChanged => "privacy_request_changed",
            PrivacyError::SharingEntryNotFound => "sharing_entry_not_found",
            PrivacyError::AuditUnavailable | PrivacyError::Storage(_) => "internal",
        }
    }

    fn kind(&self) -> ErrorKind {
        match self {
            PrivacyError::Invalid(_) => ErrorKind::Invalid,
            PrivacyError::Forbidden(_) | PrivacyError::NotAnEmployee => ErrorKind::Forbidden,
            PrivacyError::EmployeeNotFound
            | PrivacyError::NoNotice
            | PrivacyError::NoticeNotFound
            | PrivacyError::PurposeNotFound(_)
            | PrivacyError::RequestNotFound
            | PrivacyError::SharingEntryNotFound => ErrorKind::NotFound,
            PrivacyError::NoticeOutdated { .. }
            | PrivacyError::NoticeNotAcknowledged { .. }
            | PrivacyError::NoticeVersionConflict
            | PrivacyError::ConsentNotApplicable(_)
            | PrivacyError::ConsentUnchanged { .. }
            | PrivacyError::ConsentChanged
            | PrivacyError::TransitionInvalid { .. }
            | PrivacyError::RequestChanged => ErrorKind::Conflict,
            PrivacyError::AuditUnavailable | PrivacyError::Storage(_) => ErrorKind::Internal,
        }
    }

    fn message(&self) -> Msg {
        match self {
            PrivacyError::Invalid(_) => {
                Msg::new("输入有误，请按字段提示修改。", "Some fields are invalid; see the field messages.")
            }
            PrivacyError::Forbidden(f) => f.message(),
            PrivacyError::NotAnEmployee => Msg::new(
                "您的账号未关联员工档案，无法使用个人信息自助服务；请联系人力资源部门。",
                "Your account is not linked to an employee record, so privacy self-service is unavailable; contact HR.",
            ),
            PrivacyError::EmployeeNotFound => {
                Msg::new("找不到该员工，请检查员工ID。", "Employee not found; check the employee id.")
            }
            PrivacyError::NoNotice => {
                Msg::new("尚未发布隐私政策（个人信息处理告知书）。", "No privacy notice has been published yet.")
            }
            PrivacyError::NoticeNotFound => Msg::new("找不到该版本的隐私政策。", "No privacy notice has that version."),
            PrivacyError::NoticeOutdated { given, current } => Msg::new(
                format!("第{given}版不是现行隐私政策，请阅读并确认现行的第{current}版。"),
                format!("Version {given} is not the current privacy notice; read and acknowledge version {current}."),
            ),
            PrivacyError::NoticeNotAcknowledged { version } => Msg::new(
                format!("请先阅读并确认现行隐私政策（第{version}版），再作出同意。"),
                format!("Read and acknowledge the current privacy notice (version {version}) before consenting."),
            ),
            PrivacyError::NoticeVersionConflict => Msg::new(
                "其他人刚刚发布了新版本，请刷新后重试。",
                "Someone published a version at the same moment; reload and try again.",
            ),
            PrivacyError::PurposeNotFound(code) => Msg::new(
                format!("现行隐私政策中没有处理目的“{code}”。"),
                format!("The current privacy notice has no purpose \"{code}\"."),
            ),
            PrivacyError::ConsentNotApplicable(code) => Msg::new(
                format!(
                    "处理目的“{code}”依据法定情形处理（如实施人力资源管理所必需），无需同意，也不能撤回同意；如有异议，请提交个人信息权利请求。"
                ),
                format!(
                    "Purpose \"{code}\" rests on a legal basis other than consent, so consent is neither given nor withdrawn; to object, submit a privacy request."
                ),
            ),
            PrivacyError::ConsentUnchanged { given: true } => {
                Msg::new("您已同意该处理目的。", "You have already consented to this purpose.")
            }
            PrivacyError::ConsentUnchanged { given: false } => Msg::new(
                "您当前未同意该处理目的，无需撤回。",
                "You have not consented to this purpose; nothing to withdraw.",
            ),
            PrivacyError::ConsentChanged => Msg::new(
                "同意状态刚刚发生变化，请刷新后重试。",
                "Your consent changed at the same moment; reload and try again.",
            ),
            PrivacyError::RequestNotFound => Msg::new("找不到该个人信息权利请求。", "Privacy request not found."),
            PrivacyError::TransitionInvalid { from, to } => Msg::new(
                format!("请求当前为“{}”，不能改为“{}”。", status_zh(from), status_zh(to)),
                format!("The request is {from}; it cannot become {to}."),
            ),
            PrivacyError::RequestChanged => Msg::new(
                "该请求刚被他人处理，请刷新后重试。",
                "Someone else just handled this request; reload and try again.",
            ),
            PrivacyError::SharingEntryNotFound => {
                Msg::new("找不到该对外提供登记。", "Sharing register entry not found.")
            }
            PrivacyError::AuditUnavailable | PrivacyError::Storage(_) => Msg::new(
                "系统内部错误，请稍后重试或联系管理员。",
                "Internal error; try again later or contact the administrator.",
            ),
        }
    }

    fn fields(&self) -> Option<&FieldErrors> {
        match self {
            PrivacyError::Invalid(f) => Some(f),
            _ => None,
        }
    }
}

impl From<FieldErrors> for PrivacyError {
    fn from(f: FieldErrors) -> Self {
        PrivacyError::Invalid(f)
    }
}

impl From<bole_core::AuditUnavailable> for PrivacyError {
    fn from(_: bole_core::AuditUnavailable) -> Self {
        // The audit adapter logged the cause; a read that cannot be audited is not served.
        PrivacyError::AuditUnavailable
    }
}
