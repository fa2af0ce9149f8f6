//! Access failures. Login failures are deliberately vague: a wrong username, a
//! wrong password, a locked and a disabled account all read the same (401
//! `invalid_credentials`, after the same argon2 work), so the API cannot be used to
//! find out which usernames exist or that an account is locked. The audit trail
//! records the real reason.

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
    /// Too many wrong passwords: locked for a while. Reported exactly like `InvalidCredentials`.
    #[error("account locked")]
    AccountLocked,
    /// Change-password with a wrong current password.
    #[error("wrong current password")]
    WrongPassword,
    /// The second login step failed: wrong, replayed or expired code, or an unknown MFA token.
    #[error("MFA login step failed")]
    MfaLoginFailed,
    /// A TOTP code given to confirm or disable MFA is wrong or was already used.
    #[error("invalid MFA code")]
    InvalidMfaCode,
    #[error("MFA already enabled")]
    MfaAlreadyEnabled,
    #[error("MFA not enabled")]
    MfaNotEnabled,
    #[error("MFA enrolment not started")]
    MfaEnrollmentNotStarted,
    /// The session may only change its password.
    #[error("password change required")]
    PasswordChangeRequired,
    /// The session may only enrol MFA.
    #[error("MFA enrolment required")]
    MfaEnrollmentRequired,
    /// Account management needs a signed-in session, not an API token.
    #[error("session required")]
    SessionRequired,
    #[error("session not found")]
    SessionNotFound,
    #[error("API token not found")]
    ApiTokenNotFound,
    /// No session, an unknown or malformed token, or the session expired.
    #[error("unauthenticated")]
    Unauthenticated,
    #[error("duplicate username")]
    DuplicateUsername,
    #[error("duplicate role code")]
    DuplicateRole,
    #[error("user not found")]
    UserNotFound,
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
            AccessError::InvalidCredentials | AccessError::AccountDisabled | AccessError::AccountLocked => {
                "invalid_credentials"
            }
            AccessError::WrongPassword => "wrong_password",
            AccessError::MfaLoginFailed | AccessError::InvalidMfaCode => "invalid_mfa_code",
            AccessError::MfaAlreadyEnabled => "mfa_already_enabled",
            AccessError::MfaNotEnabled => "mfa_not_enabled",
            AccessError::MfaEnrollmentNotStarted => "mfa_enrollment_not_started",
            AccessError::PasswordChangeRequired => "password_change_required",
            AccessError::MfaEnrollmentRequired => "mfa_enrollment_required",
            AccessError::SessionRequired => "session_required",
            AccessError::SessionNotFound => "session_not_found",
            AccessError::ApiTokenNotFound => "api_token_not_found",
            AccessError::Unauthenticated => "unauthenticated",
            AccessError::DuplicateUsername => "duplicate_username",
            AccessError::DuplicateRole => "duplicate_role",
            AccessError::UserNotFound => "user_not_found",
            AccessError::Invalid(_) => "validation_failed",
            AccessError::Forbidden(f) => f.code(),
            AccessError::Storage(_) => "internal",
        }
    }

    fn kind(&self) -> ErrorKind {
        match self {
            AccessError::InvalidCredentials
            | AccessError::AccountDisabled
            | AccessError::AccountLocked
            | AccessError::MfaLoginFailed
            | AccessError::Unauthenticated => ErrorKind::Unauthenticated,
            AccessError::WrongPassword | AccessError::InvalidMfaCode => ErrorKind::Invalid,
            AccessError::MfaAlreadyEnabled | AccessError::MfaNotEnabled | AccessError::MfaEnrollmentNotStarted => {
                ErrorKind::Conflict
            }
            AccessError::PasswordChangeRequired | AccessError::MfaEnrollmentRequired | AccessError::SessionRequired => {
                ErrorKind::Forbidden
            }
            AccessError::SessionNotFound | AccessError::ApiTokenNotFound => ErrorKind::NotFound,
            AccessError::DuplicateUsername | AccessError::DuplicateRole => ErrorKind::Conflict,
            AccessError::UserNotFound => ErrorKind::NotFound,
            AccessError::Invalid(_) => ErrorKind::Invalid,
            AccessError::Forbidden(_) => ErrorKind::Forbidden,
            AccessError::Storage(_) => ErrorKind::Internal,
        }
    }

    fn message(&self) -> Msg {
        match self {
            AccessError::InvalidCredentials | AccessError::AccountDisabled | AccessError::AccountLocked => {
                Msg::new("用户名或密码错误", "Incorrect username or password.")
            }
            AccessError::WrongPassword => Msg::new("当前密码不正确", "The current password is incorrect."),
            AccessError::MfaLoginFailed => Msg::new(
                "动态验证码错误或已过期，请重新登录",
                "The verification code is wrong or has expired; sign in again.",
            ),
            AccessError::InvalidMfaCode => Msg::new(
                "动态验证码错误或已使用，请等待下一个验证码",
                "The verification code is wrong or was already used; wait for the next one.",
            ),
            AccessError::MfaAlreadyEnabled => Msg::new(
                "已启用双因素认证；如需更换设备，请先停用",
                "Two-factor authentication is already enabled; disable it first to change devices.",
            ),
            AccessError::MfaNotEnabled => Msg::new("尚未启用双因素认证", "Two-factor authentication is not enabled."),
            AccessError::MfaEnrollmentNotStarted => {
                Msg::new("请先开始绑定验证器，再提交验证码", "Start the authenticator enrolment before confirming it.")
            }
            AccessError::PasswordChangeRequired => Msg::new(
                "密码已过期或已被管理员重置，请先修改密码",
                "Your password has expired or was reset; change it first.",
            ),
            AccessError::MfaEnrollmentRequired => Msg::new(
                "您的角色要求双因素认证，请先绑定验证器",
                "Your role requires two-factor authentication; enrol an authenticator first.",
            ),
            AccessError::SessionRequired => Msg::new(
                "此操作须登录后进行，不能使用 API 令牌",
                "This requires a signed-in session; API tokens cannot do it.",
            ),
            AccessError::SessionNotFound => Msg::new("会话不存在或已结束", "No such session, or it has ended."),
            AccessError::ApiTokenNotFound => Msg::new("API 令牌不存在", "No such API token."),
            AccessError::Unauthenticated => Msg::new(
                "登录已失效，请重新登录",
                "You are not signed in or your session has expired; please sign in again.",
            ),
            AccessError::DuplicateUsername => {
                Msg::new("该用户名已被使用，请换一个。", "This username is already taken; choose another.")
            }
            AccessError::DuplicateRole => {
                Msg::new("该角色代码已存在，请换一个。", "A role with this code already exists; choose another.")
            }
            AccessError::UserNotFound => Msg::new("账号不存在", "No such account."),
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
