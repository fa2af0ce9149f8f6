//! Access failures. Login failures are deliberately vague: a wrong username, a
//! wrong password and a disabled account all read the same, so the API cannot
//! be used to find out which usernames exist.

use bole_core::{ErrorKind, Failure, FieldErrors, Msg};

#[derive(Debug, thiserror::Error)]
pub enum AccessError {
    /// Unknown username or wrong password (one answer for both).
    #[error("invalid credentials")]
    InvalidCredentials,
    /// The account exists and the password matched, but the account is disabled.
    /// Reported to the client exactly like `InvalidCredentials`.
    #[error("account disabled")]
    AccountDisabled,
    /// No session, an unknown or malformed token, or the session expired.
    #[error("unauthenticated")]
    Unauthenticated,
    #[error("duplicate username")]
    DuplicateUsername,
    #[error("invalid input")]
    Invalid(FieldErrors),
    #[error(transparent)]
    Forbidden(#[from] bole_core::actor::Forbidden),
    /// The store failed; the text is for the log (it carries no personal data), never the client.
    #[error("storage failure: {0}")]
    Storage(String),
}

impl Failure for AccessError {
    fn code(&self) -> &'static str {
        match self {
            AccessError::InvalidCredentials | AccessError::AccountDisabled => "invalid_credentials",
            AccessError::Unauthenticated => "unauthenticated",
            AccessError::DuplicateUsername => "duplicate_username",
            AccessError::Invalid(_) => "validation_failed",
            AccessError::Forbidden(f) => f.code(),
            AccessError::Storage(_) => "internal",
        }
    }

    fn kind(&self) -> ErrorKind {
        match self {
            AccessError::InvalidCredentials | AccessError::AccountDisabled | AccessError::Unauthenticated => {
                ErrorKind::Unauthenticated
            }
            AccessError::DuplicateUsername => ErrorKind::Conflict,
            AccessError::Invalid(_) => ErrorKind::Invalid,
            AccessError::Forbidden(_) => ErrorKind::Forbidden,
            AccessError::Storage(_) => ErrorKind::Internal,
        }
    }

    fn message(&self) -> Msg {
        match self {
            AccessError::InvalidCredentials | AccessError::AccountDisabled => {
                Msg::new("用户名或密码错误", "Incorrect username or password.")
            }
            AccessError::Unauthenticated => Msg::new(
                "登录已失效，请重新登录",
                "You are not signed in or your session has expired; please sign in again.",
            ),
            AccessError::DuplicateUsername => {
                Msg::new("该用户名已被使用，请换一个。", "This username is already taken; choose another.")
            }
            AccessError::Invalid(_) => {
                Msg::new("输入有误，请按字段提示修改。", "Some fields are invalid; see the field messages.")
            }
            AccessError::Forbidden(f) => f.message(),
            AccessError::Storage(_) => Msg::new(
                "系统内部错误，请稍后重试或联系管理员。",
                "Internal error; try again later or contact the administrator.",
            ),
        }
    }

    fn fields(&self) -> Option<&FieldErrors> {
        match self {
            AccessError::Invalid(f) => Some(f),
            _ => None,
        }
    }
}

impl From<FieldErrors> for AccessError {
    fn from(f: FieldErrors) -> Self {
        AccessError::Invalid(f)
    }
}
