//! Access: login accounts, password hashing and server-side sessions.
//!
//! Owns who may sign in, how a bearer secret becomes an [`bole_core::Actor`], and
//! the policy engine ([`policy`]): built-in and custom roles, data scopes and
//! 三员分立. [`bole_core::Actor::authorize`] evaluates what [`policy::resolve`]
//! produced. It
//! does not own people (bole-people) and does no IO: storage is the
//! [`AccountStore`] port, implemented by bole-store.

pub mod error;
pub mod login;
pub mod manage;
pub mod mfa;
pub mod model;
pub mod policy;
pub mod rules;
pub mod security;
pub mod service;
pub mod store;

pub use error::AccessError;
pub use login::{Authentication, Credential, IssuedSession, LoginOutcome, MfaToken};
pub use manage::{IssuedApiToken, TotpEnrollment};
pub use model::{
    Account, AccountSecurity, AccountView, ApiToken, ApiTokenId, CustomRole, NewSession, NewUser, Restriction,
    RoleGrant, SessionId, SessionRow, SessionView, User,
};
pub use security::{LockoutPolicy, PasswordPolicy, SecurityPolicy};
pub use service::AccountService;
pub use store::AccountStore;
