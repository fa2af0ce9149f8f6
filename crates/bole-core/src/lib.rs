//! Bole's shared kernel: the vocabulary every domain crate speaks.
//!
//! Owns typed ids, effective dating (`DateRange`), the `Clock` port, the acting
//! principal (`Actor`, `Permission`, `Scope`), the audit event and its port,
//! data classification, bilingual messages and the error contract
//! (`Failure`) that the HTTP layer turns into its envelope. It does no IO.

pub mod actor;
pub mod audit;
pub mod classify;
pub mod clock;
pub mod dates;
pub mod error;
pub mod ids;
pub mod mask;
pub mod page;

pub use actor::{AccessMap, Actor, DataScope, Forbidden, Permission, RequestMeta, Role, Scope};
pub use audit::{AuditEvent, AuditLog, AuditUnavailable, Outcome};
pub use classify::{Classification, FieldClass, MaskKind};
pub use clock::{Clock, FixedClock, SystemClock};
pub use dates::DateRange;
pub use error::{ErrorKind, Failure, FieldErrors, Msg};
pub use ids::*;
pub use page::{Page, PageRequest};
