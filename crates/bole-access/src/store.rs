//! The account store port. bole-store implements it on SQLite and PostgreSQL;
//! its conformance suite (`bole-store/tests/access.rs`) holds both engines to
//! this contract. Only hashes cross it: password hashes (PHC strings) and
//! session token hashes (`rules::token_hash`), never the secrets themselves.

use crate::error::AccessError;
use crate::model::{SessionRow, User};
use async_trait::async_trait;
use bole_core::UserId;
use chrono::{DateTime, Utc};

/// Every method returns `AccessError::Storage` when the database fails, and only then
/// unless another error is named.
#[async_trait]
pub trait AccountStore: Send + Sync {
    /// Stores a new account with its password hash. The username is stored as given
    /// (the service normalises it). MUST return `DuplicateUsername` when the username is
    /// taken; nothing is written then.
    async fn insert_user(&self, user: &User, password_hash: &str) -> Result<(), AccessError>;

    /// The account with exactly this username and its password hash; `None` when unknown.
    async fn user_with_hash(&self, username: &str) -> Result<Option<(User, String)>, AccessError>;

    /// The account with this id; `None` when unknown.
    async fn user(&self, id: UserId) -> Result<Option<User>, AccessError>;

    /// How many accounts exist (disabled ones included); lets `bole demo` and first-run
    /// setup see whether an administrator must be created.
    async fn count_users(&self) -> Result<u64, AccessError>;

    /// Stores a session for `user`; `last_seen_at` starts at `created_at`. A token hash is
    /// 256 bits of randomness, so a clash is not a case to handle.
    async fn insert_session(
        &self,
        token_hash: &str,
        user: UserId,
        created_at: DateTime<Utc>,
        expires_at: DateTime<Utc>,
    ) -> Result<(), AccessError>;

    /// The session with this token hash together with its account; `None` when unknown.
    /// Expiry is the service's decision: expired rows are returned as they are.
    async fn session(&self, token_hash: &str) -> Result<Option<SessionRow>, AccessError>;

    /// Sets `last_seen_at`. A missing session is not an error (it may have just been deleted).
    async fn touch_session(&self, token_hash: &str, at: DateTime<Utc>) -> Result<(), AccessError>;

    /// Removes the session. A missing session is not an error (logout is idempotent).
    async fn delete_session(&self, token_hash: &str) -> Result<(), AccessError>;

    /// Removes every session whose `expires_at` is at or before `now`; returns how many.
    async fn delete_expired_sessions(&self, now: DateTime<Utc>) -> Result<u64, AccessError>;
}
