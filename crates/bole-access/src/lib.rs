//! Access: login accounts, password hashing and server-side sessions.
//!
//! Owns who may sign in and how a bearer secret becomes an [`bole_core::Actor`].
//! Issue 3 adds MFA, full RBAC, data scopes and the policy engine here; until
//! then [`bole_core::Actor::authorize`] is the single authorisation hook. It
//! does not own people (bole-people) and does no IO: storage is the
//! [`AccountStore`] port, implemented by bole-store.

pub mod error;
pub mod model;
pub mod rules;
pub mod service;
pub mod store;

pub use error::AccessError;
pub use model::{NewUser, SessionRow, User};
pub use service::AccountService;
pub use store::AccountStore;
