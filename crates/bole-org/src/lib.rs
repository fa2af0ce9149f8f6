//! Organisation: legal entities (companies), the effective-dated org-unit tree
//! (create, rename, move, merge, dissolve — each from a date), positions (岗位)
//! and headcount quotas (编制). It knows nothing of people: headcount and quota
//! occupancy are counted by bole-people, which depends on this crate.

pub mod error;
pub mod model;
pub mod rules;
pub mod service;
pub mod store;

pub use error::OrgError;
pub use model::*;
pub use service::OrgService;
pub use store::OrgStore;
