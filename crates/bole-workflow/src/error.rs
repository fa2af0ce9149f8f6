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
    /// Another decision changed the instance first (optimistic check failed).
    #[error("the approval changed meanwhile")]
    Conflict,
    /// A document's effect failed (e.g. insufficient balance); the decision was rolled back.
    #[error("effect failed: {0}")]
    Effect(Arc<dyn Failure + Send + Sync>),
    #[error("storage: {0}")]
    Storage(String),
}

impl Failure for WorkflowError {
    fn code(&self) -> &'static str {
        match self {
            WorkflowError::Invalid(_) => "validation_failed",
            WorkflowError::Forbidden => "forbidden",
            WorkflowError::NotFound => "not_found",
            WorkflowError::Conflict => "approval_conflict",
            WorkflowError::Effect(e) => e.code(),
            WorkflowError::Storage(_) => "internal",
        }
    }

    fn kind(&self) -> ErrorKind {
        match self {
            WorkflowError::Invalid(_) => ErrorKind::Invalid,
            WorkflowError::Forbidden => ErrorKind::Forbidden,
            WorkflowError::NotFound => ErrorKind::NotFound,
            WorkflowError::Conflict => ErrorKind::Conflict,
            WorkflowError::Effect(e) => e.kind(),
            WorkflowError::Storage(_) => ErrorKind::Internal,
        }
    }

    fn message(&self) -> Msg {
        match self {
            WorkflowError::Invalid(_) => {
                Msg::new("输入有误，请按提示修改。", "Some fields are invalid; see the details.")
            }
            WorkflowError::Forbidden => Msg::new("您无权处理此审批。", "You may not act on this approval."),
            WorkflowError::NotFound => Msg::new("审批不存在或您无权查看。", "No such approval, or you may not see it."),
            WorkflowError::Conflict => Msg::new(
                "该审批已被他人处理，请刷新后重试。",
                "Someone else acted on this approval first; reload and try again.",
            ),
            WorkflowError::Effect(e) => e.message(),
            WorkflowError::Storage(_) => Msg::new("服务器内部错误。", "Internal error."),
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
