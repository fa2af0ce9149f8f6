//! Workflow failures, each an HR fact with a stable code and a bilingual message.

use bole_core::{ErrorKind, Failure, FieldErrors, Msg};
use std::sync::Arc;

#[derive(Clone, Debug, thiserror::Error)]
pub enum WorkflowError {
    #[error("invalid input")]
    Invalid(FieldErrors),
    #[error("forbidden")]
    Forbidden,
    #[error("not found")]
    NotFound,
    #[error("delegation not found")]
    DelegationNotFound,
    #[error("notification not found")]
    NotificationNotFound,
    #[error("flow definition not found")]
    DefinitionNotFound,
    #[error("org unit not found")]
    UnitNotFound,
    /// Another decision changed the instance first (optimistic check failed).
    #[error("the approval changed meanwhile")]
    Conflict,
    /// A document's effect failed (e.g. insufficient balance); the decision was rolled back.
    #[error("effect failed: {0}")]
    Effect(Arc<dyn Failure + Send + Sync>),
    #[error("storage: {0}")]
    Storage(String),
    /// A step's approvers resolved to nobody and its definition says `fail`.
    #[error("no approver for step {0}")]
    ApproverUnresolved(String),
    /// The task was already decided, superseded, escalated or withdrawn.
    #[error("task closed")]
    TaskClosed,
    /// The company already has a definition for this document type.
    #[error("definition exists")]
    DefinitionExists,
    /// The document's subject has no assignment today, so nobody can be resolved.
    #[error("subject unknown")]
    SubjectUnknown,
    /// The instance is not in a state that allows the action (e.g. resubmitting a pending one).
    #[error("instance is {0}")]
    WrongState(&'static str),
}

impl Failure for WorkflowError {
    fn code(&self) -> &'static str {
        match self {
            WorkflowError::Invalid(_) => "validation_failed",
            WorkflowError::Forbidden => "forbidden",
            WorkflowError::NotFound => "approval_not_found",
            WorkflowError::DelegationNotFound => "delegation_not_found",
            WorkflowError::NotificationNotFound => "notification_not_found",
            WorkflowError::DefinitionNotFound => "workflow_definition_not_found",
            WorkflowError::UnitNotFound => "org_unit_not_found",
            WorkflowError::Conflict => "approval_conflict",
            WorkflowError::Effect(e) => e.code(),
            WorkflowError::Storage(_) => "internal",
            WorkflowError::ApproverUnresolved(_) => "approver_unresolved",
            WorkflowError::TaskClosed => "task_closed",
            WorkflowError::DefinitionExists => "workflow_definition_exists",
            WorkflowError::SubjectUnknown => "approval_subject_unknown",
            WorkflowError::WrongState(_) => "approval_state_conflict",
        }
    }

    fn kind(&self) -> ErrorKind {
        match self {
            WorkflowError::Invalid(_) => ErrorKind::Invalid,
            WorkflowError::Forbidden => ErrorKind::Forbidden,
            WorkflowError::NotFound
            | WorkflowError::DelegationNotFound
            | WorkflowError::NotificationNotFound
            | WorkflowError::DefinitionNotFound
            | WorkflowError::UnitNotFound => ErrorKind::NotFound,
            WorkflowError::Conflict => ErrorKind::Conflict,
            WorkflowError::Effect(e) => e.kind(),
            WorkflowError::Storage(_) => ErrorKind::Internal,
            WorkflowError::ApproverUnresolved(_) => ErrorKind::Invalid,
            WorkflowError::TaskClosed | WorkflowError::DefinitionExists | WorkflowError::WrongState(_) => {
                ErrorKind::Conflict
            }
            WorkflowError::SubjectUnknown => ErrorKind::Invalid,
        }
    }

    fn message(&self) -> Msg {
        match self {
            WorkflowError::Invalid(_) => {
                Msg::new("输入有误，请按提示修改。", "Some fields are invalid; see the details.")
            }
            WorkflowError::Forbidden => Msg::new("您无权处理此审批。", "You may not act on this approval."),
            WorkflowError::NotFound => Msg::new("审批不存在或您无权查看。", "No such approval, or you may not see it."),
            WorkflowError::DelegationNotFound => Msg::new("代理设置不存在或不属于您。", "No such delegation of yours."),
            WorkflowError::NotificationNotFound => Msg::new("通知不存在。", "No such notification."),
            WorkflowError::DefinitionNotFound => {
                Msg::new("审批流定义不存在或不在您的管理范围内。", "No such flow definition within your scope.")
            }
            WorkflowError::UnitNotFound => Msg::new("组织单元不存在。", "No such org unit."),
            WorkflowError::Conflict => Msg::new(
                "该审批已被他人处理，请刷新后重试。",
                "Someone else acted on this approval first; reload and try again.",
            ),
            WorkflowError::Effect(e) => e.message(),
            WorkflowError::Storage(_) => Msg::new("服务器内部错误。", "Internal error."),
            WorkflowError::ApproverUnresolved(step) => Msg::new(
                format!("审批环节「{step}」找不到审批人，请联系 HR 设置直属上级、部门负责人或审批流程。"),
                format!(
                    "Nobody can approve the step \"{step}\"; ask HR to set the manager, the unit head or the flow."
                ),
            ),
            WorkflowError::TaskClosed => Msg::new(
                "该审批任务已处理或已关闭，请刷新后查看。",
                "This approval task is already decided or closed; reload to see where it stands.",
            ),
            WorkflowError::DefinitionExists => Msg::new(
                "该公司已有此类单据的审批流程，请修改现有流程。",
                "This company already has a flow for this document type; edit that one instead.",
            ),
            WorkflowError::SubjectUnknown => Msg::new(
                "该员工今天没有在职任职记录，无法确定审批人。",
                "The employee has no assignment today, so no approver can be found.",
            ),
            WorkflowError::WrongState(s) => Msg::new(
                format!("审批当前状态为 {s}，不能执行此操作。"),
                format!("The approval is {s}; this action is not possible now."),
            ),
        }
    }

    fn fields(&self) -> Option<&FieldErrors> {
        match self {
            WorkflowError::Invalid(f) => Some(f),
            WorkflowError::Effect(e) => e.fields(),
            _ => None,
        }
    }
}
