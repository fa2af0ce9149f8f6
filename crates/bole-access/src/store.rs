//! The account store port. bole-store implements it on SQLite and PostgreSQL;
//! its conformance suite (`bole-store/tests/access.rs`) holds both engines to
//! this contract. Only hashes cross it: password hashes (PHC strings) and
//! session token hashes (`rules::token_hash`), never the secrets themselves.

use crate::error::AccessError;
use crate::model::{
    Account, ApiToken, ApiTokenId, CustomRole, NewSession, RoleGrant, SessionId, SessionRow, SessionView, User,
};
use async_trait::async_trait;
use bole_core::UserId;
use chrono::{DateTime, Utc};

/// Every method returns `AccessError::Storage` when the database fails, and only then
/// unless another error is named.
#[async_trait]
pub trait AccountStore: Send + Sync {
    /// Stores a new account with its password hash (`password_changed_at` = `created_at`,
    /// and the hash is the first entry of its password history). The username is stored as
    /// given (the service normalises it). MUST return `DuplicateUsername` when the username
    /// is taken; nothing is written then.
    async fn insert_user(&self, user: &User, password_hash: &str) -> Result<(), AccessError>;

    /// The account with exactly this username and its password hash; `None` when unknown.
    async fn user_with_hash(&self, username: &str) -> Result<Option<(User, String)>, AccessError>;

    /// The account with this id; `None` when unknown.
    async fn user(&self, id: UserId) -> Result<Option<User>, AccessError>;

    /// How many accounts exist (disabled ones included); lets `bole demo` and first-run
    /// setup see whether an administrator must be created.
    async fn count_users(&self) -> Result<u64, AccessError>;

    /// Stores a session; `last_seen_at` starts at `created_at`. A token hash is 256 bits of
    /// randomness, so a clash is not a case to handle.
    async fn insert_session(&self, session: &NewSession) -> Result<(), AccessError>;

    /// The session with this token hash together with its account; `None` when unknown.
    /// Expiry is the service's decision: expired rows are returned as they are.
    async fn session(&self, token_hash: &str) -> Result<Option<SessionRow>, AccessError>;

    /// Sets `last_seen_at`. A missing session is not an error (it may have just been deleted).
    async fn touch_session(&self, token_hash: &str, at: DateTime<Utc>) -> Result<(), AccessError>;

    /// Removes the session. A missing session is not an error (logout is idempotent).
    async fn delete_session(&self, token_hash: &str) -> Result<(), AccessError>;

    /// Removes every session whose `expires_at` is at or before `now`; returns how many.
    async fn delete_expired_sessions(&self, now: DateTime<Utc>) -> Result<u64, AccessError>;

    /// Replaces the account's grants. A missing account is not an error here (the service checks first).
    async fn set_grants(&self, user: UserId, grants: &[RoleGrant]) -> Result<(), AccessError>;

    /// Every custom role, by code.
    async fn custom_roles(&self) -> Result<Vec<CustomRole>, AccessError>;

    /// Stores a custom role. MUST return `DuplicateRole` when the code is taken.
    async fn insert_custom_role(&self, role: &CustomRole) -> Result<(), AccessError>;

    // --- Issue 3: password policy, lockout, sessions, API tokens, MFA ------------------------

    /// The account with exactly this username, its security state and password hash; `None`
    /// when unknown.
    async fn account_with_hash(&self, username: &str) -> Result<Option<(Account, String)>, AccessError>;

    /// The account with this id and its security state (and current password hash).
    async fn account(&self, id: UserId) -> Result<Option<(Account, String)>, AccessError>;

    /// Every account, by username.
    async fn accounts(&self) -> Result<Vec<Account>, AccessError>;

    /// The `limit` most recent password hashes of the account (the current one first).
    async fn password_history(&self, user: UserId, limit: u32) -> Result<Vec<String>, AccessError>;

    /// Atomically: set the password hash, `password_changed_at = at`, `must_change_password`,
    /// clear failures and lock, append the hash to the history and prune the history to
    /// the `keep` most recent entries (at least 1).
    async fn set_password(
        &self,
        user: UserId,
        hash: &str,
        at: DateTime<Utc>,
        must_change: bool,
        keep: u32,
    ) -> Result<(), AccessError>;

    /// Count one wrong password at `now`: when `first_failed_at` is unset or at or before
    /// `window_start`, the count restarts at 1 with `first_failed_at = now`; otherwise it
    /// grows by one. Returns the new count (0 when the account is gone).
    async fn record_login_failure(
        &self,
        user: UserId,
        now: DateTime<Utc>,
        window_start: DateTime<Utc>,
    ) -> Result<u32, AccessError>;

    /// Lock logins until `until` and reset the failure count.
    async fn lock_account(&self, user: UserId, until: DateTime<Utc>) -> Result<(), AccessError>;

    /// Reset the failure count and lift any lock.
    async fn clear_login_failures(&self, user: UserId) -> Result<(), AccessError>;

    /// Set `disabled`. Returns false when the account does not exist.
    async fn set_disabled(&self, user: UserId, disabled: bool) -> Result<bool, AccessError>;

    /// The non-pending sessions of an account that have not passed `expires_at` at `now`,
    /// newest first (`current` is false on all of them; the service marks it).
    async fn sessions_of(&self, user: UserId, now: DateTime<Utc>) -> Result<Vec<SessionView>, AccessError>;

    /// Remove one session of this account by id. Returns false when the account has no such session.
    async fn delete_session_by_id(&self, user: UserId, id: SessionId) -> Result<bool, AccessError>;

    /// Remove every session of the account (MFA-pending ones too) except `keep`; returns how many.
    async fn delete_sessions_of(&self, user: UserId, keep: Option<SessionId>) -> Result<u64, AccessError>;

    /// Store a personal API token with the hash of its secret.
    async fn insert_api_token(&self, token: &ApiToken, token_hash: &str) -> Result<(), AccessError>;

    /// The token with this secret hash (revoked and expired ones too) and its owner.
    async fn api_token(&self, token_hash: &str) -> Result<Option<(ApiToken, Account)>, AccessError>;

    /// The account's tokens, newest first (revoked ones included).
    async fn api_tokens_of(&self, user: UserId) -> Result<Vec<ApiToken>, AccessError>;

    /// Set `revoked_at` on the account's token unless already revoked. Returns false when the
    /// account has no such token.
    async fn revoke_api_token(&self, user: UserId, id: ApiTokenId, at: DateTime<Utc>) -> Result<bool, AccessError>;

    /// Set `last_used_at`. A missing token is not an error.
    async fn touch_api_token(&self, id: ApiTokenId, at: DateTime<Utc>) -> Result<(), AccessError>;

    /// The TOTP secret (opened), whether MFA is enabled, and the last accepted step; `None`
    /// when the account has no secret.
    async fn mfa_secret(&self, user: UserId) -> Result<Option<(Vec<u8>, bool, Option<i64>)>, AccessError>;

    /// Store a pending (not yet enabled) TOTP secret; MFA stays disabled. The secret MUST be
    /// stored sealed (SM4-GCM, bound to its row), never in clear, and re-sealed by key rotation.
    async fn set_pending_mfa_secret(&self, user: UserId, secret: &[u8]) -> Result<(), AccessError>;

    /// Atomically: enable MFA, record `step` as the last accepted one, and replace the
    /// recovery codes with these hashes.
    async fn enable_mfa(&self, user: UserId, step: i64, recovery_hashes: &[String]) -> Result<(), AccessError>;

    /// Atomically: forget the secret, disable MFA, delete the recovery codes.
    async fn disable_mfa(&self, user: UserId) -> Result<(), AccessError>;

    /// Accept `step` only if it is later than the last accepted step; returns whether it was
    /// accepted. MUST be a single conditional write, so two requests with the same code
    /// cannot both succeed.
    async fn advance_totp_step(&self, user: UserId, step: i64) -> Result<bool, AccessError>;

    /// Mark an unused recovery code used; returns false when there is no unused code with this hash.
    /// A single conditional write, like `advance_totp_step`.
    async fn use_recovery_code(&self, user: UserId, code_hash: &str, at: DateTime<Utc>) -> Result<bool, AccessError>;

    /// How many unused recovery codes the account has.
    async fn unused_recovery_codes(&self, user: UserId) -> Result<u32, AccessError>;
}
