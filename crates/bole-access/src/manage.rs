//! Managing credentials: my password, my TOTP second factor, my personal API
//! tokens; and the system administrator's account operations (list, unlock,
//! disable/enable, password reset, MFA reset). Every change is audited.

use crate::error::AccessError;
use crate::model::{AccountView, ApiToken, ApiTokenId, SessionId};
use crate::service::AccountService;
use crate::{mfa, rules};
use bole_core::{Actor, FieldErrors, Msg, Outcome, Permission, UserId};
use chrono::TimeDelta;

/// Recovery codes handed out when MFA is enabled.
pub const RECOVERY_CODES: usize = 10;
/// Longest lifetime of a personal API token.
pub const MAX_TOKEN_DAYS: u32 = 365;

/// What the client needs to add Bole to an authenticator app. Shown once.
#[derive(Clone)]
pub struct TotpEnrollment {
    /// The secret in base32, for typing in by hand.
    pub secret: String,
    /// `otpauth://totp/…`, the content of the QR code.
    pub otpauth_uri: String,
}

impl std::fmt::Debug for TotpEnrollment {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("TotpEnrollment(..)")
    }
}

/// A new personal API token and its secret (shown once, stored only as a hash).
#[derive(Clone)]
pub struct IssuedApiToken {
    pub token: ApiToken,
    pub secret: String,
}

impl std::fmt::Debug for IssuedApiToken {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("IssuedApiToken").field("token", &self.token).finish_non_exhaustive()
    }
}

impl AccountService {
    /// Change my password: the current one must be right (a wrong one counts towards the
    /// lockout), the new one must satisfy the policy and differ from the last
    /// `history` passwords. My other sessions end; `current` stays (and loses its
    /// password-change restriction).
    pub async fn change_password(
        &self,
        actor: &Actor,
        current: Option<SessionId>,
        old_password: &str,
        new_password: &str,
    ) -> Result<(), AccessError> {
        let now = self.clock.now();
        let Some((_, hash)) = self.store.account(actor.user_id).await? else {
            return Err(AccessError::Unauthenticated);
        };
        if !rules::verify_password(old_password, &hash) {
            let count = self.store.record_login_failure(actor.user_id, now, now - self.policy.lockout.window).await?;
            let mut events =
                vec![actor.audit(now, "auth.password.change", "user").subject(actor.user_id).outcome(Outcome::Failed)];
            if self.policy.lockout.max_failures > 0 && count >= self.policy.lockout.max_failures {
                self.store.lock_account(actor.user_id, now + self.policy.lockout.lock_for).await?;
                events.push(actor.audit(now, "auth.lockout", "user").subject(actor.user_id).fields(["locked_until"]));
            }
            self.record(&events).await?;
            return Err(AccessError::WrongPassword);
        }
        let mut errs = FieldErrors::new();
        self.policy.password.check("new_password", new_password, &mut errs);
        errs.into_result()?;
        let keep = self.policy.password.history.max(1);
        let history = self.store.password_history(actor.user_id, keep).await?;
        // The current hash is the newest history entry; accounts older than the history table
        // have none, so it is checked on its own.
        let reused = rules::verify_password(new_password, &hash)
            || history.iter().filter(|h| **h != hash).any(|h| rules::verify_password(new_password, h));
        if reused {
            let n = keep;
            let mut errs = FieldErrors::new();
            errs.add(
                "new_password",
                Msg::new(
                    format!("新密码不能与最近{n}次使用过的密码相同"),
                    format!("the new password must differ from the last {n} passwords"),
                ),
            );
            return Err(errs.into());
        }
        let new_hash = rules::hash_password(new_password).map_err(|e| AccessError::Storage(e.to_string()))?;
        self.store.set_password(actor.user_id, &new_hash, now, false, keep).await?;
        self.store.delete_sessions_of(actor.user_id, current).await?;
        self.record(&[actor.audit(now, "auth.password.change", "user").subject(actor.user_id).fields(["password"])])
            .await
    }

    /// Reset an account's password to a generated one that must be changed at the next login
    /// (系统管理员). Every session of the account ends. Returns the temporary password.
    pub async fn reset_password(&self, actor: &Actor, user: UserId) -> Result<String, AccessError> {
        actor.authorize(Permission::UserAdmin)?;
        if self.store.user(user).await?.is_none() {
            return Err(AccessError::UserNotFound);
        }
        let now = self.clock.now();
        // Random base64url text plus one of each class, so any configured policy accepts it.
        let len = self.policy.password.min_length.max(16);
        let random: String = rules::new_session_token().chars().cycle().take(len).collect();
        let temporary = format!("{random}Aa7-");
        let hash = rules::hash_password(&temporary).map_err(|e| AccessError::Storage(e.to_string()))?;
        self.store.set_password(user, &hash, now, true, self.policy.password.history.max(1)).await?;
        self.store.delete_sessions_of(user, None).await?;
        self.record(&[actor
            .audit(now, "auth.password.reset", "user")
            .subject(user)
            .fields(["password", "must_change_password"])])
            .await?;
        Ok(temporary)
    }

    /// Every account, for the system administrator. No hashes, no secrets.
    pub async fn list_accounts(&self, actor: &Actor) -> Result<Vec<AccountView>, AccessError> {
        // 三员: the system administrator manages accounts, the security administrator grants
        // roles to them — both need the list (usernames, grants, status; no personal data).
        if !actor.can(Permission::RoleAdmin) {
            actor.authorize(Permission::UserAdmin)?;
        }
        let now = self.clock.now();
        Ok(self.store.accounts().await?.iter().map(|a| AccountView::of(a, now)).collect())
    }

    /// Lift a lockout before it ends by itself (系统管理员).
    pub async fn unlock(&self, actor: &Actor, user: UserId) -> Result<(), AccessError> {
        actor.authorize(Permission::UserAdmin)?;
        if self.store.user(user).await?.is_none() {
            return Err(AccessError::UserNotFound);
        }
        self.store.clear_login_failures(user).await?;
        self.record(&[actor.audit(self.clock.now(), "auth.unlock", "user").subject(user).fields(["locked_until"])])
            .await
    }

    /// Disable or re-enable an account (系统管理员). Disabling ends its sessions; its API
    /// tokens stop working while it is disabled. Nobody disables their own account.
    pub async fn set_disabled(&self, actor: &Actor, user: UserId, disabled: bool) -> Result<(), AccessError> {
        actor.authorize(Permission::UserAdmin)?;
        if disabled && actor.user_id == user {
            let mut errs = FieldErrors::new();
            errs.add("id", Msg::new("不能停用自己的账号", "you cannot disable your own account"));
            return Err(errs.into());
        }
        if !self.store.set_disabled(user, disabled).await? {
            return Err(AccessError::UserNotFound);
        }
        if disabled {
            self.store.delete_sessions_of(user, None).await?;
        }
        let action = if disabled { "account.disable" } else { "account.enable" };
        self.record(&[actor.audit(self.clock.now(), action, "user").subject(user).fields(["disabled"])]).await
    }

    /// Start (or restart) TOTP enrolment: a new secret, stored but not yet enabled.
    pub async fn start_totp_enrollment(&self, actor: &Actor) -> Result<TotpEnrollment, AccessError> {
        if let Some((_, true, _)) = self.store.mfa_secret(actor.user_id).await? {
            return Err(AccessError::MfaAlreadyEnabled);
        }
        let secret = mfa::new_secret();
        self.store.set_pending_mfa_secret(actor.user_id, &secret).await?;
        Ok(TotpEnrollment {
            secret: mfa::secret_base32(&secret),
            otpauth_uri: mfa::otpauth_uri(&secret, &actor.username)?,
        })
    }

    /// Confirm enrolment with a code from the app: MFA is on from now, and the returned
    /// recovery codes (shown once, stored hashed) each replace one TOTP code once.
    pub async fn confirm_totp(&self, actor: &Actor, code: &str) -> Result<Vec<String>, AccessError> {
        let now = self.clock.now();
        let secret = match self.store.mfa_secret(actor.user_id).await? {
            None => return Err(AccessError::MfaEnrollmentNotStarted),
            Some((_, true, _)) => return Err(AccessError::MfaAlreadyEnabled),
            Some((secret, false, _)) => secret,
        };
        let unix = u64::try_from(now.timestamp()).unwrap_or(0);
        let Some(step) = mfa::check_code(&secret, code, unix) else {
            self.record(&[actor.audit(now, "auth.mfa.enroll", "user").subject(actor.user_id).outcome(Outcome::Failed)])
                .await?;
            return Err(AccessError::InvalidMfaCode);
        };
        let codes: Vec<String> = (0..RECOVERY_CODES).map(|_| rules::new_recovery_code()).collect();
        let hashes: Vec<String> = codes.iter().map(|c| rules::recovery_code_hash(actor.user_id, c)).collect();
        self.store.enable_mfa(actor.user_id, i64::try_from(step).unwrap_or(i64::MAX), &hashes).await?;
        self.record(&[actor
            .audit(now, "auth.mfa.enroll", "user")
            .subject(actor.user_id)
            .fields(["mfa_secret", "recovery_codes"])])
            .await?;
        Ok(codes)
    }

    /// Turn MFA off, proven with a current TOTP code or an unused recovery code.
    pub async fn disable_totp(&self, actor: &Actor, code: &str) -> Result<(), AccessError> {
        let now = self.clock.now();
        match self.store.mfa_secret(actor.user_id).await? {
            Some((_, true, _)) => {}
            _ => return Err(AccessError::MfaNotEnabled),
        }
        if self.check_second_factor(actor.user_id, code, now).await?.is_none() {
            self.record(&[actor
                .audit(now, "auth.mfa.disable", "user")
                .subject(actor.user_id)
                .outcome(Outcome::Failed)])
                .await?;
            return Err(AccessError::InvalidMfaCode);
        }
        self.store.disable_mfa(actor.user_id).await?;
        self.record(&[actor.audit(now, "auth.mfa.disable", "user").subject(actor.user_id).fields(["mfa_secret"])]).await
    }

    /// Clear an account's MFA so its owner can enrol a new device (系统管理员).
    pub async fn reset_mfa(&self, actor: &Actor, user: UserId) -> Result<(), AccessError> {
        actor.authorize(Permission::UserAdmin)?;
        if self.store.user(user).await?.is_none() {
            return Err(AccessError::UserNotFound);
        }
        self.store.disable_mfa(user).await?;
        self.record(&[actor.audit(self.clock.now(), "auth.mfa.reset", "user").subject(user).fields(["mfa_secret"])])
            .await
    }

    /// How many unused recovery codes I have left.
    pub async fn recovery_codes_left(&self, actor: &Actor) -> Result<u32, AccessError> {
        self.store.unused_recovery_codes(actor.user_id).await
    }

    /// Create a personal API token acting as me, narrowed to `permissions` (each of which I
    /// must hold), expiring after `expires_in_days` (1–365).
    pub async fn create_api_token(
        &self,
        actor: &Actor,
        name: &str,
        permissions: Vec<Permission>,
        expires_in_days: u32,
    ) -> Result<IssuedApiToken, AccessError> {
        let name = name.trim();
        let mut errs = FieldErrors::new();
        if name.is_empty() || name.chars().count() > 100 {
            errs.add("name", Msg::new("名称须为1–100个字符", "name must be 1–100 characters"));
        }
        if permissions.is_empty() {
            errs.add("permissions", Msg::new("至少选择一项权限", "choose at least one permission"));
        }
        for (i, p) in permissions.iter().enumerate() {
            if !actor.can(*p) {
                errs.add(
                    format!("permissions[{i}]"),
                    Msg::new(
                        "您本人不具有此权限，不能授予令牌",
                        "you do not hold this permission, so a token cannot either",
                    ),
                );
            }
        }
        if !(1..=MAX_TOKEN_DAYS).contains(&expires_in_days) {
            errs.add("expires_in_days", Msg::new("有效期须为1–365天", "expires_in_days must be 1–365"));
        }
        errs.into_result()?;
        let mut permissions = permissions;
        permissions.sort();
        permissions.dedup();
        let now = self.clock.now();
        let secret = rules::new_api_token();
        let token = ApiToken {
            id: ApiTokenId::new(),
            user_id: actor.user_id,
            name: name.to_string(),
            permissions,
            created_at: now,
            expires_at: now + TimeDelta::days(i64::from(expires_in_days)),
            last_used_at: None,
            revoked_at: None,
        };
        self.store.insert_api_token(&token, &rules::token_hash(&secret)).await?;
        self.record(&[actor
            .audit(now, "auth.token.create", "api_token")
            .subject(token.id)
            .fields(["permissions", "expires_at"])])
            .await?;
        Ok(IssuedApiToken { token, secret })
    }

    /// My API tokens (revoked ones included), newest first.
    pub async fn my_api_tokens(&self, actor: &Actor) -> Result<Vec<ApiToken>, AccessError> {
        self.store.api_tokens_of(actor.user_id).await
    }

    /// Revoke one of my API tokens; another account's token id answers `ApiTokenNotFound`.
    pub async fn revoke_api_token(&self, actor: &Actor, id: ApiTokenId) -> Result<(), AccessError> {
        let now = self.clock.now();
        if !self.store.revoke_api_token(actor.user_id, id, now).await? {
            return Err(AccessError::ApiTokenNotFound);
        }
        self.record(&[actor.audit(now, "auth.token.revoke", "api_token").subject(id)]).await
    }
}
