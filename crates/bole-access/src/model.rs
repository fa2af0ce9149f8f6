//! Accounts and sessions as the domain sees them. Password hashes and session
//! token hashes never live on these types: the store hands a hash over only
//! where a use case needs it (`user_with_hash` for login).

use bole_core::{Actor, EmployeeId, Role, UserId};
use chrono::{DateTime, Utc};

/// A login account (账号). The username is stored normalised (see [`crate::rules::normalize_username`]).
/// `Debug` leaves the username out: login names are personal data and must not reach logs.
#[derive(Clone, PartialEq, Eq)]
pub struct User {
    pub id: UserId,
    pub username: String,
    /// The employee this account belongs to, for self-service; None for operators.
    pub employee_id: Option<EmployeeId>,
    pub roles: Vec<Role>,
    /// A disabled account cannot log in and its sessions stop working.
    pub disabled: bool,
    pub created_at: DateTime<Utc>,
}

impl std::fmt::Debug for User {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("User")
            .field("id", &self.id)
            .field("employee_id", &self.employee_id)
            .field("roles", &self.roles)
            .field("disabled", &self.disabled)
            .field("created_at", &self.created_at)
            .finish_non_exhaustive()
    }
}

impl User {
    /// The principal a request runs as once this user is authenticated.
    pub fn actor(&self) -> Actor {
        Actor {
            user_id: self.id,
            username: self.username.clone(),
            employee_id: self.employee_id,
            roles: self.roles.clone(),
        }
    }
}

/// Input for a new account. `Debug` hides the password so the value can never reach a log.
#[derive(Clone)]
pub struct NewUser {
    pub username: String,
    pub password: String,
    pub roles: Vec<Role>,
}

impl std::fmt::Debug for NewUser {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("NewUser").field("roles", &self.roles).finish_non_exhaustive()
    }
}

/// A stored session with the account it belongs to.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SessionRow {
    pub user: User,
    pub created_at: DateTime<Utc>,
    /// Absolute end of the session, fixed at login.
    pub expires_at: DateTime<Utc>,
    /// Last time the session was used (updated at most once a minute).
    pub last_seen_at: DateTime<Utc>,
}
