//! Bole's shared kernel: the vocabulary every domain crate speaks.
//!
//! Owns typed ids, effective dating (`DateRange`), the `Clock` port, the acting
//! principal (`Actor`, `Permission`), bilingual messages and the error contract
//! (`Failure`) that the HTTP layer turns into its envelope. It does no IO.

pub mod actor;
pub mod clock;
pub mod dates;
pub mod error;
pub mod ids;
pub mod page;

pub use actor::{Actor, Permission, Role};
pub use clock::{Clock, FixedClock, SystemClock};
pub use dates::DateRange;
pub use error::{ErrorKind, Failure, FieldErrors, Msg};
pub use ids::*;
pub use page::{Page, PageRequest};
