//! Account use cases: create accounts, log in, turn a session token into an
//! [`Actor`] on every request, log out.
//!
//! Sessions end after 30 minutes without use (idle) or 12 hours after login
//! (absolute), whichever comes first. Argon2 is deliberately slow (tens of
//! milliseconds); it runs only at login and account creation.

use crate::error::AccessError;
use crate::model::{NewUser, User};
use crate::rules;
use crate::store::AccountStore;
use bole_core::clock::SharedClock;
use bole_core::{Actor, FieldErrors, Msg, Permission, Role, UserId};
use chrono::TimeDelta;
use std::sync::Arc;

/// Sessions unused this long end.
pub const DEFAULT_IDLE: TimeDelta = TimeDelta::minutes(30);
/// Sessions end this long after login, however busy.
pub const DEFAULT_ABSOLUTE: TimeDelta = TimeDelta::hours(12);
/// `last_seen_at` is written at most this often, so an active session does not cost a
/// database write per request; idle expiry is therefore precise to within this much.
pub const TOUCH_EVERY: TimeDelta = TimeDelta::minutes(1);

#[derive(Clone)]
pub struct AccountService {
    store: Arc<dyn AccountStore>,
    clock: SharedClock,
    idle: TimeDelta,
    absolute: TimeDelta,
}

impl std::fmt::Debug for AccountService {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AccountService")
            .field("idle", &self.idle)
            .field("absolute", &self.absolute)
            .finish_non_exhaustive()
    }
}

impl AccountService {
    pub fn new(store: Arc<dyn AccountStore>, clock: SharedClock) -> Self {
        Self { store, clock, idle: DEFAULT_IDLE, absolute: DEFAULT_ABSOLUTE }
    }

    /// Override the session lifetimes (configuration, tests).
    pub fn with_session_lifetimes(mut self, idle: TimeDelta, absolute: TimeDelta) -> Self {
        self.idle = idle;
        self.absolute = absolute;
        self
    }

    /// How long a session lasts at most; the HTTP layer uses it as the cookie's Max-Age.
    pub fn absolute_lifetime(&self) -> TimeDelta {
        self.absolute
    }

    /// Create a system administrator without an acting user: the operator's own
    /// commands (`bole demo`, `bole admin create`) run before anyone can log in.
    pub async fn bootstrap_admin(&self, username: &str, password: &str) -> Result<User, AccessError> {
        self.insert(NewUser {
            username: username.to_string(),
            password: password.to_string(),
            roles: vec![Role::SystemAdmin],
        })
        .await
    }

    pub async fn create_user(&self, actor: &Actor, input: NewUser) -> Result<User, AccessError> {
        actor.authorize(Permission::UserAdmin)?;
        self.insert(input).await
    }

    /// Number of accounts, so first-run setup can tell whether an administrator exists.
    pub async fn count_users(&self) -> Result<u64, AccessError> {
        self.store.count_users().await
    }

    async fn insert(&self, input: NewUser) -> Result<User, AccessError> {
        let username = rules::normalize_username(&input.username);
        let mut errs = FieldErrors::new();
        rules::check_username("username", &username, &mut errs);
        rules::check_password("password", &input.password, &mut errs);
        if input.roles.is_empty() {
            errs.add("roles", Msg::new("至少需要一个角色", "at least one role is required"));
        }
        errs.into_result()?;
        let hash = rules::hash_password(&input.password).map_err(|e| AccessError::Storage(e.to_string()))?;
        let mut roles: Vec<Role> = Vec::with_capacity(input.roles.len());
        for r in input.roles {
            if !roles.contains(&r) {
                roles.push(r);
            }
        }
        let user = User {
            id: UserId::new(),
            username,
            employee_id: None,
            roles,
            disabled: false,
            created_at: self.clock.now(),
        };
        self.store.insert_user(&user, &hash).await?;
        Ok(user)
    }

    /// Check the credentials and open a session. Returns the bearer token (shown to the
    /// client once, stored only as a hash) and the account.
    pub async fn login(&self, username: &str, password: &str) -> Result<(String, User), AccessError> {
        let username = rules::normalize_username(username);
        let found = self.store.user_with_hash(&username).await?;
        let Some((user, hash)) = found else {
            // Same work as a real check, so timing does not tell which usernames exist.
            rules::dummy_verify(password);
            return Err(AccessError::InvalidCredentials);
        };
        if !rules::verify_password(password, &hash) {
            return Err(AccessError::InvalidCredentials);
        }
        if user.disabled {
            return Err(AccessError::AccountDisabled);
        }
        let now = self.clock.now();
        // Housekeeping rides on logins instead of a job: the table only grows through
        // logins, and every session is gone at most `absolute` after it was created.
        self.store.delete_expired_sessions(now).await?;
        let token = rules::new_session_token();
        self.store.insert_session(&rules::token_hash(&token), user.id, now, now + self.absolute).await?;
        Ok((token, user))
    }

    /// The actor behind a session token, or `Unauthenticated` when the token is unknown,
    /// malformed, expired (idle or absolute) or its account is disabled.
    pub async fn authenticate(&self, token: &str) -> Result<Actor, AccessError> {
        if !rules::token_well_formed(token) {
            return Err(AccessError::Unauthenticated);
        }
        let hash = rules::token_hash(token);
        let Some(session) = self.store.session(&hash).await? else {
            return Err(AccessError::Unauthenticated);
        };
        let now = self.clock.now();
        let expired = now >= session.expires_at || now >= session.last_seen_at + self.idle;
        if expired || session.user.disabled {
            self.store.delete_session(&hash).await?;
            return Err(AccessError::Unauthenticated);
        }
        if now - session.last_seen_at >= TOUCH_EVERY {
            self.store.touch_session(&hash, now).await?;
        }
        Ok(session.user.actor())
    }

    /// End the session. Unknown or already ended sessions are fine: logout is idempotent.
    pub async fn logout(&self, token: &str) -> Result<(), AccessError> {
        if rules::token_well_formed(token) {
            self.store.delete_session(&rules::token_hash(token)).await?;
        }
        Ok(())
    }
}
