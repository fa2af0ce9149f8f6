//! Signing in and staying signed in: the (possibly two-step) login, lockout,
//! turning a session token or a personal API token into an [`Actor`] on every
//! request, the restrictions a session can carry, listing and revoking sessions.
//!
//! **No user enumeration.** An unknown username, a wrong password, a locked and a
//! disabled account all answer `InvalidCredentials`/`AccountLocked`/`AccountDisabled`,
//! which the HTTP layer renders identically (401 `invalid_credentials`), and each
//! costs exactly one argon2 verification: the password is verified (or a dummy hash
//! is) *before* the lock and disabled checks, so a locked account does not answer
//! faster either. Only a wrong password on an existing account writes the failure
//! counter (a few milliseconds against argon2's tens). The audit trail records the
//! real reason; for an unknown username it keeps only the SM3 digest of the name.

use crate::error::AccessError;
use crate::model::{Account, ApiTokenId, NewSession, Restriction, SessionId, SessionView, User};
use crate::service::{AccountService, TOUCH_EVERY};
use crate::{mfa, policy, rules};
use bole_core::{AccessMap, Actor, AuditEvent, Outcome, Permission, RequestMeta, UserId};
use chrono::{DateTime, TimeDelta, Utc};

/// How long the first step of a two-step login stays good for the second.
pub const MFA_PENDING_TTL: TimeDelta = TimeDelta::minutes(5);

/// A session that was just opened. The token and CSRF token are shown to the client once.
#[derive(Clone)]
pub struct IssuedSession {
    pub id: SessionId,
    pub token: String,
    /// The double-submit CSRF token: cookie-authenticated writes must echo it in `X-CSRF-Token`.
    pub csrf_token: String,
    pub user: User,
    pub expires_at: DateTime<Utc>,
    /// What the session may not do yet (change the password, enrol MFA).
    pub restrictions: Vec<Restriction>,
}

impl std::fmt::Debug for IssuedSession {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("IssuedSession")
            .field("id", &self.id)
            .field("user", &self.user.id)
            .field("restrictions", &self.restrictions)
            .finish_non_exhaustive()
    }
}

/// The answer to the password step.
#[derive(Clone, Debug)]
pub enum LoginOutcome {
    /// Signed in.
    Session(IssuedSession),
    /// MFA is enabled: send a TOTP or recovery code with this token to `login_mfa`.
    MfaRequired { mfa_token: MfaToken, expires_at: DateTime<Utc> },
}

impl LoginOutcome {
    /// The session, when the login is complete.
    pub fn session(self) -> Option<IssuedSession> {
        match self {
            LoginOutcome::Session(s) => Some(s),
            LoginOutcome::MfaRequired { .. } => None,
        }
    }
}

/// The secret linking the two login steps. `Debug` hides it.
#[derive(Clone, PartialEq, Eq)]
pub struct MfaToken(pub String);

impl std::fmt::Debug for MfaToken {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("MfaToken(..)")
    }
}

/// How a request proved who it is.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Credential {
    /// A login session; writes presented by cookie must carry the CSRF token of this hash.
    Session { id: SessionId, csrf_hash: String },
    /// A personal API token (`Authorization: Bearer bole_pat_…`).
    ApiToken { id: ApiTokenId },
}

/// A request's authenticated principal.
#[derive(Clone, Debug)]
pub struct Authentication {
    pub actor: Actor,
    pub credential: Credential,
    /// Empty for a session that may do everything its access allows.
    pub restrictions: Vec<Restriction>,
}

impl Authentication {
    pub fn session_id(&self) -> Option<SessionId> {
        match &self.credential {
            Credential::Session { id, .. } => Some(*id),
            Credential::ApiToken { .. } => None,
        }
    }
}

/// An event about `user` done by the user themself (logins: there is no actor yet).
fn self_event(at: DateTime<Utc>, user: &User, meta: &RequestMeta, action: &str, outcome: Outcome) -> AuditEvent {
    AuditEvent {
        at,
        actor_id: Some(user.id),
        actor_name: user.username.clone(),
        ip: meta.ip.clone(),
        user_agent: meta.user_agent.clone(),
        action: action.into(),
        subject_type: "user".into(),
        subject_ids: vec![user.id.to_string()],
        fields: Vec::new(),
        outcome,
    }
}

impl AccountService {
    /// Check the password and either open a session or, when MFA is enabled, start the
    /// second step. See the module docs for what the errors do and do not reveal.
    pub async fn login(&self, username: &str, password: &str, meta: &RequestMeta) -> Result<LoginOutcome, AccessError> {
        let name = rules::normalize_username(username);
        let now = self.clock.now();
        let Some((account, hash)) = self.store.account_with_hash(&name).await? else {
            rules::dummy_verify(password);
            let event = AuditEvent {
                at: now,
                actor_id: None,
                actor_name: rules::username_digest(&name),
                ip: meta.ip.clone(),
                user_agent: meta.user_agent.clone(),
                action: "auth.login".into(),
                subject_type: "user".into(),
                subject_ids: Vec::new(),
                fields: vec!["username".into()],
                outcome: Outcome::Failed,
            };
            self.record(&[event]).await?;
            return Err(AccessError::InvalidCredentials);
        };
        // Verified before any other check, so every path costs the same argon2 work.
        let password_ok = rules::verify_password(password, &hash);
        let user = &account.user;
        if account.security.locked_at(now) {
            self.record(&[self_event(now, user, meta, "auth.login.locked", Outcome::Denied)]).await?;
            return Err(AccessError::AccountLocked);
        }
        if user.disabled {
            self.record(&[self_event(now, user, meta, "auth.login.disabled", Outcome::Denied)]).await?;
            return Err(AccessError::AccountDisabled);
        }
        if !password_ok {
            self.count_failure(&account, now, meta, "auth.login").await?;
            return Err(AccessError::InvalidCredentials);
        }
        self.clear_failures(&account).await?;
        // Housekeeping rides on logins instead of a job: the table only grows through
        // logins, and every session is gone at most `absolute` after it was created.
        self.store.delete_expired_sessions(now).await?;
        if account.security.mfa_enabled {
            let token = rules::new_session_token();
            let expires_at = now + MFA_PENDING_TTL;
            self.store
                .insert_session(&NewSession {
                    id: SessionId::new(),
                    token_hash: rules::token_hash(&token),
                    user: user.id,
                    created_at: now,
                    expires_at,
                    ip: meta.ip.clone(),
                    user_agent: meta.user_agent.clone(),
                    csrf_hash: None,
                    mfa_pending: true,
                })
                .await?;
            self.record(&[self_event(now, user, meta, "auth.login.mfa_challenge", Outcome::Success)]).await?;
            return Ok(LoginOutcome::MfaRequired { mfa_token: MfaToken(token), expires_at });
        }
        let session = self.issue_session(&account, meta, now).await?;
        self.record(&[self_event(now, user, meta, "auth.login", Outcome::Success).fields(["password"])]).await?;
        Ok(LoginOutcome::Session(session))
    }

    /// The second login step: a current TOTP code (each accepted once) or an unused
    /// recovery code. Every failure is the same `MfaLoginFailed`; wrong codes count
    /// towards the lockout like wrong passwords.
    pub async fn login_mfa(
        &self,
        mfa_token: &str,
        code: &str,
        meta: &RequestMeta,
    ) -> Result<IssuedSession, AccessError> {
        if !rules::token_well_formed(mfa_token) {
            return Err(AccessError::MfaLoginFailed);
        }
        let hash = rules::token_hash(mfa_token);
        let now = self.clock.now();
        let Some(row) = self.store.session(&hash).await? else {
            return Err(AccessError::MfaLoginFailed);
        };
        if !row.mfa_pending {
            return Err(AccessError::MfaLoginFailed);
        }
        let account = Account { user: row.user, security: row.security };
        let user = &account.user;
        if now >= row.expires_at || user.disabled || account.security.locked_at(now) {
            self.store.delete_session(&hash).await?;
            self.record(&[self_event(now, user, meta, "auth.login.mfa", Outcome::Denied)]).await?;
            return Err(AccessError::MfaLoginFailed);
        }
        let Some(factor) = self.check_second_factor(user.id, code, now).await? else {
            let locked = self.count_failure(&account, now, meta, "auth.login.mfa").await?;
            if locked {
                self.store.delete_session(&hash).await?;
            }
            return Err(AccessError::MfaLoginFailed);
        };
        self.store.delete_session(&hash).await?;
        self.clear_failures(&account).await?;
        let session = self.issue_session(&account, meta, now).await?;
        self.record(&[self_event(now, user, meta, "auth.login", Outcome::Success).fields(["password", factor])])
            .await?;
        Ok(session)
    }

    /// A wrong password (or second factor): count it, and lock the account when the count
    /// reaches the policy's maximum within its window. Returns whether it locked.
    async fn count_failure(
        &self,
        account: &Account,
        now: DateTime<Utc>,
        meta: &RequestMeta,
        action: &str,
    ) -> Result<bool, AccessError> {
        let lockout = &self.policy.lockout;
        let user = &account.user;
        let count = self.store.record_login_failure(user.id, now, now - lockout.window).await?;
        let mut events = vec![self_event(now, user, meta, action, Outcome::Failed)];
        let locked = lockout.max_failures > 0 && count >= lockout.max_failures;
        if locked {
            self.store.lock_account(user.id, now + lockout.lock_for).await?;
            events.push(self_event(now, user, meta, "auth.lockout", Outcome::Success).fields(["locked_until"]));
        }
        self.record(&events).await?;
        Ok(locked)
    }

    async fn clear_failures(&self, account: &Account) -> Result<(), AccessError> {
        if account.security.failed_count > 0 || account.security.locked_until.is_some() {
            self.store.clear_login_failures(account.user.id).await?;
        }
        Ok(())
    }

    /// Check a TOTP code (accepting each time step once) or, failing that, a recovery code
    /// (each usable once). Returns which factor matched.
    pub(crate) async fn check_second_factor(
        &self,
        user: UserId,
        code: &str,
        now: DateTime<Utc>,
    ) -> Result<Option<&'static str>, AccessError> {
        let Some((secret, true, _)) = self.store.mfa_secret(user).await? else {
            return Ok(None);
        };
        let digits: String = code.chars().filter(|c| !c.is_whitespace()).collect();
        if digits.len() == 6 && digits.bytes().all(|b| b.is_ascii_digit()) {
            let unix = u64::try_from(now.timestamp()).unwrap_or(0);
            let Some(step) = mfa::check_code(&secret, &digits, unix) else {
                return Ok(None);
            };
            let step = i64::try_from(step).unwrap_or(i64::MAX);
            return Ok(self.store.advance_totp_step(user, step).await?.then_some("totp"));
        }
        if rules::normalize_recovery_code(code).len() == 12 {
            let hash = rules::recovery_code_hash(user, code);
            return Ok(self.store.use_recovery_code(user, &hash, now).await?.then_some("recovery_code"));
        }
        Ok(None)
    }

    /// Open a full session for an account whose credentials have been checked.
    async fn issue_session(
        &self,
        account: &Account,
        meta: &RequestMeta,
        now: DateTime<Utc>,
    ) -> Result<IssuedSession, AccessError> {
        let token = rules::new_session_token();
        let csrf_token = rules::new_session_token();
        let id = SessionId::new();
        let expires_at = now + self.absolute;
        self.store
            .insert_session(&NewSession {
                id,
                token_hash: rules::token_hash(&token),
                user: account.user.id,
                created_at: now,
                expires_at,
                ip: meta.ip.clone(),
                user_agent: meta.user_agent.clone(),
                csrf_hash: Some(rules::token_hash(&csrf_token)),
                mfa_pending: false,
            })
            .await?;
        let (_, restrictions) = self.resolve(account, now).await?;
        Ok(IssuedSession { id, token, csrf_token, user: account.user.clone(), expires_at, restrictions })
    }

    /// The account's access and the restrictions its sessions carry right now: the password
    /// must be changed (reset by an administrator, or older than the policy allows), or a
    /// privileged role needs MFA that is not enabled.
    pub async fn resolve(
        &self,
        account: &Account,
        now: DateTime<Utc>,
    ) -> Result<(AccessMap, Vec<Restriction>), AccessError> {
        let user = &account.user;
        let custom = if user.has_custom_grants() { self.store.custom_roles().await? } else { Vec::new() };
        let access = policy::resolve(&user.grants, &custom);
        let mut restrictions = Vec::new();
        let expired = match (self.policy.password.max_age(), account.security.password_changed_at) {
            (Some(age), Some(changed)) => now >= changed + age,
            _ => false,
        };
        if account.security.must_change_password || expired {
            restrictions.push(Restriction::PasswordChange);
        }
        if self.policy.mfa_required_for_privileged
            && !account.security.mfa_enabled
            && policy::requires_mfa(&user.grants, &custom)
        {
            restrictions.push(Restriction::MfaEnrollment);
        }
        Ok((access, restrictions))
    }

    /// The principal behind a session token or a personal API token, or `Unauthenticated`
    /// when the token is unknown, malformed, expired (idle or absolute), revoked, only the
    /// first step of a login, or its account is disabled.
    pub async fn authenticate(&self, token: &str, meta: RequestMeta) -> Result<Authentication, AccessError> {
        if rules::api_token_well_formed(token) {
            return self.authenticate_api_token(token, meta).await;
        }
        if !rules::token_well_formed(token) {
            return Err(AccessError::Unauthenticated);
        }
        let hash = rules::token_hash(token);
        let Some(session) = self.store.session(&hash).await? else {
            return Err(AccessError::Unauthenticated);
        };
        if session.mfa_pending {
            return Err(AccessError::Unauthenticated);
        }
        let now = self.clock.now();
        let expired = now >= session.expires_at || now >= session.last_seen_at + self.idle;
        if expired || session.user.disabled {
            self.store.delete_session(&hash).await?;
            return Err(AccessError::Unauthenticated);
        }
        if now - session.last_seen_at >= TOUCH_EVERY {
            self.store.touch_session(&hash, now).await?;
        }
        let account = Account { user: session.user, security: session.security };
        let (access, restrictions) = self.resolve(&account, now).await?;
        Ok(Authentication {
            actor: account.user.actor(access).with_meta(meta),
            credential: Credential::Session { id: session.id, csrf_hash: session.csrf_hash.unwrap_or_default() },
            restrictions,
        })
    }

    async fn authenticate_api_token(&self, token: &str, meta: RequestMeta) -> Result<Authentication, AccessError> {
        let Some((api, account)) = self.store.api_token(&rules::token_hash(token)).await? else {
            return Err(AccessError::Unauthenticated);
        };
        let now = self.clock.now();
        if api.revoked_at.is_some() || now >= api.expires_at || account.user.disabled {
            return Err(AccessError::Unauthenticated);
        }
        if api.last_used_at.is_none_or(|t| now - t >= TOUCH_EVERY) {
            self.store.touch_api_token(api.id, now).await?;
        }
        // The owner's access *now*, narrowed to the token's permissions: a right the owner
        // loses, the token loses too. Password age and MFA enrolment restrict interactive
        // sessions, not integrations; account management refuses tokens at the edge.
        let (access, _) = self.resolve(&account, now).await?;
        let access = access.restrict_to(&api.permissions);
        Ok(Authentication {
            actor: account.user.actor(access).with_meta(meta),
            credential: Credential::ApiToken { id: api.id },
            restrictions: Vec::new(),
        })
    }

    /// End the session. Unknown or already ended sessions are fine: logout is idempotent.
    pub async fn logout(&self, actor: &Actor, token: &str) -> Result<(), AccessError> {
        if rules::token_well_formed(token) {
            self.store.delete_session(&rules::token_hash(token)).await?;
            let now = self.clock.now();
            self.record(&[actor.audit(now, "auth.logout", "user").subject(actor.user_id)]).await?;
        }
        Ok(())
    }

    /// My live sessions (not expired, not idle too long), the one this request came with
    /// flagged `current`.
    pub async fn my_sessions(
        &self,
        actor: &Actor,
        current: Option<SessionId>,
    ) -> Result<Vec<SessionView>, AccessError> {
        let now = self.clock.now();
        let mut sessions = self.store.sessions_of(actor.user_id, now).await?;
        sessions.retain(|s| now < s.last_seen_at + self.idle);
        for s in &mut sessions {
            s.current = Some(s.id) == current;
        }
        Ok(sessions)
    }

    /// Revoke one of my sessions. Another account's session id answers `SessionNotFound`.
    pub async fn revoke_my_session(&self, actor: &Actor, id: SessionId) -> Result<(), AccessError> {
        if !self.store.delete_session_by_id(actor.user_id, id).await? {
            return Err(AccessError::SessionNotFound);
        }
        self.record(&[actor.audit(self.clock.now(), "auth.session.revoke", "session").subject(id)]).await
    }

    /// Sign out everywhere: every session of mine ends, this one included.
    pub async fn revoke_my_sessions(&self, actor: &Actor) -> Result<u64, AccessError> {
        let n = self.store.delete_sessions_of(actor.user_id, None).await?;
        self.record(&[actor.audit(self.clock.now(), "auth.session.revoke_all", "user").subject(actor.user_id)]).await?;
        Ok(n)
    }

    /// Revoke every session of an account (系统管理员).
    pub async fn revoke_sessions_of(&self, actor: &Actor, user: UserId) -> Result<u64, AccessError> {
        actor.authorize(Permission::UserAdmin)?;
        if self.store.user(user).await?.is_none() {
            return Err(AccessError::UserNotFound);
        }
        let n = self.store.delete_sessions_of(user, None).await?;
        self.record(&[actor.audit(self.clock.now(), "auth.session.revoke_all", "user").subject(user)]).await?;
        Ok(n)
    }
}
