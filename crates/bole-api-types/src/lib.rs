//! Wire types that are not a domain model: the one error envelope, pagination
//! metadata, and the authentication bodies. Domain models (bole-org, …) are used
//! directly as request and response bodies; this crate never depends on them,
//! so clients can share it without pulling in a domain.

use bole_core::UserId;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use utoipa::ToSchema;

/// Every error response: `{"error":{"code":"…","message":"…","fields":{…}}}`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[schema(example = json!({"error": {"code": "validation_failed", "message": "输入有误，请按字段提示修改。", "fields": {"code": ["编码须为1–32位字母、数字或 - _ . 字符"]}}}))]
pub struct ErrorEnvelope {
    pub error: ErrorBody,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct ErrorBody {
    /// Stable snake_case code; clients switch on it. Never renamed.
    pub code: String,
    /// For a person, in the language chosen by `Accept-Language` (zh-CN by default).
    pub message: String,
    /// Per-field problems, keyed by the wire field name or path (`rows[12].phone`);
    /// present only for validation errors.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fields: Option<BTreeMap<String, Vec<String>>>,
}

impl ErrorEnvelope {
    pub fn new(code: impl Into<String>, message: impl Into<String>) -> Self {
        Self { error: ErrorBody { code: code.into(), message: message.into(), fields: None } }
    }
}

/// A page of a list (docs/API-DESIGN.md "Lists"): `{"items":[…],"total":…,"page":…,"per_page":…}`.
/// The fields are spelt out rather than flattened from a meta struct: serde's `flatten`
/// buffers through an untyped value that drags floats into every deserialiser.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Paged<T> {
    pub items: Vec<T>,
    /// Rows the caller may see in total, across all pages.
    pub total: u64,
    /// 1-based page number.
    pub page: u32,
    pub per_page: u32,
}

impl<T> From<bole_core::Page<T>> for Paged<T> {
    fn from(p: bole_core::Page<T>) -> Self {
        Paged { items: p.items, total: p.total, page: p.page, per_page: p.per_page }
    }
}

/// Query parameters of a paged list.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PageQuery {
    /// 1-based page number (default 1).
    pub page: Option<u32>,
    /// Rows per page (default 50, at most 500; larger values are clamped).
    pub per_page: Option<u32>,
}

impl From<PageQuery> for bole_core::PageRequest {
    fn from(q: PageQuery) -> Self {
        bole_core::PageRequest::new(q.page, q.per_page)
    }
}

/// `POST /api/v1/auth/login`. `Debug` hides the password.
#[derive(Clone, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LoginRequest {
    #[schema(example = "admin")]
    pub username: String,
    #[schema(format = Password)]
    pub password: String,
}

impl std::fmt::Debug for LoginRequest {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LoginRequest").finish_non_exhaustive()
    }
}

/// The answer to `POST /api/v1/auth/login` (and `/auth/login/mfa`).
///
/// Signed in: `token`, `csrf_token` and `user` are set (the token is also the `bole_session`
/// cookie, the CSRF token the `bole_csrf` cookie; API clients send `Authorization: Bearer
/// <token>` and need no CSRF token). `password_change_required` / `mfa_enrollment_required`
/// say the session can only change the password / enrol MFA for now.
///
/// MFA enabled: only `mfa_required: true` and `mfa_token` (valid 5 minutes); send it with a
/// code to `POST /api/v1/auth/login/mfa`.
#[derive(Clone, Default, Deserialize, Serialize, ToSchema)]
pub struct LoginResponse {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub token: Option<String>,
    /// Echo it in `X-CSRF-Token` on every cookie-authenticated POST/PUT/PATCH/DELETE.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub csrf_token: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user: Option<MeView>,
    #[serde(default)]
    pub password_change_required: bool,
    #[serde(default)]
    pub mfa_enrollment_required: bool,
    #[serde(default)]
    pub mfa_required: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mfa_token: Option<String>,
}

impl std::fmt::Debug for LoginResponse {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LoginResponse")
            .field("user", &self.user.as_ref().map(|u| u.id))
            .field("mfa_required", &self.mfa_required)
            .finish_non_exhaustive()
    }
}

/// `POST /api/v1/auth/login/mfa`: the token from the first step and a TOTP code from the
/// authenticator app (6 digits) or an unused recovery code (`xxxx-xxxx-xxxx`).
#[derive(Clone, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LoginMfaRequest {
    pub mfa_token: String,
    #[schema(example = "123456")]
    pub code: String,
}

impl std::fmt::Debug for LoginMfaRequest {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LoginMfaRequest").finish_non_exhaustive()
    }
}

/// `POST /api/v1/auth/password`. `Debug` hides both passwords.
#[derive(Clone, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ChangePasswordRequest {
    #[schema(format = Password)]
    pub old_password: String,
    #[schema(format = Password)]
    pub new_password: String,
}

impl std::fmt::Debug for ChangePasswordRequest {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ChangePasswordRequest").finish_non_exhaustive()
    }
}

/// A TOTP code (6 digits) or, where accepted, a recovery code.
#[derive(Clone, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MfaCodeRequest {
    #[schema(example = "123456")]
    pub code: String,
}

impl std::fmt::Debug for MfaCodeRequest {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MfaCodeRequest").finish_non_exhaustive()
    }
}

/// Start of TOTP enrolment: add the account to an authenticator app by scanning `qr_svg`
/// (the QR code of `otpauth_uri`) or typing `secret`, then confirm with a code.
#[derive(Clone, Deserialize, Serialize, ToSchema)]
pub struct TotpEnrollmentView {
    /// Base32 secret for manual entry.
    pub secret: String,
    pub otpauth_uri: String,
    /// An SVG image of the QR code of `otpauth_uri`.
    pub qr_svg: String,
}

impl std::fmt::Debug for TotpEnrollmentView {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("TotpEnrollmentView(..)")
    }
}

/// One-time recovery codes, shown once: each replaces a TOTP code once.
#[derive(Clone, Deserialize, Serialize, ToSchema)]
pub struct RecoveryCodesView {
    pub recovery_codes: Vec<String>,
}

impl std::fmt::Debug for RecoveryCodesView {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("RecoveryCodesView(..)")
    }
}

/// `POST /api/v1/auth/tokens`.
#[derive(Clone, Debug, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateApiTokenRequest {
    #[schema(example = "payroll export")]
    pub name: String,
    /// The token acts as its owner restricted to these (each must be held by the owner).
    pub permissions: Vec<bole_core::Permission>,
    /// 1–365.
    #[schema(example = 90)]
    pub expires_in_days: u32,
}

/// A password set by an administrator's reset, shown once; it must be changed at the next login.
#[derive(Clone, Deserialize, Serialize, ToSchema)]
pub struct TemporaryPasswordView {
    pub temporary_password: String,
}

impl std::fmt::Debug for TemporaryPasswordView {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("TemporaryPasswordView(..)")
    }
}

/// The signed-in account.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize, Serialize, ToSchema)]
pub struct MeView {
    pub id: UserId,
    pub username: String,
    pub employee_id: Option<bole_core::EmployeeId>,
    /// Role codes held (built-in or custom).
    pub roles: Vec<String>,
    /// Every permission the account holds, so a client can show only what it may use.
    pub permissions: Vec<bole_core::Permission>,
    /// The session can only change the password until it does (expired or reset password).
    #[serde(default)]
    pub password_change_required: bool,
    /// The session can only enrol MFA until it does (a privileged role without MFA).
    #[serde(default)]
    pub mfa_enrollment_required: bool,
}

impl From<&bole_core::Actor> for MeView {
    fn from(a: &bole_core::Actor) -> Self {
        MeView {
            id: a.user_id,
            username: a.username.clone(),
            employee_id: a.employee_id,
            roles: a.roles.clone(),
            permissions: a.access.permissions().collect(),
            password_change_required: false,
            mfa_enrollment_required: false,
        }
    }
}

/// `GET /healthz`.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize, Serialize, ToSchema)]
pub struct Health {
    /// `ok` when serving; `/readyz` answers `ready` or `unavailable`.
    #[schema(example = "ok")]
    pub status: String,
    /// The running Bole version.
    #[schema(example = "0.1.0")]
    pub version: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn envelope_omits_fields_when_there_are_none() {
        let e = ErrorEnvelope::new("unauthenticated", "登录已失效，请重新登录");
        assert_eq!(
            serde_json::to_string(&e).unwrap(),
            r#"{"error":{"code":"unauthenticated","message":"登录已失效，请重新登录"}}"#
        );
    }

    #[test]
    fn pages_have_the_documented_shape() {
        let p: Paged<u8> = bole_core::Page { items: vec![1, 2], total: 7, page: 2, per_page: 2 }.into();
        assert_eq!(
            serde_json::to_value(&p).unwrap(),
            serde_json::json!({"items": [1, 2], "total": 7, "page": 2, "per_page": 2})
        );
    }

    #[test]
    fn login_request_debug_hides_the_password() {
        let r = LoginRequest { username: "admin".into(), password: "Secret-Pass-1".into() };
        assert!(!format!("{r:?}").contains("Secret"));
    }
}
