//! PIPL rights (个人信息保护法; T/GXDSL 9.3): privacy-notice versions and each employee's
//! acknowledgement, consents per purpose with 单独同意 where the law asks for it (append-only
//! history), data-subject requests (access/copy, correction, deletion, consent withdrawal)
//! with due dates and legal-retention checks, the personal-data copy (JSON and .xlsx), and
//! the register of third-party provision and cross-border transfers.
//!
//! It does not own the personal data itself (bole-people) or accounts (bole-access): what
//! they hold reaches it through the [`SubjectData`] port.

pub mod classify;
pub mod copy;
pub mod error;
pub mod model;
pub mod rules;
pub mod service;
pub mod store;

pub use error::PrivacyError;
pub use model::*;
pub use rules::{DueRule, PrivacyPolicy};
pub use service::{PrivacyService, RequestDetail};
pub use store::{PrivacyStore, RequestScope, SubjectData};
