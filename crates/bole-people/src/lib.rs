//! People: the employee master record, lifecycle events and the effective-dated
//! assignments they produce, labour contracts, the archive timeline, and the
//! data standards (dictionaries, ID numbers, contacts) every record is held to.
//! It does not own org structure (bole-org) or accounts (bole-access).

pub mod classify;
pub mod error;
pub mod model;
pub mod roster;
pub mod rules;
pub mod service;
pub mod standards;
pub mod store;

pub use classify::RevealedFields;
pub use error::PeopleError;
pub use model::*;
pub use service::{BatchError, ImportFailure, ListQuery, PeopleService, RowErrors};
pub use store::PeopleStore;
